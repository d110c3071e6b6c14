"""The questionnaire as versioned data: versions, sections (the five steps), questions."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class PartnershipModel(models.TextChoices):
    """The 287(g) models an agency may consider."""

    JEM = "JEM", "Jail Enforcement Model"
    TFM = "TFM", "Task Force Model"
    WSO = "WSO", "Warrant Service Officer"


class Phase(models.TextChoices):
    """How far along an agency is; questions say in which phases they are asked."""

    PREPARING = "preparing", "Preparing to request an agreement"
    SIGNED = "signed", "Agreement signed, not yet operating"
    OPERATING = "operating", "Operating under an agreement"


class StateDuty(models.TextChoices):
    """What a state's law may add to an agreement. A question tagged with a duty is asked only of
    agencies whose state-law profile lists it; the vocabulary is shared by both data files."""

    REQUEST_AGREEMENT = "request_agreement", "Request or enter an agreement by a deadline"
    MAINTAIN_AGREEMENT = "maintain_agreement", "Keep the agreement in force or re-request it"
    REPORT_TO_STATE = "report_to_state", "Report to a state body"
    STATE_APPROVAL_TO_END = "state_approval_to_end", "State approval to end the agreement"
    GOVERNING_BODY_APPROVAL = "governing_body_approval", "Governing-body approval"
    PUBLIC_FORUM = "public_forum", "Public hearing or forum"
    NOTIFY_STATE = "notify_state", "File with or notify a state official"


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
    carry_over = models.JSONField(
        default=dict,
        blank=True,
        help_text="Which earlier version's answers carry over: "
        '{"from_version": 1, "codes": {"old code": "new code"}}.',
    )

    class Meta:
        db_table = "assessments_questionnaireversion"
        ordering = ["slug", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="questionnaire_slug_version"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    @property
    def is_used(self) -> bool:
        return self.assessments.exists()

    def codes_carried_from(self, source: QuestionnaireVersion) -> dict[str, str]:
        """Which of `source`'s question codes carry their answers to which of this version's:
        every code within one version; across versions, the file's carry-over table."""
        if source.pk == self.pk:
            return {code: code for code in source.questions.values_list("code", flat=True)}
        table = self.carry_over or {}
        if source.slug != self.slug or table.get("from_version") != source.version:
            return {}
        return dict(table.get("codes", {}))


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
        db_table = "assessments_section"
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
    source = models.CharField(max_length=500)
    applies_preparing = models.BooleanField("asked while preparing", default=True)
    applies_signed = models.BooleanField("asked once signed", default=True)
    applies_operating = models.BooleanField("asked while operating", default=True)
    applicant_prompt = models.TextField(
        blank=True, help_text="Wording for an agency still preparing to request an agreement."
    )
    applicant_guidance = models.TextField(blank=True)
    recommended_practice = models.BooleanField(
        default=False, help_text="No law, policy or agreement requires it: good practice only."
    )
    state_duty = models.CharField(
        max_length=30,
        blank=True,
        choices=StateDuty.choices,
        help_text="Asked only where the agency's state law imposes this duty.",
    )

    class Meta:
        db_table = "assessments_question"
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
            models.CheckConstraint(
                condition=Q(applies_preparing=True)
                | Q(applies_signed=True)
                | Q(applies_operating=True),
                name="question_applies_in_a_phase",
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
    def phases(self) -> frozenset[str]:
        flags = {
            Phase.PREPARING: self.applies_preparing,
            Phase.SIGNED: self.applies_signed,
            Phase.OPERATING: self.applies_operating,
        }
        return frozenset(str(phase) for phase, on in flags.items() if on)

    @property
    def phases_display(self) -> str:
        if len(self.phases) == len(Phase.values):
            return "All"
        return ", ".join(Phase(p).label for p in Phase.values if p in self.phases)

    def prompt_for(self, phase: str) -> str:
        """The wording asked in `phase`: an applicant's own wording where the file gives one."""
        if phase == Phase.PREPARING and self.applicant_prompt:
            return self.applicant_prompt
        return self.prompt

    def guidance_for(self, phase: str) -> str:
        if phase == Phase.PREPARING and self.applicant_prompt:
            return self.applicant_guidance or self.guidance
        return self.guidance

    @property
    def weight_total(self) -> int:
        return self.weight_capacity + self.weight_policy + self.weight_community

    @property
    def is_informational(self) -> bool:
        return self.weight_total == 0


def models_from_flags(jem: bool, tfm: bool, wso: bool) -> frozenset[str]:
    flags = {PartnershipModel.JEM: jem, PartnershipModel.TFM: tfm, PartnershipModel.WSO: wso}
    return frozenset(str(model) for model, on in flags.items() if on)


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
