"""What the community summary says, generated from public data only.

The sources are the agency's name and place, the models and phase the assessment considers, its
approval date, the levels of its frozen result, the state-law profile it was scored with, the
public texts file (what the models allow, what the answers to the public questions mean) and the
answers' values to those questions. Never an answer's note, N/A reason, evidence, comments, the
names of staff, or any other answer: the content is built from an allow-list, so a field added
to the assessment later stays private unless someone adds it here.
"""

from __future__ import annotations

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments import selectors
from assessments.models import Answer, Assessment
from jurisdictions.states import STATES
from questionnaires.models import Phase
from questionnaires.public_texts import LANGUAGES, public_texts

PHASE_LABELS = {
    Phase.PREPARING: gettext_lazy("Preparing to request an agreement"),
    Phase.SIGNED: gettext_lazy("Agreement signed, not yet operating"),
    Phase.OPERATING: gettext_lazy("Operating under an agreement"),
}
DIMENSION_LABELS = {
    "capacity": gettext_lazy("Capacity (staff, budget, jail and records)"),
    "policy": gettext_lazy("Written policy"),
    "community": gettext_lazy("Communication with the community"),
}
LEVEL_LABELS = {
    "ready": gettext_lazy("Ready"),
    "developing": gettext_lazy("Developing"),
    "not_ready": gettext_lazy("Not ready"),
    "not_permitted": gettext_lazy("Not permitted under state law"),
}
LAW_STATUS_LABELS = {
    "mandate": gettext_lazy("State law requires the sheriff to seek a 287(g) agreement."),
    "prohibition": gettext_lazy("State law bars 287(g) agreements."),
    "conditions": gettext_lazy("State law allows 287(g) agreements, with conditions."),
    "none_known": gettext_lazy("No state law on 287(g) agreements is known."),
}


def public_answers(assessment: Assessment, codes: list[str]) -> dict[str, str]:
    """The values (only) of the assessment's answers to `codes`, for questions it asks. One
    query; the note, the N/A reason and who answered are never read."""
    asked = {q.code for q in selectors.asked_questions(assessment)}
    rows = Answer.objects.filter(
        assessment=assessment, question__code__in=codes, not_applicable=False
    ).values_list("question__code", "value")
    return {code: value for code, value in rows if code in asked and value}


def summary_content(assessment: Assessment) -> dict[str, dict]:
    """The summary's content in each language: {"en": {...}, "es": {...}}, plain JSON values.
    Two queries (the answers, the result snapshot) when the state-law profile is loaded."""
    texts = public_texts()
    public = texts.for_version(assessment.questionnaire.slug, assessment.questionnaire.version)
    answers = public_answers(assessment, sorted(public))
    result = selectors.assessment_result(assessment)
    profile = assessment.state_law
    content = {}
    for language in LANGUAGES:
        with translation.override(language):
            topics: dict[str, list[str]] = {"oversight": [], "complaints": []}
            for code, question in public.items():
                text = question.answers.get(answers.get(code, ""))
                if text:
                    topics[question.topic].append(text[language])
            content[language] = {
                "agency": assessment.agency.name,
                "place": ", ".join(
                    part
                    for part in (assessment.agency.county, STATES.get(assessment.agency.state))
                    if part
                ),
                "models": [
                    {
                        "code": code,
                        "name": texts.models[code].name[language],
                        "allows": texts.models[code].allows[language],
                        "not_allowed": texts.models[code].not_allowed[language],
                    }
                    for code in sorted(assessment.models)
                ],
                "phase": str(PHASE_LABELS[assessment.phase]),
                "approved": formats.date_format(
                    timezone.localdate(assessment.approved_at), "DATE_FORMAT"
                ),
                "overall": _level(result.overall_level),
                "dimensions": [
                    {"label": str(DIMENSION_LABELS[d.key]), "level": _level(d.level)}
                    for d in result.dimensions
                ],
                "oversight": topics["oversight"],
                "complaints": topics["complaints"],
                "state_law": _state_law(profile),
            }
    return content


def _level(level) -> str:
    return str(LEVEL_LABELS[level.value]) if level is not None else _("Not assessed")


def _state_law(profile) -> dict | None:
    if profile is None:
        return None
    return {
        "state": profile.name,
        "status": str(LAW_STATUS_LABELS.get(profile.status, profile.get_status_display())),
        # The profiles are written in English only; the page marks the text's language.
        "summary": profile.summary,
        "summary_language": "en",
        "checked_on": formats.date_format(profile.checked_on, "DATE_FORMAT"),
        "citations": [
            {"title": c.get("title", ""), "url": c.get("url", "")} for c in profile.citations
        ],
    }
