"""What the state's law and the agency's phase change on the pages people use: the dashboard,
the overview, the checklist and the results. Through the Django test client."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agencies.models import Role
from assessments import services
from assessments.models import Assessment
from audit.models import Event
from tests.factories import (
    AgencyFactory,
    AssessmentFactory,
    MemberFactory,
    answer_questions,
    approve,
)
from tests.pages import fieldset, form_fields, question, section_url, text_of
from tests.state_law_files import (
    APPLICANT_PROMPT,
    DUTY_PROMPT,
    FORUM_PROMPT,
    TRAINED_PROMPT,
    in_days,
    load_state_law_text,
    prohibition,
    texas,
)


@pytest.fixture
def california():
    return AgencyFactory(name="Golden County Sheriff's Office", state="CA", county="Golden")


def start(agency, user, *, models=("JEM", "WSO"), phase="operating") -> Assessment:
    return AssessmentFactory(agency=agency, created_by=user, models=models, phase=phase)


def page_text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return text_of(response.content.decode())


def asked_codes(assessment: Assessment) -> list[str]:
    return list(
        assessment.applicable_questions().order_by("position").values_list("code", flat=True)
    )


def test_texas_shows_the_deadline_days_left_and_duties_on_dashboard_and_results(
    duty_questionnaire, state_law, agency, command, client_for
):
    draft = start(agency, command)
    client = client_for(command)
    deadline = in_days(30).strftime("%B %-d, %Y")

    for url in (reverse("dashboard"), reverse("assessment_results", args=[draft.pk])):
        text = page_text(client, url)
        assert "Texas law requires an agreement" in text
        assert f"Deadline {deadline}: 30 days left." in text
        assert "Request or enter an agreement by a deadline Report to a state body" in text
        assert "Ending an agreement: Ending an agreement needs the approval of a state board." in (
            text
        )
        assert "Source: Tex. S.B. 8, 89th Leg., R.S. (2025)" in text

    duty = fieldset(client.get(section_url(draft, "ICE")), "ICE-02")
    assert DUTY_PROMPT in text_of(duty)
    assert "State law: Request or enter an agreement by a deadline" in text_of(duty)


def test_a_passed_deadline_says_so(duty_questionnaire, db, tmp_path, agency, command, client_for):
    load_state_law_text(tmp_path, texas(in_days(-1)))

    text = page_text(client_for(command), reverse("dashboard"))

    assert f"Deadline {in_days(-1).strftime('%B %-d, %Y')}: passed 1 day ago." in text


def test_a_duty_is_asked_only_where_the_states_law_imposes_it(
    duty_questionnaire, state_law, agency, other_agency, command, outsider, client_for
):
    in_texas, in_north_carolina = start(agency, command), start(other_agency, outsider)

    assert "ICE-02" in asked_codes(in_texas) and "COM-01" not in asked_codes(in_texas)
    assert "COM-01" in asked_codes(in_north_carolina)
    assert "ICE-02" not in asked_codes(in_north_carolina)
    text = page_text(client_for(outsider), reverse("dashboard"))
    assert "North Carolina law sets conditions on an agreement" in text
    assert "Governing-body approval Public hearing or forum" in text
    assert FORUM_PROMPT in page_text(client_for(outsider), section_url(in_north_carolina, "COM"))


def test_a_prohibition_stops_the_result_but_the_checklist_still_works(
    duty_questionnaire, state_law, california, client_for
):
    chief = MemberFactory(agency=california, role=Role.COMMAND, username="golden-chief")
    draft = start(california, chief)
    answer_questions(
        draft, chief, values={"choice": "yes", "scale": "4", "number": "5", "text": "x"}
    )
    client = client_for(chief)

    results = page_text(client, reverse("assessment_results", args=[draft.pk]))

    stop = "State law bars this agreement (Cal. Gov. Code 7284.6(a)(1)(G) (2017))"
    assert stop in results
    assert results.index(stop) < results.index("Readiness by dimension")
    assert "Overall: Not permitted under state law — California law bars this agreement" in results
    assert "Overall 100 Not permitted under state law" in results
    assert stop in page_text(client, reverse("dashboard"))
    # The checklist still saves: the agency may assess for a change of law.
    page = client.get(section_url(draft, "CAP"))
    fields = form_fields(page)
    fields[f"q{question(draft, 'CAP-02').pk}-note"] = "Assessed for a possible change of law."
    response = client.post(section_url(draft, "CAP"), fields)
    assert response.status_code == 302
    assert draft.answers.get(question__code="CAP-02").note.startswith("Assessed for")


def test_an_applicant_gets_its_own_wording_and_is_not_asked_about_a_running_program(
    duty_questionnaire, state_law, agency, command, client_for
):
    applicant, operating = start(agency, command, phase="preparing"), start(agency, command)
    client = client_for(command)

    assert "TRN-01" not in asked_codes(applicant) and "TRN-01" in asked_codes(operating)
    assert TRAINED_PROMPT not in page_text(client, section_url(applicant, "TRN"))
    applicant_policy = text_of(fieldset(client.get(section_url(applicant, "POL")), "POL-01"))
    assert APPLICANT_PROMPT in applicant_policy
    assert "Recommended practice" in applicant_policy
    operating_policy = text_of(fieldset(client.get(section_url(operating, "POL")), "POL-01"))
    assert "Has the agency trained designated officers on its policy?" in operating_policy
    # The dashboard counts what each is asked: TRN-01 only for the operating one.
    dashboard = page_text(client, reverse("dashboard"))
    assert "0 of 5 answered" in dashboard and "0 of 6 answered" in dashboard


def test_the_start_page_records_the_phase(duty_questionnaire, state_law, command, client_for):
    response = client_for(command).post(
        reverse("assessment_start"),
        {"title": "2027 review", "models": ["JEM"], "phase": "signed"},
    )

    assessment = Assessment.objects.get()
    assert response.status_code == 302 and assessment.phase == "signed"
    event = Event.objects.get(kind=Event.Kind.ASSESSMENT_STARTED)
    assert event.new == {"title": "2027 review", "models": ["JEM"], "phase": "signed"}
    assert "Phase: Agreement signed, not yet operating" in page_text(
        client_for(command), reverse("assessment", args=[assessment.pk])
    )


def test_approved_results_keep_the_profile_they_were_scored_with(
    duty_questionnaire, state_law, tmp_path, agency, preparer, command, client_for
):
    approved = start(agency, command)
    answer_questions(approved, preparer)
    approve(approved, preparer=preparer, command=command)
    # The law changes: version 2 of the profiles says Texas now bars agreements.
    load_state_law_text(tmp_path, prohibition("TX", "Texas"), version=2)
    draft = start(agency, command)
    client = client_for(command)

    kept = page_text(client, reverse("assessment_results", args=[approved.pk]))
    assert "Texas law requires an agreement" in kept
    assert "Not permitted under state law" not in kept
    assert "scoring method version 2, state-law profiles version 1" in kept
    now = page_text(client, reverse("assessment_results", args=[draft.pk]))
    assert "State law bars this agreement" in now
    assert "State-law profiles version 2" in now
    method = page_text(client, reverse("method"))
    assert "State law on 287(g) agreements, version 2" in method
    assert "An approved assessment keeps the method and the profile it was scored with" in method


def test_an_unverified_entry_says_so(duty_questionnaire, tmp_path, agency, command, client_for):
    load_state_law_text(tmp_path, texas(in_days(30), verified=False))

    text = page_text(client_for(command), reverse("dashboard"))

    assert "Not confirmed in a primary source: have counsel check it" in text


def test_no_profile_for_the_state_is_said_plainly(duty_questionnaire, agency, command, client_for):
    text = page_text(client_for(command), reverse("dashboard"))

    assert "No state-law profile is loaded for TX." in text


# Critical questions marked Not applicable


@pytest.fixture
def critical_na(duty_questionnaire, state_law, agency, preparer, command):
    """A draft with every question answered Yes and the critical CAP-01 marked N/A."""
    draft = start(agency, command)
    answer_questions(
        draft,
        preparer,
        values={"choice": "yes", "scale": "4", "number": "5", "text": "x"},
        not_applicable=["CAP-01"],
    )
    return draft


def test_a_critical_not_applicable_counts_as_no_until_command_staff_accept_it(
    critical_na, preparer, command, client_for
):
    results_url = reverse("assessment_results", args=[critical_na.pk])
    acknowledge = reverse(
        "na_acknowledge", args=[critical_na.pk, question(critical_na, "CAP-01").pk]
    )

    pending = page_text(client_for(preparer), results_url)
    assert (
        "CAP-01 : marked not applicable by Preparer Tester, reason “CAP-01 does not apply: no such "
        "unit here.”; not yet accepted by command staff, so it counts as No." in pending
    )
    assert "Overall: Not ready" in pending
    assert client_for(preparer).post(acknowledge).status_code == 403
    overview = page_text(client_for(command), reverse("assessment", args=[critical_na.pk]))
    assert "Accept as not applicable (CAP-01)" in overview

    response = client_for(command).post(acknowledge)

    assert response.status_code == 302
    accepted = page_text(client_for(preparer), results_url)
    assert "accepted by Command Tester, so it is left out of the scores." in accepted
    assert "Overall: Ready" in accepted
    event = Event.objects.get(kind=Event.Kind.NA_ACKNOWLEDGED)
    assert (event.actor, event.question.code) == (command, "CAP-01")
    assert event.new == {"reason": "CAP-01 does not apply: no such unit here."}


def test_changing_the_reason_withdraws_the_acceptance(critical_na, preparer, command):
    cap_01 = question(critical_na, "CAP-01")
    services.not_applicable_acknowledge(
        assessment=critical_na, user=command, membership=command.membership, question_id=cap_01.pk
    )
    answer = critical_na.answers.get(question=cap_01)

    services.answers_save(
        assessment=critical_na,
        user=preparer,
        data=[
            services.AnswerInput(
                question_id=cap_01.pk,
                not_applicable=True,
                na_reason="A different reason.",
                base_version=answer.version,
            )
        ],
    )

    answer.refresh_from_db()
    assert answer.na_acknowledged_by is None and answer.na_acknowledged_at is None


def test_only_a_critical_not_applicable_can_be_accepted(critical_na, command, client_for):
    other = question(critical_na, "CAP-02")
    response = client_for(command).post(
        reverse("na_acknowledge", args=[critical_na.pk, other.pk]), follow=True
    )

    assert "Only a critical question marked Not applicable needs this." in text_of(
        response.content.decode()
    )
    assert not Event.objects.filter(kind=Event.Kind.NA_ACKNOWLEDGED).exists()


def test_another_agencys_acceptance_address_is_a_404(critical_na, outsider, client_for):
    url = reverse("na_acknowledge", args=[critical_na.pk, question(critical_na, "CAP-01").pk])

    assert client_for(outsider).post(url).status_code == 404
