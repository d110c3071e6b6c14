"""The Django admin of agencies and memberships, for site administrators.

Memberships added, changed, moved or deleted here are recorded in the audit trail as the in-app
changes are, with the site administrator as actor.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import transaction

from audit.models import Event

from .models import Agency, Membership, StateReviewer
from .services import (
    IN_ADMIN,
    admin_change_record,
    sessions_end_note,
    state_reviewer_conflict,
)

_record = admin_change_record


def _membership_state(membership: Membership) -> dict:
    return {"agency": membership.agency.name, "role": membership.role}


def _record_membership_saved(request, membership: Membership, *, old_role: str | None) -> None:
    """MEMBER_ADDED for a new membership (`old_role` None), ROLE_CHANGED for a changed role."""
    if old_role == membership.role:
        return
    if old_role is None:
        kind, old = Event.Kind.MEMBER_ADDED, None
        new = {"username": membership.user.username, "role": membership.role}
        if membership.title:
            new["title"] = membership.title
    else:
        kind, old, new = Event.Kind.ROLE_CHANGED, {"role": old_role}, {"role": membership.role}
    _record(request, kind, membership.user, agency_id=membership.agency_id, old=old, new=new)


def _record_membership_moved(
    request, membership: Membership, *, old_agency: Agency, old_role: str
) -> None:
    """One event in each agency's trail, so both see who left and who arrived. The person's
    sessions end at once: what they may see has changed."""
    comment = IN_ADMIN + sessions_end_note(membership.user)
    old = {"agency": old_agency.name, "role": old_role}
    for agency_id in (old_agency.pk, membership.agency_id):
        _record(
            request,
            Event.Kind.MEMBER_MOVED,
            membership.user,
            agency_id=agency_id,
            old=old,
            new=_membership_state(membership),
            comment=comment,
        )


def _record_membership_deleted(request, membership: Membership) -> None:
    _record(
        request,
        Event.Kind.MEMBERSHIP_DELETED,
        membership.user,
        agency_id=membership.agency_id,
        old=_membership_state(membership),
        comment="Membership deleted in the Django admin." + sessions_end_note(membership.user),
    )


class RecordsRemoval:
    """Deletions in the admin, one or a selection, each recorded by `_record_removed` in the
    same transaction as the delete."""

    removal_related: tuple[str, ...] = ("user",)

    def _record_removed(self, request, obj) -> None:
        raise NotImplementedError

    def delete_model(self, request, obj) -> None:
        with transaction.atomic():
            self._record_removed(request, obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        with transaction.atomic():
            for obj in queryset.select_related(*self.removal_related):
                self._record_removed(request, obj)
            super().delete_queryset(request, queryset)


class MembershipForm(forms.ModelForm):
    """An existing membership keeps its person: handing it to someone else would move access
    between two people unrecorded. Delete it and add one for the other person instead."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["user"].disabled = True

    def clean_user(self):
        user = self.cleaned_data["user"]
        problem = state_reviewer_conflict(user_id=getattr(user, "pk", None), becoming="member")
        if problem:
            raise forms.ValidationError(problem)
        return user


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
        "shares_with_state",
        "county",
        "agency_type",
        "ori",
        "sworn_officers",
        "operates_jail",
    ]
    list_filter = ["state", "agency_type", "operates_jail", "shares_with_state"]
    readonly_fields = ["shares_with_state"]
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
class MembershipAdmin(RecordsRemoval, admin.ModelAdmin):
    removal_related = ("user", "agency")
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

    def _record_removed(self, request, membership) -> None:
        _record_membership_deleted(request, membership)


class StateReviewerForm(forms.ModelForm):
    """A state reviewer: an existing account that belongs to no agency, and the one state whose
    sharing agencies they see. Create the account first (Users), without staff rights."""

    class Meta:
        model = StateReviewer
        fields = ["user", "state", "body"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["user"].disabled = True  # as a membership: never handed to someone else

    def clean_state(self) -> str:
        state = self.cleaned_data["state"].strip().upper()
        if len(state) != 2 or not state.isalpha():
            raise forms.ValidationError("Enter the state's two-letter postal code, e.g. TX.")
        return state

    def clean_user(self):
        user = self.cleaned_data["user"]
        problem = state_reviewer_conflict(user_id=getattr(user, "pk", None), becoming="reviewer")
        if problem:
            raise forms.ValidationError(problem)
        return user


@admin.register(StateReviewer)
class StateReviewerAdmin(RecordsRemoval, admin.ModelAdmin):
    """Made, moved to another state or removed here, each recorded with the site administrator
    as actor (outside any agency's trail: no agency chose them)."""

    form = StateReviewerForm
    list_display = ["user", "state", "body", "created_at"]
    list_filter = ["state"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "body"]
    autocomplete_fields = ["user"]

    def save_model(self, request, obj, form, change) -> None:
        old_state = form.initial.get("state", "") if change else ""
        super().save_model(request, obj, form, change)
        if old_state != obj.state:
            _record(
                request,
                Event.Kind.STATE_REVIEWER_CHANGED,
                obj.user,
                agency_id=None,
                old={"state": old_state},
                new={"state": obj.state},
            )

    def _record_removed(self, request, reviewer: StateReviewer) -> None:
        _record(
            request,
            Event.Kind.STATE_REVIEWER_CHANGED,
            reviewer.user,
            agency_id=None,
            old={"state": reviewer.state},
            new={"state": ""},
        )
