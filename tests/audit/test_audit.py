"""The audit trail: what is recorded, who may read it, and that nobody can change it."""

from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from agencies.models import Role
from audit.models import Event
from reports import pdf
from tests.factories import PASSWORD, MemberFactory, answer_questions, totp_code, totp_device
from tests.pages import sign_in, text_of

IP = "127.0.0.1"


def audit_rows(response) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", response.content.decode(), re.S)
    if body is None:
        return []
    return [text_of(row) for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)]


def only(kind: str) -> Event:
    return Event.objects.get(kind=kind)


@pytest.fixture
def admin_client(agency_admin, client_for):
    return client_for(agency_admin)


# What is recorded


def test_it_records_a_sign_in(preparer, agency):
    response = sign_in(Client(), "preparer", PASSWORD)

    assert response.status_code == 302
    event = only(Event.Kind.SIGNED_IN)
    assert (event.actor, event.agency, event.outcome) == (preparer, agency, "success")
    assert event.ip_address == IP
    assert event.created_at.utcoffset().total_seconds() == 0


def test_it_records_a_failed_sign_in(preparer, agency):
    response = sign_in(Client(), "preparer", "not-the-password")

    assert response.status_code == 200
    event = only(Event.Kind.SIGN_IN_FAILED)
    assert event.outcome == "failure"
    assert (event.actor, event.subject_user, event.agency) == (None, preparer, agency)
    assert event.username == "preparer"
    assert event.ip_address == IP
    assert not Event.objects.filter(kind=Event.Kind.SIGNED_IN).exists()


def test_it_locks_out_and_records_it(preparer, agency):
    client = Client()
    responses = [sign_in(client, "preparer", f"wrong-{n}") for n in range(6)]

    assert responses[-1].status_code == 429
    event = Event.objects.filter(kind=Event.Kind.LOCKED_OUT).first()
    assert event is not None
    assert (event.subject_user, event.agency, event.outcome) == (preparer, agency, "failure")
    assert event.ip_address == IP
    # The right password is refused while the lockout lasts.
    assert sign_in(Client(), "preparer", PASSWORD).status_code == 429
    assert not Event.objects.filter(kind=Event.Kind.SIGNED_IN).exists()


def test_it_records_a_sign_out(preparer, agency, client_for):
    client = client_for(preparer)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    event = only(Event.Kind.SIGNED_OUT)
    assert (event.actor, event.agency, event.outcome) == (preparer, agency, "success")
    assert event.ip_address == IP


def test_it_records_every_member_change(admin_client, agency_admin, agency):
    admin_client.post(
        reverse("member_add"),
        {"username": "jsmith", "first_name": "Jane", "last_name": "Smith", "role": "preparer"},
    )
    member = get_user_model().objects.get(username="jsmith")
    pk = member.membership.pk
    admin_client.post(reverse("member_role", args=[pk]), {"role": Role.COMMAND})
    admin_client.post(reverse("member_deactivate", args=[pk]))
    admin_client.post(reverse("member_reactivate", args=[pk]))

    kinds = [
        Event.Kind.MEMBER_ADDED,
        Event.Kind.ROLE_CHANGED,
        Event.Kind.MEMBER_DEACTIVATED,
        Event.Kind.MEMBER_REACTIVATED,
    ]
    for kind in kinds:
        event = only(kind)
        assert event.actor == agency_admin, kind
        assert event.subject_user == member, kind
        assert event.agency == agency, kind
        assert event.outcome == "success", kind
        assert event.ip_address == IP, kind
    rows = audit_rows(admin_client.get(reverse("agency_audit"), {"user": member.pk}))
    assert [re.sub(r"^\S+ \S+ ", "", row) for row in rows] == [
        "Agencyadmin Tester Member reactivated Account: Jane Smith (jsmith) Success 127.0.0.1 "
        "active: False → True",
        "Agencyadmin Tester Member deactivated Account: Jane Smith (jsmith) Success 127.0.0.1 "
        "active: True → False",
        "Agencyadmin Tester Role changed Account: Jane Smith (jsmith) Success 127.0.0.1 "
        "role: preparer → command",
        "Agencyadmin Tester Member added Account: Jane Smith (jsmith) Success 127.0.0.1 "
        "role: preparer; username: jsmith",
    ]


def test_it_records_an_accepted_two_step_code(command, agency, client_for):
    device = totp_device(command)
    client = client_for(command, verified=False)

    response = client.post(
        reverse("mfa_verify"), {"code": totp_code(device), "next": "/"}, REMOTE_ADDR="198.51.100.4"
    )

    assert response["Location"] == "/"
    event = only(Event.Kind.MFA_VERIFIED)
    assert (event.actor, event.agency, event.outcome) == (command, agency, "success")
    assert (event.ip_address, event.comment) == ("198.51.100.4", device.name)


def test_it_records_the_recovery_codes_given_at_set_up(command, agency, client_for):
    client = client_for(command, verified=False)
    client.get(reverse("mfa_setup"))
    device = command.totpdevice_set.get(confirmed=False)

    response = client.post(
        reverse("mfa_setup"), {"code": totp_code(device), "next": "/"}, REMOTE_ADDR="198.51.100.5"
    )

    assert response.status_code == 200
    for kind in (Event.Kind.MFA_ENABLED, Event.Kind.RECOVERY_CODES):
        event = only(kind)
        assert (event.actor, event.agency, event.outcome) == (command, agency, "success"), kind
        assert event.ip_address == "198.51.100.5", kind


def test_it_records_renewed_recovery_codes(command, agency, client_for):
    response = client_for(command).post(reverse("recovery_codes_renew"), REMOTE_ADDR="198.51.100.6")

    assert response.status_code == 200
    event = only(Event.Kind.RECOVERY_CODES)
    assert (event.actor, event.agency, event.outcome) == (command, agency, "success")
    assert event.ip_address == "198.51.100.6"


def test_status_changes_and_downloads_record_who_where_and_from_which_address(
    draft, preparer, command, agency, client_for, monkeypatch
):
    monkeypatch.setattr(pdf, "render_pdf", lambda html: b"%PDF-1.7 stand-in")
    answer_questions(draft, preparer)
    as_preparer, as_command = client_for(preparer), client_for(command)
    steps = [
        (as_preparer, "assessment_submit", {}, "198.51.100.11"),
        (as_command, "assessment_return", {"comment": "Check CAP-01."}, "198.51.100.12"),
        (as_preparer, "assessment_submit", {}, "198.51.100.13"),
        (as_command, "assessment_approve", {"attest": "on"}, "198.51.100.14"),
        (as_command, "assessment_reopen", {}, "198.51.100.15"),
    ]
    for client, name, data, address in steps:
        response = client.post(reverse(name, args=[draft.pk]), data, REMOTE_ADDR=address)
        assert response.status_code == 302, name
    download = as_command.get(reverse("report_pdf", args=[draft.pk]), REMOTE_ADDR="198.51.100.16")
    assert download.status_code == 200

    expected = [
        (Event.Kind.SUBMITTED, preparer, "198.51.100.11"),
        (Event.Kind.RETURNED, command, "198.51.100.12"),
        (Event.Kind.SUBMITTED, preparer, "198.51.100.13"),
        (Event.Kind.APPROVED, command, "198.51.100.14"),
        (Event.Kind.REOPENED, command, "198.51.100.15"),
        (Event.Kind.REPORT_DOWNLOADED, command, "198.51.100.16"),
    ]
    events = Event.objects.filter(kind__in={kind for kind, _, _ in expected}).order_by("id")
    assert [(e.kind, e.actor, e.ip_address) for e in events] == expected
    assert {(e.agency, e.outcome) for e in events} == {(agency, "success")}


def test_answer_changes_record_the_client_address(draft, preparer, client_for):
    client = client_for(preparer)
    question = draft.applicable_questions().get(code="CAP-01")
    client.post(
        reverse("section", args=[draft.pk, "CAP"]),
        {f"q{question.pk}-value": "yes", f"q{question.pk}-version": "0"},
        REMOTE_ADDR="203.0.113.7",
    )
    event = Event.objects.get(kind=Event.Kind.ANSWER_CHANGED, question=question)
    assert event.ip_address == "203.0.113.7"
    assert event.actor == preparer
    assert event.agency == draft.agency


def test_changing_and_setting_a_password_are_recorded(preparer, client_for):
    client = client_for(preparer)
    new_password = "another long passphrase"
    client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert Event.objects.filter(kind=Event.Kind.PASSWORD_CHANGED, actor=preparer).count() == 1
    preparer.refresh_from_db()
    uid = urlsafe_base64_encode(force_bytes(preparer.pk))
    token = default_token_generator.make_token(preparer)
    anonymous = Client()
    form_url = anonymous.get(reverse("password_reset_confirm", args=[uid, token]))["Location"]
    third = "a third long passphrase"
    anonymous.post(form_url, {"new_password1": third, "new_password2": third})
    assert Event.objects.filter(kind=Event.Kind.PASSWORD_CHANGED, actor=preparer).count() == 2


# The client's address behind a reverse proxy

FORGED = "203.0.113.66"
CLIENT = "198.51.100.7"


def test_without_a_trusted_proxy_a_forged_forwarded_for_is_ignored(settings, preparer, draft):
    settings.READINESS_TRUSTED_PROXY_COUNT = 0
    forged = {"HTTP_X_FORWARDED_FOR": FORGED, "REMOTE_ADDR": CLIENT}

    client = Client()
    sign_in(client, "preparer", "not-the-password", **forged)
    assert AccessAttempt.objects.get(username="preparer").ip_address == CLIENT  # the lockout's
    sign_in(client, "preparer", PASSWORD, **forged)
    change_an_answer(client, draft, **forged)

    for kind in (Event.Kind.SIGN_IN_FAILED, Event.Kind.SIGNED_IN, Event.Kind.ANSWER_CHANGED):
        assert only(kind).ip_address == CLIENT, kind


def test_behind_one_trusted_proxy_the_address_it_appended_is_recorded(settings, preparer, draft):
    settings.READINESS_TRUSTED_PROXY_COUNT = 1
    # nginx on the same host appends the address it saw to whatever the client sent.
    proxied = {"HTTP_X_FORWARDED_FOR": f"{FORGED}, {CLIENT}", "REMOTE_ADDR": "127.0.0.1"}

    client = Client()
    sign_in(client, "preparer", "not-the-password", **proxied)
    assert AccessAttempt.objects.get(username="preparer").ip_address == CLIENT  # the lockout's
    sign_in(client, "preparer", PASSWORD, **proxied)
    change_an_answer(client, draft, **proxied)

    for kind in (Event.Kind.SIGN_IN_FAILED, Event.Kind.SIGNED_IN, Event.Kind.ANSWER_CHANGED):
        assert only(kind).ip_address == CLIENT, kind


@pytest.mark.parametrize(
    ("count", "forwarded_for", "recorded"),
    [
        (2, f"{FORGED}, {CLIENT}, 10.0.0.2", CLIENT),  # a load balancer, then nginx
        (2, CLIENT, "127.0.0.1"),  # fewer entries than proxies: the header is not trusted
        (1, "", "127.0.0.1"),
        (1, f"{CLIENT}, not-an-address", "127.0.0.1"),
        (1, "2001:db8::7", "2001:db8::7"),
    ],
)
def test_the_address_is_taken_from_the_right_entry_or_not_at_all(
    settings, preparer, count, forwarded_for, recorded
):
    settings.READINESS_TRUSTED_PROXY_COUNT = count

    sign_in(
        Client(),
        "preparer",
        "not-the-password",
        HTTP_X_FORWARDED_FOR=forwarded_for,
        REMOTE_ADDR="127.0.0.1",
    )

    assert only(Event.Kind.SIGN_IN_FAILED).ip_address == recorded


def change_an_answer(client: Client, draft, **headers) -> None:
    question = draft.applicable_questions().get(code="CAP-01")
    response = client.post(
        reverse("section", args=[draft.pk, "CAP"]),
        {f"q{question.pk}-value": "yes", f"q{question.pk}-version": "0"},
        **headers,
    )
    assert response.status_code == 302


# Reading it


def test_it_shows_the_agency_events_newest_first(admin_client, preparer, draft):
    sign_in(Client(), "preparer", "not-the-password")

    response = admin_client.get(reverse("agency_audit"))

    assert response.status_code == 200
    rows = audit_rows(response)
    assert rows[0].startswith(
        only(Event.Kind.SIGN_IN_FAILED).created_at.strftime("%Y-%m-%d %H:%M:%S")
    )
    assert "Sign-in failed Account: Preparer Tester (preparer) Failure 127.0.0.1" in rows[0]
    assert any("Assessment started 2027 readiness review (rev. 1)" in row for row in rows)


def test_command_can_read_it(command, client_for, draft):
    response = client_for(command).get(reverse("agency_audit"))

    assert response.status_code == 200
    assert any("Assessment started" in row for row in audit_rows(response))


def test_it_filters_by_user(admin_client, preparer, command):
    sign_in(Client(), "preparer", PASSWORD)
    sign_in(Client(), "command", "not-the-password")

    response = admin_client.get(reverse("agency_audit"), {"user": preparer.pk})

    rows = audit_rows(response)
    assert len(rows) == 1
    assert "Signed in" in rows[0]
    assert "Preparer Tester" in rows[0]


def test_it_filters_by_kind(admin_client, preparer, command):
    sign_in(Client(), "preparer", PASSWORD)
    sign_in(Client(), "command", "not-the-password")
    sign_in(Client(), "preparer", "not-the-password")

    response = admin_client.get(reverse("agency_audit"), {"kind": Event.Kind.SIGN_IN_FAILED})

    rows = audit_rows(response)
    assert len(rows) == 2
    assert all("Sign-in failed" in row for row in rows)


def test_it_pages_by_fifty_and_keeps_the_filter(admin_client, agency, preparer):
    Event.objects.bulk_create(
        Event(agency=agency, actor=preparer, kind=Event.Kind.SIGNED_IN) for _ in range(51)
    )
    Event.objects.create(agency=agency, actor=preparer, kind=Event.Kind.SIGNED_OUT)
    query = {"user": preparer.pk, "kind": Event.Kind.SIGNED_IN}

    first = admin_client.get(reverse("agency_audit"), query)
    second = admin_client.get(reverse("agency_audit"), {**query, "page": 2})

    assert len(audit_rows(first)) == 50
    assert len(audit_rows(second)) == 1
    assert f"user={preparer.pk}&amp;kind=signed_in&amp;page=2" in first.content.decode()


def test_the_filter_form_puts_no_csrf_token_in_the_address(admin_client):
    page = admin_client.get(reverse("agency_audit")).content.decode()

    form = re.search(r'<form method="get".*?</form>', page, re.S).group(0)
    assert "csrfmiddlewaretoken" not in form
    assert '<label for="id_user"' in re.sub(r"\s+", " ", form)


def test_preparers_cannot_read_it(preparer, client_for):
    assert client_for(preparer).get(reverse("agency_audit")).status_code == 403


def test_command_of_another_agency_sees_none_of_its_rows(
    outsider, preparer, client_for, draft, agency
):
    sign_in(Client(), "preparer", PASSWORD)
    client = client_for(outsider)

    plain = client.get(reverse("agency_audit"))
    aimed = client.get(reverse("agency_audit"), {"user": preparer.pk})

    assert Event.objects.filter(agency=agency).count() >= 2
    for response in (plain, aimed):
        assert response.status_code == 200
        page = response.content.decode()
        assert "Preparer Tester" not in page
        assert "2027 readiness review" not in page
        assert all("Example County" not in row for row in audit_rows(response))


# Nobody can change it


def test_the_audit_page_changes_nothing(admin_client, preparer):
    sign_in(Client(), "preparer", "not-the-password")

    assert admin_client.post(reverse("agency_audit")).status_code == 405
    assert admin_client.delete(reverse("agency_audit")).status_code == 405
    assert Event.objects.filter(kind=Event.Kind.SIGN_IN_FAILED).count() == 1


def test_the_admin_cannot_add_change_or_delete_events(client_for, preparer):
    superuser = get_user_model().objects.create_superuser("root", "root@example.gov", PASSWORD)
    sign_in(Client(), "preparer", "not-the-password")
    event = only(Event.Kind.SIGN_IN_FAILED)
    request = RequestFactory().get("/admin/")
    request.user = superuser

    model_admin = admin.site._registry[Event]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)
    assert "delete_selected" not in model_admin.get_actions(request)

    client = client_for(superuser)
    change = reverse("admin:audit_event_change", args=[event.pk])
    delete = reverse("admin:audit_event_delete", args=[event.pk])
    assert client.post(change, {"comment": "edited", "kind": "signed_in"}).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.post(reverse("admin:audit_event_add"), {}).status_code == 403
    changelist = reverse("admin:audit_event_changelist")
    client.post(changelist, {"action": "delete_selected", "_selected_action": [event.pk]})
    event.refresh_from_db()
    assert (event.kind, event.comment) == (Event.Kind.SIGN_IN_FAILED, "")


def test_no_app_url_names_an_event_edit_or_delete():
    from django.urls import get_resolver

    def names(patterns, prefix=""):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                namespace = getattr(pattern, "namespace", None)
                if namespace == "admin":
                    continue
                yield from names(pattern.url_patterns)
            elif pattern.name:
                yield pattern.name

    suspicious = [
        name
        for name in names(get_resolver().url_patterns)
        if ("event" in name or "audit" in name) and name != "agency_audit"
    ]
    assert suspicious == []


def test_an_admin_of_another_agency_cannot_read_it_through_member_filters(
    other_agency, preparer, client_for
):
    other_admin = MemberFactory(username="otheradmin", agency=other_agency, role=Role.AGENCY_ADMIN)
    sign_in(Client(), "preparer", "not-the-password")

    response = client_for(other_admin).get(
        reverse("agency_audit"), {"user": preparer.pk, "kind": "sign_in_failed"}
    )

    assert response.status_code == 200
    assert audit_rows(response) == []
