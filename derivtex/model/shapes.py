"""Symbols, kinds and shapes of expressions over resolved symbols, and tree walks.

Shapes are (rows, cols) pairs; a dimension is a name (str) or a size (int), 1 meaning
"no index here". The shapes of the input's symbols come from inference.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from ..functions import REGISTRY
from ..syntax import ast
from .declarations import Dim, parse_shape_option

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
    # a Greek scalar only by default: the matrix shape it has if declared one (tr(Sigma A))
    reading: Shape | None = field(default=None, compare=False)

    @property
    def scalar_by_default(self) -> bool:
        return self.reading is not None


def kind_of(shape: Shape) -> Kind:
    if shape == SCALAR:
        return "scalar"
    return "vector" if shape[1] == 1 else "matrix"


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
