"""What the data is: agencies and their people, versioned questionnaires, assessments, answers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.text import slugify


class PartnershipModel(models.TextChoices):
    """The 287(g) models an agency may consider."""

    JEM = "JEM", "Jail Enforcement Model"
    TFM = "TFM", "Task Force Model"
    WSO = "WSO", "Warrant Service Officer"


class Agency(models.Model):
    class Type(models.TextChoices):
        SHERIFF = "sheriff", "Sheriff's office"
        POLICE = "police", "Police department"
        CORRECTIONS = "corrections", "Corrections department"
        STATE = "state", "State agency"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    state = models.CharField(max_length=2, help_text="Two-letter postal code, e.g. TX.")
    county = models.CharField(max_length=100, blank=True)
    agency_type = models.CharField(max_length=20, choices=Type.choices, default=Type.SHERIFF)
    ori = models.CharField(
        "ORI", max_length=9, blank=True, help_text="Originating Agency Identifier (9 characters)."
    )
    sworn_officers = models.PositiveIntegerField(null=True, blank=True)
    operates_jail = models.BooleanField(default=False)
    jail_capacity = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(jail_capacity__isnull=True) | Q(operates_jail=True),
                name="agency_jail_capacity_needs_jail",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = slugify(self.name)
        super().save(*args, **kwargs)


class Role(models.TextChoices):
    PREPARER = "preparer", "Preparer"
    COMMAND = "command", "Command"
    AGENCY_ADMIN = "agency_admin", "Agency administrator"


class Membership(models.Model):
    """A user's place in one agency. A user belongs to at most one agency."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PREPARER)
    title = models.CharField(
        max_length=100, blank=True, help_text="Rank or position, e.g. Chief Deputy."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agency", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.agency})"

    @property
    def is_command(self) -> bool:
        """Command staff and agency administrators may start, approve, return and reopen."""
        return self.role in {Role.COMMAND, Role.AGENCY_ADMIN}


class QuestionnaireVersion(models.Model):
    """One version of the questionnaire, loaded from a reviewed data file.

    Immutable once an assessment uses it: a changed file must carry a new version number.
    """

    slug = models.SlugField(max_length=100)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    published = models.BooleanField(default=False)
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the loaded content.")
    source_file = models.CharField(max_length=300, blank=True)
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slug", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="questionnaire_slug_version"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    @property
    def is_used(self) -> bool:
        return self.assessments.exists()


class Section(models.Model):
    """One of the five partnership steps."""

    questionnaire = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.CASCADE, related_name="sections"
    )
    code = models.CharField(max_length=10)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["questionnaire", "position"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="section_code_unique"),
            models.UniqueConstraint(
                fields=["questionnaire", "position"], name="section_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class AnswerType(models.TextChoices):
    CHOICE = "choice", "Yes / Partial / No"
    SCALE = "scale", "Maturity scale 0–4"
    NUMBER = "number", "Number"
    TEXT = "text", "Text"


class Question(models.Model):
    questionnaire = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.CASCADE, related_name="questions"
    )
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    code = models.CharField(max_length=20)
    position = models.PositiveSmallIntegerField(help_text="Order within the whole questionnaire.")
    prompt = models.TextField()
    guidance = models.TextField(blank=True)
    answer_type = models.CharField(max_length=10, choices=AnswerType.choices)
    weight_capacity = models.PositiveSmallIntegerField(default=0)
    weight_policy = models.PositiveSmallIntegerField(default=0)
    weight_community = models.PositiveSmallIntegerField(default=0)
    critical = models.BooleanField(default=False)
    recommendation = models.TextField(blank=True)
    applies_jem = models.BooleanField("applies to JEM", default=True)
    applies_tfm = models.BooleanField("applies to TFM", default=True)
    applies_wso = models.BooleanField("applies to WSO", default=True)
    threshold_full = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    threshold_partial = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    source = models.CharField(max_length=300)

    class Meta:
        ordering = ["questionnaire", "position"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="question_code_unique"),
            models.UniqueConstraint(
                fields=["questionnaire", "position"], name="question_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(weight_capacity__lte=3)
                & Q(weight_policy__lte=3)
                & Q(weight_community__lte=3),
                name="question_weights_0_to_3",
            ),
            models.CheckConstraint(
                condition=Q(applies_jem=True) | Q(applies_tfm=True) | Q(applies_wso=True),
                name="question_applies_to_a_model",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def models(self) -> frozenset[str]:
        return models_from_flags(self.applies_jem, self.applies_tfm, self.applies_wso)

    @property
    def models_display(self) -> str:
        return ", ".join(sorted(self.models))

    @property
    def weight_total(self) -> int:
        return self.weight_capacity + self.weight_policy + self.weight_community

    @property
    def is_informational(self) -> bool:
        return self.weight_total == 0


def models_from_flags(jem: bool, tfm: bool, wso: bool) -> frozenset[str]:
    flags = {PartnershipModel.JEM: jem, PartnershipModel.TFM: tfm, PartnershipModel.WSO: wso}
    return frozenset(str(model) for model, on in flags.items() if on)


class Assessment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted for review"
        APPROVED = "approved", "Approved"

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="assessments")
    questionnaire = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, related_name="assessments"
    )
    title = models.CharField(max_length=200)
    considers_jem = models.BooleanField("considers JEM", default=False)
    considers_tfm = models.BooleanField("considers TFM", default=False)
    considers_wso = models.BooleanField("considers WSO", default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    revision = models.PositiveIntegerField(default=1)
    reopened_from = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reopened_as"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(considers_jem=True) | Q(considers_tfm=True) | Q(considers_wso=True),
                name="assessment_considers_a_model",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved")
                | (Q(approved_by__isnull=False) & Q(approved_at__isnull=False)),
                name="assessment_approval_recorded",
            ),
            models.CheckConstraint(condition=Q(revision__gte=1), name="assessment_revision_1_up"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (rev. {self.revision})"

    @property
    def models(self) -> frozenset[str]:
        return models_from_flags(self.considers_jem, self.considers_tfm, self.considers_wso)

    @property
    def models_display(self) -> str:
        return ", ".join(PartnershipModel(code).label for code in sorted(self.models))

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    def applicable_questions(self) -> models.QuerySet[Question]:
        """This assessment's questions, limited to the models it considers. One query."""
        wanted = Q(pk__in=[])
        for model, flag in (
            ("applies_jem", self.considers_jem),
            ("applies_tfm", self.considers_tfm),
            ("applies_wso", self.considers_wso),
        ):
            if flag:
                wanted |= Q(**{model: True})
        return Question.objects.filter(questionnaire_id=self.questionnaire_id).filter(wanted)


class Answer(models.Model):
    """One answer per assessment and question; `version` counts saves to detect conflicts."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value = models.TextField(blank=True)
    not_applicable = models.BooleanField(default=False)
    na_reason = models.TextField("reason it is not applicable", blank=True)
    note = models.TextField(blank=True)
    flagged = models.BooleanField("marked for review", default=False)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["assessment", "question__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "question"], name="one_answer_per_question"
            ),
            models.CheckConstraint(
                condition=Q(not_applicable=False) | ~Q(na_reason=""),
                name="answer_na_needs_reason",
            ),
            models.CheckConstraint(
                condition=Q(not_applicable=False) | Q(value=""),
                name="answer_na_has_no_value",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.question_id}: {self.display_value}"

    @property
    def is_answered(self) -> bool:
        return self.not_applicable or self.value != ""

    @property
    def display_value(self) -> str:
        if self.not_applicable:
            return "Not applicable"
        return display_answer_value(self.question.answer_type, self.value)


CHOICE_LABELS = {"yes": "Yes", "partial": "Partial / in progress", "no": "No"}
SCALE_LABELS = {
    "0": "0 – None",
    "1": "1 – Initial",
    "2": "2 – Developing",
    "3": "3 – Established",
    "4": "4 – Fully established",
}


def display_answer_value(answer_type: str, value: str) -> str:
    if value == "":
        return "Unanswered"
    if answer_type == AnswerType.CHOICE:
        return CHOICE_LABELS.get(value, value)
    if answer_type == AnswerType.SCALE:
        return SCALE_LABELS.get(value, value)
    return value


class Event(models.Model):
    """The audit trail: who did what, when, from where, with old and new values. Never edited."""

    class Kind(models.TextChoices):
        ASSESSMENT_STARTED = "assessment_started", "Assessment started"
        ANSWER_CHANGED = "answer_changed", "Answer changed"
        SUBMITTED = "submitted", "Submitted for review"
        RETURNED = "returned", "Returned to draft"
        APPROVED = "approved", "Approved"
        REOPENED = "reopened", "Reopened as a new revision"
        COMMENTED = "commented", "Comment"
        REPORT_DOWNLOADED = "report_downloaded", "Report downloaded"
        SIGNED_IN = "signed_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
        LOCKED_OUT = "locked_out", "Locked out after failed sign-ins"
        SIGNED_OUT = "signed_out", "Signed out"
        SESSION_ENDED = "session_ended", "Session ended by time limit"
        MFA_ENABLED = "mfa_enabled", "Two-step sign-in set up"
        MFA_VERIFIED = "mfa_verified", "Two-step code accepted"
        MFA_FAILED = "mfa_failed", "Two-step code refused"
        RECOVERY_CODES = "recovery_codes", "Recovery codes created"
        MFA_REMOVED = "mfa_removed", "Two-step sign-in removed"
        MEMBER_ADDED = "member_added", "Member added"
        INVITE_ISSUED = "invite_issued", "Invitation link issued"
        ROLE_CHANGED = "role_changed", "Role changed"
        MEMBER_DEACTIVATED = "member_deactivated", "Member deactivated"
        MEMBER_REACTIVATED = "member_reactivated", "Member reactivated"
        PASSWORD_CHANGED = "password_changed", "Password changed"

    class Outcome(models.TextChoices):
        SUCCESS = "success", "Success"
        FAILURE = "failure", "Failure"

    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # PROTECT: a person named in the trail is deactivated, never deleted, so no row loses its name.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The account acted upon, for member and role changes.",
    )
    username = models.CharField(
        max_length=150, blank=True, help_text="The username typed, for sign-in events."
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    old = models.JSONField(null=True, blank=True)
    new = models.JSONField(null=True, blank=True)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["assessment", "-created_at"]),
            models.Index(fields=["agency", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_kind_display()}"

    def save(self, *args, **kwargs) -> None:
        if self.ip_address is None:
            from .audit import current_ip

            self.ip_address = current_ip()
        super().save(*args, **kwargs)

    def _answer_summary(self, content: dict | None) -> str:
        if not content:
            return "unanswered"
        if content.get("not_applicable"):
            text = f"Not applicable ({content.get('na_reason', '')})"
        else:
            answer_type = self.question.answer_type if self.question else AnswerType.TEXT
            text = display_answer_value(answer_type, content.get("value", ""))
        if content.get("note"):
            text += f"; note: “{content['note']}”"
        if content.get("flagged"):
            text += "; marked for review"
        return text

    @property
    def old_summary(self) -> str:
        return self._answer_summary(self.old)

    @property
    def new_summary(self) -> str:
        return self._answer_summary(self.new)

    @property
    def change_summary(self) -> str:
        """For status and other events: the fields that changed, old → new."""
        old, new = self.old or {}, self.new or {}
        parts = []
        for key in sorted(set(old) | set(new)):
            before, after = old.get(key), new.get(key)
            if before is None:
                parts.append(f"{key}: {after}")
            else:
                parts.append(f"{key}: {before} → {after}")
        return "; ".join(parts)


class ScoreSnapshot(models.Model):
    """The frozen result of an approved assessment, as `scoring.AssessmentResult.to_dict()`."""

    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="snapshot")
    result = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Snapshot of {self.assessment}"
