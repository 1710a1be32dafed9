"""The expression as read before it is derived: parsed from text or LaTeX, its names
checked to print distinctly, a variable hidden in a glued name pointed out, a row vector
turned into its column. Split out of api.py to keep it short; api.py re-exports
`parse_expression`."""

from __future__ import annotations

from collections.abc import Mapping

from .engine.algebra import Algebra
from .errors import ParseError, quote
from .model.declarations import split_glued
from .model.shapes import Shapes, Symbol
from .printing.names import split_name
from .syntax import ast
from .syntax.ast import walk


def parse_expression(expression: str, declared: frozenset[str]) -> ast.Expr:
    """Text or LaTeX (anything with a backslash) into the expression tree."""
    from .model.answer import parse_source

    return parse_source(expression, declared)


def column_of(parsed: ast.Expr, symbols: Mapping[str, Symbol], wrt: str) -> ast.Expr:
    """A row vector differentiated by a vector has the Jacobian of its column (layout rule):
    x^T A is derived as A^T x."""
    rows, cols = Shapes(symbols)(parsed)
    if rows == 1 and cols != 1 and symbols[wrt].kind == "vector":
        return Algebra(Shapes(symbols)).transpose(parsed)
    return parsed


def glued_with(parsed: ast.Expr, wrt: str) -> str:
    """`Xw` read as one name: say how to write the product instead."""
    for node in walk(parsed):
        if isinstance(node, ast.Name) and wrt in (split_glued(node.name) or []):
            return f"; put a space between names: {' '.join(split_glued(node.name) or [])}"
    return ""


def check_names(parsed: ast.Expr, symbols: Mapping[str, Symbol]) -> None:
    """Every name must print, and two different names must never print alike
    (`A1` and `A_1` are both A with subscript 1)."""
    first_col: dict[str, int | None] = {}
    for node in walk(parsed):
        if isinstance(node, ast.Name):
            first_col.setdefault(node.name, node.col or None)
    printed: dict[tuple[str, bool, str], str] = {}
    for name in symbols:
        try:
            shown = split_name(name)
        except ValueError:
            raise ParseError(f"{quote(name)} is not a name derivtex can print: use "
                             "letters, then digits, then _ and letters or digits",
                             first_col.get(name)) from None
        other = printed.setdefault(shown, name)
        if other != name:
            raise ParseError(f"{quote(other)} and {quote(name)} would print alike; "
                             "use one spelling", first_col.get(name))
