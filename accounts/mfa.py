"""Two-step sign-in (TOTP with recovery codes), built on django-otp."""

from __future__ import annotations

import base64
import secrets

from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.access import membership_or_none, state_reviewer_or_none, two_step_required

RECOVERY_CODE_COUNT = 10


def mfa_required_by_policy(user) -> bool:
    """Command staff, agency and site administrators and state reviewers always; everyone when
    the setting says so."""
    if not user.is_authenticated:
        return False
    if settings.READINESS_MFA_FOR_EVERYONE or user.is_staff or user.is_superuser:
        return True
    if two_step_required(membership_or_none(user)):
        return True
    return state_reviewer_or_none(user) is not None


def mfa_required(user) -> bool:
    """Required by policy, or set up by choice: an enrolled second factor must not be skippable."""
    return mfa_required_by_policy(user) or (user.is_authenticated and has_totp(user))


def has_totp(user) -> bool:
    """Whether the user has a confirmed authenticator: known without a query for the signed-in
    user (the sign-in backend loads it with them), asked of the database otherwise."""
    if hasattr(user, "readiness_totp_id"):
        return user.readiness_totp_id is not None
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user_id=user.pk, device__confirmed=True).count()


def base32_secret(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def pending_totp_device(user) -> TOTPDevice:
    """The unconfirmed device being set up, created on first call."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


@transaction.atomic
def recovery_codes_create(*, user) -> list[str]:
    """Replace the user's recovery codes with new single-use ones and return them (shown once)."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name="Recovery codes")
    device.confirmed = True
    device.save()
    device.token_set.all().delete()
    codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(RECOVERY_CODE_COUNT)]
    # Stored without the hyphen, which is only there for reading: django-otp's token column holds
    # 16 characters (PostgreSQL refuses the 17 of the shown form; SQLite never checks).
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=code.replace("-", "")) for code in codes
    )
    return codes


def typed_code(code: str) -> str:
    """A code as devices store it: apps show "123 456", recovery codes are shown with a hyphen."""
    return code.strip().replace(" ", "").replace("-", "").lower()


def match_code(user, code: str):
    """The confirmed device that accepts `code` (each code works once), or None."""
    code = typed_code(code)
    if not code:
        return None
    for device in devices_for_user(user, confirmed=True):
        if device.verify_is_allowed()[0] and device.verify_token(code):
            return device
    return None
