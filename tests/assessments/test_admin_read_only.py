"""The Django admin shows assessments but cannot change them: the agency, the models, the
status and the questionnaire change only through the app, which checks and records each change."""

from __future__ import annotations

from django.urls import reverse

from assessments.models import Assessment
from audit.models import Event


def test_an_assessment_is_shown_read_only(site_admin_client, draft):
    page = site_admin_client.get(reverse("admin:assessments_assessment_change", args=[draft.pk]))

    assert page.status_code == 200
    html = page.content.decode()
    assert "2027 readiness review" in html
    for field in ("agency", "considers_jem", "status", "questionnaire", "title"):
        assert f'name="{field}"' not in html, f"{field} is editable"


def test_a_change_posted_to_the_admin_is_refused_and_nothing_moves(
    site_admin_client, draft, other_agency
):
    events = Event.objects.count()

    response = site_admin_client.post(
        reverse("admin:assessments_assessment_change", args=[draft.pk]),
        {
            "agency": other_agency.pk,
            "title": "Moved",
            "considers_tfm": "on",
            "status": "approved",
        },
    )

    assert response.status_code == 403
    draft.refresh_from_db()
    assert (draft.agency_id, draft.title, draft.models, draft.status) == (
        draft.agency.pk,
        "2027 readiness review",
        {"JEM", "WSO"},
        Assessment.Status.DRAFT,
    )
    assert Event.objects.count() == events
    assert site_admin_client.get(reverse("admin:assessments_assessment_add")).status_code == 403
