"""Scoring is a pure function: tested on plain data, without Django or a database."""

from __future__ import annotations

import itertools
import json
import random
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessments.scoring import (
    CHOICE,
    DIMENSIONS,
    NUMBER,
    SCALE,
    TEXT,
    AssessmentResult,
    Level,
    ScoringAnswer,
    ScoringQuestion,
    ScoringSection,
    answer_credit,
    round_half_up,
    score_assessment,
)
from tests.hypothesis_profiles import examples

ALL_MODELS = frozenset({"JEM", "TFM", "WSO"})
SECTIONS = (
    ScoringSection("CAP", "Assess needs and capacity", 1),
    ScoringSection("ICE", "Engage with ICE", 2),
    ScoringSection("TRN", "Train officers", 3),
    ScoringSection("POL", "Develop policies", 4),
    ScoringSection("COM", "Communicate with the community", 5),
)
PROPERTY_SETTINGS = settings(max_examples=examples(200), deadline=None)


def question(
    code: str,
    position: int,
    weights: tuple[int, int, int] = (1, 0, 0),
    *,
    answer_type: str = CHOICE,
    critical: bool = False,
    models: frozenset[str] = ALL_MODELS,
    full: str | None = None,
    partial: str | None = None,
) -> ScoringQuestion:
    return ScoringQuestion(
        code=code,
        section_code=code.split("-")[0],
        position=position,
        answer_type=answer_type,
        weight_capacity=weights[0],
        weight_policy=weights[1],
        weight_community=weights[2],
        critical=critical,
        models=models,
        recommendation=f"Close the gap on {code}.",
        prompt=f"Prompt {code}",
        threshold_full=None if full is None else Decimal(full),
        threshold_partial=None if partial is None else Decimal(partial),
    )


def answers_of(values: dict[str, str | None]) -> dict[str, ScoringAnswer]:
    """None stands for Not applicable."""
    return {
        code: ScoringAnswer(code, value or "", not_applicable=value is None)
        for code, value in values.items()
    }


def score(questions, values, models=ALL_MODELS, sections=SECTIONS) -> AssessmentResult:
    return score_assessment(
        sections=sections, questions=questions, answers=answers_of(values), models=models
    )


def dims(result: AssessmentResult) -> dict[str, tuple[int | None, Level | None]]:
    return {d.key: (d.score, d.level) for d in result.dimensions}


THREE = [
    question("CAP-01", 1, (3, 1, 0)),
    question("POL-01", 2, (0, 2, 1), answer_type=SCALE),
    question("COM-01", 3, (1, 0, 3)),
]


def test_it_scores_all_yes_as_ready():
    result = score(THREE, {"CAP-01": "yes", "POL-01": "4", "COM-01": "yes"})

    # Every credit is 1, so every ratio is w/w = 1 → 100.
    assert [d.exact for d in result.dimensions] == [100, 100, 100]
    assert dims(result) == {k: (100, Level.READY) for k in DIMENSIONS}
    assert (result.overall_score, result.overall_level) == (100, Level.READY)
    assert result.actions == ()
    assert not result.provisional
    assert result.explanation == "Overall: Ready — every assessed dimension scores 80 or more."


def test_it_scores_all_no_as_not_ready():
    result = score(THREE, {"CAP-01": "no", "POL-01": "0", "COM-01": "no"})

    assert dims(result) == {k: (0, Level.NOT_READY) for k in DIMENSIONS}
    assert (result.overall_exact, result.overall_level) == (0, Level.NOT_READY)
    # Gains are the total weights 4, 3, 4: ties broken by questionnaire order.
    assert [a.code for a in result.actions] == ["CAP-01", "COM-01", "POL-01"]
    assert [a.gain for a in result.actions] == [4, 4, 3]


def test_it_computes_a_mixed_set_exactly():
    questions = [
        question("CAP-01", 1, (3, 1, 0)),
        question("CAP-02", 2, (2, 0, 1)),
        question("POL-01", 3, (0, 3, 2), answer_type=SCALE),
        question("COM-01", 4, (1, 0, 3)),
    ]
    result = score(questions, {"CAP-01": "yes", "CAP-02": "partial", "POL-01": "3", "COM-01": "no"})

    capacity, policy, community = result.dimensions
    # capacity: (3·1 + 2·½ + 1·0) / (3+2+1) = 4/6 → 200/3 = 66.67 → 67, Developing
    assert (capacity.exact, capacity.score, capacity.level) == (
        Fraction(200, 3),
        67,
        Level.DEVELOPING,
    )
    # policy: (1·1 + 3·¾) / (1+3) = 13/16 → 325/4 = 81.25 → 81, Ready
    assert (policy.exact, policy.score, policy.level) == (Fraction(325, 4), 81, Level.READY)
    # community: (1·½ + 2·¾ + 3·0) / (1+2+3) = 2/6 → 100/3 = 33.33 → 33, Not ready
    assert (community.exact, community.score, community.level) == (
        Fraction(100, 3),
        33,
        Level.NOT_READY,
    )
    # overall: (4·1 + 3·½ + 5·¾ + 4·0) / (4+3+5+4) = 9.25/16 → 925/16 = 57.8125 → 58
    assert (result.overall_exact, result.overall_score) == (Fraction(925, 16), 58)
    assert result.overall_level is Level.NOT_READY  # the lowest dimension level
    # sections: CAP (4 + 1.5)/7 → 550/7 = 78.57 → 79; POL ¾ → 75; COM 0
    assert [(s.code, s.exact, s.score) for s in result.sections if s.applicable] == [
        ("CAP", Fraction(550, 7), 79),
        ("POL", Fraction(75), 75),
        ("COM", Fraction(0), 0),
    ]
    # gains: COM-01 4·1 = 4; CAP-02 3·½ = 3/2; POL-01 5·¼ = 5/4
    assert [(a.code, a.gain) for a in result.actions] == [
        ("COM-01", 4),
        ("CAP-02", Fraction(3, 2)),
        ("POL-01", Fraction(5, 4)),
    ]
    assert result.explanation == (
        "Overall: Not ready — Community communication scores 33, "
        "below the 50 needed for Developing."
    )


def test_it_caps_dimensions_on_critical_gaps():
    questions = [
        question("CAP-01", 1, (1, 0, 0), critical=True),
        *(question(f"CAP-0{n}", n, (3, 0, 0)) for n in range(2, 6)),
        question("POL-01", 6, (0, 2, 0)),
        question("COM-01", 7, (0, 0, 1), critical=True),
        question("COM-02", 8, (0, 0, 3)),
    ]
    values = {q.code: "yes" for q in questions} | {"CAP-01": "no", "COM-01": "partial"}
    result = score(questions, values)

    capacity, policy, community = result.dimensions
    # capacity: 12/13 → 92.3 → 92 would be Ready; the critical No caps it at Not ready.
    assert (capacity.score, capacity.uncapped_level) == (92, Level.READY)
    assert (capacity.level, capacity.capped_by) == (Level.NOT_READY, ("CAP-01",))
    # policy: CAP-01 has policy weight 0, so it does not cap policy.
    assert (policy.score, policy.level, policy.capped_by) == (100, Level.READY, ())
    # community: (1·½ + 3·1)/4 → 87.5 → 88 would be Ready; the critical Partial caps at Developing.
    assert (community.score, community.level, community.capped_by) == (
        88,
        Level.DEVELOPING,
        ("COM-01",),
    )
    assert result.overall_level is Level.NOT_READY
    # Both critical; gains CAP-01 1·1 = 1, COM-01 1·½ = ½.
    assert [a.code for a in result.critical_gaps] == ["CAP-01", "COM-01"]
    assert result.explanation == (
        "Overall: Not ready — Capacity scores 92 but is capped at Not ready "
        "by critical question CAP-01."
    )


def test_a_cap_at_or_above_the_score_level_is_not_reported():
    questions = [question("CAP-01", 1, (1, 0, 0), critical=True), question("CAP-02", 2, (3, 0, 0))]

    # (1·0 + 3·0)/4 = 0: already Not ready, the critical No changes nothing.
    capacity = score(questions, {"CAP-01": "no", "CAP-02": "no"}).dimension("capacity")
    assert (capacity.level, capacity.uncapped_level, capacity.capped_by) == (
        Level.NOT_READY,
        Level.NOT_READY,
        (),
    )
    # (1·½ + 3·½)/4 = 50 → Developing; a Partial caps at Developing: nothing to report.
    capacity = score(questions, {"CAP-01": "partial", "CAP-02": "partial"}).dimension("capacity")
    assert (capacity.score, capacity.level, capacity.capped_by) == (50, Level.DEVELOPING, ())


def test_an_unanswered_critical_question_does_not_cap():
    questions = [
        question("CAP-01", 1, (1, 0, 0), critical=True),
        *(question(f"CAP-0{n}", n, (3, 0, 0)) for n in range(2, 6)),
    ]
    result = score(questions, {f"CAP-0{n}": "yes" for n in range(2, 6)})

    # 12/13 → 92, Ready: provisional instead of capped.
    assert dims(result)["capacity"] == (92, Level.READY)
    assert result.provisional
    assert [(a.code, a.unanswered) for a in result.critical_gaps] == [("CAP-01", True)]


def test_not_applicable_excludes_a_question():
    questions = [question("CAP-01", 1, (2, 0, 0)), question("CAP-02", 2, (2, 0, 0))]

    # 2·1 / (2+2) = 50
    assert dims(score(questions, {"CAP-01": "yes", "CAP-02": "no"}))["capacity"] == (
        50,
        Level.DEVELOPING,
    )
    result = score(questions, {"CAP-01": "yes", "CAP-02": None})
    # 2·1 / 2 = 100: CAP-02 is gone from the score and the action plan, but it is answered.
    assert dims(result)["capacity"] == (100, Level.READY)
    assert result.actions == ()
    assert (result.applicable, result.answered, result.provisional) == (2, 2, False)


def test_questions_outside_the_chosen_models_are_excluded():
    questions = [
        question("CAP-01", 1, (1, 0, 0), models=frozenset({"JEM"})),
        question("CAP-02", 2, (3, 0, 0), models=frozenset({"TFM"})),
        question("CAP-03", 3, (1, 0, 0), models=frozenset({"TFM", "WSO"})),
    ]
    result = score(questions, {"CAP-01": "yes"}, models=frozenset({"JEM"}))

    # Only CAP-01 is included: 1·1 / 1 = 100; the unanswered TFM questions do not count.
    assert dims(result)["capacity"] == (100, Level.READY)
    assert (result.applicable, result.unanswered_codes, result.actions) == (1, (), ())
    assert result.sections[0].applicable == 1


def test_a_dimension_without_weight_is_not_assessed():
    result = score([question("CAP-01", 1, (2, 0, 0))], {"CAP-01": "yes"})

    policy = result.dimension("policy")
    assert (policy.exact, policy.score, policy.level, policy.assessed) == (None, None, None, False)
    assert result.overall_level is Level.READY
    assert result.explanation == (
        "Overall: Ready — every assessed dimension scores 80 or more. Policy and Community "
        "communication are not assessed: no applicable question weighs on them."
    )


def test_all_questions_not_applicable():
    result = score(THREE, {"CAP-01": None, "POL-01": None, "COM-01": None})

    assert dims(result) == {k: (None, None) for k in DIMENSIONS}
    assert (result.overall_exact, result.overall_score, result.overall_level) == (None, None, None)
    assert all(s.exact is None for s in result.sections)
    assert (result.completion, result.provisional, result.actions) == (1, False, ())
    assert result.explanation.startswith("Overall: Not assessed")


def test_no_included_question_at_all():
    result = score(THREE, {}, models=frozenset())

    assert (result.applicable, result.completion, result.overall_level) == (0, None, None)
    assert all(s.completion is None for s in result.sections)


def test_unanswered_questions_make_the_result_provisional():
    questions = [
        question("CAP-01", 1, (1, 0, 0)),
        question("CAP-02", 2, (1, 0, 0)),
        question("CAP-03", 3, (0, 0, 0), answer_type=TEXT),
        question("CAP-04", 4, (1, 0, 0)),
    ]
    # CAP-02 missing, CAP-03 blank text, CAP-04 a value a choice cannot take.
    result = score(questions, {"CAP-01": "yes", "CAP-03": "  ", "CAP-04": "maybe"})

    # Unanswered earns 0: 1 / (1+1+1) → 33.33 → 33.
    assert result.dimension("capacity").exact == Fraction(100, 3)
    assert result.provisional
    assert result.unanswered_codes == ("CAP-02", "CAP-03", "CAP-04")
    assert (result.applicable, result.answered, result.completion) == (4, 1, Fraction(1, 4))
    # The informational text question is never an action.
    assert [(a.code, a.credit, a.unanswered) for a in result.actions] == [
        ("CAP-02", 0, True),
        ("CAP-04", 0, True),
    ]
    assert result.explanation.endswith(" Provisional: 3 questions unanswered.")


def test_it_credits_answers_by_type():
    number = question("CAP-01", 1, answer_type=NUMBER, full="10", partial="4")
    plain_number = question("CAP-02", 2, answer_type=NUMBER)
    weightless = question("CAP-03", 3, (0, 0, 0))

    def credit(q, value, na=False):
        return answer_credit(q, ScoringAnswer(q.code, value, not_applicable=na))

    assert [credit(number, v) for v in ["12", "10", "4.0", "3.99", "-1"]] == [
        1,
        1,
        Fraction(1, 2),
        0,
        0,
    ]
    assert [credit(number, v) for v in ["", "ten", "NaN", "Infinity"]] == [None] * 4
    assert credit(question("CAP-04", 4, answer_type=SCALE), "3") == Fraction(3, 4)
    assert credit(question("CAP-04", 4, answer_type=SCALE), "5") is None
    assert credit(plain_number, "12") is None
    assert credit(weightless, "yes") is None
    assert credit(number, "12", na=True) is None
    assert answer_credit(number, None) is None


def _rounding_case() -> list[ScoringQuestion]:
    # 16 questions of weight 3 and one of weight 2: Σw = 50, so a score of x needs Σ(w·c) = x/2.
    return [
        question(f"CAP-{n:02d}", n, (3 if n <= 16 else 2, 0, 0), answer_type=SCALE)
        for n in range(1, 18)
    ]


def test_it_rounds_79_5_up_to_ready():
    questions = _rounding_case()
    # 13 × 3·1 + 3·¼ = 39.75, and 100 × 39.75 / 50 = 79.5 → 80, Ready.
    values = {f"CAP-{n:02d}": "4" for n in range(1, 14)} | {"CAP-14": "1"}
    capacity = score(questions, values | {q.code: "0" for q in questions[14:]}).dimension(
        "capacity"
    )

    assert (capacity.exact, capacity.score, capacity.level) == (Fraction(159, 2), 80, Level.READY)


def test_it_rounds_49_5_up_to_developing():
    questions = _rounding_case()
    # 8 × 3·1 + 3·¼ = 24.75, and 100 × 24.75 / 50 = 49.5 → 50, Developing.
    values = {f"CAP-{n:02d}": "4" for n in range(1, 9)} | {"CAP-09": "1"}
    capacity = score(questions, values | {q.code: "0" for q in questions[9:]}).dimension("capacity")

    assert (capacity.exact, capacity.score, capacity.level) == (
        Fraction(99, 2),
        50,
        Level.DEVELOPING,
    )


def test_it_rounds_half_up_not_to_even():
    # Banker's rounding would give 78, 0 and 2.
    assert [round_half_up(Fraction(n, 2)) for n in (157, 1, 5, 159)] == [79, 1, 3, 80]


def test_levels_order_by_severity():
    assert Level.NOT_PERMITTED < Level.NOT_READY < Level.DEVELOPING < Level.READY
    assert min([Level.READY, Level.NOT_READY, Level.DEVELOPING]) is Level.NOT_READY
    assert [level.label for level in Level] == [
        "Ready",
        "Developing",
        "Not ready",
        "Not permitted under state law",
    ]


def test_action_plan_order():
    questions = [
        question("CAP-01", 1, (3, 0, 0)),  # gain 3
        question("CAP-02", 2, (1, 0, 0), critical=True),  # partial: gain ½, critical
        question("CAP-03", 3, (0, 3, 0)),  # gain 3, later than CAP-01
        question("CAP-04", 4, (1, 1, 0), critical=True),  # gain 2, critical
        question("CAP-05", 5, (0, 0, 1)),  # gain 1
        question("CAP-06", 6, (3, 0, 0)),  # yes: no action
    ]
    values = {"CAP-01": "no", "CAP-02": "partial", "CAP-03": "no", "CAP-04": "no"}
    result = score(questions, values | {"CAP-05": "no", "CAP-06": "yes"})

    assert [a.code for a in result.actions] == ["CAP-04", "CAP-02", "CAP-01", "CAP-03", "CAP-05"]
    assert [a.code for a in result.critical_gaps] == ["CAP-04", "CAP-02"]


def test_it_rejects_inconsistent_input():
    with pytest.raises(ValueError, match="Duplicate question code 'CAP-01'"):
        score([question("CAP-01", 1), question("CAP-01", 2)], {})
    with pytest.raises(ValueError, match="unknown section XYZ"):
        score([question("XYZ-01", 1)], {})
    with pytest.raises(ValueError, match="partial threshold needs a full"):
        question("CAP-01", 1, answer_type=NUMBER, partial="3")


def test_the_result_survives_a_json_round_trip():
    questions = [
        question("CAP-01", 1, (3, 1, 0), critical=True),
        question("CAP-02", 2, (2, 0, 0)),
        question("POL-01", 3, (0, 3, 2), answer_type=SCALE),
    ]
    result = score(questions, {"CAP-01": "partial", "POL-01": "3"})

    stored = json.loads(json.dumps(result.to_dict()))
    # overall: (4·½ + 2·0 + 5·¾) / (4+2+5) = 5.75/11 → 575/11
    assert stored["overall_exact"] == "575/11"
    # policy: (1·½ + 3·¾) / 4 = 68.75 → 69, Developing
    assert (stored["dimensions"][1]["exact"], stored["dimensions"][1]["level"]) == (
        "275/4",
        "developing",
    )
    assert AssessmentResult.from_dict(stored) == result


# --- Properties ----------------------------------------------------------------------------------

VALUES = {
    CHOICE: ["yes", "partial", "no"],
    SCALE: ["0", "1", "2", "3", "4"],
    NUMBER: [str(n) for n in range(-2, 13)] + ["4.5"],
    TEXT: ["", " ", "Records unit", "none yet"],
}
# One draw per question shape, weights and answer keeps 200 examples of 30 questions fast.
KINDS = [(t, None, None) for t in (CHOICE, SCALE, NUMBER, TEXT)] + [
    (NUMBER, full, partial) for full, partial in [("5", None), ("5", "2"), ("8", "8"), ("0", "0")]
]
MODEL_SETS = [frozenset(m) for m in (["JEM"], ["TFM"], ["WSO"], ["JEM", "TFM"], ALL_MODELS)]
SHAPES = st.sampled_from(
    list(itertools.product(KINDS, [s.code for s in SECTIONS], [False, True], MODEL_SETS))
)
WEIGHTS = st.sampled_from(list(itertools.product(range(4), repeat=3)))
# (value, not applicable); None: no answer at all.
ANSWERS = {
    answer_type: st.sampled_from(
        [None, ("", True), ("", False), ("maybe", False)] + [(v, False) for v in values] * 2
    )
    for answer_type, values in VALUES.items()
}


@st.composite
def questionnaires(draw):
    questions = []
    for n in range(1, draw(st.integers(1, 30)) + 1):
        (answer_type, full, partial), section, critical, models = draw(SHAPES)
        questions.append(
            question(
                f"{section}-{n:02d}",
                n,
                draw(WEIGHTS),
                answer_type=answer_type,
                critical=critical,
                models=models,
                full=full,
                partial=partial,
            )
        )
    answers = {}
    for q in questions:
        answer = draw(ANSWERS[q.answer_type])
        if answer is not None:
            answers[q.code] = ScoringAnswer(q.code, *answer)
    return questions, answers, draw(st.sampled_from(MODEL_SETS))


def run(questions, answers, models) -> AssessmentResult:
    return score_assessment(sections=SECTIONS, questions=questions, answers=answers, models=models)


def exacts(result: AssessmentResult) -> list[Fraction | None]:
    return [
        *(d.exact for d in result.dimensions),
        result.overall_exact,
        *(s.exact for s in result.sections),
    ]


@PROPERTY_SETTINGS
@given(questionnaires())
def test_scores_stay_within_0_and_100(case):
    result = run(*case)

    for exact in exacts(result):
        assert exact is None or 0 <= exact <= 100
    for d in result.dimensions:
        if d.assessed:
            assert 0 <= d.score <= 100
            assert d.level <= d.uncapped_level
            assert (d.level < d.uncapped_level) == bool(d.capped_by)
    assert result.provisional == bool(result.unanswered_codes)


@PROPERTY_SETTINGS
@given(questionnaires(), st.data())
def test_raising_an_answer_never_lowers_a_score(case, data):
    questions, answers, models = case
    scored = [q for q in questions if q.answer_type != TEXT]
    if not scored:
        return
    target = data.draw(st.sampled_from(scored))
    choices = st.sampled_from([*VALUES[target.answer_type], "", "maybe"])
    values = data.draw(st.lists(choices, min_size=2, max_size=2))
    low, high = sorted(
        (ScoringAnswer(target.code, v) for v in values),
        key=lambda a: answer_credit(target, a) or 0,
    )

    before = run(questions, answers | {target.code: low}, models)
    after = run(questions, answers | {target.code: high}, models)

    for old, new in zip(exacts(before), exacts(after), strict=True):
        assert new is None if old is None else old <= new


@PROPERTY_SETTINGS
@given(questionnaires(), st.randoms(use_true_random=False))
def test_input_order_does_not_matter(case, rnd: random.Random):
    questions, answers, models = case
    shuffled_questions = rnd.sample(questions, len(questions))
    shuffled_answers = dict(rnd.sample(list(answers.items()), len(answers)))
    shuffled_sections = rnd.sample(SECTIONS, len(SECTIONS))

    expected = run(questions, answers, models)
    assert run(shuffled_questions, shuffled_answers, models) == expected
    assert (
        score_assessment(
            sections=shuffled_sections,
            questions=shuffled_questions,
            answers=shuffled_answers,
            models=models,
        )
        == expected
    )


@PROPERTY_SETTINGS
@given(questionnaires(), st.data())
def test_not_applicable_equals_removing_the_question(case, data):
    """For a critical question, once command staff have acknowledged the reason."""
    questions, answers, models = case
    target = data.draw(st.sampled_from(questions))
    not_applicable = ScoringAnswer(target.code, "", True, "No jail", "Pat Lee", "Chief Diaz")
    marked = run(questions, answers | {target.code: not_applicable}, models)
    others = [q for q in questions if q is not target]
    removed = run(others, {c: a for c, a in answers.items() if c != target.code}, models)

    assert [(d.exact, d.level) for d in marked.dimensions] == [
        (d.exact, d.level) for d in removed.dimensions
    ]
    assert marked.overall_exact == removed.overall_exact
    assert marked.actions == removed.actions


@PROPERTY_SETTINGS
@given(questionnaires())
def test_same_input_same_output(case):
    first = run(*case)

    assert run(*case) == first
    assert AssessmentResult.from_dict(json.loads(json.dumps(first.to_dict()))) == first


def test_question_positions_not_codes_or_list_order_set_the_order():
    # Equal gains (1 each): the tie is broken by position, not by code or list order.
    questions = [question("CAP-01", 3), question("CAP-09", 1), question("CAP-05", 2)]
    result = score(questions, {})

    assert result.unanswered_codes == ("CAP-09", "CAP-05", "CAP-01")
    assert [a.code for a in result.actions] == ["CAP-09", "CAP-05", "CAP-01"]


def test_it_explains_a_developing_result():
    questions = [
        question("CAP-01", 1, (1, 1, 0)),
        question("COM-01", 2, (0, 0, 1)),
        question("COM-02", 3, (0, 0, 0), answer_type=TEXT),
    ]
    result = score(questions, {"CAP-01": "partial", "COM-01": "yes"})

    # capacity and policy: 1·½ / 1 = 50, Developing; community 1·1 / 1 = 100, Ready.
    assert result.explanation == (
        "Overall: Developing — Capacity (50) and Policy (50) score below the 80 needed for Ready."
        " Provisional: 1 question unanswered."
    )
