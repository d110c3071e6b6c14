"""Forms validate input and give messages a user can act on."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator

from .models import PartnershipModel


class SignInForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "The username or password is not correct. Both are case-sensitive.",
        "inactive": "This account has been deactivated. Ask your agency administrator.",
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # AuthenticationForm sets the username's max_length without its validator: a longer name
        # would reach the lockout table's 255-character column and fail there on PostgreSQL.
        limit = self.fields["username"].max_length
        self.fields["username"].validators.append(
            MaxLengthValidator(limit, message=f"A username has at most {limit} characters.")
        )
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Sign in"))


class AssessmentStartForm(forms.Form):
    title = forms.CharField(
        max_length=200,
        help_text="For example “2027 readiness review”.",
        error_messages={"required": "Give the assessment a title, e.g. 2027 readiness review."},
    )
    models = forms.MultipleChoiceField(
        label="287(g) models under consideration",
        choices=PartnershipModel.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Questions that apply only to models you do not choose are not asked.",
        error_messages={"required": "Choose at least one 287(g) model: JEM, TFM or WSO."},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Start assessment"))


class MultiLineTextField(forms.CharField):
    """Text from a textarea with line breaks stored as LF: browsers send CRLF but count a line
    break as one character against maxlength, so the limit here must count it once too."""

    def to_python(self, value):
        text = super().to_python(value)
        return text.replace("\r\n", "\n") if isinstance(text, str) else text


class ReturnForm(forms.Form):
    comment = MultiLineTextField(
        label="Comment for the preparers",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Say what must change before it can be approved.",
        error_messages={
            "required": "say what must change before it can be approved.",
            "max_length": "keep the comment within %(limit_value)d characters "
            "(it has %(show_value)d).",
        },
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=32,
        help_text="The 6-digit code from your authenticator app, or a recovery code.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text"}),
        error_messages={"required": "Enter the code from your authenticator app."},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class _SubmitHelperMixin:
    submit_label = "Save"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", self.submit_label))


class PasswordChangeForm(_SubmitHelperMixin, auth_forms.PasswordChangeForm):
    submit_label = "Change password"


class PasswordResetForm(_SubmitHelperMixin, auth_forms.PasswordResetForm):
    submit_label = "Send the link"


class SetPasswordForm(_SubmitHelperMixin, auth_forms.SetPasswordForm):
    submit_label = "Set password"
