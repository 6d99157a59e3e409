"""Romaji for the scrubber: the spellings people write a katakana reading in, and readings of words.

`spellings("サトウ")` lists Sato, Satou, Satoh, Satō, Satoo (lower case): Hepburn with each long vowel
written the ways passports, business cards and e-mail addresses write it. `katakana("yamada")` goes
the other way for the name finder: it reads a romaji word as kana, or None when it is not one.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import product

_SYLLABLES = {
    "ア": "a", "イ": "i", "ウ": "u", "エ": "e", "オ": "o",
    "カ": "ka", "キ": "ki", "ク": "ku", "ケ": "ke", "コ": "ko", "ガ": "ga", "ギ": "gi", "グ": "gu", "ゲ": "ge", "ゴ": "go",
    "サ": "sa", "シ": "shi", "ス": "su", "セ": "se", "ソ": "so", "ザ": "za", "ジ": "ji", "ズ": "zu", "ゼ": "ze", "ゾ": "zo",
    "タ": "ta", "チ": "chi", "ツ": "tsu", "テ": "te", "ト": "to", "ダ": "da", "ヂ": "ji", "ヅ": "zu", "デ": "de", "ド": "do",
    "ナ": "na", "ニ": "ni", "ヌ": "nu", "ネ": "ne", "ノ": "no", "ハ": "ha", "ヒ": "hi", "フ": "fu", "ヘ": "he", "ホ": "ho",
    "バ": "ba", "ビ": "bi", "ブ": "bu", "ベ": "be", "ボ": "bo", "パ": "pa", "ピ": "pi", "プ": "pu", "ペ": "pe", "ポ": "po",
    "マ": "ma", "ミ": "mi", "ム": "mu", "メ": "me", "モ": "mo", "ヤ": "ya", "ユ": "yu", "ヨ": "yo",
    "ラ": "ra", "リ": "ri", "ル": "ru", "レ": "re", "ロ": "ro", "ワ": "wa", "ヲ": "o", "ン": "n", "ヴ": "vu",
}
_YOON = {"ャ": "a", "ュ": "u", "ョ": "o"}
# Long vowels as written in romaji: (the vowel, the kana that lengthens it) → spellings.
_LONG = {
    ("o", "ウ"): ("ou", "o", "oh", "ō", "oo"), ("o", "オ"): ("oo", "o", "oh", "ō"), ("o", "ー"): ("o", "oh", "ō", "oo", "ou"),
    ("u", "ウ"): ("uu", "u", "ū"), ("u", "ー"): ("u", "uu", "ū"),
    ("a", "ア"): ("aa", "a", "ā"), ("a", "ー"): ("a", "aa", "ā"),
    ("i", "イ"): ("ii", "i"), ("i", "ー"): ("i", "ii"),
    ("e", "イ"): ("ei",), ("e", "ー"): ("e", "ei", "ee"),
}
_MAX_SPELLINGS = 48


def _pieces(kana: str) -> list[tuple[str, ...]]:
    """Syllables of a reading, each a tuple of the ways it is written."""
    kana = "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in kana)
    pieces: list[tuple[str, ...]] = []
    double = False
    i = 0
    while i < len(kana):
        ch = kana[i]
        nxt = kana[i + 1] if i + 1 < len(kana) else ""
        if ch == "ッ":
            double = True
            i += 1
            continue
        last = pieces[-1][0] if pieces else ""
        vowel = last[-1] if last and last[-1] in "aiueo" else ""
        if vowel and ((vowel, ch) in _LONG):
            # The vowel before and its lengthening written together: サトウ → sat + (ou | o | oh | ō | oo).
            stem = pieces.pop()
            pieces.append(tuple(s[:-1] + tail for s in stem for tail in _LONG[vowel, ch]))
            i += 1
            continue
        syllable = _SYLLABLES.get(ch)
        if syllable is None:
            i += 1
            continue
        if nxt in _YOON and syllable.endswith("i") and len(syllable) > 1:
            stem = syllable[:-1]
            syllable = (stem if stem in ("sh", "ch", "j") else stem + "y") + _YOON[nxt]
            i += 1
        if double:
            syllable = ("t" if syllable.startswith("ch") else syllable[0]) + syllable
            double = False
        if syllable == "n" and nxt and (nxt in "アイウエオヤユヨ"):
            pieces.append(("n", "n'"))  # Jun'ichi, Junichi
        else:
            pieces.append((syllable,))
        i += 1
    return pieces


@lru_cache(maxsize=16384)
def spellings(kana: str) -> frozenset[str]:
    """Lower-case romaji spellings of a katakana (or hiragana) reading; empty when it is not kana."""
    pieces = _pieces(kana.replace(" ", "").replace("\u3000", ""))
    if not pieces:
        return frozenset()
    out: set[str] = set()
    for combination in product(*pieces):
        out.add("".join(combination))
        if len(out) >= _MAX_SPELLINGS:
            break
    return frozenset(out)


_ROMAJI_TO_KANA: dict[str, str] = {}
for _kana, _romaji in _SYLLABLES.items():
    _ROMAJI_TO_KANA.setdefault(_romaji, _kana)
_ROMAJI_TO_KANA.update({"si": "シ", "ti": "チ", "tu": "ツ", "hu": "フ", "zi": "ジ", "di": "ヂ", "du": "ヅ", "wo": "ヲ"})
for _consonant, _kana in (("k", "キ"), ("g", "ギ"), ("sh", "シ"), ("sy", "シ"), ("ch", "チ"), ("ty", "チ"), ("j", "ジ"),
                          ("zy", "ジ"), ("jy", "ジ"), ("n", "ニ"), ("h", "ヒ"), ("b", "ビ"), ("p", "ピ"), ("m", "ミ"),
                          ("r", "リ")):
    for _vowel, _small in (("a", "ャ"), ("u", "ュ"), ("o", "ョ")):
        _ROMAJI_TO_KANA[(_consonant if _consonant in ("sh", "ch", "j") else _consonant + ("" if _consonant.endswith("y") else "y")) + _vowel] = _kana + _small
_MACRONS = str.maketrans({"ā": "aa", "ī": "ii", "ū": "uu", "ē": "ee", "ō": "ou", "â": "aa", "û": "uu", "ô": "ou",
                          "î": "ii", "ê": "ee"})
_SYLLABLE = re.compile(r"(?:tch|ch|sh|ts|[kgsztdnhbpmrwfjvy]y?)?[aiueo]|n'?|([kgsztdhbpmrfjvc])(?=\1)")


@lru_cache(maxsize=16384)
def katakana(word: str) -> str | None:
    """A romaji word read as katakana (yamada → ヤマダ, satoh → サトウ, ōno → オウノ), or None."""
    word = word.lower().translate(_MACRONS)
    word = re.sub(r"oh(?![aiueoy])", "ou", word)
    word = re.sub(r"m(?=[bmp])", "n", word)
    out: list[str] = []
    position = 0
    while position < len(word):
        m = _SYLLABLE.match(word, position)
        if m is None:
            return None
        syllable = m.group()
        position = m.end()
        if m.group(1):  # the first of a doubled consonant
            out.append("ッ")
            continue
        if syllable.startswith("tch"):
            out.append("ッ")
            syllable = syllable[1:]
        if syllable in ("n", "n'"):
            out.append("ン")
            continue
        kana = _ROMAJI_TO_KANA.get(syllable)
        if kana is None:
            return None
        out.append(kana)
    return "".join(out) or None
