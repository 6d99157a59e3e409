"""Matching's features of one need against every offer at once (nodes.matching.rank_offers): what area,
form, timing and conditions read of each offer, kept as arrays, and the score of every pair from them —
the same values nodes.matching's pair features give, so that only the best few are scored one by one."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .models import FORMS_NEEDING_LEGAL_ENTITY, NeedBudget


class OfferSignatures:
    """What area, form, timing and conditions read of each offer, as arrays: the features of one need
    against every offer at once (`rank_offers`), the same values `_area` … `_conditions` give one pair."""

    def __init__(self, docs: Sequence):
        count = len(docs)
        self.legal = np.array([-1 if d.legal_entity is None else int(bool(d.legal_entity)) for d in docs], dtype=np.int8)
        self.months = np.array([sum(1 << m for m in d.months) for d in docs], dtype=np.int64)
        self.cost_bits: dict[str, int] = {}
        costs = np.zeros(count, dtype=np.int64)
        area_ids = np.zeros(count, dtype=np.int32)
        areas: dict[tuple, int] = {}
        self.area_docs: list = []  # one offer per distinct area: _area reads only the area
        for i, doc in enumerate(docs):
            for cost in doc.costs:
                costs[i] |= self.cost_bits.setdefault(cost, 1 << len(self.cost_bits))
            key = (doc.area, doc.area_keys)
            if key not in areas:
                areas[key] = len(self.area_docs)
                self.area_docs.append(doc)
            area_ids[i] = areas[key]
        self.costs, self.area_ids = costs, area_ids


def feature_scores(need, index, context, fields: np.ndarray, text: np.ndarray, history: np.ndarray, *,
                   area: Callable, penalty: Callable[[int], float]) -> np.ndarray:
    """Every offer's score for `need` as nodes.matching.score_pair computes it, at once: `fields`, `text`
    and `history` as rank_offers has them, `area` the pair feature (one call per distinct area) and
    `penalty` what a (requester, group) pair's earlier dismissals take off."""
    signatures, weights = index.signatures, context.learning.weights
    areas = np.array([area(need, doc, context.municipality, False)[0] for doc in signatures.area_docs])
    by_area = areas[signatures.area_ids] if len(areas) else np.zeros(len(index.docs))
    allowed = need.allowed_forms
    if not allowed:
        form = np.full(len(index.docs), 0.5)
    elif allowed & FORMS_NEEDING_LEGAL_ENTITY:
        form = np.where(signatures.legal == 0, 0.8 if allowed - FORMS_NEEDING_LEGAL_ENTITY else 0.0,
                        np.where(signatures.legal < 0, 0.8, 1.0))
    else:
        form = np.ones(len(index.docs))
    if need.month is None:
        timing = np.full(len(index.docs), 0.5)
    else:
        timing = np.where(signatures.months == 0, 0.6, np.where(signatures.months & (1 << need.month), 1.0, 0.0))
    covered = sum(bit for cost, bit in signatures.cost_bits.items() if cost in need.covered_costs)
    unfunded = 0.0 if need.budget == NeedBudget.NONE else 0.5
    conditions = np.where((signatures.costs & ~covered) == 0, 1.0, unfunded)
    # In score_pair's order (fields, text, area, form, timing, conditions, history).
    score = weights["fields"] * fields + weights["text"] * text + weights["area"] * by_area + weights["form"] * form \
        + weights["timing"] * timing + weights["conditions"] * conditions + weights["history"] * history
    for (requester, group), (count, _reasons) in context.learning.pair_penalties.items():
        if requester == need.requester and count and (found := index.by_group.get(group)):
            score[found] -= penalty(count)
    return score
