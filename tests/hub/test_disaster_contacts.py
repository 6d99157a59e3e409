"""Disaster contacts at the hub (item 5): received only for an open declaration, read only under an
approved, unexpired grant (checked in the query), every read audited without the values, approver ≠
grantee in the database, and closing ends the grants and deletes the contacts outright."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from hub.models import ContactGrant, DisasterContactCopy, Tombstone
from hub.selectors.contacts import disaster_contacts, valid_contact_grants
from hub.services.contacts import contact_grant_approve, contact_grant_request
from hub.services.disasters import disaster_close
from permissions.models import AuditEvent, Role
from permissions.services import membership_grant
from sync.disaster import CONTACT_TYPE, disaster_contact_uuid

from . import payloads, test_disaster
from .test_disaster import declare
from .test_receiver import FakeNode

people, nodes = test_disaster.people, test_disaster.nodes  # fixtures

CANARY = {"contact_name": "雲雀 早苗", "phone": "0467-58-2468", "email": "canary-contact@example.jp"}


@pytest.fixture
def approver(people):
    user = get_user_model().objects.create_user("approver", password="x" * 12)
    membership_grant(acting_user=None, user=user, organization=people[0].memberships.get().organization,
                     role=Role.HUB_ADMIN)
    return user


def contact_entry(node: FakeNode, declaration, *, version=1, op="upsert", group=None, **values):
    group = group or uuid.uuid4()
    payload = payloads.contact(node.center, declaration.uuid, **{"shared_at": timezone.now().isoformat(), **CANARY,
                                                                 **values})
    if op != "upsert":
        payload = payloads.removal(node.center)
    return node.entry(CONTACT_TYPE, payload, op=op, version=version,
                      entity_uuid=disaster_contact_uuid(group_uuid=group, declaration_uuid=declaration.uuid))


@pytest.fixture
def shared(people, nodes, client):
    chigasaki = nodes[0]
    declaration = declare(people[0])
    response = chigasaki.send(client, [contact_entry(chigasaki, declaration)])
    assert response.status_code == 200, response.content
    return declaration


def granted(declaration, grantee, approver, *, hours=24):
    grant = contact_grant_request(acting_user=grantee, declaration=declaration,
                                           reason="避難所運営の協力依頼のため電話する", hours=hours)
    return contact_grant_approve(acting_user=approver, grant=grant)


def test_a_coordinator_without_a_grant_sees_no_contact_in_the_ui_or_the_api(people, shared, client, api):
    coordinator = people[1]
    assert DisasterContactCopy.objects.count() == 1
    grant, contacts = disaster_contacts(user=coordinator, declaration=shared)
    assert (grant, contacts) == (None, [])
    client.force_login(coordinator)
    page = client.get(f"/disasters/{shared.uuid}/contacts/").content.decode()
    assert 'id="no-grant"' in page and CANARY["phone"] not in page and CANARY["contact_name"] not in page
    response = api(coordinator).get(f"/api/v1/disasters/{shared.uuid}/contacts/")
    assert response.status_code == 403 and response.json()["error"]["code"] == "grant_required"
    assert CANARY["phone"] not in response.content.decode()
    # A requested grant shows nothing until someone else approves it.
    contact_grant_request(acting_user=coordinator, declaration=shared, reason="確認", hours=2)
    assert disaster_contacts(user=coordinator, declaration=shared) == (None, [])
    assert AuditEvent.objects.filter(action="hub.disaster_contacts_refused").count() == 4


def test_with_an_approved_grant_the_contacts_show_and_every_read_is_audited_without_values(
        people, approver, shared, client, api):
    coordinator = people[1]
    grant = granted(shared, coordinator, approver)
    client.force_login(coordinator)
    page = client.get(f"/disasters/{shared.uuid}/contacts/").content.decode()
    assert all(value in page for value in CANARY.values())
    body = api(coordinator).get(f"/api/v1/disasters/{shared.uuid}/contacts/").json()
    assert [(c["contact_name"], c["phone"], c["email"]) for c in body["contacts"]] == [tuple(CANARY.values())]
    reads = AuditEvent.objects.filter(action="hub.disaster_contacts_read").order_by("id")
    assert [r.detail["purpose"] for r in reads] == ["page", "api"]
    contact = DisasterContactCopy.objects.get()
    for read in reads:
        assert (read.actor, read.target_uuid) == (coordinator, shared.uuid)
        assert read.detail["grant"] == str(grant.uuid) and read.detail["reason"] == grant.reason
        assert read.detail["contacts"] == [str(contact.entity_uuid)]
    audit_text = json.dumps(list(AuditEvent.objects.values("action", "detail", "target_type")), ensure_ascii=False)
    assert not any(value in audit_text for value in CANARY.values())


def test_the_approver_must_be_someone_else_in_the_service_and_the_database(people, approver, shared):
    coordinator = people[1]
    grant = contact_grant_request(acting_user=coordinator, declaration=shared, reason="確認", hours=2)
    with pytest.raises(ValidationError) as caught:
        contact_grant_approve(acting_user=coordinator, grant=grant)
    assert caught.value.error_list[0].code == "self_approval"
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactGrant.objects.filter(pk=grant.pk).update(approver=coordinator, approved_at=timezone.now())
    assert ContactGrant.objects.get(pk=grant.pk).approver is None
    with pytest.raises(ValidationError) as caught:
        contact_grant_request(acting_user=coordinator, declaration=shared, reason=" ", hours=2)
    assert caught.value.error_dict["reason"][0].code == "required"


def test_an_expired_grant_shows_nothing_because_the_query_compares_the_end(people, approver, shared):
    coordinator = people[1]
    grant = granted(shared, coordinator, approver)
    assert len(disaster_contacts(user=coordinator, declaration=shared)[1]) == 1
    ContactGrant.objects.filter(pk=grant.pk).update(ends_at=timezone.now() - dt.timedelta(seconds=1))
    assert disaster_contacts(user=coordinator, declaration=shared) == (None, [])
    # The end is in the SQL (the database's clock), not a Python check after loading.
    sql = str(valid_contact_grants(user=coordinator, declaration=shared).query)
    assert re.search(r'"hub_contactgrant"\."ends_at" > \(?(STATEMENT_TIMESTAMP|CURRENT_TIMESTAMP)', sql), sql


def test_closing_ends_grants_and_deletes_the_contacts_leaving_no_value_anywhere(people, approver, shared, nodes,
                                                                                client):
    coordinator = people[1]
    granted(shared, coordinator, approver)
    disaster_contacts(user=coordinator, declaration=shared)
    disaster_close(acting_user=people[0], declaration=shared)
    assert not DisasterContactCopy.objects.exists()
    assert not ContactGrant.objects.filter(ends_at__gt=timezone.now()).exists()
    assert disaster_contacts(user=coordinator, declaration=shared) == (None, [])
    assert Tombstone.objects.filter(entity_type=CONTACT_TYPE, op="purge").count() == 1
    close = AuditEvent.objects.get(action="hub.disaster_close")
    assert (close.detail["grants_ended"], close.detail["contacts_purged"]) == (1, 1)
    # A contact sent before the node learned of the close is kept nowhere.
    chigasaki = nodes[0]
    assert chigasaki.send(client, [contact_entry(chigasaki, shared, version=5)]).status_code == 200
    assert not DisasterContactCopy.objects.exists()
    from django.apps import apps
    for model in apps.get_models():
        for row in model.objects.values():
            text = json.dumps(row, ensure_ascii=False, default=str)
            assert not any(value in text for value in CANARY.values()), model


def test_a_contact_for_an_unknown_declaration_or_without_a_way_to_reach_is_refused(people, nodes, client):
    chigasaki = nodes[0]
    declaration = declare(people[0])
    bad = contact_entry(chigasaki, declaration, phone="", email="")
    response = chigasaki.send(client, [bad])
    assert response.status_code == 422 and response.json()["error"]["code"] == "payload_invalid"
    assert CANARY["contact_name"] not in response.content.decode()
    assert not DisasterContactCopy.objects.exists()
