"""Review: the submit and approve screens and the comments on a question."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from agencies.access import Action, may, require
from audit.request import client_ip

from . import selectors, services
from .forms import ApproveForm, CommentForm
from .models import Assessment, Comment
from .views import get_assessment_for_user


def _summary_context(assessment: Assessment) -> dict:
    return {"assessment": assessment, "summary": selectors.review_summary(assessment)}


@login_required
def assessment_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what will be submitted and what still needs attention; POST: submit."""
    assessment, membership = get_assessment_for_user(request, pk)
    if request.method == "POST":
        try:
            services.assessment_submit(
                assessment=assessment, user=request.user, ip_address=client_ip(request)
            )
        except services.AssessmentIncomplete as error:
            messages.error(
                request,
                gettext("Not submitted: %(count)s question(s) need an answer; see the list below.")
                % {"count": len(error.missing)},
            )
            return render(
                request, "assessments/submit.html", _summary_context(assessment), status=400
            )
        except services.WorkflowError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                gettext(
                    "Submitted for review. Command staff are told and can now approve it or "
                    "return it."
                ),
            )
        return redirect("assessment", pk=assessment.pk)
    if assessment.status != Assessment.Status.DRAFT:
        messages.info(
            request,
            gettext("This assessment is %(status)s.")
            % {"status": assessment.get_status_display().lower()},
        )
        return redirect("assessment", pk=assessment.pk)
    return render(request, "assessments/submit.html", _summary_context(assessment))


@login_required
def assessment_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the summary, the scores that will be frozen and the attestation; POST: approve."""
    assessment, membership = get_assessment_for_user(request, pk)
    require(membership, Action.APPROVE)
    form = ApproveForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_approve(
                assessment=assessment,
                user=request.user,
                membership=membership,
                attested=form.cleaned_data["attest"],
                flags_confirmed=form.cleaned_data["confirm_flags"],
                ip_address=client_ip(request),
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field, problems)
            messages.error(request, gettext("Not approved: see what is missing below."))
            status = 400
        except services.WorkflowError as error:
            messages.error(request, str(error))
            return redirect("assessment", pk=assessment.pk)
        else:
            messages.success(
                request, gettext("Approved. The assessment is locked and its scores are frozen.")
            )
            return redirect("assessment", pk=assessment.pk)
    if assessment.status != Assessment.Status.SUBMITTED:
        messages.info(
            request,
            gettext("This assessment is %(status)s.")
            % {"status": assessment.get_status_display().lower()},
        )
        return redirect("assessment", pk=assessment.pk)
    context = _summary_context(assessment)
    context.update(form=form, statement=settings.READINESS_APPROVAL_STATEMENT)
    return render(request, "assessments/approve.html", context, status=status)


def _question_of(assessment: Assessment, question_id: int):
    question = next((q for q in selectors.asked_questions(assessment) if q.pk == question_id), None)
    if question is None:
        raise Http404("This question is not asked in this assessment.")
    return question


def _render_comments(request, assessment, membership, question, form=None, status=200):
    threads = selectors.assessment_comments(assessment, {question.pk}).get(question.pk, [])
    answer = selectors.assessment_answers(assessment).get(question.pk)
    open_for_comments = assessment.status != Assessment.Status.APPROVED
    return render(
        request,
        "assessments/question_comments.html",
        {
            "assessment": assessment,
            "question": question,
            "answer": answer,
            "threads": threads,
            "form": form or CommentForm(),
            "open_for_comments": open_for_comments,
            "may_start": open_for_comments and may(membership, Action.COMMENT),
            "may_reply": open_for_comments and may(membership, Action.REPLY),
        },
        status=status,
    )


@login_required
def question_comments(request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
    """A question's answer and comment threads; POST adds a comment or a reply. A refused
    comment is shown again with what was typed."""
    assessment, membership = get_assessment_for_user(request, pk)
    question = _question_of(assessment, question_id)
    if request.method != "POST":
        return _render_comments(request, assessment, membership, question)
    form = CommentForm(request.POST)
    if form.is_valid():
        reply_to = None
        if form.cleaned_data["reply_to"]:
            reply_to = Comment.objects.filter(
                pk=form.cleaned_data["reply_to"], assessment_id=assessment.pk
            ).first()
            if reply_to is None:
                raise Http404("No such comment.")
        try:
            services.comment_add(
                assessment=assessment,
                question=question,
                user=request.user,
                membership=membership,
                body=form.cleaned_data["body"],
                reply_to=reply_to,
                ip_address=client_ip(request),
            )
        except ValidationError as error:
            form.add_error("body", error.message_dict.get("body", error.messages))
        except services.WorkflowError as error:
            form.add_error("body", str(error))
        else:
            messages.success(request, gettext("Comment posted."))
            url = reverse("question_comments", args=[assessment.pk, question.pk])
            return redirect(f"{url}#comments")
    messages.error(request, gettext("Not posted: see the comment below."))
    return _render_comments(request, assessment, membership, question, form, status=400)


@login_required
@require_POST
def comment_resolve(request: HttpRequest, pk: int, comment_id: int) -> HttpResponse:
    assessment, membership = get_assessment_for_user(request, pk)
    comment = Comment.objects.filter(pk=comment_id, assessment_id=assessment.pk).first()
    if comment is None:
        raise Http404("No such comment.")
    comment.assessment = assessment
    try:
        services.comment_resolve(
            comment=comment, user=request.user, membership=membership, ip_address=client_ip(request)
        )
    except services.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, gettext("Marked resolved."))
    return redirect(reverse("question_comments", args=[assessment.pk, comment.question_id]))
