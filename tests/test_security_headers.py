"""Headers, production settings and error pages."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "k3Yx9-production-like-secret-for-the-check-0123456789-abcdefghijk",
    "DJANGO_ALLOWED_HOSTS": "readiness.example.gov",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_under_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SECRET_KEY"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


@pytest.fixture
def pages(draft):
    return [
        reverse("dashboard"),
        reverse("assessment", args=[draft.pk]),
        reverse("section", args=[draft.pk, "CAP"]),
        reverse("assessment_results", args=[draft.pk]),
        reverse("assessment_activity", args=[draft.pk]),
        reverse("method"),
    ]


def test_every_page_sends_a_strict_content_security_policy(pages, preparer, client_for, client):
    responses = [client_for(preparer).get(url) for url in pages]
    responses.append(client.get(reverse("login")))
    for response in responses:
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
            assert directive in policy
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script(pages, preparer, client_for):
    client = client_for(preparer)
    for url in pages:
        html = client.get(url).content.decode()
        inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html)
        assert inline == [], f"{url} has inline script: {inline}"
        assert " style=" not in html, f"{url} has an inline style attribute"


def test_agency_pages_are_never_stored_by_browsers(pages, preparer, client_for):
    client = client_for(preparer)
    for url in pages:
        assert "no-store" in client.get(url)["Cache-Control"]


def test_the_not_found_page_reveals_nothing(draft, outsider, client_for):
    response = client_for(outsider).get(reverse("assessment", args=[draft.pk]))
    assert response.status_code == 404
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
