"""The domain's shared vocabulary: choices both roles use, so a node and the hub agree on every value
that crosses the wire (the hub cannot import `nodes`, whose tables it does not have)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# The 20 activity fields of the NPO Act (特定非営利活動促進法 別表), short names as shown in lists.
ACTIVITY_FIELDS = {
    1: "保健・医療・福祉", 2: "社会教育", 3: "まちづくり", 4: "観光", 5: "農山漁村・中山間地域",
    6: "学術・文化・芸術・スポーツ", 7: "環境保全", 8: "災害救援", 9: "地域安全", 10: "人権・平和",
    11: "国際協力", 12: "男女共同参画", 13: "子どもの健全育成", 14: "情報化社会", 15: "科学技術",
    16: "経済活動の活性化", 17: "職業能力・雇用機会", 18: "消費者保護", 19: "連絡・助言・援助",
    20: "条例で定める活動",
}


class CollaborationForm(models.TextChoices):
    ITAKU = "itaku", _("委託（協働委託）")
    HOJO = "hojo", _("補助")
    KYOSAI = "kyosai", _("共催")
    KOEN = "koen", _("後援")
    JIKKO_IINKAI = "jikko_iinkai", _("実行委員会")
    JIGYO_KYORYOKU = "jigyo_kyoryoku", _("事業協力")
    SHITEI_KANRI = "shitei_kanri", _("指定管理者")
    KYODO_SUISHIN_GYOSEI = "kyodo_suishin_gyosei", _("協働推進事業（行政提案型）")
    KYODO_SUISHIN_SHIMIN = "kyodo_suishin_shimin", _("協働推進事業（市民提案型）")
    # A 協働推進事業 whose track the source does not say (old lists, the seed's yearly totals).
    KYODO_SUISHIN = "kyodo_suishin", _("協働推進事業")
    CORPORATE = "corporate", _("企業との連携")
    OTHER = "other", _("その他")


# 協働推進事業 is one programme with two tracks: statistics show it as one row with the tracks beneath.
KYODO_SUISHIN_FORMS = (CollaborationForm.KYODO_SUISHIN, CollaborationForm.KYODO_SUISHIN_GYOSEI,
                       CollaborationForm.KYODO_SUISHIN_SHIMIN)


def form_family(form: str) -> str:
    """The row a form is counted in: either track of 協働推進事業 counts as 協働推進事業."""
    return CollaborationForm.KYODO_SUISHIN.value if form in KYODO_SUISHIN_FORMS else form


class CaseOutcome(models.TextChoices):
    """What became of a case after its term (seed 001's diagram: 継続 / 予算縮小 / 事業縮小 / 終了)."""

    ONGOING = "ongoing", _("実施中")
    CONTINUED = "continued", _("継続")
    BUDGET_REDUCED = "budget_reduced", _("予算縮小")
    SCOPE_REDUCED = "scope_reduced", _("事業縮小")
    REDUCED = "reduced", _("縮小")  # reduced, the source not saying whether budget or scope
    ENDED = "ended", _("終了")


def case_years(start: int, end: int | None, outcome: str, *, today_fy: int) -> range:
    """The 年度 a case counts in. Without a stated end, an ongoing case runs to this 年度 and any
    other is taken as a single-year case, so that a missing end never counts a case twice."""
    if end is None:
        end = max(start, today_fy) if outcome == CaseOutcome.ONGOING else start
    return range(start, end + 1)


REDUCED_OUTCOMES = (CaseOutcome.BUDGET_REDUCED, CaseOutcome.SCOPE_REDUCED, CaseOutcome.REDUCED)


class ProgrammeTrack(models.TextChoices):
    """The two tracks of the 協働推進事業 call (seed 001): the city's themes or the citizens' own."""

    GYOSEI = "gyosei", _("行政提案型")
    SHIMIN = "shimin", _("市民提案型")


TRACK_FORMS = {ProgrammeTrack.GYOSEI: CollaborationForm.KYODO_SUISHIN_GYOSEI,
               ProgrammeTrack.SHIMIN: CollaborationForm.KYODO_SUISHIN_SHIMIN}


# The continuation filter's tracks of 協働推進事業; "none" is the form without a track (hub and node pages).
NO_TRACK = "none"
TRACK_FILTER_FORMS = {**{track.value: form.value for track, form in TRACK_FORMS.items()},
                      NO_TRACK: CollaborationForm.KYODO_SUISHIN.value}


def continuation_filter_choices() -> dict[str, list]:
    """The continuation table's filters: a form family, or a track of 協働推進事業."""
    return {"forms": [(value, label) for value, label in CollaborationForm.choices if form_family(value) == value],
            "tracks": [*ProgrammeTrack.choices, (NO_TRACK, _("区分なし"))]}


class BudgetSource(models.TextChoices):
    """Whose budget pays a year of a case (seed 001: 予算：市民自治推進課 → 予算：担当課)."""

    PROGRAMME = "programme", _("協働推進事業の予算（市民自治推進課）")
    DEPARTMENT = "department", _("担当課の予算")
    OTHER = "other", _("その他")


class ConsultationStep(models.TextChoices):
    """A consultation's steps (関わりカード): a node's aggregate counts them, and the hub shows the counts."""

    INTAKE = "intake", _("インテーク")
    COORDINATE = "coordinate", _("コーディネート")
    CLOSING = "closing", _("クロージング")
    CLOSED = "closed", _("完了")


class ConsultationKind(models.TextChoices):
    """What a consultation is about: the kinds of seed 004's 市民活動に関する相談 (設立時, 運営初期, 運営継続)
    and 協働のコーディネート. Also the themes of the 相談日; the statistics count consultations by it."""

    FOUNDING = "founding", _("団体・法人の設立")
    ACCOUNTING = "accounting", _("会計・労務・法人事務")
    OPERATIONS = "operations", _("事業運営・組織運営")
    FUNDING = "funding", _("資金・助成金")
    PEOPLE = "people", _("人材・ボランティア")
    PUBLICITY = "publicity", _("広報・情報発信")
    NETWORKING = "networking", _("ネットワークづくり・団体の紹介")
    COLLABORATION = "collaboration", _("協働のコーディネート")
    FIRST_STEP = "first_step", _("活動のはじめの一歩")
    OTHER = "other", _("その他")


class PartyRole(models.TextChoices):
    LEAD = "lead", _("実施団体")
    PARTNER = "partner", _("協力団体")
    GOVERNMENT = "government", _("行政")
    FUNDER = "funder", _("資金提供")
    COORDINATOR = "coordinator", _("コーディネート")


class CostItem(models.TextChoices):
    """Costs a group asks to be covered (seed 000: 交通費程度は負担していただく必要がある)."""

    TRANSPORT = "transport", _("交通費")
    MATERIALS = "materials", _("材料費")
    HONORARIUM = "honorarium", _("謝礼")
    VENUE = "venue", _("会場")
    INSURANCE = "insurance", _("保険")
    OTHER = "other", _("その他の費用")


class MemberKind(models.TextChoices):
    """What a member organization of an intermediate support network is counted as (individuals are
    counted apart, never named); the node counts by these, the hub lists them."""

    NPO = "npo", _("NPO法人")
    VOLUNTARY = "voluntary", _("任意団体")
    COMPANY = "company", _("企業")
    NEIGHBORHOOD = "neighborhood", _("自治会・町内会")
    SCHOOL = "school", _("学校")
    SOCIAL_WELFARE_COUNCIL = "social_welfare_council", _("社協")
    GOVERNMENT = "government", _("行政")
    OTHER = "other", _("その他の団体")
