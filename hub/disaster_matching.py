"""Matching suggestions on the disaster board: for each live need, other centers' open offers that fit.

An offer is a candidate only when it is of the same sector, from another center, open and valid
now, not yet committed to this need, and its area covers the need's municipality (same
municipality, or the municipality, its region or the whole prefecture named in 活動地域). Candidates
are ranked by a sum of small, explainable points, each with a short Japanese reason the coordinator
reads before committing (items or skills in common, whether the amount covers what is still open,
validity until the need's deadline). Reads only; committing goes through
hub.services.disasters.disaster_commit.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext

from common.japanese import search_key
from sync import disaster

from .models import DisasterCommitment, DisasterNeedCopy, DisasterOfferCopy, NodeCenter

# Kanagawa's municipalities by the first five digits of their 全国地方公共団体コード (the sixth is a
# check digit), with the prefecture's regional division (地域区分). The designated cities' wards share
# their city's prefix.
_CITY_PREFIXES = (("1410", "横浜市", "横浜"), ("1411", "横浜市", "横浜"), ("1413", "川崎市", "川崎"),
                  ("1415", "相模原市", "県央"))
MUNICIPALITIES = {
    "14201": ("横須賀市", "横須賀三浦"), "14203": ("平塚市", "湘南"), "14204": ("鎌倉市", "横須賀三浦"),
    "14205": ("藤沢市", "湘南"), "14206": ("小田原市", "県西"), "14207": ("茅ヶ崎市", "湘南"),
    "14208": ("逗子市", "横須賀三浦"), "14210": ("三浦市", "横須賀三浦"), "14211": ("秦野市", "湘南"),
    "14212": ("厚木市", "県央"), "14213": ("大和市", "県央"), "14214": ("伊勢原市", "湘南"),
    "14215": ("海老名市", "県央"), "14216": ("座間市", "県央"), "14217": ("南足柄市", "県西"),
    "14218": ("綾瀬市", "県央"), "14301": ("葉山町", "横須賀三浦"), "14321": ("寒川町", "湘南"),
    "14341": ("大磯町", "湘南"), "14342": ("二宮町", "湘南"), "14361": ("中井町", "県西"),
    "14362": ("大井町", "県西"), "14363": ("松田町", "県西"), "14364": ("山北町", "県西"),
    "14366": ("開成町", "県西"), "14382": ("箱根町", "県西"), "14383": ("真鶴町", "県西"),
    "14384": ("湯河原町", "県西"), "14401": ("愛川町", "県央"), "14402": ("清川村", "県央"),
}
# How people write the regions in 活動地域 (normalized with search_key before matching).
REGION_WORDS = {"横浜": ("横浜",), "川崎": ("川崎",), "横須賀三浦": ("横須賀三浦", "三浦半島"),
                "湘南": ("湘南",), "県央": ("県央",), "県西": ("県西", "西湘", "足柄")}
WHOLE_PREFECTURE_WORDS = ("県内全域", "県全域", "県内", "神奈川県")
_TERMS = re.compile(r"[\s、，,・/／;；]+")
BOARD_TOP = 3


@dataclass
class Suggestion:
    need: DisasterNeedCopy
    offer: DisasterOfferCopy
    score: float
    reasons: list[str]
    quantity: int  # what a commitment from this suggestion would start with


@dataclass
class _Need:
    row: DisasterNeedCopy
    remaining: int
    committed_offers: set = field(default_factory=set)


def municipality(code: str) -> tuple[str, str]:
    """(name, region) of a Kanagawa municipality code; ("", "") when unknown."""
    for prefix, name, region in _CITY_PREFIXES:
        if code.startswith(prefix):
            return name, region
    return MUNICIPALITIES.get(code[:5], ("", ""))


def _name_variants(name: str) -> set[str]:
    """茅ヶ崎市 → 茅ヶ崎市, 茅ヶ崎, 茅ケ崎, 茅ケ崎市 (normalized): how an area is typed by hand."""
    stem = name[:-1] if len(name) > 2 and name[-1] in "市町村区" else name
    variants = {name, stem}
    variants |= {v.replace("ヶ", "ケ") for v in variants} | {v.replace("ケ", "ヶ") for v in variants}
    return {search_key(v) for v in variants if v}


def area_reason(offer: DisasterOfferCopy, code: str, center_names: dict[str, str]) -> tuple[float, str] | None:
    """Whether the offer's area covers municipality `code`: (points, reason), or None."""
    name, region = municipality(code)
    name = name or center_names.get(code, "")
    if offer.municipality_code == code:
        return 3.0, gettext("同じ市区町村の申し出（%(municipality)s）") % {"municipality": name or code}
    area = search_key(offer.area_served or "")
    if not area:
        return None
    if name and any(variant in area for variant in _name_variants(name)):
        return 2.0, gettext("活動地域「%(area)s」に%(municipality)sを含む") % {"area": offer.area_served, "municipality": name}
    if region and any(search_key(word) in area for word in REGION_WORDS.get(region, ())):
        return 2.0, gettext("活動地域「%(area)s」が%(municipality)s（%(region)s地域）を含む") % {
            "area": offer.area_served, "municipality": name or code, "region": region}
    if any(search_key(word) in area for word in WHOLE_PREFECTURE_WORDS):
        return 1.0, gettext("県内全域で活動（%(area)s）") % {"area": offer.area_served}
    return None


def _terms(text: str) -> list[str]:
    return [search_key(part) for part in _TERMS.split(text or "") if part.strip()]


def _overlap(wanted: str, offered: list[str]) -> bool:
    wanted = search_key(wanted)
    return any(term and (term in wanted or wanted in term) for term in offered)


def score(need: _Need, offer: DisasterOfferCopy, *, now: dt.datetime,
          center_names: dict[str, str]) -> Suggestion | None:
    """The suggestion of `offer` for `need`, or None when it does not fit at all."""
    row = need.row
    if (offer.sector != row.sector or offer.center_id == row.center_id or offer.entity_uuid in need.committed_offers
            or offer.status != disaster.OfferStatus.OPEN or offer.valid_until <= now):
        return None
    area = area_reason(offer, row.municipality_code, center_names)
    if area is None:
        return None
    points, reasons = area[0] + 1.0, [gettext("分野が一致: %(sector)s") % {"sector": disaster.Sector(row.sector).label}, area[1]]
    supplies = {search_key(line["description"]): line["quantity"] for line in offer.supplies}
    skills = _terms(offer.skills)
    matched_amount, matched = 0, 0
    for line in row.lines:
        if line["kind"] == disaster.LineKind.ITEM and _overlap(line["description"], list(supplies)):
            matched_amount += sum(q for term, q in supplies.items()
                                  if term in search_key(line["description"]) or search_key(line["description"]) in term)
            reasons.append(gettext("品目が一致: %(item)s") % {"item": line["description"]})
            matched += 1
        elif line["kind"] != disaster.LineKind.ITEM and _overlap(line["description"], skills):
            reasons.append(gettext("技能・サービスが一致: %(skill)s") % {"skill": line["description"]})
            matched += 1
    points += 3.0 * min(matched, 2)
    people_lines = any(line["kind"] != disaster.LineKind.ITEM for line in row.lines)
    if people_lines and offer.volunteers:
        points += 1.0
        reasons.append(gettext("ボランティア%(count)s人") % {"count": offer.volunteers})
    if offer.vehicles:
        points += 0.5
        reasons.append(gettext("車両%(count)s台") % {"count": offer.vehicles})
    capacity = matched_amount or (offer.volunteers + offer.vehicles + disaster.lines_total(offer.supplies))
    if need.remaining and capacity >= need.remaining:
        points += 2.0
        reasons.append(gettext("残り%(remaining)sを満たせる規模") % {"remaining": need.remaining})
    elif need.remaining and capacity:
        points += 1.0
        reasons.append(gettext("残り%(remaining)sの一部（%(capacity)s）") % {"remaining": need.remaining, "capacity": capacity})
    deadline = row.needed_by or row.expires_at
    if offer.valid_until >= deadline:
        points += 1.0
        reasons.append(gettext("必要な期限まで有効"))
    else:
        points -= 1.0
        reasons.append(gettext("%(until)sで受付終了（期限より前）") % {
            "until": f"{timezone.localtime(offer.valid_until):%m月%d日%H時}"})
    quantity = max(min(need.remaining, capacity) if capacity else need.remaining, 1)
    return Suggestion(need=row, offer=offer, score=points, reasons=reasons, quantity=quantity)


def disaster_suggestions(declaration, *, now: dt.datetime | None = None,
                         need_uuid: uuid.UUID | None = None) -> dict[uuid.UUID, list[Suggestion]]:
    """need entity uuid → ranked suggestions (best first) for every live need of the declaration."""
    now = now or timezone.now()
    needs = DisasterNeedCopy.objects.filter(declaration=declaration, status__in=disaster.NEED_LIVE,
                                            expires_at__gt=now).select_related("center")
    if need_uuid is not None:
        needs = needs.filter(entity_uuid=need_uuid)
    by_uuid = {n.entity_uuid: _Need(row=n, remaining=n.requested) for n in needs}
    if not by_uuid:
        return {}
    for need, offer, quantity in DisasterCommitment.objects.filter(
            declaration=declaration, need_uuid__in=by_uuid).values_list("need_uuid", "offer_uuid", "quantity"):
        by_uuid[need].remaining = max(by_uuid[need].remaining - quantity, 0)
        if offer is not None:
            by_uuid[need].committed_offers.add(offer)
    offers = list(DisasterOfferCopy.objects.filter(declaration=declaration, status=disaster.OfferStatus.OPEN,
                                                   valid_until__gt=now).select_related("center"))
    center_names = dict(NodeCenter.objects.exclude(municipality_name="").values_list("municipality_code",
                                                                                     "municipality_name"))
    ranked = {}
    for key, need in by_uuid.items():
        found = [s for offer in offers if (s := score(need, offer, now=now, center_names=center_names))]
        ranked[key] = sorted(found, key=lambda s: (-s.score, -s.offer.valid_until.timestamp(), str(s.offer.entity_uuid)))
    return ranked
