"""XLSX workbooks for downloads: every sheet a table of text and numbers, never a formula."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from . import csv_safe

MAX_SHEET_TITLE = 31  # Excel's limit
_BAD_TITLE_CHARS = str.maketrans({c: "・" for c in "[]:*?/\\"})


def _cell(sheet, value, *, bold: bool = False):
    # A text beginning with = is a formula to openpyxl; csv_safe makes it text as it does for CSV.
    cell = WriteOnlyCell(sheet, value=csv_safe.cell(value))
    if isinstance(cell.value, str):
        cell.data_type = "s"
    if bold:
        cell.font = Font(bold=True)
    return cell


def workbook(sheets: list[tuple[str, list[list]]]) -> bytes:
    """[(sheet title, rows)] → the .xlsx file; the first row of each sheet is its header (bold)."""
    book = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = book.create_sheet(title=title.translate(_BAD_TITLE_CHARS)[:MAX_SHEET_TITLE])
        for index, row in enumerate(rows):
            sheet.append([_cell(sheet, value, bold=index == 0) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
