"""Reads of questionnaire versions.

A loaded version never changes (the loader refuses to alter one; the admin is read-only), so
its sections and questions are read once per server process and kept: derived data that every
server can rebuild, never state that servers must agree on.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from .models import Question, QuestionnaireVersion, Section

LAYOUTS_KEPT = 8  # versions in use at once: a handful at most


@dataclass(frozen=True)
class Layout:
    """A version's sections and questions, in order. Shared by every request of the process:
    read them, never change them."""

    sections: tuple[Section, ...]
    questions: tuple[Question, ...]

    def section(self, code: str) -> Section | None:
        return next((s for s in self.sections if s.code == code), None)

    def questions_of(self, section: Section) -> list[Question]:
        return [q for q in self.questions if q.section_id == section.pk]


_layouts: OrderedDict[tuple, Layout] = OrderedDict()
_lock = threading.Lock()


def questionnaire_layout(questionnaire: QuestionnaireVersion) -> Layout:
    """The version's sections and questions: two queries the first time in this process, none
    after. Keyed by the version's id, content hash and load time, so a database rebuilt with
    other content under the same ids (tests, a restored backup) is read afresh."""
    key = (questionnaire.pk, questionnaire.content_hash, questionnaire.loaded_at)
    with _lock:
        layout = _layouts.get(key)
        if layout is not None:
            _layouts.move_to_end(key)
            return layout
    sections = tuple(Section.objects.filter(questionnaire_id=questionnaire.pk))
    by_id = {section.pk: section for section in sections}
    questions = tuple(
        Question.objects.filter(questionnaire_id=questionnaire.pk).order_by("position")
    )
    for question in questions:
        question.section = by_id[question.section_id]  # no query when a template asks
    layout = Layout(sections=sections, questions=questions)
    with _lock:
        _layouts[key] = layout
        while len(_layouts) > LAYOUTS_KEPT:
            _layouts.popitem(last=False)
    return layout


def layouts_forget() -> None:
    """Drop every kept layout (tests that rebuild the database mid-process)."""
    with _lock:
        _layouts.clear()
