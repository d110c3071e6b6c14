"""One permission vocabulary: `agencies.access` answers for every action, and views, services
and templates all follow its answer."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from agencies import access
from agencies.access import Action
from agencies.models import Role
from assessments import services

ROOT = Path(__file__).resolve().parents[2]

EXPECTED = {
    Role.PREPARER: {
        Action.ANSWER,
        Action.SUBMIT,
        Action.PLAN_PROGRESS,
        Action.EVIDENCE,
        Action.REPLY,
    },
    Role.COMMAND: {
        Action.START,
        Action.ANSWER,
        Action.SUBMIT,
        Action.APPROVE,
        Action.RETURN,
        Action.REOPEN,
        Action.EXPORT,
        Action.READ_AUDIT,
        Action.PLAN,
        Action.PLAN_PROGRESS,
        Action.EVIDENCE,
        Action.COMMENT,
        Action.REPLY,
        Action.PUBLISH,
    },
    Role.AGENCY_ADMIN: set(Action),
}


@pytest.mark.parametrize("persona", ["preparer", "command", "agency_admin"])
def test_each_role_may_do_exactly_what_the_product_says(request, persona):
    membership = request.getfixturevalue(persona).membership

    allowed = {action for action in Action if access.may(membership, action)}

    assert allowed == EXPECTED[membership.role]


def test_nobody_may_act_in_another_agency_nor_once_deactivated(command, other_agency):
    membership = command.membership
    assert access.may(membership, Action.APPROVE, agency_id=membership.agency_id)
    assert not access.may(membership, Action.APPROVE, agency_id=other_agency.pk)
    command.is_active = False
    assert not any(access.may(membership, action) for action in Action)
    assert not any(access.may(None, action) for action in Action)


def test_services_refuse_what_access_refuses_with_its_message(draft, preparer, outsider):
    with pytest.raises(PermissionDenied, match="Only command staff can reopen"):
        services.assessment_reopen(assessment=draft, user=preparer, membership=preparer.membership)
    with pytest.raises(PermissionDenied):
        # Another agency's member, calling the service directly, is refused by the service.
        services.answers_save(
            assessment=draft,
            user=outsider,
            data=[services.AnswerInput(question_id=draft.applicable_questions()[0].pk, value="no")],
        )
    assert not draft.answers.exists()


@pytest.mark.parametrize(
    ("persona", "shown", "hidden"),
    [
        ("preparer", [], ["Start an assessment", "Members</a>", "Audit log</a>"]),
        ("command", ["Start an assessment", "Audit log</a>"], ["Members</a>"]),
        ("agency_admin", ["Start an assessment", "Audit log</a>", "Members</a>"], []),
    ],
)
def test_pages_offer_what_access_allows(request, client_for, persona, shown, hidden):
    page = client_for(request.getfixturevalue(persona)).get(reverse("dashboard")).content.decode()

    for text in shown:
        assert text in page
    for text in hidden:
        assert text not in page


def test_no_template_names_a_role():
    """Templates ask `may`, the context value of `access.permissions`, never a role string."""
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in (ROOT / "templates").rglob("*.html")
        for match in re.finditer(
            r"\.role\s*==|is_command|\"(preparer|command|agency_admin)\"", path.read_text()
        )
    ]
    assert offenders == []
