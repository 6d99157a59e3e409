"""The disaster wire contract (みんかな) shared by hub and nodes: vocabulary, the declaration feed payload and coverage.

The hub writes declarations (feed kind `disaster_declaration`, to every node); each node decides
from the payload alone whether one of its centers is covered. Nodes answer with their own records
(entity type `center_status`), never by editing the declaration.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

from django.db import models
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from config.japanese import municipality_code_is_valid

FEED_KIND = "disaster_declaration"
CENTER_STATUS_TYPE = "center_status"
# The prefecture this federation's hub serves (神奈川県 = 14): "whole prefecture" covers every
# municipality whose 全国地方公共団体コード starts with it.
PREFECTURE_CODE = "14"
MAX_MUNICIPALITIES = 200
MAX_NOTE = 500


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
        "prefecture": PREFECTURE_CODE, "phase": declaration.phase, "exercise": declaration.exercise,
        "started_at": declaration.started_at.isoformat(),
        "closed_at": declaration.closed_at.isoformat() if declaration.closed_at else None,
        "version": declaration.version,
    }


PAYLOAD_KEYS = frozenset({"uuid", "name", "hazard", "municipalities", "whole_prefecture", "prefecture", "phase",
                          "exercise", "started_at", "closed_at", "version"})


def _moment(value, name: str, *, required: bool) -> dt.datetime | None:
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
    started_at = _moment(payload["started_at"], "started_at", required=True)
    closed_at = _moment(payload["closed_at"], "closed_at", required=False)
    if closed_at is not None and closed_at < started_at:
        raise ValueError("closed_at")
    return {"uuid": declaration_uuid, "name": name.strip(), "hazard": payload["hazard"], "municipality_codes": codes,
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
