from __future__ import annotations

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from agencies.models import Agency
from assessments.bundle import is_zip, read_bundle
from assessments.transfer import TransferError, import_assessment_data


class Command(BaseCommand):
    help = (
        "Read an assessment written by export_assessment into an agency, as a new assessment. "
        "Every problem is listed with its place before anything is saved."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "path", help="The JSON or ZIP file (with the evidence files) export_assessment wrote."
        )
        parser.add_argument("--agency", required=True, help="Slug of the receiving agency.")
        parser.add_argument(
            "--user",
            help=(
                "Username of the account doing the import: recorded on the import's activity "
                "entry, and as creator or approver where the exported one is not a member of "
                "the agency."
            ),
        )

    def handle(self, *args, path: str, agency: str, user: str | None, **options) -> None:
        receiving = Agency.objects.filter(slug=agency).first()
        if receiving is None:
            slugs = ", ".join(Agency.objects.values_list("slug", flat=True)[:20]) or "none yet"
            raise CommandError(f"There is no agency with slug {agency!r} (agencies: {slugs}).")
        account = None
        if user:
            account = get_user_model().objects.filter(username=user).first()
            if account is None:
                raise CommandError(f"There is no account with username {user!r}.")
        try:
            raw = Path(path).read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: cannot be read ({error.strerror}).") from error
        files = None
        if is_zip(raw):
            try:
                data, files = read_bundle(raw)
            except TransferError as error:
                lines = [f"{path}: {len(error.problems)} problem(s), nothing was imported:"]
                lines += [f"  - {problem}" for problem in error.problems]
                raise CommandError("\n".join(lines)) from error
            return self._import(path, data, receiving, account, files)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise CommandError(f"{path}: is not UTF-8 text ({error.reason}).") from error
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise CommandError(
                f"{path}: line {error.lineno}, column {error.colno}: not valid JSON ({error.msg})."
            ) from error
        except RecursionError as error:
            raise CommandError(
                f"{path}: nested too deeply to be an export; nothing was imported."
            ) from error
        return self._import(path, data, receiving, account, files)

    def _import(self, path, data, receiving, account, files) -> None:
        try:
            outcome = import_assessment_data(data=data, agency=receiving, user=account, files=files)
        except TransferError as error:
            lines = [f"{path}: {len(error.problems)} problem(s), nothing was imported:"]
            lines += [f"  - {problem}" for problem in error.problems]
            raise CommandError("\n".join(lines)) from error
        self.stdout.write(self.style.SUCCESS(outcome.message))
