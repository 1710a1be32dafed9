"""Derivatives by a symmetric matrix (--symmetric K on the variable itself).

The index method varies K's entries one at a time, as if independent: that gives G, the
derivative the page derives and verification checks against finite differences. On
symmetric matrices K_ij and K_ji move together, so a page for covariance or kernel
courses also states the gradient there: sym(G) = (G + G^T)/2, the matrix whose inner
product with any symmetric direction E is the directional derivative, and, for readers
of the Matrix Cookbook (section 2.8), G + G^T - I .* G, the derivative by K_ij with each
off-diagonal pair counted as one variable."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from fractions import Fraction

from ..errors import UnsupportedError, option
from ..model.shapes import Shapes, Symbol
from ..syntax import ast
from .algebra import Algebra
from .index_method import Outcome
from .steps import Goal, SymmetricGradient

HALF = Fraction(1, 2)
G_NAMES = ("G", "D", "J", "M")


def on_symmetric_matrices(outcome: Outcome, symbols: Mapping[str, Symbol], wrt: str
                          ) -> Outcome:
    """The outcome with the step that states sym(G) and the Cookbook's convention; its
    result stays G (what finite differences of the entries check)."""
    goal = outcome.steps[0]
    assert isinstance(goal, Goal)
    if goal.out_kind != "scalar" or outcome.result is None or symbols[wrt].kind != "matrix":
        raise UnsupportedError(f"{option('symmetric', wrt)} on the variable needs a scalar "
                               "expression (its gradient on symmetric matrices)")
    g = outcome.result
    algebra = Algebra(Shapes(symbols))
    transposed = algebra.transpose(g)
    g_symmetric = transposed == g or algebra.product([transposed]) == algebra.product([g])
    symmetric = g if g_symmetric else algebra.sum([(HALF, g), (HALF, transposed)])
    name = next(n for n in G_NAMES if n not in symbols)
    named = ast.Name(name)
    identity = ast.Identity(symbols[wrt].shape[0])
    cookbook: ast.Expr = ast.Add((ast.MatMul((ast.Number(Fraction(2)), named)),
                                  ast.Neg(ast.Hadamard((identity, named))))) if g_symmetric \
        else ast.Add((algebra.sum([(Fraction(1), g), (Fraction(1), transposed)]),
                      ast.Neg(ast.Hadamard((identity, named)))))
    step = SymmetricGradient(before=g, after=symmetric, g=name, wrt=wrt,
                             g_symmetric=g_symmetric, cookbook=cookbook)
    return replace(outcome, steps=[*outcome.steps, step])


def g_symbol(step: SymmetricGradient, symbols: Mapping[str, Symbol]) -> Symbol:
    """G on the page: a matrix of the variable's (square) shape."""
    rows = symbols[step.wrt].shape[0]
    return Symbol(step.g, "matrix", (rows, rows))



