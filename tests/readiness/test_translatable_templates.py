"""Every user-facing string of every template is marked for translation (issue 18).

The rule: in the text of a template, outside template tags, HTML tags, comments, <script> and
<style>, and outside {% translate %} and {% blocktranslate %} (Jinja2: {% trans %}), no piece of
text may contain a letter; nor may the user-visible attributes (aria-label, title, placeholder,
alt), a literal given to `default`, `default_if_none` or `yesno`, or a literal passed to an
included template (`with here="Approve"`). Write `{% translate "…" %}`, `default:_("…")`,
`with here=_("Approve")` instead. Whatever is not language is in ALLOWED, each with its reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.template.base import Lexer, TokenType

TEMPLATES = Path(settings.BASE_DIR) / "templates"

# Not language: removed from a piece of text before it is checked for letters. Punctuation such
# as "·" and "—" and entities need no entry (no letter). Today every template puts these inside
# its translated sentences; they are here so that a "(PDF)" after a link need not be translated.
ALLOWED = [
    "287(g)",  # the section of the Immigration and Nationality Act, the same in every language
    "PDF",  # a file format, named the same in every language
]

# Text is what is left between these; the sentinel stands for a template tag, variable or
# comment, so that text on either side of one is two pieces.
SENTINEL = "\x00"
HIDDEN_ELEMENTS = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->", re.DOTALL | re.IGNORECASE)
HTML_TAG = re.compile(r"<[a-zA-Z/!][^>]*>")
VISIBLE_ATTRIBUTE = re.compile(
    r"""\s(aria-label|title|placeholder|alt)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE
)
ENTITY = re.compile(r"&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);")
LITERAL_FILTER_ARGUMENT = re.compile(
    r"""\|\s*(?:default|default_if_none|yesno)\s*:\s*(?:"([^"]*)"|'([^']*)')"""
)
LITERAL_KEYWORD_ARGUMENT = re.compile(r"""(?<![=!<>])\b\w+\s*=\s*(?:"([^"]*)"|'([^']*)')""")
JINJA_TOKEN = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", re.DOTALL)


@dataclass(frozen=True)
class Problem:
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.line}: {self.text!r}"


def _has_language(text: str) -> bool:
    text = ENTITY.sub(" ", text)
    for allowed in ALLOWED:
        text = text.replace(allowed, " ")
    return any(character.isalpha() for character in text)


def _django_tokens(source: str) -> list[tuple[str, str, int]]:
    """(kind, contents, line) with kind "text", "var", "block" or "comment"."""
    kinds = {
        TokenType.TEXT: "text",
        TokenType.VAR: "var",
        TokenType.BLOCK: "block",
        TokenType.COMMENT: "comment",
    }
    return [
        (kinds[token.token_type], token.contents, token.lineno)
        for token in Lexer(source).tokenize()
    ]


def _jinja_tokens(source: str) -> list[tuple[str, str, int]]:
    tokens, position, line = [], 0, 1
    for match in JINJA_TOKEN.finditer(source):
        if match.start() > position:
            text = source[position : match.start()]
            tokens.append(("text", text, line))
            line += text.count("\n")
        token = match.group()
        kind = {"{%": "block", "{{": "var", "{#": "comment"}[token[:2]]
        tokens.append((kind, token[2:-2].strip("-+ \n"), line))
        line += token.count("\n")
        position = match.end()
    if position < len(source):
        tokens.append(("text", source[position:], line))
    return tokens


def _literals(pattern: re.Pattern, contents: str) -> list[str]:
    return [match.group(1) or match.group(2) or "" for match in pattern.finditer(contents)]


def unmarked_strings(source: str, *, jinja: bool = False) -> list[Problem]:
    """The pieces of user-facing text in a template that are not marked for translation."""
    tokens = _jinja_tokens(source) if jinja else _django_tokens(source)
    problems: list[Problem] = []
    # Literals in variables, with where they are in the text (one inside an HTML tag counts only
    # in a visible attribute: `class="alert-{{ level|default:'info' }}"` is not language).
    literals: list[tuple[int, Problem]] = []
    # The text with every tag, variable, comment and translated block replaced by the
    # sentinel, and the line of each of its characters.
    text, lines = [], []
    ignored_until = None
    for kind, contents, line in tokens:
        words = contents.split()
        name = words[0] if words else ""
        if ignored_until:
            if name in ignored_until:
                ignored_until = None
            continue
        if (
            kind == "block"
            and name in ("blocktranslate", "blocktrans", "trans")
            and not (name == "trans" and not jinja)
        ):
            ignored_until = {"endblocktranslate", "endblocktrans", "endtrans"}
        elif kind == "block" and name in ("comment", "verbatim"):
            ignored_until = {"endcomment", "endverbatim"}
        if kind == "text":
            for offset, character in enumerate(contents):
                text.append(character)
                lines.append(line + contents.count("\n", 0, offset))
            continue
        if kind == "var":
            for literal in _literals(LITERAL_FILTER_ARGUMENT, contents):
                if _has_language(literal):
                    literals.append((len(text), Problem(line, literal)))
        if kind == "block" and name in ("include", "with"):
            for literal in _literals(LITERAL_KEYWORD_ARGUMENT, contents):
                if _has_language(literal):
                    problems.append(Problem(line, literal))
        text.append(SENTINEL)
        lines.append(line)
    flat = "".join(text)

    def blank(match: re.Match) -> str:
        return SENTINEL * len(match.group())

    flat = HIDDEN_ELEMENTS.sub(blank, flat)
    invisible = set()
    for match in HTML_TAG.finditer(flat):
        invisible.update(range(match.start(), match.end()))
        for attribute in VISIBLE_ATTRIBUTE.finditer(match.group()):
            value = attribute.group(2) or attribute.group(3) or ""
            value_start = match.start() + attribute.end() - len(value) - 1
            invisible.difference_update(range(value_start, value_start + len(value)))
            for piece in value.split(SENTINEL):
                if _has_language(piece):
                    problems.append(Problem(lines[match.start() + attribute.start()], piece))
    problems.extend(problem for index, problem in literals if index not in invisible)
    flat = HTML_TAG.sub(blank, flat)
    for match in re.finditer(rf"[^{SENTINEL}]+", flat):
        piece = match.group()
        if _has_language(piece):
            start = match.start() + len(piece) - len(piece.lstrip())
            problems.append(Problem(lines[start], " ".join(piece.split())))
    return sorted(problems, key=lambda problem: problem.line)


def template_files() -> list[Path]:
    return sorted(path for path in TEMPLATES.rglob("*") if path.is_file())


def test_every_user_facing_string_of_every_template_is_marked_for_translation():
    found = []
    for path in template_files():
        jinja = path.relative_to(TEMPLATES).parts[0] == "jinja2"
        for problem in unmarked_strings(path.read_text(), jinja=jinja):
            found.append(f"{path.relative_to(TEMPLATES)}:{problem}")
    assert not found, "Unmarked strings (mark them for translation):\n" + "\n".join(found)


def test_the_check_finds_an_unmarked_string():
    source = '{% load i18n %}<p>{% translate "Saved" %}</p>\n<p class="x">Not saved</p>'
    assert [str(problem) for problem in unmarked_strings(source)] == ["2: 'Not saved'"]


def test_the_check_finds_unmarked_text_beside_variables_and_tags():
    source = "{% if n %}<li>{{ n }} answers</li>{% endif %}"
    assert [problem.text for problem in unmarked_strings(source)] == ["answers"]


def test_the_check_accepts_translated_text_and_what_is_not_language():
    source = (
        "{% load i18n %}<h1>{% translate 'Results' %} · 287(g) (PDF)</h1>"
        "{% blocktranslate trimmed with n=count %}\n  {{ n }} answers\n{% endblocktranslate %}"
        "{# a comment #}{% comment %}Another{% endcomment %}"
        "<script>const label = 'Hidden';</script><style>p { color: red }</style>"
        '<!-- an HTML comment --><a href="{% url \'x\' %}" class="btn">&rarr;</a> —'
    )
    assert unmarked_strings(source) == []


def test_the_check_finds_unmarked_visible_attributes():
    source = (
        '{% load i18n %}<nav aria-label="Main"></nav>'
        "<img alt=\"{% translate 'Logo' %}\" src=\"x.png\"><input placeholder='Name'>"
    )
    assert [problem.text for problem in unmarked_strings(source)] == ["Main", "Name"]


def test_the_check_finds_unmarked_literals_given_to_filters_and_included_templates():
    source = (
        '{{ owner|default:"Nobody yet" }}{{ when|date:"Y-m-d" }}{{ n|default:_("none") }}'
        '{% include "x.html" with here="Approve" %}{% include "x.html" with here=_("Submit") %}'
        '{% if status == "draft" %}{% endif %}<p class="level-{{ level|default:\'none\' }}"'
        " title=\"{{ note|default:'No note' }}\"></p>"
    )
    assert sorted(problem.text for problem in unmarked_strings(source)) == [
        "Approve",
        "No note",
        "Nobody yet",
    ]


def test_the_check_reads_jinja2_templates():
    source = (
        '{% for q in rows %}<span class="badge">{{ t.critical }}</span> Evidence: '
        "{% trans %}Marked{% endtrans %}{{ _('Source') }}{# note #}{% endfor %}"
    )
    assert [problem.text for problem in unmarked_strings(source, jinja=True)] == ["Evidence:"]
