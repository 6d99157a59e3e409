"""全国掲載 on a node: staff record a group's consent to the national directory (who and when, audited);
only then do its directory entry and offers carry `national` (through the same door as every other
text that leaves the node), and a withdrawal sends them again without it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from nodes import models as m, services
from permissions.models import AuditEvent
from sync.models import OutboxEntry

from .. import factories as f


def last_payload(entity_type: str, record) -> tuple[str, dict]:
    entry = OutboxEntry.objects.filter(entity_type=entity_type, entity_uuid=record.uuid).order_by("-id").first()
    return entry.op, entry.payload


def consent(world, name: str, given: bool = True, group=None):
    return services.group_set_consent(acting_user=world.staff_a, group=group or world.group_a, consent=name,
                                      given=given)


def test_national_listing_needs_the_hub_listing_and_is_audited(world):
    with pytest.raises(ValidationError) as refused:
        consent(world, "national_listing")
    assert refused.value.error_dict["consent"][0].code == "hub_listing_required"
    consent(world, "hub_listing")
    group = consent(world, "national_listing")
    assert group.consent_national_listing_at is not None
    event = AuditEvent.objects.filter(action="nodes.group_national_listing_consent").get()
    assert event.actor_id == world.staff_a.pk and event.detail == {"given": True}
    # The database holds the rule too.
    with pytest.raises(IntegrityError), transaction.atomic():
        m.GroupRegistration.objects.filter(pk=group.pk).update(consent_hub_listing_at=None)


def test_only_a_nationally_listed_group_and_its_offers_carry_national(world):
    offer = world.rec_a.offer
    consent(world, "hub_listing")
    assert "national" not in last_payload("directory_group", world.group_a)[1]
    assert "national" not in last_payload("directory_offer", offer)[1]
    consent(world, "national_listing")
    op, payload = last_payload("directory_group", world.group_a)
    assert op == "upsert" and payload["national"] is True
    op, payload = last_payload("directory_offer", offer)
    assert op == "upsert" and payload["national"] is True
    for personal in ("杉浦 花子", "0467-00-0000", "cats@example.jp"):
        assert personal not in str(payload)
    # Withdrawn: sent again without it (the prefectural hub then takes them back above).
    consent(world, "national_listing", given=False)
    assert "national" not in last_payload("directory_group", world.group_a)[1]
    op, payload = last_payload("directory_offer", offer)
    assert op == "upsert" and "national" not in payload
    event = AuditEvent.objects.filter(action="nodes.group_national_listing_consent").order_by("-id").first()
    assert event.detail == {"given": False}


def test_withdrawing_the_hub_listing_withdraws_the_national_one(world):
    consent(world, "hub_listing")
    consent(world, "national_listing")
    group = consent(world, "hub_listing", given=False)
    assert group.consent_national_listing_at is None
    assert last_payload("directory_offer", world.rec_a.offer)[0] == "retract"
    with pytest.raises(ValidationError):
        f.group(world.staff_a, world.a, "山の会", consents=["national_listing"])
    listed = f.group(world.staff_a, world.a, "海辺の会", consents=["hub_listing", "national_listing"])
    assert last_payload("directory_group", listed)[1]["national"] is True


def test_the_group_page_records_the_consent_and_says_why_it_is_refused(world, client):
    client.force_login(world.staff_a)
    url = f"/groups/{world.group_a.uuid}/consent/"
    page = client.post(url, {"consent": "national_listing", "given": "1"}, follow=True).content.decode()
    assert "全国ハブの団体一覧に掲載" in page and "先にハブ（県域）への掲載の同意が必要です" in page
    client.post(url, {"consent": "hub_listing", "given": "1"})
    client.post(url, {"consent": "national_listing", "given": "1"})
    world.group_a.refresh_from_db()
    assert world.group_a.consent_national_listing_at is not None
    api = client.post(f"/api/v1/groups/{world.group_a.uuid}/consents/", {"consent": "national_listing", "given": False},
                      content_type="application/json")
    assert api.status_code == 200 and api.json()["consents"]["national_listing"] is None
