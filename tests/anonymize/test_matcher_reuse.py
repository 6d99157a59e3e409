"""A node's known data grows one record at a time: the compiled matcher is copied and grown (or loses
organizations) instead of compiled again, and must be exactly the matcher a full compile gives."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sync.anonymize import KnownPersonalData, find_known
from tests.bench.scrubber import load_corpus

PEOPLE = ("山田 太郎", "ヤマダ タロウ", "佐藤 裕子", "林 誠", "大島 奈々子", "四月一日心春", "小林 修", "森 花",
          "中野 光", "ナカノ ヒカル", "杉浦 花子", "岡部 太郎")
ORGANIZATIONS = ("NPO法人湘南ねこの会", "ショウナンネコノカイ", "ちがさき子育てネット", "一般社団法人湘南まちづくり工房",
                 "林", "湘南ねこの会", "オオノ自治会")
BASE = KnownPersonalData(person_names=PEOPLE[:6], phones=("090-1234-5678",), emails=("taro.yamada@example.jp",),
                         addresses=("横浜市戸塚区二つ室559-7",), organizations=ORGANIZATIONS[:5],
                         postal_codes=("253-0041",))


def _tables(known: KnownPersonalData):
    m = known.matcher
    return (m.words.needles, m.romaji.needles, m.addresses.needles, m.phones, m.postal_codes)


def _same_finds(derived: KnownPersonalData, texts: list[str]) -> None:
    fresh = replace(derived)  # the same values, compiled from nothing (the cached matcher is not copied)
    assert fresh.matcher is not derived.matcher
    for text in texts:
        assert find_known(text, derived) == find_known(text, fresh), text
    assert _tables(derived) == _tables(fresh)


@pytest.fixture(scope="module")
def texts():
    return [entry["text"] for entry in load_corpus()[:150]] + [
        "山田太郎さんと小林修さん、NPO法人湘南ねこの会の林が参加", "オウノ自治会とオオノ自治会", "杉浦花子・岡部太郎 090-1234-5678"]


def test_a_grown_matcher_finds_what_a_compiled_one_does(texts):
    _ = BASE.matcher
    grown = replace(BASE, person_names=PEOPLE, organizations=ORGANIZATIONS, phones=("090-1234-5678", "0467-82-1111"),
                    emails=("taro.yamada@example.jp", "k.mori@example.jp"), postal_codes=("253-0041", "250-0011"))
    grown.reuse_matcher_of(BASE)
    assert "matcher" in grown.__dict__ and grown.matcher is not BASE.matcher
    _same_finds(grown, texts)


def test_organizations_dropped_from_a_reused_matcher_are_no_longer_found(texts):
    _ = BASE.matcher
    allowed = replace(BASE, organizations=tuple(o for o in BASE.organizations if "湘南ねこ" not in o
                                                  and o != "ショウナンネコノカイ"))
    allowed.reuse_matcher_of(BASE)
    assert "matcher" in allowed.__dict__
    _same_finds(allowed, texts)
    assert not any(hit.kind == "organization" for hit in find_known("NPO法人湘南ねこの会の譲渡会", allowed))
    assert any(hit.kind == "organization" for hit in find_known("NPO法人湘南ねこの会の譲渡会", BASE))


def test_an_organization_sharing_a_key_with_a_person_is_compiled_again(texts):
    # 林 is a person's surname part and an organization's whole name: dropping the organization cannot
    # be done by deleting its key, so nothing is reused.
    _ = BASE.matcher
    without_hayashi = replace(BASE, organizations=tuple(o for o in BASE.organizations if o != "林"))
    without_hayashi.reuse_matcher_of(BASE)
    assert "matcher" not in without_hayashi.__dict__
    _same_finds(without_hayashi, texts)


def test_a_person_removed_means_a_full_compile(texts):
    _ = BASE.matcher
    fewer = replace(BASE, person_names=PEOPLE[1:6])
    fewer.reuse_matcher_of(BASE)
    assert "matcher" not in fewer.__dict__
    _same_finds(fewer, texts)
