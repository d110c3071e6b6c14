"""axe-core (bundled by axe-playwright-python: nothing is downloaded at run time) for the
browser tests, limited to the WCAG 2.0 and 2.1 A and AA rules."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.e2e.conftest import ARTIFACTS_DIR

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Rules switched off, each with the reason. None is: every WCAG A/AA rule runs.
DISABLED_RULES: dict[str, str] = {}

_AXE = Axe()


def axe_violations(page: Page) -> list[str]:
    """One line per violated rule on the page as it is now, naming the offending elements."""
    return _lines(_run(page)["violations"])


def _run(page: Page) -> dict:
    options = {
        "runOnly": {"type": "tag", "values": WCAG_TAGS},
        "resultTypes": ["violations", "incomplete"],
        "rules": {rule: {"enabled": False} for rule in DISABLED_RULES},
    }
    return _AXE.run(page, options=options).response


def _lines(results: list[dict]) -> list[str]:
    lines = []
    for violation in results:
        targets = "; ".join(
            " ".join(str(part) for part in node["target"]) for node in violation["nodes"][:5]
        )
        nodes = violation["nodes"] or [{}]
        summary = nodes[0].get("failureSummary", "").replace("\n", " ")
        lines.append(
            f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])} element(s)):"
            f" {violation['help']} — {targets} — {summary}"
        )
    return lines


class AxeAudit:
    """Collects the violations of every page state checked in one test, then fails once with
    all of them, so a run shows the whole list rather than the first page's."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.checked: list[str] = []
        self.found: dict[str, list[str]] = {}

    def __call__(self, state: str) -> None:
        self.checked.append(state)
        results = _run(self.page)
        violations = _lines(results["violations"])
        if violations:
            self.found[f"{state} ({self.page.url})"] = violations
        # What axe could not decide (e.g. contrast of text over the chart's bars) is for a
        # person to look at: listed in the artefacts, not failed.
        review = _lines(results["incomplete"])
        if review:
            ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
            with (ARTIFACTS_DIR / "axe-needs-review.txt").open("a", encoding="utf-8") as log:
                log.write(f"{state} ({self.page.url}):\n  " + "\n  ".join(review) + "\n")

    def assert_clean(self) -> None:
        report = "\n".join(
            f"{state}:\n  " + "\n  ".join(lines) for state, lines in self.found.items()
        )
        assert not self.found, f"axe-core found WCAG A/AA violations:\n{report}"
