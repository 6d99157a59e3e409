"""Who runs the hub: みんかな (a network of intermediate support organizations) is the operator, the
prefecture, 県社協 and 共同募金会 are partners, and each coordinator opens only the scopes of their
role — or those the operator's hub admin granted on top of it, audited and revocable."""

from __future__ import annotations

import re
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import URLPattern, get_resolver, reverse

from hub import urls as hub_urls
from hub.models import DisasterDeclaration, FeedEntry
from hub.selectors.access import can
from hub.services.disasters import disaster_declare
from permissions.grants import scope_grant, scope_grant_revoke
from permissions.models import (
    AuditEvent,
    HubScope,
    HubStanding,
    Organization,
    OrganizationKind,
    Role,
    ScopeGrant,
)
from permissions.services import (
    membership_grant,
    membership_revoke,
    organization_create,
    organization_set_hub_standing,
)

MINKANA = "災害復興暮らし応援・みんなのネットワークかながわ（みんかな）"
DISASTERS, COORDINATE = HubScope.DISASTERS.value, HubScope.DISASTER_COORDINATION.value
LIBRARY, STATISTICS, DIRECTORY = HubScope.LIBRARY.value, HubScope.STATISTICS.value, HubScope.DIRECTORY.value

# Every URL of the hub and what opens it. A new page must be added here with its permission, or the
# first test fails; the second checks the page really refuses everyone else.
PAGES: dict[str, str] = {
    "home": "view_hub", "hub-node": "view_hub",
    "hub-node-enroll": "manage_hub", "hub-node-status": "manage_hub", "hub-key-retire": "manage_hub",
    "hub-notice": "manage_hub", "hub-scopes": "manage_hub", "hub-scopes-revoke": "manage_hub",
    "hub-directory": DIRECTORY, "hub-calendar": DIRECTORY, "hub-networks": DIRECTORY, "hub-networks-json": DIRECTORY,
    "hub-cases": LIBRARY, "hub-case": LIBRARY, "hub-case-collect": LIBRARY, "hub-collections": LIBRARY,
    "hub-collection": LIBRARY, "hub-collection-edit": LIBRARY, "hub-collection-delete": LIBRARY,
    "hub-collection-remove-case": LIBRARY, "hub-collection-move-case": LIBRARY,
    "hub-tour-create": LIBRARY, "hub-tour-manage": LIBRARY,
    "hub-library-reads": STATISTICS, "hub-training-counts": STATISTICS, "hub-statistics": STATISTICS, "hub-statistics-csv": STATISTICS,
    "hub-statistics-centers": STATISTICS, "hub-statistics-centers-csv": STATISTICS,
    # The national hub's (404 on a prefectural hub, after the permission check).
    "hub-national-statistics": STATISTICS, "hub-national-statistics-csv": STATISTICS,
    "api-national-statistics": STATISTICS, "hub-national-directory": DIRECTORY, "api-national-directory": DIRECTORY,
    "hub-disasters": DISASTERS, "hub-disaster": DISASTERS, "hub-disaster-need": DISASTERS,
    "hub-disaster-sitrep": DISASTERS, "hub-disaster-csv": DISASTERS, "hub-disaster-json": DISASTERS,
    "hub-disaster-hxl": DISASTERS, "hub-survey": DISASTERS, "hub-survey-csv": DISASTERS,
    "hub-disaster-declare": "manage_hub", "hub-disaster-edit": "manage_hub", "hub-disaster-close": "manage_hub",
    "hub-disaster-commit": "manage_hub", "hub-contact-grant-approve": "manage_hub",
    "hub-disaster-contacts": COORDINATE, "hub-contact-grant-request": COORDINATE, "hub-contact-grant-end": COORDINATE,
    "hub-survey-create": COORDINATE, "hub-survey-close": COORDINATE,
    "api-disaster-contacts": COORDINATE,
}
# Pages a study tour's visitors open (by participation or an invitation link, tests/hub/test_tours.py)
# and the nodes' signed endpoints (tests/hub/test_sync_hygiene.py): no hub role involved.
NOT_BY_ROLE = {"hub-tours", "hub-tour", "hub-tour-case", "hub-tour-report", "hub-tour-invitation"}
POST_ONLY = {"hub-node-status", "hub-key-retire", "hub-scopes-revoke", "hub-case-collect", "hub-collection-delete",
             "hub-collection-remove-case", "hub-collection-move-case", "hub-disaster-close", "hub-disaster-commit",
             "hub-contact-grant-request", "hub-contact-grant-approve", "hub-contact-grant-end", "hub-survey-close"}

# The permissions of each test login (see the `hub` fixture).
HELD = {
    "admin": {"view_hub", "manage_hub", *HubScope.values},
    "minkana": {"view_hub", *HubScope.values},
    "shakyo": {"view_hub", DISASTERS, COORDINATE},
    "pref": {"view_hub", LIBRARY, STATISTICS, DIRECTORY},
    "stranger": set(),
}


def _patterns() -> dict[str, URLPattern]:
    return {p.name: p for p in hub_urls.urlpatterns if p.name}


@pytest.fixture
def hub(db):
    """みんかな with its hub admin and a full coordinator; 神奈川県 (library coordinator), 県社協 and
    共同募金会 (disaster coordinators) as partners; a user with no hub role."""
    operator = organization_create(acting_user=None, name=MINKANA, kind=OrganizationKind.INTERMEDIATE_SUPPORT,
                                   hub_standing=HubStanding.OPERATOR)
    partners = {
        "pref": organization_create(acting_user=None, name="神奈川県", kind=OrganizationKind.PREFECTURE,
                                    municipality_code="140007", hub_standing=HubStanding.PARTNER),
        "shakyo": organization_create(acting_user=None, name="神奈川県社会福祉協議会",
                                      kind=OrganizationKind.SOCIAL_WELFARE_COUNCIL, hub_standing=HubStanding.PARTNER),
        "kyobo": organization_create(acting_user=None, name="神奈川県共同募金会",
                                     kind=OrganizationKind.PUBLIC_INTEREST_CORPORATION, hub_standing=HubStanding.PARTNER),
    }
    users = get_user_model().objects
    people = {}
    for key, organization, role in (("admin", operator, Role.HUB_ADMIN), ("minkana", operator, Role.COORDINATOR),
                                    ("shakyo", partners["shakyo"], Role.DISASTER_COORDINATOR),
                                    ("kyobo", partners["kyobo"], Role.DISASTER_COORDINATOR),
                                    ("pref", partners["pref"], Role.LIBRARY_COORDINATOR)):
        username = "hub-admin" if key == "admin" else f"{key}-coordinator"
        people[key] = users.create_user(username, password="x" * 12, last_name="森", first_name=key)
        membership_grant(acting_user=None, user=people[key], organization=organization, role=role)
    people["stranger"] = users.create_user("stranger", password="x" * 12)
    return {"operator": operator, **partners, "people": people}


def test_every_hub_url_is_listed_with_what_opens_it():
    names = set(_patterns())
    signed = {name for name in names if name.startswith("sync-")}
    assert names - signed - NOT_BY_ROLE == set(PAGES), "a hub page without its permission in PAGES"
    for name, pattern in _patterns().items():
        if name in PAGES and not name.startswith("api-") and name != "home":  # home: see federation.home
            assert getattr(pattern.callback, "hub_permission", None) == PAGES[name], name


def _url(name: str) -> str:
    """The page's URL with made-up identifiers: the permission is checked before any lookup, so a
    permitted user gets 404 (or 200) and anyone else 403."""
    pattern = _patterns()[name]
    values = {"int": 999999, "uuid": uuid.uuid4(), "slug": "nowhere", "string": "nothing"}
    kwargs = {key: values[type(converter).__name__.removesuffix("Converter").lower()]
              for key, converter in pattern.pattern.converters.items()}
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_each_page_opens_for_its_scope_only(hub, client, name):
    url = _url(name)
    for who, held in HELD.items():
        client.force_login(hub["people"][who])
        response = client.post(url) if name in POST_ONLY else client.get(url)
        if PAGES[name] in held:
            assert response.status_code != 403, (name, who)
        else:
            assert response.status_code == 403, (name, who, response.status_code)
            if name.startswith("api-"):
                assert response.json()["error"]["code"] == ("scope_required" if held else "permission_denied")
            elif held:
                body = response.content.decode()
                assert "このページを開く権限がありません" in body and "ハブ管理者に範囲の付与を依頼" in body, (name, who)
                assert MINKANA in body


def test_a_view_only_disaster_scope_sees_the_board_but_issues_no_situation_report(hub, client):
    admin, pref = hub["people"]["admin"], hub["people"]["pref"]
    declaration = disaster_declare(acting_user=admin, name="県西部地震", hazard="earthquake", municipality_codes=["142077"])
    scope_grant(acting_user=admin, user=pref, organization=hub["pref"], scope=DISASTERS, reason="県の災害対策本部と共有")
    client.force_login(pref)
    page = client.get(f"/disasters/{declaration.uuid}/").content.decode()
    assert "県西部地震" in page and 'id="board-links"' not in page and "報を作成して印刷" not in page
    response = client.post(f"/disasters/{declaration.uuid}/sitrep/")
    assert response.status_code == 403 and "災害対応の調整" in response.content.decode()
    assert DisasterDeclaration.objects.get().sitrep_number == 0
    client.force_login(hub["people"]["shakyo"])
    assert client.post(f"/disasters/{declaration.uuid}/sitrep/").status_code == 302
    assert DisasterDeclaration.objects.get().sitrep_number == 1


def test_a_grant_opens_the_statistics_to_the_shakyo_coordinator_and_its_revocation_closes_them(hub, client):
    shakyo = hub["people"]["shakyo"]
    client.force_login(shakyo)
    assert client.get("/statistics/").status_code == 403
    membership = shakyo.memberships.get()
    client.force_login(hub["people"]["admin"])
    response = client.post("/scopes/", {"membership": membership.pk, "scope": STATISTICS,
                                        "reason": "災害ボランティアセンターの報告に使うため"})
    assert response.status_code == 302
    grant = ScopeGrant.objects.get()
    assert (grant.user, grant.organization, grant.granted_by) == (shakyo, hub["shakyo"], hub["people"]["admin"])
    page = client.get("/scopes/").content.decode()
    assert "災害ボランティアセンターの報告に使うため" in page and "取り消す" in page
    client.force_login(shakyo)
    assert client.get("/statistics/").status_code == 200
    assert client.get("/cases/").status_code == 403  # only what was granted
    client.force_login(hub["people"]["admin"])
    assert client.post(f"/scopes/{grant.pk}/revoke/").status_code == 302
    client.force_login(shakyo)
    assert client.get("/statistics/").status_code == 403
    assert not ScopeGrant.objects.exists()
    assert list(AuditEvent.objects.filter(action__startswith="hub.scope_").order_by("id").values_list(
        "action", "detail")) == [("hub.scope_grant", {"user_id": shakyo.pk, "scope": STATISTICS}),
                                 ("hub.scope_revoke", {"user_id": shakyo.pk, "scope": STATISTICS})]


def test_grants_refused_with_a_reason_change_nothing(hub, client):
    admin, shakyo = hub["people"]["admin"], hub["people"]["shakyo"]
    client.force_login(admin)
    membership = shakyo.memberships.get()
    response = client.post("/scopes/", {"membership": membership.pk, "scope": DISASTERS, "reason": "念のため"})
    assert response.status_code == 400 and "この範囲は役割ですでに開いています。" in response.content.decode()
    response = client.post("/scopes/", {"membership": membership.pk, "scope": STATISTICS, "reason": "  "})
    assert response.status_code == 400 and "errorlist" in response.content.decode()
    with pytest.raises(ValidationError) as refused:
        scope_grant(acting_user=admin, user=hub["people"]["stranger"], organization=hub["shakyo"], scope=STATISTICS,
                    reason="理由")
    assert refused.value.error_dict["user"][0].code == "not_a_coordinator"
    scope_grant(acting_user=admin, user=shakyo, organization=hub["shakyo"], scope=STATISTICS, reason="理由")
    with pytest.raises(ValidationError) as refused:
        scope_grant(acting_user=admin, user=shakyo, organization=hub["shakyo"], scope=STATISTICS, reason="理由")
    assert refused.value.error_dict["scope"][0].code == "already_granted"
    assert ScopeGrant.objects.count() == 1
    # Only the operator's hub admin grants: not a full coordinator, not a partner.
    client.force_login(hub["people"]["minkana"])
    assert client.post("/scopes/", {"membership": membership.pk, "scope": LIBRARY, "reason": "x"}).status_code == 403
    assert ScopeGrant.objects.count() == 1 and AuditEvent.objects.filter(action="hub.scope_grant").count() == 1


def test_revoking_coordination_keeps_the_board_another_grant_opened(hub):
    admin, pref = hub["people"]["admin"], hub["people"]["pref"]
    view = scope_grant(acting_user=admin, user=pref, organization=hub["pref"], scope=DISASTERS, reason="閲覧")
    coordinate = scope_grant(acting_user=admin, user=pref, organization=hub["pref"], scope=COORDINATE, reason="調整")
    assert can(pref, DISASTERS) and can(pref, COORDINATE)
    scope_grant_revoke(acting_user=admin, grant=coordinate)
    assert can(pref, DISASTERS) and not can(pref, COORDINATE)
    scope_grant_revoke(acting_user=admin, grant=view)
    assert not can(pref, DISASTERS)


def test_a_grant_ends_with_the_coordinators_role(hub, client):
    admin, shakyo = hub["people"]["admin"], hub["people"]["shakyo"]
    scope_grant(acting_user=admin, user=shakyo, organization=hub["shakyo"], scope=STATISTICS, reason="報告のため")
    membership_revoke(acting_user=admin, membership=shakyo.memberships.get())
    assert not ScopeGrant.objects.exists() and not can(shakyo, STATISTICS) and not can(shakyo, "view_hub")
    client.force_login(shakyo)
    assert client.get("/statistics/").status_code == 403
    assert AuditEvent.objects.filter(action="hub.scope_revoke", detail__with_role=True).count() == 1


def test_the_command_grants_lists_and_revokes_in_the_admins_name(hub, capsys):
    call_command("hub_scope", "grant", "--by", "hub-admin", "--user", "kyobo-coordinator",
                 "--scope", DIRECTORY, "--reason", "募金の配分先の検討")
    assert ScopeGrant.objects.get().scope == DIRECTORY
    call_command("hub_scope", "list")
    assert re.search(r"神奈川県共同募金会\tkyobo-coordinator\tdisaster_coordinator\tgranted:view_hub_directory",
                     capsys.readouterr().out)
    with pytest.raises(CommandError, match="not the operator's hub admin"):
        call_command("hub_scope", "revoke", "--by", "minkana-coordinator", "--user", "kyobo-coordinator",
                     "--scope", DIRECTORY)
    with pytest.raises(CommandError, match="reason"):
        call_command("hub_scope", "grant", "--by", "hub-admin", "--user", "kyobo-coordinator",
                     "--scope", LIBRARY)
    call_command("hub_scope", "revoke", "--by", "hub-admin", "--user", "kyobo-coordinator", "--scope", DIRECTORY)
    assert not ScopeGrant.objects.exists()


def _menu(client) -> list[str]:
    page = client.get("/tours/").content.decode()
    nav = re.search(r'<nav class="main".*?</nav>', page, re.S).group(0)
    return re.findall(r'<a href="[^"]*"[^>]*>([^<]+)</a>', nav)


@pytest.mark.parametrize(("who", "entries"), [
    ("admin", ["連携状況", "災害対応", "団体一覧", "ネットワーク", "イベントカレンダー", "協働事例ライブラリ", "事例集", "統計", "スタディツアー",
               "役割と範囲"]),
    ("minkana", ["連携状況", "災害対応", "団体一覧", "ネットワーク", "イベントカレンダー", "協働事例ライブラリ", "事例集", "統計", "スタディツアー"]),
    ("shakyo", ["連携状況", "災害対応", "スタディツアー"]),
    ("pref", ["連携状況", "団体一覧", "ネットワーク", "イベントカレンダー", "協働事例ライブラリ", "事例集", "統計", "スタディツアー"]),
    ("stranger", ["スタディツアー"]),
])
def test_the_menu_shows_only_what_the_user_may_open(hub, client, who, entries):
    client.force_login(hub["people"][who])
    assert _menu(client) == entries


def test_a_grant_adds_its_menu_entries(hub, client):
    scope_grant(acting_user=hub["people"]["admin"], user=hub["people"]["kyobo"], organization=hub["kyobo"],
                scope=DIRECTORY, reason="募金の配分先の検討")
    client.force_login(hub["people"]["kyobo"])
    assert _menu(client) == ["連携状況", "災害対応", "団体一覧", "ネットワーク", "イベントカレンダー", "スタディツアー"]


def test_the_operator_is_the_declaring_party_and_named_on_every_page(hub, client):
    client.force_login(hub["people"]["admin"])
    response = client.post("/disasters/new/", {"name": "台風第19号", "hazard": "storm_flood", "municipality_codes": "142077"})
    declaration = DisasterDeclaration.objects.get()
    assert response.status_code == 302 and declaration.declared_by == hub["operator"]
    assert AuditEvent.objects.get(action="hub.disaster_declare").detail["declared_by"] == str(hub["operator"].uuid)
    assert FeedEntry.objects.get(kind="disaster_declaration").payload["declared_by"] == MINKANA  # named on the nodes
    client.force_login(hub["people"]["shakyo"])
    listing = client.get("/disasters/").content.decode()
    row = re.search(r'<tbody>\s*<tr>.*?台風第19号.*?</tr>', listing.split('id="disasters"')[1], re.S).group(0)
    assert MINKANA in row and "神奈川県" not in row
    board = client.get(f"/disasters/{declaration.uuid}/").content.decode()
    assert re.search(r'id="declared-by">' + re.escape(MINKANA), board)
    footer = re.search(r'<p id="hub-operator">(.*?)</p>', board, re.S).group(1)
    assert footer.startswith(f"運営：{MINKANA}")
    assert "連携：" in footer and all(n in footer for n in ("神奈川県", "神奈川県社会福祉協議会", "神奈川県共同募金会"))
    client.logout()
    assert f"運営：{MINKANA}" in client.get("/login/").content.decode()


def test_the_database_keeps_one_operator_and_it_is_a_network(hub):
    with pytest.raises(ValidationError) as refused:
        organization_create(acting_user=None, name="もう一つのネットワーク", kind=OrganizationKind.INTERMEDIATE_SUPPORT,
                            hub_standing=HubStanding.OPERATOR)
    assert refused.value.error_dict["hub_standing"][0].code == "operator_exists"
    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.create(name="別の運営", kind=OrganizationKind.INTERMEDIATE_SUPPORT,
                                    hub_standing=HubStanding.OPERATOR)
    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.filter(pk=hub["pref"].pk).update(hub_standing=HubStanding.OPERATOR)
    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.filter(pk=hub["pref"].pk).update(hub_standing="sponsor")


def test_hub_roles_fit_the_hubs_own_organizations_only(hub):
    user = hub["people"]["stranger"]
    with pytest.raises(ValidationError) as refused:  # partners coordinate; the operator administers
        membership_grant(acting_user=None, user=user, organization=hub["shakyo"], role=Role.HUB_ADMIN)
    assert refused.value.error_dict["role"][0].code == "role_kind_mismatch"
    with pytest.raises(IntegrityError), transaction.atomic():
        user.memberships.create(organization=hub["shakyo"], role="observer")
    # The operator stays the operator while its hub admin is there (a partner has none).
    with pytest.raises(ValidationError) as refused:
        organization_set_hub_standing(acting_user=None, organization=hub["operator"], hub_standing=HubStanding.PARTNER)
    assert refused.value.error_dict["hub_standing"][0].code == "roles_left"
    assert Organization.objects.get(pk=hub["operator"].pk).hub_standing == HubStanding.OPERATOR


def test_urls_resolve_through_the_hubs_root():
    # The list above is the hub's own urls: the root includes them unchanged.
    assert {p.name for p in hub_urls.urlpatterns if p.name} <= set(get_resolver().reverse_dict.keys())
