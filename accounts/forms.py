"""Sign-in, two-step codes and password forms."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext, gettext_lazy

from notifications.models import OPTIONAL_KINDS


class SignInForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": gettext_lazy(
            "The username or password is not correct. Both are case-sensitive."
        ),
        "inactive": gettext_lazy(
            "This account has been deactivated. Ask your agency administrator."
        ),
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # AuthenticationForm sets the username's max_length without its validator: a longer name
        # would reach the lockout table's 255-character column and fail there on PostgreSQL.
        limit = self.fields["username"].max_length
        self.fields["username"].validators.append(
            MaxLengthValidator(
                limit,
                message=gettext("A username has at most %(limit)s characters.") % {"limit": limit},
            )
        )
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", gettext("Sign in")))


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        help_text=gettext_lazy("The 6-digit code from your authenticator app, or a recovery code."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text"}),
        error_messages={"required": gettext_lazy("Enter the code from your authenticator app.")},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class _SubmitHelperMixin:
    submit_label = gettext_lazy("Save")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", self.submit_label))


class PasswordChangeForm(_SubmitHelperMixin, auth_forms.PasswordChangeForm):
    submit_label = gettext_lazy("Change password")


class PasswordResetForm(_SubmitHelperMixin, auth_forms.PasswordResetForm):
    submit_label = gettext_lazy("Send the link")


class SetPasswordForm(_SubmitHelperMixin, auth_forms.SetPasswordForm):
    submit_label = gettext_lazy("Set password")


class EmailPreferencesForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label=gettext_lazy("Email me when"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        choices=[(kind.value, kind.label) for kind in OPTIONAL_KINDS],
        help_text=gettext_lazy(
            "Invitations and password resets are always emailed. Everything is also "
            "listed under Notifications."
        ),
    )
