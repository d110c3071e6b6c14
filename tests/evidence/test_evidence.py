"""Evidence through the pages: each allowed type, each refusal with its message, downloads and
their headers, versions, removal and its audit, frozen evidence, and agency isolation."""

from __future__ import annotations

import datetime
import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments import services as assessment_services
from audit.models import Event
from evidence import services
from evidence.models import Evidence
from tests.factories import answer_questions
from tests.pages import question, section_url, text_of


def zipped(entries: dict[str, str], stored_first: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if stored_first:
            archive.writestr(zipfile.ZipInfo(stored_first), entries.pop(stored_first))
        for name, text in entries.items():
            archive.writestr(name, text)
    return buffer.getvalue()


SAMPLES = {
    "policy.pdf": (b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n", "application/pdf"),
    "policy.docx": (
        zipped({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"}),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "policy.odt": (
        zipped(
            {"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"},
            stored_first="mimetype",
        ),
        "application/vnd.oasis.opendocument.text",
    ),
    "memo.txt": ("General Order 114 — détainers, rev. 3\n".encode(), "text/plain"),
    "scan.png": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "image/png"),
    "scan.jpg": (b"\xff\xd8\xff\xe0" + b"\x00" * 32, "image/jpeg"),
}


def evidence_url(assessment, code: str) -> str:
    return reverse("answer_evidence", args=[assessment.pk, question(assessment, code).pk])


def post_file(client, assessment, code, name, content, **fields):
    return client.post(
        evidence_url(assessment, code),
        {
            "title": fields.pop("title", "General Order 114"),
            "file": SimpleUploadedFile(name, content),
            **fields,
        },
    )


def attach(assessment, user, code="CAP-04", name="policy.pdf", content=None, **fields):
    return services.evidence_attach(
        assessment=assessment, question=question(assessment, code), user=user,
        membership=user.membership, title=fields.pop("title", "General Order 114"),
        upload=SimpleUploadedFile(name, content or SAMPLES["policy.pdf"][0]), **fields,
    )  # fmt: skip


@pytest.mark.parametrize("name", list(SAMPLES))
def test_each_allowed_type_is_attached_and_kept_privately(draft, preparer, client_for, name):
    content, mime = SAMPLES[name]

    response = post_file(
        client_for(preparer), draft, "CAP-04", name, content, document_number="GO-114"
    )

    assert response.status_code == 302
    item = Evidence.objects.get()
    assert (item.kind, item.content_type, item.original_name, item.size) == (
        "file",
        mime,
        name,
        len(content),
    )
    assert item.sha256 == hashlib.sha256(content).hexdigest()
    stored = Path(item.file.path)
    assert stored.read_bytes() == content
    assert Path(settings.READINESS_EVIDENCE_DIR) in stored.parents
    assert name not in stored.name  # the stored name says nothing of the upload
    assert Event.objects.get(kind=Event.Kind.EVIDENCE_ATTACHED).new["sha256"] == item.sha256


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "policy.pdf",
            b"MZ\x90\x00" + b"\x00" * 64,
            "“policy.pdf” is a program, whatever its name says.",
        ),
        (
            "policy.pdf",
            b"\x7fELF" + b"\x00" * 64,
            "“policy.pdf” is a program, whatever its name says.",
        ),
        ("notes.docx", b"\x00\x01\x02\x03binary", "a file of a kind Readiness does not recognise"),
        ("archive.pdf", zipped({"a.txt": "x"}), "is a application/zip file"),
        ("empty.pdf", b"", "The submitted file is empty."),
    ],
)
def test_bad_files_are_refused_with_a_message_and_nothing_typed_is_lost(
    draft, preparer, client_for, name, content, message
):
    response = post_file(
        client_for(preparer), draft, "CAP-04", name, content, title="Detainer policy"
    )

    assert response.status_code == 400
    text = text_of(response.content.decode())
    assert message in text
    assert 'value="Detainer policy"' in response.content.decode()
    assert not Evidence.objects.exists()


def test_oversize_files_and_the_agency_quota_are_refused(draft, preparer, settings):
    settings.READINESS_EVIDENCE_MAX_BYTES = 1024 * 1024
    with pytest.raises(ValidationError, match="files may be up to 1 MB"):
        attach(draft, preparer, content=b"%PDF-1.7\n" + b"0" * (1024 * 1024))
    settings.READINESS_EVIDENCE_MAX_BYTES = 20 * 1024 * 1024
    settings.READINESS_EVIDENCE_AGENCY_QUOTA_BYTES = 2 * 1024 * 1024
    attach(draft, preparer, content=b"%PDF-1.7\n" + b"0" * (1536 * 1024))
    with pytest.raises(ValidationError, match="would exceed its 2 MB limit"):
        attach(draft, preparer, content=b"%PDF-1.7\n" + b"0" * (1024 * 1024))


def test_a_name_with_folders_is_refused(draft, preparer):
    """Django strips folders from a browser's upload; a file handed over otherwise (an import)
    is refused."""
    for name in ("../../etc/policy.pdf", "C:\\Policies\\GO-114.pdf"):
        with pytest.raises(ValidationError, match="must not contain folders"):
            services.evidence_attach(
                assessment=draft, question=question(draft, "CAP-04"), user=preparer,
                membership=preparer.membership, title="GO-114",
                upload=ContentFile(SAMPLES["policy.pdf"][0], name=name),
            )  # fmt: skip
    assert not Evidence.objects.exists()


def test_a_reference_instead_of_a_file(draft, preparer, client_for):
    response = client_for(preparer).post(
        evidence_url(draft, "CAP-04"),
        {"title": "Staffing plan", "reference": "PowerDMS: Staffing/2027 plan, rev. 2"},
    )

    assert response.status_code == 302
    item = Evidence.objects.get()
    assert (item.kind, item.reference, item.sha256) == (
        "reference",
        "PowerDMS: Staffing/2027 plan, rev. 2",
        "",
    )
    both = client_for(preparer).post(
        evidence_url(draft, "CAP-04"),
        {
            "title": "X",
            "reference": "S:\\GO-114",
            "file": SimpleUploadedFile("a.pdf", SAMPLES["policy.pdf"][0]),
        },
    )
    assert "Give a file or a reference, not both." in text_of(both.content.decode())
    neither = client_for(preparer).post(evidence_url(draft, "CAP-04"), {"title": "X"})
    assert "Choose a file, or give a reference instead." in text_of(neither.content.decode())


def test_a_download_is_an_attachment_of_the_stored_type(draft, preparer, command, client_for):
    content, mime = SAMPLES["policy.docx"]
    item = attach(draft, preparer, name="GO 114 (final).docx", content=content)

    response = client_for(command).get(reverse("evidence_download", args=[item.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == mime
    assert response["Content-Disposition"].startswith("attachment;")
    assert "GO 114 (final).docx" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == content
    assert Event.objects.filter(kind=Event.Kind.EVIDENCE_DOWNLOADED, actor=command).count() == 1


def test_the_section_page_lists_evidence_beside_its_question(draft, preparer, client_for):
    attach(draft, preparer, title="General Order 114", document_number="GO-114")

    page = text_of(client_for(preparer).get(section_url(draft, "CAP")).content.decode())

    assert "Evidence: General Order 114 , No. GO-114 · Attach or manage evidence" in page


def test_a_new_version_keeps_the_old_one(draft, preparer, client_for):
    first = attach(draft, preparer)
    client = client_for(preparer)

    page = client.get(evidence_url(draft, "CAP-04"), {"replaces": first.pk})
    assert 'value="General Order 114"' in page.content.decode()
    response = client.post(
        evidence_url(draft, "CAP-04"),
        {"title": "General Order 114", "replaces": first.pk,
         "file": SimpleUploadedFile("go114-rev4.pdf", b"%PDF-1.7 revision 4")},
    )  # fmt: skip

    assert response.status_code == 302
    first.refresh_from_db()
    second = Evidence.objects.get(replaces=first)
    assert (first.is_current, second.is_current, second.version) == (False, True, 2)
    assert Path(first.file.path).exists()
    with pytest.raises(ValidationError, match="Only the current version can be replaced"):
        attach(draft, preparer, replaces=first)


def test_removal_is_audited_and_the_file_kept(draft, preparer, command, client_for):
    item = attach(draft, preparer)

    response = client_for(preparer).post(reverse("evidence_remove", args=[item.pk]))

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.removed_by == preparer and not item.is_current
    event = Event.objects.get(kind=Event.Kind.EVIDENCE_REMOVED)
    assert event.old == {
        "evidence": item.pk, "title": "General Order 114", "version": 1,
        "name": "policy.pdf", "sha256": item.sha256,
    }  # fmt: skip
    assert Path(item.file.path).exists()
    assert client_for(command).get(reverse("evidence_download", args=[item.pk])).status_code == 200
    page = text_of(client_for(preparer).get(section_url(draft, "CAP")).content.decode())
    assert "General Order 114" not in page


def test_only_who_attached_it_or_command_staff_remove_evidence(draft, preparer, command, team):
    item = attach(draft, command)
    with pytest.raises(PermissionDenied):
        services.evidence_remove(item=item, user=preparer, membership=preparer.membership)
    services.evidence_remove(item=item, user=command, membership=command.membership)


def test_evidence_is_frozen_once_the_assessment_leaves_draft(draft, preparer, command, client_for):
    item = attach(draft, preparer)
    answer_questions(draft, preparer)
    assessment_services.assessment_submit(assessment=draft, user=preparer)

    with pytest.raises(ValidationError, match="its evidence is frozen"):
        attach(draft, preparer, code="CAP-05")
    with pytest.raises(ValidationError, match="its evidence is frozen"):
        services.evidence_remove(item=item, user=preparer, membership=preparer.membership)
    page = client_for(command).get(evidence_url(draft, "CAP-04"))
    assert "an approved assessment keeps the evidence it was approved with" in text_of(
        page.content.decode()
    )
    assert client_for(command).get(reverse("evidence_download", args=[item.pk])).status_code == 200


def test_another_agency_gets_404_for_evidence(draft, preparer, outsider, client_for):
    item = attach(draft, preparer)
    client = client_for(outsider)

    assert client.get(reverse("evidence_download", args=[item.pk])).status_code == 404
    assert client.post(reverse("evidence_remove", args=[item.pk])).status_code == 404
    assert client.get(evidence_url(draft, "CAP-04")).status_code == 404
    assert client.post(evidence_url(draft, "CAP-04"), {"title": "x"}).status_code == 404


def test_critical_yes_without_evidence_is_a_warning_on_the_overview(
    draft, preparer, command, client_for
):
    answer_questions(draft, preparer)  # every choice Yes, CAP-04 (critical) among them
    overview = reverse("assessment", args=[draft.pk])

    text = text_of(client_for(preparer).get(overview).content.decode())
    assert "No evidence attached to" in text and "CAP-04 —" in text
    assert "a warning, not a block" in text

    attach(draft, preparer, code="CAP-04")
    assessment_services.assessment_submit(assessment=draft, user=preparer)  # not blocked
    text = text_of(client_for(command).get(overview).content.decode())
    assert "CAP-04 —" not in text[text.index("Review and approval") :]


@pytest.mark.slow
def test_the_report_lists_evidence_per_answer_and_in_an_appendix(
    draft, preparer, command, client_for
):
    from tests.reports.test_pdf import download, pages_text

    item = attach(
        draft, preparer, title="General Order 114", document_number="GO-114",
        effective_date=datetime.date(2026, 3, 1),
    )  # fmt: skip
    services.evidence_attach(
        assessment=draft, question=question(draft, "CAP-05"), user=preparer,
        membership=preparer.membership, title="Supervision roster",
        reference="PowerDMS: Roster/2027",
    )  # fmt: skip

    text = " ".join(pages_text(download(client_for(command), draft).content))

    prefix = item.sha256[:12]
    assert f"General Order 114, No. GO-114, effective 2026-03-01 (SHA-256 {prefix}…)" in text
    assert "Supervision roster (kept at: PowerDMS: Roster/2027)" in text
    assert "Appendix B. Evidence" in text
    assert item.sha256[:40] in text.replace(" ", "")
    assert b"%PDF-1.7\n1 0 obj" not in download(client_for(command), draft).content  # not embedded


def test_a_reopened_revision_keeps_the_evidence_and_the_approved_one_is_unchanged(
    draft, preparer, command
):
    from tests.factories import approve

    item = attach(draft, preparer)
    removed = attach(draft, preparer, code="CAP-05", title="Old roster")
    services.evidence_remove(item=removed, user=preparer, membership=preparer.membership)
    answer_questions(draft, preparer)
    approved = approve(draft, preparer=preparer, command=command)

    revision = assessment_services.assessment_reopen(
        assessment=approved, user=command, membership=command.membership
    )

    [copy] = Evidence.objects.filter(assessment=revision)
    assert (copy.title, copy.sha256, copy.file.name) == (item.title, item.sha256, item.file.name)
    kept = [(e.title, e.is_current) for e in approved.evidence.order_by("pk")]
    assert kept == [("General Order 114", True), ("Old roster", False)]


def test_evidence_behind_a_plan_item(agency, preparer, command, team, client_for):
    from plans.models import PlanItem

    mine = PlanItem.objects.create(
        agency=agency, title="Adopt GO-114", owner=preparer, created_by=command
    )
    other = PlanItem.objects.create(agency=agency, title="Brief the board", created_by=command)
    url = reverse("plan_item_evidence", args=[mine.pk])
    client = client_for(preparer)

    response = client.post(
        url,
        {
            "title": "Signed GO-114",
            "file": SimpleUploadedFile("go114.pdf", SAMPLES["policy.pdf"][0]),
        },
    )

    assert response.status_code == 302
    item = Evidence.objects.get(plan_item=mine)
    assert (item.assessment, item.question, item.kind) == (None, None, "file")
    page = text_of(client.get(reverse("plan_item", args=[mine.pk])).content.decode())
    assert "Signed GO-114 · Attach or see evidence" in page
    assert client.get(reverse("evidence_download", args=[item.pk])).status_code == 200
    refused = client.post(
        reverse("plan_item_evidence", args=[other.pk]), {"title": "x", "reference": "y"}
    )
    assert refused.status_code == 403
    assert (
        client_for(command)
        .post(
            reverse("plan_item_evidence", args=[other.pk]),
            {"title": "Minutes", "reference": "Board minutes, 2027-02-01"},
        )
        .status_code
        == 302
    )
