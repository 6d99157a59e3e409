"""Demo data for the five real centers of the seed documents, built only through the services.

Each center runs on its own node, so `seed_center` seeds one center per call. The content is
what the seed documents say (000 小田原 UMECO, 001/002 茅ヶ崎, 003 川崎, 004 横浜・西区): events
with their themes, outcomes and コロナ中止, the worked 協働推進事業 cases with their budgets and
each side's role, networks with their member counts. Where a document gives only a month, the
day is a plausible one; where it gives nothing (extra cases, festival groups), names are
invented. Personal data (representatives, talents, requesters) is always fictional: placeholder
names, 0XX-000-XXXX numbers and example.jp addresses.

`generate_volume` adds Faker-made records on top, for load and dashboard tests.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from common.japanese import fiscal_year_bounds, fiscal_year_of
from permissions.models import Membership, Organization, OrganizationKind as Kind, Role
from permissions.services import membership_grant, organization_create

from . import services
from .matching_text import parse_allowed_forms, parse_costs
from .models import (
    ActivityField,
    CaseOutcome as Outcome,
    CollaborationCase,
    CollaborationForm as Form,
    Consultation,
    ConsultationChannel as Channel,
    Event,
    EventKind,
    EventStatus,
    GroupRegistration,
    GroupStatus,
    LegalForm,
    NeedStatus,
    PartyRole,
    SharingLevel,
)

DEMO_PASSWORD = "kyodo-demo-2026"
TOKYO = ZoneInfo("Asia/Tokyo")
COVID = "コロナ中止"
RAIN = "雨天中止"


@dataclass(frozen=True)
class DemoLogin:
    role: str
    organization: str
    username: str
    password: str


@dataclass(frozen=True)
class CenterSpec:
    name: str
    name_kana: str
    municipality_code: str
    municipality_name: str
    seed_document: str
    admin_name: tuple[str, str]  # (last, first), fictional
    staff_name: tuple[str, str]
    # Fictional numbers in the center's area code: 0465-00-0001, 045-000-0001 …
    phone_prefix: str
    areas: tuple[tuple[str, str], ...]  # (地名, カナ) for generated groups
    build: Callable[[_Seeder], None] = field(repr=False)
    # (role, organization name, username, (last, first)) beyond admin and staff
    extra_logins: tuple[tuple[str, str, str, tuple[str, str]], ...] = ()

    def logins(self, key: str) -> list[DemoLogin]:
        found = [
            DemoLogin(Role.CENTER_ADMIN.value, self.name, f"{key}-admin", DEMO_PASSWORD),
            DemoLogin(Role.CENTER_STAFF.value, self.name, f"{key}-staff", DEMO_PASSWORD),
        ]
        found += [DemoLogin(str(role), organization, username, DEMO_PASSWORD)
                  for role, organization, username, _ in self.extra_logins]
        return found


# --- small helpers --------------------------------------------------------------------------


def _at(year: int, month: int, day: int, hour: int = 13, minute: int = 30) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=TOKYO)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    """The n-th given weekday of a month (weekday: Monday 0 … Sunday 6)."""
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _on(day: dt.date, hour: int = 13, minute: int = 30) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TOKYO)


def _from_today(days: int, hour: int = 14, minute: int = 0) -> dt.datetime:
    """Dates relative to today, so dashboards always show upcoming events and due renewals."""
    return _on(timezone.localdate() + dt.timedelta(days=days), hour, minute)


def _next_nth_weekday(weekday: int, n: int, months_ahead: int = 0) -> dt.date:
    today = timezone.localdate()
    year, month = today.year, today.month + months_ahead
    while True:
        year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
        day = _nth_weekday(year, month, weekday, n)
        if day > today:
            return day
        month += 1


_NUMBERED = (("一郎", "イチロウ"), ("二郎", "ジロウ"), ("三郎", "サブロウ"), ("四郎", "シロウ"), ("五郎", "ゴロウ"),
             ("六郎", "ロクロウ"), ("七郎", "シチロウ"), ("八郎", "ハチロウ"), ("九郎", "クロウ"), ("十郎", "ジュウロウ"))


def _numbered_person(last: str, last_kana: str, i: int) -> tuple[str, str]:
    """Placeholder representatives (小林 一郎, 小林 二郎 …): obviously not real people's data."""
    first, first_kana = _NUMBERED[i % len(_NUMBERED)]
    return f"{last} {first}", f"{last_kana} {first_kana}"


def _lines(*items: str) -> str:
    return "\n".join(f"・{item}" for item in items)


SATURDAY, SUNDAY = 5, 6


class _Seeder:
    """One center's demo: the center, its two staff accounts, and helpers over the services."""

    def __init__(self, key: str, spec: CenterSpec):
        self.key = key
        self.spec = spec
        self.center = organization_create(
            acting_user=None, name=spec.name, name_kana=spec.name_kana, kind=Kind.CENTER,
            municipality_code=spec.municipality_code, municipality_name=spec.municipality_name,
        )
        self.admin = self.account(f"{key}-admin", spec.admin_name, self.center, Role.CENTER_ADMIN)
        self.staff = self.account(f"{key}-staff", spec.staff_name, self.center, Role.CENTER_STAFF)
        self.orgs: dict[str, Organization] = {spec.name: self.center}
        self.groups: dict[str, GroupRegistration] = {}
        self.cases: dict[str, CollaborationCase] = {}
        self._fields = {f.code: f for f in ActivityField.objects.all()}
        self._contacts = 0

    def account(self, username: str, name: tuple[str, str], organization: Organization, role: str):
        user = get_user_model().objects.create_user(
            username=username, password=DEMO_PASSWORD, last_name=name[0], first_name=name[1],
            email=f"{username}@example.jp",
        )
        membership_grant(acting_user=None, user=user, organization=organization, role=role)
        return user

    def fields(self, *codes: int) -> list[ActivityField]:
        return [self._fields[code] for code in codes]

    def org(self, name: str) -> Organization:
        return self.orgs[name]

    def contact(self) -> dict:
        """A fictional phone and e-mail address, different for every record."""
        self._contacts += 1
        n = self._contacts
        return {"contact_phone": f"{self.spec.phone_prefix}-{n:04d}", "contact_email": f"{self.key}{n:03d}@example.jp"}

    def partner(self, name: str, kind: str, kana: str = "", *, city: bool = False) -> Organization:
        extra = {"municipality_code": self.spec.municipality_code, "municipality_name": self.spec.municipality_name} if city else {}
        organization = services.partner_create(acting_user=self.admin, center=self.center, name=name, kind=kind,
                                               name_kana=kana, **extra)
        self.orgs[name] = organization
        return organization

    def department(self, name: str, kana: str = "") -> Organization:
        return self.partner(name, Kind.CITY_DEPARTMENT, kana, city=True)

    def group(self, name: str, kana: str, *, fields: Sequence[int] = (), registered_on: dt.date,
              legal_form: str = LegalForm.VOLUNTARY, kind: str = Kind.CITIZEN_GROUP, description: str = "",
              area: str = "", members: int | None = None, representative: tuple[str, str] = ("", ""),
              consents: Iterable[str] = ("hub_listing",), renew: bool = True, **values) -> GroupRegistration:
        """Register a group; by default renewed every three 年度 up to today, as a live center would."""
        group = services.group_register(
            acting_user=self.admin, center=self.center, name=name, name_kana=kana, kind=kind,
            registered_on=registered_on, consents=consents, legal_form=legal_form,
            activity_fields=self.fields(*fields), description=description, area=area, member_count=members,
            representative_name=representative[0], representative_kana=representative[1],
            **({**self.contact(), **values} if representative[0] else values),
        )
        today = timezone.localdate()
        while renew and "renewal_due" not in values and group.renewal_due < today:
            group = services.group_renew(acting_user=self.admin, group=group,
                                         renewed_on=group.renewal_due + dt.timedelta(days=1))
        self.groups[name] = group
        self.orgs[name] = group.organization
        return group

    def event(self, title: str, kind: str, starts_at: dt.datetime, *, hours: float = 2, theme: str = "",
              fields: Sequence[int] = (), venue: str = "", organizers: Sequence[str] = (),
              participants: Sequence[str] = (), attendance: int | None = None, capacity: int | None = None,
              cancelled: str = "", description: str = "", outcome_note: str = "", is_public: bool = True,
              produced_groups: Sequence[str] = (), produced_cases: Sequence[str] = ()) -> Event:
        held = starts_at < timezone.now()
        event = services.event_create(
            acting_user=self.admin, center=self.center, title=title, kind=kind, theme=theme,
            activity_fields=self.fields(*fields), description=description, starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(hours=hours), venue=venue,
            organizers=[self.center, *(self.org(n) for n in organizers)],
            participants=[] if cancelled else [self.org(n) for n in participants],
            capacity=capacity, attendance=None if cancelled or not held else attendance,
            status=EventStatus.HELD if held and not cancelled else EventStatus.PLANNED,
            is_public=is_public, outcome_note=outcome_note,
            produced_groups=[self.groups[n] for n in produced_groups],
            produced_cases=[self.cases[n] for n in produced_cases],
        )
        if cancelled:
            event = services.event_cancel(acting_user=self.admin, event=event, reason=cancelled)
        return event

    def case(self, title: str, summary: str, form: str, *, years: tuple[int, int | None], fields: Sequence[int] = (),
             department: str | None = None, total_cost: int | None = None, city_share: int | None = None,
             outcome: str = Outcome.ONGOING, lessons: str = "", sharing: str = SharingLevel.NAMED,
             parties: Sequence[tuple[str, str, str]] = ()) -> CollaborationCase:
        case = services.case_create(
            acting_user=self.admin, center=self.center, title=title, summary=summary, form=form,
            activity_fields=self.fields(*fields),
            responsible_department=self.org(department) if department else None,
            total_cost=total_cost, city_share=city_share, fiscal_year_start=years[0], fiscal_year_end=years[1],
            outcome=outcome, lessons=lessons, sharing_level=sharing,
            parties=[{"organization": self.org(n), "role": role, "contribution": contribution}
                     for n, role, contribution in parties],
        )
        self.cases[title] = case
        return case

    def need(self, title: str, description: str, requester: str, *, fields: Sequence[int] = (), area: str = "",
             fiscal_year: int | None = None, allowed_forms: str = "", resources: str = "",
             status: str = NeedStatus.OPEN):
        forms, forms_note = parse_allowed_forms(allowed_forms)  # the seed documents write forms as text
        return services.need_create(
            acting_user=self.admin, center=self.center, title=title, description=description,
            requester=self.org(requester), activity_fields=self.fields(*fields), area=area,
            fiscal_year=fiscal_year, allowed_forms=forms, forms_note=forms_note, resources=resources,
            covered_costs=parse_costs(resources), status=status,
        )

    def offer(self, group: str, title: str, description: str, *, fields: Sequence[int] = (), area: str = "",
              capacity: str = "", conditions: str = ""):
        return services.offer_create(
            acting_user=self.admin, group=self.groups[group], title=title, description=description,
            activity_fields=self.fields(*fields), area=area, capacity=capacity, conditions=conditions,
            cost_conditions=parse_costs(conditions),
        )

    def talent(self, name: str, kana: str, title: str, skills: str, *, fields: Sequence[int] = (),
               registered_on: dt.date, area: str = "", availability: str = "", conditions: str = "",
               guidebook: bool = True):
        contact = self.contact()
        return services.talent_register(
            acting_user=self.admin, center=self.center, name=name, name_kana=kana, title=title, skills=skills,
            activity_fields=self.fields(*fields), registered_on=registered_on, area=area,
            availability=availability, conditions=conditions, listed_in_guidebook=guidebook,
            phone=contact["contact_phone"], email=contact["contact_email"],
        )

    def consultation(self, topic: str, channel: str, intake_at: dt.datetime, *, requester: str, intake_note: str,
                     steps: Sequence[tuple[dt.datetime, str]] = (), organization: str | None = None,
                     linked: Sequence[str] = (), cases: Sequence[str] = ()) -> Consultation:
        """A 関わりカード at インテーク, advanced once per entry of `steps` (コーディネート, クロージング, 完了)."""
        self._contacts += 1
        card = services.consultation_open(
            acting_user=self.staff, center=self.center, intake_at=intake_at, topic=topic, channel=channel,
            requester_name=requester, requester_contact=f"{self.spec.phone_prefix}-{self._contacts:04d}",
            requester_organization=self.org(organization) if organization else None, intake_note=intake_note,
            linked_organizations=[self.org(n) for n in linked], linked_cases=[self.cases[t] for t in cases],
        )
        for at, note in steps:
            card = services.consultation_advance(acting_user=self.staff, consultation=card, note=note, at=at)
        return card


# --- 000 小田原市市民活動交流センター UMECO -----------------------------------------------------------

UMECO = "UMECO 会議室"
CITY_MALL = "フレスポ小田原シティーモール"
MINACA = "ミナカ小田原"
SHINKO = "(株)神鋼環境ソリューション"
KUNO = "美しい久野里地里山協議会"
WATERSTAND = "ウォータースタンド(株)"
WANOBUNKA = "NPO法人和の文化塾"
MEDAKA = "めだかサポーターの会"
INOCHI = "命を大切にする小田原を創る会"
NAGISA = "認定NPO法人小田原なぎさ会"
SONPO = "損害保険ジャパン株式会社"
JNPOC = "日本NPOセンター"
FUJISAWA = "藤沢市民活動推進機構"
SHAKYO_ODAWARA = "小田原市社会福祉協議会"
SHIROYAMA = "地域包括支援センターしろやま"
PERFORMERS = ("おだわらハーモニカクラブ", "城下町マジック同好会", "小田原ウクレレ仲間", "鉄道模型ジオラマの会",
              "手づくり布小物の会", "フラサークル・レイおだわら", "こども和太鼓 酒匂連", "朗読グループ 梅の実")


def _seed_odawara(s: _Seeder) -> None:
    s.department("地域政策課", "チイキセイサクカ")
    s.department("人権・男女共同参画課", "ジンケン・ダンジョキョウドウサンカクカ")
    s.department("防災対策課", "ボウサイタイサクカ")
    s.partner(SHAKYO_ODAWARA, Kind.SOCIAL_WELFARE_COUNCIL, "オダワラシシャカイフクシキョウギカイ")
    # No kind for care facilities; the 地域包括支援センター is run by a social-welfare corporation.
    s.partner(SHIROYAMA, Kind.PUBLIC_INTEREST_CORPORATION, "チイキホウカツシエンセンターシロヤマ")
    s.partner("小田原市自治会総連合", Kind.NEIGHBORHOOD_ASSOCIATION, "オダワラシジチカイソウレンゴウ")
    s.partner(CITY_MALL, Kind.COMPANY, "フレスポオダワラシティーモール")
    s.partner(MINACA, Kind.COMPANY, "ミナカオダワラ")
    s.partner(SHINKO, Kind.COMPANY, "シンコウカンキョウソリューション")
    s.partner(WATERSTAND, Kind.COMPANY, "ウォータースタンド")
    s.partner(SONPO, Kind.COMPANY, "ソンガイホケンジャパン")
    s.partner(JNPOC, Kind.INTERMEDIATE_SUPPORT, "ニホンエヌピーオーセンター")
    s.partner(FUJISAWA, Kind.INTERMEDIATE_SUPPORT, "フジサワシミンカツドウスイシンキコウ")

    rep = [("山田 花子", "ヤマダ ハナコ"), ("鈴木 一郎", "スズキ イチロウ"), ("佐藤 次郎", "サトウ ジロウ"),
           ("田中 良子", "タナカ ヨシコ"), ("高橋 三郎", "タカハシ サブロウ"), ("伊藤 春子", "イトウ ハルコ")]
    s.group(MEDAKA, "メダカサポーターノカイ", fields=[7, 13], registered_on=dt.date(2016, 5, 10), members=25,
            area="小田原市内", representative=rep[0], consents=("hub_listing", "named_cases", "disaster_contact"),
            description="小田原のメダカと水辺の生きものを守り育てる活動。観察会や水路の保全作業を行う。")
    s.group("声の万華鏡", "コエノマンゲキョウ", fields=[6], registered_on=dt.date(2017, 6, 1), members=12,
            area="小田原市内", representative=rep[1], consents=("hub_listing", "named_cases"),
            description="声による表現のパフォーマンス団体。ミナカ小田原 金次郎広場などで発表。")
    s.group("小田原ヨーヨー練習会", "オダワラヨーヨーレンシュウカイ", fields=[6, 13], registered_on=dt.date(2019, 9, 3),
            members=10, area="小田原市内", representative=rep[2], consents=("hub_listing", "named_cases"),
            description="ヨーヨーの練習会とパフォーマンス。子どもから大人まで参加。")
    s.group(INOCHI, "イノチヲタイセツニスルオダワラヲツクルカイ", fields=[13, 1], legal_form=LegalForm.NPO,
            registered_on=dt.date(2010, 4, 15), members=30, area="小田原市", representative=rep[3],
            consents=("hub_listing", "named_cases"),
            description="平成21年の団体交流会（子どもの健全育成）に参加した団体が新設。のちにNPO法人化し、"
                        "市民活動応援補助金の交付等を経て精力的に活動している。")
    s.group(KUNO, "ウツクシイクノサトチサトヤマキョウギカイ", fields=[5, 7], registered_on=dt.date(2018, 5, 20),
            members=40, area="小田原市久野", representative=rep[4], consents=("hub_listing", "named_cases"),
            description="久野地区の里地里山の保全と活用。")
    s.group(WANOBUNKA, "ワノブンカジュク", fields=[6, 2], legal_form=LegalForm.NPO, registered_on=dt.date(2018, 9, 1),
            members=18, area="小田原市内", representative=rep[5], consents=("hub_listing", "named_cases"),
            description="和の文化の体験・継承。")
    s.group(NAGISA, "オダワラナギサカイ", legal_form=LegalForm.CERTIFIED_NPO, registered_on=dt.date(2016, 4, 20),
            area="小田原市", consents=("hub_listing", "named_cases"),
            description="基金21・ボランタリー団体成長支援事業2021の支援対象としてUMECOが選定。")
    # The festivals' other performers and makers are not named in the document: invented names.
    for i, (name, kana, fields) in enumerate([
        ("おだわらハーモニカクラブ", "オダワラハーモニカクラブ", [6]),
        ("城下町マジック同好会", "ジョウカマチマジックドウコウカイ", [6]),
        ("小田原ウクレレ仲間", "オダワラウクレレナカマ", [6]),
        ("鉄道模型ジオラマの会", "テツドウモケイジオラマノカイ", [6, 13]),
        ("手づくり布小物の会", "テヅクリヌノコモノノカイ", [6]),
        ("フラサークル・レイおだわら", "フラサークル・レイオダワラ", [6, 1]),
        ("こども和太鼓 酒匂連", "コドモワダイコ サカワレン", [6, 13]),
        ("朗読グループ 梅の実", "ロウドクグループ ウメノミ", [6, 2]),
        ("おだわら国際交流ボランティアの会", "オダワラコクサイコウリュウボランティアノカイ", [11]),
        ("地域防災サポーターおだわら", "チイキボウサイサポーターオダワラ", [8, 9]),
    ]):
        s.group(name, kana, fields=fields, registered_on=dt.date(2015 + i % 6, 4 + i % 8, 10 + i),
                members=8 + 3 * i, area="小田原市内", representative=_numbered_person("小林", "コバヤシ", i))

    # 団体交流会: from H19 (サポセン時代), yearly themes; the 2009 one founded a new group.
    s.event("団体交流会（子どもの健全育成）", EventKind.KORYUKAI, _at(2009, 11, 14), theme="子どもの健全育成",
            fields=[13], venue="小田原市市民活動サポートセンター", attendance=32, produced_groups=[INOCHI],
            description="分野を決めて参加団体を募集し、活動発表とワークショップで団体同士の連携を促す。",
            outcome_note=f"参加した「子どもの健全育成」関係の団体が「{INOCHI}」を新設（のちにNPO法人化）。")
    for starts_at, theme, fields, kind, note in [
        (_at(2017, 3, 11), "国際交流", [11], EventKind.KORYUKAI, ""),
        (_at(2017, 10, 21), "創作", [6], EventKind.KORYUKAI, "プチマーケット形式で開催。"),
        (_at(2018, 7, 14), "国際交流", [11], EventKind.KORYUKAI, ""),
        (_at(2018, 12, 8), "環境保全", [7], EventKind.KORYUKAI, ""),
        (_at(2019, 6, 15), "子どもの健全育成", [13], EventKind.KORYUKAI, "地域コミュニティ組織からの参加も募集。"),
        (_at(2019, 8, 24), "防災", [8, 9], EventKind.KORYUKAI, "市所管課（防災対策課）による地域課題の発表を含む。"),
        (_at(2021, 1, 23), "子どもの健全育成", [13], EventKind.KORYUKAI, ""),
        (_at(2021, 3, 13), "防災", [8, 9], EventKind.KOENKAI, "講演会形式で開催。"),
        (_at(2021, 8, 28), "資金調達", [19], EventKind.KORYUKAI, ""),
    ]:
        organizers = ["防災対策課"] if theme == "防災" and starts_at.year == 2019 else []
        participants = {"国際交流": ["おだわら国際交流ボランティアの会"], "創作": ["手づくり布小物の会", "鉄道模型ジオラマの会"],
                        "環境保全": [MEDAKA, KUNO], "子どもの健全育成": [INOCHI, "こども和太鼓 酒匂連"],
                        "防災": ["地域防災サポーターおだわら"], "資金調達": [MEDAKA, WANOBUNKA, INOCHI]}[theme]
        title = "団体交流会 プチマーケット（創作）" if theme == "創作" else f"団体交流会（{theme}）"
        s.event(title, kind, starts_at, theme=theme, fields=fields, venue=UMECO, organizers=organizers,
                participants=participants, attendance=20 + 3 * len(participants) + starts_at.month,
                description=note + "活動発表とワークショップを通じて団体同士の連携を促す。")
    s.event("団体交流会（地域の居場所づくり）", EventKind.KORYUKAI, _from_today(24, 13, 30), theme="地域の居場所づくり",
            fields=[1, 3], venue=UMECO, capacity=40, participants=["小田原市自治会総連合"],
            description="分野別に加え、地域課題を意識したテーマで地域コミュニティ組織からの参加も募集。")

    # 地域とのネットワーク
    s.event("新しいまちづくり発見（皆で造ろう私たちのまち）", EventKind.KOENKAI, _at(2011, 11, 19, 14, 0),
            venue="けやき大ホール", participants=["小田原市自治会総連合"], attendance=180,
            description="講演、事例発表、パネルディスカッション。小田原市内全自治会長を対象に実施。")
    s.event("自治会とのネットワーク交流会", EventKind.KORYUKAI, _at(2014, 10, 25), fields=[3],
            venue="小田原市市民活動サポートセンター", participants=["小田原市自治会総連合", MEDAKA], attendance=45,
            description="自治会・地区社協などの地域活動団体と市民活動団体の連携を促す交流会。")

    # シティーモール: the CSR venue, three festivals a year. The document marks COVID cancellations
    # by strikethrough, lost in the text; these follow Kanagawa's emergency periods.
    s.case(
        "シティーモールでの市民活動ステージ", "フレスポ小田原シティーモールが地域貢献（CSR）の一環として活動場所を提供し、"
        "登録団体が年3回（8月サマー・12月クリスマス・3月スプリング）、各8団体が発表。大型店舗内での宣伝効果と、"
        "登録団体が地域で活動できる場所の拡大をねらう。物づくりや鉄道模型ジオラマなど他ジャンルの団体も参加。",
        Form.CORPORATE, years=(2013, None), fields=[6, 19], outcome=Outcome.CONTINUED,
        lessons="パフォーマンスによるイベントに限られており、展示会や講座など他の手法による連携も必要。",
        parties=[(CITY_MALL, PartyRole.PARTNER, "活動場所（ステージ）の提供（CSR）"),
                 (s.spec.name, PartyRole.COORDINATOR, _lines("出演団体の募集・調整", "当日の運営"))],
    )
    festivals = [((2014, 2), "市民活動ステージ", None, "")]
    festivals += [((2014, 8), "夏祭り in 市民活動ステージ", 5, ""), ((2014, 12), "クリスマスコンサート", 5, ""),
                  ((2015, 8), "夏祭り in 市民活動ステージ", 7, ""), ((2016, 3), "スプリングコンサート", 8, "")]
    for fy in range(2016, 2021):
        festivals += [((fy, 8), "サマーフェスティバル", 8, COVID if fy == 2020 else ""),
                      ((fy, 12), "クリスマスフェスティバル", 8, COVID if fy == 2020 else ""),
                      ((fy + 1, 3), "スプリングフェスティバル", 8, COVID if fy >= 2019 else "")]
    festivals.append(((2021, 8), "サマーフェスティバル", 8, COVID))
    for index, ((year, month), title, count, cancelled) in enumerate(festivals):
        performers = [*PERFORMERS, "声の万華鏡", "小田原ヨーヨー練習会"] if year >= 2020 else list(PERFORMERS)
        chosen = [performers[(index + k) % len(performers)] for k in range(count or 0)]
        s.event(f"シティーモール {title}", EventKind.FESTIVAL, _on(_nth_weekday(year, month, SUNDAY, 2), 11, 0),
                hours=5, fields=[6], venue=CITY_MALL, organizers=[CITY_MALL], participants=chosen,
                attendance=150 + 10 * len(chosen) if chosen else None, cancelled=cancelled,
                description=(f"{count}団体参加。" if count else "サポートセンター事業として開始。")
                + ("（サポートセンター運営時）" if (year, month) < (2015, 8) else ""))
    christmas = dt.date(timezone.localdate().year, 12, 1)
    if christmas <= timezone.localdate():
        christmas = christmas.replace(year=christmas.year + 1)
    s.event("シティーモール クリスマスフェスティバル", EventKind.FESTIVAL,
            _on(_nth_weekday(christmas.year, 12, SUNDAY, 2), 11, 0), hours=5, fields=[6], venue=CITY_MALL,
            organizers=[CITY_MALL], participants=list(PERFORMERS), description="8団体参加予定。")

    # ミナカ小田原 金次郎広場: third Saturdays from June 2021; only July was not rained or COVID out.
    s.case(
        "ミナカ小田原 金次郎広場でのパフォーマンス", "令和2年10月に開設されたミナカ小田原にネットワーク構築を打診。"
        "原則第3土曜日に金次郎広場で登録団体がパフォーマンスを行う。",
        Form.CORPORATE, years=(2021, None), fields=[6], outcome=Outcome.ONGOING,
        parties=[(MINACA, PartyRole.PARTNER, "金次郎広場の提供"), ("声の万華鏡", PartyRole.LEAD, "パフォーマンス"),
                 ("小田原ヨーヨー練習会", PartyRole.LEAD, "パフォーマンス"),
                 (s.spec.name, PartyRole.COORDINATOR, "出演団体の調整")],
    )
    for month, performers, cancelled in [(6, [], RAIN), (7, ["声の万華鏡", "小田原ヨーヨー練習会"], ""),
                                         (8, [], COVID), (9, [], COVID)]:
        s.event("金次郎広場パフォーマンス", EventKind.PERFORMANCE, _on(_nth_weekday(2021, month, SATURDAY, 3), 13, 0),
                fields=[6], venue="ミナカ小田原 金次郎広場", organizers=[MINACA], participants=performers,
                attendance=60 if performers else None, cancelled=cancelled,
                description="「声の万華鏡」と「小田原ヨーヨー練習会」が発表。" if performers else "")
    s.event("金次郎広場パフォーマンス", EventKind.PERFORMANCE, _on(_next_nth_weekday(SATURDAY, 3), 13, 0),
            fields=[6], venue="ミナカ小田原 金次郎広場", organizers=[MINACA],
            participants=["おだわらハーモニカクラブ", "城下町マジック同好会"])

    # パートナーシップミーティング: co-hosted with 神奈川県 (FY2018–2020); companies meet groups.
    s.case(f"{SHINKO}とめだかサポーターの会の連携",
           "2019年度パートナーシップミーティングでの出会いから、企業と環境保全団体の連携へ。",
           Form.CORPORATE, years=(2019, None), fields=[7], outcome=Outcome.ONGOING,
           parties=[(MEDAKA, PartyRole.LEAD, "メダカと水辺環境の保全に関する知識と活動の場"),
                    (SHINKO, PartyRole.PARTNER, "企業の社会貢献としての協力"),
                    (s.spec.name, PartyRole.COORDINATOR, "パートナーシップミーティングでのマッチング")])
    s.case(f"{KUNO}・{WATERSTAND}・{WANOBUNKA}の連携",
           "2020年度パートナーシップミーティングから生まれた、里地里山の団体・企業・和の文化の団体の三者連携。",
           Form.CORPORATE, years=(2020, None), fields=[5, 6, 7], outcome=Outcome.ONGOING,
           parties=[(KUNO, PartyRole.LEAD, "里地里山のフィールド"), (WATERSTAND, PartyRole.PARTNER, "企業としての協力"),
                    (WANOBUNKA, PartyRole.PARTNER, "和の文化の体験プログラム"),
                    (s.spec.name, PartyRole.COORDINATOR, "パートナーシップミーティングでのマッチング")])
    meeting = ("事業者・学校と市民活動団体の協働事例の発表後、ワークショップでグループごとに協働の可能性を探る。"
               "神奈川県とUMECOの共催事業。")
    s.event("パートナーシップミーティング（県西地域）", EventKind.PARTNERSHIP_MEETING, _at(2019, 2, 16), fields=[19],
            venue=UMECO, participants=[MEDAKA, KUNO, CITY_MALL], attendance=48, description=meeting)
    s.event("パートナーシップミーティング（県西地域）", EventKind.PARTNERSHIP_MEETING, _at(2019, 10, 26), fields=[19],
            venue=UMECO, participants=[MEDAKA, SHINKO, WANOBUNKA], attendance=52, description=meeting,
            produced_cases=[f"{SHINKO}とめだかサポーターの会の連携"],
            outcome_note=f"{SHINKO}、めだかサポーターの会の連携へ。")
    s.event("パートナーシップミーティング（県西地域）", EventKind.PARTNERSHIP_MEETING, _at(2021, 2, 20), fields=[19],
            venue=UMECO, participants=[KUNO, WATERSTAND, WANOBUNKA], attendance=35, description=meeting,
            produced_cases=[f"{KUNO}・{WATERSTAND}・{WANOBUNKA}の連携"],
            outcome_note=f"{KUNO}、{WATERSTAND}、{WANOBUNKA}の連携へ。")

    # うきうき交流会: 社協, 包括しろやま and UMECO, twice a year for elderly people living alone.
    s.case("うきうき交流会", "市社協・地域包括支援センターしろやま（緑地区・万年地区・幸地区）・UMECOの3者で、"
           "近隣に住む一人暮らしの65歳以上の高齢者を対象に年2回（春と冬）交流会を実施（体操やワークショップ）。",
           Form.KYOSAI, years=(2017, None), fields=[1], outcome=Outcome.CONTINUED,
           lessons="対象が近隣の高齢者のみで発展が見込みにくい。地域の拡大や、講座（100歳時代をどう生きるか等）の実施を検討。",
           parties=[(SHAKYO_ODAWARA, PartyRole.PARTNER, "高齢者への周知・当日の運営"),
                    (SHIROYAMA, PartyRole.PARTNER, "対象地区の一人暮らし高齢者へのはたらきかけ"),
                    (s.spec.name, PartyRole.COORDINATOR, _lines("会場の提供", "登録団体による体操・ワークショップの調整"))])
    for starts_at, cancelled in [(_at(2017, 5, 20), ""), (_at(2017, 12, 9), ""), (_at(2018, 6, 16), ""),
                                 (_at(2019, 2, 16, 10, 0), ""), (_at(2019, 6, 15, 10, 0), ""),
                                 (_at(2020, 2, 15), ""), (_at(2020, 6, 20), COVID), (_at(2021, 2, 20, 10, 0), COVID)]:
        s.event("うきうき交流会", EventKind.KORYUKAI, starts_at, fields=[1], venue=UMECO,
                organizers=[SHAKYO_ODAWARA, SHIROYAMA], attendance=40 + starts_at.month % 7, cancelled=cancelled,
                description="近隣の一人暮らし高齢者（65歳以上）の交流会。体操やワークショップ。")

    # 男女共同参画週間 (June): lectures and exhibitions with the department since FY2016.
    s.case("男女共同参画週間の講演会・展示", "UMECO開設時に女性プラザを統合したことから、所管課と連携し男女共同参画週間（6月）"
           "に合わせた講演会や展示を行う。", Form.KYOSAI, years=(2016, None), fields=[12],
           department="人権・男女共同参画課", outcome=Outcome.CONTINUED,
           lessons="UMECO独自の企画（若者と高齢者のフリートーク「あなたなら男・女 どう考える」など）で行政と違う立場から。",
           parties=[("人権・男女共同参画課", PartyRole.GOVERNMENT, "講師の手配・広報"),
                    (s.spec.name, PartyRole.COORDINATOR, "会場・展示の運営")])
    for year in range(2016, 2022):
        s.event("男女共同参画週間 講演会", EventKind.KOENKAI, _on(_nth_weekday(year, 6, SATURDAY, 4), 14, 0),
                fields=[12], venue=UMECO, organizers=["人権・男女共同参画課"], attendance=50 + year % 10,
                cancelled=COVID if year >= 2020 else "")
    s.event("男女共同参画週間 パネル展示", EventKind.EXHIBITION, _at(2021, 6, 23, 9, 0), hours=4 * 24 + 8, fields=[12],
            venue="UMECO 交流スペース", organizers=["人権・男女共同参画課"], attendance=120)

    # Referrals to outside programmes (SAVE JAPAN, 基金21).
    s.case("SAVE JAPAN プロジェクト 2021", "47都道府県のNPOと地域住民、損保ジャパンが一緒に「生き物が住みやすい環境づくり」"
           "を行うプロジェクト。令和3年7月末に藤沢市民活動推進機構から団体推薦の依頼があり、UMECO登録団体から"
           "めだかサポーターの会を推薦。打ち合わせを重ねて応募書を提出し、9月に合格。",
           Form.CORPORATE, years=(2021, 2021), fields=[7], outcome=Outcome.ENDED,
           parties=[(MEDAKA, PartyRole.LEAD, "市民参加型の体験イベントの企画・実施"),
                    (SONPO, PartyRole.FUNDER, "寄付"),
                    (JNPOC, PartyRole.COORDINATOR, "全国での実施の取りまとめ"),
                    (FUJISAWA, PartyRole.COORDINATOR, "団体推薦の依頼・地域での調整"),
                    (s.spec.name, PartyRole.COORDINATOR, _lines("登録団体からの推薦", "打ち合わせ", "応募書の作成支援"))])
    s.event("SAVE JAPAN プロジェクト 2021 生き物観察体験イベント", EventKind.OTHER, _at(2021, 10, 23, 10, 0), hours=3,
            fields=[7], venue="小田原市内の水辺", organizers=[MEDAKA, FUJISAWA], participants=[MEDAKA], attendance=30,
            produced_cases=["SAVE JAPAN プロジェクト 2021"])
    s.case("基金21・ボランタリー団体成長支援事業 2021", "県から事業を受託した藤沢市民活動推進機構の依頼で、UMECOが支援対象"
           "団体を選定。自己診断シートで組織の状況を客観的に把握し、中期計画策定、広報発信力強化、財務基盤強化等を支援。"
           "2020年度に2団体、2021年度に1団体を選定。", Form.OTHER, years=(2021, 2021), fields=[19],
           outcome=Outcome.ENDED,
           parties=[(NAGISA, PartyRole.LEAD, "自己診断と中期計画の策定"),
                    (FUJISAWA, PartyRole.COORDINATOR, "伴走支援（県からの受託）"),
                    (s.spec.name, PartyRole.COORDINATOR, "支援対象団体の選定")])

    # Needs from neighbourhoods and departments (地域からの要請), offers of groups.
    s.need("敬老会・ふれあいサロンへの出演", "敬老会やふれあいサロン、乳幼児向けイベントに出演・協力してくれる市民活動団体を"
           "探している。交通費程度の謝礼は自治会で負担。", "小田原市自治会総連合", fields=[1, 6], area="小田原市内",
           allowed_forms="事業協力", resources="会場・交通費程度の謝礼", status=NeedStatus.COORDINATING)
    s.need("地域の神社の樹木の伐採", "自治会から地域の神社の樹木の伐採等の依頼。対応できる団体を探している。",
           "小田原市自治会総連合", fields=[3, 7], area="小田原市内")
    s.need("自治会の地域課題の掘り起こし", "自治会等で把握した地域課題を速やかにUMECOと共有し、市民活動団体との連携で解決したい。",
           "地域政策課", fields=[3, 19], fiscal_year=fiscal_year_of(timezone.localdate()), allowed_forms="事業協力")
    s.offer("声の万華鏡", "敬老会・サロンでの出張パフォーマンス", "声によるパフォーマンスを30分程度。",
            fields=[6], area="小田原市内", conditions="交通費程度")
    s.offer("小田原ヨーヨー練習会", "ヨーヨー体験会", "子ども向けのヨーヨー体験とパフォーマンス。", fields=[6, 13],
            area="小田原市内", capacity="20人程度")
    s.offer(MEDAKA, "メダカと水辺の生きもの観察会", "水路でのメダカ観察と保全のお話。", fields=[7, 13],
            area="小田原市内", capacity="30人程度")
    s.offer(WANOBUNKA, "和の文化体験講座", "和の文化にふれる体験講座。", fields=[6], area="県西地域")

    s.consultation("補助金の申請書の書き方", Channel.COUNTER, _at(2021, 5, 12, 10, 30), requester="相談 花子",
                   organization="こども和太鼓 酒匂連", intake_note="市民活動応援補助金の申請を検討。",
                   steps=[(_at(2021, 5, 19, 14, 0), "申請書の構成と予算書の作り方を助言。"),
                          (_at(2021, 6, 2, 11, 0), "申請書を提出。"), (_at(2021, 6, 10, 9, 0), "完了。")])
    s.consultation("自治会の敬老会に出てくれる団体を紹介してほしい", Channel.PHONE, _from_today(-10, 10, 0),
                   requester="自治 太郎", organization="小田原市自治会総連合",
                   intake_note="来年の敬老会で30分程度の出演を希望。",
                   steps=[(_from_today(-6, 15, 0), "声の万華鏡・ハーモニカクラブに打診中。")],
                   linked=["声の万華鏡", "おだわらハーモニカクラブ"])
    s.consultation("企業と組める活動を探したい", Channel.COUNTER, _from_today(-2, 11, 0), requester="連携 次郎",
                   organization=KUNO, intake_note="パートナーシップミーティング後の連携の広げ方について。")


# --- 001/002 茅ヶ崎市民活動サポートセンター ----------------------------------------------------------

CATS = "Chigasaki Cat's Protect"
CATS_CASE = "飼い主のいない猫の不妊去勢手術及び猫の適正管理普及啓発事業"
ART = "NPO法人赤ちゃんからのアートフレンドシップ協会"
MIRUKKO = "美術「みるっこ」プログラム事業"
UNKNOWN_AFTER = "期間後の状況は資料に記載がないため、デモでは仮に設定している。"


def _seed_chigasaki(s: _Seeder) -> None:
    s.department("市民自治推進課", "シミンジチスイシンカ")
    s.department("環境保全課", "カンキョウホゼンカ")
    s.department("保健所衛生課", "ホケンジョエイセイカ")
    s.department("文化生涯学習課", "ブンカショウガイガクシュウカ")
    s.department("子育て支援課", "コソダテシエンカ")
    s.department("高齢福祉介護課", "コウレイフクシカイゴカ")
    s.department("防災対策課", "ボウサイタイサクカ")
    s.partner("茅ヶ崎市自治会連合会", Kind.NEIGHBORHOOD_ASSOCIATION, "チガサキシジチカイレンゴウカイ")
    s.partner("茅ヶ崎市社会福祉協議会", Kind.SOCIAL_WELFARE_COUNCIL, "チガサキシシャカイフクシキョウギカイ")

    named = ("hub_listing", "named_cases", "disaster_contact")
    s.group(CATS, "チガサキキャッツプロテクト", fields=[7, 1], registered_on=dt.date(2012, 6, 1), members=20,
            area="茅ヶ崎市内", representative=("浜田 花子", "ハマダ ハナコ"), consents=named,
            description="飼い主のいない猫のTNR（捕獲・不妊去勢手術・元の場所に戻す）と適正管理の普及啓発、保護猫の譲渡会。")
    s.group(ART, "アカチャンカラノアートフレンドシップキョウカイ", fields=[6, 13], legal_form=LegalForm.NPO,
            registered_on=dt.date(2014, 9, 1), members=15, area="茅ヶ崎市内",
            representative=("美濃部 良子", "ミノベ ヨシコ"), consents=named,
            description="赤ちゃんから子どもまで、美術にふれる機会をつくる。幼稚園・保育園での鑑賞出張講座。")
    # The programme's other projects are not named in the documents: invented groups and cases.
    fictional = [
        ("ちがさき子育てひろばネット", "チガサキコソダテヒロバネット", [13]),
        ("湘南ちがさき防災ボランティアの会", "ショウナンチガサキボウサイボランティアノカイ", [8, 9]),
        ("ちがさき里山保全クラブ", "チガサキサトヤマホゼンクラブ", [7]),
        ("浜見平多文化交流サロン", "ハマミダイラタブンカコウリュウサロン", [11, 13]),
        ("ちがさき高齢者見守りネット", "チガサキコウレイシャミマモリネット", [1]),
        ("茅ヶ崎ビーチクリーン倶楽部", "チガサキビーチクリーンクラブ", [7]),
        ("ちがさき日本語学習支援の会", "チガサキニホンゴガクシュウシエンノカイ", [11, 2]),
    ]
    for i, (name, kana, fields) in enumerate(fictional):
        s.group(name, kana, fields=fields, registered_on=dt.date(2008 + i, 5, 1 + i), members=10 + 4 * i,
                area="茅ヶ崎市内", representative=_numbered_person("中村", "ナカムラ", i))

    s.case(
        CATS_CASE,
        "行政提案型協働推進事業（平成26年度実施）。野良猫の不妊去勢手術を実施することにより、殺処分数の減少を図る。"
        "また、野良猫への無責任な給餌を行う住民に対して、糞尿の処理や適切な餌やり等の猫の適正管理に関する指導を行う"
        "ことにより、生活環境被害の軽減を図る。保護した猫の譲渡会も行った。担当課は環境保全課（現在の所管は保健所衛生課）。",
        Form.KYODO_SUISHIN_GYOSEI, years=(2014, 2014), fields=[7, 1], department="環境保全課",
        total_cost=1_732_180, city_share=1_694_000, outcome=Outcome.CONTINUED,
        lessons="所管は保健所衛生課に移った。" + UNKNOWN_AFTER,
        parties=[(CATS, PartyRole.LEAD, _lines("猫の生態に関する専門知識", "TNR活動の経験", "動物病院との連絡調整")),
                 ("環境保全課", PartyRole.GOVERNMENT,
                  _lines("住民からの苦情等に基づく的確な状況把握", "地域住民への調整・説明", "事業費の負担"))],
    )
    s.case(
        MIRUKKO,
        "市民提案型協働推進事業（平成28・29年度実施）。事業額 1年目 1,187,000円（市負担額 1,187,000円）、"
        "2年目 1,180,000円（市負担額 1,180,000円）。美術に触れる機会が少ない子どもを対象として、幼稚園や保育園で"
        "「鑑賞出張講座」を実施。鑑賞作品と同手法の「触れる作品」の用意や描画の時間を設けるなど、5感で楽しめる講座を開催。"
        "また、鑑賞手ほどき用の冊子を制作し、実際に茅ヶ崎市美術館の作品を鑑賞する「家族鑑賞会」を開催。",
        Form.KYODO_SUISHIN_SHIMIN, years=(2016, 2017), fields=[6, 13], department="文化生涯学習課",
        total_cost=1_187_000 + 1_180_000, city_share=1_187_000 + 1_180_000, outcome=Outcome.CONTINUED,
        lessons=UNKNOWN_AFTER,
        parties=[(ART, PartyRole.LEAD, _lines("美術・鑑賞指導に関する専門知識", "「触れる作品」の制作",
                                             "鑑賞手ほどき用の冊子の制作", "出張講座の実施")),
                 ("文化生涯学習課", PartyRole.GOVERNMENT, _lines("美術館との連絡調整", "幼稚園や保育園への周知",
                                                               "作家への許諾確認", "事業費の負担"))],
    )
    # Invented projects across the programme's years; after the funded period few continued as
    # they were (seed 001: 協働推進事業終了後の事業継続率の低さ).
    for title, form, years, department, lead, fields, cost, outcome in [
        ("外国につながる子どもの学習支援事業", Form.KYODO_SUISHIN_SHIMIN, (2009, 2009), "子育て支援課",
         "ちがさき日本語学習支援の会", [11, 13], 980_000, Outcome.REDUCED),
        ("海岸清掃ボランティア育成事業", Form.KYODO_SUISHIN_GYOSEI, (2010, 2010), "環境保全課",
         "茅ヶ崎ビーチクリーン倶楽部", [7], 650_000, Outcome.CONTINUED),
        ("地域の防災リーダー養成講座", Form.KYODO_SUISHIN_GYOSEI, (2012, 2012), "防災対策課",
         "湘南ちがさき防災ボランティアの会", [8, 9], 1_200_000, Outcome.ENDED),
        ("子育てひろば出張事業", Form.KYODO_SUISHIN_SHIMIN, (2013, 2013), "子育て支援課",
         "ちがさき子育てひろばネット", [13], 1_450_000, Outcome.REDUCED),
        ("谷戸の里山保全と環境学習事業", Form.KYODO_SUISHIN_SHIMIN, (2015, 2015), "環境保全課",
         "ちがさき里山保全クラブ", [7, 2], 870_000, Outcome.ENDED),
        ("高齢者の見守りと居場所づくり事業", Form.KYODO_SUISHIN_GYOSEI, (2017, 2018), "高齢福祉介護課",
         "ちがさき高齢者見守りネット", [1], 2_100_000, Outcome.REDUCED),
        ("多文化共生の交流サロン事業", Form.KYODO_SUISHIN_SHIMIN, (2019, 2020), "市民自治推進課",
         "浜見平多文化交流サロン", [11], 1_800_000, Outcome.ENDED),
    ]:
        s.case(title, f"{form.label}（架空の事例）。{lead}と{department}が協働で実施。", form, years=years,
               fields=fields, department=department, total_cost=cost, city_share=cost * 9 // 10 // 1000 * 1000,
               outcome=outcome, sharing=SharingLevel.ANONYMIZED,
               lessons={Outcome.CONTINUED: "担当課の事業として継続。", Outcome.REDUCED: "予算縮小により事業縮小。",
                        Outcome.ENDED: "協働推進事業の終了とともに事業終了。"}[outcome],
               parties=[(lead, PartyRole.LEAD, "事業の企画・実施"), (department, PartyRole.GOVERNMENT, "事業費の負担・周知")])
    # The many other forms of 協働 the city counts besides 協働推進事業 (seed 001, p.10).
    for title, form, department, lead in [
        ("ちがさき環境フェア", Form.JIKKO_IINKAI, "環境保全課", "茅ヶ崎ビーチクリーン倶楽部"),
        ("子育て講座の共催", Form.KYOSAI, "子育て支援課", "ちがさき子育てひろばネット"),
        ("避難所運営訓練への協力", Form.JIGYO_KYORYOKU, "防災対策課", "湘南ちがさき防災ボランティアの会"),
    ]:
        s.case(title, f"{form.label}による協働（架空の事例）。", form, years=(2019, None), department=department,
               sharing=SharingLevel.PRIVATE, parties=[(lead, PartyRole.LEAD, "企画・当日の運営"),
                                                      (department, PartyRole.GOVERNMENT, "会場・広報")])

    s.event("保護猫の譲渡会", EventKind.OTHER, _at(2015, 1, 25, 11, 0), hours=4, fields=[7],
            venue="茅ヶ崎市内", organizers=[CATS], participants=[CATS], attendance=40,
            description=f"{CATS_CASE}の一環で、保護した猫の譲渡会を開催。")
    for fy, meetings, applications, adopted in [(2015, 17, 8, 4), (2016, 18, 3, 3), (2017, 10, 1, 0),
                                                (2018, 10, 0, 0), (2019, 13, 0, 0)]:
        s.event(f"市民提案型協働推進事業 意見交換会（{fy}年度）", EventKind.IKEN_KOKAN, _at(fy, 8, 20, 14, 0),
                fields=[19], venue="茅ヶ崎市役所 会議室", organizers=["市民自治推進課"], attendance=meetings * 2,
                description=f"団体と担当課の意見交換会。この年度の意見交換会 {meetings}件、申込 {applications}件、"
                            f"採択 {adopted}件。",
                produced_cases=[MIRUKKO] if fy == 2015 else [],
                outcome_note="2016年度実施事業（美術「みるっこ」プログラム事業など）の提案につながった。" if fy == 2015 else "")
    s.event("美術「みるっこ」家族鑑賞会", EventKind.OTHER, _at(2017, 2, 18, 10, 30), fields=[6, 13],
            venue="茅ヶ崎市美術館", organizers=[ART, "文化生涯学習課"], attendance=36,
            description="鑑賞手ほどき用の冊子を使い、茅ヶ崎市美術館の作品を家族で鑑賞。")
    s.event("令和3年度第4回 市民活動推進委員会", EventKind.OTHER, _at(2021, 7, 26, 14, 0), fields=[19],
            venue="茅ヶ崎市役所 会議室", organizers=["市民自治推進課"], is_public=False,
            description="資料3「市民活動団体等との協働の推進に関する取組について」を審議。協働推進事業の廃止と、"
                        "マッチングを充実させる新制度（協働の種・できることメニュー・丁寧なマッチング）の検討。")
    s.event("協働の意見交換会（分野別発表会＆交流会）", EventKind.IKEN_KOKAN, _from_today(17, 14, 0), fields=[19],
            venue="茅ヶ崎市民活動サポートセンター 会議室", organizers=["市民自治推進課"], capacity=40,
            participants=[CATS, ART, "ちがさき里山保全クラブ"],
            description="市民活動団体の活動発表と担当課の課題の説明。お互いに顔の見える関係をつくり、協働の種を探す。")
    s.event("協働についての職員研修", EventKind.KOZA, _from_today(38, 10, 0), fields=[19], venue="茅ヶ崎市役所 会議室",
            organizers=["市民自治推進課"], is_public=False, description="協働と委託の違い、協働の事例とメリット。")

    s.need("飼い主のいない猫対策（地域猫活動の普及）",
           "住民からの苦情（糞尿、無責任な餌やり）が続く地域で、TNRと猫の適正管理の普及啓発を一緒に進めたい。",
           "保健所衛生課", fields=[7, 1], area="茅ヶ崎市内", fiscal_year=fiscal_year_of(timezone.localdate()) + 1,
           allowed_forms="事業協力・委託（協働委託）",
           resources=_lines("苦情等に基づく状況把握", "自治会・地域住民への説明", "不妊去勢手術費の一部"),
           status=NeedStatus.COORDINATING)
    s.need("海岸・谷戸の環境学習の出前講座", "小学校や地域で環境学習の出前講座を担える団体を探している。", "環境保全課",
           fields=[7, 2], area="茅ヶ崎市内", allowed_forms="事業協力", resources="学校への周知、教材の印刷")
    s.need("美術館での子ども向け鑑賞プログラム", "美術館と連携した子ども向け鑑賞プログラムの担い手。", "文化生涯学習課",
           fields=[6, 13], allowed_forms="共催・事業協力", resources="美術館・作家との連絡調整")
    s.need("自治会サロンでの健康づくり講座", "自治会のふれあいサロンで健康づくりの講座をしてくれる団体を探している。",
           "茅ヶ崎市自治会連合会", fields=[1], area="茅ヶ崎市内", resources="会場")
    s.offer(CATS, "TNR活動と譲渡会の開催", "地域の飼い主のいない猫の捕獲・不妊去勢手術・リターン（TNR）と、保護猫の譲渡会。"
            "動物病院との連絡調整も行う。", fields=[7, 1], area="茅ヶ崎市内", capacity="年数回",
            conditions="手術費の負担について要相談")
    s.offer(CATS, "猫の適正管理の出前講座", "餌やりのルールや糞尿の処理など、猫の適正管理を地域で学ぶ講座。", fields=[7],
            area="茅ヶ崎市内", capacity="30人程度")
    s.offer(ART, "幼稚園・保育園での鑑賞出張講座", "「触れる作品」と描画の時間で、5感で楽しむ美術鑑賞。", fields=[6, 13],
            area="茅ヶ崎市内", conditions="材料費")
    s.offer("ちがさき里山保全クラブ", "谷戸の生きもの観察会", "里山の保全作業と生きもの観察。", fields=[7, 2])
    s.offer("湘南ちがさき防災ボランティアの会", "防災ワークショップ", "家庭でできる備えと避難所運営のワークショップ。",
            fields=[8, 9], capacity="50人程度")

    s.consultation("市と協働したいがどの課に相談すればよいか", Channel.COUNTER, _from_today(-20, 10, 0),
                   requester="協働 花子", organization="ちがさき里山保全クラブ",
                   intake_note="谷戸の保全で市と協働したい。どの課の誰に相談すればよいかわからない。",
                   steps=[(_from_today(-15, 14, 0), "環境保全課に事前打ち合わせを打診。"),
                          (_from_today(-5, 15, 0), "事前打ち合わせを実施。できること・できないことを整理。")],
                   linked=["環境保全課"])
    s.consultation("地域猫活動の進め方", Channel.PHONE, _from_today(-3, 11, 0), requester="地域 太郎",
                   intake_note="近所で餌やりをめぐるトラブル。TNRについて知りたい。", linked=[CATS], cases=[CATS_CASE])
    s.consultation("協働の種への応募方法", Channel.EMAIL, _at(2022, 6, 8, 9, 30), requester="応募 次郎",
                   organization="ちがさき子育てひろばネット", intake_note="協働の種のメニュー化について質問。",
                   steps=[(_at(2022, 6, 10, 10, 0), "市民自治推進課と日程調整。"),
                          (_at(2022, 7, 1, 10, 0), "子育て支援課と顔合わせ。"), (_at(2022, 7, 15, 10, 0), "完了。")])
    _seed_chigasaki_tour(s)


def _seed_chigasaki_tour(s: _Seeder) -> None:
    """Seed 004's スタディツアー (field visits, then reports and a presentation), hosted in the demo by
    茅ヶ崎 and running today, so a visitor's phone shows a current stop. The cats case is shown named
    for this tour only, with the group's consent for the tour."""
    from . import tours

    today, now = timezone.localdate(), timezone.now()
    tour = tours.tour_create(
        acting_user=s.admin, center=s.center, title="スタディツアー「協働推進事業の現場を歩く」", theme="市民と行政の協働",
        description="NPO・企業・大学・行政等、セクターの壁を越えて学び合う現場訪問。訪問後にレポートを作成し、発表会で共有する。",
        starts_on=today, ends_on=today + dt.timedelta(days=1), reading_days=14, capacity=15,
        activity_fields=s.fields(7, 19),
        organizations=[{"name": "小田原市市民活動交流センター UMECO", "kind": "center", "seats": 2},
                       {"name": "横浜市市民協働推進センター", "kind": "center", "seats": 2},
                       {"name": "神奈川県政策局", "kind": "prefecture", "seats": 1}])
    cats_stop = tours.tour_stop_add(
        acting_user=s.admin, tour=tour, title="Chigasaki Cat's Protectの譲渡会を見学",
        starts_at=now - dt.timedelta(minutes=30), ends_at=now + dt.timedelta(hours=2), place="茅ヶ崎市役所 分庁舎",
        directions="JR茅ヶ崎駅北口を出て、市役所通りを北へ徒歩8分。本庁舎の裏手、分庁舎1階の会議室。")
    art_stop = tours.tour_stop_add(
        acting_user=s.admin, tour=tour, title="アートフレンドシップ協会の鑑賞出張講座",
        starts_at=now + dt.timedelta(days=1, hours=-2), ends_at=now + dt.timedelta(days=1),
        place="市内の幼稚園（当日ご案内）", directions="茅ヶ崎駅南口のバス停「茅ヶ崎駅」から、センター職員がご案内します。")
    tours.tour_case_add(acting_user=s.admin, tour=tour, case=s.cases[CATS_CASE], stop=cats_stop, named=True,
                        note="手術費の大部分を市が負担し、団体が捕獲と見守りを担う役割分担")
    tours.tour_case_add(acting_user=s.admin, tour=tour, case=s.cases[MIRUKKO], stop=art_stop,
                        note="幼稚園・保育園と美術館をつなぐ")
    tours.tour_consent_record(acting_user=s.admin, tour=tour, organization=s.org(CATS), method="written",
                              note="ツアーに限り団体名の掲載に同意（書面）")


# --- 003 かわさき市民活動センター ------------------------------------------------------------------

COMPACT = "かわさきコンパクト"
IKUTA = "生田緑地マネジメント会議"
SCRUM = "かわさき男女共同参画ネットワーク（すくらむネット21）"
KAWASAKI_KU = "川崎区企業市民交流事業推進委員会"
GRASS = "NPO法人ぐらすかわさき"
SHOENE = "省エネグループ"
TOKYO_GAS = "東京ガス株式会社"
KYOMACHI = "川崎市立京町中学校"
POST = "川崎市内の郵便局"


def _seed_kawasaki(s: _Seeder) -> None:
    s.department("市民文化局 協働・連携推進課", "シミンブンカキョク キョウドウ・レンケイスイシンカ")
    s.department("川崎区役所 地域振興課", "カワサキクヤクショ チイキシンコウカ")
    s.department("建設緑政局 生田緑地整備事務所", "ケンセツリョクセイキョク イクタリョクチセイビジムショ")
    s.department("健康福祉局 地域包括ケア推進室", "ケンコウフクシキョク チイキホウカツケアスイシンシツ")
    s.partner("川崎市社会福祉協議会", Kind.SOCIAL_WELFARE_COUNCIL, "カワサキシシャカイフクシキョウギカイ")
    s.partner("川崎市全町内会連合会", Kind.NEIGHBORHOOD_ASSOCIATION, "カワサキシゼンチョウナイカイレンゴウカイ")
    for name, kana in [("川崎市自治財団", "カワサキシジチザイダン"), ("川崎市産業振興財団", "カワサキシサンギョウシンコウザイダン"),
                       ("川崎市生涯学習財団", "カワサキシショウガイガクシュウザイダン"),
                       ("川崎市国際交流協会", "カワサキシコクサイコウリュウキョウカイ")]:
        s.partner(name, Kind.PUBLIC_INTEREST_CORPORATION, kana)
    for name, kana in [(TOKYO_GAS, "トウキョウガス"), ("味の素株式会社", "アジノモト"), ("富士通株式会社", "フジツウ"),
                       ("川崎信用金庫", "カワサキシンヨウキンコ"), ("JFEスチール株式会社", "ジェイエフイースチール"),
                       ("京浜急行電鉄株式会社", "ケイヒンキュウコウデンテツ"), (POST, "カワサキシナイノユウビンキョク"),
                       ("モトスミ・ブレーメン通り商店街振興組合", "モトスミ・ブレーメンドオリショウテンガイシンコウクミアイ")]:
        s.partner(name, Kind.COMPANY, kana)
    s.partner(KYOMACHI, Kind.SCHOOL, "カワサキシリツキョウマチチュウガッコウ")
    s.partner("専修大学", Kind.SCHOOL, "センシュウダイガク")

    # Networks that make collaboration happen, with the member counts of seed 003.
    network = dict(kind=Kind.INTERMEDIATE_SUPPORT, legal_form=LegalForm.OTHER, consents=("hub_listing", "named_cases"))
    s.group(COMPACT, "カワサキコンパクト", fields=[7, 11, 16, 19], registered_on=dt.date(2010, 6, 1), members=36,
            area="川崎市全域", description="企業と市民のネットワーク。グローバルな視野から設定した課題に対し、市民・企業・行政等の"
            "連携で解決を目指す。構成員: 富士通、モトスミ・ブレーメン通り商店街振興組合、川崎信用金庫など17企業、"
            "LET'S国際ボランティア交流会、市民文化パートナーシップかわさきなど19団体。有識者5名の委員会を年3回程度開催。",
            **network)
    s.group(IKUTA, "イクタリョクチマネジメントカイギ", fields=[7, 3, 4], registered_on=dt.date(2012, 4, 1), members=52,
            area="多摩区 生田緑地", description="生田緑地にかかわる多様な主体が連携・調整しながら管理運営に参加する「協働の"
            "プラットフォーム」。市民団体等18団体、地域団体・大学等18団体、行政・指定管理者等16団体の52団体。"
            "全体会は年1回、運営会議と自然環境保全管理会議は年数回。", **network)
    s.group(SCRUM, "カワサキダンジョキョウドウサンカクネットワーク（スクラムネットニジュウイチ）", fields=[12],
            registered_on=dt.date(2011, 5, 1), members=44, area="川崎市全域",
            description="市民や事業者による男女共同参画のネットワーク。構成員: 川崎商工会議所、川崎市医師会、"
            "川崎市立小・中・高等学校長会、川崎市全町内会連合会、川崎市社会福祉協議会など44団体。全体会議は年1回、"
            "9団体の運営会議は年2回程度、フォーラム年1回。", **network)
    s.group(KAWASAKI_KU, "カワサキクキギョウシミンコウリュウジギョウスイシンイインカイ", fields=[3, 16, 13],
            registered_on=dt.date(2013, 4, 1), members=36, area="川崎区",
            description="企業の地域社会貢献活動の促進と、生活市民と企業市民の交流の場づくり。構成員: 連合町内会、"
            "かわさき歴史ガイド協会、市立中学校長会、東京電力、JFEスチール、川崎信用金庫、京浜急行電鉄など34団体"
            "及び公募区民2人。委員会は年3回程度、3つの部会も各年3回程度。", **network)
    s.group("かわさきNPO法人連絡会", "カワサキエヌピーオーホウジンレンラクカイ", fields=[19], registered_on=dt.date(2014, 6, 1),
            area="川崎市全域", description="NPO法人のネットワーク。", **network)
    s.group("川崎市視覚障害者ボランティア連絡会オブリガート", "カワサキシシカクショウガイシャボランティアレンラクカイオブリガート",
            fields=[1], registered_on=dt.date(2013, 9, 1), area="川崎市全域", description="福祉団体のネットワーク。",
            **network)
    s.group(GRASS, "グラスカワサキ", kind=Kind.INTERMEDIATE_SUPPORT, legal_form=LegalForm.NPO, fields=[19],
            registered_on=dt.date(2009, 4, 1), members=60, area="川崎市全域", consents=("hub_listing", "named_cases"),
            representative=("川村 太郎", "カワムラ タロウ"), description="市民活動団体による中間支援組織。")
    for name, kana, fields, description in [
        (SHOENE, "ショウエネグループ", [7, 2], "省エネ・環境教育に取り組む市民活動団体。"),
        ("生田緑地の雑木林を育てる会", "イクタリョクチノゾウキバヤシヲソダテルカイ", [7], "生田緑地の雑木林の保全。"),
        ("かわさき自然調査団", "カワサキシゼンチョウサダン", [7, 15], "市内の自然環境の調査。"),
        ("LET'S国際ボランティア交流会", "レッツコクサイボランティアコウリュウカイ", [11], "国際ボランティアの交流。"),
        ("市民文化パートナーシップかわさき", "シミンブンカパートナーシップカワサキ", [6], "市民文化の振興。"),
        ("かわさき歴史ガイド協会", "カワサキレキシガイドキョウカイ", [4, 6], "川崎の歴史ガイド。"),
    ]:
        s.group(name, kana, fields=fields, registered_on=dt.date(2012, 7, 1), area="川崎市内", description=description,
                consents=("hub_listing", "named_cases"))

    s.case("東京ガスと省エネグループによる環境教育", "かわさきコンパクトの協働事例。企業（東京ガス）と市民活動団体"
           "（省エネグループ）が連携して環境教育を実施。", Form.CORPORATE, years=(2014, None), fields=[7, 2],
           outcome=Outcome.CONTINUED,
           parties=[(SHOENE, PartyRole.LEAD, "環境教育のプログラムと講師"), (TOKYO_GAS, PartyRole.PARTNER, "企業の知見と講師"),
                    (COMPACT, PartyRole.COORDINATOR, "企業と市民活動団体のマッチング")])
    s.case("京町中学校でのキャリア教育出前授業", "川崎区企業市民交流事業推進委員会の協働事例。東京ガス、味の素など10企業・"
           "団体の社員等が講師を務め、京町中学校でキャリア教育の出前授業を実施（平成26年度）。", Form.CORPORATE,
           years=(2014, 2014), fields=[13, 17], department="川崎区役所 地域振興課", outcome=Outcome.CONTINUED,
           parties=[(KYOMACHI, PartyRole.PARTNER, "授業の場の提供"), (TOKYO_GAS, PartyRole.PARTNER, "社員が講師"),
                    ("味の素株式会社", PartyRole.PARTNER, "社員が講師"),
                    (KAWASAKI_KU, PartyRole.COORDINATOR, "企業と学校の調整"),
                    ("川崎区役所 地域振興課", PartyRole.GOVERNMENT, "委員会の事務局")])
    s.case("郵便局との連携による生田緑地オリジナルフレーム切手", "生田緑地マネジメント会議の協働事例。郵便局との連携で"
           "生田緑地オリジナルフレーム切手を作成。", Form.CORPORATE, years=(2014, 2014), fields=[7, 4],
           outcome=Outcome.ENDED,
           parties=[(IKUTA, PartyRole.LEAD, "企画・写真の提供"), (POST, PartyRole.PARTNER, "フレーム切手の制作・販売")])
    s.case("ばら苑開催時の駅前案内", "生田緑地マネジメント会議の「案内を考えるプロジェクト」による、ばら苑開催時の駅前案内や"
           "のぼり設置。", Form.JIGYO_KYORYOKU, years=(2014, None), fields=[3, 4], department="建設緑政局 生田緑地整備事務所",
           outcome=Outcome.CONTINUED,
           parties=[(IKUTA, PartyRole.LEAD, "駅前案内・のぼり設置"), ("専修大学", PartyRole.PARTNER, "学生の参加"),
                    ("建設緑政局 生田緑地整備事務所", PartyRole.GOVERNMENT, "調整")])
    s.case("プロボノサマーチャレンジKAWASAKI", "人材マッチングモデル事業。地域貢献意欲のあるシニアや企業の現役社会人が、"
           "NPOや町内会・自治会の課題解決に取り組み、団体の活動のステップアップにつなげる。", Form.ITAKU,
           years=(2015, 2015), fields=[19, 17], department="市民文化局 協働・連携推進課", outcome=Outcome.ONGOING,
           parties=[(GRASS, PartyRole.COORDINATOR, "団体の課題の整理とプロボノ人材とのマッチング"),
                    ("市民文化局 協働・連携推進課", PartyRole.GOVERNMENT, "事業の企画・事業費の負担")])

    s.event("かわさきコンパクト委員会", EventKind.OTHER, _at(2015, 2, 10, 18, 30), fields=[19], venue="かわさき市民活動センター",
            organizers=[COMPACT], attendance=12, is_public=False)
    s.event("生田緑地マネジメント会議 全体会", EventKind.OTHER, _at(2014, 6, 7, 14, 0), fields=[7], venue="生田緑地",
            organizers=[IKUTA], participants=["生田緑地の雑木林を育てる会", "かわさき自然調査団", "専修大学"], attendance=70)
    s.event("すくらむネット21 全体会議", EventKind.OTHER, _at(2015, 3, 5, 14, 0), fields=[12], venue="かわさき市民活動センター",
            organizers=[SCRUM], attendance=50,
            description="川崎中原工場協会が設置した「地域女性活躍推進委員会」の取組を先行事例として報告。")
    s.event("親子向け「川崎臨海部の夢発見！バスツアー」", EventKind.OTHER, _at(2014, 8, 9, 9, 30), hours=6, fields=[13, 16],
            venue="キングスカイフロント", organizers=[KAWASAKI_KU], attendance=40)
    s.event("地域包括ケアシステム連絡協議会 第1回", EventKind.OTHER, _at(2015, 5, 13, 14, 0), fields=[1],
            venue="川崎市役所", organizers=["健康福祉局 地域包括ケア推進室"], is_public=False, attendance=30)
    s.event("プロボノサマーチャレンジKAWASAKI 説明会", EventKind.SETSUMEIKAI, _at(2015, 6, 27, 14, 0), fields=[19],
            venue="かわさき市民活動センター", organizers=[GRASS, "市民文化局 協働・連携推進課"], attendance=45,
            produced_cases=["プロボノサマーチャレンジKAWASAKI"])
    s.event("中間支援組織の情報交換会", EventKind.IKEN_KOKAN, _from_today(20, 18, 30), fields=[19],
            venue="かわさき市民活動センター", participants=[GRASS, COMPACT, IKUTA], capacity=30,
            description="中間支援組織同士のネットワーク化と、ICTを活用した情報プラットフォームの活用を話し合う。")
    s.event("企業とNPOの出会いの場", EventKind.KORYUKAI, _from_today(45, 14, 0), fields=[19, 16],
            venue="かわさき市民活動センター", organizers=[COMPACT], capacity=60)

    s.need("プロボノ人材を受け入れる団体", "プロボノで課題解決に取り組みたい団体（NPO・町内会・自治会）を募集。",
           "市民文化局 協働・連携推進課", fields=[19], area="川崎市全域", allowed_forms="事業協力")
    s.need("町内会と市民活動団体の連携（落書き消し・コミュニティカフェ）", "町内会・自治会と市民活動団体の連携事業の担い手。",
           "川崎市全町内会連合会", fields=[3, 9], area="川崎市内")
    s.offer(SHOENE, "省エネ出前授業", "学校や地域での省エネ・環境教育。", fields=[7, 2], area="川崎市内")
    s.offer("かわさき自然調査団", "自然観察会の講師", "公園や緑地での自然観察会。", fields=[7], area="川崎市内")
    s.offer(GRASS, "NPOの運営相談・中間支援", "団体運営・協働の相談とコーディネート。", fields=[19], area="川崎市全域")

    s.consultation("企業との協働のはじめ方", Channel.COUNTER, _from_today(-12, 15, 0), requester="企業 花子",
                   organization="かわさき歴史ガイド協会", intake_note="企業と組んだ活動を始めたい。",
                   steps=[(_from_today(-8, 10, 0), "かわさきコンパクトに紹介。")], linked=[COMPACT])
    s.consultation("町内会の担い手不足", Channel.OUTREACH, _from_today(-1, 10, 0), requester="町内 一郎",
                   organization="川崎市全町内会連合会", intake_note="プロボノの活用を検討したい。")


# --- 004 横浜市市民協働推進センター ---------------------------------------------------------------

SECTOR = "認定NPO法人市民セクターよこはま"
KANNAI = "関内イノベーションイニシアティブ(株)"
DOCOMO = "(株)NTTドコモ"
MACHIBUSHIN = "ヨコハマ市民まち普請事業"
SPACE_AB = "横浜市市民協働推進センター スペースA・B"


def _seed_yokohama(s: _Seeder) -> None:
    s.department("市民局 市民協働推進課", "シミンキョク シミンキョウドウスイシンカ")
    s.department("都市整備局", "トシセイビキョク")
    s.department("健康福祉局", "ケンコウフクシキョク")
    s.partner("横浜市住宅供給公社", Kind.PUBLIC_INTEREST_CORPORATION, "ヨコハマシジュウタクキョウキュウコウシャ")
    s.partner(SECTOR, Kind.INTERMEDIATE_SUPPORT, "シミンセクターヨコハマ")
    s.partner(KANNAI, Kind.COMPANY, "カンナイイノベーションイニシアティブ")
    s.partner(DOCOMO, Kind.COMPANY, "エヌティティドコモ")
    s.partner("一般社団法人ソーシャルコーディネートかながわ", Kind.INTERMEDIATE_SUPPORT, "ソーシャルコーディネートカナガワ")
    s.partner("認定NPO法人かながわ311ネットワーク", Kind.INTERMEDIATE_SUPPORT, "カナガワサンイチイチネットワーク")

    s.group("横浜市小規模多機能型居宅介護事業者連絡会", "ヨコハマシショウキボタキノウガタキョタクカイゴジギョウシャレンラクカイ",
            fields=[1], legal_form=LegalForm.NPO, registered_on=dt.date(2020, 7, 1), area="横浜市全域",
            description="市内の小規模多機能型居宅介護事業者の連絡連携と職員の資質向上。事務局の一部を市民セクターよこはまが代行。")
    for i, (name, kana, fields, description) in enumerate([
        ("港北まちかどカフェの会", "コウホクマチカドカフェノカイ", [1, 3], "認知症の方も行きやすいカフェの運営。"),
        ("よこはま子ども食堂ネット", "ヨコハマコドモショクドウネット", [13], "子ども食堂の運営と情報交換。"),
        ("みなと防災ラボ", "ミナトボウサイラボ", [8], "地域の防災ワークショップ。"),
        ("ひらく公園づくりの会", "ヒラクコウエンヅクリノカイ", [3], "公園の空間整備と利活用（まち普請の提案団体）。"),
        ("よこはまオープンデータ研究会", "ヨコハマオープンデータケンキュウカイ", [14], "オープンデータを使った地域課題の可視化。"),
    ]):
        s.group(name, kana, fields=fields, registered_on=dt.date(2020, 8 + i, 1), area="横浜市内", description=description,
                representative=_numbered_person("横浜", "ヨコハマ", i))

    s.case("認知症関連アプリ開発事業", "認知症になっても自分らしく暮らせるまちを目指し、2018年度より(株)NTTドコモ サービス"
           "イノベーション部（研究開発部門）と協働・共創契約を締結。アプリ開発やお店版認知症ガイドブック作成に取り組み完成。"
           "2020年度はまちかどケアのホームページを本格的に構築し、LINEアプリをベースに開発したアプリの神奈川区内での運用を開始。",
           Form.CORPORATE, years=(2018, None), fields=[1, 14], outcome=Outcome.ONGOING,
           parties=[(SECTOR, PartyRole.LEAD, _lines("キャラバン・メイトや認知症カフェとのネットワーク", "ガイドブックの編集")),
                    (DOCOMO, PartyRole.PARTNER, _lines("アプリの研究開発", "技術の提供")),
                    ("健康福祉局", PartyRole.GOVERNMENT, "まちかどケア（キャラバン・メイト事業）の協働契約")])
    s.case(MACHIBUSHIN, "市民が主体的に取り組む地域まちづくりにおいて、ハード整備に上限500万円の助成を行う事業。"
           "コミュニティカフェや公園の空間整備が年3件採択され整備されてきた。2008年より協働事務局を担い、"
           "2回の公開コンテスト（1次・2次）の運営補助、事業部会の事務局、整備箇所見学会の企画・運営を行う。",
           Form.ITAKU, years=(2008, None), fields=[3], department="都市整備局", outcome=Outcome.ONGOING,
           parties=[(SECTOR, PartyRole.COORDINATOR, _lines("コンテストの運営補助", "提案団体への情報提供・周知")),
                    ("都市整備局", PartyRole.GOVERNMENT, _lines("助成（上限500万円）", "事業の所管")),
                    ("横浜市住宅供給公社", PartyRole.PARTNER, "協働事務局")])
    s.case("新型コロナウイルス感染拡大の影響に関するNPO緊急アンケート", "みんかな準備会議として、神奈川県内NPO・市民活動団体"
           "向けに緊急アンケートを実施。新型コロナを災害と捉え、事業運営・政策提案につなげる。", Form.OTHER,
           years=(2020, 2020), fields=[8, 19], outcome=Outcome.ENDED,
           parties=[(SECTOR, PartyRole.LEAD, "調査の設計・集計"),
                    ("一般社団法人ソーシャルコーディネートかながわ", PartyRole.PARTNER, "県域での呼びかけ"),
                    ("認定NPO法人かながわ311ネットワーク", PartyRole.PARTNER, "県域での呼びかけ")])
    s.case("横浜市市民協働推進センターの協働運営", "市民セクターよこはま・関内イノベーションイニシアティブ共同事業体と"
           "市民局市民協働推進課が協働契約を結び、新市庁舎1階のセンターを三者で運営（2020年6月29日フルオープン）。",
           Form.OTHER, years=(2020, None), fields=[19], department="市民局 市民協働推進課", outcome=Outcome.ONGOING,
           parties=[(SECTOR, PartyRole.LEAD, "相談・コーディネート、講座、情報の蓄積"),
                    (KANNAI, PartyRole.PARTNER, "企業・イノベーション分野のネットワーク"),
                    ("市民局 市民協働推進課", PartyRole.GOVERNMENT, "協働契約・庁内調整")])

    s.event("横浜市市民協働推進センター フルオープン", EventKind.OTHER, _at(2020, 6, 29, 10, 0), fields=[19],
            venue="横浜市新市庁舎 1階", organizers=["市民局 市民協働推進課", SECTOR, KANNAI], attendance=80)
    lab = "対話＆創造ラボ"
    for starts_at, title, capacity, attendance, description in [
        (_at(2020, 10, 17, 14, 0), f"{lab} みらいリンクフォーラム", 100, 92, "協働の今とみらいを学ぶ。センターのお披露目を兼ねる。"),
        (_at(2020, 11, 21, 14, 0), f"{lab} オープンダイアログ", 25, 24, "団体や行政から寄せられた地域の課題を対話の場に開く。"),
        (_at(2021, 1, 23, 14, 0), f"{lab} トライアルスタジオ", 25, 21, "CSV・SDGsを志向する企業発の公開企画会議。"),
        (_at(2021, 3, 6, 14, 0), f"{lab} みらいリンクフォーラム", 100, 76, "オンライン併用。"),
    ]:
        s.event(title, EventKind.KORYUKAI, starts_at, fields=[19], venue=SPACE_AB, organizers=[SECTOR, KANNAI],
                capacity=capacity, attendance=attendance, description=description)
    for n, theme in enumerate(["協働の概念", "データリテラシー", "事業立案の方法", "現場訪問", "事業計画づくり", "発表会"], 1):
        s.event(f"パブリックアクション 第{n}回「{theme}」", EventKind.KOZA, _on(dt.date(2020, 9, 5) + dt.timedelta(weeks=3 * n), 14, 0),
                theme=theme, fields=[19], venue=SPACE_AB, organizers=[SECTOR], capacity=30, attendance=22 - n % 3,
                description="協働に向けた人材養成のための連続講座（全6回）。")
    s.event("スタディツアー（神奈川県パートナーシップ支援事業）", EventKind.OTHER, _at(2020, 12, 12, 10, 0), hours=6,
            fields=[19], venue="横浜市内の協働の現場（オンライン併用）", organizers=[SECTOR], attendance=20,
            description="神奈川県政策局と協働協定を締結して実施。NPO・企業・大学・行政の関係者が現場訪問とフィールドワークを"
                        "通じてレポートを作成・発表する。")
    s.event("ヨコハマ市民まち普請事業 1次コンテスト", EventKind.HAPPYOKAI, _at(2020, 10, 24, 13, 0), fields=[3],
            venue=SPACE_AB, organizers=["都市整備局", SECTOR], attendance=60)
    s.event("ヨコハマ市民まち普請事業 2次コンテスト", EventKind.HAPPYOKAI, _at(2021, 2, 27, 13, 0), fields=[3],
            venue=SPACE_AB, organizers=["都市整備局", SECTOR], participants=["ひらく公園づくりの会"], attendance=70)
    s.event(f"{lab} オープンダイアログ", EventKind.KORYUKAI, _from_today(12, 18, 30), fields=[19], venue=SPACE_AB,
            organizers=[SECTOR, KANNAI], capacity=25, description="地域の居場所と移動の課題を多様な主体で話し合う。")
    s.event("パブリックアクション 第1回「協働の概念」", EventKind.KOZA, _from_today(33, 14, 0), theme="協働の概念",
            fields=[19], venue=SPACE_AB, organizers=[SECTOR], capacity=30)

    s.need("外国人住民への防災情報の伝え方", "区役所と一緒に、外国人住民へ防災情報を届ける方法を考えてくれる団体・企業を探している。",
           "市民局 市民協働推進課", fields=[8, 11], area="横浜市内", allowed_forms="事業協力")
    s.need("認知症カフェの担い手", "認知症の方も行きやすいカフェを増やしたい。開設を考える団体を募集。", "健康福祉局",
           fields=[1], area="横浜市内", resources="情報交換会の開催、開設相談")
    s.offer("港北まちかどカフェの会", "認知症カフェの開設相談", "カフェの運営経験をもとにした開設の相談。", fields=[1])
    s.offer("よこはまオープンデータ研究会", "オープンデータの活用講座", "統計データで地域課題を見る講座。", fields=[14, 2])
    s.offer("みなと防災ラボ", "やさしい日本語の防災ワークショップ", "外国人住民と一緒に学ぶ防災。", fields=[8, 11])

    # 関わりカード at every step: 協働のコーディネート and 市民活動に関する相談.
    cards = [
        ("NPO法人の設立（定款・設立趣旨書）", Channel.EMAIL, "設立 花子", None, 3),
        ("NPO会計の基礎と決算書類", Channel.COUNTER, "会計 一郎", "よこはま子ども食堂ネット", 2),
        ("職員を雇うときの労務", Channel.ONLINE, "労務 次郎", "横浜市小規模多機能型居宅介護事業者連絡会", 1),
        ("企業と組んで高齢者の見守りを進めたい", Channel.COUNTER, "見守 三郎", "港北まちかどカフェの会", 2),
        ("空き店舗を使った居場所づくりの提案", Channel.EMAIL, "提案 良子", None, 0),
        ("オンライン会議の始め方（withコロナ）", Channel.PHONE, "画面 春子", "みなと防災ラボ", 3),
        ("助成金の探し方", Channel.COUNTER, "助成 四郎", "ひらく公園づくりの会", 1),
    ]
    for i, (topic, channel, requester, organization, advance) in enumerate(cards):
        start = -40 + 5 * i
        notes = ["担当コーディネーターを決め、関連する団体・担当課をつなぐ。", "検討の場を設定し、振り返りを実施。", "完了。"]
        s.consultation(topic, channel, _from_today(start, 10, 0), requester=requester, organization=organization,
                       intake_note="専用フォーマットで受付。初期ヒアリングを実施。",
                       steps=[(_from_today(start + 3 * (k + 1), 15, 0), notes[k]) for k in range(advance)])


# --- 004 にしく市民活動支援センター ----------------------------------------------------------------

NISHI_SHINKO = "西区役所地域振興課"
NISHI_SHAKYO = "西区社会福祉協議会"
SMILE_PORT = "スマイル・ポート"
SEIKATSU_NISHI = "生活支援センター西"
NISHITOMO = "にしく市民活動支援センター（にしとも広場）"


def _seed_nishiku(s: _Seeder) -> None:
    s.department(NISHI_SHINKO, "ニシクヤクショチイキシンコウカ")
    s.partner(NISHI_SHAKYO, Kind.SOCIAL_WELFARE_COUNCIL, "ニシクシャカイフクシキョウギカイ")
    # Facilities (子育て支援拠点, 生活支援センター) have no kind of their own: public-interest bodies.
    s.partner(SMILE_PORT, Kind.PUBLIC_INTEREST_CORPORATION, "スマイル・ポート")
    s.partner(SEIKATSU_NISHI, Kind.PUBLIC_INTEREST_CORPORATION, "セイカツシエンセンターニシ")
    s.partner("西区自治会町内会連合会", Kind.NEIGHBORHOOD_ASSOCIATION, "ニシクジチカイチョウナイカイレンゴウカイ")
    s.partner("戸部本町自治会", Kind.NEIGHBORHOOD_ASSOCIATION, "トベホンチョウジチカイ")
    s.partner(SECTOR, Kind.INTERMEDIATE_SUPPORT, "シミンセクターヨコハマ")

    # 西区街の名人・達人: fictional people with the skills such banks list.
    for i, (name, kana, title, skills, fields) in enumerate([
        ("山田 花子", "ヤマダ ハナコ", "手品の名人", "テーブルマジックとステージ手品。子ども会や敬老会で。", [6]),
        ("鈴木 一郎", "スズキ イチロウ", "紙芝居の達人", "昔ながらの紙芝居の読み聞かせ。", [6, 13]),
        ("佐藤 良子", "サトウ ヨシコ", "歌声の名人", "童謡・唱歌のうたごえ。キーボード伴奏つき。", [6, 1]),
        ("田中 春子", "タナカ ハルコ", "折り紙の達人", "季節の折り紙教室。親子向けも。", [6, 13]),
        ("高橋 二郎", "タカハシ ジロウ", "大正琴の名人", "大正琴の演奏と体験。", [6]),
        ("伊藤 秋子", "イトウ アキコ", "健康体操の達人", "椅子に座ってできる健康体操。", [1]),
        ("渡辺 三郎", "ワタナベ サブロウ", "落語の名人", "アマチュア落語。高座一式を持参。", [6]),
        ("小林 夏子", "コバヤシ ナツコ", "絵手紙の達人", "絵手紙の書き方教室。", [6, 2]),
        ("加藤 四郎", "カトウ シロウ", "バルーンアートの名人", "風船で動物や花をつくる。", [6, 13]),
        ("吉田 冬子", "ヨシダ フユコ", "英語の絵本読み聞かせの達人", "英語の絵本の読み聞かせ。", [11, 13]),
    ]):
        s.talent(name, kana, title, skills, fields=fields, registered_on=dt.date(2014 + i % 6, 4 + i % 9, 1),
                 area="西区内", availability=["平日午後", "土日", "平日午前", "要相談"][i % 4],
                 conditions="交通費程度" if i % 3 else "材料費実費")

    # Registered groups: renewed every three years (2021 was a renewal year); a few are due soon.
    regulars = [
        ("にしく子育てサロン", "ニシクコソダテサロン", [13], "親子の居場所づくり。", dt.date(2018, 6, 1)),
        ("戸部うたごえの会", "トベウタゴエノカイ", [6, 1], "うたごえ喫茶と高齢者施設での合唱。", dt.date(2018, 9, 1)),
        ("西区日本語教室", "ニシクニホンゴキョウシツ", [11, 13], "外国につながる子どもの日本語習得・学習支援。", dt.date(2018, 5, 15)),
        ("藤棚ふれあい食堂", "フジダナフレアイショクドウ", [1, 13], "多世代の食堂と居場所。", dt.date(2018, 11, 1)),
        ("みなとみらい読み聞かせの会", "ミナトミライヨミキカセノカイ", [13, 2], "絵本の読み聞かせ。", dt.date(2019, 2, 1)),
        ("西区防災ボランティアネット", "ニシクボウサイボランティアネット", [8, 9], "防災訓練の支援。", dt.date(2018, 7, 1)),
        ("高齢者の居場所 浅間町サロン", "コウレイシャノイバショ センゲンチョウサロン", [1], "高齢者の居場所づくり。", dt.date(2018, 10, 1)),
        ("地域づくり大学校 8期生の会", "チイキヅクリダイガッコウ ハッキセイノカイ", [3], "地域づくり大学校修了生の活動。", dt.date(2019, 3, 10)),
    ]
    for i, (name, kana, fields, description, registered_on) in enumerate(regulars):
        s.group(name, kana, fields=fields, registered_on=registered_on, area="横浜市西区", members=8 + 5 * i,
                description=description, representative=_numbered_person("西", "ニシ", i),
                consents=("hub_listing", "disaster_contact"))
    # Did not renew in 2021: registration lapsed into 休止.
    lapsed = s.group("西区手話サークル", "ニシクシュワサークル", fields=[1], registered_on=dt.date(2018, 8, 1),
                     area="横浜市西区", description="手話の学習と交流。", renew=False)
    services.group_update(acting_user=s.admin, group=lapsed, status=GroupStatus.SUSPENDED)
    for days, (name, kana, fields, description) in zip((18, 47, 76), [
        ("西区まちあるきガイドの会", "ニシクマチアルキガイドノカイ", [3, 4], "西区の歴史と街並みのガイド。"),
        ("ハマの写真クラブ", "ハマノシャシンクラブ", [6], "地域の記録写真と展示。"),
        ("外国につながる親子の会", "ガイコクニツナガルオヤコノカイ", [11, 13], "外国につながる親子の交流。"),
    ], strict=True):
        due = timezone.localdate() + dt.timedelta(days=days)
        s.group(name, kana, fields=fields, registered_on=due - dt.timedelta(days=3 * 365), renewal_due=due,
                area="横浜市西区", description=description, representative=("例 花子", "レイ ハナコ"))

    for year, month, cancelled, attendance in [(2019, 11, "", 60), (2020, 11, COVID, None), (2021, 3, "", 35)]:
        s.event("来て・見て・聞いての日", EventKind.HAPPYOKAI, _on(_nth_weekday(year, month, SATURDAY, 2), 13, 0),
                fields=[6], venue="にしとも広場", participants=["戸部うたごえの会"], attendance=attendance,
                cancelled=cancelled, description="西区街の名人・達人の活動披露。新規登録者の紹介も。")
    s.event("来て・見て・聞いての日", EventKind.HAPPYOKAI, _on(_next_nth_weekday(SATURDAY, 2), 13, 0), fields=[6],
            venue="にしとも広場", participants=["戸部うたごえの会", "みなとみらい読み聞かせの会"], capacity=50,
            description="西区街の名人・達人（手品・紙芝居・歌・折り紙）の活動披露。")
    for year, cancelled in [(2019, ""), (2020, COVID), (2021, COVID), (2022, ""), (2023, "")]:
        s.event("西区民まつり", EventKind.FESTIVAL, _on(_nth_weekday(year, 10, SUNDAY, 3), 10, 0), hours=6, fields=[3, 6],
                venue="戸部公園", organizers=[NISHI_SHINKO], participants=["にしく子育てサロン", "戸部うたごえの会"],
                attendance=400, cancelled=cancelled,
                description="地域人材ボランティアや登録団体と企画し、活動の発表と区民との交流の場をつくる。")
    for n, (month, day, theme) in enumerate([(10, 3, "開講式・地域の資源を知る"), (10, 24, "先駆的な活動の現場訪問"),
                                             (11, 14, "オンラインで学ぶ地域の課題"), (12, 5, "フィールドワーク"),
                                             (1, 16, "活動計画づくり"), (2, 13, "発表会・修了式")], 1):
        year = 2020 if month >= 4 else 2021
        s.event(f"西区地域づくり大学校 第9期 第{n}回", EventKind.KOZA, _at(year, month, day, 10, 0), hours=2.5,
                theme=theme, fields=[3], venue="にしとも広場", organizers=[NISHI_SHINKO, SECTOR], capacity=20,
                attendance=16 + n % 3, description="自治会町内会等で活動する実践者のための連続講座（with コロナの今だからこそ）。")
    term = 9 + fiscal_year_of(timezone.localdate()) - 2020
    s.event(f"西区地域づくり大学校 第{term}期 受講生募集説明会", EventKind.SETSUMEIKAI, _from_today(26, 10, 0), fields=[3],
            venue="にしとも広場", organizers=[NISHI_SHINKO], capacity=30)
    s.event("にしとも広場 意見交換会", EventKind.IKEN_KOKAN, _at(2021, 2, 20, 14, 0), fields=[3, 19], venue="にしとも広場",
            organizers=[NISHI_SHINKO], participants=["西区自治会町内会連合会", "にしく子育てサロン"], attendance=24,
            description="自治会町内会、センター利用者、地域人材ボランティア、区内関連施設とセンターの役割や地域の課題を話し合う。")
    s.event("にしとも広場 意見交換会", EventKind.IKEN_KOKAN, _from_today(52, 14, 0), fields=[3, 19], venue="にしとも広場",
            organizers=[NISHI_SHINKO], capacity=30)
    s.event("区民利用施設等との連携会議", EventKind.OTHER, _at(2020, 12, 10, 14, 0), fields=[19], venue="西区役所",
            organizers=[NISHI_SHAKYO], participants=[SMILE_PORT, SEIKATSU_NISHI], attendance=18, is_public=False,
            description="施設同士が連携したい事業を持ち寄り発表。スタンプラリーの検討を開始。")
    s.event("名人・達人と登録団体の交流会", EventKind.KORYUKAI, _at(2020, 9, 26, 14, 0), fields=[19], venue="にしとも広場",
            participants=["戸部うたごえの会", "藤棚ふれあい食堂"], attendance=28)
    s.event("「多世代」企画会", EventKind.IKEN_KOKAN, _at(2020, 7, 18, 14, 0), theme="多世代", fields=[13, 1],
            venue="にしとも広場", participants=["にしく子育てサロン", "高齢者の居場所 浅間町サロン"], attendance=15)

    s.case("スマイル・ポートとの親子向けイベント", "子育て支援施設スマイル・ポートと、親子向けイベントを共催。", Form.KYOSAI,
           years=(2019, None), fields=[13], outcome=Outcome.CONTINUED,
           parties=[(SMILE_PORT, PartyRole.PARTNER, "親子への周知・プログラム"), (s.spec.name, PartyRole.COORDINATOR, "会場・名人達人の出演調整")])
    s.case("生活支援センター西とのリカバリープログラム講座", "生活支援センター西の障がい者のリカバリープログラムの一環として講座を実施。",
           Form.KYOSAI, years=(2019, None), fields=[1], outcome=Outcome.CONTINUED,
           parties=[(SEIKATSU_NISHI, PartyRole.PARTNER, "プログラムの設計"), (s.spec.name, PartyRole.COORDINATOR, "講師の調整")])
    s.case("生涯学習・市民活動支援講座の運営支援", "地域振興課が実施する講座の運営を支援し、講座後のグループの自主化・自立化を相談対応で支える。",
           Form.JIGYO_KYORYOKU, years=(2020, None), fields=[2, 19], department=NISHI_SHINKO, outcome=Outcome.ONGOING,
           parties=[(NISHI_SHINKO, PartyRole.GOVERNMENT, "講座の企画・実施"), (s.spec.name, PartyRole.COORDINATOR, "運営支援・自主化の相談")])

    s.need("敬老会での出演者", "自治会の敬老会で手品や歌を披露してくれる名人・達人を探している。", "戸部本町自治会",
           fields=[6, 1], area="戸部本町", resources="会場・お茶代", status=NeedStatus.MATCHED)
    s.need("外国につながる子どもの学習支援", "外国につながる子どもの日本語習得・学習支援の担い手。", NISHI_SHINKO, fields=[11, 13],
           area="横浜市西区")
    s.offer("西区日本語教室", "子どもの日本語・学習支援", "放課後の日本語と宿題の支援。", fields=[11, 13], area="横浜市西区")
    s.offer("戸部うたごえの会", "出張うたごえ", "高齢者施設やサロンでの合唱。", fields=[6, 1], area="横浜市西区",
            conditions="交通費程度")

    # 関わりカード: one at each step of インテーク → コーディネート → クロージング → 完了.
    notes = ["関係機関・名人達人に打診。", "実施後のふりかえり。", "完了。"]
    for advance, (topic, channel, requester, organization, linked) in enumerate([
        ("ボランティアを始めたい", Channel.COUNTER, "相談 花子", None, []),
        ("敬老会に出てくれる名人・達人の紹介", Channel.PHONE, "町内 太郎", "戸部本町自治会", []),
        ("団体の情報発信の方法", Channel.COUNTER, "発信 良子", "にしく子育てサロン", [SMILE_PORT]),
        ("高齢者の居場所づくりの立ち上げ", Channel.OUTREACH, "居場所 二郎", "高齢者の居場所 浅間町サロン", [NISHI_SHAKYO]),
    ]):
        start = -30 + 6 * advance
        s.consultation(topic, channel, _from_today(start, 11, 0), requester=requester, organization=organization,
                       linked=linked, intake_note="関わりカードに記載し、職員間で共有。",
                       steps=[(_from_today(start + 2 * (k + 1), 15, 0), notes[k]) for k in range(advance)])
    s.consultation("団体登録の更新について", Channel.COUNTER, _at(2021, 2, 5, 10, 0), requester="更新 春子",
                   organization="戸部うたごえの会", intake_note="2021年の登録更新（3年毎）の手続き。",
                   steps=[(_at(2021, 2, 5, 10, 30), "更新意向と活動の課題を確認。"), (_at(2021, 3, 1, 10, 0), "更新書類を受理。"),
                          (_at(2021, 3, 1, 10, 5), "完了。")])


CENTERS: dict[str, CenterSpec] = {
    "odawara": CenterSpec(
        name="小田原市市民活動交流センター UMECO", name_kana="オダワラシシミンカツドウコウリュウセンター ウメコ",
        municipality_code="142069", municipality_name="小田原市", seed_document="000",
        admin_name=("梅沢", "陽子"), staff_name=("小田", "健一"), phone_prefix="0465-00",
        areas=(("城山", "ジョウヤマ"), ("栄町", "サカエチョウ"), ("早川", "ハヤカワ"), ("久野", "クノ"), ("曽我", "ソガ"),
               ("国府津", "コウヅ"), ("鴨宮", "カモノミヤ"), ("酒匂", "サカワ"), ("富水", "トミズ"), ("前羽", "マエバ")),
        build=_seed_odawara,
    ),
    "chigasaki": CenterSpec(
        name="茅ヶ崎市民活動サポートセンター", name_kana="チガサキシミンカツドウサポートセンター",
        municipality_code="142077", municipality_name="茅ヶ崎市", seed_document="001/002",
        admin_name=("浜田", "由美"), staff_name=("松林", "拓也"), phone_prefix="0467-00",
        areas=(("南湖", "ナンゴ"), ("浜竹", "ハマタケ"), ("鶴が台", "ツルガダイ"), ("香川", "カガワ"), ("小和田", "コワダ"),
               ("松林", "マツバヤシ"), ("萩園", "ハギソノ"), ("円蔵", "エンゾウ"), ("浜見平", "ハマミダイラ"), ("柳島", "ヤナギシマ")),
        build=_seed_chigasaki,
        extra_logins=((Role.GROUP_MEMBER, CATS, "chigasaki-group", ("猫田", "花子")),
                      (Role.DEPARTMENT_STAFF, "環境保全課", "chigasaki-dept", ("環境", "太郎"))),
    ),
    "kawasaki": CenterSpec(
        name="かわさき市民活動センター", name_kana="カワサキシミンカツドウセンター",
        municipality_code="141305", municipality_name="川崎市", seed_document="003",
        admin_name=("多摩", "恵子"), staff_name=("中原", "誠"), phone_prefix="044-000",
        areas=(("川崎", "カワサキ"), ("幸", "サイワイ"), ("中原", "ナカハラ"), ("高津", "タカツ"), ("宮前", "ミヤマエ"),
               ("多摩", "タマ"), ("麻生", "アサオ"), ("生田", "イクタ"), ("溝口", "ミゾノクチ"), ("登戸", "ノボリト")),
        build=_seed_kawasaki,
    ),
    "yokohama": CenterSpec(
        name="横浜市市民協働推進センター", name_kana="ヨコハマシシミンキョウドウスイシンセンター",
        municipality_code="141003", municipality_name="横浜市", seed_document="004",
        admin_name=("関内", "さくら"), staff_name=("港", "大輔"), phone_prefix="045-000",
        areas=(("鶴見", "ツルミ"), ("神奈川", "カナガワ"), ("中", "ナカ"), ("南", "ミナミ"), ("港北", "コウホク"),
               ("青葉", "アオバ"), ("戸塚", "トツカ"), ("金沢", "カナザワ"), ("泉", "イズミ"), ("栄", "サカエ")),
        build=_seed_yokohama,
    ),
    "nishiku": CenterSpec(
        name="にしく市民活動支援センター", name_kana="ニシクシミンカツドウシエンセンター",
        municipality_code="141038", municipality_name="横浜市西区", seed_document="004",
        admin_name=("西野", "智子"), staff_name=("戸部", "翔"), phone_prefix="045-000",
        areas=(("戸部", "トベ"), ("岡野", "オカノ"), ("浅間町", "センゲンチョウ"), ("藤棚", "フジダナ"), ("久保町", "クボチョウ"),
               ("高島", "タカシマ"), ("平沼", "ヒラヌマ"), ("北幸", "キタサイワイ"), ("宮崎町", "ミヤザキチョウ"),
               ("みなとみらい", "ミナトミライ")),
        build=_seed_nishiku,
    ),
}


def seed_center(key: str) -> list[DemoLogin]:
    """Seed one center's demo; if its Organization already exists, only return its logins."""
    spec = CENTERS[key]
    if Organization.objects.filter(kind=Kind.CENTER, name=spec.name).exists():
        return spec.logins(key)
    with transaction.atomic():
        seeder = _Seeder(key, spec)
        spec.build(seeder)
        for role, organization, username, name in spec.extra_logins:
            seeder.account(username, name, seeder.org(organization), role)
    return spec.logins(key)


# --- volume ----------------------------------------------------------------------------------

# (テーマ, カナ, 活動分野, できること): what generated groups are about.
THEMES: tuple[tuple[str, str, tuple[int, ...], str], ...] = (
    ("子育てサロン", "コソダテサロン", (13,), "親子のひろば"), ("子ども食堂", "コドモショクドウ", (13, 1), "食事と学習の居場所"),
    ("見守りネット", "ミマモリネット", (1,), "高齢者の見守り訪問"), ("健康体操", "ケンコウタイソウ", (1,), "椅子でできる体操教室"),
    ("防災ネットワーク", "ボウサイネットワーク", (8, 9), "防災ワークショップ"), ("防犯パトロール", "ボウハンパトロール", (9,), "見守りパトロール"),
    ("環境を守る会", "カンキョウヲマモルカイ", (7,), "清掃活動と環境学習"), ("里山保全", "サトヤマホゼン", (7, 5), "里山の保全作業"),
    ("国際交流", "コクサイコウリュウ", (11,), "多文化交流サロン"), ("日本語教室", "ニホンゴキョウシツ", (11, 2), "日本語学習の支援"),
    ("合唱団", "ガッショウダン", (6,), "出張コンサート"), ("朗読", "ロウドク", (6, 2), "朗読会"), ("歴史研究", "レキシケンキュウ", (6, 4), "まち歩きガイド"),
    ("手話", "シュワ", (1, 10), "手話講座"), ("障がい者スポーツ", "ショウガイシャスポーツ", (1, 6), "スポーツ体験会"),
    ("まちづくり", "マチヅクリ", (3,), "まちづくりワークショップ"), ("花いっぱい", "ハナイッパイ", (3, 7), "花壇づくり"),
    ("男女共同参画", "ダンジョキョウドウサンカク", (12,), "講座とフリートーク"), ("パソコン", "パソコン", (14, 2), "スマホ・パソコン相談会"),
    ("子ども科学", "コドモカガク", (15, 13), "科学実験教室"), ("商店街応援", "ショウテンガイオウエン", (16, 3), "商店街イベントの運営"),
    ("就労支援", "シュウロウシエン", (17,), "就労体験の受け入れ"), ("消費生活", "ショウヒセイカツ", (18,), "消費者トラブル防止講座"),
    ("NPO支援", "エヌピーオーシエン", (19,), "団体運営の相談"), ("観光ボランティア", "カンコウボランティア", (4,), "観光案内"),
)
PREFIXES = (("", ""), ("みんなの", "ミンナノ"), ("ふれあい", "フレアイ"), ("いきいき", "イキイキ"), ("すこやか", "スコヤカ"),
            ("ひまわり", "ヒマワリ"), ("わかば", "ワカバ"), ("さくら", "サクラ"), ("つばさ", "ツバサ"), ("あおぞら", "アオゾラ"))
SUFFIXES = (("の会", "ノカイ"), ("クラブ", "クラブ"), ("ネット", "ネット"), ("サークル", "サークル"), ("研究会", "ケンキュウカイ"),
            ("倶楽部", "クラブ"), ("プロジェクト", "プロジェクト"), ("ひろば", "ヒロバ"))
SKILLS = (("手品", "テーブルマジック"), ("紙芝居", "紙芝居の読み聞かせ"), ("歌", "童謡・唱歌のうたごえ"), ("折り紙", "季節の折り紙"),
          ("書道", "書き初めと筆ペン"), ("囲碁", "囲碁の手ほどき"), ("腹話術", "腹話術の人形劇"), ("大正琴", "大正琴の演奏"),
          ("絵手紙", "絵手紙教室"), ("健康体操", "椅子でできる体操"), ("そば打ち", "そば打ち体験"), ("ハーモニカ", "ハーモニカ演奏"))
CONSULTATION_TOPICS = ("NPO法人の設立", "団体の会計", "助成金の申請", "会員の募集", "情報発信の方法", "ボランティアを始めたい",
                       "活動場所を探している", "企業との協働", "行政との協働", "団体の世代交代", "講師を探している",
                       "イベントの広報", "個人情報の扱い", "オンライン会議の始め方")
# Per generated group. Consultations are the dearest record (each step is a write of its own).
VOLUME_RATIOS = {"talents": 0.05, "events": 0.1, "consultations": 0.2, "cases": 0.03, "needs": 0.02, "offers": 0.2}


def _center_admin(center: Organization):
    membership = (Membership.objects.filter(organization=center, role=Role.CENTER_ADMIN)
                  .select_related("user").order_by("id").first())
    if membership is None:
        raise ValueError(f"{center} has no center_admin: seed the center first")
    return membership.user


def _random_day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(max(1, (end - start).days)))


@transaction.atomic
def generate_volume(*, center: Organization | str, scale: int, seed: int = 0) -> dict[str, int]:
    """`scale` Faker-made groups plus proportional talents, events, consultations, cases, needs, offers."""
    from faker import Faker

    if isinstance(center, str):
        center = Organization.objects.get(kind=Kind.CENTER, name=CENTERS[center].name)
    spec = next((s for s in CENTERS.values() if s.name == center.name), CENTERS["nishiku"])
    admin = _center_admin(center)
    fake = Faker("ja_JP")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    fields = {f.code: f for f in ActivityField.objects.all()}
    today = timezone.localdate()
    now = timezone.now()
    departments = list(Organization.objects.filter(center=center, kind=Kind.CITY_DEPARTMENT))
    if not departments:
        departments = [services.partner_create(acting_user=admin, center=center, name="市民活動推進課",
                                               kind=Kind.CITY_DEPARTMENT, name_kana="シミンカツドウスイシンカ")]
    counts = dict.fromkeys(["groups", *VOLUME_RATIOS], 0)
    tag = f"{seed}-"  # keeps e-mail addresses distinct across runs with different seeds

    def person() -> tuple[str, str]:
        last, last_kana, _ = fake.last_name_pair()
        first, first_kana, _ = fake.first_name_pair()
        return f"{last} {first}", f"{last_kana} {first_kana}"

    # Registered within the last three 年度, so renewals are due from the current 年度's end on.
    registered_from = fiscal_year_bounds(fiscal_year_of(today) - 2)[0]
    groups: list[GroupRegistration] = []
    names: set[str] = set()
    for i in range(scale):
        for _ in range(5):
            area, area_kana = rng.choice(spec.areas)
            prefix, prefix_kana = rng.choice(PREFIXES)
            theme = rng.choice(THEMES)
            suffix, suffix_kana = rng.choice(SUFFIXES)
            name, kana = f"{area}{prefix}{theme[0]}{suffix}", f"{area_kana}{prefix_kana}{theme[1]}{suffix_kana}"
            if name not in names:
                break
        names.add(name)
        representative, representative_kana = person()
        groups.append(services.group_register(
            acting_user=admin, center=center, name=name, name_kana=kana,
            registered_on=_random_day(rng, registered_from, today),
            consents=rng.sample(GroupRegistration.CONSENTS, rng.randint(0, 3)),
            legal_form=rng.choices([LegalForm.VOLUNTARY, LegalForm.NPO, LegalForm.VOLUNTEER, LegalForm.GENERAL_ASSOCIATION],
                                   weights=[60, 20, 15, 5])[0],
            activity_fields=[fields[c] for c in theme[2]], description=f"{theme[3]}を中心に活動。",
            area=f"{spec.municipality_name}{area}", member_count=rng.randint(5, 120),
            representative_name=representative, representative_kana=representative_kana,
            contact_phone=f"{spec.phone_prefix}-{i % 10000:04d}", contact_email=f"g{tag}{i:05d}@example.jp",
            contact_address=f"{spec.municipality_name}{area}0-0-0",
        ))
        counts["groups"] += 1
    if not groups:
        return counts

    def themed(group: GroupRegistration) -> tuple[str, str, tuple[int, ...], str]:
        return next((t for t in THEMES if t[0] in group.name), THEMES[0])

    for i in range(int(scale * VOLUME_RATIOS["talents"])):
        name, kana = person()
        skill, detail = rng.choice(SKILLS)
        services.talent_register(
            acting_user=admin, center=center, name=name, name_kana=kana, title=f"{skill}の名人", skills=detail,
            activity_fields=[fields[6]], registered_on=_random_day(rng, today - dt.timedelta(days=3650), today),
            area=f"{spec.municipality_name}内", availability=rng.choice(["平日午後", "土日", "平日午前", "要相談"]),
            phone=f"{spec.phone_prefix}-{(5000 + i) % 10000:04d}", email=f"t{tag}{i:05d}@example.jp",
            listed_in_guidebook=rng.random() < 0.7,
        )
        counts["talents"] += 1

    for _ in range(int(scale * VOLUME_RATIOS["events"])):
        host = rng.choice(groups)
        theme = themed(host)
        kind, label = rng.choice([(EventKind.KORYUKAI, "交流会"), (EventKind.KOZA, "講座"), (EventKind.SETSUMEIKAI, "説明会"),
                                  (EventKind.IKEN_KOKAN, "意見交換会"), (EventKind.FESTIVAL, "フェスティバル")])
        starts_at = _on(_random_day(rng, today - dt.timedelta(days=730), today + dt.timedelta(days=120)),
                        rng.choice([10, 13, 14, 18]), rng.choice([0, 30]))
        held = starts_at < now
        cancelled = held and rng.random() < 0.05
        services.event_create(
            acting_user=admin, center=center, title=f"{theme[0]}{label}", kind=kind, theme=theme[0],
            activity_fields=[fields[c] for c in theme[2]], starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=2),
            venue=f"{spec.name} 会議室", organizers=[center, host.organization],
            participants=[] if cancelled else [g.organization for g in rng.sample(groups, min(len(groups), rng.randint(0, 5)))],
            capacity=rng.choice([20, 30, 50, 100]), attendance=rng.randint(8, 60) if held and not cancelled else None,
            status=EventStatus.CANCELLED if cancelled else EventStatus.HELD if held else EventStatus.PLANNED,
            cancellation_reason=rng.choice([RAIN, "講師都合により中止"]) if cancelled else "", is_public=True,
        )
        counts["events"] += 1

    staff_channels = list(Channel.values)
    for i in range(int(scale * VOLUME_RATIOS["consultations"])):
        intake_at = now - dt.timedelta(days=rng.randint(0, 720), hours=rng.randint(0, 8))
        group = rng.choice(groups)
        name, _ = person()
        card = services.consultation_open(
            acting_user=admin, center=center, intake_at=intake_at, topic=rng.choice(CONSULTATION_TOPICS),
            channel=rng.choice(staff_channels), requester_name=name, requester_contact=f"c{tag}{i:05d}@example.jp",
            requester_organization=group.organization, intake_note="初回の聞き取り。",
        )
        # Older cards are further along: インテーク → コーディネート → クロージング → 完了.
        age = (now - intake_at).days
        steps = 3 if age > 60 else rng.randint(0, 3 if age > 7 else 1)
        at = intake_at
        for _ in range(steps):
            at = min(now, at + dt.timedelta(days=rng.randint(1, 14)))
            card = services.consultation_advance(acting_user=admin, consultation=card, note="対応を記録。", at=at)
        counts["consultations"] += 1

    forms = [Form.KYOSAI, Form.JIGYO_KYORYOKU, Form.ITAKU, Form.JIKKO_IINKAI, Form.HOJO, Form.CORPORATE]
    for _ in range(int(scale * VOLUME_RATIOS["cases"])):
        lead = rng.choice(groups)
        theme = themed(lead)
        department = rng.choice(departments)
        form = rng.choice(forms)
        start = fiscal_year_of(today) - rng.randint(0, 8)
        end = start + rng.randint(0, 2)
        total = rng.randrange(100_000, 5_000_000, 1000)
        services.case_create(
            acting_user=admin, center=center, title=f"{theme[3]}の協働事業", form=form,
            summary=f"{lead.name}と{department.name}による{form.label}。", activity_fields=[fields[c] for c in theme[2]],
            responsible_department=department, total_cost=total, city_share=total * rng.randint(0, 10) // 10,
            fiscal_year_start=start, fiscal_year_end=min(end, fiscal_year_of(today)),
            outcome=Outcome.ONGOING if end >= fiscal_year_of(today)
            else rng.choice([Outcome.CONTINUED, Outcome.REDUCED, Outcome.ENDED]),
            sharing_level=rng.choice(SharingLevel.values),
            parties=[{"organization": lead.organization, "role": PartyRole.LEAD, "contribution": f"{theme[3]}の企画・実施"},
                     {"organization": department, "role": PartyRole.GOVERNMENT, "contribution": "周知・事業費の負担"}],
        )
        counts["cases"] += 1

    for _ in range(int(scale * VOLUME_RATIOS["needs"])):
        theme = rng.choice(THEMES)
        services.need_create(
            acting_user=admin, center=center, title=f"{theme[3]}の担い手", description=f"{theme[0]}の分野で協働できる団体を探している。",
            requester=rng.choice(departments), activity_fields=[fields[c] for c in theme[2]],
            fiscal_year=fiscal_year_of(today) + rng.randint(0, 1), status=rng.choice(NeedStatus.values),
        )
        counts["needs"] += 1

    for group in rng.sample(groups, min(len(groups), int(scale * VOLUME_RATIOS["offers"]))):
        theme = themed(group)
        services.offer_create(
            acting_user=admin, group=group, title=theme[3], description=f"{group.name}による{theme[3]}。",
            activity_fields=[fields[c] for c in theme[2]], area=group.area, conditions=rng.choice(["", "交通費程度", "材料費実費"]),
        )
        counts["offers"] += 1
    return counts

