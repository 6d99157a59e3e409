"""CSV cells a spreadsheet opens as text, never as a formula: the one writer every CSV export uses.

A cell beginning with = + - @ (or a tab or carriage return, which Excel skips before looking for
them) is a formula to Excel and LibreOffice: a group name 「=HYPERLINK("http://…","詳細")」 planted
at one center would run in a coordinator's spreadsheet. Such a cell is written with a leading
apostrophe, which makes it text (OWASP's advice for CSV injection).

Numbers stay numbers: int, float and Decimal values, and strings that are nothing but a plain
decimal number ("-1500", "3.5"), are written as they are — a negative amount or count is no formula,
and prefixing it would turn it into text that no longer sums. Anything else beginning with a
trigger ("-5+A1", "+81 467…", "-") is prefixed.

The group import (nodes.csvio) reads its own exports back: `restore` takes the apostrophe off again.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from decimal import Decimal

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def cell(value):
    """The value as it should be written to a CSV cell."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    text = str(value)
    if text.startswith(TRIGGERS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def restore(text: str) -> str:
    """The inverse of `cell` for a text read back from one of our exports."""
    if text.startswith("'") and text[1:].startswith(TRIGGERS) and not _PLAIN_NUMBER.fullmatch(text[1:]):
        return text[1:]
    return text


class Writer:
    """csv.writer with every cell passed through `cell`."""

    def __init__(self, out, **kwargs):
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable):
        return self._writer.writerow([cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out, **kwargs) -> Writer:
    return Writer(out, **kwargs)
