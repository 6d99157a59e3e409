"""Registration lifecycle: the renewal window, reminders, lapse and review (services)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError

from deploy.demo.seeder import seed_center
from nodes import lifecycle, models as m, services
from nodes.models import NoticeKind, RenewalStatus
from permissions.models import AuditEvent, Role
from sync.models import OutboxEntry

from .. import factories as f

DUE = dt.date(2026, 3, 31)  # group_a registered 2023-04-01: three 年度, to the end of 令和7年度


def _kinds(group):
    return sorted(m.GroupNotice.objects.filter(group=group).values_list("kind", flat=True))


def _open(world, days_before=60):
    services.renewals_sweep(today=DUE - dt.timedelta(days=days_before))
    return m.RegistrationRenewal.objects.get(group=world.group_a, due_on=DUE)


def test_the_due_date_of_the_world_group(world):
    assert world.group_a.renewal_due == DUE


def test_sweep_opens_the_renewal_90_days_before_and_not_a_day_earlier(world):
    assert services.renewals_sweep(today=DUE - dt.timedelta(days=91)) == {"opened": 0, "reminded": 0, "lapsed": 0}
    assert not m.RegistrationRenewal.objects.filter(group=world.group_a).exists()
    counts = services.renewals_sweep(today=DUE - dt.timedelta(days=90))
    assert counts["opened"] == 3  # group_a, group_a2 (center A) and group_b (center B) share the due date
    renewal = m.RegistrationRenewal.objects.get(group=world.group_a)
    assert (renewal.status, renewal.due_on, renewal.fiscal_year) == (RenewalStatus.OPEN, DUE, 2025)
    assert _kinds(world.group_a) == [NoticeKind.RENEWAL_OPEN]


def test_sweep_is_idempotent_on_the_same_day_and_reminds_at_30_and_7_days(world):
    services.renewals_sweep(today=DUE - dt.timedelta(days=90))
    again = services.renewals_sweep(today=DUE - dt.timedelta(days=90))
    assert again == {"opened": 0, "reminded": 0, "lapsed": 0}
    services.renewals_sweep(today=DUE - dt.timedelta(days=31))
    assert _kinds(world.group_a) == [NoticeKind.RENEWAL_OPEN]
    for _ in range(2):
        services.renewals_sweep(today=DUE - dt.timedelta(days=30))
    services.renewals_sweep(today=DUE - dt.timedelta(days=29))
    assert _kinds(world.group_a) == sorted([NoticeKind.RENEWAL_OPEN, NoticeKind.REMINDER_30])
    services.renewals_sweep(today=DUE - dt.timedelta(days=7))
    services.renewals_sweep(today=DUE - dt.timedelta(days=7))
    assert _kinds(world.group_a) == sorted([NoticeKind.RENEWAL_OPEN, NoticeKind.REMINDER_30, NoticeKind.REMINDER_7])
    assert m.RegistrationRenewal.objects.filter(group=world.group_a).count() == 1


def test_a_sweep_that_missed_days_sends_only_the_latest_reminder(world):
    services.renewals_sweep(today=DUE - dt.timedelta(days=20))
    assert _kinds(world.group_a) == sorted([NoticeKind.RENEWAL_OPEN, NoticeKind.REMINDER_30])


def test_an_answered_renewal_is_not_reminded(world):
    renewal = _open(world)
    services.renewal_answer(acting_user=world.member_a, renewal=renewal, continues=True)
    services.renewals_sweep(today=DUE - dt.timedelta(days=7))
    assert _kinds(world.group_a) == [NoticeKind.RENEWAL_OPEN]


def test_lapse_the_day_after_the_due_date_not_on_it(world):
    _open(world)
    assert services.renewals_sweep(today=DUE)["lapsed"] == 0
    world.group_a.refresh_from_db()
    assert world.group_a.status == m.GroupStatus.ACTIVE
    assert services.renewals_sweep(today=DUE + dt.timedelta(days=1))["lapsed"] == 3
    world.group_a.refresh_from_db()
    assert world.group_a.status == m.GroupStatus.LAPSED
    assert m.RegistrationRenewal.objects.get(group=world.group_a).status == RenewalStatus.LAPSED
    assert NoticeKind.LAPSED in _kinds(world.group_a)
    assert AuditEvent.objects.filter(action="groupregistration.lapse", target_uuid=world.group_a.uuid).count() == 1
    assert services.renewals_sweep(today=DUE + dt.timedelta(days=2)) == {"opened": 0, "reminded": 0, "lapsed": 0}
    assert _kinds(world.group_a).count(NoticeKind.LAPSED) == 1


def test_a_group_never_opened_still_lapses_with_a_record_of_it(world):
    services.renewals_sweep(today=DUE + dt.timedelta(days=5))
    renewal = m.RegistrationRenewal.objects.get(group=world.group_a)
    assert renewal.status == RenewalStatus.LAPSED


def test_an_accepted_renewal_does_not_lapse(world):
    renewal = _open(world)
    services.renewal_answer(acting_user=world.member_a, renewal=renewal, continues=True)
    services.renewal_accept(acting_user=world.staff_a, renewal=renewal)
    services.renewals_sweep(today=DUE + dt.timedelta(days=1))
    world.group_a.refresh_from_db()
    assert (world.group_a.status, world.group_a.renewal_due) == (m.GroupStatus.ACTIVE, dt.date(2029, 3, 31))


def test_an_answer_in_time_waits_for_the_centers_review_instead_of_lapsing(world):
    renewal = _open(world)
    services.renewal_answer(acting_user=world.member_a, renewal=renewal, continues=True)
    counts = services.renewals_sweep(today=DUE + dt.timedelta(days=3))  # the review is late
    world.group_a.refresh_from_db()
    renewal.refresh_from_db()
    assert (world.group_a.status, renewal.status) == (m.GroupStatus.ACTIVE, RenewalStatus.ANSWERED)
    assert counts["lapsed"] == 2  # the world's other groups, which never answered
    assert NoticeKind.LAPSED not in _kinds(world.group_a)


def test_staff_open_the_window_early_only_from_90_days(world):
    with pytest.raises(ValidationError) as error:
        services.renewal_open(acting_user=world.staff_a, group=world.group_a, today=DUE - dt.timedelta(days=91))
    assert error.value.code == "renewal_not_open_yet"
    assert not m.RegistrationRenewal.objects.exists()
    renewal = services.renewal_open(acting_user=world.staff_a, group=world.group_a, today=DUE - dt.timedelta(days=90))
    assert renewal.status == RenewalStatus.OPEN
    with pytest.raises(PermissionDenied):
        services.renewal_open(acting_user=world.member_a, group=world.group_a, today=DUE)
    with pytest.raises(PermissionDenied):
        services.renewal_open(acting_user=world.staff_b, group=world.group_a, today=DUE)


def test_a_member_answers_with_difficulties(world):
    renewal = _open(world)
    renewal = services.renewal_answer(
        acting_user=world.member_a, renewal=renewal, continues=True, changes="会員数が12名になりました",
        difficulties=["successors", "funding"], difficulty_other="")
    assert renewal.status == RenewalStatus.ANSWERED
    assert not renewal.entered_by_staff
    assert sorted(renewal.difficulties.values_list("difficulty", flat=True)) == ["funding", "successors"]


def test_staff_enter_the_answer_after_a_phone_call(world):
    renewal = services.renewal_answer(acting_user=world.staff_a, renewal=_open(world), continues=True,
                                      difficulties=["other"], difficulty_other="会場の予約が取りにくい")
    assert renewal.entered_by_staff
    assert list(renewal.difficulties.values_list("difficulty", flat=True)) == ["other"]


@pytest.mark.parametrize("values, field, code", [
    ({"continues": None}, "continues", "required"),
    ({"continues": True, "difficulties": ["other"]}, "difficulty_other", "other_needs_text"),
    ({"continues": True, "difficulties": ["weather"]}, "difficulties", "invalid_choice"),
])
def test_a_bad_answer_is_refused_and_writes_nothing(world, values, field, code):
    renewal = _open(world)
    with pytest.raises(ValidationError) as error:
        services.renewal_answer(acting_user=world.member_a, renewal=renewal, **values)
    assert error.value.error_dict[field][0].code == code
    renewal.refresh_from_db()
    assert (renewal.status, renewal.answered_at) == (RenewalStatus.OPEN, None)
    assert not m.RenewalDifficultyAnswer.objects.exists()


def test_no_one_else_answers_a_groups_renewal(world):
    renewal = _open(world)
    other_member = f.member("member_a2", world.group_a2.organization, Role.GROUP_MEMBER)
    for user in (other_member, world.staff_b, world.dept_staff):
        with pytest.raises(ObjectDoesNotExist):
            services.renewal_answer(acting_user=user, renewal=renewal, continues=True)
    renewal.refresh_from_db()
    assert renewal.status == RenewalStatus.OPEN


def test_review_accept_moves_the_due_date_three_fiscal_years(world):
    renewal = _open(world)
    with pytest.raises(ValidationError) as error:
        services.renewal_accept(acting_user=world.staff_a, renewal=renewal)
    assert error.value.code == "renewal_not_answered"
    services.renewal_answer(acting_user=world.member_a, renewal=renewal, continues=True)
    with pytest.raises(PermissionDenied):
        services.renewal_accept(acting_user=world.member_a, renewal=renewal)
    renewal = services.renewal_accept(acting_user=world.staff_a, renewal=renewal)
    world.group_a.refresh_from_db()
    assert renewal.status == RenewalStatus.ACCEPTED
    assert world.group_a.renewal_due == dt.date(2029, 3, 31)
    assert NoticeKind.ACCEPTED in _kinds(world.group_a)
    with pytest.raises(ValidationError) as error:
        services.renewal_answer(acting_user=world.member_a, renewal=renewal, continues=True)
    assert error.value.code == "renewal_closed"


def test_a_group_that_stops_is_not_accepted(world):
    renewal = services.renewal_answer(acting_user=world.member_a, renewal=_open(world), continues=False)
    with pytest.raises(ValidationError) as error:
        services.renewal_accept(acting_user=world.staff_a, renewal=renewal)
    assert error.value.code == "renewal_not_continuing"
    world.group_a.refresh_from_db()
    assert world.group_a.renewal_due == DUE


def test_review_asks_for_changes_and_the_group_answers_again(world):
    renewal = services.renewal_answer(acting_user=world.member_a, renewal=_open(world), continues=True)
    with pytest.raises(ValidationError) as error:
        services.renewal_request_changes(acting_user=world.staff_a, renewal=renewal, note="  ")
    assert error.value.error_dict["note"][0].code == "required"
    renewal = services.renewal_request_changes(acting_user=world.staff_a, renewal=renewal,
                                               note="代表者の変更を書いてください")
    assert renewal.status == RenewalStatus.CHANGES_REQUESTED
    notice = m.GroupNotice.objects.get(group=world.group_a, kind=NoticeKind.CHANGES_REQUESTED)
    assert notice.text == "代表者の変更を書いてください"
    services.renewals_sweep(today=DUE - dt.timedelta(days=7))
    assert NoticeKind.REMINDER_7 in _kinds(world.group_a)  # still waiting for the group: reminded
    renewal = services.renewal_answer(acting_user=world.member_a, renewal=renewal, continues=True,
                                      changes="代表者が交代しました")
    assert renewal.status == RenewalStatus.ANSWERED


def test_a_direct_renewal_settles_the_open_cycle(world):
    renewal = _open(world)
    services.group_renew(acting_user=world.staff_a, group=world.group_a, renewed_on=DUE - dt.timedelta(days=10))
    renewal.refresh_from_db()
    assert renewal.status == RenewalStatus.ACCEPTED


def test_a_lapsed_group_leaves_the_public_listing(world):
    services.renewals_sweep(today=DUE + dt.timedelta(days=1))
    world.group_a.refresh_from_db()
    assert world.group_a.status == "lapsed"
    assert not m.GroupRegistration.objects.filter(pk=world.group_a.pk, status="active").exists()


@pytest.mark.parametrize("key, login", [("chigasaki", "chigasaki-group"), ("nishiku", "nishiku-group")])
def test_the_demo_centers_show_each_renewal_state_and_a_group_login(db, key, login):
    logins = {entry.username for entry in seed_center(key)}
    assert login in logins
    renewals = m.RegistrationRenewal.objects.filter(group__center__memberships__user__username=f"{key}-staff")
    assert renewals.filter(status=RenewalStatus.OPEN).exists()
    assert renewals.filter(status=RenewalStatus.ANSWERED, difficulties__isnull=False).exists()
    assert renewals.filter(status=RenewalStatus.LAPSED, group__status=m.GroupStatus.LAPSED).exists()
    member = get_user_model().objects.get(username=login)
    group = lifecycle.my_groups(user=member).get()
    page = lifecycle.my_group_page(user=member, uuid=group.uuid)
    assert page["renewal"].status == RenewalStatus.OPEN and page["notices"]


def test_a_lapsed_group_is_retracted_from_the_hub_directory(world):
    services.group_set_consent(acting_user=world.staff_a, group=world.group_a, consent="hub_listing", given=True)
    assert OutboxEntry.objects.filter(entity_type="directory_group", entity_uuid=world.group_a.uuid,
                                      op="upsert").exists()
    services.renewals_sweep(today=DUE + dt.timedelta(days=1))
    last = OutboxEntry.objects.filter(entity_type="directory_group", entity_uuid=world.group_a.uuid).order_by("-pk")[0]
    assert last.op == "retract"
