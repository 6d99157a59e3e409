"""Explainable suggestions between 協働の種 (needs) and できることメニュー (offers).

Everything here works on plain documents (`NeedDoc`, `OfferDoc`), not on rows: the node builds
them from its own records (nodes.selectors), and offers from another source, such as another
center's listing through the hub, rank with the same code through `offer_doc_from_dict`.

A suggestion's score is a weighted sum of features in [0, 1] minus learned penalties; every
feature that counts also says why in Japanese, so staff can check the machine's reasoning
(seed 002: 丁寧なマッチング — the center sits in between and must be able to explain a proposal).
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.utils.translation import gettext, gettext_lazy

from common.japanese import fiscal_year_of

from .matching_arrays import OfferSignatures, feature_scores
from .matching_text import WHOLE_AREA, area_keys_of, municipality_key, terms
from .models import (
    FORMS_NEEDING_BUDGET,
    FORMS_NEEDING_LEGAL_ENTITY,
    CaseOutcome,
    CollaborationForm,
    CostItem,
    DismissalReason,
    NeedBudget,
    is_legal_entity,
)

# --- documents ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PastCase:
    """A collaboration case a group took part in, from the point of view of matching."""

    outcome: str
    partners: frozenset  # keys of the other organizations in it (the department, a 自治会 …)
    with_government: bool


@dataclass(frozen=True, slots=True)
class NeedDoc:
    key: Any
    title: str
    terms: Mapping[str, int]
    fields: frozenset[int] = frozenset()
    area: str = ""
    requester: Any = None
    requester_name: str = ""
    allowed_forms: frozenset[str] = frozenset()
    month: int | None = None
    fiscal_year: int | None = None
    budget: str = NeedBudget.UNDECIDED
    covered_costs: frozenset[str] = frozenset()
    area_keys: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class OfferDoc:
    key: Any
    title: str
    terms: Mapping[str, int]
    group: Any = None
    group_name: str = ""
    fields: frozenset[int] = frozenset()
    area: str = ""
    legal_entity: bool | None = None
    months: frozenset[int] = frozenset()
    costs: frozenset[str] = frozenset()
    area_keys: tuple[tuple[str, str], ...] = ()


def need_doc(**values) -> NeedDoc:
    values.setdefault("area_keys", area_keys_of(values.get("area", "")))
    return NeedDoc(**values)


def offer_doc(**values) -> OfferDoc:
    values.setdefault("area_keys", area_keys_of(values.get("area", "")))
    return OfferDoc(**values)


def offer_doc_from_dict(data: Mapping[str, Any]) -> OfferDoc:
    """An offer from elsewhere, e.g. a hub listing: {"key", "title", "text" or "description", "fields",
    "area", "legal_form" (or "legal_entity"), "group", "group_name", "months", "costs"}; missing keys
    count as unknown, never as a mismatch."""
    legal = data.get("legal_entity")
    if legal is None and data.get("legal_form"):
        legal = is_legal_entity(data["legal_form"])
    text_terms = data.get("terms")
    if text_terms is None:
        text_terms = terms(data.get("title", ""), data.get("text") or data.get("description", ""))
    return offer_doc(
        key=data["key"], title=data.get("title", ""), terms=text_terms, group=data.get("group"),
        group_name=data.get("group_name", ""), fields=frozenset(int(c) for c in data.get("fields", ())),
        area=data.get("area", ""), legal_entity=legal, months=frozenset(data.get("months", ())),
        costs=frozenset(data.get("costs", ())),
    )


def need_doc_from_dict(data: Mapping[str, Any]) -> NeedDoc:
    text_terms = data.get("terms")
    if text_terms is None:
        text_terms = terms(data.get("title", ""), data.get("text") or data.get("description", ""),
                           data.get("purpose", ""), data.get("partner_role", ""))
    return need_doc(
        key=data["key"], title=data.get("title", ""), terms=text_terms,
        fields=frozenset(int(c) for c in data.get("fields", ())), area=data.get("area", ""),
        requester=data.get("requester"), requester_name=data.get("requester_name", ""),
        allowed_forms=frozenset(data.get("allowed_forms", ())), month=data.get("month"),
        fiscal_year=data.get("fiscal_year"), budget=data.get("budget", NeedBudget.UNDECIDED),
        covered_costs=frozenset(data.get("covered_costs", ())),
    )


# --- the index: TF-IDF vectors and postings, built once per set of candidates -----------------------------


class Index:
    """Candidates of one kind (offers, or needs) with their TF-IDF vectors and inverted lists.

    Built from the precomputed term counts of each row; querying touches only the postings of
    the query's terms and of its activity fields. The lists are numpy arrays: at 50,000 offers a
    common word's list holds tens of thousands of entries, too many to add up one by one in Python
    within a page's time.
    """

    def __init__(self, docs: Sequence[NeedDoc | OfferDoc]):
        self.docs = list(docs)
        count = len(self.docs)
        frequency: Counter[str] = Counter()
        for doc in self.docs:
            frequency.update(doc.terms.keys())
        self._unseen_idf = math.log(1 + count) + 1
        self.idf = {term: math.log((1 + count) / (1 + n)) + 1 for term, n in frequency.items()}
        postings: dict[str, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
        self.by_field: dict[int, list[int]] = defaultdict(list)
        self.by_group: dict[Any, list[int]] = defaultdict(list)
        self.position = {}
        for i, doc in enumerate(self.docs):
            self.position[doc.key] = i
            for term, weight in self._vector(doc.terms).items():
                positions, weights = postings[term]
                positions.append(i)
                weights.append(weight)
            for code in doc.fields:
                self.by_field[code].append(i)
            group = getattr(doc, "group", None)
            if group is not None:
                self.by_group[group].append(i)
        self.postings = {term: (np.array(positions, dtype=np.int32), np.array(weights))
                         for term, (positions, weights) in postings.items()}
        self.field_positions = {code: np.array(found, dtype=np.int32) for code, found in self.by_field.items()}
        self._signatures: OfferSignatures | None = None

    @property
    def signatures(self) -> OfferSignatures:
        # Built at the first ranking of offers (a need index never needs them); two threads building
        # them at once build the same arrays.
        if self._signatures is None:
            self._signatures = OfferSignatures(self.docs)
        return self._signatures

    def _vector(self, counts: Mapping[str, int]) -> dict[str, float]:
        raw = {t: (1 + math.log(n)) * self.idf.get(t, self._unseen_idf) for t, n in counts.items() if n > 0}
        norm = math.sqrt(sum(w * w for w in raw.values())) or 1.0
        return {t: w / norm for t, w in raw.items()}

    def similarity_array(self, counts: Mapping[str, int]) -> tuple[np.ndarray, dict[str, float]]:
        """Cosine similarity of the query with every candidate (0 when no term is shared), and the query vector."""
        query = self._vector(counts)
        scores = np.zeros(len(self.docs))
        for term, weight in query.items():
            found = self.postings.get(term)
            if found is not None:
                # A term occurs once per document, so the positions of one list are distinct.
                scores[found[0]] += weight * found[1]
        return scores, query

    def similarities(self, counts: Mapping[str, int]) -> tuple[dict[int, float], dict[str, float]]:
        """The candidates sharing a term with the query → cosine similarity, and the query vector."""
        scores, query = self.similarity_array(counts)
        return {int(i): float(scores[i]) for i in np.flatnonzero(scores)}, query

    def shared_terms(self, query: Mapping[str, float], doc, limit: int = 3) -> list[str]:
        """The shared words that weigh most in a similarity, for the reason staff read."""
        shared = [(query[t] * self.idf.get(t, 0), t) for t in doc.terms if t in query]
        return [t for _w, t in sorted(shared, reverse=True)[:limit]]


# --- features, weights and reasons ---------------------------------------------------------------------

FEATURES = ("fields", "text", "area", "form", "timing", "conditions", "history")
# Topic first (what it is about, in words and in fields), then whether it can work (where, how,
# when, at what cost), then whether this group has done it before. Set by judgement, checked on
# the labelled pairs (tests/nodes/matching_pairs.jsonl, see tests/bench/matching.py); staff's
# dismissals then move them per center (`learn`).
BASE_WEIGHTS: dict[str, float] = {
    "fields": 2.0, "text": 4.0, "area": 1.5, "form": 1.5, "timing": 0.5, "conditions": 0.5, "history": 1.0,
}
FEATURE_LABELS = {
    "fields": gettext_lazy("活動分野"), "text": gettext_lazy("内容"), "area": gettext_lazy("地域"),
    "form": gettext_lazy("協働の形態"), "timing": gettext_lazy("時期"), "conditions": gettext_lazy("費用・条件"),
    "history": gettext_lazy("協働の実績"),
}
# A cosine of 0.5 between two short Japanese texts already means the same topic.
TEXT_SATURATION = 0.5
# Below this the shared words are incidental; a suggestion needs fields, words or history in common.
TEXT_MIN = 0.05
# Learning from dismissals (see `learn`).
WEIGHT_STEP, WEIGHT_MAX_GAIN = 0.5, 2.0
PAIR_PENALTY, PAIR_PENALTY_MAX = 1.0, 3.0
OUTCOME_FACTOR = {
    CaseOutcome.CONTINUED: 1.0, CaseOutcome.ONGOING: 0.9, CaseOutcome.REDUCED: 0.6, CaseOutcome.ENDED: 0.5,
}
REASON_FEATURE = {
    DismissalReason.FIELDS: "fields", DismissalReason.CONTENT: "text", DismissalReason.AREA: "area",
    DismissalReason.FORM: "form", DismissalReason.TIMING: "timing", DismissalReason.CONDITIONS: "conditions",
}
# The 年度 budget cycle (seed 002): themes in spring, the budget request in autumn, decisions in
# winter, work from April. A need waiting for next year's budget must be matched before the request.
BUDGET_REQUEST_MONTH = 10


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    kind: str  # "good": speaks for the pair; "caution": something to settle in the 事前打ち合わせ
    text: str

    def as_dict(self) -> dict:
        return {"code": self.code, "kind": self.kind, "text": self.text}


@dataclass(frozen=True)
class Learning:
    """What the center's dismissals taught: feature weights and (requester, group) penalties."""

    weights: Mapping[str, float] = field(default_factory=lambda: dict(BASE_WEIGHTS))
    adjustments: Mapping[str, float] = field(default_factory=dict)
    dismissed: frozenset = frozenset()  # (need key, offer key) pairs never suggested again
    pair_penalties: Mapping[tuple, tuple[int, tuple[str, ...]]] = field(default_factory=dict)

    def summary(self) -> list[str]:
        return [gettext("%(feature)sの重み +%(gain).1f（見送り理由から学習）") % {"feature": FEATURE_LABELS[f], "gain": gain}
                for f, gain in self.adjustments.items() if gain]


@dataclass(frozen=True, slots=True)
class Dismissal:
    need: Any
    offer: Any
    requester: Any
    group: Any
    reason: str
    features: Mapping[str, float]


def learn(dismissals: Iterable[Dismissal]) -> Learning:
    """Two simple, explainable lessons from each dismissal:

    - the same requester is shown this group less (a penalty per earlier dismissal, capped);
    - when the reason names a feature (地域が合わない) on which the dismissed pair was not a full
      match, that feature weighs more for the whole center, so such pairs sink next time.
    """
    gains: dict[str, float] = defaultdict(float)
    pairs: dict[tuple, list[str]] = defaultdict(list)
    dismissed = set()
    for item in dismissals:
        dismissed.add((item.need, item.offer))
        pairs[(item.requester, item.group)].append(str(DismissalReason(item.reason).label))
        feature = REASON_FEATURE.get(item.reason)
        if feature and float(item.features.get(feature, 0.0)) < 1.0:
            gains[feature] = min(WEIGHT_MAX_GAIN, gains[feature] + WEIGHT_STEP)
    weights = {name: BASE_WEIGHTS[name] + gains.get(name, 0.0) for name in FEATURES}
    return Learning(
        weights=weights, adjustments=dict(gains), dismissed=frozenset(dismissed),
        pair_penalties={key: (len(labels), tuple(dict.fromkeys(labels))) for key, labels in pairs.items()},
    )


@dataclass(frozen=True)
class Context:
    """What the scorer needs beyond the two documents."""

    field_labels: Mapping[int, str] = field(default_factory=dict)
    municipality: str = ""  # the center's city: 「茅ヶ崎市内」 covers every neighbourhood in it
    history: Mapping[Any, Sequence[PastCase]] = field(default_factory=dict)  # by group key
    learning: Learning = field(default_factory=Learning)
    today: dt.date | None = None


@dataclass
class Suggestion:
    doc: NeedDoc | OfferDoc
    score: float
    features: dict[str, float]
    reasons: list[Reason]

    @property
    def key(self):
        return self.doc.key


def field_label(code: int, name: str, short_name: str) -> str:
    """「環境の保全を図る活動」 → 「環境の保全」; the long 19号/20号 keep their short names."""
    label = re.sub(r"(を図る活動|の活動|活動)$", "", name)
    return label if len(label) <= 16 else short_name


def _labels(choices, values) -> str:
    """Labels of the chosen values, in the choices' own order: 事業協力・委託（協働委託）."""
    return "・".join(str(label) for value, label in choices.choices if value in values)


# Each feature gives its value and, when `explain` is set, its reasons. Ranking scores every
# candidate without reasons and explains only the few it returns: the strings are the costly part.


def _area(need: NeedDoc, offer: OfferDoc, municipality: str, explain: bool) -> tuple[float, list[Reason]]:
    if not need.area_keys:
        return 0.5, []
    if not offer.area_keys:
        return 0.4, []
    for shown_a, a in need.area_keys:
        for shown_b, b in offer.area_keys:
            if a in b or b in a:
                return 1.0, [Reason("area_same", "good", gettext("同じ地域: %(area)s") % {
                    "area": min(shown_a, shown_b, key=len)})] if explain else []
    city = municipality_key(municipality)
    if city and any(b == city for _shown, b in offer.area_keys) and WHOLE_AREA.search(offer.area):
        return 0.8, [Reason("area_city", "good", gettext("市内全域に対応: %(area)s") % {"area": offer.area})] if explain else []
    return 0.0, [Reason("area_other", "caution", gettext("地域が異なる: %(need)s / %(offer)s") % {
        "need": need.area, "offer": offer.area})] if explain else []


def _form(need: NeedDoc, offer: OfferDoc, explain: bool) -> tuple[float, list[Reason]]:
    allowed = need.allowed_forms
    if not allowed:
        return 0.5, []
    needs_entity = allowed & FORMS_NEEDING_LEGAL_ENTITY
    if offer.legal_entity is False and needs_entity:
        if allowed - needs_entity:
            return 0.8, [Reason("form_other", "good", gettext("協働の形態: %(forms)sなら可能") % {
                "forms": _labels(CollaborationForm, allowed - needs_entity)}),
                         Reason("form_legal_entity", "caution", gettext("委託には法人格が必要です"))] if explain else []
        return 0.0, [Reason("form_legal_entity", "caution", gettext("委託には法人格が必要です"))] if explain else []
    if offer.legal_entity is None and needs_entity:
        return 0.8, [Reason("form_fit", "good", gettext("協働の形態: %(forms)s") % {"forms": _labels(CollaborationForm, allowed)}),
                     Reason("form_unknown_entity", "caution", gettext("委託の場合は法人格の確認が必要です"))] if explain else []
    return 1.0, [Reason("form_fit", "good", gettext("協働の形態: %(forms)s") % {
        "forms": _labels(CollaborationForm, allowed)})] if explain else []


def _timing(need: NeedDoc, offer: OfferDoc, explain: bool) -> tuple[float, list[Reason]]:
    if need.month is None:
        return 0.5, []
    if not offer.months:
        return 0.6, []
    if need.month in offer.months:
        return 1.0, [Reason("timing_fit", "good", gettext("希望時期（%(month)s月）に対応できる") % {"month": need.month})] if explain else []
    if not explain:
        return 0.0, []
    months = "・".join(str(m) for m in sorted(offer.months))
    return 0.0, [Reason("timing_other", "caution", gettext("希望時期（%(month)s月）は対応時期（%(months)s月）の外です") % {
        "month": need.month, "months": months})]


def _conditions(need: NeedDoc, offer: OfferDoc, explain: bool) -> tuple[float, list[Reason]]:
    if not offer.costs:
        return 1.0, []
    missing = offer.costs - need.covered_costs
    if not missing:
        return 1.0, [Reason("conditions_covered", "good",
                            gettext("条件が合う: %(costs)sは提案元が負担") % {"costs": _labels(CostItem, offer.costs)})] if explain else []
    value = 0.0 if need.budget == NeedBudget.NONE else 0.5
    if not explain:
        return value, []
    if value == 0.0:
        return value, [Reason("conditions_unfunded", "caution",
                              gettext("条件: %(costs)sの負担が必要（提案元は予算なし）") % {"costs": _labels(CostItem, missing)})]
    return value, [Reason("conditions_open", "caution", gettext("条件: %(costs)sの負担が必要（要相談）") % {
        "costs": _labels(CostItem, missing)})]


_OUTCOME_LABEL = {value: str(label) for value, label in CaseOutcome.choices}


def _history(need: NeedDoc, cases: Sequence[PastCase], explain: bool) -> tuple[float, list[Reason]]:
    best, kind, outcome = 0.0, "", ""
    for case in cases:
        factor = OUTCOME_FACTOR.get(case.outcome, 0.5)
        if need.requester is not None and need.requester in case.partners:
            value, this_kind = factor, "requester"
        elif case.with_government:
            value, this_kind = 0.6 * factor, "government"
        else:
            value, this_kind = 0.4 * factor, "other"
        if value > best:
            best, kind, outcome = value, this_kind, case.outcome
    if not explain or not best:
        return best, []
    label = _OUTCOME_LABEL.get(outcome, "")
    if kind == "requester":
        text = gettext("%(requester)sとの協働事例あり（%(outcome)s）") % {
            "requester": need.requester_name or gettext("提案元"), "outcome": label}
    elif kind == "government":
        text = gettext("過去に市との協働事例あり（%(outcome)s）") % {"outcome": label}
    else:
        text = gettext("過去の協働事例あり（%(outcome)s）") % {"outcome": label}
    return best, [Reason("history", "good", text)]


def score_pair(need: NeedDoc, offer: OfferDoc, text: float, shared: Sequence[str], context: Context,
               explain: bool = True) -> Suggestion:
    """All features of one pair and its score; with `explain`, its reasons too (best first, cautions last)."""
    weights = context.learning.weights
    common = need.fields & offer.fields
    features = {
        "fields": len(common) / len(need.fields) if need.fields else 0.0,
        "text": min(1.0, text / TEXT_SATURATION) if text >= TEXT_MIN else 0.0,
    }
    reasons: list[tuple[float, Reason]] = []
    if explain and common:
        labels = "・".join(context.field_labels.get(c, str(c)) for c in sorted(common))
        reasons.append((weights["fields"] * features["fields"], Reason("fields_match", "good",
                                                                             gettext("活動分野が一致: %(fields)s") % {"fields": labels})))
    if explain and features["text"] and shared:
        reasons.append((weights["text"] * features["text"],
                        Reason("text_similar", "good", gettext("内容が近い: %(words)s") % {"words": "・".join(shared)})))
    for name, (value, found) in (
        ("area", _area(need, offer, context.municipality, explain)),
        ("form", _form(need, offer, explain)),
        ("timing", _timing(need, offer, explain)),
        ("conditions", _conditions(need, offer, explain)),
        ("history", _history(need, context.history.get(offer.group, ()), explain)),
    ):
        features[name] = value
        reasons.extend((weights[name] * value, reason) for reason in found)

    score = sum(weights[name] * value for name, value in features.items())
    count, labels = context.learning.pair_penalties.get((need.requester, offer.group), (0, ()))
    if count:
        score -= min(PAIR_PENALTY_MAX, PAIR_PENALTY * count)
        if explain:
            reasons.append((0.0, Reason("dismissed_before", "caution",
                                        gettext("この提案元では以前見送り（%(count)s件: %(reasons)s）") % {
                                            "count": count, "reasons": "・".join(labels)})))
    if not explain:
        return Suggestion(doc=offer, score=score, features=features, reasons=[])
    ordered = sorted(reasons, key=lambda item: (item[1].kind != "good", -item[0]))
    return Suggestion(doc=offer, score=round(score, 4), features={k: round(v, 4) for k, v in features.items()},
                      reasons=[reason for _w, reason in ordered])


def _relevant(features: Mapping[str, float], need: NeedDoc, offer: OfferDoc, context: Context) -> bool:
    if features["fields"] > 0 or features["text"] > 0:
        return True
    return any(need.requester in case.partners for case in context.history.get(offer.group, ()))


def _rank(pairs: Iterable[tuple[NeedDoc, OfferDoc, int]], shown: str, similarities: Mapping[int, float],
          query: Mapping[str, float], index: Index, context: Context, limit: int) -> list[Suggestion]:
    """Score every candidate pair without reasons, keep the best `limit`, explain those."""
    dismissed = context.learning.dismissed
    scored = []
    for need, offer, i in pairs:
        if (need.key, offer.key) in dismissed:
            continue
        text = similarities.get(i, 0.0)
        suggestion = score_pair(need, offer, text, (), context, explain=False)
        if _relevant(suggestion.features, need, offer, context):
            scored.append((suggestion.score, _tiebreak(index.docs[i].key), need, offer, text, i))
    best = heapq.nlargest(limit, scored, key=lambda item: (item[0], item[1]))
    explained = []
    for _score, _tie, need, offer, text, i in best:
        shared = index.shared_terms(query, index.docs[i]) if text >= TEXT_MIN else ()
        suggestion = score_pair(need, offer, text, shared, context)
        suggestion.doc = offer if shown == "offer" else need
        explained.append(suggestion)
    return explained


def rank_offers(need: NeedDoc, index: Index, context: Context, limit: int = 10) -> list[Suggestion]:
    """The offers of `index` best suited to `need`, best first.

    Exactly the ranking of scoring every candidate, without scoring most of them: each candidate's
    score has an upper bound from the features known for all at once (fields, text, past cases with
    the requester's partners) plus the most the others can add; candidates are scored best bound
    first, and the rest skipped once no bound can reach the `limit`-th score.
    """
    similarities, query = index.similarity_array(need.terms)
    size = len(index.docs)
    weights = context.learning.weights
    shared_fields = np.zeros(size)
    for code in need.fields:
        found = index.field_positions.get(code)
        if found is not None:
            shared_fields[found] += 1
    history, partnered = np.zeros(size), np.zeros(size, dtype=bool)
    for group, cases in context.history.items():
        found = index.by_group.get(group)
        if found:
            history[found] = _history(need, cases, explain=False)[0]
            partnered[found] = any(need.requester in case.partners for case in cases)
    text = np.where(similarities >= TEXT_MIN, np.minimum(1.0, similarities / TEXT_SATURATION), 0.0)
    fields = shared_fields / len(need.fields) if need.fields else shared_fields * 0.0
    # The best area, form and timing a candidate can have for this need (see _area, _form, _timing).
    rest = (weights["area"] * (1.0 if need.area_keys else 0.5) + weights["form"] * (1.0 if need.allowed_forms else 0.5)
            + weights["timing"] * (1.0 if need.month is not None else 0.5) + weights["conditions"])
    bound = weights["fields"] * fields + weights["text"] * text + weights["history"] * history + rest
    relevant = np.flatnonzero((fields > 0) | (text > 0) | partnered)  # what _relevant keeps
    dismissed = context.learning.dismissed
    if len(relevant) > limit and isinstance(index.docs[0], OfferDoc):
        # Every candidate's score at once; only those within a rounding of the limit-th best can be
        # among the best, so the loop below (the exact scores, in the same order) sees those alone.
        score = feature_scores(need, index, context, fields, text, history, area=_area,
                               penalty=lambda count: min(PAIR_PENALTY_MAX, PAIR_PENALTY * count))
        gone = [index.position[offer] for key, offer in dismissed if key == need.key and offer in index.position]
        scores = score[relevant]
        if gone:
            scores = np.where(np.isin(relevant, gone), -np.inf, scores)
        cutoff = np.partition(scores, len(scores) - limit)[len(scores) - limit]
        relevant = relevant[scores >= cutoff - 1e-6]
    order = relevant[np.argsort(-bound[relevant], kind="stable")]
    best: list[tuple[float, Any, int]] = []  # a heap of the best (score, tiebreak, position)
    for i in order.tolist():
        if len(best) == limit and bound[i] + 1e-9 < best[0][0]:
            break
        offer = index.docs[i]
        if (need.key, offer.key) in dismissed:
            continue
        score = score_pair(need, offer, float(similarities[i]), (), context, explain=False).score
        item = (score, _tiebreak(offer.key), i)
        if len(best) < limit:
            heapq.heappush(best, item)
        elif item[:2] > best[0][:2]:
            heapq.heapreplace(best, item)
    explained = []
    for _score, _tie, i in sorted(best, key=lambda item: item[:2], reverse=True):
        offer, text_value = index.docs[i], float(similarities[i])
        shared = index.shared_terms(query, offer) if text_value >= TEXT_MIN else ()
        explained.append(score_pair(need, offer, text_value, shared, context))
    return explained


def rank_needs(offer: OfferDoc, index: Index, context: Context, limit: int = 10) -> list[Suggestion]:
    """The needs of `index` this offer could answer, best first (the same features, seen from the offer)."""
    similarities, query = index.similarities(offer.terms)
    candidates = set(similarities)
    for code in offer.fields:
        candidates.update(index.by_field.get(code, ()))
    partners = {p for case in context.history.get(offer.group, ()) for p in case.partners}
    if partners:
        candidates.update(i for i, need in enumerate(index.docs) if need.requester in partners)
    return _rank(((index.docs[i], offer, i) for i in candidates), "need", similarities, query, index, context, limit)


def _tiebreak(key) -> Any:
    # Equal scores keep a stable order (the older record first) so the list does not shuffle.
    return -key if isinstance(key, int) else 0


def need_notes(need: NeedDoc, today: dt.date) -> list[Reason]:
    """What the 年度 budget cycle means for this need, shown above its suggestions."""
    notes = []
    current = fiscal_year_of(today)
    if need.fiscal_year and need.fiscal_year < current:
        notes.append(Reason("year_past", "caution", gettext("実施希望年度（%(year)s年度）を過ぎています") % {
            "year": need.fiscal_year}))
    paid = need.allowed_forms & FORMS_NEEDING_BUDGET
    if need.budget == NeedBudget.TO_REQUEST and need.fiscal_year:
        deadline = dt.date(need.fiscal_year - 1, BUDGET_REQUEST_MONTH, 1)
        if today >= dt.date(need.fiscal_year - 1, BUDGET_REQUEST_MONTH + 1, 1):
            notes.append(Reason("budget_late", "caution",
                                gettext("%(year)s年度の予算要求の時期（%(deadline_year)s年%(deadline_month)s月頃）を過ぎています。"
                                        "費用を伴わない形態（事業協力・共催・後援）も検討してください") % {
                                    "year": need.fiscal_year, "deadline_year": deadline.year,
                                    "deadline_month": deadline.month}))
        else:
            notes.append(Reason("budget_in_time", "good",
                                gettext("%(year)s年度の予算要求（%(deadline_year)s年%(deadline_month)s月頃）までに調整すれば間に合います") % {
                                    "year": need.fiscal_year, "deadline_year": deadline.year,
                                    "deadline_month": deadline.month}))
    if need.budget == NeedBudget.NONE and paid:
        labels = _labels(CollaborationForm, paid)
        notes.append(Reason("budget_none", "caution", gettext("予算がないため%(forms)sは難しい可能性があります") % {"forms": labels}))
    return notes
