"""The known personal data compiled into skeleton tables, and the scan of outgoing texts against them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from . import readings
from .fold import (
    DIGIT,
    HIRAGANA,
    KANJI,
    KATAKANA,
    LATIN,
    Skeleton,
    ascii_view,
    digit_chains,
    key,
    literal_key,
    national_digits,
    prepare,
    skeletons_of_prepared,
)
from .romaji import hepburn, reduce

KINDS = ("person", "phone", "email", "address", "postal_code", "organization")
# The fields of the known data, as the scrubber's KnownPersonalData names them (read by name, so
# this package needs nothing of the scrubber's).
FIELDS = ("person_names", "phones", "emails", "addresses", "organizations", "postal_codes")

# After a name (skeleton spelling: kana folded, length dropped): 林さん, 林様, 林会長, 林代表.
_HONORIFICS = tuple(key(w) for w in ("さん", "様", "さま", "氏", "君", "くん", "ちゃん", "殿", "どの", "先生", "会長",
                                     "副会長", "代表", "理事長", "理事", "事務局長", "委員長", "委員", "課長", "係長",
                                     "部長", "館長", "所長", "議員", "宅", "家", "親子", "夫妻"))
# Before a name, with or without の/は/：between: 代表の林, 担当 林, 対応：林, 問合せは林.
_ROLES_BEFORE = tuple(key(w) for w in ("代表", "代表者", "担当", "担当者", "会長", "理事長", "事務局長", "委員長", "講師",
                                       "相談者", "申込者", "対応", "問合せ", "問い合わせ", "連絡先", "職員", "記入者",
                                       "報告者", "責任者", "世話人", "依頼者"))
_LEADS = tuple(role + joint for role in _ROLES_BEFORE for joint in ("", key("の"), key("は"), key("として")))
# Romaji honorifics and titles, reduced like the names they mark: Yamada-san, Mr. Yamada.
_ROMAJI_AFTER = frozenset(reduce(w) for w in ("san", "sama", "sensei", "kun", "chan", "shi", "dono", "sann"))
_ROMAJI_BEFORE = frozenset(("mr", "ms", "mrs", "miss", "dr", "prof", "mx"))
_JAPANESE_AFTER = ("さん", "様", "さま", "氏", "君", "くん", "ちゃん", "殿", "先生")
# Legal forms a text leaves out: NPO法人湘南ねこの会 is also just 湘南ねこの会.
_LEGAL_FORMS = tuple(sorted((key(f) for f in (
    "特定非営利活動法人", "NPO法人", "一般社団法人", "公益社団法人", "一般財団法人", "公益財団法人", "社会福祉法人",
    "株式会社", "有限会社", "合同会社", "(株)", "(有)", "(一社)", "(特非)", "(社福)", "認定NPO法人")), key=len, reverse=True))
_PREFECTURE = re.compile("^(?:" + "|".join((
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県", "群馬県", "埼玉県", "千葉県",
    "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県", "岐阜県", "静岡県", "愛知県", "三重県",
    "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県", "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県",
    "香川県", "愛媛県", "高知県", "福岡県", "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県")) + ")")
_MUNICIPALITY = re.compile(r"^(?:.{1,5}?郡.{1,4}?[町村]|.{1,5}?市(?:.{1,4}?区)?|.{1,4}?区)")
_STREET = re.compile(r"[0-9]+(?:-[0-9]+)*")
# Where the street number starts in a known address as written: 1丁目, 一丁目, 12-5, 2405番地 (but not
# the 二 of the town 二つ室).
_RAW_STREET = re.compile(r"[0-9〇一二三四五六七八九十百千]+\s*(?:丁目|丁|番地|番|号|-|の|ノ)\s*[0-9〇一二三四五六七八九十]"
                         r"|[0-9]{3,}")
# Mailbox names an organization or an office shares: only the whole address identifies them.
_GENERIC_MAILBOXES = frozenset((
    "info", "information", "office", "contact", "mail", "admin", "support", "staff", "webmaster", "postmaster",
    "jimukyoku", "jimukyoku1", "center", "soudan", "toiawase", "inquiry", "noreply", "no-reply", "desk", "hello",
    "press", "kouhou", "event", "events", "volunteer", "npo", "shimin", "kyodo", "kyoudou", "entry", "web", "master"))


@dataclass(frozen=True)
class _Needle:
    kind: str
    # "anywhere"; "alone": not glued to a word of the same script on either side, or marked;
    # "marked": an honorific or role after it, or a role before it; "street": not followed by more of
    # the number (1-1-1 is not 1-1-10).
    mode: str


class _Table:
    """Skeleton keys by first character, with the lengths that start there: one dict lookup per
    position and length, whatever the number of keys."""

    def __init__(self) -> None:
        self.needles: dict[str, set[_Needle]] = {}
        self.lengths: dict[str, tuple[int, ...]] = {}

    def add(self, skeleton_key: str, needle: _Needle) -> None:
        if not skeleton_key:
            return
        self.needles.setdefault(skeleton_key, set()).add(needle)
        lengths = set(self.lengths.get(skeleton_key[0], ())) | {len(skeleton_key)}
        self.lengths[skeleton_key[0]] = tuple(sorted(lengths, reverse=True))

    def kinds_in(self, sk: Skeleton, wanted: set[str]) -> set[str]:
        text = sk.text
        found: set[str] = set()
        n = len(text)
        for i, ch in enumerate(text):
            for length in self.lengths.get(ch, ()):
                if i + length > n:
                    continue
                needles = self.needles.get(text[i:i + length])
                if not needles:
                    continue
                for needle in needles:
                    if needle.kind in wanted and needle.kind not in found and _stands(sk, i, i + length, needle):
                        found.add(needle.kind)
        return found


def _compatible(a: str, b: str) -> bool:
    """Two characters of one word: same script, or kanji and katakana together (佐藤ガス, ヤマダ電機)."""
    return a == b or {a, b} == {KANJI, KATAKANA}


def _honorific_at(sk: Skeleton, position: int) -> bool:
    text = sk.text
    for word in _HONORIFICS:
        if text.startswith(word, position):
            after = position + len(word)
            # 林委員会 is a committee, 林家具 a shop: a kanji role glued to more kanji is another word.
            if sk.scripts[position] == KANJI and sk.glued_after(after) and sk.scripts[after] == KANJI:
                continue
            return True
    return False


# Hiragana particles (as the skeleton spells them) a name may follow: 企業のしずよさん.
_PARTICLES = frozenset("ノハガトモニオヘデヤ")


def _marked(sk: Skeleton, start: int, end: int) -> bool:
    """An honorific or role after the name (林さん, 林会長), or a role before it (対応：林, 代表の林).
    Not a given name glued to another surname: 後藤和也様 is not the known 小野寺 和也."""
    if end < len(sk.text) and _honorific_at(sk, end):
        glued = sk.glued_before(start) and _compatible(sk.scripts[start - 1], sk.scripts[start]) \
            and not (sk.scripts[start - 1] == HIRAGANA and sk.text[start - 1] in _PARTICLES)
        if not glued:
            return True
    for lead in _LEADS:
        first = start - len(lead)
        if first >= 0 and sk.text.startswith(lead, first) \
                and (first == 0 or sk.breaks[first] or not _compatible(sk.scripts[first - 1], sk.scripts[first])):
            # The name must end there: 対応：林業 is another word.
            return not (sk.glued_after(end) and _compatible(sk.scripts[end - 1], sk.scripts[end]))
    return False


def _stands(sk: Skeleton, start: int, end: int, needle: _Needle) -> bool:
    mode = needle.mode
    scripts = sk.scripts
    if scripts[start] == LATIN or scripts[end - 1] == LATIN:
        # Latin letters make words of their own: a known "mark" is not inside "market".
        if sk.glued_before(start) and scripts[start - 1] in (LATIN, DIGIT):
            return False
        if sk.glued_after(end) and scripts[end] in (LATIN, DIGIT):
            return False
        return mode != "marked" or _marked(sk, start, end)
    if mode == "anywhere":
        return True
    if mode == "street":
        return not (sk.glued_after(end) and scripts[end] == DIGIT)
    if _marked(sk, start, end):
        return True
    if mode == "marked":
        return False
    if scripts[start] == HIRAGANA and all("\u30a1" <= c <= "\u30fa" for c in sk.text[start:end]):
        # A kana name written in hiragana reads as a word (ひかる石, まことに): only marked it is a name.
        return False
    # A word of its own: not joined to more of its script, nor only a space or a name dot away from it
    # (佐藤/洋平 is someone else's full name).
    glued_before = sk.near_before(start) and _compatible(scripts[start - 1], scripts[start])
    glued_after = sk.near_after(end) and _compatible(scripts[end - 1], scripts[end])
    return not glued_before and not glued_after


@dataclass(frozen=True)
class _RomajiName:
    parts: tuple[str, ...]  # reduced
    wholes: frozenset[str]  # reduced spellings of the whole name, either order


class LeakCheck:
    """Known personal data compiled once (a node's worth takes a second or two with Sudachi readings);
    `kinds(texts)` then costs a few passes over each text."""

    def __init__(self, known=None) -> None:
        self.words = _Table()
        self.literal = _Table()  # the same needles spelled with their kana vowels, where that differs
        self.phones: set[str] = set()
        self.postal_codes: set[str] = set()
        self.mailboxes: set[str] = set()  # compact local parts that identify alone
        self.addresses_full: set[tuple[str, str]] = set()  # (compact local part, domain) of shared mailboxes
        self.romaji_wholes: set[str] = set()
        self.romaji_parts: set[str] = set()
        self.romaji_surnames: set[str] = set()
        self.lengths_phone: tuple[int, ...] = ()
        self._added: dict[str, set[str]] = {name: set() for name in FIELDS}
        if known is not None:
            self.extend(known)

    def extend(self, known) -> LeakCheck:
        """Add the values of `known` not added before: a check that only grows costs a node one
        compile, then a little per value registered since (a value gone from the node stays a needle:
        an extra refusal at worst, never a leak)."""
        values = {name: [v for v in _values(known, name) if v not in self._added[name]] for name in FIELDS}
        for name, fresh in values.items():
            self._added[name].update(fresh)
        for name in values["person_names"]:
            self._add_person(name)
        for organization in values["organizations"]:
            self._add_organization(organization)
        for address in values["addresses"]:
            self._add_address(address)
        for phone in values["phones"]:
            digits = national_digits(phone)
            if len(digits) >= 8:
                self.phones.add(digits)
        for code in values["postal_codes"]:
            digits = national_digits(code)
            if len(digits) == 7:
                self.postal_codes.add(digits)
        for email in values["emails"]:
            self._add_email(email)
        self.lengths_phone = tuple(sorted({len(p) for p in self.phones}, reverse=True))
        return self

    def __bool__(self) -> bool:
        return bool(self.words.needles or self.phones or self.postal_codes or self.mailboxes
                    or self.addresses_full or self.romaji_wholes)

    # -- compiling ---------------------------------------------------------------------------------

    def _add(self, value: str, needle: _Needle, suffix: str = "") -> None:
        skeleton_key = key(value) + suffix
        self.words.add(skeleton_key, needle)
        literal = literal_key(value) + suffix
        if literal != skeleton_key:
            self.literal.add(literal, needle)

    def _add_person(self, name: str) -> None:
        name = " ".join(prepare(name).split())
        if not name:
            return
        parts = readings.name_parts(name)
        self._add("".join(parts), _Needle("person", _whole_mode(key("".join(parts)))))
        spoken = [readings.reading(p) for p in parts]
        if all(spoken):
            self._add("".join(spoken), _Needle("person", _whole_mode(key("".join(spoken)))))
        if len(parts) >= 2:
            for part in parts:
                self._add_part(part)
            for part, written in zip(spoken, parts, strict=True):
                # A reading Sudachi gave (not one the node holds) is a guess: alone only when long.
                self._add_part(part, guessed=part != written)
        elif re.fullmatch(r"[一-龥々]{3,7}", name):
            # A name Sudachi cannot cut (四月一日心春): every cut counts where a name is marked as one.
            for cut in range(1, len(name)):
                for piece in (name[:cut], name[cut:]):
                    if len(piece) >= 2:
                        self.words.add(key(piece), _Needle("person", "marked"))
        if all(spoken):
            romaji = [reduce(hepburn(p)) for p in spoken]
            self.romaji_wholes.update({"".join(romaji), "".join(reversed(romaji)),
                                       reduce(hepburn("".join(spoken))), reduce(hepburn("".join(reversed(spoken))))})
            if len(romaji) >= 2:
                self.romaji_parts.update(r for r in romaji if len(r) >= 2)
                self.romaji_surnames.add(romaji[0])  # names are kept 姓 名

    def _add_part(self, value: str, *, guessed: bool = False) -> None:
        part = key(value)
        if not part:
            return
        kana_only = all("\u30a1" <= c <= "\u30fa" for c in part)
        # A part of one character (林), or two kana (サト of サトウ), is too common a word to stand alone;
        # nor is a name of kanji numerals (九十九, read 99 like the 九十九 of 九十九里町 or 99名).
        alone = (len(part) >= (4 if guessed else 3) or (len(part) == 2 and not kana_only)) \
            and not any(c.isdigit() for c in part)
        self._add(value, _Needle("person", "alone" if alone else "marked"))

    def _add_organization(self, organization: str) -> None:
        whole = key(organization)
        if len(whole) >= 2:
            self._add(organization, _Needle("organization", "anywhere" if len(whole) >= 3 else "alone"))
        core = whole
        for form in _LEGAL_FORMS:
            if core.startswith(form):
                core = core[len(form):]
            elif core.endswith(form):
                core = core[:-len(form)]
        if core != whole and len(core) >= 3:
            self.words.add(core, _Needle("organization", "anywhere"))

    def _add_address(self, address: str) -> None:
        """Town and street number (東海岸北3-12-5), in kanji and in the town's reading: the text may
        leave out the prefecture, the municipality and the building."""
        raw = "".join(prepare(address).split())
        street = _RAW_STREET.search(raw)
        if street is None:
            return
        number = _STREET.match(key(raw[street.start():]))
        if number is None or not re.fullmatch(r"[0-9]+(?:-[0-9]+)+|[0-9]{3,}", number.group()):
            return  # no street number: a town alone is not an address
        town = _MUNICIPALITY.sub("", _PREFECTURE.sub("", raw[:street.start()]))
        for lead in ("大字", "字"):
            town = town.removeprefix(lead)
        if not town:
            return
        self.words.add(key(town) + number.group(), _Needle("address", "street"))
        # The town as a reader says it: ひがしかいがんきた3-12-5.
        spoken = readings.reading(town)
        if spoken:
            self._add(spoken, _Needle("address", "street"), suffix=number.group())

    def _add_email(self, email: str) -> None:
        view = ascii_view(prepare(email)).strip()
        local, _, domain = view.rpartition("@")
        if not local:
            return
        compact = _compact(local)
        if compact in _GENERIC_MAILBOXES or len(compact) < 4:
            self.addresses_full.add((compact, domain.strip(".")))
        else:
            self.mailboxes.add(compact)

    # -- scanning ----------------------------------------------------------------------------------

    def kinds(self, texts: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for text in texts:
            if text:
                found |= self._kinds_in(text, set(KINDS) - found)
            if len(found) == len(KINDS):
                break
        return found

    def _kinds_in(self, text: str, wanted: set[str]) -> set[str]:
        prepared = prepare(text)
        found: set[str] = set()
        if self.words.needles:
            sk, literal = skeletons_of_prepared(prepared)
            found |= self.words.kinds_in(sk, wanted)
            if self.literal.needles and wanted - found and literal is not sk:
                found |= self.literal.kinds_in(literal, wanted - found)
        if ("phone" in wanted and self.phones) or ("postal_code" in wanted and self.postal_codes):
            found |= self._numbers(prepared, wanted)
        if "email" in wanted and (self.mailboxes or self.addresses_full) and _has_ascii_word(prepared):
            if self._mailbox_in(prepared):
                found.add("email")
        if "person" in wanted and self.romaji_wholes and _has_ascii_word(prepared):
            if self._romaji_in(prepared):
                found.add("person")
        return found

    def _numbers(self, prepared: str, wanted: set[str]) -> set[str]:
        found: set[str] = set()
        for chain in digit_chains(prepared):
            digits = chain.digits
            for start in chain.starts:
                if "phone" in wanted and "phone" not in found:
                    for length in self.lengths_phone:
                        if start + length in chain.ends and digits[start:start + length] in self.phones:
                            found.add("phone")
                            break
                if "postal_code" in wanted and start + 7 in chain.ends and digits[start:start + 7] in self.postal_codes:
                    found.add("postal_code")
        return found

    def _mailbox_in(self, prepared: str) -> bool:
        for token in _MAIL_TOKEN.findall(ascii_view(prepared)):
            local, at, domain = token.partition("@")
            compact = _compact(local)
            if compact in self.mailboxes:
                return True
            if at and (compact, domain.strip(".")) in self.addresses_full:
                return True
        return False

    def _romaji_in(self, prepared: str) -> bool:
        runs = _ROMAJI_RUN.finditer(prepared)
        for run in runs:
            words = [(m.group(), m.end()) for m in _LATIN_WORD.finditer(run.group())]
            reduced = [reduce(w) for w, _ in words]
            for i, word in enumerate(reduced):
                if word in self.romaji_wholes:
                    return True
                if i + 1 < len(reduced) and word + reduced[i + 1] in self.romaji_wholes:
                    return True
                if word in self.romaji_surnames and len(word) >= LONE_ROMAJI:
                    return True  # a known surname in romaji, standing alone, as its kanji would count
                if word in self.romaji_parts:
                    after = run.start() + words[i][1]
                    if (i + 1 < len(reduced) and reduced[i + 1] in _ROMAJI_AFTER) \
                            or (i > 0 and words[i - 1][0] in _ROMAJI_BEFORE) \
                            or prepared.startswith(_JAPANESE_AFTER, after):
                        return True
        return False


# A known surname in romaji long enough to be that name even with nothing around it (kadowaki,
# yamamoto); shorter ones (sato, ito) and given names (ryosuke in a stranger's mailbox) are too often
# something else to count without a san or a neighbour.
LONE_ROMAJI = 6
# Latin words separated only by spaces, dots, commas, hyphens, middle dots, slashes: one run of a name.
_ROMAJI_RUN = re.compile(r"[a-z]+(?:[\s.,\-_/・·']+[a-z]+)*")
_LATIN_WORD = re.compile(r"[a-z]+")
_MAIL_TOKEN = re.compile(r"[a-z0-9][a-z0-9._+\-]*(?:@[a-z0-9][a-z0-9.\-]*)?")


def _compact(local: str) -> str:
    return re.sub(r"[._+\-]", "", local.strip("._+-"))


def _has_ascii_word(prepared: str) -> bool:
    return re.search(r"[a-z]{2}", prepared) is not None


def _whole_mode(whole: str) -> str:
    if len(whole) >= 4 or (len(whole) == 3 and any(not ("\u30a1" <= c <= "\u30fa") for c in whole)):
        return "anywhere"
    return "alone" if len(whole) >= 2 else "marked"


def _values(known, name: str) -> tuple[str, ...]:
    values = known.get(name, ()) if isinstance(known, Mapping) else getattr(known, name, ())
    if isinstance(values, str):
        values = (values,)
    return tuple(str(v) for v in values or () if v and str(v).strip())


@lru_cache(maxsize=4)
def _compiled(frozen: tuple[tuple[str, tuple[str, ...]], ...]) -> LeakCheck:
    return LeakCheck(dict(frozen))


# The same (immutable) known-data object passed again: no hashing of its thousands of values.
_by_identity: dict[int, tuple[object, LeakCheck]] = {}


def compile_known(known) -> LeakCheck:
    """A LeakCheck for `known` (KnownPersonalData, any object with its fields, or a mapping of lists);
    the last few are kept compiled, so a node's batch of payloads compiles its known data once."""
    if isinstance(known, LeakCheck):
        return known
    entry = _by_identity.get(id(known))
    if entry is not None and entry[0] is known:
        return entry[1]
    check = _compiled(tuple((name, _values(known, name)) for name in FIELDS))
    if not isinstance(known, Mapping):  # a mapping may change under the same id
        if len(_by_identity) >= 8:
            _by_identity.pop(next(iter(_by_identity)))
        _by_identity[id(known)] = (known, check)
    return check


def leaks(texts: Iterable[str], known) -> set[str]:
    """Kinds of known personal data (person, phone, email, address, postal_code, organization) still
    findable in any of `texts`, however spelled: an empty set means the payload may leave. Never the
    values themselves, so the result may be logged and shown."""
    if isinstance(texts, str):
        texts = (texts,)
    return compile_known(known).kinds(texts)
