"""Study tours on the host node: what leaves for the hub (a case named for the tour only with the
tour's consents, scrubbed texts), closing after the reading period, reports from the feed, lessons,
the 発表会, and the staff pages (bad input: 400 and nothing written)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from nodes import models as m, tours
from nodes.tour_sharing import missing_tour_consents
from permissions.models import AuditEvent
from sync.models import FeedItem, OutboxEntry
from sync.outbox import canonical_json
from tests import factories as f

GROUP = "Chigasaki Cat's Protect"


def _entries(entity_type: str, entity_uuid=None) -> list[OutboxEntry]:
    entries = OutboxEntry.objects.filter(entity_type=entity_type)
    if entity_uuid is not None:
        entries = entries.filter(entity_uuid=entity_uuid)
    return list(entries.order_by("id"))


@pytest.fixture
def tour(world):
    today = timezone.localdate()
    tour = tours.tour_create(acting_user=world.staff_a, center=world.a, title="湘南の地域猫と協働を学ぶ",
                             theme="動物愛護", starts_on=today, ends_on=today + dt.timedelta(days=1), reading_days=7,
                             capacity=20, organizations=[{"name": "小田原市市民活動交流センター UMECO", "kind": "center",
                                                          "seats": 2}])
    return tour


@pytest.fixture
def stop(world, tour):
    now = timezone.now()
    return tours.tour_stop_add(acting_user=world.staff_a, tour=tour, title="保護猫の譲渡会を見学",
                               starts_at=now, ends_at=now + dt.timedelta(hours=2), place="市役所 分庁舎",
                               directions="辻堂駅北口から徒歩8分。受付で杉浦 花子さん（0467-00-0000）を呼ぶ。")


def test_the_tour_leaves_with_its_agenda_and_texts_scrubbed(world, tour, stop):
    payload = _entries("study_tour", tour.uuid)[-1].payload
    assert payload["title"] == "湘南の地域猫と協働を学ぶ" and payload["closed"] is False
    (sent_stop,) = payload["stops"]
    assert sent_stop["key"] == str(stop.uuid) and sent_stop["place"] == "市役所 分庁舎"
    assert "花子" not in sent_stop["directions"] and "0467" not in sent_stop["directions"]
    assert "辻堂駅北口から徒歩8分" in sent_stop["directions"]
    assert payload["organizations"] == [{"name": "小田原市市民活動交流センター UMECO", "kind": "center", "seats": 2}]
    assert payload["reading_ends_at"] == tour.reading_ends_at.isoformat()


def test_a_case_named_for_the_tour_needs_every_organizations_tour_consent(world, tour, stop):
    tour_case = tours.tour_case_add(acting_user=world.staff_a, tour=tour, case=world.rec_a.case, stop=stop, named=True,
                                    note="市の負担で手術費を賄う仕組み")
    # No consent yet: nothing leaves, and staff see why.
    assert _entries("tour_case", tour_case.uuid) == []
    assert [o.name for o in missing_tour_consents(tour_case)] == [GROUP]
    group = world.group_a.organization
    tours.tour_consent_record(acting_user=world.staff_a, tour=tour, organization=group, method="written", note="10/1 書面")
    entry = _entries("tour_case", tour_case.uuid)[-1]
    assert entry.op == "upsert" and entry.payload["tour"] == str(tour.uuid)
    case = entry.payload["case"]
    assert case["level"] == "named" and GROUP in [p["name"] for p in case["parties"]]
    assert "花子" not in canonical_json(entry.payload).decode()
    # The standing consent for the library is untouched: the library copy stays as it was.
    world.group_a.refresh_from_db()
    assert world.group_a.consent_named_cases_at is None and _entries("shared_case", world.rec_a.case.uuid) == []
    # The tour lists the case under its stop.
    tour_entry = _entries("study_tour", tour.uuid)[-1].payload["cases"][0]
    assert tour_entry == {"ref": str(tour_case.uuid), "stop": str(stop.uuid), "source": "host", "library": None,
                          "library_center": None,
                          "title": "", "note": "市の負担で手術費を賄う仕組み"}
    # Withdrawn: the tour copy goes back to anonymized (no name).
    tours.tour_consent_withdraw(acting_user=world.staff_a, consent=tour.named_consents.get())
    assert _entries("tour_case", tour_case.uuid)[-1].op == "retract"  # named without consent: held, so retracted


def test_an_anonymized_tour_copy_never_names_the_group(world, tour, settings):
    settings.KYODO_ANON_K = 2
    _peer_of_group_a(world)
    tour_case = tours.tour_case_add(acting_user=world.staff_a, tour=tour, case=world.rec_a.case)
    entry = _entries("tour_case", tour_case.uuid)[-1]
    text = canonical_json(entry.payload).decode()
    assert entry.payload["case"]["level"] == "anonymized" and GROUP not in text and "花子" not in text


def test_after_the_reading_period_the_tour_copies_are_retracted(world, tour, stop):
    tour_case = tours.tour_case_add(acting_user=world.staff_a, tour=tour, case=world.rec_a.case, named=True)
    tours.tour_consent_record(acting_user=world.staff_a, tour=tour, organization=world.group_a.organization,
                              method="email")
    assert tours.tours_close_due() == 0  # still in the reading period
    later = tour.reading_ends_at + dt.timedelta(minutes=1)
    assert tours.tours_close_due(now=later) == 1
    assert _entries("tour_case", tour_case.uuid)[-1].op == "retract"
    assert _entries("study_tour", tour.uuid)[-1].payload["closed"] is True
    tour.refresh_from_db()
    assert tour.closed_at == later
    assert tours.tours_close_due(now=later) == 0  # once
    with pytest.raises(ValidationError) as refused:
        tours.tour_stop_add(acting_user=world.staff_a, tour=tour, title="追加", starts_at=timezone.now())
    assert refused.value.code == "tour_closed"


def test_another_centers_staff_cannot_touch_the_tour(world, tour):
    from django.core.exceptions import ObjectDoesNotExist, PermissionDenied

    with pytest.raises((PermissionDenied, ObjectDoesNotExist)):
        tours.tour_case_add(acting_user=world.staff_b, tour=tour, case=world.rec_b.case)
    with pytest.raises(ValidationError):
        tours.tour_case_add(acting_user=world.staff_a, tour=tour, case=world.rec_b.case)
    assert not tour.cases.exists()


def _report_item(study_tour, **overrides) -> FeedItem:
    payload = {"uuid": str(uuid.uuid4()), "tour": str(study_tour.uuid), "author_name": "相模 太郎",
               "organization_name": "小田原市市民活動交流センター UMECO", "saw": "手術費の仕組みが印象的",
               "transfer": "小田原でも獣医師会と話したい", "questions": "", "submitted_at": timezone.now().isoformat()}
    payload.update(overrides)
    return FeedItem(seq=1, kind="tour_report", payload=payload)


def test_a_report_from_the_feed_lands_on_the_tour_once(world, tour):
    item = _report_item(tour)
    tours.report_receive_item(item)
    tours.report_receive_item(item)
    (report,) = tour.reports.all()
    assert report.author_name == "相模 太郎"
    with pytest.raises(ValueError):
        tours.report_receive_item(_report_item(tour, tour=str(uuid.uuid4())))


def test_a_lesson_leaves_scrubbed_and_without_its_author(world, tour):
    tour_case = tours.tour_case_add(acting_user=world.staff_a, tour=tour, case=world.rec_a.case)
    report = tours.report_receive_item(_report_item(tour))
    with pytest.raises(ValidationError) as refused:
        tours.lesson_create(acting_user=world.staff_a, tour=tour, report=report, title="", text="", cases=[tour_case])
    assert "text" in refused.value.error_dict and not m.TourLesson.objects.exists()
    lesson = tours.lesson_create(acting_user=world.staff_a, tour=tour, report=report, title="市負担の仕組み",
                                 text="手術費を市が負担し、団体は捕獲と見守りを担う分担が転用しやすい。相模 太郎さんの指摘どおり、"
                                      "杉浦 花子さん（0467-00-0000）の説明が分かりやすかった。", cases=[tour_case])
    payload = _entries("tour_lesson", lesson.uuid)[-1].payload
    text = canonical_json(payload).decode()
    assert payload["cases"] == [str(world.rec_a.case.uuid)] and "相模" not in text
    assert "花子" not in text and "0467" not in text and "〔人名〕" in payload["text"]


def test_the_report_session_is_an_event_with_the_reports(world, tour, client):
    tours.report_receive_item(_report_item(tour))
    event = tours.report_session_create(acting_user=world.staff_a, tour=tour,
                                        starts_at=timezone.now() + dt.timedelta(days=14), venue="分庁舎")
    assert event.kind == m.EventKind.HAPPYOKAI
    client.force_login(world.staff_a)
    page = client.get(f"/events/{event.uuid}/").content.decode()
    assert 'id="tour-reports"' in page and "手術費の仕組みが印象的" in page


def test_the_tour_page_shows_the_bundle_and_bad_input_changes_nothing(world, tour, stop, client):
    client.force_login(world.staff_a)
    tours.report_receive_item(_report_item(tour))
    page = client.get(f"/tours/{tour.uuid}/")
    assert page.status_code == 200 and "保護猫の譲渡会を見学" in page.content.decode()
    assert AuditEvent.objects.filter(action="tourreport.read", target_uuid=tour.uuid).exists()
    stops = tour.stops.count()
    response = client.post(f"/tours/{tour.uuid}/add/stop/", {"title": "", "starts_at": "not a time"})
    assert response.status_code == 400 and tour.stops.count() == stops
    response = client.post(f"/tours/{tour.uuid}/add/organization/", {"name": "小田原市市民活動交流センター UMECO",
                                                                    "kind": "center", "seats": 1})
    assert response.status_code == 400 and "重複" in response.content.decode()
    assert tour.organizations.count() == 1
    response = client.post(f"/tours/{tour.uuid}/add/case/", {"case": world.rec_a.case.pk, "named": "on",
                                                            "stop": stop.pk})
    assert response.status_code == 302 and tour.cases.get().named
    page = client.get(f"/tours/{tour.uuid}/").content.decode()
    assert "送信を保留中" in page and "このツアーでの団体名公開に同意していません" in page
    client.force_login(world.staff_b)
    assert client.get(f"/tours/{tour.uuid}/").status_code in (403, 404)


def test_consented_names_travel_apart_and_stop_at_close(world, tour):
    stop = tours.tour_stop_add(acting_user=world.staff_a, tour=tour, title=f"{GROUP}の譲渡会を見学",
                               starts_at=timezone.now())
    payload = _entries("study_tour", tour.uuid)[-1].payload
    assert GROUP not in payload["stops"][0]["title"] and payload["named"] == {}
    tours.tour_consent_record(acting_user=world.staff_a, tour=tour, organization=world.group_a.organization,
                              method="written")
    payload = _entries("study_tour", tour.uuid)[-1].payload
    assert GROUP not in payload["stops"][0]["title"]  # the default text names nobody
    assert payload["named"] == {"stops": {str(stop.uuid): {"title": f"{GROUP}の譲渡会を見学"}}}
    tours.tours_close_due(now=tour.reading_ends_at)
    assert _entries("study_tour", tour.uuid)[-1].payload["named"] == {}


def test_deleting_a_tour_purges_its_copies_and_a_case_in_a_tour_is_kept(world, tour, settings, client):
    settings.KYODO_ANON_K = 2
    _peer_of_group_a(world)
    tour_case = tours.tour_case_add(acting_user=world.staff_a, tour=tour, case=world.rec_a.case)
    client.force_login(world.admin_a)
    response = client.post(f"/cases/{world.rec_a.case.uuid}/delete/")
    assert response.status_code == 302 and m.CollaborationCase.objects.filter(pk=world.rec_a.case.pk).exists()
    response = client.post(f"/tours/{tour.uuid}/delete/")
    assert response.status_code == 302 and not m.StudyTour.objects.filter(pk=tour.pk).exists()
    assert _entries("tour_case", tour_case.uuid)[-1].op == "purge"
    assert _entries("study_tour", tour.uuid)[-1].op == "purge"


def test_limits_and_capacity_are_refused_before_the_hub_would(world, tour, monkeypatch):
    monkeypatch.setattr(tours, "MAX_STOPS", 1)
    tours.tour_stop_add(acting_user=world.staff_a, tour=tour, title="一つ目", starts_at=timezone.now())
    with pytest.raises(ValidationError) as refused:
        tours.tour_stop_add(acting_user=world.staff_a, tour=tour, title="二つ目", starts_at=timezone.now())
    assert refused.value.code == "too_many" and tour.stops.count() == 1
    with pytest.raises(ValidationError) as refused:
        tours.tour_update(acting_user=world.staff_a, tour=tour, capacity=0)
    assert "capacity" in refused.value.error_dict
    tour.refresh_from_db()
    assert tour.capacity == 20


def _peer_of_group_a(world) -> None:
    """A second citizen group with group A's fields: the case's party is then one of k=2 alike."""
    f.group(world.staff_a, world.a, "湘南ねこ見守り隊", name_kana="ショウナンネコミマモリタイ", activity_fields=f.fields(7))
