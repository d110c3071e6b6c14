"""Forms for managing an agency's members and filtering its audit log, and the check every
form view makes of what was posted (`bound_form`, `body_problem`)."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout, Submit
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_lazy

from audit.models import Event

from .models import Membership, Role


class MemberAddForm(forms.Form):
    username = forms.CharField(
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=gettext_lazy(
            "What the member types to sign in, e.g. jsmith. Letters, digits and @ . + - _ "
            "only; case-sensitive."
        ),
        error_messages={"required": gettext_lazy("Enter a username, e.g. jsmith.")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    first_name = forms.CharField(
        max_length=150,
        error_messages={"required": gettext_lazy("Enter the member's first name.")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    last_name = forms.CharField(
        max_length=150,
        error_messages={"required": gettext_lazy("Enter the member's last name.")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    email = forms.EmailField(
        required=False,
        max_length=254,  # the user table's column; EmailField alone allows 320
        help_text=gettext_lazy("Optional; used for password-reset links."),
        error_messages={
            "invalid": gettext_lazy("Enter an email address such as j.smith@example.gov."),
            "max_length": gettext_lazy(
                "An email address has at most %(limit_value)d characters "
                "(this one has %(show_value)d)."
            ),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        choices=Role.choices,
        initial=Role.PREPARER,
        help_text=gettext_lazy(
            "Preparers answer questions; command staff also start, approve and download; "
            "agency administrators also manage members."
        ),
    )
    title = forms.CharField(
        max_length=100,
        required=False,
        help_text=Membership._meta.get_field("title").help_text,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", gettext("Add member")))

    def clean_username(self) -> str:
        """The username as it will be stored: Django saves it in Unicode normal form (NFKC), in
        which one character can become several ("ﷺ" is 18), so check the stored form's length
        and characters here rather than let the database refuse it."""
        typed = self.cleaned_data["username"]
        username = get_user_model().normalize_username(typed)
        limit = self.fields["username"].max_length
        if len(username) > limit:
            raise ValidationError(
                gettext(
                    "A username has at most %(limit)s characters; stored in standard form, this "
                    "one would have %(length)s. Choose a shorter one."
                )
                % {"limit": limit, "length": len(username)}
            )
        if username != typed:
            UnicodeUsernameValidator()(username)
        return username

    def clean_email(self) -> str:
        """The address as it will be stored (the domain in lower case), within its column."""
        email = get_user_model().objects.normalize_email(self.cleaned_data["email"])
        limit = self.fields["email"].max_length
        if len(email) > limit:
            raise ValidationError(
                gettext(
                    "An email address has at most %(limit)s characters; with its domain in lower "
                    "case this one has %(length)s."
                )
                % {"limit": limit, "length": len(email)}
            )
        return email


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(
        choices=Role.choices,
        error_messages={
            "required": gettext_lazy("Choose Preparer, Command or Agency administrator."),
            "invalid_choice": gettext_lazy("Choose Preparer, Command or Agency administrator."),
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", gettext("Change role")))


class AuditFilterForm(forms.Form):
    """Filters of the audit log; `user` offers only the agency's own members."""

    user = forms.TypedChoiceField(
        label=gettext_lazy("User"), coerce=int, required=False, empty_value=None
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Event"),
        required=False,
        choices=[("", gettext_lazy("All events")), *Event.Kind.choices],
    )

    def __init__(self, *args, members, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [
            ("", gettext("Everyone")),
            *(
                (m.user_id, f"{m.user.get_full_name() or m.user.username} ({m.user.username})")
                for m in members
            ),
        ]
        self.helper = FormHelper()
        self.helper.form_tag = False  # the template's GET form adds the button
        self.helper.disable_csrf = True  # a token in a GET query string would leak into logs
        self.helper.layout = Layout(
            Div("user", css_class="col-md-5"), Div("kind", css_class="col-md-5")
        )


# What a browser sends for this site's forms. None of them uploads a file.
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
NOT_A_FORM = gettext_lazy(
    "Nothing was saved: what was sent was not this page's form (it came as {content_type}). "
    "Fill in the form on the page and send it again."
)
FILE_IN_FIELD = gettext_lazy("Type this in; a file cannot be sent here.")
FILE_NOT_ASKED = gettext_lazy(
    "Nothing was saved: this form takes no file, and one was sent as “{name}”."
)


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


class LogoForm(forms.Form):
    logo = forms.FileField(
        label=gettext_lazy("Logo file"),
        help_text=gettext_lazy(
            "PNG or JPEG, at most 2 MB and 5000 pixels on a side. It is scaled to at most "
            "600 × 270 pixels and saved again as PNG. SVG is not accepted."
        ),
        error_messages={"required": gettext_lazy("Choose a PNG or JPEG file to upload.")},
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", gettext("Upload logo")))
