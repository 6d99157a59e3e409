"""Issue 18 item 4, consultation routing: only the chief (or the center admin) assigns a consultation,
to staff of its own center, audited; experts are a talent or a named professional; themed 相談日 take
no more bookings than their capacity, even from two processes at once; links stay within the center;
the monthly review lists the month's notable consultations with their decisions; counts by kind."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from nodes import models as m, routing_selectors, services, statistics
from nodes.services import consultation_routing as routing
from permissions.models import AuditEvent, Role
from tests import factories as f


@pytest.fixture
def chief(world):
    return f.member("chief_a", world.a, Role.CHIEF_COORDINATOR)


def _codes(error: ValidationError) -> dict[str, str]:
    return {field: errors[0].code for field, errors in error.error_dict.items()}


def _day(world, user, *, capacity=2, day=None, theme=m.ConsultationKind.ACCOUNTING):
    return routing.consultation_day_create(
        acting_user=user, center=world.a, title="団体運営なんでも相談日", theme=theme,
        day=day or world.today + dt.timedelta(days=7), starts_at=dt.time(13), ends_at=dt.time(16), capacity=capacity)


def _card(world, topic="助成金の申請書の書き方", staff=None, **values):
    return services.consultation_open(acting_user=staff or world.staff_a, center=world.a, topic=topic,
                                      channel=m.ConsultationChannel.PHONE, requester_name="岡部 花子", **values)


# --- who may assign ----------------------------------------------------------------------------


def test_the_chief_assigns_a_consultation_to_staff_of_its_center_audited(world, chief):
    card = world.rec_a.consultation
    card = routing.consultation_assign(acting_user=chief, consultation=card, assignee=world.staff_a,
                                       kind=m.ConsultationKind.FOUNDING)
    card.refresh_from_db()
    assert (card.assignee, card.assigned_by, card.kind) == (world.staff_a, chief, "founding")
    assert card.assigned_at is not None
    event = AuditEvent.objects.get(action="consultation.assign", target_uuid=card.uuid)
    assert event.actor == chief and event.detail["assignee_id"] == world.staff_a.pk
    # The center admin holds the permission too.
    card = routing.consultation_assign(acting_user=world.admin_a, consultation=card, assignee=chief)
    assert card.assignee == chief and card.kind == "founding"


def test_staff_without_the_chief_role_may_not_assign(world, chief):
    card = world.rec_a.consultation
    with pytest.raises(PermissionDenied):
        routing.consultation_assign(acting_user=world.staff_a, consultation=card, assignee=world.staff_a)
    card.refresh_from_db()
    assert card.assignee is None and not AuditEvent.objects.filter(action="consultation.assign").exists()


def test_an_assignee_of_another_center_or_a_group_member_is_refused(world, chief):
    card = world.rec_a.consultation
    for outsider in (world.staff_b, world.member_a, world.dept_staff, None):
        with pytest.raises(ValidationError) as error:
            routing.consultation_assign(acting_user=chief, consultation=card, assignee=outsider)
        assert _codes(error.value) == {"assignee": "not_center_staff"}
    card.refresh_from_db()
    assert card.assignee is None


def test_the_chief_of_one_center_cannot_assign_another_centers_consultation(world, chief):
    with pytest.raises((PermissionDenied, m.Consultation.DoesNotExist)):
        routing.consultation_assign(acting_user=chief, consultation=world.rec_b.consultation, assignee=world.staff_b)


def test_an_unknown_kind_is_refused_by_the_service_and_the_database(world, chief):
    with pytest.raises(ValidationError) as error:
        routing.consultation_assign(acting_user=chief, consultation=world.rec_a.consultation,
                                    assignee=world.staff_a, kind="gossip")
    assert _codes(error.value) == {"kind": "invalid_choice"}
    with pytest.raises(IntegrityError), transaction.atomic():
        m.Consultation.objects.filter(pk=world.rec_a.consultation.pk).update(kind="gossip")
    with pytest.raises(IntegrityError), transaction.atomic():  # an assignee without who and when
        m.Consultation.objects.filter(pk=world.rec_a.consultation.pk).update(assignee=world.staff_a)


# --- experts -----------------------------------------------------------------------------------


def test_an_expert_is_a_talent_or_a_named_professional_and_stays_on_the_node(world):
    card = world.rec_a.consultation
    by_talent = routing.expert_refer(acting_user=world.staff_a, consultation=card, talent=world.rec_a.talent,
                                     expertise="手品", asked_on=world.today)
    outside = routing.expert_refer(acting_user=world.staff_a, consultation=card, professional_name="森本 敦子",
                                   expertise="税理士・NPO会計", asked_on=world.today, question="収益事業の判定")
    routing.expert_answer(acting_user=world.staff_a, referral=outside, answer="収益事業に当たらない見込み")
    outside.refresh_from_db()
    assert outside.answered_on == timezone.localdate() and by_talent.professional_name == ""
    for talent, name in ((None, ""), (world.rec_a.talent, "森本 敦子")):
        with pytest.raises(ValidationError) as error:
            routing.expert_refer(acting_user=world.staff_a, consultation=card, talent=talent, professional_name=name,
                                 expertise="会計", asked_on=world.today)
        assert _codes(error.value) == {"professional_name": "one_expert"}
    # Another center's talent cannot be asked about this center's consultation.
    with pytest.raises(ValidationError) as error:
        routing.expert_refer(acting_user=world.staff_a, consultation=card, talent=world.rec_b.talent,
                             expertise="手品", asked_on=world.today)
    assert _codes(error.value) == {"talent": "other_center"}
    assert "professional_name" in m.ExpertReferral.PERSONAL_FIELDS
    assert m.ExpertReferral.objects.count() == 2


# --- 相談日 ----------------------------------------------------------------------------------------


def test_a_day_takes_no_more_bookings_than_its_capacity(world):
    day = _day(world, world.staff_a, capacity=2)
    cards = [_card(world, f"相談{i}") for i in range(3)]
    routing.consultation_day_book(acting_user=world.staff_a, consultation_day=day, consultation=cards[0])
    with pytest.raises(ValidationError) as error:
        routing.consultation_day_book(acting_user=world.staff_a, consultation_day=day, consultation=cards[0])
    assert _codes(error.value) == {"consultation": "already_booked"}
    routing.consultation_day_book(acting_user=world.staff_a, consultation_day=day, consultation=cards[1])
    with pytest.raises(ValidationError) as error:
        routing.consultation_day_book(acting_user=world.staff_a, consultation_day=day, consultation=cards[2])
    assert _codes(error.value) == {"consultation_day": "day_full"}
    day.refresh_from_db()
    assert (day.booked, day.bookings.count()) == (2, 2)
    # The database refuses a count above capacity whatever the code does.
    with pytest.raises(IntegrityError), transaction.atomic():
        m.ConsultationDay.objects.filter(pk=day.pk).update(booked=3)
    routing.consultation_day_cancel(acting_user=world.staff_a, booking=day.bookings.first())
    routing.consultation_day_book(acting_user=world.staff_a, consultation_day=day, consultation=cards[2])
    day.refresh_from_db()
    assert day.booked == 2


def test_a_past_day_and_another_centers_day_are_refused(world):
    past = _day(world, world.staff_a, day=world.today - dt.timedelta(days=1))
    with pytest.raises(ValidationError) as error:
        routing.consultation_day_book(acting_user=world.staff_a, consultation_day=past, consultation=_card(world))
    assert _codes(error.value) == {"consultation_day": "day_past"}
    day_b = routing.consultation_day_create(acting_user=world.staff_b, center=world.b, title="はじめの一歩じっくり相談日",
                                            theme="first_step", day=world.today, starts_at=dt.time(10),
                                            ends_at=dt.time(12), capacity=3)
    with pytest.raises((PermissionDenied, m.ConsultationDay.DoesNotExist)):
        routing.consultation_day_book(acting_user=world.staff_a, consultation_day=day_b, consultation=_card(world))
    with pytest.raises(ValidationError) as error:
        routing.consultation_day_create(acting_user=world.staff_a, center=world.a, title="夜の相談日", theme="funding",
                                        day=world.today, starts_at=dt.time(18), ends_at=dt.time(17), capacity=0)
    messages = error.value.messages
    assert "終了時刻は開始時刻より後にしてください。" in messages and "受付できる件数は1〜50件にしてください。" in messages


_WORKER = """
import os, sys, time, django
django.setup()
from django.core.exceptions import ValidationError
from django.contrib.auth import get_user_model
from nodes import models as m
from nodes.services import consultation_routing as routing
user_pk, day_pk, card_pk, start = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
user = get_user_model().objects.get(pk=user_pk)
day, card = m.ConsultationDay.objects.get(pk=day_pk), m.Consultation.objects.get(pk=card_pk)
time.sleep(max(0.0, start - time.time()))
try:
    routing.consultation_day_book(acting_user=user, consultation_day=day, consultation=card)
    print("booked")
except ValidationError as error:
    print(error.error_dict["consultation_day"][0].code)
"""


@pytest.mark.django_db(transaction=True)
def test_two_processes_booking_the_last_place_at_once_store_one_booking(world):
    """Two real processes on PostgreSQL book the one remaining place at the same moment."""
    day = _day(world, world.staff_a, capacity=1)
    cards = [_card(world, "会計の相談A"), _card(world, "会計の相談B")]
    env = {**os.environ, "DATABASE_URL": _database_url(), "DJANGO_SETTINGS_MODULE": "config.settings"}
    start = time.time() + 3
    workers = [subprocess.Popen([sys.executable, "-c", _WORKER, str(world.staff_a.pk), str(day.pk), str(card.pk),
                                 str(start)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for card in cards]
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=60)
        assert worker.returncode == 0, err
        results.append(out.strip().splitlines()[-1])
    assert sorted(results) == ["booked", "day_full"]
    day.refresh_from_db()
    assert (day.booked, day.bookings.count()) == (1, 1)


def _database_url() -> str:
    settings = connection.settings_dict
    return (f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/"
            f"{settings['NAME']}")


# --- links ---------------------------------------------------------------------------------------


def test_links_to_need_match_and_case_stay_within_the_center(world):
    card = world.rec_a.consultation
    match = services.match_propose(acting_user=world.staff_a, need=world.rec_a.need, offer=world.rec_a.offer)
    routing.consultation_link(acting_user=world.staff_a, consultation=card, need=world.rec_a.need)
    routing.consultation_link(acting_user=world.staff_a, consultation=card, match=match, case=world.rec_a.case)
    assert list(card.linked_needs.all()) == [world.rec_a.need]
    assert list(card.linked_matches.all()) == [match] and list(card.linked_cases.all()) == [world.rec_a.case]
    for link in ({"need": world.rec_b.need}, {"case": world.rec_b.case}):
        with pytest.raises(ValidationError) as error:
            routing.consultation_link(acting_user=world.staff_a, consultation=card, **link)
        assert list(_codes(error.value).values()) == ["other_center"]
    with pytest.raises(ValidationError) as error:
        routing.consultation_link(acting_user=world.staff_a, consultation=card)
    assert _codes(error.value) == {"link": "required"}
    assert card.linked_needs.count() == 1 and card.linked_cases.count() == 1


# --- the monthly review -------------------------------------------------------------------------


def test_the_review_lists_a_months_notable_consultations_and_the_chief_records_decisions(world, chief):
    november, december = dt.date(2026, 11, 1), dt.date(2026, 12, 1)
    first = routing.consultation_mark_notable(acting_user=world.staff_a, consultation=world.rec_a.consultation,
                                              reason="設立の動機が曖昧", month=dt.date(2026, 11, 20))
    second = routing.consultation_mark_notable(acting_user=world.staff_a, consultation=_card(world),
                                               reason="助成金の締切が近い", month=december)
    assert first.month == november
    with pytest.raises(ValidationError) as error:
        routing.consultation_mark_notable(acting_user=world.staff_a, consultation=world.rec_a.consultation,
                                          reason="もう一度", month=november)
    assert _codes(error.value) == {"month": "already_listed"}
    with pytest.raises(PermissionDenied):
        routing.review_decide(acting_user=world.staff_a, notable=first, decision="専門家につなぐ")
    routing.review_decide(acting_user=chief, notable=first, decision="税理士に相談日を設定する")
    with pytest.raises(ValidationError) as error:
        routing.review_decide(acting_user=chief, notable=second, decision=" ")
    assert _codes(error.value) == {"decision": "required"}

    review = routing_selectors.review_month(user=chief, month=november)
    assert [(item.consultation_id, item.decision) for item in review.items] == [
        (world.rec_a.consultation.pk, "税理士に相談日を設定する")]
    assert review.decided == 1 and review.months == [december, november]
    assert AuditEvent.objects.filter(action="notableconsultation.read_personal", actor=chief).exists()
    assert routing_selectors.review_month(user=world.staff_b, month=november).items == []  # another center's


# --- counts ------------------------------------------------------------------------------------------


def test_counts_by_kind_and_month(world, chief):
    fiscal_year = 2025  # the world's own cards are of today, outside this 年度
    at = timezone.make_aware(dt.datetime(2025, 5, 10, 10))
    for kind in ("founding", "founding", "funding"):
        _card(world, intake_at=at, kind=kind)
    _card(world, intake_at=timezone.make_aware(dt.datetime(2026, 2, 1, 10)))  # 未分類, 2月 of the same 年度
    _card(world, intake_at=timezone.make_aware(dt.datetime(2025, 3, 31, 10)), kind="funding")  # the 年度 before
    table = statistics.consultation_kinds_table(world.a, fiscal_year=fiscal_year)
    assert table.columns == ["団体・法人の設立", "資金・助成金", "未分類"]
    may = next(row for row in table.rows if row.label == "5月")
    february = next(row for row in table.rows if row.label == "2月")
    assert (may.cells, may.total, february.cells) == ([2, 1, 0], 3, [0, 0, 1])
    assert table.totals.cells == [2, 1, 1] and table.totals.total == 4
    assert table.csv_rows()[0] == ["月", "団体・法人の設立", "資金・助成金", "未分類"]
    assert "consultation-kinds" in [t.slug for t in statistics.center_statistics(world.a, fiscal_year=fiscal_year)]


# --- API -------------------------------------------------------------------------------------------


def test_api_assign_answers_codes_and_changes_nothing_on_bad_input(world, chief, api):
    url = f"/api/v1/consultations/{world.rec_a.consultation.uuid}/assign/"
    response = api(world.staff_a).post(url, {"assignee": "staff_a"}, format="json")
    assert response.status_code == 403
    response = api(chief).post(url, {"assignee": "staff_b"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["assignee"][0]["code"] == "not_center_staff"
    response = api(chief).post(url, {"assignee": "staff_a", "kind": "gossip"}, format="json")
    assert response.json()["error"]["fields"]["kind"][0]["code"] == "invalid_choice"
    world.rec_a.consultation.refresh_from_db()
    assert world.rec_a.consultation.assignee is None
    response = api(chief).post(url, {"assignee": "staff_a", "kind": "publicity"}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["assignee"], response.json()["kind"]) == ("staff_a", "publicity")
    response = api(world.staff_a).post("/api/v1/consultations/", {"topic": "会計", "channel": "phone", "kind": "gossip"},
                                       format="json")
    assert response.json()["error"]["fields"]["kind"][0]["code"] == "invalid_choice"


# --- UI ---------------------------------------------------------------------------------------------


def test_ui_the_chief_assigns_and_a_wrong_assignee_gets_a_japanese_error(world, chief, client):
    card = world.rec_a.consultation
    client.force_login(world.staff_a)
    page = client.get(f"/consultations/{card.uuid}/").content.decode()
    assert "チーフコーディネーターが決めます" in page and "担当を決める" not in page
    client.force_login(chief)
    assert "担当を決める" in client.get(f"/consultations/{card.uuid}/").content.decode()
    response = client.post(f"/consultations/{card.uuid}/assign/", {"assignee": world.staff_b.pk}, follow=True)
    assert "このセンターの職員を選んでください。" in response.content.decode()
    card.refresh_from_db()
    assert card.assignee is None
    response = client.post(f"/consultations/{card.uuid}/assign/", {"assignee": world.staff_a.pk, "kind": "funding"},
                           follow=True)
    assert "対応するスタッフを" in response.content.decode()
    card.refresh_from_db()
    assert (card.assignee, card.kind) == (world.staff_a, "funding")
    client.force_login(world.staff_a)
    assert client.post(f"/consultations/{card.uuid}/assign/", {"assignee": world.staff_a.pk}).status_code == 403


def test_ui_days_review_and_statistics(world, chief, client):
    client.force_login(world.staff_a)
    response = client.post("/consultation-days/", {"title": "会計相談日", "theme": "accounting", "day": "明日",
                                                   "starts_at": "13:00", "ends_at": "16:00", "capacity": "2"})
    assert response.status_code == 400 and "日付を正しく入力してください。" in response.content.decode()
    response = client.post("/consultation-days/", {"title": "会計相談日", "theme": "accounting",
                                                   "day": str(world.today + dt.timedelta(days=3)),
                                                   "starts_at": "16:00", "ends_at": "13:00", "capacity": "2"})
    assert response.status_code == 400 and not m.ConsultationDay.objects.exists()
    assert "終了時刻は開始時刻より後にしてください。" in response.content.decode()
    response = client.post("/consultation-days/", {"title": "会計相談日", "theme": "accounting",
                                                   "day": str(world.today + dt.timedelta(days=3)),
                                                   "starts_at": "13:00", "ends_at": "16:00", "capacity": "1"})
    assert response.status_code == 302
    day = m.ConsultationDay.objects.get()
    card, other = world.rec_a.consultation, _card(world)
    client.post(f"/consultations/{card.uuid}/book/", {"consultation_day": day.uuid})
    response = client.post(f"/consultations/{other.uuid}/book/", {"consultation_day": day.uuid}, follow=True)
    assert "この相談日は予約でいっぱいです。" in response.content.decode()
    client.post(f"/consultations/{card.uuid}/notable/", {"reason": "継続的な伴走が必要"})
    client.post(f"/consultations/{other.uuid}/notable/", {"reason": "=HYPERLINK(\"http://x\")"})
    response = client.get("/consultation-review/")
    assert "継続的な伴走が必要" in response.content.decode() and "検討待ち" in response.content.decode()
    client.force_login(chief)
    notable = m.NotableConsultation.objects.get(consultation=card)
    client.post(f"/consultation-review/{notable.uuid}/decide/", {"decision": "次回の相談日に専門家を呼ぶ"})
    csv_text = client.get(f"/consultation-review/review.csv?month={notable.month:%Y-%m}").content.decode("utf-8-sig")
    assert "次回の相談日に専門家を呼ぶ" in csv_text and csv_text.startswith("検討する月")
    assert "'=HYPERLINK" in csv_text  # a formula-like reason is written as text
    response = client.get("/stats/")
    assert "相談の種類別の件数（月別）" in response.content.decode()
    assert client.get("/stats/consultation-kinds.csv").status_code == 200
    client.force_login(world.member_a)
    assert client.get("/consultation-review/").status_code == 403


def test_ui_staff_cancel_a_booking_freeing_its_place_once(world, client):
    day = _day(world, world.staff_a, capacity=1)
    card, other = world.rec_a.consultation, _card(world)
    booking = routing.consultation_day_book(acting_user=world.staff_a, consultation_day=day, consultation=card)
    client.force_login(world.staff_a)
    assert "予約を取り消す" in client.get(f"/consultations/{card.uuid}/").content.decode()
    response = client.post(f"/consultation-bookings/{booking.uuid}/cancel/", follow=True)
    assert "の予約を取り消しました。" in response.content.decode()
    day.refresh_from_db()
    assert (day.booked, day.bookings.count()) == (0, 0)
    # The freed place can be taken, and the booking cannot be cancelled twice.
    routing.consultation_day_book(acting_user=world.staff_a, consultation_day=day, consultation=other)
    assert client.post(f"/consultation-bookings/{booking.uuid}/cancel/").status_code == 404
    day.refresh_from_db()
    assert day.booked == 1
    client.force_login(world.staff_b)
    assert client.post(f"/consultation-bookings/{day.bookings.get().uuid}/cancel/").status_code in (403, 404)


def test_a_past_days_booking_stays(world):
    day = _day(world, world.staff_a, capacity=1)
    booking = routing.consultation_day_book(acting_user=world.staff_a, consultation_day=day,
                                            consultation=world.rec_a.consultation)
    with pytest.raises(ValidationError) as error:
        routing.consultation_day_cancel(acting_user=world.staff_a, booking=booking,
                                        today=day.day + dt.timedelta(days=1))
    assert _codes(error.value) == {"booking": "day_past"}
    assert m.ConsultationDayBooking.objects.filter(pk=booking.pk).exists()


def test_the_detail_page_shows_the_assignment_once(world, chief):
    from nodes.ui import detail_rows

    card = routing.consultation_assign(acting_user=chief, consultation=world.rec_a.consultation,
                                       assignee=world.staff_a, kind=m.ConsultationKind.FOUNDING)
    labels = [label for label, _value in detail_rows(card)]
    assert "担当を決めた日時" not in labels and "対応するスタッフ" not in labels and "相談の種類" not in labels
    assert "相談テーマ" in labels
