"""Agency administrators manage their agency's members and its report letterhead; command
staff and agency administrators read their agency's audit log.

A membership of another agency answers 404 before any role check, so nothing about another
agency's members can be learnt from the answer.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit import selectors as audit_selectors
from audit.request import client_ip

from . import services as member_services
from .access import Action, get_membership, require
from .forms import AuditFilterForm, LogoForm, MemberAddForm, MemberRoleForm, bound_form
from .logo import MAX_UPLOAD_BYTES
from .models import Agency, Membership, person_name

AUDIT_PAGE_SIZE = 50


def _require_agency_admin(request: HttpRequest) -> Membership:
    """The signed-in user's membership if they are an agency administrator, else 403."""
    membership = get_membership(request)
    require(membership, Action.MANAGE_MEMBERS)
    return membership


def _get_member_for_admin(request: HttpRequest, pk: int) -> tuple[Membership, Membership]:
    """(the member, the acting administrator): 404 for another agency's membership, then 403
    unless the user is an agency administrator."""
    own = get_membership(request)
    member = get_object_or_404(
        Membership.objects.select_related("user", "agency"), pk=pk, agency_id=own.agency_id
    )
    return member, _require_agency_admin(request)


def _refusal(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or gettext("You are not allowed to do this.")


def _render_invite(request, member: Membership, url: str, *, added: bool) -> HttpResponse:
    return render(
        request,
        "agencies/member_invite.html",
        {
            "member": member,
            "invite_url": url,
            "expires_at": member_services.invite_expires_at(),
            "added": added,
        },
    )


@login_required
def members(request: HttpRequest) -> HttpResponse:
    """Four queries, whatever the number of members: the members, their two-step devices, and
    how often state reviewers viewed the agency."""
    admin = _require_agency_admin(request)
    memberships = (
        Membership.objects.filter(agency_id=admin.agency_id)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )
    with_two_step = set(
        TOTPDevice.objects.filter(
            user__membership__agency_id=admin.agency_id, confirmed=True
        ).values_list("user_id", flat=True)
    )
    rows = [(m, m.user_id in with_two_step) for m in memberships]
    return render(
        request,
        "agencies/members.html",
        {
            "agency": admin.agency,
            "rows": rows,
            "own": admin,
            "state_views": audit_selectors.state_review_summary(agency_id=admin.agency_id),
        },
    )


@login_required
@require_POST
def agency_sharing(request: HttpRequest) -> HttpResponse:
    """Share the agency's approved results with its state's reviewers, or stop."""
    admin = _require_agency_manager(request)
    shares = request.POST.get("shares") == "on"
    changed = member_services.agency_sharing_set(
        agency=admin.agency, actor_membership=admin, shares=shares, ip_address=client_ip(request)
    )
    state = admin.agency.state
    if not changed:
        messages.info(request, "Nothing changed.")
    elif shares:
        messages.success(
            request,
            f"State reviewers for {state} now see this agency's approved results. Each of their "
            "views is listed in the audit log.",
        )
    else:
        messages.success(request, f"State reviewers for {state} no longer see this agency.")
    return redirect("members")


@login_required
def member_add(request: HttpRequest) -> HttpResponse:
    admin = _require_agency_admin(request)
    form = bound_form(MemberAddForm, request)
    if request.method == "POST" and form.is_valid():
        try:
            user, url = member_services.member_add(
                agency=admin.agency,
                actor_membership=admin,
                request=request,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # Shown on this response only: the link is not stored anywhere.
            return _render_invite(request, user.membership, url, added=True)
    return render(
        request,
        "agencies/member_form.html",
        {"form": form, "heading": "Add a member", "agency": admin.agency},
    )


@login_required
def member_role(request: HttpRequest, pk: int) -> HttpResponse:
    member, admin = _get_member_for_admin(request, pk)
    form = bound_form(MemberRoleForm, request, initial={"role": member.role})
    if request.method == "POST" and form.is_valid():
        old = member.get_role_display()
        try:
            changed = member_services.member_role_change(
                membership=member,
                actor_membership=admin,
                role=form.cleaned_data["role"],
                request=request,
            )
        except (ValidationError, PermissionDenied) as error:
            # The form's one field: the refusal is read out with it, not only above the form.
            form.add_error("role", _refusal(error))
        else:
            if changed.get_role_display() == old:
                messages.info(
                    request,
                    gettext("%(person)s is already %(role)s; nothing changed.")
                    % {"person": person_name(member.user), "role": old},
                )
            else:
                messages.success(
                    request,
                    gettext("%(person)s: role changed from %(old)s to %(new)s.")
                    % {
                        "person": person_name(member.user),
                        "old": old,
                        "new": changed.get_role_display(),
                    },
                )
            return redirect("members")
    return render(
        request,
        "agencies/member_form.html",
        {
            "form": form,
            "heading": f"Change the role of {person_name(member.user)}",
            "member": member,
            "agency": admin.agency,
        },
    )


@login_required
@require_POST
def member_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    member, admin = _get_member_for_admin(request, pk)
    try:
        member_services.member_deactivate(
            membership=member, actor_membership=admin, request=request
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(
            request, gettext("Not deactivated: %(reason)s") % {"reason": _refusal(error)}
        )
    else:
        messages.success(
            request,
            gettext(
                "%(person)s is deactivated and signed out everywhere; they can no longer sign in."
            )
            % {"person": person_name(member.user)},
        )
    return redirect("members")


@login_required
@require_POST
def member_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    member, admin = _get_member_for_admin(request, pk)
    try:
        member_services.member_reactivate(
            membership=member, actor_membership=admin, request=request
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(
            request, gettext("Not reactivated: %(reason)s") % {"reason": _refusal(error)}
        )
    else:
        messages.success(
            request, gettext("%(person)s can sign in again.") % {"person": person_name(member.user)}
        )
    return redirect("members")


@login_required
@require_POST
def member_invite(request: HttpRequest, pk: int) -> HttpResponse:
    member, admin = _get_member_for_admin(request, pk)
    try:
        url = member_services.invite_link_create(
            membership=member, actor_membership=admin, request=request
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, gettext("No new link: %(reason)s") % {"reason": _refusal(error)})
        return redirect("members")
    return _render_invite(request, member, url, added=False)


@login_required
@require_GET
def agency_audit(request: HttpRequest) -> HttpResponse:
    """The agency's audit trail, newest first; three queries a page."""
    membership = get_membership(request)
    require(membership, Action.READ_AUDIT)
    people = list(
        Membership.objects.filter(agency_id=membership.agency_id)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )
    form = AuditFilterForm(request.GET or None, members=people)
    filters = form.cleaned_data if form.is_valid() else {}
    events = audit_selectors.agency_events(
        agency_id=membership.agency_id,
        user_id=filters.get("user"),
        kind=filters.get("kind", ""),
    )
    if form.is_bound and not filters:
        events = events.none()  # a filter that is not one of the choices shows nothing
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "agencies/audit_log.html",
        {"agency": membership.agency, "form": form, "page": page},
    )


def _require_agency_manager(request: HttpRequest) -> Membership:
    """The signed-in user's membership if they may change the agency's letterhead, else 403."""
    membership = get_membership(request)
    require(membership, Action.MANAGE_AGENCY)
    return membership


@login_required
def agency_logo(request: HttpRequest) -> HttpResponse:
    """The letterhead printed on the cover of the agency's reports: upload or replace it."""
    admin = _require_agency_manager(request)
    agency = Agency.objects.only("pk", "name", "logo_updated_at").get(pk=admin.agency_id)
    if request.method == "POST":
        form = LogoForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["logo"]
            try:
                logo = member_services.agency_logo_set(
                    agency=agency,
                    actor_membership=admin,
                    # Read at most one byte past the limit: the service refuses it then.
                    data=upload.read(MAX_UPLOAD_BYTES + 1),
                    name=upload.name or "",
                    content_type=upload.content_type or "",
                    ip_address=client_ip(request),
                )
            except (ValidationError, PermissionDenied) as error:
                form.add_error("logo", _refusal(error))
            else:
                messages.success(
                    request,
                    gettext(
                        "The letterhead is set (%(width)s × %(height)s pixels). It is on the "
                        "cover of every report made from now on."
                    )
                    % {"width": logo.width, "height": logo.height},
                )
                return redirect("agency_logo")
    else:
        form = LogoForm()
    return render(request, "agencies/logo.html", {"agency": agency, "form": form})


@login_required
@require_POST
def agency_logo_remove(request: HttpRequest) -> HttpResponse:
    admin = _require_agency_manager(request)
    removed = member_services.agency_logo_remove(
        agency=admin.agency, actor_membership=admin, ip_address=client_ip(request)
    )
    if removed:
        messages.success(request, gettext("The letterhead is removed; new reports have none."))
    else:
        messages.info(request, gettext("There was no letterhead to remove."))
    return redirect("agency_logo")


@login_required
@require_GET
def agency_logo_image(request: HttpRequest) -> HttpResponse:
    """The stored PNG, for the letterhead page's preview. Only the agency's own."""
    admin = _require_agency_manager(request)
    png = Agency.objects.filter(pk=admin.agency_id).values_list("logo_png", flat=True).first()
    if not png:
        raise Http404("This agency has no letterhead.")
    response = HttpResponse(bytes(png), content_type="image/png")
    response["Cache-Control"] = "private, no-cache"
    return response
