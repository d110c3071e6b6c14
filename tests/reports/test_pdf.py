"""The PDF report, read back with pypdf: content, draft marking, tagging, safety, cache, access."""

from __future__ import annotations

import base64
import io
import re
import socket
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from agencies import services as agency_services
from assessments import selectors, services
from assessments.models import Answer, Assessment, Comment
from audit.models import Event
from questionnaires.models import Question, Section
from questionnaires.selectors import layouts_forget
from reports import pdf
from reports import services as report_services
from reports.context import report_context
from reports.models import CachedReport
from tests.agencies.test_logo import png_bytes
from tests.factories import FULL_MARKS, answer_questions, approve, evidence_note

FAKE_PDF = b"%PDF-1.7\n% a stand-in for tests that are about caching, not rendering\n"


# --- Helpers -------------------------------------------------------------------------------------


def download(client, assessment):
    return client.get(reverse("report_pdf", args=[assessment.pk]))


def pages_text(content: bytes) -> list[str]:
    """Each page's text with runs of whitespace made single spaces."""
    reader = PdfReader(io.BytesIO(content))
    return [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def struct_elements(node, found: list[tuple[str, DictionaryObject]]) -> None:
    """The structure tree's elements in document order, as (tag, element)."""
    if isinstance(node, IndirectObject):
        node = node.get_object()
    if isinstance(node, ArrayObject):
        for kid in node:
            struct_elements(kid, found)
        return
    if not isinstance(node, DictionaryObject):
        return  # a marked-content id
    if "/S" in node:
        found.append((str(node["/S"]), node))
    if "/K" in node:
        struct_elements(node["/K"], found)


class Listener:
    """A TCP server on 127.0.0.1 that counts the connections it is offered."""

    def __init__(self) -> None:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.server.settimeout(0.05)
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}"
        self.connections = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                connection, _ = self.server.accept()
            except TimeoutError:
                continue
            self.connections += 1
            connection.close()

    def received(self) -> int:
        time.sleep(0.2)  # let the thread accept anything already queued
        return self.connections

    def close(self) -> None:
        self.stopping.set()
        self.thread.join()
        self.server.close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


@pytest.fixture
def render_count(monkeypatch):
    """Counts real renders (the PDF is still made)."""
    calls = []
    real = pdf.render_pdf

    def counting(html: str) -> bytes:
        calls.append(html)
        return real(html)

    monkeypatch.setattr(pdf, "render_pdf", counting)
    return calls


@pytest.fixture
def fake_render(monkeypatch):
    """Replaces WeasyPrint with a stand-in for tests about caching, headers and access."""
    calls = []

    def fake(html: str) -> bytes:
        calls.append(html)
        return FAKE_PDF + str(len(calls)).encode()

    monkeypatch.setattr(pdf, "render_pdf", fake)
    return calls


def hostile_texts(url: str) -> list[str]:
    return [
        f'<img src="{url}/img.png">',
        f'<link rel="stylesheet" href="{url}/style.css">',
        f"<style>@import url({url}/import.css); p {{ background: url({url}/bg.png) }}</style>",
        f'<p style="background-image: url({url}/inline.png)">x</p>',
        '<img src="file:///etc/passwd">',
        '<link rel="stylesheet" href="http://169.254.169.254/latest/meta-data/">',
    ]


# --- Content -------------------------------------------------------------------------------------


@pytest.mark.slow
def test_it_shows_every_part_of_a_draft(draft, preparer, client_for):
    na_code = "COM-03"
    skipped = "TRN-02"
    answer_questions(
        draft,
        preparer,
        values=FULL_MARKS,
        note=evidence_note,
        overrides={"CAP-04": "no"},
        skip=[skipped],
        not_applicable=[na_code],
    )
    response = download(client_for(preparer), draft)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pages = pages_text(response.content)
    text = " ".join(pages)
    assert "Example County Sheriff's Office" in text
    assert "2027 readiness review" in text
    assert "Jail Enforcement Model (JEM)" in text and "Warrant Service Officer (WSO)" in text
    assert "Task Force Model" not in text
    for section in Section.objects.filter(questionnaire=draft.questionnaire):
        assert section.title in text
    result = selectors.assessment_result(draft)
    for dimension in result.dimensions:
        assert re.search(rf"{dimension.label} {dimension.score}\b", text), dimension.label
    assert f"Overall level: {result.overall_level.label}" in text
    assert "Critical gaps" in text and "Top actions" in text and "Action plan" in text
    questions = list(draft.applicable_questions())
    assert all(q.code in text for q in questions)
    for question in questions:
        if question.code != skipped:
            assert squeezed(evidence_note(question.code)) in squeezed(text), question.code
    assert f"{na_code} does not apply: no such unit here." in text
    assert "Unanswered" in text
    assert "Answered by Preparer Tester unless another name is given" in text
    assert "Appendix A. Scoring method" in text and "Appendix B. Weights" in text
    assert re.search(r"Approval and signature .*Signature Date Name Title", " ".join(pages[:2]))
    assert all("DRAFT" in page for page in pages), "every page of a draft is marked"
    assert re.search(rf"Page 3 of {len(pages)}", pages[2])


@pytest.mark.slow
def test_it_is_a_tagged_pdf_with_title_author_subject_and_language(draft, preparer, client_for):
    answer_questions(draft, preparer, values=FULL_MARKS, note=evidence_note)
    response = download(client_for(preparer), draft)

    reader = PdfReader(io.BytesIO(response.content))
    catalog = reader.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "en"
    assert "2027 readiness review" in reader.metadata.title
    assert reader.metadata.author == "Example County Sheriff's Office"
    assert "287(g)" in reader.metadata.subject
    assert reader.pdf_header.endswith("1.7")
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(width), round(height)) == (612, 792), "US Letter"

    elements: list[tuple[str, DictionaryObject]] = []
    struct_elements(catalog["/StructTreeRoot"], elements)
    tags = [tag for tag, _ in elements]
    levels = [int(tag[2]) for tag in tags if re.fullmatch(r"/H[1-6]", tag)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), "no skipped level"
    assert max(levels) == 3
    figures = [element for tag, element in elements if tag == "/Figure"]
    assert figures and all(str(figure.get("/Alt", "")).strip() for figure in figures)
    assert "/Table" in tags and "/THead" in tags and "/TH" in tags

    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert fonts and all("Report-Sans" in name for name in fonts), fonts


@pytest.mark.slow
def test_an_approved_report_uses_the_snapshot_and_has_no_draft_mark(
    draft, preparer, command, client_for
):
    answer_questions(
        draft, preparer, values=FULL_MARKS, note=evidence_note, overrides={"CAP-04": "no"}
    )
    approve(draft, preparer=preparer, command=command)
    frozen = selectors.assessment_result(Assessment.objects.get(pk=draft.pk))
    # Someone edits the weights behind the app's back: the approved report must not move.
    Question.objects.filter(questionnaire=draft.questionnaire).update(
        weight_capacity=0, weight_policy=3, weight_community=0, critical=False
    )
    layouts_forget()  # as a server started after the edit would read the questions
    Assessment.objects.filter(pk=draft.pk).update(
        approved_at=datetime(2027, 1, 15, 16, 0, tzinfo=UTC)
    )
    approved = Assessment.objects.get(pk=draft.pk)
    live = selectors.assessment_live_result(approved)
    assert live.dimension("capacity").score != frozen.dimension("capacity").score

    response = download(client_for(command), approved)

    assert response.status_code == 200
    pages = pages_text(response.content)
    text = " ".join(pages)
    assert "DRAFT" not in text
    assert "Approved" in text and "2027-01-15" in text and "Command Tester" in text
    for dimension in frozen.dimensions:
        assert re.search(rf"{dimension.label} {dimension.score}\b", text), dimension.label
    assert "CAP-04" in text
    assert response["Content-Disposition"] == (
        'attachment; filename="example-county-sheriffs-office-2027-readiness-review-rev1-approved'
        '-2027-01-15.pdf"'
    )


# --- Safety --------------------------------------------------------------------------------------


@pytest.mark.slow
def test_hostile_text_is_escaped_and_fetches_nothing(
    draft, preparer, client_for, listener, monkeypatch
):
    hostile = hostile_texts(listener.url)
    questions = draft.applicable_questions().filter(answer_type="choice").order_by("position")
    questions = list(questions[: len(hostile)])
    services.answers_save(
        assessment=draft,
        user=preparer,
        data=[
            services.AnswerInput(question_id=q.pk, value="yes", note=text)
            for q, text in zip(questions, hostile, strict=True)
        ],
    )
    title = f'Review <b>bold</b> <img src="{listener.url}/t">'
    Assessment.objects.filter(pk=draft.pk).update(title=title)
    fetched = []
    real_fetch = pdf.StaticFilesOnlyFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return real_fetch(self, url, headers)

    monkeypatch.setattr(pdf.StaticFilesOnlyFetcher, "fetch", spy)
    # The spy sees only this process: render here, with the `write_pdf` the child process runs.
    monkeypatch.setattr(pdf, "render_pdf", lambda html: pdf.write_pdf(html))

    response = download(client_for(preparer), Assessment.objects.get(pk=draft.pk))

    assert response.status_code == 200
    assert listener.received() == 0
    static = pdf.static_root().as_uri() + "/"
    assert fetched and all(url.startswith(static) for url in fetched), fetched
    text = squeezed(" ".join(pages_text(response.content)))
    for item in hostile:
        assert squeezed(item) in text, item
    assert squeezed(title) in text
    # The listener does see a real request, so the zero above means something.
    with pytest.raises(OSError):
        urllib.request.urlopen(listener.url, timeout=1)
    assert listener.received() == 1


def test_the_fetcher_serves_only_static_files(listener):
    fetcher = pdf.StaticFilesOnlyFetcher()
    static = Path(settings.BASE_DIR) / "static"
    for url in (
        "file:///etc/passwd",
        f"file://{static}/../readiness/settings/base.py",
        f"file://{static}/../db.sqlite3",
        f"file://example.org{static}/css/report.css",
        f"{listener.url}/x.png",
        "https://169.254.169.254/latest/meta-data/",
        "ftp://127.0.0.1/x",
        "data:text/css,p{color:red}",
        "css/report.css",
    ):
        with pytest.raises(pdf.FetchRefused):
            fetcher.fetch(url)
    assert listener.received() == 0

    font = static / "fonts" / "DejaVuSans.ttf"
    response = fetcher.fetch(font.as_uri())
    assert response.read() == font.read_bytes()
    response.close()


@pytest.mark.slow
def test_the_renderer_fetches_nothing_even_from_raw_markup(listener):
    """Should markup ever slip past escaping, WeasyPrint still reads only static files."""
    hostile = "\n".join(hostile_texts(listener.url))
    html = (
        '<!doctype html><html lang="en"><head><title>t</title>'
        '<link rel="stylesheet" href="css/report.css">'
        f"<style>@font-face {{ font-family: X; src: url({listener.url}/f.ttf) }}</style>"
        f"</head><body><p>Plain text.</p>{hostile}"
        f'<object data="{listener.url}/o"></object><embed src="{listener.url}/e">'
        '<img src="../../../etc/passwd"></body></html>'
    )

    data = pdf.render_pdf(html)

    assert data.startswith(b"%PDF")
    assert listener.received() == 0


# --- Cache ---------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_second_download_is_served_from_the_cache(draft, preparer, client_for, render_count):
    answer_questions(draft, preparer, values=FULL_MARKS, note=evidence_note)
    client = client_for(preparer)

    first = download(client, draft)
    second = download(client, draft)

    assert first.status_code == second.status_code == 200
    assert len(render_count) == 1
    assert second.content == first.content
    assert CachedReport.objects.filter(assessment=draft).count() == 1


def test_an_answer_change_renders_a_new_report(draft, preparer, client_for, fake_render):
    question = draft.applicable_questions().first()
    client = client_for(preparer)
    download(client, draft)
    old = CachedReport.objects.get(assessment=draft).fingerprint

    services.answers_save(
        assessment=draft,
        user=preparer,
        data=[services.AnswerInput(question_id=question.pk, value="partial", base_version=0)],
    )
    response = download(client, draft)
    download(client, draft)

    assert len(fake_render) == 2
    assert response.content.endswith(b"2")
    cached = CachedReport.objects.get(assessment=draft)  # only the newest is kept
    assert cached.fingerprint != old


def test_a_status_change_renders_a_new_report(draft, preparer, command, client_for, fake_render):
    answer_questions(draft, preparer, values=FULL_MARKS, note=evidence_note)
    client = client_for(command)
    download(client, draft)

    services.assessment_submit(assessment=draft, user=preparer)
    download(client, draft)
    services.assessment_approve(
        assessment=draft,
        user=command,
        membership=command.membership,
        attested=True,
        flags_confirmed=True,
    )
    download(client, draft)
    download(client, draft)

    assert len(fake_render) == 3
    assert CachedReport.objects.filter(assessment=draft).count() == 1


def test_answer_saves_and_status_changes_move_updated_at(draft, preparer, command):
    seen = [Assessment.objects.get(pk=draft.pk)]

    def step(action) -> None:
        action()
        seen.append(Assessment.objects.get(pk=draft.pk))

    step(lambda: answer_questions(draft, preparer, values=FULL_MARKS, note=evidence_note))
    step(lambda: services.assessment_submit(assessment=draft, user=preparer))
    step(
        lambda: services.assessment_return(
            assessment=draft, user=command, membership=command.membership, comment="Check CAP-04."
        )
    )
    answer = Answer.objects.filter(assessment=draft).select_related("question").first()
    step(
        lambda: services.answers_save(
            assessment=draft,
            user=preparer,
            data=[
                services.AnswerInput(
                    question_id=answer.question_id,
                    value="no" if answer.question.answer_type == "choice" else "1",
                    base_version=answer.version,
                )
            ],
        )
    )
    step(lambda: services.assessment_submit(assessment=draft, user=preparer))
    step(
        lambda: services.assessment_approve(
            assessment=draft,
            user=command,
            membership=command.membership,
            attested=True,
            flags_confirmed=True,
        )
    )

    stamps = [a.updated_at for a in seen]
    assert all(b > a for a, b in zip(stamps, stamps[1:], strict=False)), stamps
    fingerprints = [report_services.report_fingerprint(a) for a in seen]
    assert len(set(fingerprints)) == len(fingerprints)


@pytest.mark.slow
def test_the_context_takes_a_fixed_number_of_queries(
    draft, preparer, django_assert_max_num_queries
):
    report_context(Assessment.objects.get(pk=draft.pk))  # reads the layout, once per process
    with django_assert_max_num_queries(14):
        report_context(Assessment.objects.get(pk=draft.pk))
    answer_questions(draft, preparer, values=FULL_MARKS, note=evidence_note)
    with django_assert_max_num_queries(14):
        report_context(Assessment.objects.get(pk=draft.pk))


def test_a_failed_render_is_not_cached(draft, preparer, client_for, monkeypatch):
    def broken(html: str) -> bytes:
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(pdf, "render_pdf", broken)
    client = client_for(preparer)

    response = client.get(reverse("report_pdf", args=[draft.pk]), follow=True)

    assert response.status_code == 500
    assert "The report could not be produced" in response.content.decode()
    assert not CachedReport.objects.exists()
    assert not Event.objects.filter(kind=Event.Kind.REPORT_DOWNLOADED).exists()


# --- Access, activity, response ------------------------------------------------------------------


def test_it_answers_404_to_another_agency(draft, outsider, client_for, fake_render):
    response = download(client_for(outsider), draft)

    assert response.status_code == 404
    assert not fake_render
    assert not Event.objects.filter(kind=Event.Kind.REPORT_DOWNLOADED).exists()


def test_it_requires_sign_in(draft, client, fake_render):
    response = download(client, draft)

    assert response.status_code == 302
    assert reverse("login") in response["Location"]
    assert not fake_render


def test_each_download_is_recorded_in_the_activity_log(draft, preparer, client_for, fake_render):
    client = client_for(preparer)
    download(client, draft)
    download(client, draft)

    events = Event.objects.filter(assessment=draft, kind=Event.Kind.REPORT_DOWNLOADED)
    assert events.count() == 2
    assert {e.actor for e in events} == {preparer}
    assert {e.agency_id for e in events} == {draft.agency_id}
    activity = client.get(reverse("assessment_activity", args=[draft.pk]))
    assert "Report downloaded" in activity.content.decode()


def test_a_drafts_file_is_named_for_agency_assessment_revision_draft_and_today(
    draft, preparer, client_for, fake_render
):
    response = download(client_for(preparer), draft)

    today = timezone.localdate().isoformat()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="example-county-sheriffs-office-2027-readiness-review-rev1-draft-'
        f'{today}.pdf"'
    )
    assert "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"%PDF")


def test_a_submitted_assessment_still_downloads_as_a_draft(
    draft, preparer, client_for, fake_render
):
    answer_questions(draft, preparer, values=FULL_MARKS)
    services.assessment_submit(assessment=draft, user=preparer)
    Assessment.objects.filter(pk=draft.pk).update(title="Revisión 2027 — año fiscal", revision=3)

    response = download(client_for(preparer), Assessment.objects.get(pk=draft.pk))

    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        'attachment; filename="example-county-sheriffs-office-revision-2027-ano-fiscal-rev3-'
        f'draft-{today}.pdf"'
    )


def test_an_approved_assessments_file_carries_its_approval_date(
    draft, preparer, command, client_for, fake_render
):
    answer_questions(draft, preparer, values=FULL_MARKS)
    approve(draft, preparer=preparer, command=command)
    Assessment.objects.filter(pk=draft.pk).update(
        approved_at=datetime(2027, 1, 15, 16, 0, tzinfo=UTC), revision=2
    )

    response = download(client_for(command), Assessment.objects.get(pk=draft.pk))

    assert response["Content-Disposition"] == (
        'attachment; filename="example-county-sheriffs-office-2027-readiness-review-rev2-'
        'approved-2027-01-15.pdf"'
    )


def test_comments_the_letterhead_and_the_attestation_change_the_fingerprint(
    draft, preparer, command, agency_admin
):
    question = draft.applicable_questions().first()
    seen = [report_services.report_fingerprint(Assessment.objects.get(pk=draft.pk))]

    def after(change) -> None:
        change()
        seen.append(report_services.report_fingerprint(Assessment.objects.get(pk=draft.pk)))

    thread = Comment.objects.create(
        assessment=draft, question=question, author=command, body="Which memo?"
    )
    seen.append(report_services.report_fingerprint(Assessment.objects.get(pk=draft.pk)))
    after(
        lambda: Comment.objects.create(
            assessment=draft, question=question, reply_to=thread, author=preparer, body="GO-12."
        )
    )
    after(
        lambda: Comment.objects.filter(pk=thread.pk).update(
            resolved_by=command, resolved_at=timezone.now()
        )
    )
    after(
        lambda: agency_services.agency_logo_set(
            agency=draft.agency,
            actor_membership=agency_admin.membership,
            data=png_bytes(),
            ip_address=None,
        )
    )
    after(lambda: Assessment.objects.filter(pk=draft.pk).update(attestation="I confirm."))

    assert len(set(seen)) == len(seen), seen


def test_the_fetcher_reads_inline_png_data_and_no_other_data(listener):
    fetcher = pdf.StaticFilesOnlyFetcher()
    png = png_bytes()

    response = fetcher.fetch(pdf.PNG_DATA_URI + base64.b64encode(png).decode())

    assert response.read() == png
    for url in (
        pdf.PNG_DATA_URI + base64.b64encode(b"<svg onload='x'/>").decode(),
        pdf.PNG_DATA_URI + "not base64!",
        "data:image/svg+xml;base64," + base64.b64encode(b"<svg/>").decode(),
        "data:image/png," + png.decode("latin-1"),
    ):
        with pytest.raises(pdf.FetchRefused):
            fetcher.fetch(url)
    assert listener.received() == 0
