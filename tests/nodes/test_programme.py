"""The 協働推進事業 cycle (seed 001): a call with its timetable, themes, 意見交換会, applications (from
staff and from a group's proposal), 公開プレゼン, 審査 — 採択 opens the two-year case with its
programme-budget lines — and the 2年目審査; every step out of order is refused with its code and
leaves everything as it was; only the center's staff take the steps."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from nodes import models as m, proposal_selectors, services
from nodes.figures import programme_cycle_counts
from permissions.models import AuditEvent

from .. import factories as f

TOKYO = ZoneInfo("Asia/Tokyo")
YEAR = 2023  # 募集年度: the adopted projects run 2024–2025


def _codes(error: ValidationError) -> set[str]:
    if hasattr(error, "error_dict"):
        return {e.code for errors in error.error_dict.values() for e in errors}
    return {e.code for e in error.error_list}


def _call(world, track=m.ProgrammeTrack.SHIMIN, **values):
    return services.call_create(acting_user=world.staff_a, center=world.a, fiscal_year=YEAR, track=track,
                                **{**m.suggested_timetable(YEAR), "budget_frame_yen": 10_000_000,
                                   "project_cap_yen": 3_000_000, **values})


def _advance(world, call, to):
    return services.call_advance(acting_user=world.staff_a, call=call, to=to)


def _apply(world, call, group=None, **values):
    values = {"title": "美術「みるっこ」プログラム事業", "summary": "幼稚園や保育園での鑑賞出張講座",
              "submitted_on": dt.date(YEAR, 10, 20), "requested_yen": 2_367_000,
              "responsible_department": world.other_department, **values}
    return services.application_submit(acting_user=world.staff_a, call=call,
                                       applicant=(group or world.group_a2).organization, **values)


def _at(day: dt.date, hour=14) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=TOKYO)


def _open_call(world, **values):
    return _advance(world, _call(world, **values), m.CallStatus.OPEN)


def _reviewing(world, call):
    return _advance(world, call, m.CallStatus.REVIEWING)


def _presented(world, application, day=dt.date(YEAR, 12, 2)):
    return services.application_present(acting_user=world.staff_a, application=application, presented_on=day)


def _adopt(world, application, **values):
    return services.application_adopt(acting_user=world.staff_a, application=application,
                                      decided_on=dt.date(YEAR, 12, 20), **values)


def _published_need(world):
    services.publication_submit(acting_user=world.dept_staff, record=world.rec_a.need)
    services.publication_approve(acting_user=world.staff_a, record=world.rec_a.need)
    return world.rec_a.need


def test_the_cycle_from_call_to_the_two_year_case_and_its_review(world):
    call = _call(world)
    assert call.title == "令和5年度 市民提案型協働推進事業" and call.status == m.CallStatus.THEMES
    theme = services.theme_propose(acting_user=world.staff_a, call=call, title="子どもが美術にふれる機会",
                                   proposer=world.group_a2.organization, department=world.other_department)
    assert (theme.origin, theme.center) == (m.ThemeOrigin.CITIZEN, world.a)
    services.theme_decide(acting_user=world.staff_a, theme=theme, adopt=True)
    call = _advance(world, call, m.CallStatus.OPEN)

    # 意見交換会: one recorded from the call's page, one recorded earlier and linked, one cancelled.
    meeting = services.call_meeting_create(
        acting_user=world.staff_a, call=call, starts_at=_at(dt.date(YEAR, 8, 21)), venue="市役所 会議室",
        groups=[world.group_a2.organization], departments=[world.other_department], attendance=6)
    assert meeting.kind == m.EventKind.IKEN_KOKAN and meeting.status == m.EventStatus.HELD
    assert meeting.title == "市民提案型協働推進事業 意見交換会（NPO法人赤ちゃんからのアートフレンドシップ協会・文化生涯学習課）"
    earlier = f.event(world.staff_a, world.a, "意見交換会（猫の適正管理）", kind=m.EventKind.IKEN_KOKAN,
                      starts_at=_at(dt.date(YEAR, 9, 5)))
    cancelled = f.event(world.staff_a, world.a, "意見交換会（台風で中止）", kind=m.EventKind.IKEN_KOKAN,
                        starts_at=_at(dt.date(YEAR, 9, 8)))
    services.event_cancel(acting_user=world.staff_a, event=cancelled, reason="台風のため中止")
    services.call_link_meetings(acting_user=world.staff_a, call=call, meetings=[earlier, cancelled])

    adopted = _apply(world, call, theme=theme)
    rejected = _apply(world, call, group=world.group_a, title="地域猫の適正管理講座", requested_yen=600_000,
                      responsible_department=world.department)
    proposal = services.proposal_submit(acting_user=world.member_a, need=_published_need(world), group=world.group_a,
                                        title="猫の譲渡会と啓発", activity="毎月の譲渡会", people="会員12名",
                                        timing="2024年度から", cost_yen=400_000)
    from_proposal = services.application_from_proposal(acting_user=world.staff_a, call=call, proposal=proposal,
                                                       submitted_on=dt.date(YEAR, 10, 25))
    assert from_proposal.proposal == proposal and from_proposal.responsible_department == world.department
    assert from_proposal.applicant == world.group_a.organization and from_proposal.requested_yen == 400_000
    proposal.refresh_from_db()
    assert proposal.status == m.ProposalStatus.IN_PROGRAMME and "令和5年度 市民提案型協働推進事業" in proposal.decision_note

    call = _reviewing(world, call)
    adopted = _presented(world, adopted)
    adopted = _adopt(world, adopted, amounts=[{"total_cost": 1_187_000}, {"total_cost": 1_180_000}],
                     note="子どもの鑑賞機会として評価")
    case = adopted.case
    assert adopted.status == m.ApplicationStatus.ADOPTED and adopted.decided_on == dt.date(YEAR, 12, 20)
    assert case.form == m.CollaborationForm.KYODO_SUISHIN_SHIMIN
    assert (case.fiscal_year_start, case.fiscal_year_end) == (2024, 2025)
    assert case.responsible_department == world.other_department and case.outcome == m.CaseOutcome.ONGOING
    assert (case.total_cost, case.city_share) == (2_367_000, 2_367_000)
    assert {(p.organization, p.role) for p in case.party_roles.all()} == {
        (world.group_a2.organization, m.PartyRole.LEAD), (world.other_department, m.PartyRole.GOVERNMENT)}
    assert [(y.fiscal_year, y.total_cost, y.city_share, y.budget_source, y.responsible_department)
            for y in case.years.all()] == [
        (2024, 1_187_000, 1_187_000, m.BudgetSource.PROGRAMME, world.other_department),
        (2025, 1_180_000, 1_180_000, m.BudgetSource.PROGRAMME, world.other_department)]

    rejected = services.application_reject(acting_user=world.staff_a, application=rejected,
                                           decided_on=dt.date(YEAR, 12, 20), note="保健所の事業と重なる")
    assert rejected.status == m.ApplicationStatus.NOT_ADOPTED and rejected.case is None
    services.application_withdraw(acting_user=world.staff_a, application=from_proposal, note="団体の体制が整わない")
    proposal.refresh_from_db()
    assert proposal_selectors.stage_label(proposal) == "協働推進事業: 取り下げ"
    call = _advance(world, call, m.CallStatus.DECIDED)

    # 意見交換会 2 (the cancelled one is not counted), 申込 3 (the withdrawn one was received), 採択 1.
    assert programme_cycle_counts(world.a, track=m.ProgrammeTrack.SHIMIN) == {
        YEAR: {"exchange_meetings": 2, "applications": 3, "adopted": 1}}
    assert programme_cycle_counts(world.a, track=m.ProgrammeTrack.GYOSEI) == {}

    # 2年目審査 in the second year: 予算縮小, the year after paid by the department (予算：担当課).
    adopted = services.application_review(
        acting_user=world.staff_a, application=adopted, reviewed_on=dt.date(2025, 11, 20),
        outcome=m.CaseOutcome.BUDGET_REDUCED, note="規模を縮小して継続",
        next_year={"total_cost": 800_000, "responsible_department": world.other_department})
    case.refresh_from_db()
    assert case.outcome == m.CaseOutcome.BUDGET_REDUCED and case.fiscal_year_end == 2026
    last = case.years.order_by("fiscal_year").last()
    assert (last.fiscal_year, last.total_cost, last.city_share, last.budget_source, last.responsible_department) == (
        2026, 800_000, 800_000, m.BudgetSource.DEPARTMENT, world.other_department)
    assert case.total_cost == 3_167_000
    assert adopted.reviewed_on == dt.date(2025, 11, 20) and adopted.review_note == "規模を縮小して継続"
    for action, target in (("programmecall.create", call), ("programmetheme.update", theme),
                           ("programmeapplication.update", adopted), ("collaborationcase.create", case),
                           ("collaborationcase.update", case)):
        assert AuditEvent.objects.filter(action=action, target_uuid=target.uuid, actor=world.staff_a).exists(), action


def test_gyosei_calls_open_on_a_departments_theme_and_applications_answer_it(world):
    call = _call(world, track=m.ProgrammeTrack.GYOSEI)
    with pytest.raises(ValidationError) as caught:
        _advance(world, call, m.CallStatus.OPEN)
    assert _codes(caught.value) == {"no_adopted_theme"}
    with pytest.raises(ValidationError) as caught:
        services.theme_propose(acting_user=world.staff_a, call=call, title="飼い主のいない猫対策")
    assert _codes(caught.value) == {"department_required"}
    theme = services.theme_propose(acting_user=world.staff_a, call=call, title="飼い主のいない猫対策",
                                   department=world.department)
    assert theme.origin == m.ThemeOrigin.DEPARTMENT
    services.theme_decide(acting_user=world.staff_a, theme=theme, adopt=True)
    call = _advance(world, call, m.CallStatus.OPEN)
    with pytest.raises(ValidationError) as caught:
        _apply(world, call, group=world.group_a, responsible_department=None)
    assert _codes(caught.value) == {"theme_required"}
    application = _apply(world, call, group=world.group_a, theme=theme, responsible_department=None,
                         title="飼い主のいない猫の不妊去勢手術及び猫の適正管理普及啓発事業", requested_yen=1_732_180)
    assert application.responsible_department == world.department  # the theme's department
    _reviewing(world, call)
    application = _adopt(world, _presented(world, application))
    assert application.case.form == m.CollaborationForm.KYODO_SUISHIN_GYOSEI
    assert [y.total_cost for y in application.case.years.all()] == [866_090, 866_090]
    # The department reads its own themes and applications, and writes none of them.
    assert list(proposal_selectors.scoped_queryset(world.dept_staff, m.ProgrammeApplication, "view")) == [application]
    with pytest.raises(PermissionDenied):
        services.application_review(acting_user=world.dept_staff, application=application,
                                    reviewed_on=dt.date(2025, 6, 1), outcome=m.CaseOutcome.ENDED)


def _state() -> dict:
    """Everything a refused step might have half-written."""
    return {
        "calls": list(m.ProgrammeCall.objects.values_list("pk", "status", "version", "title").order_by("pk")),
        "themes": list(m.ProgrammeTheme.objects.values_list("pk", "status", "version").order_by("pk")),
        "applications": list(m.ProgrammeApplication.objects.values_list(
            "pk", "status", "version", "case", "presented_on", "decided_on", "reviewed_on").order_by("pk")),
        "meetings": list(m.ProgrammeCall.exchange_meetings.through.objects.values_list("pk").order_by("pk")),
        "cases": list(m.CollaborationCase.objects.values_list("pk", "version", "outcome", "fiscal_year_end")
                      .order_by("pk")),
        "case_years": m.CaseYear.objects.count(), "events": m.Event.objects.count(),
        "proposals": list(m.Proposal.objects.values_list("pk", "status").order_by("pk")),
        "audit": AuditEvent.objects.count(),
    }


def _stage(world, stage: str):
    """A call (and an application) at `stage`: open, reviewing, presented, adopted, adopted_reviewed."""
    call = _open_call(world)
    application = _apply(world, call)
    if stage == "open":
        return call, application
    call = _reviewing(world, call)
    if stage == "reviewing":
        return call, application
    application = _presented(world, application)
    if stage == "presented":
        return call, application
    application = _adopt(world, application)
    if stage == "adopted":
        return call, application
    application = services.application_review(acting_user=world.staff_a, application=application,
                                              reviewed_on=dt.date(2025, 11, 1), outcome=m.CaseOutcome.CONTINUED)
    return call, application


REFUSALS = [
    ("open", "advance_twice", "not_next_status"),
    ("reviewing", "decide_with_pending", "undecided_applications"),
    ("open", "present_while_open", "call_not_reviewing"),
    ("reviewing", "adopt_before_presentation", "not_presented"),
    ("presented", "adopt_over_frame", "over_budget_frame"),
    ("presented", "adopt_over_cap", "over_project_cap"),
    ("presented", "adopt_without_department", "department_required"),
    ("presented", "adopt_before_presentation_date", "date_order"),
    ("presented", "reject_without_note", "required"),
    ("presented", "present_twice", "already_presented"),
    ("adopted", "reject_after_adoption", "already_decided"),
    ("adopted", "withdraw_after_adoption", "already_decided"),
    ("reviewing", "review_before_adoption", "not_adopted"),
    ("adopted", "review_in_first_year", "review_before_second_year"),
    ("adopted", "review_ended_with_next_year", "ended_with_next_year"),
    ("adopted", "review_with_unknown_outcome", "invalid_outcome"),
    ("adopted_reviewed", "review_twice", "already_reviewed"),
    ("open", "apply_after_deadline", "after_deadline"),
    ("adopted", "apply_when_decided", "call_not_open"),
    ("open", "link_a_koryukai", "not_exchange_meeting"),
    ("open", "theme_without_proposer", "proposer_required"),
    ("open", "second_call_for_the_year", "duplicate_call"),
    ("open", "timetable_out_of_order", "timetable_order"),
    ("open", "proposal_twice", "already_applied"),
]


@pytest.mark.parametrize(("stage", "step", "code"), REFUSALS, ids=[step for _stage, step, _code in REFUSALS])
def test_a_step_out_of_order_is_refused_with_its_code_and_changes_nothing(world, stage, step, code):
    call, application = _stage(world, stage)
    staff = world.staff_a
    steps = {
        "advance_twice": lambda: _advance(world, call, m.CallStatus.OPEN),
        "decide_with_pending": lambda: _advance(world, call, m.CallStatus.DECIDED),
        "present_while_open": lambda: _presented(world, application),
        "adopt_before_presentation": lambda: _adopt(world, application),
        "adopt_over_cap": lambda: _adopt(world, application, amounts=[{"total_cost": 3_000_001}, {"total_cost": 1}]),
        "adopt_before_presentation_date": lambda: services.application_adopt(
            acting_user=staff, application=application, decided_on=dt.date(YEAR, 11, 1)),
        "reject_without_note": lambda: services.application_reject(
            acting_user=staff, application=application, decided_on=dt.date(YEAR, 12, 20), note=" "),
        "present_twice": lambda: _presented(world, application),
        "reject_after_adoption": lambda: services.application_reject(
            acting_user=staff, application=application, decided_on=dt.date(YEAR, 12, 20), note="…"),
        "withdraw_after_adoption": lambda: services.application_withdraw(acting_user=staff, application=application),
        "review_before_adoption": lambda: services.application_review(
            acting_user=staff, application=application, reviewed_on=dt.date(2025, 11, 1), outcome="continued"),
        "review_in_first_year": lambda: services.application_review(
            acting_user=staff, application=application, reviewed_on=dt.date(2025, 3, 1), outcome="continued"),
        "review_ended_with_next_year": lambda: services.application_review(
            acting_user=staff, application=application, reviewed_on=dt.date(2025, 11, 1), outcome="ended",
            next_year={"total_cost": 500_000}),
        "review_with_unknown_outcome": lambda: services.application_review(
            acting_user=staff, application=application, reviewed_on=dt.date(2025, 11, 1), outcome="ongoing"),
        "review_twice": lambda: services.application_review(
            acting_user=staff, application=application, reviewed_on=dt.date(2025, 12, 1), outcome="ended"),
        "apply_after_deadline": lambda: _apply(world, call, submitted_on=dt.date(YEAR, 11, 1)),
        "link_a_koryukai": lambda: services.call_link_meetings(acting_user=staff, call=call,
                                                               meetings=[world.rec_a.event]),
        "theme_without_proposer": lambda: services.theme_propose(acting_user=staff, call=call, title="子育て"),
        "second_call_for_the_year": lambda: _call(world),
        "timetable_out_of_order": lambda: services.call_update(acting_user=staff, call=call,
                                                               deadline_on=dt.date(YEAR, 7, 31)),
    }
    refused = _prepare(world, step, call, application) or steps[step]  # a set-up may write first
    before = _state()
    with pytest.raises(ValidationError) as caught:
        refused()
    assert code in _codes(caught.value), caught.value
    assert all(str(message).strip() for message in caught.value.messages)  # a message for people, too
    assert _state() == before


def _prepare(world, step, call, application):
    """The set-ups that write before the refused step, which they return; None for the others."""
    staff = world.staff_a
    if step == "adopt_over_frame":  # another project takes 8,000,000 of each year's 10,000,000
        other = _presented(world, services.application_submit(
            acting_user=staff, call=call, applicant=world.group_a.organization, title="地域猫", summary="TNR",
            submitted_on=dt.date(YEAR, 10, 1), responsible_department=world.department))
        services.call_update(acting_user=staff, call=call, project_cap_yen=None)
        _adopt(world, other, amounts=[{"total_cost": 8_000_000}] * 2)
        return lambda: _adopt(world, application, amounts=[{"total_cost": 1_000_000}, {"total_cost": 2_500_000}])
    if step == "adopt_without_department":
        without = _presented(world, services.application_submit(
            acting_user=staff, call=call, applicant=world.group_a.organization, title="地域猫", summary="TNR",
            submitted_on=dt.date(YEAR, 10, 1)))
        return lambda: _adopt(world, without)
    if step == "apply_when_decided":
        _advance(world, call, m.CallStatus.DECIDED)
        return lambda: _apply(world, call)
    if step == "proposal_twice":
        proposal = services.proposal_submit(acting_user=world.member_a, need=_published_need(world),
                                            group=world.group_a, title="譲渡会", activity="譲渡会", people="会員",
                                            timing="毎月")
        services.application_from_proposal(acting_user=staff, call=call, proposal=proposal,
                                           submitted_on=dt.date(YEAR, 10, 1))
        return lambda: services.application_from_proposal(acting_user=staff, call=call, proposal=proposal,
                                                          submitted_on=dt.date(YEAR, 10, 1))
    return None


def test_only_the_centers_staff_take_the_steps(world, client):
    call, application = _stage(world, "presented")
    department_reader = world.dept_staff  # reads applications of its own department only
    cases = m.CollaborationCase.objects.count()
    for user in (world.member_a, department_reader, world.staff_b):
        with pytest.raises(PermissionDenied):
            services.call_advance(acting_user=user, call=call, to=m.CallStatus.DECIDED)
        with pytest.raises(PermissionDenied):
            _adopt_as(user, application)
        with pytest.raises(PermissionDenied):
            services.call_create(acting_user=user, center=world.a, fiscal_year=YEAR + 1, track="shimin")
    application.refresh_from_db()
    assert application.status == m.ApplicationStatus.PRESENTED and m.CollaborationCase.objects.count() == cases

    call_url = reverse("programme-call", args=[call.uuid])
    adopt_url = reverse("programme-application-step", args=[application.uuid, "adopt"])
    client.force_login(world.member_a)
    assert client.get(reverse("programme-list")).status_code == 403
    assert client.get(call_url).status_code == 403
    assert client.post(adopt_url, {"decided_on": "2023-12-20"}).status_code == 403
    assert client.post(reverse("programme-call-step", args=[call.uuid, "advance"]), {"to": "decided"}).status_code == 403
    client.force_login(f.member("dept_culture", world.other_department, f.ROLE.DEPARTMENT_STAFF))
    # The responsible department reads its application and cannot decide it.
    assert "美術「みるっこ」プログラム事業" in client.get(reverse("programme-list")).content.decode()
    assert client.get(reverse("programme-application", args=[application.uuid])).status_code == 200
    assert client.get(call_url).status_code == 403
    assert client.post(adopt_url, {"decided_on": "2023-12-20"}).status_code == 403
    client.force_login(world.staff_b)  # another center's staff do not even see it
    assert client.get(call_url).status_code == 404
    application.refresh_from_db()
    assert application.status == m.ApplicationStatus.PRESENTED


def _adopt_as(user, application):
    return services.application_adopt(acting_user=user, application=application, decided_on=dt.date(YEAR, 12, 20))


def test_staff_walk_the_pages_and_a_refusal_shows_on_the_same_page(world, client):
    client.force_login(world.staff_a)
    new = client.post(reverse("programme-call-new"), {
        "center": world.a.pk, "fiscal_year": YEAR, "track": "shimin", "briefing_on": "2023-07-01",
        "opens_on": "2023-08-01", "deadline_on": "2023-10-31", "presentation_on": "2023-12-02",
        "decision_on": "2023-12-20", "budget_frame_yen": "10000000"})
    assert new.status_code == 302
    call = m.ProgrammeCall.objects.get()
    page = client.get(new.url).content.decode()
    assert "令和5年度 市民提案型協働推進事業" in page and "2024年度（令和6年度） 〜 2025年度（令和7年度）" in page
    assert client.post(reverse("programme-call-step", args=[call.uuid, "advance"]), {"to": "open"}).status_code == 302
    refused = client.post(reverse("programme-call-step", args=[call.uuid, "application"]), {
        "applicant": world.group_a2.organization.pk, "title": "鑑賞出張講座", "summary": "幼稚園で",
        "submitted_on": "2023-11-15", "responsible_department": world.other_department.pk})
    assert refused.status_code == 400 and "提案締切" in refused.content.decode()
    assert not m.ProgrammeApplication.objects.exists()
    meeting = client.post(reverse("programme-call-step", args=[call.uuid, "meeting"]), {
        "starts_at": "2023-08-21T14:00", "venue": "市役所", "groups": [world.group_a2.organization.pk],
        "departments": [world.other_department.pk]})
    assert meeting.status_code == 302
    listing = client.get(reverse("programme-list")).content.decode()
    assert "意見交換会 1件 · 申込 0件 · 採択 0件" in listing and "R5" in listing
    assert "協働推進事業" in client.get(reverse("home")).content.decode()  # in the staff menu
    # A duplicate call is refused on the form, with the field's message.
    again = client.post(reverse("programme-call-new"), {"center": world.a.pk, "fiscal_year": YEAR, "track": "shimin"})
    assert again.status_code == 400 and "この年度・区分の募集はすでにあります。" in again.content.decode()
