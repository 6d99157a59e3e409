"""The talent bank (地域の名人・達人): the public search and request form, the guidebook PDF, and the
staff's inbox of requests. Public views read `talent_bank` (consented talents, scrubbed texts only)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from common.forms import add_service_errors
from permissions.models import Organization
from permissions.scoping import get_scoped_or_deny, holds

from . import inboxes, models as m, selectors, services, talent_bank
from .forms import TalentRequestAnswerForm, TalentRequestForm
from .views import record_consent


def _center_or_404(center_uuid):
    try:
        return Organization.objects.get(uuid=center_uuid, kind="center")
    except (ObjectDoesNotExist, ValidationError) as error:
        raise Http404 from error


def _field_code(value: str) -> int | None:
    return int(value) if value.isdigit() and 1 <= int(value) <= 20 else None


def public_talents(request):
    """Search the listed talents by what they can do, area and activity field. No login."""
    centers = list(Organization.objects.filter(kind="center").order_by("name"))
    center_uuid = request.GET.get("center", "")
    center = next((c for c in centers if str(c.uuid) == center_uuid), None)
    q, area = request.GET.get("q", "").strip()[:100], request.GET.get("area", "").strip()[:100]
    field_code = _field_code(request.GET.get("field", ""))
    talents = talent_bank.search_public(center=center, q=q, area=area, field_code=field_code)
    return render(request, "nodes/public_talents.html", {
        "talents": talents, "q": q, "area": area, "field": field_code, "center": center, "centers": centers,
        "fields": m.ActivityField.objects.all(), "searched": bool(q or area or field_code),
    })


def public_talent(request, uuid):
    """A talent's public card and the request form; the request goes to the center, not to the talent."""
    found = talent_bank.public_detail(uuid)
    if found is None:
        raise Http404
    talent, card = found
    form = TalentRequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.talent_request_submit(talent=talent, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect("public-talent-sent", uuid=uuid)
        status = 400
    return render(request, "nodes/public_talent.html", {"card": card, "center": talent.center, "form": form},
                  status=status)


def public_talent_sent(request, uuid):
    found = talent_bank.public_detail(uuid)
    if found is None:
        raise Http404
    talent, card = found
    return render(request, "nodes/public_talent_sent.html", {"card": card, "center": talent.center})


def _pdf(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def public_guidebook(request, center_uuid):
    """The printable guidebook anyone may download: talents who consented to the guidebook."""
    center = _center_or_404(center_uuid)
    response = _pdf(talent_bank.guidebook_pdf(center=center), "talent-guidebook.pdf")
    response["Cache-Control"] = "public, max-age=300"
    return response


@login_required
def talent_guidebook(request):
    """The staff's copy of the guidebook for one of their centers (`?center=` when they have several)."""
    centers = selectors.user_centers(user=request.user, codename=m.CENTER_VIEW)
    wanted = request.GET.get("center", "")
    try:
        center = centers.get(uuid=wanted) if wanted else centers.order_by("id").first()
    except (ObjectDoesNotExist, ValidationError) as error:
        raise Http404 from error
    if center is None:
        raise PermissionDenied("permission_denied")
    return _pdf(talent_bank.guidebook_pdf(center=center, for_staff=True), "talent-guidebook-staff.pdf")


@login_required
@require_POST
def talent_consent(request, uuid):
    try:
        talent = get_scoped_or_deny(request.user, m.TalentVolunteer, "change", uuid=uuid)
    except (ObjectDoesNotExist, ValidationError) as error:
        raise Http404 from error
    record_consent(request, services.talent_set_consent, talent=talent)
    return redirect("record-detail", slug="talents", uuid=uuid)


@login_required
def talent_request_list(request):
    if not selectors.user_centers(user=request.user, codename=m.CENTER_VIEW).exists():
        raise PermissionDenied("permission_denied")  # the center's work: not for groups or departments
    return render(request, "nodes/talent_requests.html", {"data": inboxes.talent_requests(user=request.user)})


def _request_page(request, uuid, form, status=200):
    try:
        talent_request = inboxes.talent_request_detail(user=request.user, uuid=uuid)
    except (ObjectDoesNotExist, ValidationError) as error:
        raise Http404 from error
    return render(request, "nodes/talent_request.html", {
        "item": talent_request, "form": form,
        "can_change": holds(request.user, m.CENTER_CHANGE, talent_request.center_id),
    }, status=status)


@login_required
def talent_request_detail(request, uuid):
    return _request_page(request, uuid, TalentRequestAnswerForm())


@login_required
@require_POST
def talent_request_answer(request, uuid):
    try:
        talent_request = get_scoped_or_deny(request.user, m.TalentRequest, "change", uuid=uuid)
    except (ObjectDoesNotExist, ValidationError) as error:
        raise Http404 from error
    form = TalentRequestAnswerForm(request.POST)
    if form.is_valid():
        try:
            services.talent_request_answer(acting_user=request.user, request=talent_request,
                                           introduced=form.cleaned_data["decision"] == "introduced",
                                           note=form.cleaned_data["note"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, gettext("対応を記録しました。"))
            return redirect("talent-requests")
    return _request_page(request, uuid, form, status=400)
