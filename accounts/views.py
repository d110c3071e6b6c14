"""The account page, two-step sign-in, password changes and the session keep-alive."""

from __future__ import annotations

import math

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from agencies.access import membership_or_none
from audit.models import Event
from audit.request import client_ip
from audit.services import event_record
from notifications.selectors import email_kinds_on
from notifications.services import email_preferences_set

from . import mfa, middleware
from .forms import CodeForm, EmailPreferencesForm, PasswordChangeForm, SetPasswordForm


def _record(request: HttpRequest, kind: str, *, actor=None, **fields) -> None:
    """An event about the signed-in person (or `actor`), in their agency's trail."""
    actor = actor or request.user
    membership = membership_or_none(actor)
    event_record(
        kind=kind,
        actor=actor,
        agency_id=membership.agency_id if membership else None,
        ip_address=client_ip(request),
        **fields,
    )


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    # Only a path: redirect() would take a bare word such as "0" for a view name and fail.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own settings: password, two-step sign-in and recovery codes."""
    user = request.user
    return render(
        request,
        "registration/account.html",
        {
            "account_membership": membership_or_none(user),
            "mfa_on": mfa.has_totp(user),
            "mfa_required": mfa.mfa_required_by_policy(user),
            "recovery_codes_left": mfa.recovery_codes_left(user),
            "email_form": EmailPreferencesForm(initial={"kinds": email_kinds_on(user)}),
        },
    )


@login_required
@require_POST
def email_preferences(request: HttpRequest) -> HttpResponse:
    form = EmailPreferencesForm(request.POST)
    if form.is_valid():
        email_preferences_set(user=request.user, kinds_on=form.cleaned_data["kinds"])
        messages.success(request, gettext("Your email settings are saved."))
    else:
        messages.error(request, gettext("Not saved: choose from the kinds listed."))
    return redirect(reverse("account") + "#email")


@login_required
def mfa_verify(request: HttpRequest) -> HttpResponse:
    if request.user.is_verified():
        return redirect(_next_url(request))
    if not mfa.has_totp(request.user):
        return redirect("mfa_setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = mfa.match_code(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            _record(request, kind=Event.Kind.MFA_VERIFIED, comment=device.name)
            return redirect(_next_url(request))
        _record(request, kind=Event.Kind.MFA_FAILED, outcome=Event.Outcome.FAILURE)
        form.add_error(
            "code",
            "That code is not valid. Enter the current 6-digit code from your authenticator "
            "app (each code works once), or an unused recovery code.",
        )
    return render(
        request, "registration/mfa_verify.html", {"form": form, "next": _next_url(request)}
    )


@login_required
def mfa_setup(request: HttpRequest) -> HttpResponse:
    if mfa.has_totp(request.user) and not request.user.is_verified():
        return redirect("mfa_verify")
    device = mfa.pending_totp_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(mfa.typed_code(form.cleaned_data["code"])):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            codes = mfa.recovery_codes_create(user=request.user)
            _record(request, kind=Event.Kind.MFA_ENABLED, comment=device.name)
            _record(request, kind=Event.Kind.RECOVERY_CODES)
            return render(
                request,
                "registration/mfa_recovery_codes.html",
                {"codes": codes, "next": _next_url(request)},
            )
        form.add_error(
            "code",
            "That code does not match. Check that the app shows Readiness for your username "
            "and enter the code it shows now.",
        )
    secret = mfa.base32_secret(device)
    uri = device.config_url
    qr_svg = (
        segno.make(uri, error="m")
        .svg_inline(scale=4, dark="#000", light="#fff")
        .replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)
    )
    return render(
        request,
        "registration/mfa_setup.html",
        {
            "form": form,
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "qr_svg": qr_svg,
            "next": _next_url(request),
            "required": mfa.mfa_required(request.user),
        },
    )


@login_required
@require_POST
def recovery_codes_renew(request: HttpRequest) -> HttpResponse:
    if not request.user.is_verified():
        return redirect("mfa_verify")
    codes = mfa.recovery_codes_create(user=request.user)
    _record(request, kind=Event.Kind.RECOVERY_CODES)
    messages.success(request, gettext("New recovery codes created; the old ones no longer work."))
    return render(
        request,
        "registration/mfa_recovery_codes.html",
        {"codes": codes, "next": reverse("account")},
    )


def _session_left(request: HttpRequest) -> dict:
    """Seconds until the session ends, and which limit ends it: "idle" (activity extends it) or
    "absolute" (nothing does)."""
    idle_left, absolute_left = middleware.session_time_left(request.session, middleware.now())
    ends = "absolute" if absolute_left < idle_left else "idle"
    left = max(0, math.ceil(min(idle_left, absolute_left)))
    return {"signed_in": True, "seconds_left": left, "ends": ends}


def session_status(request: HttpRequest) -> JsonResponse:
    """Time left in the session; reading it does not count as activity."""
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False, "seconds_left": 0})
    return JsonResponse(_session_left(request))


@require_POST
def session_keepalive(request: HttpRequest) -> JsonResponse:
    """The "Stay signed in" button: the request itself counts as activity."""
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False, "seconds_left": 0}, status=401)
    return JsonResponse(_session_left(request))


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm

    def form_valid(self, form):
        response = super().form_valid(form)
        _record(self.request, kind=Event.Kind.PASSWORD_CHANGED)
        return response


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """Setting a password from an invitation or reset link; sign-in (and two-step) follows."""

    form_class = SetPasswordForm

    def form_valid(self, form):
        response = super().form_valid(form)
        _record(
            self.request,
            kind=Event.Kind.PASSWORD_CHANGED,
            actor=form.user,
            subject_user=form.user,
            comment="Set from an emailed or invitation link.",
        )
        return response
