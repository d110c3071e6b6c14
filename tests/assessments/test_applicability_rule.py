"""The checklist picks a step's questions in Python from the version's layout (read once per
process); the rule must be the database query's, for every model, phase and state duty."""

from __future__ import annotations

from itertools import combinations
from types import SimpleNamespace

import pytest

from assessments import selectors
from questionnaires.loader import DEFAULT_QUESTIONNAIRE, questionnaire_load
from questionnaires.models import Phase, StateDuty
from tests.factories import AssessmentFactory

MODEL_SETS = [set(c) for n in (1, 2, 3) for c in combinations(["JEM", "TFM", "WSO"], n)]
DUTY_SETS = [set(), {StateDuty.REQUEST_AGREEMENT, StateDuty.REPORT_TO_STATE}, set(StateDuty)]


@pytest.mark.slow
@pytest.mark.parametrize("phase", list(Phase))
def test_the_python_rule_is_the_querys(db, agency, command, phase):
    questionnaire = questionnaire_load(path=DEFAULT_QUESTIONNAIRE).questionnaire
    for models in MODEL_SETS:
        assessment = AssessmentFactory(
            agency=agency, created_by=command, models=sorted(models), phase=phase
        )
        assert assessment.questionnaire == questionnaire
        for duties in DUTY_SETS:
            assessment._state_law = SimpleNamespace(duties=sorted(duties))
            picked = [
                q.pk
                for section in selectors.assessment_sections(assessment)
                for q in selectors.section_questions(assessment, section)
            ]
            queried = list(
                assessment.applicable_questions().order_by("position").values_list("pk", flat=True)
            )
            assert picked == queried, (models, phase, duties)
            assert picked, (models, phase, duties)
