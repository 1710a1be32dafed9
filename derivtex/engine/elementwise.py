"""Gradients in lecturer form before they are differentiated again, and Hessians'
diagonal factors merged (W^T diag(a) diag(b) W is W^T diag(a ⊙ b) W).

The first pass of a Hessian leaves the chain rule's factors as they came: for the
logistic loss, X^T (-diag(1/s) diag(s ⊙ (1 - s)) y + diag(1 - y) diag(1/(1 - s)) (s ⊙ (1 - s))).
A lecturer cancels and collects before differentiating again: X^T (s - y). Vector parts
built elementwise (⊙, diag(.) times a vector, sums, reciprocals) are read as polynomials
in their atoms (polynomial.py), reciprocals cancelled against equal factors, and like
terms collected.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from fractions import Fraction

from ..model.shapes import SCALAR, Shapes
from ..syntax import ast
from ..syntax.ast import walk
from .algebra import Algebra
from .polynomial import (
    NotElementwise,
    PolynomialReader,
    from_poly,
    is_diag,
    recognise_functions,
    size,
    unwrap_diag,
)


def tidy_gradient(expr: ast.Expr, shapes: Shapes) -> ast.Expr:
    """`expr` with every elementwise vector part cancelled and collected."""
    return _Tidier(shapes).tidy(expr)


def tidy_result(expr: ast.Expr, algebra: Algebra) -> ast.Expr:
    """A first derivative's vector parts cancelled and its quotients named, as the
    Hessian's gradient is: sinh(u)^T diag(1 ⊘ cosh(u)) X is tanh(u)^T X, exp(z)^T/(1^T
    exp(z)) is softmax(z)^T. A row is tidied as the column it is the transpose of. Only
    a tidying that leaves fewer function values is taken: diag(sigma'(W x)) W stays."""
    rows, cols = algebra.shapes(expr)
    if (rows == 1) == (cols == 1):
        return expr
    column = expr if cols == 1 else algebra.transpose(expr)
    tidied = tidy_gradient(column, algebra.shapes)
    if calls(tidied) >= calls(column):
        return expr
    return tidied if cols == 1 else algebra.transpose(tidied)


def tidy_hessian(expr: ast.Expr, shapes: Shapes) -> ast.Expr:
    """W^T (2 diag(a) diag(b) - diag(c)) W -> W^T diag(2 a ⊙ b - c) W: the diagonal
    factors of a matrix product merged into one diag(.) of an elementwise expression."""
    return _Tidier(shapes).merge_diagonals(expr)


class _Tidier(PolynomialReader):
    # -- Hessians: runs of diagonal factors as one diag(.) ------------------
    def merge_diagonals(self, e: ast.Expr) -> ast.Expr:
        if isinstance(e, ast.Add | ast.Neg):
            return self.rebuild(e, self.merge_diagonals)
        if not isinstance(e, ast.MatMul):
            return e
        out: list[ast.Expr] = []
        run: list[tuple[ast.Expr, ast.Expr]] = []
        for factor in (*e.factors, None):
            vector = self.diagonal_vector(factor) if factor is not None and \
                self.shapes(factor) != SCALAR else None
            if factor is not None and vector is not None:
                run.append((factor, vector))
                continue
            if len(run) == 1 and is_diag(run[0][0]):
                out.append(run[0][0])
            elif run:
                vectors = [v for _, v in run]
                merged = vectors[0] if len(vectors) == 1 else ast.Hadamard(tuple(vectors))
                out.append(ast.Call("diag", (self.simplest(merged),)))
            run = []
            if factor is not None:
                out.append(self.merge_diagonals(factor))
        return ast.MatMul(tuple(out))

    def diagonal_vector(self, f: ast.Expr) -> ast.Expr | None:
        """v when f = diag(v) (a diag, or sums and products of them); else None."""
        if is_diag(f):
            return f.args[0]
        if isinstance(f, ast.Neg):
            inner = self.diagonal_vector(f.operand)
            return None if inner is None else ast.Neg(inner)
        if isinstance(f, ast.Add):
            parts = [self.diagonal_vector(t) for t in f.terms]
            present = [p for p in parts if p is not None]
            return ast.Add(tuple(present)) if len(present) == len(parts) else None
        if isinstance(f, ast.MatMul):
            scalars = [g for g in f.factors if self.shapes(g) == SCALAR]
            parts = [self.diagonal_vector(g) for g in f.factors if self.shapes(g) != SCALAR]
            present = [p for p in parts if p is not None]
            if not parts or len(present) < len(parts):
                return None
            body = present[0] if len(present) == 1 else ast.Hadamard(tuple(present))
            return ast.MatMul((*scalars, body)) if scalars else body
        return None

    def simplest(self, v: ast.Expr) -> ast.Expr:
        """The shorter of the elementwise expression as it came and collected."""
        try:
            collected = from_poly(recognise_functions(self.poly(v)), self.shapes)
        except NotElementwise:
            collected = None
        candidates = [v, self.common_factors(v)] + ([collected] if collected is not None else [])
        return min(candidates, key=size)

    def common_factors(self, v: ast.Expr) -> ast.Expr:
        """a ⊙ b ⊙ c - 2 a ⊙ d = a ⊙ (b ⊙ c - 2 d): factors every term shares, pulled out."""
        if not isinstance(v, ast.Add):
            return v
        split = [self.term_factors(t) for t in v.terms]
        common = Counter(split[0][2])
        for _, _, factors in split[1:]:
            common &= Counter(factors)
        if not common:
            return v
        terms = []
        for coeff, scalars, factors in split:
            rest = list(factors)
            for factor in common.elements():
                rest.remove(factor)
            body = rest[0] if len(rest) == 1 else ast.Hadamard(tuple(rest)) if rest else None
            parts = [*scalars, body] if body is not None else list(scalars)
            if abs(coeff) != 1 or not parts:
                parts.insert(0, ast.Number(abs(coeff)))
            term = parts[0] if len(parts) == 1 else ast.MatMul(tuple(parts))
            terms.append(ast.Neg(term) if coeff < 0 else term)
        shared, left = [], Counter(common)
        for factor in split[0][2]:
            if left[factor]:
                shared.append(factor)
                left[factor] -= 1
        return ast.Hadamard((*shared, ast.Add(tuple(terms))))

    def term_factors(self, t: ast.Expr) -> tuple[Fraction, list[ast.Expr], list[ast.Expr]]:
        """(number, scalar factors, elementwise factors) of one term of a vector sum."""
        coeff = Fraction(1)
        while isinstance(t, ast.Neg):
            coeff, t = -coeff, t.operand
        factors = list(t.factors) if isinstance(t, ast.MatMul) else [t]
        number = factors[0]
        if isinstance(number, ast.Number):
            coeff *= number.value
            factors.pop(0)
        scalars = [f for f in factors if self.shapes(f) == SCALAR]
        vectors = [f for f in factors if self.shapes(f) != SCALAR]
        flat = [g for f in vectors for g in (f.factors if isinstance(f, ast.Hadamard) else (f,))]
        return coeff, scalars, flat

    def is_vector(self, e: ast.Expr) -> bool:
        rows, cols = self.shapes(e)
        return cols == 1 and rows != 1

    def tidy(self, e: ast.Expr) -> ast.Expr:
        if self.is_vector(e) and not isinstance(e, ast.Name | ast.Call):
            try:
                rebuilt = from_poly(recognise_functions(self.poly(e)), self.shapes)
            except NotElementwise:
                rebuilt = None
            if rebuilt is not None and size(rebuilt) < size(e):
                return rebuilt
        if isinstance(e, ast.MatMul) and self.is_vector(e) and self.is_vector(e.factors[-1]):
            scalars = [f for f in e.factors if self.shapes(f) == SCALAR]
            chain = [f for f in e.factors if self.shapes(f) != SCALAR]
            start = len(chain) - 1
            while start > 0 and is_diag(chain[start - 1]):
                start -= 1
            if start == 0:
                return self.hadamard(e)
            # the scalars and diagonals act on the last vector entry by entry
            tail = self.tidy(ast.MatMul((*scalars, *chain[start:])))
            moved = ast.MatMul((*map(self.tidy, chain[:start]), tail))
            if size(moved) < size(e) or diagonals(moved) < diagonals(e):
                return moved
        return self.rebuild(e, self.tidy)

    def hadamard(self, e: ast.MatMul) -> ast.Expr:
        """diag(a) diag(b) v = a ⊙ b ⊙ v: entries of one index, not a matrix product."""
        scalars = [f for f in e.factors if self.shapes(f) == SCALAR]
        vectors = [self.tidy(unwrap_diag(f)) for f in e.factors if self.shapes(f) != SCALAR]
        body = vectors[0] if len(vectors) == 1 else ast.Hadamard(tuple(vectors))
        return ast.MatMul((*scalars, body)) if scalars else body

    @staticmethod
    def rebuild(e: ast.Expr, inner: Callable[[ast.Expr], ast.Expr]) -> ast.Expr:
        if isinstance(e, ast.MatMul):
            return ast.MatMul(tuple(inner(f) for f in e.factors))
        if isinstance(e, ast.Add):
            return ast.Add(tuple(inner(t) for t in e.terms))
        if isinstance(e, ast.Neg):
            return ast.Neg(inner(e.operand))
        return e


def calls(e: ast.Expr) -> int:
    """Function values other than diag(.), 1/u counted: what cancelling and naming remove."""
    return sum(1 for n in walk(e) if isinstance(n, ast.Call) and not is_diag(n))


def diagonals(e: ast.Expr) -> int:
    return sum(1 for n in walk(e) if is_diag(n))
