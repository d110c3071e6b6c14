"""The community summary: command staff's page (preview, publish, unpublish) and the public
page and PDF, served at a random address without sign-in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from agencies.access import Action, require
from assessments.models import Assessment
from assessments.views import get_assessment_for_user
from audit.request import client_ip
from reports import pdf as renderer
from reports.context import logo_data_uri
from reports.views import pdf_download

from . import selectors, services
from .content import summary_content
from .forms import PublishForm
from .models import SummaryVersion

LANGUAGE_NAMES = {"en": "English", "es": "Español"}
PDF_NAMES = {"en": "community-summary.pdf", "es": "resumen-comunitario.pdf"}
PAGE_URLS = {"en": "public_summary", "es": "public_summary_es"}
PDF_URLS = {"en": "public_summary_pdf", "es": "public_summary_pdf_es"}


@login_required
def summary_manage(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the summary's state, its versions and a preview in both languages; POST with
    action=preview: the preview with the statements typed; action=publish: a new version."""
    assessment, membership = get_assessment_for_user(request, pk)
    require(membership, Action.PUBLISH)
    state = selectors.summary_state(assessment)
    approved = assessment.status == Assessment.Status.APPROVED
    live = state.live
    if request.method == "POST" and approved:
        form = PublishForm(request.POST)
        if form.is_valid() and request.POST.get("action") == "publish":
            try:
                services.summary_publish(
                    assessment=assessment,
                    user=request.user,
                    membership=membership,
                    ip_address=client_ip(request),
                    **form.cleaned_data,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, gettext("Published: the public address shows this version.")
                )
                return redirect("community_summary", pk=assessment.pk)
    else:
        latest = state.versions[0] if state.versions else None
        form = PublishForm(
            initial={
                "statement_en": latest.statement_en if latest else "",
                "statement_es": latest.statement_es if latest else "",
            }
        )
    previews = []
    if approved:
        content = summary_content(assessment)
        statements = _form_statements(form)
        for language in ("en", "es"):
            with translation.override(language):
                previews.append(
                    {
                        "language": language,
                        "name": LANGUAGE_NAMES[language],
                        "html": render_to_string(
                            "community/_summary.html",
                            _summary_context(content[language], language, *statements, top=3),
                        ),
                    }
                )
    public_urls = {}
    if state.summary is not None:
        public_urls = {
            language: request.build_absolute_uri(reverse(name, args=[state.summary.slug]))
            for language, name in PAGE_URLS.items()
        }
    return render(
        request,
        "community/manage.html",
        {
            "assessment": assessment,
            "approved": approved,
            "form": form,
            "state": state,
            "live": live,
            "previews": previews,
            "public_urls": public_urls,
        },
    )


def _form_statements(form: PublishForm) -> tuple[str, str]:
    data = form.cleaned_data if form.is_bound and form.is_valid() else form.initial
    return (data.get("statement_en") or "").strip(), (data.get("statement_es") or "").strip()


@login_required
@require_POST
def summary_unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, membership = get_assessment_for_user(request, pk)
    require(membership, Action.PUBLISH)
    try:
        services.summary_unpublish(
            assessment=assessment,
            user=request.user,
            membership=membership,
            ip_address=client_ip(request),
        )
    except services.SummaryError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, gettext("Unpublished: the public address now answers “not found”.")
        )
    return redirect("community_summary", pk=assessment.pk)


def _summary_context(
    content: dict, language: str, statement_en: str, statement_es: str, *, top: int = 1
) -> dict:
    """What `_summary.html` needs. The Spanish page shows the English statement, marked as
    English, when no Spanish one was given."""
    statement, statement_language = statement_en, "en"
    if language == "es" and statement_es:
        statement, statement_language = statement_es, "es"
    return {
        "c": content,
        "language": language,
        "statement": statement,
        "statement_language": statement_language,
        "h1": top,
        "h2": top + 1,
        "h3": top + 2,
    }


def _live_or_404(slug: str) -> SummaryVersion:
    version = selectors.live_version(slug)
    if version is None:
        raise Http404("No such summary.")
    return version


def _public_response(response: HttpResponse, language: str) -> HttpResponse:
    # Not kept by browsers or proxies: an unpublished summary must disappear at once.
    response["Cache-Control"] = "no-store"
    response["Content-Language"] = language
    return response


@require_GET
def public_summary(request: HttpRequest, slug: str, language: str) -> HttpResponse:
    """The public page: no sign-in, no session, no staff header. Rendered without the request,
    so no context processor reads the session and no cookie is set."""
    version = _live_or_404(slug)
    agency = version.summary.assessment.agency
    with translation.override(language):
        context = _summary_context(
            version.content[language], language, version.statement_en, version.statement_es
        )
        context |= {
            "version": version,
            "logo": logo_data_uri(agency),
            "languages": [
                {
                    "code": code,
                    "name": name,
                    "url": reverse(PAGE_URLS[code], args=[slug]),
                    "current": code == language,
                }
                for code, name in LANGUAGE_NAMES.items()
            ],
            "pdf_url": reverse(PDF_URLS[language], args=[slug]),
        }
        html = render_to_string("community/public.html", context)
    return _public_response(HttpResponse(html), language)


@require_GET
def public_summary_pdf(request: HttpRequest, slug: str, language: str) -> HttpResponse:
    """The summary as a PDF, rendered once per version, language and letterhead, then kept."""
    version = _live_or_404(slug)
    agency = version.summary.assessment.agency
    letterhead = agency.logo_updated_at.isoformat() if agency.logo_updated_at else ""
    pdf = selectors.kept_pdf(version, language, letterhead)
    if pdf is None:
        with translation.override(language):
            context = _summary_context(
                version.content[language], language, version.statement_en, version.statement_es
            )
            context |= {"version": version, "logo": logo_data_uri(agency)}
            html = render_to_string("community/summary_pdf.html", context)
        try:
            pdf = renderer.render_pdf(html)
        except renderer.RenderError:
            response = HttpResponse(
                "The PDF could not be made just now. Try again in a minute.",
                status=503,
                content_type="text/plain; charset=utf-8",
            )
            response["Retry-After"] = "60"
            return _public_response(response, language)
        services.summary_pdf_keep(
            version=version, language=language, letterhead=letterhead, pdf=pdf
        )
    return _public_response(pdf_download(pdf, PDF_NAMES[language]), language)
