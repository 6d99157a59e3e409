"""Matching: ranking quality on the labelled pairs, and suggestion latency at 1,000 needs × 5,000 offers
and at 10,000 needs × 50,000 offers.

Quality: every need of tests/nodes/matching_pairs.jsonl is ranked against every offer of the
file (the other topics' offers, often of the same activity field, are the distractors) by the same
scorer the node uses, fed with dicts as offers from another source would be; a hit is the labelled
offer among the first three. The reference in the same run is a plain activity-field overlap count.

Latency: one center with 5,000 offers of 5,000 groups, 1,000 needs, 300 past cases and some
dismissals in `kyodo_bench`; each need's suggestions go through the selector the API calls
(scope, history, learning, ranking, loading the suggested offers). The reference is the same
page of ten offers from a plain field-overlap count in SQL, measured alternately in the same run.
At 10,000 × 50,000 (a center of its own) every tenth need is measured: 1,000 pages, the same count.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from pathlib import Path

from .common import percentile, record

PAIRS = Path(__file__).resolve().parents[1] / "nodes" / "matching_pairs.jsonl"
OFFERS, NEEDS, CASES, DISMISSALS = 5_000, 1_000, 300, 100
LARGE_OFFERS, LARGE_NEEDS = 50_000, 10_000
CENTER_NAME = "ベンチ市民活動センター（マッチング）"
LARGE_CENTER_NAME = "ベンチ市民活動センター（マッチング10k）"
AREAS = ["茅ヶ崎市内", "南湖", "浜竹", "松浪", "鶴嶺", "小出", "香川", "海岸地区", "北部", ""]


def _load_pairs() -> list[dict]:
    return [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines() if line.strip()]


def quality() -> dict:
    from nodes import matching

    rows = _load_pairs()
    offers = {row["offer"]["key"]: row["offer"] for row in rows}
    index = matching.Index([matching.offer_doc_from_dict(offer) for offer in offers.values()])
    context = matching.Context(field_labels={code: str(code) for code in range(1, 21)})
    top3 = top1 = reference = 0
    for row in rows:
        need = matching.need_doc_from_dict(row["need"])
        ranked = [s.key for s in matching.rank_offers(need, index, context, limit=3)]
        top3 += row["offer"]["key"] in ranked
        top1 += ranked[:1] == [row["offer"]["key"]]
        # Reference: most shared activity fields first, ties by file order.
        overlap = sorted(offers.values(), key=lambda o: -len(set(o["fields"]) & set(row["need"]["fields"])))
        reference += row["offer"]["key"] in [o["key"] for o in overlap[:3]]
    return {"top3": top3 / len(rows), "top1": top1 / len(rows), "reference": reference / len(rows),
            "pairs": len(rows), "offers": len(offers)}


def _fill(name: str = CENTER_NAME, offer_count: int = OFFERS, need_count: int = NEEDS):
    """The bench center, built once per kyodo_bench database (bulk rows: data, not the code under test)."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from common.japanese import search_key
    from nodes import matching, models as m
    from permissions.models import Organization, Role
    from permissions.services import membership_grant, organization_create

    user_model = get_user_model()
    staff_name = "bench-matching-staff" if name == CENTER_NAME else f"bench-matching-staff-{need_count}"
    prefix = "" if name == CENTER_NAME else f"{need_count}-"
    center = Organization.objects.filter(name=name, kind="center").first()
    if center is not None:
        return center, user_model.objects.get(username=staff_name)
    rows = _load_pairs()
    offer_texts = list({(r["offer"]["title"], r["offer"]["description"], tuple(r["offer"]["fields"])) for r in rows})
    need_texts = [(r["need"]["title"], r["need"]["description"], tuple(r["need"]["fields"]), r["need"]["allowed_forms"])
                  for r in rows]
    rng = random.Random(11)
    fields = {f.code: f for f in m.ActivityField.objects.all()}
    text_keys: dict[tuple[str, str], tuple[dict, str]] = {}

    def text_of(title: str, text: str) -> tuple[dict, str]:
        # The texts repeat; tokenizing each once keeps building 50,000 offers in seconds.
        if (title, text) not in text_keys:
            text_keys[title, text] = (matching.terms(title, text), search_key(title, text))
        return text_keys[title, text]

    with transaction.atomic():
        center = organization_create(acting_user=None, name=name, kind="center", municipality_name="茅ヶ崎市")
        departments = [Organization.objects.create(name=f"ベンチ課{prefix}{n:02d}", kind="city_department", center=center)
                       for n in range(40)]
        organizations = Organization.objects.bulk_create(
            Organization(name=f"ベンチ団体{prefix}{n:05d}", name_kana=f"ベンチダンタイ{n:05d}", kind="citizen_group",
                         center=center, search_text=f"べんちだんたい{n:05d}")
            for n in range(offer_count))
        legal_forms = [m.LegalForm.VOLUNTARY] * 3 + [m.LegalForm.NPO, m.LegalForm.VOLUNTEER]
        groups = m.GroupRegistration.objects.bulk_create(
            m.GroupRegistration(organization=o, center=center, registered_on=dt.date(2024, 4, 1),
                                renewal_due=dt.date(2027, 3, 31), legal_form=rng.choice(legal_forms),
                                area=rng.choice(AREAS), search_text=o.search_text)
            for o in organizations)
        offers = []
        for group in groups:
            title, description, codes = rng.choice(offer_texts)
            extra = rng.choice(offer_texts)[1]  # a second sentence from another menu item, for variety
            text = f"{description}{extra}"
            match_terms, key = text_of(title, text)
            offers.append(m.Offer(
                center=center, group=group, title=title, description=text, area=group.area,
                available_months=sorted(rng.sample(range(1, 13), rng.choice([0, 0, 3, 6]))),
                cost_conditions=rng.choice([[], [], ["transport"], ["materials"]]),
                match_terms=match_terms, search_text=key))
            offers[-1].codes = codes
        offers = m.Offer.objects.bulk_create(offers, batch_size=5000)
        through = m.Offer.activity_fields.through
        through.objects.bulk_create(through(offer_id=o.pk, activityfield_id=fields[c].pk) for o in offers for c in o.codes)
        needs = []
        for n in range(need_count):
            title, description, codes, forms = need_texts[n % len(need_texts)]
            match_terms, key = text_of(title, description)
            needs.append(m.Need(
                center=center, requester=rng.choice(departments), title=title, description=description,
                area=rng.choice(AREAS), allowed_forms=forms, fiscal_year=2026,
                needed_by=dt.date(2026, rng.randint(4, 12), 1) if rng.random() < 0.3 else None,
                match_terms=match_terms, search_text=key))
            needs[-1].codes = codes
        needs = m.Need.objects.bulk_create(needs)
        through = m.Need.activity_fields.through
        through.objects.bulk_create(through(need_id=x.pk, activityfield_id=fields[c].pk) for x in needs for c in x.codes)
        for n in range(CASES):
            group = rng.choice(groups)
            case = m.CollaborationCase.objects.create(
                center=center, title=f"ベンチ事例{n}", summary="過去の協働", form=m.CollaborationForm.JIGYO_KYORYOKU,
                fiscal_year_start=2015 + n % 10, outcome=rng.choice(m.CaseOutcome.values),
                responsible_department=rng.choice(departments))
            m.CaseParty.objects.create(case=case, organization=group.organization, role=m.PartyRole.LEAD)
        staff = user_model.objects.create_user(staff_name, password="bench-password-123")
        m.SuggestionDismissal.objects.bulk_create(
            m.SuggestionDismissal(center=center, need=need, offer=offer, requester=need.requester, group=offer.group,
                                  reason=rng.choice(m.DismissalReason.values[:-1]), features={"area": 0.0},
                                  dismissed_by=staff)
            for need, offer in zip(rng.sample(needs, DISMISSALS), rng.sample(offers, DISMISSALS), strict=True))
        membership_grant(acting_user=None, user=staff, organization=center, role=Role.CENTER_STAFF)
    return center, staff


def latency(name: str = CENTER_NAME, offer_count: int = OFFERS, need_count: int = NEEDS, every: int = 1) -> dict:
    from django.db.models import Count

    from nodes import models as m, selectors

    center, staff = _fill(name, offer_count, need_count)
    needs = list(m.Need.objects.filter(center=center).order_by("id").values_list("id", "uuid"))[::every]
    need_fields = {}
    for need_id, code in m.Need.activity_fields.through.objects.filter(need__center=center).values_list(
            "need_id", "activityfield__code"):
        need_fields.setdefault(need_id, []).append(code)

    def suggest(uuid):
        page = selectors.need_suggestions(user=staff, uuid=uuid)
        return [item.record.pk for item in page.items]

    def reference(need_id):
        need = m.Need.objects.get(pk=need_id)
        return list(selectors.candidate_offers(user=staff, center=center)
                    .filter(activity_fields__code__in=need_fields.get(need_id, ()))
                    .annotate(shared=Count("activity_fields")).order_by("-shared", "id")
                    .select_related("group__organization")[:10]) if need else []

    selectors._INDEXES.clear()
    started = time.perf_counter()
    suggest(needs[0][1])
    cold_ms = (time.perf_counter() - started) * 1000
    samples = {"suggest": [], "reference": []}
    for need_id, uuid in needs:
        for kind in random.sample(list(samples), 2):  # alternate so drift hits both alike
            started = time.perf_counter()
            suggest(uuid) if kind == "suggest" else reference(need_id)
            samples[kind].append((time.perf_counter() - started) * 1000)
    return {"cold_ms": cold_ms, **{f"{k}_{p}": percentile(v, p) for k, v in samples.items() for p in (50, 95)}}


def run() -> None:
    found = quality()
    print(f"matching quality: {found['pairs']} labelled needs, {found['offers']} candidate offers")
    print(f"  top-3 hit rate {found['top3']:.3f}, top-1 {found['top1']:.3f}"
          f"   (reference, activity-field overlap only: top-3 {found['reference']:.3f})")
    record("matching.top3_hit_rate", found["top3"], "ratio", "≥ 0.8")
    record("matching.top1_hit_rate", found["top1"], "ratio", "—")
    record("matching.top3_hit_rate_reference", found["reference"], "ratio", "—")

    figures = latency()
    print(f"matching latency: {NEEDS:,} needs × {OFFERS:,} offers, one suggestion page per need")
    print(f"  first query (builds the offer index) {figures['cold_ms']:.0f} ms")
    print(f"  suggest   p50 {figures['suggest_50']:.1f} ms  p95 {figures['suggest_95']:.1f} ms")
    print(f"  reference p50 {figures['reference_50']:.1f} ms  p95 {figures['reference_95']:.1f} ms  (field overlap in SQL)")
    record("matching.suggest.p95_ms", figures["suggest_95"], "ms", "≤ 200")
    record("matching.suggest.p95_ms_reference", figures["reference_95"], "ms", "—")
    record("matching.suggest.p95_ratio", figures["suggest_95"] / figures["reference_95"], "ratio", "—")
    record("matching.index_build_ms", figures["cold_ms"], "ms", "—")

    large = latency(LARGE_CENTER_NAME, LARGE_OFFERS, LARGE_NEEDS, every=LARGE_NEEDS // NEEDS)
    print(f"matching latency: {LARGE_NEEDS:,} needs × {LARGE_OFFERS:,} offers, every {LARGE_NEEDS // NEEDS}th need's page")
    print(f"  first query (builds the offer index) {large['cold_ms']:.0f} ms")
    print(f"  suggest   p50 {large['suggest_50']:.1f} ms  p95 {large['suggest_95']:.1f} ms")
    print(f"  reference p50 {large['reference_50']:.1f} ms  p95 {large['reference_95']:.1f} ms  (field overlap in SQL)")
    record("matching.suggest.p95_ms_10k", large["suggest_95"], "ms", "≤ 200")
    record("matching.suggest.p95_ms_10k_reference", large["reference_95"], "ms", "—")
    record("matching.suggest.p95_ratio_10k", large["suggest_95"] / large["reference_95"], "ratio", "—")
    record("matching.index_build_ms_10k", large["cold_ms"], "ms", "—")


if __name__ == "__main__":
    from . import common

    common.use_bench_database()
    run()
