"""The demo data: three agencies, seven accounts (a state reviewer among them), five
assessments, created once; the Texas reviewer sees Example County and no other agency."""

from __future__ import annotations

import base64
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.models import Agency
from assessments import selectors
from assessments.management.commands.seed_demo import DEMO_TOTP_SECRET
from assessments.models import Answer, Assessment, ScoreSnapshot
from audit.models import Event
from plans.models import PlanItem

EXAMPLE = "Example County Sheriff's Office"
SAMPLE = "Sample County Sheriff's Office"
LAKEVIEW = "Lakeview County Sheriff's Office"
DEMO_PASSWORD = "readiness-demo"

# Each test runs the seed command (three agencies, seven accounts, five assessments).
pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def seed(*args: str) -> str:
    out = StringIO()
    with override_settings(DEBUG=True):
        call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def assessments_progress(assessments) -> dict[int, selectors.Progress]:
    """Answered / applicable, as the dashboard shows them (from each assessment's result)."""
    results = selectors.assessments_results(assessments)
    return {pk: selectors.Progress(r.answered, r.applicable) for pk, r in results.items()}


def counts() -> dict[str, int]:
    return {
        "agencies": Agency.objects.count(),
        "users": get_user_model().objects.count(),
        "assessments": Assessment.objects.count(),
        "answers": Answer.objects.count(),
        "events": Event.objects.count(),
        "snapshots": ScoreSnapshot.objects.count(),
    }


def test_it_creates_the_three_agencies():
    seed()

    assert sorted(Agency.objects.values_list("name", flat=True)) == [EXAMPLE, LAKEVIEW, SAMPLE]
    assert Agency.objects.get(name=LAKEVIEW).state == "TX"


@pytest.mark.parametrize(
    ("username", "agency", "role"),
    [
        ("preparer", EXAMPLE, "preparer"),
        ("command", EXAMPLE, "command"),
        ("agencyadmin", EXAMPLE, "agency_admin"),
        ("other", SAMPLE, "command"),
        ("lakeview", LAKEVIEW, "agency_admin"),
    ],
)
def test_it_creates_the_agency_accounts(username, agency, role):
    seed()

    user = get_user_model().objects.get(username=username)
    assert user.check_password(DEMO_PASSWORD)
    assert user.membership.agency.name == agency
    assert user.membership.role == role
    assert not user.is_staff


def test_it_creates_a_site_administrator_without_an_agency():
    seed()

    admin = get_user_model().objects.get(username="admin")
    assert admin.check_password(DEMO_PASSWORD)
    assert admin.is_superuser and admin.is_staff
    assert not hasattr(admin, "membership")
    assert get_user_model().objects.count() == 7


def test_example_county_has_a_partly_answered_draft():
    seed()

    draft = Assessment.objects.get(agency__name=EXAMPLE, status=Assessment.Status.DRAFT)
    progress = assessments_progress([draft])[draft.pk]
    assert 0 < progress.answered < progress.applicable
    assert draft.answers.filter(not_applicable=True).exclude(na_reason="").exists()
    assert draft.answers.filter(flagged=True).exists()


def test_example_county_has_two_approved_assessments_a_year_apart():
    seed()

    earlier, approved = Assessment.objects.filter(
        agency__name=EXAMPLE, status=Assessment.Status.APPROVED
    ).order_by("approved_at")
    assert (earlier.title, approved.title) == ("2025 readiness review", "2026 readiness review")
    assert 360 <= (approved.approved_at - earlier.approved_at).days <= 370
    assert approved.approved_by.username == "command"
    assert approved.snapshot.result
    progress = assessments_progress([approved])[approved.pk]
    assert progress.complete
    assert Assessment.objects.filter(agency__name=EXAMPLE).count() == 3
    assert selectors.comparison_baseline(approved) == earlier


def test_example_county_has_a_plan_with_items_in_every_status():
    seed()

    statuses = set(PlanItem.objects.filter(agency__name=EXAMPLE).values_list("status", flat=True))
    assert statuses == {"open", "in_progress", "done", "wont_do"}
    assert any(item.overdue for item in PlanItem.objects.all())
    assert PlanItem.objects.filter(owner__username="preparer").exists()


def test_sample_county_has_one_draft():
    seed()

    assessments = Assessment.objects.filter(agency__name=SAMPLE)
    assert [a.status for a in assessments] == [Assessment.Status.DRAFT]
    assert assessments[0].models == {"TFM"}


def test_running_it_twice_changes_nothing():
    seed()
    first = counts()

    seed()

    assert counts() == first
    assert first["agencies"] == 3
    assert first["users"] == 7
    assert first["assessments"] == 5


def test_it_refuses_to_run_with_debug_off():
    with override_settings(DEBUG=False), pytest.raises(CommandError, match="DJANGO_DEBUG=1"):
        call_command("seed_demo", stdout=StringIO())

    assert counts() == dict.fromkeys(counts(), 0)


def test_it_runs_with_debug_off_when_forced():
    out = StringIO()

    with override_settings(DEBUG=False):
        call_command("seed_demo", "--force", stdout=out)

    assert "Demo data is ready." in out.getvalue()
    assert Agency.objects.count() == 3


def test_it_prints_the_demo_logins():
    output = seed()

    assert "password for every account: readiness-demo" in output
    for username in ["preparer", "command", "agencyadmin", "other", "lakeview", "admin"]:
        assert f"  {username} " in output
    assert "JBSWY3DPEHPK3PXP" in output  # the key the README tells people to type
    assert "  txreviewer   Alex Morgan, State reviewer for TX" in output


@pytest.mark.parametrize(
    ("username", "has_device"),
    [
        ("command", True),
        ("agencyadmin", True),
        ("admin", True),
        ("lakeview", True),
        ("txreviewer", True),
        ("preparer", False),
        ("other", False),
    ],
)
def test_the_demo_authenticator_key_belongs_to_command_and_administrators(username, has_device):
    seed()

    devices = TOTPDevice.objects.filter(user__username=username)
    if has_device:
        [device] = devices
        assert device.confirmed
        assert base64.b32encode(device.bin_key).decode() == "JBSWY3DPEHPK3PXP"
    else:
        assert not devices.exists()


def test_command_sees_both_example_county_assessments_after_signing_in():
    seed()
    client = Client()

    response = client.post(
        reverse("login"), {"username": "command", "password": DEMO_PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0].startswith(reverse("mfa_verify"))
    # The demo authenticator secret, printed with the demo logins, gives the current code.
    code = totp(base64.b32decode(DEMO_TOTP_SECRET))
    response = client.post(
        response.redirect_chain[-1][0], {"code": f"{code:06d}", "next": "/"}, follow=True
    )

    content = response.content.decode()
    assert response.redirect_chain == [("/", 302)]
    assert "2026 readiness review" in content
    assert "2027 readiness review" in content
    assert "Task force readiness review" not in content


def test_the_approved_review_has_evidence_a_reviewer_can_open():
    seed()

    approved = Assessment.objects.get(title="2026 readiness review")
    files = approved.evidence.filter(kind="file")
    assert files.count() == 3 and approved.evidence.filter(kind="reference").count() == 1
    client = Client()
    client.force_login(get_user_model().objects.get(username="preparer"))
    response = client.get(reverse("evidence_download", args=[files.first().pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-1.4")


def test_the_demo_review_moves_whole_into_sample_county():
    from assessments.bundle import export_bundle, read_bundle
    from assessments.transfer import import_assessment_data

    seed()
    approved = Assessment.objects.get(title="2026 readiness review")
    sample = Agency.objects.get(name=SAMPLE)
    other = get_user_model().objects.get(username="other")

    data, files = read_bundle(export_bundle(assessment=approved))
    copy_ = import_assessment_data(data=data, agency=sample, user=other, files=files).assessment

    def answers(assessment):
        return sorted(assessment.answers.values_list("question__code", "value", "note"))

    def evidence(assessment):
        return sorted(
            (e.question.code, e.title, e.sha256, e.file.open("rb").read() if e.file else b"")
            for e in assessment.evidence.all()
        )

    assert answers(copy_) == answers(approved)
    assert copy_.snapshot.result == approved.snapshot.result
    assert evidence(copy_) == evidence(approved) and len(evidence(copy_)) == 4
    client = Client()
    client.force_login(other)
    client.force_login(other)
    session = client.session
    from django_otp import DEVICE_ID_SESSION_KEY

    from tests.factories import totp_device

    session[DEVICE_ID_SESSION_KEY] = totp_device(other).persistent_id
    session.save()
    assert client.get(reverse("assessment_activity", args=[copy_.pk])).status_code == 200


def signed_in(username: str) -> Client:
    """A client signed in as `username` with the demo password and the demo authenticator."""
    client = Client()
    response = client.post(
        reverse("login"), {"username": username, "password": DEMO_PASSWORD}, follow=True
    )
    code = totp(base64.b32decode(DEMO_TOTP_SECRET))
    client.post(response.redirect_chain[-1][0], {"code": f"{code:06d}", "next": "/"})
    return client


def test_the_texas_reviewer_sees_example_county_and_no_other_agency():
    seed()
    client = signed_in("txreviewer")

    response = client.get("/", follow=True)

    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("state_overview")
    assert EXAMPLE.replace("'", "&#x27;") in page
    assert "Lakeview" not in page  # Texas too, approved, but not sharing
    assert "Sample County" not in page  # North Carolina
    assert "2026 readiness review" in client.get(reverse("state_csv")).content.decode()
    for name in (LAKEVIEW, SAMPLE):
        agency = Agency.objects.get(name=name)
        assert client.get(reverse("state_compare", args=[agency.pk])).status_code == 404


def test_only_example_county_shares_and_its_administrators_see_the_reviewer_s_views():
    seed()
    assert list(Agency.objects.filter(shares_with_state=True).values_list("name", flat=True)) == [
        EXAMPLE
    ]
    signed_in("txreviewer").get(reverse("state_overview"))

    log = signed_in("agencyadmin").get(reverse("agency_audit")).content.decode()

    assert "Viewed by the state reviewer" in log
    assert "Alex Morgan" in log
