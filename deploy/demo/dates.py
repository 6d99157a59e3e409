"""Dates in the demo's data files: absolute ones, and ones relative to the day the demo is seeded.

Pure Python (no Django), so the syntax can be read and tested alone. A relative value is parsed
once into an object with `resolve(clock)`; the seeder resolves them all with one clock, so every
record of a run agrees on what "today" is.

    2009-11-14                               a date
    2009-11-14 13:30                         a date and time (Asia/Tokyo)
    {from_today: -10, at: "10:00"}           ten days ago at 10:00 (a date: without `at`)
    {nth: 2, weekday: sunday, month: 2014-08, at: "11:00"}
                                             the second Sunday of August 2014
    {nth: 3, weekday: saturday, month: next, at: "13:00"}
                                             the first third Saturday after today
    {nth: 2, weekday: sunday, month: {upcoming: 12}, at: "11:00"}
                                             in this year's December, or next year's once December has begun
    {from_now: {days: 1, hours: -2}}         a moment relative to now (a study tour running today)
    fiscal years: 2014, or {from_current: 1} (the 年度 after the current one)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from common.japanese import fiscal_year_of

TOKYO = ZoneInfo("Asia/Tokyo")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MOMENT = re.compile(r"(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2})")
_CLOCK_TIME = re.compile(r"\d{2}:\d{2}")
_MONTH = re.compile(r"(\d{4})-(\d{2})")


class DateSyntaxError(ValueError):
    """A date written in none of the forms above; the message says what was expected."""


@dataclass(frozen=True)
class Clock:
    """The seeding run's "now" (aware) and "today" (in the site's time zone)."""

    now: dt.datetime
    today: dt.date


def nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    """The n-th given weekday of a month (weekday: Monday 0 … Sunday 6)."""
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _time_of(value: object) -> dt.time:
    if not isinstance(value, str) or not _CLOCK_TIME.fullmatch(value):
        raise DateSyntaxError(f"`at` must be a time of day in quotes, like \"13:30\" (got {value!r})")
    try:
        return dt.time.fromisoformat(value)
    except ValueError as error:
        raise DateSyntaxError(f"`at`: {value!r} is not a time of day") from error


def _combine(day: dt.date, at: dt.time | None) -> dt.date | dt.datetime:
    return day if at is None else dt.datetime.combine(day, at, tzinfo=TOKYO)


@dataclass(frozen=True)
class FromToday:
    days: int
    at: dt.time | None

    def resolve(self, clock: Clock) -> dt.date | dt.datetime:
        # Upcoming events and renewals that fall due stay upcoming whenever the demo is started.
        return _combine(clock.today + dt.timedelta(days=self.days), self.at)


@dataclass(frozen=True)
class NthWeekday:
    n: int
    weekday: int
    # (year, month); "next": the first such day after today; ("upcoming", month): that month of
    # this year, or of next year once the month has begun.
    month: tuple[int, int] | str | tuple[str, int]
    at: dt.time | None

    def day(self, today: dt.date) -> dt.date:
        if self.month == "next":
            year, month = today.year, today.month
            while (found := nth_weekday(year, month, self.weekday, self.n)) <= today:
                year, month = (year + 1, 1) if month == 12 else (year, month + 1)
            return found
        if self.month[0] == "upcoming":
            month = self.month[1]
            year = today.year if dt.date(today.year, month, 1) > today else today.year + 1
            return nth_weekday(year, month, self.weekday, self.n)
        return nth_weekday(*self.month, self.weekday, self.n)

    def resolve(self, clock: Clock) -> dt.date | dt.datetime:
        return _combine(self.day(clock.today), self.at)


@dataclass(frozen=True)
class FromNow:
    delta: dt.timedelta

    def resolve(self, clock: Clock) -> dt.datetime:
        return clock.now + self.delta


@dataclass(frozen=True)
class FiscalYearFromCurrent:
    years: int

    def resolve(self, clock: Clock) -> int:
        return fiscal_year_of(clock.today) + self.years


def _integer(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise DateSyntaxError(f"{what} must be a whole number (got {value!r})")
    return value


def _keys(value: Mapping, allowed: set[str], required: set[str], form: str) -> None:
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise DateSyntaxError(f"{form}: unknown key {', '.join(unknown)} (allowed: {', '.join(sorted(allowed))})")
    missing = sorted(required - set(value))
    if missing:
        raise DateSyntaxError(f"{form}: missing {', '.join(missing)}")


def _month(value: object) -> tuple[int, int] | str | tuple[str, int]:
    if value == "next":
        return "next"
    if isinstance(value, Mapping):
        _keys(value, {"upcoming"}, {"upcoming"}, "month")
        month = _integer(value["upcoming"], "month: upcoming")
        if not 1 <= month <= 12:
            raise DateSyntaxError(f"month: upcoming must be 1–12 (got {month})")
        return ("upcoming", month)
    found = _MONTH.fullmatch(value) if isinstance(value, str) else None
    if not found or not 1 <= int(found[2]) <= 12:
        raise DateSyntaxError(f"month must be like 2014-08, `next` or {{upcoming: 12}} (got {value!r})")
    return (int(found[1]), int(found[2]))


def _relative(value: Mapping, *, with_time: bool) -> FromToday | NthWeekday | FromNow:
    at_key = {"at"} if with_time else set()
    if "from_today" in value:
        _keys(value, {"from_today", *at_key}, {"from_today", *at_key}, "from_today")
        at = _time_of(value["at"]) if with_time else None
        return FromToday(_integer(value["from_today"], "from_today"), at)
    if "nth" in value:
        _keys(value, {"nth", "weekday", "month", *at_key}, {"nth", "weekday", "month", *at_key}, "nth")
        n = _integer(value["nth"], "nth")
        if not 1 <= n <= 4:
            raise DateSyntaxError(f"nth must be 1–4 (got {n}); not every month has a fifth weekday")
        if value["weekday"] not in WEEKDAYS:
            raise DateSyntaxError(f"weekday must be one of {', '.join(WEEKDAYS)} (got {value['weekday']!r})")
        at = _time_of(value["at"]) if with_time else None
        return NthWeekday(n, WEEKDAYS.index(value["weekday"]), _month(value["month"]), at)
    if "from_now" in value and with_time:
        _keys(value, {"from_now"}, {"from_now"}, "from_now")
        offset = value["from_now"]
        if not isinstance(offset, Mapping) or not offset:
            raise DateSyntaxError("from_now must map days, hours or minutes to numbers, like {hours: -2}")
        _keys(offset, {"days", "hours", "minutes"}, set(), "from_now")
        return FromNow(dt.timedelta(**{unit: _integer(n, f"from_now: {unit}") for unit, n in offset.items()}))
    forms = "from_today, nth" + (" or from_now" if with_time else "")
    raise DateSyntaxError(f"a relative date needs one of {forms} (got keys {', '.join(map(str, value))})")


def parse_date(value: object) -> dt.date | FromToday | NthWeekday:
    """`2016-05-10`, or a relative date without a time."""
    if isinstance(value, Mapping):
        return _relative(value, with_time=False)
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError as error:
            raise DateSyntaxError(f"{value!r} is not a date") from error
    raise DateSyntaxError(f"expected a date like 2016-05-10 or {{from_today: 14}} (got {value!r})")


def parse_moment(value: object) -> dt.datetime | FromToday | NthWeekday | FromNow:
    """`2009-11-14 13:30` (Tokyo time), or a relative date with `at`."""
    if isinstance(value, Mapping):
        return _relative(value, with_time=True)
    found = _MOMENT.fullmatch(value) if isinstance(value, str) else None
    if not found:
        raise DateSyntaxError(f"expected a date and time like \"2009-11-14 13:30\" or "
                              f"{{from_today: 14, at: \"14:00\"}} (got {value!r})")
    try:
        day = dt.date.fromisoformat(found[1])
    except ValueError as error:
        raise DateSyntaxError(f"{found[1]!r} is not a date") from error
    return dt.datetime.combine(day, _time_of(found[2]), tzinfo=TOKYO)


def parse_fiscal_year(value: object) -> int | FiscalYearFromCurrent:
    """A 年度 as a year (2014), or {from_current: n}."""
    if isinstance(value, Mapping):
        _keys(value, {"from_current"}, {"from_current"}, "fiscal year")
        return FiscalYearFromCurrent(_integer(value["from_current"], "from_current"))
    year = _integer(value, "a fiscal year")
    if not 1950 <= year <= 2100:
        raise DateSyntaxError(f"a fiscal year is written in full, like 2014 (got {year})")
    return year


def spread_over_weekdays(first: dt.date, last: dt.date, count: int, times: tuple[str, ...] = ("10:00", "14:00")) -> list[dt.datetime]:
    """`count` moments on the weekdays from `first` to `last`, evenly spread, the times of day taken
    in turn (the 意見交換会 of a 協働推進事業 call: one per group and department, in August–September)."""
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    weekdays = [day for day in days if day.weekday() < 5]
    if count <= 0 or not weekdays:
        return []
    step = len(weekdays) / count
    return [dt.datetime.combine(weekdays[int(index * step)], dt.time.fromisoformat(times[index % len(times)]),
                                tzinfo=TOKYO) for index in range(count)]
