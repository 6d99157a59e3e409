"""Japanese search over a normalized `search_text` column, shared by hub and node."""

from django.db.models import QuerySet

from .japanese import normalize_for_search


def search(queryset: QuerySet, value: str, field: str = "search_text") -> QuerySet:
    """Every word must appear, ignoring width, kana and case (「ﾈｺ」「ねこ」「ネコ」 find 「ネコ」)."""
    for term in normalize_for_search(value).split():
        queryset = queryset.filter(**{f"{field}__contains": term})
    return queryset


def contains_all_words(text: str, query: str) -> bool:
    """Whether every word of `query` is in `text`, both folded the way the stored search keys are: for
    checking a match again on the text a public page shows (the stored key holds it as written)."""
    folded = normalize_for_search(text)
    return all(term in folded for term in normalize_for_search(query).split())
