"""The printing of index trees (entries, deltas, sums, products, derivatives), split
out of printer.py to keep it short: `Printer` inherits it, and it builds on the
`Printer` methods declared below for the type checker."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from itertools import groupby
from typing import TYPE_CHECKING, Any

from ..engine import index as ix
from ..syntax import ast
from .notation import Notation
from .signs import into_sum, merged_fraction, negated, numbers_first, without_ones


class IndexPrinter(Notation):
    """A `Printer` mixin: index trees, as the lines of the index method write them."""

    if TYPE_CHECKING:  # Printer's own, which the index trees print through
        def name_parts(self, name: str) -> tuple[str, str]: ...
        def symbol(self, name: str, bold: bool) -> str: ...
        def number(self, value: Fraction) -> str: ...
        def index_list(self, indices: tuple[ix.Idx, ...]) -> str: ...
        def derivative_of(self, wrt: str, body: str) -> str: ...
        def named(self, e: ast.Expr) -> str | None: ...
        def expr(self, e: ast.Expr) -> str: ...
        def remembered(self, node: ast.Expr | ix.Node,
                       print_once: Callable[[Any], str]) -> str: ...
        @staticmethod
        def joined(terms: list[str]) -> str: ...
        def reciprocal_prime(self, base: str) -> str: ...

    def entry(self, e: ix.Entry) -> str:
        indices = self.index_list(e.indices())
        if isinstance(e.expr, ast.Identity) and e.row is not None and e.col is not None:
            return self.index(ix.Delta(e.row, e.col))
        if isinstance(e.expr, ast.Ones):
            return "1"
        shown = self.named(e.expr)
        if not shown and isinstance(e.expr, ast.Name):
            shown = e.expr.name
        if shown is not None:
            base, sub = self.name_parts(self.entry_name(shown))
            if not indices:
                return self.symbol(shown, False)
            if sub:
                return self.sub("(%s)" % self.sub(base, sub), indices)
            return self.sub(base, indices)
        if not indices:  # a scalar: det(X) carries its own brackets, (x^T A x) needs them
            return self.expr(e.expr) if whole(e.expr) else self.paren(self.expr(e.expr))
        return self.sub(self.bracket(self.expr(e.expr)), indices)

    def index(self, node: ix.Node) -> str:
        return self.remembered(node, self.index_text)

    def index_text(self, node: ix.Node) -> str:
        if isinstance(node, ix.Const):
            return self.number(node.value)
        if isinstance(node, ix.Entry):
            return self.entry(node)
        if isinstance(node, ix.Delta):
            return self.kronecker(node.first, node.second)
        if isinstance(node, ix.Sum):
            limits = self.sum_signs(node.indices, node.body)
            inner, lead = node.body, ""
            if isinstance(inner, ix.Prod) and isinstance(inner.factors[0], ix.Const) and \
                    len(inner.factors) > 1:  # numbers in front of the sum: 2 sum_k ...
                value = inner.factors[0].value
                lead = ("-" if value < 0 else "") + (
                    self.number(abs(value)) + " " if abs(value) != 1 else "")
                rest = inner.factors[1:]
                inner = rest[0] if len(rest) == 1 else ix.Prod(rest)
            body = self.index_factor(inner, in_sum=True)
            if body.startswith("-"):  # the sign in front of the sum: - sum_p (1 - y_p) ...
                lead = ("" if lead.startswith("-") else "-") + lead.lstrip("-")
                body = body[1:]
            return lead + (limits + " " if limits else "") + body
        if isinstance(node, ix.Add):
            return self.joined([self.index(t) for t in node.terms])
        if isinstance(node, ix.Prod):
            return self.product(node.factors)
        if isinstance(node, ix.Apply) and node.func == "drecip":
            arg = self.index(node.arg)
            return self.reciprocal_prime(arg if isinstance(node.arg, ix.Entry) else
                                         self.paren(arg))
        if isinstance(node, ix.Apply):
            return self.function(node.func, self.index(node.arg))
        if isinstance(node, ix.Deriv):
            return self.derivative(node)
        raise TypeError(node)

    def product(self, factors: tuple[ix.Node, ...]) -> str:
        parts: list[str] = []
        sign = ""
        items = numbers_first(without_ones(factors))
        first = items[0] if items else None
        if isinstance(first, ix.Const):
            value, items = first.value, items[1:]
            if len(items) == 1 and isinstance(items[0], ix.Sum) and value != 1:
                return self.index(into_sum(value, items[0]))  # -1/2 sum_k x_k x_k
            undone = negated(items[0], self.index, self.joined) if value == -1 and items \
                else None
            if undone is not None:  # -(-a + b) c is (a - b) c
                value, items = Fraction(1), items[1:]
                parts.append(self.paren(undone) if items else undone)
            if value < 0:
                sign, value = "-", -value
            merged = merged_fraction(value, items)  # 2/(1 + x^T x), not 2 (1/(1 + x^T x))
            if merged is not None:
                numerator, denominator = merged
                parts, items = [*parts, self.frac(self.number(numerator),
                                                  self.expr(denominator))], items[1:]
            elif value != 1 or not (items or parts):
                parts.append(self.number(value))
        for text, run in groupby(self.index_factor(f) for f in items):  # s s is s^2
            n = len(list(run))
            parts.append(text if n == 1 else self.sup(text, str(n)))
        return sign + " ".join(parts)

    def index_factor(self, node: ix.Node, in_sum: bool = False) -> str:
        text = self.index(node)
        if isinstance(node, ix.Add) or (isinstance(node, ix.Sum) and not in_sum):
            return self.paren(text)
        return text

    def derivative(self, node: ix.Deriv) -> str:
        wrt = self.entry(node.wrt)
        if isinstance(node.body, ix.Entry):
            return self.partial_frac(self.entry(node.body), wrt)
        return self.derivative_of(wrt, self.index(node.body))


def whole(expr: ast.Expr) -> bool:
    """A scalar printed as one unit, needing no brackets among other factors: a function's
    value, a fraction (1/(x^T x), 1/(2 sqrt(u)): a number over something is one too)."""
    if isinstance(expr, ast.MatMul) and len(expr.factors) == 2 and \
            isinstance(expr.factors[0], ast.Number) and expr.factors[0].value > 0:
        expr = expr.factors[1]
        return isinstance(expr, ast.Call) and expr.func == "recip"
    return isinstance(expr, ast.Call) and expr.func != "drecip"
