"""Hub UI of study tours: participants (phone first: agenda, the stop of the moment, its cases, a
report), invitation links, and the coordinators' view of every tour with its readership."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from common.forms import add_service_errors
from permissions.models import HubScope

from ..forms import HubTourForm, HubTourStopFormSet, InvitationAcceptForm, InvitationIssueForm, TourReportForm
from ..models import StudyTour
from ..selectors import tours as selectors
from ..selectors.access import can
from ..services import tours as services
from .common import hub_permission


def _closed_or_missing(request, pk: int):
    """Outside the reading window a participant is told when it opens or that it ended (403); to
    anyone else the tour does not exist (404)."""
    if not selectors.is_participant(request.user, pk):
        raise Http404
    tour = get_object_or_404(StudyTour, pk=pk)
    return render(request, "hub/tour_closed.html", {"tour": tour, "before": timezone.now() < tour.opens_at},
                  status=403)


@login_required
def tour_list(request):
    now = timezone.now()
    mine = [{"tour": t, "open": t.opens_at <= now < t.reading_ends_at, "before": now < t.opens_at}
            for t in selectors.participant_tours(request.user)]
    staff = can(request.user, HubScope.LIBRARY)
    return render(request, "hub/tour_list.html", {
        "mine": mine, "staff": staff, "all_tours": selectors.coordinator_tours() if staff else None, "now": now})


@login_required
def tour_page(request, pk):
    tour = selectors.readable_tour(request.user, pk)
    if tour is None:
        return _closed_or_missing(request, pk)
    selectors.with_named_texts(tour)
    services.tour_open(user=request.user, tour=tour)
    entries = selectors.bundle(tour)
    return render(request, "hub/tour_page.html", {
        "tour": tour, "agenda": selectors.agenda(tour, entries), "entries": entries,
        "participant": selectors.participation(request.user, tour)})


@login_required
def tour_case(request, pk, ref):
    tour = selectors.readable_tour(request.user, pk)
    if tour is None:
        return _closed_or_missing(request, pk)
    entry = selectors.tour_case(tour, str(ref))
    if entry is None:
        raise Http404
    selectors.with_named_texts(tour)
    services.case_read(user=request.user, tour=tour, entry=entry)
    return render(request, "hub/tour_case.html", {"tour": tour, "entry": entry, "case": entry.case})


@login_required
def report(request, pk):
    tour = selectors.readable_tour(request.user, pk)
    if tour is None:
        return _closed_or_missing(request, pk)
    participant = selectors.participation(request.user, tour)
    existing = participant.reports.first() if participant else None
    initial = {"saw": existing.saw, "transfer": existing.transfer, "questions": existing.questions} if existing else None
    form = TourReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_submit(user=request.user, tour=tour, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, gettext("レポートを提出しました。ホストのセンターに届きます。"))
            return redirect("hub-tour", pk=tour.pk)
    return render(request, "hub/tour_report.html", {"tour": tour, "form": form, "existing": existing},
                  status=400 if request.method == "POST" else 200)


def invitation(request, token):
    """An invitation link: join with the signed-in account or create a visitor account. An expired,
    used or unknown link shows the same page and changes nothing."""
    found = selectors.invitation_valid(token)
    if found is None:
        return render(request, "hub/tour_invitation_invalid.html", status=404)
    form = InvitationAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            participant = services.invitation_accept(token=token, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not request.user.is_authenticated:
                login(request, participant.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, gettext("ツアーに参加しました。"))
            return redirect("hub-tour", pk=participant.tour_id)
    return render(request, "hub/tour_invitation.html", {"invitation": found, "tour": found.tour, "form": form},
                  status=400 if request.method == "POST" else 200)


@hub_permission(HubScope.LIBRARY)
def tour_create(request):
    form = HubTourForm(request.POST or None)
    stops = HubTourStopFormSet(request.POST or None, prefix="stops")
    if request.method == "POST" and form.is_valid() and stops.is_valid():
        rows = [s.cleaned_data for s in stops if s.cleaned_data and s.cleaned_data.get("title")]
        try:
            tour = services.tour_create(acting_user=request.user, stops=rows, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, gettext("ツアーを作成しました。参加者への招待リンクを発行してください。"))
            return redirect("hub-tour-manage", pk=tour.pk)
    return render(request, "hub/tour_form.html", {"form": form, "stops": stops},
                  status=400 if request.method == "POST" else 200)


@hub_permission(HubScope.LIBRARY)
def tour_manage(request, pk):
    """Coordinators: the tour, who read how much (counts), and new invitation links (shown once)."""
    tour = get_object_or_404(StudyTour.objects.select_related("center"), pk=pk)
    # The readership names the visitors: reading it is audited (counts only).
    services.readership_read(user=request.user, tour=tour)
    form = InvitationIssueForm(request.POST or None)
    links = None
    if request.method == "POST":
        if form.is_valid():
            try:
                issued = services.invitations_issue(
                    acting_user=request.user, tour=tour, **form.cleaned_data,
                    link_for=lambda token: request.build_absolute_uri(reverse("hub-tour-invitation", args=[token])))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                links = issued.links
                form = InvitationIssueForm()
    return render(request, "hub/tour_manage.html", {
        "tour": tour, "readership": selectors.readership(tour), "form": form, "links": links,
        "bundle_count": len(tour.cases or []), "now": timezone.now(), "agenda": selectors.agenda(tour, [])},
        status=400 if request.method == "POST" and links is None else 200)
