"""Every URL of the app, requested by the wrong people.

The test walks the whole URL map: each pattern must be listed below, so a new URL without an
isolation rule fails here until someone decides who may use it. Three kinds of visitor: an
agency's members, members of another agency, and state reviewers (of the agency's state and of
another), who belong to no agency.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from agencies.models import Agency, Role
from assessments import services
from evidence import services as evidence_services
from plans.models import PlanItem
from tests.factories import MemberFactory

# Pages anyone may open: signing in and setting a password from an emailed link.
PUBLIC = {
    "healthz",
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}
# About the signed-in user only; no agency object in the address.
SELF = {
    "account",
    "logout",
    "password_change",
    "password_change_done",
    "mfa_verify",
    "mfa_setup",
    "recovery_codes_renew",
    "session_status",
    "session_keepalive",
    "notifications",
    "email_preferences",
}
# Pages of the user's own agency without an object id.
AGENCY_PAGES = {
    "dashboard",
    "assessment_start",
    "members",
    "member_add",
    "agency_audit",
    "agency_logo",
    "agency_logo_remove",
    "agency_logo_image",
    "agency_sharing",
    "method",
    "plan",
    "plan_item_add",
    "plan_csv",
    "plan_calendar",
}
# The calendar feed: no sign-in (calendar programs cannot); its secret address is the key, and
# an unknown one is a 404 (tests/plans/test_calendar_feed.py). The public community summary, a
# page and a PDF in English and Spanish: no sign-in, a random address, 404 once unpublished
# (tests/community/).
SECRET_ADDRESS = {
    "plan_calendar_feed",
    "public_summary",
    "public_summary_es",
    "public_summary_pdf",
    "public_summary_pdf_es",
}
# Addresses that carry an assessment id.
ASSESSMENT_OBJECTS = {
    "assessment",
    "section",
    "assessment_submit",
    "assessment_approve",
    "assessment_return",
    "assessment_reopen",
    "na_acknowledge",
    "assessment_results",
    "assessment_activity",
    "report_pdf",
    "report_status",
    "report_retry",
    "assessment_export_json",
    "assessment_export_csv",
    "assessment_export_zip",
    "assessment_plan_create",
    "assessment_compare",
    "answer_evidence",
    "question_comments",
    "comment_resolve",
    "answer_sheet",
    "answer_sheet_section",
    "community_summary",
    "community_summary_unpublish",
}
# Addresses that carry a membership id.
MEMBER_OBJECTS = {"member_role", "member_deactivate", "member_reactivate", "member_invite"}
# Addresses that carry a plan item id.
PLAN_OBJECTS = {"plan_item", "plan_item_evidence"}
# Addresses that carry an evidence id.
EVIDENCE_OBJECTS = {"evidence_download", "evidence_remove"}
# The state view, for state reviewers only: its pages, and those that carry an agency id.
STATE_PAGES = {"state_overview", "state_csv"}
STATE_OBJECTS = {"state_report_pdf", "state_compare"}
# What a preparer may not do (403).
# The agency's report letterhead: its page, its removal and its image; and sharing with the
# state reviewers.
LETTERHEAD = {"agency_logo", "agency_logo_remove", "agency_logo_image", "agency_sharing"}
COMMAND_ONLY = {
    "assessment_start",
    "assessment_approve",
    "assessment_return",
    "assessment_reopen",
    "na_acknowledge",
    "assessment_export_json",
    "assessment_export_csv",
    "assessment_export_zip",
    "agency_audit",
    "plan_item_add",
    "assessment_plan_create",
    "community_summary",
    "community_summary_unpublish",
}
ADMIN_ONLY = {"members", "member_add", *MEMBER_OBJECTS, *LETTERHEAD}
# What a preparer may do with the agency's objects. Every agency or object URL is in exactly one
# of COMMAND_ONLY, ADMIN_ONLY and PREPARER_MAY, so a new one forces the decision.
PREPARER_MAY = {
    "dashboard",
    "method",
    "assessment",
    "section",
    "assessment_submit",
    "assessment_results",
    "assessment_activity",
    "report_pdf",
    "report_status",
    "report_retry",
    "plan",
    "plan_item",
    "plan_csv",
    "plan_calendar",
    "assessment_compare",
    "answer_evidence",
    "answer_sheet",
    "answer_sheet_section",
    "evidence_download",
    "evidence_remove",
    "plan_item_evidence",
    "question_comments",
    "comment_resolve",
}
# Answered without a redirect when nobody is signed in (JSON for the page's script).
ANONYMOUS_JSON = {"session_status": 200, "session_keepalive": 401}


def url_names() -> set[str]:
    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue  # Django admin: staff only, tested through its own checks
                yield from walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                yield pattern.name

    return set(walk(get_resolver().url_patterns))


def test_every_url_has_an_isolation_rule():
    covered = (
        (PUBLIC | SELF | AGENCY_PAGES | ASSESSMENT_OBJECTS | MEMBER_OBJECTS | PLAN_OBJECTS)
        | SECRET_ADDRESS
        | EVIDENCE_OBJECTS
        | STATE_PAGES
        | STATE_OBJECTS
    )
    unknown = url_names() - covered
    assert not unknown, f"URLs without an isolation rule: {sorted(unknown)}"
    unnamed = [name for name in url_names() if not name]
    assert not unnamed


def test_every_agency_url_says_whether_preparers_may_use_it():
    agency_urls = (
        AGENCY_PAGES | ASSESSMENT_OBJECTS | MEMBER_OBJECTS | PLAN_OBJECTS | EVIDENCE_OBJECTS
    )
    groups = [COMMAND_ONLY, ADMIN_ONLY, PREPARER_MAY]
    for name in agency_urls:
        assert sum(name in group for group in groups) == 1, name
    assert set().union(*groups) == agency_urls


@pytest.fixture
def urls_of_agency_a(draft, preparer, command):
    """Each URL of the map, filled with objects of Example County (agency A)."""
    item = PlanItem.objects.create(
        agency=draft.agency, title="Adopt a staffing plan", owner=preparer, created_by=command
    )
    question = draft.questionnaire.questions.get(code="CAP-04")
    evidence = evidence_services.evidence_attach(
        assessment=draft, question=question, user=preparer, membership=preparer.membership,
        title="Staffing plan", upload=SimpleUploadedFile("plan.pdf", b"%PDF-1.7 plan"),
    )  # fmt: skip
    comment = services.comment_add(
        assessment=draft, question=question, user=command, body="Which plan is this?"
    )
    urls = {}
    for name in url_names() - PUBLIC - SECRET_ADDRESS:
        if name in ASSESSMENT_OBJECTS:
            kwargs = {
                "pk": draft.pk,
                **({"code": "CAP"} if name in ("section", "answer_sheet_section") else {}),
            }
            if name in ("na_acknowledge", "answer_evidence", "question_comments"):
                kwargs["question_id"] = question.pk
            if name == "comment_resolve":
                kwargs["comment_id"] = comment.pk
        elif name in MEMBER_OBJECTS:
            kwargs = {"pk": preparer.membership.pk}
        elif name in PLAN_OBJECTS:
            kwargs = {"pk": item.pk}
        elif name in EVIDENCE_OBJECTS:
            kwargs = {"pk": evidence.pk}
        elif name in STATE_OBJECTS:
            kwargs = {"pk": draft.agency_id}
        else:
            kwargs = {}
        urls[name] = reverse(name, kwargs=kwargs)
    return urls


def responses(client: Client, url: str) -> dict[str, int]:
    return {"get": client.get(url).status_code, "post": client.post(url, {}).status_code}


def test_another_agency_gets_404_for_every_object_of_agency_a(
    urls_of_agency_a, other_agency, outsider, client_for
):
    admin_b = MemberFactory(username="adminb", agency=other_agency, role=Role.AGENCY_ADMIN)
    for name, url in urls_of_agency_a.items():
        if name not in ASSESSMENT_OBJECTS | MEMBER_OBJECTS | PLAN_OBJECTS | EVIDENCE_OBJECTS:
            continue
        client = client_for(admin_b if name in MEMBER_OBJECTS else outsider)
        statuses = responses(client, url)
        assert set(statuses.values()) <= {404, 405}, (name, statuses)
        assert 404 in statuses.values(), (name, statuses)


def test_anonymous_users_are_sent_to_sign_in(urls_of_agency_a, client):
    login = reverse("login")
    for name, url in urls_of_agency_a.items():
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if name in ANONYMOUS_JSON:
                assert response.status_code in (ANONYMOUS_JSON[name], 405), (name, method)
            elif name == "logout":
                assert response.status_code in (302, 405)
            else:
                assert response.status_code == 302, (name, method, response.status_code)
                assert response["Location"].startswith(login), (name, method)


def test_preparers_get_403_where_command_or_administrators_are_needed(
    urls_of_agency_a, preparer, client_for
):
    client = client_for(preparer)
    for name in sorted(COMMAND_ONLY | ADMIN_ONLY):
        if name not in urls_of_agency_a:
            continue
        statuses = responses(client, urls_of_agency_a[name])
        assert set(statuses.values()) <= {403, 405}, (name, statuses)
        assert 403 in statuses.values(), (name, statuses)


@pytest.mark.slow
def test_preparers_may_use_what_their_role_allows(urls_of_agency_a, preparer, client_for):
    client = client_for(preparer)
    for name in sorted(PREPARER_MAY):
        statuses = responses(client, urls_of_agency_a[name])
        assert 403 not in statuses.values() and 404 not in statuses.values(), (name, statuses)


# Pages among the agency pages that hold no agency's data: the scoring method and weights, the
# same for every signed-in person, a state reviewer included (it explains the levels they see).
NO_AGENCY_DATA = {"method"}
AGENCY_URLS = AGENCY_PAGES | ASSESSMENT_OBJECTS | MEMBER_OBJECTS | PLAN_OBJECTS | EVIDENCE_OBJECTS
STATE_URLS = STATE_PAGES | STATE_OBJECTS


@pytest.fixture
def sharing_agency_a(urls_of_agency_a, draft):
    """Agency A shares with its state's reviewers: the isolation must hold all the same."""
    Agency.objects.filter(pk=draft.agency_id).update(shares_with_state=True)
    return urls_of_agency_a


def test_state_reviewers_get_404_or_403_for_every_agency_page_and_object(
    sharing_agency_a, state_reviewer, other_state_reviewer, client_for
):
    for reviewer in (state_reviewer, other_state_reviewer):
        client = client_for(reviewer)
        for name in sorted(AGENCY_URLS - NO_AGENCY_DATA):
            if name == "dashboard":  # their home is the state view
                response = client.get(sharing_agency_a[name])
                assert response.status_code == 302, name
                assert response["Location"] == reverse("state_overview")
                continue
            statuses = responses(client, sharing_agency_a[name])
            assert set(statuses.values()) <= {403, 404, 405}, (reviewer, name, statuses)
            assert statuses["get"] in (403, 404, 405), (reviewer, name, statuses)


def test_agency_members_get_404_for_every_state_page(
    sharing_agency_a, preparer, command, agency_admin, outsider, admin_user, client_for
):
    for person in (preparer, command, agency_admin, outsider, admin_user):
        client = client_for(person)
        for name in sorted(STATE_URLS):
            statuses = responses(client, sharing_agency_a[name])
            assert set(statuses.values()) <= {404, 405}, (person, name, statuses)
            assert 404 in statuses.values(), (person, name, statuses)


def test_a_reviewer_of_another_state_gets_404_for_agency_a_in_the_state_view(
    sharing_agency_a, other_state_reviewer, client_for
):
    client = client_for(other_state_reviewer)
    for name in sorted(STATE_OBJECTS):
        statuses = responses(client, sharing_agency_a[name])
        assert set(statuses.values()) <= {404, 405}, (name, statuses)
        assert 404 in statuses.values(), (name, statuses)
    page = client.get(sharing_agency_a["state_overview"]).content.decode()
    assert "Example County" not in page


def test_a_reviewer_of_the_state_gets_404_for_agency_a_when_it_does_not_share(
    urls_of_agency_a, state_reviewer, client_for
):
    client = client_for(state_reviewer)
    for name in sorted(STATE_OBJECTS):
        assert client.get(urls_of_agency_a[name]).status_code == 404, name
    page = client.get(urls_of_agency_a["state_overview"]).content.decode()
    assert "Example County" not in page
