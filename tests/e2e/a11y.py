"""axe-core (bundled by axe-playwright-python: nothing is downloaded at run time) for the
browser tests, limited to the WCAG 2.0 and 2.1 A and AA rules."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Rules switched off, each with the reason. None is: every WCAG A/AA rule runs.
DISABLED_RULES: dict[str, str] = {}

_AXE = Axe()


def axe_violations(page: Page) -> list[str]:
    """One line per violated rule on the page as it is now, naming the offending elements."""
    options = {
        "runOnly": {"type": "tag", "values": WCAG_TAGS},
        "resultTypes": ["violations"],
        "rules": {rule: {"enabled": False} for rule in DISABLED_RULES},
    }
    results = _AXE.run(page, options=options)
    lines = []
    for violation in results.response["violations"]:
        targets = "; ".join(
            " ".join(str(part) for part in node["target"]) for node in violation["nodes"][:5]
        )
        summary = violation["nodes"][0].get("failureSummary", "").replace("\n", " ")
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
        violations = axe_violations(self.page)
        if violations:
            self.found[f"{state} ({self.page.url})"] = violations

    def assert_clean(self) -> None:
        report = "\n".join(
            f"{state}:\n  " + "\n  ".join(lines) for state, lines in self.found.items()
        )
        assert not self.found, f"axe-core found WCAG A/AA violations:\n{report}"
