"""Group boxes: a round, renewals kept, the draw recorded and reproduced from its seed and list, the
waiting list, notices to the groups, and the pages (staff, public record, わたしの団体)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from nodes import lottery, models as m, services
from nodes.boxes_selectors import verify_draw
from permissions.models import AuditEvent, Role

from .. import factories as f

OPEN, CLOSE, TERM = dt.date(2027, 1, 10), dt.date(2027, 2, 10), dt.date(2027, 4, 1)


@pytest.fixture
def boxes(world):
    made = [services.box_create(acting_user=world.staff_a, center=world.a, label=f"S-{i:02d}", size="small")
            for i in range(1, 3)]
    made.append(services.box_create(acting_user=world.staff_a, center=world.a, label="L-01", size="large"))
    return made


@pytest.fixture
def groups(world):
    extra = [f.group(world.staff_a, world.a, f"西区の会{i}") for i in range(1, 5)]
    return [world.group_a, world.group_a2, *extra]


def _round(world, term=TERM, open_on=OPEN, close_on=CLOSE, title="2027〜2028年度 グループボックス"):
    return services.box_round_open(acting_user=world.staff_a, center=world.a, title=title, term_starts_on=term,
                                   applications_open_on=open_on, applications_close_on=close_on)


def _apply(user, round_, group, size="small", renew=False, today=OPEN):
    return services.box_apply(acting_user=user, round=round_, group=group, size=size, renew=renew, today=today)


def test_the_draw_is_recorded_and_reproduced_from_its_seed_and_list(world, boxes, groups):
    round_ = _round(world)
    assert m.GroupNotice.objects.filter(kind=m.NoticeKind.BOX_ROUND_OPEN).count() == len(groups)
    _apply(world.member_a, round_, world.group_a)
    for group in groups[1:]:
        _apply(world.staff_a, round_, group, size="large" if group == groups[-1] else "small")
    drawn = services.box_draw(acting_user=world.staff_a, round=round_, today=CLOSE + dt.timedelta(days=1))
    assert drawn.status == m.RoundStatus.DRAWN and len(drawn.seed) == 32 and drawn.algorithm == lottery.ALGORITHM
    assert [e["number"] for e in drawn.entries] == list(range(1, 7))
    # Anyone with the list and the seed gets the same result.
    again = lottery.recompute(drawn.seed, drawn.entries, drawn.offered_boxes)
    assert again.as_record() == drawn.result
    verification = verify_draw(drawn)
    assert verification.ok
    applications = {a.number: a for a in drawn.applications.all()}
    for number, label in drawn.result["allocations"].items():
        assert applications[int(number)].state == m.ApplicationState.WON
        assert applications[int(number)].box.label == label
    waiting = [applications[n] for n in drawn.result["waiting"]]
    assert [a.state for a in waiting] == [m.ApplicationState.WAITING] * 3
    assert [a.waiting_position for a in waiting] == [1, 2, 3]
    assert m.GroupNotice.objects.filter(kind=m.NoticeKind.BOX_WON).count() == 3
    assert m.GroupNotice.objects.filter(kind=m.NoticeKind.BOX_WAITING).count() == 3
    audit = AuditEvent.objects.get(action="boxround.draw", target_uuid=drawn.uuid)
    assert audit.detail["seed"] == drawn.seed and audit.detail["entries"] == 6
    # A changed record no longer verifies.
    m.BoxRound.objects.filter(pk=drawn.pk).update(seed="0" * 32)
    assert not verify_draw(m.BoxRound.objects.get(pk=drawn.pk)).ok


def test_a_given_seed_draws_the_same_order_twice(world, boxes, groups):
    results = []
    for year, title in ((2027, "第1回"), (2029, "第2回")):
        round_ = _round(world, term=dt.date(year, 4, 1), open_on=dt.date(year, 1, 10), close_on=dt.date(year, 2, 10),
                        title=title)
        for group in groups:
            services.box_apply(acting_user=world.staff_a, round=round_, group=group, size="small")
        round_ = services.box_draw(acting_user=world.staff_a, round=round_, seed="kyodo",
                                   today=dt.date(year, 2, 11))
        results.append(round_.result["order"])
    assert results[0] == results[1]


def test_renewals_keep_their_box_and_only_the_rest_is_drawn(world, boxes, groups):
    first = _round(world)
    _apply(world.member_a, first, world.group_a)
    services.box_draw(acting_user=world.staff_a, round=first, today=CLOSE + dt.timedelta(days=1))
    held = m.BoxApplication.objects.get(round=first, group=world.group_a).box
    second = _round(world, term=dt.date(2029, 4, 1), open_on=dt.date(2029, 1, 10), close_on=dt.date(2029, 2, 10),
                    title="2029〜2030年度")
    notice = m.GroupNotice.objects.filter(group=world.group_a, kind=m.NoticeKind.BOX_ROUND_OPEN).first()
    assert held.label in notice.text and "更新" in notice.text
    renewal = _apply(world.member_a, second, world.group_a, renew=True, today=dt.date(2029, 1, 11))
    assert renewal.renews == held and renewal.size == held.size
    _apply(world.staff_a, second, groups[2], today=dt.date(2029, 1, 11))
    drawn = services.box_draw(acting_user=world.staff_a, round=second, today=dt.date(2029, 2, 11))
    assert m.BoxApplication.objects.get(pk=renewal.pk).state == m.ApplicationState.RENEWED
    assert held.label not in [b["label"] for b in drawn.offered_boxes]
    assert [e["number"] for e in drawn.entries] == [2]
    with pytest.raises(ValidationError) as refused:  # renewing nothing
        _apply(world.staff_a, _round(world, term=dt.date(2031, 4, 1), open_on=dt.date(2031, 1, 1),
                                     close_on=dt.date(2031, 2, 1), title="2031"), groups[3], renew=True,
               today=dt.date(2031, 1, 2))
    assert refused.value.error_dict["renew"][0].code == "box_nothing_to_renew"


def test_a_freed_box_goes_to_the_first_waiting_group_who_is_told(world, boxes, groups):
    round_ = _round(world)
    for group in groups:
        _apply(world.staff_a, round_, group)
    round_ = services.box_draw(acting_user=world.staff_a, round=round_, today=CLOSE + dt.timedelta(days=1))
    winner = round_.applications.filter(state=m.ApplicationState.WON).order_by("draw_position").first()
    first_waiting = round_.applications.get(state=m.ApplicationState.WAITING, waiting_position=1)
    following = services.box_release(acting_user=world.staff_a, application=winner)
    assert following == first_waiting
    following.refresh_from_db()
    assert following.state == m.ApplicationState.WON and following.box == winner.box
    assert m.GroupNotice.objects.filter(group=following.group, kind=m.NoticeKind.BOX_ASSIGNED).exists()
    assert verify_draw(m.BoxRound.objects.get(pk=round_.pk)).ok  # later moves are not the draw
    with pytest.raises(ValidationError):
        services.box_release(acting_user=world.staff_a, application=winner)


def test_bad_applications_and_draws_are_refused_and_change_nothing(world, boxes, groups):
    round_ = _round(world)
    for today, code in ((OPEN - dt.timedelta(days=1), "round_window_closed"),
                        (CLOSE + dt.timedelta(days=1), "round_window_closed")):
        with pytest.raises(ValidationError) as refused:
            _apply(world.member_a, round_, world.group_a, today=today)
        assert refused.value.code == code
    with pytest.raises(ValidationError) as refused:
        _apply(world.member_a, round_, world.group_a, size="huge")
    assert refused.value.error_dict["size"][0].code == "invalid_choice"
    with pytest.raises(PermissionDenied):
        _apply(world.member_a, round_, world.group_a2)
    _apply(world.member_a, round_, world.group_a)
    with pytest.raises(ValidationError) as refused:
        _apply(world.member_a, round_, world.group_a)
    assert refused.value.code == "box_already_applied"
    with pytest.raises(ValidationError) as refused:
        services.box_draw(acting_user=world.staff_a, round=round_, today=CLOSE)
    assert refused.value.code == "round_window_open"
    with pytest.raises(PermissionDenied):
        services.box_draw(acting_user=world.member_a, round=round_, today=CLOSE + dt.timedelta(days=1))
    assert m.BoxRound.objects.get(pk=round_.pk).status == m.RoundStatus.OPEN
    assert m.BoxApplication.objects.filter(round=round_).count() == 1
    with pytest.raises(ValidationError) as refused:
        services.box_create(acting_user=world.staff_a, center=world.a, label="S-01", size="small")
    assert refused.value.error_dict["label"][0].code == "box_label_taken"


def test_pages_staff_public_record_and_my_group(client, world, boxes, groups):
    round_ = _round(world)
    _apply(world.member_a, round_, world.group_a)
    _apply(world.staff_a, round_, groups[2])
    client.force_login(world.staff_a)
    assert "抽選する" in client.get(reverse("box-round", args=[round_.uuid])).content.decode()
    services.box_draw(acting_user=world.staff_a, round=round_, today=CLOSE + dt.timedelta(days=1))
    page = client.get(reverse("boxes")).content.decode()
    assert "S-01" in page and round_.title in page
    client.logout()
    record = client.get(reverse("box-draw", args=[round_.uuid]) + "?verify=1").content.decode()
    assert 'id="verified"' in record and "一致" in record and "Chigasaki" not in record
    client.force_login(world.member_a)
    mine = client.get(reverse("my-group-detail", args=[world.group_a.uuid])).content.decode()
    assert "グループボックス" in mine and "抽選の記録" in mine
    client.force_login(f.member("member_b", world.group_b.organization, Role.GROUP_MEMBER))
    assert client.get(reverse("boxes")).status_code == 403
    assert client.get(reverse("box-round", args=[round_.uuid])).status_code == 403


def test_the_staff_forms_show_japanese_errors_and_change_nothing(client, world, boxes):
    client.force_login(world.staff_a)
    response = client.post(reverse("boxes"), {"action": "round", "round-title": "次期", "round-term_starts_on": "2027-04-01",
                                              "round-applications_open_on": "2027-03-01",
                                              "round-applications_close_on": "2027-04-10"})
    assert response.status_code == 400 and "申込締切は利用期間の開始より前にしてください" in response.content.decode()
    response = client.post(reverse("boxes"), {"action": "box", "box-label": "S-01", "box-size": "small"})
    assert response.status_code == 400 and "この番号のボックスはすでにあります" in response.content.decode()
    assert not m.BoxRound.objects.exists() and m.GroupBox.objects.count() == 3
