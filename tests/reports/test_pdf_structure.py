"""The report's accessibility structure, read with pikepdf: a tagged PDF (PDF/UA-1) whose
language, title, headings, table headers and figure text a screen reader can use."""

from __future__ import annotations

import io
from collections import Counter

import pikepdf
import pytest
from django.urls import reverse

from questionnaires.models import Section
from tests.factories import FULL_MARKS, answer_questions, approve, evidence_note

pytestmark = pytest.mark.slow  # every test renders a report


def struct_elements(node, found: list[pikepdf.Dictionary]) -> list[pikepdf.Dictionary]:
    """Every structure element under `node`, in document order."""
    if isinstance(node, pikepdf.Array):
        for kid in node:
            struct_elements(kid, found)
    elif isinstance(node, pikepdf.Dictionary):
        if "/S" in node:
            found.append(node)
        if "/K" in node:
            struct_elements(node.K, found)
    return found


@pytest.fixture
def approved_pdf(draft, preparer, command, client_for) -> pikepdf.Pdf:
    answer_questions(
        draft, preparer, values=FULL_MARKS, note=evidence_note, overrides={"CAP-04": "partial"}
    )
    approve(draft, preparer=preparer, command=command)
    response = client_for(command).get(reverse("report_pdf", args=[draft.pk]))
    assert response.status_code == 200
    return pikepdf.open(io.BytesIO(response.content))


def test_it_is_tagged_with_language_and_a_displayed_title(approved_pdf, draft) -> None:
    root = approved_pdf.Root

    assert bool(root.MarkInfo.Marked) is True
    assert root.StructTreeRoot.Type == pikepdf.Name.StructTreeRoot
    assert str(root.Lang) == "en"
    assert bool(root.ViewerPreferences.DisplayDocTitle) is True
    title = str(approved_pdf.docinfo.Title)
    assert draft.title in title and draft.agency.name in title
    with approved_pdf.open_metadata() as xmp:
        assert xmp["dc:title"] == title
        assert xmp["pdfuaid:part"] == "1"  # claims PDF/UA-1


def test_its_structure_holds_headings_tables_and_a_described_figure(approved_pdf, draft) -> None:
    elements = struct_elements(approved_pdf.Root.StructTreeRoot.K, [])
    tags = Counter(str(element.S) for element in elements)

    assert tags["/Document"] == 1
    assert tags["/H1"] == 1, "one title heading"
    # Readiness at a glance, one per step, action plan, the method and weights appendices (no
    # evidence here); critical gaps, top actions and the signature are its H3s.
    assert tags["/H2"] == 4 + Section.objects.filter(questionnaire=draft.questionnaire).count()
    assert tags["/H3"] > 0
    # Dimensions, action plan, weights.
    assert tags["/Table"] >= 3 and tags["/TH"] >= tags["/Table"] and tags["/TD"] > 0
    assert tags["/Caption"] >= 1

    figures = [e for e in elements if str(e.S) == "/Figure"]
    assert len(figures) == 1, "the dimension chart"
    alt = str(figures[0].Alt)
    assert alt.startswith("Readiness by dimension.")
    for label in ("Capacity", "Policy", "Community communication"):
        assert label in alt, alt
    assert "/BBox" in figures[0].A


def test_every_table_cell_names_its_row_and_column_headers(approved_pdf) -> None:
    # PDF/UA-1 takes either /Scope on each TH or /ID on TH with /Headers on TD; the report uses
    # the second, built from the HTML scope attributes.
    elements = struct_elements(approved_pdf.Root.StructTreeRoot.K, [])
    header_ids = {str(e.ID) for e in elements if str(e.S) == "/TH"}
    assert all("/ID" in e for e in elements if str(e.S) == "/TH")
    cells = [e for e in elements if str(e.S) == "/TD"]

    for cell in cells:
        names = [str(name) for name in cell.A.Headers]
        assert names, "a data cell without headers"
        assert set(names) <= header_ids
    # The dimension table: each score cell has its dimension (row) and "Score" (column).
    with_row_and_column = [c for c in cells if len(c.A.Headers) >= 2]
    assert len(with_row_and_column) == len(cells)


def test_a_draft_report_is_tagged_too(draft, preparer, client_for) -> None:
    answer_questions(draft, preparer, values=FULL_MARKS, note=evidence_note, skip=["CAP-01"])
    response = client_for(preparer).get(reverse("report_pdf", args=[draft.pk]))
    pdf = pikepdf.open(io.BytesIO(response.content))

    assert bool(pdf.Root.MarkInfo.Marked) is True
    assert str(pdf.Root.Lang) == "en"
    tags = Counter(str(e.S) for e in struct_elements(pdf.Root.StructTreeRoot.K, []))
    assert tags["/H1"] == 1 and tags["/Figure"] == 1 and tags["/TH"] > 0
