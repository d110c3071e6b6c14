"""Forms validate input and give messages a user can act on."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext, gettext_lazy

from questionnaires.models import PartnershipModel, Phase

from .models import Assessment


class AssessmentStartForm(forms.Form):
    title = forms.CharField(
        max_length=200,
        help_text=gettext_lazy("For example “2027 readiness review”."),
        error_messages={
            "required": gettext_lazy("Give the assessment a title, e.g. 2027 readiness review.")
        },
    )
    models = forms.MultipleChoiceField(
        label=gettext_lazy("287(g) models under consideration"),
        choices=PartnershipModel.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Questions that apply only to models you do not choose are not asked."
        ),
        error_messages={
            "required": gettext_lazy("Choose at least one 287(g) model: JEM, TFM or WSO.")
        },
    )
    phase = forms.ChoiceField(
        label=gettext_lazy("How far along is the agency?"),
        choices=Phase.choices,
        initial=Phase.PREPARING,
        widget=forms.RadioSelect,
        required=False,  # an older page or script that does not send it starts at the beginning
        help_text=gettext_lazy(
            "An agency still preparing is asked about plans and schedules, not about a "
            "program it has not started."
        ),
        error_messages={"invalid_choice": gettext_lazy("Choose how far along the agency is.")},
    )
    carry_from = forms.ModelChoiceField(
        label=gettext_lazy("Start from an earlier assessment"),
        queryset=Assessment.objects.none(),
        required=False,
        empty_label=gettext_lazy("No: start with every question unanswered"),
        help_text=gettext_lazy(
            "Copies the answers to questions that carry over to the current questionnaire; "
            "the overview then lists what changed."
        ),
        error_messages={"invalid_choice": gettext_lazy("Choose one of this agency's assessments.")},
    )

    def clean_phase(self) -> str:
        return self.cleaned_data["phase"] or Phase.PREPARING

    def __init__(self, *args, agency=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        earlier = Assessment.objects.none()
        if agency is not None:
            earlier = agency.assessments.select_related("questionnaire").order_by("-created_at")
        self.fields["carry_from"].queryset = earlier
        self.fields["carry_from"].label_from_instance = lambda a: (
            f"{a.title} (rev. {a.revision}, {a.get_status_display().lower()}, "
            f"questionnaire v{a.questionnaire.version})"
        )
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", gettext("Start assessment")))


class MultiLineTextField(forms.CharField):
    """Text from a textarea with line breaks stored as LF: browsers send CRLF but count a line
    break as one character against maxlength, so the limit here must count it once too."""

    def to_python(self, value):
        text = super().to_python(value)
        return text.replace("\r\n", "\n") if isinstance(text, str) else text


class ReturnForm(forms.Form):
    # The overview page shows these after "Not returned: ", above its hand-written form, so each
    # names the field it is about.
    comment = MultiLineTextField(
        label=gettext_lazy("Comment for the preparers"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Say what must change before it can be approved."),
        error_messages={
            "required": gettext_lazy(
                "say what must change before it can be approved: the comment for the "
                "preparers is empty."
            ),
            "max_length": gettext_lazy(
                "keep the comment within %(limit_value)d characters (it has %(show_value)d)."
            ),
            "null_characters_not_allowed": gettext_lazy(
                "the comment contains a null character (U+0000), "
                "which cannot be stored; remove it and send the comment again."
            ),
        },
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=gettext_lazy("Up to 2,000 characters. A comment never changes the answer."),
        error_messages={"required": gettext_lazy("Write the comment before posting it.")},
    )
    reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ApproveForm(forms.Form):
    attest = forms.BooleanField(
        required=False,
        error_messages={"required": gettext_lazy("Confirm the statement to approve.")},
    )
    confirm_flags = forms.BooleanField(required=False)
