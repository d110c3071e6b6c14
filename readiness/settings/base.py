"""Settings for Readiness, read from environment variables with safe defaults.

Every variable is listed in `.env.example` and in the README. Without `DATABASE_URL` the app
uses an embedded SQLite file so a fresh clone runs at once; production sets `DATABASE_URL` to
PostgreSQL.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from error


DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set DJANGO_SECRET_KEY to a long random string "
            '(for example the output of `python -c "import secrets; '
            'print(secrets.token_urlsafe(50))"`), or set DJANGO_DEBUG=1 for local development.'
        )
    SECRET_KEY = "insecure-development-key-never-use-in-production"

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver" if DEBUG else ""
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tasks",
    "django_tasks_db",
    "audit",
    "agencies",
    "accounts",
    "questionnaires",
    "jurisdictions",
    "plans",
    "evidence",
    "assessments",
    "reports",
    "oversight",
    "notifications",
    "community",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A view whose database went away answers 503 and the broken connection is dropped.
    "readiness.middleware.DatabaseUnavailable",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "readiness.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.TwoStepState",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionLimits",
    "accounts.middleware.RequireMultiFactor",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "readiness.middleware.NoStoreForSignedInUsers",
    # Axes last: it turns a locked-out sign-in into the 429 page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, loading the membership and two-step devices with the user.
    "accounts.backends.MemberBackend",
]

ROOT_URLCONF = "readiness.urls"
WSGI_APPLICATION = "readiness.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "agencies.context_processors.membership",
                "accounts.context_processors.session_limits",
                "notifications.context_processors.notifications",
            ],
        },
    },
    # The busiest page's question loop (templates/jinja2/): Jinja2 renders it several times
    # faster than Django's engine (bench/http_pages.py). Autoescaping is on, as in Django's.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "readiness.jinja2.environment"},
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
    }
    # Parameters sent apart from the SQL: psycopg then prepares a statement the server has seen
    # five times on a connection, so the queries every request repeats are planned once per
    # connection, not on every request (bench/http_pages.py). Turn off behind a pooler in
    # transaction mode (PgBouncer), which cannot keep prepared statements.
    if env_bool("DATABASE_SERVER_SIDE_BINDING", default=True):
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=5
        )
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("DJANGO_SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            # Several preparers save at once: wait for the write lock instead of failing.
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    # No NumericPasswordValidator: refusing digits-only passwords is a composition rule, which
    # NIST SP 800-63B and the CJIS policy advise against; common ones are refused above.
]

# Five consecutive failures lock that username (not the address: one office shares one address).
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = ["username"]
READINESS_LOCKOUT_MINUTES = env_int("READINESS_LOCKOUT_MINUTES", 15)
# CJIS Security Policy 5.5.3: a locked account stays locked at least 10 minutes unless released.
if READINESS_LOCKOUT_MINUTES < 10:
    raise ImproperlyConfigured("READINESS_LOCKOUT_MINUTES must be 10 or more.")
AXES_COOLOFF_TIME = timedelta(minutes=READINESS_LOCKOUT_MINUTES)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "429.html"
AXES_VERBOSE = False
# Lockouts and audit rows take the client's address from the same function (see below).
AXES_CLIENT_IP_CALLABLE = "audit.request.client_ip"
# axes.W006 asks to lock by address too; the product locks by username on purpose, so that
# one office behind one address is not locked out together.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Sessions end after 30 idle minutes and never live beyond 12 hours.
SESSION_IDLE_SECONDS = env_int("READINESS_SESSION_IDLE_MINUTES", 30) * 60
SESSION_ABSOLUTE_SECONDS = env_int("READINESS_SESSION_MAX_HOURS", 12) * 3600
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS
# Saved (and its cookie renewed) when it changes: every request that counts as activity stamps
# it (accounts.middleware.SessionLimits). Not on every request: the page's session-status check
# would otherwise write back the copy it read, undoing a change a request running at the same
# time had just saved (two-step sign-in completed, for one).
SESSION_SAVE_EVERY_REQUEST = False
# Django's database sessions (shared by every app server), read with a prepared query.
SESSION_ENGINE = "accounts.sessions"

# Multi-factor sign-in: always for command staff, agency administrators and site administrators.
READINESS_MFA_FOR_EVERYONE = env_bool("READINESS_MFA_FOR_EVERYONE", default=False)
OTP_TOTP_ISSUER = os.environ.get("READINESS_OTP_ISSUER", "Readiness")

# Password-set links (invitations and resets) work once and expire after three days.
PASSWORD_RESET_TIMEOUT = env_int("READINESS_PASSWORD_LINK_HOURS", 72) * 3600

# Background work (report rendering) goes through Django's Tasks API on a queue kept in the
# database: `manage.py db_worker` runs it (`make run` starts one beside the web server; see the
# README for workers under systemd). Several workers on several machines may share one
# PostgreSQL database (tasks are claimed with SELECT ... FOR UPDATE SKIP LOCKED).
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# A report render that takes longer is stopped (its process is ended) and the page waiting for
# it says so and offers to try again; nothing is cached from a failed render.
# What an approver confirms by ticking it; stored with the approval as it read then.
READINESS_APPROVAL_STATEMENT = os.environ.get(
    "READINESS_APPROVAL_STATEMENT",
    "I have reviewed this assessment and approve it as the agency's record.",
)
READINESS_REPORT_TIMEOUT_SECONDS = env_int("READINESS_REPORT_TIMEOUT_SECONDS", 60)
if READINESS_REPORT_TIMEOUT_SECONDS < 1:
    raise ImproperlyConfigured("READINESS_REPORT_TIMEOUT_SECONDS must be 1 or more.")

# Every message is queued (a request never waits on, or fails because of, the mail server);
# a worker delivers it with the delivery backend: SMTP, or the console while developing.
EMAIL_BACKEND = "notifications.backends.QueuedEmailBackend"
READINESS_EMAIL_DELIVERY_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
# The address links in emails start with (no request is at hand when a worker sends mail).
READINESS_BASE_URL = os.environ.get("READINESS_BASE_URL", "http://127.0.0.1:8000")
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "readiness@localhost")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
# The staff pages are English. The public community summary is also in Spanish: its views pick
# the language from the address (/p/<slug>/es/), so no LocaleMiddleware is needed. The catalogues
# are locale/<language>/LC_MESSAGES/django.po, compiled by `manage.py compile_catalogues`.
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Evidence files: kept privately (never under a public URL; the app's evidence view serves them
# to members of the agency alone). A multi-server install points this storage at S3-compatible
# object storage through django-storages, by settings alone (see the README).
READINESS_EVIDENCE_DIR = Path(
    os.environ.get("READINESS_EVIDENCE_DIR", str(BASE_DIR / "var" / "evidence"))
)
READINESS_EVIDENCE_MAX_BYTES = env_int("READINESS_EVIDENCE_MAX_MB", 20) * 1024 * 1024
READINESS_EVIDENCE_AGENCY_QUOTA_BYTES = (
    env_int("READINESS_EVIDENCE_AGENCY_QUOTA_MB", 2048) * 1024 * 1024
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # Django's default for form fields; files stream to disk
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "evidence": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(READINESS_EVIDENCE_DIR), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Behind a reverse proxy that terminates HTTPS (see the README's deployment section).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies in front of the app append to X-Forwarded-For. 0: the header is ignored (anyone
# can send it) and the client is REMOTE_ADDR. N: the client is the Nth address from the right.
READINESS_TRUSTED_PROXY_COUNT = env_int("READINESS_TRUSTED_PROXY_COUNT", 0)
if READINESS_TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("READINESS_TRUSTED_PROXY_COUNT must be 0 or more.")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# Agencies' .gov domains are on the HSTS preload list already; others can opt out.
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

# No inline script or style anywhere: every script and stylesheet is a file under static/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Bootstrap draws check boxes and radios with data: SVG images.
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
}
SESSION_COOKIE_SAMESITE = "Lax"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # WeasyPrint reports each rendering step at INFO; only its warnings matter here.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
