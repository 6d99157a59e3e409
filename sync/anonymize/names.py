"""Person names found by Sudachi's part of speech and the words around them (layer d).

Sudachi tags 名詞,固有名詞,人名 (姓/名). A tag alone is not enough (浜竹, 柳島 are surnames and towns),
so a name needs something more: a surname and a given name together, an honorific or a role next to
it, or a lone surname standing between particles. 地名 tokens are never replaced here; addresses are
the regex layer's job.
"""

from __future__ import annotations

import itertools
import re
import threading
from dataclasses import dataclass
from functools import lru_cache

from .lexicon import HONORIFICS, ROLE_PREFIXES, ROLE_SUFFIXES
from .normalize import Projection
from .romaji import katakana

_lock = threading.Lock()
_tokenizer = None
# Sudachi refuses inputs over about 49 KB; case texts are far shorter, but a pasted report is not.
_CHUNK = 4000
_SENTENCE_END = re.compile(r"(?<=[。\n！？!?])")

# Said only of people: an unknown noun followed by one of these is a name.
_PERSON_ONLY = ("さん", "様", "さま", "氏", "君", "くん", "ちゃん", "殿", "どの")
# Said of children (and pets): the word before may be any noun Sudachi knows (さくらくん).
_CHILD = ("くん", "ちゃん")
_NOT_CHILDREN = frozenset(("猫", "犬", "ネコ", "イヌ", "ねこ", "いぬ", "ワン", "ニャン", "赤", "お姉", "お兄"))
_AFTER_NAME = tuple(sorted(set(HONORIFICS + ROLE_SUFFIXES), key=len, reverse=True))
_BEFORE_NAME = frozenset(ROLE_PREFIXES)
_ROLE_WORDS = tuple(ROLE_PREFIXES)
_ROLES = frozenset(ROLE_SUFFIXES) - {"宅", "家"}
_KANJI = re.compile(r"[一-龥々]")
_PLACE_END = frozenset("都道府県市区町村郡")
_KANA = re.compile(r"[ぁ-ゖァ-ヺー]+")
_HIRAGANA_NAME = re.compile(r"[ぁ-ゖ]{2,5}")
_KATAKANA_NAME = re.compile(r"[ァ-ヺー]{2,7}")
# Children's names Sudachi splits oddly (陽翔くん → 陽 / 翔く / ん): kanji right before くん/ちゃん.
_CHILD_KANJI = re.compile(r"(?<![一-龥々])[一-龥々]{1,3}(?=くん|ちゃん)")
# A reading in brackets right after a name: 山田太郎（やまだ たろう）.
_READING_AFTER = re.compile(r"\s*\(([ぁ-ゖァ-ヺー ]{2,20})\)")
_PARTICLES = ("が", "は", "を", "に", "と", "の", "も", "へ", "から", "より", "や", "で")
_NAME_DOTS = frozenset(("・", "/"))


def tokenizer():
    """Sudachi with the core dictionary, loaded on first use and shared (building it is the costly part;
    reading from it is thread-safe)."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                from sudachipy import Dictionary, SplitMode

                _tokenizer = Dictionary(dict="core").tokenizer(mode=SplitMode.C)
    return _tokenizer


@dataclass(frozen=True)
class _Token:
    surface: str
    pos: tuple[str, ...]
    start: int
    end: int
    oov: bool

    @property
    def person(self) -> bool:
        # OOV Latin words (UMECO) come out as 人名 too; Japanese names are never ASCII here.
        return self.pos[:3] == ("名詞", "固有名詞", "人名") and not self.surface.isascii()

    @property
    def surname(self) -> bool:
        # Readings often come out as 人名,一般 (イトウ): they can lead a name as a surname does.
        return self.person and self.pos[3] in ("姓", "一般")

    @property
    def kana(self) -> bool:
        return _KANA.fullmatch(self.surface) is not None

    @property
    def space(self) -> bool:
        return self.pos[0] == "空白"

    @property
    def boundary(self) -> bool:
        return self.pos[0] in ("助詞", "補助記号", "空白", "記号")


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    offset = 0
    for chunk in _chunks(text):
        for m in tokenizer().tokenize(chunk):
            tokens.append(_Token(m.surface(), tuple(m.part_of_speech()[:4]), offset + m.begin(),
                                 offset + m.end(), m.is_oov()))
        offset += len(chunk)
    if "ー" in text:
        tokens = _long_vowel_readings(text, tokens)
    return tokens


# A kana stretch with a long-vowel mark: さとーゆーこさん, サトー, ユーコ.
_MARKED_KANA = re.compile(r"[ァ-ヺー]*[ァ-ヺ]ー[ァ-ヺー]*|[ぁ-ゖー]*[ぁ-ゖ]ー[ぁ-ゖー]*")
_ROW_VOWELS = {"あ": "あかがさざただなはばぱまやゃらわ", "い": "いきぎしじちぢにひびぴみりえけげせぜてでねへべぺめれ",
               "う": "うくぐすずつづぬふぶぷむゆゅるおこごそぞとどのほぼぽもよょろ"}
_LENGTHENING = {kana: vowel for vowel, row in _ROW_VOWELS.items() for kana in row}


def _spelled_long(kana: str) -> str:
    """さとー → さとう, ユーコ → ユウコ, ケーコ → ケイコ: the mark as the vowel a reader hears, one for one."""
    out: list[str] = []
    for ch in kana:
        if ch == "ー" and out:
            previous = out[-1]
            hira = chr(ord(previous) - 0x60) if "ァ" <= previous <= "ヶ" else previous
            vowel = _LENGTHENING.get(hira)
            if vowel:
                ch = vowel if hira == previous else chr(ord(vowel) + 0x60)
        out.append(ch)
    return "".join(out)


def _long_vowel_readings(text: str, tokens: list[_Token]) -> list[_Token]:
    """A name typed by ear (サトー ユーコ, さとーゆーこさん) is no dictionary word; spelled with its vowels
    it is. Sudachi's reading of the spelled-out stretch replaces its own only where that reading has a
    person name covering a mark, so ヘルパーさん and センター stay words."""
    for m in _MARKED_KANA.finditer(text):
        again = _spelled_reading(m.group())
        if again is None:
            continue
        inside = [t for t in tokens if m.start() <= t.start and t.end <= m.end()]
        if not inside or len(inside) != sum(1 for t in tokens if t.start < m.end() and m.start() < t.end):
            continue  # a token reaches outside the stretch: leave Sudachi's cut alone
        first = tokens.index(inside[0])
        tokens[first:first + len(inside)] = [
            _Token(text[m.start() + begin:m.start() + end], pos, m.start() + begin, m.start() + end, oov)
            for begin, end, pos, oov in again]
    return tokens


@lru_cache(maxsize=4096)
def _spelled_reading(kana: str) -> tuple[tuple[int, int, tuple[str, ...], bool], ...] | None:
    """Sudachi's words of a kana stretch spelled with its vowels, when one of them is a name covering a
    long-vowel mark; None otherwise (the same stretches recur: センター, ボランティア, ヘルパー)."""
    spelled = _spelled_long(kana)
    if spelled == kana:
        return None
    words = [(m.begin(), m.end(), tuple(m.part_of_speech()[:4]), m.is_oov()) for m in tokenizer().tokenize(spelled)]
    marks = [i for i, c in enumerate(kana) if c == "ー"]
    # A dictionary name only: Sudachi tags unknown katakana (ヘルパア) as a name as well.
    if any(pos[:3] == ("名詞", "固有名詞", "人名") and not oov and any(begin <= i < end for i in marks)
           for begin, end, pos, oov in words):
        return tuple(words)
    return None


def _chunks(text: str) -> list[str]:
    if len(text) <= _CHUNK:
        return [text]
    chunks, current = [], ""
    for sentence in _SENTENCE_END.split(text):
        while len(sentence) > _CHUNK:
            chunks.append(current + sentence[:_CHUNK - len(current)])
            sentence = sentence[_CHUNK - len(current):]
            current = ""
        if len(current) + len(sentence) > _CHUNK:
            chunks.append(current)
            current = ""
        current += sentence
    if current:
        chunks.append(current)
    return chunks


class _Sentence:
    """The tokens of one text with the questions the rules ask about them."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)

    def suffix_at(self, position: int) -> str | None:
        for word in _AFTER_NAME:
            if self.text.startswith(word, position):
                # 委員 in 委員会, 代表 in 代表者会議: a role glued to more kanji is another word.
                if word in _ROLES and _KANJI.match(self.text, position + len(word)) \
                        and not self.text.startswith("宅", position + len(word)):
                    continue
                return word
        return None

    def boundary_at(self, position: int) -> bool:
        """A name may end here: end of text, punctuation, space, a particle or an honorific/role."""
        if position >= len(self.text):
            return True
        ch = self.text[position]
        if not (ch.isalnum() or _KANA.match(ch)):
            return True
        return self.text.startswith(_PARTICLES, position) or self.suffix_at(position) is not None

    def previous(self, index: int) -> int:
        index -= 1
        while index >= 0 and self.tokens[index].space:
            index -= 1
        return index

    def role_before(self, index: int) -> bool:
        """代表の鈴木, 講師 高橋, 対応：林; not 事務局長宅, where the role is glued to the next word."""
        before = self.previous(index)
        separated = before < index - 1
        if before >= 0 and self.tokens[before].surface in ("の", ":", "は"):
            before = self.previous(before)
            separated = True
        # The role may be cut in two (報告 / 者): the text before the name ends with it.
        return separated and before >= 0 and (self.tokens[before].surface in _BEFORE_NAME
                                              or self.text.endswith(_ROLE_WORDS, 0, self.tokens[before].end)
                                              and self.tokens[before].pos[0] == "接尾辞")

    def ends_word(self, index: int) -> bool:
        """Nothing glued after token index: 浜竹マジッククラブ is a club, 浜竹 が is a person."""
        after = self.tokens[index + 1] if index + 1 < len(self.tokens) else None
        return after is None or after.boundary or self.suffix_at(after.start) is not None

    def starts_name(self, index: int) -> bool:
        token = self.tokens[index]
        if token.person:
            return True
        if token.pos[0] != "名詞" or token.surface.isascii():
            return False
        # 対応：スズキ ケンタ: after a role, an unknown word or a reading is the person.
        if (token.oov or token.kana) and self.role_before(index) and self.ends_word(index):
            return True
        suffix = self.suffix_at(token.end)
        if suffix is None:
            return False
        if token.oov:
            return True
        # 内田様, 岡本会長: surnames Sudachi files as places; 茅ヶ崎市さん would be the city itself.
        if token.pos[2] == "地名":
            return token.surface[-1] not in _PLACE_END
        return suffix in _CHILD and token.surface not in _NOT_CHILDREN


def find_person_names(normalized: Projection) -> list[tuple[int, int, str]]:
    """Spans (in the original text) of person names."""
    sentence = _Sentence(normalized.text)
    tokens = sentence.tokens
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        if not sentence.starts_name(i):
            i += 1
            continue
        first, last = i, i
        while last + 1 < len(tokens) and tokens[last + 1].person:
            last += 1
        # 山田 太郎: surname and given name with a space between; 山田・太郎, 山田/太郎 (a given name
        # after the dot: 山田・佐藤 is a list of two surnames).
        if last + 2 < len(tokens) and (tokens[last + 1].space and tokens[last + 2].person
                                       or tokens[last + 1].surface in _NAME_DOTS and tokens[last].surname
                                       and tokens[last + 2].person and tokens[last + 2].pos[3] == "名"):
            last += 2
            while last + 1 < len(tokens) and tokens[last + 1].person:
                last += 1
        start, end = tokens[first].start, tokens[last].end
        start, widened_back = _widen_back(sentence, first, start)
        end, widened_forward = _widen_forward(sentence, last, end)
        if widened_back or widened_forward or _is_name(sentence, first, last):
            spans.append((start, end))
        i = last + 1
    # 赤ちゃん is one dictionary word; 陽翔くん comes out as 陽 / 翔く / ん, never as a noun.
    spans.extend(m.span() for m in _CHILD_KANJI.finditer(normalized.text)
                 if not any(t.start < m.end() < t.end for t in tokens if t.pos[0] == "名詞"))
    spans.extend(_readings_after(normalized.text, spans))
    spans.extend(_romaji_names(normalized.text))
    spans.extend(_kana_names(normalized.text))
    spans = [_with_doubled_kanji(normalized.text, s, e) for s, e in spans]
    return [(*normalized.origin(s, e), "person") for s, e in spans]


# A name in hiragana typed by ear or with a space inside (さとー ゆーこ, はしもと しゅーへー, まえだゆーと):
# no dictionary reads it, but after a role (申込者 …, 世話人：…) or before an honorific it is a name.
# The long-vowel mark or the space is required: 担当はまだきまっていない is no name.
_KANA_NAME = r"[ぁ-ゖ][ぁ-ゖー]{1,7}(?:[ 　][ぁ-ゖ][ぁ-ゖー]{0,7})?"
_KANA_AFTER_ROLE = re.compile(
    "(?:" + "|".join(sorted(ROLE_PREFIXES, key=len, reverse=True)) + rf")(?:[ 　:]|の|は)[ 　]?(?P<name>{_KANA_NAME})"
    r"(?=[\s()「」、。,.!?/]|さん|様|さま|氏|$)")
_KANA_BEFORE_HONORIFIC = re.compile(rf"(?<![ぁ-ゖー])(?P<name>{_KANA_NAME})"
                                    r"(?=[ 　]?(?:さん|様|さま|氏|くん|ちゃん|会長|代表|委員長|理事長|先生))")
_LEADING_PARTICLE = re.compile(r"^[のはがとにをも](?=[ぁ-ゖ]{2})")
# Family words said with a long vowel before さん: おねーさん, おばーちゃん are no names.
_FAMILY_WORDS = frozenset(("おねー", "ねー", "おにー", "にー", "おばー", "ばー", "おじー", "じー", "おかー", "かー",
                           "おとー", "とー", "ねーね", "にーに"))


def _kana_names(text: str) -> list[tuple[int, int]]:
    spans = []
    for pattern in (_KANA_AFTER_ROLE, _KANA_BEFORE_HONORIFIC):
        for m in pattern.finditer(text):
            name = m.group("name")
            if "ー" not in name and not re.search(r"[ 　]", name) or name in _FAMILY_WORDS:
                continue
            start = m.start("name")
            # 代表のさとーさん: の belongs to the sentence, not to the name.
            particle = _LEADING_PARTICLE.match(name)
            if particle and start > 0 and not re.match(r"[ぁ-ゖ\s]", text[start - 1]):
                start += 1
            spans.append((start, m.end("name")))
    return spans


def _with_doubled_kanji(text: str, start: int, end: int) -> tuple[int, int]:
    """佐佐岡 (々 written out) comes out of Sudachi as 佐 + 佐岡: the doubled kanji belongs to the name."""
    if start > 0 and text[start - 1] == text[start] and _KANJI.match(text[start]) \
            and (start < 2 or not _KANJI.match(text[start - 2])):
        return start - 1, end
    return start, end


# Romaji words: Taro, YAMADA, Satō, Jun'ichi.
_LATIN_WORD = re.compile(r"(?<![A-Za-z0-9@._\-])[A-ZĀĪŪĒŌ][A-Za-zāīūēōĀĪŪĒŌ']{1,14}(?![A-Za-z0-9@])")
_ROMAJI_TITLES = ("Mr.", "Ms.", "Mrs.", "Mr", "Ms", "Mrs", "Dr.", "Prof.")
_ROMAJI_HONORIFICS = re.compile(r"(?:-| )(?:san|sama|sensei|kun|chan)(?![A-Za-z])|さん|様|さま|氏|くん|ちゃん|先生")


def _romaji_names(text: str) -> list[tuple[int, int]]:
    """Taro Yamada, YAMADA Taro, Yūko Satō (two capitalized romaji words, one of them a name in Sudachi's
    dictionary and neither a place), and Yamada-san, Yamadaさん, Ms. Sato (one, marked as a name)."""
    if not re.search(r"[A-Z]", text):
        return []
    words = [m for m in _LATIN_WORD.finditer(text) if katakana(m.group()) is not None]
    spans: list[tuple[int, int]] = []
    taken = -1
    for i, m in enumerate(words):
        if m.start() < taken:
            continue
        following = words[i + 1] if i + 1 < len(words) else None
        if following is not None and re.fullmatch(r",? |・|　", text[m.end():following.start()]):
            kinds = (_romaji_kind(m.group()), _romaji_kind(following.group()))
            # Kenta Suzuki: ケンタ and スズキ are proper nouns Sudachi does not file as names.
            if ("person" in kinds or kinds == ("proper", "proper")) and "place" not in kinds:
                spans.append((m.start(), following.end()))
                taken = following.end()
                continue
        if _ROMAJI_HONORIFICS.match(text, m.end()) or text[:m.start()].rstrip().endswith(_ROMAJI_TITLES):
            spans.append((m.start(), m.end()))
            taken = m.end()
    return spans


@lru_cache(maxsize=8192)
def _romaji_kind(word: str) -> str:
    """"person" when some reading of the word is one name in Sudachi's dictionary (Yuko as ユウコ,
    Sato as サトウ), "place" when it is a place (Kanagawa), "proper" when another proper noun (Suzuki,
    Kenta), else "word"."""
    kana = katakana(word)
    if kana is None:
        return "word"
    place = proper = False
    for reading in _lengthened(kana):
        found = [m for m in tokenizer().tokenize(reading)]
        if len(found) != 1 or found[0].is_oov():
            continue
        pos = found[0].part_of_speech()
        if pos[:3] == ("名詞", "固有名詞", "人名"):
            return "person"
        place = place or pos[:3] == ("名詞", "固有名詞", "地名")
        proper = proper or pos[:3] == ("名詞", "固有名詞", "一般")
    return "place" if place else "proper" if proper else "word"


_LENGTHENABLE = frozenset("オコゴソゾトドノホボポモヨョロウクグスズツヌフブプムユュル")


def _lengthened(kana: str) -> list[str]:
    """ユコ → ユコ, ユウコ, ユコウ, ユウコウ: romaji often leaves out the length Sudachi's entries have."""
    spots = [i for i, c in enumerate(kana) if c in _LENGTHENABLE and kana[i + 1:i + 2] not in ("ウ", "ー", "ャ", "ュ", "ョ")]
    # Ō and oh are オウ as often as オオ (Ōno is オオノ, Ōta オオタ).
    readings = [kana] + ([re.sub("(?<=[オコゴソゾトドノホボポモヨロ])ウ", "オ", kana)] if "ウ" in kana else [])
    for count in range(1, min(len(spots), 2) + 1):
        for chosen in itertools.combinations(spots, count):
            readings.append("".join(c + ("ウ" if i in chosen else "") for i, c in enumerate(kana)))
    return readings[:12]


def _is_name(sentence: _Sentence, first: int, last: int) -> bool:
    tokens = sentence.tokens
    run = tokens[first:last + 1]
    if sentence.suffix_at(tokens[last].end) or sentence.suffix_at(_skip_spaces(sentence, tokens[last].end)):
        return True
    kinds = {t.pos[3] for t in run if t.person}
    # 山田太郎, or any two tagged words with a space between (ノゾミ マコト).
    if "姓" in kinds and "名" in kinds or any(t.space for t in run):
        return True
    if sentence.role_before(first) and sentence.ends_word(last):
        return True
    if not run[0].person:
        return False
    # A lone surname (高橋が…) only between particles or punctuation: 浜竹自治会, 会長宅 are not people.
    surface = "".join(t.surface for t in run if not t.space)
    before = tokens[first - 1] if first > 0 else None
    after = tokens[last + 1] if last + 1 < len(tokens) else None
    return (run[0].surname and len(surface) >= 2 and (before is None or before.boundary)
            and (after is None or after.boundary))


def _skip_spaces(sentence: _Sentence, position: int) -> int:
    while position < len(sentence.text) and sentence.text[position] in " \u3000":
        position += 1
    return position


def _widen_forward(sentence: _Sentence, last: int, end: int) -> tuple[int, bool]:
    """Given names Sudachi did not tag, after a surname: 太田 しずよ, 石井しずよ (しず + よ), 大和田 清係長,
    加藤 心春 (心 + 春), 青木心春氏, ヤマグチケンタ."""
    tokens, text = sentence.tokens, sentence.text
    token = tokens[last]
    # After a role a kana word is the person (報告者：ノノムラ ユウト): so is a second kana word.
    if not (token.surname or token.kana and (token.person or sentence.role_before(last))):
        return end, False
    gap = _skip_spaces(sentence, end)
    # Kana right after kana (しず|よ, ヤマグチ|ケンタ) or after a space: a reading or a kana given name.
    if gap > end or token.kana:
        for pattern in (_HIRAGANA_NAME, _KATAKANA_NAME) if gap > end else (re.compile(r"[ぁ-ゖ]{1,4}"),
                                                                           re.compile(r"[ァ-ヺー]{1,6}")):
            m = pattern.match(text, gap)
            if m is None or (gap == end and _script(token.surface[-1]) != _script(m.group()[0])):
                continue
            # A name never holds さん or から: cut there, then take the longest word ending at a boundary.
            cut = next((p for p in range(m.start(), m.end()) if sentence.suffix_at(p)
                        or (gap == end and text.startswith(_PARTICLES, p))), m.end())
            for stop in range(cut, m.start(), -1):
                if sentence.boundary_at(stop):
                    return stop, True
    if not token.surname or token.kana:
        return end, False
    # One or two kanji then a boundary: after a space any (誠, 心春), glued only before an honorific.
    following = [t for t in tokens[last + 1:last + 4] if t.start >= gap][:2]
    for count in (2, 1):
        chosen = following[:count]
        if len(chosen) < count or not all(re.fullmatch(r"[一-龥々]+", t.surface) for t in chosen):
            continue
        stop = chosen[-1].end
        if any(sentence.suffix_at(t.start) for t in chosen) or stop - gap > 2 or (count == 1 and stop - gap == 2 and chosen[0].pos[1] == "普通名詞"):
            continue  # 携帯, 電話: a common noun after the name is not part of it
        if (gap > end and sentence.boundary_at(stop)) or sentence.suffix_at(stop) in _PERSON_ONLY:
            return stop, True
    return end, False


_PARTICLE_BEFORE = re.compile(r"^[のはがとにをもへ](?=[ぁ-ゖ]{2})")


def _script(ch: str) -> str:
    return "hiragana" if "ぁ" <= ch <= "ゖ" else "katakana" if "ァ" <= ch <= "ヺ" or ch == "ー" else "other"


def _widen_back(sentence: _Sentence, first: int, start: int) -> tuple[int, bool]:
    """Surnames Sudachi did not tag, before a tagged given name: ヤマザキ アケミ, そうだ みどり, 二宮 香織."""
    tokens, text = sentence.tokens, sentence.text
    token = tokens[first]
    if not token.person or token.pos[3] != "名":
        return start, False
    gap = start
    while gap > 0 and text[gap - 1] in " \u3000":
        gap -= 1
    # 松本・康弘: a name dot where the space would be (Sudachi tags 松本 a place here).
    dotted = gap == start and gap > 0 and text[gap - 1] in _NAME_DOTS and not token.kana
    if dotted:
        gap -= 1
    if token.kana and (gap < start or _KATAKANA_NAME.fullmatch(token.surface)):
        # The kana word before the space (or glued katakana: ヤマザキマサル), without a particle glued
        # to a noun before it (代表のそうだ).
        m = re.search(r"(?:[ぁ-ゖ]{2,7}|[ァ-ヺー]{2,7})$" if gap < start else r"[ァ-ヺー]{2,7}$", text[:gap])
        if m:
            word_start = m.start()
            particle = _PARTICLE_BEFORE.match(m.group())
            if particle and word_start > 0 and re.match(r"[一-龥々ァ-ヺA-Za-z0-9)]", text[word_start - 1]):
                word_start += 1
            return word_start, True
    before = sentence.previous(first)
    if dotted and before >= 0:
        before = sentence.previous(before)
    if before < 0 or gap == start:
        return start, False
    candidate = tokens[before]
    name_like = candidate.oov or candidate.pos[2] in ("人名", "地名") and candidate.surface[-1] not in _PLACE_END
    if candidate.surface in _BEFORE_NAME or candidate.pos[0] != "名詞" or not name_like:
        return start, False
    if before > 0 and not tokens[before - 1].boundary:
        return start, False
    return candidate.start, True


def _readings_after(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Kana in brackets after a name written in kanji: 山田太郎（やまだ たろう）. A name in kana needs no
    reading, so after one the brackets hold something else: サカモトオサム（まちづくり）."""
    readings = []
    for start, end in spans:
        m = _READING_AFTER.match(text, end)
        if m and _KANJI.search(text, start, end):
            readings.append(m.span(1))
    return readings


_KANJI_THEN_KANA = re.compile(r"([一-龥々ヶ]{1,4})([ぁ-ゖ]{2,5}|[ァ-ヺー]{2,7})")


def split_person_name(name: str) -> list[str]:
    """Surname and given name of a name written without a space: the best of `person_name_cuts`, or
    with no cut scoring, kanji then kana (四月一日しずよ → [四月一日, しずよ]) or two kanji, one each
    (林零 → [林, 零]). [] when none of these reads, or when Sudachi reads the whole as one word."""
    name = name.strip()
    cuts = person_name_cuts(name)
    if cuts:
        return cuts[0]
    if len([t for t in _tokens(name) if not t.space]) < 2:
        return []
    script_change = _KANJI_THEN_KANA.fullmatch(name)
    if script_change:
        return list(script_change.groups())
    if len(name) == 2 and _KANJI.fullmatch(name[0]) and _KANJI.fullmatch(name[1]):
        return [name[0], name[1]]
    return []


def person_name_cuts(name: str) -> list[list[str]]:
    """Every cut of a name written without a space into a surname of 1-4 and a given name of 1-4
    characters that Sudachi gives some evidence for, best first. A cut scores 2 when Sudachi reads the
    surname alone as one surname (or place: 二宮) and 1 when it does inside the whole name, the same for
    the given name; ties go to a given name of two characters, then to the longer surname:
    山田太郎 → [山田, 太郎], 平野心春 → [平野, 心春] (before 平 / 野心春), 林和也 → [林, 和也] (before 林和 /
    也), 高橋零 → [高橋, 零], 四月一日結愛 → [四月一日, 結愛], 一尺八寸由美 → [一尺八寸, 由美] (a surname
    read only in context). Sudachi's readings of pieces mislead now and then (望光 alone is a given name),
    so the known-data layer also tries every cut where a name is marked as one."""
    name = name.strip()
    whole = [t for t in _tokens(name) if not t.space]
    if len(whole) < 2:
        return []
    scored: list[tuple[tuple[int, bool, int], list[str]]] = []
    for cut in range(1, min(4, len(name) - 1) + 1):
        rest = name[cut:].strip()
        if not 1 <= len(rest) <= 4:
            continue
        head_alone, rest_alone = _tokens(name[:cut]), _tokens(rest)
        head_inside = [t for t in whole if t.start < cut]
        rest_inside = [t for t in whole if t.start >= cut]
        aligned = not head_inside or head_inside[-1].end <= cut
        score = 2 * (len(head_alone) == 1 and _surname_like(head_alone[0])) \
            + 2 * (len(rest_alone) == 1 and _given_name(rest_alone[0])) \
            + (aligned and len(head_inside) == 1 and _surname_like(head_inside[0])) \
            + (aligned and len(rest_inside) == 1 and _given_name(rest_inside[0]))
        if score:
            scored.append(((score, len(rest) == 2, cut), [name[:cut], rest]))
    return [parts for _, parts in sorted(scored, reverse=True)]


def _surname_like(token: _Token) -> bool:
    return token.surname or token.pos[2] == "地名" and token.surface[-1] not in _PLACE_END


def _given_name(token: _Token) -> bool:
    return token.person and token.pos[3] == "名"


_KANA_ONLY = re.compile(r"[ぁ-ゖァ-ヺー・\s]+")


def is_kana(text: str) -> bool:
    return _KANA_ONLY.fullmatch(text) is not None


@lru_cache(maxsize=16384)
def reading_of(text: str) -> str:
    """Sudachi's reading (katakana) of a name or a town, or "" when some word of it has none."""
    pieces = []
    for m in tokenizer().tokenize(text.strip()):
        if m.part_of_speech()[0] == "空白":
            continue
        reading = m.reading_form()
        if not reading or not is_kana(reading):
            return ""
        pieces.append(reading)
    return "".join(pieces)
