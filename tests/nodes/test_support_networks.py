"""Intermediate support networks on the node (issue 17 item 5): members of three sorts, counts by kind
computed in the database, the derived member count (never typed), the staff pages, needs and offers
posted on behalf of a member, and what the hub may see (counts only, under the listing consent)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from nodes import csvio, models as m, services, support_networks
from permissions.models import AuditEvent, OrganizationKind
from sync.models import OutboxEntry
from sync.outbox import canonical_json

from .. import factories as f


def _codes(error: ValidationError) -> dict[str, set[str]]:
    return {field: {e.code for e in errors} for field, errors in error.error_dict.items()}


@pytest.fixture
def net(world):
    """A 中間支援組織 of center A with a network: two registered groups, a company, a school, 5 individuals."""
    group = f.group(world.staff_a, world.a, "ちがさき福祉ネットワーク", kind=OrganizationKind.INTERMEDIATE_SUPPORT,
                    legal_form=m.LegalForm.NPO, activity_fields=f.fields(1, 2))
    network = services.network_open(acting_user=world.staff_a, group=group)
    add = services.network_member_add_organization
    members = {
        "cats": services.network_member_add_group(acting_user=world.staff_a, network=network, group=world.group_a,
                                                  joined_on=dt.date(2024, 4, 1)),
        "art": services.network_member_add_group(acting_user=world.staff_a, network=network, group=world.group_a2),
        "company": add(acting_user=world.staff_a, network=network, name="湘南みらい電機株式会社", kind="company",
                       municipality="茅ヶ崎市"),
        "school": add(acting_user=world.staff_a, network=network, name="県立海岸高校", kind="school"),
    }
    services.network_set_individuals(acting_user=world.staff_a, network=network, individuals=5)
    network.refresh_from_db()
    return network, group, members


def test_counts_by_kind_are_computed_from_the_members_and_the_group_count_follows(world, net):
    network, group, members = net
    counts = support_networks.counts_of(network)
    # group_a is a 任意団体 (the default legal form), group_a2 an NPO法人.
    assert counts.by_kind == {"npo": 1, "voluntary": 1, "company": 1, "school": 1}
    assert (counts.organizations, counts.individuals, counts.total) == (4, 5, 9)
    group.refresh_from_db()
    assert group.member_count == 9
    services.network_member_leave(acting_user=world.staff_a, member=members["company"])
    group.refresh_from_db()
    assert support_networks.counts_of(network).by_kind == {"npo": 1, "voluntary": 1, "school": 1}
    assert group.member_count == 8
    # The membership keeps its history: the row stays, with the day it left.
    members["company"].refresh_from_db()
    assert members["company"].left_on == dt.date.today()


def test_counts_of_many_networks_take_one_query(world, net, django_assert_num_queries):
    network, _group, _members = net
    with django_assert_num_queries(1):
        support_networks.member_counts([network])


def test_the_database_refuses_a_second_active_membership_of_one_group(world, net):
    network, _group, members = net
    with pytest.raises(IntegrityError), transaction.atomic():
        m.NetworkMember.objects.create(center=world.a, network=network, group=world.group_a, joined_on=dt.date.today())
    with pytest.raises(IntegrityError), transaction.atomic():  # a registered group carries no name of its own
        m.NetworkMember.objects.create(center=world.a, network=network, group=world.group_b, name="別名",
                                       joined_on=dt.date.today())
    with pytest.raises(IntegrityError), transaction.atomic():  # another organization needs its kind
        m.NetworkMember.objects.create(center=world.a, network=network, name="名前だけ", joined_on=dt.date.today())
    # Once it left, it may join again: the old row is history.
    services.network_member_leave(acting_user=world.staff_a, member=members["cats"])
    again = services.network_member_add_group(acting_user=world.staff_a, network=network, group=world.group_a)
    assert again.pk != members["cats"].pk
    assert network.members.filter(group=world.group_a).count() == 2


@pytest.mark.parametrize(("call", "field", "code"), [
    (lambda w, n: services.network_member_add_group(acting_user=w.staff_a, network=n, group=w.group_a),
     "group", "duplicate"),
    (lambda w, n: services.network_member_add_group(acting_user=w.staff_a, network=n, group=n.group),
     "group", "self_member"),
    (lambda w, n: services.network_member_add_group(acting_user=w.staff_a, network=n, group=w.group_b),
     "group", "other_center"),
    (lambda w, n: services.network_member_add_organization(acting_user=w.staff_a, network=n, name="県立海岸高校",
                                                           kind="school"), "name", "duplicate"),
    (lambda w, n: services.network_member_add_organization(acting_user=w.staff_a, network=n, name="某社",
                                                           kind="yakuza"), "kind", "invalid_choice"),
    (lambda w, n: services.network_member_add_organization(acting_user=w.staff_a, network=n, name="  ",
                                                           kind="company"), "name", "required"),
    (lambda w, n: services.network_set_individuals(acting_user=w.staff_a, network=n, individuals=-1),
     "individuals", "invalid_count"),
    (lambda w, n: services.network_set_individuals(acting_user=w.staff_a, network=n, individuals="5"),
     "individuals", "invalid_count"),
    (lambda w, n: services.network_open(acting_user=w.staff_a, group=w.group_a), "group", "not_intermediate_support"),
])
def test_bad_input_is_refused_with_its_code_and_changes_nothing(world, net, call, field, code):
    network, group, _members = net
    before = (m.NetworkMember.objects.count(), AuditEvent.objects.count(), OutboxEntry.objects.count(),
              m.SupportNetwork.objects.get().version, m.SupportNetwork.objects.get().individuals)
    with pytest.raises(ValidationError) as refused:
        call(world, network)
    assert code in _codes(refused.value)[field]
    assert (m.NetworkMember.objects.count(), AuditEvent.objects.count(), OutboxEntry.objects.count(),
            m.SupportNetwork.objects.get().version, m.SupportNetwork.objects.get().individuals) == before


def test_a_member_cannot_leave_before_it_joined_nor_twice(world, net):
    _network, _group, members = net
    with pytest.raises(ValidationError) as refused:
        services.network_member_leave(acting_user=world.staff_a, member=members["cats"], left_on=dt.date(2020, 1, 1))
    assert "left_before_joined" in _codes(refused.value)["left_on"]
    services.network_member_leave(acting_user=world.staff_a, member=members["cats"])
    with pytest.raises(ValidationError) as refused:
        services.network_member_leave(acting_user=world.staff_a, member=members["cats"])
    assert "already_left" in _codes(refused.value)["member"]


def test_only_the_centers_staff_change_a_network(world, net):
    network, _group, _members = net
    for outsider in (world.staff_b, world.dept_staff, world.member_a):
        with pytest.raises(PermissionDenied):
            services.network_set_individuals(acting_user=outsider, network=network, individuals=1)
    assert m.SupportNetwork.objects.get().individuals == 5


def test_each_change_is_audited(world, net):
    actions = list(AuditEvent.objects.filter(action__startswith="networkmember.").values_list("action", flat=True))
    assert actions.count("networkmember.create") == 4
    assert AuditEvent.objects.filter(action="supportnetwork.update", actor=world.staff_a).exists()


# --- the member count is never typed for a network ---------------------------------------------------


def test_a_typed_member_count_is_refused_for_a_network(world, net):
    _network, group, _members = net
    with pytest.raises(ValidationError) as refused:
        f.group(world.staff_a, world.a, "もうひとつのネットワーク", kind=OrganizationKind.INTERMEDIATE_SUPPORT,
                member_count=36)
    assert "computed_for_network" in _codes(refused.value)["member_count"]
    with pytest.raises(ValidationError) as refused:
        services.group_update(acting_user=world.staff_a, group=group, member_count=100)
    assert "computed_for_network" in _codes(refused.value)["member_count"]
    # The count it already shows may come back unchanged (an API client sending the whole record).
    services.group_update(acting_user=world.staff_a, group=group, member_count=9, area="茅ヶ崎市全域")
    # Other groups still type theirs.
    services.group_update(acting_user=world.staff_a, group=world.group_a, member_count=12)


def test_the_csv_import_names_the_row_and_column_of_a_typed_network_count(world):
    raw = ("団体名,種別,会員数\n"
           "海辺の清掃隊,市民活動団体,12\n"
           "ちがさき子育てネットワーク,中間支援組織,52\n").encode()
    with pytest.raises(csvio.ImportRejected) as rejected:
        csvio.import_groups(acting_user=world.staff_a, center=world.a, raw=raw, commit=True)
    assert {(e.line, e.column, e.code) for e in rejected.value.result.errors} == {(3, "会員数", "computed_for_network")}
    assert not m.GroupRegistration.objects.filter(organization__name="海辺の清掃隊").exists()
    # Without the count, the network imports; its count comes from its members later.
    csvio.import_groups(acting_user=world.staff_a, center=world.a, raw=raw.replace(b",52\n", b",\n"), commit=True)


def test_the_group_form_does_not_take_a_networks_count(world, net, client):
    _network, group, _members = net
    client.force_login(world.staff_a)
    page = client.get(f"/groups/{group.uuid}/edit/")
    assert page.status_code == 200
    assert 'name="member_count"' not in page.content.decode()
    assert 'name="member_count"' in client.get(f"/groups/{world.group_a.uuid}/edit/").content.decode()


# --- needs and offers on behalf of a member ----------------------------------------------------------


def test_a_network_posts_an_offer_and_a_need_for_a_current_member(world, net):
    network, group, members = net
    offer = services.offer_create(acting_user=world.staff_a, group=group, title="福祉車両の貸出",
                                  description="会員の車両を地域行事に", on_behalf_of=members["company"])
    assert offer.poster_label == "ちがさき福祉ネットワーク（会員：湘南みらい電機株式会社）"
    need = services.need_create(acting_user=world.staff_a, center=world.a, title="高校生ボランティアの受け入れ先",
                                description="夏休みの活動先", requester=group.organization,
                                on_behalf_of=members["school"])
    assert need.poster_label == "ちがさき福祉ネットワーク（会員：県立海岸高校）"


def test_on_behalf_of_must_be_a_current_member_of_the_posting_network(world, net):
    _network, group, members = net
    with pytest.raises(ValidationError) as refused:  # the offer's group is not the member's network
        services.offer_create(acting_user=world.staff_a, group=world.group_a2, title="講座", description="d",
                              on_behalf_of=members["company"])
    assert "not_network_member" in _codes(refused.value)["on_behalf_of"]
    with pytest.raises(ValidationError) as refused:
        services.need_create(acting_user=world.staff_a, center=world.a, title="種", description="d",
                             requester=world.department, on_behalf_of=members["school"])
    assert "not_network_member" in _codes(refused.value)["on_behalf_of"]
    services.network_member_leave(acting_user=world.staff_a, member=members["company"])
    before = m.Offer.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.offer_create(acting_user=world.staff_a, group=group, title="講座", description="d",
                              on_behalf_of=members["company"])
    assert "member_left" in _codes(refused.value)["on_behalf_of"]
    assert m.Offer.objects.count() == before


def test_the_api_refuses_another_networks_member_with_a_code(world, net, api):
    _network, _group, members = net
    response = api(world.staff_a).post("/api/v1/offers/", {
        "group": str(world.group_a2.uuid), "title": "講座", "description": "d",
        "on_behalf_of": str(members["school"].uuid)}, format="json")
    assert response.status_code == 400, response.content
    assert "not_network_member" in {e["code"] for e in response.json()["error"]["fields"]["on_behalf_of"]}
    # Another center's staff cannot even name the member.
    response = api(world.staff_b).post("/api/v1/offers/", {
        "group": str(world.group_b.uuid), "title": "講座", "description": "d",
        "on_behalf_of": str(members["school"].uuid)}, format="json")
    assert response.status_code == 400
    assert "does_not_exist" in {e["code"] for e in response.json()["error"]["fields"]["on_behalf_of"]}


def test_the_offer_page_shows_the_network_and_its_member(world, net, client):
    _network, group, members = net
    offer = services.offer_create(acting_user=world.staff_a, group=group, title="福祉車両の貸出", description="d",
                                  on_behalf_of=members["cats"])
    client.force_login(world.staff_a)
    page = client.get(f"/offers/{offer.uuid}/").content.decode()
    assert "ちがさき福祉ネットワーク（会員：Chigasaki Cat&#x27;s Protect）" in page


# --- what the hub may see ----------------------------------------------------------------------------


def _last(network) -> OutboxEntry:
    return OutboxEntry.objects.filter(entity_type="network_listing", entity_uuid=network.uuid).order_by("-id").first()


def test_the_hub_sees_counts_only_and_only_while_the_group_is_listed(world, net):
    network, group, members = net
    assert support_networks.network_listing(network) is None
    assert _last(network) is None  # never listed: nothing was sent
    services.group_set_consent(acting_user=world.staff_a, group=group, consent="hub_listing", given=True)
    entry = _last(network)
    assert entry.op == "upsert"
    assert entry.payload == {"center": str(world.a.uuid), "name": "ちがさき福祉ネットワーク", "fields": [1, 2],
                             "members": {"npo": 1, "voluntary": 1, "company": 1, "school": 1}, "individuals": 5}
    text = canonical_json(entry.payload).decode()
    for member in members.values():
        assert member.display_name not in text
    # A member joining sends the new counts.
    services.network_member_add_organization(acting_user=world.staff_a, network=network, name="茅ヶ崎市福祉政策課",
                                             kind="government")
    assert _last(network).payload["members"]["government"] == 1
    assert "福祉政策課" not in canonical_json(_last(network).payload).decode()
    # Withdrawing the listing consent retracts the network from the hub.
    services.group_set_consent(acting_user=world.staff_a, group=group, consent="hub_listing", given=False)
    assert _last(network).op == "retract"


# --- the staff page ----------------------------------------------------------------------------------


def test_the_members_page_lists_and_takes_members_for_staff_only(world, net, client):
    network, group, _members = net
    client.force_login(world.staff_a)
    page = client.get(f"/groups/{group.uuid}/network/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "湘南みらい電機株式会社" in html and "会員数（合計）" in html
    response = client.post(f"/groups/{group.uuid}/network/add/organization/",
                           {"name": "茅ヶ崎商工会議所", "kind": "company", "municipality": "茅ヶ崎市"})
    assert response.status_code == 302
    assert support_networks.counts_of(network).by_kind["company"] == 2
    # Bad input: a Japanese message on the field, status 400, nothing written.
    before = m.NetworkMember.objects.count()
    response = client.post(f"/groups/{group.uuid}/network/add/organization/", {"name": "茅ヶ崎商工会議所", "kind": "company"})
    assert response.status_code == 400
    assert "すでに会員です" in response.content.decode()
    response = client.post(f"/groups/{group.uuid}/network/add/individuals/", {"individuals": "-3"})
    assert response.status_code == 400 and "0" in response.content.decode()
    assert m.NetworkMember.objects.count() == before and m.SupportNetwork.objects.get().individuals == 5
    # Another center's staff and a department see nothing of it.
    for outsider in (world.staff_b, world.dept_staff):
        client.force_login(outsider)
        assert client.get(f"/groups/{group.uuid}/network/").status_code == 404
        assert client.post(f"/groups/{group.uuid}/network/add/individuals/", {"individuals": "1"}).status_code == 404
    # A group that is not a 中間支援組織 has no network page.
    client.force_login(world.staff_a)
    assert client.get(f"/groups/{world.group_a.uuid}/network/").status_code == 404


def test_the_group_page_shows_the_counts(world, net, client):
    _network, group, _members = net
    client.force_login(world.staff_a)
    html = client.get(f"/groups/{group.uuid}/").content.decode()
    assert "ネットワークの会員" in html and "<strong>9</strong>" in html


def test_a_group_registered_or_changed_to_intermediate_support_opens_its_network(world):
    group = f.group(world.staff_a, world.a, "ちがさき環境ネットワーク", kind=OrganizationKind.INTERMEDIATE_SUPPORT,
                    consents=["hub_listing"])
    network = m.SupportNetwork.objects.get(group=group)
    group.refresh_from_db()
    assert group.member_count == 0
    # Listed on the hub only once there is somebody to count.
    assert support_networks.network_listing(network) is None
    services.network_set_individuals(acting_user=world.staff_a, network=network, individuals=3)
    network.refresh_from_db()
    assert support_networks.network_listing(network)["individuals"] == 3
    services.group_update(acting_user=world.staff_a, group=world.group_a, kind=OrganizationKind.INTERMEDIATE_SUPPORT)
    assert m.SupportNetwork.objects.filter(group=world.group_a).exists()


def test_a_deleted_member_group_stays_in_the_roll_by_name_and_the_counts_hold(world, net):
    network, _group, members = net
    before = support_networks.counts_of(network)
    services.group_delete(acting_user=world.admin_a, group=world.group_a2)
    members["art"].refresh_from_db()
    assert (members["art"].group, members["art"].name, members["art"].kind) == (
        None, "NPO法人赤ちゃんからのアートフレンドシップ協会", "npo")
    assert support_networks.counts_of(network) == before
