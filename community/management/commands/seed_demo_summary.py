"""`manage.py seed_demo_summary`: publish the demo's public community summary (after `seed_demo`,
which lives in `assessments` and so may not use this app). Running it again changes nothing."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from agencies.models import Membership
from assessments.models import Assessment
from community import selectors, services

AGENCY = "Example County Sheriff's Office"
TITLE = "2026 readiness review"
PUBLISHER = "command"
STATEMENT_EN = (
    "Questions about this summary or the 287(g) program: call the Sheriff's Office Public "
    "Information Office at (555) 010-0100. Complaint forms are at the front desk of the "
    "Sheriff's Office and at the jail's visitor entrance."
)
STATEMENT_ES = (
    "Si tiene preguntas sobre este resumen o sobre el programa 287(g), llame a la Oficina de "
    "Información Pública de la Oficina del Sheriff al (555) 010-0100. Los formularios de queja "
    "están en la recepción de la Oficina del Sheriff y en la entrada de visitantes de la cárcel."
)


class Command(BaseCommand):
    help = "Publish the community summary of the demo's approved 2026 review (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--force", action="store_true", help="Run with DJANGO_DEBUG off.")

    def handle(self, *args, force: bool = False, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo_summary is demo data: run it with DJANGO_DEBUG=1.")
        assessment = Assessment.objects.filter(
            agency__name=AGENCY, title=TITLE, status=Assessment.Status.APPROVED
        ).first()
        membership = (
            Membership.objects.select_related("user", "agency")
            .filter(user__username=PUBLISHER)
            .first()
        )
        if assessment is None or membership is None:
            raise CommandError("Run `manage.py seed_demo` first: the demo review is missing.")
        state = selectors.summary_state(assessment)
        if state.live is None:
            services.summary_publish(
                assessment=assessment,
                user=membership.user,
                membership=membership,
                statement_en=STATEMENT_EN,
                statement_es=STATEMENT_ES,
            )
            state = selectors.summary_state(assessment)
        base = settings.READINESS_BASE_URL.rstrip("/")
        slug = state.summary.slug
        self.stdout.write(
            f"Public community summary of Example County's {TITLE} (no sign-in):\n"
            f"  English: {base}{reverse('public_summary', args=[slug])}\n"
            f"  Español: {base}{reverse('public_summary_es', args=[slug])}"
        )
