"""Assessments, their answers and the frozen scores of approved ones."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy

from agencies.models import Agency
from jurisdictions.models import StateProfile
from jurisdictions.selectors import current_profile, kept_profile
from questionnaires.models import (
    PartnershipModel,
    Phase,
    Question,
    QuestionnaireVersion,
    display_answer_value,
    models_from_flags,
)


class Assessment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", gettext_lazy("Draft")
        SUBMITTED = "submitted", gettext_lazy("Submitted for review")
        APPROVED = "approved", gettext_lazy("Approved")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="assessments")
    questionnaire = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, related_name="assessments"
    )
    title = models.CharField(max_length=200)
    considers_jem = models.BooleanField("considers JEM", default=False)
    considers_tfm = models.BooleanField("considers TFM", default=False)
    considers_wso = models.BooleanField("considers WSO", default=False)
    phase = models.CharField(max_length=10, choices=Phase.choices, default=Phase.PREPARING)
    state_profile = models.ForeignKey(
        StateProfile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The state-law profile the approved result was scored with.",
    )
    carried_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The earlier assessment whose answers this one started from.",
    )
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
    attestation = models.TextField(
        blank=True, help_text="The statement the approver confirmed, as it read when approving."
    )
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    returned_at = models.DateTimeField(
        null=True, blank=True, help_text="Set while a returned draft waits to be resubmitted."
    )
    return_comment = models.TextField(blank=True)
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

    @property
    def is_returned(self) -> bool:
        """A draft that command staff sent back and nobody has resubmitted yet."""
        return self.status == self.Status.DRAFT and self.returned_at is not None

    @property
    def status_display(self) -> str:
        """The status as people should read it: a returned draft is "Returned for changes"."""
        return "Returned for changes" if self.is_returned else self.get_status_display()

    def refresh_from_db(self, *args, **kwargs) -> None:
        self.__dict__.pop("_state_law", None)
        self.__dict__.pop("_answers", None)
        super().refresh_from_db(*args, **kwargs)

    @property
    def state_law(self) -> StateProfile | None:
        """The state-law profile that applies: the one an approved result was scored with,
        otherwise the newest for the agency's state. At most one query, then cached; none when
        the query that loaded the assessment named the newest profile
        (`current_profile_annotations`)."""
        if not hasattr(self, "_state_law"):
            if self.status == self.Status.APPROVED and self.state_profile_id:
                self._state_law = self.state_profile
            elif "current_profile_pk" in self.__dict__:
                self._state_law = kept_profile(self.current_profile_pk, self.current_profile_loaded)
            else:
                self._state_law = current_profile(self.agency.state)
        return self._state_law

    @property
    def state_duties(self) -> frozenset[str]:
        profile = self.state_law
        return frozenset(profile.duties) if profile else frozenset()

    def asks(self, question: Question) -> bool:
        """Whether `question` is one of `applicable_questions()` (the same rule, in Python)."""
        return (
            question.questionnaire_id == self.questionnaire_id
            and (
                (self.considers_jem and question.applies_jem)
                or (self.considers_tfm and question.applies_tfm)
                or (self.considers_wso and question.applies_wso)
            )
            and getattr(question, f"applies_{self.phase}")
            and (not question.state_duty or question.state_duty in self.state_duties)
        )

    def applicable_questions(self) -> models.QuerySet[Question]:
        """This assessment's questions: those of a model it considers, asked in its phase and,
        for a question a state's law adds, where that law applies. One query."""
        wanted = Q(pk__in=[])
        for model, flag in (
            ("applies_jem", self.considers_jem),
            ("applies_tfm", self.considers_tfm),
            ("applies_wso", self.considers_wso),
        ):
            if flag:
                wanted |= Q(**{model: True})
        return (
            Question.objects.filter(questionnaire_id=self.questionnaire_id)
            .filter(wanted)
            .filter(**{f"applies_{self.phase}": True})
            .filter(Q(state_duty="") | Q(state_duty__in=sorted(self.state_duties)))
        )


class Answer(models.Model):
    """One answer per assessment and question; `version` counts saves to detect conflicts."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value = models.TextField(blank=True)
    not_applicable = models.BooleanField(default=False)
    na_reason = models.TextField("reason it is not applicable", blank=True)
    note = models.TextField(blank=True)
    flagged = models.BooleanField("marked for review", default=False)
    na_acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Command staff who accepted a critical question as not applicable.",
    )
    na_acknowledged_at = models.DateTimeField(null=True, blank=True)
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


class Comment(models.Model):
    """A comment on one question of an assessment, or a reply to one (`reply_to`).

    A thread (a comment and its replies) is open until a member resolves it. Comments belong to
    the revision they were made on and never change an answer."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="comments")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    reply_to = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="comment_has_a_body"),
            models.CheckConstraint(
                condition=Q(reply_to__isnull=True) | Q(resolved_at__isnull=True),
                name="comment_resolved_as_a_thread",
            ),
        ]
        indexes = [models.Index(fields=["assessment", "question"], name="comment_by_question")]

    def __str__(self) -> str:
        return f"Comment {self.pk} on {self.assessment_id}/{self.question_id}"

    @property
    def is_open(self) -> bool:
        return self.reply_to_id is None and self.resolved_at is None


class ScoreSnapshot(models.Model):
    """The frozen result of an approved assessment, as `scoring.AssessmentResult.to_dict()`."""

    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="snapshot")
    result = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Snapshot of {self.assessment}"
