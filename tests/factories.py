"""Factories for the objects tests need: people, agencies and their memberships, assessments
started and answered through the services, as the app's own pages would.

The named personas (conftest's fixtures of the same names) are Example County's preparer,
command officer and agency administrator, Sample County's command officer, the outsider, and
the state reviewers for Texas (Example County's state) and for North Carolina (Sample County's).
Each person's first name is the username in title case and the last name "Tester", so pages
name them "Preparer Tester", "Command Tester", "Agencyadmin Tester".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import factory
from django.conf import settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from factory.django import DjangoModelFactory, Password

from agencies.models import Agency, Membership, Role, StateReviewer
from assessments import services
from assessments.models import Answer, Assessment

PASSWORD = "a-long-test-password-1"

# An answer of each type that counts as answered (a "yes" scores full marks).
FILLER = {"choice": "yes", "scale": "4", "number": "10", "text": "Written down."}
# The answers the results and report tests give: "yes", the top of the scale, 12 for the rest.
FULL_MARKS = {"choice": "yes", "scale": "4", "number": "12", "text": "12"}


class UserFactory(DjangoModelFactory):
    """A person who can sign in with PASSWORD (`password=None`: invited, no password yet)."""

    class Meta:
        model = settings.AUTH_USER_MODEL
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = factory.LazyAttribute(lambda user: user.username.title())
    last_name = "Tester"
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = Password(PASSWORD)


class AgencyFactory(DjangoModelFactory):
    """Example County's sheriff's office; `sample=True`: Sample County's."""

    class Meta:
        model = Agency

    name = "Example County Sheriff's Office"
    state = "TX"
    county = "Example County"

    class Params:
        sample = factory.Trait(
            name="Sample County Sheriff's Office", state="NC", county="Sample County"
        )


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = Role.PREPARER


class MemberFactory(UserFactory):
    """A person with a membership of `agency` in `role` (a preparer unless told)."""

    class Params:
        agency = factory.SubFactory(AgencyFactory)
        role = Role.PREPARER

    membership = factory.RelatedFactory(
        MembershipFactory,
        factory_related_name="user",
        agency=factory.SelfAttribute("..agency"),
        role=factory.SelfAttribute("..role"),
    )


class PreparerFactory(MemberFactory):
    username = "preparer"


class CommandFactory(MemberFactory):
    username = "command"

    class Params:
        role = Role.COMMAND


class AgencyAdminFactory(MemberFactory):
    username = "agencyadmin"

    class Params:
        role = Role.AGENCY_ADMIN


class OutsiderFactory(MemberFactory):
    """Command staff of another agency (Sample County)."""

    username = "other"

    class Params:
        agency = factory.SubFactory(AgencyFactory, sample=True)
        role = Role.COMMAND


class StateReviewerFactory(UserFactory):
    """A state reviewer (no agency membership) for `state` (Texas unless told)."""

    username = "txreviewer"

    class Params:
        state = "TX"
        body = "Texas Sheriffs' Association"

    reviewer = factory.RelatedFactory(
        "tests.factories.StateReviewerRowFactory",
        factory_related_name="user",
        state=factory.SelfAttribute("..state"),
        body=factory.SelfAttribute("..body"),
    )


class StateReviewerRowFactory(DjangoModelFactory):
    class Meta:
        model = StateReviewer

    user = factory.SubFactory(UserFactory)
    state = "TX"


class AssessmentFactory(DjangoModelFactory):
    """A draft started by command staff through `services.assessment_start`: the newest
    published questionnaire, and the "Assessment started" event, as the start page makes it."""

    class Meta:
        model = Assessment

    agency = factory.SubFactory(AgencyFactory)
    created_by = factory.SubFactory(
        MemberFactory, agency=factory.SelfAttribute("..agency"), role=Role.COMMAND
    )
    title = "2027 readiness review"
    models = ("JEM", "WSO")

    phase = "preparing"

    @classmethod
    def _create(cls, model_class, *, agency, created_by, title, models, phase, **fields):
        assert not fields, f"an assessment starts with a title, models and phase, not {fields}"
        return services.assessment_start(
            agency=agency,
            user=created_by,
            membership=created_by.membership,
            title=title,
            models=list(models),
            phase=phase,
        )


class AnswerFactory(DjangoModelFactory):
    """One answer saved through `services.answers_save` by `user` (version and event included);
    the value is FILLER's for the question's type unless given."""

    class Meta:
        model = Answer

    assessment = factory.SubFactory(AssessmentFactory)
    question = factory.LazyAttribute(lambda answer: answer.assessment.applicable_questions()[0])
    user = factory.LazyAttribute(lambda answer: answer.assessment.created_by)
    value = factory.LazyAttribute(lambda answer: FILLER[answer.question.answer_type])
    not_applicable = False
    na_reason = ""
    note = ""
    flagged = False

    @classmethod
    def _create(cls, model_class, *, assessment, question, user, **content):
        services.answers_save(
            assessment=assessment,
            user=user,
            data=[services.AnswerInput(question_id=question.pk, **content)],
        )
        return Answer.objects.get(assessment=assessment, question=question)


def evidence_note(code: str) -> str:
    """A note saying where the evidence for question `code` is kept."""
    return f"Evidence for {code} is in binder {code.lower()}, kept by the records unit."


def answer_questions(
    assessment: Assessment,
    user,
    *,
    values: dict[str, str] = FILLER,
    overrides: dict[str, str] | None = None,
    skip: Iterable[str] = (),
    not_applicable: Iterable[str] = (),
    limit: int | None = None,
    note: str | Callable[[str], str] = "",
) -> services.SaveResult:
    """Answer the assessment's applicable questions in one save, as a preparer would.

    Each question in order gets `values[its answer type]`, or `overrides[its code]`; none
    whose code or section code is in `skip`; "not applicable", with a reason, for codes in
    `not_applicable`; only the first `limit`. `note` is a text, or a function of the code.
    """
    overrides = overrides or {}
    skip, not_applicable = set(skip), set(not_applicable)
    questions = [
        q
        for q in assessment.applicable_questions().select_related("section").order_by("position")
        if q.code not in skip and q.section.code not in skip
    ]
    data = []
    for question in questions[:limit]:
        text = note(question.code) if callable(note) else note
        if question.code in not_applicable:
            reason = f"{question.code} does not apply: no such unit here."
            data.append(
                services.AnswerInput(
                    question_id=question.pk, not_applicable=True, na_reason=reason, note=text
                )
            )
            continue
        value = overrides.get(question.code, values[question.answer_type])
        data.append(services.AnswerInput(question_id=question.pk, value=value, note=text))
    return services.answers_save(assessment=assessment, user=user, data=data)


def approve(assessment: Assessment, *, preparer, command) -> Assessment:
    """Submit a complete assessment for review (the preparer) and approve it (command)."""
    services.assessment_submit(assessment=assessment, user=preparer)
    return services.assessment_approve(
        assessment=assessment,
        user=command,
        membership=command.membership,
        attested=True,
        flags_confirmed=True,
    )


class TOTPDeviceFactory(DjangoModelFactory):
    """An authenticator app, set up and confirmed."""

    class Meta:
        model = TOTPDevice

    user = factory.SubFactory(UserFactory)
    name = "Test app"
    confirmed = True


def totp_device(user) -> TOTPDevice:
    """The user's confirmed authenticator, created on first use."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDeviceFactory(user=user)


def totp_code(device: TOTPDevice, offset_steps: int = 0) -> str:
    """The code the device's app shows now (`offset_steps` steps of 30 s away)."""
    code = totp(
        device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset_steps
    )
    return f"{code:06d}"
