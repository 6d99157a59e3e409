"""The demo loader: the seed documents' content, its logins, idempotence and the volume generator."""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import io
import json

import pytest
from django.apps import apps
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from common.japanese import municipality_code_is_valid
from deploy.demo import cli
from deploy.demo.base import DEMO_PASSWORD, center_keys
from deploy.demo.seeder import load_center, seed_center
from deploy.demo.volume import generate_volume
from nodes import models as m, support_networks
from nodes.figures import form_year_table, programme_cycle_counts
from permissions.models import Membership, Organization, OrganizationKind
from sync.models import OutboxEntry

# Every test on the database, those that only read the seed files too: pytest-django runs the tests
# without it after all others, which would seed the module's centers a second time for them.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def _seeded_once(django_db_setup, django_db_blocker):
    """Every center seeded once for the module, committed: seeding one takes most of a minute on a busy
    2-core machine, and the tests only read it (each in a transaction rolled back at its end; a test's
    own `seed_center` finds its center and returns the logins, as a second seeding does). Emptied at
    the end as a transactional test empties its tables, for the next module on the worker. The fast
    hasher of the tests' own users (tests/conftest.py), so that the logins authenticate in the tests."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        if not m.ActivityField.objects.exists():  # a transactional test before us emptied them
            importlib.import_module("nodes.migrations.0003_activity_fields").create_fields(apps, None)
        for key in center_keys():
            seed_center(key)
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


def _center(key: str) -> Organization:
    return Organization.objects.get(kind=OrganizationKind.CENTER, name=load_center(key).name)


def _row_counts() -> dict[str, int]:
    models = (Organization, get_user_model(), Membership, m.GroupRegistration, m.TalentVolunteer, m.Event,
              m.Consultation, m.CollaborationCase, m.CaseParty, m.Need, m.Offer, m.TalentRequest)
    return {model.__name__: model.objects.count() for model in models}


@pytest.mark.django_db
def test_cats_protect_case_has_the_documented_budget_form_department_and_roles():
    seed_center("chigasaki")
    case = m.CollaborationCase.objects.get(title="飼い主のいない猫の不妊去勢手術及び猫の適正管理普及啓発事業")
    assert (case.total_cost, case.city_share) == (1_732_180, 1_694_000)
    assert (case.fiscal_year_start, case.fiscal_year_end) == (2014, 2014)
    assert case.form == m.CollaborationForm.KYODO_SUISHIN_GYOSEI
    assert case.responsible_department.name == "環境保全課"
    assert case.center == _center("chigasaki")
    group = case.party_roles.get(organization__name="Chigasaki Cat's Protect")
    assert group.role == m.PartyRole.LEAD
    for contribution in ("猫の生態に関する専門知識", "TNR活動の経験", "動物病院との連絡調整"):
        assert contribution in group.contribution
    department = case.party_roles.get(organization__name="環境保全課")
    for contribution in ("住民からの苦情等に基づく的確な状況把握", "地域住民への調整・説明", "事業費の負担"):
        assert contribution in department.contribution


@pytest.mark.django_db
def test_mirukko_spans_two_fiscal_years_with_the_city_paying_all():
    seed_center("chigasaki")
    case = m.CollaborationCase.objects.get(title="美術「みるっこ」プログラム事業")
    assert (case.fiscal_year_start, case.fiscal_year_end) == (2016, 2017)
    assert case.form == m.CollaborationForm.KYODO_SUISHIN_SHIMIN
    assert case.total_cost == case.city_share == 2_367_000
    assert "1,187,000円" in case.summary and "1,180,000円" in case.summary
    assert case.responsible_department.name == "文化生涯学習課"


@pytest.mark.django_db
def test_chigasakis_shimin_calls_give_the_seeds_counts_and_mirukko_is_the_h27_adoption():
    seed_center("chigasaki")
    center = _center("chigasaki")
    # Seed 001 p.9: H27 H28 H29 H30 R1 — 意見交換会 17 18 10 10 13, 申込 8 3 1 0 0, 採択 4 3 0 0 0.
    counts = programme_cycle_counts(center, track=m.ProgrammeTrack.SHIMIN)
    assert [counts[year]["exchange_meetings"] for year in range(2015, 2020)] == [17, 18, 10, 10, 13]
    assert [counts[year]["applications"] for year in range(2015, 2020)] == [8, 3, 1, 0, 0]
    assert [counts[year]["adopted"] for year in range(2015, 2020)] == [4, 3, 0, 0, 0]
    meetings = m.Event.objects.filter(center=center, kind=m.EventKind.IKEN_KOKAN, programme_calls__isnull=False)
    assert {(e.starts_at.month, e.starts_at.weekday() < 5) for e in meetings} <= {(8, True), (9, True)}
    mirukko = m.ProgrammeApplication.objects.get(title="美術「みるっこ」プログラム事業")
    assert mirukko.call.fiscal_year == 2015 and mirukko.status == m.ApplicationStatus.ADOPTED
    assert m.CollaborationCase.objects.filter(title="美術「みるっこ」プログラム事業").count() == 1
    case = mirukko.case
    assert case.sharing_level == m.SharingLevel.NAMED and "触れる作品" in case.party_roles.get(role="lead").contribution
    assert [(y.fiscal_year, y.total_cost, y.budget_source, y.responsible_department.name) for y in case.years.all()] == [
        (2016, 1_187_000, m.BudgetSource.PROGRAMME, "文化生涯学習課"), (2017, 1_180_000, m.BudgetSource.PROGRAMME, "文化生涯学習課")]
    assert case.origin_events.filter(kind=m.EventKind.IKEN_KOKAN, starts_at__year=2015).exists()
    adopted = m.ProgrammeApplication.objects.filter(center=center, status=m.ApplicationStatus.ADOPTED)
    assert {(a.case.fiscal_year_start, a.case.form) for a in adopted} == {
        (2016, m.CollaborationForm.KYODO_SUISHIN_SHIMIN), (2017, m.CollaborationForm.KYODO_SUISHIN_SHIMIN)}
    assert {a.case.outcome for a in adopted} == {m.CaseOutcome.CONTINUED, m.CaseOutcome.BUDGET_REDUCED,
                                                 m.CaseOutcome.SCOPE_REDUCED, m.CaseOutcome.ENDED}
    assert all(a.reviewed_on for a in adopted)
    assert m.CaseYear.objects.filter(case__center=center, budget_source=m.BudgetSource.DEPARTMENT).exists()


@pytest.mark.django_db
def test_chigasakis_figures_cover_exactly_the_seeds_eight_years():
    """The statistics page lists every 年度 with a figure: seed 001's table covers H24–R1."""
    seed_center("chigasaki")
    center = _center("chigasaki")
    assert form_year_table(center).years == list(range(2012, 2020))
    for start, end in m.CollaborationCase.objects.filter(center=center).values_list("fiscal_year_start", "fiscal_year_end"):
        assert 2012 <= start and end is not None and end <= 2019
    assert not m.CollaborationCase.objects.filter(center=center, form=m.CollaborationForm.KYODO_SUISHIN_SHIMIN,
                                                  fiscal_year_start__gte=2018).exists()  # no adoption after H28


@pytest.mark.django_db
def test_chigasaki_has_matching_needs_and_offers_and_a_spread_of_outcomes():
    seed_center("chigasaki")
    assert m.Need.objects.filter(title__contains="飼い主のいない猫", requester__name="保健所衛生課").exists()
    assert m.Offer.objects.filter(group__organization__name="Chigasaki Cat's Protect", title__contains="TNR").exists()
    outcomes = set(m.CollaborationCase.objects.filter(center=_center("chigasaki")).values_list("outcome", flat=True))
    assert {m.CaseOutcome.CONTINUED, m.CaseOutcome.REDUCED, m.CaseOutcome.ENDED} <= outcomes


@pytest.mark.django_db
def test_chigasakis_city_menu_and_needs_are_public_from_the_root_without_login(client):
    seed_center("chigasaki")
    center = _center("chigasaki")
    # From the root (the node's centers: the module seeds five) to the center's portal, without login.
    assert f'href="/portal/{center.uuid}/"' in client.get("/").content.decode()
    portal = client.get(f"/portal/{center.uuid}/").content.decode()
    menu_url = f"/portal/{center.uuid}/city-menu/"
    assert menu_url in portal and "市民自治推進課" in portal
    menu = client.get(menu_url).content.decode()
    assert "市民活動げんき基金による補助" in menu and "避難行動要支援者名簿の提供" in menu  # できる and できない
    assert "shiminjichi@city.chigasaki.example.jp" in menu and "〔非公開〕" not in menu
    needs = client.get(f"/portal/{center.uuid}/needs/").content.decode()
    assert "飼い主のいない猫対策" in needs and "動物病院との連絡調整" in needs
    found = client.get(f"/portal/{center.uuid}/departments/", {"q": "ﾈｺ"}).content.decode()
    assert "保健所衛生課" in found and "防災対策課" not in found


@pytest.mark.django_db
def test_odawara_has_covid_cancellations_and_the_group_founded_at_the_2009_koryukai():
    seed_center("odawara")
    center = _center("odawara")
    cancelled = m.Event.objects.filter(center=center, status=m.EventStatus.CANCELLED)
    assert cancelled.filter(cancellation_reason="コロナ中止").count() >= 5
    assert cancelled.filter(cancellation_reason="雨天中止", venue__contains="金次郎広場").exists()
    founding = m.Event.objects.get(center=center, produced_groups__organization__name="命を大切にする小田原を創る会")
    assert founding.starts_at.year == 2009 and founding.theme == "子どもの健全育成"
    assert m.GroupRegistration.objects.get(organization__name="命を大切にする小田原を創る会").legal_form == m.LegalForm.NPO
    meeting = m.Event.objects.get(center=center, kind=m.EventKind.PARTNERSHIP_MEETING, produced_cases__isnull=False,
                                  starts_at__year=2019)
    case = meeting.produced_cases.get()
    assert case.form == m.CollaborationForm.CORPORATE
    assert {"(株)神鋼環境ソリューション", "めだかサポーターの会"} <= set(case.parties.values_list("name", flat=True))
    # The prefecture co-hosts but is not one of the center's partners.
    assert not Organization.objects.filter(center=center, kind=OrganizationKind.PREFECTURE).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("key", center_keys())
def test_each_center_seeds_logins_that_authenticate_and_upcoming_events(key):
    logins = seed_center(key)
    assert {login.username for login in logins} >= {f"{key}-admin", f"{key}-staff"}
    for login in logins:
        user = authenticate(username=login.username, password=login.password)
        assert user is not None and login.password == DEMO_PASSWORD
        assert user.last_name and user.first_name
        assert Membership.objects.filter(user=user, role=login.role, organization__name=login.organization).exists()
    center = _center(key)
    assert m.Event.objects.filter(center=center, starts_at__gt=timezone.now()).exists()
    assert m.GroupRegistration.objects.filter(center=center).exists()
    # Personal data is fictional: example.jp addresses and unassigned 0XX-000… / 0XXX-00… numbers.
    for phone, email in m.GroupRegistration.objects.filter(center=center).exclude(contact_phone="").values_list(
            "contact_phone", "contact_email"):
        assert phone.split("-")[1].strip("0") == "" and email.endswith("@example.jp")


@pytest.mark.django_db
def test_chigasaki_group_and_department_logins_hold_their_roles():
    logins = {login.username: login for login in seed_center("chigasaki")}
    assert logins["chigasaki-group"].role == "group_member"
    assert logins["chigasaki-group"].organization == "Chigasaki Cat's Protect"
    assert logins["chigasaki-dept"].role == "department_staff"
    assert logins["chigasaki-dept"].organization == "環境保全課"


@pytest.mark.django_db
def test_chigasaki_has_a_proposal_in_progress_that_its_group_member_follows():
    seed_center("chigasaki")
    proposal = m.Proposal.objects.get(group__organization__name="Chigasaki Cat's Protect")
    assert proposal.submitted_by.username == "chigasaki-group" and proposal.status == m.ProposalStatus.IN_PIPELINE
    assert proposal.match.status == m.MatchStatus.MEETING and proposal.match.meetings.count() == 1
    assert proposal.department_answer


@pytest.mark.django_db
def test_nishiku_shows_renewals_due_and_consultations_at_every_step():
    seed_center("nishiku")
    center = _center("nishiku")
    today = timezone.localdate()
    due_soon = m.GroupRegistration.objects.filter(center=center, status=m.GroupStatus.ACTIVE, renewal_due__gte=today,
                                                  renewal_due__lte=today + dt.timedelta(days=90))
    assert due_soon.count() >= 3
    assert m.GroupRegistration.objects.filter(center=center, renewal_due=dt.date(2021, 3, 31)).exists()
    steps = set(m.Consultation.objects.filter(center=center).values_list("step", flat=True))
    assert steps == set(m.ConsultationStep.values)
    assert m.TalentVolunteer.objects.filter(center=center, title__contains="手品").exists()


@pytest.mark.django_db
def test_nishiku_has_an_edition_of_each_newsletter_and_review_sheets_with_carried_actions(client):
    seed_center("nishiku")
    center = _center("nishiku")
    editions = m.NewsletterEdition.objects.filter(center=center).select_related("newsletter")
    assert sorted(e.newsletter.title for e in editions) == ["にしとも広場", "にしとも広場mini"]
    hiroba = editions.get(newsletter__title="にしとも広場")
    mini = editions.get(newsletter__title="にしとも広場mini")
    assert hiroba.status == m.EditionStatus.PUBLISHED and mini.status == m.EditionStatus.DRAFT
    assert set(mini.items.values_list("kind", flat=True)) == {"event", "group", "column"}
    assert mini.distribution.filter(kind="han_kairan").count() >= 3
    assert hiroba.items.filter(kind="case").count() == 2
    page = client.get(f"/portal/{center.uuid}/newsletters/{hiroba.uuid}/").content.decode()
    assert "区内のユニークな取組" in page and "石田" not in page
    current, last = m.ReviewSheet.objects.filter(center=center).order_by("-fiscal_year")
    assert current.fiscal_year == last.fiscal_year + 1
    carried = current.actions.filter(carried_from__isnull=False)
    assert carried.count() == 2 and not carried.exclude(status=m.ActionStatus.OPEN).exists()
    assert last.items.filter(heading="西区役所との協働", ward_rating="A").exists()


@pytest.mark.django_db
def test_nishiku_routes_consultations_with_a_chief_experts_a_themed_day_and_a_months_review():
    seed_center("nishiku")
    center = _center("nishiku")
    chief = get_user_model().objects.get(username="nishiku-chief")
    cards = m.Consultation.objects.filter(center=center)
    assert cards.exclude(kind="").count() == cards.count()
    assigned = cards.filter(assignee__isnull=False)
    assert assigned.count() >= 3 and set(assigned.values_list("assigned_by", flat=True)) == {chief.pk}
    assert cards.filter(assignee__isnull=True, closed_at__isnull=True).exists()  # one waits for the chief
    experts = m.ExpertReferral.objects.filter(center=center)
    assert experts.filter(talent__isnull=False).exclude(answer="").exists()
    assert experts.filter(talent__isnull=True).exclude(professional_name="").exists()
    day = m.ConsultationDay.objects.get(center=center, theme="funding")
    assert day.day > timezone.localdate() and day.booked == day.bookings.count() == 1
    review = m.NotableConsultation.objects.filter(center=center, month=timezone.localdate().replace(day=1))
    assert review.count() == 2 and review.exclude(decision="").count() == 1
    assert cards.filter(linked_needs__title="敬老会での出演者").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["nishiku", "chigasaki"])
def test_talent_banks_have_listed_talents_and_a_request_waiting(key):
    seed_center(key)
    talents = m.TalentVolunteer.objects.filter(center=_center(key))
    assert talents.filter(consent_public_listing_at__isnull=False, consent_guidebook_at__isnull=False).count() >= 2
    assert talents.filter(consent_public_listing_at__isnull=True, consent_guidebook_at__isnull=False).exists()
    waiting = m.TalentRequest.objects.get(center=_center(key), status=m.TalentRequestStatus.PENDING)
    assert waiting.talent.consent_public_listing_at is not None and waiting.requester_phone


@pytest.mark.django_db
def test_seed_center_is_idempotent():
    first = seed_center("kawasaki")
    before = _row_counts()
    assert seed_center("kawasaki") == first
    assert _row_counts() == before


@pytest.mark.django_db
def test_generate_volume_creates_the_requested_groups():
    seed_center("nishiku")
    center = _center("nishiku")
    before = m.GroupRegistration.objects.filter(center=center).count()
    counts = generate_volume(center=center, scale=50, seed=3)
    assert counts["groups"] == 50
    assert m.GroupRegistration.objects.filter(center=center).count() == before + 50
    assert all(counts[name] > 0 for name in ("events", "consultations", "offers"))


@pytest.mark.django_db
def test_every_municipality_code_is_valid():
    for key in center_keys():
        seed_center(key)
    codes = Organization.objects.exclude(municipality_code="").values_list("municipality_code", flat=True)
    assert codes and all(municipality_code_is_valid(code) for code in codes)
    assert {_center(key).municipality_code for key in center_keys()} == {"142069", "142077", "141305", "141003", "141038",
                                                                         "221007"}


@pytest.mark.django_db
def test_the_second_prefectures_center_and_a_kanagawa_case_go_to_the_national_library():
    """What the demo's national library holds: 茅ヶ崎's case marked 全国 and 静岡's shared cases leave
    their nodes with reach national (the prefectural hubs pass only those up); every other Kanagawa case
    stays in its prefecture, and 静岡's private case never leaves."""
    national = {e.payload["title"] for e in OutboxEntry.objects.filter(entity_type="shared_case", op="upsert")
                if e.payload["reach"] == "national"}
    assert national == {"海岸清掃ボランティア育成事業", "外国人住民と作る多言語の津波避難マップ",
                        "安倍川河川敷の外来植物駆除と水辺の観察会"}
    shizuoka = _center("shizuoka")
    assert (shizuoka.municipality_code, shizuoka.name) == ("221007", "静岡市市民活動センター")
    private = m.CollaborationCase.objects.get(title="中学生の茶畑ボランティア")
    assert private.center == shizuoka and not OutboxEntry.objects.filter(entity_uuid=private.uuid).exists()
    # The groups' people are not words of the texts: nothing of a case was scrubbed as a name.
    texts = json.dumps([e.payload for e in OutboxEntry.objects.filter(entity_type="shared_case")
                        if e.payload.get("center") == str(shizuoka.uuid)], ensure_ascii=False)
    assert "〔" not in texts and "静岡市市民活動センター" not in texts


@pytest.mark.django_db
def test_seed_command_prints_logins_as_json_lines():
    out = io.StringIO()
    assert cli.main(["center", "yokohama"], stdout=out, stderr=io.StringIO()) == 0
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert {row["username"] for row in rows} == {"yokohama-admin", "yokohama-staff"}
    assert set(rows[0]) == {"role", "organization", "username", "password"}


@pytest.mark.django_db
def test_chigasaki_admin_downloads_the_seeds_tables(client):
    """Seed 001's two tables as `chigasaki-admin` gets them from the statistics page, value for value."""
    seed_center("chigasaki")
    assert client.login(username="chigasaki-admin", password=DEMO_PASSWORD)
    forms = list(csv.reader(io.StringIO(client.get("/stats/forms.csv").content.decode("utf-8-sig"))))
    assert forms == [
        ["協働の形態", "H24", "H25", "H26", "H27", "H28", "H29", "H30", "R1"],
        ["共催", "22", "45", "65", "71", "65", "61", "67", "62"],
        ["実行委員会", "3", "16", "18", "21", "22", "24", "24", "23"],
        ["事業協力", "79", "70", "88", "117", "123", "133", "159", "155"],
        ["指定管理者", "11", "9", "14", "14", "24", "23", "23", "22"],
        ["委託（協働委託）", "47", "75", "68", "69", "70", "63", "50", "52"],
        ["協働推進事業", "2", "4", "9", "5", "6", "7", "12", "7"],
    ]
    assert sum(int(value) for row in forms[1:] for value in row[1:]) == 2219
    cycle = list(csv.reader(io.StringIO(client.get("/stats/proposal-cycle.csv").content.decode("utf-8-sig"))))
    assert cycle == [["区分", "H27", "H28", "H29", "H30", "R1"], ["意見交換会", "17", "18", "10", "10", "13"],
                     ["申込", "8", "3", "1", "0", "0"], ["採択", "4", "3", "0", "0", "0"]]


def test_the_networks_trainings_name_known_centers_parse_and_carry_a_valid_pdf():
    """deploy/demo/network.yaml's trainings, as the network steps read them on the running federation."""
    from deploy.demo.dates import Clock, parse_moment
    from deploy.demo.network import NETWORK_FILE, load_network
    from sync.wire import trainings as wire

    trainings = load_network()["trainings"]
    assert {t["kind"] for t in trainings} == set(wire.KINDS)
    clock = Clock(now=timezone.now(), today=timezone.localdate())
    for training in trainings:
        assert {training["from"], *training["to"]} <= set(center_keys())
        assert 1 <= training["register"]["staff"] <= (training["capacity_per_center"] or wire.MAX_SEATS)
        if training.get("held"):
            assert training["held"]["attended"] <= training["register"]["staff"]
            continue
        starts, deadline = (parse_moment(training[name]).resolve(clock) for name in ("starts_at", "deadline"))
        assert clock.now < deadline <= starts
        material = NETWORK_FILE.with_name("materials") / training["material"]["file"]
        data = material.read_bytes()
        assert len(data) <= wire.MAX_MATERIAL_BYTES and wire.material_type(material.name, data[:8]) == "application/pdf"


@pytest.mark.django_db
def test_kawasakis_networks_count_the_seeds_members_and_one_need_is_posted_for_a_member():
    seed_center("kawasaki")
    networks = {n.group.organization.name: n for n in m.SupportNetwork.objects.select_related("group__organization")}
    counts = support_networks.member_counts(list(networks.values()))
    # (Its other 中間支援組織, whose rolls the seed does not give, are networks without members.)
    totals = {name: counts[network.pk].total for name, network in networks.items() if counts[network.pk].total}
    # Seed 003: 36 / 52 / 44 / 36 members (the last one 34 団体 and 2 公募区民).
    assert totals == {"かわさきコンパクト": 36, "生田緑地マネジメント会議": 52,
                      "かわさき男女共同参画ネットワーク（すくらむネット21）": 44, "川崎区企業市民交流事業推進委員会": 36}
    assert counts[networks["川崎区企業市民交流事業推進委員会"].pk].individuals == 2
    assert all(network.group.member_count == counts[network.pk].total for network in networks.values())
    assert m.NetworkMember.objects.filter(group__isnull=False).exists()  # registered groups among the members
    need = m.Need.objects.get(on_behalf_of__isnull=False)
    assert need.poster_label == "川崎区企業市民交流事業推進委員会（会員：川崎市立京町中学校）"
    # What the hub will list: the four networks with those counts, and no member's name.
    entries = list(OutboxEntry.objects.filter(entity_type="network_listing", op="upsert").order_by("id"))
    listed = {e.payload["name"]: sum(e.payload["members"].values()) + e.payload["individuals"] for e in entries}
    assert listed == totals
    assert not any(name in json.dumps(e.payload, ensure_ascii=False) for e in entries
                   for name in ("京町中学校", "省エネグループ", "富士通", "専修大学"))


@pytest.mark.django_db
def test_nishiku_has_spaces_with_bookings_and_a_drawn_box_lottery_that_verifies():
    from nodes.boxes_selectors import verify_draw

    seed_center("nishiku")
    center = _center("nishiku")
    rooms = {room.name: room for room in m.Room.objects.filter(center=center)}
    assert set(rooms) == {"スペースA", "スペースB"}
    upcoming = m.Booking.objects.filter(center=center, starts_at__gte=timezone.now())
    assert upcoming.filter(status=m.BookingStatus.APPROVED).count() >= 5
    assert upcoming.filter(status=m.BookingStatus.PENDING, organization__name="ハマの写真クラブ").exists()
    assert m.Booking.objects.filter(center=center, starts_at__lt=timezone.now()).count() >= 5
    drawn = m.BoxRound.objects.get(center=center, status=m.RoundStatus.DRAWN)
    assert verify_draw(drawn).ok and drawn.result["waiting"]
    assert drawn.applications.filter(state=m.ApplicationState.RELEASED).count() == 1
    assert m.GroupNotice.objects.filter(kind=m.NoticeKind.BOX_ASSIGNED, center=center).count() == 1
    next_round = m.BoxRound.objects.get(center=center, status=m.RoundStatus.OPEN)
    assert next_round.applications.filter(renews__isnull=False).count() == 2
    photo = m.GroupRegistration.objects.get(organization__name="ハマの写真クラブ")
    assert m.BoxApplication.objects.filter(group=photo, round=drawn, state=m.ApplicationState.WON).exists()
