"""The national tier on one hub: enrolling prefectural hubs (national hub only, a prefecture's code),
a prefectural hub's partition, and what a prefectural hub writes to its upward outbox."""

from __future__ import annotations

import base64

import pytest
from django.core.exceptions import ValidationError

from hub.models import Node, NodeKind
from hub.services import enrollment, upward
from hub.services.receiver import within_area
from sync.models import OutboxEntry
from sync.signing import new_key_pair

from .payloads import party
from .test_case_library import case_entry, send_ok
from .test_receiver import FakeNode


def _key() -> str:
    return base64.b64encode(new_key_pair()[1]).decode()


def test_only_a_national_hub_enrolls_prefectural_hubs_and_only_with_a_prefectures_code(db, settings):
    with pytest.raises(ValidationError) as refused:
        enrollment.prefectural_hub_enroll(acting_user=None, name="神奈川県 協働ハブ", prefecture_code="140007",
                                          public_key=_key())
    assert refused.value.error_dict["kind"][0].code == "not_national"
    settings.KYODO_HUB_LEVEL = "national"
    with pytest.raises(ValidationError) as refused:
        enrollment.prefectural_hub_enroll(acting_user=None, name="茅ヶ崎", prefecture_code="142077", public_key=_key())
    assert refused.value.error_dict["municipality_code"][0].code == "not_a_prefecture"
    assert not Node.objects.exists()
    hub = enrollment.prefectural_hub_enroll(acting_user=None, name="神奈川県 協働ハブ", prefecture_code="140007",
                                            public_key=_key())
    assert (hub.kind, hub.slug) == (NodeKind.PREFECTURAL_HUB, "pref-14")
    # A prefectural hub speaks for every municipality of its prefecture, and for no other.
    assert within_area(hub, "142077") and within_area(hub, "141038") and not within_area(hub, "221015")


def test_the_national_recheck_finds_contacts_a_scrubbed_case_still_carries():
    assert upward.recheck({"title": "海岸清掃", "summary": "〔人名〕さんが企画した。", "parties": []}) == {}
    found = upward.recheck({"title": "海岸清掃", "summary": "連絡は 0467-12-3456 まで", "lessons": "",
                            "parties": [{"contribution": "info@example.jp に申込", "name": None}]})
    assert found == {"phone": 1, "email": 1}


@pytest.fixture
def chigasaki(db):
    return FakeNode("chigasaki", "142077")


def test_a_prefectural_hub_passes_up_profiles_and_national_cases_only(chigasaki, client, settings):
    settings.KYODO_PARENT_HUB_URL = "http://national.invalid"
    profile = chigasaki.profile()
    national, local, leaky = (case_entry(chigasaki, reach=reach, parties=[party()], **extra) for reach, extra in (
        ("national", {}), ("prefecture", {}), ("national", {"summary": "電話 0467-12-3456"})))
    send_ok(chigasaki, client, [profile, national, local, leaky])
    sent = list(OutboxEntry.objects.order_by("id").values_list("entity_type", "entity_uuid", "op"))
    assert [(t, str(u), op) for t, u, op in sent] == [
        ("node_profile", str(chigasaki.center), "upsert"), ("shared_case", national["uuid"], "upsert")]
    # Taken back to the prefecture: retracted above; the prefecture-only case never had anything to retract.
    back = case_entry(chigasaki, reach="prefecture", parties=[party()], version=2, entity_uuid=national["uuid"])
    send_ok(chigasaki, client, [back, case_entry(chigasaki, op="retract", version=2, entity_uuid=local["uuid"])])
    assert list(OutboxEntry.objects.order_by("id").values_list("op", flat=True)) == ["upsert", "upsert", "retract"]


def test_without_a_parent_nothing_enters_the_outbox(chigasaki, client):
    profile = chigasaki.profile()
    send_ok(chigasaki, client, [profile, case_entry(chigasaki, reach="national", parties=[party()])])
    assert not OutboxEntry.objects.exists()


def test_a_hub_given_a_parent_later_passes_up_what_it_already_held_once(chigasaki, client, settings):
    """Cases shared 全国 before the hub had a national hub went nowhere; once it has one, the step
    before its first push writes them (and their center) to the upward outbox as the receiver would
    have, and neither a second push nor a second run writes anything again."""
    profile = chigasaki.profile()
    national, local = (case_entry(chigasaki, reach=reach, parties=[party()]) for reach in ("national", "prefecture"))
    send_ok(chigasaki, client, [profile, national, local])
    assert not OutboxEntry.objects.exists()
    assert upward.backfill_once() == 0  # still no parent: nothing, and nothing remembered

    settings.KYODO_PARENT_HUB_URL = "http://national.invalid"
    assert upward.backfill_once() == 2
    sent = list(OutboxEntry.objects.order_by("id").values_list("entity_type", "entity_uuid", "op", "version"))
    assert [(t, str(u), op) for t, u, op, _v in sent] == [
        ("node_profile", str(chigasaki.center), "upsert"), ("shared_case", national["uuid"], "upsert")]
    entry = OutboxEntry.objects.get(entity_type="shared_case")
    # The payload the node sent, rebuilt from the hub's copy: the national hub's receiver takes it as is.
    expected = {**national["payload"], "fields": sorted(national["payload"]["fields"])}  # kept sorted here
    assert entry.version == national["version"] and entry.payload == expected
    assert upward.backfill_once() == 0 and upward.backfill() == {"node_profile": 0, "shared_case": 0}
    # A newer version arriving afterwards goes up through the receiver, not again through the backfill.
    send_ok(chigasaki, client, [case_entry(chigasaki, reach="national", parties=[party()], version=2,
                                           entity_uuid=national["uuid"])])
    assert OutboxEntry.objects.filter(entity_type="shared_case").count() == 2
    assert upward.backfill() == {"node_profile": 0, "shared_case": 0}
