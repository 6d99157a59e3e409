"""The independent final check (sync.leakcheck): known personal data in any spelling, kinds only; no database."""

from __future__ import annotations

import tomllib
from pathlib import Path

import grimp
import pytest

import sync.anonymize
from sync.anonymize import KnownPersonalData, ScrubResult
from sync.leakcheck import KINDS, LeakCheck, compile_known, leaks
from sync.leakcheck.fold import digit_chains, key, prepare
from sync.leakcheck.romaji import hepburn, reduce
from tests.bench.scrubber import VARIANTS, load_corpus

ROOT = Path(__file__).resolve().parents[2]

KNOWN = KnownPersonalData(
    person_names=("山田 太郎", "ヤマダ タロウ", "佐藤 裕子", "サトウ ユウコ", "佐々木 恵子", "林 誠", "中野 光",
                  "大島 奈々子", "四月一日心春", "九十九 陽翔"),
    phones=("090-1234-5678", "0467-82-1111"),
    emails=("taro.yamada@example.jp", "info@shonan-neko.org"),
    addresses=("神奈川県茅ヶ崎市東海岸北3丁目12番5号 コーポ湘南201号室", "横浜市戸塚区二つ室559-7"),
    organizations=("NPO法人湘南ねこの会", "ショウナンネコノカイ"),
    postal_codes=("253-0041",),
)


def kinds(text: str, known=KNOWN) -> set[str]:
    return leaks([text], known)


# --- every spelling class, known values -------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "山\u3164田太郎さん", "山田\u034f太郎", "山\u200b田\u200b太郎", "\ufeff山田\u00ad太郎", "山\ufe00田太郎", "山田\u115f太郎",
    "山田·太郎", "山田・太郎", "山田/太郎", "山田／太郎", "ﾔﾏﾀﾞ ﾀﾛｳ",
    "Taro Yamada", "YAMADA Taro", "yamada taro", "Yamada, Tarō", "Tarou Yamada", "Yūko Satō", "Satoh Yuko", "SATOU Yuuko",
    "Yamada-san", "Yamada san", "Yamadaさん", "Mr. Yamada",
    "さとーゆーこさん", "さとー ゆーこ", "サトー・ユーコ", "サト一 ユウコ", "おーしま ななこ",
    "佐佐木恵子", "佐佐木さん", "&#23665;&#x7530;太郎", "&#23665;&#30000;&#22826;&#37070;", "%E5%B1%B1%E7%94%B0%E5%A4%AA%E9%83%8E",
    "%E5%B1%B1%E7%94%B0%20%E5%A4%AA%E9%83%8E", "ＹＡＭＡＤＡ　Ｔａｒｏ", "Yаmada Taro",  # Cyrillic а
    "林さん", "対応：林", "代表の林が", "中野さん", "四月一日さん", "九十九さん", "やまだ たろう",
])
def test_known_person_in_any_spelling_is_refused(text):
    assert kinds(text) == {"person"}


@pytest.mark.parametrize("text", [
    "〇九〇－一二三四－五六七八", "○九○・一二三四・五六七八", "◯九◯ー一二三四ー五六七八", "090、1234、5678", "090の1234の5678",
    "0 9 0 - 1 2 3 4 - 5 6 7 8", "090-1234-\n5678", "090 - 1234 - 5678", "+81 90 1234 5678", "+81-(0)90-1234-5678",
    "(090)1234-5678", "0467(82)-1111", "04６7ー82ー1111", "09012345678", "０９０．１２３４．５６７８", "090&#45;1234&#45;5678",
])
def test_known_phone_across_any_separator_is_refused(text):
    assert kinds(f"連絡先は{text}です") == {"phone"}


@pytest.mark.parametrize("text", ["〒二五三－〇〇四一", "〒253・0041", "〒 253 - 0041", "2530041", "二五三〇〇四一", "253の0041",
                                  "〒二五三－○○四一"])
def test_known_postal_code_in_any_spelling_is_refused(text):
    assert kinds(f"送付先 {text}") == {"postal_code"}


@pytest.mark.parametrize("text", [
    "taro.yamada＠example。jp", "taro。yamada＠example。jp", "ｔａｒｏ．ｙａｍａｄａ＠ｅｘａｍｐｌｅ。ｊｐ", "taro.yamada あっと example どっと jp",
    "taro.yamadaアットマークexample.jp", "taro.yamada at example dot jp", "taro.yamada[at]example[dot]jp",
    "taro.yamada(at)example.jp", "taro.yamada&#64;example.jp", "taro.yamada&commat;example.jp",
    "taro.yamada%40example.jp", "mailto:taro.yamada%40example.jp",
    "TARO.YAMADA@gmail.com",  # the mailbox name alone identifies, whatever the domain
    "info@shonan-neko.org", "info あっと shonan-neko どっと org",
])
def test_known_email_by_its_mailbox_name_is_refused(text):
    assert "email" in kinds(f"メール：{text}")


def test_a_shared_mailbox_name_alone_is_not_the_known_address():
    assert kinds("市の窓口 info@city.chigasaki.jp へ") == set()


@pytest.mark.parametrize("text", [
    "茅ヶ崎市東海岸北3-12-5", "東海岸北三丁目十二番五号", "東海岸北3丁目12番5号", "東海岸北3丁12-5", "東海岸北三－十二－五",
    "東海岸北3 - 12 - 5", "東海岸北3丁目12の5", "ひがしかいがんきた3-12-5", "東海岸北3-12-\n5", "二つ室559-7",
    "ふたつむろ559-7", "戸塚区二つ室五百五十九の七",
])
def test_known_address_in_any_notation_is_refused(text):
    assert kinds(f"会場は{text}の集会所") == {"address"}


@pytest.mark.parametrize("text", ["湘南ねこの会", "湘南\u200bねこの会", "&#28248;南ねこの会", "ｼｮｳﾅﾝﾈｺﾉｶｲ", "しょうなんねこのかい"])
def test_known_organization_in_any_spelling_is_refused(text):
    assert kinds(f"{text}から協力の申し出") == {"organization"}


def test_every_kind_is_reported_and_no_value():
    text = "山田太郎 〇九〇－一二三四－五六七八 taro.yamadaあっとexample.jp 東海岸北3丁12-5 〒253・0041 湘南ねこの会"
    found = kinds(text)
    assert found == set(KINDS)
    assert all(isinstance(kind, str) and kind in KINDS for kind in found)


# --- precision: it looks for known values only, with word boundaries for short ones ----------------

@pytest.mark.parametrize("text", [
    "林業体験と森林保全", "中野区の事例", "中野駅前で開催", "誠に有難うございます", "まことにありがとう", "ひかる石", "光が丘",
    "令和5年度に120万円を交付", "13:30～15:00", "三つの団体", "十二月の第二回交流会", "九十九里町の先進事例", "参加者99名",
    "東海岸北3丁目の集会所", "東海岸北3-12-50", "東海岸北13-12-5", "整理番号 12530041", "1,253,004,100円", "No.0901234567890",
    "ふるさとの秋", "さとの秋", "さとうきび畑", "はやしたてる", "やまだしの", "ゆうこうな方法", "Open Data Day",
    "山田町の公民館", "佐藤ガス有限会社", "山田花子さん", "ヤマダ電機", "大島紬の展示", "四月一日から新体制", "心春の候",
    "湘南地域のねこ", "info@example.org", "2023-10-15に開催", "2024.04.01-2025.03.31", "090-1234-5679", "0467-82-11111",
])
def test_ordinary_prose_and_unknown_values_pass(text):
    assert kinds(text) == set()


def test_a_two_character_name_needs_a_word_of_its_own():
    known = KnownPersonalData(person_names=("中野 光",))
    assert kinds("中野が来館", known) == {"person"}
    assert kinds("中野区の中野町で中野駅", known) == set()


def test_a_kana_reading_in_hiragana_is_a_name_only_when_marked():
    known = KnownPersonalData(person_names=("中野 光", "ナカノ ヒカル"))
    assert kinds("ひかるさんが来た", known) == {"person"}
    assert kinds("ひかる石と、ひかるまち", known) == set()
    assert kinds("ヒカルが来た", known) == {"person"}  # in katakana a word of its own is the name


def test_a_known_name_of_one_character_needs_an_honorific_or_a_role():
    known = KnownPersonalData(person_names=("林 誠",))
    assert kinds("林さん", known) == kinds("対応：林", known) == kinds("代表の林は", known) == {"person"}
    assert kinds("林業と森林、林委員会", known) == set()


# --- the API ------------------------------------------------------------------------------------------

def test_known_data_may_be_a_mapping_or_a_compiled_check():
    mapping = {"person_names": ["山田 太郎"], "phones": ["090-1234-5678"]}
    compiled = compile_known(mapping)
    assert isinstance(compiled, LeakCheck)
    for known in (mapping, compiled, KnownPersonalData.from_dict(mapping)):
        assert leaks(["Taro Yamada", "〇九〇・一二三四・五六七八"], known) == {"person", "phone"}


def test_a_single_string_is_one_text_and_nothing_known_finds_nothing():
    assert leaks("山田太郎", KNOWN) == {"person"}
    assert leaks(["山田太郎 090-1234-5678"], KnownPersonalData()) == set()
    assert leaks(["山田太郎"], {}) == set()
    assert not compile_known({})


def test_the_same_known_object_is_compiled_once():
    assert compile_known(KNOWN) is compile_known(KNOWN)


# --- the skeletons --------------------------------------------------------------------------------------

def test_readings_fold_to_one_skeleton():
    assert key("さとーゆーこ") == key("サトウ ユウコ") == key("サトオユウコ") == key("ｻﾄｳ ﾕｳｺ")
    assert key("佐々木") == key("佐佐木")
    assert key("キョウコ") == key("きょーこ")
    assert key("髙橋") == key("高橋")


def test_kanji_numerals_fold_positionally():
    assert key("二丁目七番十四号") == "2-7-14"
    assert key("二千四百五番地の三") == "2405-3"
    assert key("三－十二－五") == "3-12-5"
    assert prepare("サト一").endswith("ー")  # a look-alike of ー after katakana


def test_romaji_spellings_reduce_to_one():
    assert {reduce(w) for w in ("Satō", "Satoh", "Satou", "SATO", "Satoo")} == {reduce(hepburn("サトウ"))}
    assert {reduce(w) for w in ("Yūko", "Yuuko", "Yuko")} == {reduce(hepburn("ユウコ"))}
    assert reduce("Shinichi") == reduce("Sinichi") == reduce(hepburn("シンイチ"))


def test_digit_chains_keep_where_each_written_group_ends():
    (chain,) = digit_chains(prepare("〒253-0041"))
    assert chain.digits == "2530041" and chain.starts == {0, 3} and chain.ends == {3, 7}


# --- independence from the scrubber -----------------------------------------------------------------

def test_an_import_linter_contract_keeps_the_two_apart():
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]
    independence = [c for c in contracts if c["type"] == "independence"]
    assert any(set(c["modules"]) == {"sync.anonymize", "sync.leakcheck"} for c in independence)
    pure = next(c for c in contracts if c["id"] == "pure")
    assert "sync.leakcheck" in pure["source_modules"]


def test_neither_package_imports_the_other_at_any_depth():
    graph = grimp.build_graph("sync")
    for importer, imported in (("sync.leakcheck", "sync.anonymize"), ("sync.anonymize", "sync.leakcheck")):
        for module in graph.find_descendants(importer) | {importer}:
            for target in graph.find_descendants(imported) | {imported}:
                assert graph.find_shortest_chain(importer=module, imported=target) is None, (module, target)


def _send(text: str, known: KnownPersonalData) -> str | None:
    """A projection's door as the callers will run it: scrub, the scrubber's own check, the independent
    check; the text that would leave, or None when refused. Looks the scrubber up at call time."""
    scrubbed = sync.anonymize.scrub(text, known).text
    if sync.anonymize.find_known(scrubbed, known) or leaks([scrubbed], known):
        return None
    return scrubbed


def test_with_the_scrubber_switched_off_the_check_alone_refuses_every_known_variant(monkeypatch):
    """A blind spot of the scrubber (here: all of it, and its own check too) is not one of the check."""
    monkeypatch.setattr(sync.anonymize, "scrub", lambda text, known=None, **kwargs: ScrubResult(text, []))
    monkeypatch.setattr(sync.anonymize, "find_known", lambda text, known: [])
    holding_known = [item for item in load_corpus(VARIANTS) if any(span["known"] for span in item["spans"])]
    assert len(holding_known) >= 140
    sent = [item["id"] for item in holding_known
            if _send(item["text"], KnownPersonalData.from_dict(item["known"])) is not None]
    assert sent == []


def test_with_the_scrubber_switched_off_texts_without_known_values_still_pass(monkeypatch):
    monkeypatch.setattr(sync.anonymize, "scrub", lambda text, known=None, **kwargs: ScrubResult(text, []))
    monkeypatch.setattr(sync.anonymize, "find_known", lambda text, known: [])
    clean = [item for item in load_corpus(VARIANTS) if not any(span["known"] for span in item["spans"])]
    refused = [item["id"] for item in clean if _send(item["text"], KnownPersonalData.from_dict(item["known"])) is None]
    assert refused == []


def test_a_known_surname_in_romaji_counts_alone_when_long_a_given_name_only_with_company():
    known = KnownPersonalData(person_names=("門脇 勇太", "カドワキ ユウタ", "田中 亮介"))
    for text in ("kadowaki.yut", "連絡は KADOWAKI まで", "Kadowaki Denki"):
        assert leaks([text], known) == {"person"}, text
    # A given name (or a short surname) alone is too often something else: a stranger's mailbox.
    assert leaks(["申込みはryosuke_onodera34へ"], known) == set()
