"""Japanese text, calendar and identifier helpers shared by hub and node (no Django models here)."""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata

# --- search normalization -------------------------------------------------------------------

_KATA_TO_HIRA = {code: code - 0x60 for code in range(ord("ァ"), ord("ヶ") + 1)}
_DASHES = re.compile("[\u2010-\u2015\u2212\u30fc\uff0d\uff70\u2500\u2501\u02d7\u207b\u208b\ufe63]")
_SPACES = re.compile(r"\s+")


def normalize_dashes(text: str) -> str:
    """Map every dash look-alike (ー, －, ―, −, ｰ …) to one hyphen-minus."""
    return _DASHES.sub("-", text)


def normalize_for_search(text: str | None) -> str:
    """The key search compares on: ﾈｺ, ねこ and ネコ all become ねこ; ＡＢＣ becomes abc.

    NFKC folds half-width kana and full-width ASCII, katakana are mapped to hiragana, case is
    folded and runs of spaces collapse, so queries and stored text meet on the same form.
    """
    if not text:
        return ""
    # Short values repeat (areas, kinds, names seen again in a re-sent record): computed once each.
    return _normalize_short(text) if len(text) <= 200 else _normalize(text)


def _normalize(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).translate(_KATA_TO_HIRA).casefold()
    return _SPACES.sub(" ", folded).strip()


_normalize_short = functools.lru_cache(maxsize=8192)(_normalize)


def search_key(*parts: str | None) -> str:
    """One normalized string over several fields, for a single indexed search column."""
    return " ".join(p for p in (normalize_for_search(part) for part in parts) if p)


_KATAKANA_READING = re.compile(r"^[\u30a1-\u30f6\u30fc\u30fb\u3000 ・ー（）()]+$")


def to_katakana_reading(text: str) -> str:
    """Normalize a フリガナ as staff type it (half-width, hiragana) to full-width katakana."""
    folded = unicodedata.normalize("NFKC", text or "").strip()
    return "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in folded)


def is_katakana_reading(text: str) -> bool:
    return bool(_KATAKANA_READING.match(text))


# --- 和暦 and 年度 -----------------------------------------------------------------------------

ERAS = (  # (start date, name)
    (dt.date(2019, 5, 1), "令和"),
    (dt.date(1989, 1, 8), "平成"),
    (dt.date(1926, 12, 25), "昭和"),
    (dt.date(1912, 7, 30), "大正"),
    (dt.date(1868, 10, 23), "明治"),
)


def _era_year(day: dt.date) -> tuple[str, int]:
    for start, name in ERAS:
        if day >= start:
            return name, day.year - start.year + 1
    raise ValueError(f"{day} is before 明治")


def _era_number(year: int) -> str:
    return "元" if year == 1 else str(year)


def wareki_date(day: dt.date) -> str:
    """2021-07-26 → 令和3年7月26日."""
    era, year = _era_year(day)
    return f"{era}{_era_number(year)}年{day.month}月{day.day}日"


def fiscal_year_of(day: dt.date) -> int:
    """The 年度 (April to March) a date falls in: 2021-03-31 → 2020."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_bounds(fiscal_year: int) -> tuple[dt.date, dt.date]:
    return dt.date(fiscal_year, 4, 1), dt.date(fiscal_year + 1, 3, 31)


def wareki_fiscal_year(fiscal_year: int) -> str:
    """2019 → 令和元年度, 1988 → 昭和63年度.

    A 年度 takes the era in force for most of it (1 October): FY2019 is 令和元年度 although
    it began under 平成, and FY1988 stays 昭和63年度 although 平成 began in its January.
    """
    era, year = _era_year(dt.date(fiscal_year, 10, 1))
    return f"{era}{_era_number(year)}年度"


_ERA_LETTERS = {"令和": "R", "平成": "H", "昭和": "S", "大正": "T", "明治": "M"}


def wareki_fiscal_year_short(fiscal_year: int) -> str:
    """2015 → H27, 2019 → R1: the labels tables in city papers use (seed 001)."""
    era, year = _era_year(dt.date(fiscal_year, 10, 1))
    return f"{_ERA_LETTERS[era]}{year}"


_FISCAL_YEAR = re.compile(r"^(?:(令和|平成|昭和|R|H|S)\s*(元|\d{1,2})|(\d{4}))\s*(?:年度?)?$", re.IGNORECASE)


def parse_fiscal_year(text: str) -> int:
    """A 年度 as people write it: 2015, 2015年度, H27, 平成27年度, R元, 令和元年度 → 西暦.

    Raises ValueError for anything else (a 和暦 year beyond its era's end included)."""
    value = unicodedata.normalize("NFKC", text).strip().replace(" ", "")
    match = _FISCAL_YEAR.match(value)
    if not match:
        raise ValueError(text)
    era, number, western = match.groups()
    if western:
        return int(western)
    era = {"R": "令和", "H": "平成", "S": "昭和"}.get(era.upper(), era)
    year = 1 if number == "元" else int(number)
    index = next(i for i, (_start, name) in enumerate(ERAS) if name == era)
    fiscal_year = ERAS[index][0].year + year - 1
    # 平成31年度 is how many wrote FY2019 (it began under 平成); 平成32年度 never existed.
    if year < 1 or (index > 0 and fiscal_year > ERAS[index - 1][0].year):
        raise ValueError(text)
    return fiscal_year


def fiscal_year_label(fiscal_year: int) -> str:
    """2020 → 2020年度（令和2年度）."""
    return f"{fiscal_year}年度（{wareki_fiscal_year(fiscal_year)}）"


def date_label(day: dt.date) -> str:
    """2021-07-26 → 2021年7月26日（令和3年7月26日）."""
    return f"{day.year}年{day.month}月{day.day}日（{wareki_date(day)}）"


# --- identifiers -------------------------------------------------------------------------------


def municipality_code_is_valid(code: str) -> bool:
    """全国地方公共団体コード: 5 digits and a check digit (横浜市 141003, 小田原市 142069)."""
    if not re.fullmatch(r"\d{6}", code or ""):
        return False
    total = sum(int(d) * w for d, w in zip(code[:5], (6, 5, 4, 3, 2), strict=True))
    return (11 - total % 11) % 10 == int(code[5])


def corporate_number_is_valid(number: str) -> bool:
    """法人番号: 13 digits whose leading digit checks the other twelve."""
    if not re.fullmatch(r"\d{13}", number or ""):
        return False
    base = number[1:]
    total = sum(int(d) * (2 if i % 2 == 0 else 1) for i, d in enumerate(reversed(base), start=1))
    return 9 - total % 9 == int(number[0])


def phone_digits(text: str) -> str:
    """Digits of a phone number as written anywhere (０４６７-８２-…, +81 46 …) → 0467…"""
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", text or ""))
    if digits.startswith("81") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    return digits
