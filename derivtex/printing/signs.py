"""What a printed product of an index tree leaves out: a ones entry among other factors
(1_k exp(z_k) is exp(z_k)) and the two minus signs of -(-a + b)."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from ..engine import index as ix
from ..syntax import ast


def without_ones(factors: tuple[ix.Node, ...]) -> list[ix.Node]:
    """The factors a product prints: its ones entries are 1 (1_k exp(z_k) is exp(z_k)),
    unless nothing but numbers would be left."""
    kept = [f for f in factors if not (isinstance(f, ix.Entry) and isinstance(f.expr, ast.Ones))]
    return kept if any(not isinstance(f, ix.Const) for f in kept) else list(factors)


def numbers_first(factors: list[ix.Node]) -> list[ix.Node]:
    """A product's numbers multiplied into one in front, as a lecturer writes them:
    (-sum_k x_k x_k) 1/2 is -1/2 sum_k x_k x_k."""
    numbers = [f for f in factors if isinstance(f, ix.Const)]
    if not numbers or (len(numbers) == 1 and factors[0] is numbers[0]):
        return factors
    value = Fraction(1)
    for number in numbers:
        value *= number.value
    return [ix.Const(value), *(f for f in factors if not isinstance(f, ix.Const))]


def into_sum(value: Fraction, total: ix.Sum) -> ix.Sum:
    """value times a sum, as the sum of value times its body: printed with the number
    (and the body's own sign) in front of the sum sign."""
    body = list(total.body.factors) if isinstance(total.body, ix.Prod) else [total.body]
    if body and isinstance(body[0], ix.Const):
        value, body = value * body[0].value, body[1:]
    return ix.Sum(total.indices, ix.Prod((ix.Const(value), *body)))


def merged_fraction(value: Fraction, items: list[ix.Node]
                    ) -> tuple[Fraction, ast.Expr] | None:
    """A number before a scalar's reciprocal as one fraction, (numerator, denominator):
    2 (1/(1 + x^T x)) is 2/(1 + x^T x), and 2 (1/(2 sqrt(u))) is 2/(2 sqrt(u)), its numbers
    left for the next line to cancel. None if the first factor is no reciprocal."""
    first = items[0] if items else None
    if value == 1 or not isinstance(first, ix.Entry) or first.indices():
        return None
    factors = first.expr.factors if isinstance(first.expr, ast.MatMul) else (first.expr,)
    scale = Fraction(1)
    if len(factors) == 2 and isinstance(factors[0], ast.Number) and factors[0].value > 0:
        scale, factors = factors[0].value, factors[1:]
    if len(factors) != 1 or not (isinstance(factors[0], ast.Call) and
                                 factors[0].func == "recip"):
        return None
    denominator = factors[0].args[0]
    if scale.numerator != 1:
        return value * scale, denominator
    return value, denominator if scale == 1 else ast.MatMul((ast.Number(1 / scale), denominator))


def negated(node: ix.Node, index: Callable[[ix.Node], str],
            joined: Callable[[list[str]], str]) -> str | None:
    """-node without a double negative, when node is written with a leading minus."""
    flip = flipped([index(t) for t in signed_terms(node)])
    return joined(flip) if flip else None


def flipped(terms: list[str]) -> list[str] | None:
    """The printed terms of -(t_1 + t_2 + ...), when t_1 starts with a minus (else None:
    nothing to undo)."""
    if not terms or not terms[0].startswith("-"):
        return None
    return [t[1:] if t.startswith("-") else "-" + t for t in terms]


def signed_terms(node: ix.Node) -> tuple[ix.Node, ...]:
    """The terms whose signs -node flips: a sum's, or a summation as one term."""
    return node.terms if isinstance(node, ix.Add) else (node,) if isinstance(node, ix.Sum) \
        else ()
