"""Meeting spaces (スペースA・B): rooms, bookings requested by groups or entered by staff, approval,
cancellation. The database refuses overlapping bookings (models/spaces.py); this module turns that
refusal into the Japanese message and checks what the database cannot (hours, closed days, rules)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from common.japanese import search_key
from permissions.audit import audit_record
from permissions.models import Organization
from permissions.scoping import get_scoped_or_deny, holds

from ..models import (
    CENTER_CHANGE,
    HOLDING_STATUSES,
    OVERLAP_CONSTRAINT,
    Booking,
    BookingStatus,
    GroupNotice,
    GroupRegistration,
    GroupStatus,
    NoticeKind,
    Room,
)
from ..spaces_selectors import WEEKDAYS, closed_reason
from .pipeline import require_center_staff

ROOM_FIELDS = ("name", "capacity", "equipment", "opens_at", "closes_at", "closed_weekdays", "closed_on_holidays",
               "closed_year_end", "booking_horizon_days", "cancel_days_before", "is_active", "note")
# Even staff book at most this far ahead.
BOOKING_LIMIT_DAYS = 730
# Two requests may take the same next number; the loser retries with the one after.
NUMBER_ATTEMPTS = 5


def _error(message: str, code: str, field: str | None = None) -> ValidationError:
    error = ValidationError(message, code=code)
    return ValidationError({field: error}) if field else error


def overlap_error() -> ValidationError:
    return _error(gettext("この時間帯はすでに予約が入っています。別の時間をお選びください。"), "booking_overlap")


def _save_room(room: Room, values: dict) -> Room:
    unknown = set(values) - set(ROOM_FIELDS)
    if unknown:
        raise TypeError(f"unknown room fields: {sorted(unknown)}")
    for name, value in values.items():
        setattr(room, name, value)
    weekdays = room.closed_weekdays or []
    if not isinstance(weekdays, list) or any(not isinstance(d, int) or not 0 <= d <= 6 for d in weekdays):
        raise _error(gettext("休館曜日は月〜日から選んでください。"), "invalid_choice", "closed_weekdays")
    room.closed_weekdays = sorted(set(weekdays))
    room.search_text = search_key(room.name, room.equipment)
    room.full_clean(exclude=["search_text", "center"])
    room.save()
    return room


@transaction.atomic
def room_create(*, acting_user, center: Organization, **values) -> Room:
    require_center_staff(acting_user, center.pk)
    room = _save_room(Room(center=center), values)
    audit_record(actor=acting_user, action="room.create", target=room, organization=center)
    return room


@transaction.atomic
def room_update(*, acting_user, room: Room, **values) -> Room:
    require_center_staff(acting_user, room.center_id)
    room = Room.objects.select_for_update().get(pk=room.pk)
    room.version += 1
    room = _save_room(room, values)
    audit_record(actor=acting_user, action="room.update", target=room, organization=room.center,
                 detail={"fields": sorted(values)})
    return room


def _booking_group(organization: Organization) -> GroupRegistration | None:
    return GroupRegistration.objects.filter(organization=organization).first()


def _check_user(acting_user, room: Room, organization: Organization) -> bool:
    """Whether the user books as staff (True) or as a member of the booking group (False); refuses
    anyone else and any organization the center does not know."""
    group = _booking_group(organization)
    if holds(acting_user, CENTER_CHANGE, room.center_id):
        known = (organization.pk == room.center_id or organization.center_id == room.center_id
                 or (group is not None and group.center_id == room.center_id))
        if not known:
            raise _error(gettext("このセンターの登録団体・関係機関ではありません。"), "organization_unknown",
                         "organization")
        if group is not None and group.status != GroupStatus.ACTIVE:
            raise _error(gettext("登録中の団体だけが利用できます。"), "group_not_active", "organization")
        return True
    if group is None or group.center_id != room.center_id or not holds(acting_user, "change_group_profile",
                                                                        organization.pk):
        raise PermissionDenied("permission_denied")
    if group.status != GroupStatus.ACTIVE:
        raise _error(gettext("スペースの利用には団体登録（登録中）が必要です。"), "group_not_active")
    return False


def _check_times(room: Room, starts_at: dt.datetime, ends_at: dt.datetime, *, as_staff: bool,
                 now: dt.datetime) -> None:
    if starts_at is None or ends_at is None:
        raise _error(gettext("利用日と時間を入力してください。"), "required", "starts_at")
    if starts_at >= ends_at:
        raise _error(gettext("終了時刻は開始時刻より後にしてください。"), "booking_times_order", "ends_at")
    # Before any date arithmetic: a time far off (year 9999 from an API client) is refused, not overflowed.
    if starts_at < now:
        raise _error(gettext("過ぎた日時は予約できません。"), "booking_in_past", "starts_at")
    if starts_at > now + dt.timedelta(days=BOOKING_LIMIT_DAYS) or ends_at - starts_at > dt.timedelta(days=1):
        raise _error(gettext("予約は%(days)s日先までです。") % {"days": BOOKING_LIMIT_DAYS}, "booking_too_far",
                     "starts_at")
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    if start.date() != end.date():
        raise _error(gettext("予約は1日の中で入力してください。"), "booking_one_day", "ends_at")
    if start.time() < room.opens_at or end.time() > room.closes_at:
        raise _error(gettext("%(room)sの利用時間は%(opens)s〜%(closes)sです。") % {
            "room": room.name, "opens": f"{room.opens_at:%H:%M}", "closes": f"{room.closes_at:%H:%M}"},
            "booking_outside_hours", "starts_at")
    reason = closed_reason(room, start.date())
    if reason:
        raise _error(reason, "booking_closed_day", "starts_at")
    horizon = timezone.localdate(now) + dt.timedelta(days=room.booking_horizon_days)
    if not as_staff and start.date() > horizon:
        raise _error(gettext("予約は%(days)s日先までです。") % {"days": room.booking_horizon_days},
                     "booking_too_far", "starts_at")


def _insert(booking: Booking) -> Booking:
    """Insert with the next number of the center; the database's overlap refusal becomes a message."""
    for _attempt in range(NUMBER_ATTEMPTS):
        booking.number = (Booking.objects.filter(center_id=booking.center_id).aggregate(n=Max("number"))["n"]
                          or 0) + 1
        try:
            with transaction.atomic():
                booking.save(force_insert=True)
            return booking
        except IntegrityError as error:
            booking.pk = None
            if OVERLAP_CONSTRAINT in str(error):
                raise overlap_error() from error
            if "number" not in str(error):
                raise
    raise _error(gettext("混み合っています。もう一度お試しください。"), "booking_busy")


@transaction.atomic
def booking_request(*, acting_user, room: Room, organization: Organization, purpose: str, attendees: int | None,
                    starts_at: dt.datetime, ends_at: dt.datetime, now: dt.datetime | None = None) -> Booking:
    """利用申込. Staff enter it approved (the counter, the phone, the center's own use); a member of a
    registered group requests it from わたしの団体 and staff approve it. The room's time is held from
    the request on, so two groups cannot ask for the same slot."""
    room = Room.objects.get(pk=room.pk)
    as_staff = _check_user(acting_user, room, organization)
    if not room.is_active:
        raise _error(gettext("このスペースは現在予約を受け付けていません。"), "room_not_accepting")
    _check_times(room, starts_at, ends_at, as_staff=as_staff, now=now or timezone.now())
    if not (purpose or "").strip():
        raise _error(gettext("利用目的を入力してください。"), "required", "purpose")
    if not attendees or attendees < 1:
        raise _error(gettext("利用人数を入力してください。"), "required", "attendees")
    if attendees > room.capacity:
        raise _error(gettext("%(room)sの定員は%(capacity)s名です。") % {"room": room.name, "capacity": room.capacity},
                     "booking_over_capacity", "attendees")
    booking = Booking(center_id=room.center_id, room=room, organization=organization, purpose=purpose.strip(),
                      attendees=attendees, starts_at=starts_at, ends_at=ends_at, requested_by=acting_user,
                      status=BookingStatus.APPROVED if as_staff else BookingStatus.PENDING)
    if as_staff:
        booking.decided_by, booking.decided_at = acting_user, timezone.now()
    booking.search_text = search_key(booking.purpose, organization.name, room.name)
    booking = _insert(booking)
    audit_record(actor=acting_user, action="booking.request", target=booking, organization=room.center,
                 detail={"room": room.name, "status": booking.status, "by_staff": as_staff})
    return booking


def _group_notice(booking: Booking, kind: str, text: str) -> None:
    group = _booking_group(booking.organization)
    if group is not None:
        GroupNotice.objects.create(group=group, kind=kind, center_id=booking.center_id, text=text)


def _describe(booking: Booking) -> str:
    start, end = timezone.localtime(booking.starts_at), timezone.localtime(booking.ends_at)
    return (f"{booking.room.name} {start:%Y年%-m月%-d日}（{WEEKDAYS[start.weekday()]}）"
            f"{start:%H:%M}〜{end:%H:%M} {booking.purpose}")


def _locked(acting_user, booking: Booking, perm: str) -> Booking:
    booking = get_scoped_or_deny(acting_user, Booking, perm, pk=booking.pk)
    return Booking.objects.select_for_update(of=("self",)).select_related("room", "organization").get(pk=booking.pk)


def _decide(acting_user, booking: Booking, status: str, note: str) -> Booking:
    booking = _locked(acting_user, booking, "view")
    require_center_staff(acting_user, booking.center_id)
    if booking.status != BookingStatus.PENDING:
        raise _error(gettext("承認待ちの予約ではありません。"), "booking_not_pending")
    booking.status, booking.decided_by, booking.decided_at = status, acting_user, timezone.now()
    booking.decision_note = note.strip()
    booking.version += 1
    booking.save()
    audit_record(actor=acting_user, action=f"booking.{status}", target=booking, organization=booking.center)
    return booking


@transaction.atomic
def booking_approve(*, acting_user, booking: Booking, note: str = "") -> Booking:
    booking = _decide(acting_user, booking, BookingStatus.APPROVED, note)
    _group_notice(booking, NoticeKind.BOOKING_APPROVED,
                  gettext("%(what)s — 利用票を印刷して当日お持ちください。") % {"what": _describe(booking)})
    return booking


@transaction.atomic
def booking_reject(*, acting_user, booking: Booking, note: str) -> Booking:
    if not (note or "").strip():
        raise _error(gettext("お断りの理由を書いてください。"), "required", "note")
    booking = _decide(acting_user, booking, BookingStatus.REJECTED, note)
    _group_notice(booking, NoticeKind.BOOKING_REJECTED, f"{_describe(booking)} — {booking.decision_note}")
    return booking


def cancel_deadline(booking: Booking) -> dt.date:
    """The last day a group may cancel by itself: N days before the day of use."""
    return timezone.localtime(booking.starts_at).date() - dt.timedelta(days=booking.room.cancel_days_before)


@transaction.atomic
def booking_cancel(*, acting_user, booking: Booking, today: dt.date | None = None) -> Booking:
    """取消. The group may cancel until the room's deadline (N days before); staff may always, and the
    group is told."""
    booking = _locked(acting_user, booking, "change")
    as_staff = holds(acting_user, CENTER_CHANGE, booking.center_id)
    if booking.status not in HOLDING_STATUSES:
        raise _error(gettext("この予約は取り消せません（すでに取消またはお断り済みです）。"), "booking_not_active")
    today = today or timezone.localdate()
    if not as_staff and today > cancel_deadline(booking):
        raise _error(gettext("取消の期限（利用日の%(days)s日前）を過ぎています。センターにご連絡ください。")
                     % {"days": booking.room.cancel_days_before}, "booking_cancel_too_late")
    booking.status, booking.cancelled_at = BookingStatus.CANCELLED, timezone.now()
    booking.version += 1
    booking.save()
    if as_staff:
        _group_notice(booking, NoticeKind.BOOKING_CANCELLED, _describe(booking))
    audit_record(actor=acting_user, action="booking.cancel", target=booking, organization=booking.center,
                 detail={"by_staff": as_staff})
    return booking
