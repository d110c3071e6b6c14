"""Forms of the plan pages: their messages say what to do."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext, gettext_lazy

from agencies.models import Agency, person_name
from questionnaires.models import Section

from .models import TITLE_MAX_LENGTH, PlanItem
from .selectors import DIMENSIONS, SORTS, PlanFilters

STATUS_FILTERS = [
    ("", gettext_lazy("Any status")),
    ("unfinished", gettext_lazy("Open or in progress")),
] + list(PlanItem.Status.choices)


def member_choices(agency: Agency, *, active_only: bool) -> list[tuple[str, str]]:
    memberships = agency.memberships.select_related("user").order_by(
        "user__last_name", "user__first_name", "user__username"
    )
    return [
        (
            str(m.user_id),
            person_name(m.user) + ("" if m.user.is_active else " " + gettext("(deactivated)")),
        )
        for m in memberships
        if m.user.is_active or not active_only
    ]


class PlanFilterForm(forms.Form):
    owner = forms.ChoiceField(required=False)
    status = forms.ChoiceField(choices=STATUS_FILTERS, required=False)
    overdue = forms.BooleanField(label=gettext_lazy("Overdue only"), required=False)
    step = forms.ChoiceField(required=False)
    dimension = forms.ChoiceField(
        choices=[("", gettext_lazy("Any dimension"))] + [(d, d.title()) for d in DIMENSIONS],
        required=False,
    )
    sort = forms.ChoiceField(choices=list(SORTS.items()), required=False)

    def __init__(self, *args, agency: Agency, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [
            ("", gettext("Anyone")),
            ("0", gettext("Nobody yet")),
        ] + member_choices(agency, active_only=False)
        for name, field in self.fields.items():
            css = "form-check-input" if name == "overdue" else "form-select"
            field.widget.attrs["class"] = css
        codes = Section.objects.order_by("position").values_list("code", "title").distinct()
        seen: dict[str, str] = {}
        for code, title in codes:
            seen.setdefault(code, title)
        self.fields["step"].choices = [("", gettext("Any step"))] + [
            (code, f"{code} · {title}") for code, title in seen.items()
        ]

    def filters(self) -> PlanFilters:
        if not self.is_valid():
            return PlanFilters()
        data = self.cleaned_data
        return PlanFilters(
            owner=int(data["owner"]) if data["owner"] not in ("", None) else None,
            status=data["status"] or "",
            overdue=bool(data["overdue"]),
            step=data["step"] or "",
            dimension=data["dimension"] or "",
            sort=data["sort"] or "priority",
        )


class ItemForm(forms.Form):
    """Command staff: every field. The owner only sees status, reason and note."""

    title = forms.CharField(
        max_length=TITLE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("Give the item a title: what must be done.")},
    )
    owner = forms.ChoiceField(required=False, help_text=gettext_lazy("A member of this agency."))
    target_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "invalid": gettext_lazy("Enter the target date as a date, e.g. 2027-03-31.")
        },
    )
    status = forms.ChoiceField(choices=PlanItem.Status.choices)
    wont_do_reason = forms.CharField(
        label=gettext_lazy("Reason it will not be done"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Required with “Won't do”."),
    )
    note = forms.CharField(
        label=gettext_lazy("Progress note"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("What was done, by whom, what is next. Added to the dated log."),
    )

    def __init__(self, *args, agency: Agency, full: bool, item: PlanItem | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", gettext("Nobody yet"))] + member_choices(
            agency, active_only=True
        )
        if item is not None and item.owner_id and not item.owner.is_active:
            self.fields["owner"].choices.append(
                (str(item.owner_id), f"{person_name(item.owner)} " + gettext("(deactivated)"))
            )
        if not full:
            for name in ("title", "owner", "target_date"):
                del self.fields[name]
        if item is None:
            del self.fields["status"], self.fields["wont_do_reason"], self.fields["note"]

    def clean(self):
        data = super().clean()
        if (
            data.get("status") == PlanItem.Status.WONT_DO
            and not (data.get("wont_do_reason") or "").strip()
        ):
            self.add_error("wont_do_reason", gettext("Say why the item will not be done."))
        return data

    def changes(self) -> dict:
        """The posted values as `services.item_update` takes them."""
        data = self.cleaned_data
        changes = {}
        for name in ("title", "target_date", "status", "wont_do_reason"):
            if name in self.fields:
                changes[name] = data.get(name) if name != "wont_do_reason" else data.get(name, "")
        if "owner" in self.fields:
            owner_id = data.get("owner")
            changes["owner"] = get_user_model().objects.get(pk=owner_id) if owner_id else None
        return changes
