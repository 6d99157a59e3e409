"""Normalized views of a text that remember, for every character, where it came from in the original."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

# Dashes people and IMEs type between phone digits; NFKC leaves all of these alone except －.
DASHES = frozenset("‐‑‒–—―−﹣⁃⸺⸻─━")
# The long-vowel mark is a dash only between digits (０９０ー１２３４); in センター it is a vowel.
LONG_VOWELS = frozenset("ー〜～")
# Half-width voiced marks and combining marks fuse with the kana before them under NFKC.
_FUSING = frozenset("\uff9e\uff9f\u3099\u309a")

KANJI_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
                "壱": 1, "弐": 2, "参": 3}


@dataclass(frozen=True)
class Projection:
    """A derived text plus, per character, the [start, end) range of the original it stands for."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    # True where whitespace was dropped just before this character: a word break the text no longer shows.
    breaks: tuple[bool, ...] = ()
    # True where the character was hiragana before folding (に of 石川につないだ, not ニ of ニュース).
    hiragana: tuple[bool, ...] = ()

    def origin(self, start: int, end: int) -> tuple[int, int]:
        return self.starts[start], self.ends[end - 1]

    def broken_before(self, index: int) -> bool:
        return bool(self.breaks) and index < len(self.breaks) and self.breaks[index]

    def was_hiragana(self, index: int) -> bool:
        return bool(self.hiragana) and index < len(self.hiragana) and self.hiragana[index]

    def sub(self, pattern: re.Pattern, replacement: Callable[[re.Match], str], *, absorb: bool = False) -> Projection:
        """Rewrite matches; a replacement stands for the whole match. With absorb, a deleted match is
        folded into the character before it, so a span ending there still covers the deleted text."""
        chars: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        position = 0
        for match in pattern.finditer(self.text):
            for i in range(position, match.start()):
                chars.append(self.text[i])
                starts.append(self.starts[i])
                ends.append(self.ends[i])
            new = replacement(match)
            if match.end() > match.start():
                origin_start, origin_end = self.origin(match.start(), match.end())
                if new:
                    for ch in new:
                        chars.append(ch)
                        starts.append(origin_start)
                        ends.append(origin_end)
                elif absorb and ends:
                    ends[-1] = max(ends[-1], origin_end)
            position = match.end()
        for i in range(position, len(self.text)):
            chars.append(self.text[i])
            starts.append(self.starts[i])
            ends.append(self.ends[i])
        return Projection("".join(chars), tuple(starts), tuple(ends))


@lru_cache(maxsize=4096)
def _nfkc(piece: str) -> str:
    return unicodedata.normalize("NFKC", piece)


def normalize(text: str) -> Projection:
    """NFKC (full-width digits and letters to ASCII, half-width kana to full width) and dashes to "-"."""
    if text.isascii():
        return Projection(text, tuple(range(len(text))), tuple(range(1, len(text) + 1)))
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and (text[j] in _FUSING or unicodedata.combining(text[j]) or _invisible(text[j])):
            j += 1
        for ch in _nfkc(text[i:j]):
            if _invisible(ch):
                continue
            chars.append(ch)
            starts.append(i)
            ends.append(j)
        i = j
    for k, ch in enumerate(chars):
        if ch in DASHES:
            chars[k] = "-"
        elif ch in LONG_VOWELS and 0 < k < len(chars) - 1 and chars[k - 1].isascii() \
                and chars[k - 1].isdigit() and chars[k + 1].isascii() and chars[k + 1].isdigit():
            chars[k] = "-"
    return Projection("".join(chars), tuple(starts), tuple(ends))


def _invisible(ch: str) -> bool:
    """Format characters (zero-width space, joiners, BOM) and variation selectors: they change nothing a
    reader sees, so they must not hide a name or a number from the matchers (山\u200b田太郎, 葛\U000E0100城)."""
    code = ord(ch)
    return unicodedata.category(ch) == "Cf" or 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


# Variant kanji people use interchangeably in names (髙橋 / 高橋): folded to one for matching.
_VARIANTS = str.maketrans("髙﨑邉邊濵濱齋齊澤櫻嶋廣惠", "高崎辺辺浜浜斎斉沢桜島広恵")


def fold_char(ch: str) -> str:
    """Hiragana to katakana, small ヶヵ to ケカ, ASCII to lower case: spellings a reader treats as one."""
    code = ord(ch)
    if 0x3041 <= code <= 0x3096:
        return chr(code + 0x60)
    if ch == "ヶ":
        return "ケ"
    if ch == "ヵ":
        return "カ"
    return ch.lower() if ch.isascii() else ch.translate(_VARIANTS)


_DROPPED = frozenset(" \t\r\n\u3000・")


def match_key(normalized: Projection) -> Projection:
    """The view known data is matched in: folded, with whitespace and ・ dropped (Japanese has no word
    boundaries, and 山田 太郎 / 山田太郎 / 山田　太郎 are the same name)."""
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    breaks: list[bool] = []
    hiragana: list[bool] = []
    gap = False
    for ch, start, end in zip(normalized.text, normalized.starts, normalized.ends, strict=True):
        if ch in _DROPPED:
            gap = True
            continue
        chars.append(fold_char(ch))
        starts.append(start)
        ends.append(end)
        breaks.append(gap)
        hiragana.append("\u3041" <= ch <= "\u3096")
        gap = False
    return Projection("".join(chars), tuple(starts), tuple(ends), tuple(breaks), tuple(hiragana))


def key_of(value: str) -> str:
    return match_key(normalize(value)).text


_KANJI_DIGIT_TABLE = str.maketrans({k: str(v) for k, v in KANJI_DIGITS.items()})


def kanji_digits_as_ascii(view: Projection) -> Projection:
    """〇九〇－三七五二 → 090-3752 (a vertical-writing habit), character for character so positions hold."""
    return Projection(view.text.translate(_KANJI_DIGIT_TABLE), view.starts, view.ends, view.breaks, view.hiragana)


def kanji_number(text: str) -> int | None:
    """一 → 1, 十二 → 12, 二十 → 20, 三十五 → 35, and positional forms like 二〇 → 20."""
    if "十" not in text:
        if all(c in KANJI_DIGITS for c in text):
            return int("".join(str(KANJI_DIGITS[c]) for c in text))
        return None
    tens, _, ones = text.partition("十")
    if (tens and tens not in KANJI_DIGITS) or (ones and ones not in KANJI_DIGITS):
        return None
    return (KANJI_DIGITS[tens] if tens else 1) * 10 + (KANJI_DIGITS[ones] if ones else 0)


_KANJI_BLOCK_NUMBER = re.compile(r"[〇一二三四五六七八九十]+(?=丁目|番|号)")
_BLOCK_JOIN = re.compile(r"(?<=[0-9])(?:丁目|番地ノ|番地|番ノ|番|号ノ|号|ノ)(?=[0-9])")
_BLOCK_END = re.compile(r"(?<=[0-9])(?:丁目|番地|番|号)(?![0-9])")


def address_key(key: Projection) -> Projection:
    """Street numbers folded to one form: 一丁目1番1号, 1丁目1-1, 1-1-1 all read 1-1-1 (the view is
    already kana-folded, hence ノ for の)."""
    folded = key.sub(_KANJI_BLOCK_NUMBER, lambda m: str(kanji_number(m.group()) or m.group()))
    folded = folded.sub(_BLOCK_JOIN, lambda m: "-")
    folded = folded.sub(_BLOCK_END, lambda m: "", absorb=True)
    return Projection(folded.text, folded.starts, folded.ends)


def address_key_of(value: str) -> str:
    return address_key(match_key(normalize(value))).text
