"""The activity and audit pages show times in the configured time zone and say which."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import override_settings
from django.urls import reverse

from audit.models import Event

NOON_UTC = dt.datetime(2026, 7, 1, 17, 0, 0, tzinfo=dt.UTC)


@pytest.fixture
def dated_event(draft):
    event = Event.objects.filter(assessment=draft).get()
    Event.objects.filter(pk=event.pk).update(created_at=NOON_UTC)
    return event


@pytest.mark.parametrize(
    ("zone", "shown"),
    [("America/Chicago", "2026-07-01 12:00:00"), ("UTC", "2026-07-01 17:00:00")],
)
@pytest.mark.parametrize("page", ["activity", "audit"])
def test_times_are_shown_in_the_configured_zone_and_named(
    client_for, command, draft, dated_event, zone, shown, page
):
    url = (
        reverse("assessment_activity", args=[draft.pk])
        if page == "activity"
        else reverse("agency_audit")
    )
    with override_settings(TIME_ZONE=zone):
        html = client_for(command).get(url).content.decode()

    assert f'<th scope="col">When ({zone})</th>' in html
    assert re.search(rf"<td>{shown}</td>", html)
