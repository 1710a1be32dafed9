"""LaTeX for matrix expressions and index trees.

Only validated names reach the output: identifiers of letters, digits and underscores,
and Greek names from a fixed list, so no input can smuggle a control sequence in.
"""

from __future__ import annotations

import re
from fractions import Fraction

from . import ast
from . import index as ix
from .functions import LATEX as FUNCTIONS
from .model import SCALAR, Shapes, is_number
from .parser import GREEK
from .plain import runs

_NAME = re.compile(r"([A-Za-z]+?)_?([0-9]*)(?:_([A-Za-z0-9_]*))?")


def name_parts(name: str) -> tuple[str, str]:
    """(base, subscript) in LaTeX: x1 -> (x, 1), alpha -> (\\alpha, ''), foo -> \\mathrm{foo}."""
    if name in GREEK:
        return "\\" + name, ""
    match = _NAME.fullmatch(name)
    if match is None or not match.group(1):
        raise ValueError(f"not a valid name: {name!r}")
    base, digits, rest = match.group(1), match.group(2), match.group(3) or ""
    if not re.fullmatch(r"[A-Za-z0-9_]*", rest):
        raise ValueError(f"not a valid name: {name!r}")
    if len(base) > 1:
        base = r"\mathrm{%s}" % base
    sub = ",".join(p for p in (digits, rest.replace("_", ",")) if p)
    return base, sub


def symbol(name: str, bold: bool) -> str:
    base, sub = name_parts(name)
    if bold:
        base = r"\boldsymbol{%s}" % base
    return base + ("_{%s}" % sub if sub else "")


def number(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return r"\frac{%d}{%d}" % (value.numerator, value.denominator)


def index_list(indices: tuple[ix.Idx, ...]) -> str:
    names = [i.name for i in indices]
    return ("" if all(len(n) == 1 for n in names) else ",").join(names)


MINUS_ONE = ast.Number(Fraction(-1))


def split_coefficient(factors: tuple[ast.Expr, ...]) -> tuple[Fraction, list[ast.Expr]]:
    """Numbers and signs of a product gathered into one coefficient, as a lecturer writes
    them: (-1) 1/2 x -> -1/2 x, never a mixed number."""
    coeff = Fraction(1)
    rest: list[ast.Expr] = []
    for f in factors:
        while isinstance(f, ast.Neg):
            coeff, f = -coeff, f.operand
        if isinstance(f, ast.Number):
            coeff *= f.value
        else:
            rest.append(f)
    return coeff, rest


class LatexPrinter:
    """`names`: values shown under a short name (s for sigma(W x)); the names printed
    are collected in `used`, so each can be defined where it first appears."""

    def __init__(self, shapes: Shapes, names: dict[ast.Expr, str] | None = None) -> None:
        self.shapes = shapes
        self.names = names or {}
        self.used: set[str] = set()

    def named(self, e: ast.Expr) -> str | None:
        name = self.names.get(e)
        if name is not None:
            self.used.add(name)
        return name

    # -- matrix expressions ------------------------------------------------
    def expr(self, e: ast.Expr) -> str:
        name = self.named(e)
        if name is not None:
            return symbol(name, self.shapes(e) != SCALAR)
        if isinstance(e, ast.Name):
            return symbol(e.name, self.shapes(e) != SCALAR)
        if isinstance(e, ast.Number):
            return number(e.value)
        if isinstance(e, ast.Identity):
            return r"\boldsymbol{I}"
        if isinstance(e, ast.Ones):
            return r"\boldsymbol{1}"
        if isinstance(e, ast.Zero):
            return r"\boldsymbol{0}"
        if isinstance(e, ast.Neg):
            inner = e.operand
            if isinstance(inner, ast.MatMul | ast.Number | ast.Neg):
                factors = inner.factors if isinstance(inner, ast.MatMul) else (inner,)
                return self.expr(ast.MatMul((MINUS_ONE, *factors)))
            return "-" + self.signed(inner)
        if isinstance(e, ast.Add):
            ones = self.shapes(e) != SCALAR
            out = self.term(e.terms[0], ones)
            for term in e.terms[1:]:
                text = self.term(term, ones)
                out += (" - " + text[1:]) if text.startswith("-") else (" + " + text)
            return out
        if isinstance(e, ast.Hadamard):
            return r" \odot ".join(self.signed(f) for f in e.factors)
        if isinstance(e, ast.MatMul):
            coeff, rest = split_coefficient(e.factors)
            if not rest:
                return number(coeff)
            sign = "-" if coeff < 0 else ""
            lead = [number(abs(coeff))] if abs(coeff) != 1 else []
            if len(rest) == 1 and not lead:
                return sign + (self.factor(rest[0]) if sign else self.expr(rest[0]))
            return sign + r" ".join(lead + [
                "%s^{%d}" % (self.factor(f), n) if n > 1 else self.factor(f)
                for f, n in runs(tuple(rest))])
        if isinstance(e, ast.Transpose):
            inner = e.operand
            if isinstance(inner, ast.Call) and inner.func == "inv":
                return self.atom(inner.args[0]) + r"^{-\top}"
            return self.atom(inner) + r"^{\top}"
        if isinstance(e, ast.Norm2):
            return r"\lVert %s \rVert^{2}" % self.expr(e.operand)
        if isinstance(e, ast.Call):
            arg = e.args[0]
            if e.func == "inv":
                return self.atom(arg) + "^{-1}"
            if e.func == "recip":
                if self.shapes(arg) == SCALAR:
                    return r"\frac{1}{%s}" % self.expr(arg)
                return self.atom(arg) + r"^{\circ -1}"
            if e.func == "log" and isinstance(arg, ast.Call) and arg.func == "det" \
                    and arg not in self.names:
                return r"\log\det\left(%s\right)" % self.expr(arg.args[0])
            return FUNCTIONS[e.func] % self.expr(arg)
        raise TypeError(e)

    def term(self, e: ast.Expr, ones: bool) -> str:
        """A term of a sum; a number in a sum of vectors is that multiple of the ones."""
        if ones and isinstance(e, ast.Number) and e.value == 1:
            return r"\boldsymbol{1}"
        if ones and is_number(e):
            return self.expr(e) + r"\boldsymbol{1}"
        return self.expr(e)

    def signed(self, e: ast.Expr) -> str:
        """After a minus sign: only sums need parentheses."""
        if isinstance(e, ast.Add | ast.Neg):
            return r"\left(%s\right)" % self.expr(e)
        return self.expr(e)

    def factor(self, e: ast.Expr) -> str:
        """As a factor of a product: sums in parentheses."""
        if isinstance(e, ast.Add | ast.Neg | ast.MatMul | ast.Hadamard):
            return r"\left(%s\right)" % self.expr(e)
        return self.expr(e)

    def atom(self, e: ast.Expr) -> str:
        """As the base of a superscript."""
        if isinstance(e, ast.Name | ast.Identity | ast.Ones | ast.Call | ast.Norm2):
            return self.expr(e)
        return r"\left(%s\right)" % self.expr(e)

    # -- index trees --------------------------------------------------------
    def entry(self, e: ix.Entry) -> str:
        indices = index_list(e.indices())
        if isinstance(e.expr, ast.Identity) and e.row is not None and e.col is not None:
            return self.index(ix.Delta(e.row, e.col))
        if isinstance(e.expr, ast.Ones):
            return "1"
        name = self.named(e.expr)
        if name is not None or isinstance(e.expr, ast.Name):
            base, sub = name_parts(name or e.expr.name)  # type: ignore[union-attr]
            if not indices:
                return symbol(name or e.expr.name, False)  # type: ignore[union-attr]
            if sub:
                return r"(%s_{%s})_{%s}" % (base, sub, indices)
            return "%s_{%s}" % (base, indices)
        if not indices:
            return r"\left(%s\right)" % self.expr(e.expr)
        return r"\left[%s\right]_{%s}" % (self.expr(e.expr), indices)

    def index(self, node: ix.Node) -> str:
        if isinstance(node, ix.Const):
            return number(node.value)
        if isinstance(node, ix.Entry):
            return self.entry(node)
        if isinstance(node, ix.Delta):
            return r"\delta_{%s}" % index_list((node.first, node.second))
        if isinstance(node, ix.Sum):
            limits = "".join(r"\sum_{%s=1}^{%s}" % (i.name, dim_latex(i.dim))
                             for i in node.indices)
            inner = node.body
            lead = ""
            if isinstance(inner, ix.Prod) and isinstance(inner.factors[0], ix.Const) and \
                    len(inner.factors) > 1:  # numbers in front of the sum: 2 sum_k ...
                value = inner.factors[0].value
                lead = ("-" if value < 0 else "") + (
                    number(abs(value)) + " " if abs(value) != 1 else "")
                rest = inner.factors[1:]
                inner = rest[0] if len(rest) == 1 else ix.Prod(rest)
            body = self.index_factor(inner, in_sum=True)
            if body.startswith("-"):  # the sign in front of the sum: - sum_p (1 - y_p) ...
                lead, body = ("" if lead.startswith("-") else "-") + lead.lstrip("-"), body[1:]
            return lead + limits + " " + body
        if isinstance(node, ix.Add):
            out = self.index(node.terms[0])
            for term in node.terms[1:]:
                text = self.index(term)
                out += (" - " + text[1:]) if text.startswith("-") else (" + " + text)
            return out
        if isinstance(node, ix.Prod):
            return self.product(node.factors)
        if isinstance(node, ix.Apply):
            return FUNCTIONS[node.func] % self.index(node.arg)
        if isinstance(node, ix.Deriv):
            return self.derivative(node)
        raise TypeError(node)

    def product(self, factors: tuple[ix.Node, ...]) -> str:
        parts: list[str] = []
        sign = ""
        items = list(factors)
        if items and isinstance(items[0], ix.Const):
            value = items.pop(0).value
            if value < 0:
                sign, value = "-", -value
            if value != 1 or not items:
                parts.append(number(value))
        rendered = [self.index_factor(f) for f in items]
        k = 0
        while k < len(rendered):
            run = 1
            while k + run < len(rendered) and rendered[k + run] == rendered[k]:
                run += 1
            parts.append(rendered[k] if run == 1 else r"%s^{%d}" % (rendered[k], run))
            k += run
        return sign + r" ".join(parts)

    def index_factor(self, node: ix.Node, in_sum: bool = False) -> str:
        text = self.index(node)
        if isinstance(node, ix.Add) or (isinstance(node, ix.Sum) and not in_sum):
            return r"\left(%s\right)" % text
        return text

    def derivative(self, node: ix.Deriv) -> str:
        wrt = self.entry(node.wrt)
        if isinstance(node.body, ix.Entry):
            return r"\frac{\partial %s}{\partial %s}" % (self.entry(node.body), wrt)
        return r"\frac{\partial}{\partial %s}\left(%s\right)" % (wrt, self.index(node.body))


def dim_latex(dim: str | int) -> str:
    if isinstance(dim, int):
        return str(dim)
    base, sub = name_parts(dim)
    return base + ("_{%s}" % sub if sub else "")
