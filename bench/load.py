"""A bounded load test: staff of several agencies signing in, opening sections and saving answers
against the app served by gunicorn with PostgreSQL, all on loopback.

Run from the repository root: `.venv/bin/python bench/load.py` (defaults: 50 users across 10
agencies for 120 seconds). It needs a PostgreSQL server reachable on a loopback address; the
default is postgres://postgres@127.0.0.1:5432, and `--server` names another (no database name:
the script makes its own).

What it does:
  1. drops and creates its own database (`readiness_load` by default), migrates it, loads the
     shipped questionnaire and creates the agencies, one draft assessment per agency (every
     287(g) model, so every question is asked) and the preparers (no two-step sign-in);
  2. starts `gunicorn readiness.wsgi -w 4 --preload` (sync workers, as the README deploys it;
     `--threads N` tries threaded workers) on 127.0.0.1 with the production settings (debug off,
     collected static files), plain HTTP on loopback;
  3. runs one thread per user for `--seconds`, the users starting over the first `--ramp-up`
     seconds: sign in through the login form (full password hashing), then over and
     over open the overview, open a random section, change one to three answers and post the
     whole section form as a browser does (CSRF token, every field of the page), follow the
     redirect. The users of one agency share one assessment and save the same sections at the
     same time; each question has one owner among them, so the last save its owner was told
     succeeded must be the stored answer. Requests per user are bounded by `--max-requests`;
  4. stops gunicorn and prints requests per second, latency percentiles, errors (exceptions,
     5xx, any status a browser would not expect), then reads the database: every answer the
     clients were told was saved must be stored (value, N/A, reason, note, flag), and each
     reported save must be in the audit trail. It prints the lost answers.

The exit status is 0 only with no error and no lost answer.
"""

from __future__ import annotations

import argparse
import html
import http.client
import ipaddress
import os
import random
import re
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import _setup

PASSWORD = "load-test-password-2027"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"
LOOPBACK_NAMES = {"localhost"}
SOCKET_TIMEOUT = 60
NOTE_WORDS = ["binder 4", "counsel", "ملاحظة", "שלום", "👮", "Lt. O'Hara", "<v2>", "&", "\u202eRTL"]

INPUT_TAG = re.compile(r"<input\b([^>]*)>")
TEXTAREA = re.compile(r'<textarea\b[^>]*\bname="(q\d+-\w+)"[^>]*>(.*?)</textarea>', re.S)
ATTRIBUTE = re.compile(r'([\w-]+)(?:="([^"]*)")?')
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CONFLICT_BLOCK = re.compile(r'id="conflict-summary".*?</div>', re.S)
CONFLICT_CODE = re.compile(r'<a href="#([A-Z]+-\d+)">')


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


# Setting up the database


def recreate_database(server_url: str, name: str) -> str:
    import psycopg

    parts = urlsplit(server_url)
    if not is_loopback(parts.hostname or ""):
        raise SystemExit(
            f"The database server must be on a loopback address, not {parts.hostname}."
        )
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"Use a plain lower-case database name, not {name!r}.")
    try:
        conn = psycopg.connect(f"{parts.scheme}://{parts.netloc}/postgres", autocommit=True)
    except psycopg.OperationalError as error:
        raise SystemExit(
            f"PostgreSQL is not reachable at {parts.netloc}: start it or pass --server. ({error})"
        ) from error
    with conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return f"{parts.scheme}://{parts.netloc}/{name}"


def drop_database(server_url: str, name: str) -> None:
    import psycopg

    parts = urlsplit(server_url)
    with psycopg.connect(f"{parts.scheme}://{parts.netloc}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@dataclass
class Staff:
    username: str
    agency_index: int
    owner_index: int  # this user's place among the agency's users: it owns every n-th question
    owners: int  # users in the agency
    assessment_id: int


def seed(users: int, agencies: int) -> tuple[list[Staff], dict[int, dict[str, list]]]:
    """Agencies, their assessments and preparers. Returns the staff and, per assessment, the
    applicable questions of each section in page order."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from agencies.models import Agency, Membership, Role
    from assessments import services

    questionnaire = _setup.load_shipped_questionnaire()
    # One hash for every account: hashing costs a third of a second, and sign-in still pays it.
    password_hash = make_password(PASSWORD)
    User = get_user_model()
    staff, layout = [], {}
    per_agency = defaultdict(list)
    for number in range(users):
        per_agency[number % agencies].append(number)
    for agency_index in range(agencies):
        agency = Agency.objects.create(
            name=f"Load County {agency_index + 1} Sheriff's Office",
            state="TX",
            county=f"Load County {agency_index + 1}",
            operates_jail=True,
        )
        command = User.objects.create_user(username=f"load-command-{agency_index + 1}")
        membership = Membership.objects.create(user=command, agency=agency, role=Role.COMMAND)
        assessment = services.assessment_start(
            agency=agency,
            user=command,
            membership=membership,
            title="Load test review",
            models=["JEM", "TFM", "WSO"],
        )
        assert assessment.questionnaire_id == questionnaire.pk
        sections: dict[str, list] = defaultdict(list)
        for question in assessment.applicable_questions().select_related("section"):
            sections[question.section.code].append((question.pk, question.answer_type))
        layout[assessment.pk] = dict(sections)
        members = per_agency[agency_index]
        for owner_index in range(len(members)):
            user = User.objects.create(
                username=f"load-{agency_index + 1}-{owner_index + 1}",
                password=password_hash,
                first_name=f"Preparer {owner_index + 1}",
                last_name=f"Agency {agency_index + 1}",
            )
            Membership.objects.create(user=user, agency=agency, role=Role.PREPARER)
            staff.append(
                Staff(
                    username=user.username,
                    agency_index=agency_index,
                    owner_index=owner_index,
                    owners=len(members),
                    assessment_id=assessment.pk,
                )
            )
    return staff, layout


# The server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(database: dict[str, str], port: int, workers: int, threads: int, log_path: Path):
    """gunicorn with the production settings on `database` (`DATABASE_URL`, or
    `DJANGO_SQLITE_PATH` for SQLite); returns the process and its open log file."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if not gunicorn.exists():
        gunicorn = Path(shutil.which("gunicorn") or "gunicorn")
    # Production settings (debug off, hashed static files), except HTTPS: this is loopback.
    static_root = log_path.parent / "static"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DATABASE_URL": "",
        **database,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_STATIC_ROOT": str(static_root),
        "DJANGO_LOG_LEVEL": "WARNING",
        # No mail server here: the worker delivers the notifications' mail to memory.
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "DJANGO_SETTINGS_MODULE": "readiness.settings.base",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=_setup.REPO_ROOT,
        env=env,
        check=True,
    )
    log = open(log_path, "w")  # noqa: SIM115 - closed by stop_gunicorn
    process = subprocess.Popen(
        [
            str(gunicorn),
            "readiness.wsgi",
            "-w",
            str(workers),
            "--threads",
            str(threads),
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            # Import the app once before forking: every worker answers from the first request.
            "--preload",
        ],
        cwd=_setup.REPO_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}; see {log_path}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/accounts/login/")
            if conn.getresponse().status == 200:
                conn.close()
                return process, log
        except OSError:
            time.sleep(0.25)
    process.kill()
    raise SystemExit(f"gunicorn did not answer within 60 seconds; see {log_path}")


def stop_gunicorn(process, log) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.close()


# One simulated user


@dataclass
class Sample:
    kind: str
    seconds: float
    status: int


@dataclass
class Outcome:
    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # (assessment, question) -> content the server said it saved, in the order of the saves
    saved: dict[tuple[int, int], list[dict]] = field(default_factory=lambda: defaultdict(list))
    uncertain: set[tuple[int, int]] = field(default_factory=set)
    conflicts: int = 0
    reconnects: int = 0
    saves: int = 0


class RequestFailed(Exception):
    pass


class Browser:
    """Just enough of a browser: one keep-alive connection, cookies, form posts."""

    def __init__(self, port: int, outcome: Outcome) -> None:
        self.port = port
        self.outcome = outcome
        self.cookies: dict[str, str] = {}
        self.conn = self._connect()

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=SOCKET_TIMEOUT)

    def close(self) -> None:
        self.conn.close()

    def request(self, kind: str, method: str, path: str, data=None) -> tuple[int, str, str]:
        body = urlencode(data) if data is not None else None
        headers = {"Host": f"127.0.0.1:{self.port}", "User-Agent": "readiness-load/1"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                content = response.read().decode("utf-8")
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection as the request left: a browser
                # retries once on a new connection (a repeated save changes nothing).
                self.conn.close()
                self.conn = self._connect()
                self.outcome.reconnects += 1
                if attempt == 2:
                    raise
        elapsed = time.perf_counter() - started
        for header in response.msg.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        self.outcome.samples.append(Sample(kind, elapsed, response.status))
        if response.status >= 500:
            raise RequestFailed(f"{method} {path}: {response.status}")
        return response.status, response.getheader("Location") or "", content


def page_fields(content: str) -> dict[str, str]:
    """The question fields of a section page as a browser would post them."""
    fields = {}
    for match in INPUT_TAG.finditer(content):
        attributes = {k: html.unescape(v or "") for k, v in ATTRIBUTE.findall(match.group(1))}
        name = attributes.get("name", "")
        if not re.match(r"q\d+-", name):
            continue
        if attributes.get("type") in ("radio", "checkbox"):
            if "checked" in attributes:
                fields[name] = attributes.get("value") or "on"
        else:
            fields[name] = attributes.get("value", "")
    for name, text in TEXTAREA.findall(content):
        fields[name] = html.unescape(text)
    return fields


def csrf_token(content: str) -> str:
    found = CSRF_INPUT.search(content)
    if not found:
        raise RequestFailed("no CSRF token on the page")
    return found.group(1)


def typed_answer(answer_type: str, rng: random.Random, label: str) -> dict:
    """A new answer as the user would type it; the note is unique to this save."""
    words = " ".join(rng.sample(NOTE_WORDS, 3))
    note = f"{label}: {words}" + ("\r\nSecond line." if rng.random() < 0.3 else "")
    content = {"value": "", "not_applicable": False, "na_reason": "", "note": note}
    content["flagged"] = rng.random() < 0.2
    if rng.random() < 0.1:
        content.update(not_applicable=True, na_reason=f"Not used here ({label}).")
    elif answer_type == "choice":
        content["value"] = rng.choice(["yes", "partial", "no"])
    elif answer_type == "scale":
        content["value"] = str(rng.randint(0, 4))
    elif answer_type == "number":
        content["value"] = str(rng.randint(0, 50_000))
    else:
        content["value"] = f"Kept by the records unit ({label})."
    return content


def fill(fields: dict[str, str], question_id: int, answer_type: str, content: dict) -> None:
    prefix = f"q{question_id}"
    radio = answer_type in ("choice", "scale")
    if content["not_applicable"]:
        if radio:
            fields[f"{prefix}-value"] = "na"
        else:
            fields[f"{prefix}-value"] = ""
            fields[f"{prefix}-na"] = "on"
    else:
        fields[f"{prefix}-value"] = content["value"]
        fields.pop(f"{prefix}-na", None)
    fields[f"{prefix}-na_reason"] = content["na_reason"]
    fields[f"{prefix}-note"] = content["note"]
    if content["flagged"]:
        fields[f"{prefix}-flagged"] = "on"
    else:
        fields.pop(f"{prefix}-flagged", None)


def simulate(
    person: Staff,
    layout: dict[str, list],
    port: int,
    deadline: float,
    max_requests: int,
    seed_value: int,
    outcome: Outcome,
    delay: float,
) -> None:
    rng = random.Random(seed_value)
    time.sleep(delay)  # staff do not all sign in at the same instant
    browser = Browser(port, outcome)
    overview = f"/assessments/{person.assessment_id}/"
    try:
        _, _, page = browser.request("sign-in page", "GET", "/accounts/login/")
        status, location, _ = browser.request(
            "sign in",
            "POST",
            "/accounts/login/",
            {
                "username": person.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": csrf_token(page),
            },
        )
        if status != 302 or location != "/":
            raise RequestFailed(f"sign-in answered {status} {location!r}")
        sequence = 0
        while time.monotonic() < deadline and len(outcome.samples) < max_requests:
            status, _, _ = browser.request("overview", "GET", overview)
            if status != 200:
                raise RequestFailed(f"overview answered {status}")
            code = rng.choice(sorted(layout))
            section_path = f"{overview}sections/{code}/"
            status, _, page = browser.request("section page", "GET", section_path)
            if status != 200:
                raise RequestFailed(f"section page answered {status}")
            mine = [
                (qid, answer_type)
                for index, (qid, answer_type) in enumerate(layout[code])
                if index % person.owners == person.owner_index
            ]
            if not mine:
                continue
            fields = page_fields(page)
            changes = {}
            for question_id, answer_type in rng.sample(mine, min(len(mine), rng.randint(1, 3))):
                sequence += 1
                content = typed_answer(answer_type, rng, f"{person.username} #{sequence}")
                fill(fields, question_id, answer_type, content)
                changes[question_id] = content
            data = {**fields, "csrfmiddlewaretoken": csrf_token(page), "save": ""}
            save_outcome(browser, person, section_path, data, changes, outcome)
    except (RequestFailed, OSError, http.client.HTTPException) as error:
        outcome.errors.append(f"{person.username}: {type(error).__name__}: {error}")
    finally:
        browser.close()


def save_outcome(browser, person, section_path, data, changes, outcome) -> None:
    keys = {(person.assessment_id, qid) for qid in changes}
    try:
        status, location, page = browser.request("save", "POST", section_path, data)
    except BaseException:
        outcome.uncertain |= keys  # the answer may or may not have been stored
        raise
    outcome.saves += 1
    if status == 409:
        # Only for questions of others; each user owns its own. Keep the saved ones.
        outcome.conflicts += 1
        block = CONFLICT_BLOCK.search(page)
        conflicted = set(CONFLICT_CODE.findall(block.group(0))) if block else set()
        outcome.errors.append(f"{person.username}: unexpected conflict on {sorted(conflicted)}")
        outcome.uncertain |= keys
        return
    if status != 302 or location != section_path:
        outcome.uncertain |= keys
        raise RequestFailed(f"save answered {status} {location!r}")
    for question_id, content in changes.items():
        outcome.saved[(person.assessment_id, question_id)].append(content)
    status, _, _ = browser.request("section page", "GET", location)
    if status != 200:
        raise RequestFailed(f"section page after saving answered {status}")


# Checking the database


def expected(content: dict) -> dict:
    """What the app stores for a posted answer: surrounding white space is trimmed."""
    return {
        key: value.strip() if isinstance(value, str) else value for key, value in content.items()
    }


def lost_answers(outcomes: list[Outcome]) -> tuple[int, list[str], int]:
    """Compare every answer the clients were told was saved with the database."""
    from assessments.models import Answer
    from audit.models import Event

    last_saved: dict[tuple[int, int], dict] = {}
    every_save: list[tuple[tuple[int, int], dict]] = []
    uncertain = set()
    for outcome in outcomes:
        uncertain |= outcome.uncertain
        for key, contents in outcome.saved.items():
            last_saved[key] = contents[-1]  # each question has one owner: its saves are in order
            every_save.extend((key, content) for content in contents)
    stored = {
        (a.assessment_id, a.question_id): a
        for a in Answer.objects.filter(assessment_id__in={key[0] for key in last_saved})
    }
    lost = []
    for key, content in sorted(last_saved.items()):
        if key in uncertain:
            continue  # a later save's outcome is unknown; the audit trail check below still holds
        answer = stored.get(key)
        want = expected(content)
        have = {name: getattr(answer, name) for name in want} if answer else None
        if have != want:
            lost.append(f"assessment {key[0]} question {key[1]}: told saved {want}, stored {have}")
    recorded = Counter()
    for event in Event.objects.filter(kind=Event.Kind.ANSWER_CHANGED).values_list(
        "assessment_id", "question_id", "new"
    ):
        recorded[(event[0], event[1], tuple(sorted((event[2] or {}).items())))] += 1
    wanted = Counter(
        (key[0], key[1], tuple(sorted(expected(content).items()))) for key, content in every_save
    )
    unrecorded = sum((wanted - recorded).values())
    return len(last_saved), lost, unrecorded


# Running it


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
    return ordered[index]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument(
        "--ramp-up", type=float, default=10, help="seconds over which the users start"
    )
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--agencies", type=int, default=10)
    parser.add_argument("--max-requests", type=int, default=20_000, help="per user")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1, help="per worker; 1: sync workers")
    parser.add_argument("--server", default=os.environ.get("LOAD_DATABASE_SERVER", DEFAULT_SERVER))
    parser.add_argument("--database", default="readiness_load")
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument("--seed", type=int, default=287)
    args = parser.parse_args()
    if not 1 <= args.agencies <= args.users <= 500 or not 0 < args.seconds <= 3600:
        parser.error("use 1 ≤ agencies ≤ users ≤ 500 and 0 < seconds ≤ 3600")

    database_url = recreate_database(args.server, args.database)
    os.environ["DATABASE_URL"] = database_url
    _setup.configure()
    from django.db import connections

    staff, layouts = seed(args.users, args.agencies)
    connections.close_all()
    port = free_port()
    log_dir = Path(tempfile.mkdtemp(prefix="readiness-load-"))
    log_path = log_dir / "gunicorn.log"
    print(
        f"Load test: {args.users} users across {args.agencies} agencies for {args.seconds:g} s; "
        f"gunicorn -w {args.workers} --threads {args.threads} on 127.0.0.1:{port}; "
        f"database {args.database} (PostgreSQL); {os.cpu_count()} CPUs shared by clients, "
        f"server and database; users start over {args.ramp_up:g} s; load average at the start "
        f"{os.getloadavg()[0]:.1f}"
    )
    process, log = start_gunicorn(
        {"DATABASE_URL": database_url}, port, args.workers, args.threads, log_path
    )
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = usage.ru_utime + usage.ru_stime
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    children_before = usage.ru_utime + usage.ru_stime
    outcomes = [Outcome() for _ in staff]
    try:
        started = time.monotonic()
        deadline = started + args.seconds
        threads = [
            threading.Thread(
                target=simulate,
                args=(
                    person,
                    layouts[person.assessment_id],
                    port,
                    deadline,
                    args.max_requests,
                    args.seed * 1000 + number,
                    outcome,
                    args.ramp_up * number / len(staff),
                ),
                daemon=True,
            )
            for number, (person, outcome) in enumerate(zip(staff, outcomes, strict=True))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=args.seconds + SOCKET_TIMEOUT + 30)
        elapsed = time.monotonic() - started
        hung = sum(thread.is_alive() for thread in threads)
    finally:
        stop_gunicorn(process, log)

    samples = [s for outcome in outcomes for s in outcome.samples]
    errors = [e for outcome in outcomes for e in outcome.errors]
    errors += [f"{hung} client(s) still waiting at the end"] if hung else []
    server_errors = sum(s.status >= 500 for s in samples)
    tracebacks = log_path.read_text(errors="replace").count("Traceback")
    load = " / ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"load average at the end (1 / 5 / 15 min): {load}")
    # Where the machine's CPU went: this script's simulated browsers, and gunicorn (a child,
    # counted once it has exited); the database server's share is the rest.
    clients = resource.getrusage(resource.RUSAGE_SELF)
    server = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        f"CPU seconds: clients {clients.ru_utime + clients.ru_stime - cpu_before:.0f}, "
        f"gunicorn {server.ru_utime + server.ru_stime - children_before:.0f}, "
        f"over {elapsed:.0f} s on {os.cpu_count()} CPUs"
    )
    print(f"requests: {len(samples)} in {elapsed:.1f} s = {len(samples) / elapsed:.1f} requests/s")
    latencies = [s.seconds * 1000 for s in samples]
    p50, p95, p99 = (percentile(latencies, share) for share in (0.50, 0.95, 0.99))
    print(
        f"latency (ms): p50 {p50:.0f}, p95 {p95:.0f}, p99 {p99:.0f}, "
        f"max {max(latencies, default=0):.0f}"
    )
    by_kind = defaultdict(list)
    for sample in samples:
        by_kind[sample.kind].append(sample.seconds * 1000)
    for kind, values in sorted(by_kind.items()):
        print(
            f"  {kind:<13} {len(values):>6} requests, p50 {statistics.median(values):.0f} ms, "
            f"p95 {percentile(values, 0.95):.0f} ms, p99 {percentile(values, 0.99):.0f} ms"
        )
    statuses = Counter(s.status for s in samples)
    print(f"statuses: {dict(sorted(statuses.items()))}")
    saves = sum(outcome.saves for outcome in outcomes)
    print(
        f"section saves: {saves}; conflicts: {sum(o.conflicts for o in outcomes)}; "
        f"reconnects: {sum(o.reconnects for o in outcomes)}"
    )
    print(
        f"errors: {len(errors)} (server 5xx: {server_errors}; tracebacks in the server log: "
        f"{tracebacks})"
    )
    for error in errors[:10]:
        print(f"  {error}")

    checked, lost, unrecorded = lost_answers(outcomes)
    print(f"answers the clients were told were saved: {checked} (last value of each question)")
    print(f"lost answers: {len(lost)}")
    for item in lost[:10]:
        print(f"  {item}")
    print(f"reported saves missing from the audit trail: {unrecorded}")
    connections.close_all()
    if args.keep_database:
        print(f"database kept: {database_url}; server log: {log_path}")
    else:
        drop_database(args.server, args.database)
        if not tracebacks:
            shutil.rmtree(log_dir, ignore_errors=True)
        else:
            print(f"server log kept: {log_path}")
    failed = errors or lost or unrecorded or tracebacks
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
