from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from jurisdictions.loader import DEFAULT_STATE_LAW, StateLawError, state_law_load, state_law_read


class Command(BaseCommand):
    help = "Validate the state-law profiles (TOML) and load them into the database."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", nargs="?", default=str(DEFAULT_STATE_LAW), help="Profile file.")
        parser.add_argument("--check", action="store_true", help="Only validate; write nothing.")

    def handle(self, *args, path: str, check: bool, **options) -> None:
        try:
            if check:
                spec = state_law_read(path)
                message = (
                    f"{path}: valid ({spec.slug} v{spec.version}, {len(spec.profiles)} states)."
                )
            else:
                message = state_law_load(path=path).message
        except StateLawError as error:
            lines = [f"{path}: {len(error.problems)} problem(s), nothing was loaded:"]
            lines += [f"  - {problem}" for problem in error.problems]
            raise CommandError("\n".join(lines)) from error
        self.stdout.write(self.style.SUCCESS(message))
