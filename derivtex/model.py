"""Symbols, kinds and shapes: dimension inference by unification.

Shapes are (rows, cols) pairs; a dimension is a name (str) or a size (int), 1 meaning
"no index here". Inference gives the most general shapes the expression allows and
names free dimensions n, m, p, q, ... in order of first appearance.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from . import ast
from .errors import OptionError, ShapeError, shorten
from .parser import GREEK

Dim = str | int
Shape = tuple[Dim, Dim]
SCALAR: Shape = (1, 1)

_VECTOR_NAME = re.compile(r"[a-z](_?[0-9]+)?")
_MATRIX_NAME = re.compile(r"[A-Z](_?[0-9]+)?")
_DIM_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_DIM_POOL = "n m p q r s t u v w d e g h".split()


@dataclass(frozen=True)
class Symbol:
    name: str
    kind: str  # "scalar", "vector" or "matrix"
    shape: Shape


class _Var:
    """A dimension not yet known; `name` is set when the user declared it by name."""

    __slots__ = ("parent", "name")

    def __init__(self, name: str | None = None) -> None:
        self.parent: _Var | int | None = None
        self.name = name


def _find(d: _Var | int) -> _Var | int:
    while isinstance(d, _Var) and d.parent is not None:
        d = d.parent
    return d


def parse_shape_option(text: str) -> tuple[str, tuple[Dim, ...]]:
    """`A=n,m` -> ("A", ("n", "m")); sizes become ints."""
    name, sep, dims = text.partition("=")
    name = name.strip()
    if not sep or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
        raise OptionError(f"--shape {shorten(text)!r}: expected NAME=DIMS, e.g. A=n,m or x=3")
    parts = [p.strip() for p in dims.split(",")]
    if not 1 <= len(parts) <= 2 or not all(parts):
        raise OptionError(f"--shape {shorten(text)!r}: give one dimension (vector) or two "
                          "(matrix)")
    out: list[Dim] = []
    for p in parts:
        if p.isdigit() and int(p) >= 1:
            out.append(int(p))
        elif _DIM_NAME.fullmatch(p) and len(p) <= 8:
            out.append(p)
        else:
            raise OptionError(f"--shape {shorten(text)!r}: {shorten(p)!r} is not a size or a "
                              "dimension name")
    return name, tuple(out)


def kind_of(shape: Shape) -> str:
    if shape == SCALAR:
        return "scalar"
    return "vector" if shape[1] == 1 else "matrix"


def default_kind(name: str) -> str | None:
    if name in GREEK:
        return "scalar"
    if _VECTOR_NAME.fullmatch(name):
        return "vector"
    if _MATRIX_NAME.fullmatch(name):
        return "matrix"
    return None


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


def is_number(node: ast.Expr) -> bool:
    """A numeric constant; in a sum of vectors it stands for that multiple of the ones."""
    while isinstance(node, ast.Neg):
        node = node.operand
    return isinstance(node, ast.Number)


def names_in(expr: ast.Expr) -> list[ast.Name]:
    seen: dict[str, ast.Name] = {}
    for node in walk(expr):
        if isinstance(node, ast.Name) and node.name not in seen:
            seen[node.name] = node
    return list(seen.values())


class _Inference:
    def __init__(self, declared: Mapping[str, tuple[Dim, ...]]) -> None:
        self.named: dict[str, _Var] = {}
        self.declared = declared
        self.symbols: dict[str, tuple[str, tuple[_Var | int, _Var | int]]] = {}

    def dim(self, d: Dim) -> _Var | int:
        if isinstance(d, int):
            return d
        return self.named.setdefault(d, _Var(d))

    def declare(self, name: ast.Name) -> None:
        dims = self.declared.get(name.name)
        if dims is not None:
            if dims == (1,):
                self.symbols[name.name] = ("scalar", (1, 1))
            elif len(dims) == 1:
                self.symbols[name.name] = ("vector", (self.dim(dims[0]), 1))
            else:
                self.symbols[name.name] = ("matrix", (self.dim(dims[0]), self.dim(dims[1])))
            return
        kind = default_kind(name.name)
        if kind is None:
            raise ShapeError(
                f"'{name.name}' is not a known name: declare it with --shape "
                f"{name.name}=DIMS, or put a space between names (x y, not xy)",
                name.col,
            )
        if kind == "scalar":
            self.symbols[name.name] = ("scalar", (1, 1))
        elif kind == "vector":
            self.symbols[name.name] = ("vector", (_Var(), 1))
        else:
            self.symbols[name.name] = ("matrix", (_Var(), _Var()))

    def unify(self, a: _Var | int, b: _Var | int, what: str, col: int) -> None:
        a, b = _find(a), _find(b)
        if a is b or a == b:
            return
        if isinstance(a, _Var) and isinstance(b, _Var):
            if a.name is not None and b.name is not None:
                raise ShapeError(f"{what}: dimension {a.name} is not {b.name}", col)
            if a.name is None:
                a.parent = b
            else:
                b.parent = a
        elif 1 in (a, b):
            raise ShapeError(f"{what}: a scalar where a vector or matrix is needed", col)
        elif isinstance(a, _Var):
            a.parent = b
        elif isinstance(b, _Var):
            b.parent = a
        else:
            raise ShapeError(f"{what}: size {a} does not match size {b}", col)

    def is_scalar(self, shape: tuple) -> bool:
        return _find(shape[0]) == 1 and _find(shape[1]) == 1

    def shape(self, node: ast.Expr) -> tuple:
        if isinstance(node, ast.Name):
            return self.symbols[node.name][1]
        if isinstance(node, ast.Number | ast.Norm2):
            if isinstance(node, ast.Norm2):
                self.shape(node.operand)
            return (1, 1)
        if isinstance(node, ast.Neg):
            return self.shape(node.operand)
        if isinstance(node, ast.Transpose):
            r, c = self.shape(node.operand)
            return (c, r)
        if isinstance(node, ast.Hadamard):
            first = self.shape(node.factors[0])
            for factor in node.factors[1:]:
                other = self.shape(factor)
                what = f"cannot multiply {self.show(first)} and {self.show(other)} elementwise"
                self.unify(first[0], other[0], what, factor.col)
                self.unify(first[1], other[1], what, factor.col)
            return first
        if isinstance(node, ast.Add):
            terms = [t for t in node.terms if not is_number(t)] or [node.terms[0]]
            for term in node.terms:
                if is_number(term):
                    self.shape(term)
            first = self.shape(terms[0])
            for term in terms[1:]:
                other = self.shape(term)
                what = f"cannot add {self.show(first)} and {self.show(other)}"
                self.unify(first[0], other[0], what, term.col)
                self.unify(first[1], other[1], what, term.col)
            return first
        if isinstance(node, ast.MatMul):
            acc = self.shape(node.factors[0])
            for factor in node.factors[1:]:
                right = self.shape(factor)
                if self.is_scalar(acc):
                    acc = right
                elif not self.is_scalar(right):
                    what = f"cannot multiply {self.show(acc)} by {self.show(right)}"
                    self.unify(acc[1], right[0], what, factor.col)
                    acc = (acc[0], right[1])
            return acc
        if isinstance(node, ast.Call):
            return self.call_shape(node)
        raise ShapeError(f"unsupported construct {type(node).__name__}", node.col)

    def call_shape(self, node: ast.Call) -> tuple:
        arg = self.shape(node.args[0])
        func = node.func
        if func in ("tr", "det", "inv"):
            self.unify(arg[0], arg[1], f"{func}() needs a square matrix, got {self.show(arg)}",
                       node.col)
            return (1, 1) if func != "inv" else arg
        if func in ("softmax", "diag"):
            if _find(arg[1]) != 1 or self.is_scalar(arg):
                raise ShapeError(f"{func}() needs a vector, got {self.show(arg)}", node.col)
            return arg if func == "softmax" else (arg[0], arg[0])
        return arg  # elementwise

    def show(self, shape: tuple) -> str:
        return "×".join(self.dim_text(d) for d in shape)

    def dim_text(self, d: _Var | int) -> str:
        d = _find(d)
        if isinstance(d, int):
            return str(d)
        return d.name or "?"


def infer_symbols(
    expr: ast.Expr, declared: Mapping[str, tuple[Dim, ...]] | None = None
) -> dict[str, Symbol]:
    """The symbols of `expr` with their most general shapes; raises ShapeError."""
    inference = _Inference(declared or {})
    names = names_in(expr)
    for name in names:
        inference.declare(name)
    inference.shape(expr)
    taken = {n.name for n in names} | set(inference.named)
    numbered = (f"n{i}" for i in itertools.count(1))  # never runs out, however long the chain
    pool = (d for d in itertools.chain(_DIM_POOL, numbered) if d not in taken)
    labels: dict[int, Dim] = {}

    def label(d: _Var | int) -> Dim:
        d = _find(d)
        if isinstance(d, int):
            return d
        if id(d) not in labels:
            labels[id(d)] = d.name if d.name is not None else next(pool)
        return labels[id(d)]

    symbols = {}
    for name in names:
        kind, (rows, cols) = inference.symbols[name.name]
        symbols[name.name] = Symbol(name.name, kind, (label(rows), label(cols)))
    return symbols


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
            if node.func in ("tr", "det"):
                return SCALAR
            if node.func == "diag":
                return (arg[0], arg[0])
            return arg
        if isinstance(node, ast.Identity):
            return (node.dim, node.dim)
        if isinstance(node, ast.Zero):
            return (node.rows, node.cols)
        raise TypeError(node)
