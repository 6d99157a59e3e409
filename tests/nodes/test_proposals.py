"""Proposals (提案): a group member answers a 協働の種; the center takes it into matching (the proposal
is the match's origin) or declines; the department answers; the group follows the status — and
sees nothing of other groups' proposals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from nodes import models as m, proposal_selectors, services
from permissions.models import AuditEvent, Role

from .. import factories as f

PROPOSAL = {"title": "地域猫の譲渡会と啓発講座", "activity": "毎月の譲渡会と、自治会向けの啓発講座を開く",
            "people": "会員12名（獣医師1名を含む）", "timing": "2027年4月から1年間、月1回", "cost_yen": 180000,
            "cost_note": "会場費・チラシ印刷", "asks_of_city": "広報ちがさきへの掲載と公民館の会場確保"}


@pytest.fixture(autouse=True)
def published(world):
    """Groups answer what the city published: the need goes through the center's approval first."""
    services.publication_submit(acting_user=world.dept_staff, record=world.rec_a.need)
    services.publication_approve(acting_user=world.staff_a, record=world.rec_a.need)


def test_a_need_not_yet_published_takes_no_proposal(world):
    draft = services.need_create(acting_user=world.staff_a, center=world.a, requester=world.department,
                                 title="海岸清掃の担い手", description="海岸清掃を一緒に")
    with pytest.raises(ValidationError) as caught:
        services.proposal_submit(acting_user=world.member_a, need=draft, group=world.group_a, **PROPOSAL)
    assert "need_not_open" in _codes(caught.value)
    assert not m.Proposal.objects.exists()


def _submit(world, **extra):
    return services.proposal_submit(acting_user=world.member_a, need=world.rec_a.need, group=world.group_a,
                                    **{**PROPOSAL, **extra})


def _codes(error: ValidationError) -> set[str]:
    return {e.code for errors in error.error_dict.values() for e in errors}


def test_a_member_proposes_and_the_center_takes_it_to_a_case_while_the_group_follows(world, client):
    proposal = _submit(world)
    assert proposal.status == m.ProposalStatus.SUBMITTED and proposal.submitted_by == world.member_a
    assert proposal_selectors.pending_count(user=world.staff_a) == 1
    proposal = services.proposal_take_up(acting_user=world.staff_a, proposal=proposal, note="来週、課と打ち合わせます")
    match = proposal.match
    assert proposal.status == m.ProposalStatus.IN_PIPELINE and match.status == m.MatchStatus.PROPOSED
    assert match.need == world.rec_a.need and match.offer.group == world.group_a and not match.offer.is_published
    assert match.origin_proposal == proposal
    services.match_record_meeting(acting_user=world.staff_a, match=match, held_on=dt.date.today(), notes="役割分担を確認")
    services.match_agree(acting_user=world.staff_a, match=match, form=m.CollaborationForm.KYODO_SUISHIN_GYOSEI)
    services.match_create_case(acting_user=world.staff_a, match=match)
    proposal.refresh_from_db()
    assert proposal_selectors.stage_label(proposal) == "協働事例になりました"

    client.force_login(world.member_a)
    page = client.get(reverse("proposal-detail", args=[proposal.uuid])).content.decode()
    assert "協働事例になりました" in page and "来週、課と打ち合わせます" in page
    # The group follows the match its proposal started, step by step.
    assert reverse("matching-detail", args=[match.uuid]) in page
    assert "役割分担を確認" in client.get(reverse("matching-detail", args=[match.uuid])).content.decode()


def test_the_department_answers_inside_the_pipeline_and_the_group_reads_it(world, client):
    proposal = _submit(world)
    services.proposal_answer(acting_user=world.dept_staff, proposal=proposal, answer="会場は公民館を手配できます")
    client.force_login(world.member_a)
    assert "会場は公民館を手配できます" in client.get(reverse("proposal-detail", args=[proposal.uuid])).content.decode()
    assert AuditEvent.objects.filter(action="proposal.update", target_uuid=proposal.uuid, actor=world.dept_staff,
                                     detail__fields=["answered_at", "department_answer"]).exists()
    # A department answers for its own needs only.
    other_staff = f.member("dept_other", world.other_department, Role.DEPARTMENT_STAFF)
    with pytest.raises(Exception) as caught:
        services.proposal_answer(acting_user=other_staff, proposal=proposal, answer="…")
    assert isinstance(caught.value, m.Proposal.DoesNotExist | PermissionDenied)
    # Only the center decides; the group neither decides nor answers for the department.
    for acting_user in (world.dept_staff, world.member_a):
        with pytest.raises(PermissionDenied):
            services.proposal_take_up(acting_user=acting_user, proposal=proposal)
        with pytest.raises(PermissionDenied):
            services.proposal_decline(acting_user=acting_user, proposal=proposal, note="…")
    with pytest.raises(PermissionDenied):
        services.proposal_answer(acting_user=world.member_a, proposal=proposal, answer="…")
    with pytest.raises(PermissionDenied):  # withdrawing is the group's (or the center's), not the department's
        services.proposal_withdraw(acting_user=world.dept_staff, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.status == m.ProposalStatus.SUBMITTED and proposal.department_answer == "会場は公民館を手配できます"


@pytest.mark.parametrize(("change", "code"), [
    ({"title": ""}, "required_texts"),
    ({"need_status": m.NeedStatus.CLOSED}, "need_not_open"),
    ({"other_center": True}, "other_center"),
    ({"twice": True}, "already_proposed"),
])
def test_a_proposal_that_cannot_be_made_is_refused_with_its_code_and_nothing_is_written(world, change, code):
    if change.get("need_status"):
        services.need_update(acting_user=world.staff_a, need=world.rec_a.need, status=change["need_status"])
    if change.get("twice"):
        _submit(world)
    before = m.Proposal.objects.count()
    with pytest.raises(ValidationError) as caught:
        if change.get("other_center"):
            services.proposal_submit(acting_user=world.staff_b, need=world.rec_a.need, group=world.group_b, **PROPOSAL)
        else:
            _submit(world, **{k: v for k, v in change.items() if k in PROPOSAL})
    codes = _codes(caught.value) if hasattr(caught.value, "error_dict") else {caught.value.code}
    assert code in codes or (code == "required_texts" and "blank" in codes)
    assert m.Proposal.objects.count() == before


def test_a_member_proposes_only_for_its_own_group(world):
    with pytest.raises(PermissionDenied):
        services.proposal_submit(acting_user=world.member_a, need=world.rec_a.need, group=world.group_a2, **PROPOSAL)


def test_other_groups_members_see_nothing_of_a_proposal_even_by_its_uuid(world, client):
    proposal = _submit(world)
    outsider = f.member("member_a2", world.group_a2.organization, Role.GROUP_MEMBER)
    client.force_login(outsider)
    assert client.get(reverse("proposal-detail", args=[proposal.uuid])).status_code == 404
    assert proposal.title not in client.get(reverse("proposal-list")).content.decode()
    for action in ("proposal-withdraw", "proposal-answer", "proposal-take-up", "proposal-decline"):
        assert client.post(reverse(action, args=[proposal.uuid]), {"answer": "x", "note": "x"}).status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == m.ProposalStatus.SUBMITTED and proposal.department_answer == ""
    # The other center's staff neither.
    client.force_login(world.staff_b)
    assert client.get(reverse("proposal-detail", args=[proposal.uuid])).status_code == 404


def test_the_group_withdraws_until_the_center_decides(world):
    proposal = services.proposal_withdraw(acting_user=world.member_a, proposal=_submit(world))
    assert proposal.status == m.ProposalStatus.WITHDRAWN
    again = _submit(world)  # withdrawn ones do not block a new proposal
    services.proposal_decline(acting_user=world.staff_a, proposal=again, note="今年度は予算の見込みがありません")
    with pytest.raises(ValidationError) as caught:
        services.proposal_withdraw(acting_user=world.member_a, proposal=again)
    assert "already_decided" in _codes(caught.value)
    with pytest.raises(ValidationError) as caught:
        services.proposal_decline(acting_user=world.staff_a, proposal=_submit(world), note="  ")
    assert "required" in _codes(caught.value)


def test_the_proposal_form_shows_japanese_errors_and_writes_nothing(world, client):
    client.force_login(world.member_a)
    url = reverse("proposal-new", args=[world.rec_a.need.uuid])
    assert world.rec_a.need.title in client.get(url).content.decode()
    response = client.post(url, {"group": world.group_a.pk, "title": "", "activity": "", "people": "", "timing": "",
                                 "cost_yen": "-5"})
    assert response.status_code == 400
    page = response.content.decode()
    assert page.count("この項目は必須です。") == 4 and "0 以上" in page
    assert not m.Proposal.objects.exists()
    response = client.post(url, {"group": world.group_a.pk, **{k: v for k, v in PROPOSAL.items()}})
    assert response.status_code == 302
    proposal = m.Proposal.objects.get()
    assert response["Location"] == reverse("proposal-detail", args=[proposal.uuid])
    # A member of no group at this center cannot open the form.
    client.force_login(world.staff_b)
    assert client.get(url).status_code == 403


def test_the_center_sees_counts_per_need_and_the_board_shows_what_waits(world, client):
    _submit(world)
    services.proposal_withdraw(acting_user=world.member_a, proposal=m.Proposal.objects.get())
    _submit(world)
    other = f.member("member_a2b", world.group_a2.organization, Role.GROUP_MEMBER)
    services.proposal_submit(acting_user=other, need=world.rec_a.need, group=world.group_a2, **PROPOSAL)
    [row] = proposal_selectors.proposal_counts_per_need(user=world.staff_a)
    assert (row.need, row.total, row.submitted, row.withdrawn) == (world.rec_a.need, 3, 2, 1)
    assert proposal_selectors.proposal_counts_per_need(user=world.staff_b) == []
    client.force_login(world.staff_a)
    board = client.get(reverse("matching-board")).content.decode()
    assert 'id="pending-proposals">2<' in board


def test_the_groups_page_lists_its_proposals_and_where_each_stands(world, client):
    proposal = services.proposal_take_up(acting_user=world.staff_a, proposal=_submit(world))
    client.force_login(world.member_a)
    page = client.get(reverse("my-group-detail", args=[world.group_a.uuid])).content.decode()
    assert reverse("proposal-detail", args=[proposal.uuid]) in page and "マッチング: 提案" in page
