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

from common.forms import add_service_errors

from . import selectors, tours
from .forms import HubTourForm, HubTourStopFormSet, InvitationAcceptForm, InvitationIssueForm, TourReportForm
from .models import StudyTour
from .views import hub_permission


def _closed_or_missing(request, pk: int):
    """Outside the reading window a participant is told when it opens or that it ended (403); to
    anyone else the tour does not exist (404)."""
    if not tours.is_participant(request.user, pk):
        raise Http404
    tour = get_object_or_404(StudyTour, pk=pk)
    return render(request, "hub/tour_closed.html", {"tour": tour, "before": timezone.now() < tour.opens_at},
                  status=403)


@login_required
def tour_list(request):
    now = timezone.now()
    mine = [{"tour": t, "open": t.opens_at <= now < t.reading_ends_at, "before": now < t.opens_at}
            for t in tours.participant_tours(request.user)]
    staff = selectors.can(request.user, "view_hub")
    return render(request, "hub/tour_list.html", {
        "mine": mine, "staff": staff, "all_tours": tours.coordinator_tours() if staff else None, "now": now})


@login_required
def tour_page(request, pk):
    tour = tours.readable_tour(request.user, pk)
    if tour is None:
        return _closed_or_missing(request, pk)
    tours.with_named_texts(tour)
    tours.tour_open(user=request.user, tour=tour)
    entries = tours.bundle(tour)
    return render(request, "hub/tour_page.html", {
        "tour": tour, "agenda": tours.agenda(tour, entries), "entries": entries,
        "participant": tours.participation(request.user, tour)})


@login_required
def tour_case(request, pk, ref):
    tour = tours.readable_tour(request.user, pk)
    if tour is None:
        return _closed_or_missing(request, pk)
    entry = tours.tour_case(tour, str(ref))
    if entry is None:
        raise Http404
    tours.with_named_texts(tour)
    tours.case_read(user=request.user, tour=tour, entry=entry)
    return render(request, "hub/tour_case.html", {"tour": tour, "entry": entry, "case": entry.case})


@login_required
def report(request, pk):
    tour = tours.readable_tour(request.user, pk)
    if tour is None:
        return _closed_or_missing(request, pk)
    participant = tours.participation(request.user, tour)
    existing = participant.reports.first() if participant else None
    initial = {"saw": existing.saw, "transfer": existing.transfer, "questions": existing.questions} if existing else None
    form = TourReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            tours.report_submit(user=request.user, tour=tour, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "レポートを提出しました。ホストのセンターに届きます。")
            return redirect("hub-tour", pk=tour.pk)
    return render(request, "hub/tour_report.html", {"tour": tour, "form": form, "existing": existing},
                  status=400 if request.method == "POST" else 200)


def invitation(request, token):
    """An invitation link: join with the signed-in account or create a visitor account. An expired,
    used or unknown link shows the same page and changes nothing."""
    found = tours.invitation_valid(token)
    if found is None:
        return render(request, "hub/tour_invitation_invalid.html", status=404)
    form = InvitationAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            participant = tours.invitation_accept(token=token, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not request.user.is_authenticated:
                login(request, participant.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "ツアーに参加しました。")
            return redirect("hub-tour", pk=participant.tour_id)
    return render(request, "hub/tour_invitation.html", {"invitation": found, "tour": found.tour, "form": form},
                  status=400 if request.method == "POST" else 200)


@hub_permission("view_hub")
def tour_create(request):
    form = HubTourForm(request.POST or None)
    stops = HubTourStopFormSet(request.POST or None, prefix="stops")
    if request.method == "POST" and form.is_valid() and stops.is_valid():
        rows = [s.cleaned_data for s in stops if s.cleaned_data and s.cleaned_data.get("title")]
        try:
            tour = tours.tour_create(acting_user=request.user, stops=rows, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "ツアーを作成しました。参加者への招待リンクを発行してください。")
            return redirect("hub-tour-manage", pk=tour.pk)
    return render(request, "hub/tour_form.html", {"form": form, "stops": stops},
                  status=400 if request.method == "POST" else 200)


@hub_permission("view_hub")
def tour_manage(request, pk):
    """Coordinators: the tour, who read how much (counts), and new invitation links (shown once)."""
    tour = get_object_or_404(StudyTour.objects.select_related("center"), pk=pk)
    # The readership names the visitors: reading it is audited (counts only).
    tours.readership_read(user=request.user, tour=tour)
    form = InvitationIssueForm(request.POST or None)
    links = None
    if request.method == "POST":
        if form.is_valid():
            try:
                issued = tours.invitations_issue(
                    acting_user=request.user, tour=tour, **form.cleaned_data,
                    link_for=lambda token: request.build_absolute_uri(reverse("hub-tour-invitation", args=[token])))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                links = issued.links
                form = InvitationIssueForm()
    return render(request, "hub/tour_manage.html", {
        "tour": tour, "readership": tours.readership(tour), "form": form, "links": links,
        "bundle_count": len(tour.cases or []), "now": timezone.now(), "agenda": tours.agenda(tour, [])},
        status=400 if request.method == "POST" and links is None else 200)
