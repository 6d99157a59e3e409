"""The schema of a center's data file (deploy/demo/centers/<key>.yaml), checked before anything is written.

The keys mirror the arguments of the node's services; the format is described for people who edit the
files in deploy/demo/centers/README.md. Sections are read in file order, so a reference can be checked
against what is defined above it.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import models

from common.vocabulary import ACTIVITY_FIELDS, CaseOutcome, CollaborationForm, PartyRole, ProgrammeTrack
from nodes.models import (
    ActionOwner,
    ActionStatus,
    BookingStatus,
    BoxSize,
    ConsentMethod,
    ConsultationChannel,
    ConsultationKind,
    DistributionKind,
    EventKind,
    GroupRegistration,
    GroupStatus,
    LegalForm,
    MemberKind,
    MenuItemKind,
    NeedStatus,
    Rating,
    RenewalDifficulty,
    SharingLevel,
    SharingReach,
    TalentVolunteer,
    TourOrganizationKind,
)
from permissions.models import OrganizationKind, Role

from . import dates
from .base import (
    ACCOUNT,
    DemoDataError,
    Invalid,
    Key,
    Names,
    Ref,
    amount,
    boolean,
    choice,
    code,
    date,
    error_at,
    fiscal_year,
    hours,
    integer,
    line_of,
    list_of,
    moment,
    nested,
    place,
    read_yaml,
    record,
    records,
    ref,
    text,
)


class ProgrammeDecision(models.TextChoices):
    """What became of an application in the committee's 審査 (or before it)."""

    ADOPTED = "adopted"
    NOT_ADOPTED = "not_adopted"
    WITHDRAWN = "withdrawn"


class ProposalStage(models.TextChoices):
    SUBMITTED = "submitted"
    TAKEN_UP = "taken_up"
    MEETING = "meeting"
    DECLINED = "declined"


@dataclass(frozen=True)
class Template:
    """A text with a number that moves with the 年度 (西区地域づくり大学校 第{term}期 …)."""

    text: str
    values: dict[str, tuple[int, int]]  # name → (fiscal year, its number then)

    def resolve(self, clock: dates.Clock) -> str:
        current = dates.FiscalYearFromCurrent(0).resolve(clock)
        return self.text.format(**{name: first + current - year for name, (year, first) in self.values.items()})


def _text_or_template(value: Any, names: Names) -> str | Template:
    if not isinstance(value, Mapping):
        return text(value, names)
    if not isinstance(value.get("template"), str):
        raise Invalid("a text that changes with the year is {template: \"…{term}…\", term: "
                       "{numbered_from_fiscal_year: 2020, first: 9}}")
    wanted = {name for _, name, _, _ in string.Formatter().parse(value["template"]) if name}
    values = {}
    for name in wanted:
        number = value.get(name)
        if not isinstance(number, Mapping) or set(number) != {"numbered_from_fiscal_year", "first"}:
            raise Invalid(f"template: {{{name}}} needs {name}: {{numbered_from_fiscal_year: <year>, first: <number>}}")
        values[name] = (integer(number["numbered_from_fiscal_year"], names), integer(number["first"], names))
    extra = sorted(set(value) - wanted - {"template"})
    if extra:
        raise Invalid(f"template: {', '.join(extra)} not used in the text")
    return Template(value["template"], values)


def _consents(value: Any, _names: Names) -> list[str]:
    if not isinstance(value, list) or any(item not in GroupRegistration.CONSENTS for item in value):
        raise Invalid(f"expected a list of {', '.join(GroupRegistration.CONSENTS)} (got {value!r})")
    return value


def _talent_consents(value: Any, _names: Names) -> list[str]:
    if not isinstance(value, list) or any(item not in TalentVolunteer.CONSENTS for item in value):
        raise Invalid(f"expected a list of {', '.join(TalentVolunteer.CONSENTS)} (got {value!r})")
    return value


def _activity_fields(value: Any, _names: Names) -> list[int]:
    if not isinstance(value, list) or any(isinstance(number, bool) or number not in ACTIVITY_FIELDS for number in value):
        raise Invalid(f"expected a list of activity-field numbers 1–20 of the NPO Act (got {value!r})")
    return value


# --- the sections -------------------------------------------------------------------------------

_ORGANIZATION = ref(Ref.ORGANIZATION)
_ORGANIZATIONS = list_of(_ORGANIZATION)
_TEXT = Key(text, default="")
_FIELDS = Key(_activity_fields, default=list)

_AREA = {"name": Key(text, required=True), "name_kana": Key(text, required=True)}

CENTER = {
    "name": Key(text, required=True),
    "name_kana": Key(text, required=True),
    "municipality_code": Key(code, required=True),
    "municipality_name": Key(text, required=True),
    "seed_document": Key(code, default=""),
    # Fictional numbers in the center's area code: 0465-00-0001, 045-000-0001 …
    "phone_prefix": Key(text, required=True),
    "admin": Key(nested(ACCOUNT), required=True),
    "staff": Key(nested(ACCOUNT), required=True),
    # Place names generate_volume builds its groups' names and areas from.
    "volume_areas": Key(records(_AREA), required=True),
}

def _member_organizations(value: Any, names: Names) -> dict[str, list[str]]:
    """Other organizations of a network, by the kind they are counted as: {company: [名前, …], …}."""
    if not isinstance(value, Mapping) or any(kind not in MemberKind.values for kind in value):
        raise Invalid(f"expected {{kind: [name, …]}} with kinds among {', '.join(MemberKind.values)}")
    found = {kind: list_of(text)(listed, names) for kind, listed in value.items()}
    every = [name for listed in found.values() for name in listed]
    if len(set(every)) != len(every):
        raise Invalid("an organization is listed twice")
    return found


RENEWAL_STATES = ("open", "answered", "lapsed")


def _clock(value: Any, _names: Names) -> dt.time:
    """"13:30" (quoted in YAML) as a time of day."""
    if isinstance(value, str):
        try:
            return dt.time.fromisoformat(value)
        except ValueError:
            pass
    raise Invalid(f"expected a time of day such as \"13:30\" (got {value!r})")


def _weekdays(value: Any, _names: Names) -> list[int]:
    if not isinstance(value, list) or any(isinstance(d, bool) or d not in range(7) for d in value):
        raise Invalid(f"expected a list of weekday numbers 0–6, Monday = 0 (got {value!r})")
    return value


_BOOKING_STATES = [BookingStatus.APPROVED.value, BookingStatus.PENDING.value, BookingStatus.CANCELLED.value]


def _booking_state(value: Any, _names: Names) -> str:
    if value not in _BOOKING_STATES:
        raise Invalid(f"{value!r} is not one of {', '.join(_BOOKING_STATES)}")
    return value


def _renewal_state(value: Any, _names: Names) -> str:
    if value not in RENEWAL_STATES:
        raise Invalid(f"{value!r} is not one of {', '.join(RENEWAL_STATES)}")
    return value


SECTIONS: dict[str, dict[str, Key]] = {
    "departments": {"name": Key(text, required=True), "name_kana": _TEXT},
    "partners": {"name": Key(text, required=True), "kind": Key(choice(OrganizationKind), required=True),
                 "name_kana": _TEXT},
    "groups": {
        "name": Key(text, required=True), "name_kana": Key(text, required=True),
        "kind": Key(choice(OrganizationKind), default=OrganizationKind.CITIZEN_GROUP.value),
        "legal_form": Key(choice(LegalForm), default=LegalForm.VOLUNTARY.value),
        "activity_fields": _FIELDS, "registered_on": Key(date, required=True),
        # Without it the group is renewed every three 年度 up to today, as a live center would do.
        "renewal_due": Key(date), "renew": Key(boolean, default=True),
        "status": Key(choice(GroupStatus)),
        "member_count": Key(amount), "area": _TEXT, "representative_name": _TEXT, "representative_kana": _TEXT,
        "consents": Key(_consents, default=lambda: ["hub_listing"]), "description": _TEXT,
    },
    "talents": {
        "name": Key(text, required=True), "name_kana": Key(text, required=True), "title": Key(text, required=True),
        "skills": _TEXT, "activity_fields": _FIELDS, "registered_on": Key(date, required=True), "area": _TEXT,
        "availability": _TEXT, "conditions": _TEXT,
        "consents": Key(_talent_consents, default=lambda: ["public_listing", "guidebook"]),
        # Requests from the public talent page, waiting for the center (地域人材への依頼).
        "requests": Key(records({"requester_name": Key(text, required=True), "requester_organization": _TEXT,
                                 "purpose": Key(text, required=True), "preferred_dates": Key(text, required=True),
                                 "place": Key(text, required=True)}), default=list),
    },
    "cases": {
        "title": Key(text, required=True), "form": Key(choice(CollaborationForm), required=True),
        "fiscal_year_start": Key(integer, required=True), "fiscal_year_end": Key(integer),
        "activity_fields": _FIELDS, "responsible_department": Key(_ORGANIZATION),
        "total_cost": Key(amount), "city_share": Key(amount),
        "outcome": Key(choice(CaseOutcome), default=CaseOutcome.ONGOING.value),
        # Required: what leaves the node is said, never left to a default.
        "sharing_level": Key(choice(SharingLevel), required=True),
        # 共有範囲: 県内のみ unless the file says 全国 (national), which only a shared case can be.
        "sharing_reach": Key(choice(SharingReach), default=SharingReach.PREFECTURE.value),
        "summary": Key(text, required=True), "lessons": _TEXT,
        "parties": Key(records({"organization": Key(_ORGANIZATION, required=True),
                                 "role": Key(choice(PartyRole), required=True), "contribution": _TEXT}),
                       default=list),
    },
    "events": {
        "title": Key(_text_or_template, required=True), "kind": Key(choice(EventKind), required=True),
        "starts_at": Key(moment, required=True), "hours": Key(hours, default=2), "theme": _TEXT,
        "activity_fields": _FIELDS, "venue": _TEXT,
        # The center is always the first organizer; these are the others.
        "organizers": Key(_ORGANIZATIONS, default=list), "participants": Key(_ORGANIZATIONS, default=list),
        "capacity": Key(amount),
        # Kept only once the event is over: a future event has no attendance yet.
        "attendance": Key(amount),
        "cancellation_reason": _TEXT, "is_public": Key(boolean, default=True),
        "description": _TEXT, "outcome_note": _TEXT,
        "produced_groups": Key(list_of(ref(Ref.GROUP)), default=list),
        "produced_cases": Key(list_of(ref(Ref.CASE)), default=list),
    },
    # The members of an intermediate support network (a group above of kind intermediate_support):
    # groups registered above, other organizations by kind, and how many individuals (never named).
    "networks": {
        "network": Key(ref(Ref.GROUP), required=True), "joined_on": Key(date, required=True),
        "groups": Key(list_of(ref(Ref.GROUP)), default=list),
        "organizations": Key(_member_organizations, default=dict), "individuals": Key(amount, default=0),
    },
    "needs": {
        "title": Key(text, required=True), "requester": Key(_ORGANIZATION, required=True),
        # A network (the requester) posting for one of its members, by the member's name.
        "on_behalf_of": _TEXT,
        "activity_fields": _FIELDS, "area": _TEXT, "fiscal_year": Key(fiscal_year),
        # Written as the centers write them (「事業協力・委託（協働委託）」, 「会場・交通費程度の謝礼」) and parsed
        # into forms and covered costs by the node's matching, as its forms do.
        "allowed_forms": _TEXT, "resources": _TEXT, "partner_role": _TEXT,
        "status": Key(choice(NeedStatus), default=NeedStatus.OPEN.value), "description": Key(text, required=True),
        # Submitted by the department and approved by the center: shown on the public pages.
        "published": Key(boolean, default=False),
    },
    # A department's public desk (課の窓口): its line and inbox are the desk's, never a person's.
    "desks": {
        "department": Key(_ORGANIZATION, required=True), "desk_name": Key(text, required=True),
        "switchboard": _TEXT, "public_inbox": _TEXT, "location": _TEXT, "themes": Key(text, required=True),
        "summary": _TEXT, "activity_fields": _FIELDS,
    },
    # The city's menu: what a department can (can_do: true) or cannot do with groups, approved for publication.
    "city_menu": {
        "department": Key(_ORGANIZATION, required=True), "kind": Key(choice(MenuItemKind), required=True),
        "can_do": Key(boolean, default=True), "title": Key(text, required=True),
        "description": Key(text, required=True), "conditions": _TEXT, "fiscal_year": Key(fiscal_year),
        "activity_fields": _FIELDS, "published": Key(boolean, default=True),
    },
    "offers": {
        "group": Key(ref(Ref.GROUP), required=True), "title": Key(text, required=True), "activity_fields": _FIELDS,
        "area": _TEXT, "capacity": _TEXT, "conditions": _TEXT, "description": Key(text, required=True),
        "on_behalf_of": _TEXT,  # a network (the group) posting for one of its members
    },
    "consultations": {
        "topic": Key(text, required=True), "channel": Key(choice(ConsultationChannel), required=True),
        "intake_at": Key(moment, required=True), "requester_name": Key(text, required=True),
        "requester_organization": Key(_ORGANIZATION), "intake_note": _TEXT,
        "linked_organizations": Key(_ORGANIZATIONS, default=list),
        "linked_cases": Key(list_of(ref(Ref.CASE)), default=list),
        # One entry per step after インテーク: コーディネート, クロージング, 完了.
        "steps": Key(records({"at": Key(moment, required=True), "note": _TEXT}), default=list),
        # Routing (seed 004): the kind, the staff member the chief (`assigned_by`, a login) chose, experts
        # asked (a talent by its title, or a professional by name), what it led to, the month's review.
        "kind": Key(choice(ConsultationKind), default=""), "assignee": _TEXT, "assigned_by": _TEXT,
        "experts": Key(records({
            "talent": _TEXT, "professional_name": _TEXT, "expertise": Key(text, required=True),
            "asked_on": Key(date, required=True), "question": _TEXT, "answer": _TEXT, "answered_on": Key(date),
        }), default=list),
        "linked_needs": Key(list_of(text), default=list),
        "notable": Key(nested({"reason": Key(text, required=True), "decision": _TEXT})),
    },
    # Themed 相談日 (「はじめの一歩じっくり相談日」…) and the consultations (by topic, above) booked into them.
    "consultation_days": {
        "title": Key(text, required=True), "theme": Key(choice(ConsultationKind), required=True),
        "day": Key(date, required=True), "starts_at": Key(text, required=True), "ends_at": Key(text, required=True),
        "capacity": Key(integer, required=True), "place": _TEXT, "bookings": Key(list_of(text), default=list),
    },
    "tours": {
        "title": Key(text, required=True), "theme": _TEXT, "description": _TEXT,
        "starts_on": Key(date, required=True), "ends_on": Key(date, required=True),
        "reading_days": Key(amount, default=14), "capacity": Key(amount), "activity_fields": _FIELDS,
        "organizations": Key(records({"name": Key(text, required=True),
                                       "kind": Key(choice(TourOrganizationKind), required=True),
                                       "seats": Key(amount)}), default=list),
        "stops": Key(records({"title": Key(text, required=True), "starts_at": Key(moment, required=True),
                               "ends_at": Key(moment), "place": _TEXT, "directions": _TEXT}), default=list),
        "cases": Key(records({"case": Key(ref(Ref.CASE), required=True), "stop": _TEXT,
                               "named": Key(boolean, default=False), "note": _TEXT}), default=list),
        "named_consents": Key(records({"organization": Key(_ORGANIZATION, required=True),
                                        "method": Key(choice(ConsentMethod), required=True), "note": _TEXT}),
                              default=list),
    },
    # A group's answer to a need above, by a login above; `stage` is how far the center has taken it:
    # submitted (waiting), taken_up (matching started), meeting (a 事前打ち合わせ recorded) or declined.
    "proposals": {
        "group": Key(ref(Ref.GROUP), required=True), "need": Key(text, required=True),
        "submitted_by": Key(text, required=True), "title": Key(text, required=True),
        "activity": Key(text, required=True), "people": Key(text, required=True), "timing": Key(text, required=True),
        "cost_yen": Key(amount), "cost_note": _TEXT, "asks_of_city": _TEXT,
        "stage": Key(choice(ProposalStage), default=ProposalStage.SUBMITTED.value), "note": _TEXT,
        "department_answer": _TEXT, "meeting_note": _TEXT,
    },
    # A 協働推進事業 call as it went (seed 001): its 意見交換会 (one event per group and department, spread
    # over the weekdays of August–September), its applications and the committee's decisions; an adopted
    # application becomes the two-year case (1年目, 2年目: `amounts`, the programme paying all) and its
    # `review` is the 2年目審査 (`next_year_yen`: the department's budget for the year after).
    "programme": {
        "fiscal_year": Key(integer, required=True), "track": Key(choice(ProgrammeTrack), required=True),
        "title": _TEXT,
        # Without them, the seed's timetable for the year (7月 説明会 … 12月下旬 実施事業内定).
        "briefing_on": Key(date), "opens_on": Key(date), "deadline_on": Key(date), "presentation_on": Key(date),
        "decision_on": Key(date), "budget_frame_yen": Key(amount), "project_cap_yen": Key(amount),
        "venue": _TEXT,
        "meetings": Key(records({"group": Key(_ORGANIZATION, required=True),
                                  "departments": Key(_ORGANIZATIONS, required=True)}), default=list),
        "themes": Key(records({"title": Key(text, required=True), "description": _TEXT,
                                "proposer": Key(_ORGANIZATION), "department": Key(_ORGANIZATION),
                                "adopted": Key(boolean, default=True)}), default=list),
        "applications": Key(records({
            "title": Key(text, required=True), "applicant": Key(_ORGANIZATION, required=True),
            "department": Key(_ORGANIZATION), "summary": Key(text, required=True), "submitted_on": Key(date),
            "theme": _TEXT,  # one of the call's themes above, by its title
            "requested_yen": Key(amount), "decision": Key(choice(ProgrammeDecision), required=True), "note": _TEXT,
            "amounts": Key(list_of(amount), default=list), "activity_fields": _FIELDS,
            "case": Key(nested({"summary": _TEXT, "lessons": _TEXT, "lead_contribution": _TEXT,
                                "department_contribution": _TEXT,
                                "sharing_level": Key(choice(SharingLevel), default=SharingLevel.PRIVATE.value)})),
            "review": Key(nested({"reviewed_on": Key(date, required=True),
                                  "outcome": Key(choice(CaseOutcome), required=True), "note": _TEXT,
                                  "next_year_yen": Key(amount)})),
        }), default=list),
    },
    # Where a group stands in its renewal, after the daily sweep ran today: `open` (its due date is
    # within 90 days), `answered` (staff entered the group's answer after a call) or `lapsed` (the due
    # date has passed).
    "renewals": {
        "group": Key(ref(Ref.GROUP), required=True),
        "state": Key(_renewal_state, required=True),
        "continues": Key(boolean, default=True), "changes": _TEXT,
        "difficulties": Key(list_of(choice(RenewalDifficulty)), default=list), "difficulty_other": _TEXT,
    },
    # Yearly counts by form the center loaded from its own published table (its case records of those
    # years are gone): `counts` holds one number per 年度 from `first_year` on.
    "history": {
        "form": Key(choice(CollaborationForm), required=True), "first_year": Key(integer, required=True),
        "counts": Key(list_of(amount), required=True), "source": _TEXT,
    },
    # The center's yearly targets (seed 004: 相談 480, コーディネート提案 36) and whether its form ×
    # 年度 counts are public programme figures (the hub shows them unsuppressed).
    "figures": {
        "consultation_target": Key(amount), "coordination_target": Key(amount),
        "form_counts_public": Key(boolean, default=False),
    },
    # Meeting spaces (スペースA・B): a room and its rules; closed on holidays and 年末年始 unless told.
    "rooms": {
        "name": Key(text, required=True), "capacity": Key(amount, required=True), "equipment": _TEXT,
        "opens_at": Key(_clock, default=lambda: dt.time(9)), "closes_at": Key(_clock, default=lambda: dt.time(21)),
        "closed_weekdays": Key(_weekdays, default=list), "closed_on_holidays": Key(boolean, default=True),
        "cancel_days_before": Key(amount, default=3), "note": _TEXT,
    },
    # A booking of a room above by an organization above, on a `day` (moved to the room's next open day
    # when it falls on a closed one) `from` … `until`. `by` (a login above, a group's member) requests it
    # and staff approve it unless `state: pending`; without `by` staff enter it. A past day is entered
    # as it would have been a week before it.
    "bookings": {
        "room": Key(text, required=True), "organization": Key(_ORGANIZATION, required=True),
        "day": Key(date, required=True), "from": Key(_clock, required=True), "until": Key(_clock, required=True),
        "purpose": Key(text, required=True), "attendees": Key(amount, required=True), "by": _TEXT,
        "state": Key(_booking_state, default=BookingStatus.APPROVED.value),
    },
    # Group boxes: `labels` of one size.
    "boxes": {"labels": Key(list_of(text), required=True), "size": Key(choice(BoxSize), required=True)},
    # A round of group boxes for the two years from April of `term_fiscal_year`; applications within
    # the window (by default 10 January – 10 February before the term), `renew` keeps the box the group
    # holds; `draw` runs the lottery the day after the window closes (with `seed`, if given).
    "box_rounds": {
        "title": Key(text, required=True), "term_fiscal_year": Key(fiscal_year, required=True),
        "applications_open_on": Key(date), "applications_close_on": Key(date),
        "applications": Key(records({"group": Key(ref(Ref.GROUP), required=True),
                                      "size": Key(choice(BoxSize), default=BoxSize.SMALL.value),
                                      "renew": Key(boolean, default=False)}), default=list),
        "draw": Key(boolean, default=False), "seed": _TEXT,
        "releases": Key(list_of(ref(Ref.GROUP)), default=list),
    },
    # The center's newsletters (情報紙, seed 004: にしとも広場 twice a year, mini four times) with their
    # editions: items drawn from the events (by title: the first one on or after the issue date), groups
    # and cases defined above, a staff column, the distribution list, and whether it is published.
    "newsletters": {
        "title": Key(text, required=True), "issues_per_year": Key(integer, required=True), "format_note": _TEXT,
        "editions": Key(list_of(nested({
            "number": Key(integer, required=True), "issue_date": Key(date, required=True), "headline": _TEXT,
            "events": Key(list_of(text), default=list), "groups": Key(list_of(ref(Ref.GROUP)), default=list),
            "cases": Key(list_of(ref(Ref.CASE)), default=list),
            "columns": Key(list_of(nested({"heading": Key(text, required=True), "body": Key(text, required=True)})),
                           default=list),
            "distribution": Key(list_of(nested({
                "kind": Key(choice(DistributionKind), required=True), "recipient": Key(text, required=True),
                "han_count": Key(integer), "copies": Key(integer, required=True)})), default=list),
            "published": Key(boolean, default=False),
        })), default=list),
    },
    # The mutual review sheet with the ward office, one per 年度 in order: a later sheet copies the
    # earlier one's items and carries its open actions (the seeder creates them as staff would).
    "review_sheets": {
        "fiscal_year": Key(fiscal_year, required=True), "partner_name": _TEXT, "reviewed_on": Key(date),
        "summary": _TEXT,
        "items": Key(list_of(nested({
            "heading": Key(text, required=True), "center_rating": Key(choice(Rating), default=""),
            "center_comment": _TEXT, "ward_rating": Key(choice(Rating), default=""), "ward_comment": _TEXT})),
            default=list),
        "actions": Key(list_of(nested({
            "text": Key(text, required=True), "item": _TEXT, "owner": Key(choice(ActionOwner), default="both"),
            "due": _TEXT, "status": Key(choice(ActionStatus), default="open"), "result_note": _TEXT})), default=list),
    },
    # Accounts beyond the center's admin and staff, on an organization defined above.
    "logins": {"username": Key(text, required=True), "role": Key(choice(Role), required=True),
               "organization": Key(_ORGANIZATION, required=True), "last_name": Key(text, required=True),
               "first_name": Key(text, required=True)},
}

# The entry's name in error messages, and what it adds to the names later entries may use.
_LABEL = {"renewals": "group", "cases": "title", "events": "title", "needs": "title", "offers": "title",
          "tours": "title", "city_menu": "title", "desks": "desk_name", "consultations": "topic",
          "consultation_days": "title", "logins": "username", "proposals": "title", "programme": "fiscal_year", "bookings": "purpose",
          "boxes": "size", "box_rounds": "title", "networks": "network",
          "newsletters": "title", "review_sheets": "fiscal_year"}
_DEFINES = {"departments": (Ref.ORGANIZATION,), "partners": (Ref.ORGANIZATION,),
            "groups": (Ref.ORGANIZATION, Ref.GROUP), "cases": (Ref.CASE,)}


def _check_entry(section: str, entry: dict) -> None:
    """Rules across keys of one entry."""
    if section == "events" and entry["cancellation_reason"] and (entry["participants"] or entry["attendance"]):
        raise Invalid("a cancelled event has no participants or attendance")
    if section == "cases" and entry["fiscal_year_end"] is not None and entry["fiscal_year_end"] < entry["fiscal_year_start"]:
        raise Invalid("fiscal_year_end is before fiscal_year_start")
    if section == "cases" and entry["sharing_reach"] != SharingReach.PREFECTURE and entry["sharing_level"] == SharingLevel.PRIVATE:
        raise Invalid("a private case has no sharing_reach: only a shared case goes beyond the prefecture")
    if section == "proposals" and entry["stage"] == ProposalStage.MEETING and not entry["meeting_note"]:
        raise Invalid("a proposal at stage meeting needs meeting_note: what the 事前打ち合わせ settled")
    if section == "proposals" and entry["stage"] == ProposalStage.DECLINED and not entry["note"]:
        raise Invalid("a declined proposal needs note: the reason the group reads")
    if section == "programme":
        for index, application in enumerate(entry["applications"]):
            where = ("applications", f"[{index}]")
            adopted = application["decision"] == ProgrammeDecision.ADOPTED
            if not adopted and (application["case"] or application["review"] or application["amounts"]):
                raise Invalid("only an adopted application has case, amounts or review", where)
            if application["decision"] == ProgrammeDecision.NOT_ADOPTED and not application["note"]:
                raise Invalid("a not_adopted application needs note: the committee's reasons", where)
            if adopted and application["amounts"] and len(application["amounts"]) != 2:
                raise Invalid("amounts: one 事業額 for each of the two years", where)
            if application["theme"] and application["theme"] not in {theme["title"] for theme in entry["themes"]}:
                raise Invalid(f"「{application['theme']}」 is not one of this call's themes", (*where, "theme"))
            if adopted and not application["department"]:
                raise Invalid("an adopted application needs its department", where)
    if section == "consultations" and bool(entry["assignee"]) != bool(entry["assigned_by"]):
        raise Invalid("assignee and assigned_by go together: who handles it, and the chief who decided")
    if section == "consultations" and entry["notable"] and entry["notable"]["decision"] and not entry["assigned_by"]:
        raise Invalid("a notable consultation's decision is recorded by the chief: give assigned_by")
    if section == "tours":
        stops = [stop["title"] for stop in entry["stops"]]
        for index, case in enumerate(entry["cases"]):
            if case["stop"] and case["stop"] not in stops:
                raise Invalid(f"「{case['stop']}」 is not one of this tour's stops", ("cases", f"[{index}]", "stop"))


# --- a center file ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CenterData:
    """One center's checked data: its `center` mapping and its sections in file order."""

    key: str
    path: Path
    center: dict
    sections: list[tuple[str, list[dict]]]
    # Each entry's place in the file, for errors the services raise while seeding it.
    places: dict[tuple[str, int], str]

    @property
    def name(self) -> str:
        return self.center["name"]


def load_center_file(path: Path) -> CenterData:
    """Read and check one center's file; `DemoDataError` names the first problem's file and entry."""
    data = read_yaml(path)
    if not isinstance(data, Mapping) or "center" not in data:
        raise DemoDataError(f"{path.name}: a center file is a mapping that starts with `center:`")
    first = next(iter(data))
    if first != "center":
        raise DemoDataError(f"{path.name}: `center:` must come first (found `{first}` before it)")
    names = Names()
    try:
        center = record(data["center"], CENTER, names)
    except Invalid as error:
        raise error_at(place(path, line_of(data["center"]), "center"), error) from error
    names.organizations.add(center["name"])
    sections, places = [], {("center", 0): place(path, line_of(data["center"]), "center")}
    for section, entries in list(data.items())[1:]:
        if section not in SECTIONS:
            raise DemoDataError(f"{path.name}: unknown section `{section}` (allowed: center, {', '.join(SECTIONS)})")
        if not isinstance(entries, list):
            raise DemoDataError(f"{path.name}: `{section}` must be a list of entries")
        checked = []
        for index, entry in enumerate(entries):
            raw_label = entry.get(_LABEL.get(section, "name"), "") if isinstance(entry, Mapping) else ""
            label = raw_label.get("template", "") if isinstance(raw_label, Mapping) else str(raw_label or "")
            where = place(path, line_of(entry), section, index, label)
            try:
                checked_entry = record(entry, SECTIONS[section], names)
                _check_entry(section, checked_entry)
            except Invalid as error:
                raise error_at(where, error) from error
            if section == "programme":  # an adopted application defines its case, by the application's title
                for application in checked_entry["applications"]:
                    if application["decision"] == ProgrammeDecision.ADOPTED:
                        if application["title"] in names.cases:
                            raise DemoDataError(f"{where}: 「{application['title']}」 is defined twice in cases")
                        names.cases.add(application["title"])
            for kind in _DEFINES.get(section, ()):
                registry = getattr(names, kind.value)
                defined = checked_entry["name" if kind is not Ref.CASE else "title"]
                if defined in registry:
                    raise DemoDataError(f"{where}: 「{defined}」 is defined twice in {kind.value}")
                registry.add(defined)
            places[(section, index)] = where
            checked.append(checked_entry)
        sections.append((section, checked))
    return CenterData(key=path.stem, path=path, center=center, sections=sections, places=places)


