"""The page verifier: every line of a derivation checked before it is printed, not only
the result. Each row of every display must equal the row before it, each
equation a sentence quotes (a workhorse, a rule, a recognition) must be true, and each
sentence must be about its display: the delta a workhorse sums out is in the row before
and its value in the row after; a rule's indices are the row's own or fresh on the page.

The records hold index trees, so each row is evaluated once, at one small test point
(page_values.py), by the same einsum evaluation as tensor results."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from ..engine import index as ix
from ..engine.quotes import (
    Quote,
    StepQuotes,
    Workhorse,
    index_letters,
    outcome_quotes,
    page_index_letters,
)
from ..engine.steps import (
    Collect,
    Goal,
    GradientEntry,
    HessianGoal,
    Linearity,
    Reassembly,
    Recognition,
    Step,
    SumExpansion,
    Symmetry,
    TransposeCheck,
)
from ..engine.written import occurs, recognised_entries
from ..engine.written_out import Position, WrittenOut
from ..functions import PRIME
from ..model.shapes import Shapes, Symbol
from ..syntax import ast
from .page_values import PageValues, aligned_pair, page_point

if TYPE_CHECKING:
    from ..engine.index_method import Outcome

RTOL = 1e-5  # of the larger value's size: differences are good to ~1e-8 at sizes 2-3


class PageCheckError(Exception):
    """A line of the page is false or not about its display: a bug, never printed."""


def verify_page(outcome: Outcome, expr: ast.Expr, symbols: Mapping[str, Symbol],
                wrt: str) -> None:
    """Raises PageCheckError at the first false line of the page of `outcome`, the
    derivation of `expr` by `wrt`."""
    steps = outcome.steps
    said = outcome_quotes(outcome)
    stand_ins = {s.name: s for q in said for quote in q.quotes for s in quote.symbols}
    every = {**symbols, **stand_ins}
    point = page_point(every, expr)
    if point is None:
        return  # the result's own check found a point; rows are checked where they can be
    sizes, env = point
    try:
        Page(steps, said, PageValues(Shapes(every), sizes, env, {})).check()
    except MemoryError:
        return  # a row whose sums sit inside a function of a long chain (exp(A0 ... A699
        # x) by A5) is an array of an axis per index: as above, the result is checked


class Page:
    """Walks the records in order, each row against the one before it."""

    def __init__(self, steps: list[Step], said: list[StepQuotes], values: PageValues
                 ) -> None:
        self.steps = steps
        self.said = said
        self.values = values
        self.whole: PageValues | None = None
        self.derivs: dict[int, tuple[ix.Node, list[ix.Entry]]] = {}
        goal = steps[0]
        assert isinstance(goal, Goal)
        self.goal = goal

    def check(self) -> None:
        with np.errstate(all="ignore"):
            self.rows()

    def rows(self) -> None:
        previous: ix.Node | None = None  # the row before, in the display that goes on
        done: ix.Node | None = None  # the last row of the display before
        for step, quotes in zip(self.steps, self.said, strict=True):
            after = step.after if isinstance(step.after, ix.Node) else None
            if isinstance(step, SumExpansion):
                assert after is not None and isinstance(step.before, ix.Entry)
                self.same(after, ix.Entry(step.expr, step.before.row, step.before.col), step)
            elif isinstance(step, Linearity) and after is not None and done is not None:
                self.same(after, ix.Deriv(done, self.pass_variable(step)), step)
            elif after is not None and previous is not None:
                self.same(after, previous, step)
            self.extra(step, previous)
            self.quoted(step, quotes, previous)
            if isinstance(step, SumExpansion | GradientEntry):
                done = after
            if after is not None:
                previous = after

    @cached_property
    def page_indices(self) -> set[str]:
        return page_index_letters(self.steps)

    def pass_variable(self, step: Linearity) -> ix.Entry:
        if step.second and isinstance(self.goal, HessianGoal):
            return self.goal.second_wrt_entry
        return self.goal.wrt_entry

    def extra(self, step: Step, previous: ix.Node | None) -> None:
        """Each record's own equations: the gradient's forms, the recognitions, the
        transpose and the symmetry claimed."""
        if isinstance(step, GradientEntry) and previous is not None:
            for form in (step.gradient, step.assembled):
                self.same(ix.Entry(form, step.row, None), previous, step, "gradient")
        if isinstance(step, Collect) and isinstance(step.after, ix.Node):
            for node, entry in recognised_entries(previous, step.after):
                self.same(entry, node, step, "recognised entry")
        if isinstance(step, Recognition):
            for node, entry in step.products:
                self.same(entry, node, step, "recognised sum")
            for func, arg, entry, through in step.derivatives:
                self.same(entry, ix.Apply(func, arg), step, "recognised value")
                self.same(through, ix.Apply(PRIME[func], arg), step, "recognised derivative")
        if isinstance(step, TransposeCheck) and isinstance(step.before, ast.Expr) and \
                isinstance(step.after, ast.Expr) and step.before is not step.after:
            natural = ast.Transpose(step.before) if step.transposed else step.before
            self.close(self.matrix(step.after), self.matrix(natural), step, "transpose")
        if isinstance(step, Symmetry) and step.vector and isinstance(step.after, ast.Expr):
            value = self.matrix(step.after)
            self.close(value, value.T, step, "symmetric")
        if isinstance(step, Reassembly) and step.written_out is not None:
            self.written_out(step, step.written_out)

    def written_out(self, step: Reassembly, written: WrittenOut) -> None:
        """Each cell of the matrix written out is the reassembled matrix's entry at the
        cell's row and column (the layout's arrangement: denominator layout's transposed
        reading included)."""
        whole = self.matrix(step.natural)
        for r, cells in zip(written.rows, written.cells, strict=True):
            for c, cell in zip(written.cols, cells, strict=True):
                if r is None or c is None or cell is None:
                    continue
                value, axes = self.values(cell)
                at = value[tuple(self.position(i.name, i.dim) for i in axes)] if axes \
                    else value
                place = (self.position(r, step.row.dim if step.row else 1),
                         self.position(c, step.col.dim if step.col else 1))
                if not all(0 <= k < n for k, n in zip(place, whole.shape, strict=True)):
                    self.fail(step, f"the written-out entry ({r}, {c}) is outside the matrix")
                want = whole[place]
                self.close(np.atleast_2d(at), np.atleast_2d(want), step,
                           f"written-out entry ({r}, {c})")

    def position(self, at: Position, dim: str | int) -> int:
        """The 0-based place of a written-out position at the test point's sizes: 1, 2,
        ..., or the dimension's last (n, or a declared 12 checked at a smaller size)."""
        if isinstance(at, str) and not at.isdigit():
            return self.values.sizes[at] - 1
        return self.values.sizes[dim] - 1 if int(at) == dim else int(at) - 1

    def quoted(self, step: Step, quotes: StepQuotes, previous: ix.Node | None) -> None:
        """Each equation the sentence states is true and about this display."""
        for quote in quotes.quotes:
            self.same(quote.lhs, quote.rhs, step, "quoted equation")
            if quote.rule:
                self.rule_indices(quote, step)
        for horse in quotes.workhorses:
            self.about(horse, step, previous)

    def about(self, horse: Workhorse, step: Step, previous: ix.Node | None) -> None:
        for delta in horse.deltas:
            pair = {delta.first, delta.second}
            if previous is None or not any(isinstance(n, ix.Delta) and {n.first, n.second}
                                           == pair for n in ix.walk(previous)):
                self.fail(step, f"the workhorse sums out delta_{delta.first.name}"
                          f"{delta.second.name}, which the row before does not hold")
        if not isinstance(step.after, ix.Node) or not occurs(horse.value, step.after):
            self.fail(step, "the workhorse's value is not in the row it explains")

    def rule_indices(self, quote: Quote, step: Step) -> None:
        own = index_letters(step.after) if isinstance(step.after, ix.Node) else set()
        named = index_letters(quote.lhs) | index_letters(quote.rhs)
        clash = sorted((named - own) & self.page_indices)
        if clash:
            self.fail(step, f"the rule is stated in {', '.join(clash)}, indices the page "
                      "uses elsewhere")

    def same(self, got: ix.Node, want: ix.Node, step: Step, what: str = "row") -> None:
        """got = want at the test point. Derivatives not yet taken are differenced along
        one direction and the other side projected on it (two evaluations per
        derivative); in full, one difference per entry, only where the variable's
        indices also appear outside its derivatives."""
        sides = (got, want)
        found = [self.derivatives(t) for t in sides]
        wrts = {(repr(d.expr), d.row, d.col): d for derivs in found for d in derivs}
        if len(wrts) == 1:
            (wrt,) = wrts.values()
            if not any(derivs and set(wrt.indices()) & outside_derivs(t)
                       for t, derivs in zip(sides, found, strict=True)):
                first, second = (self.values(t) if derivs else
                                 self.values.projected(self.values(t), wrt)
                                 for t, derivs in zip(sides, found, strict=True))
                self.close(*aligned_pair(first, second), step, what)
                return
        values = self.values if not wrts else self.full()
        self.close(*aligned_pair(values(got), values(want)), step, what)

    def derivatives(self, tree: ix.Node) -> list[ix.Entry]:
        """The variable entries of the derivatives not yet taken in `tree` (remembered:
        each row is compared twice)."""
        hit = self.derivs.get(id(tree))
        if hit is None or hit[0] is not tree:
            hit = self.derivs[id(tree)] = (tree, [n.wrt for n in ix.walk(tree)
                                                  if isinstance(n, ix.Deriv)])
        return hit[1]

    def full(self) -> PageValues:
        if self.whole is None:
            self.whole = PageValues(self.values.shapes, dict(self.values.sizes),
                                    self.values.env)
        return self.whole

    def matrix(self, e: ast.Expr) -> np.ndarray:
        return np.atleast_2d(self.values.matrix_value(e))

    def close(self, got: np.ndarray, want: np.ndarray, step: Step, what: str) -> None:
        if got.shape != want.shape:
            self.fail(step, f"the {what} has shape {got.shape}, the line before {want.shape}")
        finite = np.isfinite(got) & np.isfinite(want)
        if not finite.any():
            return
        a, b = got[finite], want[finite]
        scale = max(1.0, float(np.max(np.abs(b))), float(np.max(np.abs(a))))
        error = float(np.max(np.abs(a - b)))
        if error > RTOL * scale:
            self.fail(step, f"the {what} differs from the line it follows by {error:.3g}")

    @staticmethod
    def fail(step: Step, message: str) -> None:
        raise PageCheckError(f"{type(step).__name__} step: {message}")


def outside_derivs(tree: ix.Node) -> set[ix.Idx]:
    """The indices of `tree` other than the variable entries its derivatives are by."""
    out: set[ix.Idx] = set()
    for node in ix.walk(tree):
        if isinstance(node, ix.Entry):
            out |= set(node.indices())
        elif isinstance(node, ix.Delta):
            out |= {node.first, node.second}
        elif isinstance(node, ix.Sum):
            out |= set(node.indices)
    return out


__all__ = ["PageCheckError", "verify_page"]
