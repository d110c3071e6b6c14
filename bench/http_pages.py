"""Throughput of the pages staff use most, served by gunicorn with the production settings, as
ratios to `/healthz` measured in the same run (absolute figures move with whatever else the
machine is doing; the ratios much less).

Run from the repository root: `.venv/bin/python bench/http_pages.py` (or `make bench-http`).
It needs `wrk` (Debian/Ubuntu: `apt-get install wrk`). For SQLite and, when it is reachable,
PostgreSQL (`--server`, default postgres://postgres@127.0.0.1:5432; the script makes its own
database):
  1. a fresh database with the shipped questionnaires, state law and the demo data;
  2. `gunicorn readiness.wsgi -w 2` on 127.0.0.1 (debug off, collected static files);
  3. signs in as the demo preparer through the login form, then for `--seconds` each drives, with
     `--connections` keep-alive connections: `/healthz`, the first step of the demo draft (GET),
     a save of that step (POST: each connection changes its own question every time, so every
     request writes an answer and its audit row), the overview, the results and the dashboard;
     `/healthz` once more at the end;
  4. prints requests/s and each page's ratio to `/healthz` (the mean of its two figures).
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import _setup
import load

DEMO_USER = "preparer"
DEMO_PASSWORD = "readiness-demo"
REQUESTS_PER_SECOND = re.compile(r"Requests/sec:\s+([\d.]+)")
NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
SOCKET_ERRORS = re.compile(r"Socket errors:.*")

# Counts the answers to anything but the expected status (a save answers 302, pages 200).
LUA_CHECK = """
local threads = {}
local counter = 0
setup = function(thread)
  counter = counter + 1
  thread:set("slot", counter)
  table.insert(threads, thread)
end
bad = 0
seen = ""
response = function(status, headers, body)
  if status == 302 and version then version = version + 1 end
  if status ~= __STATUS__ then
    bad = bad + 1
    if not string.find(seen, tostring(status)) then seen = seen .. " " .. status end
  end
end
done = function(summary, latency, requests)
  local total = 0
  local statuses = ""
  for _, thread in ipairs(threads) do
    total = total + thread:get("bad")
    statuses = statuses .. thread:get("seen")
  end
  io.write("UNEXPECTED " .. total .. " (" .. statuses .. " )\\n")
end
"""

# A save: each wrk thread (one connection each) owns one question of the step and changes its
# answer every time, posting the version it last saved; the other questions are posted as
# loaded, so they are left as they are.
LUA_SAVE = """
local owned = OWNED
init = function(args)
  mine = owned[slot]
  version = mine.version
end
-- wrk may ask for a request more often than it sends one (it reconnects after each answer of a
-- server that closes connections): the version and value move on only when a save is answered.
request = function()
  local value = mine.values[(version % 2) + 1]
  local body = mine.base .. "&" .. mine.prefix .. "-value=" .. value
    .. "&" .. mine.prefix .. "-version=" .. version
  return wrk.format("POST", nil, nil, body)
end
"""


class Session:
    """A signed-in browser: cookies and a keep-alive connection."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, data=None) -> tuple[int, str]:
        headers = {"Host": f"127.0.0.1:{self.port}"}
        body = urlencode(data) if data is not None else None
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = self.cookie_header
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        content = response.read().decode("utf-8")
        for header in response.msg.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        return response.status, content

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def sign_in(self) -> None:
        status, page = self.request("GET", "/accounts/login/")
        token = load.csrf_token(page)
        status, _ = self.request(
            "POST",
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "username": DEMO_USER, "password": DEMO_PASSWORD},
        )
        if status != 302:
            raise SystemExit(f"Signing in as the demo preparer answered {status}.")


def seed_demo() -> dict[str, str]:
    """The demo data; returns the paths measured."""
    from django.core.management import call_command

    from assessments.models import Assessment

    for command in ("load_questionnaire", "load_state_law", "seed_demo"):
        call_command(command, verbosity=0, stdout=io.StringIO())
    draft = (
        Assessment.objects.filter(status=Assessment.Status.DRAFT, agency__state="TX")
        .order_by("-pk")
        .first()
    )
    first = draft.questionnaire.sections.order_by("position").first()
    return {
        "section": f"/assessments/{draft.pk}/sections/{first.code}/",
        "overview": f"/assessments/{draft.pk}/",
        "results": f"/assessments/{draft.pk}/results/",
        "dashboard": "/",
    }


def wrk(port: int, path: str, cookies: str, seconds: float, connections: int, lua: str, expected):
    """Requests/s of `path` under wrk, and the number of answers with another status."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua.replace("__STATUS__", str(expected)))
    try:
        output = subprocess.run(
            [
                "wrk",
                f"-t{connections}",
                f"-c{connections}",
                f"-d{seconds:g}s",
                "--latency",
                "--timeout",
                "30s",
                *(["-H", f"Cookie: {cookies}"] if cookies else []),
                "-H",
                "Content-Type: application/x-www-form-urlencoded",
                "-s",
                script.name,
                f"http://127.0.0.1:{port}{path}",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    socket_errors = SOCKET_ERRORS.search(output)
    errors = socket_errors.group(0) if socket_errors else ""
    rate_found = REQUESTS_PER_SECOND.search(output)
    unexpected_found = re.search(r"UNEXPECTED (\d+) \((.*)\)", output)
    if not (rate_found and unexpected_found):
        raise SystemExit(f"wrk printed no figures for {path}:\n{output}")
    rate, unexpected = float(rate_found.group(1)), int(unexpected_found.group(1))
    if unexpected:
        statuses = sorted(set(unexpected_found.group(2).split()))
        errors = f"statuses {', '.join(statuses)}; " + errors
    return rate, unexpected, errors


def save_script(session: Session, path: str, connections: int) -> tuple[str, int]:
    """The Lua of the save benchmark: the step's form as loaded, and one owned question per
    connection (its version and two values to alternate); and the number of connections (no more
    than the step has yes/no questions)."""
    status, page = session.request("GET", path)
    fields = load.page_fields(page)
    token = load.csrf_token(page)
    radios = sorted({name[: -len("-value")] for name in fields if name.endswith("-value")})
    radios = [p for p in radios if re.search(rf'name="{p}-value" [^>]*value="yes"', page)]
    owned = []
    for prefix in radios[:connections]:
        base = {
            k: v for k, v in fields.items() if k not in (f"{prefix}-value", f"{prefix}-version")
        }
        base["csrfmiddlewaretoken"] = token
        version = int(fields.get(f"{prefix}-version") or 0)
        # The value posted with version v is values[v % 2]: the first differs from the stored.
        first = "yes" if fields.get(f"{prefix}-value") == "no" else "no"
        values = [first, "no" if first == "yes" else "yes"]
        if version % 2:
            values.reverse()
        lua_values = ", ".join(json.dumps(v) for v in values)
        owned.append(
            f"{{prefix={json.dumps(prefix)}, version={version}, values={{{lua_values}}}, "
            f"base={json.dumps(urlencode(base))}}}"
        )
    return LUA_SAVE.replace("OWNED", "{" + ", ".join(owned) + "}") + LUA_CHECK, len(owned)


def measure(database: str, args) -> None:
    """Seed, serve and measure one database (run in a child process of its own)."""
    if database == "postgresql":
        url = load.recreate_database(args.server, args.database_name)
        os.environ["DATABASE_URL"] = url
        server_env = {"DATABASE_URL": url}
    _setup.configure()
    if database == "sqlite":
        server_env = {"DJANGO_SQLITE_PATH": os.environ["DJANGO_SQLITE_PATH"]}
    from django.db import connections

    paths = seed_demo()
    connections.close_all()
    port = load.free_port()
    log_dir = Path(tempfile.mkdtemp(prefix="readiness-http-"))
    process, log = load.start_gunicorn(server_env, port, args.workers, 1, log_dir / "gunicorn.log")
    figures = {}
    try:
        session = Session(port)
        session.sign_in()
        plan = [
            ("/healthz", "/healthz", 200, LUA_CHECK),
            ("section GET", paths["section"], 200, LUA_CHECK),
            ("section save", paths["section"], 302, None),
            ("overview", paths["overview"], 200, LUA_CHECK),
            ("results", paths["results"], 200, LUA_CHECK),
            ("dashboard", paths["dashboard"], 200, LUA_CHECK),
            ("/healthz again", "/healthz", 200, LUA_CHECK),
        ]
        for name, path, expected, lua in plan:
            connections = args.connections
            if lua is None:
                lua, connections = save_script(session, path, args.connections)
            # A load balancer's health check sends no cookie; the staff pages send the session's.
            cookies = "" if path == "/healthz" else session.cookie_header
            rate, unexpected, errors = wrk(
                port, path, cookies, args.seconds, connections, lua, expected
            )
            figures[name] = rate
            problems = f"; {unexpected} answers other than {expected}" if unexpected else ""
            problems += f"; {errors}" if errors else ""
            print(f"  {name:<16} {rate:>9.1f} requests/s{problems}", flush=True)
    finally:
        load.stop_gunicorn(process, log)
        if "Traceback" in (log_dir / "gunicorn.log").read_text(errors="replace"):
            print(f"  the server logged errors: {log_dir / 'gunicorn.log'}")
        else:
            shutil.rmtree(log_dir, ignore_errors=True)
        if database == "postgresql":
            load.drop_database(args.server, args.database_name)
    floor = (figures["/healthz"] + figures["/healthz again"]) / 2
    print(f"  ratios to /healthz ({floor:.0f} requests/s, the mean of its two runs):")
    for name, rate in figures.items():
        if not name.startswith("/healthz"):
            print(f"    {name:<14} {100 * rate / floor:6.1f} %")


def postgresql_reachable(server: str) -> bool:
    import psycopg

    try:
        psycopg.connect(f"{server}/postgres", connect_timeout=3).close()
    except psycopg.OperationalError:
        return False
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5, help="per page")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument(
        "--server", default=os.environ.get("LOAD_DATABASE_SERVER", load.DEFAULT_SERVER)
    )
    parser.add_argument("--database-name", default="readiness_http")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("bench/http_pages.py needs wrk: `apt-get install wrk` (Debian, Ubuntu).")
    if args.only:
        measure(args.only, args)
        return 0
    print(
        f"bench/http_pages.py: gunicorn -w {args.workers}, production settings, wrk with "
        f"{args.connections} connections, {args.seconds:g} s per page, {os.cpu_count()} CPUs "
        f"shared by wrk, server and database; load average {os.getloadavg()[0]:.1f}"
    )
    databases = ["sqlite"]
    if postgresql_reachable(args.server):
        databases.append("postgresql")
    else:
        print(f"(PostgreSQL is not reachable at {args.server}: SQLite only)")
    for database in databases:
        print(f"{database}:", flush=True)
        subprocess.run(
            [sys.executable, __file__, *sys.argv[1:], "--only", database],
            check=True,
            cwd=_setup.REPO_ROOT,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
