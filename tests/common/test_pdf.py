"""common.pdf: Japanese A4 documents whose text can be read back, markup in the data taken literally."""

from __future__ import annotations

import io

from pypdf import PdfReader

from common.pdf import Document, Heading, Rows, Text, render


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_a_document_renders_its_japanese_text_tables_and_footer_on_a4():
    pdf = render(Document(title="協働メニュー 2026年度", subtitle="市でできること・できないこと", footer="茅ヶ崎市",
                          blocks=[Heading("市民自治推進課"), Text("<b>太字</b>にならない & 記号"),
                                  Rows(["項目", "条件"], [["会議室の貸出", "平日のみ"]])]))
    reader = PdfReader(io.BytesIO(pdf))
    assert [round(float(v)) for v in reader.pages[0].mediabox[2:]] == [595, 842]  # A4 in points
    text = _text(pdf)
    for expected in ("協働メニュー 2026年度", "市民自治推進課", "<b>太字</b>にならない & 記号", "会議室の貸出", "平日のみ", "茅ヶ崎市"):
        assert expected in text


def test_long_tables_run_over_pages_with_page_numbers():
    rows = [[f"項目{n}", "説明" * 20] for n in range(120)]
    pdf = render(Document(title="一覧", blocks=[Rows(["名前", "説明"], rows, widths=[40, 140])]))
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) > 2
    assert "項目119" in _text(pdf)
