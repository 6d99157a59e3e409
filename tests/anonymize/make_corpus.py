"""Writes tests/anonymize/corpus.jsonl: labelled case and consultation texts for the scrubber.

`python -m tests.anonymize.make_corpus` gives the same file every time (seeded, both `random` and
Faker). Each line is {"id", "text", "spans": [{"start", "end", "kind", "known"}], "known": {...}};
`known` on a span says the value is derivable from the item's known data (the node holds it), which
the benchmark reports apart. Vocabulary and situations come from the seed documents (UMECO,
茅ヶ崎市の協働推進事業, にしく市民活動支援センターの関わりカード, みんかな).

People, addresses, phones, emails and postal codes come from Faker's ja_JP providers (names with
their kana readings and romanizations, prefectures, cities, towns, buildings, postcodes, mobile
formats, user names and mail domains) mixed with the hand-written Kanagawa pools below, which add
rare and word-like surnames and towns whose area code and postal prefix agree. Faker's ja_JP
landline format (##-####-####) has no leading 0, so landlines are Faker digits under real area-code
lengths. The file depends on the Faker version's data (pyproject pins Faker < 41): regenerate it when
Faker is upgraded, and `test_corpus_file_is_what_the_generator_writes` says when it is due.
"""

from __future__ import annotations

import json
import random
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from faker import Faker
from faker.providers.phone_number.ja_JP import Provider as JapanesePhones

SEED = 20210726
COUNT = 800
OUT = Path(__file__).with_name("corpus.jsonl")

SURNAMES = [
    ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("田中", "タナカ"), ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"), ("山本", "ヤマモト"), ("中村", "ナカムラ"), ("小林", "コバヤシ"), ("加藤", "カトウ"),
    ("吉田", "ヨシダ"), ("山田", "ヤマダ"), ("佐々木", "ササキ"), ("山口", "ヤマグチ"), ("松本", "マツモト"),
    ("井上", "イノウエ"), ("木村", "キムラ"), ("林", "ハヤシ"), ("斎藤", "サイトウ"), ("清水", "シミズ"),
    ("山崎", "ヤマザキ"), ("森", "モリ"), ("池田", "イケダ"), ("橋本", "ハシモト"), ("阿部", "アベ"),
    ("石川", "イシカワ"), ("山下", "ヤマシタ"), ("中島", "ナカジマ"), ("石井", "イシイ"), ("小川", "オガワ"),
    ("前田", "マエダ"), ("岡田", "オカダ"), ("長谷川", "ハセガワ"), ("藤田", "フジタ"), ("後藤", "ゴトウ"),
    ("近藤", "コンドウ"), ("村上", "ムラカミ"), ("遠藤", "エンドウ"), ("青木", "アオキ"), ("坂本", "サカモト"),
    ("福田", "フクダ"), ("太田", "オオタ"), ("西村", "ニシムラ"), ("藤井", "フジイ"), ("金子", "カネコ"),
    ("岡本", "オカモト"), ("中野", "ナカノ"), ("三浦", "ミウラ"), ("原田", "ハラダ"), ("中川", "ナカガワ"),
    ("竹内", "タケウチ"), ("小野", "オノ"), ("田村", "タムラ"), ("和田", "ワダ"), ("森田", "モリタ"),
    ("柴田", "シバタ"), ("酒井", "サカイ"), ("宮本", "ミヤモト"), ("内田", "ウチダ"), ("大野", "オオノ"),
    ("丸山", "マルヤマ"), ("今井", "イマイ"), ("杉山", "スギヤマ"), ("平野", "ヒラノ"), ("菅原", "スガワラ"),
    ("野口", "ノグチ"), ("新井", "アライ"), ("藤沢", "フジサワ"), ("平塚", "ヒラツカ"), ("大和田", "オオワダ"),
    ("秋山", "アキヤマ"), ("早川", "ハヤカワ"), ("荻野", "オギノ"), ("二宮", "ニノミヤ"), ("原", "ハラ"),
]
# Rare or word-like surnames: dictionaries often miss them, so only known data can catch them bare.
RARE_SURNAMES = [
    ("小鳥遊", "タカナシ"), ("四月一日", "ワタヌキ"), ("月見里", "ヤマナシ"), ("五月女", "ソウトメ"),
    ("勅使河原", "テシガワラ"), ("御手洗", "ミタライ"), ("東海林", "ショウジ"), ("百目鬼", "ドウメキ"),
    ("十河", "ソゴウ"), ("九十九", "ツクモ"), ("一尺八寸", "カマツカ"), ("左右田", "ソウダ"),
    ("鬼頭", "キトウ"), ("春日", "カスガ"), ("希望", "ノゾミ"), ("寒川", "サムカワ"),
]
GIVEN = [
    ("太郎", "タロウ"), ("花子", "ハナコ"), ("一郎", "イチロウ"), ("健太", "ケンタ"), ("美咲", "ミサキ"),
    ("陽子", "ヨウコ"), ("直樹", "ナオキ"), ("由美", "ユミ"), ("和子", "カズコ"), ("誠", "マコト"),
    ("恵子", "ケイコ"), ("翔太", "ショウタ"), ("裕子", "ユウコ"), ("浩二", "コウジ"), ("明美", "アケミ"),
    ("大輔", "ダイスケ"), ("真理子", "マリコ"), ("蓮", "レン"), ("結衣", "ユイ"), ("悠斗", "ユウト"),
    ("しずよ", "シズヨ"), ("さくら", "サクラ"), ("みどり", "ミドリ"), ("あゆみ", "アユミ"), ("勝", "マサル"),
    ("清", "キヨシ"), ("隆", "タカシ"), ("智子", "トモコ"), ("修", "オサム"), ("聡美", "サトミ"),
    ("陽翔", "ハルト"), ("結愛", "ユア"), ("心春", "コハル"), ("湊", "ミナト"), ("千尋", "チヒロ"),
    ("光", "ヒカル"), ("正雄", "マサオ"), ("節子", "セツコ"), ("康弘", "ヤスヒロ"), ("香織", "カオリ"),
]
KIDS_GIVEN = [("陽翔", "ハルト"), ("結愛", "ユア"), ("蓮", "レン"), ("心春", "コハル"), ("湊", "ミナト"),
              ("さくら", "サクラ"), ("悠斗", "ユウト"), ("結衣", "ユイ")]

# Towns by municipality, with the area code and postal prefix that go with them.
MUNICIPALITIES = [
    ("茅ヶ崎市", "0467", "253", ["東海岸北", "東海岸南", "中海岸", "共恵", "浜竹", "本村", "萩園", "赤羽根",
                               "香川", "円蔵", "松が丘", "南湖", "柳島", "矢畑", "茅ヶ崎"]),
    ("藤沢市", "0466", "251", ["辻堂元町", "鵠沼海岸", "湘南台", "片瀬", "善行", "長後", "鵠沼石上"]),
    ("小田原市", "0465", "250", ["荻窪", "栄町", "城山", "扇町", "中町", "南町", "久野", "鴨宮", "国府津"]),
    ("横浜市西区", "045", "220", ["中央", "戸部町", "岡野", "浅間町", "藤棚町", "平沼", "北幸", "高島"]),
    ("横浜市中区", "045", "231", ["山下町", "本町", "相生町", "寿町", "日本大通"]),
    ("川崎市中原区", "044", "211", ["小杉町", "新丸子町", "木月", "今井南町", "上丸子山王町"]),
    ("川崎市多摩区", "044", "214", ["登戸", "生田", "宿河原", "菅"]),
    ("平塚市", "0463", "254", ["見附町", "紅谷町", "浅間町", "八重咲町"]),
    ("足柄上郡開成町", "0465", "258", ["延沢", "吉田島"]),
]
BUILDINGS = ["コーポ湘南", "ハイツ南湖", "グリーンヒル", "メゾン柳島", "サンライズ", "レジデンス戸部"]
CITIES = ["茅ヶ崎市", "小田原市", "藤沢市", "平塚市", "大和市", "海老名市", "秦野市", "厚木市", "鎌倉市",
          "横浜市", "川崎市", "相模原市", "寒川町", "大磯町", "二宮町", "開成町"]
WARDS = ["西区", "中区", "港北区", "青葉区", "都筑区", "戸塚区", "中原区", "多摩区", "宮前区", "麻生区"]
DEPTS = ["環境政策課", "市民自治推進課", "文化生涯学習課", "保健所衛生課", "環境保全課", "子育て支援課",
         "高齢福祉介護課", "防災対策課", "地域福祉課", "市民協働推進課", "区政推進課", "人権・男女共同参画課",
         "みどり推進課", "都市整備局", "市民局"]
PLACES = ["茅ヶ崎海岸", "柳島海岸", "生田緑地", "相模川河川敷", "酒匂川", "小田原城址公園", "辻堂駅前",
          "みなとみらい", "けやき大ホール", "中央公園", "里山公園", "丹沢", "湘南海岸"]
FACILITIES = ["UMECO", "茅ヶ崎市民活動サポートセンター", "にしく市民活動支援センター", "横浜市市民協働推進センター",
              "かわさき市民活動センター", "地区センター", "公民館", "コミュニティセンター", "市役所分庁舎"]
FIELDS = ["子どもの健全育成", "国際交流", "環境保全", "防災", "高齢者の見守り", "子ども食堂", "多文化共生",
          "障害者の就労支援", "まちづくり", "資金調達", "動物愛護", "文化芸術", "スポーツ振興", "子育て支援"]
ORG_KINDS = ["NPO法人", "自治会", "地区社協", "ボランティア団体", "市民活動団体", "まちづくり委員会",
             "社会福祉協議会", "企業", "商店会", "PTA", "老人クラブ", "子ども会"]
EVENTS = ["団体交流会", "新春交流会", "サマーフェスティバル", "クリスマスフェスティバル", "スプリングコンサート",
          "市民活動フェア", "西区民まつり", "来て・見て・聞いての日", "協働の種発表会", "防災講演会"]
ORGS = [
    ("NPO法人", "湘南ねこの会"), ("NPO法人", "ちがさき子育てネット"), ("一般社団法人", "湘南まちづくり工房"),
    ("", "南湖いきいきサロン"), ("", "柳島ビーチクリーン隊"), ("特定非営利活動法人", "にしく多文化ひろば"),
    ("", "戸部こども食堂"), ("NPO法人", "おだわら防災ネット"), ("", "生田緑地の自然を守る会"),
    ("社会福祉法人", "わかば福祉会"), ("", "鴨宮おやじの会"), ("NPO法人", "赤ちゃんからのアートひろば"),
    ("", "寿町フードバンク"), ("株式会社", "湘南リビング"), ("", "浜竹マジッククラブ"), ("", "国府津里山クラブ"),
]
FYS = ["令和元年度", "令和2年度", "令和3年度", "令和4年度", "令和5年度", "令和6年度", "平成19年度", "平成26年度",
       "平成28年度", "2019年度", "2020年度", "2021年度（令和3年度）", "R3年度", "H26"]
FREE_DIAL = ["0120", "0570", "0800"]
# Share of people and addresses drawn from Faker ja_JP; the rest come from the hand-written pools.
FAKER_SHARE = 0.65
# Faker's own ja_JP phone formats that are real numbers (070/080/090 mobiles) plus 050 IP phones.
MOBILE_FORMATS = tuple(f for f in JapanesePhones.formats if f.startswith("0")) + ("050-####-####",)
# Landlines: 10 digits, the area code 2 to 5 of them (03 Tokyo, 045 Yokohama, 0467 Chigasaki, 04992 islands).
LANDLINE_FORMATS = (("0#", "####", "####"), ("0##", "###", "####"), ("0###", "##", "####"), ("0####", "#", "####"))
# Area codes for Faker's addresses (which pair any city with any prefecture, so no real code would fit).
AREA_CODES = ["03", "06", "0%#", "0%#", "0%##", "0%##", "0%###"]
MAIL_DOMAINS = ["gmail.com", "yahoo.co.jp", "docomo.ne.jp", "ezweb.ne.jp", "nifty.com", "jcom.zaq.ne.jp",
                "softbank.ne.jp", "icloud.com", "outlook.jp", "i.softbank.jp"]


@dataclass
class Person:
    surname: str
    given: str
    surname_kana: str
    given_kana: str
    surname_roman: str = ""
    given_roman: str = ""
    known: bool = False
    known_reading: bool = False
    phone: tuple[str, ...] = ()
    mobile: tuple[str, ...] = ()
    email: str = ""
    address: dict = field(default_factory=dict)
    known_contacts: set = field(default_factory=set)


@dataclass
class Org:
    legal: str
    name: str
    known: bool
    phone: tuple[str, ...]
    email: str
    url: str


class Text:
    """Concatenates pieces and records the labelled spans exactly where they land."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.spans: list[dict] = []

    def add(self, piece: str, kind: str | None = None, known: bool = False) -> None:
        if kind:
            self.spans.append({"start": self.length, "end": self.length + len(piece), "kind": kind,
                               "known": known})
        self.parts.append(piece)
        self.length += len(piece)

    def value(self) -> str:
        return "".join(self.parts)


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in text)


def hiragana(kana: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in kana)


_HALF = {unicodedata.normalize("NFKC", chr(cp)): chr(cp) for cp in range(0xFF61, 0xFF9F + 1)}


def half_width(kana: str) -> str:
    out = []
    for c in kana:
        if c in _HALF:
            out.append(_HALF[c])
            continue
        base, *marks = unicodedata.normalize("NFD", c)
        out.append(_HALF.get(base, base) + "".join("ﾞ" if m == "\u3099" else "ﾟ" for m in marks))
    return "".join(out)


def kanji_number(n: int) -> str:
    digits = "〇一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


class Corpus:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.fake = Faker("ja_JP")
        self.fake.seed_instance(seed)

    # --- people and contacts -------------------------------------------------------------------
    def person(self, kid: bool = False) -> Person:
        rng, fake = self.rng, self.fake
        if rng.random() < FAKER_SHARE:
            surname, surname_kana, surname_roman = fake.last_name_pair()
            given, given_kana, given_roman = fake.first_name_pair()
        else:
            surname, surname_kana = rng.choice(RARE_SURNAMES) if rng.random() < 0.15 else rng.choice(SURNAMES)
            given, given_kana = rng.choice(KIDS_GIVEN if kid else GIVEN)
            surname_roman, given_roman = romaji(surname_kana), romaji(given_kana)
        p = Person(surname, given, surname_kana, given_kana, surname_roman.lower(), given_roman.lower())
        p.address = self.address()
        p.phone = self.landline(p.address["area"])
        p.mobile = tuple(fake.numerify(rng.choice(MOBILE_FORMATS)).split("-"))
        p.email = self.email_address(p)
        return p

    def address(self) -> dict:
        """A street address as parts, so it can be written in several ways and held in one."""
        rng, fake = self.rng, self.fake
        chome = rng.randrange(1, 6) if rng.random() < 0.6 else 0
        if rng.random() < FAKER_SHARE:
            prefecture, municipality, town = fake.prefecture(), fake.city(), fake.town()
            area, postal = fake.numerify(rng.choice(AREA_CODES)), fake.postcode()
            if chome:
                chome = int(fake.chome().removesuffix("丁目"))
                ban, go = int(fake.ban().removesuffix("番")), int(fake.gou().removesuffix("号"))
            else:
                ban, go = fake.random_int(100, 2999), int(fake.gou().removesuffix("号"))
            building = None
            if rng.random() < 0.3:
                name = rng.choice([fake.building_name(), town + fake.building_name(), fake.building_name() + town])
                building = (name, int(fake.building_number()))
        else:
            municipality, area, prefix, towns = rng.choice(MUNICIPALITIES)
            prefecture, town = "神奈川県", rng.choice(towns)
            postal = f"{prefix}-{rng.randrange(1, 100):02d}{rng.randrange(1, 100):02d}"
            ban = rng.randrange(1, 40) if chome else rng.randrange(100, 3000)
            go = rng.randrange(1, 30)
            building = (rng.choice(BUILDINGS), rng.randrange(101, 410)) if rng.random() < 0.3 else None
        return {"prefecture": prefecture, "municipality": municipality, "town": town, "chome": chome, "ban": ban,
                "go": go, "building": building, "postal": postal, "area": area}

    def email_address(self, p: Person) -> str:
        rng, fake = self.rng, self.fake
        given, surname = p.given_roman, p.surname_roman
        local = rng.choice([f"{given}.{surname}", f"{surname}{rng.randrange(10, 99)}", f"{given[0]}-{surname}",
                            f"{surname}_{given}{rng.randrange(1950, 2005)}", f"{given[0]}{surname}",
                            fake.user_name()])
        domain = rng.choice([*MAIL_DOMAINS, fake.free_email_domain(), fake.domain_name()])
        return f"{local}@{domain}"

    def landline(self, area: str) -> tuple[str, ...]:
        """A 10-digit number under the area code `area` (03, 045, 0467, 04992)."""
        rest = next(f for f in LANDLINE_FORMATS if len(f[0]) == len(area))[1:]
        # The exchange never starts with 0, which would read as another area code.
        return area, self.fake.numerify("%" + rest[0][1:]), self.fake.numerify(rest[1])

    def organization(self) -> Org:
        rng = self.rng
        legal, name = rng.choice(ORGS)
        area = rng.choice(MUNICIPALITIES)[1] if rng.random() < 0.5 else self.fake.numerify(rng.choice(AREA_CODES))
        slug = rng.choice(["shonan-neko", "chigasaki-kosodate", "nishiku-tabunka", "odawara-bousai",
                           "ikuta-shizen", "kamonomiya-oyaji", "kouzu-satoyama", "hamatake-magic"])
        url = rng.choice([f"https://www.{slug}.org/", f"http://{slug}.jimdofree.com", f"https://{slug}.jp/katsudo/",
                          f"https://www.facebook.com/groups/{rng.randrange(10**8, 10**9)}/",
                          f"www.{slug}.or.jp/index.html", f"https://note.com/{slug.replace('-', '_')}/n/n{rng.randrange(10**6, 10**7)}"])
        return Org(legal, name, known=rng.random() < 0.4, phone=self.landline(area),
                   email=rng.choice(["info", "contact", "jimukyoku"]) + f"@{slug}.org", url=url)

    # --- surface forms ---------------------------------------------------------------------------
    def name_mention(self, t: Text, p: Person, honorific: str | None = None, kid: bool = False) -> None:
        """One mention of a person: the span is the name only, the honorific stays outside it."""
        rng = self.rng
        form = rng.choices(["full_space", "full", "full_ideo", "surname", "given", "kata_space", "kata",
                            "hira", "half", "with_reading"],
                           [15, 20, 5, 35, 4, 5, 3, 4, 3, 5])[0]
        if kid:
            form = rng.choice(["given", "given", "full"])
        if honorific is None:
            if form == "given":
                honorific = rng.choice(["さん", "ちゃん", "くん", "君"] if kid else ["さん"])
            else:
                honorific = rng.choices(["さん", "様", "氏", "さま", "先生", "殿", "", "会長", "理事長", "代表",
                                         "事務局長"], [40, 8, 8, 2, 4, 1, 25, 3, 3, 3, 2])[0]
        name_known = p.known
        reading_known = p.known_reading
        if form == "full_space":
            t.add(f"{p.surname} {p.given}", "person", name_known)
        elif form == "full":
            t.add(p.surname + p.given, "person", name_known)
        elif form == "full_ideo":
            t.add(f"{p.surname}\u3000{p.given}", "person", name_known)
        elif form == "surname":
            t.add(p.surname, "person", name_known)
        elif form == "given":
            t.add(p.given, "person", name_known)
        elif form == "kata_space":
            t.add(f"{p.surname_kana} {p.given_kana}", "person", reading_known)
        elif form == "kata":
            t.add(p.surname_kana + p.given_kana, "person", reading_known)
        elif form == "hira":
            t.add(hiragana(f"{p.surname_kana} {p.given_kana}"), "person", reading_known)
        elif form == "half":
            t.add(half_width(f"{p.surname_kana} {p.given_kana}"), "person", reading_known)
        else:
            t.add(p.surname + p.given, "person", name_known)
            t.add("（")
            t.add(rng.choice([f"{p.surname_kana} {p.given_kana}", hiragana(p.surname_kana + p.given_kana)]),
                  "person", reading_known)
            t.add("）")
        t.add(honorific)

    def phone_text(self, parts: tuple[str, ...]) -> str:
        a, b, c = parts
        form = self.rng.choices(["dash", "paren_mid", "paren_area", "plain", "space", "wide", "wide_choon",
                                 "intl", "intl_paren", "hyphen", "wide_paren", "dots", "spaced", "kanji", "minus",
                                 "ideo_space", "wide_plain"],
                                [30, 5, 8, 8, 6, 12, 4, 5, 2, 4, 3, 2, 2, 1, 3, 2, 2])[0]
        return {
            "dash": f"{a}-{b}-{c}", "paren_mid": f"{a}({b}){c}", "paren_area": f"({a}){b}-{c}",
            "plain": a + b + c, "space": f"{a} {b} {c}", "wide": full_width(f"{a}-{b}-{c}"),
            "wide_choon": full_width(a) + "ー" + full_width(b) + "ー" + full_width(c),
            "intl": f"+81-{a[1:]}-{b}-{c}", "intl_paren": f"+81 (0){a[1:]} {b} {c}",
            "hyphen": f"{a}\u2010{b}\u2010{c}", "wide_paren": full_width(f"({a}){b}-{c}"),
            "dots": f"{a}.{b}.{c}", "spaced": f"{a} - {b} - {c}",
            "minus": f"{a}\u2212{b}\u2212{c}", "ideo_space": full_width(f"{a} {b} {c}"),
            "wide_plain": full_width(a + b + c),
            # Vertical-writing habit: kanji digits. Nothing but known data can catch this one.
            "kanji": "－".join("".join("〇一二三四五六七八九"[int(d)] for d in g) for g in (a, b, c)),
        }[form]

    def phone(self, t: Text, parts: tuple[str, ...], known: bool) -> None:
        t.add(self.phone_text(parts), "phone", known)

    def free_dial(self, t: Text) -> None:
        rng = self.rng
        prefix = rng.choice(FREE_DIAL)
        rest = (f"{rng.randrange(100, 999)}", f"{rng.randrange(100, 999)}") if prefix != "0800" else \
            (f"{rng.randrange(100, 999)}", f"{rng.randrange(1000, 9999)}")
        t.add(rng.choice([f"{prefix}-{rest[0]}-{rest[1]}", full_width(f"{prefix}-{rest[0]}-{rest[1]}"),
                          f"{prefix}{rest[0]}{rest[1]}"]), "phone")

    def email(self, t: Text, address: str, known: bool) -> None:
        form = self.rng.choices(["plain", "wide", "upper", "at", "atmark", "star"], [66, 12, 8, 6, 4, 4])[0]
        text = {"plain": address, "wide": full_width(address), "upper": address.upper(),
                "at": address.replace("@", self.rng.choice(["[at]", " (at) "])),
                "atmark": address.replace("@", "アットマーク"), "star": address.replace("@", "★")}[form]
        t.add(text, "email", known and form in ("plain", "wide", "upper"))
        if form == "star":
            t.add("（★を@に変えてください）")

    def address_text(self, a: dict, with_building: bool | None = None) -> str:
        rng = self.rng
        town, chome, ban, go = a["town"], a["chome"], a["ban"], a["go"]
        if chome:
            numbers = rng.choice([f"{kanji_number(chome)}丁目{ban}番{go}号", f"{chome}丁目{ban}番{go}号",
                                  f"{chome}-{ban}-{go}", f"{chome}丁目{ban}-{go}", f"{chome}丁目{ban}番地{go}",
                                  full_width(f"{chome}-{ban}-{go}")])
        else:
            numbers = rng.choice([f"{ban}番地", f"{ban}番地の{go}", f"{ban}-{go}", f"{ban}番{go}号"])
        prefix = rng.choices(["pref", "city", "town"], [35, 50, 15])[0]
        if prefix == "town" and (not chome and "-" in numbers or len(town) < 2):
            prefix = "city"  # a bare "1234-5" or "轟1-2-3" is not an address anyone would write without the city
        head = {"pref": a["prefecture"] + a["municipality"], "city": a["municipality"], "town": ""}[prefix]
        text = head + town + numbers
        building = a["building"] if with_building is None else (a["building"] if with_building else None)
        if building and (with_building or rng.random() < 0.7):
            name, room = building
            text += rng.choice([f" {name}{room}号室", f"\u3000{name}{room}", f"{name}{room}"])
        return text

    def known_address(self, a: dict) -> str:
        chome, ban, go = a["chome"], a["ban"], a["go"]
        numbers = f"{chome}丁目{ban}番{go}号" if chome else f"{ban}番地{go}"
        building = f" {a['building'][0]}{a['building'][1]}号室" if a["building"] else ""
        return f"{a['prefecture']}{a['municipality']}{a['town']}{numbers}{building}"

    def postal(self, t: Text, code: str) -> None:
        form = self.rng.choices(["mark", "mark_plain", "mark_space", "wide", "label", "label_plain", "bare"],
                                [40, 10, 5, 15, 12, 5, 13])[0]
        if form in ("label", "label_plain"):
            t.add(self.rng.choice(["郵便番号", "郵便番号：", "郵便番号 "]))
            t.add(code if form == "label" else code.replace("-", ""), "postal_code")
        elif form == "bare":
            t.add(code, "postal_code")
        else:
            text = {"mark": f"〒{code}", "mark_plain": "〒" + code.replace("-", ""), "mark_space": f"〒 {code}",
                    "wide": "〒" + full_width(code)}[form]
            t.add(text, "postal_code")

    # --- negatives ------------------------------------------------------------------------------
    def amount(self) -> str:
        rng = self.rng
        return rng.choice([f"{rng.randrange(10, 300)}万円", f"{rng.randrange(100, 2000):,}千円",
                           f"{rng.randrange(100_000, 3_000_000):,}円", f"約{rng.randrange(1, 50)}万円",
                           f"{rng.randrange(1, 20)},{rng.randrange(0, 999):03d},{rng.randrange(0, 999):03d}円"])

    def date(self) -> str:
        rng = self.rng
        m, d = rng.randrange(1, 13), rng.randrange(1, 29)
        return rng.choice([f"令和{rng.randrange(1, 7)}年{m}月{d}日", f"{rng.randrange(2016, 2025)}年{m}月{d}日",
                           f"{m}月{d}日（{rng.choice('月火水木金土日')}）", f"{rng.randrange(2019, 2025)}-{m:02d}-{d:02d}",
                           f"{rng.randrange(2019, 2025)}/{m}/{d}", f"{full_width(str(m))}月{full_width(str(d))}日"])

    def negative(self) -> str:
        rng, fake = self.rng, self.fake
        c = rng.randrange
        choices = [
            f"{rng.choice(FYS)}から{rng.choice(FYS)}までに協働推進事業は{c(20, 60)}事業が実施され、そのうち{c(5, 20)}事業が継続している。",
            f"{rng.choice(CITIES)}の{rng.choice(DEPTS)}が所管し、{rng.choice(FACILITIES)}で説明会を開いた。",
            f"事業額{self.amount()}（市負担額{self.amount()}）。",
            f"{rng.choice(FYS)}の{rng.choice(EVENTS)}には{c(5, 30)}団体、参加者{c(20, 200)}名が参加した。",
            f"相談件数は年間約{c(300, 600)}件、コーディネート提案は{c(20, 50)}件だった。",
            f"{rng.choice(CITIES)}の小川沿いで森林保全と林業体験の講座を開催した。",
            "さくらまつりでは活動のあゆみをパネル展示し、みどりの日の植樹にも参加した。",
            f"中野区や上野の事例を参考に、{rng.choice(CITIES)}でも{rng.choice(FIELDS)}の仕組みを検討した。",
            f"藤沢市・平塚市・大和市の担当者が{rng.choice(FACILITIES)}を視察した。",
            f"第{c(1, 9)}回市民活動推進委員会（資料{c(1, 6)}）で報告した。",
            f"継続率は{c(20, 80)}.{c(0, 9)}%で、{rng.choice(FYS)}以降は増加傾向にある。",
            f"時間は{c(9, 14)}:{rng.choice(['00', '30'])}～{c(15, 18)}:00、定員{c(10, 60)}名。",
            f"整理番号{c(2019, 2025)}-{c(1, 999):04d}で受け付けた。",
            f"{rng.choice(WARDS)}内の{rng.choice(ORG_KINDS)}{c(3, 15)}団体がネットワークに登録している。",
            f"{rng.choice(PLACES)}の清掃活動には{rng.choice(ORG_KINDS)}と{rng.choice(ORG_KINDS)}が参加した。",
            f"指定管理の期間はR{c(1, 4)}年度～R{c(5, 9)}年度。",
            f"希望者には{rng.choice(DEPTS)}から資料を送付する。",
            f"コロナのため{rng.choice(FYS)}の{rng.choice(EVENTS)}は中止となった。",
            f"地区社協の敬老会やふれあいサロンに{rng.choice(ORG_KINDS)}が協力している。",
            f"協働の種を{c(10, 40)}件メニュー化し、丁寧なマッチングにつなげた。",
            f"寿町や浅間町など{rng.choice(CITIES)}内{c(3, 12)}地区で見守り活動を行っている。",
            f"会議は{rng.choice(FACILITIES)}の会議室{c(1, 5)}で、{self.date()}に行う予定。",
            f"行政提案型協働推進事業（H{c(19, 31)}実施）として{rng.choice(DEPTS)}と連携した。",
            f"西区街の名人・達人の登録者は{c(30, 120)}名、{rng.choice(FIELDS)}の分野が多い。",
            f"みんかなの緊急アンケートには{c(40, 200)}団体が回答し、{c(10, 60)}%が活動を縮小していた。",
            f"{rng.choice(CITIES)}総合計画実施計画事業として、1年度あたり{self.amount()}を予算化している。",
            f"{rng.choice(PLACES)}で{rng.choice(EVENTS)}を開催し、{c(3, 12)}団体が発表した。",
            "平塚の七夕や小田原の梅まつりに出店した。",
            "ひかり幼稚園と光が丘保育園で出張講座を実施した。",
            f"明日の打合せでは{rng.choice(FIELDS)}をテーマに意見交換する。",
            # Faker's places and companies where no one's data is: a city is not an address, a company
            # named after a family (有限会社石川情報) is not a person, a registration number not a postal code.
            f"{fake.prefecture()}{fake.city()}や{fake.city()}の先進事例を視察した。",
            f"{fake.company()}から協賛を受け、{self.amount()}を{rng.choice(FIELDS)}の活動費に充てた。",
            f"{fake.town()}地区の{rng.choice(ORG_KINDS)}{c(2, 9)}団体が{rng.choice(EVENTS)}に参加した。",
            f"認証番号 第{c(100, 999)}-{c(1000, 9999)}号（{rng.choice(FYS)}）で登録している。",
        ]
        return rng.choice(choices)

    # --- narratives -----------------------------------------------------------------------------
    def case_item(self) -> tuple[Text, list[Person], list[Org]]:
        """One short text of a random kind, with its cast of persons and organizations."""
        rng = self.rng
        t = Text()
        cast = [self.person() for _ in range(3)]
        kid = self.person(kid=True)
        staff = self.person()
        org = self.organization()
        # Who the node holds is decided before writing, so each span's `known` flag is set as it lands.
        self.decide_known([*cast, kid, staff], staff)
        kind = rng.choices(["case", "consult", "event", "jichikai", "disaster", "tatsujin", "negative"],
                           [18, 22, 12, 12, 7, 5, 24])[0]
        p1, p2, _p3 = cast
        sentences = {
            "case": [self.s_case_intro, self.s_case_contact, self.s_case_roles, self.s_case_web,
                     self.s_case_base, self.s_case_mail],
            "consult": [self.s_consult_intake, self.s_consult_contact, self.s_consult_coordinate,
                        self.s_consult_close, self.s_consult_referral, self.s_consult_post],
            "event": [self.s_event_report, self.s_event_lecturer, self.s_event_apply, self.s_event_kids],
            "jichikai": [self.s_jichikai_request, self.s_jichikai_meeting, self.s_jichikai_salon,
                         self.s_jichikai_mail],
            "disaster": [self.s_disaster_damage, self.s_disaster_center, self.s_disaster_contact],
            "tatsujin": [self.s_tatsujin, self.s_consult_contact, self.s_event_lecturer],
            "negative": [],
        }[kind]
        picked = rng.sample(sentences, k=min(len(sentences), rng.randrange(2, 4))) if sentences else []
        pieces = [lambda: self.add_negative(t) for _ in range(rng.randrange(1, 3) if sentences else rng.randrange(2, 5))]
        pieces += [lambda s=s: s(t, p1, p2, kid, staff, org) for s in picked]
        rng.shuffle(pieces)
        for piece in pieces:
            piece()
            t.add(rng.choice(["", "", "", "\n"]))
        if rng.random() < 0.35:
            t.add("（対応：")
            self.name_mention(t, staff, honorific="")
            t.add("）")
        return t, [p1, p2, kid, staff], [org]

    def add_negative(self, t: Text) -> None:
        t.add(self.negative())

    def org_mention(self, t: Text, org: Org) -> None:
        name = (org.legal + org.name) if org.legal and self.rng.random() < 0.5 else org.name
        t.add(name, "organization" if org.known else None, org.known)

    def contact(self, t: Text, p: Person, what: str) -> None:
        """A phone, mobile, email or address of p, marked known when the node holds it."""
        rng = self.rng
        if what == "phone":
            self.phone(t, p.phone, "phone" in p.known_contacts)
        elif what == "mobile":
            self.phone(t, p.mobile, "mobile" in p.known_contacts)
        elif what == "email":
            self.email(t, p.email, "email" in p.known_contacts)
        elif what == "address":
            t.add(self.address_text(p.address), "address", "address" in p.known_contacts)
        elif what == "postal_address":
            self.postal(t, p.address["postal"])
            t.add(rng.choice([" ", "\u3000", "", "\n"]))
            t.add(self.address_text(p.address), "address", "address" in p.known_contacts)

    def s_case_intro(self, t, p1, p2, kid, staff, org):
        rng = self.rng
        t.add(f"{rng.choice(FYS)}、{rng.choice(DEPTS)}と")
        self.org_mention(t, org)
        t.add(f"による「{rng.choice(FIELDS)}」の協働事業を実施した。")
        if rng.random() < 0.5:
            t.add("代表の")
            self.name_mention(t, p1, honorific=rng.choice(["", "氏", "さん"]))
            t.add("が企画をまとめた。")

    def s_case_contact(self, t, p1, p2, kid, staff, org):
        rng = self.rng
        t.add(rng.choice(["問い合わせ：", "連絡先 ", "事務局："]))
        self.org_mention(t, org)
        t.add(" 事務局 ")
        self.name_mention(t, p1, honorific="")
        t.add(rng.choice(["　電話", " TEL ", "　☎"]))
        self.phone(t, org.phone, org.known)
        if rng.random() < 0.5:
            t.add(" FAX ")
            self.phone(t, self.landline(org.phone[0]), False)
        t.add("。")

    def s_case_roles(self, t, p1, p2, kid, staff, org):
        rng = self.rng
        t.add(f"団体側は{rng.choice(FIELDS)}の専門知識と活動経験を、行政（担当課）は地域住民への調整・説明と事業費の負担を担った。")
        if rng.random() < 0.6:
            t.add(f"{rng.choice(DEPTS)}の")
            self.name_mention(t, p2, honorific=rng.choice(["課長", "係長", "さん", "主査"]))
            t.add("が窓口となった。")

    def s_case_web(self, t, p1, p2, kid, staff, org):
        t.add(self.rng.choice(["詳しくは団体のホームページ（", "活動報告はブログ ", "SNS："]))
        t.add(org.url if self.rng.random() < 0.85 else full_width(org.url), "url")
        t.add("を参照。" if self.rng.random() < 0.5 else " に掲載。")

    def s_case_base(self, t, p1, p2, kid, staff, org):
        rng = self.rng
        self.name_mention(t, p1)
        t.add(rng.choice(["の自宅（", "が所有する倉庫（", "宅（"]))
        self.contact(t, p1, "address")
        t.add(f"）を活動拠点とし、{rng.choice(CITIES)}{rng.choice(PLACES)}周辺で活動している。")

    def s_case_mail(self, t, p1, p2, kid, staff, org):
        t.add("メールは")
        self.email(t, org.email, False)
        t.add("、担当は")
        self.name_mention(t, p2)
        t.add("（")
        self.contact(t, p2, "email")
        t.add("）。")

    def s_consult_intake(self, t, p1, p2, kid, staff, org):
        rng = self.rng
        t.add(f"{self.date()}、")
        self.name_mention(t, p1)
        t.add(f"（{rng.choice(CITIES)}在住）が来館。{rng.choice(FIELDS)}の団体を立ち上げたいとの相談。")

    def s_consult_contact(self, t, p1, p2, kid, staff, org):
        rng = self.rng
        t.add(rng.choice(["相談者：", "相談者 ", "申込者："]))
        self.name_mention(t, p1, honorific="")
        opener, closer = rng.choice([("、連絡先 ", ""), ("　携帯 ", ""), ("（", "）")])
        t.add(opener)
        self.contact(t, p1, rng.choice(["mobile", "phone", "mobile"]))
        if rng.random() < 0.6:
            t.add(rng.choice(["、", " / ", "　メール "]))
            self.contact(t, p1, "email")
        t.add(closer + "。")

    def s_consult_coordinate(self, t, p1, p2, kid, staff, org):
        rng = self.rng
        t.add(f"コーディネート：{rng.choice(WARDS)}の{rng.choice(ORG_KINDS)}を紹介し、")
        self.name_mention(t, p2)
        t.add("につないだ。")

    def s_consult_close(self, t, p1, p2, kid, staff, org):
        t.add(f"クロージング：{self.date()}に")
        self.name_mention(t, p1)
        t.add("から、")
        self.org_mention(t, org)
        t.add("の定例会に参加できたと報告があった。")

    def s_consult_referral(self, t, p1, p2, kid, staff, org):
        self.name_mention(t, p1)
        t.add("は「")
        self.name_mention(t, p2, honorific="さん")
        t.add("に相談したら？」と勧められて来館したとのこと。関わりカードに記録し職員間で共有した。")

    def s_consult_post(self, t, p1, p2, kid, staff, org):
        rng = self.rng
        t.add(rng.choice(["資料の送付先：", "郵送先 ", "送付先は"]))
        self.contact(t, p1, "postal_address")
        t.add(rng.choice([" ", "　", "、"]))
        self.name_mention(t, p1, honorific=rng.choice(["様", "さま", "殿"]))
        t.add("。")

    def s_event_report(self, t, p1, p2, kid, staff, org):
        rng = self.rng
        t.add(f"{rng.choice(FYS)}の{rng.choice(EVENTS)}は「{rng.choice(FIELDS)}」をテーマに{rng.choice(FACILITIES)}で開催し、"
              f"{rng.randrange(5, 30)}団体・参加者{rng.randrange(20, 200)}名が参加した。")
        if rng.random() < 0.5:
            self.name_mention(t, p2)
            t.add("の手品が好評だった。")

    def s_event_lecturer(self, t, p1, p2, kid, staff, org):
        rng = self.rng
        t.add(f"講師は{rng.choice(ORG_KINDS)}の")
        self.name_mention(t, p2, honorific=rng.choice(["先生", "氏", "さん"]))
        t.add(f"。{rng.choice(FIELDS)}について講演いただいた。")

    def s_event_apply(self, t, p1, p2, kid, staff, org):
        rng = self.rng
        t.add("申込・問合せは")
        self.name_mention(t, p1, honorific="")
        opener, closer = rng.choice([("（", "）まで。"), (" ", " まで。"), ("　", "へ。")])
        t.add(opener)
        self.contact(t, p1, rng.choice(["email", "mobile"]))
        t.add(closer)
        if rng.random() < 0.4:
            t.add("フリーダイヤル")
            self.free_dial(t)
            t.add("でも受け付ける。")

    def s_event_kids(self, t, p1, p2, kid, staff, org):
        t.add("子ども会の")
        self.name_mention(t, kid, kid=True)
        t.add("が司会を務め、")
        self.name_mention(t, p1)
        t.add("が見守った。")

    def s_jichikai_request(self, t, p1, p2, kid, staff, org):
        rng = self.rng
        town = rng.choice(rng.choice(MUNICIPALITIES)[3])
        t.add(f"{town}自治会の")
        self.name_mention(t, p1, honorific="")
        t.add(f"会長から、{rng.choice(PLACES)}の清掃に協力してくれる団体を探したいと相談があった。")

    def s_jichikai_meeting(self, t, p1, p2, kid, staff, org):
        rng = self.rng
        t.add("地区社協の")
        self.name_mention(t, p1)
        t.add(f"と{rng.choice(ORG_KINDS)}の")
        self.name_mention(t, p2)
        t.add(f"が{rng.choice(FACILITIES)}で打合せを行った。")

    def s_jichikai_salon(self, t, p1, p2, kid, staff, org):
        rng = self.rng
        t.add("集会所（")
        self.contact(t, p1, "address")
        t.add(f"）で月{rng.randrange(1, 4)}回ふれあいサロンを開催、参加者は毎回{rng.randrange(10, 40)}名ほど。")

    def s_jichikai_mail(self, t, p1, p2, kid, staff, org):
        self.name_mention(t, p2)
        t.add("宅（")
        self.contact(t, p2, "postal_address")
        t.add("）に回覧板用の資料を郵送した。")

    def s_disaster_damage(self, t, p1, p2, kid, staff, org):
        rng = self.rng
        t.add(f"{self.date()}の大雨で{rng.choice(CITIES)}内に浸水被害。")
        self.org_mention(t, org)
        t.add("の")
        self.name_mention(t, p1)
        t.add("（携帯")
        self.contact(t, p1, "mobile")
        t.add("）が現地調整を担当。")

    def s_disaster_center(self, t, p1, p2, kid, staff, org):
        rng = self.rng
        t.add("災害ボランティアセンターの連絡先は")
        self.phone(t, self.landline(rng.choice(MUNICIPALITIES)[1]), False)
        t.add(f"、受付は{rng.randrange(8, 10)}:30～16:00。")

    def s_disaster_contact(self, t, p1, p2, kid, staff, org):
        t.add("みんかなの災害時連絡先として")
        self.name_mention(t, p2)
        t.add("の")
        self.contact(t, p2, self.rng.choice(["mobile", "email"]))
        t.add("を登録した（災害終了後に削除）。")

    def s_tatsujin(self, t, p1, p2, kid, staff, org):
        rng = self.rng
        t.add("西区街の名人・達人に登録している")
        self.name_mention(t, p1)
        t.add(f"（{rng.choice(FIELDS)}）を{rng.choice(ORG_KINDS)}に紹介した。")

    # --- known data -----------------------------------------------------------------------------
    def decide_known(self, people: list[Person], staff: Person) -> None:
        rng = self.rng
        for p in people:
            p.known = p is staff or rng.random() < 0.6
            p.known_reading = p.known and rng.random() < 0.7
            p.known_contacts = {c for c in ("phone", "mobile", "email", "address") if p.known and rng.random() < 0.6}

    def known_payload(self, people: list[Person], orgs: list[Org]) -> dict:
        rng = self.rng
        names, phones, emails, addresses = [], [], [], []
        for p in people:
            if p.known:
                names.append(rng.choice([f"{p.surname} {p.given}", f"{p.surname}\u3000{p.given}",
                                         f"{p.surname}{p.given}"]))
            if p.known_reading:
                names.append(rng.choice([f"{p.surname_kana} {p.given_kana}",
                                         hiragana(f"{p.surname_kana} {p.given_kana}")]))
            if "phone" in p.known_contacts:
                phones.append(self.phone_text(p.phone))
            if "mobile" in p.known_contacts:
                phones.append(self.phone_text(p.mobile))
            if "email" in p.known_contacts:
                emails.append(p.email)
            if "address" in p.known_contacts:
                addresses.append(self.known_address(p.address))
        # Other people the node holds who are not in this text: their names must not cause replacements.
        for _ in range(rng.randrange(0, 4)):
            surname = rng.choice(["中野", "藤沢", "平塚", "小川", "林", "森", "原", "希望", "春日", "寒川", "二宮"])
            given = rng.choice(GIVEN)[0]
            names.append(f"{surname} {given}")
        phones += [self.phone_text(o.phone) for o in orgs if o.known]
        known = {"person_names": names, "phones": phones, "emails": emails, "addresses": addresses,
                 "organizations": [o.legal + o.name for o in orgs if o.known]}
        return {k: v for k, v in known.items() if v}


def romaji(kana: str) -> str:
    """A rough Hepburn spelling, enough for plausible email local parts."""
    table = {"キョ": "kyo", "ショ": "sho", "ジョ": "jo", "チョ": "cho", "シュ": "shu", "リュ": "ryu"}
    single = dict(zip("アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン"
                      "ガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポ",
                      "a i u e o ka ki ku ke ko sa shi su se so ta chi tsu te to na ni nu ne no ha hi fu he ho "
                      "ma mi mu me mo ya yu yo ra ri ru re ro wa n ga gi gu ge go za ji zu ze zo da ji zu de do "
                      "ba bi bu be bo pa pi pu pe po".split(), strict=True))
    out, i = [], 0
    while i < len(kana):
        if kana[i:i + 2] in table:
            out.append(table[kana[i:i + 2]])
            i += 2
            continue
        c = kana[i]
        if c == "ッ" and i + 1 < len(kana):
            nxt = single.get(kana[i + 1], "")
            out.append(nxt[:1])
        elif c == "ウ" and out and out[-1].endswith("o"):
            pass  # long o: "Sato", not "Satou"
        else:
            out.append(single.get(c, ""))
        i += 1
    return "".join(out)


def build(count: int = COUNT, seed: int = SEED) -> list[dict]:
    corpus = Corpus(seed)
    items = []
    for n in range(count):
        t, people, orgs = corpus.case_item()
        items.append({"id": f"c{n:04d}", "text": t.value(), "spans": t.spans,
                      "known": corpus.known_payload(people, orgs)})
    return items


def main() -> None:
    items = build()
    with OUT.open("w", encoding="utf-8") as out:
        for item in items:
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
    spans = sum(len(i["spans"]) for i in items)
    print(f"{len(items)} texts, {spans} spans -> {OUT}")


if __name__ == "__main__":
    main()
