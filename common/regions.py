"""Prefectures by their JIS code (JIS X 0401, the first two digits of a 全国地方公共団体コード) and the
eight regions (地方区分) the national statistics group them in. Pure: no Django."""

from __future__ import annotations

PREFECTURES: dict[str, str] = dict(zip((f"{code:02d}" for code in range(1, 48)), (
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県", "群馬県", "埼玉県",
    "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県", "岐阜県", "静岡県",
    "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県", "鳥取県", "島根県", "岡山県",
    "広島県", "山口県", "徳島県", "香川県", "愛媛県", "高知県", "福岡県", "佐賀県", "長崎県", "熊本県", "大分県",
    "宮崎県", "鹿児島県", "沖縄県"), strict=True))

# The eight regions of the usual 地方区分, 沖縄 with 九州; (key, name, first code, last code), in order.
_REGION_RANGES = (
    ("hokkaido", "北海道", 1, 1), ("tohoku", "東北", 2, 7), ("kanto", "関東", 8, 14), ("chubu", "中部", 15, 23),
    ("kinki", "近畿", 24, 30), ("chugoku", "中国", 31, 35), ("shikoku", "四国", 36, 39),
    ("kyushu_okinawa", "九州・沖縄", 40, 47),
)
REGIONS: dict[str, str] = {key: name for key, name, _first, _last in _REGION_RANGES}
REGION_PREFECTURES: dict[str, tuple[str, ...]] = {
    key: tuple(f"{code:02d}" for code in range(first, last + 1)) for key, _name, first, last in _REGION_RANGES}
PREFECTURE_REGION: dict[str, str] = {code: key for key, codes in REGION_PREFECTURES.items() for code in codes}


def prefecture_of(code: str) -> str:
    """The prefecture's two-digit code of a 全国地方公共団体コード (5 or 6 digits) or of a prefecture code;
    ValueError for anything that names no prefecture."""
    prefecture = str(code)[:2]
    if len(str(code)) not in (2, 5, 6) or prefecture not in PREFECTURES:
        raise ValueError(f"not a prefecture's or municipality's code: {code!r}")
    return prefecture


def region_of(code: str) -> str:
    """The region key (REGIONS) of a prefecture or municipality code."""
    return PREFECTURE_REGION[prefecture_of(code)]
