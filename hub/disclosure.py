"""Statistical disclosure control for the hub's statistics tables: small cells are suppressed, and
enough other cells with them that no published total or cell gives a suppressed value back.

A table may have sub-rows (a row broken down beneath it, e.g. 協働推進事業 by track): they add up
to their row and are audited with it. Figures already public (公表値, which a center's city prints
itself) may be fixed as published: never suppressed, and known to the reader in every audit."""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from hub.disclosure_audit import Audit, Interval, Network, Position, Shape, audit

# ARCHITECTURE.md: organizations 1–2, people or consultations below 5.
MAX_FEW_ORGANIZATIONS = 2
MIN_PUBLISHED_PEOPLE = 5
SUPPRESSED = "秘匿"
# Zeros are never suppressed, and a reader who knows that knows every hidden figure is at least 1:
# two hidden cells in a line that must add up to 2 are both 1. The audit of our own tables says so.
HIDDEN_LOWER_BOUND = 1

Key = Callable[[Mapping[str, Any]], Any] | str


class Unit(enum.StrEnum):
    """What a cell counts; people and consultations are also protected by their number.

    ORGANIZATIONS: bare counts the hub receives without the records behind them (a center's groups,
    events, applications): each counted item is, or may be, another organization's, so a count of
    one or two is taken to be about one or two organizations."""

    CASES = "cases"
    PEOPLE = "people"
    CONSULTATIONS = "consultations"
    ORGANIZATIONS = "organizations"


class Reason(enum.StrEnum):
    FEW_ORGANIZATIONS = "few_organizations"
    SMALL_COUNT = "small_count"
    COMPLEMENT = "complement"

    @property
    def kind(self) -> str:
        return "secondary" if self is Reason.COMPLEMENT else "primary"

    @property
    def label(self) -> str:
        return _REASON_LABELS[self]


_REASON_LABELS = {
    Reason.FEW_ORGANIZATIONS: "1〜2団体に関する値のため秘匿",
    Reason.SMALL_COUNT: "5未満の人数・件数のため秘匿",
    Reason.COMPLEMENT: "合計から逆算できないよう秘匿",
}


class Margin(enum.Enum):
    TOTAL = "total"

    def __repr__(self) -> str:
        return "TOTAL"


# The key of a row or column total, so that no real label (even 「合計」) can be mistaken for one.
TOTAL = Margin.TOTAL


@dataclass(frozen=True)
class Cell:
    """What one position counts and whom it is about. Never published as such."""

    value: int = 0
    organizations: frozenset[Hashable] = frozenset()
    records: int = 0  # cases or consultations behind the value

    def __add__(self, other: Cell) -> Cell:
        return Cell(self.value + other.value, self.organizations | other.organizations, self.records + other.records)


def primary_reason(cell: Cell, unit: Unit) -> Reason | None:
    """Why a cell may not be published on its own, if it may not.

    A zero is published: it is about nobody, so neither rule applies. It can still say something —
    that none of a row's members did X — which matters only when a row or column is itself a small,
    known set of organizations; tables here are by form, year or outcome, not by member. A zero also
    makes a line's total equal to its one non-zero cell, which is why totals carry the union of their
    cells' organizations and face the same rules as cells.
    """
    if cell.value == 0:
        return None
    if 1 <= len(cell.organizations) <= MAX_FEW_ORGANIZATIONS:
        return Reason.FEW_ORGANIZATIONS
    if unit is Unit.ORGANIZATIONS:
        return Reason.FEW_ORGANIZATIONS if cell.value <= MAX_FEW_ORGANIZATIONS else None
    if unit is not Unit.CASES and cell.value < MIN_PUBLISHED_PEOPLE:
        return Reason.SMALL_COUNT
    return None


@dataclass(frozen=True)
class Entry:
    """One position as published: its value, or None and why.

    The reason is for staff. A public page or file shows only the symbol: marking a cell as
    primary tells the reader it is about 1–2 organizations or below 5, which narrows it.
    """

    value: int | None
    reason: Reason | None = None
    public: bool = False  # a 公表値: published by its source, never suppressed here

    @property
    def suppressed(self) -> bool:
        return self.reason is not None

    @property
    def kind(self) -> str | None:
        return self.reason.kind if self.reason else None

    @property
    def reason_ja(self) -> str:
        return self.reason.label if self.reason else ""

    def text(self, symbol: str = SUPPRESSED) -> str:
        return symbol if self.reason else str(self.value)

    def __str__(self) -> str:
        return self.text()


@dataclass(frozen=True)
class Row:
    key: Hashable
    cells: tuple[Entry, ...]
    total: Entry
    parent: Hashable | None = None  # a sub-row's row; None for a row of the table itself


class Table:
    """A two-way table of counts with its totals, suppressed when it is built.

    Positions are (row, column) keys; TOTAL as either key names a total. Internally the totals sit
    in an extra last row and column, so every line (a row or column, totals included) reads
    "its cells add up to its last entry".

    subrows: row → the rows that break it down (listed in row_keys, one level deep). They add up
    to their row in every column, and the column totals count the row, not its sub-rows; the audit
    knows both, so a sub-row cannot give back a suppressed row and the reverse.
    published: positions whose figures are public already (公表値): never suppressed, and taken as
    known by the reader when the others are protected.
    """

    def __init__(self, row_keys: Iterable[Hashable], col_keys: Iterable[Hashable],
                 cells: Mapping[tuple[Hashable, Hashable], Cell], *, unit: Unit, protection: int = 1,
                 subrows: Mapping[Hashable, Sequence[Hashable]] | None = None,
                 published: Iterable[tuple[Hashable, Hashable]] = ()):
        if protection < 1:
            raise ValueError("protection must be at least 1: a width of 0 publishes the value")
        self.row_keys = tuple(row_keys)
        self.col_keys = tuple(col_keys)
        self.unit = Unit(unit)
        self.protection = protection
        m, n = len(self.row_keys), len(self.col_keys)
        self._row_index = {key: i for i, key in enumerate(self.row_keys)} | {TOTAL: m}
        self._col_index = {key: j for j, key in enumerate(self.col_keys)} | {TOTAL: n}
        self.subrows = {parent: tuple(children) for parent, children in (subrows or {}).items() if children}
        self._parents: dict[Hashable, Hashable] = {}
        for parent, children in self.subrows.items():
            for child in (parent, *children):
                if child not in self._row_index or child is TOTAL:
                    raise ValueError(f"sub-row {child!r} is not a row of the table")
            for child in children:
                if child in self._parents or child in self.subrows:
                    raise ValueError(f"sub-row {child!r} is under more than one row, or has sub-rows itself")
                self._parents[child] = parent
        if any(parent in self._parents for parent in self.subrows):
            raise ValueError("sub-rows are one level deep")
        self._shape = Shape(m, n, tuple(sorted(
            (self._row_index[parent], tuple(self._row_index[c] for c in children))
            for parent, children in self.subrows.items())))
        grid = [[Cell() for _ in range(n + 1)] for _ in range(m + 1)]
        for (row, col), cell in cells.items():
            if row not in self._row_index or col not in self._col_index or TOTAL in (row, col):
                raise ValueError(f"cell ({row!r}, {col!r}) is outside the table")
            grid[self._row_index[row]][self._col_index[col]] = cell
        for i in range(m):
            grid[i][n] = sum(grid[i][:n], Cell())
        top = [i for i in range(m) if self.row_keys[i] not in self._parents]
        for j in range(n + 1):
            grid[m][j] = sum((grid[i][j] for i in top), Cell())
        self._grid = grid
        self._values = [[cell.value for cell in line] for line in grid]
        for parent, children in self.subrows.items():
            i = self._row_index[parent]
            for j in range(n + 1):
                if sum(self._values[self._row_index[c]][j] for c in children) != self._values[i][j]:
                    raise ValueError(f"the sub-rows of {parent!r} do not add up to it")
        published = set(published)
        if unknown := {key for key in published if key[0] not in self._row_index or key[1] not in self._col_index}:
            raise ValueError(f"published positions outside the table: {unknown!r}")
        self._published = frozenset(self._position(*key) for key in published)
        primary = {(i, j): reason for i, line in enumerate(grid) for j, cell in enumerate(line)
                   if (i, j) not in self._published and (reason := primary_reason(cell, self.unit))}
        self._reasons = _suppress(self._values, primary, protection, self._shape, self._published)

    def __getstate__(self) -> dict:
        # A pickled table (the statistics cache, hub.figures_cache) keeps the counts and what is
        # suppressed, not whom each cell is about: a tenth of the size to read back on every page,
        # and no organization pseudonyms in the cache.
        state = self.__dict__.copy()
        state["_grid"] = [[Cell(cell.value, records=cell.records) for cell in line] for line in self._grid]
        return state

    def _position(self, row: Hashable, col: Hashable) -> Position:
        return self._row_index[row], self._col_index[col]

    def _key(self, position: Position) -> tuple[Hashable, Hashable]:
        i, j = position
        return (self.row_keys + (TOTAL,))[i], (self.col_keys + (TOTAL,))[j]

    def cell(self, row: Hashable, col: Hashable) -> Cell:
        """The unprotected cell, for staff views and tests."""
        i, j = self._position(row, col)
        return self._grid[i][j]

    def entry(self, row: Hashable, col: Hashable) -> Entry:
        i, j = self._position(row, col)
        reason = self._reasons.get((i, j))
        return Entry(None if reason else self._values[i][j], reason, public=(i, j) in self._published)

    def parent(self, row: Hashable) -> Hashable | None:
        """The row a sub-row breaks down; None for a row of the table itself (and the total)."""
        return self._parents.get(row)

    @property
    def rows(self) -> list[Row]:
        return [self._row(key) for key in self.row_keys]

    @property
    def total_row(self) -> Row:
        return self._row(TOTAL)

    def row(self, key: Hashable) -> Row:
        """One row as published (TOTAL: the totals row)."""
        return self._row(key)

    def _row(self, key: Hashable) -> Row:
        return Row(key, tuple(self.entry(key, col) for col in self.col_keys), self.entry(key, TOTAL),
                   self._parents.get(key))

    @property
    def values(self) -> list[list[int]]:
        """The unprotected values with totals as the last row and column."""
        return [line[:] for line in self._values]

    @property
    def subrow_positions(self) -> dict[int, tuple[int, ...]]:
        """Sub-rows by row index (as `audit` takes them)."""
        return {parent: children for parent, children in self._shape.subrows}

    @property
    def suppressed(self) -> dict[tuple[Hashable, Hashable], Reason]:
        return {self._key(position): reason for position, reason in sorted(self._reasons.items())}

    def intervals(self) -> dict[tuple[Hashable, Hashable], Interval]:
        """What a reader holding every published figure, and knowing that zeros are never
        suppressed, can work out about each suppressed one."""
        intervals = audit(self._values, self._reasons, lower=HIDDEN_LOWER_BOUND, subrows=self.subrow_positions)
        return {self._key(position): interval for position, interval in intervals.items()}


def public_table(row_keys: Iterable[Hashable], col_keys: Iterable[Hashable], counts: Mapping[tuple[Hashable, Hashable], int],
                 *, subrows: Mapping[Hashable, Sequence[Hashable]] | None = None) -> Table:
    """A table of figures their source has published itself (公表値): every position published as it is.

    Still a Table, so the page and the CSV treat it like any other and the sub-rows must add up."""
    row_keys, col_keys = tuple(row_keys), tuple(col_keys)
    cells = {key: Cell(_count(value)) for key, value in counts.items()}
    every = [(row, col) for row in (*row_keys, TOTAL) for col in (*col_keys, TOTAL)]
    return Table(row_keys, col_keys, cells, unit=Unit.CASES, subrows=subrows, published=every)


def count_table(row_keys: Iterable[Hashable], col_keys: Iterable[Hashable], counts: Mapping[tuple[Hashable, Hashable], int],
                *, unit: Unit = Unit.ORGANIZATIONS, subrows: Mapping[Hashable, Sequence[Hashable]] | None = None,
                protection: int = 1) -> Table:
    """A suppressed table of bare counts (the nodes' aggregates: no records behind them at the hub).

    Unit.ORGANIZATIONS for counts of organizations or of things that may each be another
    organization's; Unit.CONSULTATIONS or PEOPLE for counts of those."""
    unit = Unit(unit)
    if unit is Unit.CASES:
        # Cases are protected through their organizations, which bare counts do not name.
        raise ValueError("bare counts of cases cannot be protected; count them as organizations")
    cells = {key: Cell(_count(value), frozenset(), _count(value)) for key, value in counts.items()}
    return Table(row_keys, col_keys, cells, unit=unit, subrows=subrows, protection=protection)


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"a count must be a non-negative integer: {value!r}")
    return value


def build_table(rows: Iterable[Mapping[str, Any]], row_key: Key, col_key: Key, *, unit: Unit,
                value_key: str | None = None, organizations_key: str = "organizations",
                row_order: Sequence[Hashable] | None = None, col_order: Sequence[Hashable] | None = None,
                protection: int = 1, subrows: Mapping[Hashable, Sequence[Hashable]] | None = None) -> Table:
    """Count records (dicts) into a suppressed table.

    A key is a dict key or a function of the record; when it yields a list, tuple, set or range the
    record counts once under each (a case active in three fiscal years is three case-years, and the
    totals add those up). Each record counts 1, or record[value_key] (e.g. participants).
    record[organizations_key] names the organizations the record is about — the groups, companies
    and the like whose figures it reveals, not the city that is a party to every case, or every cell
    would look like "many organizations". With subrows, a record of a sub-row names both its row and
    its sub-row (e.g. [form family, (family, form)]), and the totals count it once.
    """
    unit = Unit(unit)
    cells: dict[tuple[Hashable, Hashable], Cell] = {}
    for record in rows:
        organizations = record.get(organizations_key) or ()
        organizations = frozenset([organizations] if isinstance(organizations, str) else organizations)
        if unit is Unit.CASES and not organizations:
            # Without organizations the 1–2 organizations rule cannot fire; refuse rather than publish.
            raise ValueError(f"a case must name its organizations ({organizations_key!r}): {record!r}")
        value = 1 if value_key is None else record[value_key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{value_key!r} must be a non-negative integer: {record!r}")
        contribution = Cell(value, organizations, 1)
        for row in _labels(record, row_key):
            for col in _labels(record, col_key):
                cells[row, col] = cells.get((row, col), Cell()) + contribution
    return Table(_order(row_order, {row for row, _ in cells}), _order(col_order, {col for _, col in cells}),
                 cells, unit=unit, protection=protection, subrows=subrows)


def counts_by(cases: Iterable[Mapping[str, Any]], row: Key = "form", col: Key = "fiscal_year", *,
              unit: Unit = Unit.CASES, **options: Any) -> Table:
    """Cases by two attributes, e.g. collaboration form by fiscal year (seed 001, p.10)."""
    return build_table(cases, row, col, unit=unit, **options)


# CaseOutcome values on the nodes, as seed 001 draws them (継続 / 予算縮小 / 事業縮小 / 終了), with the
# old 縮小 whose source did not say which; 実施中 (ongoing) cases have not reached the point of deciding.
OUTCOMES = {"continued": "継続", "budget_reduced": "予算縮小", "scope_reduced": "事業縮小",
            "reduced": "縮小（区分なし）", "ended": "終了"}
ALL_CASES = "全体"


@dataclass(frozen=True)
class Share:
    outcome: str
    label: str
    count: Entry
    percent: Decimal | None  # one decimal, as the seed's 29.0% / 71.0%; None when the count is suppressed


@dataclass(frozen=True)
class ContinuationRates:
    """Outcomes by row (ALL_CASES alone, or e.g. form families with their tracks as sub-rows), the
    whole in the total row. Every row's shares come from the one suppressed table, so that looking
    at one row and then another, or at the whole, never gives back what a single view hides."""

    table: Table

    @property
    def shares(self) -> tuple[Share, ...]:
        return self.shares_of(TOTAL)

    @property
    def total(self) -> Entry:
        return self.table.entry(TOTAL, TOTAL)

    def shares_of(self, row: Hashable) -> tuple[Share, ...]:
        total = self.table.entry(row, TOTAL)
        shares = []
        for outcome, label in OUTCOMES.items():
            count = self.table.entry(row, outcome)
            percent = None
            if count.value is not None and total.value:
                tenths = (count.value * 2000 + total.value) // (2 * total.value)  # half up, exactly
                percent = Decimal(tenths).scaleb(-1)
            shares.append(Share(outcome, label, count, percent))
        return tuple(shares)


def continuation_rates(cases: Iterable[Mapping[str, Any]], *, outcome_key: str = "outcome",
                       organizations_key: str = "organizations", row_key: Key | None = None,
                       row_order: Sequence[Hashable] | None = None,
                       subrows: Mapping[Hashable, Sequence[Hashable]] | None = None,
                       protection: int = 1) -> ContinuationRates:
    """継続 / 予算縮小 / 事業縮小 / 縮小（区分なし） / 終了 after the funded period, counts suppressed by
    the same rules as any table; by row_key when given (the whole is the total row either way)."""
    finished = [case for case in cases if case.get(outcome_key) in OUTCOMES]
    if row_key is None:
        row_key, row_order = (lambda case: ALL_CASES), [ALL_CASES]
    table = build_table(finished, row_key, outcome_key, unit=Unit.CASES, organizations_key=organizations_key,
                        row_order=row_order, col_order=list(OUTCOMES), protection=protection, subrows=subrows)
    return ContinuationRates(table)


def to_csv_rows(table: Table, *, symbol: str = SUPPRESSED, labels: Mapping[Hashable, str] | None = None,
                total_label: str = "合計", corner: str = "", footnote: bool = True,
                rows: Sequence[Hashable] | None = None, subrow_prefix: str = "\u3000",
                total_row_label: str | None = None) -> list[list[str]]:
    """Rows for csv.writer: a header, one row per row key (sub-rows indented by subrow_prefix), the
    totals row, then a footnote if anything is suppressed. Every suppressed cell shows the same
    symbol, whatever its reason. rows: which rows, in which order (TOTAL for the totals row), which
    total_row_label names when the totals row is not a 合計 (e.g. 全体)."""
    labels = labels or {}

    def name(key: Hashable) -> str:
        if key is TOTAL:
            return total_row_label or total_label
        return (subrow_prefix if table.parent(key) is not None else "") + str(labels.get(key, key))

    out = [[corner, *(str(labels.get(key, key)) for key in table.col_keys), total_label]]
    shown = [table.row(key) for key in ([*table.row_keys, TOTAL] if rows is None else rows)]
    for row in shown:
        out.append([name(row.key), *(entry.text(symbol) for entry in row.cells), row.total.text(symbol)])
    if footnote and any(entry.suppressed for row in shown for entry in (*row.cells, row.total)):
        out += footnote_rows(table, symbol=symbol)
    return out


def footnote_rows(table: Table, *, symbol: str = SUPPRESSED) -> list[list[str]]:
    """The general footnote under a table with suppressed figures (a blank row, then the note)."""
    rules = "1〜2団体に関する値" + ("" if table.unit in (Unit.CASES, Unit.ORGANIZATIONS) else "、5未満の人数・件数")
    return [[], [f"注：「{symbol}」は秘匿（{rules}、およびそれを合計から逆算できないようにするための値）"]]


# --- suppression ----------------------------------------------------------------------------------


def _labels(record: Mapping[str, Any], key: Key) -> Iterable[Hashable]:
    label = key(record) if callable(key) else record[key]
    return label if isinstance(label, list | tuple | set | frozenset | range) else (label,)


def _order(order: Sequence[Hashable] | None, found: set[Hashable]) -> tuple[Hashable, ...]:
    if order is None:
        try:
            return tuple(sorted(found))
        except TypeError:
            return tuple(sorted(found, key=str))
    if missing := found - set(order):
        raise ValueError(f"labels missing from the order, their counts would vanish from the totals: {missing!r}")
    return tuple(order)


def _suppress(values: list[list[int]], primary: dict[Position, Reason], protection: int, shape: Shape,
              published: frozenset[Position] = frozenset()) -> dict[Position, Reason]:
    # The hub's tables change only when a batch arrives: the same figures get the same answer, so it
    # is remembered per process (the loop asks a flow network, but a wider protection than 1 takes
    # the exact audit's linear programme, seconds on a sparse 11 × 8 table).
    key = (tuple(map(tuple, values)), tuple(sorted(primary.items())), protection, shape, tuple(sorted(published)))
    return dict(_suppress_cached(key))


@functools.lru_cache(maxsize=512)
def _suppress_cached(key) -> tuple:
    values, primary, protection, shape, published = [list(line) for line in key[0]], dict(key[1]), key[2], key[3], \
        frozenset(key[4])
    return tuple(_suppress_exact(values, primary, protection, shape, published).items())


def _suppress_exact(values: list[list[int]], primary: dict[Position, Reason], protection: int, shape: Shape,
                    published: frozenset[Position] = frozenset()) -> dict[Position, Reason]:
    """Primary cells plus complements until the audit finds every suppressed value protected.

    Complements are never zeros (a reader may know a zero is structural — a form that did not exist
    yet — so hiding it protects nothing), never published figures (公表値 are known whatever we do),
    and totals only when no cell will do, which keeps the totals of lines with suppressed cells
    published unless they are sensitive themselves (a row above its sub-rows counts as their total).
    Suppressing more never narrows another interval, so the loop only moves towards protection,
    and it ends: once every non-zero figure is hidden, scaling the table is feasible and nothing
    is bounded above.
    """
    reasons = dict(primary)
    if not reasons:
        return reasons
    m, n = shape.m, shape.n
    subrows = dict(shape.subrows)

    def cost(position: Position) -> tuple:
        return shape.margins(position), values[position[0]][position[1]], position

    def exposed_in(hidden) -> list[Position]:
        if protection == 1:
            network = Network(values, hidden, HIDDEN_LOWER_BOUND, shape)
            return [p for p in sorted(hidden) if not network.movable(p)]
        return [p for p, interval in audit(values, hidden, lower=HIDDEN_LOWER_BOUND, subrows=subrows).items()
                if not interval.protects(protection)]

    def protects(hidden, target: Position) -> bool:
        if protection == 1:
            return Network(values, hidden, HIDDEN_LOWER_BOUND, shape).movable(target)
        return Audit(values, hidden, HIDDEN_LOWER_BOUND, shape).interval(target).protects(protection)

    while True:
        _complete_lines(values, reasons, cost, shape, published)
        exposed = exposed_in(reasons)
        if not exposed:
            return reasons
        target = exposed[0]
        candidates = sorted(((i, j) for i in range(m + 1) for j in range(n + 1)
                             if (i, j) not in reasons and (i, j) not in published and values[i][j] > 0), key=cost)
        if not candidates:
            raise RuntimeError("every figure is suppressed or published and one is still exposed")
        chosen = next((p for p in candidates if protects([*reasons, p], target)), None)
        if chosen is None:
            # No single figure is enough: take the cheapest that shares a line with it and go on.
            near = set(shape.lines_of[target])
            chosen = next((p for p in candidates if near & set(shape.lines_of[p])), candidates[0])
        reasons[chosen] = Reason.COMPLEMENT


def _complete_lines(values: list[list[int]], reasons: dict[Position, Reason], cost: Callable, shape: Shape,
                    published: frozenset[Position] = frozenset()) -> None:
    """A line with one suppressed figure gives it back as total minus the rest: add a second.

    Among the line's figures, prefer one whose other lines each have exactly one suppressed figure
    (one complement mends two lines), then one whose other lines already have two or more (mends
    one, breaks none), and only then one that starts a new lonely line; smaller values first.
    """
    lines = shape.lines
    while True:
        hidden = [sum(p in reasons for p in line) for line in lines]
        lonely = next((k for k, count in enumerate(hidden) if count == 1), None)
        if lonely is None:
            return
        ranked = []
        for p in lines[lonely]:
            if p not in reasons and p not in published and values[p[0]][p[1]] > 0:
                others = [hidden[k] for k in shape.lines_of[p] if k != lonely]
                margin, *rest = cost(p)
                ranked.append((margin, sum(count == 0 for count in others), -sum(count == 1 for count in others),
                               *rest))
        if not ranked:
            raise RuntimeError("a suppressed figure is alone in a line of zeros or published figures")
        reasons[min(ranked)[-1]] = Reason.COMPLEMENT
