"""Japanese search over a normalized `search_text` column, shared by hub and node."""

from django.db.models import QuerySet

from .japanese import normalize_for_search


def search(queryset: QuerySet, value: str, field: str = "search_text") -> QuerySet:
    """Every word must appear, ignoring width, kana and case (「ﾈｺ」「ねこ」「ネコ」 find 「ネコ」)."""
    for term in normalize_for_search(value).split():
        queryset = queryset.filter(**{f"{field}__contains": term})
    return queryset
