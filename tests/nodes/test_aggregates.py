"""What a node tells the hub about each center beyond its records: counts only — groups, events,
consultations, the center's collaborations by form × 年度 with the 公表値 flag, and its
協働推進事業 calls — in the shape the wire contract names."""

from __future__ import annotations

import datetime as dt

from common.vocabulary import TRACK_FORMS
from nodes import models as m
from nodes.publishing import aggregate_counts, publish_aggregates
from sync.canonical import canonical_json
from sync.models import OutboxEntry
from sync.wire import directory

# Seed 001 p.10's table, two of its years loaded as published history (協働推進事業 by track in 2012).
HISTORY = {2012: {"kyosai": 22, "jikko_iinkai": 3, "jigyo_kyoryoku": 79, "shitei_kanri": 11, "itaku": 47,
                  "kyodo_suishin_gyosei": 1, "kyodo_suishin_shimin": 1},
           2013: {"kyosai": 45, "jikko_iinkai": 16, "jigyo_kyoryoku": 70, "shitei_kanri": 9, "itaku": 75,
                  "kyodo_suishin": 4}}


def _load_history(center):
    m.HistoricalFormCount.objects.bulk_create([
        m.HistoricalFormCount(center=center, fiscal_year=year, form=form, count=count, source="資料３ p.10")
        for year, counts in HISTORY.items() for form, count in counts.items()])


def _call(world, year, track, *, meetings, adopted, not_adopted):
    call = m.ProgrammeCall.objects.create(center=world.a, fiscal_year=year, track=track, title=f"{year} {track}")
    for n in range(meetings):
        call.exchange_meetings.add(m.Event.objects.create(
            center=world.a, title=f"意見交換会{n}", kind=m.EventKind.KORYUKAI,
            starts_at=dt.datetime(year, 8, 20 + n, 10, tzinfo=dt.UTC)))
    for n in range(adopted + not_adopted):
        values = {"status": m.ApplicationStatus.NOT_ADOPTED, "decided_on": dt.date(year, 12, 20)}
        if n < adopted:
            case = m.CollaborationCase.objects.create(
                center=world.a, title=f"採択{year}-{n}", summary="", form=TRACK_FORMS[track],
                fiscal_year_start=2020, fiscal_year_end=2021, outcome=m.CaseOutcome.ENDED)
            values = {"status": m.ApplicationStatus.ADOPTED, "decided_on": dt.date(year, 12, 20), "case": case}
        m.ProgrammeApplication.objects.create(
            center=world.a, call=call, applicant=world.group_a.organization, title=f"申込{n}", summary="",
            submitted_on=dt.date(year, 10, 31), entered_by=world.staff_a, **values)


def test_the_aggregate_carries_the_form_table_the_public_flag_and_the_calls(world):
    _load_history(world.a)
    _call(world, 2015, m.ProgrammeTrack.SHIMIN, meetings=3, adopted=2, not_adopted=1)
    data = aggregate_counts(world.a)
    assert set(data) == directory.COUNTS_DATA_KEYS
    form_years = data["form_years"]
    assert set(form_years) == directory.FORM_YEARS_KEYS
    # Not marked public while the center has no figures of its own.
    assert form_years["public"] is False
    # Loaded years come from the history (both tracks of 2012 in the one row), later ones from records.
    assert form_years["sources"]["2012"] == form_years["sources"]["2013"] == "history"
    assert form_years["sources"]["2014"] == "records"
    assert form_years["counts"]["kyosai"]["2012"] == 22 and form_years["counts"]["kyodo_suishin"]["2012"] == 2
    assert form_years["counts"]["kyodo_suishin"]["2013"] == 4
    # Records: the 行政提案型 case ongoing since 2014, the 市民提案型 one of 2016–2017.
    assert form_years["counts"]["kyodo_suishin"]["2016"] == 2
    assert form_years["tracks"]["kyodo_suishin_gyosei"]["2016"] == 1
    assert form_years["tracks"]["kyodo_suishin_shimin"]["2016"] == 1
    # Tracks only where the records know them, adding up to the row.
    assert "2012" not in form_years["tracks"].get("kyodo_suishin_gyosei", {})
    for year, n in form_years["counts"]["kyodo_suishin"].items():
        if form_years["sources"][year] == "records":
            assert sum(track.get(year, 0) for track in form_years["tracks"].values()) == n
    assert form_years["tracks"]["kyodo_suishin_shimin"]["2020"] == 2  # the adopted projects
    assert data["programme_cycle"] == {"2015": {"exchange_meetings": 3, "applications": 3, "adopted": 2}}
    # Counts only: no names of groups, cases or people.
    text = canonical_json(data).decode()
    for name in ("Chigasaki Cat's Protect", "野良猫", "杉浦", "岡部", "申込0", "採択2015"):
        assert name not in text

    m.CenterFigures.objects.create(center=world.a, form_counts_public=True)
    assert aggregate_counts(world.a)["form_years"]["public"] is True
    assert aggregate_counts(world.b)["form_years"]["public"] is False


def test_marking_the_figures_public_sends_a_new_snapshot(world):
    assert publish_aggregates() == 2
    assert publish_aggregates() == 0
    figures = m.CenterFigures.objects.create(center=world.a, form_counts_public=False)
    assert publish_aggregates() == 0  # nothing the hub sees has changed
    figures.form_counts_public = True
    figures.save()
    assert publish_aggregates() == 2
    latest = OutboxEntry.objects.filter(entity_type="aggregate_counts", payload__center=str(world.a.uuid)).latest("id")
    assert latest.payload["data"]["form_years"]["public"] is True
