"""Reads of the meeting spaces: closed days, a room's week, the bookings staff and groups see, the
利用票 as a printable document, and the usage per room and month."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import jpholiday
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from common import pdf
from common.charts import column_chart
from common.japanese import wareki_date
from permissions.scoping import scoped_queryset

from . import models as m
from .selectors import staff_centers

WEEKDAYS = m.spaces.WEEKDAYS


def closed_reason(room: m.Room, day: dt.date) -> str | None:
    """Why the room is closed that day (休館日), or None when it is open."""
    if day.weekday() in room.closed_weekdays:
        return gettext("%(weekday)s曜日は休館日です") % {"weekday": WEEKDAYS[day.weekday()]}
    if room.closed_year_end and ((day.month, day.day) >= (12, 29) or (day.month, day.day) <= (1, 3)):
        return gettext("年末年始（12月29日〜1月3日）は休館です")
    if room.closed_on_holidays:
        holiday = jpholiday.is_holiday_name(day)
        if holiday:
            return gettext("祝日（%(name)s）は休館です") % {"name": holiday}
    return None


def rooms(*, user) -> QuerySet:
    """The rooms of the centers where the user is staff, or of the groups' centers for a member."""
    return m.Room.objects.filter(center__in=staff_centers(user=user)).select_related("center")


def bookable_organizations(center) -> list:
    """Who staff may enter a booking for: the center itself, its registered groups (登録中), and the
    departments and partners it works with."""
    groups = (m.GroupRegistration.objects.filter(center=center, status=m.GroupStatus.ACTIVE)
              .select_related("organization").order_by("organization__name_kana", "organization__name"))
    found = [center, *(g.organization for g in groups)]
    seen = {o.pk for o in found}
    # Groups' own organizations may name the center too; a lapsed group's must not slip back in.
    others = center.partners.exclude(registration__isnull=False).order_by("kind", "name")
    return found + [o for o in others if o.pk not in seen]


def group_rooms(group: m.GroupRegistration) -> QuerySet:
    return m.Room.objects.filter(center_id=group.center_id, is_active=True)


def visible_bookings(*, user) -> QuerySet:
    return scoped_queryset(user, m.Booking, "view").select_related("room", "organization", "center")


def staff_bookings(*, user, status: str | None = None) -> QuerySet:
    bookings = visible_bookings(user=user).filter(center__in=staff_centers(user=user))
    return bookings.filter(status=status) if status else bookings


def group_bookings(group: m.GroupRegistration) -> QuerySet:
    """A group's own bookings (its page reads them for the group, as it reads its events)."""
    return (m.Booking.objects.filter(center_id=group.center_id, organization_id=group.organization_id)
            .select_related("room").order_by("-starts_at"))


@dataclass
class Day:
    day: dt.date
    closed: str | None
    bookings: list

    @property
    def weekday(self) -> str:
        return WEEKDAYS[self.day.weekday()]


def room_days(room: m.Room, *, start: dt.date, days: int = 14, public: bool = False) -> list[Day]:
    """The room's days from `start`: closed or not, and the bookings holding it. `public` leaves out who
    booked (a group sees the times others hold, never their names)."""
    tz = timezone.get_current_timezone()
    begin = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    end = begin + dt.timedelta(days=days)
    held = list(m.Booking.objects.filter(room=room, status__in=m.HOLDING_STATUSES, starts_at__lt=end,
                                         ends_at__gt=begin).select_related("organization").order_by("starts_at"))
    result = []
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        todays = [b for b in held if timezone.localtime(b.starts_at).date() == day]
        if public:
            todays = [{"starts_at": b.starts_at, "ends_at": b.ends_at, "status": b.status,
                       "get_status_display": b.get_status_display()} for b in todays]
        result.append(Day(day, closed_reason(room, day), todays))
    return result


def booking_detail(*, user, uuid) -> m.Booking:
    """One booking the user may see (its center's staff, or a member of the booking group)."""
    return visible_bookings(user=user).get(uuid=uuid)


def _slot(booking: m.Booking) -> str:
    start, end = timezone.localtime(booking.starts_at), timezone.localtime(booking.ends_at)
    return (f"{wareki_date(start.date())}（{WEEKDAYS[start.weekday()]}） "
            f"{start:%H:%M}〜{end:%H:%M}")


def slip_document(booking: m.Booking) -> pdf.Document:
    """利用票: what the group shows at the counter on the day (seed 004: 受付や利用票の受け渡し)."""
    room = booking.room
    rows = [
        [gettext("受付番号"), f"{booking.number:05d}"],
        [gettext("利用団体"), booking.organization.name],
        [gettext("スペース"), f"{room.name}（{gettext('定員')} {room.capacity}{gettext('名')}）"],
        [gettext("利用日時"), _slot(booking)],
        [gettext("利用目的"), booking.purpose],
        [gettext("利用人数"), f"{booking.attendees}{gettext('名')}"],
        [gettext("状態"), booking.get_status_display()],
    ]
    if booking.decided_at and booking.status == m.BookingStatus.APPROVED:
        rows.append([gettext("承認日"), wareki_date(timezone.localtime(booking.decided_at).date())])
    blocks: list = [pdf.Rows(header=[gettext("項目"), gettext("内容")], rows=rows, widths=[40, 140])]
    if room.equipment:
        blocks += [pdf.Heading(gettext("設備・備品")), pdf.Text(room.equipment)]
    notes = room.note or ""
    blocks += [pdf.Heading(gettext("ご利用にあたって")), pdf.Text("\n".join(filter(None, [
        notes,
        gettext("当日は受付でこの利用票をお見せください。"),
        gettext("取消は利用日の%(days)s日前までに、わたしの団体のページか窓口でお願いします。")
        % {"days": room.cancel_days_before},
    ])))]
    return pdf.Document(title=gettext("利用票"), subtitle=f"{booking.center.name} · {room.name}", blocks=blocks,
                        footer=f"{booking.center.name} {gettext('利用票')} No.{booking.number:05d}")


def slip_pdf(booking: m.Booking) -> bytes:
    return pdf.render(slip_document(booking))


def _month(index: int) -> dt.date:
    """Month number `index` (year × 12 + month − 1) as its first day."""
    return dt.date(index // 12, index % 12 + 1, 1)


def month_starts(today: dt.date, count: int) -> list[dt.date]:
    """The first days of the `count` months ending with the month after today's (bookings look ahead)."""
    following = today.year * 12 + today.month
    return [_month(index) for index in range(following - count + 1, following + 1)]


def usage_statistics(*, user, today: dt.date | None = None, months: int = 6) -> dict:
    """Hours used per room and month (approved bookings), for the staff's statistics."""
    today = today or timezone.localdate()
    firsts = month_starts(today, months)
    tz = timezone.get_current_timezone()
    begin = dt.datetime.combine(firsts[0], dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(_month(firsts[-1].year * 12 + firsts[-1].month), dt.time.min, tzinfo=tz)
    room_list = list(rooms(user=user).order_by("name"))
    hours = {(room.pk, first): 0.0 for room in room_list for first in firsts}
    counts = dict.fromkeys(hours, 0)
    bookings = staff_bookings(user=user, status=m.BookingStatus.APPROVED).filter(starts_at__gte=begin,
                                                                                   starts_at__lt=end)
    for booking in bookings.select_related(None).only("room_id", "starts_at", "ends_at"):
        start = timezone.localtime(booking.starts_at).date()
        key = (booking.room_id, dt.date(start.year, start.month, 1))
        if key in hours:
            hours[key] += (booking.ends_at - booking.starts_at).total_seconds() / 3600
            counts[key] += 1
    labels = [f"{first.month}月" for first in firsts]
    series = [(room.name, [round(hours[(room.pk, first)]) for first in firsts]) for room in room_list]
    rows = [{"room": room, "hours": [round(hours[(room.pk, f)], 1) for f in firsts],
             "counts": [counts[(room.pk, f)] for f in firsts]} for room in room_list]
    return {"months": firsts, "labels": labels, "rows": rows,
            "chart": column_chart(labels, series, stacked=False) if room_list else None}
