"""Sum expansion: one entry of a matrix expression as an explicit index tree."""

from __future__ import annotations

from fractions import Fraction

from ..errors import UnsupportedError
from ..functions import REGISTRY
from ..model.shapes import SCALAR, Shapes
from ..syntax import ast
from ..syntax.ast import rebuild
from . import index as ix

# Whole entries of these are atoms; their entry derivatives are rules of their own.
OPAQUE = ("det", "inv", "softmax", "diag")


class Expander:
    def __init__(self, shapes: Shapes, names: ix.IndexNames) -> None:
        self.shapes = shapes
        self.names = names

    def index_for(self, dim: str | int) -> ix.Idx | None:
        return None if dim == 1 else self.names.fresh(dim)

    def entry(self, expr: ast.Expr, row: ix.Idx | None, col: ix.Idx | None) -> ix.Node:
        origin = ix.Entry(expr, row, col)
        if isinstance(expr, ast.Name):
            return origin
        if isinstance(expr, ast.Number):
            return ix.Const(expr.value)
        if isinstance(expr, ast.Zero):  # a gradient that vanishes, differentiated again
            return ix.Const(Fraction(0))
        if isinstance(expr, ast.Ones | ast.Identity):
            return origin  # an entry that carries its index: 1_k, delta_kl
        if isinstance(expr, ast.Neg):
            return ix.prod([ix.Const(Fraction(-1)), self.entry(expr.operand, row, col)])
        if isinstance(expr, ast.Transpose):
            return self.entry(expr.operand, col, row)
        if isinstance(expr, ast.Add):
            return ix.Add(tuple(self.entry(t, row, col) for t in expr.terms), origin)
        if isinstance(expr, ast.MatMul):
            return self.product(expr, row, col, origin)
        if isinstance(expr, ast.Hadamard):
            return ix.Prod(tuple(self.entry(f, row, col) for f in expr.factors), origin)
        if isinstance(expr, ast.Norm2):
            rows, cols = self.shapes(expr.operand)
            k, m = self.index_for(rows), self.index_for(cols)
            square = ix.Prod((self.entry(expr.operand, k, m), self.entry(expr.operand, k, m)))
            indices = tuple(i for i in (k, m) if i is not None)
            return ix.Sum(indices, square, origin) if indices else square
        if isinstance(expr, ast.Call):
            return self.call(expr, row, col, origin)
        raise UnsupportedError(f"cannot expand {type(expr).__name__}", expr.col)

    def product(
        self, expr: ast.MatMul, row: ix.Idx | None, col: ix.Idx | None, origin: ix.Entry
    ) -> ix.Node:
        scalars, chain = product_groups(expr.factors, self.shapes)
        if not chain and len(scalars[-1]) > 1:
            chain = scalars.pop()
        factors: list[ix.Node] = []
        for group in scalars:
            sub = group[0] if len(group) == 1 else ast.MatMul(tuple(group), col=group[0].col)
            factors.append(self.entry(sub, None, None))
        summed: list[ix.Idx] = []
        current = row
        for position, factor in enumerate(chain):
            if position == len(chain) - 1:
                following = col
            else:
                following = self.index_for(self.shapes(factor)[1])
                if following is not None:
                    summed.append(following)
            factors.append(self.entry(factor, current, following))
            current = following
        body = ix.Prod(tuple(factors)) if len(factors) > 1 else factors[0]
        if summed:
            return ix.Sum(tuple(summed), body, origin)
        if isinstance(body, ix.Prod):
            body.origin = origin
        return body

    def call(
        self, expr: ast.Call, row: ix.Idx | None, col: ix.Idx | None, origin: ix.Entry
    ) -> ix.Node:
        arg = expr.args[0]
        if REGISTRY[expr.func].elementwise:
            return ix.Apply(expr.func, self.entry(arg, row, col), origin)
        if expr.func in OPAQUE:
            return origin
        if expr.func == "tr":
            k = self.index_for(self.shapes(arg)[0])
            if k is None:
                return self.entry(arg, None, None)
            return ix.Sum((k,), self.entry(arg, k, k), origin)
        raise UnsupportedError(f"{expr.func}() is not supported by the index method yet", expr.col)


def scalar_forms(expr: ast.Expr, shapes: Shapes) -> ast.Expr:
    """The inverse of a number is its reciprocal and its determinant the number itself:
    alpha^{-1} is differentiated by the chain rule, (1/z)' = -1/z^2, not by the matrix
    rule's sums over 1..1 (whose result held a 1x1 ones vector), and results hold 1/alpha,
    which numpy evaluates for a float alpha (np.linalg.inv of a float raises)."""

    def number_rule(node: ast.Expr) -> ast.Expr | None:
        if not (isinstance(node, ast.Call) and node.func in ("inv", "det")
                and shapes(node.args[0]) == SCALAR):
            return None
        arg = rebuild(node.args[0], number_rule)
        if node.func == "det":
            return arg
        return ast.Call("recip", (arg,), quotient=True, col=node.col)

    return rebuild(expr, number_rule)


def product_groups(
    factors: tuple[ast.Expr, ...], shapes: Shapes
) -> tuple[list[list[ast.Expr]], list[ast.Expr]]:
    """Split a product into scalar multipliers and the one matrix chain.

    `x^T y z` multiplies z by the scalar x^T y: a run of factors whose product is
    1×1 becomes a scalar group of its own.
    """
    scalars: list[list[ast.Expr]] = []
    chain: list[ast.Expr] = []
    for factor in factors:
        if shapes(factor) == SCALAR:
            scalars.append([factor])
            continue
        chain.append(factor)
        if shapes(chain[0])[0] == 1 and shapes(factor)[1] == 1:
            scalars.append(chain)
            chain = []
    return scalars, chain
