"""Staff UI of a study tour the center hosts: agenda, bundle (with what the hub receives of each
case), tour-only consents, invitation links, readership, reports, lessons and the 発表会."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from common.forms import add_service_errors
from permissions.audit import audit_record
from permissions.scoping import holds

from . import models as m, tour_sharing, tours
from .forms import (
    ReportSessionForm,
    TourCaseForm,
    TourConsentForm,
    TourInvitationForm,
    TourLessonForm,
    TourLibraryCaseForm,
    TourOrganizationForm,
    TourStopForm,
)
from .tour_sharing import tour_share


def _tour(user, uuid, perm="view") -> m.StudyTour:
    try:
        return tours.tour_for(user, uuid, perm)
    except ObjectDoesNotExist as error:
        raise Http404 from error


@login_required
def tour_detail(request, uuid, forms_in_error: dict | None = None, links=None, status=200):
    tour = _tour(request.user, uuid)
    bundle = tour_sharing.tour_bundle(tour)
    can_edit = holds(request.user, m.CENTER_CHANGE, tour.center_id)
    can_change = can_edit and tour.closed_at is None
    forms = {
        "organization": TourOrganizationForm(), "stop": TourStopForm(),
        "case": TourCaseForm(tour=tour, user=request.user),
        "consent": TourConsentForm(organizations=tour_sharing.tour_consent_candidates(bundle)),
        "invitation": TourInvitationForm(tour=tour), "lesson": TourLessonForm(tour=tour),
        "session": ReportSessionForm(),
    }
    forms.update(forms_in_error or {})
    q = request.GET.get("library", "").strip()
    context = {
        "tour": tour, "record": tour, "can_change": can_change, "can_edit": can_edit, "forms": forms, "links": links,
        "share": tour_share(tour), "bundle": bundle,
        "consents": tour.named_consents.select_related("organization"),
        "reports": tour.reports.all(), "lessons": tour.lessons.all(),
        "library": tours.library_search(q=q) if q else None, "library_q": q,
        "library_form": TourLibraryCaseForm(tour=tour),
        "readership": tours.tour_readership(acting_user=request.user, tour=tour) if request.GET.get("readership") else None,
    }
    if context["reports"]:
        # Reports carry their authors' names: the read is audited (counts only).
        audit_record(actor=request.user, action="tourreport.read", target=tour, organization=tour.center,
                     detail={"count": len(context["reports"])})
    return render(request, "nodes/tour_detail.html", context, status=status)


def _act(request, tour, name: str, form, call, message: str = ""):
    """Validate `form`, run the service, and come back to the tour page (with the errors: 400)."""
    if form.is_valid():
        try:
            result = call(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not message:
                return result
            messages.success(request, message)
            return redirect("tour-detail", uuid=tour.uuid)
    return tour_detail(request, tour.uuid, forms_in_error={name: form}, status=400)


def _add_organization(user, tour, data):
    rows = [{"name": o.name, "kind": o.kind, "seats": o.seats} for o in tour.organizations.all()] + [data]
    return tours.tour_update(acting_user=user, tour=tour, organizations=rows)


@login_required
@require_POST
def tour_action(request, uuid, action):
    tour = _tour(request.user, uuid, "change")
    user, post = request.user, request.POST
    if action == "invitation":
        return _act(request, tour, "invitation", TourInvitationForm(post, tour=tour), lambda data: tour_detail(
            request, tour.uuid, links=tours.invitations_issue(acting_user=user, tour=tour, **data)))
    actions = {
        "organization": ("organization", TourOrganizationForm(post), lambda data: _add_organization(user, tour, data),
                         gettext("参加団体を追加しました。")),
        "stop": ("stop", TourStopForm(post), lambda data: tours.tour_stop_add(acting_user=user, tour=tour, **data),
                 gettext("訪問先を追加しました。")),
        "case": ("case", TourCaseForm(post, tour=tour, user=user),
                 lambda data: tours.tour_case_add(acting_user=user, tour=tour, **data), gettext("事例を追加しました。")),
        "library-case": ("library_form", TourLibraryCaseForm(post, tour=tour),
                         lambda data: tours.tour_case_add(acting_user=user, tour=tour, **data),
                         gettext("ライブラリの事例を追加しました。")),
        "consent": ("consent", TourConsentForm(post, organizations=tour_sharing.tour_consent_candidates(tour_sharing.tour_bundle(tour))),
                    lambda data: tours.tour_consent_record(acting_user=user, tour=tour, **data), gettext("同意を記録しました。")),
        "session": ("session", ReportSessionForm(post),
                    lambda data: tours.report_session_create(acting_user=user, tour=tour, **data),
                    gettext("発表会をイベントに登録しました。")),
    }
    if action not in actions:
        raise Http404
    name, form, call, message = actions[action]
    return _act(request, tour, name, form, call, message)


@login_required
@require_POST
def tour_remove(request, uuid, kind, pk):
    tour = _tour(request.user, uuid, "change")
    try:
        if kind == "stop":
            tours.tour_stop_remove(acting_user=request.user, stop=get_object_or_404(m.TourStop, pk=pk, tour=tour))
        elif kind == "case":
            tours.tour_case_remove(acting_user=request.user, tour_case=get_object_or_404(m.TourCase, pk=pk, tour=tour))
        elif kind == "consent":
            tours.tour_consent_withdraw(acting_user=request.user,
                                        consent=get_object_or_404(m.TourNamedConsent, pk=pk, tour=tour))
        else:
            raise Http404
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, gettext("削除しました。"))
    return redirect("tour-detail", uuid=tour.uuid)


@login_required
@require_POST
def lesson_create(request, uuid, report_uuid):
    tour = _tour(request.user, uuid, "change")
    report = get_object_or_404(m.TourReport, uuid=report_uuid, tour=tour)
    return _act(request, tour, "lesson", TourLessonForm(request.POST, tour=tour),
                lambda data: tours.lesson_create(acting_user=request.user, tour=tour, report=report, **data),
                gettext("教訓をハブのライブラリに送りました。"))
