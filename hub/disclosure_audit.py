"""The exact audit behind the hub's suppression: for a table of counts with some figures hidden,
the values each hidden figure can still take given every published one (hub/disclosure.py asks it
until every suppressed figure is protected)."""

from __future__ import annotations

import functools
import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

Position = tuple[int, int]


@dataclass(frozen=True)
class Interval:
    """The values a suppressed figure can take given everything published; high None = unbounded."""

    low: int
    high: int | None

    @property
    def width(self) -> int | None:
        return None if self.high is None else self.high - self.low

    def protects(self, protection: int) -> bool:
        return self.high is None or self.high - self.low >= protection



@dataclass(frozen=True)
class Shape:
    """Which positions of a grid (totals in the last row and column) add up to which: m rows, n
    columns, and sub-rows as (row index, its sub-rows' indices)."""

    m: int
    n: int
    subrows: tuple[tuple[int, tuple[int, ...]], ...] = ()

    @functools.cached_property
    def lines(self) -> tuple[tuple[Position, ...], ...]:
        """Every line that adds up, its total last: each row; each column over the rows that are no
        sub-row; each row's sub-rows in each column."""
        m, n = self.m, self.n
        below = {child for _parent, children in self.subrows for child in children}
        rows = [tuple((i, j) for j in range(n + 1)) for i in range(m + 1)]
        cols = [tuple([*((i, j) for i in range(m) if i not in below), (m, j)]) for j in range(n + 1)]
        groups = [tuple([*((c, j) for c in children), (parent, j)])
                  for parent, children in self.subrows for j in range(n + 1)]
        return tuple(rows + cols + groups)

    @functools.cached_property
    def lines_of(self) -> dict[Position, tuple[int, ...]]:
        """The lines each position lies in, by index."""
        found: dict[Position, list[int]] = {}
        for k, line in enumerate(self.lines):
            for position in line:
                found.setdefault(position, []).append(k)
        return {position: tuple(ks) for position, ks in found.items()}

    def margins(self, position: Position) -> int:
        """In how many lines a position is the total: complements are taken from cells before totals."""
        return sum(self.lines[k][-1] == position for k in self.lines_of.get(position, ()))


def shape_of(values: Sequence[Sequence[int]], subrows: Mapping[int, Sequence[int]] | None) -> Shape:
    return Shape(len(values) - 1, len(values[0]) - 1,
                  tuple(sorted((parent, tuple(children)) for parent, children in (subrows or {}).items())))


def audit(values: Sequence[Sequence[int]], hidden: Iterable[Position], *, lower: int = 0,
          subrows: Mapping[int, Sequence[int]] | None = None) -> dict[Position, Interval]:
    """The exact interval of each hidden position over all tables of non-negative counts that agree
    with every published figure and put at least lower in each hidden position (values: the grid with
    totals as last row and column; subrows: row index → the indices of the rows that break it down).

    Exact rational Gaussian elimination first finds positions the published figures determine
    outright (a unit vector in the row space of the constraints); for the others an exact simplex
    finds the least and greatest value, which catches what the lower bound pins — a line whose
    hidden figures must add up to 0 pins them all to 0 (to 1 each when they must add up to their
    number and lower is 1). The constraints of a table with totals are
    those of a flow network, so their matrix is totally unimodular: the bounds are integers and both
    are reached by integer tables, so a width of at least 1 means at least two possible values.
    Sub-rows keep that: the rows of each column, with sub-rows under their row, form a tree (a
    laminar family), and the rows of the grid are the other side of the network.
    """
    values = [list(line) for line in values]
    shape = shape_of(values, subrows)
    for line in shape.lines:
        if sum(values[i][j] for i, j in line[:-1]) != values[line[-1][0]][line[-1][1]]:
            raise ValueError(f"the table does not add up along {list(line)}")
    if any(v < 0 for line in values for v in line):
        raise ValueError("counts cannot be negative")
    auditor = Audit(values, hidden, lower, shape)
    return {position: auditor.interval(position) for position in auditor.unknowns}


class Network:
    """A table's figures as the flows of a circulation, for the question the suppression loop asks
    most often: can a hidden figure take another value at all (protection 1)?

    Every line "cells add up to the last" is the conservation of flow at one node: a cell is an arc
    from its row's node to its column's node, a row total an arc from the total column's node to
    the row's, a column total from the column's node to the total row's, the grand total from there
    to the total column's. A row with sub-rows has no node of its own: in each column its cell runs
    from a node of its sub-rows' cells to the column's node (its own row line follows from theirs).
    Tables that agree with the published figures differ by circulations on the hidden arcs, so a
    hidden figure can be one higher when its arc closes a cycle through arcs that may grow (any
    hidden one) or shrink (a hidden one above the lower bound), and one lower likewise the other
    way round — exactly what the exact audit's interval says about a width of at least 1, found by
    a search instead of a linear programme. The matrix being a network's is also why the audit's
    bounds are whole numbers.
    """

    def __init__(self, values: Sequence[Sequence[int]], hidden: Iterable[Position], lower: int, shape: Shape):
        self._values, self._lower = values, lower
        self._hidden = set(hidden)
        parent_of = {child: parent for parent, children in shape.subrows for child in children}
        parents = {parent for parent, _children in shape.subrows}
        m, n = shape.m, shape.n

        def arc(i: int, j: int) -> tuple[Hashable, Hashable]:
            if i in parents:
                return (("g", i, j), ("c", j)) if j < n else (("c", n), ("g", i, n))
            if i in parent_of:
                return (("r", i), ("g", parent_of[i], j)) if j < n else (("g", parent_of[i], n), ("r", i))
            if i == m:
                return (("c", j), ("r", m)) if j < n else (("r", m), ("c", n))
            return (("r", i), ("c", j)) if j < n else (("c", n), ("r", i))

        self._arcs = {position: arc(*position) for position in self._hidden}
        # Residual moves: along a hidden arc always (no upper bound), against it while above the bound.
        self._moves: dict[Hashable, list[tuple[Hashable, Position]]] = {}
        for position, (tail, head) in self._arcs.items():
            self._moves.setdefault(tail, []).append((head, position))
            if values[position[0]][position[1]] - lower >= 1:
                self._moves.setdefault(head, []).append((tail, position))

    def _reaches(self, start: Hashable, goal: Hashable, without: Position) -> bool:
        seen, todo = {start}, [start]
        while todo:
            node = todo.pop()
            if node == goal:
                return True
            for nxt, position in self._moves.get(node, ()):
                if position != without and nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return False

    def movable(self, position: Position) -> bool:
        """Whether some table agreeing with everything published puts another value at position."""
        tail, head = self._arcs[position]
        i, j = position
        up = self._reaches(head, tail, position)
        down = self._values[i][j] - self._lower >= 1 and self._reaches(tail, head, position)
        return up or down


class Audit:
    def __init__(self, values: Sequence[Sequence[int]], hidden: Iterable[Position], lower: int = 0,
                 shape: Shape | None = None):
        # Unknowns are shifted to x - lower so the simplex can keep its x >= 0.
        self.unknowns = sorted(set(hidden))
        self._lower = lower
        self._index = {position: k for k, position in enumerate(self.unknowns)}
        shape = shape or shape_of(values, None)
        equations = []
        for line in shape.lines:
            coefficients = [Fraction(0)] * len(self.unknowns)
            rhs = Fraction(0)
            for position in line:
                sign = -1 if position == line[-1] else 1
                if position in self._index:
                    coefficients[self._index[position]] += sign
                    rhs -= sign * lower
                else:
                    rhs -= sign * values[position[0]][position[1]]
            if any(coefficients):
                equations.append((coefficients, rhs))
        self._reduced = _row_reduce(equations, len(self.unknowns))
        self._tableau: tuple[list[list[Fraction]], list[int]] | None = None

    def interval(self, position: Position) -> Interval:
        k = self._index[position]
        for coefficients, rhs in self._reduced:
            if coefficients[k] and not any(c for j, c in enumerate(coefficients) if j != k):
                return Interval(int(rhs) + self._lower, int(rhs) + self._lower)
        if self._tableau is None:
            self._tableau = _feasible_tableau(self._reduced, len(self.unknowns))
        unit = [Fraction(0)] * len(self.unknowns)
        unit[k] = Fraction(1)
        high = _maximize(*_copy(self._tableau), unit)
        low = -_maximize(*_copy(self._tableau), [-c for c in unit])  # bounded: counts are non-negative
        return Interval(math.ceil(low) + self._lower, None if high is None else math.floor(high) + self._lower)


def _copy(tableau: tuple[list[list[Fraction]], list[int]]) -> tuple[list[list[Fraction]], list[int]]:
    rows, basis = tableau
    return [row[:] for row in rows], basis[:]


def _row_reduce(equations: list[tuple[list[Fraction], Fraction]], width: int) -> list[tuple[list[Fraction], Fraction]]:
    """Reduced row echelon form, dependent rows dropped."""
    rows = [coefficients[:] + [rhs] for coefficients, rhs in equations]
    pivot = 0
    for col in range(width):
        found = next((r for r in range(pivot, len(rows)) if rows[r][col]), None)
        if found is None:
            continue
        rows[pivot], rows[found] = rows[found], rows[pivot]
        _pivot(rows, pivot, col)
        pivot += 1
    if any(row[-1] for row in rows[pivot:]):
        raise ValueError("the published figures contradict each other")
    return [(row[:-1], row[-1]) for row in rows[:pivot]]


def _pivot(rows: list[list[Fraction]], r: int, col: int) -> None:
    if rows[r][col] != 1:
        rows[r] = [x / rows[r][col] for x in rows[r]]
    pivot_row = rows[r]
    for k, row in enumerate(rows):
        if k != r and row[col]:
            factor = row[col]
            rows[k] = [a - factor * b for a, b in zip(row, pivot_row, strict=True)]


def _maximize(rows: list[list[Fraction]], basis: list[int], objective: list[Fraction]) -> Fraction | None:
    """Simplex on a tableau in canonical form for basis (feasible), Bland's rule so it cannot cycle.
    Mutates rows and basis; returns the optimum, or None when unbounded."""
    while True:
        in_basis = set(basis)
        entering = next((j for j in range(len(objective)) if j not in in_basis
                         and objective[j] - sum(objective[b] * row[j] for b, row in zip(basis, rows, strict=True)) > 0),
                        None)
        if entering is None:
            return sum((objective[b] * row[-1] for b, row in zip(basis, rows, strict=True)), Fraction(0))
        leaving, best = None, None
        for r, row in enumerate(rows):
            if row[entering] > 0:
                ratio = row[-1] / row[entering]
                if best is None or ratio < best or (ratio == best and basis[r] < basis[leaving]):
                    leaving, best = r, ratio
        if leaving is None:
            return None
        _pivot(rows, leaving, entering)
        basis[leaving] = entering


def _feasible_tableau(equations: list[tuple[list[Fraction], Fraction]], width: int) -> tuple[list[list[Fraction]], list[int]]:
    """A feasible basis for {x >= 0 : equations}, by phase one with one artificial per equation."""
    size = len(equations)
    rows = []
    for r, (coefficients, rhs) in enumerate(equations):
        sign = -1 if rhs < 0 else 1
        artificials = [Fraction(int(r == s)) for s in range(size)]
        rows.append([sign * c for c in coefficients] + artificials + [sign * rhs])
    basis = list(range(width, width + size))
    if _maximize(rows, basis, [Fraction(0)] * width + [Fraction(-1)] * size) != 0:
        raise ValueError("no non-negative table agrees with the published figures")
    # An artificial still basic sits at 0: swap in a real column, or drop the row if it is redundant.
    for r in reversed(range(len(rows))):
        if basis[r] >= width:
            col = next((j for j in range(width) if rows[r][j]), None)
            if col is None:
                del rows[r], basis[r]
            else:
                _pivot(rows, r, col)
                basis[r] = col
    return [row[:width] + [row[-1]] for row in rows], basis
