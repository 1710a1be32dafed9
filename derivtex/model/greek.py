"""Which reading a Greek name gets: a scalar by default; a vector when transposed
(`theta^T x`); a square matrix when only that fits (`det(Sigma)`, `--symmetric Sigma`)."""

from __future__ import annotations

from collections.abc import Mapping

from ..errors import suggest
from ..functions import REGISTRY
from ..syntax import ast
from ..syntax.ast import walk
from ..syntax.parser import GREEK
from .shapes import Symbol


def transposed_greek(expr: ast.Expr, declared: Mapping) -> frozenset[str]:
    """`theta^T x`: a Greek name transposed is a vector (a scalar needs no transpose)."""
    return frozenset(n.operand.name for n in walk(expr)
                     if isinstance(n, ast.Transpose) and isinstance(n.operand, ast.Name)
                     and n.operand.name in GREEK and n.operand.name not in declared)


def square_greek(expr: ast.Expr, declared: Mapping, symmetric: frozenset[str]) -> frozenset[str]:
    """`det(Sigma)`, `tr(Omega)`, `--symmetric Sigma`: a Greek name only a square matrix
    fits (a capital under a determinant or trace: that of a 1×1 is never what a lecturer
    writes; `det(alpha)` of a lowercase scalar stays the number)."""
    under = {(a.operand if isinstance(a, ast.Transpose) else a)
             for n in walk(expr) if isinstance(n, ast.Call) and n.func in REGISTRY
             and REGISTRY[n.func].shape == "square_to_scalar" for a in n.args}
    capitals = {n.name for n in under if isinstance(n, ast.Name) and n.name[0].isupper()}
    return frozenset(n for n in capitals | set(symmetric) if n in GREEK and n not in declared)


def guessable(names: list[ast.Name], declared: Mapping) -> list[str]:
    return [n.name for n in names if n.name in GREEK and not n.bold and n.name not in declared]


def scalar_notes(symbols: Mapping[str, Symbol]) -> list[str]:
    """For each Greek name read as a scalar only by default where a matrix fits too
    (tr(Sigma A)): what was assumed and the declaration that says otherwise."""
    return [f"{name} is read as a scalar, as Greek names are by default, though a matrix "
            f"fits too; if it is one, declare it: "
            f"{suggest('shape', declaration(s))}"
            for name, s in symbols.items() if s.reading is not None]


def declaration(symbol: Symbol) -> str:
    """NAME=DIMS of the matrix reading, as --shape takes it."""
    assert symbol.reading is not None
    return f"{symbol.name}={','.join(map(str, symbol.reading))}"
