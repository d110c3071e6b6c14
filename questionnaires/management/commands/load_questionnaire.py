from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from questionnaires.loader import (
    DEFAULT_QUESTIONNAIRE,
    QuestionnaireError,
    questionnaire_load,
)


class Command(BaseCommand):
    help = "Validate a questionnaire data file (TOML) and load it into the database."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "path",
            nargs="?",
            default=str(DEFAULT_QUESTIONNAIRE),
            help="Questionnaire file (default: the shipped version 1).",
        )

    def handle(self, *args, path: str, **options) -> None:
        try:
            outcome = questionnaire_load(path=path)
        except QuestionnaireError as error:
            count = len(error.problems)
            lines = [f"{path}: {count} problem(s), nothing was loaded:"]
            lines += [f"  - {problem}" for problem in error.problems]
            raise CommandError("\n".join(lines)) from error
        self.stdout.write(self.style.SUCCESS(outcome.message))
