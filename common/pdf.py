"""Printable A4 documents in Japanese (the city's menu, the talent guidebook, …) as PDF bytes.

ReportLab's built-in CID fonts (HeiseiKakuGo-W5, HeiseiMin-W3) carry the Japanese glyph set without
a font file on the server, so a node renders PDFs with nothing installed but the Python package. A
document is plain data — a title, then blocks — so callers never touch ReportLab.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

GOTHIC, MINCHO = "HeiseiKakuGo-W5", "HeiseiMin-W3"
for _font in (GOTHIC, MINCHO):
    pdfmetrics.registerFont(UnicodeCIDFont(_font))

_STYLES = {
    "title": ParagraphStyle("title", fontName=GOTHIC, fontSize=18, leading=24, spaceAfter=4 * mm),
    "subtitle": ParagraphStyle("subtitle", fontName=GOTHIC, fontSize=10, leading=14, textColor=colors.grey,
                               spaceAfter=6 * mm),
    "heading": ParagraphStyle("heading", fontName=GOTHIC, fontSize=13, leading=18, spaceBefore=5 * mm,
                              spaceAfter=2 * mm, textColor=colors.HexColor("#1f4e79")),
    "subheading": ParagraphStyle("subheading", fontName=GOTHIC, fontSize=11, leading=15, spaceBefore=2 * mm,
                                 spaceAfter=1 * mm),
    "masthead": ParagraphStyle("masthead", fontName=GOTHIC, fontSize=26, leading=32, textColor=colors.white),
    "masthead_side": ParagraphStyle("masthead_side", fontName=GOTHIC, fontSize=10, leading=14,
                                    textColor=colors.white),
    "masthead_side_right": ParagraphStyle("masthead_side_right", fontName=GOTHIC, fontSize=10, leading=14,
                                          textColor=colors.white, alignment=TA_RIGHT),
    "body": ParagraphStyle("body", fontName=MINCHO, fontSize=10, leading=15, wordWrap="CJK"),
    "cell": ParagraphStyle("cell", fontName=MINCHO, fontSize=9, leading=13, wordWrap="CJK"),
    "head_cell": ParagraphStyle("head_cell", fontName=GOTHIC, fontSize=9, leading=13, wordWrap="CJK"),
}


@dataclass
class Heading:
    text: str


@dataclass
class Subheading:
    text: str


@dataclass
class Text:
    text: str


@dataclass
class Masthead:
    """A newsletter's name on a coloured band, with the issue (left) and the date (right) under it."""

    title: str
    left: str = ""
    right: str = ""


@dataclass
class Rows:
    """A table: a header row and rows of cells; `widths` in millimetres (None: shared equally)."""

    header: list[str]
    rows: list[list[str]]
    widths: list[float] | None = None


@dataclass
class Document:
    title: str
    subtitle: str = ""
    blocks: list[Heading | Subheading | Text | Rows | Masthead] = field(default_factory=list)
    footer: str = ""
    pdf_title: str = ""  # the file's title when the page starts with a masthead instead of `title`


def _paragraph(text: str, style: str) -> Paragraph:
    # Paragraph reads a mini-markup: every text is escaped, and line breaks kept.
    return Paragraph(escape(text or "").replace("\n", "<br/>"), _STYLES[style])


def _table(block: Rows, width: float) -> Table:
    widths = [w * mm for w in block.widths] if block.widths else [width / max(len(block.header), 1)] * len(block.header)
    data = [[_paragraph(cell, "head_cell") for cell in block.header]]
    data += [[_paragraph(str(cell), "cell") for cell in row] for row in block.rows]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return table


def _masthead(block: Masthead, width: float) -> Table:
    side = Table([[_paragraph(block.left, "masthead_side"), _paragraph(block.right, "masthead_side_right")]],
                 colWidths=[width / 2 - 4 * mm] * 2)
    side.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0),
                              ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    band = Table([[_paragraph(block.title, "masthead")], [side]], colWidths=[width])
    band.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#1f4e79")),
        ("LEFTPADDING", (0, 0), (-1, -1), 4 * mm), ("RIGHTPADDING", (0, 0), (-1, -1), 4 * mm),
        ("TOPPADDING", (0, 0), (-1, 0), 4 * mm), ("BOTTOMPADDING", (0, -1), (-1, -1), 3 * mm),
    ]))
    return band


def render(document: Document) -> bytes:
    """The document as an A4 PDF, page numbers and `footer` at the foot of every page."""
    out = io.BytesIO()
    margin = 15 * mm
    template = SimpleDocTemplate(out, pagesize=A4, leftMargin=margin, rightMargin=margin, topMargin=margin,
                                 bottomMargin=margin + 5 * mm, title=document.pdf_title or document.title, author=document.footer)
    width = A4[0] - 2 * margin
    story = [_paragraph(document.title, "title")] if document.title else []
    if document.subtitle:
        story.append(_paragraph(document.subtitle, "subtitle"))
    for block in document.blocks:
        if isinstance(block, Heading):
            story.append(_paragraph(block.text, "heading"))
        elif isinstance(block, Subheading):
            story.append(_paragraph(block.text, "subheading"))
        elif isinstance(block, Masthead):
            story += [_masthead(block, width), Spacer(0, 5 * mm)]
        elif isinstance(block, Text):
            story += [_paragraph(block.text, "body"), Spacer(0, 2 * mm)]
        else:
            story.append(KeepTogether([_table(block, width)]) if len(block.rows) < 8 else _table(block, width))
            story.append(Spacer(0, 3 * mm))

    def foot(canvas, doc):
        canvas.saveState()
        canvas.setFont(GOTHIC, 8)
        canvas.setFillColor(colors.grey)
        canvas.drawString(margin, 10 * mm, document.footer)
        canvas.drawRightString(A4[0] - margin, 10 * mm, f"{doc.page}")
        canvas.restoreState()

    template.build(story, onFirstPage=foot, onLaterPages=foot)
    return out.getvalue()
