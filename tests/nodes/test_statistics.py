"""The center's statistics page: seed 001's tables reproduced from loaded history and records, the
協働推進事業 cycle counts, continuation, consultations against targets, downloads and access."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.utils import timezone

from common.japanese import fiscal_year_of
from nodes import models as m, services, statistics
from permissions.models import AuditEvent, OrganizationKind, Role
from permissions.services import organization_create

from .. import factories as f

SEED_YEARS = list(range(2012, 2020))  # the seed's eight 年度, H24..R1
SEED_FORMS = {
    "共催": [22, 45, 65, 71, 65, 61, 67, 62],
    "実行委員会": [3, 16, 18, 21, 22, 24, 24, 23],
    "事業協力": [79, 70, 88, 117, 123, 133, 159, 155],
    "指定管理者": [11, 9, 14, 14, 24, 23, 23, 22],
    "委託（協働委託）": [47, 75, 68, 69, 70, 63, 50, 52],
    "協働推進事業": [2, 4, 9, 5, 6, 7, 12, 7],
}
FORM_BY_LABEL = {str(label): value for value, label in m.CollaborationForm.choices}


@pytest.fixture
def city(db):
    """A center with nothing but what each test gives it."""
    center = f.center("茅ヶ崎市民活動サポートセンター", "142077", "茅ヶ崎市")
    staff = f.member("stats_staff", center, Role.CENTER_STAFF)
    department = organization_create(acting_user=staff, name="文化生涯学習課", kind=OrganizationKind.CITY_DEPARTMENT,
                                      center=center)
    group = f.group(staff, center, "NPO法人赤ちゃんからのアートフレンドシップ協会")
    return center, staff, department, group


def _load_seed_table(center):
    for label, counts in SEED_FORMS.items():
        for year, count in zip(SEED_YEARS, counts, strict=True):
            m.HistoricalFormCount.objects.create(center=center, fiscal_year=year, form=FORM_BY_LABEL[label],
                                                 count=count, source="協働推進事業の見直し p.10")


def _case(staff, center, title, form, start, end=None, outcome=m.CaseOutcome.ENDED, **values):
    return services.case_create(acting_user=staff, center=center, title=title, summary="概要", form=form,
                                fiscal_year_start=start, fiscal_year_end=end, outcome=outcome, **values)


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.content[:300]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_forms_csv_is_the_seed_table_where_history_is_loaded(city, client):
    center, staff, department, _group = city
    _load_seed_table(center)
    # A record inside the loaded years is part of the published count, not added to it.
    _case(staff, center, "子育て講座の共催", m.CollaborationForm.KYOSAI, 2019, 2019)
    client.force_login(staff)
    rows = _csv(client.get("/stats/forms.csv"))
    assert rows[0] == ["協働の形態", "H24", "H25", "H26", "H27", "H28", "H29", "H30", "R1"]
    assert {row[0]: [int(v) for v in row[1:]] for row in rows[1:]} == SEED_FORMS
    assert [row[0] for row in rows[1:]] == list(SEED_FORMS)  # the seed's order
    assert sum(int(v) for row in rows[1:] for v in row[1:]) == 2219


def test_a_year_without_history_is_counted_from_records_and_the_page_says_which(city, client):
    center, staff, department, _group = city
    _load_seed_table(center)
    _case(staff, center, "多文化共生の交流サロン事業", m.CollaborationForm.KYODO_SUISHIN_GYOSEI, 2019, 2020)
    _case(staff, center, "避難所運営訓練への協力", m.CollaborationForm.JIGYO_KYORYOKU, 2020, 2020)
    client.force_login(staff)
    rows = _csv(client.get("/stats/forms.csv"))
    assert rows[0][-1] == "R2"
    by_form = {row[0]: row[1:] for row in rows[1:]}
    assert by_form["協働推進事業"][-2:] == ["7", "1"] and by_form["事業協力"][-1] == "1" and by_form["共催"][-1] == "0"
    page = client.get("/stats/").content.decode()
    assert "2019年度・公表値" in page and "2020年度・記録" in page
    assert "うち行政提案型" in page  # 協働推進事業's track, known from the record
    narrowed = _csv(client.get("/stats/forms.csv?year_from=2015&year_to=2016"))
    assert narrowed[0] == ["協働の形態", "H27", "H28"]


def test_programme_and_proposal_cycle_tables(city, client):
    center, staff, department, group = city
    meetings = [f.event(staff, center, f"意見交換会 {i}", kind=m.EventKind.IKEN_KOKAN) for i in range(5)]
    cancelled = services.event_cancel(acting_user=staff, event=meetings[4], reason="台風")
    for year, (held, applied, adopted) in {2015: (3, 2, 1), 2016: (1, 1, 0)}.items():
        call = m.ProgrammeCall.objects.create(center=center, fiscal_year=year, track="shimin",
                                              title=f"{year}年度 市民提案型協働推進事業")
        call.exchange_meetings.set(meetings[:held] if year == 2015 else [meetings[3], cancelled])
        for index in range(applied):
            case = None
            if index < adopted:
                case = _case(staff, center, f"採択事業{year}", m.CollaborationForm.KYODO_SUISHIN_SHIMIN,
                             year + 1, year + 2, outcome=m.CaseOutcome.BUDGET_REDUCED)
            m.ProgrammeApplication.objects.create(
                center=center, call=call, applicant=group.organization, title=f"提案{year}-{index}", summary="概要",
                submitted_on=dt.date(year, 10, 31), entered_by=staff,
                status="adopted" if case else "not_adopted", decided_on=dt.date(year, 12, 20), case=case)
    client.force_login(staff)
    rows = _csv(client.get("/stats/proposal-cycle.csv"))
    assert rows == [["区分", "H27", "H28"], ["意見交換会", "3", "1"], ["申込", "2", "1"], ["採択", "1", "0"]]
    assert _csv(client.get("/stats/proposal-cycle.csv?track=gyosei")) == [["区分"], ["意見交換会"], ["申込"], ["採択"]]
    programme = _csv(client.get("/stats/programme.csv"))
    assert programme[0] == ["区分", "H28", "H29"] and programme[1] == ["協働推進事業数", "1", "1"]


def test_continuation_by_form_and_track_with_the_diagrams_outcomes(city, client):
    center, staff, _department, _group = city
    outcomes = [m.CaseOutcome.CONTINUED, m.CaseOutcome.BUDGET_REDUCED, m.CaseOutcome.SCOPE_REDUCED,
                m.CaseOutcome.ENDED, m.CaseOutcome.ENDED]
    for index, outcome in enumerate(outcomes):
        _case(staff, center, f"市民提案{index}", m.CollaborationForm.KYODO_SUISHIN_SHIMIN, 2016, 2017, outcome=outcome)
    _case(staff, center, "行政提案", m.CollaborationForm.KYODO_SUISHIN_GYOSEI, 2014, 2014, outcome=m.CaseOutcome.CONTINUED)
    _case(staff, center, "委託", m.CollaborationForm.ITAKU, 2018, 2018, outcome=m.CaseOutcome.CONTINUED)
    _case(staff, center, "実施中", m.CollaborationForm.ITAKU, 2024, None, outcome=m.CaseOutcome.ONGOING)
    client.force_login(staff)
    rows = _csv(client.get("/stats/continuation.csv"))
    assert rows[0] == ["協働の形態", "継続", "予算縮小", "事業縮小", "終了", "継続率"]
    by_form = {row[0]: row[1:] for row in rows[1:]}
    assert by_form["協働推進事業"] == ["2", "1", "1", "2", "33.3%"]
    assert by_form["委託（協働委託）"] == ["1", "0", "0", "0", "100.0%"]  # the ongoing case is not finished
    shimin = _csv(client.get("/stats/continuation.csv?continuation_track=shimin"))
    assert {row[0]: row[1:] for row in shimin[1:]} == {"協働推進事業": ["1", "1", "1", "2", "20.0%"]}
    page = client.get("/stats/").content.decode()
    assert "うち市民提案型" in page and "<path" in page  # tracks beneath, and the pie


def test_consultations_by_month_against_the_yearly_targets(city, client):
    center, staff, _department, _group = city
    fiscal_year = fiscal_year_of(timezone.localdate())
    april = timezone.make_aware(dt.datetime(fiscal_year, 4, 10, 10))
    for _ in range(3):
        consultation = services.consultation_open(acting_user=staff, center=center, topic="NPO法人の設立",
                                                  channel=m.ConsultationChannel.COUNTER, intake_at=april)
    services.consultation_advance(acting_user=staff, consultation=consultation, note="")
    client.force_login(staff)
    response = client.post("/stats/settings/", {"consultation_target": "480", "coordination_target": "36"})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="centerfigures.update", organization=center).exists()
    rows = _csv(client.get(f"/stats/consultations.csv?fiscal_year={fiscal_year}"))
    assert rows[0] == ["月", "新規相談", "コーディネート", "クロージング", "完了", "コーディネート提案", "相談の累計", "目標ペース"]
    assert rows[1][:2] == ["4月", "3"] and rows[1][-1] == "40" and rows[12][0] == "3月" and rows[12][-1] == "480"
    page = client.get(f"/stats/?fiscal_year={fiscal_year}").content.decode()
    assert "年間目標 480件" in page and "class=\"target\"" in page


def test_proposals_per_need(world, client):
    need = world.rec_a.need
    services.need_update(acting_user=world.staff_a, need=need, status=m.NeedStatus.OPEN)
    for group, title in ((world.group_a, "譲渡会の共催"), (world.group_a2, "TNRの協力")):
        m.Proposal.objects.create(center=world.a, group=group, need=need, title=title, activity="活動",
                                  people="会員", timing="毎月", submitted_by=world.staff_a)
    client.force_login(world.staff_a)
    rows = _csv(client.get("/stats/proposals.csv"))
    assert rows[0][0] == "協働の種（担当課）" and rows[1][0] == "飼い主のいない猫対策（環境保全課）" and rows[1][1] == "2"


def test_xlsx_downloads_hold_every_table_and_the_definitions(city, client):
    center, staff, department, group = city
    _load_seed_table(center)
    need = services.need_create(acting_user=staff, center=center, title="=HYPERLINK(\"http://x\")", description="式",
                                requester=department, status=m.NeedStatus.OPEN)
    m.Proposal.objects.create(center=center, group=group, need=need, title="提案", activity="活動", people="会員",
                              timing="毎月", submitted_by=staff)
    client.force_login(staff)
    response = client.get("/stats/statistics.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "協働の形態別・年度別の件数" and book.sheetnames[-1] == "定義"
    sheet = book["協働の形態別・年度別の件数"]
    assert [c.value for c in sheet[3]][:9] == ["共催", 22, 45, 65, 71, 65, 61, 67, 62]
    assert len(book["定義"]["A"]) == 1 + len(statistics.TABLES)  # a header, then one definition per table
    one = openpyxl.load_workbook(io.BytesIO(client.get("/stats/forms.xlsx").content))
    assert one.sheetnames == ["協働の形態別・年度別の件数", "定義"]
    # No cell of any sheet is a formula.
    assert all(cell.data_type != "f" for sheet in book for row in sheet.iter_rows() for cell in row)
    assert book["協働の種ごとの提案件数"]["A2"].value.startswith("'=HYPERLINK")


def test_only_center_people_see_the_statistics_and_only_staff_change_targets(world, client):
    client.force_login(world.member_a)
    assert client.get("/stats/").status_code == 403
    assert client.get("/stats/forms.csv").status_code == 403
    client.force_login(world.dept_staff)
    assert client.get("/stats/").status_code == 403
    client.force_login(world.staff_b)
    page = client.get("/stats/").content.decode()
    assert world.b.name in page and world.a.name not in page
    assert client.get(f"/stats/forms.csv?center={world.a.uuid}").status_code == 403
    client.force_login(world.staff_a)
    assert client.get("/stats/settings/").status_code == 200


def test_bad_filters_and_targets_are_refused_in_japanese(world, client):
    client.force_login(world.staff_a)
    response = client.get("/stats/?year_from=2020&year_to=2010")
    assert response.status_code == 400 and "年度の範囲が逆です" in response.content.decode()
    assert client.get("/stats/forms.csv?year_from=abc").status_code == 400
    assert client.get("/stats/nothing.csv").status_code == 404
    response = client.post("/stats/settings/", {"consultation_target": "-1"})
    assert response.status_code == 400 and not m.CenterFigures.objects.exists()


def test_public_flag_is_kept_with_the_targets(world, client):
    client.force_login(world.staff_a)
    client.post("/stats/settings/", {"consultation_target": "480", "form_counts_public": "on"})
    figures = m.CenterFigures.objects.get(center=world.a)
    assert figures.form_counts_public and figures.consultation_target == 480 and figures.coordination_target is None
