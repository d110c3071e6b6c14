"""Shared fixtures. Personas: a preparer and a command officer of Example County, and an
outsider from Sample County."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.mfa import mfa_required
from agencies.models import Agency, Membership, Role
from assessments import services
from questionnaires.loader import DEFAULT_QUESTIONNAIRE, questionnaire_load

PASSWORD = "a-long-test-password-1"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite, test in a file as production does, not in shared-cache memory: there a thread
    waiting for the write lock fails at once ("database table is locked") instead of waiting."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        path = tmp_path_factory.mktemp("database") / "test.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(path)


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Hashing with the production hasher costs a third of a second a user; tests need speed."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def questionnaire(db):
    """The shipped questionnaire, version 1."""
    return questionnaire_load(path=DEFAULT_QUESTIONNAIRE).questionnaire


@pytest.fixture
def agency(db) -> Agency:
    return Agency.objects.create(
        name="Example County Sheriff's Office", state="TX", county="Example County"
    )


@pytest.fixture
def other_agency(db) -> Agency:
    return Agency.objects.create(
        name="Sample County Sheriff's Office", state="NC", county="Sample County"
    )


def make_member(username: str, agency: Agency, role: str, **extra):
    user = get_user_model().objects.create_user(
        username=username,
        password=PASSWORD,
        first_name=username.title(),
        last_name="Tester",
        **extra,
    )
    Membership.objects.create(user=user, agency=agency, role=role)
    return user


@pytest.fixture
def preparer(agency):
    return make_member("preparer", agency, Role.PREPARER)


@pytest.fixture
def command(agency):
    return make_member("command", agency, Role.COMMAND)


@pytest.fixture
def agency_admin(agency):
    return make_member("agencyadmin", agency, Role.AGENCY_ADMIN)


@pytest.fixture
def outsider(other_agency):
    return make_member("other", other_agency, Role.COMMAND)


def totp_device(user) -> TOTPDevice:
    """The user's confirmed authenticator, created on first use."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)


@pytest.fixture
def client_for():
    """A test client signed in as the given user, past two-step sign-in where it applies."""

    def make(user, *, verified: bool = True) -> Client:
        client = Client()
        client.force_login(user)
        if verified and mfa_required(user):
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
            session.save()
        return client

    return make


@pytest.fixture
def draft(questionnaire, agency, command):
    """A draft assessment of Example County considering JEM and WSO."""
    return services.assessment_start(
        agency=agency,
        user=command,
        membership=command.membership,
        title="2027 readiness review",
        models=["JEM", "WSO"],
    )


@pytest.fixture
def outsider_draft(questionnaire, other_agency, outsider):
    return services.assessment_start(
        agency=other_agency,
        user=outsider,
        membership=outsider.membership,
        title="Sample review",
        models=["TFM"],
    )
