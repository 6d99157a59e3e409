"""和暦, 年度, search normalization and identifier check digits."""

import datetime as dt

import pytest

from common.japanese import (
    corporate_number_is_valid,
    date_label,
    fiscal_year_label,
    fiscal_year_of,
    municipality_code_is_valid,
    normalize_for_search,
    phone_digits,
    to_katakana_reading,
    wareki_date,
    wareki_fiscal_year,
)


@pytest.mark.parametrize("text", ["ﾈｺ", "ねこ", "ネコ", "ﾈｺ "])
def test_width_and_kana_fold_to_one_key(text):
    assert normalize_for_search(text) == "ねこ"


def test_full_width_ascii_and_case_fold():
    assert normalize_for_search("ＮＰＯ法人　Ｃａｔ’ｓ") == "npo法人 cat’s"


@pytest.mark.parametrize("day, expected", [
    (dt.date(2021, 7, 26), "令和3年7月26日"),
    (dt.date(2019, 5, 1), "令和元年5月1日"),
    (dt.date(2019, 4, 30), "平成31年4月30日"),
    (dt.date(1989, 1, 7), "昭和64年1月7日"),
])
def test_wareki_dates(day, expected):
    assert wareki_date(day) == expected


@pytest.mark.parametrize("year, expected", [
    (2014, "平成26年度"), (2019, "令和元年度"), (2020, "令和2年度"), (1988, "昭和63年度"), (1989, "平成元年度"),
])
def test_fiscal_years_take_the_era_in_force_for_most_of_the_year(year, expected):
    assert wareki_fiscal_year(year) == expected


def test_labels_show_both_calendars():
    assert fiscal_year_label(2016) == "2016年度（平成28年度）"
    assert date_label(dt.date(2020, 6, 29)) == "2020年6月29日（令和2年6月29日）"
    assert fiscal_year_of(dt.date(2021, 3, 31)) == 2020 and fiscal_year_of(dt.date(2021, 4, 1)) == 2021


@pytest.mark.parametrize("code, ok", [
    ("141003", True), ("142069", True), ("142077", True), ("141305", True), ("141038", True),
    ("142070", False), ("14100", False), ("abcdef", False),
])
def test_municipality_codes(code, ok):
    assert municipality_code_is_valid(code) is ok


def test_corporate_numbers():
    assert corporate_number_is_valid("7000012050002")  # 国税庁
    assert not corporate_number_is_valid("1000012050002")
    assert not corporate_number_is_valid("700001205000")


def test_readings_and_phones():
    assert to_katakana_reading("ちがさき ｷｬｯﾂ") == "チガサキ キャッツ"
    assert phone_digits("０４６７−８２−１１１１") == "0467821111"
    assert phone_digits("+81 467-82-1111") == "0467821111"
