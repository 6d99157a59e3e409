"""Suppression of the hub's statistics tables: primary rules, complements, the exact audit checked
against brute force, and seed 001's figures."""

from __future__ import annotations

import csv
import io
import random
from decimal import Decimal

import pytest

from hub.disclosure import (
    OUTCOMES,
    TOTAL,
    Cell,
    Entry,
    Reason,
    Table,
    Unit,
    build_table,
    continuation_rates,
    count_table,
    counts_by,
    primary_reason,
    public_table,
    to_csv_rows,
)
from hub.disclosure_audit import Interval, Network, audit, shape_of


def table_of(grid, organizations=None, *, unit=Unit.CASES, protection=1):
    """A table from a grid of counts; each counted record its own organization unless organizations
    gives a cell's number of distinct organizations."""
    cells = {}
    for i, line in enumerate(grid):
        for j, value in enumerate(line):
            count = value if organizations is None else organizations[i][j]
            cells[i, j] = Cell(value, frozenset(f"org-{i}-{j}-{k}" for k in range(count)), value)
    return Table(range(len(grid)), range(len(grid[0])), cells, unit=unit, protection=protection)


def hidden_positions(table):
    m, n = len(table.row_keys), len(table.col_keys)
    return {(m if row is TOTAL else table.row_keys.index(row), n if col is TOTAL else table.col_keys.index(col))
            for row, col in table.suppressed}


def lines(m, n):
    return [[(i, j) for j in range(n + 1)] for i in range(m + 1)] + [[(i, j) for i in range(m + 1)] for j in range(n + 1)]


def solutions(values, hidden, *, lower=0, bound):
    """Independent of the module: every integer table with the same published figures and at least
    lower in each hidden position, by enumerating the hidden inner cells (totals follow from them)
    from their true values outwards, so that near solutions come first."""
    m, n = len(values) - 1, len(values[0]) - 1
    published = {(i, j): values[i][j] for i in range(m + 1) for j in range(n + 1) if (i, j) not in hidden}
    inner = [(i, j) for i in range(m) for j in range(n) if (i, j) in hidden]
    grid = [[values[i][j] if (i, j) not in hidden else 0 for j in range(n)] for i in range(m)]

    def cap(i, j):
        # Partial sums may not pass a published total.
        room = [bound]
        if (i, n) in published:
            room.append(published[i, n] - sum(grid[i]))
        if (m, j) in published:
            room.append(published[m, j] - sum(grid[r][j] for r in range(m)))
        if (m, n) in published:
            room.append(published[m, n] - sum(map(sum, grid)))
        return min(room)

    def search(k):
        if k == len(inner):
            full = [line + [sum(line)] for line in grid]
            full.append([sum(full[i][j] for i in range(m)) for j in range(n + 1)])
            if (all(full[i][j] == v for (i, j), v in published.items())
                    and all(full[i][j] >= lower for i, j in hidden)):
                yield full
            return
        i, j = inner[k]
        for v in sorted(range(lower, cap(i, j) + 1), key=lambda v: abs(v - values[i][j])):
            grid[i][j] = v
            yield from search(k + 1)
        grid[i][j] = 0

    return search(0)


def feasible_values(values, hidden, *, lower=0):
    """Every value each hidden position takes, by full enumeration (the grand total must be published)."""
    seen = {p: set() for p in hidden}
    for full in solutions(values, hidden, lower=lower, bound=values[-1][-1]):
        for i, j in hidden:
            seen[i, j].add(full[i][j])
    return seen


def has_another_value(values, hidden, position, *, lower, bound):
    """Whether some table with the same published figures puts another value at position: published
    figures plus a wrong value there must still have a solution."""
    i, j = position
    for wrong in sorted(range(lower, bound + 1), key=lambda v: abs(v - values[i][j])):
        if wrong != values[i][j]:
            guess = [line[:] for line in values]
            guess[i][j] = wrong
            if next(solutions(guess, hidden - {position}, lower=lower, bound=bound), None):
                return True
    return False


def random_cases(rng, rows, cols):
    pool = [f"団体{k}" for k in range(rng.randint(3, 15))]
    return [{"form": rng.randrange(rows), "fiscal_year": rng.randrange(cols),
             "organizations": rng.sample(pool, rng.choice([1, 1, 1, 2]))}
            for _ in range(rng.randint(0, 25))]


# --- primary rules --------------------------------------------------------------------------------


def test_one_or_two_organizations_are_sensitive_whatever_the_count():
    assert primary_reason(Cell(12, frozenset({"A"}), 12), Unit.CASES) is Reason.FEW_ORGANIZATIONS
    assert primary_reason(Cell(3, frozenset({"A", "B"}), 3), Unit.CASES) is Reason.FEW_ORGANIZATIONS
    assert primary_reason(Cell(3, frozenset({"A", "B", "C"}), 3), Unit.CASES) is None


def test_people_and_consultations_below_five_are_sensitive():
    many = frozenset("ABCDEF")
    for unit in (Unit.PEOPLE, Unit.CONSULTATIONS):
        assert primary_reason(Cell(4, many, 2), unit) is Reason.SMALL_COUNT
        assert primary_reason(Cell(1, frozenset(), 1), unit) is Reason.SMALL_COUNT
        assert primary_reason(Cell(5, many, 2), unit) is None
    # Four cases are not four people: the count rule is for people and consultations only.
    assert primary_reason(Cell(4, frozenset("ABCD"), 4), Unit.CASES) is None


def test_zero_is_never_sensitive():
    assert primary_reason(Cell(0), Unit.CASES) is None
    assert primary_reason(Cell(0), Unit.PEOPLE) is None
    assert primary_reason(Cell(0, frozenset({"A"}), 1), Unit.PEOPLE) is None


def test_a_case_without_organizations_is_refused():
    with pytest.raises(ValueError, match="organizations"):
        build_table([{"form": "kyosai", "fiscal_year": 2019}], "form", "fiscal_year", unit=Unit.CASES)


def test_people_are_summed_from_the_value_key():
    table = build_table([{"kind": "講座", "fy": 2019, "people": 3, "organizations": ["A"]},
                         {"kind": "講座", "fy": 2019, "people": 40, "organizations": ["B", "C", "D"]}],
                        "kind", "fy", unit=Unit.PEOPLE, value_key="people")
    assert table.cell("講座", 2019) == Cell(43, frozenset("ABCD"), 2)
    with pytest.raises(ValueError, match="non-negative"):
        build_table([{"k": 1, "fy": 1, "people": -1}], "k", "fy", unit=Unit.PEOPLE, value_key="people")


def test_a_label_left_out_of_the_order_is_an_error_not_a_smaller_total():
    cases = [{"form": "kyosai", "fiscal_year": 2019, "organizations": ["A"]}]
    with pytest.raises(ValueError, match="kyosai"):
        build_table(cases, "form", "fiscal_year", unit=Unit.CASES, row_order=["itaku"])


# --- secondary suppression ------------------------------------------------------------------------


def test_a_single_sensitive_cell_gets_a_rectangle_and_totals_stay_published():
    table = table_of([[10, 8, 7], [9, 1, 12], [6, 11, 5]])
    hidden = hidden_positions(table)
    assert table.suppressed[1, 1] is Reason.FEW_ORGANIZATIONS
    # Four inner cells on two rows and two columns: each line keeps two unknowns and its total.
    rows, cols = {i for i, _ in hidden}, {j for _, j in hidden}
    assert hidden == {(i, j) for i in rows for j in cols} and len(hidden) == 4 and (1, 1) in hidden
    assert 3 not in rows | cols
    assert all(interval.width >= 1 for interval in table.intervals().values())


def test_two_by_two_with_one_sensitive_cell_hides_all_four_and_leaves_an_honest_interval():
    table = table_of([[1, 5], [6, 7]])
    assert table.suppressed == {(0, 0): Reason.FEW_ORGANIZATIONS, (0, 1): Reason.COMPLEMENT,
                                (1, 0): Reason.COMPLEMENT, (1, 1): Reason.COMPLEMENT}
    # x00 = 1 + t, x01 = 5 - t, x10 = 6 - t, x11 = 7 + t, each at least 1 (zeros are never hidden).
    assert table.intervals()[0, 0] == Interval(1, 5)
    assert audit(table.values, hidden_positions(table))[0, 0] == Interval(0, 6)
    assert [e.value for e in table.total_row.cells] == [7, 12]
    assert [row.total.value for row in table.rows] == [6, 13]


def test_a_total_equal_to_its_only_cell_is_suppressed_and_protected_in_turn():
    # Row 0 is one organization's 3 cases: its total is as sensitive as the cell.
    table = table_of([[3, 0, 0], [4, 6, 5], [7, 3, 9]], organizations=[[1, 0, 0], [4, 6, 5], [7, 3, 9]])
    assert table.suppressed[0, 0] is Reason.FEW_ORGANIZATIONS
    assert table.suppressed[0, TOTAL] is Reason.FEW_ORGANIZATIONS
    assert all(interval.width >= 1 for interval in table.intervals().values())
    assert table.entry(TOTAL, TOTAL).value == 37


def test_a_lone_suppression_is_exposed_by_the_audit():
    values = [[3, 4, 7], [5, 6, 11], [8, 10, 18]]
    assert audit(values, {(0, 0)}) == {(0, 0): Interval(3, 3)}
    # Two in a row but alone in their columns: the column totals give both back.
    assert audit(values, {(0, 0), (0, 1)}) == {(0, 0): Interval(3, 3), (0, 1): Interval(4, 4)}


def test_a_line_whose_hidden_figures_add_up_to_zero_pins_them():
    # Row 0's hidden cells must add up to 0. The four unknowns have rank 3, so linear algebra alone
    # leaves them free; non-negativity pins them all.
    values = [[0, 0, 5, 5], [2, 3, 4, 9], [2, 3, 9, 14]]
    intervals = audit(values, {(0, 0), (0, 1), (1, 0), (1, 1)})
    assert intervals == {(0, 0): Interval(0, 0), (0, 1): Interval(0, 0), (1, 0): Interval(2, 2), (1, 1): Interval(3, 3)}


def test_knowing_that_zeros_are_never_hidden_can_pin_a_pair_of_ones():
    # Row 0's two hidden cells add up to 2: from 0..2 each, unless the reader knows neither is 0.
    values = [[1, 1, 5, 7], [4, 4, 4, 12], [5, 5, 9, 19]]
    hidden = {(0, 0), (0, 1), (1, 0), (1, 1)}
    assert audit(values, hidden)[0, 0] == Interval(0, 2)
    assert audit(values, hidden, lower=1)[0, 0] == Interval(1, 1)
    # So the module's own tables are audited with that knowledge, and hide more here.
    table = table_of([line[:3] for line in values[:2]], organizations=[[1, 3, 5], [4, 4, 4]])
    assert table.suppressed[0, 0] is Reason.FEW_ORGANIZATIONS
    assert hidden_positions(table) != hidden
    assert all(interval.protects(1) for interval in table.intervals().values())


def test_an_unbounded_figure_is_protected():
    # With every total hidden nothing bounds the cells from above.
    values = [[1, 2, 3], [4, 5, 9], [5, 7, 12]]
    every = {(i, j) for i in range(3) for j in range(3)}
    assert audit(values, every)[0, 0] == Interval(0, None)


def test_an_inconsistent_table_is_refused():
    with pytest.raises(ValueError, match="add up"):
        audit([[1, 2, 4], [1, 2, 3]], set())


def test_a_wider_protection_hides_more():
    narrow = table_of([[1, 9, 9], [9, 9, 9], [9, 9, 9]], organizations=[[1, 9, 9], [9, 9, 9], [9, 9, 9]])
    wide = table_of([[1, 9, 9], [9, 9, 9], [9, 9, 9]], organizations=[[1, 9, 9], [9, 9, 9], [9, 9, 9]], protection=12)
    assert all(interval.width >= 12 for interval in wide.intervals().values())
    assert len(wide.suppressed) >= len(narrow.suppressed)
    with pytest.raises(ValueError, match="protection"):
        table_of([[1]], protection=0)


def test_random_tables_leave_no_suppressed_figure_determined():
    rng = random.Random(20210726)
    brute_forced = 0
    for _ in range(200):
        rows, cols = rng.choice([(2, 2), (2, 3), (3, 2), (3, 3), (3, 4), (4, 4)])
        unit = rng.choice([Unit.CASES, Unit.CASES, Unit.CONSULTATIONS])
        table = build_table(random_cases(rng, rows, cols), "form", "fiscal_year", unit=unit,
                            row_order=range(rows), col_order=range(cols))
        values, hidden = table.values, hidden_positions(table)
        for row in (*table.row_keys, TOTAL):
            for col in (*table.col_keys, TOTAL):
                if primary_reason(table.cell(row, col), unit):
                    assert (row, col) in table.suppressed
        for line in lines(rows, cols):
            assert sum(p in hidden for p in line) != 1
        assert all(interval.protects(1) for interval in audit(values, hidden, lower=1).values())
        assert all(interval.protects(1) for interval in table.intervals().values())
        if hidden and rows * cols <= 9 and values[rows][cols] <= 15:
            brute_forced += 1
            bound = 2 * values[rows][cols] + 2  # enough room to find a second value, whatever is hidden
            for position in hidden:
                assert has_another_value(values, hidden, position, lower=1, bound=bound), (values, hidden, position)
    assert brute_forced >= 30


def test_the_audit_intervals_are_exactly_the_integer_ones():
    # Arbitrary hidden sets, zeros included, against full enumeration.
    rng = random.Random(7)
    for _ in range(150):
        rows, cols = rng.choice([(2, 2), (2, 3), (3, 2)])
        inner = [[rng.choice([0, 0, 1, 2, 3, 4]) for _ in range(cols)] for _ in range(rows)]
        values = [line + [sum(line)] for line in inner]
        values.append([sum(values[i][j] for i in range(rows)) for j in range(cols + 1)])
        positions = [(i, j) for i in range(rows + 1) for j in range(cols + 1) if (i, j) != (rows, cols)]
        hidden = set(rng.sample(positions, rng.randint(1, len(positions))))
        # Hidden zeros can only be assumed at least 1 by a reader when no zero is hidden.
        for lower in (0, 1) if all(values[i][j] for i, j in hidden) else (0,):
            feasible = feasible_values(values, hidden, lower=lower)
            for position, interval in audit(values, hidden, lower=lower).items():
                assert (interval.low, interval.high) == (min(feasible[position]), max(feasible[position])), (
                    values, hidden, lower)


# --- seed 001 -------------------------------------------------------------------------------------


def test_seed_001_continuation_needs_no_suppression():
    # The charts say 29.0% / 71.0% and "22事業". 29.0% cannot come from 22 projects (6/22 = 27.3%,
    # 7/22 = 31.8%); 9/31 = 29.03% and 22/31 = 70.97% do, so 22 is the count of ended projects.
    # The other chart, 44.0% / 56.0%, is 11/25 and 14/25, and 31 + 25 = the programme's 56 projects.
    cases = ([{"outcome": "continued", "organizations": [f"継続{k}"]} for k in range(9)]
             + [{"outcome": "ended", "organizations": [f"終了{k}"]} for k in range(22)]
             + [{"outcome": "ongoing", "organizations": ["実施中"]}])
    rates = continuation_rates(cases)
    assert rates.total.value == 31
    assert [(s.label, s.count.value, s.percent) for s in rates.shares] == [
        ("継続", 9, Decimal("29.0")), ("予算縮小", 0, Decimal("0.0")), ("事業縮小", 0, Decimal("0.0")),
        ("縮小（区分なし）", 0, Decimal("0.0")), ("終了", 22, Decimal("71.0"))]
    assert rates.table.suppressed == {}


def test_a_small_outcome_is_suppressed_with_its_share_and_a_partner():
    cases = ([{"outcome": "continued", "organizations": [f"A{k}"]} for k in range(6)]
             + [{"outcome": "reduced", "organizations": ["B"]}]
             + [{"outcome": "ended", "organizations": [f"C{k}"]} for k in range(8)])
    rates = continuation_rates(cases)
    by_outcome = {share.outcome: share for share in rates.shares}
    assert by_outcome["reduced"].count.reason is Reason.FEW_ORGANIZATIONS
    assert by_outcome["reduced"].percent is None
    assert by_outcome["continued"].count.reason is Reason.COMPLEMENT  # 6 < 8
    assert by_outcome["continued"].percent is None
    assert (by_outcome["ended"].count.value, by_outcome["ended"].percent) == (8, Decimal("53.3"))
    assert rates.total.value == 15


SEED_001_FORMS = {  # p.10: 「非営利組織等との協働」実績, years 1–8
    "共催": [22, 45, 65, 71, 65, 61, 67, 62],
    "実行委員会": [3, 16, 18, 21, 22, 24, 24, 23],
    "事業協力": [79, 70, 88, 117, 123, 133, 159, 155],
    "指定管理者": [11, 9, 14, 14, 24, 23, 23, 22],
    "委託（協働委託）": [47, 75, 68, 69, 70, 63, 50, 52],
    "協働推進事業": [2, 4, 9, 5, 6, 7, 12, 7],
}


def test_seed_001_counts_by_form_hide_only_the_two_project_year_and_its_partners():
    cases = [{"form": form, "fiscal_year": year, "organizations": [f"{form}{year}-{k}"]}
             for form, counts in SEED_001_FORMS.items() for year, count in enumerate(counts, 1) for k in range(count)]
    table = counts_by(cases, row_order=list(SEED_001_FORMS))
    primary = {key for key, reason in table.suppressed.items() if reason.kind == "primary"}
    assert primary == {("協働推進事業", 1)}
    assert len(table.suppressed) == 4
    assert all(TOTAL not in key for key in table.suppressed)
    assert [row.total.value for row in table.rows] == [sum(c) for c in SEED_001_FORMS.values()]
    assert table.entry(TOTAL, TOTAL).value == 2219
    assert all(interval.width >= 1 for interval in table.intervals().values())


def test_a_case_spanning_years_counts_in_each():
    cases = [{"form": "kyosai", "fiscal_year": range(2017, 2020), "organizations": [f"g{k}"]} for k in range(3)]
    table = counts_by(cases)
    assert table.col_keys == (2017, 2018, 2019)
    assert table.entry("kyosai", TOTAL).value == 9


# --- output ---------------------------------------------------------------------------------------


def test_csv_rows_show_one_symbol_and_a_footnote():
    cases = [{"form": form, "fiscal_year": year, "organizations": [f"{form}{year}-{k}"]}
             for form, year, count in [("kyosai", 2019, 1), ("kyosai", 2020, 5), ("koen", 2019, 6), ("koen", 2020, 7)]
             for k in range(count)]
    table = counts_by(cases, row_order=["kyosai", "koen"])
    rows = to_csv_rows(table, symbol="X", labels={"kyosai": "共催", "koen": "後援"}, corner="形態")
    assert rows[:4] == [["形態", "2019", "2020", "合計"], ["共催", "X", "X", "6"], ["後援", "X", "X", "13"],
                        ["合計", "7", "12", "19"]]
    assert rows[5] == ["注：「X」は秘匿（1〜2団体に関する値、およびそれを合計から逆算できないようにするための値）"]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    assert "X,X,6" in buffer.getvalue()
    assert to_csv_rows(table, footnote=False)[1] == ["kyosai", "秘匿", "秘匿", "6"]


def test_entries_give_the_reason_in_japanese():
    table = table_of([[1, 5], [6, 7]], unit=Unit.PEOPLE, organizations=[[3, 3], [3, 3]])
    assert table.entry(0, 0).reason_ja == "5未満の人数・件数のため秘匿"
    assert table.entry(0, 1).reason_ja == "合計から逆算できないよう秘匿"
    assert table.entry(0, 1).kind == "secondary"
    assert table_of([[1, 9], [9, 9]]).entry(0, 0).reason_ja == "1〜2団体に関する値のため秘匿"
    assert str(table.entry(0, TOTAL)) == "6" and table.entry(0, TOTAL).reason_ja == ""
    assert "5未満の人数・件数" in to_csv_rows(table)[-1][0]


# --- sub-rows, published figures, bare counts ---------------------------------------------------------

# Row 1 is broken down into rows 2 and 3 (as 協働推進事業 into its tracks); row 0 has no sub-rows.
SUBROWS = {1: (2, 3)}


def grid_with_subrows(leaves):
    """A full grid (totals last) from the values of rows 0, 2 and 3; row 1 is 2 + 3, the total row 0 + 1."""
    top, first, second = ([*line, sum(line)] for line in leaves)
    parent = [a + b for a, b in zip(first, second, strict=True)]
    return [top, parent, first, second, [a + b for a, b in zip(top, parent, strict=True)]]


def feasible_with_subrows(values, hidden, *, lower, bound):
    """Every value of each hidden position over all tables with sub-rows that agree with the published
    figures, by enumerating the hidden leaf cells (rows 0, 2, 3); independent of the module."""
    cols = len(values[0]) - 1
    leaves = [(i, j) for i in (0, 2, 3) for j in range(cols)]
    free = [p for p in leaves if p in hidden]
    seen = {p: set() for p in hidden}

    def search(k, grid):
        if k == len(free):
            full = grid_with_subrows([grid[0], grid[2], grid[3]])
            if all(full[i][j] == values[i][j] for i in range(5) for j in range(cols + 1) if (i, j) not in hidden) \
                    and all(full[i][j] >= lower for i, j in hidden):
                for i, j in hidden:
                    seen[i, j].add(full[i][j])
            return
        i, j = free[k]
        for v in range(bound + 1):
            grid[i][j] = v
            search(k + 1, grid)

    search(0, [[values[i][j] for j in range(cols)] for i in range(4)])
    return seen


def test_the_audit_with_sub_rows_gives_exactly_the_integer_intervals():
    rng = random.Random(16)
    checked = 0
    for _ in range(120):
        cols = rng.choice([2, 3])
        leaves = [[rng.choice([0, 1, 1, 2, 3]) for _ in range(cols)] for _ in range(3)]
        values = grid_with_subrows(leaves)
        positions = [(i, j) for i in range(5) for j in range(cols + 1) if (i, j) != (4, cols)]
        hidden = set(rng.sample(positions, rng.randint(1, 6)))
        if sum((i, j) in hidden for i in (0, 2, 3) for j in range(cols)) > 4:
            continue  # keep the enumeration small
        for lower in (0, 1) if all(values[i][j] for i, j in hidden) else (0,):
            feasible = feasible_with_subrows(values, hidden, lower=lower, bound=values[4][cols])
            for position, interval in audit(values, hidden, lower=lower, subrows=SUBROWS).items():
                assert (interval.low, interval.high) == (min(feasible[position]), max(feasible[position])), (
                    values, hidden, lower, position)
            checked += 1
    assert checked >= 60


def test_sub_rows_add_up_to_their_row_and_count_once_in_the_totals():
    cells = {("a", 1): 5, ("k", 1): 3, (("k", "g"), 1): 1, (("k", "s"), 1): 2,
             ("a", 2): 6, ("k", 2): 7, (("k", "g"), 2): 4, (("k", "s"), 2): 3}
    rows = ["a", "k", ("k", "g"), ("k", "s")]
    table = count_table(rows, [1, 2], cells, subrows={"k": [("k", "g"), ("k", "s")]})
    assert table.cell(TOTAL, 1).value == 8 and table.cell(TOTAL, TOTAL).value == 21
    assert [row.parent for row in table.rows] == [None, None, "k", "k"]
    # (g, 1) = 1 and (s, 1) = 2 are one or two items each; what hides them must hold in every line.
    hidden = hidden_positions(table)
    assert {(2, 0), (3, 0)} <= hidden
    for line in table._shape.lines:
        assert sum(p in hidden for p in line) != 1
    assert all(interval.protects(1) for interval in table.intervals().values())
    with pytest.raises(ValueError, match="add up"):
        count_table(rows, [1], {("k", 1): 3, (("k", "g"), 1): 1}, subrows={"k": [("k", "g"), ("k", "s")]})


def test_random_tables_with_sub_rows_leave_no_suppressed_figure_determined():
    rng = random.Random(2026)
    brute_forced = 0
    for _ in range(120):
        cols = rng.choice([2, 3])
        leaves = [[rng.choice([0, 1, 1, 2, 3, 4]) for _ in range(cols)] for _ in range(3)]
        values = grid_with_subrows(leaves)
        counts = {(i, j): values[i][j] for i in range(4) for j in range(cols)}
        table = count_table(range(4), range(cols), counts, subrows=SUBROWS)
        assert table.values == values
        hidden = hidden_positions(table)
        for i in range(5):
            for j in range(cols + 1):
                if 1 <= values[i][j] <= 2:
                    assert (i, j) in hidden
        assert all(interval.protects(1) for interval in audit(values, hidden, lower=1, subrows=SUBROWS).values())
        if hidden and sum((i, j) in hidden for i in (0, 2, 3) for j in range(cols)) <= 4 and values[4][cols] <= 14:
            brute_forced += 1
            feasible = feasible_with_subrows(values, hidden, lower=1, bound=values[4][cols])
            assert all(len(found) >= 2 for found in feasible.values()), (values, hidden)
    assert brute_forced >= 20


def test_published_figures_are_never_suppressed_and_count_as_known():
    # Row 0 is public (公表値); row 1's 1 must be protected by row 1 and the other public row alone.
    cells = {(0, 0): Cell(1), (0, 1): Cell(7), (1, 0): Cell(1), (1, 1): Cell(4), (1, 2): Cell(6),
             (0, 2): Cell(9)}
    table = Table([0, 1], [0, 1, 2], cells, unit=Unit.ORGANIZATIONS,
                  published=[(0, col) for col in (0, 1, 2, TOTAL)])
    assert all(table.entry(0, col).public and not table.entry(0, col).suppressed for col in (0, 1, 2, TOTAL))
    assert table.entry(1, 0).suppressed and not table.entry(1, 0).public
    # Known row 0 means the column totals give row 1 back: they are hidden with it.
    assert table.entry(TOTAL, 0).suppressed
    assert all(interval.protects(1) for interval in table.intervals().values())
    public = public_table(["a"], [1, 2], {("a", 1): 2, ("a", 2): 3})
    assert public.suppressed == {} and public.entry("a", 1) == Entry(2, None, public=True)


def test_bare_counts_of_one_or_two_are_suppressed_as_organizations():
    assert primary_reason(Cell(2), Unit.ORGANIZATIONS) is Reason.FEW_ORGANIZATIONS
    assert primary_reason(Cell(3), Unit.ORGANIZATIONS) is None
    assert primary_reason(Cell(0), Unit.ORGANIZATIONS) is None
    table = count_table(["intake", "closed"], ["A", "B"], {("intake", "A"): 4, ("intake", "B"): 9,
                                                         ("closed", "A"): 7, ("closed", "B"): 8},
                        unit=Unit.CONSULTATIONS)
    assert table.suppressed[("intake", "A")] is Reason.SMALL_COUNT
    assert "5未満の人数・件数" in to_csv_rows(table)[-1][0]
    with pytest.raises(ValueError, match="organizations"):
        count_table(["a"], [1], {("a", 1): 4}, unit=Unit.CASES)
    with pytest.raises(ValueError, match="non-negative"):
        count_table(["a"], [1], {("a", 1): True})


def test_continuation_by_row_comes_from_one_table():
    cases = ([{"form": "k", "track": ("k", "g"), "outcome": "continued", "organizations": [f"g{n}"]} for n in range(6)]
             + [{"form": "k", "track": ("k", "s"), "outcome": "scope_reduced", "organizations": ["s"]}]
             + [{"form": "a", "track": None, "outcome": "ended", "organizations": [f"a{n}"]} for n in range(8)])
    rates = continuation_rates(cases, row_key=lambda c: [c["form"], *([c["track"]] if c["track"] else [])],
                               row_order=["a", "k", ("k", "g"), ("k", "s")],
                               subrows={"k": [("k", "g"), ("k", "s")]})
    assert rates.total.value == 15 and [s.outcome for s in rates.shares] == list(OUTCOMES)
    whole = {s.outcome: s for s in rates.shares}
    assert whole["scope_reduced"].count.suppressed and whole["ended"].count.value == 8
    track = {s.outcome: s for s in rates.shares_of(("k", "g"))}
    # One organization's reduced project: hidden in its sub-row, its row and the whole alike.
    assert {s.outcome for s in rates.shares_of("k") if s.count.suppressed} >= {"scope_reduced"}
    assert track["continued"].count.value in (6, None)
    assert all(interval.protects(1) for interval in rates.table.intervals().values())


def test_the_suppression_loop_asks_the_same_question_as_the_exact_audit():
    # The loop asks a flow network whether a hidden figure can move at all; the exact audit answers
    # the same question with a linear programme. They must agree, with sub-rows and without.
    rng = random.Random(5)
    for _ in range(600):
        cols = rng.choice([2, 3, 4])
        if rng.random() < 0.5:
            values, subrows = grid_with_subrows([[rng.choice([0, 1, 1, 2, 3, 5]) for _ in range(cols)]
                                                 for _ in range(3)]), SUBROWS
        else:
            inner = [[rng.choice([0, 1, 1, 2, 3, 5]) for _ in range(cols)] for _ in range(rng.choice([2, 3, 4]))]
            values = [line + [sum(line)] for line in inner]
            values.append([sum(line[j] for line in values) for j in range(cols + 1)])
            subrows = None
        positions = [(i, j) for i, line in enumerate(values) for j, v in enumerate(line) if v > 0]
        if not positions:
            continue
        hidden = set(rng.sample(positions, rng.randint(1, len(positions))))
        network = Network(values, hidden, 1, shape_of(values, subrows))
        for position, interval in audit(values, hidden, lower=1, subrows=subrows).items():
            assert network.movable(position) == interval.protects(1), (values, hidden, position)
