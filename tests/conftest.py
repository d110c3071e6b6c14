"""Shared fixtures. Personas: a preparer, a command officer and an agency administrator of
Example County, an outsider (command staff) from Sample County, and state reviewers for Texas
and North Carolina, built by tests.factories."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from accounts.mfa import mfa_required
from agencies.models import Agency, Role
from assessments import services
from community.catalogues import catalogues_compile
from questionnaires.loader import QUESTIONNAIRE_V1, questionnaire_load
from tests import hypothesis_profiles  # noqa: F401  (loads the profile HYPOTHESIS_PROFILE names)
from tests.factories import (
    AgencyAdminFactory,
    AgencyFactory,
    AssessmentFactory,
    CommandFactory,
    MemberFactory,
    OutsiderFactory,
    PreparerFactory,
    StateReviewerFactory,
    answer_questions,
    totp_device,
)
from tests.questionnaire_files import load_questionnaire_text
from tests.state_law_files import (
    conditions,
    duty_questionnaire_toml,
    in_days,
    load_state_law_text,
    prohibition,
    texas,
)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite, test in a file as production does, not in shared-cache memory: there a thread
    waiting for the write lock fails at once ("database table is locked") instead of waiting."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        path = tmp_path_factory.mktemp("database") / "test.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(path)


@pytest.fixture(scope="session", autouse=True)
def translation_catalogues():
    """The Spanish catalogue compiled, as `make test` does, for a run started with pytest alone."""
    catalogues_compile()


@pytest.fixture
def questionnaire(db):
    """The shipped questionnaire, version 1."""
    return questionnaire_load(path=QUESTIONNAIRE_V1).questionnaire


@pytest.fixture
def agency(db) -> Agency:
    """Example County's sheriff's office."""
    return AgencyFactory()


@pytest.fixture
def other_agency(db) -> Agency:
    """Sample County's sheriff's office."""
    return AgencyFactory(sample=True)


@pytest.fixture
def preparer(agency):
    return PreparerFactory(agency=agency)


@pytest.fixture
def command(agency):
    return CommandFactory(agency=agency)


@pytest.fixture
def agency_admin(agency):
    return AgencyAdminFactory(agency=agency)


@pytest.fixture
def outsider(other_agency):
    return OutsiderFactory(agency=other_agency)


@pytest.fixture
def state_reviewer(db):
    """A state reviewer for Texas (Example County's state), of the state sheriffs' association."""
    return StateReviewerFactory()


@pytest.fixture
def other_state_reviewer(db):
    """A state reviewer for North Carolina (Sample County's state)."""
    return StateReviewerFactory(username="ncreviewer", state="NC", body="NC Attorney General")


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
def site_admin_client(admin_user, client_for):
    """A site administrator (pytest-django's `admin_user`, of no agency), signed in past
    two-step sign-in."""
    return client_for(admin_user)


@pytest.fixture
def draft(questionnaire, agency, command):
    """A draft assessment of Example County considering JEM and WSO."""
    return AssessmentFactory(
        agency=agency, created_by=command, title="2027 readiness review", models=["JEM", "WSO"]
    )


@pytest.fixture
def outsider_draft(questionnaire, other_agency, outsider):
    return AssessmentFactory(
        agency=other_agency, created_by=outsider, title="Sample review", models=["TFM"]
    )


@pytest.fixture
def complete_draft(draft, preparer):
    """The draft with every applicable question answered by the preparer."""
    answer_questions(draft, preparer)
    return draft


@pytest.fixture
def submitted(complete_draft, preparer):
    """The complete draft, submitted for review by the preparer (read back fresh)."""
    services.assessment_submit(assessment=complete_draft, user=preparer)
    return type(complete_draft).objects.get(pk=complete_draft.pk)


@pytest.fixture
def answered_draft(draft, preparer):
    """The draft with CAP-01, CAP-02 and ICE-01 answered and noted."""
    by_code = {q.code: q for q in draft.applicable_questions()}
    services.answers_save(
        assessment=draft,
        user=preparer,
        data=[
            services.AnswerInput(question_id=by_code["CAP-01"].pk, value="yes", note="Memo."),
            services.AnswerInput(question_id=by_code["CAP-02"].pk, value="1200", flagged=True),
            services.AnswerInput(question_id=by_code["ICE-01"].pk, value="partial", note="Call."),
        ],
    )
    return draft


@pytest.fixture
def team(agency, other_agency, agency_admin, preparer, command, outsider):
    """Example County's members of every kind, and Sample County's, by name: "self" is the
    agency administrator; "invited" has no password yet; "retired" is deactivated."""
    preparer.email = "preparer@example.gov"
    preparer.save()
    return {
        "self": agency_admin,
        "preparer": preparer,
        "command": command,
        "invited": MemberFactory(
            username="invited", agency=agency, password=None, email="invited@example.gov"
        ),
        "retired": MemberFactory(
            username="retired",
            agency=agency,
            role=Role.COMMAND,
            is_active=False,
            email="retired@example.gov",
        ),
        "outsider": outsider,
        "outsider_admin": MemberFactory(
            username="otheradmin", agency=other_agency, role=Role.AGENCY_ADMIN
        ),
    }


@pytest.fixture
def duty_questionnaire(db, tmp_path):
    """A small published questionnaire whose questions use version 2's fields: a state duty
    (ICE-02, COM-01), a running-program question (TRN-01), an applicant's wording (POL-01)."""
    return load_questionnaire_text(tmp_path, duty_questionnaire_toml())


@pytest.fixture
def state_law(db, tmp_path):
    """Texas: a mandate due in 30 days; California: a prohibition; North Carolina: conditions."""
    return load_state_law_text(tmp_path, texas(in_days(30)), prohibition(), conditions())
