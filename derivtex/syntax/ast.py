"""The matrix-expression tree shared by the parser, the engine's results and the printers.

Nodes are frozen so results can be compared and combined; the source column does not
take part in equality.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from fractions import Fraction

from ..errors import ParseError


@dataclass(frozen=True)
class Expr:
    col: int = field(default=0, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True)
class Name(Expr):
    """`bold`: written bold in LaTeX input, so a Greek name is a vector (a bold mu)."""

    name: str
    bold: bool = field(default=False, compare=False, repr=False, kw_only=True)


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
    """A function of the registry (model/functions.py). `quotient`: the reciprocal of a
    divisor (a / b), which must be a scalar."""

    func: str
    args: tuple[Expr, ...]
    quotient: bool = field(default=False, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True)
class Norm2(Expr):
    """The squared Euclidean (Frobenius) norm ||x||^2. `subscript`: as typed (2, F or
    none); ||X||_2 of a matrix would be the spectral norm, which shape inference refuses."""

    operand: Expr
    subscript: str = field(default="", compare=False, repr=False, kw_only=True)


@dataclass(frozen=True)
class Identity(Expr):
    """The identity matrix of size `dim` (None until shape inference sizes a typed `I`)."""

    dim: str | int | None


@dataclass(frozen=True)
class Ones(Expr):
    """The all-ones column of size `dim` (None until shape inference sizes a typed `1`)."""

    dim: str | int | None


@dataclass(frozen=True)
class Zero(Expr):
    """A zero matrix of the given shape: the derivative of what does not vary."""

    rows: str | int
    cols: str | int


# -- walking the tree -----------------------------------------------------------
def walk(expr: Expr) -> Iterator[Expr]:
    """Nodes in source order (pre-order)."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(children(node)))


def children(node: Expr) -> tuple[Expr, ...]:
    if isinstance(node, Add):
        return node.terms
    if isinstance(node, MatMul | Hadamard):
        return node.factors
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Neg | Transpose | Norm2):
        return (node.operand,)
    return ()


def rebuild(node: Expr, leaf: Callable[[Expr], Expr | None]) -> Expr:
    """The tree with `leaf(node)` substituted for every node it returns non-None for."""
    out = leaf(node)
    if out is not None:
        return out
    if isinstance(node, Add):
        return replace(node, terms=tuple(rebuild(t, leaf) for t in node.terms))
    if isinstance(node, MatMul | Hadamard):
        return replace(node, factors=tuple(rebuild(f, leaf) for f in node.factors))
    if isinstance(node, Call):
        return replace(node, args=tuple(rebuild(a, leaf) for a in node.args))
    if isinstance(node, Neg | Transpose | Norm2):
        return replace(node, operand=rebuild(node.operand, leaf))
    return node


def is_number(node: Expr) -> bool:
    """A numeric constant; in a sum of vectors it stands for that multiple of the ones."""
    while isinstance(node, Neg):
        node = node.operand
    return isinstance(node, Number)


def names_in(expr: Expr) -> list[Name]:
    """Each name once, in source order; a bold occurrence (a bold mu in LaTeX input)
    stands for the name."""
    seen: dict[str, Name] = {}
    for node in walk(expr):
        if isinstance(node, Name) and (node.name not in seen or node.bold):
            seen[node.name] = node
    return list(seen.values())


# -- names in the JSON `numpy` answer -------------------------------------------
def python_name(name: str) -> str:
    """A symbol as the JSON `numpy` answer spells it, where `np` is numpy and a Python
    keyword takes a trailing underscore (lambda -> lambda_)."""
    return name + "_" if keyword.iskeyword(name) else name


def check_python_names(expr: Expr) -> None:
    """The one rule that keeps those spellings collision-free: no symbol is called `np`,
    none has a double underscore (evaluators refuse code with one), and K_ is refused
    beside a keyword K (both would be K_); every other name is spelt as typed."""
    names = names_in(expr)
    typed = {n.name for n in names}
    for node in names:
        name = node.name
        if name == "np":
            raise ParseError("the name np is reserved: the JSON numpy answer calls numpy np; "
                             "rename the symbol", node.col or None)
        if "__" in name:
            raise ParseError(f"{name}: a name has no double underscore", node.col or None)
        if name.endswith("_") and keyword.iskeyword(name[:-1]) and name[:-1] in typed:
            raise ParseError(f"{name} and {name[:-1]} would both be {name} in the JSON numpy "
                             f"answer (a keyword takes a trailing underscore); rename {name}",
                             node.col or None)
