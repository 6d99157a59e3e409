"""Writes tests/anonymize/variants.jsonl: personal data in the spellings people actually type.

`python -m tests.anonymize.make_variants` gives the same file every time (seeded). Same line format
as corpus.jsonl ({"id", "text", "spans": [{"start", "end", "kind", "known"}], "known": {...}}) plus a
`variant` on each span naming its spelling class, which the benchmark reports recall by:

- phone: kanji numerals (〇九〇…), ○ for zero, ・ 、 の or spaced hyphens between groups, a line break
  inside, bracket and hyphen mixtures, digits one by one, +81;
- postal_code: kanji numerals, ・ or spaced hyphens after 〒 or 郵便番号;
- address: 縦書き kanji (二丁目七番十四号), kanji with dashes (三－十二－五), 3丁12-5, 12の5, the town in
  hiragana, spaces around the hyphens;
- email: IME mode (＠ and 。), あっと / アットマーク, at / dot, [at] / (at), &#64;, %40;
- person: invisible or filler characters inside (U+3164, U+034F, U+200B, U+115F, U+FEFF, soft hyphen,
  a variation selector), · ・ / between the parts, romaji (Taro Yamada, YAMADA Tarō, Satoh), readings
  with long-vowel marks (さとー ゆーこ), 々 written out (佐佐木), HTML entities, percent-encoding,
  kanji drawn like katakana (サト一, タ力ハシ);
- organization (known only: no pattern looks for unknown ones): no legal form, invisible characters,
  entities, half-width kana.

About half the spans hold a value the item's `known` data holds (as a node stores it: 山田 太郎 with
its reading, 090-1234-5678, the address in 丁目 form); the rest are third parties the node has never
seen, among known people who are not in the text. Texts without spans check precision: kanji numbers
in prose, 年度, amounts, times, place names in hiragana.
"""

from __future__ import annotations

import json
import random
import unicodedata
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

SEED = 1313
OUT = Path(__file__).with_name("variants.jsonl")

# (kanji, katakana reading, romaji spellings people use): hand-written, common surnames of Japan.
SURNAMES = [
    ("佐藤", "サトウ", ("Sato", "Satō", "Satoh", "Satou")), ("鈴木", "スズキ", ("Suzuki",)),
    ("高橋", "タカハシ", ("Takahashi",)), ("田中", "タナカ", ("Tanaka",)), ("伊藤", "イトウ", ("Ito", "Itō", "Itoh")),
    ("渡辺", "ワタナベ", ("Watanabe",)), ("山本", "ヤマモト", ("Yamamoto",)), ("中村", "ナカムラ", ("Nakamura",)),
    ("小林", "コバヤシ", ("Kobayashi",)), ("加藤", "カトウ", ("Kato", "Katō", "Katoh")), ("吉田", "ヨシダ", ("Yoshida",)),
    ("山田", "ヤマダ", ("Yamada",)), ("佐々木", "ササキ", ("Sasaki",)), ("山口", "ヤマグチ", ("Yamaguchi",)),
    ("松本", "マツモト", ("Matsumoto",)), ("井上", "イノウエ", ("Inoue",)), ("木村", "キムラ", ("Kimura",)),
    ("斎藤", "サイトウ", ("Saito", "Saitō")), ("清水", "シミズ", ("Shimizu",)), ("山崎", "ヤマザキ", ("Yamazaki",)),
    ("池田", "イケダ", ("Ikeda",)), ("橋本", "ハシモト", ("Hashimoto",)), ("石川", "イシカワ", ("Ishikawa",)),
    ("前田", "マエダ", ("Maeda",)), ("岡田", "オカダ", ("Okada",)), ("長谷川", "ハセガワ", ("Hasegawa",)),
    ("後藤", "ゴトウ", ("Goto", "Gotō")), ("近藤", "コンドウ", ("Kondo", "Kondō", "Kondoh")),
    ("遠藤", "エンドウ", ("Endo", "Endō")), ("太田", "オオタ", ("Ota", "Ōta", "Ohta")), ("大野", "オオノ", ("Ono", "Ōno", "Ohno")),
    ("野々村", "ノノムラ", ("Nonomura",)), ("工藤", "クドウ", ("Kudo", "Kudō")), ("内藤", "ナイトウ", ("Naito", "Naitō")),
    ("河野", "コウノ", ("Kono", "Kōno")), ("大島", "オオシマ", ("Oshima", "Ōshima")), ("佐々岡", "ササオカ", ("Sasaoka",)),
    ("須藤", "スドウ", ("Sudo", "Sudō")), ("小野寺", "オノデラ", ("Onodera",)), ("宮本", "ミヤモト", ("Miyamoto",)),
]
GIVEN = [
    ("太郎", "タロウ", ("Taro", "Tarō", "Tarou")), ("裕子", "ユウコ", ("Yuko", "Yūko", "Yuuko")), ("健太", "ケンタ", ("Kenta",)),
    ("花子", "ハナコ", ("Hanako",)), ("恵子", "ケイコ", ("Keiko",)), ("翔太", "ショウタ", ("Shota", "Shōta")),
    ("浩二", "コウジ", ("Koji", "Kōji")), ("陽子", "ヨウコ", ("Yoko", "Yōko")), ("悠斗", "ユウト", ("Yuto", "Yūto")),
    ("直樹", "ナオキ", ("Naoki",)), ("美咲", "ミサキ", ("Misaki",)), ("大輔", "ダイスケ", ("Daisuke",)),
    ("京子", "キョウコ", ("Kyoko", "Kyōko")), ("純一", "ジュンイチ", ("Junichi",)), ("雄一", "ユウイチ", ("Yuichi", "Yūichi")),
    ("洋平", "ヨウヘイ", ("Yohei", "Yōhei")), ("奈々子", "ナナコ", ("Nanako",)), ("菜々美", "ナナミ", ("Nanami",)),
    ("智子", "トモコ", ("Tomoko",)), ("康弘", "ヤスヒロ", ("Yasuhiro",)), ("正雄", "マサオ", ("Masao",)),
    ("節子", "セツコ", ("Setsuko",)), ("拓也", "タクヤ", ("Takuya",)), ("修平", "シュウヘイ", ("Shuhei", "Shūhei")),
    ("亮介", "リョウスケ", ("Ryosuke", "Ryōsuke")), ("涼子", "リョウコ", ("Ryoko", "Ryōko")), ("俊介", "シュンスケ", ("Shunsuke",)),
    ("千尋", "チヒロ", ("Chihiro",)), ("由美", "ユミ", ("Yumi",)), ("和也", "カズヤ", ("Kazuya",)),
]
# (municipality, town, the town in hiragana as people say it)
TOWNS = [
    ("茅ヶ崎市", "東海岸北", "ひがしかいがんきた"), ("茅ヶ崎市", "浜竹", "はまたけ"), ("藤沢市", "辻堂元町", "つじどうもとまち"),
    ("藤沢市", "鵠沼海岸", "くげぬまかいがん"), ("小田原市", "栄町", "さかえちょう"), ("横浜市西区", "戸部町", "とべちょう"),
    ("川崎市多摩区", "登戸", "のぼりと"), ("平塚市", "見附町", "みつけちょう"), ("鎌倉市", "由比ガ浜", "ゆいがはま"),
    ("大和市", "中央林間", "ちゅうおうりんかん"), ("厚木市", "旭町", "あさひちょう"), ("秦野市", "南が丘", "みなみがおか"),
    ("横浜市青葉区", "美しが丘", "うつくしがおか"), ("相模原市南区", "相模大野", "さがみおおの"), ("海老名市", "国分寺台", "こくぶんじだい"),
]
POSTAL_PREFIX = {"茅ヶ崎市": "253", "藤沢市": "251", "小田原市": "250", "横浜市西区": "220", "川崎市多摩区": "214",
                 "平塚市": "254", "鎌倉市": "248", "大和市": "242", "厚木市": "243", "秦野市": "257", "横浜市青葉区": "225",
                 "相模原市南区": "252", "海老名市": "243"}
AREA = {"茅ヶ崎市": "0467", "藤沢市": "0466", "小田原市": "0465", "横浜市西区": "045", "川崎市多摩区": "044",
        "平塚市": "0463", "鎌倉市": "0467", "大和市": "046", "厚木市": "046", "秦野市": "0463", "横浜市青葉区": "045",
        "相模原市南区": "042", "海老名市": "046"}
ORGS = [("NPO法人", "湘南ねこの会", "ショウナンネコノカイ"), ("一般社団法人", "ちがさき子育てネット", "チガサキコソダテネット"),
        ("", "南湖いきいきサロン", "ナンゴイキイキサロン"), ("特定非営利活動法人", "戸部こども食堂", "トベコドモショクドウ"),
        ("NPO法人", "おだわら防災ネット", "オダワラボウサイネット"), ("", "鵠沼フードバンク", "クゲヌマフードバンク"),
        ("社会福祉法人", "わかば福祉会", "ワカバフクシカイ"), ("", "登戸シニア囲碁クラブ", "ノボリトシニアイゴクラブ")]
MAIL_DOMAINS = ["example.jp", "gmail.com", "yahoo.co.jp", "docomo.ne.jp", "nifty.com", "icloud.com", "outlook.jp"]

KANJI_DIGITS = "〇一二三四五六七八九"
FILLERS = ["\u3164", "\u034f", "\u200b", "\u115f", "\ufeff", "\u00ad", "\ufe00", "\u2060", "\u1160"]


def kanji_digits(digits: str, zero: str = "〇") -> str:
    return "".join((zero if c == "0" else KANJI_DIGITS[int(c)]) if c.isdigit() else c for c in digits)


def kanji_number(n: int) -> str:
    """Positional kanji: 7 → 七, 12 → 十二, 24 → 二十四, 105 → 百五."""
    if n >= 100:
        hundreds, rest = divmod(n, 100)
        return ("" if hundreds == 1 else KANJI_DIGITS[hundreds]) + "百" + (kanji_number(rest) if rest else "")
    if n < 10:
        return KANJI_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else KANJI_DIGITS[tens]) + "十" + (KANJI_DIGITS[ones] if ones else "")


def hiragana(kana: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in kana)


_O_ROW = set("オコゴソゾトドノホボポモヨロョ")
_U_ROW = set("ウクグスズツヅヌフブプムユルュ")
_E_ROW = set("エケゲセゼテデネヘベペメレ")


def long_vowel_marks(kana: str) -> str:
    """サトウ → サトー, ユウコ → ユーコ, ケイコ → ケーコ, オオノ → オーノ: how a reading is typed by ear."""
    out: list[str] = []
    for c in kana:
        previous = out[-1] if out else ""
        if (c == "ウ" and (previous in _O_ROW or previous in _U_ROW)) or (c == "オ" and previous in _O_ROW) \
                or (c == "イ" and previous in _E_ROW):
            out.append("ー")
        else:
            out.append(c)
    return "".join(out)


LOOKALIKES = {"カ": "力", "ロ": "口", "エ": "工", "タ": "夕", "ト": "卜", "ハ": "八", "ニ": "二", "ー": "一"}


def entities(text: str, rng: random.Random) -> str:
    return "".join(rng.choice((f"&#{ord(c)};", f"&#x{ord(c):x};")) for c in text)


@dataclass
class Person:
    surname: str
    given: str
    surname_kana: str
    given_kana: str
    surname_roman: tuple[str, ...]
    given_roman: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"{self.surname} {self.given}"

    @property
    def kana(self) -> str:
        return f"{self.surname_kana} {self.given_kana}"


class Item:
    """Concatenates pieces and records the labelled spans exactly where they land."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.spans: list[dict] = []

    def add(self, piece: str, kind: str | None = None, known: bool = False, variant: str = "") -> Item:
        if kind:
            self.spans.append({"start": self.length, "end": self.length + len(piece), "kind": kind, "known": known,
                               "variant": variant})
        self.parts.append(piece)
        self.length += len(piece)
        return self

    def text(self) -> str:
        return "".join(self.parts)


class Variants:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.used_people: set[tuple[str, str]] = set()

    # -- values ------------------------------------------------------------------------------------

    def person(self) -> Person:
        while True:
            s = self.rng.choice(SURNAMES)
            g = self.rng.choice(GIVEN)
            if (s[0], g[0]) not in self.used_people:
                self.used_people.add((s[0], g[0]))
                return Person(s[0], g[0], s[1], g[1], s[2], g[2])

    def mobile(self) -> str:
        return f"{self.rng.choice(('090', '080', '070'))}-{self.rng.randint(1000, 9999)}-{self.rng.randint(1000, 9999)}"

    def landline(self, municipality: str) -> str:
        area = AREA[municipality]
        local = 10 - len(area) - 4
        return f"{area}-{self.rng.randint(10 ** (local - 1) * 2, 10 ** local - 1)}-{self.rng.randint(1000, 9999)}"

    def email(self, person: Person) -> str:
        s, g = person.surname_roman[0].lower(), person.given_roman[0].lower()
        local = self.rng.choice((f"{g}.{s}", f"{s}.{g}", f"{g}_{s}{self.rng.randint(1, 99)}", f"{s[0]}-{g}{self.rng.randint(60, 99)}"))
        return f"{local}@{self.rng.choice(MAIL_DOMAINS)}"

    def address(self) -> tuple[str, str, str, tuple[int, int, int]]:
        municipality, town, town_kana = self.rng.choice(TOWNS)
        numbers = (self.rng.randint(1, 9), self.rng.randint(1, 28), self.rng.randint(1, 24))
        return municipality, town, town_kana, numbers

    # -- spellings -----------------------------------------------------------------------------------

    def spell_person(self, p: Person, variant: str) -> str:
        rng = self.rng
        if variant == "invisible":
            filler = rng.choice(FILLERS)
            name = p.surname + p.given
            cut = rng.randint(1, len(name) - 1)
            return name[:cut] + filler + name[cut:]
        if variant == "separator":
            return p.surname + rng.choice(("·", "・", "/", "／", "･")) + p.given
        if variant == "romaji":
            s, g = rng.choice(p.surname_roman), rng.choice(p.given_roman)
            return rng.choice((f"{g} {s}", f"{s.upper()} {g}", f"{s} {g}", f"{g} {s.upper()}"))
        if variant == "long_vowel":
            spelled = long_vowel_marks(p.surname_kana) + rng.choice((" ", "\u3000", "")) + long_vowel_marks(p.given_kana)
            return hiragana(spelled) if rng.random() < 0.6 else spelled
        if variant == "odoriji":
            def written_out(part: str) -> str:
                return "".join(part[i - 1] if c == "々" else c for i, c in enumerate(part))

            return written_out(p.surname) + rng.choice((" ", "")) + written_out(p.given)
        if variant == "entities":
            name = p.surname + p.given
            cut = rng.randint(1, len(name))
            return entities(name[:cut], rng) + name[cut:]
        if variant == "percent":
            return urllib.parse.quote(p.surname + rng.choice(("", " ")) + p.given)
        if variant == "lookalike":
            spelled = long_vowel_marks(p.surname_kana) + " " + p.given_kana
            spots = [i for i, c in enumerate(spelled) if i > 0 and c in LOOKALIKES and spelled[i - 1] not in " "]
            i = rng.choice(spots)
            return spelled[:i] + LOOKALIKES[spelled[i]] + spelled[i + 1:]
        raise ValueError(variant)

    def person_variants(self, p: Person) -> list[str]:
        variants = ["invisible", "separator", "romaji", "entities", "percent"]
        if long_vowel_marks(p.surname_kana + p.given_kana) != p.surname_kana + p.given_kana:
            variants += ["long_vowel", "long_vowel"]
        if "々" in p.surname + p.given:
            variants += ["odoriji", "odoriji", "odoriji"]
        spelled = long_vowel_marks(p.surname_kana) + " " + p.given_kana
        if any(i > 0 and c in LOOKALIKES and spelled[i - 1] != " " for i, c in enumerate(spelled)):
            variants.append("lookalike")
        return variants

    def spell_phone(self, phone: str, variant: str) -> str:
        rng = self.rng
        groups = phone.split("-")
        if variant == "kanji":
            return rng.choice(("－", "ー", "-")).join(kanji_digits(g) for g in groups)
        if variant == "circle_zero":
            return rng.choice(("－", "ー", "-")).join(kanji_digits(g, zero=rng.choice("○◯")) for g in groups)
        if variant == "separator":
            return rng.choice(("・", "、", "の", " - ", " ー ", "．")).join(groups)
        if variant == "brackets":
            return rng.choice((f"{groups[0]}({groups[1]})-{groups[2]}", f"({groups[0]})-{groups[1]}-{groups[2]}",
                               f"{groups[0]}-({groups[1]})-{groups[2]}", f"（{groups[0]}）{groups[1]}ー{groups[2]}"))
        if variant == "line_break":
            return f"{groups[0]}-{groups[1]}-\n{groups[2]}" if rng.random() < 0.5 else f"{groups[0]}-\n{groups[1]}-{groups[2]}"
        if variant == "spaced_digits":
            return " - ".join(" ".join(g) for g in groups)
        if variant == "country_code":
            return rng.choice(("+81 ", "+81-", "+81(0)")) + "-".join([groups[0][1:], *groups[1:]])
        raise ValueError(variant)

    PHONE_VARIANTS = ("kanji", "circle_zero", "separator", "separator", "brackets", "line_break", "spaced_digits",
                      "country_code")

    def spell_postal(self, code: str, variant: str) -> str:
        a, b = code.split("-")
        if variant == "kanji":
            return f"〒{kanji_digits(a)}{self.rng.choice(('－', 'ー'))}{kanji_digits(b, zero=self.rng.choice('〇○'))}"
        if variant == "separator":
            return self.rng.choice((f"〒{a}・{b}", f"〒 {a} - {b}", f"〒{a} {b}", f"〒{a}ー{b}", f"〒{a}の{b}"))
        raise ValueError(variant)

    def spell_address(self, municipality: str, town: str, town_kana: str, numbers: tuple[int, int, int],
                      variant: str) -> str:
        a, b, c = numbers
        head = municipality if self.rng.random() < 0.7 else ""
        if variant == "vertical":
            return f"{head}{town}{kanji_number(a)}丁目{kanji_number(b)}番{kanji_number(c)}号"
        if variant == "kanji_dashes":
            return f"{head}{town}{kanji_number(a)}{self.rng.choice('－ー')}{kanji_number(b)}{self.rng.choice('－ー')}{kanji_number(c)}"
        if variant == "short":
            return self.rng.choice((f"{head}{town}{a}丁{b}-{c}", f"{head}{town}{a}丁目{b}の{c}", f"{head}{town}{a}の{b}の{c}"))
        if variant == "hiragana_town":
            return f"{municipality}{town_kana}{a}-{b}-{c}" if self.rng.random() < 0.6 else f"{town_kana}{a}ー{b}ー{c}"
        if variant == "spaced":
            return f"{head}{town}{a} - {b} - {c}"
        raise ValueError(variant)

    ADDRESS_VARIANTS = ("vertical", "vertical", "kanji_dashes", "short", "hiragana_town", "hiragana_town", "spaced")

    def spell_email(self, email: str, variant: str) -> str:
        local, domain = email.split("@")
        rng = self.rng
        if variant == "ime":
            return rng.choice((f"{local}＠{domain.replace('.', '。')}", f"{local.replace('.', '。')}＠{domain}",
                               "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in email).replace("．", "。")))
        if variant == "written_at":
            return rng.choice((f"{local}あっと{domain}", f"{local} アットマーク {domain}", f"{local}アット{domain}",
                               f"{local}あっとまーく{domain.replace('.', 'どっと')}"))
        if variant == "at_dot":
            return rng.choice((f"{local} at {domain.replace('.', ' dot ')}", f"{local}[at]{domain.replace('.', '[dot]')}",
                               f"{local}(at){domain}", f"{local} [at] {domain}"))
        if variant == "entity":
            return rng.choice((f"{local}&#64;{domain}", f"{local}&#x40;{domain}", f"{local}&commat;{domain}"))
        if variant == "percent":
            return f"{local}%40{domain}"
        raise ValueError(variant)

    EMAIL_VARIANTS = ("ime", "ime", "written_at", "written_at", "at_dot", "at_dot", "entity", "percent")

    def spell_org(self, legal: str, name: str, kana: str, variant: str) -> str:
        rng = self.rng
        if variant == "no_legal_form":
            return name
        if variant == "invisible":
            cut = rng.randint(1, len(name) - 1)
            return legal + name[:cut] + rng.choice(FILLERS) + name[cut:]
        if variant == "entities":
            cut = rng.randint(1, 3)
            return entities(name[:cut], rng) + name[cut:]
        if variant == "half_width_kana":
            return "".join(_HALF.get(c, c) for c in kana)
        raise ValueError(variant)

    # -- texts ---------------------------------------------------------------------------------------

    def items(self) -> list[dict]:
        items: list[dict] = []
        builders = [self.person_item] * 9 + [self.phone_item] * 4 + [self.email_item] * 3 + [self.address_item] * 6 \
            + [self.postal_item] * 3 + [self.org_item] * 2 + [self.mixed_item] * 3
        count = 0
        while count < 270:
            known = count % 2 == 0
            item = self.rng.choice(builders)(known)
            item["id"] = f"v{count:04d}"
            items.append(item)
            count += 1
        for i, text in enumerate(PRECISION_TEXTS):
            items.append({"id": f"p{i:04d}", "text": text, "spans": [], "known": self.distractors()})
        return items

    def distractors(self, count: int = 3) -> dict:
        """Known people and contacts of the node who are not in the text."""
        people = [self.person() for _ in range(count)]
        municipality, town, _, (a, b, c) = self.address()
        return {"person_names": [p.name for p in people] + [p.kana for p in people[:2]],
                "phones": [self.mobile(), self.landline(municipality)], "emails": [self.email(people[0])],
                "addresses": [f"神奈川県{municipality}{town}{a}丁目{b}番{c}号"],
                "postal_codes": [f"{POSTAL_PREFIX[municipality]}-{self.rng.randint(0, 9999):04d}"],
                "organizations": ["NPO法人ひらつか里山の会"]}

    def _finish(self, item: Item, known: dict) -> dict:
        base = self.distractors()
        for field, values in known.items():
            base[field] = values + base[field]
        return {"text": item.text(), "spans": item.spans, "known": base}

    def person_item(self, known: bool) -> dict:
        p = self.person()
        variant = self.rng.choice(self.person_variants(p))
        written = self.spell_person(p, variant)
        if variant == "romaji":
            before, after = self.rng.choice(ROMAJI_FRAMES)
        else:
            before, after = self.rng.choice(PERSON_FRAMES)
        item = Item().add(before).add(written, "person", known, variant).add(after)
        data = {"person_names": [p.name] + ([p.kana] if self.rng.random() < 0.7 else [])} if known else {}
        return self._finish(item, data)

    def phone_item(self, known: bool) -> dict:
        municipality = self.rng.choice(TOWNS)[0]
        phone = self.mobile() if self.rng.random() < 0.6 else self.landline(municipality)
        variant = self.rng.choice(self.PHONE_VARIANTS)
        before, after = self.rng.choice(PHONE_FRAMES)
        item = Item().add(before).add(self.spell_phone(phone, variant), "phone", known, variant).add(after)
        return self._finish(item, {"phones": [phone]} if known else {})

    def email_item(self, known: bool) -> dict:
        p = self.person()
        email = self.email(p)
        variant = self.rng.choice(self.EMAIL_VARIANTS)
        before, after = self.rng.choice(EMAIL_FRAMES)
        item = Item().add(before).add(self.spell_email(email, variant), "email", known, variant).add(after)
        return self._finish(item, {"emails": [email]} if known else {})

    def address_item(self, known: bool) -> dict:
        municipality, town, town_kana, numbers = self.address()
        variant = self.rng.choice(self.ADDRESS_VARIANTS)
        written = self.spell_address(municipality, town, town_kana, numbers, variant)
        before, after = self.rng.choice(ADDRESS_FRAMES)
        item = Item().add(before).add(written, "address", known, variant).add(after)
        a, b, c = numbers
        stored = self.rng.choice((f"神奈川県{municipality}{town}{a}丁目{b}番{c}号", f"{municipality}{town}{a}-{b}-{c}",
                                  f"神奈川県{municipality}{town}{a}丁目{b}-{c} コーポ{town}{self.rng.randint(101, 305)}"))
        return self._finish(item, {"addresses": [stored]} if known else {})

    def postal_item(self, known: bool) -> dict:
        municipality, town, _, numbers = self.address()
        code = f"{POSTAL_PREFIX[municipality]}-{self.rng.randint(0, 9999):04d}"
        variant = self.rng.choice(("kanji", "kanji", "separator"))
        before, after = self.rng.choice(POSTAL_FRAMES)
        item = Item().add(before).add(self.spell_postal(code, variant), "postal_code", known, variant).add(after)
        return self._finish(item, {"postal_codes": [code]} if known else {})

    def org_item(self, known: bool) -> dict:
        # Organizations are personal data only when the node holds them (a group that did not consent).
        legal, name, kana = self.rng.choice(ORGS)
        variant = self.rng.choice(("no_legal_form", "invisible", "entities", "half_width_kana"))
        before, after = self.rng.choice(ORG_FRAMES)
        item = Item().add(before).add(self.spell_org(legal, name, kana, variant), "organization", True, variant).add(after)
        return self._finish(item, {"organizations": [legal + name, kana]})

    def mixed_item(self, known: bool) -> dict:
        """A contact line: a person, a phone and an e-mail, one of them known and the others not, or all."""
        p = self.person()
        phone = self.mobile()
        email = self.email(p)
        which = self.rng.choice(("person", "phone", "email", "all")) if known else ""
        person_variant = self.rng.choice([v for v in self.person_variants(p) if v != "romaji"])
        phone_variant = self.rng.choice(self.PHONE_VARIANTS)
        email_variant = self.rng.choice(self.EMAIL_VARIANTS)
        opening, closing = self.rng.choice((("（携帯 ", "）"), ("さん　電話 ", ""), (" 様／TEL ", " まで"), ("（", "）へ。")))
        item = Item().add(self.rng.choice(("連絡係：", "担当 ", "申込者 ", "世話人：")))
        item.add(self.spell_person(p, person_variant), "person", which in ("person", "all"), person_variant)
        item.add(opening)
        item.add(self.spell_phone(phone, phone_variant), "phone", which in ("phone", "all"), phone_variant)
        item.add(self.rng.choice(("、メール ", " / mail: ", "　E-mail：")))
        item.add(self.spell_email(email, email_variant), "email", which in ("email", "all"), email_variant)
        item.add(closing)
        data: dict = {}
        if which in ("person", "all"):
            data["person_names"] = [p.name, p.kana]
        if which in ("phone", "all"):
            data["phones"] = [phone]
        if which in ("email", "all"):
            data["emails"] = [email]
        return self._finish(item, data)


# Half-width katakana by the full-width kana (and voiced kana) each stands for.
_HALF = {unicodedata.normalize("NFKC", chr(cp)): chr(cp) for cp in range(0xFF66, 0xFF9E)}
_HALF.update({unicodedata.normalize("NFC", base + "\u3099"): half + "ﾞ" for base, half in list(_HALF.items())
              if unicodedata.normalize("NFC", base + "\u3099") != base + "\u3099"})
_HALF.update({unicodedata.normalize("NFC", base + "\u309a"): half + "ﾟ" for base, half in list(_HALF.items())
              if len(base) == 1 and unicodedata.normalize("NFC", base + "\u309a") != base + "\u309a"})

PERSON_FRAMES = [
    ("相談者は", "さん。子育てサークルの立ち上げについて。"), ("", "さんから電話があり、来月の講座に申し込みたいとのこと。"),
    ("代表の", "氏が来館し、助成金の申請について相談した。"), ("講師：", "さん（元小学校教員）"),
    ("自治会の", "会長と打合せを行った。"), ("担当 ", "／次回は10月に訪問予定"), ("", "様より寄付の申し出があった。"),
    ("見守りボランティアの", "さんにつないだ。"), ("（対応：", "）"), ("申込者 ", " 様、参加者3名。"),
    ("地区社協の", "さんが「まずは話を聞きたい」と来所。"), ("報告者：", "\n令和6年度の活動報告を受け取った。"),
]
ROMAJI_FRAMES = [
    ("留学生支援の件で ", "さんから英文のメールが届いた。"), ("名刺の表記は「", "」。国際交流の団体を紹介した。"),
    ("Contact: ", " (volunteer)"), ("署名欄に ", " とあった。"), ("講師は ", " 氏。通訳付きで実施。"),
    ("英語版チラシの問合せ先は ", " さん。"),
]
PHONE_FRAMES = [
    ("連絡先は", "です。"), ("携帯：", "（日中のみ）"), ("電話 ", " まで折り返しを希望。"), ("TEL ", "\n受付は平日のみ。"),
    ("「", "に電話ください」とのメモあり。"), ("緊急時は", "へ。"), ("代表電話（", "）に問い合わせた。"),
]
EMAIL_FRAMES = [
    ("メールは", "です。"), ("連絡は ", " まで。"), ("返信先：", "\n（スパム対策のため表記を変えています）"),
    ("問合せ先　", "　担当者宛"), ("チラシの記載：", "（＠を半角に）"), ("申込みは", "へ送ってください。"),
]
ADDRESS_FRAMES = [
    ("会場は", "の集会所。"), ("住所：", "\n最寄りはバス停から徒歩5分。"), ("送付先 ", " 宛に資料を郵送した。"),
    ("自宅（", "）で月1回サロンを開催。"), ("事務所所在地：", "。"), ("倉庫は", "にある。"),
]
POSTAL_FRAMES = [
    ("", " 茅ヶ崎市内の事務所あて。"), ("郵送先は", "の事務所。"), ("（", "）"), ("あて先 ", "\n担当者様"),
]
ORG_FRAMES = [
    ("", "から協力の申し出があった。"), ("協働先：", "（名称非公開を希望）"), ("", "と市の担当課が打合せを行った。"),
    ("連携団体は", "。"),
]

# Must come through untouched: kanji numbers in prose, 年度, amounts, times, dates, place names (also in
# hiragana), counts and ordinals.
PRECISION_TEXTS = [
    "令和6年度は三つの団体が参加し、十二月の第二回交流会には四十五名が集まった。",
    "事業費は百二十万円、うち市の負担は六十万円。",
    "午前十時三十分から正午まで、二階の会議室で開催。",
    "第三回の委員会で、二〇二四年度の計画を承認した。",
    "参加者は一人三百円を負担し、二十名ほどが集まった。",
    "一丁目から三丁目までの自治会が合同で防災訓練を行った。",
    "ちがさきの海岸で清掃活動、ひらつかの七夕まつりにも出店した。",
    "十二月二十四日にクリスマス会、一月には新春交流会を予定。",
    "平成十九年度に設立、今年で十八年目を迎える。",
    "会員は五十二名、うち三割が七十代。",
    "二つ目の課題は、担い手の高齢化である。",
    "九時〜十二時、十三時〜十六時の二部制で実施した。",
    "一人ひとりの声を大切に、四つの部会で活動している。",
    "三月三日のひなまつりに合わせて、百人一首の会を開いた。",
    "本町三丁目の集会所で、毎月第二土曜日に開催。",
    "定員三十名、参加費五百円、申込みは先着順。",
    "二〇二三年十月十五日（日）十時開始。",
    "令和5年度 120万円を交付、R6年度も継続。",
    "13:30～15:00 中央公園にて。雨天時は公民館。",
    "よこはまの市民活動センターと、さがみはらの団体が交流した。",
    "第五十二回市民まつりは十一月三日に開催予定。",
    "ゆいがはまの清掃には六十名、うち子ども十五名が参加した。",
    "一〇〇円ショップの材料で工作教室を行った（参加者二十三名）。",
    "三者協議の結果、四月から六か月間の試行とした。",
    "七十周年記念誌を五百部発行した。",
    "二丁目の公園で夏まつり、盆踊りは十九時から。",
    "サロンの開催は月二回、一回あたり二時間。",
    "年間予算は三百五十万円、うち会費収入が二割。",
    "八王子市や二宮町の事例も参考にした。",
    "四月一日から新体制、事務局は二名体制となる。",
    "十二団体が参加し、合計で千二百人が来場した。",
    "みなとみらい地区の企業三社が協賛。",
    "電話相談は週三日、一件あたり三十分程度。",
    "2024年度の助成額は1,200,000円、上限は二百万円。",
    "講座は全六回、各回九十分。",
    "つじどうの商店会と協働で、空き店舗を活用した。",
    "子ども食堂は毎週水曜、十七時から十九時まで。",
    "五年ぶりに開催、来場者は約三千人。",
    "一月十日〆切、結果は二月上旬に通知。",
    "はだのの里山で竹林整備、参加者は四十名。",
]


def build(seed: int = SEED) -> list[dict]:
    return Variants(seed).items()


def main() -> None:
    with OUT.open("w", encoding="utf-8") as out:
        for item in build():
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
    items = build()
    spans = [s for i in items for s in i["spans"]]
    print(f"{len(items)} texts, {len(spans)} spans ({sum(s['known'] for s in spans)} known) -> {OUT}")


if __name__ == "__main__":
    main()
