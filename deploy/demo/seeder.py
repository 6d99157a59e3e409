"""Seeds one center's demo from its data file, through the node's services only.

Each center runs on its own node, so one call seeds one center: its Organization, the admin and staff
accounts, then the file's sections in the order they are written. Every record is made by the same
service a staff member's form calls, so it is scoped, validated, versioned, audited and queued for
the hub exactly like a real one. A service's refusal is reported with the file and entry it came from,
and the whole center is rolled back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from common.japanese import fiscal_year_of
from nodes import services, tours
from nodes.matching_text import parse_allowed_forms, parse_costs
from nodes.models import (
    SEED_BUDGET_FRAME_YEN,
    ActivityField,
    BookingStatus,
    CallStatus,
    CollaborationCase,
    Event,
    EventStatus,
    GroupRegistration,
    GroupStatus,
    Need,
    NetworkMember,
    RegistrationRenewal,
    Room,
    TalentVolunteer,
    suggested_timetable,
)
from nodes.services import consultation_routing as routing, newsletters, review_sheets
from nodes.spaces_selectors import closed_reason
from permissions.models import Organization, OrganizationKind, Role
from permissions.services import membership_grant, organization_create

from .base import CENTERS_DIR, DEMO_PASSWORD, DemoDataError, DemoLogin, center_keys
from .dates import Clock, spread_over_weekdays
from .schema import CenterData, ProgrammeDecision, ProposalStage, load_center_file


def load_center(key: str) -> CenterData:
    path = CENTERS_DIR / f"{key}.yaml"
    if not path.is_file():
        raise DemoDataError(f"no data file for the center {key!r} in {CENTERS_DIR} (there are: {', '.join(center_keys())})")
    return load_center_file(path)


def center_logins(data: CenterData) -> list[DemoLogin]:
    """The admin, the staff member and the file's other logins, in that order."""
    found = [DemoLogin(Role.CENTER_ADMIN.value, data.name, data.center["admin"]["username"], DEMO_PASSWORD),
             DemoLogin(Role.CENTER_STAFF.value, data.name, data.center["staff"]["username"], DEMO_PASSWORD)]
    found += [DemoLogin(login["role"], login["organization"], login["username"], DEMO_PASSWORD)
              for section, entries in data.sections if section == "logins" for login in entries]
    return found


def seed_center(key: str) -> list[DemoLogin]:
    return _seed(load_center(key))


def seed_center_file(path: Path) -> list[DemoLogin]:
    return _seed(load_center_file(path))


def _seed(data: CenterData) -> list[DemoLogin]:
    """Seed one center; if its Organization already exists, only return its logins."""
    if not Organization.objects.filter(kind=OrganizationKind.CENTER, name=data.name).exists():
        with transaction.atomic():
            _CenterSeeder(data, Clock(now=timezone.now(), today=timezone.localdate())).run()
    return center_logins(data)


def _resolved(value: Any, clock: Clock) -> Any:
    """The entry with its relative dates (and yearly numbered titles) turned into values for today."""
    if hasattr(value, "resolve"):
        return value.resolve(clock)
    if isinstance(value, dict):
        return {key: _resolved(item, clock) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolved(item, clock) for item in value]
    return value


def _refusal(where: str, error: ValidationError | IntegrityError) -> DemoDataError:
    if isinstance(error, IntegrityError):
        return DemoDataError(f"{where}: the database refused it: {error}")
    if hasattr(error, "error_dict"):
        detail = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items())
    else:
        detail = " ".join(error.messages)
    return DemoDataError(f"{where}: {detail}")


class _CenterSeeder:
    def __init__(self, data: CenterData, clock: Clock):
        self.data = data
        self.clock = clock
        center = data.center
        self.accounts: dict[str, Any] = {}  # username → user, for entries that act as someone
        try:
            self.center = organization_create(
                acting_user=None, name=center["name"], name_kana=center["name_kana"], kind=OrganizationKind.CENTER,
                municipality_code=center["municipality_code"], municipality_name=center["municipality_name"],
            )
            self.admin = self.account(center["admin"], self.center, Role.CENTER_ADMIN)
            self.staff = self.account(center["staff"], self.center, Role.CENTER_STAFF)
        except (ValidationError, IntegrityError) as error:
            raise _refusal(data.places[("center", 0)], error) from error
        self.organizations: dict[str, Organization] = {center["name"]: self.center}
        self.groups: dict[str, GroupRegistration] = {}
        self.cases: dict[str, CollaborationCase] = {}
        self.needs: dict[str, Need] = {}
        self.consultations: dict[str, Any] = {}
        self.network_members: dict[tuple[str, str], NetworkMember] = {}  # (network, member) → its row
        self.activity_fields = {f.code: f for f in ActivityField.objects.all()}
        self.contacts = 0
        self.rooms: dict[str, Room] = {}

    def run(self) -> None:
        seeders: dict[str, Callable[[dict], object]] = {
            "departments": self.department, "partners": self.partner, "groups": self.group, "talents": self.talent,
            "cases": self.case, "events": self.event, "needs": self.need, "offers": self.offer,
            "consultations": self.consultation, "consultation_days": self.consultation_day, "tours": self.tour, "renewals": self.renewal,
            "logins": self.login, "desks": self.desk, "city_menu": self.menu_item, "proposals": self.proposal,
            "history": self.history, "figures": self.figures,
            "programme": self.programme, "rooms": self.room, "bookings": self.booking, "boxes": self.box,
            "box_rounds": self.box_round, "networks": self.network,
            "newsletters": self.newsletter, "review_sheets": self.review_sheet,
        }
        for section, entries in self.data.sections:
            for index, entry in enumerate(entries):
                try:
                    seeders[section](_resolved(entry, self.clock))
                except (ValidationError, IntegrityError) as error:
                    raise _refusal(self.data.places[(section, index)], error) from error

    # --- helpers over the services ----------------------------------------------------------

    def account(self, person: dict, organization: Organization, role: str):
        username = person["username"]
        user = get_user_model().objects.create_user(
            username=username, password=DEMO_PASSWORD, last_name=person["last_name"],
            first_name=person["first_name"], email=f"{username}@example.jp",
        )
        membership_grant(acting_user=None, user=user, organization=organization, role=role)
        self.accounts[username] = user
        return user

    def fields(self, entry: dict) -> list[ActivityField]:
        return [self.activity_fields[code] for code in entry["activity_fields"]]

    def orgs(self, names: list[str]) -> list[Organization]:
        return [self.organizations[name] for name in names]

    def next_contact(self) -> tuple[str, str]:
        """A fictional phone number and e-mail address, different for every record that has one."""
        self.contacts += 1
        return f"{self.data.center['phone_prefix']}-{self.contacts:04d}", f"{self.data.key}{self.contacts:03d}@example.jp"

    # --- one method per section, called once per entry -------------------------------------

    def department(self, entry: dict) -> None:
        self.partner({**entry, "kind": OrganizationKind.CITY_DEPARTMENT}, city=True)

    def partner(self, entry: dict, *, city: bool = False) -> None:
        center = self.data.center
        where = {"municipality_code": center["municipality_code"], "municipality_name": center["municipality_name"]}
        self.organizations[entry["name"]] = services.partner_create(
            acting_user=self.admin, center=self.center, name=entry["name"], kind=entry["kind"],
            name_kana=entry["name_kana"], **(where if city else {}))

    def group(self, entry: dict) -> None:
        extra: dict[str, Any] = {}
        if entry["representative_name"]:
            extra["contact_phone"], extra["contact_email"] = self.next_contact()
        if entry["renewal_due"]:
            extra["renewal_due"] = entry["renewal_due"]
        group = services.group_register(
            acting_user=self.admin, center=self.center, name=entry["name"], name_kana=entry["name_kana"],
            kind=entry["kind"], registered_on=entry["registered_on"], consents=entry["consents"],
            legal_form=entry["legal_form"], activity_fields=self.fields(entry), description=entry["description"],
            area=entry["area"], member_count=entry["member_count"], representative_name=entry["representative_name"],
            representative_kana=entry["representative_kana"], **extra,
        )
        while entry["renew"] and not entry["renewal_due"] and group.renewal_due < self.clock.today:
            group = services.group_renew(acting_user=self.admin, group=group,
                                         renewed_on=group.renewal_due + dt.timedelta(days=1))
        if entry["status"]:
            group = services.group_update(acting_user=self.admin, group=group, status=entry["status"])
        self.groups[entry["name"]] = group
        self.organizations[entry["name"]] = group.organization

    def talent(self, entry: dict) -> None:
        phone, email = self.next_contact()
        talent = services.talent_register(
            acting_user=self.admin, center=self.center, name=entry["name"], name_kana=entry["name_kana"],
            title=entry["title"], skills=entry["skills"], activity_fields=self.fields(entry),
            registered_on=entry["registered_on"], area=entry["area"], availability=entry["availability"],
            conditions=entry["conditions"], consents=entry["consents"], phone=phone, email=email,
        )
        for request in entry["requests"]:
            phone, email = self.next_contact()
            services.talent_request_submit(talent=talent, requester_phone=phone, requester_email=email, **request)

    def case(self, entry: dict) -> None:
        department = entry["responsible_department"]
        self.cases[entry["title"]] = services.case_create(
            acting_user=self.admin, center=self.center, title=entry["title"], summary=entry["summary"],
            form=entry["form"], activity_fields=self.fields(entry),
            responsible_department=self.organizations[department] if department else None,
            total_cost=entry["total_cost"], city_share=entry["city_share"],
            fiscal_year_start=entry["fiscal_year_start"], fiscal_year_end=entry["fiscal_year_end"],
            outcome=entry["outcome"], lessons=entry["lessons"], sharing_level=entry["sharing_level"],
            sharing_reach=entry["sharing_reach"],
            parties=[{"organization": self.organizations[party["organization"]], "role": party["role"],
                      "contribution": party["contribution"]} for party in entry["parties"]],
        )

    def event(self, entry: dict) -> None:
        starts_at, cancelled = entry["starts_at"], entry["cancellation_reason"]
        held = starts_at < self.clock.now
        event = services.event_create(
            acting_user=self.admin, center=self.center, title=entry["title"], kind=entry["kind"], theme=entry["theme"],
            activity_fields=self.fields(entry), description=entry["description"], starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(hours=entry["hours"]), venue=entry["venue"],
            organizers=[self.center, *self.orgs(entry["organizers"])], participants=self.orgs(entry["participants"]),
            capacity=entry["capacity"], attendance=entry["attendance"] if held and not cancelled else None,
            status=EventStatus.HELD if held and not cancelled else EventStatus.PLANNED,
            is_public=entry["is_public"], outcome_note=entry["outcome_note"],
            produced_groups=[self.groups[name] for name in entry["produced_groups"]],
            produced_cases=[self.cases[title] for title in entry["produced_cases"]],
        )
        if cancelled:
            services.event_cancel(acting_user=self.admin, event=event, reason=cancelled)

    def network(self, entry: dict) -> None:
        """A network's members, all joined on `joined_on`; its counts follow from them."""
        network = services.network_open(acting_user=self.admin, group=self.groups[entry["network"]])
        organizations = [{"name": name, "kind": kind} for kind, names in entry["organizations"].items()
                         for name in names]
        members = services.network_members_add(
            acting_user=self.admin, network=network, groups=[self.groups[name] for name in entry["groups"]],
            organizations=organizations, joined_on=entry["joined_on"])
        for name, member in zip([*entry["groups"], *(o["name"] for o in organizations)], members, strict=True):
            self.network_members[(entry["network"], name)] = member
        services.network_set_individuals(acting_user=self.admin, network=network, individuals=entry["individuals"])

    def member(self, network: str, name: str) -> NetworkMember | None:
        if not name:
            return None
        if (network, name) not in self.network_members:
            raise ValidationError({"on_behalf_of": ValidationError(f"「{name}」 is not a member of 「{network}」 above")})
        return self.network_members[(network, name)]

    def need(self, entry: dict) -> None:
        forms, forms_note = parse_allowed_forms(entry["allowed_forms"])
        need = services.need_create(
            on_behalf_of=self.member(entry["requester"], entry["on_behalf_of"]),
            acting_user=self.admin, center=self.center, title=entry["title"], description=entry["description"],
            requester=self.organizations[entry["requester"]], activity_fields=self.fields(entry), area=entry["area"],
            fiscal_year=entry["fiscal_year"], allowed_forms=forms, forms_note=forms_note, resources=entry["resources"],
            covered_costs=parse_costs(entry["resources"]), status=entry["status"], partner_role=entry["partner_role"],
        )
        self.needs[entry["title"]] = need
        if entry["published"]:
            self.publish(need)

    def publish(self, record) -> None:
        """As a department and the center would: submitted, then approved by center staff."""
        services.publication_submit(acting_user=self.admin, record=record)
        services.publication_approve(acting_user=self.staff, record=record)

    def desk(self, entry: dict) -> None:
        services.desk_save(
            acting_user=self.admin, department=self.organizations[entry["department"]], desk_name=entry["desk_name"],
            switchboard=entry["switchboard"], public_inbox=entry["public_inbox"], location=entry["location"],
            themes=entry["themes"], summary=entry["summary"], activity_fields=self.fields(entry),
        )

    def menu_item(self, entry: dict) -> None:
        item = services.menu_item_create(
            acting_user=self.admin, department=self.organizations[entry["department"]], kind=entry["kind"],
            can_do=entry["can_do"], title=entry["title"], description=entry["description"],
            conditions=entry["conditions"], fiscal_year=entry["fiscal_year"] or fiscal_year_of(self.clock.today),
            activity_fields=self.fields(entry),
        )
        if entry["published"]:
            self.publish(item)

    def offer(self, entry: dict) -> None:
        services.offer_create(
            on_behalf_of=self.member(entry["group"], entry["on_behalf_of"]),
            acting_user=self.admin, group=self.groups[entry["group"]], title=entry["title"],
            description=entry["description"], activity_fields=self.fields(entry), area=entry["area"],
            capacity=entry["capacity"], conditions=entry["conditions"], cost_conditions=parse_costs(entry["conditions"]),
        )

    def consultation(self, entry: dict) -> None:
        """A 関わりカード at インテーク, advanced once per step (コーディネート, クロージング, 完了)."""
        phone, _email = self.next_contact()
        organization = entry["requester_organization"]
        card = services.consultation_open(
            acting_user=self.staff, center=self.center, intake_at=entry["intake_at"], topic=entry["topic"],
            channel=entry["channel"], kind=entry["kind"], requester_name=entry["requester_name"],
            requester_contact=phone, requester_organization=self.organizations[organization] if organization else None,
            intake_note=entry["intake_note"], linked_organizations=self.orgs(entry["linked_organizations"]),
            linked_cases=[self.cases[title] for title in entry["linked_cases"]],
        )
        for step in entry["steps"]:
            card = services.consultation_advance(acting_user=self.staff, consultation=card, note=step["note"],
                                                 at=step["at"])
        self.consultations[entry["topic"]] = card
        self.route(card, entry)

    def login_named(self, username: str):
        if username not in self.accounts:
            raise DemoDataError(f"「{username}」 is not a login defined above (center admin, staff or logins)")
        return self.accounts[username]

    def route(self, card, entry: dict) -> None:
        """A consultation's routing: the chief's assignment, experts, links, the month's review."""
        chief = self.login_named(entry["assigned_by"]) if entry["assigned_by"] else None
        if chief is not None:
            card = routing.consultation_assign(acting_user=chief, consultation=card,
                                               assignee=self.login_named(entry["assignee"]))
        for expert in entry["experts"]:
            talent = TalentVolunteer.objects.get(center=self.center, title=expert["talent"]) if expert["talent"] else None
            referral = routing.expert_refer(
                acting_user=self.staff, consultation=card, talent=talent, professional_name=expert["professional_name"],
                expertise=expert["expertise"], asked_on=expert["asked_on"], question=expert["question"])
            if expert["answer"]:
                routing.expert_answer(acting_user=self.staff, referral=referral, answer=expert["answer"],
                                      answered_on=expert["answered_on"])
        for title in entry["linked_needs"]:
            routing.consultation_link(acting_user=self.staff, consultation=card, need=self.needs[title])
        if entry["notable"]:
            notable = routing.consultation_mark_notable(acting_user=self.staff, consultation=card,
                                                        reason=entry["notable"]["reason"], month=self.clock.today)
            if entry["notable"]["decision"]:
                routing.review_decide(acting_user=chief, notable=notable, decision=entry["notable"]["decision"])

    def consultation_day(self, entry: dict) -> None:
        day = routing.consultation_day_create(
            acting_user=self.staff, center=self.center, title=entry["title"], theme=entry["theme"], day=entry["day"],
            starts_at=dt.time.fromisoformat(entry["starts_at"]), ends_at=dt.time.fromisoformat(entry["ends_at"]),
            capacity=entry["capacity"], place=entry["place"])
        for topic in entry["bookings"]:
            if topic not in self.consultations:
                raise DemoDataError(f"「{topic}」 is not a consultation defined above")
            routing.consultation_day_book(acting_user=self.staff, consultation_day=day,
                                          consultation=self.consultations[topic], today=self.clock.today)

    def tour(self, entry: dict) -> None:
        tour = tours.tour_create(
            acting_user=self.admin, center=self.center, title=entry["title"], theme=entry["theme"],
            description=entry["description"], starts_on=entry["starts_on"], ends_on=entry["ends_on"],
            reading_days=entry["reading_days"], capacity=entry["capacity"], activity_fields=self.fields(entry),
            organizations=entry["organizations"],
        )
        stops = {stop["title"]: tours.tour_stop_add(acting_user=self.admin, tour=tour, **stop) for stop in entry["stops"]}
        for case in entry["cases"]:
            tours.tour_case_add(acting_user=self.admin, tour=tour, case=self.cases[case["case"]],
                                stop=stops[case["stop"]] if case["stop"] else None, named=case["named"],
                                note=case["note"])
        for consent in entry["named_consents"]:
            tours.tour_consent_record(acting_user=self.admin, tour=tour,
                                      organization=self.organizations[consent["organization"]],
                                      method=consent["method"], note=consent["note"])

    def renewal(self, entry: dict) -> None:
        # What the daily beat job does today: opens the renewals due within 90 days, lapses the overdue.
        services.renewals_sweep(today=self.clock.today, center=self.center)
        group = GroupRegistration.objects.get(pk=self.groups[entry["group"]].pk)
        if entry["state"] == "lapsed":
            if group.status != GroupStatus.LAPSED:
                raise DemoDataError(f"{entry['group']}: its renewal_due must be before today to lapse")
            return
        renewal = RegistrationRenewal.objects.filter(group=group, due_on=group.renewal_due).first()
        if renewal is None:
            raise DemoDataError(f"{entry['group']}: its renewal_due must be within 90 days for its renewal to be open")
        if entry["state"] == "answered":
            services.renewal_answer(acting_user=self.staff, renewal=renewal, continues=entry["continues"],
                                    changes=entry["changes"], difficulties=entry["difficulties"],
                                    difficulty_other=entry["difficulty_other"])

    def login(self, entry: dict) -> None:
        self.account(entry, self.organizations[entry["organization"]], entry["role"])

    def history(self, entry: dict) -> None:
        counts = {(entry["form"], entry["first_year"] + index): count for index, count in enumerate(entry["counts"])}
        services.historical_counts_load(acting_user=self.staff, center=self.center, counts=counts,
                                     source=entry["source"])

    def figures(self, entry: dict) -> None:
        services.center_figures_update(acting_user=self.admin, center=self.center, **entry)

    def newsletter(self, entry: dict) -> None:
        newsletter = newsletters.newsletter_create(acting_user=self.staff, center=self.center, title=entry["title"],
                                                   issues_per_year=entry["issues_per_year"],
                                                   format_note=entry["format_note"])
        for data in entry["editions"]:
            edition = newsletters.edition_create(acting_user=self.staff, newsletter=newsletter, number=data["number"],
                                                 issue_date=data["issue_date"], headline=data["headline"])
            events = []
            for title in data["events"]:
                event = (Event.objects.filter(center=self.center, title=title, starts_at__date__gte=data["issue_date"])
                         .order_by("starts_at").first())
                if event is None:
                    raise ValidationError(f"no event 「{title}」 on or after the issue date {data['issue_date']}")
                events.append(event)
            if events or data["groups"] or data["cases"]:
                newsletters.edition_add_items(acting_user=self.staff, edition=edition, events=events,
                                              groups=[self.groups[name] for name in data["groups"]],
                                              cases=[self.cases[title] for title in data["cases"]])
            for column in data["columns"]:
                newsletters.edition_add_column(acting_user=self.staff, edition=edition, **column)
            newsletters.distribution_set(acting_user=self.staff, edition=edition, lines=data["distribution"])
            if data["published"]:
                newsletters.edition_publish(acting_user=self.staff, edition=edition)

    def review_sheet(self, entry: dict) -> None:
        sheet = review_sheets.review_sheet_create(acting_user=self.staff, center=self.center,
                                                  fiscal_year=entry["fiscal_year"], partner_name=entry["partner_name"],
                                                  headings=[data["heading"] for data in entry["items"]] or None)
        for data in entry["items"]:
            if not sheet.items.filter(heading=data["heading"]).exists():
                review_sheets.review_item_add(acting_user=self.staff, sheet=sheet, heading=data["heading"])
        ratings = {data["heading"]: data for data in entry["items"]}
        items = [{"id": item.pk, **{name: ratings[item.heading][name] for name in review_sheets.ITEM_FIELDS}}
                 for item in sheet.items.all() if item.heading in ratings]
        for data in entry["actions"]:
            item = sheet.items.filter(heading=data["item"]).first() if data["item"] else None
            review_sheets.review_action_add(acting_user=self.staff, sheet=sheet, text=data["text"], owner=data["owner"],
                                            due=data["due"], item=item)
        wanted = {data["text"]: data for data in entry["actions"]}
        actions = [{"id": action.pk, **{name: wanted[action.text][name] for name in review_sheets.ACTION_FIELDS}}
                   for action in sheet.actions.all() if action.text in wanted]
        review_sheets.review_sheet_update(
            acting_user=self.staff, sheet=sheet, items=items, actions=actions,
            values={"reviewed_on": entry["reviewed_on"], "summary": entry["summary"]})

    def proposal(self, entry: dict) -> None:
        if entry["need"] not in self.needs or entry["submitted_by"] not in self.accounts:
            missing = "need" if entry["need"] not in self.needs else "submitted_by"
            raise ValidationError({missing: f"「{entry[missing]}」 is not defined above"})
        proposal = services.proposal_submit(
            acting_user=self.accounts[entry["submitted_by"]], need=self.needs[entry["need"]],
            group=self.groups[entry["group"]], title=entry["title"], activity=entry["activity"],
            people=entry["people"], timing=entry["timing"], cost_yen=entry["cost_yen"], cost_note=entry["cost_note"],
            asks_of_city=entry["asks_of_city"])
        stage = entry["stage"]
        if entry["department_answer"]:
            services.proposal_answer(acting_user=self.admin, proposal=proposal, answer=entry["department_answer"])
        if stage == ProposalStage.DECLINED:
            services.proposal_decline(acting_user=self.staff, proposal=proposal, note=entry["note"])
        elif stage in (ProposalStage.TAKEN_UP, ProposalStage.MEETING):
            proposal = services.proposal_take_up(acting_user=self.staff, proposal=proposal, note=entry["note"])
            if stage == ProposalStage.MEETING:
                services.match_record_meeting(acting_user=self.staff, match=proposal.match,
                                              held_on=self.clock.today - dt.timedelta(days=3),
                                              notes=entry["meeting_note"])

    def programme(self, entry: dict) -> None:
        """A 協働推進事業 call taken through its steps as the staff would have: themes, 公募, the
        意見交換会 of August–September, the applications, 審査 (公開プレゼン, then 採択 or 不採択),
        採択決定, and each adopted project's 2年目審査."""
        year, staff = entry["fiscal_year"], self.staff
        timetable = {name: entry[name] or default for name, default in suggested_timetable(year).items()}
        call = services.call_create(
            acting_user=staff, center=self.center, fiscal_year=year, track=entry["track"], title=entry["title"],
            budget_frame_yen=entry["budget_frame_yen"] or SEED_BUDGET_FRAME_YEN,
            project_cap_yen=entry["project_cap_yen"], **timetable)
        for theme in entry["themes"]:
            made = services.theme_propose(
                acting_user=staff, call=call, title=theme["title"], description=theme["description"],
                proposer=self.organizations[theme["proposer"]] if theme["proposer"] else None,
                department=self.organizations[theme["department"]] if theme["department"] else None)
            services.theme_decide(acting_user=staff, theme=made, adopt=theme["adopted"])
        themes = {theme.title: theme for theme in call.themes.all()}
        call = services.call_advance(acting_user=staff, call=call, to=CallStatus.OPEN)
        pairs = [(meeting["group"], department) for meeting in entry["meetings"] for department in meeting["departments"]]
        slots = spread_over_weekdays(dt.date(year, 8, 1), dt.date(year, 9, 30), len(pairs))
        meetings = []
        for index, ((group, department), starts_at) in enumerate(zip(pairs, slots, strict=True)):
            meetings.append(services.call_meeting_create(
                acting_user=staff, call=call, starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=1.5),
                venue=entry["venue"], groups=[self.organizations[group]], departments=[self.organizations[department]],
                attendance=4 + index % 4))
        applications = []
        for application in entry["applications"]:
            department = application["department"]
            applications.append((application, services.application_submit(
                acting_user=staff, call=call, applicant=self.organizations[application["applicant"]],
                title=application["title"], summary=application["summary"],
                submitted_on=application["submitted_on"] or timetable["deadline_on"],
                theme=themes.get(application["theme"]), requested_yen=application["requested_yen"],
                responsible_department=self.organizations[department] if department else None)))
        call = services.call_advance(acting_user=staff, call=call, to=CallStatus.REVIEWING)
        for application, made in applications:
            self.programme_decision(call, timetable, meetings, application, made)
        services.call_advance(acting_user=staff, call=call, to=CallStatus.DECIDED)

    def programme_decision(self, call, timetable: dict, meetings: list, application: dict, made) -> None:
        staff, decision = self.staff, application["decision"]
        if decision == ProgrammeDecision.WITHDRAWN:
            services.application_withdraw(acting_user=staff, application=made, note=application["note"])
            return
        made = services.application_present(acting_user=staff, application=made,
                                            presented_on=timetable["presentation_on"])
        if decision == ProgrammeDecision.NOT_ADOPTED:
            services.application_reject(acting_user=staff, application=made, decided_on=timetable["decision_on"],
                                        note=application["note"])
            return
        case = application["case"] or {}
        made = services.application_adopt(
            acting_user=staff, application=made, decided_on=timetable["decision_on"], note=application["note"],
            amounts=[{"total_cost": yen} for yen in application["amounts"]] or None,
            summary=case.get("summary", ""), lessons=case.get("lessons", ""),
            sharing_level=case.get("sharing_level") or "private", activity_fields=self.fields(application),
            lead_contribution=case.get("lead_contribution", ""),
            department_contribution=case.get("department_contribution", ""))
        self.cases[made.title] = made.case
        # The 意見交換会 where the group met the department produced the project.
        for meeting in meetings:
            participants = set(meeting.participants.values_list("pk", flat=True))
            if {made.applicant_id, made.responsible_department_id} <= participants:
                services.event_update(acting_user=staff, event=meeting,
                                      produced_cases=[*meeting.produced_cases.all(), made.case])
        review = application["review"]
        if review:
            next_year = {"total_cost": review["next_year_yen"]} if review["next_year_yen"] is not None else None
            services.application_review(acting_user=staff, application=made, reviewed_on=review["reviewed_on"],
                                        outcome=review["outcome"], note=review["note"], next_year=next_year)

    # --- meeting spaces and group boxes -----------------------------------------------------------

    def room(self, entry: dict) -> None:
        self.rooms[entry["name"]] = services.room_create(acting_user=self.admin, center=self.center, **entry)

    def booking(self, entry: dict) -> None:
        room = self.rooms.get(entry["room"])
        if room is None:
            raise DemoDataError(f"bookings: the room 「{entry['room']}」 is not defined above (in rooms)")
        day = entry["day"]
        while closed_reason(room, day):
            day += dt.timedelta(days=1)
        tz = timezone.get_current_timezone()
        starts_at = dt.datetime.combine(day, entry["from"], tzinfo=tz)
        by = self.accounts.get(entry["by"]) if entry["by"] else self.staff
        if by is None:
            raise DemoDataError(f"bookings: the login 「{entry['by']}」 is not defined above (in logins)")
        # A past booking was entered before its day, as the counter would have.
        now = min(self.clock.now, starts_at - dt.timedelta(days=7))
        booking = services.booking_request(
            acting_user=by, room=room, organization=self.organizations[entry["organization"]],
            purpose=entry["purpose"], attendees=entry["attendees"], starts_at=starts_at,
            ends_at=dt.datetime.combine(day, entry["until"], tzinfo=tz), now=now)
        if booking.status == BookingStatus.PENDING and entry["state"] != BookingStatus.PENDING:
            booking = services.booking_approve(acting_user=self.staff, booking=booking)
        if entry["state"] == BookingStatus.CANCELLED:
            services.booking_cancel(acting_user=by, booking=booking, today=now.date())

    def box(self, entry: dict) -> None:
        for label in entry["labels"]:
            services.box_create(acting_user=self.admin, center=self.center, label=label, size=entry["size"])

    def box_round(self, entry: dict) -> None:
        """A round as the staff ran it: opened (every group told), applications entered at the counter
        within the window, the draw the day after it closed, and boxes given back since."""
        starts_on = dt.date(entry["term_fiscal_year"], 4, 1)
        # A window written relative to today still closes before the term, whatever day the demo starts.
        close_on = min(entry["applications_close_on"] or dt.date(starts_on.year, 2, 10),
                       starts_on - dt.timedelta(days=1))
        open_on = min(entry["applications_open_on"] or dt.date(starts_on.year, 1, 10), close_on)
        round_ = services.box_round_open(acting_user=self.staff, center=self.center, title=entry["title"],
                                         term_starts_on=starts_on, applications_open_on=open_on,
                                         applications_close_on=close_on)
        for application in entry["applications"]:
            services.box_apply(acting_user=self.staff, round=round_, group=self.groups[application["group"]],
                               size=application["size"], renew=application["renew"], today=open_on)
        if entry["draw"]:
            round_ = services.box_draw(acting_user=self.staff, round=round_, seed=entry["seed"] or None,
                                       today=close_on + dt.timedelta(days=1))
        for name in entry["releases"]:
            held = round_.applications.get(group=self.groups[name])
            services.box_release(acting_user=self.staff, application=held)
