"""The disaster wire contract (みんかな) shared by hub and nodes: vocabulary, the declaration feed payload and coverage.

The hub writes declarations (feed kind `disaster_declaration`, to every node); each node decides
from the payload alone whether one of its centers is covered. Nodes answer with their own records
(entity type `center_status`), never by editing the declaration.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

from django.conf import settings
from django.db import models
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from common.japanese import municipality_code_is_valid

from .wire import disaster as wire

FEED_KIND = "disaster_declaration"
CENTER_STATUS_TYPE = wire.CENTER_STATUS
# The prefecture a hub serves by default (神奈川県 = 14): "whole prefecture" covers every
# municipality whose 全国地方公共団体コード starts with it. A hub's own is KYODO_PREFECTURE_CODE.
PREFECTURE_CODE = "14"
# A national hub's declarations name municipalities of several prefectures, never a whole one.
NATIONAL_CODE = "00"


def prefecture_code() -> str:
    """This hub's prefecture, or NATIONAL_CODE on the national hub."""
    if getattr(settings, "KYODO_HUB_LEVEL", "prefecture") == "national":
        return NATIONAL_CODE
    return getattr(settings, "KYODO_PREFECTURE_CODE", PREFECTURE_CODE)


def in_area(code: str) -> bool:
    """Whether a municipality is one this hub coordinates: its prefecture's, or any on the national hub."""
    area = prefecture_code()
    return area == NATIONAL_CODE or code.startswith(area)
MAX_MUNICIPALITIES = 200
MAX_NOTE = wire.MAX_NOTE


class Hazard(models.TextChoices):
    EARTHQUAKE = "earthquake", _("地震")
    STORM_FLOOD = "storm_flood", _("風水害")
    LANDSLIDE = "landslide", _("土砂災害")
    INFECTION = "infection", _("感染症")
    VOLCANO = "volcano", _("火山")
    OTHER = "other", _("その他")


class Phase(models.TextChoices):
    """In this order only: a declaration's phase never moves back."""

    INITIAL = "initial", _("初動")
    PREPARATION = "preparation", _("準備")
    SUPPORT = "support", _("支援")
    WITHDRAWAL = "withdrawal", _("撤収")


PHASE_ORDER = [value for value, _label in Phase.choices]


class CenterStatus(models.TextChoices):
    """What a center reports about itself. 「応答なし」 is not reported: the hub shows it when no
    report is recent enough (see hub.selectors.disaster_board)."""

    NORMAL = "normal", _("通常")
    PARTIAL = "partial", _("一部機能")
    CLOSED = "closed", _("閉鎖")


NO_RESPONSE_LABEL = _("応答なし")


def phase_rank(phase: str) -> int:
    return PHASE_ORDER.index(phase)


def normalize_codes(codes) -> list[str]:
    """Sorted, unique 全国地方公共団体コード; ValueError naming the first bad one."""
    found = set()
    for code in codes:
        code = str(code).strip()
        if not municipality_code_is_valid(code):
            raise ValueError(code)
        found.add(code)
    return sorted(found)


def parse_codes(text: str) -> list[str]:
    """Codes typed by a coordinator, separated by spaces, commas, 読点 or new lines."""
    return [part for part in re.split(r"[\s,、，]+", text or "") if part]


def declaration_payload(declaration) -> dict:
    """The feed payload of a hub declaration (schema of `disaster_declaration`, version 1)."""
    return {
        "uuid": str(declaration.uuid), "name": declaration.name, "hazard": declaration.hazard,
        "municipalities": list(declaration.municipality_codes), "whole_prefecture": declaration.whole_prefecture,
        "prefecture": prefecture_code(), "phase": declaration.phase, "exercise": declaration.exercise,
        "started_at": declaration.started_at.isoformat(),
        "closed_at": declaration.closed_at.isoformat() if declaration.closed_at else None,
        "version": declaration.version,
        # The declaring party: the hub's operator (みんかな), "" on a hub that recorded none.
        "declared_by": declaration.declared_by.name if declaration.declared_by_id else "",
    }


# `declared_by` came later and is optional: a node reads a declaration without it (an older hub) as
# naming no declaring party, and an older node ignores it.
PAYLOAD_KEYS = frozenset({"uuid", "name", "hazard", "municipalities", "whole_prefecture", "prefecture", "phase",
                          "exercise", "started_at", "closed_at", "version"})


def parse_moment(value, name: str, *, required: bool) -> dt.datetime | None:
    """An ISO 8601 time with its time zone; ValueError(name) otherwise (None when optional and absent)."""
    if value is None and not required:
        return None
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None or parsed.tzinfo is None:
        raise ValueError(name)
    return parsed


def parse_declaration(payload) -> dict:
    """A received declaration payload as field values; ValueError naming the first bad field."""
    if not isinstance(payload, dict) or not PAYLOAD_KEYS <= set(payload):
        raise ValueError("keys")
    try:
        declaration_uuid = uuid.UUID(str(payload["uuid"]))
    except ValueError as error:
        raise ValueError("uuid") from error
    name = payload["name"]
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise ValueError("name")
    if payload["hazard"] not in Hazard.values:
        raise ValueError("hazard")
    if payload["phase"] not in Phase.values:
        raise ValueError("phase")
    for flag in ("whole_prefecture", "exercise"):
        if not isinstance(payload[flag], bool):
            raise ValueError(flag)
    codes = payload["municipalities"]
    if not isinstance(codes, list) or len(codes) > MAX_MUNICIPALITIES:
        raise ValueError("municipalities")
    codes = normalize_codes(codes)
    prefecture = payload["prefecture"]
    if not isinstance(prefecture, str) or not re.fullmatch(r"[0-9]{2}", prefecture):
        raise ValueError("prefecture")
    version = payload["version"]
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError("version")
    started_at = parse_moment(payload["started_at"], "started_at", required=True)
    closed_at = parse_moment(payload["closed_at"], "closed_at", required=False)
    if closed_at is not None and closed_at < started_at:
        raise ValueError("closed_at")
    declared_by = payload.get("declared_by", "")
    if not isinstance(declared_by, str) or len(declared_by) > 200:
        raise ValueError("declared_by")
    return {"declared_by": declared_by.strip(), "uuid": declaration_uuid, "name": name.strip(), "hazard": payload["hazard"], "municipality_codes": codes,
            "whole_prefecture": payload["whole_prefecture"], "prefecture": prefecture, "phase": payload["phase"],
            "exercise": payload["exercise"], "started_at": started_at, "closed_at": closed_at, "version": version}


def covers(*, municipality_codes, whole_prefecture: bool, prefecture: str, municipality_code: str) -> bool:
    """Whether a declaration covers a center in `municipality_code` (blank: only the whole prefecture)."""
    if whole_prefecture:
        return True if not municipality_code else municipality_code.startswith(prefecture)
    return bool(municipality_code) and municipality_code in municipality_codes


def center_status_uuid(*, center_uuid, declaration_uuid) -> uuid.UUID:
    """One center-status record per center and declaration: its newest version is the current status."""
    return uuid.uuid5(uuid.UUID(str(center_uuid)), f"{CENTER_STATUS_TYPE}:{declaration_uuid}")


# --- needs, offers and commitments (issue 5, records) -------------------------------------------------

NEED_TYPE = wire.DISASTER_NEED
OFFER_TYPE = wire.DISASTER_OFFER
COMMITMENT_KIND = "disaster_commitment"  # hub → the committing node, through the feed
# National hub → the need's prefectural hub → the need's node: what became of a 広域 commitment to it.
DELIVERY_KIND = "disaster_delivery"
DELIVERY_KEYS = frozenset({"commitment", "declaration", "need", "center_name", "status", "delivered", "reached",
                           "reported_at"})
COMMITMENT_REPORT_TYPE = wire.COMMITMENT_REPORT  # the committing node's answer, in its outbox
# A need not reconfirmed within this many hours expires (on the node by a beat task, on the hub when read).
NEED_EXPIRY_HOURS = 24
MAX_LINES = 20
MAX_QUANTITY = 1_000_000
# The prefecture as a 全国地方公共団体コード (JIS X 0402 form with its check digit), for #adm1 in exports.
PREFECTURE_ORG_CODE = "140007"


class Sector(models.TextChoices):
    """OCHA cluster/sector codes, shown in Japanese."""

    SHELTER = "shelter", _("避難所")
    FOOD = "food", _("食料")
    WASH = "wash", _("水・衛生")
    HEALTH = "health", _("保健医療")
    LOGISTICS = "logistics", _("物流")
    PROTECTION = "protection", _("要配慮者支援")
    EARLY_RECOVERY = "early_recovery", _("生活再建")
    EDUCATION = "education", _("教育")
    COORDINATION = "coordination", _("調整")
    VOLUNTEERS = "volunteers", _("ボランティア")


class LineKind(models.TextChoices):
    ITEM = "item", _("物資")
    SERVICE = "service", _("サービス")
    SKILL = "skill", _("技能")


class NeedPriority(models.TextChoices):
    HIGH = "high", _("高")
    MEDIUM = "medium", _("中")
    LOW = "low", _("低")


class NeedStatus(models.TextChoices):
    """open → partly_met → met; expired and withdrawn end an unmet need. Never backwards."""

    OPEN = "open", _("受付中")
    PARTLY_MET = "partly_met", _("一部充足")
    MET = "met", _("充足")
    EXPIRED = "expired", _("期限切れ")
    WITHDRAWN = "withdrawn", _("取り下げ")


NEED_LIVE = (NeedStatus.OPEN, NeedStatus.PARTLY_MET)


def need_may_move(old: str, new: str) -> bool:
    """The forward-only rule of the wire contract (the hub's copy and the database trigger apply it too)."""
    return wire.NEED.may_move(old, new)


class OfferStatus(models.TextChoices):
    OPEN = "open", _("受付中")
    WITHDRAWN = "withdrawn", _("取り下げ")


class CommitmentStatus(models.TextChoices):
    """committed (the hub) → acknowledged → delivered (the committing node reports)."""

    COMMITTED = "committed", _("割り当て済み")
    ACKNOWLEDGED = "acknowledged", _("受諾")
    DELIVERED = "delivered", _("提供済み")


COMMITMENT_ORDER = list(wire.REPORT.statuses)


def commitment_rank(status: str) -> int:
    return COMMITMENT_ORDER.index(status)


def parse_lines(lines) -> list[dict]:
    """Lines of items, services or skills with quantities; ValueError("lines") when malformed."""
    if not isinstance(lines, list) or not 1 <= len(lines) <= MAX_LINES:
        raise ValueError("lines")
    parsed = []
    for line in lines:
        if not isinstance(line, dict) or set(line) != {"kind", "description", "quantity", "unit"}:
            raise ValueError("lines")
        quantity = line["quantity"]
        if (line["kind"] not in LineKind.values or not isinstance(line["description"], str)
                or not line["description"].strip() or len(line["description"]) > 200
                or not isinstance(line["unit"], str) or len(line["unit"]) > 20
                or isinstance(quantity, bool) or not isinstance(quantity, int) or not 0 < quantity <= MAX_QUANTITY):
            raise ValueError("lines")
        parsed.append({"kind": line["kind"], "description": line["description"].strip(), "quantity": quantity,
                       "unit": line["unit"].strip()})
    return parsed


def lines_total(lines) -> int:
    return sum(line["quantity"] for line in lines)


def commitment_report_uuid(commitment_uuid) -> uuid.UUID:
    """The committing node's report on a commitment: one record per commitment, newest version wins."""
    return uuid.uuid5(uuid.UUID(str(commitment_uuid)), COMMITMENT_REPORT_TYPE)


# --- disaster contacts (issue 5, item 5) ---------------------------------------------------------------

# The one entity type that carries personal data off a node: a group's disaster contact, sent only
# while an open declaration covers its center and the group consented (see sync.outbox).
CONTACT_TYPE = wire.DISASTER_CONTACT
CONTACT_KEYS = wire.CONTACT.keys
MAX_CONTACT_GRANT_HOURS = 72


def disaster_contact_uuid(*, group_uuid, declaration_uuid) -> uuid.UUID:
    """One contact per group and declaration."""
    return uuid.uuid5(uuid.UUID(str(group_uuid)), f"{CONTACT_TYPE}:{declaration_uuid}")


# --- emergency surveys (issue 5, item 6) ---------------------------------------------------------------

SURVEY_KIND = "emergency_survey"  # hub → every node, through the feed
SURVEY_COUNTS_TYPE = wire.SURVEY_COUNTS  # each center's aggregated answers, in its outbox
SURVEY_KEYS = frozenset({"uuid", "declaration", "title", "questions", "version", "created_at"})
# Closing a survey (a newer version with `closed_at`) came later: payloads published before carry
# no such key.
SURVEY_OPTIONAL_KEYS = frozenset({"closed_at"})
SURVEY_COUNTS_KEYS = wire.COUNTS.keys
MAX_QUESTIONS = 10
MAX_OPTIONS = 12
MAX_NUMBER_ANSWER = 1_000_000


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("単一選択")
    MULTIPLE = "multiple", _("複数選択")
    NUMBER = "number", _("数値")


_KEY = re.compile(r"[a-z0-9_]{1,20}")


def parse_questions(questions) -> list[dict]:
    """A survey's questions: [{key, text, kind, options: [{key, label}]}] (no options for a number);
    ValueError naming what is wrong. Keys are short ASCII so they travel and index well."""
    if not isinstance(questions, list) or not 1 <= len(questions) <= MAX_QUESTIONS:
        raise ValueError("questions")
    parsed, keys = [], set()
    for question in questions:
        if not isinstance(question, dict) or set(question) != {"key", "text", "kind", "options"}:
            raise ValueError("questions")
        key, text, kind, options = question["key"], question["text"], question["kind"], question["options"]
        if not isinstance(key, str) or not _KEY.fullmatch(key) or key in keys:
            raise ValueError("question_key")
        if not isinstance(text, str) or not text.strip() or len(text) > 200:
            raise ValueError("question_text")
        if kind not in QuestionKind.values:
            raise ValueError("question_kind")
        if kind == QuestionKind.NUMBER:
            if options != []:
                raise ValueError("options")
        elif not isinstance(options, list) or not 2 <= len(options) <= MAX_OPTIONS:
            raise ValueError("options")
        option_keys = set()
        for option in options:
            if (not isinstance(option, dict) or set(option) != {"key", "label"} or not isinstance(option["key"], str)
                    or not _KEY.fullmatch(option["key"]) or option["key"] in option_keys
                    or not isinstance(option["label"], str) or not option["label"].strip()
                    or len(option["label"]) > 100):
                raise ValueError("options")
            option_keys.add(option["key"])
        keys.add(key)
        parsed.append({"key": key, "text": text.strip(), "kind": kind,
                       "options": [{"key": o["key"], "label": o["label"].strip()} for o in options]})
    return parsed


def parse_survey(payload) -> dict:
    """A received survey payload as field values; ValueError naming the first bad field."""
    if not isinstance(payload, dict) or not SURVEY_KEYS <= set(payload) <= SURVEY_KEYS | SURVEY_OPTIONAL_KEYS:
        raise ValueError("keys")
    try:
        survey_uuid = uuid.UUID(str(payload["uuid"]))
        declaration_uuid = uuid.UUID(str(payload["declaration"]))
    except ValueError as error:
        raise ValueError("uuid") from error
    title = payload["title"]
    if not isinstance(title, str) or not title.strip() or len(title) > 200:
        raise ValueError("title")
    version = payload["version"]
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError("version")
    return {"uuid": survey_uuid, "declaration_uuid": declaration_uuid, "title": title.strip(),
            "questions": parse_questions(payload["questions"]), "version": version,
            "created_at": parse_moment(payload["created_at"], "created_at", required=True),
            "closed_at": parse_moment(payload.get("closed_at"), "closed_at", required=False)}


def survey_counts_uuid(*, center_uuid, survey_uuid) -> uuid.UUID:
    """One aggregate per center and survey: its newest version is the center's current tally."""
    return uuid.uuid5(uuid.UUID(str(center_uuid)), f"{SURVEY_COUNTS_TYPE}:{survey_uuid}")


def tally(questions: list[dict], answers: list[dict]) -> dict:
    """Counts of a center's answers: per choice question, groups per option; per number question,
    the sum and how many groups answered it. No group is named."""
    counts: dict = {}
    for question in questions:
        key = question["key"]
        if question["kind"] == QuestionKind.NUMBER:
            given = [a[key] for a in answers if a.get(key) is not None]
            counts[key] = {"sum": sum(given), "answered": len(given)}
        else:
            options = {option["key"]: 0 for option in question["options"]}
            for answer in answers:
                chosen = answer.get(key)
                for option in chosen if isinstance(chosen, list) else [chosen]:
                    if option in options:
                        options[option] += 1
            counts[key] = {"options": options}
    return counts
