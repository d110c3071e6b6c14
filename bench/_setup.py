"""Shared set-up for the benchmark scripts in this folder.

Each script calls `configure()` first: it points Django at `readiness.settings.base` with DEBUG on,
at a throw-away SQLite file (unless DATABASE_URL is set), migrates it and returns. The other
helpers load questionnaires and create the agency, command user and assessment a benchmark
needs. Scripts run standalone from any working directory: `python bench/checklist.py`.
"""

from __future__ import annotations

import atexit
import os
import shutil
import statistics
import sys
import tempfile
import time
import timeit
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

# CPU time of this process: the code measured runs in-process (SQLite included), and CPU time is
# far less disturbed than wall time by other jobs on a shared machine.
TIMER = time.process_time
TIMER_NOTE = "times are CPU time of this process (time.process_time)"

_configured = False


def configure() -> None:
    """Set up Django on a fresh database. Safe to call more than once."""
    global _configured
    if _configured:
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "readiness.settings.base")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    # Keep the printed figures readable: no INFO lines from sign-ins and the like.
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    if not os.environ.get("DATABASE_URL", "").strip():
        # Never touch the developer's db.sqlite3: every run gets its own file, removed at exit.
        directory = tempfile.mkdtemp(prefix="readiness-bench-")
        atexit.register(shutil.rmtree, directory, ignore_errors=True)
        os.environ["DJANGO_SQLITE_PATH"] = str(Path(directory) / "bench.sqlite3")
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    _configured = True


def database_description() -> str:
    from django.db import connection

    name = connection.settings_dict["NAME"]
    return f"{connection.vendor} ({name})"


def load_shipped_questionnaire():
    """The newest shipped questionnaire (questionnaires/data/readiness-v2.toml)."""
    from questionnaires.loader import DEFAULT_QUESTIONNAIRE, questionnaire_load

    return questionnaire_load(path=DEFAULT_QUESTIONNAIRE).questionnaire


def load_questionnaire_text(text: str):
    """Load a questionnaire from TOML text through the real loader."""
    from questionnaires.loader import questionnaire_load

    directory = Path(tempfile.mkdtemp(prefix="readiness-bench-q-"))
    try:
        path = directory / "questionnaire.toml"
        path.write_text(text, encoding="utf-8")
        return questionnaire_load(path=path).questionnaire
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def create_agency(name: str = "Bench County Sheriff's Office"):
    from agencies.models import Agency

    suffix = uuid.uuid4().hex[:8]
    return Agency.objects.create(
        name=f"{name} {suffix}", state="TX", county="Bench County", operates_jail=True
    )


def create_command_user(agency, username: str = "bench-command"):
    """A command officer of `agency` (no usable password: benchmarks sign in with force_login)."""
    from django.contrib.auth import get_user_model

    from agencies.models import Membership, Role

    user = get_user_model().objects.create_user(
        username=f"{username}-{uuid.uuid4().hex[:8]}",
        password=None,
        first_name="Bench",
        last_name="Commander",
    )
    membership = Membership.objects.create(
        user=user, agency=agency, role=Role.COMMAND, title="Chief Deputy"
    )
    return user, membership


def create_assessment(
    *,
    questionnaire=None,
    models: Iterable[str] = ("JEM", "WSO"),
    title: str = "Bench readiness review",
    phase: str = "operating",
):
    """Agency, command user and a draft assessment started through `services.assessment_start`.

    The service takes the latest published questionnaire; when `questionnaire` is given, the
    assessment must have landed on it (it does on the fresh benchmark database).
    """
    from assessments import services

    agency = create_agency()
    user, membership = create_command_user(agency)
    assessment = services.assessment_start(
        agency=agency, user=user, membership=membership, title=title, models=models, phase=phase
    )
    if questionnaire is not None and assessment.questionnaire_id != questionnaire.pk:
        raise RuntimeError(
            f"The assessment uses questionnaire {assessment.questionnaire}, not {questionnaire}: "
            "another published questionnaire with a higher version is in the database."
        )
    return agency, user, membership, assessment


def signed_in_client(user):
    """A test client signed in as `user` with force_login, past two-step sign-in if it applies."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    try:
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from accounts.mfa import mfa_required
    except ImportError:  # no two-step sign-in in this version of the app
        return client
    if mfa_required(user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="Bench app", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def time_per_call(
    function: Callable[[], object], *, number: int, repeat: int = 7, warmup: int = 5
) -> list[float]:
    """Seconds per call for each of `repeat` runs of `number` calls, after `warmup` calls."""
    for _ in range(warmup):
        function()
    totals = timeit.Timer(function, timer=TIMER).repeat(repeat=repeat, number=number)
    return [total / number for total in totals]


def time_interleaved(
    functions: dict[str, tuple[Callable[[], object], int]], *, repeat: int = 7, warmup: int = 5
) -> dict[str, list[float]]:
    """Like `time_per_call` for several functions, taking turns in each of the `repeat` rounds.

    `functions` maps a name to (function, calls per round). Taking turns spreads a slow spell of
    a shared machine over all of them, so ratios between them stay meaningful.
    """
    for function, _ in functions.values():
        for _ in range(warmup):
            function()
    results: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(repeat):
        for name, (function, number) in functions.items():
            results[name].append(timeit.Timer(function, timer=TIMER).timeit(number=number) / number)
    return results


def median_ms(seconds: list[float]) -> float:
    return statistics.median(seconds) * 1000


def spread_ms(seconds: list[float]) -> str:
    return f"min {min(seconds) * 1000:.2f}, max {max(seconds) * 1000:.2f}"
