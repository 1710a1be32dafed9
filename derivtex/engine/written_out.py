"""The derivative written out as the matrix of its entries, as the notes write out the
whole Jacobian before recognising it: the entry found, with its free indices set to the
first and the last row and column (every one of a declared size up to 3), dots between.

A record holds no notation, so this is recorded for every derivative of vector or matrix
shape; the printer shows it when its notation asks (`jacobian=matrix`), and the page
verifier checks each cell against the reassembled matrix at its test point."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from . import index as ix

SMALL = 3  # a declared size up to this is written out in full

Position = int | str  # 1-based, or a dimension's name: its last row or column


@dataclass(frozen=True)
class WrittenOut:
    """`rows` and `cols`: the position each row and column of the display shows, in the
    layout's arrangement (None: the dots between); a vector's missing index is one
    position, 1. `cells[r][c]` is the entry there, `derivatives[r][c]` the derivative it
    is (d y_1 / d x_m, or a Hessian's H_1n); both None in a row or column of dots."""

    rows: tuple[Position | None, ...]
    cols: tuple[Position | None, ...]
    cells: tuple[tuple[ix.Node | None, ...], ...]
    derivatives: tuple[tuple[ix.Node | None, ...], ...]


def positions(index: ix.Idx | None) -> tuple[Position | None, ...]:
    if index is None:
        return (1,)
    dim = index.dim
    if isinstance(dim, int) and dim <= SMALL:
        return tuple(range(1, dim + 1))
    return (1, None, dim)


def label(index: ix.Idx, at: Position) -> ix.Idx:
    """The index standing for one position: named 1, 2, ... or as its dimension (n)."""
    return ix.Idx(str(at), index.dim)


def written_out(entry: ix.Node, derivative: ix.Node, row: ix.Idx | None,
                col: ix.Idx | None) -> WrittenOut | None:
    """The matrix of `entry` (the value of `derivative`, d y_i / d x_j or H_ij, indexed by
    `row` and `col` in the layout's arrangement), or None for a scalar."""
    if row is None and col is None:
        return None
    rows, cols = positions(row), positions(col)
    cells: list[tuple[ix.Node | None, ...]] = []
    derivatives: list[tuple[ix.Node | None, ...]] = []
    for r in rows:
        cells.append(tuple(None if r is None or c is None else
                           at_position(entry, row, r, col, c) for c in cols))
        derivatives.append(tuple(None if r is None or c is None else
                                 derivative_at(derivative, row, r, col, c) for c in cols))
    return WrittenOut(rows, cols, tuple(cells), tuple(derivatives))


def at_position(node: ix.Node, row: ix.Idx | None, r: Position, col: ix.Idx | None,
                c: Position) -> ix.Node:
    for index, at in ((row, r), (col, c)):
        if index is not None:
            node = ix.rename(node, index, label(index, at))
    return settled(node)


def derivative_at(node: ix.Node, row: ix.Idx | None, r: Position, col: ix.Idx | None,
                  c: Position) -> ix.Node:
    for index, at in ((row, r), (col, c)):
        if index is not None:
            node = renamed(node, index, label(index, at))
    return node


def renamed(node: ix.Node, old: ix.Idx, new: ix.Idx) -> ix.Node:
    """ix.rename, the variable entry of a derivative included (d y_1 / d x_m)."""
    if not isinstance(node, ix.Deriv):
        return ix.rename(node, old, new)
    wrt = ix.rename(node.wrt, old, new)
    assert isinstance(wrt, ix.Entry)
    return ix.Deriv(ix.rename(node.body, old, new), wrt)


def settled(node: ix.Node) -> ix.Node:
    """A delta between two different positions is 0 (delta_1n), and what it multiplies
    goes with it."""
    if isinstance(node, ix.Delta) and node.first != node.second and \
            is_position(node.first) and is_position(node.second):
        return ix.Const(Fraction(0))
    if isinstance(node, ix.Prod):
        factors = [settled(f) for f in node.factors]
        if any(ix.is_zero(f) for f in factors):
            return ix.Const(Fraction(0))
        return node if all(f is g for f, g in zip(factors, node.factors, strict=True)) \
            else ix.prod(factors)
    if isinstance(node, ix.Add):
        terms = [settled(t) for t in node.terms]
        return node if all(t is u for t, u in zip(terms, node.terms, strict=True)) \
            else ix.add(terms)
    if isinstance(node, ix.Sum):
        body = settled(node.body)
        return node if body is node.body else ix.summation(node.indices, body)
    return node


def is_position(index: ix.Idx) -> bool:
    return index.name.isdigit() or index.name == index.dim
