"""The derivative written out as the matrix of its entries (the notation's
`jacobian=matrix`), as the notes write out the whole Jacobian before recognising it: the
record's cells (engine/written_out.py) in the printer's notation. Where the entries are
too long for the row to fit the page (a matrix cannot break), the cells are the
derivatives they are, d y_1 / d x_m, whose general entry the line before gives."""

from __future__ import annotations

from ..engine import index as ix
from ..engine.written_out import Position, WrittenOut, is_position, renamed
from .printer import Printer

Grid = tuple[tuple[ix.Node | None, ...], ...]


def written_out_row(p: Printer, written: WrittenOut, lhs: str) -> tuple[str, bool]:
    """The display row `lhs = [ ... ]`, and whether its cells are the entries themselves
    (else the derivatives they are)."""
    row = ""
    for grid, entries in ((written.cells, True), (written.derivatives, False)):
        row = "%s %s= %s" % (lhs, p.align, p.matrix(texts(p, written, grid)))
        if p.fits(row):
            return row, entries
    return row, False


def texts(p: Printer, written: WrittenOut, grid: Grid) -> list[list[str]]:
    """Each cell printed; a row or column of dots as the notation draws it."""
    return [[dots(p, r, c) if cell is None else p.index(relabelled(p, cell))
             for c, cell in zip(written.cols, cells, strict=True)]
            for r, cells in zip(written.rows, grid, strict=True)]


def dots(p: Printer, row: Position | None, col: Position | None) -> str:
    if row is None:
        return p.ddots if col is None else p.vdots
    return p.cdots


def relabelled(p: Printer, node: ix.Node) -> ix.Node:
    """A position that is a dimension's last (n) written as the notation writes that
    dimension (a long name upright, as in the shapes)."""
    labels = {i for n in ix.walk(node) for i in indices_of(n) if is_position(i)}
    if isinstance(node, ix.Deriv):
        labels |= {i for i in node.wrt.indices() if is_position(i)}
    for old in labels:
        shown = p.dim(old.dim) if not old.name.isdigit() else old.name
        if shown != old.name:
            node = renamed(node, old, ix.Idx(shown, old.dim))
    return node


def indices_of(node: ix.Node) -> tuple[ix.Idx, ...]:
    if isinstance(node, ix.Entry):
        return node.indices()
    if isinstance(node, ix.Delta):
        return (node.first, node.second)
    return ()
