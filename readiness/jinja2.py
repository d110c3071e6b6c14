"""The Jinja2 environment of the few hot templates under templates/jinja2/ (the rest of the
site uses Django's engine): Django's URL reversing as `url(name, *args)`, and Django's active
translation as `_`, `gettext` and `ngettext` (jinja2.ext.i18n, new style: `_("%(n)s", n=1)`).

A template asked for as "<name>@<language>" is <name> with its texts
translated when it is compiled rather than each time it renders: `{{ _("Critical") }}` becomes
the escaped translation, and `_("Answer to %(code)s", code=q.code)` the translated format
string filled in by `|format`. Jinja2 keeps one compiled template per language (and reloads it
when the file changes, as for any template), so a loop over 50 questions makes no gettext call.
A placeholder must not be called `value`: that is the name of `format`'s own argument.
"""

from __future__ import annotations

import ast
import re

from django.urls import reverse
from django.utils import translation
from jinja2 import BaseLoader, Environment
from markupsafe import escape

# {{ _("literal") }}, and the head `_("literal",` of a call with placeholders (no other quotes).
FIXED_TEXT = re.compile(r'\{\{\s*_\(("(?:[^"\\]|\\.)*")\)\s*\}\}')
FORMAT_HEAD = re.compile(r'\b_\(("(?:[^"\\]|\\.)*"),\s*')


def url(name: str, *args) -> str:
    return reverse(name, args=args)


def _jinja_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def translate_source(source: str) -> str:
    """`source` with its `_("…")` texts translated in the active language (see the module)."""

    def fixed(match: re.Match) -> str:
        text = str(escape(translation.gettext(ast.literal_eval(match.group(1)))))
        return "{% raw %}" + text + "{% endraw %}" if "{" in text else text

    def format_head(match: re.Match) -> str:
        text = translation.gettext(ast.literal_eval(match.group(1)))
        return f"{_jinja_string(text)}|format("

    return FORMAT_HEAD.sub(format_head, FIXED_TEXT.sub(fixed, source))


class TranslatingLoader(BaseLoader):
    """Serves "<name>@<language>" as <name> translated by `translate_source`; other names as the
    wrapped loader does."""

    def __init__(self, loader: BaseLoader) -> None:
        self.loader = loader

    def get_source(self, environment: Environment, template: str):
        name, at, language = template.rpartition("@")
        if not at:
            return self.loader.get_source(environment, template)
        source, filename, uptodate = self.loader.get_source(environment, name)
        with translation.override(language):
            return translate_source(source), filename, uptodate


def environment(**options) -> Environment:
    options["extensions"] = [*options.get("extensions", []), "jinja2.ext.i18n"]
    if "loader" in options:
        options["loader"] = TranslatingLoader(options["loader"])
    env = Environment(**options)
    env.globals["url"] = url
    env.install_gettext_translations(translation, newstyle=True)
    return env
