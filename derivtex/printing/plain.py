"""Results as text in the input language and as a numpy expression."""

from __future__ import annotations

import keyword
from collections.abc import Mapping
from fractions import Fraction

from ..engine.expand import product_groups
from ..model.functions import REGISTRY
from ..model.shapes import Shapes, Symbol
from ..syntax import ast


def number_text(value: Fraction) -> str:
    """As a lecturer writes it: 1/2, never 0.5 (the parser reads 1/2 back)."""
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value.numerator}/{value.denominator}"


def text(e: ast.Expr) -> str:
    """In the input language: `2 (A x - b)^T A`."""
    if isinstance(e, ast.Name):
        return e.name
    if isinstance(e, ast.Number):
        return number_text(e.value)
    if isinstance(e, ast.Identity):
        return "I"
    if isinstance(e, ast.Ones):
        return "1"
    if isinstance(e, ast.Zero):
        return "0"
    if isinstance(e, ast.Neg):
        return "-" + _text_signed(e.operand)
    if isinstance(e, ast.Add):
        out = text(e.terms[0])
        for term in e.terms[1:]:
            if isinstance(term, ast.Neg):
                out += " - " + _text_signed(term.operand)
            else:
                out += " + " + text(term)
        return out
    if isinstance(e, ast.MatMul):
        if isinstance(e.factors[0], ast.Ones) and len(e.factors) > 1:
            # "1 y^T" would read back as the number 1 times y^T: (1^T)^T is only a vector
            rest = text(ast.MatMul(e.factors[1:])) if len(e.factors) > 2 \
                else _text_factor(e.factors[1])
            return "(1^T)^T " + rest
        return " ".join(f"{_text_factor(f)}^{n}" if n > 1 else _text_factor(f)
                        for f, n in runs(e.factors))
    if isinstance(e, ast.Hadamard):
        return " .* ".join(_text_signed(f) for f in e.factors)
    if isinstance(e, ast.Transpose):
        inner = e.operand
        return (text(inner) if isinstance(inner, ast.Name | ast.Call | ast.Ones) else
                "(%s)" % text(inner)) + "^T"
    if isinstance(e, ast.Norm2):
        return "||%s||^2" % text(e.operand)
    if isinstance(e, ast.Call):
        return "%s(%s)" % (e.func, text(e.args[0]))
    raise TypeError(e)


def runs(factors: tuple[ast.Expr, ...]) -> list[tuple[ast.Expr, int]]:
    """Repeated scalar names as powers: alpha alpha -> alpha^2."""
    out: list[tuple[ast.Expr, int]] = []
    for f in factors:
        if out and isinstance(f, ast.Name) and out[-1][0] == f:
            out[-1] = (f, out[-1][1] + 1)
        else:
            out.append((f, 1))
    return out


def _text_signed(e: ast.Expr) -> str:
    """After a minus sign: only sums need parentheses."""
    return "(%s)" % text(e) if isinstance(e, ast.Add | ast.Neg) else text(e)


def _text_factor(e: ast.Expr) -> str:
    if isinstance(e, ast.Add | ast.Neg | ast.MatMul | ast.Hadamard):
        return "(%s)" % text(e)
    return text(e)




class NumpyPrinter:
    """A Python expression over `np` and the symbol names (keywords get a trailing _)."""

    def __init__(self, symbols: Mapping[str, Symbol], shapes: Shapes) -> None:
        self.shapes = shapes
        self.sizes: dict[str | int, str] = {}
        for sym in symbols.values():
            for axis, dim in enumerate(sym.shape):
                if isinstance(dim, str):
                    self.sizes.setdefault(dim, f"{py_name(sym.name)}.shape[{axis}]")

    def __call__(self, e: ast.Expr) -> str:
        if isinstance(e, ast.Name):
            return py_name(e.name)
        if isinstance(e, ast.Number):
            v = e.value
            return str(v.numerator) if v.denominator == 1 else repr(float(v))
        if isinstance(e, ast.Identity):
            assert e.dim is not None
            return f"np.eye({self.size(e.dim)})"
        if isinstance(e, ast.Ones):
            assert e.dim is not None
            return f"np.ones(({self.size(e.dim)}, 1))"
        if isinstance(e, ast.Zero):
            return f"np.zeros(({self.size(e.rows)}, {self.size(e.cols)}))"
        if isinstance(e, ast.Neg):
            return f"(-{self.atom(e.operand)})"
        if isinstance(e, ast.Add):
            return "(" + " + ".join(self(t) for t in e.terms) + ")"
        if isinstance(e, ast.MatMul):
            scalars, chain = product_groups(e.factors, self.shapes)
            parts = [self.chain(g) for g in scalars] + ([self.chain(chain)] if chain else [])
            return "(" + " * ".join(parts) + ")"
        if isinstance(e, ast.Hadamard):
            return "(" + " * ".join(self.atom(f) for f in e.factors) + ")"
        if isinstance(e, ast.Transpose):
            return self.atom(e.operand) + ".T"
        if isinstance(e, ast.Norm2):
            return f"np.sum({self.atom(e.operand)} ** 2)"
        if isinstance(e, ast.Call):
            return REGISTRY[e.func].numpy_text(self.atom(e.args[0]))
        raise TypeError(e)

    def size(self, dim: str | int) -> str:
        return str(dim) if isinstance(dim, int) else self.sizes[dim]

    def chain(self, factors: list[ast.Expr]) -> str:
        if len(factors) == 1:
            return self.atom(factors[0])
        return "(" + " @ ".join(self.atom(f) for f in factors) + ")"

    def atom(self, e: ast.Expr) -> str:
        out = self(e)
        if isinstance(e, ast.Name | ast.Call | ast.Number) or out.startswith("("):
            return out
        return f"({out})"


def py_name(name: str) -> str:
    return name + "_" if keyword.iskeyword(name) else name
