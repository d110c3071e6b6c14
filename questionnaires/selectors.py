"""Reads of questionnaire versions.

A loaded version never changes (the loader refuses to alter one; the admin is read-only), so
its sections and questions are read once per server process and kept: derived data that every
server can rebuild, never state that servers must agree on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from fastquery.kept import Kept

from .models import Question, QuestionnaireVersion, Section

LAYOUTS_KEPT = 8  # versions in use at once: a handful at most


@dataclass(frozen=True)
class Layout:
    """A version's sections and questions, in order. Shared by every request of the process:
    read them, never change them."""

    sections: tuple[Section, ...]
    questions: tuple[Question, ...]
    # What other apps derive from the layout alone (scoring's view of it, say), made once.
    derived: dict = field(default_factory=dict, compare=False, repr=False)

    def derive(self, key, make: Callable[[], object]):
        """`make()`, once per `key` for this layout (two threads may both make it: harmless)."""
        if key not in self.derived:
            self.derived[key] = make()
        return self.derived[key]

    def section(self, code: str) -> Section | None:
        return next((s for s in self.sections if s.code == code), None)

    def questions_of(self, section: Section) -> list[Question]:
        return [q for q in self.questions if q.section_id == section.pk]


_layouts = Kept(LAYOUTS_KEPT)


def questionnaire_layout(questionnaire: QuestionnaireVersion) -> Layout:
    """The version's sections and questions: two queries the first time in this process, none
    after. Keyed by the version's id, content hash and load time, so a database rebuilt with
    other content under the same ids (tests, a restored backup) is read afresh."""
    key = (questionnaire.pk, questionnaire.content_hash, questionnaire.loaded_at)
    return _layouts.get(key, lambda: _read_layout(questionnaire.pk))


def _read_layout(questionnaire_id: int) -> Layout:
    sections = tuple(Section.objects.filter(questionnaire_id=questionnaire_id))
    by_id = {section.pk: section for section in sections}
    questions = tuple(
        Question.objects.filter(questionnaire_id=questionnaire_id).order_by("position")
    )
    for question in questions:
        question.section = by_id[question.section_id]  # no query when a template asks
    return Layout(sections=sections, questions=questions)


def layouts_forget() -> None:
    """Drop every kept layout (tests that rebuild the database mid-process)."""
    _layouts.clear()
