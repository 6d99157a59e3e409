"""What the receiver keeps of each entity type: the payload checked against its wire contract
(sync.wire) and turned into the field values of the hub's copy. Every check raises ValueError
naming the field; the receiver refuses the whole batch with it."""

from __future__ import annotations

import datetime as dt
import re
import uuid as uuid_module
from collections.abc import Callable
from dataclasses import dataclass

from django.db import models

from common.japanese import search_key
from common.vocabulary import KYODO_SUISHIN_FORMS, ConsultationStep, CostItem, form_family
from permissions.models import OrganizationKind
from sync import disaster
from sync.wire import cases, directory, disaster as wire_disaster, networks, tours
from sync.wire.contract import Contract

from ..models import (
    ACTIVITY_FIELDS,
    AggregateSnapshot,
    CaseLevel,
    CaseOutcome,
    CenterStatusCopy,
    CollaborationForm,
    CommitmentReportCopy,
    DirectoryGroup,
    DisasterCommitment,
    DisasterContactCopy,
    DisasterDeclaration,
    DisasterNeedCopy,
    DisasterOfferCopy,
    EmergencySurvey,
    PartyRole,
    SharedCase,
    SharedEvent,
    SharedNetwork,
    SharedOffer,
    StudyTour,
    SurveyCountsCopy,
    TourCaseCopy,
    TourLessonCopy,
    field_index,
)
from . import checks
from .search_index import case_texts


def _missing(contract: Contract, p: dict) -> None:
    if missing := contract.required - set(p):
        raise ValueError(sorted(missing)[0])


# --- the directory ---------------------------------------------------------------------------------


def _group_fields(p: dict) -> dict:
    limit = directory.GROUP.text_limits
    values = {"name": checks.text(p, "name", limit["name"], required=True),
              "name_kana": checks.text(p, "name_kana", limit["name_kana"]),
              "kind": checks.text(p, "kind", limit["kind"], required=True),
              "legal_form": checks.text(p, "legal_form", limit["legal_form"]), "field_codes": checks.codes(p),
              "area": checks.text(p, "area", limit["area"]),
              "description": checks.text(p, "description", limit["description"])}
    values["search_text"] = search_key(values["name"], values["name_kana"], values["area"], values["description"])
    values["field_index"] = field_index(values["field_codes"])
    return values


def _event_fields(p: dict) -> dict:
    limit = directory.EVENT.text_limits
    values = {"title": checks.text(p, "title", limit["title"], required=True),
              "kind": checks.text(p, "kind", limit["kind"], required=True),
              "theme": checks.text(p, "theme", limit["theme"]), "field_codes": checks.codes(p),
              "starts_at": checks.moment(p, "starts_at", required=True),
              "ends_at": checks.moment(p, "ends_at", required=False), "venue": checks.text(p, "venue", limit["venue"]),
              "status": checks.text(p, "status", limit["status"], required=True),
              "cancellation_reason": checks.text(p, "cancellation_reason", limit["cancellation_reason"])}
    values["search_text"] = search_key(values["title"], values["theme"], values["venue"])
    values["field_index"] = field_index(values["field_codes"])
    return values


def _aggregate_fields(p: dict) -> dict:
    """A center's counts (directory.COUNTS_DATA_KEYS): counts only, each key of its own shape, so that
    nothing that is not a number, and no shape the hub would misread, comes in."""
    data = p.get("data")
    if not isinstance(data, dict) or not set(data) <= directory.COUNTS_DATA_KEYS:
        raise ValueError("data")
    checked = {}
    if "groups_total" in data:
        checked["groups_total"] = _count(data["groups_total"], "data.groups_total")
    if "groups_by_field" in data:
        checked["groups_by_field"] = _counts_by(data["groups_by_field"], "data.groups_by_field", _is_field_code,
                                                limit=len(ACTIVITY_FIELDS))
    if "events_per_month" in data:
        checked["events_per_month"] = _counts_by(data["events_per_month"], "data.events_per_month", _is_month,
                                                 limit=directory.MAX_AGGREGATE_MONTHS)
    if "consultations_per_step" in data:
        checked["consultations_per_step"] = _counts_by(
            data["consultations_per_step"], "data.consultations_per_step", ConsultationStep.values.__contains__,
            limit=len(ConsultationStep.values))
    if "form_years" in data:
        checked["form_years"] = _form_years(data["form_years"])
    if "programme_cycle" in data:
        checked["programme_cycle"] = _programme_cycle(data["programme_cycle"])
    return {"data": checked}


def _count(value, name: str) -> int:
    return checks.integer(value, name, low=0, high=directory.MAX_AGGREGATE_COUNT)


def _counts_by(value, name: str, key_ok: Callable[[str], bool], *, limit: int) -> dict[str, int]:
    """{key: count} with at most `limit` keys, each one `key_ok` accepts."""
    if not isinstance(value, dict) or len(value) > limit or not all(
            isinstance(key, str) and len(key) <= directory.MAX_COUNT_KEY and key_ok(key) for key in value):
        raise ValueError(name)
    return {key: _count(count, name) for key, count in value.items()}


def _is_field_code(key: str) -> bool:
    return bool(_FIELD_CODE.fullmatch(key)) and int(key) in ACTIVITY_FIELDS


def _is_year(key: str) -> bool:
    return bool(_YEAR.fullmatch(key)) and cases.YEARS[0] <= int(key) <= cases.YEARS[1]


def _is_month(key: str) -> bool:
    month = cases.MONTH.fullmatch(key)
    return bool(month) and _is_year(month[1])


_FIELD_CODE = re.compile(r"[1-9][0-9]?")
_YEAR = re.compile(r"[0-9]{4}")
FORM_FAMILIES = frozenset(form for form in CollaborationForm.values if form_family(form) == form)


def _form_years(value) -> dict:
    """A center's collaborations by form family × 年度, where each 年度's figures come from, the
    tracks of 協働推進事業 (adding up to it in each 年度 they are given for) and the 公表値 flag."""
    name = "data.form_years"
    if not isinstance(value, dict) or set(value) != directory.FORM_YEARS_KEYS:
        raise ValueError(name)
    if not isinstance(value["public"], bool):
        raise ValueError(f"{name}.public")
    sources = value["sources"]
    if not isinstance(sources, dict) or len(sources) > directory.MAX_AGGREGATE_YEARS or not all(
            isinstance(year, str) and _is_year(year) and source in directory.FORM_YEAR_SOURCES
            for year, source in sources.items()):
        raise ValueError(f"{name}.sources")

    def by_year(counts, where: str) -> dict[str, int]:
        return _counts_by(counts, where, sources.__contains__, limit=directory.MAX_AGGREGATE_YEARS)

    counts, tracks = value["counts"], value["tracks"]
    if not isinstance(counts, dict) or not set(counts) <= FORM_FAMILIES:
        raise ValueError(f"{name}.counts")
    counts = {family: by_year(years, f"{name}.counts") for family, years in counts.items()}
    if not isinstance(tracks, dict) or not set(tracks) <= set(KYODO_SUISHIN_FORMS):
        raise ValueError(f"{name}.tracks")
    tracks = {form: by_year(years, f"{name}.tracks") for form, years in tracks.items()}
    programme = counts.get(CollaborationForm.KYODO_SUISHIN.value, {})
    for year in {year for years in tracks.values() for year in years}:
        # The tracks are the row broken down: the hub shows them beneath it, adding up to it.
        if sum(years.get(year, 0) for years in tracks.values()) != programme.get(year, 0):
            raise ValueError(f"{name}.tracks")
    return {"public": value["public"], "counts": counts, "sources": dict(sources), "tracks": tracks}


def _programme_cycle(value) -> dict:
    """協働推進事業's calls per 募集年度: 意見交換会 held, 申込 received and 採択 (of those received)."""
    name = "data.programme_cycle"
    if not isinstance(value, dict) or len(value) > directory.MAX_AGGREGATE_YEARS or not all(
            isinstance(year, str) and _is_year(year) for year in value):
        raise ValueError(name)
    checked = {}
    for year, counts in value.items():
        if not isinstance(counts, dict) or set(counts) != directory.CYCLE_KEYS:
            raise ValueError(name)
        checked[year] = {key: _count(count, name) for key, count in counts.items()}
        if checked[year]["adopted"] > checked[year]["applications"]:
            raise ValueError(name)
    return checked


def _offer_fields(p: dict) -> dict:
    """An offer of a listed group (schema 1): every key, nothing else, nothing that could reach a person."""
    _missing(directory.OFFER, p)
    limit = directory.OFFER.text_limits
    months = p["months"]
    if not isinstance(months, list) or len(months) > directory.OFFER.list_limits["months"]:
        raise ValueError("months")
    costs = p["cost_conditions"]
    if not isinstance(costs, list) or len(costs) > len(CostItem.values):
        raise ValueError("cost_conditions")
    values = {"group_uuid": checks.uuid(p["group"], "group"),
              "title": checks.text(p, "title", limit["title"], required=True),
              "description": checks.text(p, "description", limit["description"]),
              "field_codes": checks.field_codes(p["fields"], "fields"), "area": checks.text(p, "area", limit["area"]),
              "capacity": checks.text(p, "capacity", limit["capacity"]),
              "months": sorted({checks.integer(month, "months", low=1, high=12) for month in months}),
              "cost_conditions": sorted({checks.choice(cost, "cost_conditions", CostItem.values) for cost in costs})}
    values["search_text"] = search_key(values["title"], values["description"], values["area"], values["capacity"])
    values["field_index"] = field_index(values["field_codes"])
    return values


def _network_fields(p: dict) -> dict:
    """A network's listing: its name, fields, and counts by member kind — numbers, never names."""
    _missing(networks.LISTING, p)
    members = p["members"]
    if not isinstance(members, dict) or not set(members) <= set(networks.MEMBER_KINDS):
        raise ValueError("members")
    counts = {kind: checks.integer(members[kind], "members", low=1, high=networks.MAX_MEMBERS)
              for kind in networks.MEMBER_KINDS if kind in members}
    individuals = checks.integer(p["individuals"], "individuals", low=0, high=networks.MAX_MEMBERS)
    values = {"name": checks.text(p, "name", networks.LISTING.text_limits["name"], required=True),
              "field_codes": checks.field_codes(p["fields"], "fields"), "members": counts,
              "individuals": individuals, "total": sum(counts.values()) + individuals}
    values["search_text"] = search_key(values["name"])
    values["field_index"] = field_index(values["field_codes"])
    return values


# --- shared cases ------------------------------------------------------------------------------------


def _party(raw, index: int, named: bool) -> dict:
    where = f"parties[{index}]"
    if not isinstance(raw, dict) or set(raw) != cases.PARTY_KEYS:
        raise ValueError(where)  # unknown or missing keys: nothing the hub has no place for comes in
    if not isinstance(raw["ref"], str) or not cases.PARTY_REF.fullmatch(raw["ref"]):
        raise ValueError(f"{where}.ref")
    name = raw["name"]
    # Anonymized cases never carry a name, not even an empty one; named cases may leave one out.
    if name is not None and not (named and isinstance(name, str) and name.strip()
                                 and len(name) <= cases.CASE.text_limits["parties.name"]):
        raise ValueError(f"{where}.name")
    band = raw["size_band"]
    if band is not None and not (isinstance(band, str) and cases.SIZE_BAND.fullmatch(band)):
        raise ValueError(f"{where}.size_band")
    contribution = raw["contribution"]
    if not isinstance(contribution, str) or len(contribution) > cases.CASE.text_limits["parties.contribution"]:
        raise ValueError(f"{where}.contribution")
    return {"ref": raw["ref"], "kind": checks.choice(raw["kind"], f"{where}.kind", OrganizationKind.values),
            "role": checks.choice(raw["role"], f"{where}.role", PartyRole.values), "name": name,
            "fields": checks.field_codes(raw["fields"], f"{where}.fields"), "size_band": band,
            "contribution": contribution}


def _case_fields(p: dict) -> dict:
    """A shared case (schema 1): every key present, nothing else, each value of its type and range."""
    _missing(cases.CASE, p)
    limit = cases.CASE.text_limits
    first_year, last_year = cases.YEARS
    level = checks.choice(p["level"], "level", CaseLevel.values)
    start = checks.integer(p["fiscal_year_start"], "fiscal_year_start", low=first_year, high=last_year)
    end = checks.integer(p["fiscal_year_end"], "fiscal_year_end", low=start, high=last_year, nullable=True)
    total = checks.integer(p["total_cost"], "total_cost", low=0, high=cases.MAX_AMOUNT, nullable=True)
    # A city share needs a total to lie within (the node's constraint, and ours).
    share = checks.integer(p["city_share"], "city_share", low=0, high=-1 if total is None else total, nullable=True)
    month = cases.MONTH.fullmatch(p["published_month"]) if isinstance(p["published_month"], str) else None
    if month is None or not first_year <= int(month[1]) <= last_year:
        raise ValueError("published_month")
    parties = p["parties"]
    if not isinstance(parties, list) or len(parties) > cases.MAX_PARTIES:
        raise ValueError("parties")
    parties = [_party(raw, index, level == CaseLevel.NAMED) for index, raw in enumerate(parties)]
    if len({party["ref"] for party in parties}) != len(parties):
        raise ValueError("parties.ref")  # one organization is one party of a case
    values = {"level": level, "reach": checks.choice(p.get("reach", cases.REACH_PREFECTURE), "reach", cases.REACHES),
              "title": checks.text(p, "title", limit["title"], required=True),
              "summary": checks.text(p, "summary", limit["summary"]),
              "lessons": checks.text(p, "lessons", limit["lessons"]),
              "form": checks.choice(p["form"], "form", CollaborationForm.values),
              "field_codes": checks.field_codes(p["fields"], "fields"), "fiscal_year_start": start,
              "fiscal_year_end": end, "outcome": checks.choice(p["outcome"], "outcome", CaseOutcome.values),
              "total_cost": total, "city_share": share,
              "published_month": dt.date(int(month[1]), int(month[2]), 1), "parties": parties}
    values["search_text"] = search_key(*case_texts(values["title"], values["summary"], values["lessons"], parties))
    values["field_index"] = field_index(values["field_codes"])
    return values


# --- disaster coordination (みんかな) -------------------------------------------------------------------


def _declaration_id(p: dict) -> int:
    declaration_uuid = checks.uuid(p.get("declaration"), "declaration")
    declaration_id = DisasterDeclaration.objects.filter(uuid=declaration_uuid).values_list("pk", flat=True).first()
    if declaration_id is None:
        raise ValueError("declaration")  # nodes only ever learn declarations from this hub
    return declaration_id


def _center_status_fields(p: dict) -> dict:
    """A center's status for a declaration (no people: a status, a time and a short note)."""
    _missing(wire_disaster.STATUS, p)
    try:
        declaration_uuid = uuid_module.UUID(str(p["declaration"]))
    except ValueError as error:
        raise ValueError("declaration") from error
    declaration_id = DisasterDeclaration.objects.filter(uuid=declaration_uuid).values_list("pk", flat=True).first()
    if declaration_id is None:
        raise ValueError("declaration")  # nodes only ever learn declarations from this hub
    # A report from the future would stay "fresh" forever.
    as_of = checks.past(p, "as_of")
    return {"declaration_id": declaration_id,
            "status": checks.choice(p["status"], "status", disaster.CenterStatus.values),
            "as_of": as_of, "note": checks.text(p, "note", wire_disaster.STATUS.text_limits["note"])}


def _need_fields(p: dict) -> dict:
    """A center's need: every key required, lines of known kinds with positive quantities, a
    Kanagawa municipality, an expiry after the last confirmation and at most a week ahead of it."""
    _missing(wire_disaster.NEED, p)
    try:
        lines = disaster.parse_lines(p["lines"])
    except ValueError:
        raise ValueError("lines") from None
    confirmed = checks.past(p, "last_confirmed_at")
    expires = checks.moment(p, "expires_at", required=True)
    if not confirmed < expires <= confirmed + dt.timedelta(days=wire_disaster.MAX_NEED_VALIDITY_DAYS):
        raise ValueError("expires_at")
    return {"declaration_id": _declaration_id(p),
            "sector": checks.choice(p["sector"], "sector", disaster.Sector.values),
            "lines": lines, "requested": disaster.lines_total(lines),
            "priority": checks.choice(p["priority"], "priority", disaster.NeedPriority.values),
            "needed_by": checks.moment(p, "needed_by", required=False), "municipality_code": checks.municipality(p),
            "place_name": checks.text(p, "place_name", wire_disaster.NEED.text_limits["place_name"]),
            "status": checks.choice(p["status"], "status", wire_disaster.NEED.statuses),
            "last_confirmed_at": confirmed, "expires_at": expires, "created_at": checks.past(p, "created_at")}


def _disaster_offer_fields(p: dict) -> dict:
    _missing(wire_disaster.OFFER, p)
    limit = wire_disaster.OFFER.text_limits
    supplies = p["supplies"]
    if supplies != []:
        try:
            supplies = disaster.parse_lines(supplies)
        except ValueError:
            raise ValueError("supplies") from None
    return {"declaration_id": _declaration_id(p), "group_name": checks.text(p, "group_name", limit["group_name"]),
            "sector": checks.choice(p["sector"], "sector", disaster.Sector.values),
            "volunteers": checks.integer(p["volunteers"], "volunteers", low=0, high=disaster.MAX_QUANTITY),
            "skills": checks.text(p, "skills", limit["skills"]), "supplies": supplies,
            "vehicles": checks.integer(p["vehicles"], "vehicles", low=0, high=wire_disaster.MAX_VEHICLES),
            "municipality_code": checks.municipality(p),
            "area_served": checks.text(p, "area_served", limit["area_served"]),
            "valid_until": checks.moment(p, "valid_until", required=True),
            "status": checks.choice(p["status"], "status", disaster.OfferStatus.values),
            "created_at": checks.past(p, "created_at")}


def _commitment_report_fields(p: dict) -> dict:
    """The committing node's report. The commitment must be one the hub addressed to the report's
    center (checked by the receiver, which knows the node)."""
    _missing(wire_disaster.REPORT, p)
    commitment = DisasterCommitment.objects.filter(uuid=checks.uuid(p["commitment"], "commitment")).first()
    if commitment is None or str(commitment.declaration.uuid) != str(p["declaration"]):
        raise ValueError("commitment")
    status = checks.choice(p["status"], "status", wire_disaster.REPORTED_STATUSES)
    delivered = checks.integer(p["delivered"], "delivered", low=0, high=disaster.MAX_QUANTITY)
    reached = checks.integer(p["reached"], "reached", low=0, high=disaster.MAX_QUANTITY)
    if status == disaster.CommitmentStatus.ACKNOWLEDGED and (delivered or reached):
        raise ValueError("delivered")  # counts come with the delivery report
    return {"commitment_id": commitment.pk, "status": status, "delivered": delivered, "reached": reached,
            "reported_at": checks.past(p, "reported_at")}


def _disaster_contact_fields(p: dict) -> dict:
    """A group's disaster contact (the one personal record the hub accepts). Error messages name
    the field only: the values must not reach a log."""
    _missing(wire_disaster.CONTACT, p)
    limit = wire_disaster.CONTACT.text_limits
    phone, email = checks.text(p, "phone", limit["phone"]), checks.text(p, "email", limit["email"])
    if not phone and not email:
        raise ValueError("phone")
    return {"declaration_id": _declaration_id(p),
            "group_name": checks.text(p, "group_name", limit["group_name"], required=True),
            "contact_name": checks.text(p, "contact_name", limit["contact_name"], required=True), "phone": phone,
            "email": email, "shared_at": checks.past(p, "shared_at")}


def _survey_counts_fields(p: dict) -> dict:
    """A center's counts for a survey of this hub: exactly its questions and options, each count
    between 0 and the number of groups answering."""
    _missing(wire_disaster.COUNTS, p)
    survey = EmergencySurvey.objects.filter(uuid=checks.uuid(p["survey"], "survey")).select_related(
        "declaration").first()
    if survey is None or str(survey.declaration.uuid) != str(p["declaration"]):
        raise ValueError("survey")
    respondents = checks.integer(p["respondents"], "respondents", low=0, high=wire_disaster.MAX_RESPONDENTS)
    counts = p["questions"]
    if not isinstance(counts, dict) or set(counts) != {q["key"] for q in survey.questions}:
        raise ValueError("questions")
    for question in survey.questions:
        given = counts[question["key"]]
        if question["kind"] == disaster.QuestionKind.NUMBER:
            if not isinstance(given, dict) or set(given) != wire_disaster.NUMBER_COUNT_KEYS:
                raise ValueError("questions")
            checks.integer(given["sum"], "questions", low=0,
                           high=disaster.MAX_NUMBER_ANSWER * wire_disaster.MAX_RESPONDENTS)
            checks.integer(given["answered"], "questions", low=0, high=respondents)
            continue
        options = given.get("options") if isinstance(given, dict) and set(
            given) == wire_disaster.CHOICE_COUNT_KEYS else None
        if not isinstance(options, dict) or set(options) != {o["key"] for o in question["options"]}:
            raise ValueError("questions")
        for count in options.values():
            checks.integer(count, "questions", low=0, high=respondents)
        if question["kind"] == disaster.QuestionKind.SINGLE and sum(options.values()) > respondents:
            raise ValueError("questions")
    return {"survey_id": survey.pk, "respondents": respondents, "questions": counts}


# --- study tours (スタディツアー) from host nodes -----------------------------------------------------------


def _tour_fields(p: dict) -> dict:
    _missing(tours.TOUR, p)
    limit = tours.TOUR.text_limits
    starts_on, ends_on = checks.date(p, "starts_on"), checks.date(p, "ends_on")
    opens_at = checks.moment(p, "opens_at", required=True)
    reading_ends_at = checks.moment(p, "reading_ends_at", required=True)
    if ends_on < starts_on or reading_ends_at <= opens_at or not isinstance(p["closed"], bool):
        raise ValueError("dates")
    organizations = [{"name": checks.text(o, "name", limit["organizations.name"], required=True),
                      "kind": checks.choice(o["kind"], "organizations.kind", tours.ORGANIZATION_KINDS),
                      "seats": checks.integer(o["seats"], "organizations.seats", low=1, high=tours.MAX_SEATS)}
                     for o in checks.list_of(p["organizations"], "organizations", tours.ORGANIZATION_KEYS,
                                             tours.MAX_ORGANIZATIONS)]
    stops = []
    for stop in checks.list_of(p["stops"], "stops", tours.STOP_KEYS, tours.MAX_STOPS):
        ends_at = checks.moment(stop, "ends_at", required=False)
        stops.append({"key": str(checks.uuid(stop["key"], "stops.key")),
                      "title": checks.text(stop, "title", limit["stops.title"], required=True),
                      "starts_at": checks.moment(stop, "starts_at", required=True).isoformat(),
                      "ends_at": ends_at.isoformat() if ends_at else None,
                      "place": checks.text(stop, "place", limit["stops.place"]),
                      "directions": checks.text(stop, "directions", limit["stops.directions"])})
    keys = {stop["key"] for stop in stops}
    bundle = []
    for entry in checks.list_of(p["cases"], "cases", tours.BUNDLE_KEYS, tours.MAX_CASES):
        source = checks.choice(entry["source"], "cases.source", tours.CASE_SOURCES)
        stop = None if entry["stop"] is None else str(checks.uuid(entry["stop"], "cases.stop"))
        library = None if entry["library"] is None else str(checks.uuid(entry["library"], "cases.library"))
        library_center = None if entry["library_center"] is None else str(
            checks.uuid(entry["library_center"], "cases.library_center"))
        if (stop is not None and stop not in keys) or ((source == "library") != (library is not None)) or (
                (library is None) != (library_center is None)):
            raise ValueError("cases")
        bundle.append({"ref": str(checks.uuid(entry["ref"], "cases.ref")), "stop": stop, "source": source,
                       "library": library, "library_center": library_center,
                       "title": checks.text(entry, "title", limit["cases.title"]),
                       "note": checks.text(entry, "note", limit["cases.note"])})
    values = {"title": checks.text(p, "title", limit["title"], required=True),
              "theme": checks.text(p, "theme", limit["theme"]),
              "description": checks.text(p, "description", limit["description"]), "field_codes": checks.codes(p),
              "starts_on": starts_on, "ends_on": ends_on, "opens_at": opens_at, "reading_ends_at": reading_ends_at,
              "capacity": checks.integer(p["capacity"], "capacity", low=1, high=tours.MAX_CAPACITY, nullable=True),
              "closed": p["closed"], "organizations": organizations, "stops": stops, "cases": bundle,
              "named_texts": _named_texts(p["named"], keys)}
    if reading_ends_at.date() > ends_on + dt.timedelta(days=tours.MAX_READING_DAYS):
        raise ValueError("reading_ends_at")
    values["search_text"] = search_key(values["title"], values["theme"], values["description"])
    values["field_index"] = field_index(values["field_codes"])
    return values


def _named_texts(named, stop_keys: set[str]) -> dict:
    """The tour's texts as they read with consented organizations named (see sync.tours)."""
    if not isinstance(named, dict) or not set(named) <= tours.NAMED_KEYS:
        raise ValueError("named")
    values = {name: checks.text(named, name, limit) for name, limit in tours.TOUR_TEXT_LIMITS.items()
              if name in named}
    stops = named.get("stops", {})
    if not isinstance(stops, dict) or not set(stops) <= stop_keys:
        raise ValueError("named.stops")
    for key, texts in stops.items():
        if not isinstance(texts, dict) or not texts or not set(texts) <= set(tours.STOP_TEXT_LIMITS):
            raise ValueError("named.stops")
        values.setdefault("stops", {})[key] = {name: checks.text(texts, name, tours.STOP_TEXT_LIMITS[name])
                                               for name in texts}
    return values


def _tour_case_fields(p: dict) -> dict:
    """One of the host's cases for one tour: the shared-case schema, inside the tour's envelope."""
    case = p.get("case")
    if not isinstance(case, dict) or not set(case) <= tours.CASE_COPY.nested["case"] or case.get(
            "center") != p.get("center"):
        raise ValueError("case")
    return {"tour_uuid": checks.uuid(p.get("tour"), "tour"), **_case_fields(case)}


def _tour_lesson_fields(p: dict) -> dict:
    limit = tours.LESSON.text_limits
    case_uuids = p.get("cases")
    if not isinstance(case_uuids, list) or len(case_uuids) > tours.LESSON.list_limits["cases"]:
        raise ValueError("cases")
    values = {"tour_uuid": checks.uuid(p.get("tour"), "tour"),
              "tour_title": checks.text(p, "tour_title", limit["tour_title"]),
              "title": checks.text(p, "title", limit["title"], required=True),
              "text": checks.text(p, "text", limit["text"], required=True),
              "case_uuids": sorted({str(checks.uuid(c, "cases")) for c in case_uuids})}
    values["search_text"] = search_key(values["title"], values["text"])
    return values


# --- the registry ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Schema:
    """How the hub keeps one entity type: its copy's model, its wire contract, and payload → field values."""

    model: type[models.Model]
    contract: Contract
    fields: Callable[[dict], dict]


SCHEMAS: dict[str, Schema] = {schema.contract.entity_type: schema for schema in (
    Schema(DirectoryGroup, directory.GROUP, _group_fields),
    Schema(SharedEvent, directory.EVENT, _event_fields),
    Schema(AggregateSnapshot, directory.COUNTS, _aggregate_fields),
    # Retract and purge delete the row, and its collection entries cascade with it.
    Schema(SharedCase, cases.CASE, _case_fields),
    Schema(SharedOffer, directory.OFFER, _offer_fields),
    Schema(SharedNetwork, networks.LISTING, _network_fields),
    Schema(CenterStatusCopy, wire_disaster.STATUS, _center_status_fields),
    Schema(DisasterNeedCopy, wire_disaster.NEED, _need_fields),
    Schema(DisasterOfferCopy, wire_disaster.OFFER, _disaster_offer_fields),
    Schema(CommitmentReportCopy, wire_disaster.REPORT, _commitment_report_fields),
    # A tour of another node cannot be touched: copies are keyed by (signing node, uuid), and a tour
    # copy is read only together with its node's tour (hub.selectors.tours).
    Schema(StudyTour, tours.TOUR, _tour_fields),
    Schema(TourCaseCopy, tours.CASE_COPY, _tour_case_fields),
    Schema(TourLessonCopy, tours.LESSON, _tour_lesson_fields),
    Schema(DisasterContactCopy, wire_disaster.CONTACT, _disaster_contact_fields),
    Schema(SurveyCountsCopy, wire_disaster.COUNTS, _survey_counts_fields),
)}
