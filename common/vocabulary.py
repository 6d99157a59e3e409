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
    CORPORATE = "corporate", _("企業との連携")
    OTHER = "other", _("その他")


class CaseOutcome(models.TextChoices):
    ONGOING = "ongoing", _("実施中")
    CONTINUED = "continued", _("継続")
    REDUCED = "reduced", _("縮小")
    ENDED = "ended", _("終了")


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
