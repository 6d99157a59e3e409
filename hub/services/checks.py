"""Checks of the values in what a node sends: each returns the value as the hub keeps it, or raises
ValueError naming the field (the receiver refuses the entry with that name, never with the value:
a value may be personal data and must not reach a log)."""

from __future__ import annotations

import datetime as dt
import uuid as uuid_module

from django.utils import timezone

from common.japanese import municipality_code_is_valid
from sync import disaster
from sync.wire.cases import MAX_FIELDS
from sync.wire.disaster import CLOCK_SKEW_MINUTES


def text(payload: dict, name: str, limit: int, *, required: bool = False) -> str:
    """A text of at most `limit` characters; missing or null reads as empty, `required` as not blank."""
    value = payload.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str) or len(value) > limit or (required and not value.strip()):
        raise ValueError(name)
    return value


def codes(payload: dict) -> list[int]:
    """The payload's activity field codes ("fields"), sorted and unique."""
    found = payload.get("fields", [])
    if not isinstance(found, list) or not all(isinstance(c, int) and 1 <= c <= MAX_FIELDS for c in found):
        raise ValueError("fields")
    return sorted(set(found))


def moment(payload: dict, name: str, *, required: bool) -> dt.datetime | None:
    """An ISO 8601 time with its time zone."""
    return disaster.parse_moment(payload.get(name), name, required=required)


def past(payload: dict, name: str) -> dt.datetime:
    """A time that has come (give or take the clocks' drift)."""
    value = moment(payload, name, required=True)
    if value > timezone.now() + dt.timedelta(minutes=CLOCK_SKEW_MINUTES):
        raise ValueError(name)  # a confirmation from the future would keep a need alive forever
    return value


def date(payload: dict, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(payload[name])
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(name) from error


def integer(value, name: str, *, low: int, high: int, nullable: bool = False) -> int | None:
    if value is None and nullable:
        return None
    # bool is an int in Python; true is not a year or an amount.
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(name)
    return value


def choice(value, name: str, allowed) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(name)
    return value


def field_codes(value, name: str) -> list[int]:
    """Activity field codes given as a list of at most MAX_FIELDS, sorted and unique."""
    if not isinstance(value, list) or len(value) > MAX_FIELDS:
        raise ValueError(name)
    return sorted({integer(code, name, low=1, high=MAX_FIELDS) for code in value})


def uuid(value, name: str) -> uuid_module.UUID:
    if not isinstance(value, str):
        raise ValueError(name)
    try:
        return uuid_module.UUID(value)
    except ValueError as error:
        raise ValueError(name) from error


def list_of(value, name: str, keys: frozenset, limit: int) -> list[dict]:
    """At most `limit` objects, each with exactly `keys`."""
    if not isinstance(value, list) or len(value) > limit or not all(
            isinstance(item, dict) and set(item) == keys for item in value):
        raise ValueError(name)
    return value


def municipality(payload: dict, name: str = "municipality_code") -> str:
    """A check-digit-valid 全国地方公共団体コード of this hub's prefecture."""
    code = payload.get(name)
    if not isinstance(code, str) or not municipality_code_is_valid(code) or not disaster.in_area(code):
        raise ValueError(name)
    return code
