"""The matrix-expression tree shared by the parser, the engine's results and the printers.

Nodes are frozen so results can be compared and combined; the source column does not
take part in equality.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction


@dataclass(frozen=True)
class Expr:
    col: int = field(default=0, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True)
class Name(Expr):
    name: str


@dataclass(frozen=True)
class Number(Expr):
    value: Fraction


@dataclass(frozen=True)
class Add(Expr):
    terms: tuple[Expr, ...]


@dataclass(frozen=True)
class Neg(Expr):
    operand: Expr


@dataclass(frozen=True)
class MatMul(Expr):
    """Juxtaposition: a matrix product, or a scalar times anything."""

    factors: tuple[Expr, ...]


@dataclass(frozen=True)
class Hadamard(Expr):
    """The elementwise product a .* b of equally shaped operands."""

    factors: tuple[Expr, ...]


@dataclass(frozen=True)
class Transpose(Expr):
    operand: Expr


@dataclass(frozen=True)
class Call(Expr):
    """A named function: tr, det, inv, the elementwise ones, diag."""

    func: str
    args: tuple[Expr, ...]


@dataclass(frozen=True)
class Norm2(Expr):
    """The squared Euclidean (Frobenius) norm ||x||^2."""

    operand: Expr


@dataclass(frozen=True)
class Identity(Expr):
    """The identity matrix of size `dim`; only produced by the engine."""

    dim: str | int


@dataclass(frozen=True)
class Zero(Expr):
    """A zero matrix of the given shape: the derivative of what does not vary."""

    rows: str | int
    cols: str | int

