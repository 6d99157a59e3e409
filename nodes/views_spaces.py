"""Meeting spaces: the staff's booking board (/spaces/), rooms, usage, the 利用票, and a group's own
bookings from わたしの団体 (/my-group/<uuid>/spaces/). Check input, call one service or selector, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from common.forms import add_service_errors
from permissions.scoping import holds

from . import lifecycle, models as m, services, spaces_selectors as selectors
from .forms_spaces import BookingForm, NoteForm, RoomForm
from .services.spaces import cancel_deadline
from .views_common import get_or_404, show_errors, staff_centers_or_403


def _start(request) -> dt.date:
    return parse_date(request.GET.get("start") or "") or timezone.localdate()


def _chosen_room(rooms, request):
    wanted = request.GET.get("room") or request.POST.get("room")
    rooms = list(rooms)
    return next((r for r in rooms if str(r.uuid) == wanted), rooms[0] if rooms else None)


def _board(request, center, rooms, room, *, form, status=200, public=False, template="nodes/spaces.html", **extra):
    start = _start(request)
    return render(request, template, {
        "center": center, "rooms": rooms, "room": room, "start": start,
        "previous": start - dt.timedelta(days=14), "following": start + dt.timedelta(days=14),
        "days": selectors.room_days(room, start=start, public=public) if room else [],
        "form": form, **extra}, status=status)


@login_required
def spaces(request):
    center = staff_centers_or_403(request.user).first()
    rooms = selectors.rooms(user=request.user).filter(center=center)
    room = _chosen_room(rooms, request)
    organizations = selectors.bookable_organizations(center)
    form = BookingForm(request.POST or None, rooms=rooms.filter(is_active=True), organizations=organizations,
                       initial={"room": room.uuid if room else None, "organization": center.pk,
                                "day": _start(request)})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                booking = services.booking_request(acting_user=request.user, **form.service_values())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, gettext("予約を登録しました（受付番号 %(number)s）。")
                                 % {"number": booking.number})
                return redirect(f"{request.path}?room={booking.room.uuid}&start={form.cleaned_data['day']}")
    bookings = selectors.staff_bookings(user=request.user).filter(center=center)
    return _board(request, center, rooms, room, form=form, status=status,
                  pending=list(bookings.filter(status=m.BookingStatus.PENDING).order_by("starts_at")),
                  upcoming=list(bookings.filter(status=m.BookingStatus.APPROVED, ends_at__gte=timezone.now())
                                .order_by("starts_at")[:40]),
                  note_form=NoteForm())


@login_required
@require_POST
def booking_decide(request, uuid, decision):
    booking = get_or_404(request.user, m.Booking, "view", uuid)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    actions = {
        "approve": lambda: services.booking_approve(acting_user=request.user, booking=booking, note=note),
        "reject": lambda: services.booking_reject(acting_user=request.user, booking=booking, note=note),
        "cancel": lambda: services.booking_cancel(acting_user=request.user, booking=booking),
    }
    if decision not in actions:
        raise Http404
    try:
        actions[decision]()
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, {"approve": gettext("承認しました。団体にお知らせしました。"),
                                   "reject": gettext("お断りしました。団体にお知らせしました。"),
                                   "cancel": gettext("予約を取り消しました。")}[decision])
    return redirect(f"{reverse('spaces')}?room={booking.room.uuid}")


@login_required
def booking_slip(request, uuid):
    """利用票 (PDF): the center's staff and the booking group's members may print it."""
    try:
        booking = selectors.booking_detail(user=request.user, uuid=uuid)
    except (ObjectDoesNotExist, ValidationError) as error:
        raise Http404 from error
    if booking.status not in m.HOLDING_STATUSES:
        raise Http404
    response = HttpResponse(selectors.slip_pdf(booking), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="riyohyo-{booking.number:05d}.pdf"'
    return response


@login_required
def usage(request):
    staff_centers_or_403(request.user)
    return render(request, "nodes/spaces_usage.html", {"data": selectors.usage_statistics(user=request.user)})


@login_required
def room_edit(request, uuid=None):
    center = staff_centers_or_403(request.user).first()
    room = get_or_404(request.user, m.Room, "change", uuid) if uuid else None
    form = RoomForm(request.POST or None, instance=room if room else m.Room(center=center))
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in RoomForm.Meta.fields}
        try:
            if room is None:
                room = services.room_create(acting_user=request.user, center=center, **values)
            else:
                room = services.room_update(acting_user=request.user, room=room, **values)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, gettext("スペースを保存しました。"))
            return redirect(f"{reverse('spaces')}?room={room.uuid}")
    return render(request, "nodes/room_form.html", {"form": form, "room": room},
                  status=400 if request.method == "POST" else 200)


# --- わたしの団体: the group's bookings ------------------------------------------------------------


def _my_group(request, uuid):
    try:
        return lifecycle.my_groups(user=request.user).get(uuid=uuid)
    except (ObjectDoesNotExist, ValidationError) as error:
        raise Http404 from error


@login_required
def my_group_spaces(request, uuid):
    group = _my_group(request, uuid)
    if not holds(request.user, "change_group_profile", group.organization_id):
        raise PermissionDenied("permission_denied")
    rooms = selectors.group_rooms(group)
    room = _chosen_room(rooms, request)
    form = BookingForm(request.POST or None, rooms=rooms,
                       initial={"room": room.uuid if room else None, "day": _start(request)})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                booking = services.booking_request(acting_user=request.user, organization=group.organization,
                                                   **form.service_values())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, gettext("予約を申し込みました（受付番号 %(number)s）。センターの承認をお待ち"
                                                  "ください。") % {"number": booking.number})
                return redirect("my-group-spaces", uuid=uuid)
    bookings = [(b, cancel_deadline(b)) for b in selectors.group_bookings(group)[:40]]
    return _board(request, group.center, rooms, room, form=form, status=status, public=True,
                  template="nodes/my_group_spaces.html", group=group, bookings=bookings,
                  today=timezone.localdate())


@login_required
@require_POST
def my_group_booking_cancel(request, uuid, booking_uuid):
    group = _my_group(request, uuid)
    booking = selectors.group_bookings(group).filter(uuid=booking_uuid).first()
    if booking is None:
        raise Http404
    try:
        services.booking_cancel(acting_user=request.user, booking=booking)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, gettext("予約を取り消しました。"))
    return redirect("my-group-spaces", uuid=uuid)
