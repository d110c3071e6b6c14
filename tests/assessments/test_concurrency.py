"""Editors saving the same section at the same moment, and status changes racing with saves.

Each test starts real threads at a barrier; every thread has its own database connection and
closes it at the end. On PostgreSQL the saves meet at the assessment's row lock; on SQLite at the
database write lock (transactions begin IMMEDIATE).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from functools import partial

import pytest
from django.db import connection, transaction

from assessments import services
from assessments.models import Answer, Assessment
from assessments.selectors import answers_by_question, assessment_live_result
from audit.models import Event
from questionnaires.models import Question
from tests.factories import answer_questions

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ROUNDS = 20
VALUES = {
    "choice": ["yes", "partial", "no"],
    "scale": ["0", "1", "2", "3", "4"],
    "number": ["0", "12", "1200", "45.5"],
    "text": ["Kept by records.", "Kept by the jail.", "See binder 2."],
}


def run_together(*jobs: Callable[[], object]) -> list[object]:
    """Run the jobs in threads released together; each result is a return value or exception."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def work(index: int, job: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = job()
        except BaseException as error:  # reported to the test thread, which decides
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
        assert not thread.is_alive(), "a save hung"
    return results


def page_state(assessment: Assessment, questions: list[Question]) -> dict[int, dict]:
    """What an editor's section page carries per question: content, version and digest."""
    stored = answers_by_question(assessment, questions)
    state = {}
    for question in questions:
        answer = stored.get(question.pk)
        content = services.answer_content(answer)
        state[question.pk] = {
            "content": content,
            "version": answer.version if answer else 0,
            "digest": services.content_digest(content),
        }
    return state


def posted(state: dict[int, dict], changes: dict[int, dict]) -> list[services.AnswerInput]:
    """The whole section as the editor's browser posts it: changed rows and untouched rows."""
    return [
        services.AnswerInput(
            question_id=question_id,
            **changes.get(question_id, row["content"]),
            base_version=row["version"],
            base_digest=row["digest"],
        )
        for question_id, row in state.items()
    ]


def new_content(question: Question, old: dict, rng: random.Random, note: str) -> dict:
    choices = [v for v in VALUES[question.answer_type] if v != old["value"]]
    return {
        "value": rng.choice(choices),
        "not_applicable": False,
        "na_reason": "",
        "note": note,
        # Approval clears "marked for review" flags (the approver confirms them), so the edits
        # racing with it leave the flag off: what must survive is the answer.
        "flagged": False,
    }


def answer_events(assessment: Assessment) -> int:
    return Event.objects.filter(assessment=assessment, kind=Event.Kind.ANSWER_CHANGED).count()


def stored_content(assessment: Assessment) -> dict[int, dict]:
    return {
        a.question_id: services.answer_content(a)
        for a in Answer.objects.filter(assessment=assessment)
    }


@pytest.fixture
def everything(questionnaire, agency, command):
    """A draft considering every model, so every question of the questionnaire is asked."""
    return services.assessment_start(
        agency=agency,
        user=command,
        membership=command.membership,
        title="Concurrency",
        models=["JEM", "TFM", "WSO"],
    )


def test_two_editors_saving_one_section_together_lose_no_answer(everything, preparer, command):
    questions = list(
        everything.applicable_questions().filter(section__code="CAP").order_by("position")
    )
    assert len(questions) >= 8
    by_id = {q.pk: q for q in questions}
    rng = random.Random(2027)
    outcomes = {"conflicts": 0, "both_saved": 0}

    for round_number in range(ROUNDS):
        state = page_state(everything, questions)  # both pages loaded before either saves
        shuffled = rng.sample(questions, len(questions))
        only_first, only_second, both = shuffled[:3], shuffled[3:6], shuffled[6:8]
        changes = {}
        for editor, own in (("first", only_first), ("second", only_second)):
            changes[editor] = {
                q.pk: new_content(q, state[q.pk]["content"], rng, f"{editor} {round_number}")
                for q in [*own, *both]
            }
        before_versions = {pk: row["version"] for pk, row in state.items()}
        events_before = answer_events(everything)

        first, second = run_together(
            partial(
                services.answers_save,
                assessment=everything,
                user=preparer,
                data=posted(state, changes["first"]),
            ),
            partial(
                services.answers_save,
                assessment=everything,
                user=command,
                data=posted(state, changes["second"]),
            ),
        )

        assert isinstance(first, services.SaveResult), first
        assert isinstance(second, services.SaveResult), second
        after = stored_content(everything)
        versions = dict(
            Answer.objects.filter(assessment=everything).values_list("question_id", "version")
        )
        for editor, result in (("first", first), ("second", second)):
            saved = {a.question_id for a in result.saved}
            conflicted = {c.question.pk for c in result.conflicts}
            assert not saved & conflicted
            for question_id, content in changes[editor].items():
                code = by_id[question_id].code
                # Every answer typed is stored or reported back as a conflict: none disappears.
                assert question_id in saved | conflicted, f"round {round_number}: {code} lost"
                if question_id in conflicted:
                    conflict = next(c for c in result.conflicts if c.question.pk == question_id)
                    assert conflict.mine.content == content
                    assert services.answer_content(conflict.stored) == after[question_id]
            for conflict in result.conflicts:
                assert conflict.question.pk in {q.pk for q in both}, "a disjoint edit conflicted"
        for question in only_first:
            assert after[question.pk] == changes["first"][question.pk], question.code
        for question in only_second:
            assert after[question.pk] == changes["second"][question.pk], question.code
        for question in both:
            winners = [
                editor
                for editor, result in (("first", first), ("second", second))
                if question.pk in {a.question_id for a in result.saved}
            ]
            assert len(winners) >= 1, f"{question.code}: neither save stored it"
            assert after[question.pk] == changes[winners[-1]][question.pk]
            if len(winners) == 1:
                outcomes["conflicts"] += 1
            else:
                outcomes["both_saved"] += 1
        for question_id, version in versions.items():
            writes = sum(
                question_id in {a.question_id for a in result.saved} for result in (first, second)
            )
            assert version == before_versions[question_id] + writes
        assert answer_events(everything) - events_before == len(first.saved) + len(second.saved)

    # Both pages were loaded before either save, so an overlapping edit is always a conflict.
    assert outcomes == {"conflicts": 2 * ROUNDS, "both_saved": 0}


def assert_approved_answers_are_those_scored(assessment: Assessment) -> None:
    assessment = Assessment.objects.select_related("snapshot").get(pk=assessment.pk)
    assert assessment.status == Assessment.Status.APPROVED
    assert assessment_live_result(assessment).to_dict() == assessment.snapshot.result
    latest_change = (
        Answer.objects.filter(assessment=assessment).order_by("-updated_at").first().updated_at
    )
    assert latest_change <= assessment.approved_at
    events = list(
        Event.objects.filter(assessment=assessment).order_by("id").values_list("kind", flat=True)
    )
    approved_at = events.index(Event.Kind.APPROVED)
    submitted_at = events.index(Event.Kind.SUBMITTED)
    assert Event.Kind.ANSWER_CHANGED not in events[submitted_at:], "an answer changed after submit"
    assert approved_at > submitted_at


def test_approval_racing_with_saves_never_leaves_a_changed_approved_answer(
    questionnaire, agency, command, preparer
):
    rng = random.Random(287)
    outcomes = {"saved_first": 0, "refused": 0}
    for round_number in range(ROUNDS):
        assessment = services.assessment_start(
            agency=agency,
            user=command,
            membership=command.membership,
            title=f"Race {round_number}",
            models=["JEM"],
        )
        answer_questions(assessment, preparer)
        questions = list(assessment.applicable_questions().order_by("position"))
        state = page_state(assessment, questions)
        targets = rng.sample(questions, 3)
        changes = {
            q.pk: new_content(q, state[q.pk]["content"], rng, f"late edit {round_number}")
            for q in targets
        }

        def review(assessment=assessment):
            services.assessment_submit(assessment=assessment, user=preparer)
            return services.assessment_approve(
                assessment=assessment,
                user=command,
                membership=command.membership,
                attested=True,
                flags_confirmed=True,
            )

        def edit(assessment=assessment, state=state, changes=changes):
            return services.answers_save(
                assessment=assessment, user=preparer, data=posted(state, changes)
            )

        saved, approved = run_together(edit, review)

        assert isinstance(approved, Assessment), approved
        after = stored_content(assessment)
        if isinstance(saved, services.SaveResult):
            assert {a.question_id for a in saved.saved} == set(changes)
            assert all(after[pk] == content for pk, content in changes.items())
            outcomes["saved_first"] += 1
        else:
            assert isinstance(saved, services.WorkflowError), saved
            assert "can no longer be changed" in str(saved)
            assert all(after[pk] == state[pk]["content"] for pk in changes)
            outcomes["refused"] += 1
        assert_approved_answers_are_those_scored(assessment)

    assert sum(outcomes.values()) == ROUNDS


def test_an_editor_saving_in_a_loop_while_command_approves_changes_nothing_approved(
    questionnaire, agency, command, preparer
):
    for round_number in range(5):
        assessment = services.assessment_start(
            agency=agency,
            user=command,
            membership=command.membership,
            title=f"Loop {round_number}",
            models=["WSO"],
        )
        answer_questions(assessment, preparer)
        questions = list(assessment.applicable_questions().order_by("position"))
        rng = random.Random(round_number)
        accepted: list[dict[int, dict]] = []

        def keep_saving(assessment=assessment, questions=questions, rng=rng, accepted=accepted):
            for attempt in range(200):
                state = page_state(assessment, questions)
                question = rng.choice(questions)
                change = {
                    question.pk: new_content(
                        question, state[question.pk]["content"], rng, f"attempt {attempt}"
                    )
                }
                try:
                    result = services.answers_save(
                        assessment=assessment, user=preparer, data=posted(state, change)
                    )
                except services.WorkflowError:
                    return attempt
                assert not result.conflicts
                accepted.append(change)
            return None

        def review(assessment=assessment):
            services.assessment_submit(assessment=assessment, user=preparer)
            return services.assessment_approve(
                assessment=assessment,
                user=command,
                membership=command.membership,
                attested=True,
                flags_confirmed=True,
            )

        stopped_at, approved = run_together(keep_saving, review)

        assert isinstance(approved, Assessment), approved
        assert isinstance(stopped_at, int), stopped_at  # refused once the review began
        after = stored_content(assessment)
        last_accepted = {}
        for change in accepted:
            last_accepted.update(change)
        for question_id, content in last_accepted.items():
            assert after[question_id] == content, "an accepted save is missing"
        assert_approved_answers_are_those_scored(assessment)


def test_a_save_never_waits_for_another_agencys_save_of_the_same_questions(
    everything, outsider_draft, outsider, preparer
):
    # Assessments of every agency share the questionnaire's Question rows: a save that locked
    # them would queue behind, or deadlock with, another agency's save of the same step.
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL only (SQLite has one lock for the whole database)")
    shared = list(outsider_draft.applicable_questions().filter(section__code="CAP"))
    answer_questions(everything, preparer)
    answer_questions(outsider_draft, outsider)
    theirs, ours = page_state(outsider_draft, shared), page_state(everything, shared)
    rng = random.Random(7)
    their_changes = {q.pk: new_content(q, theirs[q.pk]["content"], rng, "theirs") for q in shared}
    our_changes = {q.pk: new_content(q, ours[q.pk]["content"], rng, "ours") for q in shared}
    holding, finished = threading.Event(), threading.Event()

    def other_agency_save_in_progress():
        with transaction.atomic():
            services.answers_save(
                assessment=outsider_draft, user=outsider, data=posted(theirs, their_changes)
            )
            holding.set()
            finished.wait(timeout=30)  # still in its transaction, holding its locks

    def save():
        try:
            assert holding.wait(timeout=30)
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '2s'")
                return services.answers_save(
                    assessment=everything, user=preparer, data=posted(ours, our_changes)
                )
        finally:
            finished.set()

    other, result = run_together(other_agency_save_in_progress, save)

    assert other is None, other
    assert isinstance(result, services.SaveResult), result
    assert {a.question_id for a in result.saved} == set(our_changes)
    assert stored_content(outsider_draft) | their_changes == stored_content(outsider_draft)
