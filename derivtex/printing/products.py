"""How a printed product reads, in every notation: its numbers gathered into one
coefficient in front, a factor repeated k times as a power, scalars in front of an
elementwise product, and the ones a scalar term of a sum stands for."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from ..model.shapes import Shape
from ..syntax import ast


def power_of(e: ast.Expr) -> tuple[ast.Expr, int] | None:
    """(A, k) when `e` is A A ... A, k >= 2 times; else None."""
    if isinstance(e, ast.MatMul) and len(e.factors) > 1 and \
            all(f == e.factors[0] for f in e.factors) and \
            not isinstance(e.factors[0], ast.Number | ast.Neg):
        return e.factors[0], len(e.factors)
    return None


def split_coefficient(factors: tuple[ast.Expr, ...]) -> tuple[Fraction, list[ast.Expr]]:
    """Numbers and signs of a product gathered into one coefficient, as a lecturer writes
    them: (-1) 1/2 x -> -1/2 x, never a mixed number."""
    coeff = Fraction(1)
    rest: list[ast.Expr] = []
    for f in factors:
        while isinstance(f, ast.Neg):
            coeff, f = -coeff, f.operand
        if isinstance(f, ast.Number):
            coeff *= f.value
        else:
            rest.append(f)
    return coeff, rest


def scalars_in_front(factors: tuple[ast.Expr, ...], is_scalar: Callable[[ast.Expr], bool]
                     ) -> ast.MatMul | None:
    """An elementwise product with scalar factors as the product it is, the scalars in
    front: s .* (1 + x^T x) is (1 + x^T x) s, s .* s of scalars s s. None without any."""
    scalars = [f for f in factors if is_scalar(f)]
    if not scalars:
        return None
    rest = tuple(f for f in factors if not is_scalar(f))
    return ast.MatMul((*scalars, *(rest if len(rest) < 2 else (ast.Hadamard(rest),))))


def ones_of(shape: Shape) -> list[ast.Expr]:
    """The ones a scalar term of a sum of this shape multiplies: 1 in a sum of columns,
    1^T of rows, 1 1^T of matrices (every entry one)."""
    rows, cols = shape
    return [ast.Ones(rows)] * (rows != 1) + [ast.Transpose(ast.Ones(cols))] * (cols != 1)
