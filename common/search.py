"""Japanese search over a normalized `search_text` column, shared by hub and node."""

from django.db import connection
from django.db.models import BooleanField, Case, FloatField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL

from .japanese import normalize_for_search
from .japanese_tokens import query_alternatives


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


# --- words and readings (models with search_tokens / search_readings, see common.japanese_tokens) ---

# The full-text vector of a row (PostgreSQL): its words weighted A, their readings B, in a stored
# generated column `search_vector` with a GIN index, which the model that has it creates in a migration.
VECTOR_SQL = "{table}.search_vector"
# Shorter terms have no trigram: found through the words, or on rows not yet tokenized by a scan
# limited to those rows (a partial index holds them).
TRIGRAM_MIN = 3


def _tsquery(groups: list[tuple[str, ...]], weight: str = "") -> str:
    def lexeme(text: str) -> str:
        return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'" + (f":{weight}" if weight else "")
    return " & ".join("(" + " | ".join(lexeme(alt) for alt in alts) + ")" for alts in groups)


def search_ranked(queryset: QuerySet, value: str) -> QuerySet:
    """Every word must match — as a substring, a word or the reading of a word (ねこ finds 猫,
    こそだて finds 子育て) — annotated with `search_rank` (the exact phrase 4, all words as written
    2, through readings 1) and `search_similarity` (trigram, of the title; PostgreSQL only) for ordering."""
    phrase = normalize_for_search(value)
    terms = phrase.split()
    groups = [query_alternatives(term) for term in terms]
    if not terms or not all(groups):
        return queryset.none() if terms else queryset
    if connection.vendor == "postgresql":
        return _search_postgresql(queryset, phrase, terms, groups)
    return _search_like(queryset, phrase, terms, groups)


def _search_postgresql(queryset, phrase, terms, groups):
    table = connection.ops.quote_name(queryset.model._meta.db_table)
    vector = VECTOR_SQL.format(table=table)
    for term, alts in zip(terms, groups, strict=True):
        matched = Q(RawSQL(f"{vector} @@ %s::tsquery", [_tsquery([alts])], output_field=BooleanField()))
        if len(term) >= TRIGRAM_MIN:
            matched |= Q(search_text__contains=term)
        else:
            matched |= Q(search_tokens__isnull=True, search_text__contains=term)
        queryset = queryset.filter(matched)
    words = RawSQL(f"{vector} @@ %s::tsquery", [_tsquery(groups, "A")], output_field=BooleanField())
    readings = RawSQL(f"{vector} @@ %s::tsquery", [_tsquery(groups, "AB")], output_field=BooleanField())
    return queryset.annotate(
        search_rank=_rank(Q(search_text__contains=phrase), Q(words), Q(readings)),
        # On the title: over the whole text it costs more than the rest of the query for common words.
        search_similarity=RawSQL(f"similarity({table}.title, %s)", [phrase], output_field=FloatField()))


def _search_like(queryset, phrase, terms, groups):
    """Without a full-text index (SQLite, the demo): the same matches by LIKE on the framed lists."""
    def any_of(field, alts):
        found = Q()
        for alt in alts:
            found |= Q(**{f"{field}__contains": f" {alt} "})
        return found

    words, readings = Q(), Q()
    for term, alts in zip(terms, groups, strict=True):
        queryset = queryset.filter(Q(search_text__contains=term) | any_of("search_tokens", alts)
                                   | any_of("search_readings", alts))
        words &= any_of("search_tokens", alts)
        readings &= any_of("search_tokens", alts) | any_of("search_readings", alts)
    return queryset.annotate(search_rank=_rank(Q(search_text__contains=phrase), words, readings),
                             search_similarity=Value(0.0, output_field=FloatField()))


def _rank(phrase: Q, words: Q, readings: Q):
    return (Case(When(phrase, then=Value(4)), default=Value(0)) + Case(When(words, then=Value(2)), default=Value(0))
            + Case(When(readings, then=Value(1)), default=Value(0)))
