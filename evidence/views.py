"""Evidence pages: the list and upload form of one answer, downloads and removal. Every object
is reached through the member's own agency (another agency's is a 404)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from agencies.access import Action, get_membership, may, require
from audit.models import Event
from audit.request import client_ip
from audit.services import event_record

from . import selectors, services
from .forms import EvidenceForm


def _assessment_and_question(membership, pk: int, question_id: int):
    assessment = get_object_or_404(
        membership.agency.assessments.select_related("questionnaire"), pk=pk
    )
    question = get_object_or_404(
        assessment.questionnaire.questions.select_related("section"), pk=question_id
    )
    return assessment, question


@login_required
def answer_evidence(request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
    membership = get_membership(request)
    assessment, question = _assessment_and_question(membership, pk, question_id)
    editable = assessment.status == "draft" and may(membership, Action.EVIDENCE)
    if request.method == "POST":
        form = EvidenceForm(request.POST, request.FILES)
    else:
        initial = {}
        replaces = request.GET.get("replaces", "")
        if replaces.isascii() and replaces.isdigit() and len(replaces) < 18:
            old = selectors.evidence_for_member(membership=membership, pk=int(replaces))
            initial = {
                "replaces": old.pk,
                "title": old.title,
                "document_number": old.document_number,
            }
        form = EvidenceForm(initial=initial)
    status = 200
    if request.method == "POST":
        if not editable:
            raise Http404("Evidence can be attached to a draft only.")
        if form.is_valid():
            data = form.cleaned_data
            replaces = None
            if data.get("replaces"):
                replaces = selectors.evidence_for_member(membership=membership, pk=data["replaces"])
            try:
                services.evidence_attach(
                    assessment=assessment,
                    question=question,
                    user=request.user,
                    membership=membership,
                    replaces=replaces,
                    ip_address=client_ip(request),
                    **form.details(),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, gettext("Evidence attached to %(code)s.") % {"code": question.code}
                )
                return redirect("answer_evidence", pk=assessment.pk, question_id=question.pk)
        status = 400
    return render(
        request,
        "evidence/answer_evidence.html",
        {
            "assessment": assessment,
            "question": question,
            "prompt": question.prompt_for(assessment.phase),
            "history": selectors.evidence_history(assessment.pk, question.pk),
            "form": form if editable else None,
            "membership": membership,
        },
        status=status,
    )


@login_required
def plan_item_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """Evidence behind a plan item: its owner and command staff attach; every member reads."""
    membership = get_membership(request)
    item = get_object_or_404(membership.agency.plan_items.select_related("owner"), pk=pk)
    editable = item.owner_id == request.user.pk or may(membership, Action.PLAN)
    form = EvidenceForm(request.POST, request.FILES) if request.method == "POST" else EvidenceForm()
    status = 200
    if request.method == "POST":
        if not editable:
            require(membership, Action.PLAN)  # refused, naming who may
        if form.is_valid():
            try:
                services.evidence_attach_to_plan_item(
                    plan_item=item,
                    user=request.user,
                    membership=membership,
                    ip_address=client_ip(request),
                    **form.details(),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, gettext("Evidence attached to the plan item."))
                return redirect("plan_item_evidence", pk=item.pk)
        status = 400
    history = item.evidence.select_related("uploaded_by", "removed_by").order_by(
        "uploaded_at", "pk"
    )
    return render(
        request,
        "evidence/plan_item_evidence.html",
        {"item": item, "history": list(history), "form": form if editable else None},
        status=status,
    )


@login_required
@require_GET
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_membership(request)
    item = selectors.evidence_for_member(membership=membership, pk=pk)
    if item.kind != item.Kind.FILE:
        raise Http404("This evidence is a reference, not a file.")
    event_record(
        kind=Event.Kind.EVIDENCE_DOWNLOADED,
        actor=request.user,
        agency_id=item.agency_id,
        assessment_id=item.assessment_id,
        question_id=item.question_id,
        new={"evidence": item.pk, "sha256": item.sha256},
        ip_address=client_ip(request),
    )
    response = FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=item.original_name,
        content_type=item.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def evidence_remove(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_membership(request)
    item = selectors.evidence_for_member(membership=membership, pk=pk)
    try:
        services.evidence_remove(
            item=item, user=request.user, membership=membership, ip_address=client_ip(request)
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            gettext("“%(title)s” removed; the audit log keeps its record.") % {"title": item.title},
        )
    if item.plan_item_id:
        return redirect("plan_item_evidence", pk=item.plan_item_id)
    return redirect("answer_evidence", pk=item.assessment_id, question_id=item.question_id)
