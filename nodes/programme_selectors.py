"""Reads of the 協働推進事業 cycle: the calls by 年度 with their counts, one call's page (timetable,
themes, 意見交換会, applications and what each may do next), one application's page, and what a
department reads of the themes and applications it is responsible for."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.japanese import fiscal_year_label, fiscal_year_of, wareki_fiscal_year_short
from common.vocabulary import ProgrammeTrack
from permissions.models import Organization, OrganizationKind
from permissions.scoping import permission_map, scoped_queryset

from .figures import CYCLE_ROWS, programme_cycle_counts, with_cycle_counts
from .models import (
    CALL_STATUS_ORDER,
    CENTER_CHANGE,
    CENTER_VIEW,
    PROGRAMME_TERM_YEARS,
    ApplicationStatus,
    CallStatus,
    CaseYear,
    Event,
    EventKind,
    ProgrammeApplication,
    ProgrammeCall,
    ProgrammeTheme,
    Proposal,
    ProposalStatus,
    ThemeStatus,
    need_takes_programme,
    next_call_status,
)

DEPARTMENT_READ = "manage_department_cases"
LINKABLE_MEETINGS = 200  # the newest 意見交換会 offered for linking; older ones are rarely meant
CYCLE_LABELS = {"exchange_meetings": _("意見交換会"), "applications": _("申込"), "adopted": _("採択")}


def is_programme_staff(user) -> bool:
    return bool(permission_map(user).get(CENTER_VIEW))


def is_programme_reader(user) -> bool:
    """Center staff, or a department that may read its own themes and applications."""
    held = permission_map(user)
    return bool(held.get(CENTER_VIEW) or held.get(DEPARTMENT_READ))


def calls_for(user) -> QuerySet[ProgrammeCall]:
    return with_cycle_counts(scoped_queryset(user, ProgrammeCall, "view")).select_related("center").order_by(
        "-fiscal_year", "track")


@dataclass(frozen=True)
class CycleTable:
    """The seed's table (市民提案型協働推進事業 意見交換会・申込・採択件数) for one center and track."""

    center: Organization
    track: str
    years: list[int]
    rows: list[tuple[str, list[int]]]  # (row label, one count per year)

    @property
    def track_label(self) -> str:
        return ProgrammeTrack(self.track).label

    @property
    def year_labels(self) -> list[tuple[str, str]]:
        """(H27, 2015年度（平成27年度）): the papers' short label, the full one for a tooltip."""
        return [(wareki_fiscal_year_short(year), fiscal_year_label(year)) for year in self.years]


def programme_overview(*, user, track: str | None = None) -> dict:
    """The calls by 募集年度 (newest first) and, per center and track, the yearly counts table."""
    calls = calls_for(user)
    if track:
        calls = calls.filter(track=track)
    by_year: dict[int, list[ProgrammeCall]] = {}
    for call in calls:
        by_year.setdefault(call.fiscal_year, []).append(call)
    tables = []
    for center in {call.center_id: call.center for calls_of_year in by_year.values() for call in calls_of_year}.values():
        for each in (track,) if track else ProgrammeTrack.values:
            counts = programme_cycle_counts(center, track=each)
            if counts:
                years = sorted(counts)
                tables.append(CycleTable(center=center, track=each, years=years,
                                         rows=[(CYCLE_LABELS[row], [counts[y][row] for y in years])
                                               for row in CYCLE_ROWS]))
    return {"years": sorted(by_year.items(), reverse=True), "tables": tables}


@dataclass(frozen=True)
class ApplicationActions:
    present: bool = False
    decide: bool = False  # 採択 (after the presentation) — 不採択 may come before it
    reject: bool = False
    withdraw: bool = False
    review: bool = False

    @property
    def any(self) -> bool:
        return any((self.present, self.decide, self.reject, self.withdraw, self.review))


def application_actions(application: ProgrammeApplication, call: ProgrammeCall, *, can_change: bool) -> ApplicationActions:
    if not can_change:
        return ApplicationActions()
    reviewing = call.status == CallStatus.REVIEWING
    status = application.status
    pending = status in (ApplicationStatus.SUBMITTED, ApplicationStatus.PRESENTED)
    return ApplicationActions(
        present=reviewing and status == ApplicationStatus.SUBMITTED,
        decide=reviewing and status == ApplicationStatus.PRESENTED,
        reject=reviewing and pending,
        withdraw=pending,
        review=status == ApplicationStatus.ADOPTED and application.reviewed_on is None
        and fiscal_year_of(timezone.localdate()) >= review_year(application),
    )


def review_year(application: ProgrammeApplication) -> int:
    """The 年度 the 2年目審査 can be recorded from: the term's second year."""
    return application.call.fiscal_year + PROGRAMME_TERM_YEARS


@dataclass
class CallPage:
    call: ProgrammeCall
    can_change: bool
    next_status: str | None
    themes: list[ProgrammeTheme]
    meetings: list[Event]
    applications: list[ProgrammeApplication]
    counts: dict[str, int]
    takes_themes: bool
    takes_applications: bool
    linkable_meetings: QuerySet[Event] | None = None
    proposals: QuerySet[Proposal] | None = None
    departments: QuerySet[Organization] | None = None
    groups: QuerySet[Organization] | None = None
    adopted_themes: list[ProgrammeTheme] = field(default_factory=list)

    @property
    def next_status_label(self) -> str:
        return CallStatus(self.next_status).label if self.next_status else ""

    @property
    def term(self) -> tuple[int, int]:
        """The 年度 an adopted project runs: from the year after the call, PROGRAMME_TERM_YEARS long."""
        first = self.call.fiscal_year + 1
        return first, first + PROGRAMME_TERM_YEARS - 1

    @property
    def steps(self) -> list[tuple[str, bool]]:
        """The call's statuses in order, each with whether the call has reached it."""
        reached = CALL_STATUS_ORDER.index(self.call.status)
        return [(CallStatus(status).label, index <= reached) for index, status in enumerate(CALL_STATUS_ORDER)]


def call_detail(*, user, uuid) -> ProgrammeCall:
    return calls_for(user).get(uuid=uuid)


def center_departments(center_id: int) -> QuerySet[Organization]:
    return Organization.objects.filter(center_id=center_id, kind=OrganizationKind.CITY_DEPARTMENT).order_by("name_kana", "name")


def center_applicants(center_id: int) -> QuerySet[Organization]:
    """Who may apply: the center's partners that are not the city (groups, associations, companies …)."""
    return (Organization.objects.filter(center_id=center_id)
            .exclude(kind__in=(OrganizationKind.CITY_DEPARTMENT, OrganizationKind.CENTER, OrganizationKind.PREFECTURE))
            .order_by("name_kana", "name"))


def proposals_for_call(call: ProgrammeCall) -> QuerySet[Proposal]:
    """The center's open proposals whose need answers this call's track and that are not yet applications."""
    candidates = (Proposal.objects.filter(center_id=call.center_id, programme_application__isnull=True,
                                          status__in=(ProposalStatus.SUBMITTED, ProposalStatus.IN_PIPELINE))
                  .select_related("group__organization", "need__requester").order_by("-created_at"))
    return candidates.filter(pk__in=[p.pk for p in candidates if need_takes_programme(p.need, call.track)])


def call_page(*, user, call: ProgrammeCall) -> CallPage:
    can_change = call.center_id in permission_map(user).get(CENTER_CHANGE, ())
    themes = list(call.themes.select_related("department", "proposer"))
    applications = list(call.applications.select_related("applicant", "theme", "responsible_department", "case",
                                                         "proposal__group__organization"))
    for application in applications:
        application.actions = application_actions(application, call, can_change=can_change)
    page = CallPage(
        call=call, can_change=can_change,
        next_status=next_call_status(call.status) if can_change else None,
        themes=themes, meetings=list(call.exchange_meetings.prefetch_related("participants").order_by("starts_at")),
        applications=applications,
        counts={"exchange_meetings": call.meetings, "applications": call.received, "adopted": call.adopted_count},
        takes_themes=call.status in (CallStatus.THEMES, CallStatus.OPEN),
        takes_applications=call.status == CallStatus.OPEN or (call.status == CallStatus.REVIEWING
                                                              and call.deadline_on is not None),
        adopted_themes=[theme for theme in themes if theme.status == ThemeStatus.ADOPTED],
    )
    if can_change:
        page.linkable_meetings = (Event.objects.filter(center_id=call.center_id, kind=EventKind.IKEN_KOKAN)
                                  .exclude(programme_calls=call).order_by("-starts_at")[:LINKABLE_MEETINGS])
        page.proposals = proposals_for_call(call)
        page.departments = center_departments(call.center_id)
        page.groups = center_applicants(call.center_id)
    return page


def applications_for(user) -> QuerySet[ProgrammeApplication]:
    return (scoped_queryset(user, ProgrammeApplication, "view")
            .select_related("call", "center", "applicant", "theme", "responsible_department", "case",
                            "proposal__group__organization", "proposal__need")
            .prefetch_related(Prefetch("case__years", queryset=CaseYear.objects.select_related("responsible_department"))))


@dataclass
class ApplicationPage:
    application: ProgrammeApplication
    call: ProgrammeCall
    can_change: bool
    actions: ApplicationActions
    years: list[CaseYear]
    departments: QuerySet[Organization] | None = None

    @property
    def review_waits_until(self) -> int | None:
        """The 年度 the 2年目審査 opens, while an adopted project is still in its first year."""
        application = self.application
        if application.status != ApplicationStatus.ADOPTED or application.reviewed_on or self.actions.review:
            return None
        return review_year(application)


def application_page(*, user, uuid) -> ApplicationPage:
    application = applications_for(user).get(uuid=uuid)
    can_change = application.center_id in permission_map(user).get(CENTER_CHANGE, ())
    call = application.call
    return ApplicationPage(
        application=application, call=call, can_change=can_change,
        actions=application_actions(application, call, can_change=can_change),
        years=list(application.case.years.all()) if application.case_id else [],
        departments=center_departments(application.center_id) if can_change else None,
    )


def department_programme(*, user) -> dict:
    """The themes and applications of the departments the user works for (read only)."""
    themes = (scoped_queryset(user, ProgrammeTheme, "view").select_related("call", "department", "proposer")
              .order_by("-call__fiscal_year", "id"))
    return {"themes": list(themes), "applications": list(applications_for(user).order_by("-call__fiscal_year", "id"))}


def open_calls_for_proposal(*, user, proposal: Proposal) -> list[ProgrammeCall]:
    """The calls of the proposal's center now taking applications that its need answers (for the
    center's decision on the proposal's page)."""
    if proposal.status not in (ProposalStatus.SUBMITTED, ProposalStatus.IN_PIPELINE) or proposal.center_id not in (
            permission_map(user).get(CENTER_CHANGE, ())):
        return []
    if ProgrammeApplication.objects.filter(proposal=proposal).exists():
        return []
    calls = ProgrammeCall.objects.filter(center_id=proposal.center_id, status=CallStatus.OPEN).order_by("-fiscal_year")
    return [call for call in calls if need_takes_programme(proposal.need, call.track)]
