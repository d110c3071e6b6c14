"""Questionnaire version 2: its new fields, the shipped content's corrections, and what
happens to version 1 and its assessments."""

from __future__ import annotations

import re
import tomllib

import pytest

from assessments import selectors, services
from questionnaires.loader import (
    QUESTIONNAIRE_V1,
    QUESTIONNAIRE_V2,
    QuestionnaireError,
    parse_questionnaire,
    questionnaire_load,
)
from questionnaires.models import Question
from tests.factories import AssessmentFactory, answer_questions, approve
from tests.questionnaire_files import questionnaire_toml

V2 = tomllib.loads(QUESTIONNAIRE_V2.read_text(encoding="utf-8"))
V2_QUESTIONS = {q["code"]: q for s in V2["sections"] for q in s["questions"]}
# What a primary source looks like: a statute, regulation, form, policy or directive by number,
# an MOA template clause, a GAO or OIG report, a court decision, or a named published standard.
PRIMARY = re.compile(
    r"U\.S\.C\.|C\.F\.R\.|Fed\. Reg\.|Form I-|ICE Policy \d|ICE Directive \d|MOA template|"
    r"GAO-\d|OIG-\d|F\. ?Supp|F\.\d?d|U\.S\. \d|Gov't Code|Gov\. Code|Stat\.|Code Ann\.|"
    r"Vienna Convention|U\.S\. Const|COPS|Task Force on 21st Century Policing|DHS Policy|"
    r"CALEA|ice\.gov"
)


def test_version_1_keeps_its_content_hash():
    """Databases loaded before version 2 existed must see version 1 as unchanged."""
    spec = parse_questionnaire(QUESTIONNAIRE_V1.read_text(encoding="utf-8"))

    assert spec.content_hash == "270a6e7c358731b38c93bbc374e60141a87b6286d36e7024b2da874b736e44e9"


def test_every_version_2_question_cites_a_primary_source():
    for code, question in V2_QUESTIONS.items():
        source = question["source"]
        assert PRIMARY.search(source), f"{code}: {source}"
        assert "Article" not in source, f"{code} rests on the source article"
        assert not re.search(r"ICE (287\(g\) )?(program )?guidance", source), code


def test_version_2_has_the_corrections_of_the_review():
    q = V2_QUESTIONS
    # Detainers since ICE Policy 10074.2: administrative warrants; designated officers act
    # under federal authority.
    assert "10074.2" in q["POL-01"]["source"] and "1357(g)" in q["POL-01"]["source"]
    assert "I-200" in q["POL-01"]["prompt"] + q["POL-01"]["guidance"]
    # T visas: a declaration on Form I-914 Supplement B; 1184(p) is the U visa's.
    assert "I-914" in q["POL-22"]["source"] and "declaration" in q["POL-22"]["prompt"].lower()
    assert "1184(p)" not in q["POL-22"]["source"] and "1184(p)" in q["POL-21"]["source"]
    # The bargaining-unit agreement before signing, critical.
    assert (
        q["CAP-06"]["critical"] and "two years" in q["CAP-06"]["prompt"] + q["CAP-06"]["guidance"]
    )
    # Custody transfer for JEM too, transport for WSO too; Task Force items of their own.
    assert {"JEM", "WSO"} <= set(q["POL-24"]["models"]) and q["POL-24"]["critical"]
    assert {"JEM", "WSO"} <= set(q["ICE-09"]["models"])
    assert [c for c, x in q.items() if x["models"] == ["TFM"]] == [
        "ICE-15", "ICE-16", "ICE-17", "POL-05", "POL-06", "POL-07",
    ]  # fmt: skip
    # Additions: jail beds and who pays, a claim of citizenship, outcome measures, security
    # training for ICE system users.
    assert "who pays" in q["CAP-14"]["prompt"] and set(q["CAP-14"]["models"]) == {"JEM", "WSO"}
    assert "jail beds" in q["CAP-08"]["guidance"]
    assert "citizen" in q["POL-23"]["prompt"] and q["POL-23"]["critical"]
    assert "goal" in q["POL-14"]["prompt"]
    assert "security" in q["TRN-11"]["prompt"]
    # A threshold for "a significant share" of residents.
    assert re.search(r"\d", q["COM-03"]["prompt"])


def test_every_state_duty_has_exactly_one_question():
    duties = [q["state_duty"] for q in V2_QUESTIONS.values() if "state_duty" in q]

    assert sorted(duties) == sorted(
        [
            "request_agreement", "maintain_agreement", "report_to_state", "state_approval_to_end",
            "governing_body_approval", "public_forum", "notify_state",
        ]
    )  # fmt: skip


def test_the_carry_over_table_maps_version_1_codes_that_exist():
    v1 = tomllib.loads(QUESTIONNAIRE_V1.read_text(encoding="utf-8"))
    v1_codes = {q["code"] for s in v1["sections"] for q in s["questions"]}
    table = V2["carry_over"]

    assert table["from_version"] == 1
    assert set(table["codes"]) <= v1_codes
    assert set(table["codes"].values()) <= set(V2_QUESTIONS)


# Validation of the new fields


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"phases": ["applying"]}, "unknown phase(s) ['applying']"),
        ({"phases": []}, "'phases' must list at least one of preparing, signed, operating."),
        (
            {"phases": ["operating"], "applicant_prompt": "Is a plan approved?"},
            "'applicant_prompt' and 'applicant_guidance' need 'preparing' in 'phases'.",
        ),
        ({"state_duty": "salute_the_flag"}, "unknown state duty 'salute_the_flag'"),
        ({"recommended_practice": "yes"}, "'recommended_practice' must be true or false."),
    ],
)
def test_new_fields_are_validated(overrides, problem):
    text = questionnaire_toml(question_overrides={"CAP-01": overrides})

    with pytest.raises(QuestionnaireError) as caught:
        parse_questionnaire(text)

    assert any(problem in message for message in caught.value.problems), caught.value.problems


def test_a_state_duty_is_asked_once_and_carry_over_targets_must_exist():
    duty = {"state_duty": "public_forum"}
    text = questionnaire_toml(version=2, question_overrides={"CAP-01": duty, "COM-01": duty})
    text += '\n[carry_over]\nfrom_version = 2\n[carry_over.codes]\n"CAP-01" = "CAP-99"\n'

    with pytest.raises(QuestionnaireError) as caught:
        parse_questionnaire(text)

    assert caught.value.problems == [
        "question COM-01: state duty 'public_forum' is already asked by CAP-01; "
        "ask each duty once.",
        "carry_over: 'from_version' (2) must be below 'version' (2).",
        "carry_over: CAP-01 maps to 'CAP-99', which is not a question in this file.",
    ]


# Version 1 and its assessments


@pytest.fixture
def v2(questionnaire):
    """Version 2 loaded beside version 1 (the `questionnaire` fixture)."""
    return questionnaire_load(path=QUESTIONNAIRE_V2).questionnaire


def test_version_1_assessments_are_unchanged_when_version_2_loads(
    questionnaire, agency, preparer, command
):
    approved = AssessmentFactory(agency=agency, created_by=command, phase="operating")
    answer_questions(approved, preparer, overrides={"CAP-04": "partial", "POL-05": "no"})
    approve(approved, preparer=preparer, command=command)
    draft = AssessmentFactory(agency=agency, created_by=command)
    answer_questions(draft, preparer, limit=20)
    before = (
        selectors.assessment_result(approved),
        selectors.assessment_live_result(draft),
        list(draft.answers.values_list("question__code", "value")),
    )

    questionnaire_load(path=QUESTIONNAIRE_V2)

    approved.refresh_from_db()
    draft.refresh_from_db()
    after = (
        selectors.assessment_result(approved),
        selectors.assessment_live_result(draft),
        list(draft.answers.values_list("question__code", "value")),
    )
    assert after == before
    assert draft.questionnaire == questionnaire


def test_new_assessments_use_version_2(v2, agency, command):
    assert AssessmentFactory(agency=agency, created_by=command).questionnaire == v2


def test_a_wso_only_applicant_is_not_asked_about_stops_or_a_running_program(v2, agency, command):
    applicant = AssessmentFactory(
        agency=agency, created_by=command, models=["WSO"], phase="preparing"
    )

    asked = set(applicant.applicable_questions().values_list("code", flat=True))

    stops_and_field = {
        "POL-04",
        "POL-05",
        "POL-06",
        "POL-07",
        "TRN-06",
        "ICE-15",
        "ICE-16",
        "ICE-17",
    }
    running_program = {
        "POL-10",
        "POL-13",
        "POL-14",
        "POL-16",
        "TRN-09",
        "TRN-10",
        "COM-02",
        "COM-15",
    }
    assert not asked & stops_and_field
    assert not asked & running_program
    assert {"POL-24", "ICE-09", "CAP-14"} <= asked  # custody transfer, transport, jail beds
    # Every question left out is out by the model or the phase rule, none by accident.
    for question in Question.objects.filter(questionnaire=v2).exclude(code__in=asked):
        assert not question.applies_wso or not question.applies_preparing or question.state_duty, (
            question.code
        )


def test_starting_from_a_version_1_assessment_carries_over_the_mapped_answers(
    v2, questionnaire, agency, preparer, command
):
    # An approved 2026 assessment on version 1 (started before version 2 was published).
    v2.published = False
    v2.save()
    earlier = AssessmentFactory(agency=agency, created_by=command, models=["JEM", "TFM", "WSO"])
    answer_questions(earlier, preparer, note=lambda code: f"Evidence for {code}.")
    approve(earlier, preparer=preparer, command=command)
    v2.published = True
    v2.save()

    draft = services.assessment_start(
        agency=agency,
        user=command,
        membership=command.membership,
        title="2027 readiness review",
        models=["JEM", "TFM", "WSO"],
        phase="operating",
        carry_from=earlier,
    )

    assert draft.questionnaire == v2
    copied = dict(draft.answers.values_list("question__code", "note"))
    asked = set(draft.applicable_questions().values_list("code", flat=True))
    # Mapped codes carry over where the new question is asked; ICE-04 (the letter of request)
    # and COM-05 are asked only before operating.
    mapping = {old: new for old, new in v2.carry_over["codes"].items() if new in asked}
    assert {"ICE-04", "COM-05"} == set(v2.carry_over["codes"].values()) - set(mapping.values())
    assert copied == {new: f"Evidence for {old}." for old, new in mapping.items()}
    changes = selectors.carry_over_changes(draft)
    assert len(changes.carried) == len(mapping) == 15
    assert {"CAP-01", "ICE-02", "COM-04"} <= set(changes.dropped)  # split; not asked now
    assert {q.code for q in changes.new_questions} == asked - set(mapping.values())
