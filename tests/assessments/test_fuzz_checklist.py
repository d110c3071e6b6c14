"""The checklist, start and workflow forms fuzzed through the test client: hostile text, wrong
types and bodies, foreign ids, duplicated fields, query parameters and section codes.

Whatever is posted: never a 500; a refused post says why next to the field (or answers with a
400, 403 or 404 page); and nothing already saved changes unless the post saved it on purpose.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote, urlencode

import pytest
from django.urls import reverse
from hypothesis import example, given, settings
from hypothesis import strategies as st

from assessments import services
from assessments.models import Answer, Assessment
from audit.models import Event
from questionnaires.loader import questionnaire_load
from questionnaires.models import Question
from tests.factories import FILLER, AssessmentFactory, answer_questions
from tests.fuzzing import (
    BODIES,
    FEW,
    FUZZ,
    all_field_errors,
    assert_not_a_server_error,
    field_errors,
    form_alerts,
    last_value,
    nasty_text,
    snapshot,
    statuses,
    typed_text,
    unreadable,
    wrong_body,
)
from tests.hypothesis_profiles import examples
from tests.pages import fieldset, form_fields, section_url, text_of
from tests.questionnaire_files import questionnaire_toml

pytestmark = pytest.mark.slow  # fuzzing, and the cases it found

EMPTY = {"value": "", "not_applicable": False, "na_reason": "", "note": "", "flagged": False}


def content_of(row: tuple) -> dict:
    return dict(zip(EMPTY, row[:5], strict=True))


def urlencoded(pairs: list[tuple[str, str]]) -> dict:
    return {"data": urlencode(pairs), "content_type": "application/x-www-form-urlencoded"}


# Fixtures


@pytest.fixture
def sibling(answered_draft, agency, command, preparer):
    """A second draft of the same agency (TFM only), fully answered."""
    assessment = AssessmentFactory(
        agency=agency, created_by=command, title="Sibling", models=["TFM"]
    )
    answer_questions(assessment, preparer, note="Sibling.")
    return assessment


@pytest.fixture
def foreign_ids(answered_draft, sibling, outsider_draft, tmp_path) -> dict[str, list[int]]:
    """Question ids a CAP page of `answered_draft` must ignore, by where they come from."""
    other = questionnaire_load(
        path=_write(tmp_path, questionnaire_toml(slug="other", version=7, published=False))
    ).questionnaire
    return {
        "other_questionnaire": list(other.questions.values_list("pk", flat=True)),
        "out_of_model": list(
            Question.objects.filter(
                questionnaire=answered_draft.questionnaire,
                applies_jem=False,
                applies_wso=False,
            ).values_list("pk", flat=True)
        ),
        "other_section": list(
            answered_draft.applicable_questions()
            .exclude(section__code="CAP")
            .values_list("pk", flat=True)
        ),
        "missing": [0, 999_999_999, 2**63, 10**30],
    }


def _write(tmp_path, text: str):
    path = tmp_path / "other.toml"
    path.write_text(text, encoding="utf-8")
    return path


# The checklist section form

SUFFIXES = ["value", "na", "na_reason", "note", "flagged", "version", "digest"]
VALID = {
    "choice": ["yes", "partial", "no", "na"],
    "scale": ["0", "1", "2", "3", "4", "na"],
    "number": ["0", "12", "1200.5", "9999999999"],
    "text": ["Records unit keeps the list.", "\u05e9\u05dc\u05d5\u05dd", "A\r\nB"],
}

field_op = st.one_of(
    st.tuples(st.just("set"), st.integers(0, 99), st.sampled_from(SUFFIXES), nasty_text),
    st.tuples(st.just("valid"), st.integers(0, 99), st.integers(0, 9), typed_text),
    st.tuples(
        st.just("foreign"),
        st.sampled_from(["other_questionnaire", "out_of_model", "other_section", "missing"]),
        st.integers(0, 99),
        st.sampled_from(SUFFIXES),
        nasty_text,
    ),
    st.tuples(st.just("junk"), nasty_text, nasty_text),
    st.tuples(st.just("duplicate"), st.integers(0, 99), st.sampled_from(SUFFIXES), nasty_text),
    st.tuples(st.just("drop"), st.integers(0, 99), st.sampled_from(SUFFIXES)),
    st.tuples(
        st.just("list"),
        st.integers(0, 99),
        st.sampled_from(SUFFIXES),
        st.lists(nasty_text, max_size=3),
    ),
    st.tuples(st.just("sibling_versions")),
)


def _apply(pairs, op, questions, foreign, sibling_fields) -> list[tuple[str, str]]:
    kind = op[0]

    def replace(name: str, values: list[str]) -> list[tuple[str, str]]:
        return [(n, v) for n, v in pairs if n != name] + [(name, v) for v in values]

    if kind == "set":
        question = questions[op[1] % len(questions)]
        return replace(f"q{question.pk}-{op[2]}", [op[3]])
    if kind == "valid":
        question = questions[op[1] % len(questions)]
        choices = VALID[question.answer_type]
        value = choices[op[2] % len(choices)]
        extra = [(f"q{question.pk}-na_reason", op[3] or "No jail.")] if value == "na" else []
        pairs = replace(f"q{question.pk}-value", [value])
        pairs = replace(f"q{question.pk}-note", [op[3]])
        return [(n, v) for n, v in pairs if n != f"q{question.pk}-na_reason"] + extra
    if kind == "foreign":
        ids = foreign[op[1]]
        return [*pairs, (f"q{ids[op[2] % len(ids)]}-{op[3]}", op[4])]
    if kind == "junk":
        return [*pairs, (op[1], op[2])]
    if kind == "duplicate":
        question = questions[op[1] % len(questions)]
        return [*pairs, (f"q{question.pk}-{op[2]}", op[3])]
    if kind == "drop":
        question = questions[op[1] % len(questions)]
        name = f"q{question.pk}-{op[2]}"
        return [(n, v) for n, v in pairs if n != name]
    if kind == "list":
        question = questions[op[1] % len(questions)]
        return replace(f"q{question.pk}-{op[2]}", op[3])
    if kind == "sibling_versions":
        # The version and digest fields of another assessment's page, pasted into this one.
        copied = {n: v for n, v in sibling_fields.items() if n.endswith(("-version", "-digest"))}
        return [(n, v) for n, v in pairs if n not in copied] + list(copied.items())
    raise AssertionError(kind)


def expected_content(pairs, question) -> dict:
    """What the user asked to store for `question`: the last value of each of its fields."""

    def last(suffix: str) -> str | None:
        values = [v for n, v in pairs if n == f"q{question.pk}-{suffix}"]
        return values[-1] if values else None

    raw = last("value") or ""
    return {
        "value": "" if raw == "na" else raw.strip(),
        "not_applicable": raw == "na" or last("na") == "on",
        "na_reason": (last("na_reason") or "").strip(),
        "note": (last("note") or "").strip(),
        "flagged": last("flagged") == "on",
    }


@FUZZ
@given(ops=st.lists(field_op, max_size=6))
def test_fuzzed_section_posts_never_fail_and_never_lose_a_saved_answer(
    ops, client_for, answered_draft, sibling, foreign_ids, preparer
):
    client = client_for(preparer)
    url = section_url(answered_draft, "CAP")
    page = client.get(url)
    questions = list(
        answered_draft.applicable_questions().filter(section__code="CAP").order_by("position")
    )
    original = form_fields(page)
    sibling_fields = form_fields(client.get(section_url(sibling, "CAP")))
    pairs = list(original.items())
    for op in ops:
        pairs = _apply(pairs, op, questions, foreign_ids, sibling_fields)
    before = snapshot()

    response = client.post(url, **urlencoded(pairs))

    assert_not_a_server_error(response)
    assert response.status_code in (302, 400, 409)
    after = snapshot()
    on_page = {(answered_draft.pk, q.pk) for q in questions}
    for key in set(before) | set(after):
        if key not in on_page:
            assert after.get(key) == before.get(key), f"answer {key} off the page changed"
    if response.status_code == 400:
        assert after == before, "a refused post changed stored answers"
        content = response.content.decode()
        if "Nothing was saved: correct the answers marked below." not in content:
            assert "The request could not be read" in content
            return  # a body too large for Django to read: the 400 page, which says why
        for question in questions:
            errors = re.search(rf'id="q{question.pk}-errors">(.*?)</ul>', content, re.S)
            if errors:
                messages = re.findall(r"<li>(.*?)</li>", errors.group(1), re.S)
                assert messages
                for message in messages:
                    assert html.unescape(message).startswith(f"Question {question.code}: ")
                assert errors.group(0) in fieldset(response, question.code)
        shown = form_fields(response)
        for question in questions:
            typed = expected_content(pairs, question)
            for name in ("na_reason", "note"):
                assert shown[f"q{question.pk}-{name}"] == typed[name], "typed text was dropped"
            if question.answer_type in ("number", "text") and not typed["not_applicable"]:
                assert shown[f"q{question.pk}-value"] == typed["value"]
        return
    conflicts = []
    if response.status_code == 409:
        conflicts = re.findall(
            r'<li><a href="#([A-Z]+-\d+)">', response.content.decode().split("conflict-summary")[1]
        )
        assert conflicts
    for question in questions:
        key = (answered_draft.pk, question.pk)
        old = content_of(before[key]) if key in before else EMPTY
        new = content_of(after[key]) if key in after else EMPTY
        typed = expected_content(pairs, question)
        if typed == old:
            assert after.get(key) == before.get(key), f"{question.code} changed without a change"
        elif new == old:
            tampered = [
                name
                for name in (f"q{question.pk}-version", f"q{question.pk}-digest")
                if [v for n, v in pairs if n == name][-1:] != [original[name]]
            ]
            assert question.code in conflicts or tampered, f"{question.code} was silently dropped"
        else:
            assert new == typed, f"{question.code} stored something else than typed"
            assert Event.objects.filter(
                assessment=answered_draft,
                question=question,
                kind=Event.Kind.ANSWER_CHANGED,
                new=typed,
            ).exists()


def test_a_version_claimed_for_an_unanswered_question_saves_what_was_typed(
    client_for, answered_draft, preparer
):
    # Found by fuzzing: a form claiming version 3 of an answer that does not exist was a
    # "conflict" with nothing, and rendering it failed with a 500.
    client = client_for(preparer)
    url = section_url(answered_draft, "CAP")
    fields = form_fields(client.get(url))
    target = Question.objects.get(questionnaire=answered_draft.questionnaire, code="CAP-04")
    assert not Answer.objects.filter(assessment=answered_draft, question=target).exists()
    fields.update({f"q{target.pk}-value": "partial", f"q{target.pk}-version": "3"})

    response = client.post(url, fields)

    assert response.status_code == 302
    assert Answer.objects.get(assessment=answered_draft, question=target).value == "partial"


@pytest.mark.parametrize(("field", "limit"), [("note", 5000), ("na_reason", 1000)])
def test_the_section_page_states_the_limits_before_they_are_reached(
    client_for, answered_draft, preparer, field, limit
):
    response = client_for(preparer).get(section_url(answered_draft, "CAP"))

    # Stated once above the questions, and named as the description of every such field.
    page = response.content.decode()
    assert re.search(rf'<li id="limit-{field}">[^<]* up to {limit} characters\.</li>', page)
    for code in ("CAP-01", "CAP-02", "CAP-10"):
        block = fieldset(response, code)
        pk = Question.objects.get(questionnaire=answered_draft.questionnaire, code=code).pk
        assert f'maxlength="{limit}" name="q{pk}-{field}"' in block
        assert f'id="q{pk}-{field}" aria-describedby="limit-{field}' in block


@pytest.mark.parametrize(
    ("field", "limit", "words"),
    [("note", 5000, "note"), ("na_reason", 1000, "reason"), ("value", 2000, "answer")],
)
def test_a_text_over_the_limit_is_refused_naming_the_limit_and_kept(
    client_for, answered_draft, preparer, field, limit, words
):
    client = client_for(preparer)
    url = section_url(answered_draft, "CAP")
    fields = form_fields(client.get(url))
    target = Question.objects.get(questionnaire=answered_draft.questionnaire, code="CAP-10")
    assert target.answer_type == "text"
    long_text = ("Evidence in binder 4. " * limit)[: limit + 1].strip() + "!"
    fields[f"q{target.pk}-na"] = "on" if field == "na_reason" else ""
    fields[f"q{target.pk}-{field}"] = long_text
    before = snapshot()

    response = client.post(url, fields)

    assert response.status_code == 400
    message = (
        f"Question CAP-10: keep the {words} within {limit} characters (it has {len(long_text)})."
    )
    assert message in text_of(fieldset(response, "CAP-10"))
    assert form_fields(response)[f"q{target.pk}-{field}"] == long_text
    assert snapshot() == before


@pytest.mark.parametrize(("field", "limit"), [("note", 5000), ("na_reason", 1000)])
def test_a_text_at_the_limit_with_line_breaks_is_saved_as_the_browser_counted_it(
    client_for, answered_draft, preparer, field, limit
):
    # A browser counts a line break as one character against maxlength but sends it as CRLF.
    client = client_for(preparer)
    url = section_url(answered_draft, "CAP")
    fields = form_fields(client.get(url))
    target = Question.objects.get(questionnaire=answered_draft.questionnaire, code="CAP-10")
    lines = ["Line of evidence"] * (limit // 17)
    typed = "\n".join(lines).ljust(limit, ".")
    assert len(typed) == limit
    fields[f"q{target.pk}-{field}"] = typed.replace("\n", "\r\n")
    if field == "na_reason":
        fields[f"q{target.pk}-na"] = "on"

    response = client.post(url, fields)

    assert response.status_code == 302
    stored = Answer.objects.get(assessment=answered_draft, question=target)
    assert getattr(stored, field) == typed.replace("\n", "\r\n")


# Starting an assessment

MODEL_CHOICES = st.lists(
    st.one_of(st.sampled_from(["JEM", "TFM", "WSO", "jem", "XYZ", ""]), nasty_text), max_size=4
)


@FUZZ
@given(title=st.one_of(nasty_text, st.lists(nasty_text, max_size=3)), models=MODEL_CHOICES)
def test_fuzzed_start_posts_never_fail(title, models, client_for, answered_draft, command):
    client = client_for(command)
    before, count = snapshot(), Assessment.objects.count()

    data = {"title": title, "models": models}
    response = client.post(reverse("assessment_start"), data)

    assert_not_a_server_error(response)
    assert snapshot() == before
    if response.status_code == 400:
        assert unreadable(data)
        assert Assessment.objects.count() == count
        return
    if response.status_code == 302:
        created = Assessment.objects.order_by("-pk").first()
        assert Assessment.objects.count() == count + 1
        last = title[-1] if isinstance(title, list) else title
        assert created.title == last.strip()
        assert created.models == set(models)
        return
    assert response.status_code == 200
    assert Assessment.objects.count() == count
    if title == [] and models == []:
        return  # an empty body: the blank form again, as on a first visit
    typed = (last_value(title) or "").strip()
    expected = set()
    if not typed or "\x00" in typed or len(typed) > 200:
        expected.add("title")
    if not models or any(model not in ("JEM", "TFM", "WSO") for model in models):
        expected.add("models")
    errors = all_field_errors(response)
    assert set(errors) == expected, "a message is missing next to a field, or misplaced"
    assert not form_alerts(response)


# Returning a submitted assessment with a comment


@pytest.fixture
def submitted(answered_draft, preparer):
    services.answers_save(
        assessment=answered_draft,
        user=preparer,
        data=[
            services.AnswerInput(question_id=q.pk, value=FILLER[q.answer_type])
            for q in services.Assessment.objects.get(pk=answered_draft.pk)
            .applicable_questions()
            .exclude(answers__assessment=answered_draft)
        ],
    )
    return services.assessment_submit(assessment=answered_draft, user=preparer)


@FUZZ
@given(comment=st.one_of(nasty_text, st.lists(nasty_text, max_size=3)), junk=nasty_text)
def test_fuzzed_return_comments_never_fail_and_keep_what_was_typed(
    comment, junk, client_for, submitted, command, preparer
):
    client = client_for(command)
    url = reverse("assessment_return", args=[submitted.pk])
    before = snapshot()

    data = {"comment": comment, junk: junk}
    response = client.post(url, data)

    assert_not_a_server_error(response)
    assert snapshot() == before
    assessment = Assessment.objects.get(pk=submitted.pk)
    if unreadable(data):
        assert response.status_code == 400
        assert assessment.status == Assessment.Status.SUBMITTED
        return
    typed = (comment or [""])[-1] if isinstance(comment, list) else comment
    if assessment.status == Assessment.Status.DRAFT:
        assert response.status_code == 302
        event = Event.objects.filter(assessment=submitted, kind=Event.Kind.RETURNED).first()
        assert event.comment == typed.strip().replace("\r\n", "\n")  # line breaks as typed
        services.assessment_submit(assessment=assessment, user=preparer)
        return
    assert assessment.status == Assessment.Status.SUBMITTED
    # Refused: the overview is rendered again with the bound form.
    assert response.status_code == 400
    page = response.content.decode()
    # The message is at the top of the page, naming the field, and under the field itself.
    refusal = re.search(r'<div class="alert alert-danger">(Not returned: .*?)</div>', page, re.S)
    assert refusal and "comment" in text_of(refusal.group(1))
    if "\x00" in typed:
        assert "null character" in refusal.group(1)
    field = re.search(r'<textarea[^>]*name="comment"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in field and 'aria-describedby="comment-error ' in field
    under = re.search(r'<div id="comment-error" class="invalid-feedback d-block">(.*?)</div>', page)
    assert under and text_of(under.group(1)).lower() == text_of(refusal.group(1))[14:].lower()
    shown = re.search(r'<textarea[^>]*name="comment"[^>]*>(.*?)</textarea>', page, re.S)
    assert shown and html.unescape(shown.group(1)) == typed


# Submit, approve, reopen: no fields but the token; foreign and nonsense ids

ACTIONS = ["assessment_submit", "assessment_approve", "assessment_return", "assessment_reopen"]


@settings(FUZZ, max_examples=examples(30))
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(ACTIONS),
            st.sampled_from(["own", "sibling", "outsider", "missing", "huge"]),
            st.sampled_from(["command", "preparer"]),
            st.dictionaries(nasty_text, st.one_of(nasty_text, st.lists(nasty_text)), max_size=3),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_fuzzed_workflow_posts_never_fail_nor_touch_approved_answers(
    steps, client_for, answered_draft, sibling, outsider_draft, command, preparer
):
    clients = {"command": client_for(command), "preparer": client_for(preparer)}
    targets = {
        "own": answered_draft.pk,
        "sibling": sibling.pk,
        "outsider": outsider_draft.pk,
        "missing": 999_999_999,
        "huge": 2**63,
    }
    for action, target, persona, junk in steps:
        approved = {pk for pk, status in statuses().items() if status == Assessment.Status.APPROVED}
        before = snapshot()
        junk.pop("comment", None)

        response = clients[persona].post(reverse(action, args=[targets[target]]), junk)

        assert_not_a_server_error(response)
        if target in ("outsider", "missing", "huge"):
            assert response.status_code == 404
        elif persona == "preparer" and action != "assessment_submit":
            assert response.status_code == 403
        elif action == "assessment_return" and not unreadable(junk):
            # No comment (the fuzzer never sends one): the overview again, with the refusal.
            assert response.status_code == 400
            assert "Not returned:" in response.content.decode()
        elif response.status_code == 400:
            # Unreadable, a submit of an incomplete draft answered with what is missing, or an
            # approval without the attestation (the fuzzer never ticks it) answered with why.
            content = response.content.decode()
            assert (
                unreadable(junk)
                or (action == "assessment_submit" and "Not submitted:" in content)
                or (action == "assessment_approve" and "Not approved:" in content)
            )
        else:
            assert response.status_code == 302
        after = snapshot()
        for key, row in before.items():
            if key[0] in approved or response.status_code != 302:
                assert after[key] == row, "an approved or refused assessment's answer changed"


# Bodies that are not a form: JSON, plain text, a file in place of a text field


@pytest.mark.parametrize("kind", BODIES)
def test_a_section_body_that_is_not_a_form_changes_nothing(
    kind, client_for, answered_draft, preparer
):
    client = client_for(preparer)
    url = section_url(answered_draft, "CAP")
    fields = form_fields(client.get(url))
    noted = Question.objects.get(questionnaire=answered_draft.questionnaire, code="CAP-01")
    before = snapshot()

    response = client.post(url, **wrong_body(kind, fields, f"q{noted.pk}-note"))

    assert_not_a_server_error(response)
    assert snapshot() == before


@pytest.mark.parametrize("kind", BODIES)
def test_a_section_body_that_is_not_a_form_is_refused_saying_why(
    kind, client_for, answered_draft, preparer
):
    client = client_for(preparer)
    url = section_url(answered_draft, "CAP")
    fields = form_fields(client.get(url))
    noted = Question.objects.get(questionnaire=answered_draft.questionnaire, code="CAP-01")

    response = client.post(url, **wrong_body(kind, fields, f"q{noted.pk}-note"))

    assert response.status_code == 400
    content = text_of(response.content.decode())
    assert "Nothing was saved" in content
    assert ("file" if kind == "file" else "not this page's form") in content


@pytest.mark.parametrize("kind", BODIES)
def test_a_start_body_that_is_not_a_form_changes_nothing(kind, client_for, questionnaire, command):
    client = client_for(command)
    count = Assessment.objects.count()

    fields = {"title": "From a script", "models": ["JEM"]}
    response = client.post(reverse("assessment_start"), **wrong_body(kind, fields, "title"))

    assert_not_a_server_error(response)
    assert response.status_code == 200
    assert Assessment.objects.count() == count


@pytest.mark.parametrize("kind", BODIES)
def test_a_start_body_that_is_not_a_form_is_refused_saying_why(
    kind, client_for, questionnaire, command
):
    client = client_for(command)

    fields = {"title": "From a script", "models": ["JEM"]}
    response = client.post(reverse("assessment_start"), **wrong_body(kind, fields, "title"))

    if kind == "file":
        assert field_errors(response, "title")
    else:
        assert any("not this page's form" in alert for alert in form_alerts(response))


# Pages reached with query parameters


@FEW
@given(value=st.one_of(nasty_text, st.sampled_from(["²", "١٢", "0" * 5000, "9" * 5000])))
def test_fuzzed_query_parameters_never_fail(value, client_for, answered_draft, preparer):
    client = client_for(preparer)
    pages = [
        (reverse("method"), "questionnaire"),
        (reverse("assessment", args=[answered_draft.pk]), "show"),
        (reverse("assessment_activity", args=[answered_draft.pk]), "page"),
    ]
    for url, name in pages:
        response = client.get(url, {name: value})
        assert_not_a_server_error(response)
        assert response.status_code in (200, 404)


@FEW
@example(code="CAP")  # a step of this assessment, the one code found
@example(code="cap")
@example(code=" CAP")
@example(code="")
@given(code=nasty_text)
def test_fuzzed_section_codes_are_not_found(code, client_for, answered_draft, preparer):
    client = client_for(preparer)
    url = reverse("assessment", args=[answered_draft.pk]) + "sections/"
    sent = code.replace("/", "")
    steps = set(answered_draft.questionnaire.sections.values_list("code", flat=True))

    response = client.get(url + quote(sent, safe="") + "/")

    assert_not_a_server_error(response)
    # Only a step of the assessment's own questionnaire, spelt exactly, is found.
    assert response.status_code == (200 if sent in steps else 404), (sent, response.status_code)
