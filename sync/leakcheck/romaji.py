"""Romaji for the leak check: katakana readings to Hepburn, and any romaji spelling to one skeleton.

Taro Yamada, YAMADA Taro, Satō / Satoh / Satou / Sato, Yūko / Yuuko / Yuko, Shinichi / Siniti: a
reading's romaji and a text's romaji words are both reduced by `reduce` (Kunrei-like consonants,
vowel length and doubled consonants dropped) and compared as skeletons.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_BASE = {
    "ア": "a", "イ": "i", "ウ": "u", "エ": "e", "オ": "o",
    "カ": "ka", "キ": "ki", "ク": "ku", "ケ": "ke", "コ": "ko", "ガ": "ga", "ギ": "gi", "グ": "gu", "ゲ": "ge", "ゴ": "go",
    "サ": "sa", "シ": "shi", "ス": "su", "セ": "se", "ソ": "so", "ザ": "za", "ジ": "ji", "ズ": "zu", "ゼ": "ze", "ゾ": "zo",
    "タ": "ta", "チ": "chi", "ツ": "tsu", "テ": "te", "ト": "to", "ダ": "da", "ヂ": "ji", "ヅ": "zu", "デ": "de", "ド": "do",
    "ナ": "na", "ニ": "ni", "ヌ": "nu", "ネ": "ne", "ノ": "no",
    "ハ": "ha", "ヒ": "hi", "フ": "fu", "ヘ": "he", "ホ": "ho", "バ": "ba", "ビ": "bi", "ブ": "bu", "ベ": "be", "ボ": "bo",
    "パ": "pa", "ピ": "pi", "プ": "pu", "ペ": "pe", "ポ": "po",
    "マ": "ma", "ミ": "mi", "ム": "mu", "メ": "me", "モ": "mo",
    "ヤ": "ya", "ユ": "yu", "ヨ": "yo", "ラ": "ra", "リ": "ri", "ル": "ru", "レ": "re", "ロ": "ro",
    "ワ": "wa", "ヰ": "i", "ヱ": "e", "ヲ": "o", "ン": "n", "ヴ": "vu",
    "ァ": "a", "ィ": "i", "ゥ": "u", "ェ": "e", "ォ": "o", "ヮ": "wa", "ヵ": "ka", "ヶ": "ke",
    "ャ": "ya", "ュ": "yu", "ョ": "yo",
}
# A consonant kana and a small ャュョ (or ァィゥェォ) make one syllable: キョ kyo, シャ sha, ティ ti, ファ fa.
_SMALL_Y = {"ャ": "a", "ュ": "u", "ョ": "o"}
_SMALL_V = {"ァ": "a", "ィ": "i", "ゥ": "u", "ェ": "e", "ォ": "o"}


def hepburn(kana: str) -> str:
    """ヤマダ タロウ → yamada tarou; ー repeats the vowel (サトー → satoo), ッ doubles the consonant."""
    kana = "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in kana)
    out: list[str] = []
    double = False
    i = 0
    while i < len(kana):
        ch = kana[i]
        following = kana[i + 1] if i + 1 < len(kana) else ""
        if ch == "ッ":
            double = True
            i += 1
            continue
        if ch == "ー":
            if out and out[-1] and out[-1][-1] in "aiueo":
                out.append(out[-1][-1])
            i += 1
            continue
        syllable = _BASE.get(ch)
        if syllable is None:
            out.append(" " if ch.isspace() or ch in "・·" else "")
            i += 1
            continue
        if following in _SMALL_Y and syllable.endswith("i") and len(syllable) > 1:
            stem = syllable[:-1]
            syllable = (stem if stem in ("sh", "ch", "j") else stem + "y") + _SMALL_Y[following]
            i += 1
        elif following in _SMALL_V and ch not in _SMALL_V and ch not in "アイウエオ" or following in _SMALL_V and ch == "ウ":
            syllable = (syllable[:-1] or "w") + _SMALL_V[following]
            i += 1
        if double and syllable[0] not in "aiueon":
            syllable = ("t" if syllable.startswith("ch") else syllable[0]) + syllable
        double = False
        out.append(syllable)
        i += 1
    return "".join(out)


_CONSONANT_SPELLINGS = (("tch", "tty"), ("sh", "sy"), ("ch", "ty"), ("ts", "t"), ("j", "zy"), ("f", "h"),
                        ("dz", "z"), ("v", "b"), ("l", "r"), ("c", "k"), ("q", "k"), ("x", "ks"))
_Y_BEFORE_I = re.compile(r"(?<=[a-z])y(?=i)")
_DI_DU = re.compile(r"d(?=[iu])")
_WO = re.compile(r"wo")
_M_BEFORE_LIP = re.compile(r"m(?=[bmp])")
_OH = re.compile(r"oh(?![aiueoy])")
_LONG = re.compile(r"(?:ou|oo|uu|aa|ii|ei|ee)")
_DOUBLE = re.compile(r"([bdfghjkmnprstwyz])\1")


@lru_cache(maxsize=65536)
def reduce(word: str) -> str:
    """One skeleton for every romaji spelling of a reading: Satō, Satoh, Satou, SATO → sato."""
    word = "".join(c for c in unicodedata.normalize("NFKD", word.lower()) if "a" <= c <= "z")
    for old, new in _CONSONANT_SPELLINGS:
        word = word.replace(old, new)
    word = _Y_BEFORE_I.sub("", word)  # syi (shi) → si, tyi (chi) → ti, zyi (ji) → zi
    word = _DI_DU.sub("z", word)
    word = _WO.sub("o", word)
    word = _M_BEFORE_LIP.sub("n", word)
    word = _OH.sub("o", word)
    while True:
        shorter = _LONG.sub(lambda m: m.group()[0], word)
        shorter = _DOUBLE.sub(r"\1", shorter)
        if shorter == word:
            return word
        word = shorter
