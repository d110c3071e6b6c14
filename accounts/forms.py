"""Sign-in, two-step codes and password forms."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator

from notifications.models import OPTIONAL_KINDS


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


class EmailPreferencesForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label="Email me when",
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        choices=[(kind.value, kind.label) for kind in OPTIONAL_KINDS],
        help_text="Invitations and password resets are always emailed. Everything is also "
        "listed under Notifications.",
    )
