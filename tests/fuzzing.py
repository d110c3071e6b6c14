"""What the fuzz tests of every app share: Hypothesis settings, hostile text, bodies that are
not a form, the messages a refused form shows, and snapshots of what a post could change.

Whatever is posted: never a 500; a refused post says why next to the field (or answers with a
400, 403 or 404 page); and nothing already saved changes unless the post saved it on purpose.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote

from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from agencies.models import Membership
from assessments.models import Answer, Assessment
from audit.models import Event
from tests.hypothesis_profiles import examples
from tests.pages import text_of

User = get_user_model()


# Hypothesis reuses the function-scoped fixtures across examples on purpose: the database keeps
# what earlier examples saved, and each example compares against a fresh snapshot.
FUZZ = settings(
    max_examples=examples(50),
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
FEW = settings(FUZZ, max_examples=examples(25))


SPECIALS = [
    "\x00",
    "a\x00b",
    "\u202eevil\u202c",  # right-to-left override
    "\u200f\u05e9\u05dc\u05d5\u05dd",  # right-to-left mark and Hebrew
    "\u2066isolate\u2069",
    "\ufeffBOM",
    "\x1b[31mred\x1b[0m",
    "\x07\x08\x0b\x0c\x7f",
    "line one\r\nline two",
    "tab\tseparated",
    "\x1f",
    "unit\x1fseparator",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00",
    "{{ request }}",
    "👮‍♀️ emoji",
    "e\u0301\u0301\u0301",
    "na",
    " na ",
    "on",
    "yes",
    "4",
    "-1",
    "1e999",
    "NaN",
    "sNaN",
    "Infinity",
    "9" * 5000,
    "",
    " ",
]
LENGTHS = [999, 1000, 1001, 1999, 2000, 2001, 4999, 5000, 5001, 1_000_000]


nasty_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(SPECIALS),
    st.builds(
        lambda piece, size: (piece * size)[:size],
        st.sampled_from(["x", "é", "👮", "\u202e", "ab\r\n"]),
        st.sampled_from(LENGTHS),
    ),
    st.integers().map(str),
    st.floats().map(str),
    st.booleans().map(str),
)


# What a browser could send for a text a user typed: no NUL, within the limits.
typed_text = st.one_of(
    # A browser sends UTF-8: no lone surrogate (category Cs) can arrive in a form post.
    st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=40),
    st.sampled_from([s for s in SPECIALS if "\x00" not in s and len(s) <= 1000]),
)


def snapshot() -> dict:
    """Every stored answer, with its version and who and when, keyed by (assessment, question)."""
    return {
        (a.assessment_id, a.question_id): (
            a.value,
            a.not_applicable,
            a.na_reason,
            a.note,
            a.flagged,
            a.version,
            a.updated_by_id,
            a.updated_at,
        )
        for a in Answer.objects.all()
    }


def statuses() -> dict[int, str]:
    return dict(Assessment.objects.values_list("pk", "status"))


def assert_not_a_server_error(response) -> None:
    assert response.status_code < 500, response.content[:2000]


def unreadable(data: dict) -> bool:
    """Whether Django refuses to read a body with a 400: over DATA_UPLOAD_MAX_MEMORY_SIZE, or a
    multipart field name longer than its 1024-byte part-header limit."""
    values = [v for value in data.values() for v in (value if isinstance(value, list) else [value])]
    size = sum(len(str(v).encode()) for v in [*data, *values])
    too_big = size > django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return too_big or any(len(name.encode()) > 950 for name in data)


_CONTROL = re.compile(r"<(input|select|textarea|fieldset)\b([^>]*)>", re.S)
_ATTRIBUTE = re.compile(r'([\w:-]+)="([^"]*)"')


def field_errors(response, name: str) -> list[str]:
    """The messages shown for the field `name` in its own error element (crispy's
    `<div id="id_<name>_error" class="invalid-feedback">` below the control), checking that the
    control, or the fieldset of a group of check boxes, names that element in aria-describedby
    and is marked invalid, so a screen reader reads the message with the field. [] if none."""
    content = response.content.decode()
    block = re.search(
        rf'<div id="id_{name}_error" class="invalid-feedback">(.*?)</div>', content, re.S
    )
    if block is None:
        return []
    messages = [
        text_of(message)
        for message in re.findall(
            rf'<(?:span|p) id="error_\d+_id_{name}"[^>]*>(.*?)</(?:span|p)>', block.group(1), re.S
        )
    ]
    assert messages and all(messages), f"the error element of {name} is empty"
    describing = [
        (tag, attributes)
        for tag, raw in _CONTROL.findall(content)
        for attributes in [dict(_ATTRIBUTE.findall(raw))]
        if f"id_{name}_error" in attributes.get("aria-describedby", "").split()
    ]
    assert describing, f"no control of {name} refers to its error message"
    for tag, attributes in describing:
        if tag != "fieldset":
            assert attributes.get("name") == name, (name, attributes)
            assert attributes.get("aria-invalid") == "true", (name, attributes)
    return messages


def all_field_errors(response) -> dict[str, list[str]]:
    """Every field's messages, by field name, each checked as in `field_errors`."""
    names = re.findall(
        r'<div id="id_(\w+)_error" class="invalid-feedback">', response.content.decode()
    )
    return {name: field_errors(response, name) for name in names}


def form_alerts(response) -> list[str]:
    """Messages about a whole form: crispy's alert at the top of the form."""
    blocks = re.findall(
        r'<div class="alert alert-block alert-danger">\s*<ul[^>]*>(.*?)</ul>',
        response.content.decode(),
        re.S,
    )
    return [
        text_of(item) for block in blocks for item in re.findall(r"<li>(.*?)</li>", block, re.S)
    ]


def last_value(value):
    """What a form field reads from a posted value or list of values (the last; None if none)."""
    if isinstance(value, list):
        return value[-1] if value else None
    return value


BODIES = ["json", "text", "file"]


def wrong_body(kind: str, fields: dict, file_field: str) -> dict:
    """Keyword arguments for Client.post: the form's fields sent as another kind of body."""
    if kind == "json":
        return {"data": json.dumps(fields), "content_type": "application/json"}
    if kind == "text":
        lines = (f"{name}={value}" for name, value in fields.items())
        return {"data": "\n".join(lines), "content_type": "text/plain"}
    upload = SimpleUploadedFile("evidence.txt", b"Typed in a file.", content_type="text/plain")
    return {"data": {**fields, file_field: upload}}  # multipart, the file in the field's place


# Accounts, memberships, two-step devices and the audit trail


def account_state() -> dict[str, set]:
    """Everything a form of these pages could change by mistake, as sets of rows."""
    return {
        "users": set(
            User.objects.values_list(
                "pk",
                "username",
                "password",
                "is_active",
                "email",
                "first_name",
                "last_name",
                "is_staff",
                "is_superuser",
            )
        ),
        "memberships": set(
            Membership.objects.values_list("pk", "user_id", "agency_id", "role", "title")
        ),
        # Not the throttling counters: a refused code counts against its device on purpose.
        "totp": set(TOTPDevice.objects.values_list("pk", "user_id", "key", "confirmed")),
        "static": set(StaticDevice.objects.values_list("pk", "user_id", "confirmed")),
        "tokens": set(StaticToken.objects.values_list("device_id", "token")),
        "events": set(Event.objects.values_list("pk", "kind", "actor_id", "subject_user_id")),
    }


def changes(before: dict, after: dict) -> dict[str, tuple[set, set]]:
    """What changed, by table: (rows gone, rows new)."""
    return {
        name: (before[name] - after[name], after[name] - before[name])
        for name in before
        if before[name] != after[name]
    }


def new_event_kinds(before: dict, after: dict) -> list[str]:
    return sorted(row[1] for row in after["events"] - before["events"])


def mostly(good, bad):
    """`good` half the time, else `bad` (st.one_of would give each branch of `bad` a share)."""
    return st.booleans().flatmap(lambda ok: good if ok else bad)


def several(values):
    """A field sent once, or any number of times (a list: duplicated fields; empty: missing)."""
    return st.one_of(values, st.lists(values, max_size=3))


VALID_EMAIL_254 = "j" * 64 + "@" + ("d" * 62 + ".") * 2 + "e" * 59 + ".gov"
EMAILS = st.one_of(
    nasty_text,
    st.sampled_from(
        [
            "",
            "j.smith@example.gov",
            "J.Smith@EXAMPLE.GOV",
            "preparer@example.gov",
            VALID_EMAIL_254,
            VALID_EMAIL_254[:-4] + "x.gov",  # 255
            "a" * 60 + "@" + ("b" * 60 + ".") * 4 + "gov",  # valid, 308 characters
            "not-an-email",
            "a@b\x00.gov",
            "j@\u0130\u0130.gov",
        ]
    ),
)


def sent_as(kind: str, data: dict, file_field: str) -> dict:
    """Keyword arguments for Client.post: `data` sent as a form (urlencoded or multipart) or as
    another kind of body (see `wrong_body`)."""
    if kind == "multipart":
        return {"data": data}
    if kind == "urlencoded":
        pairs = [
            (name, value)
            for name, values in data.items()
            for value in (values if isinstance(values, list) else [values])
        ]
        return {
            "data": "&".join(f"{quote(n, safe='')}={quote(v, safe='')}" for n, v in pairs),
            "content_type": "application/x-www-form-urlencoded",
        }
    flat = {name: last_value(value) or "" for name, value in data.items()}
    return wrong_body(kind, flat, file_field)


def password_link(user) -> str:
    """The link an invitation or a password-reset email gives `user`."""
    return reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session
