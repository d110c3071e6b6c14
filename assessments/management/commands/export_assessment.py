from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.bundle import export_bundle
from assessments.models import Assessment
from assessments.transfer import export_assessment_data


class Command(BaseCommand):
    help = (
        "Write an assessment as JSON (questionnaire, answers, notes, flags, status, activity, "
        "evidence, scores), or as a ZIP with the evidence files; import_assessment reads both."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("assessment_id", metavar="ID", type=int, help="The assessment number.")
        parser.add_argument("--output", "-o", help="Write to this file instead of standard output.")
        parser.add_argument(
            "--zip",
            action="store_true",
            help="Write a ZIP with the JSON and the evidence files (needs --output).",
        )

    def handle(self, *args, assessment_id: int, output: str | None, zip: bool, **options) -> None:
        assessment = Assessment.objects.filter(pk=assessment_id).first()
        if assessment is None:
            raise CommandError(f"There is no assessment {assessment_id}.")
        if zip:
            if output is None:
                raise CommandError("A ZIP export needs a file: give --output FILE.zip.")
            try:
                Path(output).write_bytes(export_bundle(assessment=assessment))
            except OSError as error:
                raise CommandError(f"{output}: cannot be written ({error.strerror}).") from error
            self.stderr.write(f"Assessment {assessment_id} and its evidence written to {output}.")
            return
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
