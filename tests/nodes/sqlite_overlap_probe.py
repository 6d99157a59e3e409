"""Run by test_spaces_sqlite.py inside `manage.py shell` on a migrated SQLite node: two threads, each with
its own SQLite connection, pass a barrier and book overlapping times of one room. Prints the outcome
as JSON (stored numbers, refusal codes and messages, rows in the table)."""

import datetime as dt
import json
import threading

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from nodes import models as m, services
from nodes.spaces_selectors import closed_reason
from permissions.models import OrganizationKind, Role
from permissions.services import membership_grant, organization_create

center = organization_create(acting_user=None, name="にしく市民活動支援センター", kind=OrganizationKind.CENTER,
                             municipality_code="141038", municipality_name="横浜市西区")
User = get_user_model()
staff = User.objects.create_user("staff_sqlite")
membership_grant(acting_user=None, user=staff, organization=center, role=Role.CENTER_STAFF)
groups, members = [], []
for index, name in enumerate(("西区子育てサロン", "戸部まちづくりの会")):
    group = services.group_register(acting_user=staff, center=center, name=name, name_kana="テスト",
                                    registered_on=dt.date(2024, 4, 1))
    member = User.objects.create_user(f"member_sqlite_{index}")
    membership_grant(acting_user=None, user=member, organization=group.organization, role=Role.GROUP_MEMBER)
    groups.append(group)
    members.append(member)
room = services.room_create(acting_user=staff, center=center, name="スペースA", capacity=48, opens_at=dt.time(9),
                            closes_at=dt.time(21))
day = timezone.localdate() + dt.timedelta(days=7)
while day.weekday() != 2 or closed_reason(room, day):
    day += dt.timedelta(days=1)
tz = timezone.get_current_timezone()
barrier = threading.Barrier(2)
outcomes = [None, None]


def book(index):
    try:
        barrier.wait(timeout=10)
        booking = services.booking_request(
            acting_user=members[index], room=room, organization=groups[index].organization, purpose="定例会",
            attendees=10, starts_at=dt.datetime.combine(day, dt.time(13 + index), tzinfo=tz),
            ends_at=dt.datetime.combine(day, dt.time(15 + index), tzinfo=tz))
        outcomes[index] = {"stored": booking.number}
    except ValidationError as error:
        outcomes[index] = {"code": error.code, "message": error.messages[0]}
    finally:
        connection.close()


threads = [threading.Thread(target=book, args=(i,)) for i in range(2)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join(timeout=60)

# And the trigger alone, without the service: an overlapping row is refused by the database.
values = {"center": center, "room": room, "organization": center, "purpose": "x", "attendees": 1}
trigger = ""
try:
    with transaction.atomic():
        m.Booking.objects.create(number=99, starts_at=dt.datetime.combine(day, dt.time(14), tzinfo=tz),
                                 ends_at=dt.datetime.combine(day, dt.time(14, 30), tzinfo=tz), **values)
except IntegrityError as error:
    trigger = str(error)
print(json.dumps({"outcomes": outcomes, "rows": m.Booking.objects.filter(room=room).count(), "trigger": trigger,
                  "vendor": connection.vendor}, ensure_ascii=False))
