from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from questionnaires.loader import (
    SHIPPED_QUESTIONNAIRES,
    QuestionnaireError,
    questionnaire_load,
    questionnaire_read,
)


class Command(BaseCommand):
    help = (
        "Validate questionnaire data files (TOML) and load them into the database. Without a "
        "path, loads every shipped version; a version in use is never changed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "paths",
            nargs="*",
            metavar="path",
            help="Questionnaire file(s) (default: every shipped version, oldest first).",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only validate the file(s); write nothing.",
        )

    def handle(self, *args, paths: list[str], check: bool, **options) -> None:
        for path in paths or [str(p) for p in SHIPPED_QUESTIONNAIRES]:
            try:
                if check:
                    spec = questionnaire_read(path)
                    count = sum(len(s.questions) for s in spec.sections)
                    message = f"{path}: valid ({spec.slug} v{spec.version}, {count} questions)."
                else:
                    message = questionnaire_load(path=path).message
            except QuestionnaireError as error:
                count = len(error.problems)
                lines = [f"{path}: {count} problem(s), nothing was loaded:"]
                lines += [f"  - {problem}" for problem in error.problems]
                raise CommandError("\n".join(lines)) from error
            self.stdout.write(self.style.SUCCESS(message))
