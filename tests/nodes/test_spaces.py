"""Meeting spaces: bookings by staff and groups, the database's refusal of overlaps (also under two
concurrent connections), hours and closed days, cancellation rules, the 利用票 PDF and the usage."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from nodes import models as m, services
from nodes.spaces_selectors import closed_reason, usage_statistics
from permissions.models import AuditEvent, Role

from .. import factories as f

TZ = timezone.get_fixed_timezone(9 * 60)


def _next_weekday(weekday: int, *, after: int = 7) -> dt.date:
    """A working day (not a holiday, not 年末年始) at least `after` days ahead, on that weekday."""
    day = timezone.localdate() + dt.timedelta(days=after)
    while day.weekday() != weekday or closed_reason(m.Room(closed_weekdays=[]), day):
        day += dt.timedelta(days=1)
    return day


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


@pytest.fixture
def room(world):
    return services.room_create(
        acting_user=world.staff_a, center=world.a, name="スペースA", capacity=48, equipment="プロジェクター、マイク",
        opens_at=dt.time(9), closes_at=dt.time(21), closed_weekdays=[], cancel_days_before=3)


@pytest.fixture
def day():
    return _next_weekday(2)  # a Wednesday


def _codes(error: ValidationError) -> set[str]:
    if hasattr(error, "error_dict"):
        return {item.code for items in error.error_dict.values() for item in items}
    return {item.code for item in error.error_list}


def _book(user, room, organization, start, end, **extra):
    values = {"purpose": "定例会", "attendees": 10, **extra}
    return services.booking_request(acting_user=user, room=room, organization=organization, starts_at=start,
                                    ends_at=end, **values)


def test_a_group_requests_staff_approve_and_the_group_is_told(world, room, day):
    booking = _book(world.member_a, room, world.group_a.organization, _at(day, 10), _at(day, 12))
    assert booking.status == m.BookingStatus.PENDING and booking.number == 1
    booking = services.booking_approve(acting_user=world.staff_a, booking=booking)
    assert booking.status == m.BookingStatus.APPROVED and booking.decided_by == world.staff_a
    notice = m.GroupNotice.objects.get(group=world.group_a, kind=m.NoticeKind.BOOKING_APPROVED)
    assert "スペースA" in notice.text and "利用票" in notice.text
    assert AuditEvent.objects.filter(action="booking.approved", target_uuid=booking.uuid).exists()


def test_staff_bookings_are_approved_at_once_and_numbered_per_center(world, room, day):
    first = _book(world.staff_a, room, world.a, _at(day, 9), _at(day, 10))
    second = _book(world.staff_a, room, world.department, _at(day, 10), _at(day, 11))
    assert (first.status, second.status) == (m.BookingStatus.APPROVED, m.BookingStatus.APPROVED)
    assert (first.number, second.number) == (1, 2)


def test_an_overlapping_booking_is_refused_with_the_japanese_message_and_nothing_is_stored(world, room, day):
    _book(world.staff_a, room, world.a, _at(day, 10), _at(day, 12))
    with pytest.raises(ValidationError) as refused:
        _book(world.member_a, room, world.group_a.organization, _at(day, 11, 30), _at(day, 13))
    assert refused.value.code == "booking_overlap"
    assert "すでに予約が入っています" in refused.value.messages[0]
    assert m.Booking.objects.count() == 1
    # Touching ends are not an overlap; a cancelled or rejected booking frees the time.
    _book(world.member_a, room, world.group_a.organization, _at(day, 12), _at(day, 13))


def test_a_cancelled_booking_frees_its_time(world, room, day):
    booking = _book(world.staff_a, room, world.a, _at(day, 10), _at(day, 12))
    services.booking_cancel(acting_user=world.staff_a, booking=booking)
    again = _book(world.staff_a, room, world.a, _at(day, 10), _at(day, 12))
    assert again.status == m.BookingStatus.APPROVED


def test_the_database_itself_refuses_overlap_without_the_service(world, room, day):
    values = {"center": world.a, "room": room, "organization": world.a, "purpose": "x", "attendees": 1,
              "status": m.BookingStatus.PENDING}
    m.Booking.objects.create(number=1, starts_at=_at(day, 10), ends_at=_at(day, 12), **values)
    with pytest.raises(IntegrityError, match=m.OVERLAP_CONSTRAINT), transaction.atomic():
        m.Booking.objects.create(number=2, starts_at=_at(day, 11), ends_at=_at(day, 13), **values)
    # Another room at the same time is fine.
    other = services.room_create(acting_user=world.staff_a, center=world.a, name="スペースB", capacity=30,
                                 opens_at=dt.time(9), closes_at=dt.time(21))
    m.Booking.objects.create(number=3, starts_at=_at(day, 11), ends_at=_at(day, 13), **{**values, "room": other})


@pytest.mark.django_db(transaction=True)
def test_two_connections_booking_the_same_slot_at_once_store_exactly_one():
    """Two threads, each with its own PostgreSQL connection, pass a barrier and book overlapping times
    of one room: one booking is stored, the other request gets the Japanese error."""
    center = f.center("にしく市民活動支援センター", "141038", "横浜市西区")
    staff = f.member("staff_n", center, Role.CENTER_STAFF)
    groups = [f.group(staff, center, name) for name in ("西区子育てサロン", "戸部まちづくりの会")]
    members = [f.member(f"member_{i}", g.organization, Role.GROUP_MEMBER) for i, g in enumerate(groups)]
    room = services.room_create(acting_user=staff, center=center, name="スペースA", capacity=48,
                                opens_at=dt.time(9), closes_at=dt.time(21))
    day = _next_weekday(3)
    barrier = threading.Barrier(2)
    outcomes: list = [None, None]

    def book(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[index] = _book(members[index], room, groups[index].organization, _at(day, 13 + index),
                                    _at(day, 15 + index))
        except ValidationError as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    stored = [o for o in outcomes if isinstance(o, m.Booking)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(stored) == 1 and len(refused) == 1, outcomes
    assert refused[0].code == "booking_overlap" and "すでに予約が入っています" in refused[0].messages[0]
    assert m.Booking.objects.filter(room=room).count() == 1


@pytest.mark.parametrize(("change", "code"), [
    ({"start": (8, 30)}, "booking_outside_hours"),
    ({"end": (21, 30)}, "booking_outside_hours"),
    ({"end": (9, 0), "start": (10, 0)}, "booking_times_order"),
    ({"attendees": 49}, "booking_over_capacity"),
    ({"attendees": 0}, "required"),
    ({"purpose": "  "}, "required"),
])
def test_bad_requests_get_a_code_and_change_nothing(world, room, day, change, code):
    start = _at(day, *change.get("start", (10, 0)))
    end = _at(day, *change.get("end", (12, 0)))
    extra = {k: v for k, v in change.items() if k in ("attendees", "purpose")}
    with pytest.raises(ValidationError) as refused:
        _book(world.member_a, room, world.group_a.organization, start, end, **extra)
    assert _codes(refused.value) == {code}
    assert not m.Booking.objects.exists()


def test_closed_days_holidays_and_year_end(world, room):
    room = services.room_update(acting_user=world.staff_a, room=room, closed_weekdays=[0])
    monday = _next_weekday(0)
    assert "月曜日" in closed_reason(room, monday)
    assert "年末年始" in closed_reason(room, dt.date(2027, 1, 1))
    assert "年末年始" in closed_reason(room, dt.date(2026, 12, 30))
    with pytest.raises(ValidationError) as refused:
        _book(world.member_a, room, world.group_a.organization, _at(monday, 10), _at(monday, 12))
    assert _codes(refused.value) == {"booking_closed_day"}
    assert "成人の日" in closed_reason(services.room_update(acting_user=world.staff_a, room=room, closed_weekdays=[]),
                                      dt.date(2027, 1, 11))


def test_the_past_and_beyond_the_horizon_are_refused_for_groups(world, room):
    past = timezone.localdate() - dt.timedelta(days=1)
    with pytest.raises(ValidationError):
        _book(world.staff_a, room, world.a, _at(past, 10), _at(past, 11))
    far = _next_weekday(2, after=room.booking_horizon_days + 5)
    with pytest.raises(ValidationError) as refused:
        _book(world.member_a, room, world.group_a.organization, _at(far, 10), _at(far, 11))
    assert refused.value.error_dict["starts_at"][0].code == "booking_too_far"
    assert _book(world.staff_a, room, world.a, _at(far, 10), _at(far, 11)).status == m.BookingStatus.APPROVED


def test_who_may_book_for_whom(world, room, day):
    with pytest.raises(PermissionDenied):  # a member books only for its own group
        _book(world.member_a, room, world.group_a2.organization, _at(day, 10), _at(day, 11))
    with pytest.raises(PermissionDenied):  # another center's staff
        _book(world.staff_b, room, world.a, _at(day, 10), _at(day, 11))
    with pytest.raises(ValidationError) as refused:  # a group of another center
        _book(world.staff_a, room, world.group_b.organization, _at(day, 10), _at(day, 11))
    assert refused.value.error_dict["organization"][0].code == "organization_unknown"
    services.group_update(acting_user=world.staff_a, group=world.group_a, status=m.GroupStatus.SUSPENDED)
    with pytest.raises(ValidationError) as refused:
        _book(world.member_a, room, world.group_a.organization, _at(day, 10), _at(day, 11))
    assert refused.value.code == "group_not_active"
    assert not m.Booking.objects.exists()


def test_a_group_cancels_until_the_deadline_staff_always(world, room, day):
    booking = _book(world.member_a, room, world.group_a.organization, _at(day, 10), _at(day, 12))
    late = day - dt.timedelta(days=2)
    with pytest.raises(ValidationError) as refused:
        services.booking_cancel(acting_user=world.member_a, booking=booking, today=late)
    assert refused.value.code == "booking_cancel_too_late"
    assert m.Booking.objects.get(pk=booking.pk).status == m.BookingStatus.PENDING
    services.booking_cancel(acting_user=world.member_a, booking=booking, today=day - dt.timedelta(days=3))
    other = _book(world.member_a, room, world.group_a.organization, _at(day, 14), _at(day, 15))
    services.booking_cancel(acting_user=world.staff_a, booking=other, today=day)
    assert m.GroupNotice.objects.filter(group=world.group_a, kind=m.NoticeKind.BOOKING_CANCELLED).count() == 1
    with pytest.raises(ValidationError):
        services.booking_cancel(acting_user=world.staff_a, booking=other)


def test_reject_needs_a_reason_and_only_pending_is_decided(world, room, day):
    booking = _book(world.member_a, room, world.group_a.organization, _at(day, 10), _at(day, 12))
    with pytest.raises(ValidationError):
        services.booking_reject(acting_user=world.staff_a, booking=booking, note=" ")
    services.booking_reject(acting_user=world.staff_a, booking=booking, note="協働事業の会場として使用します")
    with pytest.raises(ValidationError) as refused:
        services.booking_approve(acting_user=world.staff_a, booking=booking)
    assert refused.value.code == "booking_not_pending"
    with pytest.raises(PermissionDenied):
        services.booking_approve(acting_user=world.member_a, booking=booking)


def test_the_slip_pdf_holds_room_date_and_group(client, world, room, day):
    booking = _book(world.member_a, room, world.group_a.organization, _at(day, 10), _at(day, 12),
                    purpose="子育てサロンの打ち合わせ")
    services.booking_approve(acting_user=world.staff_a, booking=booking)
    client.force_login(world.member_a)
    response = client.get(reverse("booking-slip", args=[booking.uuid]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "利用票" in text and "スペースA" in text and "Chigasaki Cat's Protect" in text
    assert "子育てサロンの打ち合わせ" in text and "10:00" in text
    assert f"{day.month}月{day.day}日" in text
    client.force_login(f.member("member_a2", world.group_a2.organization, Role.GROUP_MEMBER))
    assert client.get(reverse("booking-slip", args=[booking.uuid])).status_code == 404


def test_usage_per_room_and_month(world, room, day):
    _book(world.staff_a, room, world.a, _at(day, 10), _at(day, 13))
    _book(world.staff_a, room, world.a, _at(day, 14), _at(day, 15))
    pending = _book(world.member_a, room, world.group_a.organization, _at(day, 16), _at(day, 18))
    stats = usage_statistics(user=world.staff_a)
    row = stats["rows"][0]
    index = stats["months"].index(dt.date(day.year, day.month, 1))
    assert row["room"] == room
    assert row["hours"][index] == 4 and row["counts"][index] == 2  # the pending request is not counted
    assert stats["chart"]["bars"]
    assert pending.status == m.BookingStatus.PENDING
    assert usage_statistics(user=world.staff_b)["rows"] == []


def test_the_api_books_and_refuses_an_overlap_with_a_code(api, world, room, day):
    staff, member = api(world.staff_a), api(world.member_a)
    body = {"room": str(room.uuid), "organization": str(world.group_a.organization.uuid), "purpose": "定例会",
            "attendees": 5, "starts_at": _at(day, 10).isoformat(), "ends_at": _at(day, 12).isoformat()}
    made = member.post("/api/v1/bookings/", body, format="json")
    assert made.status_code == 201 and made.json()["status"] == "pending"
    again = staff.post("/api/v1/bookings/", {**body, "organization": str(world.a.uuid)}, format="json")
    assert again.status_code == 400
    error = again.json()["error"]
    assert error["fields"]["non_field_errors"][0]["code"] == "booking_overlap"
    assert "すでに予約が入っています" in error["fields"]["non_field_errors"][0]["message"]
    closed = member.post("/api/v1/bookings/", {**body, "starts_at": _at(day, 7).isoformat()}, format="json")
    assert closed.json()["error"]["fields"]["starts_at"][0]["code"] == "booking_outside_hours"
    assert m.Booking.objects.count() == 1
    uuid = made.json()["uuid"]
    assert member.post(f"/api/v1/bookings/{uuid}/approve/", {}, format="json").status_code == 403
    assert staff.post(f"/api/v1/bookings/{uuid}/approve/", {}, format="json").json()["status"] == "approved"
    assert api(world.staff_b).get(f"/api/v1/bookings/{uuid}/").status_code == 404


def test_the_group_page_shows_the_japanese_refusal_and_stores_nothing(client, world, room, day):
    _book(world.staff_a, room, world.a, _at(day, 10), _at(day, 12))
    client.force_login(world.member_a)
    url = reverse("my-group-spaces", args=[world.group_a.uuid])
    form = {"room": str(room.uuid), "day": day.isoformat(), "starts": "11:00", "ends": "13:00", "purpose": "定例会",
            "attendees": "5"}
    response = client.post(url, form)
    assert response.status_code == 400 and "すでに予約が入っています" in response.content.decode()
    page = client.get(url).content.decode()
    assert "10:00–12:00" in page and world.a.name not in page.split('id="calendar"')[1]
    assert m.Booking.objects.count() == 1
    ok = client.post(url, {**form, "starts": "12:00", "ends": "13:00"})
    assert ok.status_code == 302
    assert m.Booking.objects.get(organization=world.group_a.organization).status == m.BookingStatus.PENDING
