"""Writes on the hub: enrolling nodes and their keys, applying sync batches, publishing the feed."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import hashlib
import json
import re
import time
import uuid as uuid_module
from dataclasses import dataclass
from functools import partial

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import slugify

from common.japanese import municipality_code_is_valid, search_key
from common.vocabulary import CostItem
from permissions.audit import audit_record
from permissions.models import OrganizationKind
from sync import disaster
from sync.client import BATCH_MAX_ENTRIES
from sync.keys import key_id_for
from sync.outbox import payload_digest
from sync.poke import HUB_KEY_KIND, hub_keys_payload
from sync.signing import fingerprint

from . import pokes, tours as tour_rules
from .models import (
    AggregateSnapshot,
    CaseCollection,
    CaseLevel,
    CaseOutcome,
    CenterStatusCopy,
    CollaborationForm,
    CollectionCase,
    CommitmentReportCopy,
    ContactGrant,
    DirectoryGroup,
    DisasterCommitment,
    DisasterContactCopy,
    DisasterDeclaration,
    DisasterNeedCopy,
    DisasterOfferCopy,
    EmergencySurvey,
    FeedEntry,
    FeedSequence,
    IntroductionRequest,
    IntroductionStatus,
    KeyStatus,
    Node,
    NodeCenter,
    NodeKey,
    NodeStatus,
    PartyRole,
    SeenNonce,
    SharedCase,
    SharedEvent,
    SharedOffer,
    StudyTour,
    SurveyCountsCopy,
    Tombstone,
    TourCaseCopy,
    TourLessonCopy,
    field_index,
)
from .selectors import listed_offers

# --- enrollment and keys -----------------------------------------------------------------------


def public_key_bytes(public_key_b64: str) -> bytes:
    try:
        raw = base64.b64decode(public_key_b64.strip(), validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValidationError({"public_key": ValidationError("公開鍵はBase64で入力してください。", code="invalid_base64")}) from error
    if len(raw) != 32:
        raise ValidationError({"public_key": ValidationError("Ed25519の公開鍵（32バイト）ではありません。", code="invalid_key_length")})
    return raw


def _add_key(node: Node, raw: bytes) -> NodeKey:
    key_id = key_id_for(raw)
    if NodeKey.objects.filter(key_id=key_id).exists():
        raise ValidationError({"public_key": ValidationError("この公開鍵はすでに登録されています。", code="duplicate_key")})
    used = set(node.keys.filter(status=KeyStatus.ACTIVE).values_list("slot", flat=True))
    free = [slot for slot in (1, 2) if slot not in used]
    if not free:
        raise ValidationError({"public_key": ValidationError(
            "有効な鍵はすでに2つあります。古い鍵を引退させてから追加してください。", code="two_active_keys")})
    return NodeKey.objects.create(node=node, key_id=key_id, public_key=raw, fingerprint=fingerprint(raw), slot=free[0])


@transaction.atomic
def node_enroll(*, acting_user, name: str, municipality_code: str, public_key: str, slug: str = "",
                municipality_name: str = "", base_url: str = "") -> Node:
    """A hub admin registers a center's node with the public key the node generated."""
    if not municipality_code_is_valid(municipality_code):
        raise ValidationError({"municipality_code": ValidationError(
            "全国地方公共団体コードの検査数字が一致しません。", code="invalid_check_digit")})
    raw = public_key_bytes(public_key)
    node = Node(name=name.strip(), slug=slug or slugify(name, allow_unicode=False) or f"node-{municipality_code}",
                municipality_code=municipality_code, municipality_name=municipality_name, base_url=base_url)
    node.full_clean()
    node.save()
    key = _add_key(node, raw)
    audit_record(actor=acting_user, action="hub.node_enroll", target=node,
                 detail={"slug": node.slug, "key_id": key.key_id, "fingerprint": key.fingerprint})
    return node


@transaction.atomic
def node_key_add(*, acting_user, node: Node, public_key: str) -> NodeKey:
    """Rotation, step 1: the node's next key becomes valid beside the current one."""
    key = _add_key(Node.objects.select_for_update().get(pk=node.pk), public_key_bytes(public_key))
    audit_record(actor=acting_user, action="hub.key_add", target=node, detail={"key_id": key.key_id})
    return key


@transaction.atomic
def node_key_retire(*, acting_user, key: NodeKey, revoke: bool = False) -> NodeKey:
    """Rotation, step 2 (retire the old key) — or revocation of a compromised one."""
    key = NodeKey.objects.select_for_update().get(pk=key.pk)
    key.status = KeyStatus.REVOKED if revoke else KeyStatus.RETIRED
    key.slot, key.retired_at = None, timezone.now()
    key.save(update_fields=["status", "slot", "retired_at"])
    audit_record(actor=acting_user, action="hub.key_revoke" if revoke else "hub.key_retire", target=key.node,
                 detail={"key_id": key.key_id})
    return key


@transaction.atomic
def node_set_status(*, acting_user, node: Node, status: str) -> Node:
    node = Node.objects.select_for_update().get(pk=node.pk)
    node.status = status
    node.full_clean()
    node.save(update_fields=["status"])
    if status == NodeStatus.REVOKED:
        for key in node.keys.filter(status=KeyStatus.ACTIVE):
            node_key_retire(acting_user=acting_user, key=key, revoke=True)
    audit_record(actor=acting_user, action="hub.node_status", target=node, detail={"status": status})
    return node


def active_public_key(key_id: str) -> bytes | None:
    key = (NodeKey.objects.filter(key_id=key_id, status=KeyStatus.ACTIVE, node__status=NodeStatus.ACTIVE)
           .values_list("public_key", flat=True).first())
    return bytes(key) if key is not None else None


def nonce_record(*, key_id: str, nonce: str, expires: int) -> NodeKey | None:
    """Accept a nonce once; None when it was seen before (a replay)."""
    with transaction.atomic():  # one commit for the nonce and the contact times
        key = NodeKey.objects.select_related("node").get(key_id=key_id)
        try:
            with transaction.atomic():
                SeenNonce.objects.create(key=key, nonce=nonce,
                                         expires_at=dt.datetime.fromtimestamp(expires, tz=dt.UTC))
        except IntegrityError:
            return None
        now = timezone.now()
        NodeKey.objects.filter(pk=key.pk).update(last_used_at=now)
        _node_contacted(key.node_id, now)
    return key


def _node_contacted(node_id: int, now: dt.datetime) -> None:
    """Note the contact, unless a batch of the node holds its row: that batch notes the time itself,
    and waiting for it here would hold the next batch's checks behind its predecessor's apply."""
    if connection.vendor != "postgresql":
        Node.objects.filter(pk=node_id).update(last_contact_at=now)
        return
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {Node._meta.db_table} SET last_contact_at = %s WHERE id = (SELECT id FROM"
                       f" {Node._meta.db_table} WHERE id = %s FOR NO KEY UPDATE SKIP LOCKED)", [now, node_id])


def nonces_forget_expired() -> int:
    # A nonce only matters while its signature could still be accepted.
    return SeenNonce.objects.filter(expires_at__lt=timezone.now() - dt.timedelta(hours=1)).delete()[0]


# --- applying batches --------------------------------------------------------------------------


class BatchRejected(Exception):
    def __init__(self, code: str, message: str, *, seq: int | None = None, status: int = 422):
        super().__init__(message)
        self.code, self.message, self.seq, self.status = code, message, seq, status


def _text(payload: dict, name: str, limit: int, *, required: bool = False) -> str:
    value = payload.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str) or len(value) > limit or (required and not value.strip()):
        raise ValueError(name)
    return value


def _codes(payload: dict) -> list[int]:
    codes = payload.get("fields", [])
    if not isinstance(codes, list) or not all(isinstance(c, int) and 1 <= c <= 20 for c in codes):
        raise ValueError("fields")
    return sorted(set(codes))


def _when(payload: dict, name: str, *, required: bool) -> dt.datetime | None:
    value = payload.get(name)
    if value is None and not required:
        return None
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None or parsed.tzinfo is None:
        raise ValueError(name)
    return parsed


# entity type → (model, allowed payload keys, payload → field values)
def _group_fields(p: dict) -> dict:
    values = {"name": _text(p, "name", 200, required=True), "name_kana": _text(p, "name_kana", 200),
              "kind": _text(p, "kind", 40, required=True), "legal_form": _text(p, "legal_form", 30),
              "field_codes": _codes(p), "area": _text(p, "area", 200), "description": _text(p, "description", 4000)}
    values["search_text"] = search_key(values["name"], values["name_kana"], values["area"], values["description"])
    values["field_index"] = field_index(values["field_codes"])
    return values


def _event_fields(p: dict) -> dict:
    values = {"title": _text(p, "title", 400, required=True), "kind": _text(p, "kind", 30, required=True),
              "theme": _text(p, "theme", 200), "field_codes": _codes(p),
              "starts_at": _when(p, "starts_at", required=True), "ends_at": _when(p, "ends_at", required=False),
              "venue": _text(p, "venue", 200), "status": _text(p, "status", 20, required=True),
              "cancellation_reason": _text(p, "cancellation_reason", 200)}
    values["search_text"] = search_key(values["title"], values["theme"], values["venue"])
    values["field_index"] = field_index(values["field_codes"])
    return values


def _aggregate_fields(p: dict) -> dict:
    data = p.get("data")
    if not isinstance(data, dict):
        raise ValueError("data")

    def counts(value) -> bool:
        return isinstance(value, int) and value >= 0 or (
            isinstance(value, dict) and all(isinstance(k, str) and len(k) <= 20 and counts(v) for k, v in value.items()))

    if not all(counts(v) for v in data.values()):
        raise ValueError("data")  # counts only: anything that is not a number cannot come in
    return {"data": data}


CASE_KEYS = frozenset({"center", "level", "title", "summary", "lessons", "form", "fields", "fiscal_year_start",
                       "fiscal_year_end", "outcome", "total_cost", "city_share", "published_month", "parties"})
PARTY_KEYS = frozenset({"ref", "kind", "role", "name", "fields", "size_band", "contribution"})
MAX_CASE_PARTIES = 50
_PARTY_REF = re.compile(r"[0-9a-f]{16}")
_SIZE_BAND = re.compile(r"[0-9]{1,6}(-[0-9]{1,6}|\+)")  # member counts leave a node banded: 1-9, 100+
_MONTH = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")


def _integer(value, name: str, *, low: int, high: int, nullable: bool = False) -> int | None:
    if value is None and nullable:
        return None
    # bool is an int in Python; true is not a year or an amount.
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(name)
    return value


def _choice(value, name: str, allowed) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(name)
    return value


def _field_codes(value, name: str) -> list[int]:
    if not isinstance(value, list) or len(value) > 20:
        raise ValueError(name)
    return sorted({_integer(code, name, low=1, high=20) for code in value})


def _party(raw, index: int, named: bool) -> dict:
    where = f"parties[{index}]"
    if not isinstance(raw, dict) or set(raw) != PARTY_KEYS:
        raise ValueError(where)  # unknown or missing keys: nothing the hub has no place for comes in
    if not isinstance(raw["ref"], str) or not _PARTY_REF.fullmatch(raw["ref"]):
        raise ValueError(f"{where}.ref")
    name = raw["name"]
    # Anonymized cases never carry a name, not even an empty one; named cases may leave one out.
    if name is not None and not (named and isinstance(name, str) and name.strip() and len(name) <= 200):
        raise ValueError(f"{where}.name")
    band = raw["size_band"]
    if band is not None and not (isinstance(band, str) and _SIZE_BAND.fullmatch(band)):
        raise ValueError(f"{where}.size_band")
    contribution = raw["contribution"]
    if not isinstance(contribution, str) or len(contribution) > 20000:
        raise ValueError(f"{where}.contribution")
    return {"ref": raw["ref"], "kind": _choice(raw["kind"], f"{where}.kind", OrganizationKind.values),
            "role": _choice(raw["role"], f"{where}.role", PartyRole.values), "name": name,
            "fields": _field_codes(raw["fields"], f"{where}.fields"), "size_band": band,
            "contribution": contribution}


def _case_fields(p: dict) -> dict:
    """A shared case (schema 1): every key present, nothing else, each value of its type and range."""
    if missing := CASE_KEYS - set(p):
        raise ValueError(sorted(missing)[0])
    level = _choice(p["level"], "level", CaseLevel.values)
    start = _integer(p["fiscal_year_start"], "fiscal_year_start", low=1950, high=2100)
    end = _integer(p["fiscal_year_end"], "fiscal_year_end", low=start, high=2100, nullable=True)
    total = _integer(p["total_cost"], "total_cost", low=0, high=10**15, nullable=True)
    # A city share needs a total to lie within (the node's constraint, and ours).
    share = _integer(p["city_share"], "city_share", low=0, high=-1 if total is None else total, nullable=True)
    month = _MONTH.fullmatch(p["published_month"]) if isinstance(p["published_month"], str) else None
    if month is None or not 1950 <= int(month[1]) <= 2100:
        raise ValueError("published_month")
    parties = p["parties"]
    if not isinstance(parties, list) or len(parties) > MAX_CASE_PARTIES:
        raise ValueError("parties")
    parties = [_party(raw, index, level == CaseLevel.NAMED) for index, raw in enumerate(parties)]
    if len({party["ref"] for party in parties}) != len(parties):
        raise ValueError("parties.ref")  # one organization is one party of a case
    values = {"level": level, "title": _text(p, "title", 400, required=True), "summary": _text(p, "summary", 20000),
              "lessons": _text(p, "lessons", 20000), "form": _choice(p["form"], "form", CollaborationForm.values),
              "field_codes": _field_codes(p["fields"], "fields"), "fiscal_year_start": start, "fiscal_year_end": end,
              "outcome": _choice(p["outcome"], "outcome", CaseOutcome.values), "total_cost": total,
              "city_share": share, "published_month": dt.date(int(month[1]), int(month[2]), 1), "parties": parties}
    values["search_text"] = search_key(values["title"], values["summary"], values["lessons"],
                                       *(party["contribution"] for party in parties),
                                       *(party["name"] for party in parties if party["name"]))
    values["field_index"] = field_index(values["field_codes"])
    return values


def _center_status_fields(p: dict) -> dict:
    """A center's status for a declaration (no people: a status, a time and a short note)."""
    if missing := {"center", "declaration", "status", "as_of", "note"} - set(p):
        raise ValueError(sorted(missing)[0])
    try:
        declaration_uuid = uuid_module.UUID(str(p["declaration"]))
    except ValueError as error:
        raise ValueError("declaration") from error
    declaration_id = DisasterDeclaration.objects.filter(uuid=declaration_uuid).values_list("pk", flat=True).first()
    if declaration_id is None:
        raise ValueError("declaration")  # nodes only ever learn declarations from this hub
    as_of = _when(p, "as_of", required=True)
    if as_of > timezone.now() + dt.timedelta(minutes=10):
        raise ValueError("as_of")  # a report from the future would stay "fresh" forever
    return {"declaration_id": declaration_id, "status": _choice(p["status"], "status", disaster.CenterStatus.values),
            "as_of": as_of, "note": _text(p, "note", disaster.MAX_NOTE)}


OFFER_KEYS = frozenset({"center", "group", "title", "description", "fields", "area", "capacity", "months",
                        "cost_conditions"})


def _uuid(value, name: str) -> uuid_module.UUID:
    if not isinstance(value, str):
        raise ValueError(name)
    try:
        return uuid_module.UUID(value)
    except ValueError as error:
        raise ValueError(name) from error


def _offer_fields(p: dict) -> dict:
    """An offer of a listed group (schema 1): every key, nothing else, nothing that could reach a person."""
    if missing := OFFER_KEYS - set(p):
        raise ValueError(sorted(missing)[0])
    months = p["months"]
    if not isinstance(months, list) or len(months) > 12:
        raise ValueError("months")
    costs = p["cost_conditions"]
    if not isinstance(costs, list) or len(costs) > len(CostItem.values):
        raise ValueError("cost_conditions")
    values = {"group_uuid": _uuid(p["group"], "group"), "title": _text(p, "title", 400, required=True),
              "description": _text(p, "description", 20000), "field_codes": _field_codes(p["fields"], "fields"),
              "area": _text(p, "area", 200), "capacity": _text(p, "capacity", 200),
              "months": sorted({_integer(month, "months", low=1, high=12) for month in months}),
              "cost_conditions": sorted({_choice(cost, "cost_conditions", CostItem.values) for cost in costs})}
    values["search_text"] = search_key(values["title"], values["description"], values["area"], values["capacity"])
    values["field_index"] = field_index(values["field_codes"])
    return values


def _declaration_id(p: dict) -> int:
    declaration_uuid = _uuid(p.get("declaration"), "declaration")
    declaration_id = DisasterDeclaration.objects.filter(uuid=declaration_uuid).values_list("pk", flat=True).first()
    if declaration_id is None:
        raise ValueError("declaration")  # nodes only ever learn declarations from this hub
    return declaration_id


def _municipality(p: dict, name: str = "municipality_code") -> str:
    code = p.get(name)
    if not isinstance(code, str) or not municipality_code_is_valid(code) or not code.startswith(
            disaster.PREFECTURE_CODE):
        raise ValueError(name)
    return code


def _past(p: dict, name: str) -> dt.datetime:
    moment = _when(p, name, required=True)
    if moment > timezone.now() + dt.timedelta(minutes=10):
        raise ValueError(name)  # a confirmation from the future would keep a need alive forever
    return moment


NEED_KEYS = frozenset({"center", "declaration", "sector", "lines", "priority", "needed_by", "municipality_code",
                       "place_name", "status", "last_confirmed_at", "expires_at", "created_at"})
OFFER_KEYS_DISASTER = frozenset({"center", "declaration", "group_name", "sector", "volunteers", "skills", "supplies",
                                 "vehicles", "municipality_code", "area_served", "valid_until", "status",
                                 "created_at"})
COMMITMENT_REPORT_KEYS = frozenset({"center", "declaration", "commitment", "status", "delivered", "reached",
                                    "reported_at"})


def _need_fields(p: dict) -> dict:
    """A center's need: every key required, lines of known kinds with positive quantities, a
    Kanagawa municipality, an expiry after the last confirmation and at most a week ahead of it."""
    if missing := NEED_KEYS - set(p):
        raise ValueError(sorted(missing)[0])
    try:
        lines = disaster.parse_lines(p["lines"])
    except ValueError:
        raise ValueError("lines") from None
    confirmed = _past(p, "last_confirmed_at")
    expires = _when(p, "expires_at", required=True)
    if not confirmed < expires <= confirmed + dt.timedelta(days=7):
        raise ValueError("expires_at")
    return {"declaration_id": _declaration_id(p), "sector": _choice(p["sector"], "sector", disaster.Sector.values),
            "lines": lines, "requested": disaster.lines_total(lines),
            "priority": _choice(p["priority"], "priority", disaster.NeedPriority.values),
            "needed_by": _when(p, "needed_by", required=False), "municipality_code": _municipality(p),
            "place_name": _text(p, "place_name", 200), "status": _choice(p["status"], "status",
                                                                        disaster.NeedStatus.values),
            "last_confirmed_at": confirmed, "expires_at": expires, "created_at": _past(p, "created_at")}


def _disaster_offer_fields(p: dict) -> dict:
    if missing := OFFER_KEYS_DISASTER - set(p):
        raise ValueError(sorted(missing)[0])
    supplies = p["supplies"]
    if supplies != []:
        try:
            supplies = disaster.parse_lines(supplies)
        except ValueError:
            raise ValueError("supplies") from None
    return {"declaration_id": _declaration_id(p), "group_name": _text(p, "group_name", 200),
            "sector": _choice(p["sector"], "sector", disaster.Sector.values),
            "volunteers": _integer(p["volunteers"], "volunteers", low=0, high=disaster.MAX_QUANTITY),
            "skills": _text(p, "skills", 400), "supplies": supplies,
            "vehicles": _integer(p["vehicles"], "vehicles", low=0, high=10_000),
            "municipality_code": _municipality(p), "area_served": _text(p, "area_served", 200),
            "valid_until": _when(p, "valid_until", required=True),
            "status": _choice(p["status"], "status", disaster.OfferStatus.values), "created_at": _past(p, "created_at")}


def _commitment_report_fields(p: dict) -> dict:
    """The committing node's report. The commitment must be one the hub addressed to the report's
    center (checked in _Pending.add, which knows the node)."""
    if missing := COMMITMENT_REPORT_KEYS - set(p):
        raise ValueError(sorted(missing)[0])
    commitment = DisasterCommitment.objects.filter(uuid=_uuid(p["commitment"], "commitment")).first()
    if commitment is None or str(commitment.declaration.uuid) != str(p["declaration"]):
        raise ValueError("commitment")
    status = _choice(p["status"], "status", (disaster.CommitmentStatus.ACKNOWLEDGED, disaster.CommitmentStatus.DELIVERED))
    delivered = _integer(p["delivered"], "delivered", low=0, high=disaster.MAX_QUANTITY)
    reached = _integer(p["reached"], "reached", low=0, high=disaster.MAX_QUANTITY)
    if status == disaster.CommitmentStatus.ACKNOWLEDGED and (delivered or reached):
        raise ValueError("delivered")  # counts come with the delivery report
    return {"commitment_id": commitment.pk, "status": status, "delivered": delivered, "reached": reached,
            "reported_at": _past(p, "reported_at")}


def _disaster_contact_fields(p: dict) -> dict:
    """A group's disaster contact (the one personal record the hub accepts). Error messages name
    the field only: the values must not reach a log."""
    if missing := disaster.CONTACT_KEYS - set(p):
        raise ValueError(sorted(missing)[0])
    phone, email = _text(p, "phone", 40), _text(p, "email", 254)
    if not phone and not email:
        raise ValueError("phone")
    return {"declaration_id": _declaration_id(p), "group_name": _text(p, "group_name", 200, required=True),
            "contact_name": _text(p, "contact_name", 100, required=True), "phone": phone, "email": email,
            "shared_at": _past(p, "shared_at")}


def _survey_counts_fields(p: dict) -> dict:
    """A center's counts for a survey of this hub: exactly its questions and options, each count
    between 0 and the number of groups answering."""
    if missing := disaster.SURVEY_COUNTS_KEYS - set(p):
        raise ValueError(sorted(missing)[0])
    survey = EmergencySurvey.objects.filter(uuid=_uuid(p["survey"], "survey")).select_related("declaration").first()
    if survey is None or str(survey.declaration.uuid) != str(p["declaration"]):
        raise ValueError("survey")
    respondents = _integer(p["respondents"], "respondents", low=0, high=100_000)
    counts = p["questions"]
    if not isinstance(counts, dict) or set(counts) != {q["key"] for q in survey.questions}:
        raise ValueError("questions")
    for question in survey.questions:
        given = counts[question["key"]]
        if question["kind"] == disaster.QuestionKind.NUMBER:
            if not isinstance(given, dict) or set(given) != {"sum", "answered"}:
                raise ValueError("questions")
            _integer(given["sum"], "questions", low=0, high=disaster.MAX_NUMBER_ANSWER * 100_000)
            _integer(given["answered"], "questions", low=0, high=respondents)
            continue
        options = given.get("options") if isinstance(given, dict) and set(given) == {"options"} else None
        if not isinstance(options, dict) or set(options) != {o["key"] for o in question["options"]}:
            raise ValueError("questions")
        for count in options.values():
            _integer(count, "questions", low=0, high=respondents)
        if question["kind"] == disaster.QuestionKind.SINGLE and sum(options.values()) > respondents:
            raise ValueError("questions")
    return {"survey_id": survey.pk, "respondents": respondents, "questions": counts}


# entity type → (the copy's status field, may it move from old to new)
# --- study tours (スタディツアー) from host nodes ------------------------------------------------------

TOUR_KEYS = frozenset({"center", "title", "theme", "description", "fields", "starts_on", "ends_on", "opens_at",
                       "reading_ends_at", "capacity", "closed", "organizations", "stops", "cases", "named"})
TOUR_TEXT_LIMITS = {"title": 200, "theme": 200, "description": 4000}
STOP_TEXT_LIMITS = {"title": 200, "place": 200, "directions": 2000}
MAX_READING_DAYS = 92  # the node allows 90 after the last day
TOUR_ORGANIZATION_KINDS = frozenset({"center", "npo", "company", "university", "prefecture", "municipality", "other"})
TOUR_CASE_SOURCES = frozenset({"host", "library"})
MAX_TOUR_STOPS, MAX_TOUR_CASES, MAX_TOUR_ORGANIZATIONS = 40, 100, 60


def _date(p: dict, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(p[name])
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(name) from error


def _list_of(value, name: str, keys: frozenset, limit: int) -> list[dict]:
    if not isinstance(value, list) or len(value) > limit or not all(
            isinstance(item, dict) and set(item) == keys for item in value):
        raise ValueError(name)
    return value


def _tour_fields(p: dict) -> dict:
    if missing := TOUR_KEYS - set(p):
        raise ValueError(sorted(missing)[0])
    starts_on, ends_on = _date(p, "starts_on"), _date(p, "ends_on")
    opens_at, reading_ends_at = _when(p, "opens_at", required=True), _when(p, "reading_ends_at", required=True)
    if ends_on < starts_on or reading_ends_at <= opens_at or not isinstance(p["closed"], bool):
        raise ValueError("dates")
    organizations = [{"name": _text(o, "name", 200, required=True),
                      "kind": _choice(o["kind"], "organizations.kind", TOUR_ORGANIZATION_KINDS),
                      "seats": _integer(o["seats"], "organizations.seats", low=1, high=1000)}
                     for o in _list_of(p["organizations"], "organizations", frozenset({"name", "kind", "seats"}),
                                       MAX_TOUR_ORGANIZATIONS)]
    stops = []
    for stop in _list_of(p["stops"], "stops", frozenset({"key", "title", "starts_at", "ends_at", "place",
                                                          "directions"}), MAX_TOUR_STOPS):
        ends_at = _when(stop, "ends_at", required=False)
        stops.append({"key": str(_uuid(stop["key"], "stops.key")), "title": _text(stop, "title", 200, required=True),
                      "starts_at": _when(stop, "starts_at", required=True).isoformat(),
                      "ends_at": ends_at.isoformat() if ends_at else None,
                      "place": _text(stop, "place", 200), "directions": _text(stop, "directions", 2000)})
    keys = {stop["key"] for stop in stops}
    cases = []
    for entry in _list_of(p["cases"], "cases", frozenset({"ref", "stop", "source", "library", "library_center",
                                                          "title", "note"}), MAX_TOUR_CASES):
        source = _choice(entry["source"], "cases.source", TOUR_CASE_SOURCES)
        stop = None if entry["stop"] is None else str(_uuid(entry["stop"], "cases.stop"))
        library = None if entry["library"] is None else str(_uuid(entry["library"], "cases.library"))
        library_center = None if entry["library_center"] is None else str(_uuid(entry["library_center"],
                                                                                  "cases.library_center"))
        if (stop is not None and stop not in keys) or ((source == "library") != (library is not None)) or (
                (library is None) != (library_center is None)):
            raise ValueError("cases")
        cases.append({"ref": str(_uuid(entry["ref"], "cases.ref")), "stop": stop, "source": source,
                      "library": library, "library_center": library_center, "title": _text(entry, "title", 400),
                      "note": _text(entry, "note", 400)})
    values = {"title": _text(p, "title", 200, required=True), "theme": _text(p, "theme", 200),
              "description": _text(p, "description", 4000), "field_codes": _codes(p), "starts_on": starts_on,
              "ends_on": ends_on, "opens_at": opens_at, "reading_ends_at": reading_ends_at,
              "capacity": _integer(p["capacity"], "capacity", low=1, high=10000, nullable=True),
              "closed": p["closed"], "organizations": organizations, "stops": stops, "cases": cases,
              "named_texts": _named_texts(p["named"], keys)}
    if reading_ends_at.date() > ends_on + dt.timedelta(days=MAX_READING_DAYS):
        raise ValueError("reading_ends_at")
    values["search_text"] = search_key(values["title"], values["theme"], values["description"])
    values["field_index"] = field_index(values["field_codes"])
    return values


def _named_texts(named, stop_keys: set[str]) -> dict:
    """The tour's texts as they read with consented organizations named (see sync.tours)."""
    if not isinstance(named, dict) or not set(named) <= {*TOUR_TEXT_LIMITS, "stops"}:
        raise ValueError("named")
    values = {name: _text(named, name, limit) for name, limit in TOUR_TEXT_LIMITS.items() if name in named}
    stops = named.get("stops", {})
    if not isinstance(stops, dict) or not set(stops) <= stop_keys:
        raise ValueError("named.stops")
    for key, texts in stops.items():
        if not isinstance(texts, dict) or not texts or not set(texts) <= set(STOP_TEXT_LIMITS):
            raise ValueError("named.stops")
        values.setdefault("stops", {})[key] = {name: _text(texts, name, STOP_TEXT_LIMITS[name]) for name in texts}
    return values


TOUR_CASE_KEYS = frozenset({"center", "tour", "case"})


def _tour_case_fields(p: dict) -> dict:
    """One of the host's cases for one tour: the shared-case schema, inside the tour's envelope."""
    case = p.get("case")
    if not isinstance(case, dict) or not set(case) <= CASE_KEYS or case.get("center") != p.get("center"):
        raise ValueError("case")
    return {"tour_uuid": _uuid(p.get("tour"), "tour"), **_case_fields(case)}


TOUR_LESSON_KEYS = frozenset({"center", "tour", "tour_title", "title", "text", "cases"})


def _tour_lesson_fields(p: dict) -> dict:
    cases = p.get("cases")
    if not isinstance(cases, list) or len(cases) > MAX_TOUR_CASES:
        raise ValueError("cases")
    values = {"tour_uuid": _uuid(p.get("tour"), "tour"), "tour_title": _text(p, "tour_title", 200),
              "title": _text(p, "title", 200, required=True), "text": _text(p, "text", 20000, required=True),
              "case_uuids": sorted({str(_uuid(c, "cases")) for c in cases})}
    values["search_text"] = search_key(values["title"], values["text"])
    return values


FORWARD_ONLY = {
    disaster.NEED_TYPE: lambda old, new: disaster.need_may_move(old, new),
    disaster.COMMITMENT_REPORT_TYPE: lambda old, new: disaster.commitment_rank(new) >= disaster.commitment_rank(old),
}


SCHEMAS = {
    "directory_group": (DirectoryGroup, {"center", "name", "name_kana", "kind", "legal_form", "fields", "area",
                                         "description"}, _group_fields),
    "public_event": (SharedEvent, {"center", "title", "kind", "theme", "fields", "starts_at", "ends_at", "venue",
                                   "status", "cancellation_reason"}, _event_fields),
    "aggregate_counts": (AggregateSnapshot, {"center", "data"}, _aggregate_fields),
    # Retract and purge delete the row, and its collection entries cascade with it.
    "shared_case": (SharedCase, CASE_KEYS, _case_fields),
    "directory_offer": (SharedOffer, OFFER_KEYS, _offer_fields),
    disaster.CENTER_STATUS_TYPE: (CenterStatusCopy, {"center", "declaration", "status", "as_of", "note"},
                                  _center_status_fields),
    disaster.NEED_TYPE: (DisasterNeedCopy, NEED_KEYS, _need_fields),
    disaster.OFFER_TYPE: (DisasterOfferCopy, OFFER_KEYS_DISASTER, _disaster_offer_fields),
    disaster.COMMITMENT_REPORT_TYPE: (CommitmentReportCopy, COMMITMENT_REPORT_KEYS, _commitment_report_fields),
    # A tour of another node cannot be touched: copies are keyed by (signing node, uuid), and a tour
    # copy is read only together with its node's tour (hub.tours).
    "study_tour": (StudyTour, TOUR_KEYS, _tour_fields),
    "tour_case": (TourCaseCopy, TOUR_CASE_KEYS, _tour_case_fields),
    "tour_lesson": (TourLessonCopy, TOUR_LESSON_KEYS, _tour_lesson_fields),
    disaster.CONTACT_TYPE: (DisasterContactCopy, disaster.CONTACT_KEYS, _disaster_contact_fields),
    disaster.SURVEY_COUNTS_TYPE: (SurveyCountsCopy, disaster.SURVEY_COUNTS_KEYS, _survey_counts_fields),
}
PROFILE_KEYS = {"center", "name", "municipality_code", "municipality_name"}
OPS = {"upsert", "retract", "purge"}


def _entry(raw) -> dict:
    if not isinstance(raw, dict):
        raise BatchRejected("entry_invalid", "an entry is not an object")
    seq = raw.get("seq")
    try:
        entity_uuid = uuid_module.UUID(str(raw.get("uuid")))
    except ValueError as error:
        raise BatchRejected("entry_invalid", "uuid is not a UUID", seq=seq) from error
    checks = [isinstance(seq, int) and seq > 0, raw.get("op") in OPS,
              raw.get("type") in SCHEMAS or raw.get("type") == "node_profile",
              isinstance(raw.get("version"), int) and raw["version"] >= 0, isinstance(raw.get("payload"), dict),
              raw.get("schema") == 1]
    if not all(checks):
        raise BatchRejected("entry_invalid", "seq, type, op, schema, version and payload are required", seq=seq)
    if payload_digest(raw["payload"]) != raw.get("sha256"):
        raise BatchRejected("payload_digest_mismatch", "sha256 does not match the payload", seq=seq)
    raw["uuid"] = entity_uuid  # the parsed document is ours to keep
    return raw


def _bury(node: Node, entity_type: str, entity_uuid, version: int, op: str) -> None:
    tomb, created = Tombstone.objects.get_or_create(
        node=node, entity_uuid=entity_uuid, defaults={"entity_type": entity_type, "version": version, "op": op})
    if not created and tomb.version < version:
        tomb.version, tomb.op = version, op
        tomb.save(update_fields=["version", "op", "at"])


def _apply_profile(node: Node, entry: dict) -> bool:
    payload, seq = entry["payload"], entry["seq"]
    if str(payload.get("center")) != str(entry["uuid"]) or not set(payload) <= PROFILE_KEYS:
        raise BatchRejected("payload_invalid", "a profile names its own center only", seq=seq)
    existing = NodeCenter.objects.select_for_update().filter(center_uuid=entry["uuid"]).first()
    if existing is not None and existing.node_id != node.pk:
        raise BatchRejected("outside_partition", "this center belongs to another node", seq=seq, status=403)
    if entry["op"] != "upsert":
        if existing is not None and existing.version <= entry["version"]:
            existing.delete()  # and with it every copy of that center's records
        _bury(node, "node_profile", entry["uuid"], entry["version"], entry["op"])
        return True
    tomb = Tombstone.objects.filter(node=node, entity_uuid=entry["uuid"], version__gte=entry["version"])
    if tomb.exists() or (existing and existing.version >= entry["version"]):
        return False
    try:
        values = {"name": _text(payload, "name", 200, required=True),
                  "municipality_code": _text(payload, "municipality_code", 6),
                  "municipality_name": _text(payload, "municipality_name", 60)}
    except ValueError as error:
        raise BatchRejected("payload_invalid", f"field {error} is not acceptable", seq=seq) from error
    if values["municipality_code"] and not within_municipality(node.municipality_code, values["municipality_code"]):
        # A center's municipality decides which declarations cover it: a node speaks for its own area only.
        raise BatchRejected("outside_municipality", "the center's municipality is not the node's", seq=seq,
                            status=403)
    NodeCenter.objects.update_or_create(center_uuid=entry["uuid"], defaults={
        "node": node, "version": entry["version"], **values})
    return True


def within_municipality(node_code: str, code: str) -> bool:
    """The node's own municipality, or a ward (区) of it when the node is a designated city's
    (政令指定都市: codes 1_1_0, e.g. 横浜市 14100 → 西区 14103; the sixth digit is a check digit)."""
    if code == node_code:
        return True
    designated_city = len(node_code) == 6 and node_code[2] == "1" and node_code[4] == "0"
    return designated_city and code[:4] == node_code[:4]


class _Pending:
    """Record entries of a batch, validated one by one and written set-wise.

    Applying entries one at a time with "only if newer" leaves, for each record, the state of its
    highest version (ties: the later seq), so only that winner is written — in a few statements
    per entity type instead of several per entry.
    """

    def __init__(self, node: Node):
        self.node = node
        self.centers = self._centers()
        self.winners: dict[str, dict] = {}  # entity type → {uuid: (entry, field values or None)}
        self.count = 0

    def _centers(self) -> dict[str, int]:
        return {str(u): pk for u, pk in NodeCenter.objects.filter(node=self.node).values_list("center_uuid", "pk")}

    def centers_unchanged(self) -> bool:
        """Still the node's centers (read again under its lock, after an unlocked start)."""
        return self._centers() == self.centers

    def add(self, entry: dict, checked=None) -> None:
        """`checked`: the entry's field values (or their refusal) from `_check_fields`, when they were
        worked out before the node's lock was taken."""
        payload, seq = entry["payload"], entry["seq"]
        center_pk = self.centers.get(str(payload.get("center")))
        if center_pk is None:
            raise BatchRejected("outside_partition", "the record's center does not belong to the signing node",
                                seq=seq, status=403)
        values = None
        if entry["op"] == "upsert":
            values = checked if checked is not None else _check_fields(entry)
            if isinstance(values, BatchRejected):
                raise values
            values["center_id"] = center_pk
            self._check_disaster_rules(entry, values)
            if entry["type"] == disaster.CONTACT_TYPE and DisasterDeclaration.objects.filter(
                    pk=values["declaration_id"], closed_at__isnull=False).exists():
                # Sent before the node learned of the close: kept nowhere, as if purged.
                entry, values = {**entry, "op": "purge"}, None
            elif entry["type"] == "tour_case" and tour_rules.reading_ended(self.node, values["tour_uuid"]):
                # A tour's copy after its reading period (a late or re-sent entry): kept nowhere.
                entry, values = {**entry, "op": "purge"}, None
        elif entry["type"] == "study_tour":
            # A tour gone from its node takes its copies and lessons with it (they hold no key to it).
            tour_rules.forget_copies(self.node, [entry["uuid"]])
        by_uuid = self.winners.setdefault(entry["type"], {})
        current = by_uuid.get(entry["uuid"])
        if current is None or entry["version"] >= current[0]["version"]:
            by_uuid[entry["uuid"]] = (entry, values)
        self.count += 1

    def _check_disaster_rules(self, entry: dict, values: dict) -> None:
        """A report only on a commitment addressed to the reporting center; statuses never move back."""
        seq = entry["seq"]
        if entry["type"] == disaster.COMMITMENT_REPORT_TYPE and not DisasterCommitment.objects.filter(
                pk=values["commitment_id"], center_id=values["center_id"]).exists():
            raise BatchRejected("outside_partition", "the commitment is addressed to another center", seq=seq,
                                status=403)
        may_move = FORWARD_ONLY.get(entry["type"])
        if may_move is None:
            return
        model = SCHEMAS[entry["type"]][0]
        held = model.objects.filter(node=self.node, entity_uuid=entry["uuid"]).values_list("status", "version").first()
        pending = self.winners.get(entry["type"], {}).get(entry["uuid"])
        for old in (held, (pending[1]["status"], pending[0]["version"]) if pending and pending[1] else None):
            if old and old[1] < entry["version"] and not may_move(old[0], values["status"]):
                raise BatchRejected("status_backwards", f"status may not move from {old[0]} to {values['status']}",
                                    seq=seq, status=409)

    def flush(self) -> int:
        """Write the winners; returns how many of them changed the hub's copy."""
        changed = 0
        for entity_type, by_uuid in self.winners.items():
            changed += self._flush_type(entity_type, by_uuid)
        self.winners, self.count = {}, 0
        return changed

    def _flush_type(self, entity_type: str, by_uuid: dict) -> int:
        model = SCHEMAS[entity_type][0]
        node = self.node
        upserts = [(u, entry["version"], values) for u, (entry, values) in by_uuid.items() if entry["op"] == "upsert"]
        removals = [(u, entry) for u, (entry, _values) in by_uuid.items() if entry["op"] != "upsert"]
        written = _write_copies(model, node, upserts) if upserts else 0
        if removals:
            uuids = [u for u, _entry in removals]
            held = dict(model.objects.filter(node=node, entity_uuid__in=uuids).values_list("entity_uuid", "version"))
            buried = dict(Tombstone.objects.filter(node=node, entity_uuid__in=uuids).values_list("entity_uuid", "version"))
            doomed = [u for u, entry in removals if held.get(u, -1) <= entry["version"]]
            model.objects.filter(node=node, entity_uuid__in=doomed).delete()
            graves = [Tombstone(node=node, entity_type=entity_type, entity_uuid=u, version=entry["version"],
                                op=entry["op"]) for u, entry in removals if buried.get(u, -1) < entry["version"]]
            Tombstone.objects.bulk_create(graves, batch_size=500, update_conflicts=True,
                                          unique_fields=["node", "entity_uuid"], update_fields=["version", "op", "at"])
        return written + len(removals)


def _write_copies(model, node: Node, rows: list[tuple]) -> int:
    """Upsert (uuid, version, field values) rows, each only if newer than the held copy and than its
    tombstone, and lift the tombstones of what was written; returns how many rows were written.
    The uuids are distinct (one winner per record)."""
    if connection.vendor == "postgresql":
        return _copy_upsert(model, node, rows)
    uuids = [u for u, _version, _values in rows]
    held = dict(model.objects.filter(node=node, entity_uuid__in=uuids).values_list("entity_uuid", "version"))
    buried = dict(Tombstone.objects.filter(node=node, entity_uuid__in=uuids).values_list("entity_uuid", "version"))
    fresh = [model(node=node, entity_uuid=u, version=version, **values) for u, version, values in rows
             if buried.get(u, -1) < version and held.get(u, -1) < version]
    if fresh:
        value_fields = [f.name for f in model._meta.concrete_fields if f.name not in ("id", "node", "entity_uuid")]
        model.objects.bulk_create(fresh, batch_size=500, update_conflicts=True,
                                  unique_fields=["node", "entity_uuid"], update_fields=value_fields)
        Tombstone.objects.filter(node=node, entity_uuid__in=[c.entity_uuid for c in fresh]).delete()
    return len(fresh)


@dataclass(frozen=True)
class _CopyPlan:
    stage: str  # a temporary table shaped like the copy table, emptied at commit
    create: str
    copy: str
    apply: str
    fields: tuple  # (keys the field values may use, default factory or None, converter or None) per column


def _row_layout(plan: _CopyPlan, values: dict) -> list[tuple]:
    """Where each column of a row comes from: (0, key) the field values, (1, key) the entry's uuid or
    version, (2, key) the same for every row, (3, default factory) the field's default."""
    layout = []
    for (attname, name), default, convert in plan.fields:
        if attname in values or name in values:
            layout.append((0, attname if attname in values else name, convert))
        elif attname in ("entity_uuid", "version"):
            layout.append((1, attname, None))
        elif default is None:
            layout.append((2, attname, None))
        else:
            layout.append((3, default, None))
    return layout


@functools.cache
def _copy_plan(model) -> _CopyPlan:
    quote = connection.ops.quote_name
    table, fields = model._meta.db_table, [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(quote(f.column) for f in fields)
    # Named after its columns too: a connection that outlives a migration never COPYs into an old shape.
    stage = quote(f"kyodo_stage_{table}_{hashlib.sha256(columns.encode()).hexdigest()[:8]}")
    updates = ", ".join(f"{quote(f.column)} = EXCLUDED.{quote(f.column)}" for f in fields
                        if f.attname not in ("node_id", "entity_uuid"))
    tombs = quote(Tombstone._meta.db_table)
    # Received when written under the lock (a batch staged earlier may wait for its predecessor).
    picked = ", ".join("statement_timestamp()" if f.attname == "received_at" else f"s.{quote(f.column)}" for f in fields)
    apply = (
        f"WITH written AS (INSERT INTO {quote(table)} AS held ({columns}) SELECT {picked} FROM {stage} AS s"
        f" WHERE NOT EXISTS (SELECT 1 FROM {tombs} AS t WHERE t.node_id = s.node_id"
        f" AND t.entity_uuid = s.entity_uuid AND t.version >= s.version)"
        f" ON CONFLICT (node_id, entity_uuid) DO UPDATE SET {updates} WHERE held.version < EXCLUDED.version"
        f" RETURNING held.entity_uuid),"
        f" unburied AS (DELETE FROM {tombs} AS t USING written AS w WHERE t.node_id = %s"
        f" AND t.entity_uuid = w.entity_uuid)"
        f" SELECT count(*) FROM written")
    plan = []
    for f in fields:
        convert = None
        if isinstance(f, models.JSONField):  # jsonb takes JSON text in a text-format COPY
            convert = functools.partial(json.dumps, cls=f.encoder) if f.encoder else json.dumps
        plan.append(((f.attname, f.name), f.get_default if f.attname not in ("node_id", "entity_uuid", "version",
                                                                            "received_at") else None, convert))
    return _CopyPlan(
        stage=stage,
        create=(f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} ON COMMIT DELETE ROWS"
                f" AS SELECT {columns} FROM {quote(table)} WITH NO DATA"),
        copy=f"COPY {stage} ({columns}) FROM STDIN", apply=apply, fields=tuple(plan))


def _copy_upsert(model, node: Node, rows: list[tuple]) -> int:
    """PostgreSQL: COPY the rows into a temporary table, then one INSERT … SELECT … ON CONFLICT DO
    UPDATE … WHERE the held version is older, skipping records whose tombstone is as new or newer.
    Same outcome as the ORM path, without building a model instance and a quoted literal per value."""
    _stage_rows(model, node, rows)
    return _apply_stage(model, node)


def _stage_rows(model, node: Node, rows: list[tuple]) -> None:
    """COPY (uuid, version, field values) rows into the type's staging table, emptied first."""
    if not connection.in_atomic_block:
        raise RuntimeError("copies are written inside the batch's transaction")  # ON COMMIT DELETE ROWS
    plan = _copy_plan(model)
    fixed = {"node_id": node.pk, "received_at": timezone.now()}
    layouts: dict = {}  # the field values of one type have the same keys row after row: resolve them once
    with connection.cursor() as cursor:
        cursor.execute(plan.create)
        cursor.execute(f"DELETE FROM {plan.stage}")  # empty unless an enclosing transaction is still open
        with cursor.copy(plan.copy) as copy:
            for entity_uuid, version, values in rows:
                shape = tuple(values)
                layout = layouts.get(shape)
                if layout is None:
                    layout = layouts[shape] = _row_layout(plan, values)
                own = {"entity_uuid": entity_uuid, "version": version}
                copy.write_row([
                    (convert(values[key]) if convert else values[key]) if source == 0
                    else own[key] if source == 1 else fixed[key] if source == 2 else key()
                    for source, key, convert in layout])


def _apply_stage(model, node: Node) -> int:
    with connection.cursor() as cursor:
        cursor.execute(_copy_plan(model).apply, [node.pk])
        return cursor.fetchone()[0]


def _check_fields(entry: dict) -> dict | BatchRejected:
    """An upsert's field values for its copy, or why it is refused (raised in the entry's turn)."""
    _model, keys, to_fields = SCHEMAS[entry["type"]]
    payload, seq = entry["payload"], entry["seq"]
    if not keys.issuperset(payload):
        return BatchRejected("payload_invalid", f"unexpected fields: {sorted(set(payload) - keys)}", seq=seq)
    try:
        return to_fields(payload)
    except ValueError as error:
        return BatchRejected("payload_invalid", f"field {error} is not acceptable", seq=seq)


# Types whose field checks read nothing from the database: checked before the node's lock is taken,
# so that this work overlaps the apply of the node's previous batch (a pipelined push).
CHECKED_UNLOCKED = frozenset({"directory_group", "public_event", "aggregate_counts", "shared_case",
                              "directory_offer"})
# How long a batch the node marks as pipelined (sent while its predecessor was still in flight) may
# wait for that predecessor before it is refused as a gap.
PREDECESSOR_WAIT = 3.0  # seconds


class _Ahead(Exception):
    """The batch starts beyond the next seq; its predecessor may still be on its way."""


@dataclass
class BatchOutcome:
    last_applied_seq: int
    applied: int
    skipped: int


def batch_apply(*, node: Node, batch) -> BatchOutcome:
    """Apply a node's batch in one transaction; refuse it whole if it leaves a gap or breaks a rule.

    The entries' shape, digests and (for most types) field values are checked first, without any
    lock; a batch of plain upserts is also staged then (`_prestage`); then, under the node's row
    lock, the gap, partition and version rules, and the writes. A batch marked `pipelined` that
    starts beyond the next seq waits up to PREDECESSOR_WAIT for the batch before it (sent just
    earlier, still being applied) and is refused as a gap after that.
    """
    if not isinstance(batch, dict) or batch.get("format") != "kyodo.sync.batch/1" or not isinstance(
            batch.get("entries"), list):
        raise BatchRejected("batch_invalid", "not a kyodo.sync.batch/1 document", status=400)
    if len(batch["entries"]) > BATCH_MAX_ENTRIES:
        raise BatchRejected("batch_too_large", f"at most {BATCH_MAX_ENTRIES} entries per batch", status=413)
    entries = [_entry(raw) for raw in batch["entries"]]
    seqs = [entry["seq"] for entry in entries]
    if seqs and seqs != list(range(seqs[0], seqs[0] + len(seqs))):
        raise BatchRejected("batch_not_consecutive", "entries must carry consecutive seqs", status=400)
    checked = {entry["seq"]: _check_fields(entry) for entry in entries
               if entry["op"] == "upsert" and entry["type"] in CHECKED_UNLOCKED}
    deadline = time.monotonic() + (PREDECESSOR_WAIT if batch.get("pipelined") is True else 0)
    if not _stageable(entries, checked):
        return _apply_in_turn(node, batch, entries, checked, None, deadline)
    with transaction.atomic():
        # PostgreSQL only: on SQLite a transaction around the retries would keep reading the
        # snapshot its first read took, and never see the predecessor's commit.
        return _apply_in_turn(node, batch, entries, checked, _prestage(node, entries, checked), deadline)


def _apply_in_turn(node: Node, batch: dict, entries: list[dict], checked: dict, staged: _Pending | None,
                   deadline: float) -> BatchOutcome:
    while True:
        try:
            # Its own transaction, or a savepoint of the staging one: leaving it on _Ahead releases
            # the node's lock for the predecessor, and what was staged stays.
            return _batch_apply_locked(node, batch, entries, checked, staged)
        except _Ahead as ahead:
            if time.monotonic() >= deadline:
                raise BatchRejected("gap", str(ahead), status=409) from None
            time.sleep(0.01)


def _stageable(entries: list[dict], checked: dict) -> bool:
    """PostgreSQL, and a batch of plain upserts whose checks read no table, all acceptable."""
    return connection.vendor == "postgresql" and bool(entries) and all(
        entry["op"] == "upsert" and entry["type"] in CHECKED_UNLOCKED
        and not isinstance(checked[entry["seq"]], BatchRejected) for entry in entries)


def _prestage(node: Node, entries: list[dict], checked: dict) -> _Pending | None:
    """A stageable batch's winners, COPYed into the staging tables before the node's lock is taken,
    so that under the lock only the INSERT … ON CONFLICT statements remain; None when a record is
    not of the node's own centers (the batch then goes entry by entry under the lock, and the
    refusal comes in its entry's turn)."""
    pending = _Pending(node)
    try:
        for entry in entries:
            pending.add(entry, checked[entry["seq"]])
    except BatchRejected:
        return None
    for entity_type, by_uuid in pending.winners.items():
        _stage_rows(SCHEMAS[entity_type][0], node, [(u, entry["version"], values)
                                                    for u, (entry, values) in by_uuid.items()])
    return pending


@transaction.atomic
def _batch_apply_locked(node: Node, batch: dict, entries: list[dict], checked: dict,
                        staged: _Pending | None = None) -> BatchOutcome:
    # The node row lock serializes batches of one node, so the set-wise reads below stay true.
    node = Node.objects.select_for_update().get(pk=node.pk)
    if entries and entries[0]["seq"] > node.last_applied_seq + 1:
        raise _Ahead(f"expected seq {node.last_applied_seq + 1}, got {entries[0]['seq']}")
    fresh = [entry for entry in entries if entry["seq"] > node.last_applied_seq]
    if staged is not None and len(fresh) == len(entries) and staged.centers_unchanged():
        applied = sum(_apply_stage(SCHEMAS[entity_type][0], node) for entity_type in staged.winners)
    else:
        # A re-delivery, or a center moved meanwhile: entry by entry (writing a type's copies
        # empties its staging table first).
        applied = _apply_entries(node, fresh, checked)
    if fresh:
        node.last_applied_seq = fresh[-1]["seq"]
    _note_reported(node, batch)
    return BatchOutcome(last_applied_seq=node.last_applied_seq, applied=applied, skipped=len(entries) - applied)


def _apply_entries(node: Node, fresh: list[dict], checked: dict) -> int:
    applied = 0
    pending = _Pending(node)
    for entry in fresh:
        if entry["type"] == "node_profile":
            # Profiles are rare and decide which centers exist: write what came before them first.
            applied += pending.flush()
            applied += _apply_profile(node, entry)
            pending = _Pending(node)
        else:
            pending.add(entry, checked.get(entry["seq"]))
    return applied + pending.flush()


def _note_reported(node: Node, batch: dict) -> None:
    """What the node reports of its backlog, and the contact, saved with the new checkpoint."""
    published = batch.get("published_seq")
    if isinstance(published, int) and published >= node.last_applied_seq:
        node.reported_published_seq = published
    oldest = batch.get("oldest_unsent_at")
    node.reported_oldest_unsent_at = parse_datetime(oldest) if isinstance(oldest, str) else None
    node.last_contact_at = timezone.now()
    node.save(update_fields=["last_applied_seq", "reported_published_seq", "reported_oldest_unsent_at",
                             "last_contact_at"])


def node_digest(node: Node) -> dict[str, dict]:
    """The same digest the node computes over what it believes the hub holds (sync.client.local_digest)."""
    from sync.client import digest_of

    items = [("node_profile", str(u), v) for u, v in NodeCenter.objects.filter(node=node).values_list("center_uuid", "version")]
    for entity_type, (model, _keys, _fn) in SCHEMAS.items():
        items += [(entity_type, str(u), v) for u, v in model.objects.filter(node=node).values_list("entity_uuid", "version")]
    return digest_of(items)


# --- the hub → node feed -------------------------------------------------------------------------


@transaction.atomic
def feed_publish(*, acting_user, kind: str, payload: dict, node: Node | None = None) -> FeedEntry:
    """Append to the feed. The counter row is locked until commit, so seqs commit in order."""
    counter, _ = FeedSequence.objects.select_for_update().get_or_create(pk=1)
    counter.last_seq += 1
    counter.save(update_fields=["last_seq"])
    entry = FeedEntry.objects.create(seq=counter.last_seq, kind=kind, node=node, payload=payload)
    audit_record(actor=acting_user, action="hub.feed_publish", detail={"kind": kind, "seq": entry.seq})
    if kind in pokes.POKE_KINDS:
        # Nodes would otherwise see a declaration only at their next pull (a minute by default).
        transaction.on_commit(partial(pokes.request_poke, seq=entry.seq, node_id=node.pk if node else None))
    return entry


@transaction.atomic
def hub_key_publish(*, acting_user, pairs) -> FeedEntry | None:
    """Send the hub's public signing keys to every node (feed kind `hub_key`), unless they already have them.

    Nodes verify the hub's pokes with these; they arrive over the same feed as the declarations.
    """
    payload = hub_keys_payload(pairs)
    last = FeedEntry.objects.filter(kind=HUB_KEY_KIND, node__isnull=True).order_by("-seq").first()
    if last is not None and last.payload == payload:
        return None
    return feed_publish(acting_user=acting_user, kind=HUB_KEY_KIND, payload=payload)


# --- study-tour collections (スタディツアー用の事例集) -----------------------------------------------


def _actor(user):
    return user if getattr(user, "is_authenticated", False) else None


@transaction.atomic
def collection_create(*, acting_user, title: str, description: str = "") -> CaseCollection:
    collection = CaseCollection(title=title.strip(), description=description.strip(), created_by=_actor(acting_user))
    collection.full_clean()
    collection.save()
    audit_record(actor=acting_user, action="hub.collection_create", target=collection)
    return collection


@transaction.atomic
def collection_update(*, acting_user, collection: CaseCollection, title: str, description: str = "") -> CaseCollection:
    collection = CaseCollection.objects.select_for_update().get(pk=collection.pk)
    collection.title, collection.description = title.strip(), description.strip()
    collection.full_clean()
    collection.save(update_fields=["title", "description", "updated_at"])
    audit_record(actor=acting_user, action="hub.collection_update", target=collection)
    return collection


@transaction.atomic
def collection_delete(*, acting_user, collection: CaseCollection) -> None:
    audit_record(actor=acting_user, action="hub.collection_delete", target=collection,
                 detail={"cases": collection.entries.count()})
    collection.delete()


@transaction.atomic
def collection_add_case(*, acting_user, collection: CaseCollection, case: SharedCase, note: str = "") -> CollectionCase:
    """Append a case at the end of a collection."""
    # The collection lock makes the next order number safe; the case lock keeps a retraction that
    # arrives meanwhile from leaving us a dangling entry (it waits, then cascades).
    collection = CaseCollection.objects.select_for_update().get(pk=collection.pk)
    if not SharedCase.objects.select_for_update().filter(pk=case.pk).exists():
        raise ValidationError({"case": ValidationError("この事例は取り下げられました。", code="case_retracted")})
    if collection.entries.filter(case=case).exists():
        raise ValidationError({"collection": ValidationError(
            "この事例はすでにこの事例集に入っています。", code="already_in_collection")})
    if len(note) > 2000:
        raise ValidationError({"note": ValidationError("メモは2000字以内にしてください。", code="max_length")})
    last = collection.entries.order_by("-order").values_list("order", flat=True).first() or 0
    entry = CollectionCase.objects.create(collection=collection, case=case, order=last + 1, note=note.strip())
    collection.save(update_fields=["updated_at"])
    audit_record(actor=acting_user, action="hub.collection_add_case", target=collection,
                 detail={"case": str(case.entity_uuid), "node": case.node_id})
    return entry


@transaction.atomic
def collection_remove_case(*, acting_user, collection: CaseCollection, case: SharedCase) -> bool:
    collection = CaseCollection.objects.select_for_update().get(pk=collection.pk)
    removed, _ = collection.entries.filter(case=case).delete()
    if removed:
        collection.save(update_fields=["updated_at"])
        audit_record(actor=acting_user, action="hub.collection_remove_case", target=collection,
                     detail={"case": str(case.entity_uuid), "node": case.node_id})
    return bool(removed)


@transaction.atomic
def collection_move_case(*, acting_user, collection: CaseCollection, case: SharedCase, offset: int) -> None:
    """Move a case earlier (offset < 0) or later in the tour; orders are renumbered 1..n."""
    collection = CaseCollection.objects.select_for_update().get(pk=collection.pk)
    entries = list(collection.entries.order_by("order", "id"))
    index = next((i for i, entry in enumerate(entries) if entry.case_id == case.pk), None)
    if index is None:
        return
    target = min(max(index + (1 if offset > 0 else -1), 0), len(entries) - 1)
    entries.insert(target, entries.pop(index))
    for order, entry in enumerate(entries, start=1):
        entry.order = order
    CollectionCase.objects.bulk_update(entries, ["order"])
    audit_record(actor=acting_user, action="hub.collection_move_case", target=collection,
                 detail={"case": str(case.entity_uuid), "position": target + 1})


# --- disaster declarations (みんかな) ---------------------------------------------------------------


def _declaration_area(*, municipality_codes, whole_prefecture: bool) -> list[str]:
    try:
        codes = disaster.normalize_codes(municipality_codes)
    except ValueError as error:
        raise ValidationError({"municipality_codes": ValidationError(
            "全国地方公共団体コード「%(code)s」の検査数字が一致しません。", code="invalid_check_digit",
            params={"code": str(error)})}) from error
    outside = [code for code in codes if not code.startswith(disaster.PREFECTURE_CODE)]
    if outside:
        raise ValidationError({"municipality_codes": ValidationError(
            "「%(code)s」はこのハブの県の市区町村ではありません。", code="outside_prefecture", params={"code": outside[0]})})
    if len(codes) > disaster.MAX_MUNICIPALITIES:
        raise ValidationError({"municipality_codes": ValidationError("市区町村が多すぎます。", code="too_many")})
    if not codes and not whole_prefecture:
        raise ValidationError({"municipality_codes": ValidationError(
            "対象の市区町村を入力するか「県内全域」を選んでください。", code="no_area")})
    return [] if whole_prefecture else codes


def _declaration_publish(*, acting_user, declaration: DisasterDeclaration, action: str, detail: dict) -> None:
    """Audit the change and send the new version to every node (each decides whether it is covered)."""
    audit_record(actor=acting_user, action=action, target=declaration,
                 detail={"version": declaration.version, "phase": declaration.phase,
                         "exercise": declaration.exercise, **detail})
    feed_publish(acting_user=acting_user, kind=disaster.FEED_KIND, payload=disaster.declaration_payload(declaration))


@transaction.atomic
def disaster_declare(*, acting_user, name: str, hazard: str, municipality_codes: list[str],
                     whole_prefecture: bool = False, exercise: bool = False,
                     started_at: dt.datetime | None = None) -> DisasterDeclaration:
    """Declare a disaster (or a drill, `exercise=True`) in its first phase, 初動."""
    declaration = DisasterDeclaration(
        name=name.strip(), hazard=hazard, whole_prefecture=whole_prefecture, exercise=exercise,
        municipality_codes=_declaration_area(municipality_codes=municipality_codes, whole_prefecture=whole_prefecture),
        started_at=started_at or timezone.now(), created_by=_actor(acting_user))
    declaration.full_clean()
    declaration.save()
    _declaration_publish(acting_user=acting_user, declaration=declaration, action="hub.disaster_declare",
                         detail={"municipalities": len(declaration.municipality_codes),
                                 "whole_prefecture": declaration.whole_prefecture})
    return declaration


@transaction.atomic
def disaster_update(*, acting_user, declaration: DisasterDeclaration, name: str, hazard: str,
                    municipality_codes: list[str], whole_prefecture: bool, phase: str) -> DisasterDeclaration:
    """Change an open declaration: its name, hazard, area, or move it to a later phase."""
    declaration = DisasterDeclaration.objects.select_for_update().get(pk=declaration.pk)
    if declaration.closed_at is not None:
        raise ValidationError(ValidationError("終了した災害宣言は変更できません。", code="closed"))
    if phase not in disaster.Phase.values:
        raise ValidationError({"phase": ValidationError("不明なフェーズです。", code="invalid_choice")})
    if disaster.phase_rank(phase) < disaster.phase_rank(declaration.phase):
        raise ValidationError({"phase": ValidationError(
            "フェーズは先へ進めることしかできません（現在: %(current)s）。", code="phase_backwards",
            params={"current": declaration.get_phase_display()})})
    codes = _declaration_area(municipality_codes=municipality_codes, whole_prefecture=whole_prefecture)
    changed = {field for field, value in (("name", name.strip()), ("hazard", hazard), ("municipality_codes", codes),
                                          ("whole_prefecture", whole_prefecture), ("phase", phase))
               if getattr(declaration, field) != value}
    if not changed:
        return declaration
    declaration.name, declaration.hazard, declaration.phase = name.strip(), hazard, phase
    declaration.municipality_codes, declaration.whole_prefecture = codes, whole_prefecture
    declaration.version += 1
    declaration.full_clean()
    declaration.save()
    _declaration_publish(acting_user=acting_user, declaration=declaration, action="hub.disaster_update",
                         detail={"fields": sorted(changed)})
    return declaration


@transaction.atomic
def disaster_close(*, acting_user, declaration: DisasterDeclaration,
                   closed_at: dt.datetime | None = None) -> DisasterDeclaration:
    """End a declaration: every node it covered returns to normal when it receives this version."""
    declaration = DisasterDeclaration.objects.select_for_update().get(pk=declaration.pk)
    if declaration.closed_at is not None:
        raise ValidationError(ValidationError("この災害宣言はすでに終了しています。", code="already_closed"))
    declaration.closed_at = closed_at or timezone.now()
    declaration.version += 1
    declaration.full_clean()
    declaration.save()
    ended, purged = _contacts_end(declaration)
    _declaration_publish(acting_user=acting_user, declaration=declaration, action="hub.disaster_close",
                         detail={"grants_ended": ended, "contacts_purged": purged})
    return declaration


def _contacts_end(declaration: DisasterDeclaration) -> tuple[int, int]:
    """At close: every grant on the declaration ends now, and its contacts are deleted outright —
    a tombstone per contact (uuid and version, no values) keeps a late copy from coming back; the
    nodes purge their own rows when the close reaches them."""
    now = timezone.now()
    ended = ContactGrant.objects.filter(declaration=declaration, ends_at__gt=now).update(ends_at=now)
    contacts = list(DisasterContactCopy.objects.filter(declaration=declaration)
                    .values_list("node_id", "entity_uuid", "version"))
    for node_id, entity_uuid, version in contacts:
        _bury(Node(pk=node_id), disaster.CONTACT_TYPE, entity_uuid, version, "purge")
    DisasterContactCopy.objects.filter(declaration=declaration).delete()
    return ended, len(contacts)


# --- introductions across centers (他センターへの紹介の依頼) ----------------------------------------

INTRODUCTION_KEYS = frozenset({"uuid", "center", "offer", "need_title", "message"})
ANSWER_KEYS = frozenset({"status", "message"})
MAX_MESSAGE = 4000
INTRODUCTION_REQUEST_KIND = "introduction_request"
INTRODUCTION_ANSWER_KIND = "introduction_answer"


class IntroductionRefused(Exception):
    def __init__(self, code: str, message: str, *, status: int = 422):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def _introduction_payload(request: IntroductionRequest, from_center: NodeCenter) -> dict:
    return {"uuid": str(request.uuid), "to_center": str(request.to_center_uuid),
            "from_center_name": request.from_center_name, "from_municipality": from_center.municipality_name,
            "offer": str(request.offer_uuid), "offer_title": request.offer_title, "group_name": request.group_name,
            "need_title": request.need_title, "message": request.message, "created_at": request.created_at.isoformat()}


@transaction.atomic
def introduction_create(*, node: Node, payload) -> tuple[IntroductionRequest, bool]:
    """A node asks, for one of its centers, the owning node to introduce a listed offer's group.
    Idempotent by the request's uuid (the asking node may send it again after a lost answer)."""
    if not isinstance(payload, dict) or set(payload) != INTRODUCTION_KEYS:
        raise IntroductionRefused("payload_invalid", f"expected exactly the keys {sorted(INTRODUCTION_KEYS)}")
    try:
        request_uuid, center_uuid, offer_uuid = (_uuid(payload[name], name) for name in ("uuid", "center", "offer"))
        need_title = _text(payload, "need_title", 400, required=True)
        message = _text(payload, "message", MAX_MESSAGE, required=True)
    except ValueError as error:
        raise IntroductionRefused("payload_invalid", f"field {error} is not acceptable") from error
    from_center = NodeCenter.objects.filter(center_uuid=center_uuid, node=node).first()
    if from_center is None:
        raise IntroductionRefused("outside_partition", "the asking center does not belong to the signing node",
                                  status=403)
    existing = IntroductionRequest.objects.filter(uuid=request_uuid).first()
    if existing is not None:
        if existing.from_node_id != node.pk or existing.offer_uuid != offer_uuid:
            raise IntroductionRefused("uuid_conflict", "this request uuid is already used", status=409)
        return existing, False
    offer = listed_offers().filter(entity_uuid=offer_uuid).select_related("center").first()
    if offer is None:
        raise IntroductionRefused("offer_not_found", "no listed offer has this uuid", status=404)
    if offer.node_id == node.pk:
        raise IntroductionRefused("own_offer", "an offer of the asking node's own centers needs no introduction")
    group = DirectoryGroup.objects.filter(node=offer.node_id, entity_uuid=offer.group_uuid).first()
    request = IntroductionRequest.objects.create(
        uuid=request_uuid, from_node=node, from_center_uuid=center_uuid, from_center_name=from_center.name,
        to_node_id=offer.node_id, to_center_uuid=offer.center.center_uuid, offer_uuid=offer_uuid,
        offer_title=offer.title, group_name=group.name if group else "", need_title=need_title, message=message)
    audit_record(actor=None, action="hub.introduction_request", target=request,
                 detail={"uuid": str(request.uuid), "from_node": node.slug, "to_node": offer.node.slug})
    feed_publish(acting_user=None, kind=INTRODUCTION_REQUEST_KIND, node=offer.node,
                 payload=_introduction_payload(request, from_center))
    return request, True


@transaction.atomic
def introduction_answer(*, node: Node, request_uuid, payload) -> tuple[IntroductionRequest, bool]:
    """The owning node answers once (accepted or declined, with a message); the asking node learns
    it through the feed. Repeating the same answer changes nothing; another answer is refused."""
    request = IntroductionRequest.objects.select_for_update().filter(uuid=request_uuid).first()
    if request is None or request.to_node_id != node.pk:
        # Only the owning node answers; to any other node the request does not exist.
        raise IntroductionRefused("not_found", "no introduction request of this node has this uuid", status=404)
    if not isinstance(payload, dict) or set(payload) != ANSWER_KEYS:
        raise IntroductionRefused("payload_invalid", f"expected exactly the keys {sorted(ANSWER_KEYS)}")
    try:
        status = _choice(payload["status"], "status", (IntroductionStatus.ACCEPTED, IntroductionStatus.DECLINED))
        message = _text(payload, "message", MAX_MESSAGE)
    except ValueError as error:
        raise IntroductionRefused("payload_invalid", f"field {error} is not acceptable") from error
    if request.status != IntroductionStatus.PENDING:
        if request.status == status and request.answer_message == message:
            return request, False
        raise IntroductionRefused("already_answered", "this request was already answered", status=409)
    request.status, request.answer_message, request.answered_at = status, message, timezone.now()
    request.save(update_fields=["status", "answer_message", "answered_at"])
    audit_record(actor=None, action="hub.introduction_answer", target=request,
                 detail={"uuid": str(request.uuid), "status": status})
    feed_publish(acting_user=None, kind=INTRODUCTION_ANSWER_KIND, node=request.from_node, payload={
        "uuid": str(request.uuid), "status": status, "message": message,
        "answered_at": request.answered_at.isoformat()})
    return request, True



# --- disaster commitments and situation reports (みんかな) -----------------------------------------

COMMITMENT_KEYS = frozenset({"uuid", "declaration", "center", "need", "offer", "sector", "need_center_name",
                             "place", "quantity", "instructions", "created_at"})


def commitment_payload(commitment: DisasterCommitment, need: DisasterNeedCopy) -> dict:
    """The feed payload of `disaster_commitment`, addressed to the committing center's node."""
    return {"uuid": str(commitment.uuid), "declaration": str(commitment.declaration.uuid),
            "center": str(commitment.center.center_uuid), "need": str(commitment.need_uuid),
            "offer": str(commitment.offer_uuid) if commitment.offer_uuid else None, "sector": commitment.sector,
            "need_center_name": need.center.name,
            "place": f"{need.municipality_code} {need.place_name}".strip(), "quantity": commitment.quantity,
            "instructions": commitment.instructions, "created_at": commitment.created_at.isoformat()}


def _commit_refused(field: str | None, message: str, code: str, **params):
    error = ValidationError(message, code=code, params=params or None)
    return ValidationError({field: error}) if field else error


@transaction.atomic
def disaster_commit(*, acting_user, need: DisasterNeedCopy, quantity: int, offer: DisasterOfferCopy | None = None,
                    center: NodeCenter | None = None, instructions: str = "",
                    now: dt.datetime | None = None) -> DisasterCommitment:
    """A coordinator commits an offer (or a center) to a live need. The hub writes the commitment and
    sends it to the committing node only; that node acknowledges and reports delivery itself."""
    now = now or timezone.now()
    need = DisasterNeedCopy.objects.select_for_update().select_related("declaration", "center").get(pk=need.pk)
    declaration = need.declaration
    if declaration.closed_at is not None:
        raise _commit_refused(None, "終了した災害宣言には割り当てできません。", "declaration_closed")
    if need.status not in disaster.NEED_LIVE or need.expires_at <= now:
        raise _commit_refused(None, "このニーズは受付中ではありません（充足・期限切れ・取り下げ）。", "need_not_live")
    if (offer is None) == (center is None):
        raise _commit_refused("offer", "支援の申し出かセンターのどちらか一方を選んでください。", "offer_or_center")
    if offer is not None:
        offer = DisasterOfferCopy.objects.select_related("center").get(pk=offer.pk)
        if offer.declaration_id != declaration.pk or offer.status != disaster.OfferStatus.OPEN or offer.valid_until <= now:
            raise _commit_refused("offer", "この申し出はこの災害で受付中ではありません。", "offer_not_open")
        center = offer.center
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 0 < quantity <= disaster.MAX_QUANTITY:
        raise _commit_refused("quantity", "数量は1以上の整数で入力してください。", "invalid_quantity")
    instructions = (instructions or "").strip()
    if len(instructions) > 500:
        raise _commit_refused("instructions", "調整メモは500字以内にしてください。", "max_length")
    commitment = DisasterCommitment.objects.create(
        declaration=declaration, need_uuid=need.entity_uuid, need_node_id=need.node_id,
        offer_uuid=offer.entity_uuid if offer else None, center=center, sector=need.sector,
        municipality_code=need.municipality_code, quantity=quantity, instructions=instructions,
        created_by=_actor(acting_user))
    audit_record(actor=acting_user, action="hub.disaster_commit", target=commitment,
                 detail={"declaration": str(declaration.uuid), "need": str(need.entity_uuid),
                         "offer": str(offer.entity_uuid) if offer else None, "to_node": center.node_id,
                         "quantity": quantity})
    feed_publish(acting_user=acting_user, kind=disaster.COMMITMENT_KIND, node=center.node,
                 payload=commitment_payload(commitment, need))
    return commitment


@transaction.atomic
def disaster_sitrep_issue(*, acting_user, declaration: DisasterDeclaration) -> DisasterDeclaration:
    """Issue the next numbered situation report (第N報): the counter and its time are stored on the
    declaration (the database lets only this change through without a new version)."""
    declaration = DisasterDeclaration.objects.select_for_update().get(pk=declaration.pk)
    declaration.sitrep_number += 1
    declaration.sitrep_issued_at = timezone.now()
    declaration.save(update_fields=["sitrep_number", "sitrep_issued_at", "updated_at"])
    audit_record(actor=acting_user, action="hub.disaster_sitrep", target=declaration,
                 detail={"number": declaration.sitrep_number})
    return declaration



# --- disaster contacts: grants (item 5) ----------------------------------------------------------------


def _grant_refused(field: str | None, message: str, code: str):
    error = ValidationError(message, code=code)
    return ValidationError({field: error}) if field else error


@transaction.atomic
def contact_grant_request(*, acting_user, declaration: DisasterDeclaration, reason: str,
                          hours: int = 24) -> ContactGrant:
    """A coordinator asks to see a declaration's disaster contacts, for a stated reason and a
    limited time; nothing is visible until someone else approves."""
    declaration = DisasterDeclaration.objects.select_for_update().get(pk=declaration.pk)
    if declaration.closed_at is not None:
        raise _grant_refused(None, "終了した災害宣言の連絡先は閲覧できません。", "declaration_closed")
    reason = (reason or "").strip()
    if not reason:
        raise _grant_refused("reason", "閲覧の理由を入力してください。", "required")
    if len(reason) > 500:
        raise _grant_refused("reason", "理由は500字以内にしてください。", "max_length")
    if isinstance(hours, bool) or not isinstance(hours, int) or not 1 <= hours <= disaster.MAX_CONTACT_GRANT_HOURS:
        raise _grant_refused("hours", f"期間は1〜{disaster.MAX_CONTACT_GRANT_HOURS}時間にしてください。", "invalid_hours")
    grant = ContactGrant.objects.create(declaration=declaration, grantee=acting_user, reason=reason,
                                        ends_at=timezone.now() + dt.timedelta(hours=hours))
    audit_record(actor=acting_user, action="hub.contact_grant_request", target=grant,
                 detail={"declaration": str(declaration.uuid), "hours": hours})
    return grant


@transaction.atomic
def contact_grant_approve(*, acting_user, grant: ContactGrant) -> ContactGrant:
    """A hub admin other than the grantee approves (the database refuses self-approval too)."""
    grant = ContactGrant.objects.select_for_update().select_related("declaration").get(pk=grant.pk)
    if grant.grantee_id == getattr(acting_user, "pk", None):
        raise _grant_refused(None, "自分の閲覧申請は承認できません。ほかの管理者に依頼してください。", "self_approval")
    if grant.approver_id is not None:
        raise _grant_refused(None, "この申請はすでに承認されています。", "already_approved")
    if grant.declaration.closed_at is not None:
        raise _grant_refused(None, "終了した災害宣言の連絡先は閲覧できません。", "declaration_closed")
    if grant.ends_at <= timezone.now():
        raise _grant_refused(None, "この申請は期限が過ぎています。", "expired")
    grant.approver, grant.approved_at = acting_user, timezone.now()
    grant.save(update_fields=["approver", "approved_at"])
    audit_record(actor=acting_user, action="hub.contact_grant_approve", target=grant,
                 detail={"declaration": str(grant.declaration.uuid), "grantee": grant.grantee_id,
                         "ends_at": grant.ends_at.isoformat()})
    return grant


@transaction.atomic
def contact_grant_end(*, acting_user, grant: ContactGrant) -> ContactGrant:
    """End a grant early (the grantee or an approver)."""
    grant = ContactGrant.objects.select_for_update().get(pk=grant.pk)
    now = timezone.now()
    if grant.ends_at > now:
        grant.ends_at = now
        grant.save(update_fields=["ends_at"])
        audit_record(actor=acting_user, action="hub.contact_grant_end", target=grant)
    return grant


# --- emergency surveys (item 6) ------------------------------------------------------------------------


def survey_payload(survey: EmergencySurvey) -> dict:
    return {"uuid": str(survey.uuid), "declaration": str(survey.declaration.uuid), "title": survey.title,
            "questions": survey.questions, "version": survey.version, "created_at": survey.created_at.isoformat(),
            "closed_at": survey.closed_at.isoformat() if survey.closed_at else None}


@transaction.atomic
def survey_close(*, acting_user, survey: EmergencySurvey) -> EmergencySurvey:
    """Stop taking answers: the nodes receive the survey again, closed, and record no more. Closing
    a closed survey changes nothing."""
    survey = EmergencySurvey.objects.select_for_update().select_related("declaration").get(pk=survey.pk)
    if survey.closed_at is not None:
        return survey
    survey.closed_at, survey.version = timezone.now(), survey.version + 1
    survey.save(update_fields=["closed_at", "version"])
    audit_record(actor=acting_user, action="hub.survey_close", target=survey,
                 detail={"declaration": str(survey.declaration.uuid), "version": survey.version})
    feed_publish(acting_user=acting_user, kind=disaster.SURVEY_KIND, payload=survey_payload(survey))
    return survey


@transaction.atomic
def survey_create(*, acting_user, declaration: DisasterDeclaration, title: str, questions: list) -> EmergencySurvey:
    """A coordinator sends a short survey for an open declaration to every node (each shows it to
    the centers it covers); nodes answer with counts per center."""
    declaration = DisasterDeclaration.objects.select_for_update().get(pk=declaration.pk)
    if declaration.closed_at is not None:
        raise _grant_refused(None, "終了した災害宣言にはアンケートを送れません。", "declaration_closed")
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise _grant_refused("title", "調査名を200字以内で入力してください。", "required")
    try:
        questions = disaster.parse_questions(questions)
    except ValueError as error:
        raise _grant_refused("questions", f"設問の形式が正しくありません（{error}）。", "invalid_questions") from error
    survey = EmergencySurvey.objects.create(declaration=declaration, title=title, questions=questions,
                                            created_by=_actor(acting_user))
    audit_record(actor=acting_user, action="hub.survey_create", target=survey,
                 detail={"declaration": str(declaration.uuid), "questions": len(questions)})
    feed_publish(acting_user=acting_user, kind=disaster.SURVEY_KIND, payload=survey_payload(survey))
    return survey
