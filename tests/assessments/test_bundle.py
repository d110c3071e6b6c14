"""The ZIP export moves an assessment whole (answers, scores, evidence files); a crafted ZIP is
refused before anything is imported."""

from __future__ import annotations

import datetime
import hashlib
import io
import struct
import warnings
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from assessments import selectors
from assessments import services as assessment_services
from assessments.bundle import export_bundle, read_bundle
from assessments.models import Assessment
from assessments.transfer import TransferError, export_assessment_data, import_assessment_data
from evidence import services as evidence_services
from evidence.models import Evidence
from plans import services as plan_services
from tests.assessments.test_transfer import answers_of, fill, scores_of
from tests.factories import approve
from tests.pages import question

PDF = b"%PDF-1.4\n% General Order 114\n%%EOF\n"


def attach(assessment, user, code, title, content=None, reference=""):
    return evidence_services.evidence_attach(
        assessment=assessment, question=question(assessment, code), user=user,
        membership=user.membership, title=title, reference=reference,
        upload=SimpleUploadedFile(f"{title}.pdf", content) if content else None,
    )  # fmt: skip


@pytest.fixture
def approved_with_evidence(draft, preparer, command):
    first = attach(draft, preparer, "CAP-04", "Staffing plan", PDF)
    attach(draft, preparer, "CAP-05", "Roster", reference="PowerDMS: Roster/2027")
    old = attach(draft, preparer, "POL-01", "Detainer policy", b"%PDF-1.4 rev 1")
    evidence_services.evidence_attach(
        assessment=draft, question=question(draft, "POL-01"), user=preparer,
        membership=preparer.membership, title="Detainer policy", replaces=old,
        upload=SimpleUploadedFile("go114-rev2.pdf", b"%PDF-1.4 rev 2"),
    )  # fmt: skip
    gone = attach(draft, preparer, "CAP-06", "Draft budget", b"%PDF-1.4 draft budget")
    evidence_services.evidence_remove(item=gone, user=preparer, membership=preparer.membership)
    fill(draft, preparer)
    assert first
    approved = approve(draft, preparer=preparer, command=command)
    codes = [a.code for a in selectors.assessment_result(approved).actions][:3]
    assessment_services.plan_from_actions(
        assessment=approved, user=command, membership=command.membership, codes=codes
    )
    first_item, second_item, third_item = approved.plan_items.order_by("priority")
    plan_services.item_update(
        item=first_item, user=command, membership=command.membership, note="Under way.",
        changes={"status": "in_progress", "target_date": datetime.date(2027, 3, 31)},
    )  # fmt: skip
    plan_services.item_update(
        item=second_item, user=command, membership=command.membership,
        changes={"status": "wont_do", "wont_do_reason": "Not sought any more."},
    )  # fmt: skip
    return approved


def plan_of(assessment) -> list[tuple]:
    return [
        (i.question_code, i.title, i.status, i.wont_do_reason, i.target_date, i.priority,
         [(p.note, p.status_from, p.status_to) for p in i.progress.order_by("created_at", "pk")])
        for i in assessment.plan_items.order_by("priority", "pk")
    ]  # fmt: skip


def evidence_of(assessment) -> list[tuple]:
    rows = []
    for item in Evidence.objects.filter(assessment=assessment).order_by("uploaded_at", "pk"):
        content = item.file.open("rb").read() if item.kind == "file" else b""
        rows.append(
            (item.question.code, item.kind, item.title, item.version, item.reference,
             item.sha256, content, item.is_current)
        )  # fmt: skip
    return rows


def test_a_zip_round_trip_into_another_agency_is_identical(
    approved_with_evidence, other_agency, outsider, client_for
):
    raw = export_bundle(assessment=approved_with_evidence)
    data, files = read_bundle(raw)

    copy_ = import_assessment_data(
        data=data, agency=other_agency, user=outsider, files=files
    ).assessment

    assert copy_.agency == other_agency and copy_.status == "approved"
    strip = lambda answers: {k: v[:5] for k, v in answers.items()}  # noqa: E731 (values, not who)
    assert strip(answers_of(copy_)) == strip(answers_of(approved_with_evidence))
    assert scores_of(copy_) == scores_of(approved_with_evidence)
    assert evidence_of(copy_) == evidence_of(approved_with_evidence)
    assert plan_of(copy_) == plan_of(approved_with_evidence) and len(plan_of(copy_)) == 3
    client = client_for(outsider)
    assert client.get(reverse("assessment_activity", args=[copy_.pk])).status_code == 200
    item = copy_.evidence.get(title="Staffing plan")
    download = client.get(reverse("evidence_download", args=[item.pk]))
    assert b"".join(download.streaming_content) == PDF


def test_the_commands_move_a_zip(approved_with_evidence, other_agency, outsider, tmp_path, capsys):
    path = tmp_path / "export.zip"
    call_command(
        "export_assessment", str(approved_with_evidence.pk), "--zip", "--output", str(path)
    )

    call_command(
        "import_assessment", str(path), "--agency", other_agency.slug, "--user", outsider.username
    )

    copy_ = Assessment.objects.get(agency=other_agency)
    assert evidence_of(copy_) == evidence_of(approved_with_evidence)
    assert "5 evidence item(s)" in capsys.readouterr().out


def test_a_json_only_import_leaves_the_files_out_and_says_so(approved_with_evidence, agency):
    data = export_assessment_data(assessment=approved_with_evidence)

    outcome = import_assessment_data(data=data, agency=agency)

    assert [e.kind for e in outcome.assessment.evidence.all()] == ["reference"]
    assert "4 evidence file(s) left out" in outcome.message


def test_the_download_is_a_zip_for_command_staff(
    approved_with_evidence, command, preparer, client_for
):
    url = reverse("assessment_export_zip", args=[approved_with_evidence.pk])

    response = client_for(command).get(url)

    assert response["Content-Type"] == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(response.content)).namelist()[0] == "assessment.json"
    assert client_for(preparer).get(url).status_code == 403


# Crafted ZIPs


def zip_of(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, content in members:
                archive.writestr(name, content)
    return buffer.getvalue()


def refused(raw: bytes) -> list[str]:
    with pytest.raises(TransferError) as error:
        read_bundle(raw)
    return error.value.problems


def name_of(content: bytes) -> str:
    return f"evidence/{hashlib.sha256(content).hexdigest()}"


def test_names_that_could_escape_are_refused():
    problems = refused(zip_of([("assessment.json", b"{}"), ("../../etc/cron.d/x", b"x")]))
    assert problems == [
        "ZIP member '../../etc/cron.d/x': not a name an export writes "
        "(assessment.json, evidence/…)."
    ]
    assert refused(zip_of([("assessment.json", b"{}"), ("/evidence/abc", b"x")]))


def test_duplicate_names_are_refused():
    problems = refused(zip_of([("assessment.json", b"{}"), ("assessment.json", b"{}")]))
    assert "ZIP member 'assessment.json': appears twice." in problems


def test_a_zip_bomb_is_refused_before_it_is_read():
    zeros = b"\0" * (30 * 1024 * 1024)
    problems = refused(zip_of([("assessment.json", b"{}"), (name_of(zeros), zeros)]))
    assert any("compressed" in problem and "as no document is" in problem for problem in problems)


def test_a_file_that_does_not_match_its_hash_is_refused():
    problems = refused(zip_of([("assessment.json", b"{}"), (name_of(b"one"), b"another")]))
    assert problems == [f"ZIP member '{name_of(b'one')}': its content does not match its SHA-256."]


def test_a_member_larger_than_it_declares_is_refused():
    content = PDF * 50
    raw = bytearray(zip_of([("assessment.json", b"{}"), (name_of(content), content)]))
    # Declare fewer bytes than the member holds, in its local header and the central directory.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = raw.find(signature, raw.find(name_of(content).encode()) - 80)
        start = raw.rfind(signature, 0, raw.find(name_of(content).encode(), start) + 1)
        raw[start + offset : start + offset + 4] = struct.pack("<I", 10)

    problems = refused(bytes(raw))

    assert any(
        "damaged or larger than declared" in p or "larger than it declares" in p for p in problems
    ), problems


def test_not_a_zip_or_no_manifest_is_refused():
    assert refused(b"PK\x03\x04 not really")[0].startswith("file: not a readable ZIP export")
    assert refused(zip_of([(name_of(PDF), PDF)])) == ["file: the ZIP has no assessment.json."]


def test_crafted_plan_items_are_refused_with_their_place(approved_with_evidence, agency):
    data = export_assessment_data(assessment=approved_with_evidence)
    data["plan_items"][0]["status"] = "finished"
    data["plan_items"][1]["wont_do_reason"] = ""
    data["plan_items"][2]["target_date"] = "someday"

    with pytest.raises(TransferError) as error:
        import_assessment_data(data=data, agency=agency)

    problems = error.value.problems
    assert any(p.startswith("plan_items[0]: 'status' must be one of") for p in problems)
    assert "plan_items[1]: a won't-do item needs its reason." in problems
    assert "plan_items[2]: 'target_date' must be a date like 2027-03-31." in problems
