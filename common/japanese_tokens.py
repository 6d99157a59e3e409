"""Japanese words for the search index: SudachiPy's tokens and readings, folded like search keys.

A stored record gets two lexeme lists (`index_terms`): its words (surface and dictionary form of
each token, and each kanji on its own so that 猫 finds 野良猫) and their readings in hiragana (so
that こそだて, typed by someone who cannot input 子育て, finds it). A query word is looked up as
itself and as the dictionary forms of its tokens (`query_alternatives`): ねこ and ﾈｺ tokenize to 猫.
No Django here: the hub's selectors and services and the benchmark's filler share it.
"""

from __future__ import annotations

import functools
import threading

from sudachipy import dictionary, tokenizer

from .japanese import normalize_for_search

_MODE = tokenizer.Tokenizer.SplitMode
# Particles, auxiliaries, symbols and spaces hold no meaning of their own and are in almost every
# record: indexed, their posting lists would be the whole table.
_SKIPPED_POS = {"助詞", "助動詞", "補助記号", "空白"}
_local = threading.local()  # a Sudachi tokenizer is not safe to share between threads


def _tokenizer():
    if not hasattr(_local, "tokenizer"):
        _local.tokenizer = dictionary.Dictionary(dict="core").tokenizer()
    return _local.tokenizer


def _is_kanji(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf" or char == "々"


def _lexeme(text: str) -> str:
    # Spaces separate lexemes in the stored lists.
    return normalize_for_search(text).replace(" ", "")


@functools.lru_cache(maxsize=20000)
def _sentence_terms(sentence: str) -> tuple[frozenset, frozenset]:
    words, readings = set(), set()
    for mode in (_MODE.A, _MODE.C):  # A: 防災 and 訓練; C: the compound 適正管理 as well
        for morpheme in _tokenizer().tokenize(sentence, mode):
            if morpheme.part_of_speech()[0] in _SKIPPED_POS:
                continue
            surface, normalized = _lexeme(morpheme.surface()), _lexeme(morpheme.normalized_form())
            words.update(w for w in (surface, normalized) if w)
            reading = _lexeme(morpheme.reading_form())
            if reading and reading != surface:
                readings.add(reading)
            words.update(c for c in surface if _is_kanji(c))
    return frozenset(words), frozenset(readings)


def _sentences(text: str) -> list[str]:
    # Sentences repeat across records (boilerplate, re-sent versions): they are cached one by one.
    parts, start = [], 0
    for index, char in enumerate(text):
        if char in "。！？\n":
            parts.append(text[start:index + 1])
            start = index + 1
    parts.append(text[start:])
    return [part for part in parts if part.strip()]


def index_terms(*parts: str | None) -> tuple[str, str]:
    """(words, readings) of the texts: distinct folded lexemes, space-separated and space-framed
    (" 猫 野良猫 ") so that a LIKE '% 猫 %' finds a whole lexeme where there is no full-text index."""
    words: set[str] = set()
    readings: set[str] = set()
    for part in parts:
        for sentence in _sentences(part or ""):
            sentence_words, sentence_readings = _sentence_terms(sentence[:2000])
            words |= sentence_words
            readings |= sentence_readings
    readings -= words
    return (f" {' '.join(sorted(words))} " if words else " ",
            f" {' '.join(sorted(readings))} " if readings else " ")


@functools.lru_cache(maxsize=4096)
def query_alternatives(term: str) -> tuple[str, ...]:
    """Lexemes any of which matches the query word: the word itself, folded, and — when Sudachi
    reads it as one word — its dictionary form (ﾈｺ → ねこ and 猫). A word of several tokens is
    found as itself (a reading such as こそだて, or a compound) or through the substring path."""
    folded = _lexeme(term)
    if not folded:
        return ()
    found = [folded]
    morphemes = list(_tokenizer().tokenize(term, _MODE.C))
    # Only a word Sudachi reads whole: こそだて as こそ + だて would look up 伊達.
    if len(morphemes) == 1 and morphemes[0].part_of_speech()[0] not in _SKIPPED_POS:
        normalized = _lexeme(morphemes[0].normalized_form())
        if normalized and normalized not in found:
            found.append(normalized)
    return tuple(found)
