"""How fast assessments are scored with the shipped questionnaire.

Run from the repository root (or anywhere): `.venv/bin/python bench/scoring.py`

1. The scoring input is built once from the shipped questionnaire (`selectors.scoring_question`
   for every question, sections as `scoring.ScoringSection`). 1,000 answer sets are generated
   with `random.Random(2027)` over the questions that apply to JEM + WSO, and all 1,000 are
   scored with `scoring.score_assessment`, the pure function, several times over.
2. One assessment in the database, started through `services.assessment_start` for JEM + WSO
   and with every applicable question answered, is scored with
   `selectors.assessment_live_result`: queries, conversion and scoring together.
"""

from __future__ import annotations

import random
import statistics
import timeit
from collections import Counter

import _setup

ASSESSMENTS = 1_000
SEED = 2027
MODELS = frozenset({"JEM", "WSO"})
PHASE = "operating"  # the phase that asks the most questions
NOT_APPLICABLE_SHARE = 0.05
UNANSWERED_SHARE = 0.05
REPEAT = 5


def random_answer(rng: random.Random, question, *, complete: bool):
    """(value, not_applicable) for one question; None for unanswered (never when complete)."""
    from assessments import scoring

    roll = rng.random()
    if not complete and roll < UNANSWERED_SHARE:
        return None
    if roll < UNANSWERED_SHARE + NOT_APPLICABLE_SHARE:
        return "", True
    if question.answer_type == scoring.CHOICE:
        return rng.choice(tuple(scoring.CHOICE_CREDIT)), False
    if question.answer_type == scoring.SCALE:
        return rng.choice(scoring.SCALE_VALUES), False
    if question.answer_type == scoring.NUMBER:
        full = question.threshold_full
        top = int(full * 2) if full is not None else 5_000
        return str(rng.randint(0, max(top, 1))), False
    return rng.choice(("Yes, see the attached memo.", "In progress.", "Not yet.")), False


def main() -> None:
    _setup.configure()

    from django.db import connection

    from assessments import scoring, selectors, services
    from questionnaires.models import Question, Section

    questionnaire = _setup.load_shipped_questionnaire()

    # The scoring input, built once.
    sections = [
        scoring.ScoringSection(s.code, s.title, s.position)
        for s in Section.objects.filter(questionnaire=questionnaire)
    ]
    questions = [
        selectors.scoring_question(q)
        for q in Question.objects.filter(questionnaire=questionnaire).select_related("section")
    ]
    # Asked of a JEM and WSO agency that operates, in a state whose law adds no duty.
    applicable = [
        q for q in questions if q.models & MODELS and PHASE in q.phases and not q.state_duty
    ]

    rng = random.Random(SEED)
    answer_sets = []
    for _ in range(ASSESSMENTS):
        answers = {}
        for question in applicable:
            drawn = random_answer(rng, question, complete=False)
            if drawn is not None:
                value, not_applicable = drawn
                answers[question.code] = scoring.ScoringAnswer(question.code, value, not_applicable)
        answer_sets.append(answers)

    def score_all() -> list:
        return [
            scoring.score_assessment(
                sections=sections,
                questions=questions,
                answers=answers,
                models=MODELS,
                phase=PHASE,
            )
            for answers in answer_sets
        ]

    for answers in answer_sets[:50]:  # warm-up
        scoring.score_assessment(
            sections=sections, questions=questions, answers=answers, models=MODELS, phase=PHASE
        )
    totals = timeit.Timer(score_all, timer=_setup.TIMER).repeat(repeat=REPEAT, number=1)
    results = score_all()
    levels = Counter(r.overall_level.label if r.overall_level else "Not assessed" for r in results)
    provisional = sum(r.provisional for r in results)

    # One assessment in the database, every applicable question answered.
    _, user, _, assessment = _setup.create_assessment(
        questionnaire=questionnaire, models=sorted(MODELS), title="Scoring benchmark"
    )
    db_questions = {q.code: q for q in assessment.applicable_questions()}
    db_rng = random.Random(SEED)
    inputs = []
    for question in applicable:
        value, not_applicable = random_answer(db_rng, question, complete=True)
        inputs.append(
            services.AnswerInput(
                question_id=db_questions[question.code].pk,
                value=value,
                not_applicable=not_applicable,
                na_reason="Does not apply to this agency." if not_applicable else "",
                note=f"Evidence for {question.code} is filed with command staff.",
            )
        )
    saved = services.answers_save(assessment=assessment, user=user, data=inputs)
    assert len(saved.saved) == len(applicable) and not saved.conflicts
    live = selectors.assessment_live_result(assessment)
    assert not live.provisional and live.applicable == len(applicable), live.unanswered_codes

    def fresh_live_result():
        # As a request does: the answers are read each time (a request keeps them only for
        # itself); the questionnaire's layout stays read, as in a running server.
        assessment.__dict__.pop("_answers", None)
        return selectors.assessment_live_result(assessment)

    live_queries = []
    with connection.execute_wrapper(
        lambda execute, sql, *args: live_queries.append(sql) or execute(sql, *args)
    ):
        fresh_live_result()
    live_times = _setup.time_per_call(fresh_live_result, number=20, repeat=7)

    total = statistics.median(totals)
    print(f"database: {_setup.database_description()}; {_setup.TIMER_NOTE}")
    print(
        f"questionnaire: {questionnaire.slug} v{questionnaire.version}, {len(sections)} sections, "
        f"{len(questions)} questions, {len(applicable)} applicable to "
        f"{' + '.join(sorted(MODELS))}"
    )
    print(
        f"answer sets: {ASSESSMENTS:,} from random.Random({SEED}); per question "
        f"{UNANSWERED_SHARE:.0%} unanswered, {NOT_APPLICABLE_SHARE:.0%} not applicable, "
        f"the rest a random value of its type"
    )
    print(
        f"score_assessment, {ASSESSMENTS:,} assessments: {total * 1000:.1f} ms total "
        f"(median of {REPEAT}; min {min(totals) * 1000:.1f}, max {max(totals) * 1000:.1f}), "
        f"{total / ASSESSMENTS * 1000:.3f} ms per assessment"
    )
    print(
        f"    results: {', '.join(f'{label} {n}' for label, n in sorted(levels.items()))}; "
        f"{provisional} provisional"
    )
    print(
        f"assessment_live_result, one DB assessment with all {len(applicable)} applicable "
        f"questions answered (queries included): {_setup.median_ms(live_times):.2f} ms median "
        f"({_setup.spread_ms(live_times)}); {len(live_queries)} queries"
    )


if __name__ == "__main__":
    main()
