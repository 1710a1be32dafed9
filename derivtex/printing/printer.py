"""The printer protocol: the structure of printed mathematics, for every notation.

`Printer` owns what does not depend on the notation: where parentheses go, how sums,
products and coefficients read, which deltas and sums an index tree holds (index trees
through its base `IndexPrinter`, index_printer.py). What a bold symbol, a transpose, a
fraction or a sum's limits look like is a notation primitive, overridden by
`LatexPrinter` (latex.py) and `TypstPrinter` (typst.py): adding a notation is one such
class plus its container templates.

Only validated names reach the output: identifiers of letters, digits and underscores,
and Greek names from a fixed list, so no input can smuggle a control sequence in.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

from ..engine import index as ix
from ..model.shapes import SCALAR, Shape, Shapes
from ..syntax import ast
from ..syntax.ast import is_number
from .index_printer import IndexPrinter
from .names import split_name
from .products import ones_of, power_of, scalars_in_front, split_coefficient

MINUS_ONE = ast.Number(Fraction(-1))


class Printer(IndexPrinter):
    """`names`: values shown under a short name (s for sigma(W x)); the names printed
    are collected in `used`, so each can be defined where it first appears.

    Subclasses set the notation's primitives (notation.py); everything here is shared
    structure."""

    jacobian_matrix: bool = False  # write the derivative out as its matrix of entries

    # -- names, numbers, shapes ------------------------------------------------
    def __init__(self, shapes: Shapes, names: dict[ast.Expr, str] | None = None) -> None:
        self.shapes = shapes
        self.names = names or {}
        self.used: set[str] = set()
        # expressions and index trees printed so far, by identity: a step's left side is
        # the one before's, its trees share subtrees and the result is shown in several
        # steps, so each is printed once per page (the names it uses were added to `used`
        # when it was first printed)
        self.printed: dict[int, tuple[ast.Expr | ix.Node, str]] = {}

    def name_parts(self, name: str) -> tuple[str, str]:
        """(base, subscript) in this notation: x1 -> (x, 1), foo -> upright foo."""
        letters, greek, sub = split_name(name)
        if greek:
            return self.greek(letters), ""
        return (self.upright(letters) if len(letters) > 1 else letters), sub

    def symbol(self, name: str, bold: bool) -> str:
        base, sub = self.name_parts(name)
        if bold:
            base = self.style(base, name)
        return self.sub(base, sub) if sub else base

    def number(self, value: Fraction) -> str:
        if value.denominator == 1:
            return str(value.numerator)
        return self.frac(str(value.numerator), str(value.denominator))

    def index_list(self, indices: tuple[ix.Idx, ...]) -> str:
        return self.index_names([i.name for i in indices])

    def dim(self, dim: str | int) -> str:
        return str(dim) if isinstance(dim, int) else self.symbol(dim, False)

    def shape(self, shape: Shape) -> str:
        return self.times([self.dim(d) for d in shape])

    def space(self, shape: Shape) -> str:
        """The set a symbol of `shape` lies in: R for a scalar, R^n for a column."""
        if shape == (1, 1):
            return self.reals
        return self.real_space(self.dim(shape[0]) if shape[1] == 1 else self.shape(shape))

    def transposed(self, base: str) -> str:
        return self.sup(base, self.transpose_mark)

    def derivative_of(self, wrt: str, body: str) -> str:
        return self.partial_of(wrt) + self.paren(body)

    def named(self, e: ast.Expr) -> str | None:
        if not self.names:  # hashing e walks all of it
            return None
        name = self.names.get(e)
        if name is not None:
            self.used.add(name)
        return name

    # -- matrix expressions ------------------------------------------------
    def math(self, value: ast.Expr | ix.Node | ix.Idx | Shape) -> str:
        """Any object a step record holds, in this notation: the templates' `math` filter."""
        if isinstance(value, ast.Expr):
            return self.expr(value)
        if isinstance(value, ix.Idx):
            return self.index_names([value.name])
        if isinstance(value, ix.Node):
            return self.index(value)
        if isinstance(value, tuple):
            return self.shape(value)
        raise TypeError(f"the math filter prints expressions, index trees, indices and "
                        f"shapes, not {type(value).__name__}")

    def expr(self, e: ast.Expr) -> str:
        return self.remembered(e, self.expr_text)

    def remembered(self, node: ast.Expr | ix.Node, print_once: Callable[[Any], str]) -> str:
        """What `node` printed as before (steps share subtrees), else `print_once(node)`."""
        hit = self.printed.get(id(node))
        if hit is not None and hit[0] is node:
            return hit[1]
        text = print_once(node)
        self.printed[id(node)] = (node, text)
        return text

    def expr_text(self, e: ast.Expr) -> str:
        name = self.named(e)
        if name is not None:
            return self.symbol(name, self.shapes(e) != SCALAR)
        if isinstance(e, ast.Name):
            return self.symbol(e.name, self.shapes(e) != SCALAR)
        if isinstance(e, ast.Number):
            return self.number(e.value)
        if isinstance(e, ast.Identity | ast.Ones | ast.Zero):
            return self.constant({ast.Identity: "I", ast.Ones: "1", ast.Zero: "0"}[type(e)])
        if isinstance(e, ast.Neg):
            inner = e.operand
            if isinstance(inner, ast.MatMul | ast.Number | ast.Neg):
                factors = inner.factors if isinstance(inner, ast.MatMul) else (inner,)
                return self.expr(ast.MatMul((MINUS_ONE, *factors)))
            return "-" + self.signed(inner)
        if isinstance(e, ast.Add):
            return self.joined([self.term(t, self.shapes(e)) for t in e.terms])
        if isinstance(e, ast.Hadamard):
            scaled = scalars_in_front(e.factors, lambda f: self.shapes(f) == SCALAR)
            if scaled is not None:  # of scalars a plain product, s^2, not s ⊙ s
                return self.matmul(scaled)
            out = (" %s " % self.hadamard_op).join(
                self.signed(f) for f in e.factors if not self.is_reciprocal(f, entrywise=True))
            return (out or self.constant("1")) + "".join(
                " %s %s" % (self.hadamard_divide_op, self.factor(f.args[0])) for f in e.factors
                if isinstance(f, ast.Call) and self.is_reciprocal(f, entrywise=True))
        if isinstance(e, ast.MatMul):
            return self.matmul(e)
        if isinstance(e, ast.Transpose):
            inner = e.operand
            if isinstance(inner, ast.Call) and inner.func == "inv" and \
                    power_of(inner.args[0]) is None:
                return self.sup(self.atom(inner.args[0]), self.inverse_transpose_mark)
            return self.sup(self.atom(inner), self.transpose_mark)
        if isinstance(e, ast.Norm2):
            return self.norm(self.expr(e.operand), e.subscript, "2")
        if isinstance(e, ast.Call):
            return self.call(e)
        raise TypeError(e)

    @staticmethod
    def joined(terms: list[str]) -> str:
        out = terms[0]
        for text in terms[1:]:
            out += (" - " + text[1:]) if text.startswith("-") else (" + " + text)
        return out

    def matmul(self, e: ast.MatMul) -> str:
        coeff, rest = split_coefficient(self.scalar_factors(e.factors))
        if not rest:
            return self.number(coeff)
        sign = "-" if coeff < 0 else ""
        lead = [self.number(abs(coeff))] if abs(coeff) != 1 else []
        over = [f for f in rest if isinstance(f, ast.Call) and self.is_reciprocal(f)]
        scalar = len(over) == 1 and self.shapes(e) == SCALAR
        above = len(over) == 1 and any(self.shapes(f) == SCALAR for f in rest if f is not over[0])
        if len(over) == 1 and (lead or scalar or above):
            return sign + self.quotient(abs(coeff), [f for f in rest if f is not over[0]],
                                        over[0], scalar)
        if len(rest) == 1 and not lead:
            return sign + (self.factor(rest[0]) if sign else self.expr(rest[0]))
        return sign + self.product_of(lead, rest)

    def product_of(self, lead: list[str], factors: list[ast.Expr]) -> str:
        return " ".join(lead + [self.sup(self.atom(f), str(n)) if n > 1 else self.factor(f)
                                for f, n in self.powers(factors)])

    def quotient(self, size: Fraction, rest: list[ast.Expr], over: ast.Call,
                 scalar: bool) -> str:
        """A product with one reciprocal of a scalar as a lecturer writes it: a scalar
        product is one fraction, (x^T x)/(2 alpha^2); otherwise the number joins the
        reciprocal, 2/alpha^3 x, and scalars join the number above the line."""
        arg = over.args[0]
        if isinstance(arg, ast.MatMul):  # 8 / (16 alpha^2) is 1 / (2 alpha^2)
            inside, others = split_coefficient(arg.factors)
            size /= inside
            arg = others[0] if len(others) == 1 else ast.MatMul(tuple(others))
        below = self.expr(arg) if size.denominator == 1 else \
            self.number(Fraction(size.denominator)) + " " + (
                self.expr(arg) if isinstance(arg, ast.MatMul) else self.factor(arg))
        numerator = [str(size.numerator)] if size.numerator != 1 or not rest else []
        if scalar:
            above = self.expr(rest[0]) if len(rest) == 1 and not numerator else \
                self.product_of(numerator, rest)
            return self.frac(above, below)
        scalars = [f for f in rest if self.shapes(f) == SCALAR]
        if scalars:  # (x^T A x)/(x^T x) x^T: the scalars above the line, the matrices after
            above = self.expr(scalars[0]) if len(scalars) == 1 and not numerator else \
                self.product_of(numerator, scalars)
            return self.product_of([self.frac(above, below)],
                                   [f for f in rest if self.shapes(f) != SCALAR])
        return self.product_of([self.frac(str(size.numerator), below)], rest)

    def reciprocal_prime(self, base: str) -> str:
        """(1/u)' at u: -1/u^2, bracketed, for it stands inside a product."""
        return self.paren("-" + self.frac("1", self.sup(base, "2")))

    def is_reciprocal(self, e: ast.Expr, entrywise: bool = False) -> bool:
        """1/u of a scalar u (`entrywise`: 1 ⊘ u of a vector or matrix), not a page name."""
        return isinstance(e, ast.Call) and e.func == "recip" and e not in self.names and \
            (self.shapes(e.args[0]) != SCALAR) == entrywise

    def scalar_factors(self, factors: tuple[ast.Expr, ...]) -> tuple[ast.Expr, ...]:
        """An elementwise product of scalars is a plain product: its factors join the
        product around it (-(x^T A x) (s ⊙ s) reads -(x^T A x) s^2)."""
        out: list[ast.Expr] = []
        for f in factors:
            if isinstance(f, ast.Hadamard) and self.shapes(f) == SCALAR:
                out.extend(self.scalar_factors(f.factors))
            else:
                out.append(f)
        return tuple(out)

    def powers(self, factors: list[ast.Expr]) -> list[tuple[ast.Expr, int]]:
        """Equal neighbouring scalars as a power (s s -> s^2); names as plain.runs does."""
        out: list[tuple[ast.Expr, int]] = []
        for f in factors:
            if out and out[-1][0] == f and (isinstance(f, ast.Name)
                                            or self.shapes(f) == SCALAR):
                out[-1] = (f, out[-1][1] + 1)
            else:
                out.append((f, 1))
        return out

    def call(self, e: ast.Call) -> str:
        arg = e.args[0]
        if e.func == "inv":
            power = power_of(arg)
            if power is not None:  # (A A)^{-1} is A^{-2}
                return self.sup(self.atom(power[0]), "-%d" % power[1])
            return self.sup(self.atom(arg), self.inverse_mark)
        if e.func == "sqrt" and isinstance(arg, ast.Norm2):  # ||x||, as typed
            return self.norm(self.expr(arg.operand), arg.subscript, "")
        if e.func == "recip":
            if self.shapes(arg) == SCALAR:
                return self.frac("1", self.expr(arg))
            return "%s %s %s" % (self.constant("1"), self.hadamard_divide_op, self.factor(arg))
        if e.func == "drecip":
            return self.reciprocal_prime(self.atom(arg))
        if e.func == "log" and isinstance(arg, ast.Call) and arg.func == "det" \
                and arg not in self.names:
            return self.log_det(self.expr(arg.args[0]))
        return self.function(e.func, self.expr(arg))

    def term(self, e: ast.Expr, shape: Shape) -> str:
        """A term of a sum; a scalar in a sum of vectors times the ones: 1 - s, (x^T a) 1."""
        if shape == SCALAR or self.shapes(e) != SCALAR:
            return self.expr(e)
        if isinstance(e, ast.Neg):
            return "-" + self.term(e.operand, shape)
        ones = " ".join(self.expr(f) for f in ones_of(shape))
        return ones if e == ast.Number(Fraction(1)) else (
            self.expr(e) if is_number(e) else self.factor(e)) + ones

    def signed(self, e: ast.Expr) -> str:
        """After a minus sign: only sums need parentheses."""
        if isinstance(e, ast.Add | ast.Neg):
            return self.paren(self.expr(e))
        return self.expr(e)

    def factor(self, e: ast.Expr) -> str:
        """As a factor of a product: sums in parentheses."""
        if isinstance(e, ast.Add | ast.Neg | ast.MatMul | ast.Hadamard) or \
                self.is_reciprocal(e, entrywise=True):
            return self.paren(self.expr(e))
        return self.expr(e)

    def atom(self, e: ast.Expr) -> str:
        """As the base of a superscript: what already carries one (X^{-1}, ||x||^2) is
        bracketed, or TeX would read a double superscript."""
        raised = isinstance(e, ast.Norm2) or (isinstance(e, ast.Call) and e.func in (
            "inv", "recip", "drecip") and e not in self.names)  # X^{-1}, 1/u, -1/u^2
        if isinstance(e, ast.Name | ast.Identity | ast.Ones | ast.Call) and not raised:
            return self.expr(e)
        return self.paren(self.expr(e))
