"""The matrix rules a step states, in the row's own indices: Jacobi's formula, the
inverse's entry derivative and a diagonal matrix's entries, each for the page's matrix or
a stand-in U when its argument is not a name."""

from __future__ import annotations

from ..model.shapes import Symbol
from ..syntax import ast
from . import index as ix
from .quote_types import MINUS_ONE, STAND_INS, VECTOR_STAND_INS, Quote, stand_in
from .steps import Step


def square_stand_in(arg: ast.Expr, dim: str | int, taken: set[str]
                    ) -> tuple[ast.Expr, tuple[Symbol, ...]]:
    """The matrix a rule is stated for: the argument itself when it is a name, else U."""
    if isinstance(arg, ast.Name):
        return arg, ()
    name = stand_in(STAND_INS, taken)
    return ast.Name(name), (Symbol(name, "matrix", (dim, dim)),)


def determinant_rule(step: Step, taken: set[str]) -> Quote | None:
    """Jacobi's formula in the row's indices: d det U / d U_kl = det(U) [U^-1]_lk."""
    for node in ix.walk(step.after) if isinstance(step.after, ix.Node) else ():
        if isinstance(node, ix.Sum) and len(node.indices) == 2 and \
                isinstance(node.body, ix.Prod):
            inverse = node.body.factors[0]
            k, m = node.indices
            if isinstance(inverse, ix.Entry) and isinstance(inverse.expr, ast.Call) and \
                    inverse.expr.func == "inv" and (inverse.row, inverse.col) == (m, k):
                u, symbols = square_stand_in(inverse.expr.args[0], k.dim, taken)
                det = ix.Entry(ast.Call("det", (u,)), None, None)
                return Quote(ix.Deriv(det, ix.Entry(u, k, m)), ix.Prod((
                    det, ix.Entry(ast.Call("inv", (u,)), m, k))), symbols, True,
                    inverse.expr.args[0] if symbols else None)
    return None


def inverse_rule(step: Step, taken: set[str]) -> Quote | None:
    """d [U^-1]_kl / d U_pq = -[U^-1]_kp [U^-1]_ql, in the row's indices."""
    for node in ix.walk(step.after) if isinstance(step.after, ix.Node) else ():
        if not (isinstance(node, ix.Sum) and len(node.indices) == 2
                and isinstance(node.body, ix.Prod) and len(node.body.factors) >= 3):
            continue
        left, right = node.body.factors[0], node.body.factors[-1]
        p, q = node.indices
        if isinstance(left, ix.Entry) and isinstance(right, ix.Entry) and \
                isinstance(left.expr, ast.Call) and left.expr.func == "inv" and \
                left.expr == right.expr and left.col == p and right.row == q:
            u, symbols = square_stand_in(left.expr.args[0], p.dim, taken)
            inv = ast.Call("inv", (u,))
            return Quote(ix.Deriv(ix.Entry(inv, left.row, right.col), ix.Entry(u, p, q)),
                         ix.Prod((MINUS_ONE, ix.Entry(inv, left.row, p),
                                  ix.Entry(inv, q, right.col))), symbols, True,
                         left.expr.args[0] if symbols else None)
    return None


def diag_rule(previous: ix.Node | None, taken: set[str]) -> Quote | None:
    """diag(u)_kl = u_k delta_kl, for the diagonal entry the row before differentiates."""
    for node in ix.walk(previous) if previous is not None else ():
        if isinstance(node, ix.Deriv):
            for inner in ix.walk(node.body):
                if isinstance(inner, ix.Entry) and isinstance(inner.expr, ast.Call) and \
                        inner.expr.func == "diag" and inner.row is not None and \
                        inner.col is not None and inner.row != inner.col:
                    arg = inner.expr.args[0]
                    u: ast.Expr = arg
                    symbols: tuple[Symbol, ...] = ()
                    if not isinstance(arg, ast.Name):
                        name = stand_in(VECTOR_STAND_INS, taken)
                        u, symbols = ast.Name(name), (Symbol(name, "vector",
                                                             (inner.row.dim, 1)),)
                    return Quote(ix.Entry(ast.Call("diag", (u,)), inner.row, inner.col),
                                 ix.Prod((ix.Entry(u, inner.row, None),
                                          ix.Delta(inner.row, inner.col))), symbols, True)
    return None
