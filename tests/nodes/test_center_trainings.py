"""A node's side of issue 17 item 4: a backing center opens a training (研修) or an information-sharing
meeting (情報共有会議) to the centers it backs, its texts scrubbed; a backed center registers its staff
— only the number of seats and a scrubbed note are sent — and changes or cancels; the hub's refusals
(full, late) change nothing here; materials are confirmed free of personal data, checked by type
and size, and downloaded from the hub by a registered center; attendance is counted per center by
the organizer and per staff member by the registering center, both shown per 年度; staff only."""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid

import httpx
import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from nodes import hub_link, models as m, services, training_selectors
from permissions.models import AuditEvent
from sync import client as sync_client
from sync.keys import _pair
from sync.models import FeedItem, OutboxEntry
from sync.signing import new_key_pair
from sync.wire import referrals as referral_wire, trainings as wire

OTHER_CENTER = str(uuid.uuid4())
PDF = b"%PDF-1.4\n% slides\n"


class FakeHub:
    """The hub at the network edge, answering the training endpoints as the real one would."""

    def __init__(self):
        self.requests: list[tuple[str, str, dict | None]] = []
        self.refuse: dict | None = None

    def handler(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        self.requests.append((request.method, request.url.path, body))
        if self.refuse:
            return httpx.Response(self.refuse["status"], json={"error": self.refuse})
        path = request.url.path
        if path == "/sync/v1/trainings":
            invited = [{"uuid": OTHER_CENTER, "name": "にしく市民活動支援センター"}]
            return httpx.Response(201, json={**{k: v for k, v in body.items() if k != "to_centers"},
                                             "center_name": "茅ヶ崎市民活動サポートセンター", "status": "open",
                                             "invited": invited, "seats_taken": 0, "materials": []})
        if path.endswith("/materials") or path.endswith("/registrations") or path.endswith("/attendance"):
            return httpx.Response(200, json={})
        if "/materials/" in path:
            return httpx.Response(200, json={"filename": "slides.pdf", "content_type": "application/pdf",
                                             "content": base64.b64encode(PDF).decode()})
        return httpx.Response(200, json={"status": body["status"]})

    def client(self) -> sync_client.HubClient:
        return sync_client.HubClient(base_url="http://hub.test", key=_pair(new_key_pair()[0]),
                                     transport=httpx.MockTransport(self.handler))


@pytest.fixture
def hub(monkeypatch):
    fake = FakeHub()
    monkeypatch.setattr(hub_link, "hub_client", lambda client=None: client or fake.client())
    return fake


_seq = iter(range(1, 10_000))


def feed_item(kind: str, payload: dict) -> FeedItem:
    return FeedItem.objects.create(seq=next(_seq), kind=kind, payload=payload, published_at=timezone.now())


@pytest.fixture
def backing(world):
    """Center A backs にしく (a confirmed relation, as the hub reports it)."""
    services.relation_receive_item(feed_item(referral_wire.RELATION_KIND, {
        "uuid": str(uuid.uuid4()), "backing_center": str(world.a.uuid), "backing_center_name": world.a.name,
        "backed_center": OTHER_CENTER, "backed_center_name": "にしく市民活動支援センター", "backing_declared": True,
        "backed_declared": True, "confirmed_at": timezone.now().isoformat()}))
    return world


def open_values(world, **extra) -> dict:
    starts = timezone.now() + dt.timedelta(days=10)
    return {"center": world.a, "kind": "kenshu", "title": "区センター職員研修 相談対応の基礎",
            "description": "岡部 太郎さんの事例をもとに、インテークの聞き取りを演習します。", "starts_at": starts,
            "ends_at": starts + dt.timedelta(hours=2), "place": "市民協働推進センター 会議室", "online": False,
            "capacity_per_center": 3, "capacity_total": 10, "deadline": starts - dt.timedelta(days=3), **extra}


def invited(world, **extra) -> m.Training:
    """A training にしく's backing center opened to center A, as the feed brings it."""
    starts = timezone.now() + dt.timedelta(days=7)
    return services.training_receive_item(feed_item(wire.TRAINING_KIND, {
        "uuid": str(uuid.uuid4()), "center": OTHER_CENTER, "center_name": "横浜市市民協働推進センター",
        "kind": "joho_kyoyu", "title": "区センター情報共有会議", "description": "各区の相談の傾向を共有します。",
        "starts_at": starts.isoformat(), "ends_at": None, "place": "", "online": True, "capacity_per_center": 2,
        "capacity_total": None, "deadline": (starts - dt.timedelta(days=1)).isoformat(), "status": "open",
        "invited": [{"uuid": str(world.a.uuid), "name": world.a.name}], "seats_taken": 0,
        "materials": [{"uuid": str(uuid.uuid4()), "title": "会議資料", "description": "", "filename": "slides.pdf",
                       "size": len(PDF), "link": ""}], **extra}))


def test_a_training_opens_to_backed_centers_with_its_texts_scrubbed(backing, hub):
    world = backing
    training = services.training_open(acting_user=world.staff_a, **open_values(world))
    ((method, path, body),) = hub.requests
    assert (method, path, set(body)) == ("POST", "/sync/v1/trainings", wire.TRAINING_KEYS)
    assert "岡部" not in json.dumps(body, ensure_ascii=False) and "〔人名〕" in body["description"]
    assert body["to_centers"] == [] and body["capacity_per_center"] == 3
    assert (training.side, training.status, training.center, training.created_by) == (
        "organizer", "open", world.a, world.staff_a)
    assert training.invited_centers == [{"uuid": OTHER_CENTER, "name": "にしく市民活動支援センター"}]
    assert AuditEvent.objects.filter(action="training.open").exists()
    assert not OutboxEntry.objects.filter(entity_type__icontains="training").exists()


@pytest.mark.parametrize(("extra", "field", "code"), [
    ({"kind": "lunch"}, "kind", "invalid"),
    ({"title": " "}, "title", "required"),
    ({"place": "", "online": False}, "place", "required"),
    ({"starts_at": None}, "starts_at", "required"),
    ({"deadline": timezone.now() + dt.timedelta(days=30)}, "deadline", "deadline_after_start"),
    ({"deadline": timezone.now() - dt.timedelta(days=1)}, "deadline", "deadline_past"),
    ({"capacity_total": 0}, "capacity_total", "invalid"),
    ({"to_centers": [str(uuid.uuid4())]}, "to_centers", "not_backed"),
])
def test_bad_trainings_are_refused_with_a_code_and_nothing_is_sent(backing, hub, extra, field, code):
    with pytest.raises(ValidationError) as error:
        services.training_open(acting_user=backing.staff_a, **open_values(backing, **extra))
    assert error.value.error_dict[field][0].code == code
    assert hub.requests == [] and not m.Training.objects.exists()


def test_only_a_backing_centers_staff_open_a_training(world, hub):
    with pytest.raises(ValidationError) as error:
        services.training_open(acting_user=world.staff_a, **open_values(world))
    assert error.value.code == "no_backed_centers"
    with pytest.raises(PermissionDenied):
        services.training_open(acting_user=world.staff_b, **open_values(world))
    assert hub.requests == []


def test_a_backed_center_registers_its_staff_and_only_the_seats_travel(world, hub):
    training = invited(world)
    registration = services.training_register(acting_user=world.staff_a, training=training,
                                              staff_ids=[world.staff_a.pk, world.admin_a.pk], note="1名は途中参加")
    ((_method, path, body),) = hub.requests
    assert path == f"/sync/v1/trainings/{training.uuid}/registrations"
    assert body == {"center": str(world.a.uuid), "seats": 2, "note": "1名は途中参加"}
    assert {p.user for p in registration.participants.all()} == {world.staff_a, world.admin_a}
    assert (registration.center, registration.seats) == (world.a, 2)
    # Over the capacity per center, a user who is not the center's staff: refused here, nothing sent.
    for staff, code in (([world.staff_a.pk, world.admin_a.pk, world.staff_b.pk], "not_staff"),
                        ([world.member_a.pk], "not_staff")):
        with pytest.raises(ValidationError) as error:
            services.training_register(acting_user=world.staff_a, training=training, staff_ids=staff)
        assert error.value.error_dict["staff"][0].code == code
    assert len(hub.requests) == 1
    # The hub refuses (the training filled up meanwhile): a clear message, and nothing changes here.
    hub.refuse = {"status": 409, "code": "training_full", "message": "full"}
    with pytest.raises(ValidationError) as error:
        services.training_register(acting_user=world.staff_a, training=training, staff_ids=[world.staff_a.pk])
    assert error.value.code == "training_full" and error.value.messages == [
        "定員に達しているため、この人数では申し込めません。"]
    registration.refresh_from_db()
    assert registration.seats == 2 and registration.participants.count() == 2
    hub.refuse = None
    cancelled = services.training_register(acting_user=world.staff_a, training=training, staff_ids=[])
    assert cancelled.seats == 0 and not cancelled.participants.exists() and hub.requests[-1][2]["seats"] == 0
    with pytest.raises(ObjectDoesNotExist):
        services.training_register(acting_user=world.staff_b, training=training, staff_ids=[world.staff_b.pk])


def test_registration_closes_at_the_deadline_and_when_cancelled(world, hub):
    training = invited(world)
    m.Training.objects.filter(pk=training.pk).update(deadline=timezone.now() - dt.timedelta(minutes=1))
    training.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.training_register(acting_user=world.staff_a, training=training, staff_ids=[world.staff_a.pk])
    assert error.value.code == "deadline_passed"
    cancelled = invited(world, uuid=str(training.uuid), status="cancelled")
    assert cancelled.pk == training.pk and cancelled.status == "cancelled"
    late_open = invited(world, uuid=str(training.uuid), status="open")  # a late entry: forward only
    assert late_open.status == "cancelled"
    assert hub.requests == []


def test_attendance_flows_back_and_both_sides_count_it_per_fiscal_year(backing, hub):
    world = backing
    # The registering side: center A registered two staff; the organizer counted one attendee.
    training = invited(world)
    registration = services.training_register(acting_user=world.staff_a, training=training,
                                              staff_ids=[world.staff_a.pk, world.admin_a.pk])
    services.attendance_receive_item(feed_item(wire.ATTENDANCE_KIND, {
        "training": str(training.uuid), "center": str(world.a.uuid), "attended": 1}))
    with pytest.raises(ValidationError) as error:
        services.participants_attended(acting_user=world.staff_a, registration=registration,
                                       attended_ids=[world.staff_a.pk])
    assert error.value.code == "not_yet_held"
    m.Training.objects.filter(pk=training.pk).update(starts_at=timezone.now() - dt.timedelta(hours=1),
                                                     deadline=timezone.now() - dt.timedelta(hours=2))
    with pytest.raises(ValidationError) as error:
        services.participants_attended(acting_user=world.staff_a, registration=registration,
                                       attended_ids=[world.staff_b.pk])
    assert error.value.error_dict["attended"][0].code == "not_registered"
    assert services.participants_attended(acting_user=world.staff_a, registration=registration,
                                          attended_ids=[world.staff_a.pk]) == 1
    (year,) = training_selectors.attended_years(user=world.staff_a)
    assert (year.trainings, year.seats, year.attended, year.staff_attended) == (1, 2, 1, 1)
    assert training_selectors.attended_years(user=world.staff_b) == []

    # The organizing side: にしく's seats arrive; the count is refused before the start and over the seats.
    organized = services.training_open(acting_user=world.staff_a, **open_values(world))
    services.registration_receive_item(feed_item(wire.REGISTRATION_KIND, {
        "training": str(organized.uuid), "center": OTHER_CENTER, "center_name": "にしく市民活動支援センター",
        "seats": 3, "note": "", "changed_at": timezone.now().isoformat()}))
    (seats,) = organized.registrations.all()
    with pytest.raises(ValidationError) as error:
        services.attendance_record(acting_user=world.staff_a, training=organized, counts={str(seats.uuid): 2})
    assert error.value.code == "not_yet_held"
    m.Training.objects.filter(pk=organized.pk).update(starts_at=timezone.now() - dt.timedelta(hours=1),
                                                      deadline=timezone.now() - dt.timedelta(hours=2), ends_at=None)
    organized.refresh_from_db()
    sent = len(hub.requests)
    for counts in ({str(seats.uuid): 4}, {str(uuid.uuid4()): 1}, {str(seats.uuid): None}):
        with pytest.raises(ValidationError):
            services.attendance_record(acting_user=world.staff_a, training=organized, counts=counts)
    assert len(hub.requests) == sent
    organized = services.attendance_record(acting_user=world.staff_a, training=organized, counts={str(seats.uuid): 2})
    assert hub.requests[-1][2] == {"attendance": [{"center": OTHER_CENTER, "attended": 2}]}
    assert organized.status == "held" and organized.registrations.get().attended == 2
    (year,) = training_selectors.organizer_years(user=world.staff_a)
    assert [(r["seats"], r["attended"]) for r in year.trainings] == [(3, 2)]
    assert year.centers == [{"center": "にしく市民活動支援センター", "trainings": 1, "seats": 3, "attended": 2}]


def test_materials_are_confirmed_checked_and_downloaded_by_registered_centers(backing, hub):
    world = backing
    organized = services.training_open(acting_user=world.staff_a, **open_values(world))
    hub.requests.clear()

    def attach(**extra):
        values = {"title": "研修スライド", "upload": SimpleUploadedFile("slides.pdf", PDF), "no_personal_data": True,
                  **extra}
        return services.material_attach(acting_user=world.staff_a, training=organized, **values)

    for extra, field, code in (({"no_personal_data": False}, "no_personal_data", "required"),
                               ({"upload": SimpleUploadedFile("slides.exe", b"MZ")}, "file", "file_type"),
                               ({"upload": SimpleUploadedFile("slides.pdf", b"not a pdf")}, "file", "file_type"),
                               ({"upload": SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * wire.MAX_MATERIAL_BYTES)},
                                "file", "too_large"),
                               ({"link": "https://example.jp/a"}, "file", "file_or_link"),
                               ({"upload": None, "link": "http://example.jp/a"}, "link", "invalid")):
        with pytest.raises(ValidationError) as error:
            attach(**extra)
        assert error.value.error_dict[field][0].code == code, extra
    assert hub.requests == [] and not m.TrainingMaterial.objects.exists()
    material = attach()
    (_method, path, body), = hub.requests
    assert path.endswith("/materials") and base64.b64decode(body["content"]) == PDF and body["no_personal_data"]
    assert (material.confirmed_by, material.content_type, material.size) == (world.staff_a, "application/pdf", len(PDF))
    assert services.material_download(acting_user=world.staff_a, material=material)[2] == PDF
    with pytest.raises(ObjectDoesNotExist):
        services.material_download(acting_user=world.staff_b, material=material)

    # An invited node keeps the material's title; the file comes from the hub when downloaded.
    training = invited(world)
    (copy,) = training.materials.all()
    assert (copy.title, bytes(copy.content)) == ("会議資料", b"")
    assert services.material_download(acting_user=world.staff_a, material=copy) == ("slides.pdf", "application/pdf", PDF)
    assert hub.requests[-1][:2] == ("GET", f"/sync/v1/trainings/{training.uuid}/materials/{copy.uuid}")


def test_the_pages_are_for_the_centers_staff(backing, hub, client):
    world = backing
    training = invited(world)
    client.force_login(world.staff_a)
    page = client.get("/trainings/").content.decode()
    assert "区センター情報共有会議" in page and "研修・情報共有会議を開く" in page
    detail = client.get(f"/trainings/{training.uuid}/").content.decode()
    assert "申し込む" in detail and "会議資料" in detail and "申し込むとダウンロードできます" in detail
    refused = client.post(f"/trainings/{training.uuid}/register/", {"staff": [str(world.staff_b.pk)]}, follow=True)
    assert "このセンターの職員を選んでください。" in refused.content.decode()
    assert not m.TrainingRegistration.objects.exists()
    done = client.post(f"/trainings/{training.uuid}/register/", {"staff": [str(world.staff_a.pk)]}, follow=True)
    assert "1人で申し込みました。" in done.content.decode()
    form = client.post("/trainings/new/", {"center": str(world.a.uuid), "kind": "kenshu", "title": "研修",
                                           "starts_at": "2027-13-01T10:00", "deadline": "", "place": "会議室"})
    assert form.status_code == 400 and "開始日時を正しく入力してください。" in form.content.decode()
    assert m.Training.objects.count() == 1
    client.force_login(world.member_a)
    assert client.get("/trainings/").status_code == 403
    client.force_login(world.staff_b)
    assert client.get(f"/trainings/{training.uuid}/").status_code == 404
