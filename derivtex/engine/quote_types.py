"""The record of an equation a sentence quotes, and the stand-in names a rule is stated
for (U in Jacobi's formula): shared by the quotes of the method's steps and of the
matrix rules."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ..model.shapes import Symbol
from ..syntax import ast
from . import index as ix

MINUS_ONE = ix.Const(Fraction(-1))
STAND_INS = ("U", "V", "M", "N")  # a square matrix a rule is stated for
VECTOR_STAND_INS = ("u", "t", "r", "q")


@dataclass(frozen=True)
class Quote:
    """lhs = rhs, stated in a sentence. `symbols` are the stand-ins it names (U in Jacobi's
    formula), not inputs; `rule` marks a rule statement, whose indices must be the row's
    own or fresh on the page."""

    lhs: ix.Node
    rhs: ix.Node
    symbols: tuple[Symbol, ...] = ()
    rule: bool = False
    stands_for: ast.Expr | None = None  # what the stand-in is on this page (A X B)


def stand_in(names: tuple[str, ...], taken: set[str]) -> str:
    return next((n for n in names if n not in taken), names[0] + "_0")
