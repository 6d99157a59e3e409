"""The center's newsletters: an edition assembled from events, groups, shared cases and a column,
rendered to a Japanese A4 PDF, published on the portal through the node's door, its distribution list
with totals, the archive search, and bad input that changes nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from common import pdf
from nodes import models as m, newsletters as selectors, services
from nodes.services import newsletters as news
from permissions.models import AuditEvent

from .. import factories as f

REPRESENTATIVE, REP_PHONE = "杉浦 花子", "0467-00-0000"  # the world's group_a's representative


def _pdf_text(body: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


@pytest.fixture
def mini(world):
    newsletter = news.newsletter_create(acting_user=world.staff_a, center=world.a, title="にしとも広場mini",
                                        issues_per_year=4, format_note="A4版")
    return news.edition_create(acting_user=world.staff_a, newsletter=newsletter, number=42,
                               issue_date=timezone.localdate(), headline="秋のイベント特集")


def test_an_edition_renders_to_a_pdf_holding_the_chosen_events_titles(world, mini, client):
    chosen = f.event(world.staff_a, world.a, "はじめての傾聴講座", is_public=True, venue="にしとも広場 スペースA")
    other = f.event(world.staff_a, world.a, "発達障害を知る研修", is_public=True)
    not_chosen = f.event(world.staff_a, world.a, "こども食堂交流会", is_public=True)
    candidates = selectors.candidates(edition=mini)
    assert {chosen, other, not_chosen} <= set(candidates.events)
    news.edition_add_items(acting_user=world.staff_a, edition=mini, events=[chosen, other])
    news.edition_add_column(acting_user=world.staff_a, edition=mini, heading="センター長から",
                            body="地域の活動が広がっています。")
    assert chosen not in selectors.candidates(edition=mini).events  # not offered twice

    client.force_login(world.staff_a)
    response = client.get(reverse("newsletter-pdf", args=[mini.uuid]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    for expected in ("にしとも広場mini", "第42号", "はじめての傾聴講座", "発達障害を知る研修", "センター長から",
                     "イベントのご案内", "秋のイベント特集"):
        assert expected in text, expected
    assert "こども食堂交流会" not in text
    assert PdfReader(io.BytesIO(response.content)).metadata.title == "にしとも広場mini 第42号"


def test_the_pdf_numbers_its_pages(world, mini):
    for number in range(12):
        news.edition_add_column(acting_user=world.staff_a, edition=mini, heading=f"コラム{number}",
                                body="地域の活動を紹介します。" * 40)
    body = pdf.render(selectors.edition_document(selectors.public_edition(mini)))
    pages = PdfReader(io.BytesIO(body)).pages
    assert len(pages) >= 2
    # Every page has the publisher and its number at the foot (drawn first, so read first).
    assert pages[1].extract_text().splitlines()[:2] == ["発行: 茅ヶ崎市民活動サポートセンター", "2"]


def test_staff_edit_text_and_order(world, mini):
    event = f.event(world.staff_a, world.a, "はじめての傾聴講座", is_public=True)
    news.edition_add_items(acting_user=world.staff_a, edition=mini, events=[event])
    column = news.edition_add_column(acting_user=world.staff_a, edition=mini, heading="コラム", body="本文")
    first = mini.items.get(kind=m.ItemKind.EVENT)
    news.edition_update(acting_user=world.staff_a, edition=mini, headline="冬号", items=[
        {"id": first.pk, "heading": "傾聴講座のご案内", "body": "どなたでも", "position": 2},
        {"id": column.pk, "heading": "コラム", "body": "本文", "position": 1}])
    assert [item.heading for item in mini.items.all()] == ["コラム", "傾聴講座のご案内"]
    mini.refresh_from_db()
    assert mini.headline == "冬号" and mini.version == 2


def test_publishing_puts_the_edition_on_the_portal_scrubbed(world, mini, client):
    news.edition_add_column(acting_user=world.staff_a, edition=mini, heading="猫の譲渡会",
                            body=f"相談に来られた{REPRESENTATIVE}さん（{REP_PHONE}）の声から生まれた企画です。")
    list_url = reverse("public-newsletters", args=[world.a.uuid])
    url = reverse("public-newsletter-edition", args=[world.a.uuid, mini.uuid])
    pdf_url = reverse("public-newsletter-pdf", args=[world.a.uuid, mini.uuid])
    assert client.get(url).status_code == 404 and client.get(pdf_url).status_code == 404  # a draft is not public
    assert str(mini.uuid) not in client.get(list_url).content.decode()
    assert str(mini.uuid) not in client.get(reverse("portal", args=[world.a.uuid])).content.decode()

    news.edition_publish(acting_user=world.staff_a, edition=mini)
    page = client.get(url).content.decode()
    printed = _pdf_text(client.get(pdf_url).content)
    for text in (page, printed):
        assert "猫の譲渡会" in text
        for secret in (REPRESENTATIVE, REPRESENTATIVE.replace(" ", ""), REP_PHONE):
            assert secret not in text.replace("\n", ""), secret
    assert str(mini.uuid) in client.get(list_url).content.decode()
    assert str(mini.uuid) in client.get(reverse("portal", args=[world.a.uuid])).content.decode()
    # The archive on the portal finds it by what it shows, never by the name it hides.
    assert str(mini.uuid) in client.get(list_url, {"q": "譲渡会"}).content.decode()
    assert str(mini.uuid) not in client.get(list_url, {"q": "杉浦"}).content.decode()
    assert AuditEvent.objects.filter(action="newsletteredition.publish", target_uuid=mini.uuid).exists()


def test_a_published_edition_is_not_edited(world, mini):
    news.edition_add_column(acting_user=world.staff_a, edition=mini, heading="コラム", body="本文")
    news.edition_publish(acting_user=world.staff_a, edition=mini)
    with pytest.raises(ValidationError) as error:
        news.edition_add_column(acting_user=world.staff_a, edition=mini, heading="追記", body="本文")
    assert error.value.error_dict["status"][0].code == "already_published"
    assert mini.items.count() == 1


def test_a_withdrawn_edition_leaves_the_portal_and_can_be_corrected(world, mini, client):
    news.edition_add_column(acting_user=world.staff_a, edition=mini, heading="猫の譲渡会", body="日付に誤り")
    news.edition_publish(acting_user=world.staff_a, edition=mini)
    url = reverse("public-newsletter-edition", args=[world.a.uuid, mini.uuid])
    assert client.get(url).status_code == 200
    client.force_login(world.staff_a)
    step = reverse("newsletter-edition-step", args=[mini.uuid, "withdraw"])
    response = client.post(step, {"reason": ""})
    assert response.status_code == 400 and "取り下げる理由を入力してください。" in response.content.decode()
    mini.refresh_from_db()
    assert mini.status == m.EditionStatus.PUBLISHED
    response = client.post(step, {"reason": "譲渡会の日付の誤り"}, follow=True)
    assert "発行を取り下げました" in response.content.decode()
    mini.refresh_from_db()
    assert (mini.status, mini.published_at) == (m.EditionStatus.DRAFT, None)
    client.logout()
    assert client.get(url).status_code == 404
    news.edition_add_column(acting_user=world.staff_a, edition=mini, heading="訂正", body="正しい日付")
    assert AuditEvent.objects.filter(action="newsletteredition.withdraw", target_uuid=mini.uuid).exists()
    with pytest.raises(ValidationError) as error:
        news.edition_withdraw(acting_user=world.staff_a, edition=mini, reason="二度目")
    assert error.value.error_dict["status"][0].code == "not_published"
    with pytest.raises(PermissionDenied):
        news.edition_withdraw(acting_user=world.staff_b, edition=mini, reason="他センター")


def test_an_empty_edition_is_not_published(world, mini):
    with pytest.raises(ValidationError) as error:
        news.edition_publish(acting_user=world.staff_a, edition=mini)
    assert error.value.error_dict["items"][0].code == "empty_edition"
    mini.refresh_from_db()
    assert mini.status == m.EditionStatus.DRAFT


def test_distribution_totals(world, mini):
    news.distribution_set(acting_user=world.staff_a, edition=mini, lines=[
        {"kind": "han_kairan", "recipient": "浅間町一丁目町内会", "han_count": 12, "copies": 12},
        {"kind": "han_kairan", "recipient": "戸部本町自治会", "han_count": 30, "copies": 31},
        {"kind": "facility", "recipient": "西地区センター", "copies": 50},
        {"kind": "facility", "recipient": "西図書館", "copies": 20, "han_count": 9},  # a facility has no 班
    ])
    totals = selectors.distribution_totals(edition=mini)
    assert (totals.associations, totals.han, totals.han_copies) == (2, 42, 43)
    assert (totals.facilities, totals.facility_copies, totals.copies) == (2, 70, 113)
    assert mini.distribution.get(recipient="西図書館").han_count is None


@pytest.mark.parametrize(("line", "code"), [
    ({"kind": "han_kairan", "recipient": "浅間町一丁目町内会", "han_count": None, "copies": 12}, "han_count_required"),
    ({"kind": "facility", "recipient": "西地区センター", "copies": 0}, "bad_copies"),
    ({"kind": "mail", "recipient": "西地区センター", "copies": 5}, "bad_line"),
    ({"kind": "facility", "recipient": "", "copies": 5}, "bad_line"),
    ({"kind": "han_kairan", "recipient": "戸部本町自治会", "han_count": 3, "copies": 3}, "duplicate_recipient"),
])
def test_bad_distribution_lines_change_nothing(world, mini, line, code):
    kept = {"kind": "han_kairan", "recipient": "戸部本町自治会", "han_count": 30, "copies": 31}
    news.distribution_set(acting_user=world.staff_a, edition=mini, lines=[kept])
    with pytest.raises(ValidationError) as error:
        news.distribution_set(acting_user=world.staff_a, edition=mini, lines=[kept, line])
    assert error.value.error_dict["distribution"][0].code == code
    assert "2行目" in error.value.messages[0]
    assert list(mini.distribution.values_list("recipient", "copies")) == [("戸部本町自治会", 31)]


def test_the_archive_is_searched_by_title_and_text(world, mini):
    hiroba = news.newsletter_create(acting_user=world.staff_a, center=world.a, title="にしとも広場", issues_per_year=2)
    older = news.edition_create(acting_user=world.staff_a, newsletter=hiroba, number=30,
                                issue_date=dt.date(2025, 7, 1))
    news.edition_add_column(acting_user=world.staff_a, edition=older, heading="地域づくり大学校の修了生",
                            body="ﾎﾞﾗﾝﾃｨｱの輪が広がりました。")
    found = lambda q: set(selectors.editions(user=world.staff_a, q=q))  # noqa: E731
    assert found("ボランティア") == {older}  # width and kana folded
    assert found("にしとも広場") == {older, mini}
    assert found("mini") == {mini}
    assert found("秋のイベント") == {mini}
    assert found("存在しないことば") == set()
    assert set(selectors.editions(user=world.staff_b, q="にしとも")) == set()  # another center's staff


def test_only_shared_cases_and_listed_groups_are_drawn(world, mini):
    case = world.rec_a.case  # private by default
    with pytest.raises(ValidationError) as error:
        news.edition_add_items(acting_user=world.staff_a, edition=mini, cases=[case])
    assert error.value.error_dict["cases"][0].code == "case_private"
    assert case not in selectors.candidates(edition=mini).cases
    with pytest.raises(ValidationError) as error:
        news.edition_add_items(acting_user=world.staff_a, edition=mini, groups=[world.group_a])
    assert error.value.error_dict["groups"][0].code == "group_not_listed"
    with pytest.raises(ValidationError) as error:
        news.edition_add_items(acting_user=world.staff_a, edition=mini, events=[world.rec_b.event])
    assert error.value.error_dict["events"][0].code == "other_center"
    assert not mini.items.exists()
    services.group_set_consent(acting_user=world.staff_a, group=world.group_a, consent="hub_listing", given=True)
    news.edition_add_items(acting_user=world.staff_a, edition=mini, groups=[world.group_a])
    assert mini.items.get().heading == world.group_a.organization.name


def test_other_centers_and_groups_cannot_write(world, mini):
    with pytest.raises(PermissionDenied):
        news.edition_add_column(acting_user=world.staff_b, edition=mini, heading="x", body="y")
    with pytest.raises(PermissionDenied):
        news.edition_add_column(acting_user=world.member_a, edition=mini, heading="x", body="y")


def test_duplicate_number_is_refused_in_japanese(world, mini):
    with pytest.raises(ValidationError) as error:
        news.edition_create(acting_user=world.staff_a, newsletter=mini.newsletter, number=42,
                            issue_date=dt.date(2026, 1, 1))
    assert "この号はすでにあります。" in error.value.messages
    assert m.NewsletterEdition.objects.count() == 1


def test_bad_form_input_gets_a_japanese_error_and_a_400(world, mini, client):
    client.force_login(world.staff_a)
    url = reverse("newsletter-edition-step", args=[mini.uuid, "distribution"])
    response = client.post(url, {"distribution-count": "1", "distribution-0-kind": "han_kairan",
                                 "distribution-0-recipient": "浅間町一丁目町内会", "distribution-0-copies": "5"})
    assert response.status_code == 400
    assert "班回覧には班数" in response.content.decode()
    assert not mini.distribution.exists()
    response = client.post(reverse("newsletter-edition-step", args=[mini.uuid, "add-items"]), {"events": ["not-a-uuid"]})
    assert response.status_code == 400 and not mini.items.exists()
    assert client.post(reverse("newsletter-edition-step", args=[mini.uuid, "publish"])).status_code == 400
    client.force_login(world.staff_b)
    assert client.get(reverse("newsletter-edition", args=[mini.uuid])).status_code == 404


def test_staff_register_a_newsletter_title_and_bad_frequency_is_refused(world, client):
    client.force_login(world.staff_a)
    url = reverse("newsletter-new")
    response = client.post(url, {"title": "にしとも広場", "issues_per_year": "0"}, follow=True)
    assert not m.Newsletter.objects.exists()
    assert "年間の発行回数は1〜52の数字で入力してください。" in response.content.decode()
    client.post(url, {"title": "にしとも広場", "issues_per_year": "2", "format_note": "カラー印刷・冊子"})
    response = client.post(url, {"title": "にしとも広場", "issues_per_year": "2"}, follow=True)
    assert "同じ名称の情報紙がすでにあります。" in response.content.decode()
    assert list(m.Newsletter.objects.values_list("title", "issues_per_year")) == [("にしとも広場", 2)]
    client.force_login(world.member_a)
    assert client.post(url, {"title": "団体だより", "issues_per_year": "4"}).status_code == 403


def test_an_anonymized_case_keeps_its_parties_unnamed_on_the_portal(world, mini, client):
    case = services.case_update(acting_user=world.staff_a, case=world.rec_a.case, sharing_level="anonymized",
                                summary=f"{world.group_a.organization.name}と保健所が協働したTNR活動。")
    news.edition_add_items(acting_user=world.staff_a, edition=mini, cases=[case])
    news.edition_publish(acting_user=world.staff_a, edition=mini)
    page = client.get(reverse("public-newsletter-edition", args=[world.a.uuid, mini.uuid])).content.decode()
    assert "TNR活動" in page and "野良猫の不妊去勢手術" in page
    assert world.group_a.organization.name not in page and "Chigasaki" not in page
