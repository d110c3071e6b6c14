"""The demo publishes Example County's approved 2026 review and prints its public addresses."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from community.models import SummaryVersion
from tests.pages import text_of


@pytest.mark.slow
def test_the_demo_summary_is_published_once_and_opens_signed_out(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    out = StringIO()

    call_command("seed_demo_summary", stdout=out)
    call_command("seed_demo_summary", stdout=StringIO())

    assert SummaryVersion.objects.count() == 1
    english, spanish = re.findall(r"http://\S+(/p/\S+/)", out.getvalue())
    assert spanish == english + "es/"
    page = text_of(Client().get(english).content.decode())
    assert "Example County Sheriff's Office" in page and "(555) 010-0100" in page
    assert "No steering committee with community members has been formed yet." in page
    page_es = text_of(Client().get(spanish).content.decode())
    assert "Oficina de Información Pública" in page_es
    assert "Preparación para un acuerdo 287(g)" in page_es
