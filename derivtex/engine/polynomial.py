"""Elementwise vector expressions as polynomials in their atoms.

s ⊙ (1 - s), diag(1 - y) v, 1/(1 - s) read as sums of monomials in the atoms s, y, v
(names, function values, scalars), with a reciprocal of a sum kept whole until an equal
factor cancels it. Written back, like terms are collected and quotients lecturers name
(softmax, sigma) recognised.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import gcd, lcm
from typing import TypeGuard

from ..functions import ELEMENTWISE
from ..model.shapes import SCALAR, Shapes
from ..syntax import ast
from ..syntax.ast import walk

Monomial = tuple[tuple[ast.Expr, int], ...]
Poly = dict[Monomial, Fraction]


class NotElementwise(Exception):
    """The part holds a true matrix product: it is tidied inside, not as a whole."""


@dataclass(frozen=True)
class Reciprocal:
    """1/P for a sum P, kept whole until a factor equal to P cancels it."""

    poly: tuple[tuple[Monomial, Fraction], ...]
    expr: ast.Expr


class PolynomialReader:
    def __init__(self, shapes: Shapes) -> None:
        self.shapes = shapes

    def poly(self, e: ast.Expr) -> Poly:
        if isinstance(e, ast.Add):
            total: Poly = {}
            for term in e.terms:
                add_into(total, self.poly(term))
            return total
        if isinstance(e, ast.Neg):
            return {m: -c for m, c in self.poly(e.operand).items()}
        if isinstance(e, ast.Number):
            return {(): e.value} if e.value else {}
        if isinstance(e, ast.Ones):
            return {(): Fraction(1)}
        factors = self.factors(e)
        if factors is None:
            return {((e, 1),): Fraction(1)}
        return product(cancel(factors))

    def factors(self, e: ast.Expr) -> list[Poly | Reciprocal] | None:
        """The elementwise factors of a product, or None for an atom."""
        if self.shapes(e) == SCALAR and not (isinstance(e, ast.Call) and e.func == "recip"):
            return None
        if isinstance(e, ast.Hadamard):
            parts = list(e.factors)
        elif isinstance(e, ast.MatMul):
            parts = list(e.factors)
            for f in parts[:-1]:
                if not (self.shapes(f) == SCALAR or is_diag(f)):
                    raise NotElementwise
        elif isinstance(e, ast.Call) and e.func == "diag":
            parts = [e.args[0]]
        elif isinstance(e, ast.Call) and e.func == "recip":
            inner = self.poly(e.args[0])
            if len(inner) == 1:
                (mono, coeff), = inner.items()
                return [{tuple((a, -n) for a, n in mono): 1 / coeff}]
            return [Reciprocal(tuple(sorted(inner.items(), key=repr)), e)]
        elif isinstance(e, ast.Name | ast.Call) and (
                not isinstance(e, ast.Call) or e.func in ELEMENTWISE or e.func == "softmax"):
            return None
        else:
            raise NotElementwise
        out: list[Poly | Reciprocal] = []
        for part in map(unwrap_diag, parts):
            part_factors = None if isinstance(part, ast.Add | ast.Neg | ast.Number) else \
                self.factors(part)
            out.extend(part_factors if part_factors is not None else [self.poly(part)])
        return out


def size(e: ast.Expr) -> int:
    return sum(1 for _ in walk(e))


def is_diag(e: ast.Expr) -> TypeGuard[ast.Call]:
    return isinstance(e, ast.Call) and e.func == "diag"


def unwrap_diag(e: ast.Expr) -> ast.Expr:
    return e.args[0] if is_diag(e) else e


def add_into(total: Poly, more: Poly) -> None:
    for mono, coeff in more.items():
        value = total.get(mono, Fraction(0)) + coeff
        if value:
            total[mono] = value
        else:
            total.pop(mono, None)


def cancel(factors: list[Poly | Reciprocal]) -> list[Poly]:
    """1/P times P is 1; a reciprocal nothing cancels stays an atom."""
    polys = [f for f in factors if isinstance(f, dict)]
    out: list[Poly] = []
    for f in factors:
        if isinstance(f, Reciprocal):
            match = next((p for p in polys if tuple(sorted(p.items(), key=repr)) == f.poly),
                         None)
            if match is not None:
                polys.remove(match)
                continue
            out.append({((f.expr, 1),): Fraction(1)})
    return out + polys


def multiply(a: Monomial, b: Monomial) -> Monomial:
    powers: dict[ast.Expr, int] = {}
    for atom, n in a + b:
        powers[atom] = powers.get(atom, 0) + n
    return tuple(sorted(((k, v) for k, v in powers.items() if v), key=repr))


def product(factors: list[Poly]) -> Poly:
    total: Poly = {(): Fraction(1)}
    for factor in factors:
        step: Poly = {}
        for m1, c1 in total.items():
            for m2, c2 in factor.items():
                add_into(step, {multiply(m1, m2): c1 * c2})
        total = step
    return total


def sum_of_exp(atom: ast.Expr) -> ast.Expr | None:
    """u when `atom` is 1^T exp(u), the softmax's denominator; else None."""
    if isinstance(atom, ast.MatMul) and len(atom.factors) == 2:
        ones, exp = atom.factors
        if isinstance(ones, ast.Transpose) and isinstance(ones.operand, ast.Ones) and \
                isinstance(exp, ast.Call) and exp.func == "exp":
            return exp.args[0]
    return None


def one_plus_exp(atom: ast.Expr) -> ast.Expr | None:
    """u when `atom` is 1/(1 + exp(u)), the logistic function's denominator; else None."""
    if isinstance(atom, ast.Call) and atom.func == "recip" and \
            isinstance(atom.args[0], ast.Add) and len(atom.args[0].terms) == 2:
        terms = atom.args[0].terms
        exp = next((t for t in terms if isinstance(t, ast.Call) and t.func == "exp"), None)
        one = next((t for t in terms if t == ast.Number(Fraction(1))
                    or isinstance(t, ast.Ones)), None)
        if exp is not None and one is not None:
            assert isinstance(exp, ast.Call)
            return exp.args[0]
    return None


QUOTIENTS = {"sinh": ("cosh", "tanh")}  # sinh(u) / cosh(u) is tanh(u)


def recognise_functions(poly: Poly) -> Poly:
    """Quotients lecturers name: exp(u) / (1^T exp(u)) is softmax(u) (the log-sum-exp's
    gradient), exp(u) / (1 + exp(u)) is sigma(u) (softplus's, and the logistic loss's),
    sinh(u) / cosh(u) is tanh(u) (log cosh's)."""
    out: Poly = {}
    for mono, coeff in poly.items():
        powers = dict(mono)
        for atom, n in mono:
            u, func = sum_of_exp(atom), "softmax"
            if n < 0 and u is not None:
                step = 1
            else:
                u, func, step = one_plus_exp(atom), "sigma", -1
            if u is None or n * step > 0:
                continue
            exp = ast.Call("exp", (u,))
            while powers.get(atom, 0) * step < 0 and powers.get(exp, 0) > 0:
                powers[atom] += step
                powers[exp] -= 1
                named = ast.Call(func, (u,))
                powers[named] = powers.get(named, 0) + 1
        for atom in [a for a in powers if isinstance(a, ast.Call) and a.func in QUOTIENTS]:
            assert isinstance(atom, ast.Call)
            below, named = (ast.Call(f, atom.args) for f in QUOTIENTS[atom.func])
            while powers.get(atom, 0) > 0 and powers.get(below, 0) < 0:
                powers[atom] -= 1
                powers[below] += 1
                powers[named] = powers.get(named, 0) + 1
        tidy = tuple(sorted(((a, k) for a, k in powers.items() if k), key=repr))
        add_into(out, {tidy: coeff})
    return out


def from_poly(poly: Poly, shapes: Shapes) -> ast.Expr | None:
    """Back to an expression, positive terms first; None when a term has no vector
    factor to carry it (a lone number would read as a scalar)."""
    terms: list[ast.Expr] = []
    order = sorted(poly.items(), key=lambda mc: mc[1] < 0)
    for mono, coeff in order:
        scalars: list[ast.Expr] = []
        vectors: list[ast.Expr] = []
        for atom, n in mono:
            base = atom if n > 0 else ast.Call("recip", (atom,))
            (scalars if shapes(atom) == SCALAR else vectors).extend([base] * abs(n))
        if not vectors:
            return None
        body = vectors[0] if len(vectors) == 1 else ast.Hadamard(tuple(vectors))
        factors = [*scalars, body]
        if abs(coeff) != 1:
            factors.insert(0, ast.Number(abs(coeff)))
        term = factors[0] if len(factors) == 1 else ast.MatMul(tuple(factors))
        terms.append(ast.Neg(term) if coeff < 0 else term)
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else ast.Add(tuple(terms))


def scalar_poly(e: ast.Expr, shapes: Shapes) -> Poly:
    """A scalar as a polynomial in its atoms: sums and products of scalars expanded,
    anything else (x^T A x, sigma(w^T x), 1/u) an atom."""
    if isinstance(e, ast.Add):
        total: Poly = {}
        for term in e.terms:
            add_into(total, scalar_poly(term, shapes))
        return total
    if isinstance(e, ast.Neg):
        return {m: -c for m, c in scalar_poly(e.operand, shapes).items()}
    if isinstance(e, ast.Number):
        return {(): e.value} if e.value else {}
    if isinstance(e, ast.MatMul | ast.Hadamard) and all(
            shapes(f) == SCALAR for f in e.factors):
        return product([scalar_poly(f, shapes) for f in e.factors])
    return {((e, 1),): Fraction(1)}


def scalar_from_poly(poly: Poly) -> tuple[Fraction, ast.Expr]:
    """(c, p) with c p the polynomial and c its content, as a lecturer writes it: positive
    terms first, lower powers first, 2 - 4 f as 2 (1 - 2 f)."""
    items = sorted(poly.items(), key=lambda mc: (mc[1] < 0, sum(n for _, n in mc[0])))
    content = Fraction(gcd(*(c.numerator for _, c in items)),
                       lcm(*(c.denominator for _, c in items)))
    if all(c < 0 for _, c in items):
        content = -content
    terms: list[ast.Expr] = []
    for mono, coeff in items:
        value = coeff / content
        atoms = [atom for atom, n in mono for _ in range(n)]
        factors = ([ast.Number(abs(value))] if abs(value) != 1 or not atoms else []) + atoms
        term = factors[0] if len(factors) == 1 else ast.MatMul(tuple(factors))
        terms.append(ast.Neg(term) if value < 0 else term)
    return content, terms[0] if len(terms) == 1 else ast.Add(tuple(terms))
