"""Scalar factors of results as a lecturer writes them: names first and functions last,
equal factors side by side (so they print as a power), s/s cancelled, a product's
reciprocals one divisor (-x / alpha^2, not -s^2 x where s = 1/alpha), and the divisor
every term shares pulled out."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction
from typing import TypeGuard

from ..model.shapes import SCALAR, Shapes
from ..syntax import ast
from ..syntax.ast import rebuild


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
    """A result's scalar divisors as a lecturer writes them: in each product one fraction,
    1/u 1/u is 1/u^2 and u/u^4 is 1/u^3 (-x / alpha^2, never -s^2 x where s = 1/alpha);
    and the divisor and number every term of a sum shares pulled out, in front of the
    product the sum stands in: 2/(x^T x) (x^T A - (x^T A x)/(x^T x) x^T)."""

    def tidy(node: ast.Expr) -> ast.Expr:
        inner = rebuild(node, lambda n: None if n is node else tidy(n))
        if isinstance(inner, ast.MatMul):
            inner = pulled_into(inner, shapes)
        return merged_reciprocals(inner, shapes) or inner

    return common_divisor(tidy(expr), shapes)


def pulled_into(product: ast.MatMul, shapes: Shapes) -> ast.Expr:
    """The product with each sum factor's shared divisor and number in front."""
    front: list[ast.Expr] = []
    factors: list[ast.Expr] = []
    sign = 1
    for f in product.factors:
        pulled = pull(f, shapes) if isinstance(f, ast.Add) else None
        if pulled is None:
            factors.append(f)
            continue
        number, divisor, inner = pulled
        sign *= -1 if number < 0 else 1
        front += [ast.Number(abs(number))] * (abs(number) != 1) + [divisor]
        factors += spread_term(inner)
    if not front and sign == 1:
        return product
    every = [*front, *factors]
    value = Fraction(1)
    for f in every:
        value *= f.value if isinstance(f, ast.Number) else 1
    rest = [f for f in every if not isinstance(f, ast.Number)]
    out = ast.MatMul((ast.Number(value), *rest)) if value != 1 else ast.MatMul(tuple(rest))
    return ast.Neg(out) if sign < 0 else out


def is_reciprocal(node: ast.Expr, shapes: Shapes) -> TypeGuard[ast.Call]:
    return isinstance(node, ast.Call) and node.func == "recip" and \
        shapes(node.args[0]) == SCALAR


def spread(factors: tuple[ast.Expr, ...], shapes: Shapes) -> list[ast.Expr]:
    """Products of scalars (elementwise or not) are plain products: their factors join in."""
    out: list[ast.Expr] = []
    for f in factors:
        if isinstance(f, ast.Hadamard | ast.MatMul) and shapes(f) == SCALAR and \
                all(shapes(g) == SCALAR for g in f.factors):
            out += spread(f.factors, shapes)
        else:
            out.append(f)
    return out


def divisors_of(factors: list[ast.Expr], shapes: Shapes) -> list[ast.Expr]:
    """What the reciprocals among `factors` divide by, equal divisors side by side."""
    return side_by_side([d for f in factors if is_reciprocal(f, shapes)
                         for d in spread(f.args, shapes)])


def merged_reciprocals(node: ast.Expr, shapes: Shapes) -> ast.Expr | None:
    """One product's reciprocals as one, less what its other factors cancel; None when
    it has at most one reciprocal and nothing cancels."""
    if not isinstance(node, ast.MatMul | ast.Hadamard) or \
            (isinstance(node, ast.Hadamard) and shapes(node) != SCALAR):
        return None
    factors = spread(node.factors, shapes)
    below = divisors_of(factors, shapes)
    cancelled: Counter[ast.Expr] = Counter()
    for f in factors:
        if not is_reciprocal(f, shapes) and f in below:
            below.remove(f)
            cancelled[f] += 1
    if not cancelled and sum(is_reciprocal(f, shapes) for f in factors) < 2:
        return None
    return with_divisor(factors, below, cancelled, shapes)


def with_divisor(factors: list[ast.Expr], below: list[ast.Expr],
                 cancelled: Counter[ast.Expr], shapes: Shapes) -> ast.Expr:
    """`factors` with their reciprocals replaced by one of the product of `below`, at the
    place of the first reciprocal, and the factors in `cancelled` left out."""
    cancelled = Counter(cancelled)
    divisor = ast.MatMul(tuple(below)) if len(below) > 1 else below[0] if below else None
    out: list[ast.Expr] = []
    for f in factors:
        if is_reciprocal(f, shapes):
            if divisor is not None:
                out.append(ast.Call("recip", (divisor,), quotient=True))
                divisor = None
        elif cancelled[f]:
            cancelled[f] -= 1
        else:
            out.append(f)
    if not out:
        return ast.Number(Fraction(1))
    return out[0] if len(out) == 1 else ast.MatMul(tuple(out))


def common_divisor(expr: ast.Expr, shapes: Shapes) -> ast.Expr:
    """c/u (a + b) for c a/u + c b/u: the divisor (and number) every term shares, once in
    front. A sum whose terms share no divisor is as it was."""
    pulled = pull(expr, shapes) if isinstance(expr, ast.Add) else None
    if pulled is None:
        return expr
    number, divisor, inner = pulled
    front = [ast.Number(abs(number))] if abs(number) != 1 else []
    out = ast.MatMul((*front, divisor, *spread_term(inner)))
    return ast.Neg(out) if number < 0 else out


def spread_term(term: ast.Expr) -> list[ast.Expr]:
    """A sum's one term as factors of the product it joins (its sign, if any, kept)."""
    return list(term.factors) if isinstance(term, ast.MatMul) else [term]


def pull(total: ast.Add, shapes: Shapes) -> tuple[Fraction, ast.Expr, ast.Expr] | None:
    """(c, 1/u, a + b) for c a/u + c b/u, its positive terms first and like terms added
    (a/u + 2 a/u is 3 a/u); None when the terms share no divisor."""
    split = [signed_factors(t, shapes) for t in total.terms]
    shared = Counter(d for d in divisors_of(split[0][1], shapes)
                     if not isinstance(d, ast.Number))
    for _, factors in split[1:]:
        shared &= Counter(divisors_of(factors, shapes))
    if not shared:
        return None
    coefficients = [c for c, _ in split]
    number = abs(coefficients[0]) if len({abs(c) for c in coefficients}) == 1 else Fraction(1)
    if all(c < 0 for c in coefficients):
        number = -number
    values: dict[ast.Expr, Fraction] = {}  # like terms, once the divisor is out, added
    for coeff, factors in split:
        rest = with_divisor(factors, list((Counter(divisors_of(factors, shapes)) - shared)
                                          .elements()), Counter(), shapes)
        values[rest] = values.get(rest, Fraction(0)) + coeff / number
    terms: list[ast.Expr] = []
    for rest, value in sorted(values.items(), key=lambda t: t[1] < 0):
        inner = rest.factors if isinstance(rest, ast.MatMul) else () if \
            rest == ast.Number(Fraction(1)) else (rest,)
        body = ast.MatMul((ast.Number(abs(value)), *inner)) if abs(value) != 1 and inner \
            else ast.Number(abs(value)) if not inner else rest
        if value:
            terms.append(ast.Neg(body) if value < 0 else body)
    if not terms:
        return None
    common = list(shared.elements())
    divisor = ast.Call("recip", (ast.MatMul(tuple(common)) if len(common) > 1 else common[0],),
                       quotient=True)
    return number, divisor, ast.Add(tuple(terms)) if len(terms) > 1 else terms[0]


def signed_factors(term: ast.Expr, shapes: Shapes) -> tuple[Fraction, list[ast.Expr]]:
    """A term as its number (sign included) and its other factors, spread out."""
    coeff = Fraction(1)
    while isinstance(term, ast.Neg):
        coeff, term = -coeff, term.operand
    factors = spread(term.factors, shapes) if isinstance(term, ast.MatMul) else [term]
    while factors and isinstance(number := factors[0], ast.Number):
        coeff *= number.value
        factors.pop(0)
    return coeff, factors
