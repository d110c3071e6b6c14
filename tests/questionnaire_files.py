"""Questionnaire files for the loader: TOML text built from a few parameters, and loading it."""

from __future__ import annotations

import itertools
from pathlib import Path

from questionnaires.loader import questionnaire_load

SECTION_TITLES = {
    "CAP": "Assess the agency's needs and capacity",
    "ICE": "Engage with ICE",
    "TRN": "Train officers",
    "POL": "Develop policies",
    "COM": "Communicate with the community",
}


def question_toml(code: str, **overrides) -> str:
    fields = {
        "code": code,
        "prompt": f"Is requirement {code} met?",
        "guidance": f"Guidance for {code}.",
        "answer_type": "choice",
        "weights": {"capacity": 1, "policy": 1, "community": 1},
        "critical": False,
        "models": ["JEM", "TFM", "WSO"],
        "recommendation": f"Meet requirement {code}.",
        "source": "Test data",
    }
    fields.update(overrides)
    lines = ["[[sections.questions]]"]
    for key, value in fields.items():
        lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines)


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def questionnaire_toml(
    *,
    slug: str = "test-questionnaire",
    version: int = 1,
    sections: dict[str, int] | None = None,
    published: bool = True,
    question_overrides: dict[str, dict] | None = None,
) -> str:
    """A questionnaire file: `sections` maps section codes to their number of questions."""
    sections = sections or {code: 2 for code in SECTION_TITLES}
    question_overrides = question_overrides or {}
    parts = [
        f'slug = "{slug}"',
        f"version = {version}",
        'title = "Test questionnaire"',
        f"published = {_toml_value(published)}",
    ]
    for code, count in sections.items():
        parts += [
            "",
            "[[sections]]",
            f'code = "{code}"',
            f'title = "{SECTION_TITLES.get(code, code)}"',
        ]
        for number in range(1, count + 1):
            question_code = f"{code}-{number:02d}"
            parts += ["", question_toml(question_code, **question_overrides.get(question_code, {}))]
    return "\n".join(parts) + "\n"


_counter = itertools.count(1)


def load_questionnaire_text(tmp_path: Path, text: str):
    path = tmp_path / f"questionnaire-{next(_counter)}.toml"
    path.write_text(text, encoding="utf-8")
    return questionnaire_load(path=path).questionnaire
