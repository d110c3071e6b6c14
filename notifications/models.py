"""What members are told: in-app notifications and which kinds of email each member turned off."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy


class Kind(models.TextChoices):
    SUBMITTED = "submitted", gettext_lazy("An assessment is submitted for review")
    RETURNED = "returned", gettext_lazy("An assessment you worked on is returned for changes")
    APPROVED = "approved", gettext_lazy("An assessment you worked on is approved")
    COMMENT = "comment", gettext_lazy("A comment on a question")
    INVITATION = "invitation", gettext_lazy("Invitation")
    PASSWORD_RESET = "password_reset", gettext_lazy("Password reset")


# The kinds a member may turn off; invitations and password resets always go out.
OPTIONAL_KINDS = (Kind.SUBMITTED, Kind.RETURNED, Kind.APPROVED, Kind.COMMENT)


class Notification(models.Model):
    """One event told to one member, shown under the bell in the header until opened."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    summary = models.CharField(max_length=300)
    detail = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(fields=["recipient", "-created_at"], name="notification_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.recipient_id}: {self.summary}"


class EmailOptOut(models.Model):
    """A kind of email a member turned off (the in-app notification still shows)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_opt_outs"
    )
    kind = models.CharField(max_length=20, choices=[(k.value, k.label) for k in OPTIONAL_KINDS])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_opt_out_per_kind"),
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in OPTIONAL_KINDS]),
                name="opt_out_of_optional_kinds_only",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} turned off {self.kind}"
