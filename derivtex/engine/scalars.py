"""Scalar factors of results as a lecturer writes them: names first and functions last,
equal factors side by side (so they print as a power), s/s cancelled, and repeated
reciprocals one power (-x / alpha^2, not -s^2 x where s = 1/alpha)."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction
from typing import TypeGuard

from ..model.shapes import SCALAR, Shapes
from ..syntax import ast
from ..syntax.ast import rebuild, walk


def scalar_rank(s: ast.Expr) -> int:
    """Where a lecturer puts a scalar factor: names, then norms and products, functions last."""
    return 0 if isinstance(s, ast.Name) else 2 if isinstance(s, ast.Call) else 1


def side_by_side(scalars: list[ast.Expr]) -> list[ast.Expr]:
    """Equal scalar factors next to each other, where the first stands, so they print as
    a power: det(A)^2 tr(A), not det(A) tr(A) det(A)."""
    out: list[ast.Expr] = []
    for s in scalars:
        at = max((n for n, t in enumerate(out) if t == s), default=len(out) - 1)
        out.insert(at + 1, s)
    return out


def cancel_reciprocals(scalars: list[ast.Expr]) -> list[ast.Expr]:
    """s * recip(s) = 1 for scalar factors: 1/det(X) det(X) X^{-T} is X^{-T}."""
    out = list(scalars)
    for factor in scalars:
        if isinstance(factor, ast.Call) and factor.func in ("recip", "inv") and \
                factor in out and factor.args[0] in out:
            out.remove(factor)
            out.remove(factor.args[0])
    return out


def reciprocal_powers(expr: ast.Expr, shapes: Shapes) -> ast.Expr:
    """1/u 1/u is 1/u^2, and u/u^4 is 1/u^3, when that one product holds every 1/u of
    the result: -x / alpha^2 prints as a lecturer writes it, not as -s^2 x where
    s = 1/alpha. A reciprocal that several terms share keeps its one name
    (s = 1/(x^T x))."""

    def is_reciprocal(node: ast.Expr) -> TypeGuard[ast.Call]:
        return isinstance(node, ast.Call) and node.func == "recip" and \
            shapes(node.args[0]) == SCALAR

    everywhere = Counter(n for n in walk(expr) if is_reciprocal(n))

    def spread(factors: tuple[ast.Expr, ...]) -> list[ast.Expr]:
        """Products of scalars (elementwise or not) are plain products: their factors
        join in."""
        out: list[ast.Expr] = []
        for f in factors:
            if isinstance(f, ast.Hadamard | ast.MatMul) and shapes(f) == SCALAR and \
                    all(shapes(g) == SCALAR for g in f.factors):
                out += spread(f.factors)
            else:
                out.append(f)
        return out

    def merged(node: ast.Expr) -> ast.Expr | None:
        if not isinstance(node, ast.MatMul | ast.Hadamard) or \
                (isinstance(node, ast.Hadamard) and shapes(node) != SCALAR):
            return None
        factors = spread(node.factors)
        here: Counter[ast.Call] = Counter(f for f in factors if is_reciprocal(f))
        whole = {r for r, k in here.items() if k == everywhere[r]}
        below = [d for r in whole for d in spread(r.args) * here[r]]
        cancelled: Counter[ast.Expr] = Counter()
        for f in factors:
            if f not in whole and f in below:
                below.remove(f)
                cancelled[f] += 1
        if not cancelled and all(here[r] == 1 for r in whole):
            return None
        divisor = ast.MatMul(tuple(below)) if len(below) > 1 else below[0] if below else None
        out: list[ast.Expr] = []
        for f in factors:
            if f in whole:
                if divisor is not None:  # at the place of the first reciprocal
                    out.append(ast.Call("recip", (divisor,), quotient=True))
                    divisor = None
            elif cancelled[f]:
                cancelled[f] -= 1
            else:
                out.append(f)
        if not out:
            return ast.Number(Fraction(1))
        return out[0] if len(out) == 1 else ast.MatMul(tuple(out))

    return rebuild(expr, merged)
