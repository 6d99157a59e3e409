"""Reads a demo data file and checks every entry before anything is written to the database.

The files are edited by hand by people adding a center, so every problem is reported with the file,
the line, the section and the entry it is in: `odawara.yaml line 387, events[6] 「団体交流会（防災）」 ›
organizers[0]: 「防災対策科」 is not defined above …`. The format itself is described in
deploy/demo/centers/README.md; the keys below mirror the arguments of the node's services.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import yaml
from django.db import models

from common.vocabulary import ACTIVITY_FIELDS, CaseOutcome, CollaborationForm, PartyRole
from nodes.models import (
    ConsentMethod,
    ConsultationChannel,
    EventKind,
    GroupRegistration,
    GroupStatus,
    LegalForm,
    NeedStatus,
    SharingLevel,
    TourOrganizationKind,
)
from permissions.models import OrganizationKind, Role

from . import dates


class DemoDataError(Exception):
    """A data file that cannot be seeded: the message names the file and the entry."""


class _Invalid(Exception):
    """A value that does not fit its key; `where` grows as the error travels out of nested records."""

    def __init__(self, message: str, where: tuple[str, ...] = ()):
        super().__init__(message)
        self.message = message
        self.where = where


# --- reading YAML -------------------------------------------------------------------------------


class _Mapping(dict):
    """A YAML mapping that remembers its line, for error messages."""

    line: int = 0


class _Loader(yaml.SafeLoader):
    """Safe YAML without its timestamp type (dates stay text and are read by deploy.demo.dates, one
    syntax for absolute and relative dates) and with duplicate keys refused (YAML keeps the last)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> _Mapping:
    mapping = _Mapping()
    mapping.line = node.start_mark.line + 1
    yield mapping
    lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first on line {lines[key]})", key_node.start_mark)
        lines[key] = key_node.start_mark.line + 1
        mapping[key] = loader.construct_object(value_node, deep=True)


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as stream:
            return yaml.load(stream, Loader=_Loader)  # a SafeLoader: no arbitrary objects
    except OSError as error:
        raise DemoDataError(f"{path}: cannot be read ({error.strerror})") from error
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"{path.name} line {mark.line + 1}" if mark else path.name
        raise DemoDataError(f"{where}: not valid YAML: {' '.join(filter(None, [error.context, error.problem]))}") from error
    except yaml.YAMLError as error:
        raise DemoDataError(f"{path.name}: not valid YAML: {error}") from error


# --- value converters ---------------------------------------------------------------------------
# Each takes the raw YAML value and the names defined so far, and returns what the seeder passes on
# (or an object of deploy.demo.dates, resolved at seeding time).


@dataclass
class _Names:
    """What the file has defined so far: a record may refer only to what is above it."""

    organizations: set[str] = field(default_factory=set)
    groups: set[str] = field(default_factory=set)
    cases: set[str] = field(default_factory=set)


Convert = Callable[[Any, _Names], Any]


@dataclass(frozen=True)
class Key:
    convert: Convert
    required: bool = False
    default: Any = None


def _text(value: Any, _names: _Names) -> str:
    # A list is written as 「・」 lines, as the centers write roles and resources in their documents.
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        return "\n".join(f"・{item}" for item in value)
    if not isinstance(value, str):
        raise _Invalid(f"expected text (got {value!r})")
    return value


@dataclass(frozen=True)
class Template:
    """A text with a number that moves with the 年度 (西区地域づくり大学校 第{term}期 …)."""

    text: str
    values: dict[str, tuple[int, int]]  # name → (fiscal year, its number then)

    def resolve(self, clock: dates.Clock) -> str:
        current = dates.FiscalYearFromCurrent(0).resolve(clock)
        return self.text.format(**{name: first + current - year for name, (year, first) in self.values.items()})


def _text_or_template(value: Any, names: _Names) -> str | Template:
    if not isinstance(value, Mapping):
        return _text(value, names)
    if not isinstance(value.get("template"), str):
        raise _Invalid("a text that changes with the year is {template: \"…{term}…\", term: "
                       "{numbered_from_fiscal_year: 2020, first: 9}}")
    wanted = {name for _, name, _, _ in string.Formatter().parse(value["template"]) if name}
    values = {}
    for name in wanted:
        number = value.get(name)
        if not isinstance(number, Mapping) or set(number) != {"numbered_from_fiscal_year", "first"}:
            raise _Invalid(f"template: {{{name}}} needs {name}: {{numbered_from_fiscal_year: <year>, first: <number>}}")
        values[name] = (_integer(number["numbered_from_fiscal_year"], names), _integer(number["first"], names))
    extra = sorted(set(value) - wanted - {"template"})
    if extra:
        raise _Invalid(f"template: {', '.join(extra)} not used in the text")
    return Template(value["template"], values)


def _integer(value: Any, _names: _Names) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Invalid(f"expected a whole number (got {value!r})")
    return value


def _amount(value: Any, names: _Names) -> int:
    number = _integer(value, names)
    if number < 0:
        raise _Invalid(f"expected 0 or more (got {number})")
    return number


def _hours(value: Any, _names: _Names) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise _Invalid(f"expected a number of hours above 0 (got {value!r})")
    return value


def _boolean(value: Any, _names: _Names) -> bool:
    if not isinstance(value, bool):
        raise _Invalid(f"expected true or false (got {value!r})")
    return value


def _code(value: Any, _names: _Names) -> str:
    # Municipality codes and document numbers have leading zeros: they must be quoted in YAML.
    if not isinstance(value, str):
        raise _Invalid(f"expected text in quotes, like \"142069\" (got {value!r})")
    return value


def _choice(choices: type[models.TextChoices]) -> Convert:
    def convert(value: Any, _names: _Names) -> str:
        if value not in choices.values:
            raise _Invalid(f"{value!r} is not one of {', '.join(choices.values)}")
        return value
    return convert


def _consents(value: Any, _names: _Names) -> list[str]:
    if not isinstance(value, list) or any(item not in GroupRegistration.CONSENTS for item in value):
        raise _Invalid(f"expected a list of {', '.join(GroupRegistration.CONSENTS)} (got {value!r})")
    return value


def _activity_fields(value: Any, _names: _Names) -> list[int]:
    if not isinstance(value, list) or any(isinstance(code, bool) or code not in ACTIVITY_FIELDS for code in value):
        raise _Invalid(f"expected a list of activity-field numbers 1–20 of the NPO Act (got {value!r})")
    return value


def _date(value: Any, _names: _Names):
    try:
        return dates.parse_date(value)
    except dates.DateSyntaxError as error:
        raise _Invalid(str(error)) from error


def _moment(value: Any, _names: _Names):
    try:
        return dates.parse_moment(value)
    except dates.DateSyntaxError as error:
        raise _Invalid(str(error)) from error


def _fiscal_year(value: Any, _names: _Names):
    try:
        return dates.parse_fiscal_year(value)
    except dates.DateSyntaxError as error:
        raise _Invalid(str(error)) from error


class Ref(Enum):
    ORGANIZATION = "organizations"
    GROUP = "groups"
    CASE = "cases"


_REF_HINT = {Ref.ORGANIZATION: "the center, departments, partners or groups", Ref.GROUP: "groups",
             Ref.CASE: "cases"}


def _ref(kind: Ref) -> Convert:
    def convert(value: Any, names: _Names) -> str:
        if not isinstance(value, str):
            raise _Invalid(f"expected a name (got {value!r})")
        if value not in getattr(names, kind.value):
            raise _Invalid(f"「{value}」 is not defined above (in {_REF_HINT[kind]})")
        return value
    return convert


def _list_of(convert: Convert) -> Convert:
    def convert_all(value: Any, names: _Names) -> list:
        if not isinstance(value, list):
            raise _Invalid(f"expected a list (got {value!r})")
        found = []
        for index, item in enumerate(value):
            try:
                found.append(convert(item, names))
            except _Invalid as error:
                raise _Invalid(error.message, (f"[{index}]", *error.where)) from error
        return found
    return convert_all


def _records(schema: dict[str, Key]) -> Convert:
    """A list of small records (a case's parties, a consultation's steps …)."""
    def convert(value: Any, names: _Names) -> list[dict]:
        if not isinstance(value, list):
            raise _Invalid(f"expected a list (got {value!r})")
        return [_record(item, schema, names, f"[{index}]") for index, item in enumerate(value)]
    return convert


def _record(value: Any, schema: dict[str, Key], names: _Names, where: str = "") -> dict:
    """Check one mapping against its keys; the result holds every key, defaults filled in."""
    try:
        if not isinstance(value, Mapping):
            raise _Invalid(f"expected a mapping of {', '.join(schema)} (got {value!r})")
        unknown = [key for key in value if key not in schema]
        if unknown:
            raise _Invalid(f"unknown key {', '.join(map(repr, unknown))} (allowed: {', '.join(schema)})")
        checked = {}
        for key, spec in schema.items():
            if key not in value or value[key] is None:
                if spec.required:
                    raise _Invalid(f"{key} is required")
                checked[key] = spec.default() if callable(spec.default) else spec.default
                continue
            try:
                checked[key] = spec.convert(value[key], names)
            except _Invalid as error:
                raise _Invalid(error.message, (key, *error.where)) from error
            if spec.required and checked[key] in ("", []):
                raise _Invalid(f"{key} is required")
        return checked
    except _Invalid as error:
        raise _Invalid(error.message, ((where,) if where else ()) + error.where) from error


# --- the sections -------------------------------------------------------------------------------

_ORGANIZATION = _ref(Ref.ORGANIZATION)
_ORGANIZATIONS = _list_of(_ORGANIZATION)
_TEXT = Key(_text, default="")
_FIELDS = Key(_activity_fields, default=list)

_ACCOUNT = {"username": Key(_text, required=True), "last_name": Key(_text, required=True),
            "first_name": Key(_text, required=True)}
_AREA = {"name": Key(_text, required=True), "name_kana": Key(_text, required=True)}

CENTER = {
    "name": Key(_text, required=True),
    "name_kana": Key(_text, required=True),
    "municipality_code": Key(_code, required=True),
    "municipality_name": Key(_text, required=True),
    "seed_document": Key(_code, default=""),
    # Fictional numbers in the center's area code: 0465-00-0001, 045-000-0001 …
    "phone_prefix": Key(_text, required=True),
    "admin": Key(lambda value, names: _record(value, _ACCOUNT, names), required=True),
    "staff": Key(lambda value, names: _record(value, _ACCOUNT, names), required=True),
    # Place names generate_volume builds its groups' names and areas from.
    "volume_areas": Key(_records(_AREA), required=True),
}

SECTIONS: dict[str, dict[str, Key]] = {
    "departments": {"name": Key(_text, required=True), "name_kana": _TEXT},
    "partners": {"name": Key(_text, required=True), "kind": Key(_choice(OrganizationKind), required=True),
                 "name_kana": _TEXT},
    "groups": {
        "name": Key(_text, required=True), "name_kana": Key(_text, required=True),
        "kind": Key(_choice(OrganizationKind), default=OrganizationKind.CITIZEN_GROUP.value),
        "legal_form": Key(_choice(LegalForm), default=LegalForm.VOLUNTARY.value),
        "activity_fields": _FIELDS, "registered_on": Key(_date, required=True),
        # Without it the group is renewed every three 年度 up to today, as a live center would do.
        "renewal_due": Key(_date), "renew": Key(_boolean, default=True),
        "status": Key(_choice(GroupStatus)),
        "member_count": Key(_amount), "area": _TEXT, "representative_name": _TEXT, "representative_kana": _TEXT,
        "consents": Key(_consents, default=lambda: ["hub_listing"]), "description": _TEXT,
    },
    "talents": {
        "name": Key(_text, required=True), "name_kana": Key(_text, required=True), "title": Key(_text, required=True),
        "skills": _TEXT, "activity_fields": _FIELDS, "registered_on": Key(_date, required=True), "area": _TEXT,
        "availability": _TEXT, "conditions": _TEXT, "listed_in_guidebook": Key(_boolean, default=True),
    },
    "cases": {
        "title": Key(_text, required=True), "form": Key(_choice(CollaborationForm), required=True),
        "fiscal_year_start": Key(_integer, required=True), "fiscal_year_end": Key(_integer),
        "activity_fields": _FIELDS, "responsible_department": Key(_ORGANIZATION),
        "total_cost": Key(_amount), "city_share": Key(_amount),
        "outcome": Key(_choice(CaseOutcome), default=CaseOutcome.ONGOING.value),
        # Required: what leaves the node is said, never left to a default.
        "sharing_level": Key(_choice(SharingLevel), required=True),
        "summary": Key(_text, required=True), "lessons": _TEXT,
        "parties": Key(_records({"organization": Key(_ORGANIZATION, required=True),
                                 "role": Key(_choice(PartyRole), required=True), "contribution": _TEXT}),
                       default=list),
    },
    "events": {
        "title": Key(_text_or_template, required=True), "kind": Key(_choice(EventKind), required=True),
        "starts_at": Key(_moment, required=True), "hours": Key(_hours, default=2), "theme": _TEXT,
        "activity_fields": _FIELDS, "venue": _TEXT,
        # The center is always the first organizer; these are the others.
        "organizers": Key(_ORGANIZATIONS, default=list), "participants": Key(_ORGANIZATIONS, default=list),
        "capacity": Key(_amount),
        # Kept only once the event is over: a future event has no attendance yet.
        "attendance": Key(_amount),
        "cancellation_reason": _TEXT, "is_public": Key(_boolean, default=True),
        "description": _TEXT, "outcome_note": _TEXT,
        "produced_groups": Key(_list_of(_ref(Ref.GROUP)), default=list),
        "produced_cases": Key(_list_of(_ref(Ref.CASE)), default=list),
    },
    "needs": {
        "title": Key(_text, required=True), "requester": Key(_ORGANIZATION, required=True),
        "activity_fields": _FIELDS, "area": _TEXT, "fiscal_year": Key(_fiscal_year),
        # Written as the centers write them (「事業協力・委託（協働委託）」, 「会場・交通費程度の謝礼」) and parsed
        # into forms and covered costs by the node's matching, as its forms do.
        "allowed_forms": _TEXT, "resources": _TEXT,
        "status": Key(_choice(NeedStatus), default=NeedStatus.OPEN.value), "description": Key(_text, required=True),
    },
    "offers": {
        "group": Key(_ref(Ref.GROUP), required=True), "title": Key(_text, required=True), "activity_fields": _FIELDS,
        "area": _TEXT, "capacity": _TEXT, "conditions": _TEXT, "description": Key(_text, required=True),
    },
    "consultations": {
        "topic": Key(_text, required=True), "channel": Key(_choice(ConsultationChannel), required=True),
        "intake_at": Key(_moment, required=True), "requester_name": Key(_text, required=True),
        "requester_organization": Key(_ORGANIZATION), "intake_note": _TEXT,
        "linked_organizations": Key(_ORGANIZATIONS, default=list),
        "linked_cases": Key(_list_of(_ref(Ref.CASE)), default=list),
        # One entry per step after インテーク: コーディネート, クロージング, 完了.
        "steps": Key(_records({"at": Key(_moment, required=True), "note": _TEXT}), default=list),
    },
    "tours": {
        "title": Key(_text, required=True), "theme": _TEXT, "description": _TEXT,
        "starts_on": Key(_date, required=True), "ends_on": Key(_date, required=True),
        "reading_days": Key(_amount, default=14), "capacity": Key(_amount), "activity_fields": _FIELDS,
        "organizations": Key(_records({"name": Key(_text, required=True),
                                       "kind": Key(_choice(TourOrganizationKind), required=True),
                                       "seats": Key(_amount)}), default=list),
        "stops": Key(_records({"title": Key(_text, required=True), "starts_at": Key(_moment, required=True),
                               "ends_at": Key(_moment), "place": _TEXT, "directions": _TEXT}), default=list),
        "cases": Key(_records({"case": Key(_ref(Ref.CASE), required=True), "stop": _TEXT,
                               "named": Key(_boolean, default=False), "note": _TEXT}), default=list),
        "named_consents": Key(_records({"organization": Key(_ORGANIZATION, required=True),
                                        "method": Key(_choice(ConsentMethod), required=True), "note": _TEXT}),
                              default=list),
    },
    # Accounts beyond the center's admin and staff, on an organization defined above.
    "logins": {"username": Key(_text, required=True), "role": Key(_choice(Role), required=True),
               "organization": Key(_ORGANIZATION, required=True), "last_name": Key(_text, required=True),
               "first_name": Key(_text, required=True)},
}

# The entry's name in error messages, and what it adds to the names later entries may use.
_LABEL = {"cases": "title", "events": "title", "needs": "title", "offers": "title", "tours": "title",
          "consultations": "topic", "logins": "username"}
_DEFINES = {"departments": (Ref.ORGANIZATION,), "partners": (Ref.ORGANIZATION,),
            "groups": (Ref.ORGANIZATION, Ref.GROUP), "cases": (Ref.CASE,)}


def _check_entry(section: str, entry: dict) -> None:
    """Rules across keys of one entry."""
    if section == "events" and entry["cancellation_reason"] and (entry["participants"] or entry["attendance"]):
        raise _Invalid("a cancelled event has no participants or attendance")
    if section == "cases" and entry["fiscal_year_end"] is not None and entry["fiscal_year_end"] < entry["fiscal_year_start"]:
        raise _Invalid("fiscal_year_end is before fiscal_year_start")
    if section == "tours":
        stops = [stop["title"] for stop in entry["stops"]]
        for index, case in enumerate(entry["cases"]):
            if case["stop"] and case["stop"] not in stops:
                raise _Invalid(f"「{case['stop']}」 is not one of this tour's stops", ("cases", f"[{index}]", "stop"))


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


def place(path: Path, line: int, section: str, index: int | None = None, label: str = "") -> str:
    at = f"{path.name} line {line}" if line else path.name
    entry = section if index is None else f"{section}[{index}]"
    return f"{at}, {entry}" + (f" 「{label}」" if label else "")


def _error(where: str, error: _Invalid) -> DemoDataError:
    inside = "".join(part if part.startswith("[") else f" › {part}" for part in error.where)
    return DemoDataError(f"{where}{inside}: {error.message}")


def load_center_file(path: Path) -> CenterData:
    """Read and check one center's file; `DemoDataError` names the first problem's file and entry."""
    data = read_yaml(path)
    if not isinstance(data, Mapping) or "center" not in data:
        raise DemoDataError(f"{path.name}: a center file is a mapping that starts with `center:`")
    first = next(iter(data))
    if first != "center":
        raise DemoDataError(f"{path.name}: `center:` must come first (found `{first}` before it)")
    names = _Names()
    try:
        center = _record(data["center"], CENTER, names)
    except _Invalid as error:
        raise _error(place(path, getattr(data["center"], "line", 0), "center"), error) from error
    names.organizations.add(center["name"])
    sections, places = [], {}
    for section, entries in list(data.items())[1:]:
        if section not in SECTIONS:
            raise DemoDataError(f"{path.name}: unknown section `{section}` (allowed: center, {', '.join(SECTIONS)})")
        if not isinstance(entries, list):
            raise DemoDataError(f"{path.name}: `{section}` must be a list of entries")
        checked = []
        for index, entry in enumerate(entries):
            raw_label = entry.get(_LABEL.get(section, "name"), "") if isinstance(entry, Mapping) else ""
            label = raw_label.get("template", "") if isinstance(raw_label, Mapping) else str(raw_label or "")
            where = place(path, getattr(entry, "line", 0), section, index, label)
            try:
                record = _record(entry, SECTIONS[section], names)
                _check_entry(section, record)
            except _Invalid as error:
                raise _error(where, error) from error
            for kind in _DEFINES.get(section, ()):
                registry = getattr(names, kind.value)
                defined = record["name" if kind is not Ref.CASE else "title"]
                if defined in registry:
                    raise DemoDataError(f"{where}: 「{defined}」 is defined twice in {kind.value}")
                registry.add(defined)
            places[(section, index)] = where
            checked.append(record)
        sections.append((section, checked))
    return CenterData(key=path.stem, path=path, center=center, sections=sections, places=places)


# --- the hub's file -----------------------------------------------------------------------------

HUB = {
    "organization": Key(lambda value, names: _record(value, {
        "name": Key(_text, required=True), "name_kana": _TEXT, "municipality_code": Key(_code, required=True),
        "municipality_name": _TEXT}, names), required=True),
    "logins": Key(_records({**_ACCOUNT, "role": Key(_choice(Role), required=True)}), required=True),
}


def load_hub_file(path: Path) -> dict:
    data = read_yaml(path)
    try:
        return _record(data, HUB, _Names())
    except _Invalid as error:
        raise _error(path.name, error) from error
