"""Loading questionnaire files: the shipped file, bad files and their messages, versioning."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from assessments import services
from questionnaires.loader import QuestionnaireError, questionnaire_load
from questionnaires.models import Question, QuestionnaireVersion, Section
from tests.questionnaire_files import questionnaire_toml

pytestmark = pytest.mark.django_db

SHIPPED_SECTIONS = ["CAP", "ICE", "TRN", "POL", "COM"]


def write(tmp_path: Path, text: str, name: str = "questionnaire.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_for(tmp_path: Path, text: str) -> list[str]:
    """The problems the loader reports for `text`; fails the test if the file loads."""
    with pytest.raises(QuestionnaireError) as caught:
        questionnaire_load(path=write(tmp_path, text))
    assert QuestionnaireVersion.objects.count() == 0
    return caught.value.problems


def without_field(text: str, question_code: str, key: str) -> str:
    """`text` with the line `key = ...` removed from the question `question_code`."""
    lines, current = [], None
    for line in text.splitlines():
        if line.startswith("[[sections]]"):
            current = None
        elif line.startswith("[[sections.questions]]"):
            current = ""
        elif current == "" and line.startswith("code = "):
            current = line.split('"')[1]
        if current == question_code and line.startswith(f"{key} = "):
            continue
        lines.append(line)
    assert len(lines) == len(text.splitlines()) - 1, f"{question_code} has no field {key}"
    return "\n".join(lines) + "\n"


def table_counts() -> tuple[int, int, int]:
    return (
        QuestionnaireVersion.objects.count(),
        Section.objects.count(),
        Question.objects.count(),
    )


# The shipped file


def test_the_shipped_file_has_five_steps_in_order(questionnaire):
    codes = list(questionnaire.sections.order_by("position").values_list("code", flat=True))

    assert codes == SHIPPED_SECTIONS
    assert questionnaire.published


def test_the_shipped_file_has_enough_questions_in_every_step(questionnaire):
    counts = {section.code: section.questions.count() for section in questionnaire.sections.all()}

    assert all(count >= 8 for count in counts.values()), counts
    assert questionnaire.questions.count() >= 45


def test_every_shipped_question_has_a_source_and_guidance(questionnaire):
    questions = list(questionnaire.questions.all())

    assert [q.code for q in questions if not q.source.strip()] == []
    assert [q.code for q in questions if not q.guidance.strip()] == []


def test_every_scored_shipped_question_has_a_recommendation(questionnaire):
    scored = [q for q in questionnaire.questions.all() if not q.is_informational]

    assert scored
    assert [q.code for q in scored if not q.recommendation.strip()] == []


def test_the_shipped_file_marks_6_to_12_questions_critical(questionnaire):
    critical = questionnaire.questions.filter(critical=True)

    assert 6 <= critical.count() <= 12
    assert all(q.weight_total > 0 for q in critical)


def test_the_shipped_questions_keep_the_order_of_their_steps(questionnaire):
    questions = list(questionnaire.questions.select_related("section").order_by("position"))
    section_positions = [q.section.position for q in questions]

    assert section_positions == sorted(section_positions)
    assert [q.position for q in questions] == list(range(1, len(questions) + 1))


# Bad files: every problem says where it is


def test_it_names_an_unknown_answer_type(tmp_path):
    text = questionnaire_toml(question_overrides={"ICE-02": {"answer_type": "yesno"}})

    assert problems_for(tmp_path, text) == [
        "question ICE-02: unknown answer type 'yesno'; use one of choice, number, scale, text."
    ]


def test_it_names_a_duplicate_question_code(tmp_path):
    text = questionnaire_toml().replace('code = "TRN-01"', 'code = "CAP-01"')

    assert problems_for(tmp_path, text) == [
        "question CAP-01: duplicate code (also in section CAP)."
    ]


@pytest.mark.parametrize("weight", [4, -1])
def test_it_names_a_weight_out_of_range(tmp_path, weight):
    weights = {"capacity": 1, "policy": weight, "community": 1}
    text = questionnaire_toml(question_overrides={"POL-01": {"weights": weights}})

    assert problems_for(tmp_path, text) == [
        f"question POL-01: weight 'policy' is {weight}; weights are whole numbers 0-3."
    ]


def test_it_names_a_scored_question_without_a_weight(tmp_path):
    weights = {"capacity": 0, "policy": 0, "community": 0}
    text = questionnaire_toml(
        question_overrides={"COM-02": {"answer_type": "scale", "weights": weights}}
    )

    assert problems_for(tmp_path, text) == [
        "question COM-02: a scored question needs at least one weight above 0."
    ]


def test_it_names_a_scored_question_without_a_recommendation(tmp_path):
    text = without_field(questionnaire_toml(), "CAP-02", "recommendation")

    assert problems_for(tmp_path, text) == [
        "question CAP-02: 'recommendation' is missing or empty."
    ]


def test_an_informational_question_needs_no_recommendation(tmp_path):
    informational = {"answer_type": "text", "weights": {"capacity": 0, "policy": 0, "community": 0}}
    text = without_field(
        questionnaire_toml(question_overrides={"CAP-02": informational}), "CAP-02", "recommendation"
    )

    outcome = questionnaire_load(path=write(tmp_path, text))

    question = outcome.questionnaire.questions.get(code="CAP-02")
    assert question.recommendation == ""
    assert question.is_informational


@pytest.mark.parametrize("key", ["prompt", "guidance", "source"])
def test_it_names_a_missing_question_field(tmp_path, key):
    text = without_field(questionnaire_toml(), "TRN-02", key)

    assert problems_for(tmp_path, text) == [f"question TRN-02: '{key}' is missing or empty."]


def test_it_names_missing_weights(tmp_path):
    text = without_field(questionnaire_toml(), "ICE-01", "weights")

    problems = problems_for(tmp_path, text)

    assert "question ICE-01: 'weights' is missing; give capacity, policy and community (0-3)." in (
        problems
    )


def test_it_names_a_section_without_a_title(tmp_path):
    text = questionnaire_toml().replace(
        'code = "POL"\ntitle = "Develop policies"', 'code = "POL"\ntitle = ""'
    )

    assert problems_for(tmp_path, text) == ["section POL: 'title' is missing or empty."]


def test_it_names_a_section_without_questions(tmp_path):
    text = questionnaire_toml(sections={"CAP": 2, "ICE": 0, "TRN": 1})

    assert problems_for(tmp_path, text) == ["section ICE: has no questions."]


def test_it_gives_the_line_of_invalid_toml(tmp_path):
    text = questionnaire_toml()
    broken_line = len(text.splitlines()) + 1
    text += "this line is not toml\n"

    problems = problems_for(tmp_path, text)

    assert len(problems) == 1
    assert problems[0].startswith("not valid TOML: ")
    assert f"line {broken_line}" in problems[0]


def test_it_names_an_unknown_model(tmp_path):
    text = questionnaire_toml(question_overrides={"COM-01": {"models": ["JEM", "ABC"]}})

    assert problems_for(tmp_path, text) == [
        "question COM-01: unknown model(s) ['ABC']; use JEM, TFM or WSO."
    ]


def test_it_lists_every_problem_at_once(tmp_path):
    text = questionnaire_toml(
        question_overrides={
            "CAP-01": {"source": ""},
            "COM-02": {"models": ["XYZ"]},
        }
    )

    problems = problems_for(tmp_path, text)

    assert problems == [
        "question CAP-01: 'source' is missing or empty.",
        "question COM-02: unknown model(s) ['XYZ']; use JEM, TFM or WSO.",
    ]


# The management command


def test_the_command_loads_every_shipped_version_by_default(db):
    out = StringIO()

    call_command("load_questionnaire", stdout=out)

    v1, v2 = QuestionnaireVersion.objects.order_by("version")
    assert out.getvalue().splitlines() == [
        f"287g-readiness v1 created: 5 sections, {v1.questions.count()} questions.",
        f"287g-readiness v2 created: 5 sections, {v2.questions.count()} questions.",
    ]
    assert v2.carry_over["from_version"] == 1


def test_the_command_checks_a_file_without_loading_it(db, tmp_path):
    path = write(tmp_path, questionnaire_toml())
    out = StringIO()

    call_command("load_questionnaire", "--check", str(path), stdout=out)

    assert out.getvalue().strip() == f"{path}: valid (test-questionnaire v1, 10 questions)."
    assert not QuestionnaireVersion.objects.exists()


def test_the_command_prints_every_problem_and_loads_nothing(db, tmp_path):
    path = write(
        tmp_path,
        questionnaire_toml(
            question_overrides={
                "CAP-01": {"models": ["XYZ"]},
                "POL-02": {"weights": {"capacity": 5, "policy": 1, "community": 1}},
            }
        ),
    )

    with pytest.raises(CommandError) as caught:
        call_command("load_questionnaire", str(path), stdout=StringIO())

    message = str(caught.value)
    assert f"{path}: 2 problem(s), nothing was loaded:" in message
    assert "  - question CAP-01: unknown model(s) ['XYZ']; use JEM, TFM or WSO." in message
    assert "  - question POL-02: weight 'capacity' is 5; weights are whole numbers 0-3." in message
    assert table_counts() == (0, 0, 0)


def test_the_command_reports_a_file_it_cannot_read(db, tmp_path):
    path = tmp_path / "missing.toml"

    with pytest.raises(CommandError, match="missing.toml: cannot be read"):
        call_command("load_questionnaire", str(path), stdout=StringIO())

    assert table_counts() == (0, 0, 0)


# Versions


def test_loading_the_same_file_twice_changes_nothing(db, tmp_path):
    path = write(tmp_path, questionnaire_toml())
    first = questionnaire_load(path=path)
    question_ids = list(Question.objects.order_by("pk").values_list("pk", flat=True))
    counts = table_counts()

    second = questionnaire_load(path=path)

    assert first.action == "created"
    assert second.action == "unchanged"
    assert second.questionnaire.pk == first.questionnaire.pk
    assert table_counts() == counts == (1, 5, 10)
    assert list(Question.objects.order_by("pk").values_list("pk", flat=True)) == question_ids


def test_the_command_says_when_a_file_is_unchanged(db, tmp_path):
    path = write(tmp_path, questionnaire_toml())
    call_command("load_questionnaire", str(path), stdout=StringIO())
    out = StringIO()

    call_command("load_questionnaire", str(path), stdout=out)

    assert out.getvalue().strip() == "test-questionnaire v1 unchanged: 5 sections, 10 questions."


def test_it_refuses_to_change_a_version_an_assessment_uses(tmp_path, agency, command):
    original = questionnaire_load(path=write(tmp_path, questionnaire_toml())).questionnaire
    assessment = services.assessment_start(
        agency=agency, user=command, membership=command.membership, title="Review", models=["JEM"]
    )
    snapshot = list(Question.objects.order_by("pk").values_list("pk", "code", "prompt"))
    changed = questionnaire_toml(question_overrides={"CAP-01": {"prompt": "A reworded prompt?"}})

    with pytest.raises(QuestionnaireError) as caught:
        questionnaire_load(path=write(tmp_path, changed, "changed.toml"))

    assert caught.value.problems == [
        "test-questionnaire v1 is used by 1 assessment(s) and cannot be changed. Give the "
        "changed file a new version number (version = 2) to load it beside the current one."
    ]
    original_after = QuestionnaireVersion.objects.get()
    assert original_after.content_hash == original.content_hash
    assert list(Question.objects.order_by("pk").values_list("pk", "code", "prompt")) == snapshot
    assessment.refresh_from_db()
    assert assessment.questionnaire_id == original.pk


def test_the_command_refuses_to_change_a_used_version(tmp_path, agency, command):
    questionnaire_load(path=write(tmp_path, questionnaire_toml()))
    services.assessment_start(
        agency=agency, user=command, membership=command.membership, title="Review", models=["TFM"]
    )
    counts = table_counts()
    changed = write(tmp_path, questionnaire_toml(sections={"CAP": 3}), "changed.toml")

    with pytest.raises(CommandError, match=r"is used by 1 assessment\(s\) and cannot be changed"):
        call_command("load_questionnaire", str(changed), stdout=StringIO())

    assert table_counts() == counts
    assert not Question.objects.filter(code="CAP-03").exists()


def test_a_changed_file_with_a_new_version_loads_beside_the_old_one(tmp_path, agency, command):
    first = questionnaire_load(path=write(tmp_path, questionnaire_toml())).questionnaire
    assessment = services.assessment_start(
        agency=agency, user=command, membership=command.membership, title="Review", models=["WSO"]
    )
    changed = questionnaire_toml(
        version=2, question_overrides={"CAP-01": {"prompt": "A reworded prompt?"}}
    )

    outcome = questionnaire_load(path=write(tmp_path, changed, "v2.toml"))

    assert outcome.action == "created"
    assert outcome.questionnaire.pk != first.pk
    assert sorted(QuestionnaireVersion.objects.values_list("version", flat=True)) == [1, 2]
    assert first.questions.get(code="CAP-01").prompt == "Is requirement CAP-01 met?"
    assert outcome.questionnaire.questions.get(code="CAP-01").prompt == "A reworded prompt?"
    assessment.refresh_from_db()
    assert assessment.questionnaire_id == first.pk


def test_an_unused_version_is_updated_in_place(db, tmp_path):
    first = questionnaire_load(path=write(tmp_path, questionnaire_toml())).questionnaire
    changed = questionnaire_toml(
        sections={"CAP": 3, "ICE": 2, "TRN": 2, "POL": 2, "COM": 2},
        question_overrides={"CAP-01": {"prompt": "A reworded prompt?"}},
    )

    outcome = questionnaire_load(path=write(tmp_path, changed, "changed.toml"))

    assert outcome.action == "updated"
    assert outcome.questionnaire.pk == first.pk
    assert outcome.questionnaire.content_hash != first.content_hash
    assert table_counts() == (1, 5, 11)
    assert outcome.questionnaire.questions.get(code="CAP-01").prompt == "A reworded prompt?"
    assert outcome.message == "test-questionnaire v1 updated: 5 sections, 11 questions."
