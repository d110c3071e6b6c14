"""The Django admin of accounts and two-step devices, for site administrators.

Deactivating, reactivating, granting site administration, setting a password and adding or
removing a two-step device here are recorded in the audit trail, with the site administrator as
actor.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db import transaction
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.admin import RecordsRemoval
from agencies.services import IN_ADMIN, admin_change_record, sessions_end_note
from audit.models import Event

_record = admin_change_record


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class AuditedUserAdmin(UserAdmin):
    """Deactivating, reactivating, granting or withdrawing site administration and setting a
    password are recorded. Deleting someone named in the audit trail is refused (Event.actor is
    PROTECT): deactivate."""

    SITE_ROLE_FIELDS = ["is_staff", "is_superuser"]

    def get_deleted_objects(self, objs, request):
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        # Django counts protected events as objects one lacks permission to delete, and then
        # shows that instead of the list of rows that block the deletion. Events are never
        # deleted with a user (only protected), so that permission is not what is missing.
        if protected:
            perms_needed.discard(Event._meta.verbose_name)
        return to_delete, model_count, perms_needed, protected

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data:
            self._record_activation(request, obj)
        changed_roles = [name for name in self.SITE_ROLE_FIELDS if name in form.changed_data]
        if change and changed_roles:
            _record(
                request,
                Event.Kind.SITE_ROLE_CHANGED,
                obj,
                old={name: form.initial.get(name) for name in changed_roles},
                new={name: getattr(obj, name) for name in changed_roles},
            )

    def user_change_password(self, request, id, form_url=""):
        user = self.get_object(request, unquote(id))
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            # Recorded only if the stored password changed: a refused form leaves it as it was.
            if user is not None and request.method == "POST":
                before = user.password
                user.refresh_from_db(fields=["password"])
                if user.password != before:
                    self._record_password_set(request, user)
        return response

    def _record_password_set(self, request, user) -> None:
        # The person's sessions need no ending here: Django signs out any session whose
        # stored password hash no longer matches.
        comment = IN_ADMIN
        if not user.has_usable_password():
            comment = f"Password sign-in turned off. {IN_ADMIN}"
        _record(
            request,
            Event.Kind.PASSWORD_CHANGED,
            user,
            comment=comment,
        )

    def _record_activation(self, request, user) -> None:
        """As `members.member_deactivate` does, a deactivated person's sessions end at once."""
        comment = IN_ADMIN
        if user.is_active:
            kind = Event.Kind.MEMBER_REACTIVATED
        else:
            kind = Event.Kind.MEMBER_DEACTIVATED
            comment += sessions_end_note(user)
        _record(
            request,
            kind,
            user,
            old={"active": not user.is_active},
            new={"active": user.is_active},
            comment=comment,
        )


class RecordsDeviceChanges(RecordsRemoval):
    """For django-otp's device admins: a device becoming usable (added confirmed, or confirmed
    later) is recorded, as is removing one (a lost phone, used-up recovery codes), one event per
    device, whether deleted alone or in bulk."""

    def _describe(self, device) -> str:
        return f"{device.name} ({device._meta.verbose_name})"

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if obj.confirmed and (not change or "confirmed" in form.changed_data):
            _record(
                request,
                Event.Kind.MFA_ENABLED,
                obj.user,
                comment=f"{self._describe(obj)}. {IN_ADMIN}",
            )

    def _record_removed(self, request, device) -> None:
        comment = self._describe(device)
        if not device.confirmed:
            comment += ", never confirmed"
        _record(
            request,
            Event.Kind.MFA_REMOVED,
            device.user,
            comment=f"{comment}. {IN_ADMIN}",
        )


admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


@admin.register(TOTPDevice)
class AuditedTOTPDeviceAdmin(RecordsDeviceChanges, TOTPDeviceAdmin):
    pass


@admin.register(StaticDevice)
class AuditedStaticDeviceAdmin(RecordsDeviceChanges, StaticDeviceAdmin):
    pass
