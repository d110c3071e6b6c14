"""Security headers on every page of the app and of the Django admin, and the error pages."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from axes.models import AccessFailureLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client, RequestFactory, override_settings
from django.urls import URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_static.models import StaticDevice

from agencies.models import Agency
from assessments import selectors, services
from community import services as community_services
from evidence import services as evidence_services
from notifications.models import Notification
from plans import services as plan_services
from plans.models import PlanItem
from reports import pdf
from reports.tasks import render_report
from tests.factories import AssessmentFactory, StateReviewerFactory, answer_questions, approve

# Every page of the URL map

ANONYMOUS, AGENCY_ADMIN, STATE_REVIEWER = "anonymous", "agency_admin", "state_reviewer"
# Who opens each page, and what a GET answers. A URL added to the map without a line here fails
# `test_every_page_has_a_header_rule` until someone decides.
PAGES = {
    "healthz": (ANONYMOUS, 200),
    "login": (ANONYMOUS, 200),
    "password_reset": (ANONYMOUS, 200),
    "password_reset_done": (ANONYMOUS, 200),
    "password_reset_confirm": (ANONYMOUS, 302),  # to the form, checked as well
    "password_reset_complete": (ANONYMOUS, 200),
    "logout": (AGENCY_ADMIN, 405),
    "password_change": (AGENCY_ADMIN, 200),
    "password_change_done": (AGENCY_ADMIN, 200),
    "account": (AGENCY_ADMIN, 200),
    "notifications": (AGENCY_ADMIN, 200),
    "email_preferences": (AGENCY_ADMIN, 405),
    "mfa_verify": (AGENCY_ADMIN, 302),  # already verified
    "mfa_setup": (AGENCY_ADMIN, 200),
    "recovery_codes_renew": (AGENCY_ADMIN, 405),
    "session_status": (AGENCY_ADMIN, 200),
    "session_keepalive": (AGENCY_ADMIN, 405),
    "dashboard": (AGENCY_ADMIN, 200),
    "assessment_start": (AGENCY_ADMIN, 200),
    "method": (AGENCY_ADMIN, 200),
    "assessment": (AGENCY_ADMIN, 200),
    "section": (AGENCY_ADMIN, 200),
    "assessment_submit": (AGENCY_ADMIN, 200),  # the submit screen
    "assessment_approve": (AGENCY_ADMIN, 302),  # a draft: back to the overview
    "question_comments": (AGENCY_ADMIN, 200),
    "comment_resolve": (AGENCY_ADMIN, 405),
    "assessment_return": (AGENCY_ADMIN, 405),
    "assessment_reopen": (AGENCY_ADMIN, 405),
    "na_acknowledge": (AGENCY_ADMIN, 405),
    "assessment_results": (AGENCY_ADMIN, 200),
    "assessment_activity": (AGENCY_ADMIN, 200),
    "report_pdf": (AGENCY_ADMIN, 200),
    "report_status": (AGENCY_ADMIN, 200),
    "report_retry": (AGENCY_ADMIN, 405),
    "assessment_export_json": (AGENCY_ADMIN, 200),
    "assessment_export_csv": (AGENCY_ADMIN, 200),
    "assessment_export_zip": (AGENCY_ADMIN, 200),
    "members": (AGENCY_ADMIN, 200),
    "member_add": (AGENCY_ADMIN, 200),
    "member_role": (AGENCY_ADMIN, 200),
    "member_deactivate": (AGENCY_ADMIN, 405),
    "member_reactivate": (AGENCY_ADMIN, 405),
    "member_invite": (AGENCY_ADMIN, 405),
    "agency_audit": (AGENCY_ADMIN, 200),
    "agency_logo": (AGENCY_ADMIN, 200),
    "agency_logo_remove": (AGENCY_ADMIN, 405),
    "agency_logo_image": (AGENCY_ADMIN, 404),  # no letterhead set
    "agency_sharing": (AGENCY_ADMIN, 405),
    "state_overview": (STATE_REVIEWER, 200),
    "state_csv": (STATE_REVIEWER, 200),
    "state_report_pdf": (STATE_REVIEWER, 200),  # the approved one the fixture adds
    "state_compare": (STATE_REVIEWER, 200),
    "assessment_plan_create": (AGENCY_ADMIN, 200),
    "assessment_compare": (AGENCY_ADMIN, 200),
    "plan": (AGENCY_ADMIN, 200),
    "plan_item_add": (AGENCY_ADMIN, 200),
    "plan_item": (AGENCY_ADMIN, 200),
    "plan_csv": (AGENCY_ADMIN, 200),
    "plan_calendar": (AGENCY_ADMIN, 200),
    "plan_calendar_feed": (ANONYMOUS, 200),  # by its secret address
    "answer_evidence": (AGENCY_ADMIN, 200),
    "answer_sheet": (AGENCY_ADMIN, 200),
    "answer_sheet_section": (AGENCY_ADMIN, 200),
    "evidence_download": (AGENCY_ADMIN, 200),
    "evidence_remove": (AGENCY_ADMIN, 405),
    "plan_item_evidence": (AGENCY_ADMIN, 200),
    "community_summary": (AGENCY_ADMIN, 200),  # a draft: "approve it first"
    "community_summary_unpublish": (AGENCY_ADMIN, 405),
    # The public community summary, by its random address (a published one).
    "public_summary": (ANONYMOUS, 200),
    "public_summary_es": (ANONYMOUS, 200),
    "public_summary_pdf": (ANONYMOUS, 200),
    "public_summary_pdf_es": (ANONYMOUS, 200),
}


def url_patterns(patterns=None, namespace=None, converters=()):
    """(namespace, name, names of the address's parameters) of every pattern of the URL map."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        found = converters + tuple(pattern.pattern.converters)
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern.url_patterns, pattern.namespace or namespace, found)
        elif pattern.name:
            yield namespace, pattern.name, found


def assert_safe_headers(response, what: str, *, signed_in: bool) -> None:
    policy = response.get("Content-Security-Policy", "")
    assert "script-src 'self'" in policy, what
    assert "unsafe-inline" not in policy, what
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in policy, what
    assert response["X-Content-Type-Options"] == "nosniff", what
    assert response["Referrer-Policy"] == "same-origin", what
    if signed_in:
        assert "no-store" in response.get("Cache-Control", ""), what


@pytest.fixture
def every_page(draft, preparer, agency_admin, state_reviewer, client_for, monkeypatch):
    """(name, response, signed in) for a GET of every page of the app, with real object ids;
    the agency shares with its state's reviewer and has an approved assessment too."""
    monkeypatch.setattr(pdf, "render_pdf", lambda html: b"%PDF-1.7 stand-in")
    clients = {
        ANONYMOUS: Client(),
        AGENCY_ADMIN: client_for(agency_admin),
        STATE_REVIEWER: client_for(state_reviewer),
    }
    Agency.objects.filter(pk=draft.agency_id).update(shares_with_state=True)
    approved = AssessmentFactory(agency=draft.agency, created_by=agency_admin, title="2026")
    answer_questions(approved, agency_admin)
    approve(approved, preparer=agency_admin, command=agency_admin)
    values = {
        "code": "CAP",
        "uidb64": urlsafe_base64_encode(force_bytes(preparer.pk)),
        "token": default_token_generator.make_token(preparer),
        "question_id": draft.questionnaire.questions.get(code="CAP-04").pk,
    }
    values["comment_id"] = services.comment_add(
        assessment=draft,
        question=draft.questionnaire.questions.get(code="CAP-04"),
        user=agency_admin,
        body="Which plan?",
    ).pk
    item = PlanItem.objects.create(
        agency=draft.agency, title="Adopt a staffing plan", created_by=agency_admin
    )
    feed = plan_services.calendar_feed(membership=agency_admin.membership)
    evidence = evidence_services.evidence_attach(
        assessment=draft, question=draft.questionnaire.questions.get(code="CAP-04"),
        user=agency_admin, membership=agency_admin.membership, title="Staffing plan",
        upload=SimpleUploadedFile("plan.pdf", b"%PDF-1.7 plan"),
    )  # fmt: skip
    published = AssessmentFactory(
        agency=draft.agency, created_by=agency_admin, title="Published review", models=["JEM"]
    )
    answer_questions(published, preparer)
    published = approve(published, preparer=preparer, command=agency_admin)
    values["slug"] = community_services.summary_publish(
        assessment=published, user=agency_admin, membership=agency_admin.membership
    ).summary.slug
    pages = []
    for namespace, name, converters in url_patterns():
        if namespace == "admin" or name not in PAGES:
            continue
        pk = preparer.membership.pk if name.startswith("member_") else draft.pk
        pk = item.pk if name in ("plan_item", "plan_item_evidence") else pk
        pk = evidence.pk if name.startswith("evidence_") else pk
        pk = draft.agency_id if name.startswith("state_") else pk
        token = feed.token if name == "plan_calendar_feed" else values["token"]
        kwargs = {
            key: pk if key == "pk" else token if key == "token" else values[key]
            for key in converters
        }
        persona, _ = PAGES[name]
        response = clients[persona].get(reverse(name, kwargs=kwargs))
        pages.append((name, response, persona != ANONYMOUS))
        if name == "password_reset_confirm":
            form = clients[persona].get(response["Location"])
            pages.append(("password_reset_confirm (the form)", form, False))
    return pages


def test_every_page_has_a_header_rule():
    names = {name for namespace, name, _ in url_patterns() if namespace != "admin"}
    assert names == set(PAGES), f"add these to PAGES: {sorted(names - set(PAGES))}"


@pytest.mark.slow
def test_every_page_answers_as_expected(every_page):
    statuses = {name: response.status_code for name, response, _ in every_page}
    expected = {name: status for name, (_, status) in PAGES.items()}
    assert {name: statuses[name] for name in PAGES} == expected
    assert statuses["password_reset_confirm (the form)"] == 200


@pytest.mark.slow
def test_every_page_sends_a_strict_content_security_policy(every_page):
    for name, response, signed_in in every_page:
        assert_safe_headers(response, name, signed_in=signed_in)


@pytest.mark.slow
def test_agency_pages_are_never_stored_by_browsers(every_page):
    signed_in = [(name, response) for name, response, signed_in in every_page if signed_in]
    assert len(signed_in) > 25
    for name, response in signed_in:
        assert "no-store" in response["Cache-Control"], name


@pytest.mark.slow
def test_pages_have_no_inline_script(every_page):
    for name, response, _ in every_page:
        if not response["Content-Type"].startswith("text/html") or response.status_code != 200:
            continue
        html = response.content.decode()
        inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html)
        assert inline == [], f"{name} has inline script: {inline}"
        assert " style=" not in html, f"{name} has an inline style attribute"


@pytest.mark.slow
def test_every_admin_page_sends_the_same_headers(
    draft, agency_admin, admin_user, client_for, monkeypatch
):
    """Every page of the Django admin, each object page with an object of its model."""
    monkeypatch.setattr(pdf, "render_pdf", lambda html: b"%PDF-1.7 stand-in")
    client = client_for(admin_user)
    # An object of every model the admin shows.
    evidence_services.evidence_attach(
        assessment=draft, question=draft.questionnaire.questions.get(code="CAP-04"),
        user=agency_admin, membership=agency_admin.membership, title="Staffing plan",
        upload=SimpleUploadedFile("plan.pdf", b"%PDF-1.7 plan"),
    )  # fmt: skip
    answer_questions(draft, agency_admin)
    Notification.objects.create(recipient=agency_admin, kind="submitted", summary="Submitted")
    services.assessment_submit(assessment=draft, user=agency_admin)
    services.assessment_approve(
        assessment=draft,
        user=agency_admin,
        membership=agency_admin.membership,
        attested=True,
        flags_confirmed=True,
    )
    client_for(agency_admin).get(reverse("report_pdf", args=[draft.pk]))  # a cached report
    Client().post(reverse("login"), {"username": "agencyadmin", "password": "wrong"})
    AccessFailureLog.objects.create(username="agencyadmin", path_info="/accounts/login/")
    Group.objects.create(name="Auditors")
    StaticDevice.objects.create(user=agency_admin, name="Recovery codes")
    StateReviewerFactory()
    call_command("load_state_law", stdout=StringIO())
    item = PlanItem.objects.create(
        agency=draft.agency, title="Adopt a staffing plan", created_by=agency_admin
    )
    plan_services.item_update(
        item=item, user=agency_admin, membership=agency_admin.membership, changes={}, note="Begun."
    )
    plan_services.calendar_feed(membership=agency_admin.membership)
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        render_report.enqueue(0)  # a task on the database queue
    object_ids = {}
    for model, model_admin in admin.site._registry.items():
        first = model_admin.get_queryset(RequestFactory().get("/")).first()
        if first is not None:
            object_ids[f"{model._meta.app_label}_{model._meta.model_name}"] = first.pk
    checked, skipped = [], []
    for namespace, name, converters in url_patterns():
        if namespace != "admin" or name == "view_on_site":  # a redirect to the app's own page
            continue
        if name == "app_list":
            kwargs = {"app_label": "assessments"}
        elif converters:
            model = next((key for key in object_ids if name.startswith(f"{key}_")), None)
            if model is None:
                skipped.append(name)
                continue
            kwargs = dict.fromkeys(converters, object_ids[model])
        else:
            kwargs = {}
        response = client.get(reverse(f"admin:{name}", kwargs=kwargs))
        assert response.status_code < 500, name
        assert_safe_headers(response, name, signed_in=True)
        checked.append(name)
    assert skipped == [], "give these models an object above"
    assert len(checked) > 90


def test_the_forbidden_page_reveals_nothing(draft, preparer, client_for):
    response = client_for(preparer).get(reverse("assessment_export_csv", args=[draft.pk]))

    assert response.status_code == 403
    assert_safe_headers(response, "403", signed_in=True)
    html = response.content.decode()
    assert "You are not allowed to do this" in html
    for secret in (draft.title, draft.agency.name, "Only command staff", "Traceback"):
        assert secret not in html


def test_the_too_many_attempts_page_sends_the_same_headers(preparer):
    for _ in range(6):
        response = Client().post(
            reverse("login"), {"username": "preparer", "password": "wrong password"}
        )

    assert response.status_code == 429
    assert_safe_headers(response, "429", signed_in=False)


def test_the_server_error_page_reveals_nothing(draft, preparer, client_for, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("secret detail 4711")

    monkeypatch.setattr(selectors, "sections_progress", fail)
    client = client_for(preparer)
    client.raise_request_exception = False

    response = client.get(reverse("assessment", args=[draft.pk]))

    assert response.status_code == 500
    assert_safe_headers(response, "500", signed_in=True)
    html = response.content.decode()
    assert "Something went wrong" in html
    for secret in ("secret detail 4711", "RuntimeError", "Traceback", draft.title):
        assert secret not in html


def test_the_not_found_page_reveals_nothing(draft, outsider, client_for):
    response = client_for(outsider).get(reverse("assessment", args=[draft.pk]))
    assert response.status_code == 404
    assert_safe_headers(response, "404", signed_in=True)
    html = response.content.decode()
    assert "Page not found" in html
    assert draft.title not in html
    assert "Traceback" not in html


def test_a_body_too_large_to_read_gets_a_page_that_says_so(draft, preparer, client_for, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = client_for(preparer).post(
        reverse("section", args=[draft.pk, "CAP"]), {"note": "x" * 20_000}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "The request could not be read" in html
    assert "Nothing was saved" in html
