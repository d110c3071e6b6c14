"""State-law profile files for tests: a few entries, built from parameters, and loading them."""

from __future__ import annotations

import datetime
import itertools
from pathlib import Path

from django.utils import timezone

from jurisdictions.loader import state_law_load
from tests.questionnaire_files import questionnaire_toml

_counter = itertools.count(1)


def header(version: int = 1) -> str:
    return f'slug = "state-law"\nversion = {version}\ntitle = "State law on 287(g) agreements"\n'


def texas(deadline: datetime.date = datetime.date(2026, 12, 1), verified: bool = True) -> str:
    return f"""
[[states]]
state = "TX"
name = "Texas"
status = "mandate"
verified = {"true" if verified else "false"}
checked_on = 2026-11-01
summary = "Sheriffs who operate a jail must request and enter an agreement."
applies_to = "Sheriffs of counties that operate a jail"
deadline = {deadline.isoformat()}
enforced_by = "Attorney General"
ending = "Ending an agreement needs the approval of a state board."
duties = ["request_agreement", "report_to_state"]
[[states.citations]]
title = "Tex. S.B. 8, 89th Leg., R.S. (2025)"
url = "https://capitol.texas.gov/tlodocs/89R/billtext/html/SB00008F.htm"
"""


def prohibition(state: str = "CA", name: str = "California") -> str:
    return f"""
[[states]]
state = "{state}"
name = "{name}"
status = "prohibition"
verified = true
checked_on = 2026-11-01
summary = "State law bars participation in 287(g) agreements."
[[states.citations]]
title = "Cal. Gov. Code 7284.6(a)(1)(G) (2017)"
url = "https://leginfo.legislature.ca.gov/faces/codes_displaySection.xhtml?sectionNum=7284.6"
"""


def conditions(state: str = "NC", name: str = "North Carolina") -> str:
    return f"""
[[states]]
state = "{state}"
name = "{name}"
status = "conditions"
verified = true
checked_on = 2026-11-01
summary = "The county board must approve an agreement after a public hearing."
duties = ["governing_body_approval", "public_forum"]
[[states.citations]]
title = "Example Gen. Stat. 153A-999 (2024)"
url = "https://example.gov/statutes/153A-999"
"""


def load_state_law_text(tmp_path: Path, *entries: str, version: int = 1):
    path = tmp_path / f"state-law-{next(_counter)}.toml"
    path.write_text(header(version) + "".join(entries), encoding="utf-8")
    return state_law_load(path=path).law


DUTY_PROMPT = "Has the agency requested an agreement by the date state law sets?"
FORUM_PROMPT = "Has a public forum been held as state law requires?"
TRAINED_PROMPT = "Have the designated officers completed ICE training?"
APPLICANT_PROMPT = "Is there a written, approved schedule for training designated officers?"


def duty_questionnaire_toml(**kwargs) -> str:
    return questionnaire_toml(
        sections={"CAP": 2, "ICE": 2, "TRN": 1, "POL": 1, "COM": 1},
        question_overrides={
            "CAP-01": {"critical": True},
            "ICE-02": {"state_duty": "request_agreement", "prompt": DUTY_PROMPT},
            "COM-01": {"state_duty": "public_forum", "prompt": FORUM_PROMPT},
            "TRN-01": {"phases": ["signed", "operating"], "prompt": TRAINED_PROMPT},
            "POL-01": {
                "prompt": "Has the agency trained designated officers on its policy?",
                "applicant_prompt": APPLICANT_PROMPT,
                "recommended_practice": True,
            },
        },
        **kwargs,
    )


def in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)
