"""Normalized views of a text that remember, for every character, where it came from in the original."""

from __future__ import annotations

import html
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
        if pattern.search(self.text) is None:
            return self
        chars: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        position = 0
        for match in pattern.finditer(self.text):
            chars.append(self.text[position:match.start()])
            starts.extend(self.starts[position:match.start()])
            ends.extend(self.ends[position:match.start()])
            new = replacement(match)
            if match.end() > match.start():
                origin_start, origin_end = self.origin(match.start(), match.end())
                if new:
                    chars.append(new)
                    starts.extend([origin_start] * len(new))
                    ends.extend([origin_end] * len(new))
                elif absorb and ends:
                    ends[-1] = max(ends[-1], origin_end)
            position = match.end()
        chars.append(self.text[position:])
        starts.extend(self.starts[position:])
        ends.extend(self.ends[position:])
        return Projection("".join(chars), tuple(starts), tuple(ends))


@lru_cache(maxsize=4096)
def _nfkc(piece: str) -> str:
    return unicodedata.normalize("NFKC", piece)


# Entities and percent-encoding a pasted or exported text carries (taro&#64;example.jp, a name from a
# search URL: %E5%B1%B1%E7%94%B0): the views read them decoded, each decoded character standing for
# the whole encoded stretch, so a replacement covers it.
_ENCODED = re.compile(r"&(?:#[0-9]{1,7};?|#[xX][0-9a-fA-F]{1,6};?|[A-Za-z][A-Za-z0-9]{1,31};)|(?:%[0-9A-Fa-f]{2})+")


def _decode(match: re.Match) -> str:
    piece = match.group()
    if piece.startswith("&"):
        return html.unescape(piece)
    try:
        return bytes.fromhex(piece.replace("%", "")).decode("utf-8")
    except UnicodeDecodeError:
        return piece


def _units(text: str) -> tuple[str, list[int], list[int]]:
    """The text with entities and percent-encoding decoded, and the original span of each character."""
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    position = 0
    for match in _ENCODED.finditer(text):
        decoded = _decode(match)
        if decoded == match.group():
            continue
        chars.append(text[position:match.start()])
        starts.extend(range(position, match.start()))
        ends.extend(range(position + 1, match.start() + 1))
        chars.append(decoded)
        starts.extend([match.start()] * len(decoded))
        ends.extend([match.end()] * len(decoded))
        position = match.end()
    chars.append(text[position:])
    starts.extend(range(position, len(text)))
    ends.extend(range(position + 1, len(text) + 1))
    return "".join(chars), starts, ends


# Kanji drawn like katakana, read as the katakana after katakana and not before a kanji or a numeral:
# サト一 ユウコ is サトー ユウコ, ハ口ー is ハロー; but データ一覧 and センター二階 keep their kanji. 卜 and
# 匕 are no kanji of everyday prose: after katakana they are the katakana before anything (ユウ卜会長).
_KANA_LOOKALIKES = {"一": "ー", "口": "ロ", "力": "カ", "工": "エ", "夕": "タ", "卜": "ト", "八": "ハ", "二": "ニ",
                    "匕": "ヒ", "才": "オ"}
_RARE_LOOKALIKES = frozenset("卜匕")
# Between these the long-vowel mark is a dash: ０９０ー１２３４, 〇九〇ー一二三四, 五ー二十三.
_NUMERALS = frozenset("0123456789〇○◯一二三四五六七八九十百千")
# Middle dots of other scripts between name parts (山田·太郎): read as the Japanese one.
_MIDDLE_DOTS = frozenset("·‧∙⋅•")
_SPECIAL = DASHES | LONG_VOWELS | _MIDDLE_DOTS | frozenset(_KANA_LOOKALIKES)


def normalize(text: str) -> Projection:
    """NFKC (full-width digits and letters to ASCII, half-width kana to full width), dashes to "-",
    entities and percent-encoding decoded, invisible characters dropped, look-alikes read as kana."""
    encoded = ("&" in text or "%" in text) and _ENCODED.search(text) is not None
    if text.isascii() and not encoded:
        return Projection(text, tuple(range(len(text))), tuple(range(1, len(text) + 1)))
    if encoded:
        source, source_starts, source_ends = _units(text)
    else:
        source, source_starts, source_ends = text, range(len(text)), range(1, len(text) + 1)
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(source)
    while i < n:
        j = i + 1
        while j < n and (source[j] in _FUSING or source[j] in _INVISIBLE or unicodedata.combining(source[j])):
            j += 1
        for ch in _nfkc(source[i:j]):
            if ch in _INVISIBLE:
                continue
            chars.append(ch)
            starts.append(source_starts[i])
            ends.append(source_ends[j - 1])
        i = j
    for k, ch in enumerate(chars):
        if ch not in _SPECIAL:
            continue
        if ch in DASHES:
            chars[k] = "-"
        elif ch in LONG_VOWELS and 0 < k < len(chars) - 1 and chars[k - 1] in _NUMERALS and chars[k + 1] in _NUMERALS:
            chars[k] = "-"
        elif ch in _MIDDLE_DOTS:
            chars[k] = "・"
        elif ch in _KANA_LOOKALIKES and k > 0 and "\u30a1" <= chars[k - 1] <= "\u30fc" \
                and (k + 1 == len(chars) or ch in _RARE_LOOKALIKES or not (_is_kanji(chars[k + 1]) or chars[k + 1] == "〇")):
            chars[k] = _KANA_LOOKALIKES[ch]
    return Projection("".join(chars), tuple(starts), tuple(ends))


def _is_kanji(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or ch in "々〆"


# Letters that draw nothing (Hangul fillers, the braille blank) but are letters by category.
_FILLERS = "\u3164\u115f\u1160\uffa0\u2800\u180e\u17b4\u17b5"


def _drawn_as_nothing(ch: str) -> bool:
    code = ord(ch)
    if ch in _FILLERS or 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF:
        return True
    category = unicodedata.category(ch)
    return category == "Cf" or (category == "Mn" and unicodedata.combining(ch) == 0 and ch not in _FUSING)


# Looked up once per character of every text: a set, built once (the BMP, and the planes' tag and
# variation-selector blocks).
_INVISIBLE = frozenset(c for c in map(chr, (*range(0x80, 0x10000), *range(0xE0000, 0xE01F0))) if _drawn_as_nothing(c))


def invisible(ch: str) -> bool:
    """Format characters (zero-width space, joiners, BOM, soft hyphen), variation selectors, the
    combining grapheme joiner and the Hangul fillers: they change nothing a reader sees, so they must
    not hide a name or a number from the matchers (山\u200b田太郎, 葛\U000E0100城, 山\u3164田)."""
    return ch in _INVISIBLE


# Variant kanji people use interchangeably in names (髙橋 / 高橋): folded to one for matching.
_VARIANTS = str.maketrans("髙﨑嵜邉邊濵濱齋齊澤櫻嶋嶌廣惠眞德國藏瀨槇冨條壽實", "高崎崎辺辺浜浜斎斉沢桜島島広恵真徳国蔵瀬槙富条寿実")


def fold_char(ch: str) -> str:
    """Hiragana to katakana, small ヶヵ to ケカ, ASCII to lower case: spellings a reader treats as one."""
    code = ord(ch)
    if 0x3041 <= code <= 0x3096:
        return chr(code + 0x60)
    if ch == "ヶ":
        return "ケ"
    if ch == "ヵ":
        return "カ"
    if ch.isascii() or "\u00c0" <= ch <= "\u024f":  # Latin, with the macrons of romaji (ŌNO)
        return ch.lower()
    return ch.translate(_VARIANTS)


_DROPPED = frozenset(" \t\r\n\u3000・/")
# The vowel of each katakana, for the long-vowel mark: サトー is サトウ, ユーコ ユウコ, ケーコ ケイコ.
_VOWEL_ROWS = {"ア": "アカガサザタダナハバパマヤャラワ", "イ": "イキギシジチヂニヒビピミリ", "ウ": "ウクグスズツヅヌフブプムユュル",
               "エ": "エケゲセゼテデネヘベペメレ", "オ": "オコゴソゾトドノホボポモヨョロ"}
_VOWEL = {kana: vowel for vowel, row in _VOWEL_ROWS.items() for kana in row}
# How a reader hears the mark: ア, イ or ウ. (オ lengthening an o-row kana, オオノ beside オーノ, is
# the known layer's business: it adds the ウ spelling of a known value, since in a text お after と
# is as often a particle and a word: とおだわら is と + おだわら.)
_LENGTHENED = {"ア": "ア", "イ": "イ", "ウ": "ウ", "エ": "イ", "オ": "ウ"}


def match_key(normalized: Projection) -> Projection:
    """The view known data is matched in: folded, with whitespace, ・ and / dropped (Japanese has no
    word boundaries, and 山田 太郎 / 山田太郎 / 山田　太郎 / 山田・太郎 are the same name); 々 written
    out (佐々木 as 佐佐木), a long-vowel mark as the vowel it lengthens (さとー as サトウ), and the
    Japanese full stop typed for a dot inside an e-mail address (taro。yamada) as a dot."""
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
        folded = fold_char(ch)
        if folded in "々ー" and chars and not gap:
            if folded == "々":
                folded = chars[-1]
            elif chars[-1] in _VOWEL:
                folded = _LENGTHENED[_VOWEL[chars[-1]]]
        chars.append(folded)
        starts.append(start)
        ends.append(end)
        breaks.append(gap)
        hiragana.append("\u3041" <= ch <= "\u3096")
        gap = False
    for k, ch in enumerate(chars if "。" in normalized.text else ()):
        if ch == "。" and 0 < k < len(chars) - 1 and chars[k - 1].isascii() and chars[k - 1].isalnum() \
                and chars[k + 1].isascii() and chars[k + 1].isalnum():
            chars[k] = "."
    return Projection("".join(chars), tuple(starts), tuple(ends), tuple(breaks), tuple(hiragana))


@lru_cache(maxsize=65536)
def key_of(value: str) -> str:
    return match_key(normalize(value)).text


_KANJI_DIGIT_TABLE = str.maketrans({**{k: str(v) for k, v in KANJI_DIGITS.items()}, "○": "0", "◯": "0"})


def kanji_digits_as_ascii(view: Projection) -> Projection:
    """〇九〇－三七五二 → 090-3752 (a vertical-writing habit; ○ typed for 〇 too), character for
    character so positions hold."""
    return Projection(view.text.translate(_KANJI_DIGIT_TABLE), view.starts, view.ends, view.breaks, view.hiragana)


_UNITS = {"十": 10, "百": 100, "千": 1000}


def kanji_number(text: str) -> int | None:
    """一 → 1, 十二 → 12, 二十 → 20, 三十五 → 35, 二百五 → 205, and positional forms like 二〇 → 20."""
    if not any(c in _UNITS for c in text):
        if text and all(c in KANJI_DIGITS for c in text):
            return int("".join(str(KANJI_DIGITS[c]) for c in text))
        return None
    total, pending, last_unit = 0, None, 10_000
    for c in text:
        if c in _UNITS:
            if _UNITS[c] >= last_unit:
                return None  # 十百, 二十十: not a number
            total += (1 if pending is None else pending) * _UNITS[c]
            pending, last_unit = None, _UNITS[c]
        elif c in KANJI_DIGITS and pending is None:
            pending = KANJI_DIGITS[c]
        else:
            return None
    return total + (pending or 0)


_KANJI_NUMERAL = "[〇一二三四五六七八九十百千]+"
# A kanji numeral of a street number: before 丁目, 丁, 番, 号, or next to a dash or の between numbers
# (三－十二－五, 十二の五); the view is kana-folded, hence ノ.
_KANJI_BLOCK_NUMBER = re.compile(rf"{_KANJI_NUMERAL}(?=丁目|丁|番|号|-[0-9〇一二三四五六七八九十]|ノ[0-9〇一二三四五六七八九十])"
                                 rf"|(?<=[0-9〇一二三四五六七八九十][-ノ]){_KANJI_NUMERAL}"
                                 rf"|(?:(?<=[0-9]丁目)|(?<=[0-9]番地ノ)|(?<=[0-9][番号]ノ)|(?<=[0-9]番地)|(?<=[0-9][丁番]))"
                                 rf"{_KANJI_NUMERAL}")
_BLOCK_JOIN = re.compile(r"(?<=[0-9])(?:丁目|丁|番地ノ|番地|番ノ|番|号ノ|号|ノ)(?=[0-9])")
_BLOCK_END = re.compile(r"(?<=[0-9])(?:丁目|番地|番|号)(?![0-9])")


def _as_number(match: re.Match) -> str:
    number = kanji_number(match.group())
    return match.group() if number is None else str(number)


def address_key(key: Projection) -> Projection:
    """Street numbers folded to one form: 一丁目1番1号, 1丁目1-1, 1-1-1, 1丁1-1, 一－一－一 all read 1-1-1
    (the view is already kana-folded, hence ノ for の)."""
    folded = key
    for _ in range(3):  # 二丁目七番十四号: each number found once the one before it is a digit
        refolded = folded.sub(_KANJI_BLOCK_NUMBER, _as_number)
        if refolded.text == folded.text:
            break
        folded = refolded
    folded = folded.sub(_BLOCK_JOIN, lambda m: "-")
    folded = folded.sub(_BLOCK_END, lambda m: "", absorb=True)
    return Projection(folded.text, folded.starts, folded.ends)


@lru_cache(maxsize=16384)
def address_key_of(value: str) -> str:
    return address_key(match_key(normalize(value))).text
