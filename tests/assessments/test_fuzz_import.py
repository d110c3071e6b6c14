"""The importer against crafted exports: a valid export, mutated anywhere (types, ranges,
unicode, nesting, missing and extra keys). Either it is refused with a message and nothing is
saved, or it is imported and every page of the new assessment answers 200. Never a traceback."""

from __future__ import annotations

import copy
import json

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from assessments.models import Assessment
from assessments.transfer import TransferError, export_assessment_data, import_assessment_data
from audit.models import Event
from tests.assessments.test_transfer import fill
from tests.fuzzing import FUZZ, SPECIALS

pytestmark = pytest.mark.slow

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(SPECIALS + ["", "yes", "no", "partial", "4", "9999-12-31T23:59:59-05:00"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


def paths(document, prefix=()):
    """Every place in the document: (path of keys and indexes, value)."""
    yield prefix, document
    if isinstance(document, dict):
        for key, value in document.items():
            yield from paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from paths(value, (*prefix, index))


@st.composite
def mutations(draw, document):
    mutated = copy.deepcopy(document)
    places = [path for path, _ in paths(mutated) if path]
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(places))
        parent = mutated
        for step in path[:-1]:
            parent = parent[step]
        last = path[-1]
        action = draw(st.sampled_from(["replace", "delete", "extra"]))
        if action == "replace":
            parent[last] = draw(VALUES)
        elif action == "delete" and isinstance(parent, dict):
            del parent[last]
        elif isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=8))] = draw(VALUES)
        places = [p for p, _ in paths(mutated) if p]
        if not places:
            break
    return mutated


@pytest.fixture
def export(draft, preparer):
    fill(draft, preparer)
    return json.loads(json.dumps(export_assessment_data(assessment=draft)))


@FUZZ
@given(data=st.data())
def test_a_mutated_export_is_refused_or_imported_whole(data, export, agency, command, client_for):
    mutated = data.draw(mutations(export))
    before = (Assessment.objects.count(), Event.objects.count())

    try:
        outcome = import_assessment_data(data=mutated, agency=agency, user=command)
    except TransferError as error:
        assert error.problems and all(isinstance(p, str) and p for p in error.problems)
        assert (Assessment.objects.count(), Event.objects.count()) == before
        return
    client = client_for(command)
    assessment = outcome.assessment
    for name in ("assessment", "assessment_results", "assessment_activity", "assessment_compare"):
        response = client.get(reverse(name, args=[assessment.pk]))
        assert response.status_code == 200, (name, response.status_code)
    section = assessment.questionnaire.sections.first()
    assert client.get(reverse("section", args=[assessment.pk, section.code])).status_code == 200
