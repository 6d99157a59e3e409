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


def search_words(queryset: QuerySet, value: str, field: str = "search_text") -> QuerySet:
    """Like `search`, and a word also matches as the word Sudachi reads it as (ねこ, ネコ and ﾈｺ find
    猫; common.japanese_tokens.query_alternatives): for the smaller tables kept without a word index."""
    for term in normalize_for_search(value).split():
        found = Q()
        for alternative in query_alternatives(term) or (term,):
            found |= Q(**{f"{field}__contains": alternative})
        queryset = queryset.filter(found)
    return queryset


def contains_all_words(text: str, query: str) -> bool:
    """Whether every word of `query` is in `text`, both folded the way the stored search keys are: for
    checking a match again on the text a public page shows (the stored key holds it as written)."""
    folded = normalize_for_search(text)
    return all(term in folded for term in normalize_for_search(query).split())


# --- words and readings (models with search_tokens / search_readings, see common.japanese_tokens) ---

# The full-text vector of a row (PostgreSQL): its words as lexemes and their readings prefixed
# READING ("~ねこ"), in a stored generated column `search_vector` with a GIN index, which the model
# that has it creates in a migration (hub 0018, its readings told apart in 0020).
VECTOR_SQL = "{table}.search_vector"
READING = "~"
# Shorter terms have no trigram: found through the words, or on rows not yet tokenized by a scan
# limited to those rows (a partial index holds them).
TRIGRAM_MIN = 3


def _tsquery(groups: list[tuple[str, ...]], readings: bool = False) -> str:
    def lexeme(text: str) -> str:
        return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"

    def alternatives(alts):
        return [*alts, *(READING + alt for alt in alts)] if readings else list(alts)
    return " & ".join("(" + " | ".join(lexeme(alt) for alt in alternatives(alts)) + ")" for alts in groups)


def _parsed(value: str):
    phrase = normalize_for_search(value)
    terms = phrase.split()
    return phrase, terms, [query_alternatives(term) for term in terms]


def search_ranked(queryset: QuerySet, value: str) -> QuerySet:
    """Every word must match — as a substring, a word or the reading of a word (ねこ finds 猫,
    こそだて finds 子育て) — annotated with `search_rank` (the exact phrase 4, all words as written
    2, through readings 1) and `search_similarity` (trigram, of the title; PostgreSQL only) for ordering."""
    phrase, terms, groups = _parsed(value)
    if not terms or not all(groups):
        return queryset.none() if terms else queryset
    if connection.vendor == "postgresql":
        return _search_postgresql(queryset, phrase, terms, groups)
    return _search_like(queryset, phrase, terms, groups)


def _matches(table: str, term: str, alts: tuple[str, ...], readings: bool = True) -> Q:
    return Q(RawSQL(f"{VECTOR_SQL.format(table=table)} @@ %s::tsquery", [_tsquery([alts], readings)],
                    output_field=BooleanField()))


def _matched_postgresql(queryset, terms, groups):
    table = connection.ops.quote_name(queryset.model._meta.db_table)
    for term, alts in zip(terms, groups, strict=True):
        matched = _matches(table, term, alts)
        if len(term) >= TRIGRAM_MIN:
            matched |= Q(search_text__contains=term)
        else:
            matched |= Q(search_tokens__isnull=True, search_text__contains=term)
        queryset = queryset.filter(matched)
    return queryset, table


def _search_postgresql(queryset, phrase, terms, groups):
    queryset, table = _matched_postgresql(queryset, terms, groups)
    vector = VECTOR_SQL.format(table=table)
    words = RawSQL(f"{vector} @@ %s::tsquery", [_tsquery(groups)], output_field=BooleanField())
    readings = RawSQL(f"{vector} @@ %s::tsquery", [_tsquery(groups, readings=True)], output_field=BooleanField())
    return queryset.annotate(
        search_rank=_rank(Q(search_text__contains=phrase), Q(words), Q(readings)),
        # On the title: over the whole text it costs more than the rest of the query for common words.
        search_similarity=RawSQL(f"similarity({table}.title, %s)", [phrase], output_field=FloatField()))


def search_words_only(queryset: QuerySet, value: str) -> QuerySet | None:
    """The rows whose words or readings hold every term — a subset of the matches the word index
    alone answers (PostgreSQL; None elsewhere or without terms), for counting cheaply."""
    phrase, terms, groups = _parsed(value)
    if not terms or not all(groups) or connection.vendor != "postgresql":
        return None
    table = connection.ops.quote_name(queryset.model._meta.db_table)
    return queryset.filter(RawSQL(f"{VECTOR_SQL.format(table=table)} @@ %s::tsquery",
                                  [_tsquery(groups, readings=True)], output_field=BooleanField()))


def search_tiers(queryset: QuerySet, value: str) -> list[QuerySet]:
    """The matches of `value` in the ranking's tiers, best first — the phrase, all words as written,
    through readings, the rest (substrings) — each a filter the word or trigram index can answer,
    for taking a page tier by tier in the queryset's own order (PostgreSQL). A row is in every tier
    whose condition it meets: the caller keeps its first."""
    phrase, terms, groups = _parsed(value)
    if not terms or not all(groups):
        return [queryset.none()] if terms else [queryset]
    if connection.vendor != "postgresql":
        return [search_ranked(queryset, value)]
    matched, table = _matched_postgresql(queryset, terms, groups)
    if len(terms) == 1 and len(phrase) < TRIGRAM_MIN:
        # No trigram for the phrase: the word as typed being one of the row's words lets the word
        # index find the tier (ﾈｺ: the cases where ネコ is written, not those of 猫).
        exact = _matches(table, phrase, (groups[0][0],), readings=False) | Q(search_tokens__isnull=True)
        phrase_tier = matched.filter(exact, search_text__contains=phrase)
    else:
        phrase_tier = matched.filter(search_text__contains=phrase)
    words = RawSQL(f"{VECTOR_SQL.format(table=table)} @@ %s::tsquery", [_tsquery(groups)], output_field=BooleanField())
    readings = RawSQL(f"{VECTOR_SQL.format(table=table)} @@ %s::tsquery", [_tsquery(groups, readings=True)],
                      output_field=BooleanField())
    return [phrase_tier, matched.filter(Q(words)), matched.filter(Q(readings)), matched]


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
