"""Text folded to skeletons for the leak check: every spelling of a value reduced to one form.

Deliberately written apart from the scrubber's normalization (sync.anonymize): a blind spot of one
must not be a blind spot of the other. Positions are not kept; the check reports kinds only.

Three views of one prepared text:
- `Skeleton`: letters, kana and digits, separators dropped (remembered as breaks), kana folded to one
  canonical katakana spelling with vowel length removed, kanji numerals as digits, street numbers as
  1-2-3; names, organizations and addresses are looked for here;
- `digit_groups`: digit runs across any separators and line breaks, +81 read as 0 (phones, postal codes);
- `ascii_view`: lower-case ASCII with at/dot written out or typed in IME mode turned back into @ and .
  (e-mail local parts and romaji).
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# --- preparing: what a reader would not see as different ---------------------------------------------

_PERCENT_RUN = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
# Characters that draw nothing (or a blank) and so can pad or split a value unseen. Format
# characters (Cf: zero-width space and joiners, BOM, soft hyphen…) and marks (Mn/Me: the combining
# grapheme joiner, variation selectors) are caught by category; these are letters by category.
_FILLERS = frozenset("\u3164\u115f\u1160\uffa0\u2800\u180e\u17b4\u17b5\u2028\u2029")
# Letters from other alphabets drawn like Latin ones (Cyrillic а, Greek ο …): an address or a
# romaji name typed with them reads the same.
_LATIN_LOOKALIKES = str.maketrans({
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d",
    "ԛ": "q", "ԝ": "w", "ӏ": "l", "в": "b", "к": "k", "м": "m", "н": "h", "т": "t", "г": "r", "п": "n", "ь": "b",
    "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
    "ζ": "z", "η": "n", "γ": "y", "ı": "i",
})
_DASHES = "‐‑‒–—―−﹣－⁃⸺⸻─━➖"
# Kanji drawn like katakana: after katakana, and not before another kanji or numeral (サト一 for サトー,
# ハ口ー), they are the katakana. Not after hiragana: は一二三 is a number.
_KANA_LOOKALIKES = {"一": "ー", "口": "ロ", "力": "カ", "工": "エ", "夕": "タ", "卜": "ト", "八": "ハ", "二": "ニ",
                    "匕": "ヒ", "才": "オ"}
_CIRCLES = str.maketrans({"○": "〇", "◯": "〇", "⚪": "〇", "⭕": "〇", "〇": "〇"})


def _percent_decoded(match: re.Match) -> str:
    raw = bytes(int(match.group()[i + 1:i + 3], 16) for i in range(0, len(match.group()), 3))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return match.group()


def _decoded(text: str) -> str:
    """HTML entities (&#64; &amp;commat; &#x5c71;) and percent-encoding (%40, %E5%B1%B1), nested too."""
    for _ in range(4):
        if "&" not in text and "%" not in text:
            break
        decoded = _PERCENT_RUN.sub(_percent_decoded, html.unescape(text))
        decoded = unicodedata.normalize("NFKC", decoded)
        if decoded == text:
            break
        text = decoded
    return text


def _invisible(ch: str) -> bool:
    return ch in _FILLERS or unicodedata.category(ch) in ("Cf", "Mn", "Me")


def _is_kanji(ch: str) -> bool:
    code = ord(ch)
    return 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF \
        or 0x20000 <= code <= 0x3134F or ch in "々〆〻"


@lru_cache(maxsize=8192)
def _latin_base(ch: str) -> str:
    """ū → u, é → e: the macron of Yūko or Ōno is the length the skeletons drop anyway."""
    stripped = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    return stripped if stripped.isascii() else ch


def prepare(text: str) -> str:
    """Decoded, NFKC, without invisible characters, look-alikes read as what they look like, lower case."""
    text = unicodedata.normalize("NFKC", _decoded(text))
    if not text.isascii():
        text = "".join(c for c in text if not _invisible(c))
        text = text.translate(_CIRCLES)
    out: list[str] = []
    for i, ch in enumerate(text):
        if ch.isascii():
            out.append(ch.lower())
            continue
        if "\u3041" <= ch <= "\u30f6" or "\u4e00" <= ch <= "\u9fff" and ch not in _KANA_LOOKALIKES:
            out.append(ch)  # kana and kanji, most of a Japanese text: nothing to do
            continue
        ch = ch.lower().translate(_LATIN_LOOKALIKES)
        if ch in _DASHES:
            out.append("-")
        elif ch in _KANA_LOOKALIKES and out and "\u30a1" <= out[-1] <= "\u30fc" \
                and (i + 1 == len(text) or not (_is_kanji(text[i + 1]) or text[i + 1] == "〇")):
            out.append(_KANA_LOOKALIKES[ch])
        elif "\u00c0" <= ch <= "\u024f":
            out.append(_latin_base(ch))
        else:
            out.append(ch)
    return "".join(out)


# --- numbers -----------------------------------------------------------------------------------------

# Not the formal 壱 弐 参 of contracts: 参 is also 参加, and no one writes a phone with them.
_KANJI_DIGIT = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_KANJI_UNIT = {"十": 10, "百": 100, "千": 1000}
_KANJI_NUMERAL = re.compile("[〇零一二三四五六七八九十百千]+")
# The long-vowel mark and wave dash typed between digits (〇九〇ー一二三四, 090〜1234) are dashes.
_DIGIT_DASH = re.compile(r"(?<=[0-9])[ー~〜](?=[0-9])")


def _numeral_value(run: str) -> str:
    """二千四百五 → 2405, 十二 → 12, 三十 → 30; without units digit by digit: 〇九〇 → 090, 二〇二四 → 2024."""
    if not any(c in _KANJI_UNIT for c in run):
        return "".join(str(_KANJI_DIGIT[c]) for c in run)
    total, pending = 0, None
    for c in run:
        if c in _KANJI_UNIT:
            total += (1 if pending is None else pending) * _KANJI_UNIT[c]
            pending = None
        elif pending is None:
            pending = _KANJI_DIGIT[c]
        else:  # 二二十: not a number anyone writes; read digit by digit rather than guess
            return "".join(str(_KANJI_DIGIT.get(x, _KANJI_UNIT.get(x))) for x in run)
    return str(total + (pending or 0))


def fold_numerals(prepared: str) -> str:
    """Kanji numerals and 〇/○ as ASCII digits, everywhere (also in names: 一郎 → 1郎, on both sides)."""
    folded = _KANJI_NUMERAL.sub(lambda m: _numeral_value(m.group()), prepared)
    return _DIGIT_DASH.sub("-", folded)


# Street numbers in any notation read 1-2-3: 一丁目2番3号, 1丁目2-3, 3丁12-5, 2405番地の3, 1の2の3.
_STREET_JOINT = re.compile(r"(?<=[0-9])\s*(?:丁目|丁|番地の?|番の?|号の?|の|ノ|-)\s*(?=[0-9])")
_STREET_END = re.compile(r"(?<=[0-9])(?:番地|番|号)(?![0-9])")


def street_numbers(numbered: str) -> str:
    return _STREET_END.sub("", _STREET_JOINT.sub("-", numbered))


# --- kana ----------------------------------------------------------------------------------------------

_SMALL = str.maketrans("ァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ",
                       "アイウエオツヤユヨワカケクシストヌハヒフヘホムラリルレロ")
# Old and doubled spellings of one sound: ヰ ヱ ヲ, ヂ ヅ (as ジ ズ), ヴ (as ブ).
_SAME_SOUND = str.maketrans("ヰヱヲヂヅヴ", "イエオジズブ")
_VOICED = str.maketrans("カキクケコサシスセソタチツテトハヒフヘホ", "ガギグゲゴザジズゼゾダヂヅデドバビブベボ")
_VOWEL_ROWS = {
    "a": "アカガサザタダナハバパマヤラワ",
    "i": "イキギシジチヂニヒビピミリ",
    "u": "ウクグスズツヅヌフブプムユル",
    "e": "エケゲセゼテデネヘベペメレ",
    "o": "オコゴソゾトドノホボポモヨロ",
}
_VOWEL = {kana: vowel for vowel, row in _VOWEL_ROWS.items() for kana in row}
# After a kana of the key's vowel, these only lengthen it: サトウ, サトー, サトオ, サト are one name
# as a reader hears it (ユウコ/ユーコ, オオノ/オーノ, ケイコ/ケーコ, ニイ/ニー).
_LENGTHENING = {"a": "ア", "i": "イ", "u": "ウ", "e": "イエ", "o": "ウオ"}
_LENGTH_MARKS = frozenset("ー~〜～")

# Variant kanji a name is written in either way (髙橋/高橋, 齋藤/斎藤/斉藤, 邊/邉/辺).
_VARIANT_KANJI = str.maketrans("髙﨑嵜邉邊濵濱齋齊斉澤櫻嶋嶌廣惠眞德國藏龍瀨槇圓冨條淵塚桒籠壽與實",
                               "高崎崎辺辺浜浜斎斎斎沢桜島島広恵真徳国蔵竜瀬槙円富条渕塚桑篭寿与実")

# Script of a character in the original spelling, for word boundaries: the skeleton folds kana to
# katakana, but a hiragana particle after a katakana name is still a boundary.
KANJI, HIRAGANA, KATAKANA, LATIN, DIGIT, OTHER = "K", "H", "k", "a", "d", "o"


def script(ch: str) -> str:
    if "0" <= ch <= "9":
        return DIGIT
    if "a" <= ch <= "z":
        return LATIN
    if "\u3041" <= ch <= "\u309f":
        return HIRAGANA
    if "\u30a0" <= ch <= "\u30ff" or "\u31f0" <= ch <= "\u31ff":
        return KATAKANA
    if _is_kanji(ch):
        return KANJI
    return OTHER


# What stood between two characters of the skeleton: nothing, a separator inside a phrase (a space, a
# name dot, a slash: 山田 太郎, 佐藤/洋平), or punctuation and line breaks.
JOINED, SOFT, HARD = 0, 1, 2
_SOFT_SEPARATORS = frozenset(" \t\u3000・·･/")


@dataclass(frozen=True)
class Skeleton:
    """The skeleton of a text; per character its original script and what separated it from the
    character before (JOINED, SOFT or HARD)."""

    text: str
    scripts: tuple[str, ...]
    breaks: tuple[int, ...]

    def glued_before(self, i: int) -> bool:
        return i > 0 and self.breaks[i] == JOINED

    def glued_after(self, j: int) -> bool:
        return j < len(self.text) and self.breaks[j] == JOINED

    def near_before(self, i: int) -> bool:
        """Joined to the character before, or only a space or a name dot between."""
        return i > 0 and self.breaks[i] <= SOFT

    def near_after(self, j: int) -> bool:
        return j < len(self.text) and self.breaks[j] <= SOFT


def _kept(ch: str) -> bool:
    return ch.isalnum() or ch == "-"


def skeleton(text: str) -> Skeleton:
    """The skeleton of a raw text."""
    return skeleton_of_prepared(prepare(text))


def skeleton_of_prepared(prepared: str, *, literal: bool = False) -> Skeleton:
    """With literal, vowels that lengthen the kana before stay (only ー goes): the vowel a particle
    and a name share would otherwise be dropped across the word boundary (のおおたさん read as ノタサン
    misses オオタ); the check scans this view for the known values' literal spellings too."""
    return skeletons_of_prepared(prepared)[1 if literal else 0]


def skeletons_of_prepared(prepared: str) -> tuple[Skeleton, Skeleton]:
    """The skeleton and the literal skeleton, in one pass."""
    numbered = street_numbers(fold_numerals(prepared))
    chars: list[str] = []
    scripts: list[str] = []
    breaks: list[int] = []
    # The literal skeleton differs only by the lengthening vowels: where it does, its own lists.
    kept: list[tuple[int, str, str]] = []  # (position in chars, vowel, script) of each dropped vowel
    gap = JOINED
    for i, ch in enumerate(numbered):
        if ch == "-":
            # A hyphen stays only inside a street number (1-2-3); elsewhere it separates words.
            if chars and chars[-1].isdigit() and i + 1 < len(numbered) and numbered[i + 1].isdigit():
                chars.append("-")
                scripts.append(DIGIT)
                breaks.append(JOINED)
            else:
                gap = max(gap, SOFT)
            continue
        kind = _SCRIPTS.get(ch) or _script_of(ch)
        if kind is HIRAGANA or kind is KATAKANA:
            if kind is HIRAGANA and "\u3041" <= ch <= "\u3096":
                ch = chr(ord(ch) + 0x60)
            if ch in "ヽゝ" and chars:
                ch = chars[-1]
            elif ch in "ヾゞ" and chars:
                ch = chars[-1].translate(_VOICED)
            ch = ch.translate(_SMALL).translate(_SAME_SOUND)
            previous = chars[-1] if chars and not gap else ""
            if ch in _LENGTH_MARKS:
                if previous and scripts[-1] in (HIRAGANA, KATAKANA):
                    continue  # vowel length: dropped
                gap = max(gap, SOFT)
                continue
            vowel = _VOWEL.get(previous)
            if vowel and ch in _LENGTHENING[vowel] and scripts[-1] == kind:
                kept.append((len(chars), ch, kind))
                continue  # サトウ as サト; not across scripts (代表のオカダ keeps its オ)
            if not ch.isalpha():
                gap = max(gap, SOFT if ch in _SOFT_SEPARATORS else HARD)
                continue
        elif ch in "々〻" and chars:
            ch = chars[-1]
            kind = scripts[-1]
        elif kind is KANJI:
            ch = ch.translate(_VARIANT_KANJI)
        elif ch in _LENGTH_MARKS and chars and scripts[-1] in (HIRAGANA, KATAKANA):
            continue  # 〜 typed for ー after kana (さと〜)
        elif not _kept(ch):
            gap = max(gap, SOFT if ch in _SOFT_SEPARATORS else HARD)
            continue
        chars.append(ch)
        scripts.append(kind)
        breaks.append(gap)
        gap = JOINED
    main = Skeleton("".join(chars), tuple(scripts), tuple(breaks))
    if not kept:
        return main, main
    literal_chars, literal_scripts, literal_breaks = [], [], []
    position = 0
    for at, vowel, kind in kept:
        literal_chars.extend(chars[position:at])
        literal_scripts.extend(scripts[position:at])
        literal_breaks.extend(breaks[position:at])
        literal_chars.append(vowel)
        literal_scripts.append(kind)
        literal_breaks.append(JOINED)
        position = at
    literal_chars.extend(chars[position:])
    literal_scripts.extend(scripts[position:])
    literal_breaks.extend(breaks[position:])
    return main, Skeleton("".join(literal_chars), tuple(literal_scripts), tuple(literal_breaks))


_SCRIPTS: dict[str, str] = {}


def _script_of(ch: str) -> str:
    kind = script(ch)
    if len(_SCRIPTS) < 20000:
        _SCRIPTS[ch] = kind
    return kind


@lru_cache(maxsize=65536)
def key(value: str) -> str:
    """The skeleton text of a known value (a name, an organization, a town)."""
    return skeleton(value).text


@lru_cache(maxsize=65536)
def literal_key(value: str) -> str:
    """The literal skeleton text of a known value: kana vowels kept (オオタ, not オタ)."""
    return skeleton_of_prepared(prepare(value), literal=True).text


# --- digits --------------------------------------------------------------------------------------------

_COUNTRY_CODE = re.compile(r"\+\s*81[\s\-]*(?:\(\s*0\s*\)[\s\-]*)?")
# What may stand between the digit groups of one number: spaces and line breaks, dashes, dots, the
# Japanese comma and middle dot, slashes, brackets, の; nothing that makes a word.
_GROUP_GAP = re.compile(r"[\s\-.,、。・/_:()\[\]（）「」〔〕{}'\"*#~〜ーのノ]{1,6}")


@dataclass(frozen=True)
class DigitChain:
    """Digits joined across separators, and where each written group starts and ends."""

    digits: str
    starts: frozenset[int]
    ends: frozenset[int]


def digit_chains(prepared: str) -> list[DigitChain]:
    text = _COUNTRY_CODE.sub("0", fold_numerals(prepared))
    chains: list[DigitChain] = []
    digits: list[str] = []
    starts: set[int] = set()
    ends: set[int] = set()
    position = 0
    for m in re.finditer(r"[0-9]+", text):
        gap = text[position:m.start()]
        if digits and not (gap and _GROUP_GAP.fullmatch(gap) and gap.count("\n") <= 1):
            chains.append(DigitChain("".join(digits), frozenset(starts), frozenset(ends)))
            digits, starts, ends = [], set(), set()
        length = sum(len(d) for d in digits)
        starts.add(length)
        digits.append(m.group())
        ends.add(length + len(m.group()))
        position = m.end()
    if digits:
        chains.append(DigitChain("".join(digits), frozenset(starts), frozenset(ends)))
    return chains


def national_digits(value: str) -> str:
    """A known phone or postal code as its digits, +81 as 0."""
    text = _COUNTRY_CODE.sub("0", fold_numerals(prepare(value)))
    return "".join(c for c in text if c.isdigit())


# --- ASCII ---------------------------------------------------------------------------------------------

_AT_WORDS = r"\[at\]|\(at\)|<at>|\{at\}|\[@\]|\(@\)|@|あっとまーく|アットマーク|あっと|アット|★|☆|◎|\bat\b"
_DOT_WORDS = r"\[dot\]|\(dot\)|<dot>|\{dot\}|\[\.\]|\(\.\)|どっと|ドット|。|\bdot\b|\."
_AT = re.compile(rf"(?<=[a-z0-9_\-])\s*(?:{_AT_WORDS})\s*(?=[a-z0-9])")
_DOT = re.compile(rf"(?<=[a-z0-9_\-])\s*(?:{_DOT_WORDS})\s*(?=[a-z0-9])")


def ascii_view(prepared: str) -> str:
    """taro。yamada＠example。jp, taro あっと example どっと jp, taro[at]example[dot]jp → taro.yamada@…"""
    return _DOT.sub(".", _AT.sub("@", prepared))
