"""The demo's data files: each loads and matches the runner's list, a bad entry is reported with its file
and entry and changes nothing, the date syntax, and demo people whose names are no words of its texts."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest

from config.cli import DEMO_CENTERS
from deploy.demo import cli, dates
from deploy.demo.base import CENTERS_DIR, HUB_FILE, HUB_FILES, DemoDataError, center_keys
from deploy.demo.hub import load_hub_file
from deploy.demo.schema import Template, load_center_file
from deploy.demo.seeder import load_center, seed_center_file
from permissions.models import Organization
from sync.anonymize import KnownPersonalData, scrub


def _broken(tmp_path: Path, key: str, old: str, new: str) -> Path:
    """A copy of a center's file with its first `old` replaced by `new`."""
    text = (CENTERS_DIR / f"{key}.yaml").read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / f"{key}.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _line_of(path: Path, start: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if line.startswith(start))


def test_every_center_file_loads_and_is_one_the_runner_starts():
    assert center_keys() == sorted(key for key, *_ in DEMO_CENTERS)
    for key, title, code, municipality in DEMO_CENTERS:
        data = load_center(key)
        assert (data.name, data.center["municipality_code"], data.center["municipality_name"]) == (title, code, municipality)
        assert data.sections and data.center["volume_areas"]


def test_every_hub_file_loads_and_the_runner_starts_a_national_tier_for_the_second_prefecture():
    from config.cli import _demo_specs

    operators = {key: load_hub_file(path)["operator"]["name"] for key, path in HUB_FILES.items()}
    assert operators == {"kanagawa": "災害復興暮らし応援・みんなのネットワークかながわ（みんかな）",
                         "shizuoka": "静岡県ボランティア協会", "national": "全国災害ボランティア支援団体ネットワーク（JVOAD）"}
    specs, hubs = _demo_specs(DEMO_CENTERS)
    # 神奈川県's deployments keep their ports (8100…8105); the second prefecture's come after them.
    assert [spec[0] for spec in specs] == ["hub", "node-odawara", "node-chigasaki", "node-kawasaki", "node-yokohama",
                                           "node-nishiku", "national", "hub-shizuoka", "node-shizuoka"]
    assert specs[-1][3] == "hub-shizuoka" and hubs == {"hub": "kanagawa", "hub-shizuoka": "shizuoka"}
    # Kanagawa's centers alone: one hub, no national tier (as before the second prefecture).
    assert [spec[1] for spec in _demo_specs(DEMO_CENTERS[:2])[0]] == ["hub", "node", "node"]


def test_the_hub_file_loads():
    data = load_hub_file(HUB_FILE)
    assert data["operator"]["name"] == "災害復興暮らし応援・みんなのネットワークかながわ（みんかな）"
    assert [p["name"] for p in data["partners"]] == ["神奈川県", "神奈川県社会福祉協議会", "神奈川県共同募金会"]
    assert [login["username"] for login in data["logins"]][:2] == ["hub-admin", "hub-coordinator"]


@pytest.mark.parametrize(("key", "old", "new", "message"), [
    ("odawara", "    venue: 小田原市市民活動サポートセンター\n", "    venu: 小田原市市民活動サポートセンター\n",
     "events[0] 「団体交流会（子どもの健全育成）」: unknown key 'venu'"),
    ("odawara", "organizers: [防災対策課]", "organizers: [防災対策科]",
     "events[6] 「団体交流会（防災）」 › organizers[0]: 「防災対策科」 is not defined above"),
    ("odawara", "    kind: koryukai\n", "    kind: koryukay\n",
     "events[0] 「団体交流会（子どもの健全育成）」 › kind: 'koryukay' is not one of koryukai, koza"),
    ("odawara", "registered_on: 2016-05-10", "registered_on: 2016-13-10",
     "groups[0] 「めだかサポーターの会」 › registered_on: '2016-13-10' is not a date"),
    ("odawara", 'month: {upcoming: 12}, at: "11:00"', "month: {upcoming: 12}, at: 11:00",
     "events[34] 「シティーモール クリスマスフェスティバル」 › starts_at: `at` must be a time of day in quotes"),
    ("odawara", "    produced_cases: [SAVE JAPAN プロジェクト 2021]\n", "    produced_cases: [SAVE JAPAN 2021]\n",
     "› produced_cases[0]: 「SAVE JAPAN 2021」 is not defined above (in cases)"),
    ("odawara", "    attendance: 32\n", "    attendance: 32\n    cancellation_reason: コロナ中止\n",
     "events[0] 「団体交流会（子どもの健全育成）」: a cancelled event has no participants or attendance"),
    ("chigasaki", "  - title: 飼い主のいない猫の不妊去勢手術及び猫の適正管理普及啓発事業\n    form: kyodo_suishin_gyosei\n",
     "  - title: 飼い主のいない猫の不妊去勢手術及び猫の適正管理普及啓発事業\n    form: kyodo_suishin_gyosei\n    form: itaku\n",
     "not valid YAML: duplicate key 'form' (first on line"),
    ("chigasaki", "    sharing_level: anonymized\n", "\n", "cases[1] 「外国につながる子どもの学習支援事業」: sharing_level is required"),
    ("chigasaki", "        note: 調査の継続性と、市の環境基本計画との関係の整理が必要。\n", "",
     "programme[0] 「2015」 › applications[4]: a not_adopted application needs note"),
    ("chigasaki", "    meetings:\n      - {group: ちがさき日本語学習支援の会",
     "    meetings:\n      - {group: ちがさき日本語学習支援会",
     "programme[1] 「2016」 › meetings[0] › group: 「ちがさき日本語学習支援会」 is not defined above"),
])
def test_a_malformed_entry_is_reported_with_its_file_and_entry(tmp_path, key, old, new, message):
    path = _broken(tmp_path, key, old, new)
    with pytest.raises(DemoDataError) as raised:
        load_center_file(path)
    assert str(raised.value).startswith(f"{key}.yaml")
    assert message in str(raised.value)


def test_the_error_gives_the_line_where_the_entry_starts(tmp_path):
    path = _broken(tmp_path, "odawara", "organizers: [防災対策課]", "organizers: [防災対策科]")
    with pytest.raises(DemoDataError) as raised:
        load_center_file(path)
    line = _line_of(path, "  - title: 団体交流会（防災）")
    assert str(raised.value).startswith(f"odawara.yaml line {line}, events[6] 「団体交流会（防災）」")


def test_an_entry_may_only_name_what_is_above_it(tmp_path):
    text = (CENTERS_DIR / "kawasaki.yaml").read_text(encoding="utf-8")
    # Offers name groups: moved above the groups, the first offer's group is not defined yet.
    offers = text[text.index("\noffers:\n") + 1:text.index("\nconsultations:\n") + 1]
    path = tmp_path / "kawasaki.yaml"
    path.write_text(text.replace(offers, "").replace("\ngroups:\n", f"\n{offers}\ngroups:\n", 1), encoding="utf-8")
    with pytest.raises(DemoDataError, match=r"offers\[0\] 「省エネ出前授業」 › group: 「省エネグループ」 is not defined above"):
        load_center_file(path)


@pytest.mark.django_db
def test_a_refusal_of_the_services_names_the_entry_and_keeps_nothing_of_the_center(tmp_path):
    path = _broken(tmp_path, "chigasaki", "city_share: 1694000", "city_share: 9694000")
    with pytest.raises(DemoDataError) as raised:
        seed_center_file(path)
    assert str(raised.value).startswith("chigasaki.yaml line ")
    assert "cases[0] 「飼い主のいない猫の不妊去勢手術及び猫の適正管理普及啓発事業」: city_share: 市負担額は事業費以下にしてください。" in str(raised.value)
    assert not Organization.objects.filter(name="茅ヶ崎市民活動サポートセンター").exists()
    assert not Organization.objects.filter(name="Chigasaki Cat's Protect").exists()


def test_the_check_command_passes_the_files_and_reports_a_bad_one(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    assert cli.main(["check"], stdout=out, stderr=err) == 0
    assert out.getvalue().count(": ok (") == len(center_keys()) and not err.getvalue()
    path = _broken(tmp_path, "nishiku", "channel: counter", "channel: window")
    assert cli.main(["check", str(path)], stdout=io.StringIO(), stderr=err) == 2
    assert re.match(r"deploy\.demo: nishiku\.yaml line \d+, consultations\[0\] 「ボランティアを始めたい」 › channel: 'window'",
                    err.getvalue())


# --- dates --------------------------------------------------------------------------------


def _clock(day: dt.date) -> dates.Clock:
    return dates.Clock(now=dt.datetime.combine(day, dt.time(16, 5), tzinfo=dates.TOKYO), today=day)


def test_absolute_dates_and_times_are_tokyo_time():
    assert dates.parse_date("2016-05-10") == dt.date(2016, 5, 10)
    assert dates.parse_moment("2009-11-14 13:30") == dt.datetime(2009, 11, 14, 13, 30, tzinfo=dates.TOKYO)


def test_relative_dates_resolve_against_the_seeding_day():
    today = dt.date(2026, 12, 2)
    assert dates.parse_moment({"from_today": -10, "at": "10:00"}).resolve(_clock(today)) == \
        dt.datetime(2026, 11, 22, 10, 0, tzinfo=dates.TOKYO)
    assert dates.parse_date({"from_today": 18}).resolve(_clock(today)) == dt.date(2026, 12, 20)
    assert dates.parse_moment({"from_now": {"days": 1, "hours": -2}}).resolve(_clock(today)) == \
        dt.datetime(2026, 12, 3, 14, 5, tzinfo=dates.TOKYO)
    assert dates.parse_fiscal_year({"from_current": 1}).resolve(_clock(dt.date(2027, 3, 31))) == 2027
    second_sunday = dates.parse_moment({"nth": 2, "weekday": "sunday", "month": "2014-08", "at": "11:00"})
    assert second_sunday.resolve(_clock(today)) == dt.datetime(2014, 8, 10, 11, 0, tzinfo=dates.TOKYO)


def test_next_is_the_first_such_day_after_today():
    third_saturday = dates.parse_date({"nth": 3, "weekday": "saturday", "month": "next"})
    assert third_saturday.resolve(_clock(dt.date(2026, 12, 2))) == dt.date(2026, 12, 19)
    assert third_saturday.resolve(_clock(dt.date(2026, 12, 19))) == dt.date(2027, 1, 16)


def test_upcoming_month_is_next_years_once_the_month_has_begun():
    december = dates.parse_date({"nth": 2, "weekday": "sunday", "month": {"upcoming": 12}})
    assert december.resolve(_clock(dt.date(2026, 11, 30))) == dt.date(2026, 12, 13)
    assert december.resolve(_clock(dt.date(2026, 12, 1))) == dt.date(2027, 12, 12)


@pytest.mark.parametrize(("parse", "value", "message"), [
    (dates.parse_moment, "2009-11-14", "expected a date and time"),
    (dates.parse_moment, {"from_today": 3, "at": 810}, "in quotes"),
    (dates.parse_moment, {"from_today": 3}, "from_today: missing at"),
    (dates.parse_date, {"from_today": 3, "at": "10:00"}, "unknown key at"),
    (dates.parse_date, {"nth": 5, "weekday": "sunday", "month": "2014-08"}, "nth must be 1–4"),
    (dates.parse_date, {"nth": 2, "weekday": "sun", "month": "2014-08"}, "weekday must be one of"),
    (dates.parse_date, {"nth": 2, "weekday": "sunday", "month": "2014-13"}, "month must be like 2014-08"),
    (dates.parse_date, {"from_now": {"hours": 1}}, "a relative date needs one of from_today, nth"),
    (dates.parse_fiscal_year, 26, "written in full"),
])
def test_a_date_in_none_of_the_forms_says_what_was_expected(parse, value, message):
    with pytest.raises(dates.DateSyntaxError, match=message):
        parse(value)


def test_a_numbered_title_moves_with_the_fiscal_year():
    title = Template("西区地域づくり大学校 第{term}期 受講生募集説明会", {"term": (2020, 9)})
    assert title.resolve(_clock(dt.date(2027, 3, 31))) == "西区地域づくり大学校 第15期 受講生募集説明会"
    assert title.resolve(_clock(dt.date(2027, 4, 1))) == "西区地域づくり大学校 第16期 受講生募集説明会"


# --- people's names -----------------------------------------------------------------------

_PERSON_KEYS = {"representative_name", "representative_kana", "requester_name", "username", "last_name", "first_name"}


def _people_and_texts() -> tuple[set[str], list[str]]:
    people, texts = set(), []

    def collect(value):
        if isinstance(value, dict):
            for key, item in value.items():
                if key not in _PERSON_KEYS:
                    collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)
        elif isinstance(value, Template):
            texts.append(value.text)
        elif isinstance(value, str):
            texts.append(value)

    for key in center_keys():
        data = load_center(key)
        people.update(f"{data.center[a]['last_name']} {data.center[a]['first_name']}" for a in ("admin", "staff"))
        for section, entries in data.sections:
            for entry in entries:
                if section == "talents":
                    people.add(entry["name"])
                    entry = {k: v for k, v in entry.items() if k not in ("name", "name_kana")}
                people.update(filter(None, [entry.get("representative_name"), entry.get("requester_name")]))
                if section == "logins":
                    people.add(f"{entry['last_name']} {entry['first_name']}")
                collect(entry)
    people.update(f"{login['last_name']} {login['first_name']}" for path in HUB_FILES.values()
                  for login in load_hub_file(path)["logins"])
    return people, texts


def test_no_demo_person_is_named_with_a_word_of_the_demo_texts():
    """The anonymizer scrubs every known name, parts included: a requester named 協働 花子 would turn
    every 協働 of a shared case into 〔人名〕."""
    people, texts = _people_and_texts()
    known = KnownPersonalData(person_names=tuple(people))
    scrubbed = {replacement.original for text in texts for replacement in scrub(text, known, layers=["known"]).replacements
                if replacement.kind == "person"}
    assert len(people) > 60 and len(texts) > 1000
    assert scrubbed == set()
