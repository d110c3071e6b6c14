"""How fast a 15-question checklist section renders, against Django's default form widgets.

Run from the repository root (or anywhere): `.venv/bin/python bench/checklist.py`

A questionnaire with one section of 15 Yes / Partial / No questions is loaded through the real
loader and every question is answered, with a note, through `services.answers_save`. Then:

  (a) the real page: `django.test.Client` GET of the section URL, signed in with force_login
      (middleware, view, queries and template);
  (b) the section template alone: `checklist.build_rows` plus `render_to_string` of
      templates/assessments/section.html with `checklist.section_template_context`, the
      questions and answers already loaded (no queries);
  (c) Django's default widgets for the same questions: a dynamically built `forms.Form` with,
      per question, a RadioSelect ChoiceField (Yes, Partial, No, Not applicable), a Textarea
      note, a Textarea reason for Not applicable and a BooleanField flag, with initial data
      equal to the stored answers, rendered with `form.as_div()`.

(c) renders the fields only, without the page around them that (b) includes, so the ratio
(c)/(b) understates the difference. The goal is a ratio of at least 4.
"""

from __future__ import annotations

import _setup

QUESTIONS = 15
RATIO_GOAL = 4
CHOICES = [
    ("yes", "Yes"),
    ("partial", "Partial / in progress"),
    ("no", "No"),
    ("na", "Not applicable"),
]
NOTE = (
    "Evidence: signed decision memo dated 2027-03-14, filed in the command staff share under "
    "287g/decision. Owner: Chief Deputy Alvarez; reviewed by county counsel on 2027-03-20."
)


def main() -> None:
    _setup.configure()

    from django import forms
    from django.db import connection
    from django.template.loader import render_to_string
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from assessments import selectors, services
    from assessments.checklist import LIMITS, build_rows, section_template_context
    from assessments.views import get_assessment_for_user
    from tests.questionnaire_files import questionnaire_toml

    questionnaire = _setup.load_questionnaire_text(
        questionnaire_toml(slug="bench-checklist", sections={"CAP": QUESTIONS})
    )
    _, user, _, assessment = _setup.create_assessment(
        questionnaire=questionnaire, models=("JEM", "WSO"), title="Checklist benchmark"
    )
    sections = selectors.assessment_sections(assessment)
    section = sections[0]
    questions = selectors.section_questions(assessment, section)
    assert len(questions) == QUESTIONS, len(questions)

    # Answer every question with a note: Yes, Partial, No and Not applicable in turn.
    values = [value for value, _ in CHOICES]
    inputs = []
    for index, question in enumerate(questions):
        value = values[index % len(values)]
        na = value == "na"
        inputs.append(
            services.AnswerInput(
                question_id=question.pk,
                value="" if na else value,
                not_applicable=na,
                na_reason="The agency does not operate this function." if na else "",
                note=f"{question.code}: {NOTE}",
                flagged=index % 5 == 0,
            )
        )
    saved = services.answers_save(assessment=assessment, user=user, data=inputs)
    assert len(saved.saved) == QUESTIONS and not saved.conflicts

    url = reverse("section", kwargs={"pk": assessment.pk, "code": section.code})

    # (a) The real page through the test client.
    client = _setup.signed_in_client(user)
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    page_bytes = len(response.content)
    # The test client resets connection.queries at each request: count through a wrapper.
    page_queries = []
    with connection.execute_wrapper(
        lambda execute, sql, *args: page_queries.append(sql) or execute(sql, *args)
    ):
        client.get(url)

    def page_get() -> None:
        client.get(url)

    # (b) The view's template path, with what the view loads already loaded.
    request = RequestFactory().get(url)
    request.user = user
    request.session = client.session
    view_assessment, _ = get_assessment_for_user(request, assessment.pk)
    answers = selectors.answers_by_question(view_assessment, questions)

    def template_render(questions=questions) -> str:
        rows = build_rows(questions, answers)
        context = section_template_context(
            assessment=view_assessment, sections=sections, section=section, rows=rows
        )
        return render_to_string("assessments/section.html", context, request=request)

    template_html = template_render()
    assert 'value="partial" checked' in template_html
    with CaptureQueriesContext(connection) as template_queries:
        template_render()

    # (c) Django's default widgets for the same questions and answers.
    fields = {}
    initial = {}
    for question in questions:
        prefix = f"q{question.pk}"
        fields[f"{prefix}-value"] = forms.ChoiceField(
            label=f"{question.code} {question.prompt}",
            help_text=question.guidance,
            choices=CHOICES,
            widget=forms.RadioSelect,
            required=False,
        )
        fields[f"{prefix}-note"] = forms.CharField(
            label="Note", widget=forms.Textarea, max_length=LIMITS["note"], required=False
        )
        fields[f"{prefix}-na_reason"] = forms.CharField(
            label="Reason it is not applicable",
            widget=forms.Textarea,
            max_length=LIMITS["na_reason"],
            required=False,
        )
        fields[f"{prefix}-flagged"] = forms.BooleanField(label="Mark for review", required=False)
        answer = answers[question.pk]
        initial[f"{prefix}-value"] = "na" if answer.not_applicable else answer.value
        initial[f"{prefix}-note"] = answer.note
        initial[f"{prefix}-na_reason"] = answer.na_reason
        initial[f"{prefix}-flagged"] = answer.flagged
    SectionForm = type("SectionForm", (forms.Form,), fields)

    def form_render() -> str:
        return SectionForm(initial=initial).as_div()

    form_html = form_render()
    assert 'value="partial"' in form_html and "checked" in form_html

    def bound_form_render() -> str:
        return SectionForm(data=initial).as_div()

    repeat = 9
    timings = _setup.time_interleaved(
        {
            "page": (page_get, 10),
            "template": (template_render, 25),
            "shell": (lambda: template_render([]), 25),
            "form": (form_render, 10),
            "bound": (bound_form_render, 5),
        },
        repeat=repeat,
    )
    page, template, shell = timings["page"], timings["template"], timings["shell"]
    form, bound = timings["form"], timings["bound"]

    template_ms = _setup.median_ms(template)
    form_ms = _setup.median_ms(form)
    ratio = form_ms / template_ms
    print(f"database: {_setup.database_description()}")
    print(
        f"section: {QUESTIONS} choice questions, all answered with notes "
        f"(Yes, Partial, No and Not applicable in turn)"
    )
    print(f"median of {repeat} interleaved runs; {_setup.TIMER_NOTE}")
    print(
        f"(a) section page GET via test client ({QUESTIONS} questions): "
        f"{_setup.median_ms(page):.2f} ms median ({_setup.spread_ms(page)}); "
        f"{len(page_queries)} queries, {page_bytes:,} bytes"
    )
    print(
        f"(b) section template render ({QUESTIONS} questions): {template_ms:.2f} ms median "
        f"({_setup.spread_ms(template)}); {len(template_queries)} queries, "
        f"{len(template_html):,} characters"
    )
    print(
        f"(c) Django form widgets, as_div ({QUESTIONS} questions): {form_ms:.2f} ms median "
        f"({_setup.spread_ms(form)}); {len(form_html):,} characters, fields only"
    )
    print(
        f"    same form bound to the answers as data, for information: "
        f"{_setup.median_ms(bound):.2f} ms median ({_setup.spread_ms(bound)})"
    )
    shell_ms = _setup.median_ms(shell)
    print(
        f"    same template with no questions (page shell), for information: {shell_ms:.2f} ms "
        f"median ({_setup.spread_ms(shell)}); the {QUESTIONS} questions add "
        f"{template_ms - shell_ms:.2f} ms, (c) / that = {form_ms / (template_ms - shell_ms):.1f}x"
    )
    verdict = "met" if ratio >= RATIO_GOAL else "NOT met"
    print(f"ratio (c)/(b): {ratio:.1f}x (goal: at least {RATIO_GOAL}x, {verdict})")
    print(f"    ratio of the fastest runs, for information: {min(form) / min(template):.1f}x")


if __name__ == "__main__":
    main()
