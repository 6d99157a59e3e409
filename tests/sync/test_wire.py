"""The wire contracts (sync.wire): pure data that agrees with the disaster vocabulary, forward-only
rules that read the same in Python and in the database, and a registry that knows every type."""

from __future__ import annotations

import itertools

import pytest
from django.db import connection

from common.vocabulary import MemberKind
from sync import client, disaster
from sync.wire import batch, cases, directory, disaster as wire_disaster, introductions, networks, sql, tours
from sync.wire.contract import Contract
from sync.wire.registry import CONTRACTS, PERSONAL_TYPES, contract_for


def test_the_wire_imports_no_django():
    import ast
    import pathlib

    for path in pathlib.Path(sql.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            assert not any(name.split(".")[0] == "django" for name in names), path.name


def test_every_contract_is_registered_under_its_type_and_only_contacts_are_personal():
    assert set(CONTRACTS) == {
        "node_profile", "directory_group", "public_event", "directory_offer", "aggregate_counts", "shared_case",
        "center_status", "disaster_need", "disaster_offer", "commitment_report", "disaster_contact",
        "survey_counts", "study_tour", "tour_case", "tour_lesson", "network_listing"}
    assert all(contract_for(name).entity_type == name for name in CONTRACTS)
    assert PERSONAL_TYPES == {"disaster_contact"}
    with pytest.raises(KeyError):
        contract_for("consultation")


def test_a_contract_cannot_limit_a_key_it_does_not_have_nor_be_changed():
    with pytest.raises(ValueError, match="phone"):
        Contract("x", keys=frozenset({"center"}), text_limits={"phone": 40})
    with pytest.raises(TypeError):
        cases.CASE.text_limits["title"] = 1


def test_the_contracts_agree_with_the_disaster_vocabulary():
    assert wire_disaster.NEED.statuses == tuple(disaster.NeedStatus.values)
    assert wire_disaster.REPORT.statuses == tuple(disaster.COMMITMENT_ORDER)
    assert set(wire_disaster.REPORTED_STATUSES) < set(disaster.CommitmentStatus.values)
    assert wire_disaster.CONTACT.keys == disaster.CONTACT_KEYS
    assert wire_disaster.COUNTS.keys == disaster.SURVEY_COUNTS_KEYS
    assert wire_disaster.STATUS.text_limits["note"] == disaster.MAX_NOTE
    assert (wire_disaster.CENTER_STATUS, wire_disaster.DISASTER_NEED, wire_disaster.DISASTER_OFFER,
            wire_disaster.COMMITMENT_REPORT, wire_disaster.DISASTER_CONTACT, wire_disaster.SURVEY_COUNTS) == (
        disaster.CENTER_STATUS_TYPE, disaster.NEED_TYPE, disaster.OFFER_TYPE, disaster.COMMITMENT_REPORT_TYPE,
        disaster.CONTACT_TYPE, disaster.SURVEY_COUNTS_TYPE)
    assert (batch.FORMAT, batch.MAX_ENTRIES, batch.MAX_BYTES) == (
        client.BATCH_FORMAT, client.BATCH_MAX_ENTRIES, client.BATCH_MAX_BYTES)


def test_forward_only_is_the_rule_the_vocabulary_describes():
    for old, new in itertools.product(disaster.NeedStatus.values, repeat=2):
        assert wire_disaster.NEED.may_move(old, new) == disaster.need_may_move(old, new), (old, new)
    for old, new in itertools.product(disaster.COMMITMENT_ORDER, repeat=2):
        assert wire_disaster.REPORT.may_move(old, new) == (
            disaster.commitment_rank(new) >= disaster.commitment_rank(old)), (old, new)
    assert not wire_disaster.NEED.may_move("burning", "open") and wire_disaster.NEED.may_move("burning", "burning")


def test_the_other_families_hold_todays_limits():
    assert (cases.MAX_PARTIES, cases.CASE.text_limits["title"], cases.CASE.text_limits["summary"]) == (50, 400, 20000)
    assert directory.GROUP.text_limits["description"] == 4000 and directory.OFFER.list_limits["months"] == 12
    assert (tours.MAX_STOPS, tours.MAX_CASES, tours.MAX_ORGANIZATIONS, tours.MAX_CAPACITY) == (40, 100, 60, 10000)
    assert tours.CASE_COPY.nested["case"] == cases.CASE.keys
    assert (introductions.MAX_MESSAGE, introductions.REQUEST_KIND, introductions.ANSWER_KIND) == (
        4000, "introduction_request", "introduction_answer")


@pytest.mark.django_db
def test_the_database_runs_the_generated_forward_only_functions():
    if connection.vendor != "postgresql":
        pytest.skip("the functions exist on PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT proname, prosrc FROM pg_proc WHERE proname IN"
                       " ('kyodo_need_forward_only', 'kyodo_commitment_forward_only') ORDER BY proname")
        found = cursor.fetchall()
    assert [name for name, _source in found] == ["kyodo_commitment_forward_only", "kyodo_need_forward_only"]
    for name, source in found:
        generated = sql.NEED_FORWARD_ONLY if name == "kyodo_need_forward_only" else sql.COMMITMENT_FORWARD_ONLY
        assert source in generated


def test_the_network_listings_member_kinds_are_the_vocabularys():
    assert tuple(MemberKind.values) == networks.MEMBER_KINDS
