"""The audit trail: one row per thing that happened, written only by `audit.services`.

The foreign keys to agencies, assessments and questions are lazy (by name), so this app imports
nothing of the apps that record events; it sits below them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy

from questionnaires.models import AnswerType, display_answer_value


class Event(models.Model):
    """The audit trail: who did what, when, from where, with old and new values. Never edited."""

    class Kind(models.TextChoices):
        # Assessment work (agency, assessment and actor set). Payloads: see PAYLOADS below.
        ASSESSMENT_STARTED = "assessment_started", gettext_lazy("Assessment started")
        ANSWER_CHANGED = "answer_changed", gettext_lazy("Answer changed")
        SUBMITTED = "submitted", gettext_lazy("Submitted for review")
        RETURNED = "returned", gettext_lazy("Returned to draft")
        APPROVED = "approved", gettext_lazy("Approved")
        REOPENED = "reopened", gettext_lazy("Reopened as a new revision")
        COMMENTED = "commented", gettext_lazy("Comment")
        QUESTION_COMMENTED = "question_commented", gettext_lazy("Comment on a question")
        COMMENT_RESOLVED = "comment_resolved", gettext_lazy("Comment resolved")
        NA_ACKNOWLEDGED = (
            "na_acknowledged",
            gettext_lazy("Critical question accepted as not applicable"),
        )
        REPORT_DOWNLOADED = "report_downloaded", gettext_lazy("Report downloaded")
        EXPORT_DOWNLOADED = "export_downloaded", gettext_lazy("JSON export downloaded")
        ANSWERS_CSV_DOWNLOADED = "answers_csv_downloaded", gettext_lazy("Answers CSV downloaded")
        # The readiness plan (new/old: the item's fields; comment: a progress note).
        PLAN_ITEM_CREATED = "plan_item_created", gettext_lazy("Plan item created")
        PLAN_ITEM_CHANGED = "plan_item_changed", gettext_lazy("Plan item changed")
        PLAN_CSV_DOWNLOADED = "plan_csv_downloaded", gettext_lazy("Plan CSV downloaded")
        CALENDAR_FEED_RENEWED = (
            "calendar_feed_renewed",
            gettext_lazy("Calendar feed address renewed"),
        )
        # Evidence (new/old: the item, its version, file name or reference, and SHA-256).
        EVIDENCE_ATTACHED = "evidence_attached", gettext_lazy("Evidence attached")
        EVIDENCE_REMOVED = "evidence_removed", gettext_lazy("Evidence removed")
        EVIDENCE_DOWNLOADED = "evidence_downloaded", gettext_lazy("Evidence downloaded")
        # Sign-in and two-step sign-in (actor, or the username typed).
        SIGNED_IN = "signed_in", gettext_lazy("Signed in")
        SIGN_IN_FAILED = "sign_in_failed", gettext_lazy("Sign-in failed")
        LOCKED_OUT = "locked_out", gettext_lazy("Locked out after failed sign-ins")
        SIGNED_OUT = "signed_out", gettext_lazy("Signed out")
        SESSION_ENDED = "session_ended", gettext_lazy("Session ended by time limit")
        MFA_ENABLED = "mfa_enabled", gettext_lazy("Two-step sign-in set up")
        MFA_VERIFIED = "mfa_verified", gettext_lazy("Two-step code accepted")
        MFA_FAILED = "mfa_failed", gettext_lazy("Two-step code refused")
        RECOVERY_CODES = "recovery_codes", gettext_lazy("Recovery codes created")
        MFA_REMOVED = "mfa_removed", gettext_lazy("Two-step sign-in removed")
        # People (subject_user is the account acted upon).
        MEMBER_ADDED = "member_added", gettext_lazy("Member added")
        INVITE_ISSUED = "invite_issued", gettext_lazy("Invitation link issued")
        ROLE_CHANGED = "role_changed", gettext_lazy("Role changed")
        MEMBER_MOVED = "member_moved", gettext_lazy("Membership moved to another agency")
        MEMBERSHIP_DELETED = "membership_deleted", gettext_lazy("Membership deleted")
        SITE_ROLE_CHANGED = "site_role_changed", gettext_lazy("Site administration rights changed")
        MEMBER_DEACTIVATED = "member_deactivated", gettext_lazy("Member deactivated")
        MEMBER_REACTIVATED = "member_reactivated", gettext_lazy("Member reactivated")
        PASSWORD_CHANGED = "password_changed", gettext_lazy("Password changed")
        # The agency's letterhead on its reports (new/old: the stored PNG's SHA-256 and size).
        LOGO_SET = "logo_set", gettext_lazy("Report letterhead set")
        LOGO_REMOVED = "logo_removed", gettext_lazy("Report letterhead removed")
        # The public community summary (new/old: its version number).
        SUMMARY_PUBLISHED = "summary_published", gettext_lazy("Community summary published")
        SUMMARY_UNPUBLISHED = "summary_unpublished", gettext_lazy("Community summary unpublished")
        # The state view (agencies.StateReviewer; oversight): sharing, reviewers, their views.
        AGENCY_SHARING_CHANGED = (
            "agency_sharing_changed",
            gettext_lazy("Sharing with state reviewers changed"),
        )
        STATE_REVIEWER_CHANGED = (
            "state_reviewer_changed",
            gettext_lazy("State reviewer rights changed"),
        )
        STATE_REVIEW_VIEWED = "state_review_viewed", gettext_lazy("Viewed by the state reviewer")

    class Outcome(models.TextChoices):
        SUCCESS = "success", gettext_lazy("Success")
        FAILURE = "failure", gettext_lazy("Failure")

    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    assessment = models.ForeignKey(
        "assessments.Assessment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
    )
    question = models.ForeignKey(
        "questionnaires.Question", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # PROTECT: a person named in the trail is deactivated, never deleted, so no row loses its name.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The account acted upon, for member and role changes.",
    )
    username = models.CharField(
        max_length=150, blank=True, help_text="The username typed, for sign-in events."
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    old = models.JSONField(null=True, blank=True)
    new = models.JSONField(null=True, blank=True)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "assessments_event"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["assessment", "-created_at"], name="assessments_assessm_719c19_idx"
            ),
            models.Index(fields=["agency", "-created_at"], name="assessments_agency__7700a4_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_kind_display()}"

    def _answer_summary(self, content: dict | None) -> str:
        if not content:
            return "unanswered"
        if content.get("not_applicable"):
            text = f"Not applicable ({content.get('na_reason', '')})"
        else:
            answer_type = self.question.answer_type if self.question else AnswerType.TEXT
            text = display_answer_value(answer_type, content.get("value", ""))
        if content.get("note"):
            text += f"; note: “{content['note']}”"
        if content.get("flagged"):
            text += "; marked for review"
        return text

    @property
    def old_summary(self) -> str:
        return self._answer_summary(self.old)

    @property
    def new_summary(self) -> str:
        return self._answer_summary(self.new)

    @property
    def state_view_summary(self) -> str:
        """For a state reviewer's view: what they opened, as the agency's audit log says it."""
        new = self.new or {}
        seen = STATE_VIEWS.get(new.get("view", ""), new.get("view", ""))
        return f"Opened {seen} (state reviewer for {new.get('state', '')})."

    @property
    def change_summary(self) -> str:
        """For status and other events: the fields that changed, old → new."""
        old, new = self.old or {}, self.new or {}
        parts = []
        for key in sorted(set(old) | set(new)):
            before, after = old.get(key), new.get(key)
            if before is None:
                parts.append(f"{key}: {after}")
            else:
                parts.append(f"{key}: {before} → {after}")
        return "; ".join(parts)


# The one payload shape of each kind: the keys of `old` and of `new` (None: no payload), and the
# keys that may be left out. `audit.services.event_build` refuses any other shape.
ANSWER_KEYS = frozenset({"value", "not_applicable", "na_reason", "note", "flagged"})
STATUS = frozenset({"status"})
DOWNLOAD = frozenset({"revision", "status"})
ACTIVE = frozenset({"active"})
ROLE = frozenset({"role"})
AGENCY_ROLE = frozenset({"agency", "role"})
SITE_ROLES = frozenset({"is_staff", "is_superuser"})
PLAN_FIELDS = frozenset({"item", "title", "owner", "target_date", "status", "wont_do_reason"})
EVIDENCE_FIELDS = frozenset({"evidence", "title", "version", "name", "sha256"})
LOGO_FIELDS = frozenset({"sha256", "width", "height", "bytes"})
SHARING = frozenset({"shares_with_state"})
REVIEWER = frozenset({"state"})
# view: what the reviewer opened (STATE_VIEWS); state: the reviewer's state.
STATE_VIEW = frozenset({"view", "state"})
STATE_VIEWS = {
    "table": "the state table",
    "csv": "the state table as CSV",
    "report": "the approved report (PDF)",
    "comparison": "the comparison with the previous approved assessment",
}


@dataclass(frozen=True)
class Payload:
    old: frozenset[str] | None = None
    new: frozenset[str] | None = None
    optional: frozenset[str] = frozenset()


K = Event.Kind
PAYLOADS: dict[str, Payload] = {
    # phase and carried_from (the earlier assessment's id) since questionnaire version 2.
    K.ASSESSMENT_STARTED: Payload(
        new=frozenset({"title", "models", "phase", "carried_from"}),
        optional=frozenset({"phase", "carried_from"}),
    ),
    # old: the answer before (all keys empty when there was none); new: after.
    K.ANSWER_CHANGED: Payload(old=ANSWER_KEYS, new=ANSWER_KEYS),
    K.SUBMITTED: Payload(old=STATUS, new=STATUS),
    K.RETURNED: Payload(old=STATUS, new=STATUS),  # comment: what must change
    # new.attestation: the statement the approver confirmed; flags_cleared: how many "marked for
    # review" flags approval cleared (both since review screens; absent before).
    K.APPROVED: Payload(
        old=STATUS,
        new=STATUS | {"attestation", "flags_cleared"},
        optional=frozenset({"attestation", "flags_cleared"}),
    ),
    # old.assessment: the approved revision's id; new: the new draft revision.
    K.REOPENED: Payload(
        old=frozenset({"revision", "assessment"}), new=frozenset({"revision", "status"})
    ),
    K.COMMENTED: Payload(),  # comment: a note on the assessment (an import's origin)
    # question set; comment: the text; new.comment: its id, new.reply_to: the thread it answers.
    K.QUESTION_COMMENTED: Payload(
        new=frozenset({"comment", "reply_to"}), optional=frozenset({"reply_to"})
    ),
    K.COMMENT_RESOLVED: Payload(new=frozenset({"comment"})),  # question set
    # question set; new.reason: the N/A reason that command staff accepted.
    K.NA_ACKNOWLEDGED: Payload(new=frozenset({"reason"})),
    K.REPORT_DOWNLOADED: Payload(new=DOWNLOAD),
    K.EXPORT_DOWNLOADED: Payload(new=DOWNLOAD),
    K.ANSWERS_CSV_DOWNLOADED: Payload(new=DOWNLOAD),
    # item: the plan item's id; the others as set (create) or as changed (change).
    K.PLAN_ITEM_CREATED: Payload(new=PLAN_FIELDS, optional=PLAN_FIELDS - {"item", "title"}),
    K.PLAN_ITEM_CHANGED: Payload(
        old=PLAN_FIELDS, new=PLAN_FIELDS, optional=PLAN_FIELDS - {"item"}
    ),  # comment: the progress note
    K.PLAN_CSV_DOWNLOADED: Payload(),
    K.CALENDAR_FEED_RENEWED: Payload(),
    K.EVIDENCE_ATTACHED: Payload(new=EVIDENCE_FIELDS),
    K.EVIDENCE_REMOVED: Payload(old=EVIDENCE_FIELDS),
    K.EVIDENCE_DOWNLOADED: Payload(new=frozenset({"evidence", "sha256"})),
    K.SIGNED_IN: Payload(),
    K.SIGN_IN_FAILED: Payload(),  # username: what was typed
    K.LOCKED_OUT: Payload(),
    K.SIGNED_OUT: Payload(),
    K.SESSION_ENDED: Payload(),  # comment: the limit reached
    K.MFA_ENABLED: Payload(),  # comment: the device
    K.MFA_VERIFIED: Payload(),  # comment: the device
    K.MFA_FAILED: Payload(),
    K.RECOVERY_CODES: Payload(),
    K.MFA_REMOVED: Payload(),  # comment: the device
    K.MEMBER_ADDED: Payload(
        new=frozenset({"username", "role", "title"}), optional=frozenset({"title"})
    ),
    K.INVITE_ISSUED: Payload(),
    K.ROLE_CHANGED: Payload(old=ROLE, new=ROLE),
    # Recorded in both agencies' trails.
    K.MEMBER_MOVED: Payload(old=AGENCY_ROLE, new=AGENCY_ROLE),
    K.MEMBERSHIP_DELETED: Payload(old=AGENCY_ROLE),
    # The rights that changed: one or both.
    K.SITE_ROLE_CHANGED: Payload(old=SITE_ROLES, new=SITE_ROLES, optional=SITE_ROLES),
    K.MEMBER_DEACTIVATED: Payload(old=ACTIVE, new=ACTIVE),  # comment: sessions ended
    K.MEMBER_REACTIVATED: Payload(old=ACTIVE, new=ACTIVE),
    K.PASSWORD_CHANGED: Payload(),
    # new: the PNG stored (comment: the file's name as uploaded, and the letterhead replaced).
    K.LOGO_SET: Payload(new=LOGO_FIELDS),
    K.LOGO_REMOVED: Payload(old=LOGO_FIELDS),
    # new.version: the version made public; new.replaced: the live version it replaced, if any.
    # comment: the statements published with it.
    K.SUMMARY_PUBLISHED: Payload(
        new=frozenset({"version", "replaced"}), optional=frozenset({"replaced"})
    ),
    K.SUMMARY_UNPUBLISHED: Payload(old=frozenset({"version"})),
    K.AGENCY_SHARING_CHANGED: Payload(old=SHARING, new=SHARING),
    # subject_user: the reviewer; state "" before they were made one, after they no longer are.
    K.STATE_REVIEWER_CHANGED: Payload(old=REVIEWER, new=REVIEWER),
    # actor: the reviewer; agency: the agency seen; assessment: its approved one shown, if any.
    K.STATE_REVIEW_VIEWED: Payload(new=STATE_VIEW),
}
