"""Historical import of collaboration cases (CSV and XLSX, one row per case or per case-year, all or
nothing) and of yearly counts by form (seed 001's table), with their templates and who may use them."""

from __future__ import annotations

import csv
import io
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from openpyxl import Workbook, load_workbook

from nodes import case_import, history_import, models as m, services, tabular
from permissions.models import AuditEvent, Organization

HEADER = ["事業名", "形態", "年度", "開始年度", "終了年度", "事業費", "市負担額", "予算（市民自治推進課/担当課）",
          "担当課", "実施団体", "活動分野", "概要", "継続状況"]
ARTS = "NPO法人赤ちゃんからのアートフレンドシップ協会"
MIRUKKO = ["美術「みるっこ」プログラム事業（取込）", "市民提案型", "H28", "", "", "1,187,000", "1,187,000円", "市民自治推進課",
           "文化生涯学習課", ARTS, "6、13", "鑑賞出張講座", ""]
SEED_TABLE = [
    ["協働の形態", "H24", "平成25年度", "H26", "2015", "2016年度", "H29", "平成30年度", "R1"],
    ["共催", "22", "45", "65", "71", "65", "61", "67", "62"],
    ["実行委員会", "3", "16", "18", "21", "22", "24", "24", "23"],
    ["事業協力", "79", "70", "88", "117", "123", "133", "159", "155"],
    ["指定管理者", "11", "9", "14", "14", "24", "23", "23", "22"],
    ["委託（協働委託）", "47", "75", "68", "69", "70", "63", "50", "52"],
    ["協働推進事業数", "2", "4", "9", "5", "6", "7", "12", "7"],
]


def _csv(rows: list[list], *, header=HEADER) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
    return out.getvalue()


def _import(world, raw: bytes | str, *, commit=True, user=None, center=None):
    raw = raw.encode() if isinstance(raw, str) else raw
    return case_import.import_cases(acting_user=user or world.staff_a, center=center or world.a, raw=raw, commit=commit)


def _rejected(world, raw, **kwargs) -> set[tuple[int, str, str]]:
    with pytest.raises(tabular.ImportRejected) as rejected:
        _import(world, raw, **kwargs)
    return {(e.line, e.column, e.code) for e in rejected.value.result.errors}


def _xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_case_year_rows_are_one_case_with_a_budget_line_per_year(world):
    second = [*MIRUKKO[:2], "平成29年度", "", "", "1,180,000", "１，１８０，０００", "市民自治推進課", "文化生涯学習課", ARTS, "",
              "", "終了"]
    result = _import(world, _csv([MIRUKKO, second]))
    assert (result.created, result.year_lines, result.new_departments, result.new_groups) == (1, 2, [], [])
    case = m.CollaborationCase.objects.get(title=MIRUKKO[0])
    assert (case.fiscal_year_start, case.fiscal_year_end, case.form) == (2016, 2017, m.CollaborationForm.KYODO_SUISHIN_SHIMIN)
    assert (case.total_cost, case.city_share) == (2_367_000, 2_367_000)
    assert [(y.fiscal_year, y.total_cost, y.city_share, y.budget_source) for y in case.years.all()] == [
        (2016, 1_187_000, 1_187_000, "programme"), (2017, 1_180_000, 1_180_000, "programme")]
    assert case.responsible_department == world.other_department and case.years.first().responsible_department == world.other_department
    assert [(p.organization, p.role) for p in case.party_roles.all()] == [(world.group_a2.organization, "lead")]
    assert sorted(f.code for f in case.activity_fields.all()) == [6, 13]
    assert (case.summary, case.outcome, case.sharing_level) == ("鑑賞出張講座", "ended", "private")
    assert AuditEvent.objects.filter(action="collaborationcase.create", target_uuid=case.uuid).exists()


@pytest.mark.parametrize("cells, span", [
    (["H26", "", ""], (2014, 2014)),
    (["平成26年度", "", ""], (2014, 2014)),
    (["2014", "", ""], (2014, 2014)),
    (["２０１４年度", "", ""], (2014, 2014)),
    (["R元", "", ""], (2019, 2019)),
    (["令和元年度", "", ""], (2019, 2019)),
    (["", "H30", "令和2年度"], (2018, 2020)),
    (["", "2012", "2013年度"], (2012, 2013)),
    (["", "H27", ""], (2015, None)),
])
def test_years_in_wareki_or_seireki(world, cells, span):
    row = ["海岸清掃", "共催", *cells, "", "", "", "", "", "", "海岸のごみ拾い", ""]
    _import(world, _csv([row]))
    case = m.CollaborationCase.objects.get(title="海岸清掃")
    assert (case.fiscal_year_start, case.fiscal_year_end) == span
    assert case.years.count() == (1 if span[0] == span[1] else 0)


@pytest.mark.parametrize("name, form", [
    ("委託", "itaku"), ("委託（協働委託）", "itaku"), ("協働委託", "itaku"), ("委託(協働委託)", "itaku"),
    ("指定管理", "shitei_kanri"), ("指定管理者", "shitei_kanri"), ("共催", "kyosai"), ("後援", "koen"), ("補助", "hojo"),
    ("実行委員会", "jikko_iinkai"), ("事業協力", "jigyo_kyoryoku"), ("企業との連携", "corporate"), ("その他", "other"),
    ("協働推進事業", "kyodo_suishin"), ("協働推進事業数", "kyodo_suishin"),
    ("行政提案型", "kyodo_suishin_gyosei"), ("行政提案型協働推進事業", "kyodo_suishin_gyosei"),
    ("協働推進事業（行政提案型）", "kyodo_suishin_gyosei"), ("協働推進事業（市民提案型）", "kyodo_suishin_shimin"),
    ("市民提案型", "kyodo_suishin_shimin"), ("ｷｮｳｻｲ", None), ("協働推進事業（その他型）", None), ("寄附", None),
])
def test_forms_by_their_japanese_names(name, form):
    if form is None:
        with pytest.raises(tabular.CellError):
            tabular.collaboration_form(name)
    else:
        assert tabular.collaboration_form(name) == form


def test_forms_by_name_in_a_file(world):
    rows = [[f"事業{i}", name, "H30", *[""] * 8, "概要", ""] for i, name in enumerate(["委託", "指定管理", "協働推進事業", "行政提案型"])]
    _import(world, _csv(rows))
    assert dict(m.CollaborationCase.objects.filter(title__startswith="事業").values_list("title", "form")) == {
        "事業0": "itaku", "事業1": "shitei_kanri", "事業2": "kyodo_suishin", "事業3": "kyodo_suishin_gyosei"}


def test_japanese_values_are_read_whatever_the_site_language(world):
    row = ["英語画面からの取込", "委託（協働委託）", "H30", "", "", "100", "100", "担当課の予算", "", "", "", "概要", "予算縮小"]
    with translation.override("en"):
        _import(world, _csv([row]))
    case = m.CollaborationCase.objects.get(title="英語画面からの取込")
    assert (case.form, case.outcome, case.years.get().budget_source) == ("itaku", "budget_reduced", "department")


def test_cp932_file_from_excel(world):
    raw = _csv([MIRUKKO, ["飼い主のいない猫の不妊去勢手術", "行政提案型", "", "H26", "H26", "1,732,180", "1,694,000", "",
                          "環境保全課", "Chigasaki Cat’s Protect", "環境保全", "TNR", "継続"]]).encode("cp932")
    result = _import(world, raw)
    assert (result.encoding, result.created, result.new_groups) == ("cp932", 2, [])
    cat = m.CollaborationCase.objects.get(title="飼い主のいない猫の不妊去勢手術")
    assert cat.party_roles.get().organization == world.group_a.organization  # ’ and ' are one name
    assert (cat.total_cost, cat.city_share, cat.outcome, cat.responsible_department) == (1_732_180, 1_694_000, "continued", world.department)


def test_utf8_with_bom(world):
    result = _import(world, "\ufeff" + _csv([MIRUKKO]))
    assert (result.encoding, result.created) == ("utf-8-sig", 1)
    assert m.CollaborationCase.objects.filter(title=MIRUKKO[0]).exists()


def test_xlsx_file_with_numbers_as_numbers(world):
    raw = _xlsx([HEADER, ["みるっこ（Excel）", "市民提案型", 2016, None, None, 1187000, 1187000, "市民自治推進課", "文化生涯学習課",
                          ARTS, "学術・文化・芸術・スポーツ", "鑑賞出張講座", None],
                 [], ["みるっこ（Excel）", "市民提案型", "H29", None, None, 1180000.0, "1,180,000", "担当課", "新設の文化課", ARTS,
                      None, None, None]])
    result = _import(world, raw)
    assert (result.encoding, result.created, result.year_lines, result.new_departments) == ("xlsx", 1, 2, ["新設の文化課"])
    case = m.CollaborationCase.objects.get(title="みるっこ（Excel）")
    assert (case.total_cost, case.fiscal_year_start, case.fiscal_year_end) == (2_367_000, 2016, 2017)
    assert [y.budget_source for y in case.years.all()] == ["programme", "department"]
    new = Organization.objects.get(name="新設の文化課")
    assert (new.kind, new.center, case.responsible_department) == ("city_department", world.a, new)  # the latest year's


def test_xlsx_errors_name_the_spreadsheet_row(world):
    raw = _xlsx([HEADER, ["事業A", "共催", "H30", None, None, None, None, None, None, None, None, "概要", None], [], [],
                 ["事業B", "共済", "H30", None, None, None, None, None, None, None, None, "概要", None]])
    assert _rejected(world, raw) == {(5, "形態", "invalid_value")}
    assert not m.CollaborationCase.objects.filter(title="事業A").exists()


def test_unknown_groups_and_departments_are_created_in_the_center_and_listed(world):
    row = ["子育てサロン", "事業協力", "R2", "", "", "", "", "", "子育て支援課", "ひだまりの会", "", "親子の居場所", ""]
    preview = _import(world, _csv([row]), commit=False)
    assert (preview.new_departments, preview.new_groups, preview.created) == (["子育て支援課"], ["ひだまりの会"], 0)
    assert not Organization.objects.filter(name__in=["子育て支援課", "ひだまりの会"]).exists()
    _import(world, _csv([row]))
    department, group = Organization.objects.get(name="子育て支援課"), Organization.objects.get(name="ひだまりの会")
    assert (department.kind, department.center, group.kind, group.center) == ("city_department", world.a, "citizen_group", world.a)
    assert not hasattr(group, "registration")


def test_one_bad_row_refuses_the_file(world):
    def row(i):
        return [f"事業{i:04}", "共催", "H30", "", "", "100,000", "50,000", "", "環境保全課", f"団体{i % 40}", "", "概要", ""]

    rows = [row(i) for i in range(1, 1500)]
    rows[1497][1] = "共済"  # row 1,499 of the spreadsheet: an unknown form
    rows[9][6] = "150,000"  # row 11: the city paid more than the whole cost
    before = m.CollaborationCase.objects.count(), Organization.objects.count(), AuditEvent.objects.count()
    errors = _rejected(world, _csv(rows))
    assert errors == {(1499, "形態", "invalid_value"), (11, "市負担額", "city_share_exceeds_total")}
    assert (m.CollaborationCase.objects.count(), Organization.objects.count(), AuditEvent.objects.count()) == before


def test_rows_that_do_not_make_a_case(world):
    rows = [
        ["事業A", "共催", "H30", "", "", "", "", "", "", "会A", "", "概要", ""],
        ["事業A", "共催", "2018", "", "", "", "", "", "", "会A", "", "概要", ""],  # the same 年度 twice
        ["事業A", "共催", "H31", "", "", "", "", "", "", "会A", "", "別の概要", ""],  # the case's 概要 differs
        ["事業B", "", "", "", "", "", "", "", "", "", "", "", ""],  # no form, no 年度, no 概要
        ["事業C", "共催", "", "H24", "H26", "", "", "担当課", "", "", "", "概要", ""],  # a budget for three years
        ["事業D", "共催", "H24", "", "", "", "5", "", "", "", "", "概要", ""],  # 市負担額 without 事業額
        ["事業E", "共催", "H99", "", "", "1.5万", "", "", "", "", "", "概要", ""],
        ["事業F", "共催", "", "H26", "H24", "", "", "", "", "", "", "概要", ""],  # ends before it starts
        ["事業G", "共催", "H30", "", "", "", "", "", "", "", "", "", ""],  # the service requires 概要
    ]
    assert _rejected(world, _csv(rows)) == {
        (3, "年度", "duplicate_year"), (4, "概要", "conflict"), (5, "形態", "required"), (5, "年度", "required"),
        (6, "予算（市民自治推進課/担当課）", "per_year_only"), (7, "事業費", "required"), (8, "年度", "invalid_value"),
        (8, "事業費", "invalid_value"), (9, "終了年度", "years_reversed"), (10, "概要", "blank"),
    }


@pytest.mark.parametrize("raw, code", [
    (b"\xff\xfe\x00\x00garbage\x81", "encoding"),
    ("名前,電話\n山田,000\n".encode(), "missing_column"),
    ("事業名,形態,年度\n".encode(), "empty"),
    (b"PK\x03\x04 not really a workbook", "unreadable"),
    (b"x" * (5 * 1024 * 1024 + 1), "too_large"),
])
def test_unreadable_files_are_refused_with_a_code(world, raw, code):
    with pytest.raises(tabular.ImportRejected) as rejected:
        _import(world, raw)
    assert rejected.value.result.errors[0].code == code


def test_too_many_rows(world):
    rows = [["事業", "共催", "H30"]] * (tabular.MAX_IMPORT_ROWS + 1)
    errors = _rejected(world, _csv(rows, header=["事業名", "形態", "年度"]))
    assert errors == {(tabular.MAX_IMPORT_ROWS + 2, "", "too_many_rows")}


def test_two_thousand_rows_import(world):
    rows = [[f"過去の事業{i:04}", ["共催", "事業協力", "委託", "実行委員会"][i % 4], f"H{24 + i % 8}", "", "",
             f"{100_000 + i:,}", f"{50_000 + i:,}円", ["担当課", "市民自治推進課"][i % 2], f"課{i % 30}", f"団体{i % 300}",
             str(1 + i % 20), f"事業{i}の概要", "終了"] for i in range(2000)]
    raw = _csv(rows).encode("cp932")
    started, cpu = time.perf_counter(), time.process_time()
    result = _import(world, raw)
    # Wall time counts what else the machine runs; the CPU time of this process does not (PostgreSQL's is apart).
    print(f"\n2,000-row case import: {time.perf_counter() - started:.2f} s ({time.process_time() - cpu:.2f} s CPU here)")
    assert (result.created, result.year_lines) == (2000, 2000)
    assert (len(result.new_departments), len(result.new_groups)) == (30, 300)
    assert m.CollaborationCase.objects.filter(title__startswith="過去の事業").count() == 2000
    assert m.CaseYear.objects.filter(case__title__startswith="過去の事業").count() == 2000


# --- the pages and the templates -----------------------------------------------------------------


def _upload(content: bytes, name: str) -> io.BytesIO:
    upload = io.BytesIO(content)
    upload.name = name
    return upload


def test_preview_then_confirm_through_the_pages(world, client):
    client.force_login(world.staff_a)
    assert client.get("/cases/import/").status_code == 200
    raw = _csv([MIRUKKO, ["新しい事業", "共催", "R3", "", "", "", "", "", "保健所衛生課", "", "", "概要", ""]]).encode()
    response = client.post("/cases/import/", {"file": _upload(raw, "cases.csv"), "center": world.a.pk})
    assert response.status_code == 200 and "保健所衛生課" in response.content.decode()
    assert not m.CollaborationCase.objects.filter(title="新しい事業").exists()
    response = client.post("/cases/import/confirm/", {"payload": response.context["payload"], "center": str(world.a.uuid)})
    assert response.status_code == 302 and response["Location"] == "/cases/"
    assert m.CollaborationCase.objects.filter(title="新しい事業", center=world.a).exists()
    bad = client.post("/cases/import/", {"file": _upload(raw.replace("共催".encode(), "共済".encode()), "c.csv"),
                                         "center": world.a.pk})
    assert bad.status_code == 400 and "共済" in bad.content.decode()


def test_the_case_templates_import_back(world, client):
    client.force_login(world.staff_a)
    response = client.get("/cases/import/template.csv")
    assert response.status_code == 200 and response.content.startswith("\ufeff事業名".encode())
    result = _import(world, response.content)
    assert (result.created, result.year_lines, result.new_groups, result.new_departments) == (2, 3, [], [])
    mirukko = m.CollaborationCase.objects.filter(title="美術「みるっこ」プログラム事業").latest("pk")
    assert [y.total_cost for y in mirukko.years.all()] == [1_187_000, 1_180_000] and mirukko.total_cost == 2_367_000
    cat = m.CollaborationCase.objects.get(title="飼い主のいない猫の不妊去勢手術及び猫の適正管理普及啓発事業")
    assert (cat.fiscal_year_start, cat.total_cost, cat.city_share, cat.party_roles.get().organization) == (
        2014, 1_732_180, 1_694_000, world.group_a.organization)
    xlsx = client.get("/cases/import/template.xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert next(load_workbook(io.BytesIO(xlsx.content)).active.values)[0] == "事業名"
    assert _import(world, xlsx.content, commit=False).cases == 2


def test_link_from_the_cases_list(world, client):
    client.force_login(world.staff_a)
    page = client.get("/cases/").content.decode()
    assert 'href="/cases/import/"' in page and 'href="/stats/history/"' in page


# --- yearly counts by form (aggregate-only history) ----------------------------------------------


def _table(rows: list[list]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def test_the_seed_table_loads_48_counts(world):
    result = history_import.load_form_counts(acting_user=world.staff_a, center=world.a, raw=_table(SEED_TABLE),
                                             source="令和3年度第4回市民活動推進委員会 資料3")
    assert (result.created, result.total, result.years, result.replaced) == (48, 2219, list(range(2012, 2020)), 0)
    stored = m.HistoricalFormCount.objects.filter(center=world.a)
    assert stored.count() == 48 and sum(stored.values_list("count", flat=True)) == 2219
    assert stored.get(form="kyodo_suishin", fiscal_year=2017).count == 7
    assert stored.get(form="jigyo_kyoryoku", fiscal_year=2018).count == 159
    assert {(c.loaded_by, c.source) for c in stored} == {(world.staff_a, "令和3年度第4回市民活動推進委員会 資料3")}
    audit = AuditEvent.objects.get(action="historicalformcount.load")
    assert audit.detail == {"years": list(range(2012, 2020)), "cells": 48, "replaced": 0, "total": 2219}
    # A second table replaces only the cells it covers: 共催 H24 and a new 年度; 「-」 is 0, a blank is not covered.
    again = history_import.load_form_counts(acting_user=world.staff_a, center=world.a, raw=_table(
        [["形態", "平成24年度", "令和2年度", "合計"], ["共催", "23", "-", "23"], ["委託", "", "5", "5"]]))
    assert (again.created, again.replaced) == (3, 1)
    assert stored.get(form="kyosai", fiscal_year=2012).count == 23 and stored.get(form="kyosai", fiscal_year=2020).count == 0
    assert stored.get(form="itaku", fiscal_year=2012).count == 47
    assert m.HistoricalFormCount.objects.filter(center=world.a).count() == 50


def test_a_bad_cell_refuses_the_whole_table(world):
    rows = [list(row) for row in SEED_TABLE]
    rows[3][4] = "117件"  # fine
    rows[4][5] = "24?"
    rows[6][0] = "協働推進事業（行政提案型）"
    with pytest.raises(tabular.ImportRejected) as rejected:
        history_import.load_form_counts(acting_user=world.staff_a, center=world.a, raw=_table(rows))
    assert {(e.line, e.column, e.code) for e in rejected.value.result.errors} == {
        (5, "2016年度", "invalid_count"), (7, "協働の形態", "track_not_loaded")}
    assert not m.HistoricalFormCount.objects.exists()
    with pytest.raises(tabular.ImportRejected) as rejected:
        history_import.load_form_counts(acting_user=world.staff_a, center=world.a,
                                        raw=_table([["", "H24", "H25", "平成25年度", "昭和2年度"], ["寄附", "1", "2", "", ""]]))
    assert {(e.line, e.column, e.code) for e in rejected.value.result.errors} == {
        (1, "平成25年度", "duplicate_year"), (1, "昭和2年度", "invalid_year")}


def test_history_page_lists_uploads_and_deletes_a_year(world, client):
    client.force_login(world.staff_a)
    xlsx = _xlsx([[cell if i == 0 or row is SEED_TABLE[0] else int(cell) for i, cell in enumerate(row)] for row in SEED_TABLE])
    response = client.post("/stats/history/", {"file": _upload(xlsx, "h.xlsx"), "center": world.a.pk, "source": "資料3"})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "H24" in text and "R1" in text and "協働推進事業" in text and "資料3" in text
    assert [year.total for year in page.context["history"].years] == [164, 219, 262, 297, 310, 311, 335, 321]
    response = client.post("/stats/history/2019/delete/", {"center": str(world.a.uuid)})
    assert response.status_code == 302
    assert sorted(set(m.HistoricalFormCount.objects.values_list("fiscal_year", flat=True))) == list(range(2012, 2019))
    assert AuditEvent.objects.get(action="historicalformcount.delete_year").detail == {"year": 2019, "cells": 6}
    bad = client.post("/stats/history/", {"file": _upload(b"x,H24\n\xe5\x85\xb1\xe5\x82\xac,abc\n", "b.csv"),
                                          "center": world.a.pk})
    assert bad.status_code == 400 and "abc" in bad.content.decode()


def test_history_template_loads_back(world, client):
    client.force_login(world.staff_a)
    response = client.get("/stats/history/template.csv")
    assert response.status_code == 200
    result = history_import.read_form_counts(response.content)
    assert (len(result.counts), result.total) == (48, 2219)


@pytest.mark.parametrize("who", ["member_a", "dept_staff"])
def test_only_center_staff_import(world, client, who):
    user = getattr(world, who)
    client.force_login(user)
    raw = _table(SEED_TABLE)
    assert client.get("/stats/history/").status_code == 403
    assert client.post("/stats/history/", {"file": _upload(raw, "h.csv"), "center": world.a.pk}).status_code == 403
    assert client.post("/stats/history/2019/delete/", {"center": str(world.a.uuid)}).status_code == 403
    assert client.get("/cases/import/").status_code == 403
    assert client.post("/cases/import/", {"file": _upload(_csv([MIRUKKO]).encode(), "c.csv"),
                                          "center": world.a.pk}).status_code == 403
    with pytest.raises(PermissionDenied):
        history_import.load_form_counts(acting_user=user, center=world.a, raw=raw)
    with pytest.raises(PermissionDenied):
        _import(world, _csv([MIRUKKO]), user=user)
    with pytest.raises(PermissionDenied):
        _import(world, _csv([MIRUKKO]), user=world.staff_b)  # staff of another center
    assert not m.HistoricalFormCount.objects.exists()


def test_counts_are_by_form_row_and_within_years(world):
    with pytest.raises(PermissionDenied):
        services.historical_counts_load(acting_user=world.staff_b, center=world.a, counts={("kyosai", 2015): 1})
    for counts, code in (({("kyodo_suishin_gyosei", 2015): 1}, "invalid_form"), ({("kyosai", 1900): 1}, "year_out_of_range"),
                         ({("kyosai", 2015): -1}, "invalid_count"), ({}, "empty")):
        with pytest.raises(ValidationError) as raised:
            services.historical_counts_load(acting_user=world.staff_a, center=world.a, counts=counts)
        assert raised.value.code == code
    assert not m.HistoricalFormCount.objects.exists()
