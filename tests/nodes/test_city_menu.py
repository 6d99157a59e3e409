"""The city's menu and the public portal: a department submits, center staff approve or send back,
only approved items are public, the public pages work without login, and no person's data shows."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.urls import reverse
from pypdf import PdfReader

from nodes import city_menu, models as m, services
from permissions.models import AuditEvent, OrganizationKind, Role
from permissions.services import organization_create
from tests import factories as f

YEAR = 2026
REPRESENTATIVE, REP_PHONE, REP_EMAIL = "杉浦 花子", "0467-00-0000", "cats@example.jp"  # group_a's, in world
TALENT, TALENT_PHONE, TALENT_EMAIL = "久保田 遼", "0465-22-9876", "kubota.ryo@example.net"


def _item(world, **values):
    values = {"kind": m.MenuItemKind.VENUE, "can_do": True, "title": "市民活動サポートセンター会議室の優先予約",
              "description": "協働事業の打ち合わせに会議室を優先して予約できます。", "conditions": "協働事業に限る",
              "fiscal_year": YEAR, "activity_fields": f.fields(7), **values}
    return services.menu_item_create(acting_user=world.dept_staff, department=world.department, **values)


def _publish(world, record):
    services.publication_submit(acting_user=world.dept_staff, record=record)
    return services.publication_approve(acting_user=world.staff_a, record=record)


@pytest.fixture
def menu(world):
    desk = services.desk_save(acting_user=world.dept_staff, department=world.department, desk_name="自然環境担当",
                              switchboard="0467-81-5522", public_inbox="kankyo@city.example.lg.jp",
                              location="本庁舎4階", themes="ﾈｺ、野良猫、生きもの、里山", activity_fields=f.fields(7))
    can = _publish(world, _item(world))
    cannot = _publish(world, _item(world, can_do=False, kind=m.MenuItemKind.GRANT, title="団体の運営費の補助",
                                   description="団体の運営費そのものへの補助はできません。", conditions=""))
    draft = _item(world, title="下書きの項目", description="まだ公開しない")
    need = _publish(world, world.rec_a.need)
    return world, desk, can, cannot, draft, need


def test_department_submits_and_center_staff_approve(world):
    item = _item(world)
    assert item.publication == m.Publication.DRAFT
    services.publication_submit(acting_user=world.dept_staff, record=item)
    item.refresh_from_db()
    assert item.publication == m.Publication.SUBMITTED
    with pytest.raises(PermissionDenied):  # a department cannot publish its own item
        services.publication_approve(acting_user=world.dept_staff, record=item)
    services.publication_approve(acting_user=world.staff_a, record=item)
    item.refresh_from_db()
    assert item.publication == m.Publication.PUBLISHED and item.published_at is not None
    actions = list(AuditEvent.objects.filter(target_uuid=item.uuid).values_list("action", flat=True))
    assert {"menuitem.submit", "menuitem.approve"} <= set(actions)


def test_send_back_needs_a_reason_and_resubmits(world):
    item = _item(world)
    services.publication_submit(acting_user=world.dept_staff, record=item)
    with pytest.raises(ValidationError) as error:
        services.publication_send_back(acting_user=world.staff_a, record=item, reason="  ")
    assert error.value.error_dict["reason"][0].code == "reason_required"
    services.publication_send_back(acting_user=world.staff_a, record=item, reason="条件を具体的に書いてください")
    item.refresh_from_db()
    assert item.publication == m.Publication.SENT_BACK and "具体的" in item.publication_note
    assert AuditEvent.objects.filter(target_uuid=item.uuid, action="menuitem.send_back").exists()
    with pytest.raises(ValidationError) as error:  # a sent-back item is not approved without resubmission
        services.publication_approve(acting_user=world.staff_a, record=item)
    assert error.value.code == "invalid_transition"
    services.publication_submit(acting_user=world.dept_staff, record=item)
    item.refresh_from_db()
    assert item.publication == m.Publication.SUBMITTED


def test_a_department_edit_of_a_published_item_goes_back_to_review(world):
    item = _publish(world, _item(world))
    services.menu_item_update(acting_user=world.staff_a, item=item, conditions="協働事業に限る（要予約）")
    item.refresh_from_db()
    assert item.publication == m.Publication.PUBLISHED  # center staff's own edit stays published
    services.menu_item_update(acting_user=world.dept_staff, item=item, description="内容を変えました")
    item.refresh_from_db()
    assert item.publication == m.Publication.SUBMITTED
    need = _publish(world, world.rec_a.need)
    services.need_update(acting_user=world.dept_staff, need=need, description="苦情対応と普及啓発")
    need.refresh_from_db()
    assert need.publication == m.Publication.SUBMITTED


def test_another_centers_department_or_staff_cannot_touch_it(world):
    item = _item(world)
    other_department = organization_create(acting_user=world.staff_b, name="市民部 協働推進課",
                                           kind=OrganizationKind.CITY_DEPARTMENT, center=world.b)
    other_dept_staff = f.member("dept_b", other_department, Role.DEPARTMENT_STAFF)
    for user in (other_dept_staff, world.staff_b):
        with pytest.raises((ObjectDoesNotExist, PermissionDenied)):
            services.publication_submit(acting_user=user, record=item)
        with pytest.raises((ObjectDoesNotExist, PermissionDenied)):
            services.menu_item_update(acting_user=user, item=item, title="乗っ取り")
    with pytest.raises(PermissionDenied):  # nor file an item under a department of another center
        services.menu_item_create(acting_user=world.staff_a, department=other_department, kind="venue",
                                  title="x", description="x", fiscal_year=YEAR)
    assert not m.MenuItem.objects.filter(department=other_department).exists()
    item.refresh_from_db()
    assert item.publication == m.Publication.DRAFT


def test_the_publication_step_url_for_a_department_approving_says_no(world, client):
    item = _item(world)
    services.publication_submit(acting_user=world.dept_staff, record=item)
    client.force_login(world.dept_staff)
    response = client.post(reverse("publication-step", args=["city-menu-items", item.uuid, "approve"]))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.publication == m.Publication.SUBMITTED
    client.force_login(world.staff_a)
    client.post(reverse("publication-step", args=["city-menu-items", item.uuid, "approve"]))
    item.refresh_from_db()
    assert item.publication == m.Publication.PUBLISHED
    assert client.get(reverse("publication-queue")).status_code == 200


def test_withdrawing_unpublishes(menu, client):
    world, _desk, can, *_rest = menu
    url = reverse("city-menu", args=[world.a.uuid]) + f"?year={YEAR}"
    assert can.title in client.get(url).content.decode()
    services.publication_withdraw(acting_user=world.dept_staff, record=can)
    assert can.title not in client.get(url).content.decode()


def test_public_pages_show_only_approved_items_without_login(menu, client):
    world, desk, can, cannot, draft, need = menu
    pages = {
        "portal": client.get(reverse("portal", args=[world.a.uuid])),
        "menu": client.get(reverse("city-menu", args=[world.a.uuid]) + f"?year={YEAR}"),
        "by_field": client.get(reverse("city-menu", args=[world.a.uuid]) + f"?year={YEAR}&by=field"),
        "print": client.get(reverse("city-menu-print", args=[world.a.uuid, YEAR])),
        "needs": client.get(reverse("city-needs", args=[world.a.uuid])),
        "departments": client.get(reverse("city-departments", args=[world.a.uuid])),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
    menu_page = pages["menu"].content.decode()
    assert can.title in menu_page and cannot.title in menu_page and "できないこと" in menu_page
    assert "自然環境担当" in menu_page and "0467-81-5522" in menu_page
    assert draft.title not in menu_page and draft.title not in pages["portal"].content.decode()
    assert need.title in pages["needs"].content.decode()
    assert "環境保全課" in pages["portal"].content.decode()
    assert reverse("login") in pages["portal"].content.decode()
    # Another center's published need never shows on this center's pages.
    other = _publish_b(world)
    assert other.description not in client.get(reverse("city-needs", args=[world.a.uuid])).content.decode()
    assert other.description in client.get(reverse("city-needs", args=[world.b.uuid])).content.decode()


def _publish_b(world):
    need = services.need_update(acting_user=world.staff_b, need=world.rec_b.need, description="小田原の地域の苦情対応")
    services.publication_submit(acting_user=world.staff_b, record=need)
    return services.publication_approve(acting_user=world.staff_b, record=need)


def test_a_single_centers_node_shows_its_portal_at_the_root(db, client):
    center = f.center("茅ヶ崎市市民活動サポートセンター", "142077", "茅ヶ崎市")
    body = client.get("/").content.decode()
    assert center.name in body and reverse("city-menu", args=[center.uuid]) in body and reverse("login") in body


def test_two_centers_get_a_list_and_staff_still_get_the_dashboard(world, client):
    body = client.get("/").content.decode()
    assert reverse("portal", args=[world.a.uuid]) in body and reverse("portal", args=[world.b.uuid]) in body
    client.force_login(world.staff_a)
    response = client.get("/")
    assert response.status_code == 200
    assert "nodes/dashboard.html" in [t.name for t in response.templates]


@pytest.mark.parametrize("q", ["ﾈｺ", "ねこ", "ネコ", "野良猫", "会議室"])
def test_department_directory_search_by_theme_with_half_width_kana(menu, client, q):
    world = menu[0]
    response = client.get(reverse("city-departments", args=[world.a.uuid]), {"q": q})
    assert "自然環境担当" in response.content.decode()


def test_department_directory_by_field_and_no_match(menu, client):
    world = menu[0]
    url = reverse("city-departments", args=[world.a.uuid])
    assert "自然環境担当" in client.get(url, {"field": 7}).content.decode()
    assert "自然環境担当" not in client.get(url, {"field": 3}).content.decode()
    assert "自然環境担当" not in client.get(url, {"q": "ｽﾎﾟｰﾂ"}).content.decode()


def test_the_pdf_holds_the_approved_items_of_the_year(menu, client):
    world, _desk, can, cannot, draft, need = menu
    response = client.get(reverse("city-menu-pdf", args=[world.a.uuid, YEAR]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    squashed = text.replace("\n", "").replace(" ", "")
    assert "環境保全課" in squashed and "会議室" in squashed and "運営費" in squashed
    assert "下書き" not in squashed
    _publish(world, _item(world, title="広報紙への掲載", description="市の広報紙で活動を紹介します。",
                          fiscal_year=YEAR - 1))
    other_year = client.get(reverse("city-menu-pdf", args=[world.a.uuid, YEAR - 1]))
    other_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(other_year.content)).pages)
    assert "広報紙への掲載" in other_text and "会議室" not in other_text


def test_a_desk_contact_that_is_a_persons_is_withheld_on_public_pages(menu, client):
    world, desk = menu[0], menu[1]
    m.DepartmentDesk.objects.filter(pk=desk.pk).update(switchboard=REP_PHONE)  # written before the check existed
    body = client.get(reverse("city-departments", args=[world.a.uuid])).content.decode()
    assert REP_PHONE not in body and "〔非公開〕" in body


def test_a_desk_refuses_a_persons_phone(world):
    with pytest.raises(ValidationError) as error:
        services.desk_save(acting_user=world.dept_staff, department=world.department, desk_name="窓口",
                           switchboard=REP_PHONE, themes="猫")
    assert error.value.error_dict["switchboard"][0].code == "personal_contact"
    assert not m.DepartmentDesk.objects.filter(switchboard=REP_PHONE).exists()


def test_canary_no_public_page_shows_a_persons_name_phone_or_email(menu, client):
    world = menu[0]
    services.talent_register(acting_user=world.staff_a, center=world.a, name=TALENT, name_kana="クボタ リョウ",
                             phone=TALENT_PHONE, email=TALENT_EMAIL, skills="篆刻")
    services.group_set_consent(acting_user=world.staff_a, group=world.group_a, consent="hub_listing", given=True)
    leaky = f"担当は{REPRESENTATIVE}さん（{REP_PHONE}、{REP_EMAIL}）。講師は{TALENT}さん {TALENT_PHONE} {TALENT_EMAIL}"
    item = _publish(world, _item(world, title="講師の紹介", description=leaky, conditions=f"{TALENT}さんに連絡"))
    need = services.need_create(acting_user=world.staff_a, center=world.a, title="里山の保全", requester=world.department,
                                description=leaky, partner_role=leaky, activity_fields=f.fields(7))
    _publish(world, need)
    services.offer_update(acting_user=world.staff_a, offer=world.rec_a.offer, description=leaky)
    services.group_update(acting_user=world.staff_a, group=world.group_a, description=leaky)
    pages = [
        "/", reverse("portal", args=[world.a.uuid]),
        reverse("city-menu", args=[world.a.uuid]) + f"?year={YEAR}",
        reverse("city-menu", args=[world.a.uuid]) + f"?year={YEAR}&by=field",
        reverse("city-menu-print", args=[world.a.uuid, YEAR]),
        reverse("city-needs", args=[world.a.uuid]),
        reverse("city-departments", args=[world.a.uuid]), reverse("city-departments", args=[world.a.uuid]) + "?q=猫",
        reverse("public-groups", args=[world.a.uuid]),
        reverse("public-events-opendata", args=[world.a.uuid]),
    ]
    secrets = [REPRESENTATIVE, REPRESENTATIVE.replace(" ", ""), REP_PHONE, REP_EMAIL,
               TALENT, TALENT.replace(" ", ""), TALENT_PHONE, TALENT_EMAIL]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        for secret in secrets:
            assert secret not in body, (url, secret)
    assert item.title in client.get(pages[2]).content.decode()  # the item itself is shown, its text scrubbed
    pdf_bytes = client.get(reverse("city-menu-pdf", args=[world.a.uuid, YEAR])).content
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf_bytes)).pages).replace("\n", "")
    for secret in secrets:
        assert secret not in text and secret.replace(" ", "") not in text.replace(" ", "")


def test_the_portal_links_feeds_and_lists_consenting_groups_only(menu, client):
    world = menu[0]
    services.group_set_consent(acting_user=world.staff_a, group=world.group_a, consent="hub_listing", given=True)
    body = client.get(reverse("portal", args=[world.a.uuid])).content.decode()
    assert reverse("public-events-ical", args=[world.a.uuid]) in body
    assert reverse("public-events-opendata", args=[world.a.uuid]) in body
    assert world.group_a.organization.name.replace("'", "&#x27;") in body
    assert world.group_a2.organization.name not in body  # no listing consent
    assert "団体交流会" not in body  # not a public event
    f.event(world.staff_a, world.a, "協働フォーラム2026", is_public=True)
    assert "協働フォーラム2026" in client.get(reverse("portal", args=[world.a.uuid])).content.decode()
    csv = client.get(reverse("public-events-opendata", args=[world.a.uuid]))
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")


def test_an_unknown_center_is_404(client, world):
    assert client.get(reverse("city-menu", args=["00000000-0000-0000-0000-000000000000"])).status_code == 404


def test_the_directory_reads_in_a_bounded_number_of_queries(menu, django_assert_max_num_queries, client):
    world = menu[0]
    for n in range(5):
        _publish(world, _item(world, title=f"項目{n}"))
    with django_assert_max_num_queries(40):
        client.get(reverse("city-menu", args=[world.a.uuid]) + f"?year={YEAR}")


def test_city_menu_selector_groups_by_department(menu):
    world, _desk, can, cannot, _draft, need = menu
    (department,) = city_menu.city_menu(center=world.a, fiscal_year=YEAR)
    assert [i.title for i in department.can] == [can.title]
    assert [i.title for i in department.cannot] == [cannot.title]
    assert [n.title for n in department.needs] == [need.title]
