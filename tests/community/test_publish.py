"""Publishing, unpublishing and republishing the community summary, and who may."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from audit.models import Event
from community import services
from community.models import SummaryPdf, SummaryVersion
from tests.community.conftest import (
    COMMITTEE_YES,
    PROCEDURE_PARTIAL,
    PUBLISHED_NO,
    public_url,
)
from tests.pages import text_of


def test_command_staff_see_a_preview_in_both_languages_before_publishing(
    approved_v2, command, client_for
):
    response = client_for(command).get(reverse("community_summary", args=[approved_v2.pk]))

    assert response.status_code == 200
    text = text_of(response.content.decode())
    assert "Not published" in text
    assert COMMITTEE_YES in text
    assert "Comunicación con la comunidad" in text
    assert not SummaryVersion.objects.exists()


def test_the_preview_shows_the_statements_typed(approved_v2, command, client_for):
    response = client_for(command).post(
        reverse("community_summary", args=[approved_v2.pk]),
        {"action": "preview", "statement_en": "Call 555-0100.", "statement_es": "Llame al 555."},
    )

    assert response.status_code == 200
    text = text_of(response.content.decode())
    assert "Call 555-0100." in text and "Llame al 555." in text
    assert not SummaryVersion.objects.exists()


def test_publishing_makes_a_first_version_at_a_random_address(approved_v2, command, client_for):
    client = client_for(command)
    response = client.post(
        reverse("community_summary", args=[approved_v2.pk]),
        {"action": "publish", "statement_en": "Questions: call 555-0100.", "statement_es": ""},
    )

    assert response.status_code == 302
    version = SummaryVersion.objects.get()
    assert version.number == 1 and version.is_live
    slug = version.summary.slug
    assert len(slug) >= 24 and str(approved_v2.pk) != slug
    assert version.content["en"]["agency"] == "Example County Sheriff's Office"
    event = Event.objects.get(kind=Event.Kind.SUMMARY_PUBLISHED)
    assert (event.actor, event.assessment, event.new) == (command, approved_v2, {"version": 1})
    assert "Questions: call 555-0100." in event.comment
    page = text_of(client.get(response["Location"]).content.decode())
    assert "Published" in page and f"/p/{slug}/" in page


def test_the_address_is_random_not_made_from_the_assessment(approved_v2, publish, monkeypatch):
    made = []
    real = services.secrets.token_urlsafe
    monkeypatch.setattr(services.secrets, "token_urlsafe", lambda n: made.append(n) or real(n))

    slug = publish(approved_v2).summary.slug

    assert made == [18]  # 144 random bits
    assert len(slug) == 24 and str(approved_v2.pk) not in slug.split("-")


def test_republishing_makes_a_new_version_at_the_same_address(approved_v2, publish, command):
    first = publish(approved_v2, statement_en="First.")
    services.summary_pdf_keep(version=first, language="en", letterhead="", pdf=b"%PDF-1.7 v1")
    second = publish(approved_v2, statement_en="Second.")

    first.refresh_from_db()
    assert (first.number, second.number) == (1, 2)
    assert not first.is_live and first.ended_by == command
    assert second.is_live and second.summary.slug == first.summary.slug
    assert not SummaryPdf.objects.exists()  # the ended version's PDF is not kept
    events = Event.objects.filter(kind=Event.Kind.SUMMARY_PUBLISHED).order_by("id")
    assert [e.new for e in events] == [{"version": 1}, {"version": 2, "replaced": 1}]
    page = Client().get(public_url(second)).content.decode()
    assert "Second." in page and "First." not in page


def test_a_published_version_never_changes_when_the_answers_do(approved_v2, publish):
    version = publish(approved_v2)
    approved_v2.answers.filter(question__code="COM-01").update(value="no")

    version.refresh_from_db()
    page = text_of(Client().get(public_url(version)).content.decode())
    assert COMMITTEE_YES in page


def test_unpublishing_makes_the_address_answer_404_and_is_audited(approved_v2, publish, command):
    version = publish(approved_v2)
    assert Client().get(public_url(version)).status_code == 200

    services.summary_unpublish(assessment=approved_v2, user=command, membership=command.membership)

    for language in ("en", "es"):
        assert Client().get(public_url(version, language)).status_code == 404
        assert Client().get(public_url(version, language, pdf=True)).status_code == 404
    event = Event.objects.get(kind=Event.Kind.SUMMARY_UNPUBLISHED)
    assert (event.actor, event.old) == (command, {"version": 1})


def test_unpublishing_through_the_page(approved_v2, publish, command, client_for):
    version = publish(approved_v2)
    client = client_for(command)

    response = client.post(reverse("community_summary_unpublish", args=[approved_v2.pk]))

    assert response.status_code == 302
    assert Client().get(public_url(version)).status_code == 404
    page = text_of(client.get(response["Location"]).content.decode())
    assert "Unpublished" in page and "Not published" in page


def test_publishing_after_unpublishing_brings_the_address_back_with_a_new_version(
    approved_v2, publish, command
):
    first = publish(approved_v2)
    services.summary_unpublish(assessment=approved_v2, user=command, membership=command.membership)

    second = publish(approved_v2)

    assert second.number == 2 and second.summary.slug == first.summary.slug
    response = Client().get(public_url(second))
    assert response.status_code == 200
    assert "Version 2 of this summary" in text_of(response.content.decode())


def test_unpublishing_when_nothing_is_published_says_so(approved_v2, command):
    with pytest.raises(services.SummaryError, match="not published"):
        services.summary_unpublish(
            assessment=approved_v2, user=command, membership=command.membership
        )


def test_an_unknown_address_is_404(db):
    assert Client().get(reverse("public_summary", args=["no-such-summary"])).status_code == 404
    assert Client().get(reverse("public_summary_pdf_es", args=["x" * 30])).status_code == 404


def test_only_an_approved_assessment_can_be_published(draft, command, client_for):
    with pytest.raises(services.SummaryError, match="approved"):
        services.summary_publish(assessment=draft, user=command, membership=command.membership)
    response = client_for(command).post(
        reverse("community_summary", args=[draft.pk]), {"action": "publish"}
    )
    assert response.status_code == 200
    assert "Approve it first" in text_of(response.content.decode())
    assert not SummaryVersion.objects.exists()


def test_the_statement_is_length_limited(approved_v2, publish, command, client_for):
    with pytest.raises(ValidationError, match="within 600"):
        publish(approved_v2, statement_en="x" * 601)
    response = client_for(command).post(
        reverse("community_summary", args=[approved_v2.pk]),
        {"action": "publish", "statement_en": "x" * 601},
    )
    assert response.status_code == 200
    assert "at most 600 characters" in text_of(response.content.decode())
    assert not SummaryVersion.objects.exists()


def test_a_preparer_may_not_publish_or_unpublish(approved_v2, preparer, publish, client_for):
    with pytest.raises(PermissionDenied):
        services.summary_publish(
            assessment=approved_v2, user=preparer, membership=preparer.membership
        )
    client = client_for(preparer)
    assert client.get(reverse("community_summary", args=[approved_v2.pk])).status_code == 403
    publish(approved_v2)
    response = client.post(reverse("community_summary_unpublish", args=[approved_v2.pk]))
    assert response.status_code == 403
    assert SummaryVersion.objects.get().is_live


def test_another_agency_gets_404(approved_v2, outsider, client_for):
    client = client_for(outsider)
    for name in ("community_summary", "community_summary_unpublish"):
        assert client.post(reverse(name, args=[approved_v2.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.summary_publish(
            assessment=approved_v2, user=outsider, membership=outsider.membership
        )


def test_the_overview_links_command_staff_to_the_summary(
    approved_v2, command, preparer, client_for
):
    link = reverse("community_summary", args=[approved_v2.pk])
    overview = reverse("assessment", args=[approved_v2.pk])
    assert link in client_for(command).get(overview).content.decode()
    assert link not in client_for(preparer).get(overview).content.decode()


def test_the_public_page_shows_the_summary_signed_out(approved_v2, publish):
    version = publish(approved_v2, statement_en="Complaint forms: sheriff.example.gov/complaints")

    response = Client().get(public_url(version))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    text = text_of(html)
    for expected in (
        "Example County Sheriff's Office",
        "Example County, Texas",
        "Jail Enforcement Model (JEM)",
        "Warrant Service Officer (WSO)",
        "Operating under an agreement",
        COMMITTEE_YES,
        PROCEDURE_PARTIAL,
        PUBLISHED_NO,
        "State law requires the sheriff to seek a 287(g) agreement.",
        "Complaint forms: sheriff.example.gov/complaints",
    ):
        assert expected in text, expected
    assert "Sign out" not in text and "Assessments" not in text  # no staff header


def test_the_public_page_sets_no_cookie_and_is_not_stored(approved_v2, publish):
    version = publish(approved_v2)

    response = Client().get(public_url(version, "es"))

    assert response.cookies == {}
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Language"] == "es"
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_signed_in_staff_see_the_same_public_page(approved_v2, publish, preparer, client_for):
    version = publish(approved_v2)
    response = client_for(preparer).get(public_url(version))
    assert response.status_code == 200
    assert "Sign out" not in text_of(response.content.decode())
