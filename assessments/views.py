"""Views translate HTTP: fetch through `access`, validate with a form, call a service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import results, scoring, selectors, services
from .access import get_assessment_for_user, get_membership, membership_or_none, require_command
from .checklist import build_rows, parse_section_post, section_template_context
from .forms import AssessmentStartForm, ReturnForm, body_problem, bound_form
from .models import QuestionnaireVersion

FILTERS = {
    "unanswered": "Unanswered questions",
    "flagged": "Questions marked for review",
    "notes": "Questions with notes",
}


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    membership = membership_or_none(request.user)
    if membership is None:
        return render(request, "assessments/no_agency.html")
    assessments = list(selectors.agency_assessments(membership.agency))
    progress = selectors.assessments_progress(assessments)
    rows = [(assessment, progress[assessment.pk]) for assessment in assessments]
    return render(
        request,
        "assessments/dashboard.html",
        {"agency": membership.agency, "rows": rows},
    )


@login_required
def assessment_start(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    require_command(membership)
    form = bound_form(AssessmentStartForm, request)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_start(
                agency=membership.agency,
                user=request.user,
                membership=membership,
                title=form.cleaned_data["title"],
                models=form.cleaned_data["models"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        except services.WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Assessment “{assessment.title}” started.")
            return redirect("assessment", pk=assessment.pk)
    return render(request, "assessments/start.html", {"form": form})


@login_required
def assessment_overview(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, membership = get_assessment_for_user(request, pk)
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
            "returned": selectors.latest_return_comment(assessment),
            "return_comment": request.session.pop(f"return-comment-{assessment.pk}", ""),
            "return_comment_max": ReturnForm.base_fields["comment"].max_length,
            "return_comment_error": request.session.pop(
                f"return-comment-error-{assessment.pk}", ""
            ),
            "missing": request.session.pop(f"missing-{assessment.pk}", None),
        },
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
            result = services.answers_save(assessment=assessment, user=request.user, data=posted)
        except services.AnswersInvalid as error:
            rows = build_rows(
                questions,
                selectors.answers_by_question(assessment, questions),
                posted=posted,
                errors=error.by_question,
            )
            messages.error(request, "Nothing was saved: correct the answers marked below.")
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
                f"Nothing was saved. {error} Your answers are shown below as you sent them so "
                "that you can copy them; to change the assessment, ask command staff to return "
                "it to draft.",
            )
            return _render_section(
                request, assessment, sections, section, rows, 409, refused_input=True
            )
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
                f"{saved} answer(s) saved. {len(result.conflicts)} answer(s) were changed by "
                "someone else while you were editing: compare below and choose which to keep.",
            )
            return _render_section(request, assessment, sections, section, rows, 409)
        messages.success(
            request,
            f"Saved: {len(result.saved)} answer(s) changed in “{section.title}”."
            if result.saved
            else f"No changes to save in “{section.title}”.",
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
    )
    return render(request, "assessments/section.html", context, status=status)


def _workflow(request: HttpRequest, action, success: str, **kwargs) -> None:
    """Run a status change and tell the user how it went; the caller redirects either way."""
    try:
        action(**kwargs)
    except services.WorkflowError as error:
        messages.error(request, str(error))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)


@login_required
@require_POST
def assessment_submit(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, _ = get_assessment_for_user(request, pk)
    missing = selectors.unanswered_questions(assessment)
    if missing and assessment.is_editable:
        request.session[f"missing-{assessment.pk}"] = [
            {"code": q.code, "prompt": q.prompt, "section": q.section.code} for q in missing
        ]
        messages.error(
            request,
            f"Not submitted: {len(missing)} question(s) need an answer; see the list below.",
        )
        return redirect("assessment", pk=assessment.pk)
    _workflow(
        request,
        services.assessment_submit,
        "Submitted for review. Command staff can now approve it or return it.",
        assessment=assessment,
        user=request.user,
    )
    return redirect("assessment", pk=assessment.pk)


@login_required
@require_POST
def assessment_approve(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, membership = get_assessment_for_user(request, pk)
    require_command(membership)
    _workflow(
        request,
        services.assessment_approve,
        "Approved. The assessment is locked and its scores are frozen.",
        assessment=assessment,
        user=request.user,
        membership=membership,
    )
    return redirect("assessment", pk=assessment.pk)


@login_required
@require_POST
def assessment_return(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, membership = get_assessment_for_user(request, pk)
    require_command(membership)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        problem = " ".join(form.errors["comment"])
        messages.error(request, f"Not returned: {problem}")
        # Shown again by the overview: what was typed, and the problem under the field.
        request.session[f"return-comment-{assessment.pk}"] = request.POST.get("comment", "")
        request.session[f"return-comment-error-{assessment.pk}"] = problem[:1].upper() + problem[1:]
        return redirect("assessment", pk=assessment.pk)
    _workflow(
        request,
        services.assessment_return,
        "Returned to draft with your comment.",
        assessment=assessment,
        user=request.user,
        membership=membership,
        comment=form.cleaned_data["comment"],
    )
    return redirect("assessment", pk=assessment.pk)


@login_required
@require_POST
def assessment_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, membership = get_assessment_for_user(request, pk)
    require_command(membership)
    try:
        revision = services.assessment_reopen(
            assessment=assessment, user=request.user, membership=membership
        )
    except services.WorkflowError as error:
        messages.error(request, str(error))
        return redirect("assessment", pk=assessment.pk)
    messages.success(request, f"Revision {revision.revision} started from the approved answers.")
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
    context = results.results_context(result)
    context.update(
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
        },
    )
