"""Japanese word search in the case library: words, readings typed in kana, short words through the
word index, the ranking, and cases found before the indexing task has tokenized them."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from django.db import connection

from config import health
from hub.models import SharedCase
from hub.selectors.library import case_index_lag, case_library, case_library_results
from hub.services.search_index import cases_index_pending
from hub.tasks import index_case_search

from .test_case_library import CATS, case_entry, cats_parties, chigasaki, odawara, people, send_ok  # noqa: F401 (fixtures)


@pytest.fixture
def cases(chigasaki, client):  # noqa: F811
    send_ok(chigasaki, client, [
        chigasaki.profile(),
        case_entry(chigasaki, **CATS, parties=cats_parties()),
        case_entry(chigasaki, title="ネコの里親探し", summary="譲渡会の運営。", fields=[7], fiscal_year_start=2020, fiscal_year_end=None),
        case_entry(chigasaki, title="子育てひろばの運営", summary="乳幼児の親子が集う場。", fields=[6], fiscal_year_start=2019, fiscal_year_end=None),
        case_entry(chigasaki, title="こそだてサロン", summary="先輩ママの相談会。", fields=[6], fiscal_year_start=2018, fiscal_year_end=None),
        case_entry(chigasaki, title="防災訓練", summary="自治会と地区の避難訓練。", fields=[8], fiscal_year_start=2018, fiscal_year_end=None),
        case_entry(chigasaki, title="防犯パトロール", summary="災害時の見回りも行う。", fields=[8], fiscal_year_start=2017, fiscal_year_end=None),
        case_entry(chigasaki, title="伊達巻づくり講座", summary="こそ練習が大切。", fields=[6], fiscal_year_start=2016, fiscal_year_end=None),
        case_entry(chigasaki, title="猫", summary="", fields=[7], fiscal_year_start=2015, fiscal_year_end=None),
    ])
    assert case_index_lag() == 8
    assert cases_index_pending() == 8
    assert case_index_lag() == 0
    return chigasaki


def found(q):
    return list(case_library(q=q).values_list("title", flat=True))


def test_one_kanji_finds_the_word_inside_compounds_and_the_kana_spelling(cases):
    # 野良猫 is one Sudachi word: its kanji are indexed one by one. ネコ's dictionary form is 猫.
    assert set(found("猫")) == {"猫", CATS["title"], "ネコの里親探し"}


def test_kana_in_any_width_finds_the_kanji_word_by_its_reading(cases):
    expected = {"猫", CATS["title"], "ネコの里親探し"}
    assert set(found("ねこ")) == set(found("ネコ")) == set(found("ﾈｺ")) == expected


def test_a_reading_of_a_compound_finds_it_and_not_a_split_into_other_words(cases):
    # Sudachi splits こそだて into こそ + だて (伊達): only the whole reading is looked up.
    assert found("こそだて") == ["こそだてサロン", "子育てひろばの運営"]
    assert set(found("子育て")) == {"子育てひろばの運営"}


def test_two_kanji_words_find_the_word_not_its_neighbours(cases):
    assert found("防災") == ["防災訓練"]
    assert found("防犯") == ["防犯パトロール"]
    assert found("災害") == ["防犯パトロール"]
    assert found("ねこ 防災") == []


def test_ranking_puts_the_phrase_then_words_then_readings(cases):
    # こそだてサロン has the typed text; 子育て only its reading.
    assert found("こそだて") == ["こそだてサロン", "子育てひろばの運営"]
    # ネコの里親探し has the typed ネコ (the phrase); the others 猫 (words), the shorter text first.
    assert found("ﾈｺ") == ["ネコの里親探し", "猫", CATS["title"]]
    titles = found("猫")
    assert titles[-1] == "ネコの里親探し"  # found through the dictionary form only
    if connection.vendor == "postgresql":  # then trigram similarity: the short title is nearer
        assert titles[:2] == ["猫", CATS["title"]]


def test_a_case_not_yet_tokenized_is_found_by_substring_and_shown_as_lag(chigasaki, people, client):  # noqa: F811
    send_ok(chigasaki, client, [chigasaki.profile(), case_entry(chigasaki, **CATS, parties=cats_parties())])
    assert SharedCase.objects.get().search_tokens is None
    assert found("猫") == found("不妊去勢") == [CATS["title"]]  # short and long words, by substring
    assert found("ねこ") == []  # a reading needs the words
    client.force_login(people[0])
    page = client.get("/cases/").content.decode()
    assert 'id="index-lag">検索索引に未反映の事例 1件' in page
    health._lag.clear()  # the figure is cached like the probe
    assert client.get("/healthz").json()["search_index_lag"] == 1
    assert index_case_search() == 1
    assert found("ねこ") == [CATS["title"]]
    assert 'id="index-lag"' not in client.get("/cases/").content.decode()


def test_a_newer_version_goes_back_to_the_queue_and_gets_its_new_words(cases, client):
    send_ok(cases, client, [case_entry(cases, title="地域猫の相談会", version=2,
                                        entity_uuid=SharedCase.objects.get(title="猫").entity_uuid)])
    assert case_index_lag() == 1
    cases_index_pending()
    assert "地域猫の相談会" in found("そうだん") and "地域猫の相談会" in found("ねこ")


def test_words_that_match_nothing_and_wildcards_find_nothing(cases):
    assert found("いぬ") == found("%") == found("_") == found("見つからない語") == []


def page_titles(q, page, per_page):
    return [case.title for case in Paginator(case_library_results(q=q), per_page).page(page)]


def test_under_the_cap_the_pages_are_the_full_ranking(cases):
    results = case_library_results(q="猫")
    assert (results.count(), results.count_capped) == (3, False)
    assert page_titles("猫", 1, 2) + page_titles("猫", 2, 2) == found("猫")
    assert page_titles("こそだて", 1, 30) == found("こそだて")


def test_more_matches_than_the_cap_are_counted_to_it_and_paged_tier_by_tier(cases, client, settings):
    send_ok(cases, client, [
        case_entry(cases, title="子育て講座", summary="", fields=[6], fiscal_year_start=2022, fiscal_year_end=None),
        case_entry(cases, title="こそだて通信", summary="", fields=[6], fiscal_year_start=2010, fiscal_year_end=None)])
    cases_index_pending()
    settings.KYODO_SEARCH_COUNT_CAP = 3
    results = case_library_results(q="こそだて")
    assert (results.count(), results.count_capped) == (3, True)
    # The phrase tier in the library's order (newest first), then the readings' tier: no page
    # repeats a case of an earlier one, and the pages stop at the cap.
    assert page_titles("こそだて", 1, 2) == ["こそだてサロン", "こそだて通信"]
    assert page_titles("こそだて", 2, 2) == ["子育て講座"]
    assert Paginator(case_library_results(q="こそだて"), 2).num_pages == 2
    # A case in two tiers (ﾈｺ: written ネコ, and 猫 as its dictionary form) is shown once, in the first.
    settings.KYODO_SEARCH_COUNT_CAP = 2
    assert page_titles("ﾈｺ", 1, 1) + page_titles("ﾈｺ", 2, 1) == ["ネコの里親探し", "猫"]
    assert case_library_results(q="ﾈｺ").count_capped


def test_the_library_page_says_when_there_are_more_than_the_cap(cases, people, client, settings):  # noqa: F811
    settings.KYODO_SEARCH_COUNT_CAP = 2
    client.force_login(people[0])
    page = client.get("/cases/", {"q": "猫"}).content.decode()
    assert 'id="case-count">2件以上' in page
    assert 'id="case-count">1件<' in client.get("/cases/", {"q": "防災"}).content.decode()
