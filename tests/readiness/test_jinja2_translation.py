"""The Jinja2 templates' texts are translated when a template is compiled for a language."""

from __future__ import annotations

from django.template import engines
from django.utils import translation

from readiness.jinja2 import translate_source


def test_a_fixed_text_becomes_its_escaped_translation():
    with translation.override("es"):
        # "Ready" is in the Spanish catalogue of the public summary.
        assert translate_source('<b>{{ _("Ready") }}</b>') != '<b>{{ _("Ready") }}</b>'
        assert "{{" not in translate_source('<b>{{ _("Ready") }}</b>')
    with translation.override("en"):
        assert translate_source('<b>{{ _("Tom & Jerry") }}</b>') == "<b>Tom &amp; Jerry</b>"


def test_a_text_with_placeholders_becomes_a_format_string_filled_in_as_it_renders():
    with translation.override("en"):
        source = translate_source('{{ _("Answer to %(code)s", code=q.code) }}')
    assert source == '{{ "Answer to %(code)s"|format(code=q.code) }}'
    env = engines["jinja2"].env
    assert env.from_string(source).render(q={"code": "<CAP-01>"}) == "Answer to &lt;CAP-01&gt;"


def test_a_template_asked_for_in_a_language_is_compiled_once_per_language():
    env = engines["jinja2"].env
    english = env.get_template("assessments/_questions.html@en")
    assert env.get_template("assessments/_questions.html@en") is english
    assert env.get_template("assessments/_questions.html@es") is not english
