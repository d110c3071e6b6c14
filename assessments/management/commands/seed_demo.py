"""Create the demo agencies, accounts and assessments. Running it again changes nothing."""

from __future__ import annotations

import base64
import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.models import Agency, Membership, Role, StateReviewer
from agencies.services import agency_sharing_set
from assessments import services
from assessments.models import Assessment
from assessments.selectors import assessment_result
from evidence import services as evidence_services
from jurisdictions.loader import DEFAULT_STATE_LAW, state_law_load
from jurisdictions.models import StateLawVersion
from plans import services as plan_services
from questionnaires.loader import SHIPPED_QUESTIONNAIRES, questionnaire_load
from questionnaires.models import QuestionnaireVersion

DEMO_PASSWORD = "readiness-demo"
# Base32, as authenticator apps take it. Demo accounts only: never use a published secret.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXP"
DEMO_TOTP_USERS = {"command", "agencyadmin", "admin", "lakeview", "txreviewer"}

AGENCIES = {
    "example": {
        "name": "Example County Sheriff's Office",
        "state": "TX",
        "county": "Example County",
        "ori": "TX0000000",
        "sworn_officers": 212,
        "operates_jail": True,
        "jail_capacity": 640,
    },
    "sample": {
        "name": "Sample County Sheriff's Office",
        "state": "NC",
        "county": "Sample County",
        "ori": "NC0000000",
        "sworn_officers": 85,
        "operates_jail": True,
        "jail_capacity": 210,
    },
    # A second Texas agency that does not share with the state reviewers: the Texas reviewer
    # must not see it, not even its name.
    "lakeview": {
        "name": "Lakeview County Sheriff's Office",
        "state": "TX",
        "county": "Lakeview County",
        "ori": "TX0000001",
        "sworn_officers": 64,
        "operates_jail": True,
        "jail_capacity": 150,
    },
}

# username: (first name, last name, agency key or None, role, title)
ACCOUNTS = {
    "preparer": ("Maria", "Lopez", "example", Role.PREPARER, "Records Sergeant"),
    "command": ("James", "Carter", "example", Role.COMMAND, "Chief Deputy"),
    "agencyadmin": ("Pat", "Nguyen", "example", Role.AGENCY_ADMIN, "Lieutenant, Administration"),
    "other": ("Sam", "Riley", "sample", Role.COMMAND, "Undersheriff"),
    "lakeview": ("Dana", "Reyes", "lakeview", Role.AGENCY_ADMIN, "Sheriff"),
    "admin": ("Site", "Administrator", None, None, ""),
}

# State reviewers: username: (first name, last name, state, state body). No agency membership.
REVIEWERS = {
    "txreviewer": ("Alex", "Morgan", "TX", "Texas Sheriffs' Association (demo)"),
}

# Lakeview County's approved review (not shared): weaker on policy and communication.
LAKEVIEW_ANSWERS = {
    "POL-01": ("partial", "Detainer policy under review."),
    "POL-04": ("no", ""),
    "COM-01": ("no", ""),
    "COM-05": ("no", ""),
}

# Answers that differ from a plain "yes" in the approved demo assessment, with notes.
APPROVED_ANSWERS = {
    "CAP-02": ("9650", "Jail management system annual report, 2025."),
    "CAP-03": ("4", "Two detention deputies per shift on days; see staffing memo 2026-03."),
    "CAP-06": ("2", "Backfill overtime budgeted for training weeks only; FY27 request pending."),
    "CAP-10": (
        "County Attorney memo of 2026-02-10 found no state or local prohibition; "
        "filed in the policy library.",
        "",
    ),
    "ICE-08": ("partial", "Transport schedule drafted; ICE ERO has not confirmed pickup times."),
    "TRN-04": ("partial", "Refresher release planned for 2 of 4 officers."),
    "TRN-10": ("3", "Training records kept in the LMS; certificates scanned."),
    "POL-04": ("partial", "Interpreter line contract in place; written plan in draft."),
    "POL-08": ("2", "Booking counts kept monthly; outcomes not yet tracked."),
    "COM-01": ("no", "Not formed yet; two community groups asked to nominate members."),
    "COM-02": ("Spanish, Vietnamese", "County census profile, 2024."),
    "COM-03": ("2", "Outreach plan covers town halls before signature only."),
    "COM-04": ("partial", "On the Commissioners Court agenda for next month."),
    "COM-06": ("partial", "Complaint form published in English and Spanish; Vietnamese pending."),
    "COM-08": ("no", ""),
    "COM-09": ("partial", "Feedback form live since September; no review cycle yet."),
    "COM-10": ("no", ""),
    "POL-11": ("partial", "Victim services unit consulted; policy language not adopted."),
}

# The review a year earlier: weaker, so the trend shows progress.
EARLIER_ANSWERS = {
    "CAP-04": ("no", "No officers could be spared in 2025."),
    "CAP-05": ("partial", "One sergeant named."),
    "CAP-06": ("1", "Salaries only."),
    "ICE-04": ("no", ""),
    "TRN-03": ("no", ""),
    "POL-01": ("partial", "Counsel's review started."),
    "POL-05": ("no", ""),
    "POL-09": ("no", ""),
    "COM-05": ("no", ""),
    "COM-07": ("no", ""),
}

# Plan items made from the 2026 review's actions, in priority order: (owner, target date in days
# from today, status, progress note, reason it will not be done).
PLAN_STATES = [
    ("preparer", 20, "in_progress", "Staffing study under way with the jail commander.", ""),
    ("preparer", -40, "done", "Transport schedule confirmed with ICE ERO in writing.", ""),
    (
        "command",
        None,
        "wont_do",
        "",
        "The county will not form a separate committee; the "
        "existing Citizens Advisory Board takes on the role.",
    ),
    ("preparer", -10, "open", "", ""),
    ("command", 60, "open", "", ""),
]

# The draft, on questionnaire version 2, started from the approved 2026 review (its answers
# that carry over are copied first): most of the first three steps answered, a flag, a note,
# and the critical CAP-06 marked N/A, awaiting command staff's acceptance.
DRAFT_ANSWERS = {
    "CAP-01": ("yes", "Command staff memo of 2026-10-01 names JEM and WSO.", False),
    "CAP-03": ("partial", "Cost review drafted; legal-exposure section pending.", False),
    "CAP-05": ("partial", "Two officers confirmed; two more depend on the FY27 budget.", True),
    "CAP-07": ("yes", "Sgt. Alvarez (program manager) and Sgt. Brooks named to ICE.", False),
    "CAP-08": ("2", "", False),
    "CAP-10": ("partial", "Secure workspace ready; network connection request filed.", False),
    "ICE-01": ("yes", "Deputy Field Office Director, Houston ERO.", False),
    "ICE-04": ("no", "Letter drafted, awaiting the Sheriff's signature.", True),
    "ICE-05": ("partial", "SB 8 request letter drafted; due before December 1, 2026.", False),
    "ICE-06": ("partial", "Counsel reviewing the draft MOA; comments due in two weeks.", False),
    "TRN-03": ("partial", "", False),
}


# Demo evidence on the 2026 review, attached before approval: (question code, title, document
# number, lines of the generated one-page PDF), or a reference instead of a file.
DEMO_EVIDENCE = [
    ("CAP-09", "County Attorney memo on state law and 287(g)", "CA-2026-014",
     ["County Attorney, Example County", "Memo of 2026-02-10: no state or local law bars the",
      "agency from the Jail Enforcement or Warrant Service Officer models;",
      "Tex. Gov't Code ch. 753 requires the Sheriff to request an agreement."]),
    ("POL-01", "General Order 114: Immigration detainers", "GO-114",
     ["Example County Sheriff's Office - General Order 114", "Holds on an ICE detainer only",
      "with a signed I-200 or I-205; release on time; notify ICE."]),
    ("CAP-04", "Staffing plan for 287(g) duties, FY2027", "SP-2027-3",
     ["Four detention deputies assigned for two years;", "minimum staffing kept on every shift."]),
]  # fmt: skip
DEMO_REFERENCE = ("TRN-01", "Training records of the nominated deputies", "LMS: Training/287g/2026")


def demo_pdf(title: str, lines: list[str]) -> bytes:
    """A small one-page PDF with the title and lines, written by hand (demo documents only)."""

    def text(value: str) -> str:
        return value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    operations = [f"BT /F1 16 Tf 72 730 Td ({text(title)}) Tj ET"] + [
        f"BT /F1 11 Tf 72 {700 - 16 * index} Td ({text(line)}) Tj ET"
        for index, line in enumerate(lines)
    ]
    stream = "\n".join(operations).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    document, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(document))
        document += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(document)
    document += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    document += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    document += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return document


class Command(BaseCommand):
    help = "Create the demo agencies, accounts and assessments (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DJANGO_DEBUG off (not for production).",
        )

    def handle(self, *args, force: bool = False, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with a published password. It runs only with "
                "DJANGO_DEBUG=1, or with --force on an installation meant for trying the app."
            )
        with transaction.atomic():
            for path in SHIPPED_QUESTIONNAIRES:
                questionnaire_load(path=path)
            if not StateLawVersion.objects.exists():
                state_law_load(path=DEFAULT_STATE_LAW)
            agencies = {
                key: Agency.objects.update_or_create(name=data["name"], defaults=data)[0]
                for key, data in AGENCIES.items()
            }
            users = {name: self._account(name, agencies) for name in ACCOUNTS}
            for name in REVIEWERS:
                self._reviewer(name)
            self._assessments(agencies, users)
            # Example County shares with the Texas reviewers; Lakeview County does not.
            admin = users["agencyadmin"].membership
            agency_sharing_set(
                agency=agencies["example"], actor_membership=admin, shares=True, ip_address=None
            )
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        self.stdout.write(demo_logins_text())

    def _account(self, username: str, agencies: dict[str, Agency]):
        first, last, agency_key, role, title = ACCOUNTS[username]
        user, _ = get_user_model().objects.get_or_create(username=username)
        user.first_name, user.last_name = first, last
        user.email = f"{username}@example.org"
        user.is_active = True
        user.is_staff = user.is_superuser = username == "admin"
        user.set_password(DEMO_PASSWORD)
        user.save()
        if agency_key:
            Membership.objects.update_or_create(
                user=user, defaults={"agency": agencies[agency_key], "role": role, "title": title}
            )
        if username in DEMO_TOTP_USERS:
            self._totp(user)
        return user

    def _reviewer(self, username: str):
        first, last, state, body = REVIEWERS[username]
        user, _ = get_user_model().objects.get_or_create(username=username)
        user.first_name, user.last_name = first, last
        user.email = f"{username}@example.org"
        user.is_active = True
        user.is_staff = user.is_superuser = False
        user.set_password(DEMO_PASSWORD)
        user.save()
        StateReviewer.objects.update_or_create(user=user, defaults={"state": state, "body": body})
        self._totp(user)
        return user

    def _totp(self, user) -> None:
        TOTPDevice.objects.update_or_create(
            user=user,
            name="Demo authenticator",
            defaults={"key": base64.b32decode(DEMO_TOTP_SECRET).hex(), "confirmed": True},
        )

    def _approved_review(
        self, agency, title, overrides, users, days_ago: int, *, command=None, preparer=None
    ):
        """An approved review on questionnaire version 1, approved `days_ago` days ago (by
        Example County's command officer and preparer unless told)."""
        command, preparer = command or users["command"], preparer or users["preparer"]
        existing = agency.assessments.filter(title=title).first()
        if existing is not None:
            return existing
        assessment = services.assessment_start(
            agency=agency,
            user=command,
            membership=command.membership,
            title=title,
            models=["JEM", "WSO"],
            questionnaire=QuestionnaireVersion.objects.get(slug="287g-readiness", version=1),
        )
        data = []
        for question in assessment.applicable_questions():
            value, note = overrides.get(
                question.code, APPROVED_ANSWERS.get(question.code, ("yes", ""))
            )
            data.append(services.AnswerInput(question_id=question.pk, value=value, note=note))
        services.answers_save(assessment=assessment, user=preparer, data=data)
        if not days_ago and agency.name == AGENCIES["example"]["name"]:
            self._evidence(assessment, preparer)
        services.assessment_submit(assessment=assessment, user=preparer)
        approved = services.assessment_approve(
            assessment=assessment,
            user=command,
            membership=command.membership,
            attested=True,
            flags_confirmed=True,
        )
        if days_ago:  # the demo's history: a review a year before the current one
            when = timezone.now() - datetime.timedelta(days=days_ago)
            Assessment.objects.filter(pk=approved.pk).update(
                created_at=when - datetime.timedelta(days=21),
                submitted_at=when - datetime.timedelta(days=2),
                approved_at=when,
            )
            approved.refresh_from_db()
        return approved

    def _evidence(self, assessment, preparer) -> None:
        questions = {q.code: q for q in assessment.applicable_questions()}
        for code, title, number, lines in DEMO_EVIDENCE:
            evidence_services.evidence_attach(
                assessment=assessment,
                question=questions[code],
                user=preparer,
                membership=preparer.membership,
                title=title,
                document_number=number,
                upload=ContentFile(demo_pdf(title, lines), name=f"{number}.pdf"),
            )
        code, title, reference = DEMO_REFERENCE
        evidence_services.evidence_attach(
            assessment=assessment,
            question=questions[code],
            user=preparer,
            membership=preparer.membership,
            title=title,
            reference=reference,
        )

    def _plan(self, agency, approved, users) -> None:
        """The 2026 review's actions as plan items, in every status."""
        command = users["command"]
        if agency.plan_items.exists():
            return
        result = assessment_result(approved)
        services.plan_from_actions(
            assessment=approved,
            user=command,
            membership=command.membership,
            codes=[action.code for action in result.actions],
        )
        items = list(agency.plan_items.order_by("priority"))
        today = timezone.localdate()
        for item, (owner, days, status, note, reason) in zip(items, PLAN_STATES, strict=False):
            plan_services.item_update(
                item=item,
                user=command,
                membership=command.membership,
                changes={
                    "owner": users[owner] if owner else None,
                    "target_date": today + datetime.timedelta(days=days)
                    if days is not None
                    else None,
                    "status": status,
                    "wont_do_reason": reason,
                },
                note=note,
            )
        plan_services.item_create(
            agency=agency,
            user=command,
            membership=command.membership,
            title="Brief the Commissioners Court on the SB 8 request before the deadline",
            owner=command,
            target_date=today + datetime.timedelta(days=1),
        )

    def _assessments(self, agencies: dict[str, Agency], users: dict) -> None:
        example, sample = agencies["example"], agencies["sample"]
        command, preparer = users["command"], users["preparer"]
        self._approved_review(example, "2025 readiness review", EARLIER_ANSWERS, users, 365)
        approved = self._approved_review(
            example, "2026 readiness review", APPROVED_ANSWERS, users, 0
        )
        self._plan(example, approved, users)
        if not example.assessments.filter(title="2027 readiness review").exists():
            draft = services.assessment_start(
                agency=example,
                user=command,
                membership=command.membership,
                title="2027 readiness review",
                models=["JEM", "WSO"],
                carry_from=approved,
            )
            by_code = {q.code: q for q in draft.applicable_questions()}
            data = [
                services.AnswerInput(
                    question_id=by_code[code].pk, value=value, note=note, flagged=flagged
                )
                for code, (value, note, flagged) in DRAFT_ANSWERS.items()
            ]
            data.append(
                services.AnswerInput(
                    question_id=by_code["CAP-06"].pk,
                    not_applicable=True,
                    na_reason="Deputies are not represented by a bargaining unit.",
                )
            )
            services.answers_save(assessment=draft, user=preparer, data=data, force=True)
            # A review under way: command staff asked about one answer; the preparer replied.
            thread = services.comment_add(
                assessment=draft,
                question=by_code["ICE-03"],
                user=command,
                body="Has county counsel reviewed the draft MOA? Attach the memo when it comes.",
            )
            services.comment_add(
                assessment=draft,
                question=by_code["ICE-03"],
                user=preparer,
                body="Counsel expects to finish by the end of the month; I will attach it then.",
                reply_to=thread,
            )
        lakeview = users["lakeview"]
        self._approved_review(
            agencies["lakeview"], "2026 jail enforcement review", LAKEVIEW_ANSWERS, users, 0,
            command=lakeview, preparer=lakeview,
        )  # fmt: skip
        other = users["other"]
        if not sample.assessments.exists():
            services.assessment_start(
                agency=sample,
                user=other,
                membership=other.membership,
                title="Task force readiness review",
                models=["TFM"],
            )


def demo_logins_text() -> str:
    lines = [
        "Demo logins (password for every account: readiness-demo).",
        f"command, agencyadmin, lakeview, txreviewer and admin also need a code from an "
        f"authenticator app set up with the key {DEMO_TOTP_SECRET}.",
    ]
    for username, (first, last, agency_key, role, _title) in ACCOUNTS.items():
        where = AGENCIES[agency_key]["name"] if agency_key else "site administrator"
        role_label = Role(role).label if role else "Django admin"
        lines.append(f"  {username:<12} {first} {last}, {role_label} — {where}")
    for username, (first, last, state, body) in REVIEWERS.items():
        lines.append(f"  {username:<12} {first} {last}, State reviewer for {state} — {body}")
    return "\n".join(lines)
