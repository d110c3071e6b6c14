"""The production settings: `manage.py check --deploy` is clean, cookies and transport are
protected, and unsafe or missing values stop the server from starting. Each runs manage.py in a
child process with the production environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "k3Yx9-production-like-secret-for-the-check-0123456789-abcdefghijk",
    "DJANGO_ALLOWED_HOSTS": "readiness.example.gov",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "READINESS_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_check_deploy_is_clean_under_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SECRET_KEY"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


@pytest.mark.slow
def test_production_settings_protect_cookies_and_transport():
    values = settings_under(
        PRODUCTION_ENV,
        "DEBUG",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_SSL_REDIRECT",
        "SECURE_PROXY_SSL_HEADER",
        "READINESS_TRUSTED_PROXY_COUNT",
    )

    assert values == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "READINESS_TRUSTED_PROXY_COUNT": 0,
    }


@pytest.mark.slow
def test_a_trusted_proxy_count_and_a_lockout_time_are_read_from_the_environment():
    env = {
        **PRODUCTION_ENV,
        "READINESS_TRUSTED_PROXY_COUNT": "1",
        "READINESS_LOCKOUT_MINUTES": "10",
    }

    values = settings_under(env, "READINESS_TRUSTED_PROXY_COUNT", "AXES_COOLOFF_TIME")

    assert values == {"READINESS_TRUSTED_PROXY_COUNT": 1, "AXES_COOLOFF_TIME": "0:10:00"}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("READINESS_LOCKOUT_MINUTES", "9", "READINESS_LOCKOUT_MINUTES must be 10 or more."),
        ("READINESS_TRUSTED_PROXY_COUNT", "-1", "READINESS_TRUSTED_PROXY_COUNT must be 0 or more."),
        ("READINESS_TRUSTED_PROXY_COUNT", "one", "must be a whole number"),
    ],
)
def test_it_refuses_to_start_with_an_unsafe_setting(variable, value, message):
    result = run_manage("check", env={**PRODUCTION_ENV, variable: value})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def settings_under(env: dict[str, str], *names: str) -> dict:
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {list(names)!r}}}, "
        "default=str))"
    )
    result = run_manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])
