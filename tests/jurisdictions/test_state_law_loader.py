"""The state-law profiles: a reviewed data file, validated whole before anything is written."""

from __future__ import annotations

import datetime
import tomllib
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jurisdictions.loader import (
    DEFAULT_STATE_LAW,
    StateLawError,
    parse_state_law,
    state_law_load,
)
from jurisdictions.models import StateLawVersion, StateProfile
from jurisdictions.selectors import current_profile
from jurisdictions.states import STATES
from tests.state_law_files import header, prohibition, texas

TODAY = datetime.date(2026, 11, 29)
HEADER = header()
TEXAS = texas(datetime.date(2026, 12, 1))
CALIFORNIA = prohibition()


def problems(text: str) -> list[str]:
    with pytest.raises(StateLawError) as caught:
        parse_state_law(HEADER + text, today=TODAY)
    return caught.value.problems


def test_a_valid_file_reads_whole():
    spec = parse_state_law(HEADER + TEXAS + CALIFORNIA, today=TODAY)

    assert [(p.state, p.status, p.deadline) for p in spec.profiles] == [
        ("CA", "prohibition", None),
        ("TX", "mandate", "2026-12-01"),
    ]


def test_an_unknown_state_code_is_refused():
    assert problems(TEXAS.replace('"TX"', '"TQ"')) == [
        "entry 1: unknown state code 'TQ'; use a two-letter USPS code."
    ]


def test_a_state_listed_twice_is_refused():
    assert problems(TEXAS + TEXAS) == ["state TX: listed twice."]


def test_a_mandate_or_prohibition_without_a_citation_is_refused():
    uncited = CALIFORNIA.split("[[states.citations]]")[0]

    assert problems(uncited) == ["state CA: a prohibition must cite the statute or directive."]


def test_a_citation_needs_a_year_and_a_public_https_address():
    text = TEXAS.replace("(2025)", "").replace("https://", "http://")

    assert problems(text) == [
        "state TX, citation 1: the title must give the year of the law or directive.",
        "state TX, citation 1: the url must be a public https:// address.",
    ]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (("checked_on = 2026-11-01", 'checked_on = "last week"'), "'checked_on' must be a date"),
        (("checked_on = 2026-11-01", "checked_on = 2027-01-02"), "is in the future"),
        (("deadline = 2026-12-01", "deadline = 2026-13-01"), "not valid TOML"),
        (('status = "mandate"', 'status = "conditions"'), "only a mandate has a 'deadline'"),
    ],
)
def test_bad_dates_are_refused(change, problem):
    old, new = change
    with pytest.raises(StateLawError) as caught:
        parse_state_law(HEADER + TEXAS.replace(old, new), today=TODAY)

    assert any(problem in message for message in caught.value.problems), caught.value.problems


def test_unknown_duties_and_fields_are_refused():
    text = TEXAS.replace('"report_to_state"]', '"report_to_state", "salute"]')
    text = text.replace('name = "Texas"', 'name = "Texas"\nmotto = "Friendship"')

    assert problems(text) == [
        "state TX: unknown field 'motto'.",
        "state TX: unknown duty 'salute'; use governing_body_approval, maintain_agreement, "
        "notify_state, public_forum, report_to_state, request_agreement, state_approval_to_end.",
    ]


def test_an_uncited_entry_must_say_it_is_unverified():
    entry = """
[[states]]
state = "VT"
name = "Vermont"
status = "none_known"
verified = true
checked_on = 2026-11-29
summary = "Nothing found."
"""
    assert problems(entry) == [
        "state VT: an entry with no citation must be marked verified = false."
    ]
    assert parse_state_law(HEADER + entry.replace("verified = true", "verified = false"))


@pytest.mark.django_db
def test_loading_twice_changes_nothing_and_changed_content_needs_a_new_version(tmp_path):
    path = tmp_path / "state-law.toml"
    path.write_text(HEADER + TEXAS, encoding="utf-8")
    assert state_law_load(path=path).action == "created"
    assert state_law_load(path=path).action == "unchanged"

    path.write_text(HEADER + TEXAS.replace("2026-12-01", "2027-01-01"), encoding="utf-8")
    with pytest.raises(StateLawError) as caught:
        state_law_load(path=path)
    assert "Give the changed file a new version number (version = 2)" in str(caught.value)

    path.write_text((HEADER + TEXAS).replace("version = 1", "version = 2").replace(
        "2026-12-01", "2027-01-01"), encoding="utf-8")  # fmt: skip
    state_law_load(path=path)
    assert StateLawVersion.objects.count() == 2
    assert current_profile("tx").deadline == datetime.date(2027, 1, 1)


@pytest.mark.django_db
def test_the_command_prints_every_problem_and_loads_nothing(tmp_path):
    path = tmp_path / "state-law.toml"
    path.write_text(HEADER + TEXAS + TEXAS.replace('"TX"', '"ZZ"'), encoding="utf-8")

    with pytest.raises(CommandError) as caught:
        call_command("load_state_law", str(path), stdout=StringIO())

    assert "1 problem(s), nothing was loaded" in str(caught.value)
    assert not StateProfile.objects.exists()


# The shipped file


@pytest.fixture
def shipped(db):
    out = StringIO()
    call_command("load_state_law", stdout=out)
    return out.getvalue()


def test_the_shipped_file_covers_every_state_and_dc(shipped):
    states = set(StateProfile.objects.values_list("state", flat=True))

    assert shipped.strip() == f"state-law v1 created: {len(states)} state profiles."
    assert states >= set(STATES) - {"AS", "GU", "MP", "PR", "VI"}


def test_the_shipped_file_has_the_required_entries_right(shipped):
    texas, florida = current_profile("TX"), current_profile("FL")
    assert (texas.status, texas.deadline) == ("mandate", datetime.date(2026, 12, 1))
    assert "request_agreement" in texas.duties
    assert "S.B. 8" in texas.citations[0]["title"] and "2025" in texas.citations[0]["title"]
    assert florida.status == "mandate" and "908.11" in florida.citation_text
    assert "state_approval_to_end" in florida.duties
    for state in ("CA", "IL"):
        profile = current_profile(state)
        assert (profile.status, profile.verified, profile.duties) == ("prohibition", True, [])
    assert "7284.6" in current_profile("CA").citation_text


def test_every_shipped_entry_cites_a_primary_source_or_says_unverified():
    """The reviewer's check: every entry that asserts a law cites it (code section or bill and
    year, public https address); an entry that cites nothing is marked unverified."""
    data = tomllib.loads(DEFAULT_STATE_LAW.read_text(encoding="utf-8"))
    for entry in data["states"]:
        citations = entry.get("citations", [])
        if entry["status"] != "none_known" or entry["verified"]:
            assert citations, entry["state"]
        for citation in citations:
            assert citation["url"].startswith("https://"), entry["state"]
            assert any(char.isdigit() for char in citation["title"]), entry["state"]
        assert entry["checked_on"] <= TODAY, entry["state"]
