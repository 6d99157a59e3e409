"""Many cases at once (services.cases_create_many): the same outbox payload and audit as one case written
through case_create and shared, the center's scope, and a bad entry that keeps nothing of its batch."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from nodes import models as m, services
from permissions.models import AuditEvent
from sync.models import OutboxEntry

VALUES = {"summary": "市と団体が共催で続けた。", "form": "kyosai", "fiscal_year_start": 2022, "outcome": "continued"}


def _payload(case) -> dict:
    entry = OutboxEntry.objects.filter(entity_type="shared_case", entity_uuid=case.uuid).order_by("-id").first()
    return {k: v for k, v in entry.payload.items() if k != "title"} | {"op": entry.op}


def test_many_cases_leave_as_one_case_shared_through_case_create_does(world):
    parties = [{"organization": world.department, "role": "government", "contribution": "会場の手配"}]
    one = services.case_create(acting_user=world.staff_a, center=world.a, title="海岸清掃（単独）", parties=parties,
                               **VALUES)
    one = services.case_set_sharing(acting_user=world.staff_a, case=one, level="anonymized", reach="national")
    many = services.cases_create_many(acting_user=world.staff_a, center=world.a, batch_size=2, cases=[
        {"title": f"海岸清掃 第{n}回", "sharing_level": "anonymized", "sharing_reach": "national", "parties": parties,
         **VALUES} for n in range(1, 6)] + [{"title": "非公開の事例", **VALUES}])
    assert len(many) == 6 and m.CollaborationCase.objects.filter(center=world.a, title__startswith="海岸清掃 第").count() == 5
    assert all(_payload(case) == _payload(one) for case in many[:5])
    assert _payload(one)["reach"] == "national" and _payload(one)["op"] == "upsert"
    assert not OutboxEntry.objects.filter(entity_uuid=many[5].uuid).exists()  # private: nothing leaves
    assert AuditEvent.objects.filter(action="collaborationcase.create", target_uuid=many[0].uuid).exists()
    assert many[0].party_roles.get().contribution == "会場の手配"


def test_a_bad_entry_keeps_nothing_of_its_batch_and_another_centers_staff_are_refused(world):
    good = {"title": "見守り活動", **VALUES}
    with pytest.raises(ValidationError) as caught:
        services.cases_create_many(acting_user=world.staff_a, center=world.a, batch_size=2,
                                   cases=[good, {**good, "title": "第二"}, {**good, "title": "第三", "fiscal_year_start": None}])
    assert caught.value.messages
    # The first batch stays, the failing one is rolled back whole.
    assert set(m.CollaborationCase.objects.filter(title__in=["見守り活動", "第二", "第三"]).values_list("title", flat=True)) == {
        "見守り活動", "第二"}
    with pytest.raises(ValidationError):
        services.cases_create_many(acting_user=world.staff_a, center=world.a, cases=[{**good, "colour": "赤"}])
    with pytest.raises(PermissionDenied):
        services.cases_create_many(acting_user=world.staff_b, center=world.a, cases=[good])
