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
    # The overview page shows these after "Not returned: ", above its hand-written form, so each
    # names the field it is about.
    comment = MultiLineTextField(
        label="Comment for the preparers",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Say what must change before it can be approved.",
        error_messages={
            "required": "say what must change before it can be approved: the comment for the "
            "preparers is empty.",
            "max_length": "keep the comment within %(limit_value)d characters "
            "(it has %(show_value)d).",
            "null_characters_not_allowed": "the comment contains a null character (U+0000), "
            "which cannot be stored; remove it and send the comment again.",
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


# What a browser sends for this site's forms. None of them uploads a file.
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
NOT_A_FORM = (
    "Nothing was saved: what was sent was not this page's form (it came as {content_type}). "
    "Fill in the form on the page and send it again."
)
FILE_IN_FIELD = "Type this in; a file cannot be sent here."
FILE_NOT_ASKED = "Nothing was saved: this form takes no file, and one was sent as “{name}”."


def body_problem(request) -> str:
    """Why a POST did not come the way a browser sends this site's forms, or "" if it did: a
    JSON or plain-text body (Django reads neither, so every field would look empty) or a file
    (the field it replaces would look empty, and so be cleared)."""
    if request.content_type not in FORM_CONTENT_TYPES:
        return NOT_A_FORM.format(content_type=request.content_type[:60] or "no content type")
    if request.FILES:
        return FILE_NOT_ASKED.format(name=next(iter(request.FILES))[:60])
    return ""


def add_body_errors(form: forms.Form, request) -> None:
    """`body_problem` on a form bound to `request.POST`, which then fails to validate: a file
    sent in place of a field is refused next to that field, anything else above the form."""
    for name in request.FILES:
        if name in form.fields:
            form.errors.pop(name, None)  # "required": the field was sent, as a file
            form.add_error(name, FILE_IN_FIELD)
        else:
            form.add_error(None, FILE_NOT_ASKED.format(name=name[:60]))
    if request.content_type not in FORM_CONTENT_TYPES:
        form.add_error(None, body_problem(request))


def bound_form(form_class, request, **kwargs):
    """The form, bound to any POST, even an empty one (`request.POST or None` would show a
    body Django could not read as a blank form, without a word); a body that is not the page's
    form gets its explanation added."""
    if request.method != "POST":
        return form_class(**kwargs)
    form = form_class(request.POST, **kwargs)
    add_body_errors(form, request)
    return form
