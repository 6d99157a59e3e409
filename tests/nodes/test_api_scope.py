"""Every API endpoint × every role: what each user sees, and that nothing of another organization leaks."""

from __future__ import annotations

import pytest

from nodes import models as m

ROLES = ("admin_a", "staff_a", "member_a", "dept_staff", "staff_b")


def visible(world) -> dict[str, dict[str, set]]:
    """Expected uuids per endpoint and role, written out from the fixture's story."""
    a, b = world.rec_a, world.rec_b
    center_a_orgs = {world.a, world.department, world.other_department, world.group_a.organization,
                     world.group_a2.organization}
    center_b_orgs = {world.b, world.group_b.organization, world.rec_b.case.responsible_department}
    staff_a = {
        "groups": {world.group_a, world.group_a2}, "talents": {a.talent}, "events": {a.event},
        "consultations": {a.consultation}, "cases": {a.case, world.other_case}, "needs": {a.need},
        "offers": {a.offer, world.offer_a2}, "organizations": center_a_orgs,
    }
    nothing = dict.fromkeys(staff_a, set())
    return {
        "admin_a": staff_a,
        "staff_a": staff_a,
        "member_a": {**nothing, "groups": {world.group_a}, "offers": {a.offer},
                     "organizations": {world.group_a.organization}},
        "dept_staff": {**nothing, "cases": {a.case}, "needs": {a.need}, "organizations": {world.department}},
        "staff_b": {
            "groups": {world.group_b}, "talents": {b.talent}, "events": {b.event}, "consultations": {b.consultation},
            "cases": {b.case}, "needs": {b.need}, "offers": {b.offer}, "organizations": center_b_orgs,
        },
    }


ENDPOINTS = ("groups", "talents", "events", "consultations", "cases", "needs", "offers", "organizations")


def _all_uuids(client, endpoint) -> set[str]:
    uuids, url = set(), f"/api/v1/{endpoint}/?page_size=200"
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        uuids |= {row["uuid"] for row in body["results"]}
        url = body["next"]
    return uuids


@pytest.mark.parametrize("role", ROLES)
def test_list_shows_exactly_the_records_in_scope(world, api, role):
    client = api(getattr(world, role))
    for endpoint in ENDPOINTS:
        expected = {str(record.uuid) for record in visible(world)[role][endpoint]}
        assert _all_uuids(client, endpoint) == expected, endpoint


@pytest.mark.parametrize("role", ROLES)
def test_detail_is_200_inside_scope_and_404_outside(world, api, role):
    client = api(getattr(world, role))
    for endpoint in ENDPOINTS:
        _check_details(world, client, role, endpoint)


def _check_details(world, client, role, endpoint):
    everything = set().union(*(visible(world)[r][endpoint] for r in ROLES))
    mine = visible(world)[role][endpoint]
    for record in everything:
        response = client.get(f"/api/v1/{endpoint}/{record.uuid}/")
        if record in mine:
            assert response.status_code == 200, (role, endpoint, record)
            assert response.json()["uuid"] == str(record.uuid)
        else:
            assert response.status_code == 404, (role, endpoint, record, response.content)
            assert response.json()["error"]["code"] == "not_found"


def test_anonymous_gets_401_with_a_code(world, api):
    for endpoint in ENDPOINTS:
        response = api().get(f"/api/v1/{endpoint}/")
        assert response.status_code == 401, endpoint
        assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize("role", ROLES)
def test_search_never_reaches_another_center(world, api, role):
    client = api(getattr(world, role))
    for query in ("めだか", "Chigasaki", "団体交流会", "猫", "譲渡会", "手品"):
        for endpoint in ENDPOINTS:
            results = client.get(f"/api/v1/{endpoint}/", {"q": query}).json()["results"]
            allowed = {str(r.uuid) for r in visible(world)[role][endpoint]}
            assert {row["uuid"] for row in results} <= allowed, (role, endpoint, query)


def test_staff_cannot_write_into_another_center(world, api):
    client = api(world.staff_b)
    before = world.a.partners.count()
    response = client.post("/api/v1/organizations/", {"center": str(world.a.uuid), "name": "侵入課",
                                                      "kind": "city_department"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["center"][0]["code"] == "does_not_exist"
    assert world.a.partners.count() == before
    response = client.patch(f"/api/v1/events/{world.rec_a.event.uuid}/", {"title": "x"}, format="json")
    assert response.status_code == 404
    response = client.delete(f"/api/v1/groups/{world.group_a.uuid}/")
    assert response.status_code == 404
    world.rec_a.event.refresh_from_db()
    assert world.rec_a.event.title == "団体交流会"


def test_links_to_another_centers_records_are_refused(world, api):
    response = api(world.staff_a).patch(
        f"/api/v1/events/{world.rec_a.event.uuid}/", {"participants": [str(world.group_b.organization.uuid)]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["participants"][0]["code"] == "does_not_exist"
    assert not world.rec_a.event.participants.exists()


def test_group_member_reads_its_own_group_and_changes_it_only_through_a_change_request(world, api):
    """What the center publishes of a group (its profile, its menu) changes through the center: a
    member's direct edit is refused; わたしの団体's change request is the way (tests/nodes/test_my_group.py)."""
    client = api(world.member_a)
    assert client.get(f"/api/v1/groups/{world.group_a.uuid}/").status_code == 200
    assert client.get(f"/api/v1/groups/{world.group_a2.uuid}/").status_code == 404
    response = client.patch(f"/api/v1/groups/{world.group_a.uuid}/", {"area": "茅ヶ崎市全域"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert client.patch(f"/api/v1/groups/{world.group_a2.uuid}/", {"area": "x"}, format="json").status_code == 404
    response = client.post("/api/v1/offers/", {"group": str(world.group_a.uuid), "title": "出前講座",
                                                "description": "猫の飼い方講座"}, format="json")
    assert response.status_code in (400, 403)
    assert client.delete(f"/api/v1/offers/{world.rec_a.offer.uuid}/").status_code == 403
    assert client.delete(f"/api/v1/offers/{world.offer_a2.uuid}/").status_code == 404
    world.group_a.refresh_from_db()
    assert world.group_a.area != "茅ヶ崎市全域"
    assert m.Offer.objects.filter(group=world.group_a).count() == 1


def test_department_staff_work_on_their_departments_needs_and_cases(world, api):
    client = api(world.dept_staff)
    response = client.post("/api/v1/needs/", {"title": "公園の花壇づくり", "description": "地域と一緒に",
                                               "requester": str(world.department.uuid)}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["center"]["uuid"] == str(world.a.uuid)
    response = client.post("/api/v1/needs/", {"title": "x", "description": "y",
                                               "requester": str(world.other_department.uuid)}, format="json")
    assert response.status_code == 400  # another department is not even visible
    response = client.patch(f"/api/v1/cases/{world.rec_a.case.uuid}/", {"lessons": "早めの事前打ち合わせ"}, format="json")
    assert response.status_code == 200
    assert client.patch(f"/api/v1/cases/{world.other_case.uuid}/", {"lessons": "x"}, format="json").status_code == 404
    assert client.delete(f"/api/v1/cases/{world.rec_a.case.uuid}/").status_code == 403


def test_only_center_admins_delete_center_records(world, api):
    assert api(world.staff_a).delete(f"/api/v1/events/{world.rec_a.event.uuid}/").status_code == 403
    assert api(world.admin_a).delete(f"/api/v1/events/{world.rec_a.event.uuid}/").status_code == 204
    assert api(world.staff_a).get(f"/api/v1/events/{world.rec_a.event.uuid}/").status_code == 404


def test_global_model_permissions_and_superuser_do_not_widen_scope(world, api):
    from django.contrib.auth.models import Permission

    world.staff_b.user_permissions.add(*Permission.objects.filter(content_type__app_label__in=["nodes", "permissions"]))
    world.staff_b.is_superuser = True
    world.staff_b.save()
    assert _all_uuids(api(world.staff_b), "groups") == {str(world.group_b.uuid)}
