"""Validate the state-law data file and load it into the database.

The file is TOML (see `jurisdictions/data/state-law-v1.toml`). As with the questionnaire, every
problem is reported with its place before anything is written. A loaded version never changes:
a changed file carries a new version number and loads beside the old one, so an assessment
approved under version 1 keeps the profile it was scored with.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from questionnaires.loader import DataFileError
from questionnaires.models import StateDuty

from .models import LawStatus, StateLawVersion, StateProfile
from .states import STATES

DEFAULT_STATE_LAW = Path(__file__).resolve().parent / "data" / "state-law-v1.toml"

STATUSES = {choice.value for choice in LawStatus}
DUTIES = {choice.value for choice in StateDuty}
YEAR = re.compile(r"\b(19|20)\d{2}\b")
ENTRY_KEYS = {
    "state", "name", "status", "verified", "checked_on", "summary", "applies_to", "deadline",
    "enforced_by", "grants", "ending", "duties", "citations", "notes",
}  # fmt: skip
OPTIONAL_TEXT = ("applies_to", "enforced_by", "grants", "ending", "notes")


class StateLawError(DataFileError):
    """The state-law file cannot be loaded."""


@dataclass(frozen=True)
class ProfileSpec:
    state: str
    name: str
    status: str
    verified: bool
    checked_on: str
    summary: str
    applies_to: str
    deadline: str | None
    enforced_by: str
    grants: str
    ending: str
    notes: str
    duties: tuple[str, ...]
    citations: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class StateLawSpec:
    slug: str
    version: int
    title: str
    profiles: tuple[ProfileSpec, ...]

    @property
    def content_hash(self) -> str:
        canonical = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class LoadOutcome:
    law: StateLawVersion
    action: str  # "created" or "unchanged"

    @property
    def message(self) -> str:
        return (
            f"{self.law.slug} v{self.law.version} {self.action}: "
            f"{self.law.profiles.count()} state profiles."
        )


def _text(raw: dict, key: str, where: str, problems: list[str], *, required: bool) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str):
        problems.append(f"{where}: '{key}' must be text.")
        return ""
    if required and not value.strip():
        problems.append(f"{where}: '{key}' is missing or empty.")
    return value.strip()


def _date(raw: dict, key: str, where: str, problems: list[str]) -> datetime.date | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        problems.append(f"{where}: '{key}' must be a date such as 2026-12-01, not {value!r}.")
        return None
    return value


def _citations(raw: object, where: str, problems: list[str]) -> tuple[tuple[str, str], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.append(f"{where}: 'citations' must be a list of [[states.citations]] tables.")
        return ()
    citations = []
    for index, citation in enumerate(raw, start=1):
        place = f"{where}, citation {index}"
        if not isinstance(citation, dict):
            problems.append(f"{place}: must be a table with 'title' and 'url'.")
            continue
        for key in sorted(set(citation) - {"title", "url"}):
            problems.append(f"{place}: unknown field '{key}'.")
        title = _text(citation, "title", place, problems, required=True)
        url = _text(citation, "url", place, problems, required=True)
        if title and not YEAR.search(title):
            problems.append(f"{place}: the title must give the year of the law or directive.")
        if url and not url.startswith("https://"):
            problems.append(f"{place}: the url must be a public https:// address.")
        citations.append((title, url))
    return tuple(citations)


def _profile(raw: object, index: int, today: datetime.date, problems: list[str]):
    where = f"entry {index}"
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be a table ([[states]]).")
        return None
    state = raw.get("state")
    if isinstance(state, str) and state in STATES:
        where = f"state {state}"
    else:
        problems.append(f"{where}: unknown state code {state!r}; use a two-letter USPS code.")
        state = ""
    for key in sorted(set(raw) - ENTRY_KEYS):
        problems.append(f"{where}: unknown field '{key}'.")
    status = raw.get("status")
    if status not in STATUSES:
        problems.append(f"{where}: status {status!r}; use one of {', '.join(sorted(STATUSES))}.")
    verified = raw.get("verified")
    if not isinstance(verified, bool):
        problems.append(f"{where}: 'verified' must be true or false.")
        verified = False
    checked_on = _date(raw, "checked_on", where, problems)
    if "checked_on" not in raw:
        problems.append(f"{where}: 'checked_on' is missing.")
    elif checked_on is not None and checked_on > today:
        problems.append(f"{where}: 'checked_on' ({checked_on}) is in the future.")
    deadline = _date(raw, "deadline", where, problems)
    if deadline is not None and status != LawStatus.MANDATE:
        problems.append(f"{where}: only a mandate has a 'deadline'.")
    duties = raw.get("duties", [])
    if not isinstance(duties, list) or not all(isinstance(d, str) for d in duties):
        problems.append(f"{where}: 'duties' must be a list of duty names.")
        duties = []
    for duty in duties:
        if duty not in DUTIES:
            problems.append(f"{where}: unknown duty {duty!r}; use {', '.join(sorted(DUTIES))}.")
    if len(set(duties)) != len(duties):
        problems.append(f"{where}: a duty is listed twice.")
    if duties and status == LawStatus.PROHIBITION:
        problems.append(f"{where}: a prohibition adds no duties.")
    citations = _citations(raw.get("citations"), where, problems)
    if status in (LawStatus.MANDATE, LawStatus.PROHIBITION, LawStatus.CONDITIONS):
        if not citations:
            problems.append(f"{where}: a {status} must cite the statute or directive.")
    elif not citations and verified:
        problems.append(f"{where}: an entry with no citation must be marked verified = false.")
    text = {key: _text(raw, key, where, problems, required=False) for key in OPTIONAL_TEXT}
    return ProfileSpec(
        state=state,
        name=_text(raw, "name", where, problems, required=True),
        status=str(status),
        verified=verified,
        checked_on=str(checked_on),
        summary=_text(raw, "summary", where, problems, required=True),
        deadline=None if deadline is None else str(deadline),
        duties=tuple(d for d in duties if d in DUTIES),
        citations=citations,
        **text,
    )


def parse_state_law(text: str, *, today: datetime.date | None = None) -> StateLawSpec:
    """Validate the file's text; raise StateLawError listing every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise StateLawError([f"not valid TOML: {error}"]) from error
    today = today or timezone.localdate()
    problems: list[str] = []
    slug = _text(data, "slug", "file", problems, required=True)
    title = _text(data, "title", "file", problems, required=True)
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        problems.append(f"file: 'version' must be a whole number from 1 up, not {version!r}.")
        version = 0
    for key in sorted(set(data) - {"slug", "version", "title", "states"}):
        problems.append(f"file: unknown field '{key}'.")
    raw_states = data.get("states")
    if not isinstance(raw_states, list) or not raw_states:
        problems.append("file: no [[states]] found.")
        raw_states = []
    profiles, seen = [], set()
    for index, raw in enumerate(raw_states, start=1):
        profile = _profile(raw, index, today, problems)
        if profile is None:
            continue
        if profile.state and profile.state in seen:
            problems.append(f"state {profile.state}: listed twice.")
        seen.add(profile.state)
        profiles.append(profile)
    if problems:
        raise StateLawError(problems)
    profiles.sort(key=lambda p: p.state)
    return StateLawSpec(slug, version, title, tuple(profiles))


def state_law_read(path: Path | str) -> StateLawSpec:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise StateLawError([f"{path}: cannot be read ({error.strerror})."]) from error
    return parse_state_law(text)


@transaction.atomic
def state_law_load(*, path: Path | str) -> LoadOutcome:
    """Load the file at `path`. Loading the same file twice changes nothing; a changed file
    needs a new version number."""
    path = Path(path)
    spec = state_law_read(path)
    existing = (
        StateLawVersion.objects.select_for_update()
        .filter(slug=spec.slug, version=spec.version)
        .first()
    )
    if existing is not None:
        if existing.content_hash == spec.content_hash:
            return LoadOutcome(existing, "unchanged")
        raise StateLawError(
            [
                f"{spec.slug} v{spec.version} is already loaded with other content, and "
                "assessments may have been scored with it. Give the changed file a new version "
                f"number (version = {spec.version + 1}) to load it beside the current one."
            ]
        )
    law = StateLawVersion.objects.create(
        slug=spec.slug,
        version=spec.version,
        title=spec.title,
        content_hash=spec.content_hash,
        source_file=path.name,
    )
    StateProfile.objects.bulk_create(
        StateProfile(
            law=law,
            state=p.state,
            name=p.name,
            status=p.status,
            verified=p.verified,
            checked_on=p.checked_on,
            summary=p.summary,
            applies_to=p.applies_to,
            deadline=p.deadline,
            enforced_by=p.enforced_by,
            grants=p.grants,
            ending=p.ending,
            notes=p.notes,
            duties=list(p.duties),
            citations=[{"title": title, "url": url} for title, url in p.citations],
        )
        for p in spec.profiles
    )
    return LoadOutcome(law, "created")
