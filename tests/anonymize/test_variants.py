"""The scrubber on the spellings people type (issue 13): known values and third parties; no database."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from sync.anonymize import KnownPersonalData, find_known, scrub
from sync.leakcheck import leaks
from tests.anonymize import make_variants
from tests.bench.scrubber import (
    VARIANT_KINDS,
    VARIANT_TARGETS,
    VARIANTS,
    evaluate_variants,
    load_corpus,
    oracle_leaks,
    scrubber_for,
)

KNOWN = KnownPersonalData(
    person_names=("山田 太郎", "ヤマダ タロウ", "佐藤 裕子", "佐々木 恵子", "大島 奈々子", "小野寺 和也"),
    phones=("090-1234-5678", "0467-82-1111"),
    emails=("taro.yamada@example.jp",),
    addresses=("神奈川県茅ヶ崎市東海岸北3丁目12番5号", "横浜市戸塚区二つ室559-7"),
    organizations=("NPO法人湘南ねこの会",),
    postal_codes=("253-0041",),
)


def covered(text: str, written: str, known: KnownPersonalData | None = None, layers=None) -> bool:
    """Every character of `written` (inside `text`) lies in some replacement."""
    result = scrub(text, known, **({"layers": layers} if layers else {}))
    start = text.index(written)
    inside = bytearray(len(text))
    for r in result.replacements:
        inside[r.start:r.end] = b"\x01" * (r.end - r.start)
    return all(inside[start:start + len(written)])


def assert_replaced(frame: str, written: str, known: KnownPersonalData | None = None) -> None:
    text = frame.format(written)
    assert covered(text, written, known), scrub(text, known).text


# --- phones ------------------------------------------------------------------------------------------

PHONES = ["〇九〇－一二三四－五六七八", "○九○ー一二三四ー五六七八", "◯九◯-一二三四-五六七八", "090・1234・5678", "090、1234、5678",
          "090の1234の5678", "090 - 1234 - 5678", "090 ー 1234 ー 5678", "090-1234-\n5678", "0467-\n82-1111",
          "03(1234)-5678", "(03)1234-5678", "(0467)-82-1111", "0467(82)1111", "0 9 0 - 1 2 3 4 - 5 6 7 8",
          "+81 90-1234-5678", "+81(0)467-82-1111", "０９０．１２３４．５６７８", "〇四六七（八二）一一一一"]


@pytest.mark.parametrize("written", PHONES)
def test_a_third_partys_phone_in_any_spelling(written):
    assert_replaced("連絡先は{}です。", written)


@pytest.mark.parametrize("written", ["〇九〇－一二三四－五六七八", "○九○・一二三四・五六七八", "090、1234、5678", "090の1234の5678",
                                     "0 9 0 - 1 2 3 4 - 5 6 7 8", "090-1234-\n5678", "0467(82)-1111"])
def test_a_known_phone_in_any_spelling(written):
    text = f"携帯{written}まで"
    assert covered(text, written, KNOWN, {"known"}), scrub(text, KNOWN, layers={"known"}).text


# --- postal codes -------------------------------------------------------------------------------------

@pytest.mark.parametrize("written", ["〒二五三－〇〇四一", "〒二五三ー○○四一", "〒253・0041", "〒 253 - 0041", "〒253 0041",
                                     "〒253の0041", "〒２５３ー００４１"])
def test_a_postal_code_after_its_mark_in_any_spelling(written):
    assert_replaced("{} 茅ヶ崎市内", written)
    assert_replaced("{} 茅ヶ崎市内", written, KNOWN)


def test_a_postal_code_after_its_label_with_a_separator():
    assert_replaced("郵便番号：{}", "253・0041")


# --- e-mail addresses: the mailbox name goes with the domain ------------------------------------------

EMAILS = ["hanako.sato＠example。jp", "ｈａｎａｋｏ．ｓａｔｏ＠ｅｘａｍｐｌｅ。ｊｐ", "hanako.satoあっとexample.jp",
          "hanako.sato アットマーク example.jp", "hanako.satoあっとまーくexampleどっとjp", "hanako.sato at example dot jp",
          "hanako.sato[at]example[dot]co[dot]jp", "hanako.sato(at)example.jp", "hanako.sato [at] example.jp",
          "hanako.sato&#64;example.jp", "hanako.sato&#x40;example.jp", "hanako.sato%40example.jp", "hanako。sato＠example.jp"]


@pytest.mark.parametrize("written", EMAILS)
def test_a_third_partys_email_in_any_spelling_is_replaced_whole(written):
    assert_replaced("メールは{}まで。", written)


@pytest.mark.parametrize("written", ["taro.yamada＠example。jp", "taro.yamadaあっとexample.jp", "taro.yamada [at] example.jp",
                                     "taro.yamada%40example.jp", "taro.yamada&#64;example.jp", "taro.yamada at gmail dot com"])
def test_a_known_mailbox_name_is_found_whatever_follows(written):
    text = f"返信先 {written}"
    result = scrub(text, KNOWN, layers={"known"})
    assert "taro" not in result.text and "yamada" not in result.text, result.text


# --- addresses ------------------------------------------------------------------------------------------

ADDRESSES = ["茅ヶ崎市東海岸北二丁目七番十四号", "東海岸北二丁目七番十四号", "茅ヶ崎市東海岸北三－十二－五", "茅ヶ崎市東海岸北3丁12-5",
             "茅ヶ崎市東海岸北3丁目12の5", "茅ヶ崎市東海岸北3の12の5", "茅ヶ崎市東海岸北3 - 12 - 5", "茅ヶ崎市ひがしかいがんきた3-12-5",
             "横浜市青葉区美しが丘六丁目四番二十四号", "足柄上郡開成町吉田島二千四百五番地の三", "藤沢市とべちょう2-3-4"]


@pytest.mark.parametrize("written", ADDRESSES)
def test_a_third_partys_address_in_any_notation(written):
    assert_replaced("会場は{}の集会所。", written)


@pytest.mark.parametrize("frame", ["住所：{}\n", "倉庫は{}にある。"])
def test_a_town_in_hiragana_standing_as_a_word(frame):
    assert_replaced(frame, "ひがしかいがんきた3-12-5")


@pytest.mark.parametrize("written", ["東海岸北三丁目十二番五号", "東海岸北三－十二－五", "東海岸北3丁12-5", "ひがしかいがんきた3-12-5",
                                     "東海岸北3 - 12 - 5", "二つ室五百五十九の七"])
def test_a_known_address_in_any_notation(written):
    text = f"自宅（{written}）"
    assert covered(text, written, KNOWN, {"known"}), scrub(text, KNOWN, layers={"known"}).text


# --- names ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("written", [
    "山\u3164田太郎", "山田\u034f太郎", "山\u200b田太郎", "山田\u115f太郎", "山\ufeff田太郎", "山田\u00ad太郎", "山田\ufe00太郎",
    "山田·太郎", "山田・太郎", "山田/太郎", "山田／太郎", "松本・康弘",
    "&#23665;&#30000;&#22826;&#37070;", "&#x5c71;&#x7530;太郎", "%E5%B1%B1%E7%94%B0%E5%A4%AA%E9%83%8E",
    "佐佐木恵子", "野野村健太",
])
def test_a_third_partys_name_split_padded_or_encoded(written):
    assert_replaced("{}さんから相談があった。", written)


@pytest.mark.parametrize("written", ["Taro Yamada", "YAMADA Taro", "Yūko Satō", "Kenta Suzuki", "Hanako TANAKA",
                                     "Ishikawa Kazuya"])
def test_a_third_partys_name_in_romaji(written):
    assert_replaced("署名欄に {} とあった。", written)


@pytest.mark.parametrize(("frame", "written"), [("{}さんに電話した", "Yamada"), ("{}-san from the board", "Yamada"),
                                                ("面談：Ms. {}", "Sato")])
def test_a_romaji_surname_marked_as_a_name(frame, written):
    assert_replaced(frame, written)


@pytest.mark.parametrize(("frame", "written"), [
    ("{}さんから電話", "さとーゆーこ"), ("{}さんから電話", "サトー ユーコ"), ("講師：{}", "カトー タクヤ"),
    ("申込者 {}（携帯", "まえだゆーと"), ("申込者 {}（携帯", "はしもと　しゅーへー"), ("自治会の{}会長と", "はしもとゆーと"),
    ("{}さんが来館", "サト一 ユウコ"), ("報告者：{}\n", "ノノムラ ユウ卜"),
])
def test_a_third_partys_name_typed_by_ear_or_with_look_alikes(frame, written):
    assert_replaced(frame, written)


@pytest.mark.parametrize(("frame", "written"), [
    *(("相談者は {} 。", name) for name in ("Taro Yamada", "YAMADA Tarō", "yamada taro", "さとーゆーこ", "さとう ゆうこ",
                                               "おーしま ななこ", "佐佐木恵子", "サト一 ユウコ", "山\u3164田太郎",
                                               "%E5%B1%B1%E7%94%B0%E5%A4%AA%E9%83%8E", "&#23665;&#30000;太郎")),
    ("相談者は {}-san", "Yamada"), ("相談者は Mr. {}", "Yamada"), ("相談者は{}さん", "Yamada"),
])
def test_a_known_name_in_any_spelling(frame, written):
    text = frame.format(written)
    assert covered(text, written, KNOWN, {"known"}), scrub(text, KNOWN, layers={"known"}).text


def test_a_known_organization_padded_encoded_or_without_its_legal_form():
    for written in ("湘南ねこの会", "湘南\u200bねこの会", "&#28248;南ねこの会", "NPO法人湘南ねこ\u3164の会"):
        assert covered(f"{written}と協働", written, KNOWN, {"known"}), written


# --- precision: what must come through ---------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "令和6年度は三つの団体が参加し、十二月の第二回交流会には四十五名が集まった。", "事業費は百二十万円、うち市の負担は六十万円。",
    "午前十時三十分から正午まで、二階の会議室で開催。", "二〇二三年十月十五日（日）十時開始。", "本町三丁目の集会所で開催。",
    "一丁目から三丁目までの自治会が合同で防災訓練", "ちがさきの海岸で清掃、ひらつかの七夕まつりにも出店した。", "13:30～15:00 中央公園",
    "2024年度の助成額は1,200,000円、上限は二百万円。", "九時〜十二時、十三時〜十六時の二部制", "2024.04.01-2025.03.31の事業期間",
    "狛江市六番町の一番館で二号線沿い", "ヘルパーさんとサポーターさんが訪問", "おねーさんと一緒に来た", "スーパーの店長さん",
    "Open Data Dayに参加", "Kanagawa Kenmin Centerで開催", "担当はまだきまっていない。", "データ一覧とセンター二階",
    "50%OFFのA&B商店", "市では12-5%の増加", "第2-3回の委員会",
])
def test_prose_numbers_places_and_words_survive(text):
    assert scrub(text).text == text


# --- the corpus -------------------------------------------------------------------------------------------

def test_variants_file_is_what_the_generator_writes():
    lines = Path(make_variants.OUT).read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == make_variants.build()


def test_variants_spans_are_exact_typed_and_half_known():
    items = load_corpus(VARIANTS)
    spans = [span for item in items for span in item["spans"]]
    assert len(spans) >= 300
    for item in items:
        for span in item["spans"]:
            piece = item["text"][span["start"]:span["end"]]
            assert piece and piece.strip() == piece
    by_kind = Counter(span["kind"] for span in spans)
    assert set(by_kind) == set(VARIANT_KINDS)
    assert 0.4 <= sum(span["known"] for span in spans) / len(spans) <= 0.6
    assert sum(1 for item in items if not item["spans"]) >= 30


def test_every_known_span_is_derivable_from_its_items_known_data_and_no_unknown_one_is():
    """The labels agree with the data: the independent check finds each known span's value in the
    span alone, and none in an unknown one (except organizations, which are known only)."""
    for item in load_corpus(VARIANTS):
        known = item["known"]
        for span in item["spans"]:
            found = leaks([item["text"][span["start"]:span["end"]]], known)
            if span["known"]:
                assert span["kind"] in found, (item["id"], span)
            else:
                assert span["kind"] not in found, (item["id"], span)


def test_variants_meet_the_recall_targets():
    result = evaluate_variants(load_corpus(VARIANTS), scrubber_for())
    for (side, kind), (spans, recalled) in result["by_kind"].items():
        assert recalled / spans >= VARIANT_TARGETS[side], (side, kind, recalled, spans)
    assert result["precision"] >= 0.95


def test_nothing_known_leaves_through_the_whole_pipeline():
    """Scrub, the scrubber's check, the independent check; what would be sent holds no known value
    for the benchmark's brute-force oracle."""
    leaked = []
    for item in load_corpus(VARIANTS):
        known = KnownPersonalData.from_dict(item["known"])
        result = scrub(item["text"], known)
        if find_known(result.text, known) or leaks([result.text], known):
            continue
        if oracle_leaks(item, result.text, [(r.start, r.end, r.kind, r.layer) for r in result.replacements]):
            leaked.append(item["id"])
    assert leaked == []


def test_the_oracle_sees_what_was_left():
    item = {"text": "担当 山田太郎 090-1234-5678", "known": {"person_names": ["山田 太郎"], "phones": ["090-1234-5678"]},
            "spans": [{"start": 3, "end": 7, "kind": "person", "known": True},
                      {"start": 8, "end": 21, "kind": "phone", "known": True}]}
    assert sorted(oracle_leaks(item, "担当 〔人名〕 090-1234-5678", [(3, 7, "person", "known")])) == ["phone", "phones"]
    assert oracle_leaks(item, "担当 〔人名〕 〔電話番号〕", [(3, 7, "person", "known"), (8, 21, "phone", "known")]) == []
