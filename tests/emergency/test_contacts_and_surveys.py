"""Disaster contacts and emergency surveys on a node: a contact leaves only for an open declaration
that covers the center of a consenting group — the one outbox entity allowed to carry personal data
— and is purged (here, in the outbox and on the hub) at close or withdrawal; a survey arrives through
the feed, staff record one answer per group, and only counts leave."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from emergency import services
from emergency.models import DisasterContact, EmergencySurvey, SurveyAnswer
from nodes import services as node_services
from permissions.models import AuditEvent, Role
from sync import feed, registry
from sync.disaster import SURVEY_KIND, disaster_contact_uuid
from sync.models import FeedItem, OutboxEntry, Priority, SyncState
from sync.outbox import canonical_json
from tests import factories as f

from . import test_emergency
from .test_emergency import payload, receive

centers = test_emergency.centers  # fixture

CONTACT = {"contact_name": "雲雀 早苗", "contact_phone": "0467-58-2468", "contact_email": "hibari@example.jp"}


@pytest.fixture
def declared(centers):
    declaration = receive(payload(codes=("142077",)))
    chigasaki, odawara, staff_a, staff_b = centers
    group = f.group(staff_a, chigasaki, "海辺の会", consents=["disaster_contact"], **CONTACT)
    return declaration, chigasaki, odawara, staff_a, staff_b, group


def contact_entries(op=None):
    rows = OutboxEntry.objects.filter(entity_type="disaster_contact").order_by("id")
    return list(rows.filter(op=op) if op else rows)


def test_a_consenting_group_shares_its_contact_for_this_declaration_only(declared):
    declaration, chigasaki, _o, staff_a, _b, group = declared
    contact = services.disaster_contact_share(acting_user=staff_a, group=group, declaration=declaration)
    assert contact.uuid == disaster_contact_uuid(group_uuid=group.uuid, declaration_uuid=declaration.uuid)
    [entry] = contact_entries()
    assert (entry.op, entry.priority) == ("upsert", Priority.DISASTER)
    assert entry.payload == {"center": str(chigasaki.uuid), "declaration": str(declaration.uuid),
                             "group_name": "海辺の会", "contact_name": "雲雀 早苗", "phone": "0467-58-2468",
                             "email": "hibari@example.jp", "shared_at": contact.updated_at.isoformat()}
    audit = AuditEvent.objects.get(action="emergency.contact_share")
    assert "0467-58-2468" not in canonical_json(audit.detail).decode()


def test_only_the_contact_type_carries_personal_data_in_the_outbox(declared):
    declaration, chigasaki, _o, staff_a, _b, group = declared
    node_services.group_set_consent(acting_user=staff_a, group=group, consent="hub_listing", given=True)
    services.need_create(acting_user=staff_a, center=chigasaki, declaration=declaration, sector="food",
                         lines=[{"kind": "item", "description": "水", "quantity": 3, "unit": "箱"}],
                         municipality_code="142077", place_name="雲雀 早苗さん宅の前")
    services.disaster_contact_share(acting_user=staff_a, group=group, declaration=declaration)
    PERSONAL_DATA_TYPES = registry.personal_types()
    assert PERSONAL_DATA_TYPES == {"disaster_contact"}
    others = canonical_json([e.payload for e in OutboxEntry.objects.exclude(entity_type__in=PERSONAL_DATA_TYPES)])
    for personal in ("雲雀", "早苗", "0467-58-2468", "hibari@example.jp"):
        assert personal not in others.decode()
    assert "0467-58-2468" in canonical_json(contact_entries()[0].payload).decode()


@pytest.mark.parametrize(("setup", "code"), [
    ("no_consent", "no_consent"),
    ("not_covered", "not_covered"),
    ("closed", "declaration_closed"),
])
def test_no_contact_leaves_without_consent_coverage_or_an_open_declaration(declared, setup, code):
    declaration, chigasaki, odawara, staff_a, staff_b, group = declared
    acting = staff_a
    if setup == "no_consent":
        node_services.group_set_consent(acting_user=staff_a, group=group, consent="disaster_contact", given=False)
    elif setup == "not_covered":
        acting, group = staff_b, f.group(staff_b, odawara, "小田原の会", consents=["disaster_contact"], **CONTACT)
    else:
        declaration = receive({**payload(declaration_uuid=declaration.uuid, version=2, closed=True)})
    with pytest.raises(ValidationError) as caught:
        services.disaster_contact_share(acting_user=acting, group=group, declaration=declaration)
    assert caught.value.error_list[0].code == code
    assert not DisasterContact.objects.exists() and not contact_entries()


def test_staff_of_another_center_cannot_share_a_groups_contact(declared):
    declaration, _c, _o, _a, staff_b, group = declared
    with pytest.raises(PermissionDenied):
        services.disaster_contact_share(acting_user=staff_b, group=group, declaration=declaration)


def test_closing_purges_the_contact_here_and_leaves_no_value_in_the_outbox(declared):
    declaration, _c, _o, staff_a, _b, group = declared
    contact = services.disaster_contact_share(acting_user=staff_a, group=group, declaration=declaration)
    # The first upsert was numbered and acknowledged; an edit is still waiting to be numbered.
    entry = contact_entries()[0]
    OutboxEntry.objects.filter(pk=entry.pk).update(publish_seq=1)
    SyncState.objects.update_or_create(pk=1, defaults={"last_published_seq": 1, "last_acked_seq": 1})
    services.disaster_contact_share(acting_user=staff_a, group=group, declaration=declaration, phone="0467-11-2222")
    receive(payload(declaration_uuid=declaration.uuid, version=2, codes=("142077",), closed=True))
    assert not DisasterContact.objects.exists()
    entries = contact_entries()
    # The unsent edit never leaves; the sent upsert, emptied, becomes a retraction (a hub restored
    # from a backup may ask for it again and would refuse an upsert without its values).
    assert [e.op for e in entries] == ["retract", "purge"]
    assert entries[0].payload == {"center": str(contact.center.uuid)}
    text = canonical_json([e.payload for e in OutboxEntry.objects.all()]).decode()
    assert "0467-58-2468" not in text and "0467-11-2222" not in text and "雲雀" not in text
    assert AuditEvent.objects.filter(action="emergency.contact_purge").count() == 1


def test_withdrawing_the_consent_purges_and_an_area_change_retracts(declared):
    declaration, _c, _o, staff_a, _b, group = declared
    services.disaster_contact_share(acting_user=staff_a, group=group, declaration=declaration)
    OutboxEntry.objects.filter(entity_type="disaster_contact").update(publish_seq=1)
    receive(payload(declaration_uuid=declaration.uuid, version=2, codes=("142069",)))  # 茅ヶ崎 no longer covered
    assert [e.op for e in contact_entries()] == ["upsert", "retract"]
    node_services.group_set_consent(acting_user=staff_a, group=group, consent="disaster_contact", given=False)
    assert [e.op for e in contact_entries()] == ["upsert", "retract", "purge"]
    assert not DisasterContact.objects.exists()


# --- surveys ----------------------------------------------------------------------------------------

QUESTIONS = [
    {"key": "impact", "text": "活動への影響", "kind": "single",
     "options": [{"key": "none", "label": "影響なし"}, {"key": "stopped", "label": "休止"}]},
    {"key": "support", "text": "必要な支援", "kind": "multiple",
     "options": [{"key": "money", "label": "資金"}, {"key": "place", "label": "活動場所"}]},
    {"key": "days", "text": "休止した日数", "kind": "number", "options": []},
]

_seq = iter(range(5000, 9000))


def survey_item(declaration, *, version=1, survey_uuid=None, questions=QUESTIONS, **extra) -> FeedItem:
    body = {"uuid": str(survey_uuid or uuid.uuid4()), "declaration": str(declaration.uuid), "title": "活動状況の緊急調査",
            "questions": questions, "version": version, "created_at": timezone.now().isoformat(), **extra}
    return FeedItem.objects.create(seq=next(_seq), kind=SURVEY_KIND, payload=body, published_at=timezone.now())


@pytest.fixture
def survey(declared):
    feed.dispatch(survey_item(declared[0]))
    return EmergencySurvey.objects.get()


def test_a_survey_arrives_through_the_feed_and_only_a_newer_version_changes_it(declared, survey):
    assert survey.questions == QUESTIONS and survey.declaration == declared[0]
    feed.dispatch(survey_item(declared[0], survey_uuid=survey.uuid, questions=QUESTIONS[:1]))  # same version
    assert EmergencySurvey.objects.get().questions == QUESTIONS
    feed.dispatch(survey_item(declared[0], survey_uuid=survey.uuid, version=2, questions=QUESTIONS[:1]))
    assert EmergencySurvey.objects.get().questions == QUESTIONS[:1]
    # A malformed survey is logged and skipped; it changes nothing.
    feed.dispatch(survey_item(declared[0], questions=[{"key": "x", "text": "", "kind": "single", "options": []}]))
    assert EmergencySurvey.objects.count() == 1


def test_answers_aggregate_into_counts_and_only_counts_leave(declared, survey):
    declaration, chigasaki, _o, staff_a, _b, group = declared
    other = f.group(staff_a, chigasaki, "子ども食堂")
    third = f.group(staff_a, chigasaki, "見守り隊")
    services.survey_answer(acting_user=staff_a, survey=survey, group=group,
                           answers={"impact": "stopped", "support": ["money", "place"], "days": 14})
    services.survey_answer(acting_user=staff_a, survey=survey, group=other,
                           answers={"impact": "stopped", "support": ["money"], "days": 3})
    services.survey_answer(acting_user=staff_a, survey=survey, group=third,
                           answers={"impact": "none", "support": ["place"], "days": 0})
    entries = list(OutboxEntry.objects.filter(entity_type="survey_counts").order_by("id"))
    assert len(entries) == 3 and entries[-1].version > entries[0].version
    assert entries[-1].priority == Priority.DISASTER
    assert entries[-1].payload == {
        "center": str(chigasaki.uuid), "survey": str(survey.uuid), "declaration": str(declaration.uuid),
        "respondents": 3, "questions": {"impact": {"options": {"none": 1, "stopped": 2}},
                                        "support": {"options": {"money": 2, "place": 2}},
                                        "days": {"sum": 17, "answered": 3}}}
    text = canonical_json([e.payload for e in entries]).decode()
    assert "海辺の会" not in text and str(group.uuid) not in text


def test_a_survey_the_hub_closed_takes_no_more_answers(declared, survey, client):
    declaration, chigasaki, _o, staff_a, _b, group = declared
    closed_at = timezone.now()
    feed.dispatch(survey_item(declaration, survey_uuid=survey.uuid, version=2, closed_at=closed_at.isoformat()))
    survey.refresh_from_db()
    assert survey.closed_at == closed_at
    with pytest.raises(ValidationError) as caught:
        services.survey_answer(acting_user=staff_a, survey=survey, group=group,
                               answers={"impact": "none", "support": ["money"], "days": 1})
    assert caught.value.error_list[0].code == "survey_closed"
    assert not SurveyAnswer.objects.exists() and not OutboxEntry.objects.filter(entity_type="survey_counts").exists()
    client.force_login(staff_a)
    survey_url = f"/emergency/surveys/{survey.uuid}/centers/{chigasaki.uuid}/"
    page = client.get(survey_url).content.decode()
    assert 'id="survey-closed"' in page and "<form" not in page.split("<main", 1)[1]
    refused = client.post(survey_url, {"group": str(group.uuid), "q_impact": "none", "q_support": ["money"],
                                       "q_days": "2"})
    assert refused.status_code == 400 and "このアンケートは締め切られました。" in refused.content.decode()
    assert "締切済み" in client.get("/emergency/").content.decode()
    # An older version arriving late (a re-delivery) does not reopen it.
    feed.dispatch(survey_item(declaration, survey_uuid=survey.uuid, version=1))
    assert EmergencySurvey.objects.get().closed_at == closed_at


@pytest.mark.parametrize(("answers", "field", "code"), [
    ({"impact": "maybe", "support": ["money"], "days": 1}, "q_impact", "unknown_option"),
    ({"impact": "none", "support": ["money", "gold"], "days": 1}, "q_support", "unknown_option"),
    ({"impact": "none", "support": [], "days": 1}, "q_support", "required"),
    ({"impact": "none", "support": ["money"], "days": -2}, "q_days", "invalid_number"),
    ({"impact": "none", "support": ["money"]}, "q_days", "required"),
    ({"impact": "none", "support": ["money"], "days": 1, "extra": 1}, "answers", "unknown_question"),
])
def test_bad_answers_are_refused_with_a_clear_error_and_change_nothing(declared, survey, answers, field, code):
    staff_a, group = declared[3], declared[5]
    with pytest.raises(ValidationError) as caught:
        services.survey_answer(acting_user=staff_a, survey=survey, group=group, answers=answers)
    assert caught.value.error_dict[field][0].code == code
    assert not SurveyAnswer.objects.exists() and not OutboxEntry.objects.filter(entity_type="survey_counts").exists()


def test_one_answer_per_group_in_the_service_and_the_database(declared, survey):
    staff_a, group = declared[3], declared[5]
    answers = {"impact": "none", "support": ["money"], "days": 1}
    services.survey_answer(acting_user=staff_a, survey=survey, group=group, answers=answers)
    with pytest.raises(ValidationError) as caught:
        services.survey_answer(acting_user=staff_a, survey=survey, group=group, answers=answers)
    assert caught.value.error_dict["group"][0].code == "already_answered"
    assert SurveyAnswer.objects.count() == 1
    assert OutboxEntry.objects.filter(entity_type="survey_counts").count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyAnswer.objects.create(survey=survey, center=group.center, group=group, answers=answers)


def test_a_center_not_covered_cannot_answer_and_other_staff_cannot_record(declared, survey):
    _d, _c, odawara, staff_a, staff_b, group = declared
    with pytest.raises(PermissionDenied):
        services.survey_answer(acting_user=staff_b, survey=survey, group=group,
                               answers={"impact": "none", "support": ["money"], "days": 1})
    elsewhere = f.group(staff_b, odawara, "小田原の会")
    with pytest.raises(ValidationError) as caught:
        services.survey_answer(acting_user=staff_b, survey=survey, group=elsewhere,
                               answers={"impact": "none", "support": ["money"], "days": 1})
    assert caught.value.error_list[0].code == "not_covered"
    assert f.member("viewer", odawara, Role.CENTER_STAFF)


def test_staff_share_a_contact_and_record_an_answer_on_the_tablet_pages(declared, survey, client):
    declaration, chigasaki, _o, staff_a, _b, group = declared
    client.force_login(staff_a)
    dashboard = client.get("/emergency/").content.decode()
    assert f'data-survey="{survey.uuid}"' in dashboard and "災害時の連絡先" in dashboard
    url = f"/emergency/{declaration.uuid}/centers/{chigasaki.uuid}/contacts/"
    assert f'data-group="{group.uuid}"' in client.get(url).content.decode()
    response = client.post(url, {"group": str(group.uuid), "phone": "0467-33-4444"})
    assert response.status_code == 302
    assert DisasterContact.objects.get().phone == "0467-33-4444"
    page = client.get(url).content.decode()
    assert "0467-33-4444" in page
    assert AuditEvent.objects.filter(action="disastercontact.read_personal").exists()
    survey_url = f"/emergency/surveys/{survey.uuid}/centers/{chigasaki.uuid}/"
    bad = client.post(survey_url, {"group": str(group.uuid), "q_impact": "maybe", "q_support": ["money"],
                                   "q_days": "2"})
    assert bad.status_code == 400 and "選択肢にない回答です。" in bad.content.decode()
    assert not SurveyAnswer.objects.exists()
    ok = client.post(survey_url, {"group": str(group.uuid), "q_impact": "none", "q_support": ["money", "place"],
                                  "q_days": "2"})
    assert ok.status_code == 302
    assert SurveyAnswer.objects.get().answers == {"impact": "none", "support": ["money", "place"], "days": 2}
    assert 'data-answered="1"' in client.get(survey_url).content.decode()


def test_a_group_no_longer_active_has_its_contact_retracted(declared):
    declaration, _c, _o, staff_a, _b, group = declared
    services.disaster_contact_share(acting_user=staff_a, group=group, declaration=declaration)
    OutboxEntry.objects.filter(entity_type="disaster_contact").update(publish_seq=1)
    node_services.group_update(acting_user=staff_a, group=group, status="suspended")
    assert [e.op for e in contact_entries()] == ["upsert", "retract"]


def test_a_disaster_contacts_values_are_known_personal_data_of_the_node(declared):
    # Built from every model's PERSONAL_FIELDS: a contact given only for the disaster (not the
    # group's registered one) is as much the node's personal data as the registration's.
    from nodes.known_data import all_personal_data

    declaration, _c, _o, staff_a, _b, group = declared
    services.disaster_contact_share(acting_user=staff_a, group=group, declaration=declaration,
                                    contact_name="鶴見 透", phone="0467-31-9087", email="tsurumi.t@example.jp")
    known = all_personal_data()
    assert "鶴見 透" in known.person_names and "0467-31-9087" in known.phones
    assert "tsurumi.t@example.jp" in known.emails
