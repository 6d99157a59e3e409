"""A ranked search answered at once over a million rows: the matches counted up to a cap, and a
page taken tier by tier (common.search.search_tiers) in the list's own order, each tier one LIMITed
query walking that order's index, stopping when the page is full — never ranking every match.

While the matches are no more than the cap, the page is the full ranking (phrase, words, readings,
then trigram similarity of the title, then the list's order) over those few rows. Beyond it, within
a tier the list's order decides, and pages stop at the cap (the count says 「1,000件以上」).
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet

from .search import search_ranked, search_tiers, search_words_only


def count_cap() -> int:
    return settings.KYODO_SEARCH_COUNT_CAP


class SearchResults:
    """For a Paginator: `count()` up to the cap (`count_capped` tells whether there are more),
    slices of the ranked matches. `queryset` is filtered and ordered in the list's order."""

    def __init__(self, queryset: QuerySet, value: str = "", *, cap: int | None = None):
        self.queryset, self.value, self.cap = queryset, value.strip(), cap or count_cap()
        self._count: int | None = None
        self._capped = False

    def _matches(self) -> QuerySet:
        return search_tiers(self.queryset, self.value)[-1] if self.value else self.queryset

    def count(self) -> int:
        if self._count is None:
            # COUNT over a LIMITed subquery: stops at cap + 1 rows however many match. The words
            # alone first (one word-index condition, no substring recheck): past the cap, that is all.
            words = search_words_only(self.queryset, self.value) if self.value else None
            found = words.order_by()[:self.cap + 1].count() if words is not None else 0
            if found <= self.cap:
                found = self._matches().order_by()[:self.cap + 1].count()
            self._capped, self._count = found > self.cap, min(found, self.cap)
        return self._count

    @property
    def count_capped(self) -> bool:
        self.count()
        return self._capped

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key):
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise TypeError("SearchResults takes slices only")
        start, stop = key.start or 0, min(key.stop if key.stop is not None else self.cap, self.cap)
        if stop <= start:
            return []
        if not self.value:
            return list(self.queryset[start:stop])
        if not self.count_capped:  # a few matches: the full ranking
            ordering = ["-search_rank", "-search_similarity", *self.queryset.query.order_by]
            return list(search_ranked(self.queryset, self.value).order_by(*ordering)[start:stop])
        return self._tiered(start, stop)

    def _tiered(self, start: int, stop: int) -> list:
        # A row meets several tiers' conditions: kept in the first. When a tier is asked for, every
        # higher one has been read to its end (it did not fill the page), so asking `stop + taken`
        # rows of it is enough however many of them were taken already.
        taken: list[int] = []
        seen: set[int] = set()
        for tier in search_tiers(self.queryset, self.value):
            for pk in tier.values_list("pk", flat=True)[:stop + len(taken)]:
                if pk not in seen:
                    seen.add(pk)
                    taken.append(pk)
            if len(taken) >= stop:
                break
        wanted = taken[start:stop]
        rows = {row.pk: row for row in self.queryset.filter(pk__in=wanted)}
        return [rows[pk] for pk in wanted if pk in rows]

