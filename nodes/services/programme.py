"""Writes of the 協働推進事業 cycle (seed 001): a call and its timetable, テーマ募集, the 意見交換会 held
for it, 申込 (entered by staff or taken from a group's proposal), 公開プレゼン, 審査 — 採択 opens the
two-year case with its programme-budget lines — and the 2年目審査 that decides what follows.

Every step is the center's (require_center_staff), is checked against the state it finds under a row
lock, refuses with a message and a code, and writes through the record pipeline (scoped, validated,
versioned, audited)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from common.japanese import date_label, fiscal_year_of, wareki_fiscal_year
from common.vocabulary import TRACK_FORMS, BudgetSource, CaseOutcome, PartyRole
from permissions.models import Organization, OrganizationKind

from ..models import (
    PROGRAMME_TERM_YEARS,
    ApplicationStatus,
    CallStatus,
    CaseYear,
    Event,
    EventKind,
    EventStatus,
    ProgrammeApplication,
    ProgrammeCall,
    ProgrammeTheme,
    ProgrammeTrack,
    Proposal,
    ProposalStatus,
    SharingLevel,
    ThemeOrigin,
    ThemeStatus,
    need_takes_programme,
    next_call_status,
)
from .pipeline import create_record, locked_for_change, require_center_staff, save_record
from .records import case_create, case_update, event_create

TIMETABLE = ("briefing_on", "opens_on", "deadline_on", "presentation_on", "decision_on")
CALL_FIELDS = ("title", *TIMETABLE, "budget_frame_yen", "project_cap_yen", "note")
# What the 2年目審査 may decide (seed 001: 継続 / 予算縮小・事業縮小 / 終了).
REVIEW_OUTCOMES = (CaseOutcome.CONTINUED, CaseOutcome.BUDGET_REDUCED, CaseOutcome.SCOPE_REDUCED, CaseOutcome.ENDED)
PENDING_APPLICATION = (ApplicationStatus.SUBMITTED, ApplicationStatus.PRESENTED)


def _refuse(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _locked_call(acting_user, call: ProgrammeCall) -> ProgrammeCall:
    require_center_staff(acting_user, call.center_id)
    return locked_for_change(acting_user, call)


def _require_department(organization: Organization | None, field: str = "responsible_department") -> Organization:
    if organization is None:
        raise _refuse(field, gettext("担当課を選んでください。"), "department_required")
    if organization.kind != OrganizationKind.CITY_DEPARTMENT:
        raise _refuse(field, gettext("担当課には市の課を選んでください。"), "not_a_department")
    return organization


def _require_date(value, field: str) -> dt.date:
    if not isinstance(value, dt.date):
        raise _refuse(field, gettext("日付を入力してください。"), "required")
    return value


def _not_before(later: dt.date, earlier: dt.date | None, field: str, what: str) -> None:
    if earlier is not None and later < earlier:
        raise _refuse(field, gettext("%(what)s（%(date)s）より前の日付は指定できません。")
                      % {"what": what, "date": date_label(earlier)}, "date_order")


# --- 募集 ----------------------------------------------------------------------------------------


def _check_call_values(values: dict) -> None:
    dated = [(name, values[name]) for name in TIMETABLE if values.get(name)]
    for (_name, earlier), (name, later) in zip(dated, dated[1:], strict=False):
        if later < earlier:
            raise _refuse(name, gettext("日程は 説明会 → 公募開始 → 提案締切 → 公開プレゼンテーション → 実施事業内定 "
                                        "の順にしてください。"), "timetable_order")
    cap, frame = values.get("project_cap_yen"), values.get("budget_frame_yen")
    if cap is not None and frame is not None and cap > frame:
        raise _refuse("project_cap_yen", gettext("1事業あたりの上限額は採択枠以下にしてください。"), "cap_over_frame")


def _unknown(values: dict, allowed: tuple[str, ...]) -> None:
    unknown = set(values) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")


def call_title(fiscal_year: int, track: str) -> str:
    """平成27年度 市民提案型協働推進事業: the name calls are known by."""
    return f"{wareki_fiscal_year(fiscal_year)} {ProgrammeTrack(track).label}協働推進事業"


@transaction.atomic
def call_create(*, acting_user, center: Organization, fiscal_year: int, track: str, **values) -> ProgrammeCall:
    """A 年度's call of one track, in テーマ募集 (the timetable and the frame may follow later)."""
    _unknown(values, CALL_FIELDS)
    require_center_staff(acting_user, center.pk)
    if track not in ProgrammeTrack.values:
        raise _refuse("track", gettext("区分（行政提案型・市民提案型）を選んでください。"), "invalid_choice")
    _check_call_values(values)
    if ProgrammeCall.objects.filter(center=center, fiscal_year=fiscal_year, track=track).exists():
        raise _refuse("fiscal_year", gettext("この年度・区分の募集はすでにあります。"), "duplicate_call")
    values["title"] = (values.get("title") or "").strip() or call_title(fiscal_year, track)
    try:
        with transaction.atomic():
            return create_record(ProgrammeCall, acting_user=acting_user, center=center, values={
                "fiscal_year": fiscal_year, "track": track, "status": CallStatus.THEMES, **values})
    except IntegrityError as error:  # the same call written at the same moment by someone else
        raise _refuse("fiscal_year", gettext("この年度・区分の募集はすでにあります。"), "duplicate_call") from error


@transaction.atomic
def call_update(*, acting_user, call: ProgrammeCall, **values) -> ProgrammeCall:
    """The timetable, the frame, the title and the note; the 年度 and the track stay what they were."""
    _unknown(values, CALL_FIELDS)
    call = _locked_call(acting_user, call)
    _check_call_values({**{name: getattr(call, name) for name in CALL_FIELDS}, **values})
    if "title" in values and not (values["title"] or "").strip():
        values["title"] = call_title(call.fiscal_year, call.track)
    return save_record(call, acting_user=acting_user, perm="change", values=values)


@transaction.atomic
def call_advance(*, acting_user, call: ProgrammeCall, to: str) -> ProgrammeCall:
    """One step on: テーマ募集中 → 公募中 → 審査中 → 採択決定. `to` is the step the user saw offered,
    so a second click (or a colleague's) does not move the call twice."""
    call = _locked_call(acting_user, call)
    following = next_call_status(call.status)
    if following is None:
        raise _refuse("status", gettext("この募集はすでに採択決定です。"), "already_decided")
    if to != following:
        raise _refuse("status", gettext("この募集はすでに「%(status)s」です。画面を読み込み直してください。")
                      % {"status": call.get_status_display()}, "not_next_status")
    if to == CallStatus.OPEN and call.track == ProgrammeTrack.GYOSEI and not call.themes.filter(
            status=ThemeStatus.ADOPTED).exists():
        raise _refuse("status", gettext("行政提案型の公募には、テーマに決定したテーマが1件以上必要です。"), "no_adopted_theme")
    if to == CallStatus.DECIDED:
        pending = call.applications.filter(status__in=PENDING_APPLICATION).count()
        if pending:
            raise _refuse("status", gettext("審査の結果が出ていない申込が%(count)s件あります。採択・不採択・取り下げを"
                                            "記録してから採択決定にしてください。") % {"count": pending},
                          "undecided_applications")
    return save_record(call, acting_user=acting_user, perm="change", values={"status": to})


# --- 意見交換会 ----------------------------------------------------------------------------------


def _require_meetings(meetings: list[Event]) -> None:
    for meeting in meetings:
        if meeting.kind != EventKind.IKEN_KOKAN:
            raise _refuse("exchange_meetings", gettext("「%(title)s」は意見交換会ではありません（イベントの種類が"
                                                       "意見交換会のものだけを結び付けられます）。") % {"title": meeting.title},
                          "not_exchange_meeting")


@transaction.atomic
def call_link_meetings(*, acting_user, call: ProgrammeCall, meetings: list[Event]) -> ProgrammeCall:
    """Count 意見交換会 the center already recorded as held for this call."""
    call = _locked_call(acting_user, call)
    if not meetings:
        raise _refuse("exchange_meetings", gettext("結び付ける意見交換会を選んでください。"), "required")
    _require_meetings(meetings)
    linked = list(call.exchange_meetings.all())
    return save_record(call, acting_user=acting_user, perm="change", values={},
                       m2m={"exchange_meetings": list({m.pk: m for m in [*linked, *meetings]}.values())})


@transaction.atomic
def call_unlink_meeting(*, acting_user, call: ProgrammeCall, meeting: Event) -> ProgrammeCall:
    call = _locked_call(acting_user, call)
    linked = list(call.exchange_meetings.all())
    if meeting.pk not in {m.pk for m in linked}:
        raise _refuse("exchange_meetings", gettext("この意見交換会は結び付いていません。"), "not_linked")
    return save_record(call, acting_user=acting_user, perm="change", values={},
                       m2m={"exchange_meetings": [m for m in linked if m.pk != meeting.pk]})


@transaction.atomic
def call_meeting_create(*, acting_user, call: ProgrammeCall, starts_at: dt.datetime, title: str = "",
                        ends_at: dt.datetime | None = None, venue: str = "", groups: list[Organization] = (),
                        departments: list[Organization] = (), attendance: int | None = None,
                        description: str = "") -> Event:
    """An 意見交換会 between groups and departments, recorded as an event of the center (it shows in
    the calendar and the open data like any other) and counted for this call."""
    call = _locked_call(acting_user, call)
    for department in departments:
        _require_department(department, "departments")
    names = "・".join(o.name for o in [*groups, *departments])
    title = title.strip() or (f"{ProgrammeTrack(call.track).label}協働推進事業 意見交換会" + (f"（{names}）" if names else ""))
    held = starts_at <= timezone.now()
    meeting = event_create(
        acting_user=acting_user, center=call.center, title=title[:200], kind=EventKind.IKEN_KOKAN, theme=call.title,
        starts_at=starts_at, ends_at=ends_at, venue=venue, description=description, organizers=[call.center],
        participants=[*groups, *departments], status=EventStatus.HELD if held else EventStatus.PLANNED,
        attendance=attendance if held else None,
    )
    save_record(call, acting_user=acting_user, perm="change", values={},
                m2m={"exchange_meetings": [*call.exchange_meetings.all(), meeting]})
    return meeting


# --- テーマ募集 ----------------------------------------------------------------------------------


@transaction.atomic
def theme_propose(*, acting_user, call: ProgrammeCall, title: str, description: str = "",
                  department: Organization | None = None, proposer: Organization | None = None) -> ProgrammeTheme:
    """行政提案型: a department's theme (the department is required). 市民提案型: a group's theme (the
    group is required; the department it concerns may be named)."""
    call = _locked_call(acting_user, call)
    if call.status not in (CallStatus.THEMES, CallStatus.OPEN):
        raise _refuse("call", gettext("テーマはテーマ募集中・公募中の募集にだけ追加できます。"), "themes_closed")
    if call.track == ProgrammeTrack.GYOSEI:
        _require_department(department, "department")
        origin = ThemeOrigin.DEPARTMENT
    else:
        if proposer is None:
            raise _refuse("proposer", gettext("テーマを提案した団体を選んでください。"), "proposer_required")
        if proposer.kind in (OrganizationKind.CITY_DEPARTMENT, OrganizationKind.CENTER):
            raise _refuse("proposer", gettext("市民提案型のテーマは市民・団体からの提案です。"), "proposer_not_citizen")
        if department is not None:
            _require_department(department, "department")
        origin = ThemeOrigin.CITIZEN
    return create_record(ProgrammeTheme, acting_user=acting_user, center=call.center, values={
        "call": call, "title": title, "description": description, "origin": origin, "department": department,
        "proposer": proposer, "status": ThemeStatus.PROPOSED})


@transaction.atomic
def theme_decide(*, acting_user, theme: ProgrammeTheme, adopt: bool) -> ProgrammeTheme:
    """テーマに決定 or 見送り, once, while the call is not decided."""
    call = _locked_call(acting_user, theme.call)
    theme = locked_for_change(acting_user, theme)
    if call.status == CallStatus.DECIDED:
        raise _refuse("call", gettext("採択決定した募集のテーマは変更できません。"), "call_decided")
    if theme.status != ThemeStatus.PROPOSED:
        raise _refuse("status", gettext("このテーマはすでに「%(status)s」です。") % {"status": theme.get_status_display()},
                      "already_decided")
    return save_record(theme, acting_user=acting_user, perm="change",
                       values={"status": ThemeStatus.ADOPTED if adopt else ThemeStatus.NOT_ADOPTED})


# --- 申込 ----------------------------------------------------------------------------------------


def _check_accepts(call: ProgrammeCall, submitted_on: dt.date) -> None:
    """公募中 the call takes applications; 審査中 staff may still enter one that reached them by the
    deadline (a paper application entered late is still in time: the deadline is what counts)."""
    in_time = call.deadline_on is None or submitted_on <= call.deadline_on
    if call.status == CallStatus.OPEN or (call.status == CallStatus.REVIEWING and call.deadline_on and in_time):
        if not in_time:
            raise _refuse("submitted_on", gettext("提案締切（%(date)s）を過ぎた申込は登録できません。")
                          % {"date": date_label(call.deadline_on)}, "after_deadline")
        return
    raise _refuse("call", gettext("この募集は申込を受け付けていません。申込は公募中に（審査中は締切までに届いたものだけ）"
                                  "登録できます。"), "call_not_open")


def _check_theme(call: ProgrammeCall, theme: ProgrammeTheme | None) -> None:
    if theme is None:
        if call.track == ProgrammeTrack.GYOSEI:
            raise _refuse("theme", gettext("行政提案型の申込は、募集したテーマを選んでください。"), "theme_required")
        return
    if theme.call_id != call.pk:
        raise _refuse("theme", gettext("この募集のテーマではありません。"), "other_call")
    if theme.status != ThemeStatus.ADOPTED:
        raise _refuse("theme", gettext("テーマに決定したテーマだけを選べます。"), "theme_not_adopted")


def _application(*, acting_user, call: ProgrammeCall, applicant: Organization, submitted_on, theme, department,
                 **values) -> ProgrammeApplication:
    submitted_on = _require_date(submitted_on, "submitted_on")
    _check_accepts(call, submitted_on)
    if theme is not None:  # as it stands now, not as the caller last read it
        theme = ProgrammeTheme.objects.select_related("department").get(pk=theme.pk)
    _check_theme(call, theme)
    if applicant is None or applicant.kind in (OrganizationKind.CITY_DEPARTMENT, OrganizationKind.CENTER,
                                               OrganizationKind.PREFECTURE):
        raise _refuse("applicant", gettext("申込団体には市民活動団体などを選んでください。"), "applicant_not_group")
    department = department or (theme.department if theme else None)
    if department is not None:
        _require_department(department)
    return create_record(ProgrammeApplication, acting_user=acting_user, center=call.center, values={
        "call": call, "theme": theme, "applicant": applicant, "responsible_department": department,
        "submitted_on": submitted_on, "status": ApplicationStatus.SUBMITTED, "entered_by": acting_user, **values})


@transaction.atomic
def application_submit(*, acting_user, call: ProgrammeCall, applicant: Organization, title: str, summary: str,
                       submitted_on: dt.date, theme: ProgrammeTheme | None = None,
                       responsible_department: Organization | None = None,
                       requested_yen: int | None = None) -> ProgrammeApplication:
    """An application that reached the center on paper or at the counter, entered by staff."""
    call = _locked_call(acting_user, call)
    return _application(acting_user=acting_user, call=call, applicant=applicant, submitted_on=submitted_on,
                        theme=theme, department=responsible_department, title=title, summary=summary,
                        requested_yen=requested_yen)


@transaction.atomic
def application_from_proposal(*, acting_user, call: ProgrammeCall, proposal: Proposal,
                              theme: ProgrammeTheme | None = None, responsible_department: Organization | None = None,
                              submitted_on: dt.date | None = None, note: str = "") -> ProgrammeApplication:
    """The group's proposal answers a 協働推進事業 need: the center enters it as the group's application
    (linked to the proposal, which the group goes on following) instead of a separate paper."""
    call = _locked_call(acting_user, call)
    proposal = locked_for_change(acting_user, proposal)
    if proposal.center_id != call.center_id:
        raise _refuse("proposal", gettext("このセンターの提案ではありません。"), "other_center")
    if proposal.status == ProposalStatus.IN_PROGRAMME or ProgrammeApplication.objects.filter(proposal=proposal).exists():
        raise _refuse("proposal", gettext("この提案はすでに協働推進事業に申し込んでいます。"), "already_applied")
    if proposal.status not in (ProposalStatus.SUBMITTED, ProposalStatus.IN_PIPELINE):
        raise _refuse("proposal", gettext("終了した提案は申込にできません。"), "proposal_closed")
    need = proposal.need
    if not need_takes_programme(need, call.track):
        raise _refuse("proposal", gettext("この提案の協働の種は協働推進事業（%(track)s）の形態を受け付けていません。")
                      % {"track": ProgrammeTrack(call.track).label}, "need_not_programme")
    if responsible_department is None and need.requester.kind == OrganizationKind.CITY_DEPARTMENT:
        responsible_department = need.requester
    summary = "\n".join(filter(None, [proposal.activity, gettext("体制: %(people)s") % {"people": proposal.people},
                                      gettext("時期: %(timing)s") % {"timing": proposal.timing}]))
    try:
        with transaction.atomic():
            application = _application(
                acting_user=acting_user, call=call, applicant=proposal.group.organization, theme=theme,
                submitted_on=submitted_on or timezone.localtime(proposal.created_at).date(),
                department=responsible_department, title=proposal.title, summary=summary,
                requested_yen=proposal.cost_yen, proposal=proposal)
    except IntegrityError as error:  # the one-to-one: taken by someone else at the same moment
        raise _refuse("proposal", gettext("この提案はすでに協働推進事業に申し込んでいます。"), "already_applied") from error
    if proposal.status == ProposalStatus.SUBMITTED:
        message = gettext("協働推進事業「%(call)s」への申込として受け付けました。") % {"call": call.title}
        save_record(proposal, acting_user=acting_user, perm="change", values={
            "status": ProposalStatus.IN_PROGRAMME, "decided_at": timezone.now(),
            "decision_note": "\n".join(filter(None, [message, note.strip()]))})
    return application


def _locked_application(acting_user, application: ProgrammeApplication) -> tuple[ProgrammeCall, ProgrammeApplication]:
    """The call, then the application, both locked (always in this order: no deadlock with the call's steps)."""
    call = _locked_call(acting_user, application.call)
    return call, locked_for_change(acting_user, application)


def _require_pending(application: ProgrammeApplication, *allowed: str) -> None:
    if application.status in allowed:
        return
    codes = {ApplicationStatus.WITHDRAWN: "withdrawn", ApplicationStatus.ADOPTED: "already_decided",
             ApplicationStatus.NOT_ADOPTED: "already_decided", ApplicationStatus.PRESENTED: "already_presented",
             ApplicationStatus.SUBMITTED: "not_presented"}
    raise _refuse("status", gettext("この申込は「%(status)s」です。") % {"status": application.get_status_display()},
                  codes[application.status])


def _require_reviewing(call: ProgrammeCall) -> None:
    if call.status != CallStatus.REVIEWING:
        raise _refuse("call", gettext("公開プレゼンテーションと審査の結果は、募集が審査中のときに記録します（今は"
                                      "「%(status)s」）。") % {"status": call.get_status_display()}, "call_not_reviewing")


@transaction.atomic
def application_present(*, acting_user, application: ProgrammeApplication,
                        presented_on: dt.date) -> ProgrammeApplication:
    """公開プレゼンテーション held."""
    call, application = _locked_application(acting_user, application)
    _require_reviewing(call)
    _require_pending(application, ApplicationStatus.SUBMITTED)
    presented_on = _require_date(presented_on, "presented_on")
    _not_before(presented_on, application.submitted_on, "presented_on", gettext("申込日"))
    return save_record(application, acting_user=acting_user, perm="change",
                       values={"status": ApplicationStatus.PRESENTED, "presented_on": presented_on})


@transaction.atomic
def application_withdraw(*, acting_user, application: ProgrammeApplication, note: str = "") -> ProgrammeApplication:
    """取り下げ by the group, before the committee's decision (it still counts as received)."""
    _call, application = _locked_application(acting_user, application)
    _require_pending(application, *PENDING_APPLICATION)
    return save_record(application, acting_user=acting_user, perm="change",
                       values={"status": ApplicationStatus.WITHDRAWN, "decision_note": note.strip()})


@transaction.atomic
def application_reject(*, acting_user, application: ProgrammeApplication, decided_on: dt.date,
                       note: str) -> ProgrammeApplication:
    """不採択, with the committee's reasons for the group."""
    call, application = _locked_application(acting_user, application)
    _require_reviewing(call)
    _require_pending(application, *PENDING_APPLICATION)
    decided_on = _require_date(decided_on, "decided_on")
    _not_before(decided_on, application.presented_on or application.submitted_on, "decided_on",
                gettext("公開プレゼン日") if application.presented_on else gettext("申込日"))
    if not (note or "").strip():
        raise _refuse("decision_note", gettext("不採択の理由（委員会の意見）を入力してください。"), "required")
    return save_record(application, acting_user=acting_user, perm="change", values={
        "status": ApplicationStatus.NOT_ADOPTED, "decided_on": decided_on, "decision_note": note.strip()})


def split_request(requested_yen: int | None) -> list[dict]:
    """The two years' lines when staff enter no amounts: the requested sum in halves (the odd yen in
    the first year), paid in full from the programme's budget."""
    if requested_yen is None:
        return [{} for _ in range(PROGRAMME_TERM_YEARS)]
    second = requested_yen // PROGRAMME_TERM_YEARS
    amounts = [requested_yen - second * (PROGRAMME_TERM_YEARS - 1)] + [second] * (PROGRAMME_TERM_YEARS - 1)
    return [{"total_cost": amount, "city_share": amount} for amount in amounts]


def _budget_lines(call: ProgrammeCall, amounts: list[dict], department: Organization) -> list[dict]:
    if len(amounts) != PROGRAMME_TERM_YEARS:
        raise _refuse("amounts", gettext("%(years)s年度分の事業額を入力してください。") % {"years": PROGRAMME_TERM_YEARS},
                      "amounts_per_year")
    first = call.fiscal_year + 1
    lines = []
    for index, amount in enumerate(amounts):
        total, share = amount.get("total_cost"), amount.get("city_share")
        if share is None:
            share = total  # the programme pays the whole project unless staff say otherwise
        if share is not None and total is None:
            total = share
        lines.append({"fiscal_year": first + index, "total_cost": total, "city_share": share,
                      "budget_source": BudgetSource.PROGRAMME, "responsible_department": department,
                      "note": gettext("協働推進事業 %(n)s年目") % {"n": index + 1}})
    return lines


def _check_frame(call: ProgrammeCall, lines: list[dict]) -> None:
    """Seed 001: each project within the cap; each year's adopted projects within the year's frame."""
    for line in lines:
        share = line["city_share"]
        if call.project_cap_yen is not None and share is not None and share > call.project_cap_yen:
            raise _refuse("amounts", gettext("%(year)s年度の市負担額が1事業あたりの上限額（%(cap)s円）を超えています。")
                          % {"year": line["fiscal_year"], "cap": f"{call.project_cap_yen:,}"}, "over_project_cap")
    if call.budget_frame_yen is None:
        return
    used = dict(CaseYear.objects.filter(case__programme_application__call=call, budget_source=BudgetSource.PROGRAMME)
                .values_list("fiscal_year").annotate(used=Sum(Coalesce("city_share", "total_cost"))))
    for line in lines:
        total = (used.get(line["fiscal_year"]) or 0) + (line["city_share"] or 0)
        if total > call.budget_frame_yen:
            raise _refuse("amounts", gettext("%(year)s年度の採択額の合計（%(total)s円）が採択枠（%(frame)s円）を超えます。")
                          % {"year": line["fiscal_year"], "total": f"{total:,}", "frame": f"{call.budget_frame_yen:,}"},
                          "over_budget_frame")


@transaction.atomic
def application_adopt(*, acting_user, application: ProgrammeApplication, decided_on: dt.date, note: str = "",
                      responsible_department: Organization | None = None, amounts: list[dict] | None = None,
                      summary: str = "", lessons: str = "", sharing_level: str = SharingLevel.PRIVATE,
                      activity_fields: list | None = None, lead_contribution: str = "",
                      department_contribution: str = "") -> ProgrammeApplication:
    """採択: the two-year case of the track's form opens the 年度 after the call (1年目, 2年目), the
    applicant leading and the department for the city, with one programme-budget line per year
    (`amounts`: [{total_cost, city_share}] per year; by default the request split in halves)."""
    call, application = _locked_application(acting_user, application)
    _require_reviewing(call)
    _require_pending(application, ApplicationStatus.PRESENTED)
    decided_on = _require_date(decided_on, "decided_on")
    _not_before(decided_on, application.presented_on, "decided_on", gettext("公開プレゼン日"))
    department = _require_department(responsible_department or application.responsible_department)
    lines = _budget_lines(call, amounts if amounts is not None else split_request(application.requested_yen), department)
    _check_frame(call, lines)
    first = call.fiscal_year + 1
    case = case_create(
        acting_user=acting_user, center=call.center, title=application.title,
        summary=summary.strip() or application.summary, form=TRACK_FORMS[ProgrammeTrack(call.track)],
        fiscal_year_start=first, fiscal_year_end=first + PROGRAMME_TERM_YEARS - 1, responsible_department=department,
        outcome=CaseOutcome.ONGOING, lessons=lessons, sharing_level=sharing_level,
        activity_fields=list(activity_fields or []), years=lines,
        parties=[{"organization": application.applicant, "role": PartyRole.LEAD, "contribution": lead_contribution},
                 {"organization": department, "role": PartyRole.GOVERNMENT, "contribution": department_contribution}],
    )
    return save_record(application, acting_user=acting_user, perm="change", values={
        "status": ApplicationStatus.ADOPTED, "case": case, "decided_on": decided_on, "decision_note": note.strip(),
        "responsible_department": department})


@transaction.atomic
def application_review(*, acting_user, application: ProgrammeApplication, reviewed_on: dt.date, outcome: str,
                       note: str = "", next_year: dict | None = None) -> ProgrammeApplication:
    """2年目審査: what follows the term — 継続 / 予算縮小 / 事業縮小 / 終了 — written to the case; for
    anything but 終了, `next_year` ({total_cost, city_share, responsible_department}) adds the 年度
    after the term paid by the department (seed 001: 予算：担当課)."""
    _call, application = _locked_application(acting_user, application)
    if application.status != ApplicationStatus.ADOPTED:
        raise _refuse("status", gettext("2年目審査は採択された申込にだけ記録できます。"), "not_adopted")
    if application.reviewed_on is not None:
        raise _refuse("reviewed_on", gettext("2年目審査はすでに記録されています（%(date)s）。")
                      % {"date": date_label(application.reviewed_on)}, "already_reviewed")
    if outcome not in REVIEW_OUTCOMES:
        raise _refuse("outcome", gettext("審査の結果（継続・予算縮小・事業縮小・終了）を選んでください。"), "invalid_outcome")
    reviewed_on = _require_date(reviewed_on, "reviewed_on")
    case = application.case
    second_year = case.fiscal_year_start + PROGRAMME_TERM_YEARS - 1
    if fiscal_year_of(reviewed_on) < second_year:
        raise _refuse("reviewed_on", gettext("2年目審査は2年目（%(year)s）に入ってから記録できます。")
                      % {"year": wareki_fiscal_year(second_year)}, "review_before_second_year")
    values: dict = {"outcome": outcome}
    if next_year:
        if outcome == CaseOutcome.ENDED:
            raise _refuse("next_year", gettext("終了した事業に翌年度の予算は付けられません。"), "ended_with_next_year")
        department = _require_department(next_year.get("responsible_department") or case.responsible_department,
                                         "next_year")
        following = (case.fiscal_year_end or second_year) + 1
        years = [{"fiscal_year": y.fiscal_year, "total_cost": y.total_cost, "city_share": y.city_share,
                  "budget_source": y.budget_source, "responsible_department": y.responsible_department, "note": y.note}
                 for y in case.years.select_related("responsible_department")]
        total, share = next_year.get("total_cost"), next_year.get("city_share")
        years.append({"fiscal_year": following, "total_cost": total if total is not None else share,
                      "city_share": share if share is not None else total, "budget_source": BudgetSource.DEPARTMENT,
                      "responsible_department": department,
                      "note": gettext("2年目審査の結果: %(outcome)s") % {"outcome": CaseOutcome(outcome).label}})
        values.update(years=years, fiscal_year_end=following)
    case_update(acting_user=acting_user, case=case, **values)
    return save_record(application, acting_user=acting_user, perm="change",
                       values={"reviewed_on": reviewed_on, "review_note": note.strip()})
