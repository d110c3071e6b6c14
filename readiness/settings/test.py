"""Settings for the test suite, chosen by pytest's configuration (`pyproject.toml`).

The base settings with debug on, a fixed signing key and a fast password hasher, so a bare
`pytest` works without any environment variable. Tests that need the production values run
`manage.py` in a child process with the production environment instead.
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-signing-key-never-used-in-production")

from .base import *  # noqa: E402, F403

# Hashing with the production hasher costs a third of a second a user; tests need speed.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Evidence files of the tests go to a directory of their own, removed when the run ends.
import atexit  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402

READINESS_EVIDENCE_DIR = Path(tempfile.mkdtemp(prefix="readiness-test-evidence-"))  # noqa: F405
STORAGES["evidence"]["OPTIONS"]["location"] = str(READINESS_EVIDENCE_DIR)  # noqa: F405
atexit.register(shutil.rmtree, READINESS_EVIDENCE_DIR, ignore_errors=True)

# Tasks run at once, inside the request that enqueues them: a test sees their effect directly.
# The multi-server test runs real workers on the database queue (the base settings).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
