"""The one door: every type registered to leave the node passes the final check in the outbox, so a
projection that forgot to scrub a field is still stopped; public feeds and open-data exports go
through the same door."""

from __future__ import annotations

import dataclasses
import uuid
from types import SimpleNamespace

import pytest
from django.apps import apps

from nodes import services
from sync import outbox, registry
from sync.anonymize import find_known
from sync.models import OutboxEntry
from tests import factories as f

PHONE, PERSON = "0465-22-9876", "久保田 遼"


@pytest.fixture
def known(world):
    services.talent_register(acting_user=world.staff_a, center=world.a, name=PERSON, name_kana="クボタ リョウ",
                             phone=PHONE, skills="篆刻")
    return world


def _record(syncable, center):
    """A stand-in record of the type's model: enough for the outbox (label, uuid, version, center)."""
    model = apps.get_model(syncable.model)
    return SimpleNamespace(_meta=model._meta, uuid=uuid.uuid4(), version=1, center=center, pk=None)


def test_every_registered_type_passes_the_final_check_in_the_outbox(known, monkeypatch):
    leaky = {"center": str(known.a.uuid), "title": f"連絡は{PHONE}まで", "note": f"担当は{PERSON}さん"}
    typed = [t for t in registry.types() if t.model]
    assert {t.entity_type for t in typed} >= {"node_profile", "directory_group", "public_event", "shared_case",
                                             "directory_offer", "study_tour", "tour_case", "tour_lesson",
                                             "center_status", "disaster_need", "disaster_offer",
                                             "commitment_report", "disaster_contact"}
    for syncable in typed:
        # A projection that copies texts as they are: the outbox must still refuse the payload.
        monkeypatch.setitem(registry._BY_MODEL, syncable.model,
                            dataclasses.replace(syncable, project=lambda record: dict(leaky)))
        entry = outbox.record_changed(_record(syncable, known.a))
        if syncable.personal:
            assert entry is not None and entry.op == "upsert"  # a disaster contact: personal by design
        else:
            assert entry is None, syncable.entity_type
    # The types written whole by a service carry counts only, no text a projection could leak.
    assert {t.entity_type for t in registry.types() if not t.model} == {"aggregate_counts", "survey_counts"}


def test_a_clean_payload_of_the_same_types_goes(known, monkeypatch):
    clean = {"center": str(known.a.uuid), "title": "海岸清掃", "note": "雨天中止"}
    for syncable in (t for t in registry.types() if t.model):
        monkeypatch.setitem(registry._BY_MODEL, syncable.model,
                            dataclasses.replace(syncable, project=lambda record: dict(clean)))
        assert outbox.record_changed(_record(syncable, known.a)).op == "upsert", syncable.entity_type


def test_a_public_events_venue_and_texts_leave_scrubbed_on_the_hub_calendar_and_the_public_feed(known, client):
    event = f.event(known.staff_a, known.a, f"{PERSON}さんの篆刻教室", theme="篆刻", is_public=True,
                    venue=f"{PERSON}様宅（{PHONE}）", description=f"申込は{PHONE}へ")
    payload = OutboxEntry.objects.filter(entity_type="public_event", entity_uuid=event.uuid).latest("id").payload
    assert PERSON not in str(payload) and "9876" not in str(payload) and "〔人名〕" in payload["venue"]
    feed = client.get(f"/feeds/{known.a.uuid}/events.ics").content.decode()
    assert "篆刻" in feed and "久保田" not in feed and "9876" not in feed


def test_an_offers_area_and_capacity_go_through_the_door(known):
    services.group_set_consent(acting_user=known.staff_a, group=known.group_a, consent="hub_listing", given=True)
    offer = services.offer_update(acting_user=known.staff_a, offer=known.rec_a.offer, area=f"{PERSON}宅の庭",
                                  capacity=f"問合せ {PHONE}")
    payload = OutboxEntry.objects.filter(entity_type="directory_offer", entity_uuid=offer.uuid).latest("id").payload
    assert PERSON not in str(payload) and "9876" not in str(payload)


# --- the node's known data, read once per change ---------------------------------------------------

def test_known_data_is_read_again_after_every_write_and_only_then(world):
    from nodes.known_data import all_personal_data
    from nodes.models import GroupRegistration

    first = all_personal_data()
    assert all_personal_data() is first  # nothing changed: the same data, its matcher compiled once
    GroupRegistration.objects.filter(pk=world.group_a.pk).update(representative_name="大畑 実")
    second = all_personal_data()
    assert second is not first and "大畑 実" in second.person_names
    # The same row again in the same transaction keeps its xmin: its new version is still seen.
    GroupRegistration.objects.filter(pk=world.group_a.pk).update(representative_name="大畑 稔")
    third = all_personal_data()
    assert "大畑 稔" in third.person_names and "大畑 実" not in third.person_names
    assert {hit.kind for hit in find_known("大畑稔さんが来館", third)} == {"person"}


@pytest.mark.django_db(transaction=True)
def test_known_data_sees_what_another_connection_committed():
    import threading

    from django.contrib.auth import get_user_model
    from django.db import connection

    from nodes.known_data import all_personal_data

    before = all_personal_data()
    assert "大畑 稔" not in before.person_names

    def register_elsewhere():
        try:
            get_user_model().objects.create_user("obata", last_name="大畑", first_name="稔")
        finally:
            connection.close()

    writer = threading.Thread(target=register_elsewhere)
    writer.start()
    writer.join()
    assert "大畑 稔" in all_personal_data().person_names
