"""Exact matching of the personal data a node holds, however the text spells it (layer b)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from functools import cached_property
from typing import NamedTuple

from .lexicon import (
    AFFILIATIONS,
    HONORIFICS,
    LEGAL_FORMS,
    PARTICLES,
    PREFECTURES,
    ROLE_PREFIXES,
    ROLE_SUFFIXES,
)
from .names import is_kana, reading_of, split_person_name
from .normalize import (
    Projection,
    address_key,
    address_key_of,
    fold_char,
    kanji_digits_as_ascii,
    key_of,
    match_key,
    normalize,
)
from .romaji import spellings


def _folded(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple("".join(fold_char(c) for c in w) for w in words)


_FOLDED_HONORIFICS = _folded(HONORIFICS)
_FOLDED_ROLE_SUFFIXES = _folded(ROLE_SUFFIXES)
_FOLDED_PREFIXES = _folded(ROLE_PREFIXES)
_FOLDED_AFFILIATIONS = _folded(AFFILIATIONS)
_FOLDED_PARTICLES = _folded(PARTICLES)
# Kana no word starts with (the key view has hiragana folded into katakana).
_NO_WORD_START = frozenset("ンーッャュョァィゥェォヮ")
# Where a sentence, a clause or a quotation starts (whitespace and the start of the text count as well).
_OPENINGS = frozenset("。.!?、,「『(【〔[")
# Between a role and a name: 対応山田, 対応：林, 代表の鈴木, 問合せは林, 連絡先として原.
_JOINTS = ("", ":", "ノ", "ハ", "トシテ")
# A name written without a space is also tried at every cut when it is all kanji, as most names are.
_KANJI_NAME = re.compile(r"[一-龥々ヶ]{2,7}")

_LEGAL_KEYS = tuple(sorted((key_of(f) for f in LEGAL_FORMS), key=len, reverse=True))

_PREFECTURE_KEY = re.compile("^(?:" + "|".join(key_of(p) for p in PREFECTURES) + ")")
# A municipality at the start of an address: 茅ケ崎市, 横浜市西区, 足柄上郡開成町, 千代田区.
_MUNICIPALITY_KEY = re.compile(r"^(?:[^市区郡0-9-]{1,5}郡[^町村0-9-]{1,4}[町村]|[^市0-9-]{1,5}市(?:[^区0-9-]{1,4}区)?"
                               r"|[^区0-9-]{1,4}区)")
_STREET_PART = re.compile(r"^\D*?[0-9]+(?:-[0-9]+)*")
_ROOM_SUFFIX = re.compile(r"(?<=[0-9])(?:号室|号|室)$")
# Any of these may sit between the digit groups of a phone number someone typed (090/1234/5678,
# 090～1234～5678): matching needs whole known groups, so a wide set costs no false hits.
_PHONE_RUN = re.compile(r"(?:\+\s?81[\s\-]*(?:\(0\)[\s\-]*)?)?\(?[0-9][0-9\-\s().,/_:~ー・、。のノ]*")
_POSTAL_RUN = re.compile(r"(?<![0-9])([0-9]{3})\s*(?:[\-ー・.の]\s*)?([0-9]{4})(?![0-9])")
# Mailbox names an office or a group shares (info@…): only the whole address is theirs.
_SHARED_MAILBOXES = frozenset(("info", "information", "office", "contact", "mail", "admin", "support", "staff",
                               "webmaster", "postmaster", "jimukyoku", "center", "soudan", "toiawase", "inquiry",
                               "noreply", "no-reply", "desk", "hello", "press", "kouhou", "event", "volunteer"))
# Written after a name in romaji (Yamada-san, Yamada san) or before it (Mr. Yamada), in the key view.
_ROMAJI_AFTER = ("-san", "san", "-sama", "sama", "-sensei", "sensei", "-kun", "kun", "-chan", "chan", "-shi", "shi")
_ROMAJI_BEFORE = ("mr.", "ms.", "mrs.", "mr", "ms", "mrs", "dr.", "prof.")
_ASCII_WORD = re.compile(r"[a-z0-9._%+\-]")
_LATIN_LETTERS = re.compile(r"[a-zā-ō]{2}")
_KATAKANA_WORD = re.compile(r"[ァ-ヺー]{2}")


class KnownHit(NamedTuple):
    """Where known personal data occurs: the kind and position only, never the value, so it can be logged."""

    kind: str
    start: int
    end: int

    def __str__(self) -> str:
        return f"{self.kind}@{self.start}-{self.end}"


@dataclass(frozen=True)
class KnownPersonalData:
    """Personal data the node itself holds, as plain strings in any spelling (names with or without
    spaces and their readings in kana, phones in any format, emails, addresses, organizations whose
    names must not appear). The repr shows counts only."""

    person_names: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    organizations: tuple[str, ...] = ()
    postal_codes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for f in fields(self):
            values = getattr(self, f.name)
            if isinstance(values, str):
                values = (values,)
            object.__setattr__(self, f.name, tuple(v for v in (values or ()) if v and str(v).strip()))

    @classmethod
    def from_dict(cls, data: Mapping[str, Iterable[str]] | None) -> KnownPersonalData:
        names = {f.name for f in fields(cls)}
        return cls(**{k: tuple(v) for k, v in (data or {}).items() if k in names})

    def __repr__(self) -> str:
        counts = ", ".join(f"{f.name}={len(getattr(self, f.name))}" for f in fields(self))
        return f"KnownPersonalData({counts})"

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))

    @cached_property
    def matcher(self) -> KnownMatcher:
        return KnownMatcher(self)

    def reuse_matcher_of(self, previous: KnownPersonalData) -> KnownPersonalData:
        """Take `previous`'s compiled matcher, copied and given what this data adds (or without the
        organizations it no longer has), instead of compiling everything again: a node that registers
        one more group pays for that group, not for all it knows. Exactly the matcher a compile of
        this data would give; where that cannot be shown cheaply, nothing is reused."""
        if "matcher" not in previous.__dict__ or "matcher" in self.__dict__:
            return self
        added: dict[str, tuple[str, ...]] = {}
        dropped: set[str] = set()
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(previous, f.name)
            if mine is theirs or mine == theirs:
                continue
            mine_set, theirs_set = set(mine), set(theirs)
            gone = theirs_set - mine_set
            if gone and f.name != "organizations":
                return self
            dropped |= gone
            added[f.name] = tuple(v for v in mine if v not in theirs_set)
        matcher = previous.matcher.copy()
        if dropped and not matcher.drop_organizations(dropped):
            return self
        matcher.extend(KnownPersonalData(**added))
        self.__dict__["matcher"] = matcher  # what cached_property would have stored
        return self


@dataclass(frozen=True)
class _Needle:
    kind: str
    # A name part (山田 of 山田 太郎) counts only where one of the modes below says it is a name; a
    # whole name always does.
    part: bool = False
    # Mode "alone": standing as a word of its own (山田が, not 山田町); parts of two characters or more.
    alone: bool = False
    # Mode "marked": an honorific or a role right after it (林さん, 林代表), or a role before it (対応：林).
    marked: bool = False
    # Mode "opening": where a sentence, a clause or a bracket opens, and before a particle (。森が…).
    opening: bool = False
    # Characters at the start of the key that are not personal data: 自治会の of 自治会の原が, which is
    # a name only before a particle or a non-word character (自治会の森と…, not 自治会の森林).
    prefix: int = 0
    ascii_bounded: bool = False
    digit_bounded: bool = False
    # A romaji surname or given name: only with an honorific (Yamada-san, Yamadaさん) or a title before.
    romaji_part: bool = False

    def merged(self, other: _Needle) -> _Needle:
        """One key, two readings (林 a part of one name and a cut of another): either mode counts."""
        return replace(self, alone=self.alone or other.alone, marked=self.marked or other.marked,
                       opening=self.opening or other.opening)


_O_ROW = frozenset("オコゴソゾトドノホボポモヨョロ")


def _o_lengthened(key: str) -> str:
    """オオノ as オウノ: the key view reads オーノ so (the mark as the vowel a reader hears)."""
    return "".join("ウ" if c == "オ" and i > 0 and key[i - 1] in _O_ROW else c for i, c in enumerate(key))


class _Table:
    """Keys by first character, longest first: a scan costs a dict lookup per position."""

    def __init__(self) -> None:
        self.needles: dict[str, _Needle] = {}
        self.lengths: dict[str, list[int]] = {}
        # Keys two different needles met on: removing one of them needs a rebuild (KnownMatcher.drop).
        self.shadowed: set[str] = set()

    def copy(self) -> _Table:
        table = _Table()
        table.needles = dict(self.needles)
        table.lengths = {first: list(lengths) for first, lengths in self.lengths.items()}
        table.shadowed = set(self.shadowed)
        return table

    def add(self, key: str, needle: _Needle) -> None:
        if not key:
            return
        if "オ" in key:
            lengthened = _o_lengthened(key)
            if lengthened != key:
                self.add(lengthened, needle)
        existing = self.needles.get(key)
        if existing == needle:
            return
        # A whole name beats a part, so a known 林 誠 makes 林誠 a name even if another 林 is a part.
        if existing is not None:
            if not existing.part:
                self.shadowed.add(key)
                return
            if needle.part:
                needle = existing.merged(needle)
            else:
                self.shadowed.add(key)
        self.needles[key] = needle
        lengths = self.lengths.setdefault(key[0], [])
        if len(key) not in lengths:
            lengths.append(len(key))
            lengths.sort(reverse=True)

    def scan(self, view: Projection, *, word_starts: bool = False) -> list[tuple[int, int, str]]:
        """With word_starts, only where an ASCII word starts (romaji names, a thousand spellings of
        which start at every Latin letter otherwise)."""
        text = view.text
        found: list[tuple[int, int, str]] = []
        i, n = 0, len(text)
        while i < n:
            if word_starts and i > 0 and text[i - 1].isascii() and text[i - 1].isalnum() and not view.broken_before(i):
                i += 1
                continue
            for length in self.lengths.get(text[i], ()):
                if i + length > n:
                    continue
                key = text[i:i + length]
                needle = self.needles.get(key)
                if needle is not None and _stands_alone(view, i, i + length, needle):
                    found.append((i + needle.prefix, i + length, needle.kind))
                    # After a lead word (対応：, 自治会の) the scan goes on at the name itself, where a
                    # longer key may start (自治会の林　学さん: the whole name, not 林 then 学).
                    i += needle.prefix or length
                    break
            else:
                i += 1
        return found

    def __len__(self) -> int:
        return len(self.needles)


def _script(ch: str) -> str:
    code = ord(ch)
    if 0x30A1 <= code <= 0x30FA or ch == "ー":
        return "kana"  # the key view has hiragana folded into katakana already
    if 0x4E00 <= code <= 0x9FFF or ch in "々〆ヶ":
        return "kanji"
    if ch.isascii() and ch.isalnum():
        return "ascii"
    return "other"


def _stands_alone(view: Projection, start: int, end: int, needle: _Needle) -> bool:
    text = view.text
    before = text[start - 1] if start > 0 and not view.broken_before(start) else ""
    after = text[end] if end < len(text) and not view.broken_before(end) else ""
    if needle.romaji_part:
        if before and before.isascii() and before.isalnum():
            return False
        if _suffix_at(text, end):
            return True
        for word in _ROMAJI_AFTER:
            if text.startswith(word, end) and (word[0] == "-" or view.broken_before(end)):
                following = end + len(word)
                if following >= len(text) or view.broken_before(following) \
                        or not (text[following].isascii() and text[following].isalnum()):
                    return True
        return view.broken_before(start) and any(text.endswith(title, 0, start) for title in _ROMAJI_BEFORE)
    if needle.ascii_bounded:
        return not (before and _ASCII_WORD.match(before)) and not (after and (after.isalnum() and after.isascii()))
    if needle.digit_bounded:
        return not (after and after.isdigit()) and not (after == "-" and text[end + 1:end + 2].isdigit())
    if not needle.part:
        return True
    if needle.prefix:
        return _closed(text, after, end)
    # 中野 (a known surname) inside 中野区, or ハラ inside ハラスメント, is not the person.
    glued_before = bool(before) and _script(before) == _script(text[start])
    # A katakana word after a kanji name makes a compound: 佐藤ガス, 渡辺コーポ are a company, a building
    # (the view folds hiragana into katakana, so 石川につないだ is told apart by where it came from).
    glued_after = bool(after) and (_script(after) == _script(text[end - 1]) or _script(text[end - 1]) == "kanji"
                                   and _KATAKANA_WORD.match(text, end) is not None
                                   and not view.was_hiragana(end) and not view.was_hiragana(end + 1))
    role_before = _role_before(text, start)
    if needle.alone and (not glued_before or role_before) \
            and (not glued_after or _suffix_at(text, end) or role_before and _particle_at(text, end)):
        return True
    if needle.marked:
        # Before a kana part sits a kana particle as often as not (企業のしずよさん): its honorific decides.
        if _suffix_at(text, end) and (not glued_before or _script(text[start]) == "kana" or role_before):
            return True
        # After a role (代表のしずよが, 対応：林), a particle may follow; 対応：林業 is another word.
        if role_before and (not glued_after or _particle_at(text, end)):
            return True
    if needle.opening and (not before or before in _OPENINGS) and _closed(text, after, end):
        return True
    return False


def _suffix_at(text: str, position: int) -> bool:
    """An honorific, or a role not glued to more kanji (林委員会 is a committee, 林宅 a house)."""
    if text.startswith(_FOLDED_HONORIFICS, position):
        return True
    for role in _FOLDED_ROLE_SUFFIXES:
        if text.startswith(role, position):
            following = text[position + len(role):position + len(role) + 1]
            if not following or _script(following) != "kanji" or following == "宅":
                return True
    return False


def _role_before(text: str, start: int) -> bool:
    return any(text.endswith(role + joint, 0, start) for role in _FOLDED_PREFIXES for joint in _JOINTS)


def _closed(text: str, after: str, end: int) -> bool:
    """Nothing glued after the name but a particle or a non-word character."""
    return not after or _script(after) == "other" or _particle_at(text, end)


def _particle_at(text: str, position: int) -> bool:
    """A particle at position: と of 森と商店会, に of 森につないだ, but not ト of 森トンネル, where what
    follows (ン, ー, a small kana) cannot start a word, so the "particle" is inside one."""
    for particle in _FOLDED_PARTICLES:
        if text.startswith(particle, position):
            return text[position + len(particle):position + len(particle) + 1] not in _NO_WORD_START
    return False


def _split_name(name: str) -> list[str]:
    parts = name.split()
    if len(parts) > 1:
        return parts
    return split_person_name(name) or [name]


def _strip_legal_form(key: str) -> str:
    for form in _LEGAL_KEYS:
        if key.startswith(form):
            return key[len(form):]
        if key.endswith(form):
            return key[:-len(form)]
    return key


def address_variants(address: str) -> set[str]:
    """Keys of the ways a text writes a known address: with or without prefecture, municipality and
    building, street numbers in any form."""
    full = address_key_of(address)
    variants = {full}
    without_prefecture = _PREFECTURE_KEY.sub("", full)
    variants.add(without_prefecture)
    variants.add(_MUNICIPALITY_KEY.sub("", without_prefecture))
    for v in list(variants):
        street = _STREET_PART.match(v)
        if street:
            variants.add(street.group())
            # The town as people say it, in kana (ひがしかいがんきた3-12-5): from the variant without the
            # municipality, whose text before the number is the town.
            if v == _MUNICIPALITY_KEY.sub("", without_prefecture):
                town = re.match(r"\D+", street.group())
                spoken = reading_of(town.group()) if town else ""
                if spoken:
                    variants.add(address_key_of(spoken) + street.group()[town.end():])
        # The room number is written without its 号室 as often as with it (コーポ湘南201).
        bare_room = _ROOM_SUFFIX.sub("", v)
        if bare_room != v:
            variants.add(bare_room)
    # A variant must keep a town name and a number: 1-2-3 alone is anyone's address. A one-character
    # town (菅) needs a full street number after it.
    return {v for v in variants if re.match(r"\D{2,}[0-9]|\D[0-9]+-[0-9]", v)}


def phone_digits(view: Projection) -> list[tuple[str, list[int], list[bool]]]:
    """Digit runs as (national digits, index of each digit in view, separator-before flags); +81 reads as 0."""
    runs = []
    for match in _PHONE_RUN.finditer(view.text):
        digits: list[str] = []
        where: list[int] = []
        separated: list[bool] = []
        text = match.group()
        i = 0
        if text.startswith("+"):
            prefix = re.match(r"\+\s?81[\s\-]*(?:\(0\)[\s\-]*)?", text)
            digits.append("0")
            where.append(match.start())
            separated.append(True)
            i = prefix.end()
        gap = bool(digits)
        for k in range(i, len(text)):
            if text[k].isdigit():
                digits.append(text[k])
                where.append(match.start() + k)
                separated.append(gap or not separated)
                gap = False
            else:
                gap = True
        if digits:
            runs.append(("".join(digits), where, separated))
    return runs


_ORGANIZATION = _Needle("organization")


class KnownMatcher:
    """The node's known data compiled once into lookup tables over the normalized views."""

    def __init__(self, known: KnownPersonalData | None = None) -> None:
        self.words = _Table()
        self.romaji = _Table()
        self.addresses = _Table()
        self.phones: set[str] = set()
        self.postal_codes: set[str] = set()
        self.organization_keys: Counter[str] = Counter()  # how many known organizations give each key
        if known is not None:
            self.extend(known)

    def copy(self) -> KnownMatcher:
        matcher = KnownMatcher()
        matcher.words, matcher.romaji, matcher.addresses = self.words.copy(), self.romaji.copy(), self.addresses.copy()
        matcher.phones, matcher.postal_codes = set(self.phones), set(self.postal_codes)
        matcher.organization_keys = Counter(self.organization_keys)
        return matcher

    def drop_organizations(self, organizations: Iterable[str]) -> bool:
        """Forget these organizations' names; False when a key is shared with other data (a rebuild
        is then the only exact way)."""
        for organization in organizations:
            for key in self._organization_keys(organization):
                for variant in {key, _o_lengthened(key)}:
                    self.organization_keys[variant] -= 1
                    if self.organization_keys[variant] > 0:
                        continue
                    del self.organization_keys[variant]
                    if variant in self.words.shadowed or self.words.needles.get(variant) != _ORGANIZATION:
                        return False
                    del self.words.needles[variant]
        return True

    @staticmethod
    def _organization_keys(organization: str) -> list[str]:
        key = key_of(organization)
        core = _strip_legal_form(key)
        return [k for k in (key, core if len(core) >= 3 else "") if k]

    def extend(self, known: KnownPersonalData) -> None:
        self.postal_codes.update(digits for code in known.postal_codes
                                 if len(digits := re.sub(r"[^0-9]", "", normalize(code).text)) == 7)
        for name in known.person_names:
            self._add_person(name)
        for email in known.emails:
            self.words.add(key_of(email), _Needle("email", ascii_bounded=True))
            # The mailbox name alone is the person's (taro.yamada typed before あっと, [at], ＠ and a
            # domain written any way): unless the mailbox is an office's.
            local = key_of(email).rpartition("@")[0]
            if len(local) >= 4 and local not in _SHARED_MAILBOXES:
                self.words.add(local, _Needle("email", ascii_bounded=True))
        for organization in known.organizations:
            for key in self._organization_keys(organization):
                for variant in {key, _o_lengthened(key)}:
                    self.organization_keys[variant] += 1
                self.words.add(key, _ORGANIZATION)
        for address in known.addresses:
            for variant in address_variants(address):
                self.addresses.add(variant, _Needle("address", digit_bounded=True))
        for phone in known.phones:
            runs = phone_digits(kanji_digits_as_ascii(normalize(phone)))
            digits = "".join(run[0] for run in runs)
            if len(digits) >= 6:
                self.phones.add(digits)

    def _add_romaji(self, parts: list[str]) -> None:
        """Taro Yamada, YAMADA Tarō, yamada taro, Satoh Yuko: the name's reading in romaji, either order;
        a part alone only as Yamada-san, Yamadaさん, Mr. Yamada."""
        readings = [p if is_kana(p) else reading_of(p) for p in parts]
        if not all(readings):
            return
        if len(readings) >= 2 and not all(is_kana(p) for p in parts):
            # The whole name in kana, as Sudachi reads it, for a node that holds no reading of it
            # (おーしま ななこ for 大島 奈々子); its parts alone stay with the written name's rules.
            self.words.add(key_of("".join(readings)), _Needle("person"))
        spelled = [spellings(r) for r in readings]
        if not all(spelled):
            return
        if len(spelled) >= 2:
            for first, second in ((spelled[0], spelled[-1]), (spelled[-1], spelled[0])):
                for a in first:
                    for b in second:
                        self.romaji.add(a + b, _Needle("person", ascii_bounded=True))
            for part in spelled:
                for spelling in part:
                    if len(spelling) >= 2:
                        self.romaji.add(spelling, _Needle("person", part=True, romaji_part=True))
        else:
            for spelling in spelled[0]:
                self.romaji.add(spelling, _Needle("person", part=True, romaji_part=True))

    def _add_person(self, name: str) -> None:
        whole = key_of(name)
        self.words.add(whole, _Needle("person"))
        parts = _split_name(name.strip())
        self._add_romaji(parts)
        if len(parts) >= 2:
            for part in parts:
                key = key_of(part)
                # One character (林, 森, 誠) is too common a word to stand alone: only marked (林さん,
                # 林代表, 対応：林), or before a particle where a word starts: after what the person
                # belongs to (自治会の原が) or where a sentence or clause opens (。林は「…」, 、森につないだ).
                self.words.add(key, _Needle("person", part=True, alone=len(key) >= 2, marked=True,
                                            opening=len(key) == 1))
                if len(key) == 1:
                    for group in _FOLDED_AFFILIATIONS:
                        self.words.add(group + "ノ" + key, _Needle("person", part=True, prefix=len(group) + 1))
        if len(name.split()) == 1 and _KANJI_NAME.fullmatch(whole):
            # Sudachi's cut of a name written without a space can be wrong (希望光 as 希 / 望光) or
            # missing (四月一日心春): every surname of 1-4 and given name of 1-3 kanji also counts where
            # an honorific or a role marks it as a name (希望さん, 対応：四月一日), if two characters long
            # at least (a guessed 子 of 直子 would take 講師は子ども会 for a name).
            for cut in range(max(1, len(whole) - 3), min(4, len(whole) - 1) + 1):
                for key in (whole[:cut], whole[cut:]):
                    if len(key) >= 2:
                        self.words.add(key, _Needle("person", part=True, marked=True))

    def find(self, normalized: Projection) -> list[tuple[int, int, str]]:
        """Spans (in the original text) of known data, as (start, end, kind)."""
        found: list[tuple[int, int, str]] = []
        key = match_key(normalized)
        for start, end, kind in self.words.scan(key):
            found.append((*key.origin(start, end), kind))
        if len(self.romaji) and _LATIN_LETTERS.search(key.text):
            for start, end, kind in self.romaji.scan(key, word_starts=True):
                found.append((*key.origin(start, end), kind))
        if len(self.addresses):
            street = address_key(key)
            for start, end, kind in self.addresses.scan(street):
                found.append((*street.origin(start, end), kind))
        if self.phones:
            found.extend(self._find_phones(normalized))
        if self.postal_codes:
            # A known code however written: 2530041 with no 〒 or label (the patterns take bare seven
            # digits only after 郵便番号), 253 0041, 二五三-〇〇四一.
            for m in _POSTAL_RUN.finditer(kanji_digits_as_ascii(normalized).text):
                if m.group(1) + m.group(2) in self.postal_codes:
                    found.append((*normalized.origin(m.start(), m.end()), "postal_code"))
        return sorted(found)

    def _find_phones(self, normalized: Projection) -> list[tuple[int, int, str]]:
        found = []
        for digits, where, separated in phone_digits(kanji_digits_as_ascii(normalized)):
            # Whole groups only (0467821111 inside 10467821111 is some other number): try every run of
            # groups against the set, a handful of lookups however many phones the node holds.
            cuts = [i for i, gap in enumerate(separated) if gap] + [len(digits)]
            for a, start in enumerate(cuts[:-1]):
                for end in cuts[a + 1:]:
                    if digits[start:end] in self.phones:
                        found.append((*normalized.origin(where[start], where[end - 1] + 1), "phone"))
        return found


def find_known(text: str, known: KnownPersonalData) -> list[KnownHit]:
    """Known personal data still present in `text` (fail-closed check before a send): kinds and
    positions only. Catches other widths, spacing, hiragana/katakana and phone separators."""
    if not known:
        return []
    return [KnownHit(kind, start, end) for start, end, kind in known.matcher.find(normalize(text))]
