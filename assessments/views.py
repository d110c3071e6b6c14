"""Views translate HTTP: fetch within the member's agency (404 outside it), ask
`agencies.access`, validate with a form, call a service, then redirect or render again."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from agencies.access import (
    Action,
    get_membership,
    may,
    membership_or_none,
    require,
    state_reviewer_or_none,
)
from agencies.forms import body_problem, bound_form
from agencies.models import Membership
from audit.request import client_ip
from evidence.selectors import section_evidence
from jurisdictions.selectors import current_law, current_profile
from plans import selectors as plan_selectors
from questionnaires.models import QuestionnaireVersion

from . import results, scoring, selectors, services
from .checklist import build_rows, parse_section_post, section_template_context
from .forms import AssessmentStartForm, ReturnForm
from .models import Assessment


def get_assessment_for_user(request: HttpRequest, pk: int) -> tuple[Assessment, Membership]:
    """The assessment if it belongs to the user's agency, else 404 (never 403)."""
    membership = get_membership(request)
    return selectors.assessment_for_member(membership=membership, pk=pk), membership


FILTERS = {
    "unanswered": "Unanswered questions",
    "flagged": "Questions marked for review",
    "notes": "Questions with notes",
}


MY_ACTIONS_SHOWN = 10  # the rest are one link away, on the plan page filtered by owner


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    membership = membership_or_none(request.user)
    if membership is None:
        if state_reviewer_or_none(request.user) is not None:
            return redirect("state_overview")  # a reviewer's home: they belong to no agency
        return render(request, "assessments/no_agency.html")
    agency = membership.agency
    assessments = selectors.agency_assessment_list(agency)
    profile = current_profile(agency.state)
    scored = selectors.assessments_results(assessments, {agency.state: profile})
    # Progress from the same results: answered and applicable questions, N/A counted answered.
    rows = []
    for assessment in assessments:
        result = scored[assessment.pk]
        rows.append((assessment, selectors.Progress(result.answered, result.applicable), result))
    approved = sorted(
        (a for a in assessments if a.status == Assessment.Status.APPROVED and a.approved_at),
        key=lambda a: a.approved_at,
    )
    trend = results.trend_chart(
        [(f"{a.approved_at:%Y-%m-%d}", a.title, scored[a.pk]) for a in approved]
    )
    law = selectors.scoring_state_law(profile)
    command = may(membership, Action.PLAN)
    my_items = plan_selectors.my_items(request.user, agency.pk, limit=MY_ACTIONS_SHOWN + 1)
    return render(
        request,
        "assessments/dashboard.html",
        {
            "agency": agency,
            "rows": rows,
            "state_law": results.state_law_panel(law, timezone.localdate()),
            "trend": trend,
            "my_items": my_items[:MY_ACTIONS_SHOWN],
            "more_items": len(my_items) > MY_ACTIONS_SHOWN,
            "plan_counts": plan_selectors.plan_counts(agency) if command else None,
            "awaiting_review": [a for a in assessments if a.status == Assessment.Status.SUBMITTED]
            if may(membership, Action.APPROVE)
            else [],
            "returned": [a for a in assessments if a.is_returned],
        },
    )


@login_required
def assessment_start(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    require(membership, Action.START)
    form = bound_form(AssessmentStartForm, request, agency=membership.agency)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_start(
                agency=membership.agency,
                user=request.user,
                membership=membership,
                title=form.cleaned_data["title"],
                models=form.cleaned_data["models"],
                phase=form.cleaned_data["phase"],
                carry_from=form.cleaned_data["carry_from"],
                ip_address=client_ip(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        except services.WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                gettext("Assessment “%(title)s” started.") % {"title": assessment.title},
            )
            return redirect("assessment", pk=assessment.pk)
    return render(request, "assessments/start.html", {"form": form})


@login_required
def assessment_overview(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, membership = get_assessment_for_user(request, pk)
    return _render_overview(request, assessment, membership)


def _render_overview(
    request: HttpRequest,
    assessment: Assessment,
    membership: Membership,
    *,
    return_form: ReturnForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The overview; after a refused return, with the bound return form and its errors, so
    nothing typed is lost."""
    sections = selectors.assessment_sections(assessment)
    section_rows = selectors.sections_progress(assessment, sections)
    overall = selectors.Progress(
        answered=sum(row.progress.answered for row in section_rows),
        applicable=sum(row.progress.applicable for row in section_rows),
    )
    show = request.GET.get("show", "")
    filtered = selectors.filtered_questions(assessment, show) if show in FILTERS else None
    return render(
        request,
        "assessments/overview.html",
        {
            "assessment": assessment,
            "membership": membership,
            "section_rows": section_rows,
            "overall": overall,
            "filters": FILTERS,
            "show": show if show in FILTERS else "",
            "filter_label": FILTERS.get(show, ""),
            "filtered": filtered,
            "return_form": return_form or ReturnForm(),
            "open_comments": selectors.open_comments(selectors.assessment_comments(assessment)),
            "state_law": results.state_law_panel(
                selectors.scoring_state_law(assessment.state_law), timezone.localdate()
            ),
            "critical_not_applicable": selectors.critical_not_applicable(assessment),
            "without_evidence": (
                selectors.critical_yes_without_evidence(assessment)
                if assessment.status != Assessment.Status.APPROVED
                else []
            ),
            "carried": selectors.carry_over_changes(assessment),
        },
        status=status,
    )


@login_required
def section_edit(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    assessment, membership = get_assessment_for_user(request, pk)
    sections = selectors.assessment_sections(assessment)
    section = next((s for s in sections if s.code == code), None)
    if section is None:
        raise Http404("No such section.")
    questions = selectors.section_questions(assessment, section)
    if request.method == "POST":
        problem = body_problem(request)
        if problem:  # not a browser's form post: read nothing from it
            messages.error(request, problem)
            rows = build_rows(questions, selectors.answers_by_question(assessment, questions))
            return _render_section(request, assessment, sections, section, rows, 400)
        posted = parse_section_post(questions, request.POST)
        try:
            result = services.answers_save(
                assessment=assessment,
                user=request.user,
                data=posted,
                ip_address=client_ip(request),
            )
        except services.AnswersInvalid as error:
            rows = build_rows(
                questions,
                selectors.answers_by_question(assessment, questions),
                posted=posted,
                errors=error.by_question,
            )
            messages.error(request, gettext("Nothing was saved: correct the answers marked below."))
            return _render_section(request, assessment, sections, section, rows, 400)
        except services.WorkflowError as error:
            # Submitted or approved while this person was typing: show what they sent, unsaved,
            # so that nothing they wrote is lost.
            assessment.refresh_from_db()
            rows = build_rows(
                questions,
                selectors.answers_by_question(assessment, questions),
                posted=posted,
                refused=True,
            )
            messages.error(
                request,
                gettext(
                    "Nothing was saved. %(error)s Your answers are shown below as you sent them "
                    "so that you can copy them; to change the assessment, ask command staff to "
                    "return it to draft."
                )
                % {"error": error},
            )
            return _render_section(
                request, assessment, sections, section, rows, 409, refused_input=True
            )
        if result.saved:
            # Committed: if the session cannot be saved now, the page must not say otherwise.
            request.readiness_saved = "answers"
        if result.conflicts:
            rows = build_rows(
                questions,
                selectors.answers_by_question(assessment, questions),
                posted=posted,
                conflicts=result.conflicts,
            )
            saved = len(result.saved)
            messages.warning(
                request,
                gettext(
                    "%(saved)s answer(s) saved. %(conflicts)s answer(s) were changed by someone "
                    "else while you were editing: compare below and choose which to keep."
                )
                % {"saved": saved, "conflicts": len(result.conflicts)},
            )
            return _render_section(request, assessment, sections, section, rows, 409)
        messages.success(
            request,
            gettext("Saved: %(count)s answer(s) changed in “%(step)s”.")
            % {"count": len(result.saved), "step": section.title}
            if result.saved
            else gettext("No changes to save in “%(step)s”.") % {"step": section.title},
        )
        if "next" in request.POST:
            following = next((s for s in sections if s.position > section.position), None)
            if following is not None:
                return redirect("section", pk=assessment.pk, code=following.code)
            return redirect("assessment", pk=assessment.pk)
        return redirect("section", pk=assessment.pk, code=section.code)
    rows = build_rows(questions, selectors.answers_by_question(assessment, questions))
    return _render_section(request, assessment, sections, section, rows, 200)


def _render_section(
    request, assessment, sections, section, rows, status: int, *, refused_input: bool = False
) -> HttpResponse:
    context = section_template_context(
        assessment=assessment,
        sections=sections,
        section=section,
        rows=rows,
        refused_input=refused_input,
        plan_items=selectors.open_plan_items(assessment, [row.question for row in rows]),
        evidence=section_evidence(assessment.pk, section.pk),
        comments=selectors.assessment_comments(assessment, {row.question.pk for row in rows}),
        may_comment=(
            assessment.status != Assessment.Status.APPROVED
            and may(membership_or_none(request.user), Action.COMMENT)
        ),
    )
    return render(request, "assessments/section.html", context, status=status)


@login_required
@require_POST
def assessment_return(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, membership = get_assessment_for_user(request, pk)
    require(membership, Action.RETURN)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.assessment_return(
                assessment=assessment,
                user=request.user,
                membership=membership,
                comment=form.cleaned_data["comment"],
                ip_address=client_ip(request),
            )
        except ValidationError as error:
            form.add_error("comment", error.messages)
        except services.WorkflowError as error:
            messages.error(request, str(error))
            return redirect("assessment", pk=assessment.pk)
        else:
            messages.success(request, gettext("Returned to draft with your comment."))
            return redirect("assessment", pk=assessment.pk)
    problem = " ".join(form.errors["comment"])
    messages.error(request, gettext("Not returned: %(problem)s") % {"problem": problem})
    return _render_overview(request, assessment, membership, return_form=form, status=400)


@login_required
@require_POST
def not_applicable_acknowledge(request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
    assessment, membership = get_assessment_for_user(request, pk)
    require(membership, Action.APPROVE)
    try:
        answer = services.not_applicable_acknowledge(
            assessment=assessment,
            user=request.user,
            membership=membership,
            question_id=question_id,
            ip_address=client_ip(request),
        )
    except services.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            gettext("%(code)s accepted as not applicable: it no longer counts as No.")
            % {"code": answer.question.code},
        )
    return redirect("assessment", pk=assessment.pk)


@login_required
@require_POST
def assessment_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, membership = get_assessment_for_user(request, pk)
    require(membership, Action.REOPEN)
    try:
        revision = services.assessment_reopen(
            assessment=assessment,
            user=request.user,
            membership=membership,
            ip_address=client_ip(request),
        )
    except services.WorkflowError as error:
        messages.error(request, str(error))
        return redirect("assessment", pk=assessment.pk)
    messages.success(
        request,
        gettext("Revision %(revision)s started from the approved answers.")
        % {"revision": revision.revision},
    )
    return redirect("assessment", pk=revision.pk)


@login_required
def assessment_activity(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, _ = get_assessment_for_user(request, pk)
    page = Paginator(selectors.assessment_events(assessment), 25).get_page(request.GET.get("page"))
    return render(request, "assessments/activity.html", {"assessment": assessment, "page": page})


@login_required
def assessment_results(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, _ = get_assessment_for_user(request, pk)
    result = selectors.assessment_result(assessment)
    context = results.results_context(result, timezone.localdate())
    context.update(
        compared=selectors.assessment_comparison(assessment, result),
        assessment=assessment,
        from_snapshot=assessment.status == assessment.Status.APPROVED,
    )
    return render(request, "assessments/results.html", context)


@login_required
def method(request: HttpRequest) -> HttpResponse:
    """The scoring method and every question's weights, generated from the code and the data."""
    questionnaires = QuestionnaireVersion.objects.all()
    wanted = request.GET.get("questionnaire", "")
    # isdigit() alone accepts "²", and int() refuses numbers of thousands of digits.
    is_id = wanted.isascii() and wanted.isdigit() and len(wanted) <= 18
    questionnaire = (
        questionnaires.filter(pk=int(wanted)).first() if is_id else None
    ) or questionnaires.filter(published=True).order_by("-version").first()
    if questionnaire is None:
        raise Http404("No questionnaire is loaded.")
    sections = selectors.questionnaire_sections_with_questions(questionnaire)
    return render(
        request,
        "assessments/method.html",
        {
            "questionnaire": questionnaire,
            "sections": sections,
            "method_blocks": results.method_blocks(),
            "method_version": scoring.METHOD_VERSION,
            "state_law": current_law(),
        },
    )


@login_required
def plan_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Command staff turn the assessment's action list into plan items in one step."""
    assessment, membership = get_assessment_for_user(request, pk)
    require(membership, Action.PLAN)
    result = selectors.assessment_result(assessment)
    planned = plan_selectors.planned_codes(assessment.agency_id, assessment.pk)
    if request.method == "POST":
        chosen = request.POST.getlist("action")
        if not chosen:
            messages.error(request, gettext("Nothing was created: choose at least one action."))
        else:
            outcome = services.plan_from_actions(
                assessment=assessment,
                user=request.user,
                membership=membership,
                codes=chosen,
                ip_address=client_ip(request),
            )
            created = len(outcome.created)
            text = ngettext(
                "%(count)s plan item created.", "%(count)s plan items created.", created
            ) % {"count": created}
            if outcome.already_planned:
                text += " " + gettext("Already in the plan: %(codes)s.") % {
                    "codes": ", ".join(outcome.already_planned)
                }
            messages.success(request, text)
            return redirect("plan")
    rows = [(action, action.code in planned) for action in result.actions]
    return render(
        request,
        "assessments/plan_create.html",
        {
            "assessment": assessment,
            "rows": rows,
            "new_count": sum(1 for _, done in rows if not done),
            "chosen": set(request.POST.getlist("action")) if request.method == "POST" else None,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def assessment_compare(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, _ = get_assessment_for_user(request, pk)
    result = selectors.assessment_result(assessment)
    return render(
        request,
        "assessments/compare.html",
        {
            "assessment": assessment,
            "result": result,
            "compared": selectors.assessment_comparison(assessment, result),
            "from_snapshot": assessment.status == assessment.Status.APPROVED,
        },
    )
