"""Regular expressions for contacts anyone could have written: phones, postal codes, emails, URLs and
street addresses (layer c). They run on the NFKC view, so full-width digits and dashes need no cases."""

from __future__ import annotations

import re

from .lexicon import PREFECTURES
from .normalize import Projection, kanji_digits_as_ascii, kanji_number

# Also the spam-shy spellings people write in flyers and the IME's: [at], (at), at, アットマーク, あっと,
# ★ (「★を@に」) for @; [dot], dot, ドット and the Japanese full stop 。 for the dot; the mailbox name
# (the identifying half) in the same match as the domain.
_AT = (r"(?:\s?(?:@|\[at\]|\(at\)|<at>|\[@\]|\(@\)|アットマーク|あっとまーく|アット|あっと|★|☆)\s?"
       r"|\s(?:at|AT)\s)")
_DOT = r"(?:\.|。|\s?(?:\[dot\]|\(dot\)|<dot>|ドット|どっと)\s?|\s(?:dot|DOT)\s)"
EMAIL = re.compile(rf"[A-Za-z0-9_%+\-]+(?:(?:\.|。)[A-Za-z0-9_%+\-]+)*{_AT}"
                   rf"[A-Za-z0-9\-]+(?:{_DOT}[A-Za-z0-9\-]+)*{_DOT}[A-Za-z]{{2,6}}(?![A-Za-z0-9])", re.I)
URL = re.compile(r"(?:https?://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'*+,;=%]+", re.I)
# Bare domains only under the endings groups in Japan actually use; "sample.txt" is not a site.
DOMAIN = re.compile(r"(?<![A-Za-z0-9@.\-_/])[A-Za-z0-9][A-Za-z0-9\-]*(?:\.[A-Za-z0-9\-]+)*"
                    r"\.(?:jp|com|net|org|info|biz)(?:/[A-Za-z0-9\-._~/?#=&%]*)?(?![A-Za-z0-9@])", re.I)
_SEP = r"(?: ?[\-.] ?| )?"  # 0467-82-1111, 0467 - 82 - 1111, 045.656.9282, 090 1234 5678
PHONE = re.compile(
    r"(?<![0-9\-+])(?:"
    rf"\+81{_SEP}(?:\(0\){_SEP})?\(?[0-9]{{1,4}}\)?{_SEP}[0-9]{{1,4}}{_SEP}[0-9]{{3,4}}"  # +81-467-82-1111
    rf"|\(0[0-9]{{1,4}}\){_SEP}[0-9]{{1,4}}{_SEP}[0-9]{{3,4}}"  # (0465)22-1234
    r"|0[0-9]{1,4}\([0-9]{1,4}\)[0-9]{3,4}"  # 0465(22)1234
    rf"|0[0-9]{{1,4}}(?: ?[\-.] ?| )[0-9]{{1,4}}(?: ?[\-.] ?| )[0-9]{{3,4}}"  # 0120-123-456 and the like
    r"|0[0-9]{9,10}"  # 09012345678
    r")(?![0-9])"
)
# 〒253-0041, 253-0041 (but not a serial number: 第870-3439号), and seven digits only after the label
# (郵便番号：2530041), the label left out. After 〒 or the label any separator: 〒253・0041, 〒 253 - 0041,
# 〒二五三－〇〇四一 (matched in the view with kanji digits read as digits).
_POSTAL_JOINT = r"(?:\s*[-・.の]\s*|\s+)?"
POSTAL = re.compile(rf"〒\s?[0-9]{{3}}{_POSTAL_JOINT}[0-9]{{4}}(?![0-9])|(?<![0-9\-第])[0-9]{{3}}-[0-9]{{4}}(?![0-9\-号])"
                    rf"|郵便番号\s?:?\s?(?P<bare>[0-9]{{3}}{_POSTAL_JOINT}[0-9]{{4}})(?![0-9])")

_PREFECTURE = "(?:" + "|".join(PREFECTURES) + ")"
_NAME_CHAR = r"[一-龥々ァ-ヺーヶ]"
# Hiragana that may start a word of a place name: not a particle (では, から, まで, より …).
_NOT_PARTICLE = r"(?![のはでにがをともへやかまよ])"
# 茅ヶ崎市, 横浜市西区, 足柄上郡開成町 (after 郡 also 西多摩郡日の出町), 千代田区.
_MUNICIPALITY = (rf"(?:{_NAME_CHAR}{{1,5}}?郡(?:{_NAME_CHAR}|[のケが](?={_NAME_CHAR})){{1,4}}?[町村]"
                 rf"|{_NAME_CHAR}{{1,5}}?市(?:[一-龥]{{1,4}}?区)?|[一-龥]{{1,4}}?区)")
# Municipalities with kana in their names (いすみ市, あきる野市, さいたま市西区): after a prefecture,
# which anchors them, or standing as a word of their own (after punctuation, a space or nothing), so a
# particle glued before a city (会場はいすみ市) is never taken for part of its name.
_KANA_MUNICIPALITY = (rf"(?:{_NAME_CHAR}{{1,5}}?郡)?{_NOT_PARTICLE}[一-龥々ァ-ヺーヶぁ-ゖ]{{1,6}}?[市町村]"
                      r"(?:[一-龥]{1,4}?区)?")
_LONE_KANA_MUNICIPALITY = rf"(?<![ぁ-ゖァ-ヺー一-龥々A-Za-z]){_NOT_PARTICLE}[ぁ-ゖ]{{2,6}}[一-龥]{{0,2}}[市町村](?:[一-龥]{{1,4}}?区)?"
# A town: kanji and katakana, with が/ヶ inside (松が丘) but never a particle at either end; の or つ
# only after its first one or two kanji (丸の内, 卯の里, 二つ室), or the kana ending of a word before
# が (美しが丘); a kana ending right before the number
# (勝どき1-2-3).
_TOWN = (rf"(?:[一-龥々]{{1,2}}(?:[のつ](?=[一-龥])|[ぁ-ゖ](?=[がケヶ][一-龥])))?(?:{_NAME_CHAR}|[がケ](?={_NAME_CHAR})){{1,16}}"
         rf"(?:{_NOT_PARTICLE}[ぁ-ゖ]{{1,2}}(?=[0-9]))?"
         # Right after the municipality a town may start with kana: みなとみらい, あざみ野, つつじが丘, and
         # a whole town in hiragana (はまたけ, とべちょう: four kana or more, so 市では12-5% is no town). (A
         # top-level alternative: `{_TOWN}?` reads as "the first, or the second, or nothing".)
         rf"|(?<=[市区町村])(?:{_NOT_PARTICLE}[ぁ-ゖ]{{2,6}}|[ぁ-ゖ]{{4,8}})(?:{_NAME_CHAR}|[ぁ-ゖ]){{0,6}}")
_NUM = r"(?:[0-9]+|[〇一二三四五六七八九十]+)"
_BLOCK = (rf"(?:{_NUM}丁目? ?[0-9]+(?:番地?|-|の)?(?:[0-9]+(?:号|番地?|-|の)?)*"  # 一丁目1番1号, 3丁目12-5, 3丁12-5
          r"|[0-9]+番地?(?:の?[0-9]+号?)?(?:-[0-9]+)?"  # 300番地, 2405番地の3, 12番3号
          r"|[0-9]+ ?- ?[0-9]+(?: ?- ?[0-9]+)+"  # 3-12-5, 3 - 12 - 5
          r"|[0-9]+の[0-9]+の[0-9]+)")  # 3の12の5
# A building: a name (kana inside it that is not a particle: 勝どきアーバン, アーバン二つ室) and a number.
_BUILDING = (rf"(?:[ 　]?[ァ-ヺー一-龥A-Za-z](?:[ァ-ヺー一-龥々ヶA-Za-z]|{_NOT_PARTICLE}[ぁ-ゖ](?=[ぁ-ゖ]*[ァ-ヺー一-龥]))"
             r"{1,19}[ 　]?[0-9]{1,4}(?:号室|号|F)?|[ 　]?[0-9]{1,4}号室)(?![0-9年月日])")
_AFTER = r"(?![0-9年月日回期度名人件円%時分歳])"
# A town in hiragana standing as a word (住所：ひがしかいがんきた3-12-5, 倉庫はうつくしがおか8-15-6),
# before a whole street number.
_LONE_KANA_TOWN = (r"(?:(?<![ぁ-ゖァ-ヺー一-龥々A-Za-z0-9])|(?<=[一-龥々ァ-ヺ][はにのでへをがと]))[ぁ-ゖ]{3,12}"
                   r"(?=[0-9]+(?:丁目?|-| - )[0-9]+(?:番|-| - |の)[0-9]+)")
ADDRESS = re.compile(
    rf"(?P<head>{_PREFECTURE}(?:{_MUNICIPALITY}|{_KANA_MUNICIPALITY})?|{_MUNICIPALITY}|{_LONE_KANA_MUNICIPALITY}|)"
    rf"(?P<town>{_TOWN}?|{_LONE_KANA_TOWN})(?P<block>{_BLOCK})(?:{_BUILDING})?{_AFTER}"
    rf"|(?P<head2>{_PREFECTURE}?{_MUNICIPALITY}|{_PREFECTURE}{_KANA_MUNICIPALITY}|{_LONE_KANA_MUNICIPALITY})"
    rf"(?P<town2>{_TOWN})[0-9]+-[0-9]+(?:{_BUILDING})?{_AFTER}"
)
# No address holds these characters and every one holds a street number: ADDRESS runs only on the
# stretches between them that have a number, with the same matches (its lookarounds never need to see
# past such a character) at half the cost.
_ADDRESS_SEGMENT = re.compile(r"[^。、\n():「」,・/]*[0-9][^。、\n():「」,・/]*")
# Words that end up glued to the front of an address in running text (自宅茅ヶ崎市…).
_LEADS = ("現住所", "住所", "所在地", "自宅", "事務所", "集会所", "会場", "拠点", "倉庫", "連絡先", "送付先",
          "郵送先", "宛先", "在住")
# A "town" that is really a counter or a label: 第2-3回, 資料1-2, 平成19-20.
_NOT_TOWNS = ("第", "資料", "図", "表", "別紙", "平成", "令和", "昭和", "番号", "整理番号", "受付番号", "No")


def find_contacts(normalized: Projection) -> list[tuple[int, int, str]]:
    """Spans (in the original text) in priority order: an earlier kind wins an overlap."""
    text = normalized.text
    found: list[tuple[int, int, str]] = []

    def add(start: int, end: int, kind: str) -> None:
        if end > start:
            found.append((*normalized.origin(start, end), kind))

    for m in EMAIL.finditer(text):
        add(m.start(), m.end(), "email")
    for m in URL.finditer(text):
        add(m.start(), m.start() + len(m.group().rstrip(".,;:!?)]'")), "url")
    for m in DOMAIN.finditer(text):
        add(m.start(), m.end(), "url")
    digits_view = kanji_digits_as_ascii(normalized).text
    for m in PHONE.finditer(digits_view):
        digits = re.sub(r"[^0-9]", "", m.group())
        if m.group().startswith("+"):
            digits = "0" + digits[2:].removeprefix("0")
        # Japanese numbers are 10 digits, mobiles and 0800 are 11: anything else is not a phone.
        if len(digits) in (10, 11):
            add(m.start(), m.end(), "phone")
    for start, end in phone_runs(digits_view):
        add(start, end, "phone")
    for m in POSTAL.finditer(digits_view):
        add(m.start("bare") if m.group("bare") else m.start(), m.end(), "postal_code")
    numbered = street_numbers(normalized)
    text = numbered.text

    def add_street(start: int, end: int) -> None:
        if end > start:
            found.append((*numbered.origin(start, end), "address"))

    for segment in _ADDRESS_SEGMENT.finditer(text):
        for m in ADDRESS.finditer(text, segment.start(), segment.end()):
            start = _address_start(m)
            if start is not None:
                add_street(start, m.end())
    return found


# Between the digit groups of one phone number people type spaces, a line break, brackets and one or
# two of - . ・ 、 , / の ー ～ (090・1234・5678, 090の1234の5678, 03(1234)-5678, 090-1234-⏎5678).
_PHONE_GAP = re.compile(r"[\s()\-.・、,/の~ー]{1,6}")
_PHONE_MARKS = re.compile(r"[\-.・、,/の~ー]")
_COUNTRY = re.compile(r"\+\s?81[\s\-]*(?:\(0\)[\s\-]*)?(?=[0-9(])")


def phone_runs(text: str) -> list[tuple[int, int]]:
    """Phones written with any separators, digit by digit (0 9 0 - 1 2 3 4 …) or after +81: a window of
    digit groups that reads as a Japanese number (0 then not 0, 10 or 11 digits; after the first group
    the last of three or four digits), the longest from each starting group."""
    # +81 (0) is the leading 0: the group after it starts the number, the span starts at the +.
    country = {m.end(): m.start() for m in _COUNTRY.finditer(text)}
    inside_country = [(start, end) for end, start in country.items()]
    groups = [[m.start(), m.end()] for m in re.finditer(r"[0-9]+", text)
              if not any(a <= m.start() < b for a, b in inside_country)]
    # Digits typed one by one with single spaces between are one group (0 9 0 → 090).
    merged: list[list[int]] = []
    for start, end in groups:
        if merged and end - start == 1 and merged[-1][1] + 1 == start and text[merged[-1][1]] == " " \
                and (merged[-1][1] - merged[-1][0] == 1 or " " in text[merged[-1][0]:merged[-1][1]]):
            merged[-1][1] = end
        else:
            merged.append([start, end])
    found: list[tuple[int, int]] = []
    i = 0
    while i < len(merged):
        start = merged[i][0]
        national = start in country
        best = None
        digits = "0" if national else ""
        for j in range(i, len(merged)):
            if j > i:
                gap = text[merged[j - 1][1]:merged[j][0]]
                if not _PHONE_GAP.fullmatch(gap) or gap.count("\n") > 1 or len(_PHONE_MARKS.findall(gap)) > 2:
                    break
            group = text[merged[j][0]:merged[j][1]]
            digits += group.replace(" ", "")
            if len(digits) > 11:
                break
            last = len(group.replace(" ", ""))
            if digits[0] == "0" and digits[1:2] not in ("", "0") and len(digits) in (10, 11) \
                    and (j == i or 3 <= last <= 4 or " " in group):
                best = j
        before = text[start - 1] if start > 0 and not national else ""
        if best is not None and not (before.isdigit() or before in ("-", "+")):
            # A bracket opened before the area code belongs to the number: (03)1234-5678.
            found.append((country[start] if national else start - (before == "("), merged[best][1]))
            i = best + 1
        else:
            i += 1
    return found


_STREET_NUMERAL = "[〇一二三四五六七八九十百千]+"
# Kanji numerals of a street number, written vertically (二丁目七番十四号, 三－十二－五, 十二の五):
# before 丁目, 丁, 番, 号, or next to a dash or の between numbers.
# A unit glued to more kanji is a name (六番町, 一番館, 二号線): not a street number.
_UNIT = r"(?:丁目|番地|(?:丁|番|号)(?![一-龥々]|$)|(?:丁|番|号)(?=[〇一二三四五六七八九十]))"
_KANJI_STREET_NUMBER = re.compile(
    rf"{_STREET_NUMERAL}(?={_UNIT}|[-－ー][0-9〇一二三四五六七八九十]|の[0-9〇一二三四五六七八九十]+(?:[-－ーの番号]|$|[^ぁ-ゖ]))"
    rf"|(?<=[0-9〇一二三四五六七八九十][-－ー]){_STREET_NUMERAL}"
    rf"|(?:(?<=[0-9]丁目)|(?<=[0-9]番地の)|(?<=[0-9][番号]の)|(?<=[0-9]番地)|(?<=[0-9][丁番])|(?<=[0-9]の)){_STREET_NUMERAL}")


def _as_digits(match: re.Match) -> str:
    number = kanji_number(match.group())
    return match.group() if number is None else str(number)


def street_numbers(normalized: Projection) -> Projection:
    """The view addresses are matched in: kanji numerals of street numbers as digits (東海岸北二丁目七番
    十四号 → 東海岸北2丁目7番14号), positions kept; numbers in prose (三つの団体, 十二月, 第二回) stay."""
    if not _KANJI_IN_STREET.search(normalized.text):
        return normalized
    view = normalized
    for _ in range(3):  # each number is found once the one before it is a digit
        again = view.sub(_KANJI_STREET_NUMBER, _as_digits)
        if again.text == view.text:
            break
        view = again
    return view


_KANJI_IN_STREET = re.compile(r"[〇一二三四五六七八九十百千](?:丁|番|号|[-－ー]|の[〇一二三四五六七八九十])")


def _address_start(m: re.Match) -> int | None:
    head = m.group("head") if m.group("block") else m.group("head2")
    town = m.group("town") if m.group("block") else m.group("town2")
    start = m.start()
    for lead in _LEADS:
        if m.group().startswith(lead):
            start += len(lead)
            if head.startswith(lead):
                head = head[len(lead):]
            else:
                town = town[len(lead) - len(head):]
                head = ""
            break
    if not head and re.fullmatch(r"[ぁ-ゖ]{3,12}", town):
        return start  # a town in hiragana before a whole street number (the pattern asked for both)
    if not head:
        # Without a municipality the town must look like one: two characters at least, not a label;
        # and a の glued to a word before it is a particle (集会所の浜竹3-12-5), while （丸の内1-2-3） is a name.
        joint = max(town.find("の"), town.find("つ"))
        if joint >= 0 and start > 0 and re.match(r"[\w々ー]", m.string[start - 1]):
            start += len(town[:joint + 1])
            town = town[joint + 1:]
        if len(town) < 2 or any(town.endswith(word) for word in _NOT_TOWNS):
            return None
    return start
