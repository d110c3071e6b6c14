"""One writer of the audit trail, one payload shape per kind."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from audit.models import PAYLOADS, Event
from audit.services import event_record, upgraded_payload

ROOT = Path(__file__).resolve().parents[2]
APPS = ["accounts", "agencies", "assessments", "audit", "questionnaires", "reports", "readiness"]


def test_every_kind_has_its_payload_shape_documented():
    assert set(PAYLOADS) == set(Event.Kind.values)


def test_only_the_audit_services_create_events():
    writes = re.compile(
        r"Event\.objects\.(create|bulk_create|get_or_create|update_or_create)|(?<!class )\bEvent\("
    )
    offenders = [
        str(path.relative_to(ROOT))
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
        and path != ROOT / "audit" / "services.py"
        and writes.search(path.read_text())
    ]
    assert offenders == []


def test_no_model_save_or_signal_reads_the_request_for_the_address():
    source = (ROOT / "audit" / "models.py").read_text()
    assert "def save(" not in source
    assert not list((ROOT).glob("*/audit.py")), "a second audit module"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "fields", "problem"),
    [
        (Event.Kind.REPORT_DOWNLOADED, {"new": {"export": "json", "revision": 1}}, "new"),
        (Event.Kind.ROLE_CHANGED, {"old": {"role": "preparer"}}, "new"),
        (Event.Kind.SIGNED_IN, {"new": {"role": "x"}}, "takes no"),
        (Event.Kind.MEMBER_ADDED, {"new": {"role": "preparer"}}, "username"),
        ("made_up", {}, "Unknown event kind"),
    ],
)
def test_a_payload_of_another_shape_is_refused(kind, fields, problem):
    with pytest.raises(ValueError, match=problem):
        event_record(kind=kind, ip_address=None, **fields)
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_the_address_is_the_one_passed_in(agency):
    event = event_record(kind=Event.Kind.SIGNED_IN, agency_id=agency.pk, ip_address="192.0.2.5")

    event.refresh_from_db()
    assert event.ip_address == "192.0.2.5"


def test_older_payloads_are_read_in_todays_shapes():
    assert upgraded_payload(
        "report_downloaded", None, {"export": "csv", "revision": 2, "status": "draft"}
    ) == ("answers_csv_downloaded", None, {"revision": 2, "status": "draft"})
    assert upgraded_payload("role_changed", {"is_superuser": False}, {"is_superuser": True})[0] == (
        "site_role_changed"
    )
    assert upgraded_payload("role_changed", {"role": "a"}, {"role": "b"})[0] == "role_changed"
