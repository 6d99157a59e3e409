"""Reading the Japanese texts of needs and offers for matching: content terms (Sudachi), the free
text of older data turned into choices, and areas as comparable keys."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

from sync.anonymize.names import tokenizer

from .models import CollaborationForm, CostItem

# --- Japanese text → terms ---------------------------------------------------------------------

# Content words only: nouns (not numbers or pronouns), verbs that stand alone, adjectives.
_KEEP = {("名詞", "普通名詞"), ("名詞", "固有名詞"), ("動詞", "一般"), ("形容詞", "一般"), ("形状詞", "一般")}
# Words every need and offer says ("…できる団体を探している", "一緒に実施"): they carry no topic.
_STOP = frozenset({
    "団体", "活動", "事業", "協力", "実施", "一緒", "担い手", "探す", "行う", "募集", "市民", "協働", "考える",
    "為る", "居る", "成る", "有る", "出来る", "方", "等", "事", "物", "所", "為", "様", "中", "上", "内", "向け",
    "ほか", "希望", "地域", "市", "区", "町", "こと", "もの", "ところ", "呉れる", "貰う", "欲しい", "良い", "進める",
    "作り", "作る", "取り組む", "取組", "関する", "対象", "場合", "以上", "程度", "必要",
})
_CHUNK = 4000
_MAX_TEXT = 20_000


def _tokenizer():
    # One Sudachi dictionary per process, shared with the anonymizer (building it is the slow part).
    return tokenizer()


def terms(*texts: str | None) -> dict[str, int]:
    """Content-word counts of Japanese texts, by Sudachi's normalized form (子ども → 子供, ＴＮＲ → tnr)."""
    counts: Counter[str] = Counter()
    for text in texts:
        if not text:
            continue
        text = unicodedata.normalize("NFKC", text)[:_MAX_TEXT]
        for start in range(0, len(text), _CHUNK):
            for morpheme in _tokenizer().tokenize(text[start:start + _CHUNK]):
                pos = morpheme.part_of_speech()
                if (pos[0], pos[1]) not in _KEEP or pos[2] == "数詞":
                    continue
                form = morpheme.normalized_form().casefold()
                if form in _STOP or (len(form) == 1 and not _is_kanji(form)):
                    continue
                counts[form] += 1
    return dict(counts)


def _is_kanji(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or char == "々"


# --- free text of the old data → choices -------------------------------------------------------------

_FORM_WORDS: tuple[tuple[str, str], ...] = (
    ("行政提案", CollaborationForm.KYODO_SUISHIN_GYOSEI),
    ("市民提案", CollaborationForm.KYODO_SUISHIN_SHIMIN),
    ("指定管理", CollaborationForm.SHITEI_KANRI),
    ("実行委員会", CollaborationForm.JIKKO_IINKAI),
    ("事業協力", CollaborationForm.JIGYO_KYORYOKU),
    ("委託", CollaborationForm.ITAKU),
    ("補助", CollaborationForm.HOJO),
    ("共催", CollaborationForm.KYOSAI),
    ("後援", CollaborationForm.KOEN),
    ("企業", CollaborationForm.CORPORATE),
)
_FORM_NOISE = re.compile(r"[\s、，,・/／()（）「」]|協働推進事業|協働|型|者|との連携|連携|その他|など|等")
_COST_WORDS: tuple[tuple[str, str], ...] = (
    ("交通費", CostItem.TRANSPORT), ("材料費", CostItem.MATERIALS), ("謝礼", CostItem.HONORARIUM),
    ("会場", CostItem.VENUE), ("保険", CostItem.INSURANCE),
)


def parse_allowed_forms(text: str) -> tuple[list[str], str]:
    """「事業協力・委託（協働委託）」 → (["jigyo_kyoryoku", "itaku"], ""); what is not a form comes back as a note."""
    text = unicodedata.normalize("NFKC", text or "")
    found, rest = [], text.replace("協働委託", "委託")
    for word, form in _FORM_WORDS:
        if word in rest:
            found.append(form.value)
            rest = rest.replace(word, "")
    ordered = [value for value in CollaborationForm.values if value in found]
    leftover = _FORM_NOISE.sub("", rest)
    return ordered, (text.strip() if leftover else "")


def parse_costs(text: str) -> list[str]:
    """「会場・交通費程度の謝礼」 → ["transport", "honorarium", "venue"]."""
    text = text or ""
    found = {cost.value for word, cost in _COST_WORDS if word in text}
    return [value for value in CostItem.values if value in found]


# --- areas ------------------------------------------------------------------------------------------

_AREA_SPLIT = re.compile(r"[\s、，,・/／]+")
_AREA_SUFFIX = re.compile(r"(市内全域|全域|市内|区内|町内|周辺|一円|地域|エリア|地区)$")
WHOLE_AREA = re.compile(r"全域|市内|全市|どこでも")


def _fold_place(text: str) -> str:
    # 茅ヶ崎, 茅ケ崎 and 茅が崎 are written all three ways; 茅ヶ崎市 and 茅ヶ崎(市内) are the same place.
    text = text.replace("ヶ", "ケ").replace("ヵ", "カ").replace("が崎", "ケ崎")
    return text[:-1] if len(text) > 2 and text.endswith("市") else text


def area_keys_of(text: str) -> tuple[tuple[str, str], ...]:
    """「茅ヶ崎市内・寒川町」 → (("茅ヶ崎市", "茅ケ崎市"), ("寒川町", "寒川町")): (shown, compared)."""
    keys = []
    for piece in _AREA_SPLIT.split(unicodedata.normalize("NFKC", text or "")):
        piece = _AREA_SUFFIX.sub("", piece.strip())
        if piece:
            keys.append((piece, _fold_place(piece)))
    return tuple(keys)


@lru_cache(maxsize=256)
def municipality_key(name: str) -> str:
    keys = area_keys_of(name)
    return keys[0][1] if keys else ""
