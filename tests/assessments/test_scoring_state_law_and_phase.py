"""Method version 2 on plain data: phase and state-law inclusion, the hard stop of a state
prohibition, and critical questions marked Not applicable. Hand-computed cases."""

from __future__ import annotations

import dataclasses
import json
from fractions import Fraction

from assessments.scoring import (
    AssessmentResult,
    Level,
    ScoringAnswer,
    StateLaw,
    score_assessment,
)
from tests.assessments.test_scoring import ALL_MODELS, SECTIONS, question

TEXAS = StateLaw(
    state="TX",
    name="Texas",
    status="mandate",
    status_label="Required by state law",
    verified=True,
    checked_on="2026-11-29",
    summary="Sheriffs who operate a jail must request an agreement.",
    citation="Tex. S.B. 8 (2025)",
    url="https://capitol.texas.gov/",
    law_version=1,
    deadline="2026-12-01",
    duties=("request_agreement",),
)
CALIFORNIA = dataclasses.replace(
    TEXAS,
    state="CA",
    name="California",
    status="prohibition",
    citation="Cal. Gov. Code 7284.6 (2017)",
    deadline=None,
    duties=(),
)
# CAP-01 asked in every phase; TRN-01 (a running program) only once signed or operating;
# ICE-09 only where state law requires requesting an agreement.
QUESTIONS = [
    question("CAP-01", 1, (2, 0, 0)),
    dataclasses.replace(
        question("TRN-01", 2, (2, 0, 0)), phases=frozenset({"signed", "operating"})
    ),
    dataclasses.replace(question("ICE-09", 3, (0, 2, 0)), state_duty="request_agreement"),
]


def run(values, *, phase="operating", law=None, answers=None):
    answers = answers or {c: ScoringAnswer(c, v) for c, v in values.items()}
    return score_assessment(
        sections=SECTIONS,
        questions=QUESTIONS,
        answers=answers,
        models=ALL_MODELS,
        phase=phase,
        state_law=law,
    )


def test_an_applicant_is_not_scored_on_a_running_program():
    values = {"CAP-01": "yes", "TRN-01": "no"}

    operating = run(values, phase="operating")
    preparing = run(values, phase="preparing")

    # Operating: capacity = 100 × (2×1 + 2×0) / 4 = 50. Preparing: TRN-01 is not asked, 2/2.
    assert operating.dimension("capacity").score == 50
    assert preparing.dimension("capacity").score == 100
    assert preparing.applicable == 1 and preparing.phase == "preparing"
    assert [a.code for a in operating.actions] == ["TRN-01"]
    assert preparing.actions == ()


def test_a_state_duty_is_asked_only_where_the_states_law_imposes_it():
    values = {"CAP-01": "yes", "TRN-01": "yes", "ICE-09": "partial"}

    without = run(values)
    texas = run(values, law=TEXAS)

    assert without.dimension("policy").score is None  # ICE-09 left out: nothing weighs on it
    assert without.applicable == 2
    # Texas: policy = 100 × 2×½ / 2 = 50.
    assert texas.dimension("policy").score == 50
    assert texas.applicable == 3
    assert texas.state_law is TEXAS


def test_a_state_prohibition_is_a_hard_stop_whatever_the_answers():
    result = run({"CAP-01": "yes", "TRN-01": "yes"}, law=CALIFORNIA)

    assert result.overall_level is Level.NOT_PERMITTED
    assert not result.permitted
    assert result.dimension("capacity").level is Level.READY  # readiness if the law changed
    assert result.explanation.startswith(
        "Overall: Not permitted under state law — California law bars this agreement "
        "(Cal. Gov. Code 7284.6 (2017))."
    )
    assert "if the law allowed an agreement: Ready" in result.explanation


def test_a_critical_not_applicable_counts_as_no_until_command_staff_accept_it():
    critical = [dataclasses.replace(QUESTIONS[0], critical=True), QUESTIONS[1]]

    def score(acknowledged_by: str) -> AssessmentResult:
        answers = {
            "CAP-01": ScoringAnswer("CAP-01", "", True, "No jail", "Pat Lee", acknowledged_by),
            "TRN-01": ScoringAnswer("TRN-01", "yes"),
        }
        return score_assessment(
            sections=SECTIONS, questions=critical, answers=answers, models=ALL_MODELS
        )

    pending, accepted = score(""), score("Chief Diaz")

    # Pending: CAP-01 counts as No: 100 × (0 + 2) / 4 = 50, capped at Not ready by CAP-01.
    assert pending.dimension("capacity").exact == Fraction(50)
    assert pending.dimension("capacity").level is Level.NOT_READY
    assert pending.dimension("capacity").capped_by == ("CAP-01",)
    assert not pending.provisional  # it is answered: the answer is the acknowledgement's wait
    # Accepted: CAP-01 leaves the scores: 100 × 2 / 2 = 100.
    assert accepted.dimension("capacity").score == 100
    assert accepted.overall_level is Level.READY
    # Either way it is listed, with who marked it, why, and who accepted it.
    listed = pending.critical_not_applicable
    assert [(c.code, c.reason, c.marked_by, c.acknowledged_by) for c in listed] == [
        ("CAP-01", "No jail", "Pat Lee", "")
    ]
    assert accepted.critical_not_applicable[0].acknowledged


def test_the_result_keeps_the_state_law_it_was_scored_with():
    result = run({"CAP-01": "yes", "TRN-01": "yes", "ICE-09": "yes"}, law=TEXAS)

    again = AssessmentResult.from_dict(json.loads(json.dumps(result.to_dict())))

    assert again == result
    assert again.state_law.deadline == "2026-12-01"


def test_a_result_frozen_by_method_version_1_still_reads():
    frozen = run({"CAP-01": "yes", "TRN-01": "yes"}).to_dict()
    for key in ("phase", "state_law", "critical_not_applicable"):
        del frozen[key]
    frozen["method_version"] = "1"

    result = AssessmentResult.from_dict(frozen)

    assert (result.method_version, result.state_law, result.phase) == ("1", None, None)
    assert result.permitted and result.critical_not_applicable == ()
