from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.models import Assessment
from assessments.transfer import export_assessment_data


class Command(BaseCommand):
    help = (
        "Write an assessment as JSON (questionnaire, answers, notes, flags, status, activity, "
        "scores); import_assessment reads it back."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("assessment_id", metavar="ID", type=int, help="The assessment number.")
        parser.add_argument("--output", "-o", help="Write to this file instead of standard output.")

    def handle(self, *args, assessment_id: int, output: str | None, **options) -> None:
        assessment = Assessment.objects.filter(pk=assessment_id).first()
        if assessment is None:
            raise CommandError(f"There is no assessment {assessment_id}.")
        data = export_assessment_data(assessment=assessment)
        text = json.dumps(data, ensure_ascii=False, indent=2)
        if output is None:
            self.stdout.write(text)
            return
        try:
            Path(output).write_text(text + "\n", encoding="utf-8")
        except OSError as error:
            raise CommandError(f"{output}: cannot be written ({error.strerror}).") from error
        self.stderr.write(f"Assessment {assessment_id} written to {output}.")
