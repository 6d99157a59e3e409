"""Emergency surveys at the hub (item 6): a coordinator's survey goes to every node through the feed;
nodes send counts per center, checked strictly; results are suppressed like the statistics and no
hidden figure can be worked out from what is published (the exact disclosure audit says so)."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import ValidationError

from hub import disclosure
from hub.models import EmergencySurvey, FeedEntry, SurveyCountsCopy
from hub.selectors.surveys import survey_results
from hub.services.surveys import survey_create
from permissions.models import AuditEvent
from sync.disaster import SURVEY_COUNTS_TYPE, SURVEY_KIND, survey_counts_uuid

from . import payloads, test_disaster
from .test_disaster import declare
from .test_receiver import FakeNode

people, nodes = test_disaster.people, test_disaster.nodes  # fixtures

QUESTIONS = [
    {"key": "impact", "text": "活動への影響", "kind": "single",
     "options": [{"key": "none", "label": "影響なし"}, {"key": "reduced", "label": "縮小"},
                 {"key": "stopped", "label": "休止"}]},
    {"key": "support", "text": "必要な支援", "kind": "multiple",
     "options": [{"key": "money", "label": "資金"}, {"key": "place", "label": "活動場所"},
                 {"key": "people", "label": "人手"}]},
    {"key": "days", "text": "休止した日数", "kind": "number", "options": []},
]


@pytest.fixture
def survey(people, nodes):
    declaration = declare(people[0], whole_prefecture=True, municipality_codes=[])
    return survey_create(acting_user=people[1], declaration=declaration, title="活動状況の緊急調査",
                                  questions=QUESTIONS)


def counts_entry(node: FakeNode, survey, *, respondents, impact, support, days, version=1):
    payload = payloads.survey_counts(node.center, survey.uuid, survey.declaration.uuid, respondents=respondents,
                                     questions={"impact": {"options": impact}, "support": {"options": support},
                                                "days": days})
    return node.entry(SURVEY_COUNTS_TYPE, payload, version=version,
                      entity_uuid=survey_counts_uuid(center_uuid=node.center, survey_uuid=survey.uuid))


def test_a_survey_goes_to_every_node_through_the_feed(survey, nodes, client):
    entry = FeedEntry.objects.get(kind=SURVEY_KIND)
    assert entry.node is None and entry.payload["questions"] == QUESTIONS
    assert entry.payload["declaration"] == str(survey.declaration.uuid)
    for node in nodes:
        kinds = [e["kind"] for e in node.get(client, "/sync/v1/feed?after=0").json()["entries"]]
        assert kinds == ["disaster_declaration", SURVEY_KIND]
    assert AuditEvent.objects.filter(action="hub.survey_create", target_uuid=survey.uuid).exists()


def test_closing_sends_the_survey_again_closed_once(survey, people, client):
    client.force_login(people[1])
    page = client.get(f"/surveys/{survey.uuid}/").content.decode()
    assert "回答の受付を締め切る" in page
    response = client.post(f"/surveys/{survey.uuid}/close/")
    assert response.status_code == 302
    survey.refresh_from_db()
    assert survey.closed_at is not None and survey.version == 2
    latest = FeedEntry.objects.filter(kind=SURVEY_KIND).latest("seq")
    assert latest.payload["version"] == 2 and latest.payload["closed_at"] == survey.closed_at.isoformat()
    assert AuditEvent.objects.filter(action="hub.survey_close", target_uuid=survey.uuid).count() == 1
    assert "締切済み" in client.get(f"/surveys/{survey.uuid}/").content.decode()
    client.post(f"/surveys/{survey.uuid}/close/")  # again: nothing new
    assert FeedEntry.objects.filter(kind=SURVEY_KIND).count() == 2
    assert client.get(f"/surveys/{survey.uuid}/close/").status_code == 405


@pytest.mark.parametrize("questions", [
    [],
    [{**QUESTIONS[0], "options": [{"key": "only", "label": "一つだけ"}]}],
    [QUESTIONS[0], QUESTIONS[0]],
    [{**QUESTIONS[2], "options": [{"key": "x", "label": "x"}]}],
    [{**QUESTIONS[0], "kind": "free_text"}],
])
def test_a_malformed_survey_is_refused_and_nothing_is_sent(people, questions):
    declaration = declare(people[0])
    with pytest.raises(ValidationError) as caught:
        survey_create(acting_user=people[1], declaration=declaration, title="調査", questions=questions)
    assert caught.value.error_dict["questions"][0].code == "invalid_questions"
    assert not EmergencySurvey.objects.exists() and not FeedEntry.objects.filter(kind=SURVEY_KIND).exists()


def test_counts_aggregate_across_centers_and_small_cells_cannot_be_recovered(survey, nodes, client):
    chigasaki, odawara = nodes
    assert chigasaki.send(client, [counts_entry(
        chigasaki, survey, respondents=9, impact={"none": 2, "reduced": 4, "stopped": 3},
        support={"money": 6, "place": 1, "people": 5}, days={"sum": 40, "answered": 9})]).status_code == 200
    assert odawara.send(client, [counts_entry(
        odawara, survey, respondents=8, impact={"none": 3, "reduced": 1, "stopped": 4},
        support={"money": 4, "place": 0, "people": 3}, days={"sum": 12, "answered": 2})]).status_code == 200
    # A newer tally replaces the center's old one.
    assert chigasaki.send(client, [counts_entry(
        chigasaki, survey, respondents=10, impact={"none": 2, "reduced": 5, "stopped": 3},
        support={"money": 7, "place": 1, "people": 5}, days={"sum": 45, "answered": 10}, version=2)]).status_code == 200
    assert SurveyCountsCopy.objects.count() == 2
    results = survey_results(survey)
    impact = results.table("impact").table
    # Centers in 全国地方公共団体コード order: 小田原 (142069), then 茅ヶ崎 (142077).
    assert [h["label"] for h in results.table("impact").header] == ["odawaraセンター", "chigasakiセンター"]
    assert impact.values[-1] == [8, 10, 18]  # by center: all groups answered the single choice
    assert [row[-1] for row in impact.values] == [5, 6, 7, 18]
    assert results.respondents.value == 18
    # 1–2 groups are primary cells; the audit finds every hidden cell still hidden.
    for slug in ("respondents", "impact", "support", "days"):
        table = results.table(slug).table
        primary = {pos for pos, reason in table.suppressed.items() if reason.kind == "primary"}
        for row, col in table.suppressed:
            assert table.entry(row, col).value is None
        for position, interval in table.intervals().items():
            assert interval.protects(1), (slug, position, interval)
        cells = {(r, c): table.cell(r, c).value for r in table.row_keys for c in table.col_keys}
        for position, value in cells.items():
            if 1 <= len(table.cell(*position).organizations) <= 2:
                assert position in primary, (slug, position, value)
    chigasaki_column = results.table("impact").header[1]["key"]
    assert impact.entry("none", chigasaki_column).value is None  # 2 groups
    # 小田原's days: a sum over 2 groups is hidden, and with it what would give it back.
    days = results.table("days").table
    assert any(entry.suppressed for entry in (days.entry(key, "合計") for key in days.row_keys))


def test_the_results_page_and_csv_show_only_the_symbol_for_hidden_cells(survey, nodes, people, client):
    chigasaki = nodes[0]
    chigasaki.send(client, [counts_entry(chigasaki, survey, respondents=4, impact={"none": 1, "reduced": 3,
                                                                                    "stopped": 0},
                                         support={"money": 4, "place": 2, "people": 0}, days={"sum": 9, "answered": 4})])
    client.force_login(people[1])
    page = client.get(f"/surveys/{survey.uuid}/").content.decode()
    assert "活動への影響" in page and disclosure.SUPPRESSED in page and 'class="chart"' in page
    response = client.get(f"/surveys/{survey.uuid}/impact.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff"))))
    assert rows[0] == ["活動状況の緊急調査：活動への影響"]
    by_label = {row[0]: row[1:] for row in rows[2:] if row}
    assert by_label["影響なし"][0] == disclosure.SUPPRESSED and by_label["縮小"][0] == disclosure.SUPPRESSED
    assert by_label["休止"][0] == "0"  # zeros are about nobody
    assert client.get(f"/surveys/{survey.uuid}/nosuch.csv").status_code == 404


@pytest.mark.parametrize(("change", "field"), [
    (lambda p: p["questions"]["impact"]["options"].update(unknown=1), "questions"),  # an option we never asked
    (lambda p: p["questions"].pop("days"), "questions"),
    (lambda p: p["questions"]["impact"]["options"].update(none=99), "questions"),  # more than answered
    (lambda p: p.update(respondents=-1), "respondents"),
    (lambda p: p.update(survey="00000000-0000-0000-0000-000000000000"), "survey"),
])
def test_bad_counts_are_refused_with_the_field_and_change_nothing(survey, nodes, client, change, field):
    chigasaki = nodes[0]
    entry = counts_entry(chigasaki, survey, respondents=3, impact={"none": 1, "reduced": 1, "stopped": 1},
                         support={"money": 1, "place": 1, "people": 1}, days={"sum": 3, "answered": 3})
    change(entry["payload"])
    from sync.outbox import payload_digest

    entry["sha256"] = payload_digest(entry["payload"])
    response = chigasaki.send(client, [entry])
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "payload_invalid" and field in response.json()["error"]["message"]
    assert not SurveyCountsCopy.objects.exists()
