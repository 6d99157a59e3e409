"""Bad input to every create and update endpoint: 400 with field errors and codes, and nothing written."""

from __future__ import annotations

import pytest

from nodes import models as m
from permissions.models import AuditEvent, Organization


def _snapshot():
    """Row counts and versions of everything a write could touch."""
    models = [m.GroupRegistration, m.TalentVolunteer, m.Event, m.Consultation, m.CollaborationCase, m.CaseParty,
              m.Need, m.Offer, Organization, AuditEvent]
    counts = {model.__name__: model.objects.count() for model in models}
    versions = {
        model.__name__: sorted(model.objects.values_list("uuid", "version"))
        for model in models if hasattr(model, "version")
    }
    return counts, versions


# endpoint → (invalid create payload, {field: code}) ; payloads are built from the world.
CREATE_CASES = {
    "groups": (lambda w: {"name": "", "corporate_number": "1234567890123", "member_count": -3,
                          "contact_email": "not-an-email", "activity_fields": [21]},
               {"name": "blank", "member_count": "min_value", "contact_email": "invalid",
                "activity_fields": "does_not_exist"}),
    "talents": (lambda w: {"name": "山田", "skills": "", "email": "x@"}, {"skills": "blank", "email": "invalid"}),
    "events": (lambda w: {"title": "交流会", "kind": "party", "starts_at": "昨日"},
               {"kind": "invalid_choice", "starts_at": "invalid"}),
    "consultations": (lambda w: {"topic": "", "channel": "fax"}, {"topic": "blank", "channel": "invalid_choice"}),
    "cases": (lambda w: {"title": "事例", "summary": "概要", "form": "kyosai", "fiscal_year_start": "H26"},
              {"fiscal_year_start": "invalid"}),
    "needs": (lambda w: {"title": "種", "description": "", "requester": "00000000-0000-0000-0000-000000000000"},
              {"description": "blank", "requester": "does_not_exist"}),
    "offers": (lambda w: {"group": str(w.group_a.uuid), "title": "", "description": "d"}, {"title": "blank"}),
    "organizations": (lambda w: {"name": "新しい課", "kind": "center"}, {"kind": "invalid_choice"}),
}

# Values that parse but break a domain rule enforced by the service (and the database).
SERVICE_RULE_CASES = {
    "groups": ({"name": "新団体", "corporate_number": "1234567890123"}, "corporate_number", "invalid_corporate_number"),
    "events": ({"title": "中止回", "kind": "festival", "starts_at": "2021-08-01T10:00:00+09:00",
                "status": "cancelled"}, "cancellation_reason", "reason_required"),
    "cases": ({"title": "赤字", "summary": "s", "form": "itaku", "fiscal_year_start": 2020, "total_cost": 100,
               "city_share": 200}, "city_share", "city_share_exceeds_total"),
    "talents": ({"name": "佐藤", "name_kana": "Sato", "skills": "折り紙"}, "name_kana", "not_katakana"),
    "organizations": ({"name": "藤沢市", "kind": "city_department", "municipality_code": "142052"},
                      "municipality_code", "invalid_check_digit"),
}


@pytest.mark.parametrize("endpoint", sorted(CREATE_CASES))
def test_invalid_create_is_400_with_field_codes_and_writes_nothing(world, api, endpoint):
    payload, expected = CREATE_CASES[endpoint]
    before = _snapshot()
    response = api(world.staff_a).post(f"/api/v1/{endpoint}/", payload(world), format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    for field, code in expected.items():
        assert field in error["fields"], (field, error)
        assert code in {item["code"] for item in error["fields"][field]}, (field, error["fields"][field])
    assert _snapshot() == before


@pytest.mark.parametrize("endpoint", sorted(SERVICE_RULE_CASES))
def test_domain_rules_are_400_with_their_code_and_write_nothing(world, api, endpoint):
    payload, field, code = SERVICE_RULE_CASES[endpoint]
    before = _snapshot()
    response = api(world.staff_a).post(f"/api/v1/{endpoint}/", payload, format="json")
    assert response.status_code == 400, response.content
    assert code in {item["code"] for item in response.json()["error"]["fields"][field]}
    assert _snapshot() == before


UPDATE_CASES = {
    "groups": (lambda w: w.group_a, {"renewal_due": "2000-01-01"}, "renewal_due"),
    "talents": (lambda w: w.rec_a.talent, {"skills": ""}, "skills"),
    "events": (lambda w: w.rec_a.event, {"ends_at": "2000-01-01T00:00:00+09:00"}, "ends_at"),
    "consultations": (lambda w: w.rec_a.consultation, {"channel": "pigeon"}, "channel"),
    "cases": (lambda w: w.rec_a.case, {"fiscal_year_end": 2000}, "fiscal_year_end"),
    "needs": (lambda w: w.rec_a.need, {"status": "done"}, "status"),
    "offers": (lambda w: w.rec_a.offer, {"description": ""}, "description"),
    "organizations": (lambda w: w.department, {"name": ""}, "name"),
}


@pytest.mark.parametrize("endpoint", sorted(UPDATE_CASES))
@pytest.mark.parametrize("method", ["patch", "put"])
def test_invalid_update_is_400_and_leaves_the_record_as_it_was(world, api, endpoint, method):
    record_of, payload, field = UPDATE_CASES[endpoint]
    record = record_of(world)
    before = _snapshot()
    client = api(world.staff_a)
    response = getattr(client, method)(f"/api/v1/{endpoint}/{record.uuid}/", payload, format="json")
    assert response.status_code == 400, response.content
    if method == "patch":
        assert field in response.json()["error"]["fields"]
    assert _snapshot() == before


def test_case_parties_are_validated_whole(world, api):
    before = _snapshot()
    response = api(world.staff_a).patch(f"/api/v1/cases/{world.rec_a.case.uuid}/", {"parties": [
        {"organization": str(world.group_a.organization.uuid), "role": "lead"},
        {"organization": str(world.group_a.organization.uuid), "role": "partner"},
    ]}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["parties"][0]["code"] == "duplicate"
    assert _snapshot() == before


def test_consultation_steps_only_move_forward(world, api):
    client = api(world.staff_a)
    url = f"/api/v1/consultations/{world.rec_a.consultation.uuid}/"
    response = client.patch(url, {"step": "closed"}, format="json")
    assert response.status_code == 200  # `step` is not an input field: ignored, not applied
    assert response.json()["step"] == "intake"
    steps = [client.post(url + "advance/", {"note": "記録"}, format="json").json()["step"] for _ in range(3)]
    assert steps == ["coordinate", "closing", "closed"]
    response = client.post(url + "advance/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["step"][0]["code"] == "already_closed"


def test_malformed_json_is_400_not_500(world, api):
    response = api(world.staff_a).generic("POST", "/api/v1/groups/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
