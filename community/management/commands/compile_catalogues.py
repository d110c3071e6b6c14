"""`manage.py compile_catalogues`: the translation catalogues, compiled without GNU gettext."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from community.catalogues import catalogues_compile


class Command(BaseCommand):
    help = "Compile the translation catalogues (locale/*/LC_MESSAGES/*.po) to .mo files."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--force", action="store_true", help="Compile even if up to date.")

    def handle(self, *args, force: bool = False, **options) -> None:
        made = catalogues_compile(force=force)
        for path in made:
            self.stdout.write(f"Compiled {path}")
        if not made:
            self.stdout.write("Translation catalogues are up to date.")
