"""The audit log is append-only and written on every read of personal data; roles map to guardian groups."""

import pytest
from django.db import DatabaseError, transaction

from nodes import selectors
from nodes.models import Consultation, GroupRegistration, TalentVolunteer
from permissions.models import AuditEvent, Membership, Role
from permissions.scoping import scoped_queryset
from permissions.services import membership_grant, membership_revoke


def test_reading_personal_data_leaves_an_audit_row_without_the_values(world, api):
    before = AuditEvent.objects.count()
    for endpoint, record in (("groups", world.group_a), ("talents", world.rec_a.talent),
                             ("consultations", world.rec_a.consultation)):
        assert api(world.staff_a).get(f"/api/v1/{endpoint}/{record.uuid}/").status_code == 200
    rows = list(AuditEvent.objects.order_by("-id")[:3])
    assert AuditEvent.objects.count() == before + 3
    assert {row.action for row in rows} == {
        "groupregistration.read_personal", "talentvolunteer.read_personal", "consultation.read_personal"}
    assert all(row.actor == world.staff_a for row in rows)
    dump = repr([(row.detail, row.target_type) for row in rows])
    for value in ("杉浦 花子", "0467-00-0000", "cats@example.jp", "山田 太郎", "岡部 太郎"):
        assert value not in dump


def test_lists_show_no_personal_fields(world, api):
    body = api(world.staff_a).get("/api/v1/groups/").content.decode()
    assert "杉浦 花子" not in body and "0467-00-0000" not in body
    body = api(world.staff_a).get("/api/v1/talents/").content.decode()
    assert "山田 太郎" not in body


def test_audit_rows_cannot_be_changed_or_deleted(world):
    row = AuditEvent.objects.first()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=row.pk).update(action="tampered")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=row.pk).delete()


def test_the_ui_detail_page_is_audited_too(world, client):
    client.force_login(world.staff_a)
    before = AuditEvent.objects.filter(action="groupregistration.read_personal").count()
    assert client.get(f"/groups/{world.group_a.uuid}/").status_code == 200
    assert AuditEvent.objects.filter(action="groupregistration.read_personal").count() == before + 1


def test_revoking_a_membership_removes_access_at_once(world):
    assert scoped_queryset(world.staff_a, GroupRegistration).exists()
    membership = Membership.objects.get(user=world.staff_a, role=Role.CENTER_STAFF)
    membership_revoke(acting_user=world.admin_a, membership=membership)
    assert not scoped_queryset(world.staff_a, GroupRegistration).exists()
    assert not scoped_queryset(world.staff_a, Consultation).exists()


def test_a_role_only_fits_its_kind_of_organization(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        membership_grant(acting_user=world.admin_a, user=world.staff_b, organization=world.group_a.organization,
                         role=Role.CENTER_STAFF)
    assert error.value.error_dict["role"][0].code == "role_kind_mismatch"


def test_list_queries_do_not_grow_with_the_page(world, django_assert_max_num_queries):
    for n in range(30):
        from nodes import services

        services.talent_register(acting_user=world.staff_a, center=world.a, name=f"人材{n}", skills="歌")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(size):
        with CaptureQueriesContext(connection) as captured:
            list(selectors.record_list(user=world.staff_a, model=TalentVolunteer)[:size])
        return len(captured)

    assert count(5) == count(30)
