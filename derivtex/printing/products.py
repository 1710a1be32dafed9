"""How a printed product reads, in every notation: its numbers gathered into one
coefficient in front, and a factor repeated k times as a power."""

from __future__ import annotations

from fractions import Fraction

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
