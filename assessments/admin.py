"""The Django admin for site administrators.

Changes to people, roles and two-step devices made here are recorded in the audit trail as the
in-app ones are, with the site administrator as actor.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db import transaction
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import audit
from .members import sessions_end
from .models import (
    Agency,
    Answer,
    Assessment,
    Event,
    Membership,
    Question,
    QuestionnaireVersion,
    ScoreSnapshot,
    Section,
)

IN_ADMIN = "In the Django admin."


def _record(request, kind: str, subject_user, *, comment: str = IN_ADMIN, **fields) -> None:
    """An audit row for a change a site administrator made here, with them as the actor."""
    audit.record(
        request=request,
        kind=kind,
        actor=request.user,
        subject_user=subject_user,
        comment=comment,
        **fields,
    )


def _sessions_end(user) -> str:
    """End `user`'s sessions at once, as `members.member_deactivate` does; for the comment."""
    ended = sessions_end(user=user)
    return f" {ended} session(s) ended." if ended else ""


def _membership_state(membership: Membership) -> dict:
    return {"agency": membership.agency.name, "role": membership.role}


def _record_membership_saved(request, membership: Membership, *, old_role: str | None) -> None:
    """MEMBER_ADDED for a new membership (`old_role` None), ROLE_CHANGED for a changed role."""
    if old_role == membership.role:
        return
    _record(
        request,
        Event.Kind.MEMBER_ADDED if old_role is None else Event.Kind.ROLE_CHANGED,
        membership.user,
        agency_id=membership.agency_id,
        old=None if old_role is None else {"role": old_role},
        new={"role": membership.role},
    )


def _record_membership_moved(
    request, membership: Membership, *, old_agency: Agency, old_role: str
) -> None:
    """One event in each agency's trail, so both see who left and who arrived. The person's
    sessions end at once: what they may see has changed."""
    comment = IN_ADMIN + _sessions_end(membership.user)
    old = {"agency": old_agency.name, "role": old_role}
    for agency_id in (old_agency.pk, membership.agency_id):
        _record(
            request,
            Event.Kind.ROLE_CHANGED,
            membership.user,
            agency_id=agency_id,
            old=old,
            new=_membership_state(membership),
            comment=comment,
        )


def _record_membership_deleted(request, membership: Membership) -> None:
    _record(
        request,
        Event.Kind.MEMBER_DEACTIVATED,
        membership.user,
        agency_id=membership.agency_id,
        old=_membership_state(membership),
        comment="Membership deleted in the Django admin." + _sessions_end(membership.user),
    )


class MembershipForm(forms.ModelForm):
    """An existing membership keeps its person: handing it to someone else would move access
    between two people unrecorded. Delete it and add one for the other person instead."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["user"].disabled = True


class MembershipInline(admin.TabularInline):
    """A membership cannot be moved to another agency here: the hidden agency field of each row
    must name this agency (Django's InlineForeignKeyField refuses any other)."""

    model = Membership
    form = MembershipForm
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "state",
        "county",
        "agency_type",
        "ori",
        "sworn_officers",
        "operates_jail",
    ]
    list_filter = ["state", "agency_type", "operates_jail"]
    search_fields = ["name", "county", "ori"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]

    def save_formset(self, request, form, formset, change) -> None:
        if formset.model is not Membership:
            super().save_formset(request, form, formset, change)
            return
        old_roles = {f.instance.pk: f.initial.get("role") for f in formset.initial_forms}
        super().save_formset(request, form, formset, change)
        for membership in formset.deleted_objects:
            _record_membership_deleted(request, membership)
        for membership in formset.new_objects:
            _record_membership_saved(request, membership, old_role=None)
        for membership, changed in formset.changed_objects:
            if "role" in changed:
                _record_membership_saved(request, membership, old_role=old_roles[membership.pk])


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "role", "title", "created_at"]
    list_filter = ["role", "agency"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "agency__name"]
    autocomplete_fields = ["user", "agency"]
    form = MembershipForm

    def save_model(self, request, obj, form, change) -> None:
        old_role = form.initial.get("role") if change else None
        super().save_model(request, obj, form, change)
        if change and "agency" in form.changed_data:
            old_agency = Agency.objects.get(pk=form.initial["agency"])
            _record_membership_moved(request, obj, old_agency=old_agency, old_role=old_role)
        else:
            _record_membership_saved(request, obj, old_role=old_role)

    def delete_model(self, request, obj) -> None:
        with transaction.atomic():
            _record_membership_deleted(request, obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        with transaction.atomic():
            for membership in queryset.select_related("user", "agency"):
                _record_membership_deleted(request, membership)
            super().delete_queryset(request, queryset)


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
                Event.Kind.ROLE_CHANGED,
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
            comment += _sessions_end(user)
        _record(
            request,
            kind,
            user,
            old={"active": not user.is_active},
            new={"active": user.is_active},
            comment=comment,
        )


class RecordsDeviceChanges:
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

    def delete_model(self, request, obj) -> None:
        with transaction.atomic():
            self._record_removed(request, obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        with transaction.atomic():
            for device in queryset.select_related("user"):
                self._record_removed(request, device)
            super().delete_queryset(request, queryset)


admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


@admin.register(TOTPDevice)
class AuditedTOTPDeviceAdmin(RecordsDeviceChanges, TOTPDeviceAdmin):
    pass


@admin.register(StaticDevice)
class AuditedStaticDeviceAdmin(RecordsDeviceChanges, StaticDeviceAdmin):
    pass


class UsedQuestionnaireReadOnly:
    """Questions and sections of a version that assessments use cannot be edited here."""

    def _is_used(self, obj) -> bool:
        questionnaire = getattr(obj, "questionnaire", obj)
        return questionnaire is not None and questionnaire.pk and questionnaire.is_used

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and self._is_used(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and self._is_used(obj):
            return False
        return super().has_delete_permission(request, obj)


@admin.register(QuestionnaireVersion)
class QuestionnaireVersionAdmin(UsedQuestionnaireReadOnly, admin.ModelAdmin):
    list_display = ["title", "slug", "version", "published", "source_file", "loaded_at"]
    list_filter = ["published", "slug"]
    search_fields = ["title", "slug"]
    readonly_fields = ["content_hash", "source_file", "loaded_at"]

    def has_change_permission(self, request, obj=None) -> bool:
        # Publishing or withdrawing a version is allowed even once it is used.
        return admin.ModelAdmin.has_change_permission(self, request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.is_used:
            fields += ["slug", "version", "title", "description"]
        return fields


@admin.register(Section)
class SectionAdmin(UsedQuestionnaireReadOnly, admin.ModelAdmin):
    list_display = ["code", "title", "questionnaire", "position"]
    list_filter = ["questionnaire"]
    search_fields = ["code", "title"]


@admin.register(Question)
class QuestionAdmin(UsedQuestionnaireReadOnly, admin.ModelAdmin):
    list_display = [
        "code",
        "short_prompt",
        "section",
        "answer_type",
        "weight_capacity",
        "weight_policy",
        "weight_community",
        "critical",
        "applies_jem",
        "applies_tfm",
        "applies_wso",
    ]
    list_filter = [
        "questionnaire",
        "section__code",
        "answer_type",
        "critical",
        "applies_jem",
        "applies_tfm",
        "applies_wso",
    ]
    search_fields = ["code", "prompt", "guidance", "recommendation", "source"]
    list_select_related = ["section"]

    @admin.display(description="prompt")
    def short_prompt(self, obj: Question) -> str:
        return obj.prompt if len(obj.prompt) <= 80 else obj.prompt[:79] + "…"


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["title", "agency", "revision", "status", "created_at", "approved_at"]
    list_filter = ["status", "agency", "questionnaire"]
    search_fields = ["title", "agency__name"]
    list_select_related = ["agency"]
    readonly_fields = [
        "status",
        "revision",
        "reopened_from",
        "created_by",
        "created_at",
        "submitted_by",
        "submitted_at",
        "approved_by",
        "approved_at",
        "updated_at",
        "questionnaire",
    ]

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.status != Assessment.Status.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if change:
            messages.info(request, "Answers are edited by the agency in the checklist.")


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    """Read-only: answers change only through the checklist, which records every change."""

    list_display = [
        "assessment",
        "question",
        "value",
        "not_applicable",
        "flagged",
        "updated_by",
        "updated_at",
    ]
    list_filter = ["not_applicable", "flagged", "assessment__agency"]
    search_fields = ["question__code", "note", "assessment__title"]
    list_select_related = ["assessment", "question", "updated_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "agency", "assessment", "actor", "kind", "question"]
    list_filter = ["kind", "agency"]
    search_fields = ["actor__username", "assessment__title", "comment"]
    list_select_related = ["agency", "assessment", "actor", "question"]


@admin.register(ScoreSnapshot)
class ScoreSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "created_at"]
    list_select_related = ["assessment"]
