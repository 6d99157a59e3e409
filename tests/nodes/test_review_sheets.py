"""The mutual review sheet with the ward office: default items, both sides' ratings, the open actions
carried into next year's sheet, its audited history, the PDF, and bad input that changes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from pypdf import PdfReader

from nodes import models as m, review_sheets as selectors
from nodes.services import review_sheets as sheets
from permissions.models import AuditEvent

PARTNER = "西区役所 地域振興課"


@pytest.fixture
def sheet(world):
    return sheets.review_sheet_create(acting_user=world.staff_a, center=world.a, fiscal_year=2025, partner_name=PARTNER)


def _rate(world, sheet, heading, **values):
    item = sheet.items.get(heading=heading)
    rows = [{"id": i.pk, **{name: getattr(i, name) for name in sheets.ITEM_FIELDS}} for i in sheet.items.all()]
    for row in rows:
        if row["id"] == item.pk:
            row.update(values)
    return sheets.review_sheet_update(acting_user=world.staff_a, sheet=sheet, values={}, items=rows)


def test_a_first_sheet_has_the_default_items(sheet):
    assert list(sheet.items.values_list("heading", flat=True)) == list(sheets.DEFAULT_HEADINGS)


def test_next_years_sheet_copies_the_items_and_carries_the_open_actions(world, sheet):
    sheets.review_item_add(acting_user=world.staff_a, sheet=sheet, heading="地域づくり大学校")
    _rate(world, sheet, "情報収集・発信", center_rating="B", ward_rating="C", ward_comment="班回覧の部数を見直したい")
    info = sheet.items.get(heading="情報収集・発信")
    open_action = sheets.review_action_add(acting_user=world.staff_a, sheet=sheet, item=info, owner="center",
                                           text="にしとも広場miniの配布先を地区センターにも広げる", due="上半期")
    done = sheets.review_action_add(acting_user=world.staff_a, sheet=sheet, text="定例会議を月1回開く")
    dropped = sheets.review_action_add(acting_user=world.staff_a, sheet=sheet, text="ニュースレターを電子化する")
    sheets.review_sheet_update(acting_user=world.staff_a, sheet=sheet, values={}, items=[], actions=[
        {"id": done.pk, "status": "done", "result_note": "毎月開催できた", "due": "", "owner": "both"},
        {"id": dropped.pk, "status": "dropped", "result_note": "", "due": "", "owner": "both"}])

    following = sheets.review_sheet_create(acting_user=world.staff_a, center=world.a, fiscal_year=2026)
    assert following.partner_name == PARTNER
    assert list(following.items.values_list("heading", flat=True)) == [*sheets.DEFAULT_HEADINGS, "地域づくり大学校"]
    assert not following.items.exclude(center_rating="", ward_rating="").exists()  # ratings start empty
    carried = following.actions.get()
    assert carried.text == open_action.text and carried.status == m.ActionStatus.OPEN
    assert carried.carried_from == open_action and carried.owner == "center" and carried.due == "上半期"
    assert carried.item.sheet == following and carried.item.heading == "情報収集・発信"
    history = selectors.sheet_history(sheet=following)
    assert "2025年度から取り組み 1件を引き継ぎ" in history[0].changes


def test_changes_are_audited_with_who_and_what(world, sheet):
    _rate(world, sheet, "相談・コーディネート", center_rating="A", center_comment="相談件数が目標を超えた")
    entry = selectors.sheet_history(sheet=sheet)[0]
    assert entry.who and entry.what == "評価・コメントを更新"
    assert entry.changes == ["相談・コーディネート: センターの評価・センターのコメント"]
    # The log names fields, never the comment itself.
    assert "相談件数" not in str(list(AuditEvent.objects.filter(target_uuid=sheet.uuid).values_list("detail", flat=True)))


@pytest.mark.parametrize(("rating", "code"), [("E", "bad_rating"), ("a", "bad_rating")])
def test_a_rating_off_the_scale_changes_nothing(world, sheet, rating, code):
    item = sheet.items.first()
    with pytest.raises(ValidationError) as error:
        sheets.review_sheet_update(acting_user=world.staff_a, sheet=sheet, values={"summary": "変わらないはず"}, items=[
            {"id": item.pk, "center_rating": "A"}, {"id": sheet.items.last().pk, "ward_rating": rating}])
    assert error.value.error_dict["items"][0].code == code
    sheet.refresh_from_db()
    assert sheet.summary == "" and not sheet.items.exclude(center_rating="").exists()


def test_the_same_year_twice_and_other_centers_are_refused(world, sheet):
    with pytest.raises(ValidationError) as error:
        sheets.review_sheet_create(acting_user=world.staff_a, center=world.a, fiscal_year=2025, partner_name=PARTNER)
    assert "この年度のシートはすでにあります。" in error.value.messages
    with pytest.raises(ValidationError):
        sheets.review_sheet_create(acting_user=world.staff_a, center=world.a, fiscal_year=None, partner_name=PARTNER)
    with pytest.raises(PermissionDenied):
        sheets.review_action_add(acting_user=world.staff_b, sheet=sheet, text="x")
    assert m.ReviewSheet.objects.count() == 1 and not sheet.actions.exists()


def test_the_sheet_prints_with_both_sides(world, sheet, client):
    _rate(world, sheet, "人材育成", center_rating="B", ward_rating="A", ward_comment="傾聴研修の参加者が多かった")
    sheets.review_action_add(acting_user=world.staff_a, sheet=sheet, text="研修の報告を区役所と共有する")
    client.force_login(world.staff_a)
    response = client.get(reverse("review-sheet-pdf", args=[sheet.uuid]))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages).replace("\n", "")
    for expected in ("2025年度 協働に関する相互検証シート", "人材育成", "傾聴研修の参加者が多かった", "研修の報告を区役所と共有する",
                     PARTNER):
        assert expected in text, expected


def test_the_page_saves_and_bad_input_gets_a_400(world, sheet, client):
    client.force_login(world.staff_a)
    url = reverse("review-sheet-step", args=[sheet.uuid, "save"])
    item = sheet.items.first()
    response = client.post(url, {"partner_name": PARTNER, "reviewed_on": "2026/13/45", "summary": "総括",
                                 f"item-{item.pk}-center_rating": "A"})
    assert response.status_code == 400 and "YYYY-MM-DD" in response.content.decode()
    sheet.refresh_from_db()
    assert sheet.summary == ""
    response = client.post(url, {"partner_name": PARTNER, "reviewed_on": "2026-04-20", "summary": "総括",
                                 f"item-{item.pk}-center_rating": "A"})
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.summary == "総括" and sheet.items.first().center_rating == "A"
    assert client.post(reverse("review-sheet-step", args=[sheet.uuid, "add-action"]), {"text": " "}).status_code == 400
    client.force_login(world.staff_b)
    assert client.get(reverse("review-sheet", args=[sheet.uuid])).status_code == 404
