"""Two app servers and one report worker on one PostgreSQL database, as a larger installation
runs them: a session, a lockout, a report and a role change hold across servers.

PostgreSQL only (CI runs it; `DATABASE_URL` names the server). The test makes its own database
beside pytest's, fills it with the demo data through `manage.py`, and starts two gunicorn
servers (production settings) and one `manage.py db_worker`, all on loopback.
"""

from __future__ import annotations

import base64
import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings
from django_otp.oath import totp

REPO = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "readiness-demo"
DEMO_KEY = "JBSWY3DPEHPK3PXP"  # the demo's published authenticator key
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="needs PostgreSQL (DATABASE_URL): servers on several machines share one",
    ),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def database_url():
    import psycopg

    server = urlsplit(os.environ["DATABASE_URL"])
    base = f"{server.scheme}://{server.netloc}"
    name = f"readiness_multi_{secrets.token_hex(4)}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    yield f"{base}/{name}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="module")
def installation(database_url, tmp_path_factory):
    """Servers A and B and a worker; yields their ports."""
    root = tmp_path_factory.mktemp("multi")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "readiness.settings.base",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),  # the same on every server
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_STATIC_ROOT": str(root / "static"),
        "DJANGO_LOG_LEVEL": "WARNING",
        # No mail server here: the worker delivers the notifications' mail to memory.
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "READINESS_EVIDENCE_DIR": str(root / "evidence"),
    }
    python = sys.executable

    def manage(*args: str) -> None:
        subprocess.run([python, "manage.py", *args], cwd=REPO, env=env, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip

    for command in (["migrate", "--noinput"], ["load_questionnaire"], ["load_state_law"],
                    ["seed_demo", "--force"], ["collectstatic", "--noinput"]):  # fmt: skip
        manage(*command)
    ports = [free_port(), free_port()]
    logs = [open(root / f"{name}.log", "w") for name in ("a", "b", "worker")]  # noqa: SIM115
    gunicorn = str(Path(python).with_name("gunicorn"))
    processes = [
        subprocess.Popen(
            [gunicorn, "readiness.wsgi", "-w", "1", "--threads", "4", "-b", f"127.0.0.1:{port}"],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        for port, log in zip(ports, logs, strict=False)
    ]
    processes.append(
        subprocess.Popen(
            [python, "manage.py", "db_worker", "--no-reload", "--interval", "0.2"],
            cwd=REPO,
            env=env,
            stdout=logs[2],
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    )
    try:
        for port in ports:
            wait_until_up(port)
        yield {"a": ports[0], "b": ports[1]}
    finally:
        for process in processes:
            process.send_signal(signal.SIGINT if process is processes[-1] else signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in logs:
            log.close()
        for name in ("a", "b", "worker"):
            assert "Traceback" not in (root / f"{name}.log").read_text(), name


def wait_until_up(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"no server answered on port {port}")


class Browser:
    """One person's cookies, used against whichever server `on` names."""

    def __init__(self, servers: dict[str, int]) -> None:
        self.servers = servers
        self.cookies: dict[str, str] = {}

    def request(self, on: str, method: str, path: str, data=None) -> tuple[int, str, bytes]:
        port = self.servers[on]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Host": "127.0.0.1"}
        body = urlencode(data) if data is not None else None
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        content = response.read()
        for header in response.msg.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        conn.close()
        return response.status, response.getheader("Location") or "", content

    def get(self, on: str, path: str):
        return self.request(on, "GET", path)

    def post_form(self, on: str, path: str, data: dict):
        """Load the form at `path` on that server, then post it with its CSRF token."""
        _, _, page = self.get(on, path)
        token = CSRF.search(page.decode()).group(1)
        return self.request(on, "POST", path, {"csrfmiddlewaretoken": token, **data})

    def sign_in(self, on: str, username: str, password: str = DEMO_PASSWORD):
        return self.post_form(on, "/accounts/login/", {"username": username, "password": password})

    def enter_code(self, on: str) -> None:
        key = base64.b32decode(DEMO_KEY)
        code = f"{totp(key):06d}"
        status, _, _ = self.post_form(on, "/accounts/two-step/", {"code": code})
        assert status == 302


def demo_draft_path(browser: Browser, on: str) -> str:
    _, _, page = browser.get(on, "/")
    return re.search(r'href="(/assessments/\d+/)"', page.decode()).group(1)


def test_a_session_started_on_one_server_goes_on_on_the_other(installation):
    browser = Browser(installation)
    status, _, _ = browser.sign_in("a", "preparer")
    assert status == 302

    status, _, page = browser.get("b", "/")

    assert status == 200
    assert "Maria Lopez" in page.decode()


def test_failed_sign_ins_on_both_servers_lock_the_username(installation):
    statuses = [
        Browser(installation).sign_in(on, "other", "not the password")[0]
        for on in ("a", "b", "a", "b", "a")
    ]
    # Four refusals, then the fifth failure in a row (across both servers) locks the username.
    assert statuses == [200, 200, 200, 200, 429]

    status, _, page = Browser(installation).sign_in("b", "other")

    assert status == 429
    assert "Sign-in for this account is paused" in " ".join(page.decode().split())


def test_a_report_made_by_the_worker_downloads_from_both_servers(installation):
    browser = Browser(installation)
    browser.sign_in("a", "preparer")
    report = demo_draft_path(browser, "a") + "report.pdf"

    status, location, _ = browser.get("a", report)
    assert status == 302 and location.endswith("/report/")
    deadline = time.monotonic() + 90
    while "Your report is ready" not in browser.get("b", location)[2].decode():
        assert time.monotonic() < deadline, "the worker did not make the report"
        time.sleep(0.5)

    downloads = [browser.get(on, report) for on in ("a", "b")]
    assert [status for status, _, _ in downloads] == [200, 200]
    assert downloads[0][2].startswith(b"%PDF") and downloads[0][2] == downloads[1][2]


def test_a_role_change_on_one_server_shows_on_the_other_at_the_next_request(
    installation, database_url
):
    import psycopg

    member = Browser(installation)
    member.sign_in("b", "preparer")
    draft = demo_draft_path(member, "b")
    assert member.get("b", draft)[0] == 200
    with psycopg.connect(database_url) as conn:
        (membership_id,) = conn.execute(
            "SELECT m.id FROM assessments_membership m JOIN auth_user u ON u.id = m.user_id "
            "WHERE u.username = 'preparer'"
        ).fetchone()
    admin = Browser(installation)
    admin.sign_in("a", "agencyadmin")
    admin.enter_code("a")
    _, _, page = admin.get("a", "/agency/members/")
    token = CSRF.search(page.decode()).group(1)

    status, _, _ = admin.request(
        "a",
        "POST",
        f"/agency/members/{membership_id}/role/",
        {"csrfmiddlewaretoken": token, "role": "command"},
    )
    assert status == 302

    # Command staff must use two-step sign-in: B's next page sends them to set it up.
    status, location, _ = member.get("b", draft)
    assert status == 302
    assert location.startswith("/accounts/two-step/setup/")


def test_twelve_report_downloads_at_once_are_never_refused(installation):
    browser = Browser(installation)
    browser.sign_in("a", "command")
    browser.enter_code("a")
    _, _, page = browser.get("a", "/")
    assessments = sorted(set(re.findall(r'href="(/assessments/\d+/)"', page.decode())))
    assert len(assessments) >= 3
    asks = [
        (("a", "b")[n % 2], assessments[n % len(assessments)] + "report.pdf") for n in range(12)
    ]
    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(lambda ask: browser.get(*ask), asks))

    # Each is the PDF or the page that waits for it: none is turned away.
    assert all(status in (200, 302) for status, _, _ in answers), [a[0] for a in answers]
    deadline = time.monotonic() + 120
    for on, report in asks:
        while browser.get(on, report)[0] != 200:
            assert time.monotonic() < deadline, f"{report} was never made"
            time.sleep(0.5)
