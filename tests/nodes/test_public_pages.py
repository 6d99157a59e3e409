"""Every page of a node a visitor reaches without signing in — found from the URL patterns themselves,
so a page added later is checked too — shows none of the personal data the node knows, whichever
public text it was typed into (a need, a menu item, an offer, a group's description, a talent's skills,
a public event)."""

from __future__ import annotations

import io

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch
from pypdf import PdfReader

from common.japanese import fiscal_year_of
from nodes import models as m, services

from .. import factories as f

REPRESENTATIVE, REP_PHONE, REP_EMAIL = "杉浦 花子", "0467-00-0000", "cats@example.jp"  # the world's group_a
TALENT, TALENT_PHONE, TALENT_EMAIL = "久保田 涼", "0467-55-0192", "kubota@example.jp"
LEAKY = f"担当は{REPRESENTATIVE}さん（{REP_PHONE}、{REP_EMAIL}）。講師は{TALENT}さん {TALENT_PHONE} {TALENT_EMAIL}"
SECRETS = [REPRESENTATIVE, REPRESENTATIVE.replace(" ", ""), REP_PHONE, REP_EMAIL,
           TALENT, TALENT.replace(" ", ""), TALENT_PHONE, TALENT_EMAIL]


def _patterns(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            yield entry


def _publish(world, record):
    services.publication_submit(acting_user=world.staff_a, record=record)
    services.publication_approve(acting_user=world.staff_a, record=record)
    return record


@pytest.fixture
def leaky_world(world):
    """The node's public texts, each with a representative's and a talent's name, phone and e-mail."""
    a, staff = world.a, world.staff_a
    talent = services.talent_register(acting_user=staff, center=a, name=TALENT, name_kana="クボタ リョウ",
                                      phone=TALENT_PHONE, email=TALENT_EMAIL, title="篆刻の名人", skills=LEAKY,
                                      availability=LEAKY, area="茅ヶ崎市内")
    for consent in ("public_listing", "guidebook"):
        services.talent_set_consent(acting_user=staff, talent=talent, consent=consent, given=True)
    services.group_set_consent(acting_user=staff, group=world.group_a, consent="hub_listing", given=True)
    services.group_update(acting_user=staff, group=world.group_a, description=LEAKY)
    services.offer_update(acting_user=staff, offer=world.rec_a.offer, description=LEAKY, conditions=LEAKY[:200],
                          is_published=True)
    need = _publish(world, services.need_update(acting_user=staff, need=world.rec_a.need, description=LEAKY,
                                                partner_role=LEAKY))
    item = _publish(world, services.menu_item_create(
        acting_user=staff, department=world.department, kind=m.MenuItemKind.VENUE, can_do=True, title="会議室",
        description=LEAKY, conditions=LEAKY[:200], fiscal_year=fiscal_year_of(world.today)))
    event = f.event(staff, a, "協働フォーラム", is_public=True, description=LEAKY)
    return {"center_uuid": [a.uuid], "uuid": [talent.uuid, need.uuid, item.uuid, event.uuid, a.uuid,
                                              world.rec_a.offer.uuid, world.group_a.uuid],
            "year": [fiscal_year_of(world.today)]}


def _urls(values: dict) -> list[str]:
    """Every URL the patterns give with the values at hand (each uuid tried where a uuid is asked)."""
    urls = []
    for pattern in _patterns():
        names = list(pattern.pattern.converters)
        if any(name not in values for name in names):
            continue
        combos = [{}]
        for name in names:
            combos = [{**combo, name: value} for combo in combos for value in values[name]]
        for kwargs in combos:
            try:
                urls.append(reverse(pattern.name, kwargs=kwargs))
            except NoReverseMatch:
                continue
    return sorted(set(urls))


def _text(response) -> str:
    if response["Content-Type"].startswith("application/pdf"):
        return "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    return response.content.decode()


def test_no_public_page_shows_a_persons_name_phone_or_email(leaky_world, client):
    public = {}
    for url in _urls(leaky_world):
        response = client.get(url)
        if response.status_code == 200:
            public[url] = _text(response)
    # The pages the issue names are among them, so the check cannot pass by finding nothing.
    kinds = {"/portal/", "/city-menu/", "/needs/", "/departments/", "/groups/", "/talent-bank/", ".pdf", "/menu/",
             "events.ics", "events.csv"}
    assert all(any(kind in url for url in public) for kind in kinds), sorted(public)
    for url, text in public.items():
        squashed = text.replace("\n", "").replace(" ", "")
        for secret in SECRETS:
            assert secret not in text and secret.replace(" ", "") not in squashed, (url, secret)
    # The records are there, their texts scrubbed: the talent's card by its title, the item by its name.
    assert any("篆刻の名人" in text for text in public.values())
    assert any("会議室" in text for url, text in public.items() if "/city-menu/" in url)


def test_a_desk_is_not_found_by_a_name_its_page_hides(leaky_world, world, client):
    """The directory's search runs on what the page shows: the menu item written with a talent's name
    shows it as 〔人名〕, so searching that name finds nothing, while a word the page shows finds the desk."""
    url = reverse("city-departments", args=[world.a.uuid])
    assert world.department.name in client.get(url, {"q": "会議室"}).content.decode()
    for name in (TALENT, REPRESENTATIVE.split()[0]):
        assert world.department.name not in client.get(url, {"q": name}).content.decode(), name


@pytest.mark.parametrize("year", [1800, 99999])
def test_a_menu_year_the_center_does_not_have_is_not_a_page(world, client, year):
    for name in ("city-menu-print", "city-menu-pdf"):
        assert client.get(reverse(name, args=[world.a.uuid, year])).status_code == 404
