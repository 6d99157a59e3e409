"""Faker-made records on top of a center's demo (`--scale N`), for load and dashboard tests.

The vocabulary below is what generated records are about, not records: it stays code, and the
center's place names, phone prefix and municipality come from its data file.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone
from faker import Faker

from common.japanese import fiscal_year_bounds, fiscal_year_of
from nodes import services
from nodes.models import (
    ActivityField,
    CaseOutcome as Outcome,
    CollaborationForm as Form,
    ConsultationChannel as Channel,
    EventKind,
    EventStatus,
    GroupRegistration,
    LegalForm,
    NeedStatus,
    PartyRole,
    SharingLevel,
)
from permissions.models import Membership, Organization, OrganizationKind as Kind, Role

from .base import center_keys
from .dates import TOKYO
from .schema import CenterData
from .seeder import load_center

RAIN = "雨天中止"
# A center with no data file of its own (a test's, a generic node's) borrows this one's places.
FALLBACK_CENTER = "nishiku"

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


def _center_data(center: Organization) -> CenterData:
    found = (load_center(key) for key in center_keys())
    return next((data for data in found if data.name == center.name), None) or load_center(FALLBACK_CENTER)


def _random_day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(max(1, (end - start).days)))


def _on(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TOKYO)


def _consents(rng) -> set[str]:
    """A random set of a group's consents, as staff could record them: the national listing extends
    the hub listing, so it comes with it."""
    consents = set(rng.sample(GroupRegistration.CONSENTS, rng.randint(0, 3)))
    return consents | {"hub_listing"} if "national_listing" in consents else consents


@transaction.atomic
def generate_volume(*, center: Organization | str, scale: int, seed: int = 0) -> dict[str, int]:
    """`scale` Faker-made groups plus proportional talents, events, consultations, cases, needs, offers."""
    if isinstance(center, str):
        center = Organization.objects.get(kind=Kind.CENTER, name=load_center(center).name)
    data = _center_data(center)
    spec = data.center
    areas = [(area["name"], area["name_kana"]) for area in spec["volume_areas"]]
    phone_prefix, municipality = spec["phone_prefix"], spec["municipality_name"]
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
            area, area_kana = rng.choice(areas)
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
            consents=_consents(rng),
            legal_form=rng.choices([LegalForm.VOLUNTARY, LegalForm.NPO, LegalForm.VOLUNTEER, LegalForm.GENERAL_ASSOCIATION],
                                   weights=[60, 20, 15, 5])[0],
            activity_fields=[fields[c] for c in theme[2]], description=f"{theme[3]}を中心に活動。",
            area=f"{municipality}{area}", member_count=rng.randint(5, 120),
            representative_name=representative, representative_kana=representative_kana,
            contact_phone=f"{phone_prefix}-{i % 10000:04d}", contact_email=f"g{tag}{i:05d}@example.jp",
            contact_address=f"{municipality}{area}0-0-0",
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
            area=f"{municipality}内", availability=rng.choice(["平日午後", "土日", "平日午前", "要相談"]),
            phone=f"{phone_prefix}-{(5000 + i) % 10000:04d}", email=f"t{tag}{i:05d}@example.jp",
            consents=["public_listing", "guidebook"] if rng.random() < 0.7 else [],
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
            venue=f"{data.name} 会議室", organizers=[center, host.organization],
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
