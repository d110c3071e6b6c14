"""The Jinja2 environment of the few hot templates under templates/jinja2/ (the rest of the
site uses Django's engine): Django's URL reversing as `url(name, *args)`, and Django's active
translation as `gettext`, `ngettext` and `_` (jinja2.ext.i18n, new style: `_("%(n)s", n=1)`)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation
from jinja2 import Environment


def url(name: str, *args) -> str:
    return reverse(name, args=args)


def environment(**options) -> Environment:
    options.setdefault("extensions", [])
    options["extensions"] = [*options["extensions"], "jinja2.ext.i18n"]
    env = Environment(**options)
    env.globals["url"] = url
    env.install_gettext_translations(translation, newstyle=True)
    return env
