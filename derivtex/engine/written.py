"""Index trees compared as they are written: a product's factors and a sum's terms in any
order, the ones a delta became multiplied away. The page says a workhorse's value is in
the row it explains; this is what "in" means. And the sums and brackets of a row that
the next row shows as the entries they stand for (sum_p A_kp x_p - b_k as [A x - b]_k),
which a sentence says and the page verifier checks."""

from __future__ import annotations

from fractions import Fraction

from ..syntax import ast
from . import index as ix


def normal(node: ix.Node) -> ix.Node:
    """A renamed tree with the ones a delta became multiplied away (s_k 1 is s_k)."""
    if isinstance(node, ix.Prod):
        return ix.prod([normal(f) for f in node.factors])
    if isinstance(node, ix.Add):
        return ix.add([normal(t) for t in node.terms])
    if isinstance(node, ix.Sum):
        return ix.summation(node.indices, normal(node.body))
    if isinstance(node, ix.Apply):
        return ix.Apply(node.func, normal(node.arg), node.origin)
    return node


def key(node: ix.Node) -> object:
    """A tree as a value that ignores the order of factors and terms."""
    if isinstance(node, ix.Entry):
        return ("entry", repr(node.expr), node.row, node.col)
    if isinstance(node, ix.Delta):
        return ("delta", frozenset((node.first, node.second)))
    if isinstance(node, ix.Const):
        return ("const", node.value)
    if isinstance(node, ix.Sum):
        return ("sum", node.indices, key(node.body))
    if isinstance(node, ix.Apply):
        return ("apply", node.func, key(node.arg))
    kind = "prod" if isinstance(node, ix.Prod) else type(node).__name__
    return (kind, tuple(sorted((key(c) for c in ix.children(node)), key=repr)))


def occurs(value: ix.Node, row: ix.Node) -> bool:
    """Is `value` written in `row`: a node of it, or some of the factors of a product?"""
    value = normal(value)
    if isinstance(value, ix.Const) and value.value == 1:
        return True  # sum_k delta_jk = 1: a factor 1 is in every row, unwritten
    wanted = key(value)
    if any(key(origin) == wanted for node in ix.walk(row)
           if (origin := getattr(node, "origin", None)) is not None):
        return True  # the entry itself, its bracket written out
    row = normal(row)
    kind = ix.Prod if isinstance(value, ix.Prod) else ix.Add if isinstance(value, ix.Add) \
        else None
    parts = [key(f) for f in ix.children(value) if not isinstance(f, ix.Const)] \
        if kind is not None else [wanted]
    for node in ix.walk(row):
        if key(node) == wanted:
            return True
        if kind is not None and isinstance(node, kind):  # some factors, or some terms
            have = [key(f) for f in ix.children(node)]
            if all(have.count(p) >= parts.count(p) for p in parts):
                return True
    return False


def recognised_entries(before: ix.Node | None, after: ix.Node | None
                       ) -> list[tuple[ix.Node, ix.Entry]]:
    """The written-out sums and brackets of `before` that `after` shows as the entry of a
    whole expression (sum_p A_kp x_p - b_k as [A x - b]_k), each expression once."""
    if before is None or after is None:
        return []
    shown = {repr(n.expr) for n in ix.walk(after) if isinstance(n, ix.Entry)}
    found: dict[str, tuple[ix.Node, ix.Entry]] = {}
    for node in ix.walk(before):
        origin = getattr(node, "origin", None)
        if isinstance(origin, ix.Entry) and not ix.has_delta(node) and \
                repr(origin.expr) in shown:
            found.setdefault(repr(origin.expr), (node, origin))
    return list(found.values())


def values_tree(expr: ast.Expr, row: ix.Idx | None, col: ix.Idx | None) -> ix.Node:
    """An elementwise expression of function values at one entry, its brackets kept as
    the entries they stand for: sigma(u) .* (1 - sigma(u)) at k is s_k (1 - s_k), the
    bracket [1 - sigma(u)]_k, so a fraction 1/(1 - s_k) cancels against it."""
    if isinstance(expr, ast.Number):
        return ix.Const(expr.value)
    if isinstance(expr, ast.Neg):
        return ix.prod([ix.Const(Fraction(-1)), values_tree(expr.operand, row, col)])
    if isinstance(expr, ast.Hadamard):
        return ix.prod([values_tree(f, row, col) for f in expr.factors])
    if isinstance(expr, ast.Add):
        return ix.Add(tuple(values_tree(t, row, col) for t in expr.terms),
                      ix.Entry(expr, row, col))
    return ix.Entry(expr, row, col)
