"""Symbols, kinds and shapes of expressions over resolved symbols, and tree walks.

Shapes are (rows, cols) pairs; a dimension is a name (str) or a size (int), 1 meaning
"no index here". The shapes of the input's symbols come from inference.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Literal

from . import ast
from .declarations import Dim, parse_shape_option
from .functions import REGISTRY

Shape = tuple[Dim, Dim]
SCALAR: Shape = (1, 1)

__all__ = ["Dim", "Shape", "Symbol", "Shapes", "infer_symbols", "parse_shape_option"]

Kind = Literal["scalar", "vector", "matrix"]


@dataclass(frozen=True)
class Symbol:
    name: str
    kind: Kind
    shape: Shape
    symmetric: bool = False


def kind_of(shape: Shape) -> Kind:
    if shape == SCALAR:
        return "scalar"
    return "vector" if shape[1] == 1 else "matrix"


def walk(expr: ast.Expr) -> Iterator[ast.Expr]:
    """Nodes in source order (pre-order)."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(children(node)))


def children(node: ast.Expr) -> tuple[ast.Expr, ...]:
    if isinstance(node, ast.Add):
        return node.terms
    if isinstance(node, ast.MatMul | ast.Hadamard):
        return node.factors
    if isinstance(node, ast.Call):
        return node.args
    if isinstance(node, ast.Neg | ast.Transpose | ast.Norm2):
        return (node.operand,)
    return ()


def rebuild(node: ast.Expr, leaf: Callable[[ast.Expr], ast.Expr | None]) -> ast.Expr:
    """The tree with `leaf(node)` substituted for every node it returns non-None for."""
    out = leaf(node)
    if out is not None:
        return out
    if isinstance(node, ast.Add):
        return replace(node, terms=tuple(rebuild(t, leaf) for t in node.terms))
    if isinstance(node, ast.MatMul | ast.Hadamard):
        return replace(node, factors=tuple(rebuild(f, leaf) for f in node.factors))
    if isinstance(node, ast.Call):
        return replace(node, args=tuple(rebuild(a, leaf) for a in node.args))
    if isinstance(node, ast.Neg | ast.Transpose | ast.Norm2):
        return replace(node, operand=rebuild(node.operand, leaf))
    return node


def is_number(node: ast.Expr) -> bool:
    """A numeric constant; in a sum of vectors it stands for that multiple of the ones."""
    while isinstance(node, ast.Neg):
        node = node.operand
    return isinstance(node, ast.Number)


def names_in(expr: ast.Expr) -> list[ast.Name]:
    """Each name once, in source order; a bold occurrence (a bold mu in LaTeX input)
    stands for the name."""
    seen: dict[str, ast.Name] = {}
    for node in walk(expr):
        if isinstance(node, ast.Name) and (node.name not in seen or node.bold):
            seen[node.name] = node
    return list(seen.values())


def infer_symbols(
    expr: ast.Expr, declared: Mapping[str, tuple[Dim, ...]] | None = None
) -> dict[str, Symbol]:
    """The symbols of `expr` with their most general shapes; raises ShapeError."""
    from .inference import infer

    return infer(expr, declared)[1]


class Shapes:
    """Shapes of any expression over resolved symbols (the engine's results included)."""

    def __init__(self, symbols: Mapping[str, Symbol]) -> None:
        self.symbols = symbols
        self.cache: dict[int, tuple[ast.Expr, Shape]] = {}

    def __call__(self, node: ast.Expr) -> Shape:
        hit = self.cache.get(id(node))
        if hit is not None and hit[0] is node:
            return hit[1]
        shape = self.compute(node)
        self.cache[id(node)] = (node, shape)
        return shape

    def compute(self, node: ast.Expr) -> Shape:
        if isinstance(node, ast.Name):
            return self.symbols[node.name].shape
        if isinstance(node, ast.Number | ast.Norm2):
            return SCALAR
        if isinstance(node, ast.Neg):
            return self(node.operand)
        if isinstance(node, ast.Transpose):
            r, c = self(node.operand)
            return (c, r)
        if isinstance(node, ast.Add):
            shapes = [self(t) for t in node.terms]
            return next((s for s in shapes if s != SCALAR), SCALAR)
        if isinstance(node, ast.Hadamard):
            return self(node.factors[0])
        if isinstance(node, ast.MatMul):
            acc = SCALAR
            for factor in node.factors:
                shape = self(factor)
                if shape == SCALAR:
                    continue
                acc = shape if acc == SCALAR else (acc[0], shape[1])
            return acc
        if isinstance(node, ast.Call):
            arg = self(node.args[0])
            rule = REGISTRY[node.func].shape
            if rule == "square_to_scalar":
                return SCALAR
            if rule == "vector_to_square":
                return (arg[0], arg[0])
            return arg
        if isinstance(node, ast.Identity):
            assert node.dim is not None
            return (node.dim, node.dim)
        if isinstance(node, ast.Ones):
            assert node.dim is not None
            return (node.dim, 1)
        if isinstance(node, ast.Zero):
            return (node.rows, node.cols)
        raise TypeError(node)
