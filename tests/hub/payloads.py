"""Payloads as nodes send them to the hub, built from the wire contracts (sync.wire).

Each builder fills every key its contract names with a plausible value; a test passes what it is
about as keyword arguments — a changed value, a missing one (by deleting it afterwards) or a key
the contract does not have, to see it refused. A builder that falls behind its contract fails at
once, in every test that uses it, instead of sending payloads the nodes never would.
"""

from __future__ import annotations

import secrets
import uuid

from sync.wire import cases, directory, disaster, introductions, networks, tours
from sync.wire.contract import Contract


def build(contract: Contract, values: dict, overrides: dict) -> dict:
    # `national` (全国掲載) is sent only when true: the builders leave it to the overrides.
    _complete(contract.entity_type, contract.keys - {directory.NATIONAL}, values)
    return {**values, **overrides}


def _complete(what: str, keys: frozenset, values: dict) -> None:
    if set(values) != keys:
        raise AssertionError(f"the builder of {what} does not match its contract: "
                             f"missing {sorted(keys - set(values))}, unknown {sorted(set(values) - keys)}")


def removal(center) -> dict:
    """A retraction or purge: the record's center only (the hub still checks the partition)."""
    return {"center": str(center)}


# --- the directory ---------------------------------------------------------------------------------


def profile(center, /, *, name: str, municipality_code: str, **overrides) -> dict:
    return build(directory.PROFILE, {"center": str(center), "name": name, "municipality_code": municipality_code,
                                     "municipality_name": ""}, overrides)


def group(center, /, **overrides) -> dict:
    return build(directory.GROUP, {
        "center": str(center), "name": "海辺の会", "name_kana": "", "kind": "citizen_group", "legal_form": "voluntary",
        "fields": [7], "area": "茅ヶ崎市", "description": ""}, overrides)


def network(center, /, **overrides) -> dict:
    return build(networks.LISTING, {
        "center": str(center), "name": "かわさき福祉ネットワーク", "fields": [1, 2],
        "members": {"npo": 20, "voluntary": 10, "company": 2}, "individuals": 4}, overrides)


def event(center, /, **overrides) -> dict:
    return build(directory.EVENT, {
        "center": str(center), "title": "サマーフェスティバル", "kind": "festival", "theme": "", "fields": [6],
        "starts_at": "2026-08-01T10:00:00+09:00", "ends_at": None, "venue": "シティーモール", "status": "planned",
        "cancellation_reason": ""}, overrides)


def counts(center, data: dict, /, **overrides) -> dict:
    return build(directory.COUNTS, {"center": str(center), "data": data}, overrides)


def form_years(table: dict[str, dict[int, int]], /, *, public: bool, sources: dict[int, str] | None = None,
               tracks: dict[str, dict[int, int]] | None = None) -> dict:
    """A center's form × 年度 counts inside its aggregate's data (directory.FORM_YEARS_KEYS); every 年度
    of the table loaded history unless `sources` says otherwise, zeros left out as nodes leave them."""
    years = sorted({year for by_year in table.values() for year in by_year} | set(sources or {}))
    values = {"public": public,
              "counts": {form: {str(y): n for y, n in by_year.items() if n} for form, by_year in table.items()},
              "sources": {str(y): (sources or {}).get(y, "history") for y in years},
              "tracks": {form: {str(y): n for y, n in by_year.items() if n} for form, by_year in (tracks or {}).items()}}
    _complete("an aggregate's form_years", directory.FORM_YEARS_KEYS, values)
    return values


def programme_cycle(cycle: dict[int, tuple[int, int, int]], /) -> dict:
    """募集年度 → (意見交換会, 申込, 採択) as a node sends them."""
    values = {}
    for year, (meetings, applications, adopted) in cycle.items():
        values[str(year)] = {"exchange_meetings": meetings, "applications": applications, "adopted": adopted}
        _complete("a year of programme_cycle", directory.CYCLE_KEYS, values[str(year)])
    return values


def offer(center, group_uuid, /, **overrides) -> dict:
    return build(directory.OFFER, {
        "center": str(center), "group": str(group_uuid), "title": "譲渡会の開催",
        "description": "保護猫の譲渡会を開きます。", "fields": [7], "area": "茅ヶ崎市", "capacity": "年4回",
        "months": [5, 10], "cost_conditions": ["transport"]}, overrides)


# --- shared cases ------------------------------------------------------------------------------------


def party(*, kind="citizen_group", role="lead", name=None, fields=(7,), size_band="10-29", contribution="",
          ref=None) -> dict:
    values = {"ref": ref or secrets.token_hex(8), "kind": kind, "role": role, "name": name, "fields": list(fields),
              "size_band": size_band, "contribution": contribution}
    _complete("a case's party", cases.PARTY_KEYS, values)
    return values


def case(center, /, **overrides) -> dict:
    """A case as the node sends it (schema 1): every key, already scrubbed."""
    return build(cases.CASE, {
        "center": str(center), "level": "anonymized", "reach": "prefecture", "title": "協働事例", "summary": "", "lessons": "",
        "form": "kyodo_suishin_gyosei", "fields": [7], "fiscal_year_start": 2014, "fiscal_year_end": 2014,
        "outcome": "ended", "total_cost": None, "city_share": None, "published_month": "2021-07",
        "parties": [party(), party(kind="city_department", role="government", fields=(), size_band=None)],
    }, overrides)


# --- disaster coordination ---------------------------------------------------------------------------


def center_status(center, declaration_uuid, /, *, as_of: str, **overrides) -> dict:
    return build(disaster.STATUS, {"center": str(center), "declaration": str(declaration_uuid), "status": "partial",
                                   "as_of": as_of, "note": ""}, overrides)


def need(center, declaration_uuid, /, *, last_confirmed_at: str, expires_at: str, **overrides) -> dict:
    return build(disaster.NEED, {
        "center": str(center), "declaration": str(declaration_uuid), "sector": "food",
        "lines": [{"kind": "item", "description": "飲料水", "quantity": 200, "unit": "本"},
                  {"kind": "service", "description": "炊き出し", "quantity": 100, "unit": "食"}],
        "priority": "high", "needed_by": None, "municipality_code": "142077", "place_name": "第一避難所",
        "status": "open", "last_confirmed_at": last_confirmed_at, "expires_at": expires_at,
        "created_at": last_confirmed_at}, overrides)


def disaster_offer(center, declaration_uuid, /, *, valid_until: str, created_at: str, **overrides) -> dict:
    return build(disaster.OFFER, {
        "center": str(center), "declaration": str(declaration_uuid), "group_name": "小田原炊き出しの会",
        "sector": "food", "volunteers": 12, "skills": "調理", "supplies": [], "vehicles": 2,
        "municipality_code": "142077", "area_served": "県西部", "status": "open", "valid_until": valid_until,
        "created_at": created_at}, overrides)


def commitment_report(center, declaration_uuid, commitment_uuid, /, *, reported_at: str,
                      **overrides) -> dict:
    return build(disaster.REPORT, {
        "center": str(center), "declaration": str(declaration_uuid), "commitment": str(commitment_uuid),
        "status": "acknowledged", "delivered": 0, "reached": 0, "reported_at": reported_at}, overrides)


def contact(center, declaration_uuid, /, *, shared_at: str, **overrides) -> dict:
    return build(disaster.CONTACT, {
        "center": str(center), "declaration": str(declaration_uuid), "group_name": "海辺の会",
        "contact_name": "海野 凪", "phone": "0467-00-0000", "email": "", "shared_at": shared_at}, overrides)


def survey_counts(center, survey_uuid, declaration_uuid, /, *, respondents: int, questions: dict,
                  **overrides) -> dict:
    return build(disaster.COUNTS, {"center": str(center), "survey": str(survey_uuid),
                                   "declaration": str(declaration_uuid), "respondents": respondents,
                                   "questions": questions}, overrides)


# --- study tours -------------------------------------------------------------------------------------


def tour_organization(*, name="小田原市市民活動交流センター UMECO", kind="center", seats=2) -> dict:
    values = {"name": name, "kind": kind, "seats": seats}
    _complete("a tour's organization", tours.ORGANIZATION_KEYS, values)
    return values


def tour_stop(*, key, starts_at: str, ends_at: str | None, title="保護猫カフェ訪問", place="茅ヶ崎市役所 分庁舎",
              directions="茅ヶ崎駅北口から徒歩8分。市役所本庁舎の裏手。") -> dict:
    values = {"key": str(key), "title": title, "starts_at": starts_at, "ends_at": ends_at, "place": place,
              "directions": directions}
    _complete("a tour's stop", tours.STOP_KEYS, values)
    return values


def bundle_entry(*, ref, stop=None, source="host", library=None, library_center=None, title="", note="") -> dict:
    """One entry of a tour's bundle: a host case (its copy comes as `tour_case`) or a library case."""
    values = {"ref": str(ref), "stop": stop, "source": source, "library": library, "library_center": library_center,
              "title": title, "note": note}
    _complete("a tour's bundle entry", tours.BUNDLE_KEYS, values)
    return values


def tour(center, /, *, starts_on: str, ends_on: str, opens_at: str, reading_ends_at: str, **overrides) -> dict:
    return build(tours.TOUR, {
        "center": str(center), "title": "茅ヶ崎の地域猫と協働を学ぶスタディツアー", "theme": "動物愛護と協働",
        "description": "", "fields": [7], "starts_on": starts_on, "ends_on": ends_on, "opens_at": opens_at,
        "reading_ends_at": reading_ends_at, "capacity": 20, "closed": False, "organizations": [tour_organization()],
        "stops": [], "cases": [], "named": {}}, overrides)


def tour_case(center, tour_uuid, case_payload: dict, /, **overrides) -> dict:
    return build(tours.CASE_COPY, {"center": str(center), "tour": str(tour_uuid), "case": case_payload}, overrides)


# --- introductions -----------------------------------------------------------------------------------


def introduction_request(center, offer_uuid, /, **overrides) -> dict:
    values = {"uuid": str(uuid.uuid4()), "center": str(center), "offer": str(offer_uuid),
              "need_title": "飼い主のいない猫対策", "message": "地域の猫対策で相談できる団体を探しています。"}
    _complete("an introduction request", introductions.REQUEST_KEYS, values)
    return {**values, **overrides}


def introduction_answer(*, status="accepted", message="") -> dict:
    values = {"status": status, "message": message}
    _complete("an introduction answer", introductions.ANSWER_KEYS, values)
    return values
