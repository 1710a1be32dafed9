"""Results as text in the input language and as a numpy expression."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from ..engine.expand import product_groups
from ..functions import REGISTRY
from ..model.shapes import SCALAR, Shapes, Symbol
from ..syntax import ast
from ..syntax.ast import python_name
from ..syntax.parser import MAX_POWER
from .products import ones_of, scalars_in_front


def number_text(value: Fraction) -> str:
    """As a lecturer writes it: 1/2, never 0.5 (the parser reads 1/2 back)."""
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value.numerator}/{value.denominator}"


def text(e: ast.Expr, shapes: Shapes | None = None) -> str:
    """In the input language: `2 (A x - b)^T A`. Reciprocals are divisions, never the
    internal recip(.): of a vector or matrix elementwise, `1 ./ x`, `a ./ (1 + x)`; with
    `shapes`, of a scalar as lecturers write them (`x^T / (x^T x)`, `a^T / (a^T x)^2`)."""
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
        return "-" + _text_signed(e.operand, shapes)
    if isinstance(e, ast.Add):
        e = _ones_written(e, shapes)
        out = text(e.terms[0], shapes)
        for term in e.terms[1:]:
            if isinstance(term, ast.Neg):
                out += " - " + _text_signed(term.operand, shapes)
            else:
                out += " + " + text(term, shapes)
        return out
    if isinstance(e, ast.MatMul) or divisors(e, shapes) or _is_scalar_hadamard(e, shapes):
        return _text_quotient(e.factors if isinstance(e, ast.MatMul | ast.Hadamard) else (e,),
                              shapes)
    scaled = scalars_in_front(e.factors, lambda f: shapes(f) == SCALAR) \
        if isinstance(e, ast.Hadamard) and shapes is not None else None
    if scaled is not None:  # s .* (1 + x^T x) is (1 + x^T x) s
        return text(scaled, shapes)
    if isinstance(e, ast.Hadamard):
        above = [f for f in e.factors if not _is_entrywise_reciprocal(f, shapes)]
        below = [f for f in e.factors if _is_entrywise_reciprocal(f, shapes)]
        out = " .* ".join(_text_signed(f, shapes) for f in above) or "1"
        return out + "".join(" ./ " + _text_bare(f.args[0], shapes) for f in below
                             if isinstance(f, ast.Call))
    if isinstance(e, ast.Transpose):
        return _text_bare(e.operand, shapes, ones=True) + "^T"
    if isinstance(e, ast.Norm2):
        return _text_norm(e, shapes) + "^2"
    if isinstance(e, ast.Call) and e.func == "sqrt" and isinstance(e.args[0], ast.Norm2):
        return _text_norm(e.args[0], shapes)
    if isinstance(e, ast.Call) and e.func == "recip":
        return "1 ./ " + _text_bare(e.args[0], shapes)
    if isinstance(e, ast.Call):
        return "%s(%s)" % (e.func, text(e.args[0], shapes))
    raise TypeError(e)


def _text_norm(e: ast.Norm2, shapes: Shapes | None) -> str:
    """||x||, with its subscript as typed: sqrt(||x||^2) is the norm the user wrote."""
    operand = text(e.operand, shapes)
    # a norm ending the operand (a / ||x||) would take the closing bars as its own
    bars = ("||(%s)||" if operand.endswith("||") else "||%s||") % operand
    return bars + ("_" + e.subscript if e.subscript else "")


def _ones_written(e: ast.Add, shapes: Shapes | None) -> ast.Add:
    """A scalar term of a sum of vectors or matrices stands for that multiple of the ones,
    written so the parser reads it back: a number in a sum of columns bare (1 - s), any
    other scalar c times the ones, (1^T)^T c in a column, c 1^T in a row, (1^T)^T c 1^T
    in a matrix (every entry c)."""
    if shapes is None or shapes(e) == SCALAR:
        return e
    rows, cols = shapes(e)

    def written(t: ast.Expr) -> ast.Expr:
        if isinstance(t, ast.Neg):
            return ast.Neg(written(t.operand))
        if shapes(t) != SCALAR or (cols == 1 and isinstance(t, ast.Number)):
            return t
        ones = ones_of((rows, cols))
        left = ones[:1] if rows != 1 else []  # (1^T)^T c, c 1^T, (1^T)^T c 1^T
        factors = left + [t] * (t != ast.Number(Fraction(1))) + ones[len(left):]
        return factors[0] if len(factors) == 1 else ast.MatMul(tuple(factors))

    return ast.Add(tuple(written(t) for t in e.terms))


def _is_entrywise_reciprocal(e: ast.Expr, shapes: Shapes | None) -> bool:
    """1 ./ u, written with `./`: a reciprocal that is not a division by a scalar."""
    return isinstance(e, ast.Call) and e.func == "recip" and not divisors(e, shapes)


def _text_bare(e: ast.Expr, shapes: Shapes | None, ones: bool = False) -> str:
    """`e` where an operator follows or precedes it tightly (x^T, ./ x): a name or a
    function value as it is (with `ones`, 1 too: 1^T), anything else in parentheses."""
    bare = (isinstance(e, ast.Name | ast.Call) or (ones and isinstance(e, ast.Ones))) and \
        not divisors(e, shapes) and not _is_entrywise_reciprocal(e, shapes)
    return text(e, shapes) if bare else "(%s)" % text(e, shapes)


def divisors(e: ast.Expr, shapes: Shapes | None) -> list[ast.Expr] | None:
    """The scalars `e` is the reciprocal of (recip(u) .* recip(u) is 1/(u u)), or None:
    recip and inv of a scalar are a division."""
    if shapes is None:
        return None
    if isinstance(e, ast.Call) and e.func in ("recip", "inv") and shapes(e.args[0]) == SCALAR:
        arg = e.args[0]
        if isinstance(arg, ast.MatMul) and all(shapes(f) == SCALAR for f in arg.factors):
            return list(arg.factors)  # 1/(u u) is 1/u^2
        return [arg]
    if isinstance(e, ast.Hadamard):
        parts = [divisors(f, shapes) for f in e.factors]
        return None if None in parts else [d for part in parts if part for d in part]
    return None


def _text_quotient(factors: tuple[ast.Expr, ...], shapes: Shapes | None) -> str:
    """A product with its scalar reciprocals written as divisors at its end (scalars
    commute): `x^T (A + A^T) / (x^T x)`, repeated ones as a power, `/ (x^T x)^2`, a
    fraction's denominator with them, `x^T / (2 sqrt(x^T x))`. A 1x1 ones vector is 1."""
    below: list[tuple[ast.Expr, int]] = []
    above: list[ast.Expr] = []
    scale = Fraction(1)  # numbers among the divisors: 1/(2 alpha^2) is / (2 alpha^2)
    for f in _spread(factors, shapes):
        of = divisors(f, shapes)
        if of is None and not (isinstance(f, ast.Ones) and f.dim == 1):
            above.append(f)
        for d in of or ():
            if isinstance(d, ast.Number):
                scale *= d.value
                continue
            at = next((i for i, (b, _) in enumerate(below) if b == d), None)
            if at is None:
                below.append((d, 1))
            else:
                below[at] = (d, below[at][1] + 1)
    if scale != 1:  # one number in front: 2/3 x^T / alpha, not 2 x^T 1/3 / alpha
        value = Fraction(1) / scale
        for f in above:
            value *= f.value if isinstance(f, ast.Number) else 1
        above = [ast.Number(value)] * (value != 1) + [f for f in above
                                                      if not isinstance(f, ast.Number)]
    if not below:
        return _text_product(tuple(above), shapes) if above else "1"
    fraction = next((f for f in above if isinstance(f, ast.Number) and f.value.denominator > 1),
                    None)
    if fraction is not None:
        numerator = ast.Number(Fraction(fraction.value.numerator))
        above = [numerator if f is fraction else f for f in above
                 if f is not fraction or numerator.value != 1 or len(above) == 1]
    if not above:
        out = "1"
    elif len(above) > 1:
        out = _text_product(tuple(above), shapes)
    else:
        out = "(1^T)^T" if isinstance(above[0], ast.Ones) else _text_factor(above[0], shapes)
    number = fraction.value.denominator if fraction is not None else 1
    for base, power in below:
        atom = _text_divisor(base, shapes)
        while power > 0:
            step = min(power, MAX_POWER)
            divisor = f"{atom}^{step}" if step > 1 else atom
            out += " / " + (f"({number} {divisor})" if number > 1 else divisor)
            number, power = 1, power - step
    return out


def _text_divisor(e: ast.Expr, shapes: Shapes | None) -> str:
    """A divisor as one factor the parser reads after '/': ||x|| for sqrt(||x||^2)."""
    if isinstance(e, ast.Name | ast.Call):
        return text(e, shapes)
    return "(%s)" % text(e, shapes)


def _text_product(factors: tuple[ast.Expr, ...], shapes: Shapes | None) -> str:
    if len(factors) == 1:
        return text(factors[0], shapes)
    number, reciprocal = factors[0], factors[-1]
    if len(factors) == 2 and isinstance(number, ast.Number) and \
            isinstance(reciprocal, ast.Call) and _is_entrywise_reciprocal(reciprocal, shapes):
        p, q = number.value.numerator, number.value.denominator  # 2 ./ x, 1 ./ (2 sqrt(x))
        divisor = reciprocal.args[0] if q == 1 else ast.MatMul((ast.Number(Fraction(q)),
                                                                reciprocal.args[0]))
        return f"{p} ./ {_text_bare(divisor, shapes)}"
    if isinstance(factors[0], ast.Ones):
        # "1 y^T" would read back as the number 1 times y^T: (1^T)^T is only a vector
        rest = _text_product(factors[1:], shapes) if len(factors) > 2 \
            else _text_factor(factors[1], shapes)
        return "(1^T)^T " + rest
    out: list[str] = []
    for f, n in runs(factors, shapes):  # alpha 1 would read back as alpha: alpha (1^T)^T
        leads = isinstance(f, ast.Ones) and shapes is not None and \
            all(shapes(g) == SCALAR for g in factors[:factors.index(f)])
        out.append("(1^T)^T" if leads else _text_power(f, n, shapes))
    return " ".join(out)


def runs(factors: tuple[ast.Expr, ...], shapes: Shapes | None = None
         ) -> list[tuple[ast.Expr, int]]:
    """Repeated scalar names as powers: alpha alpha -> alpha^2; with `shapes`, any
    repeated scalar, as the LaTeX shows it: (x^T A x) (x^T A x) -> (x^T A x)^2."""
    out: list[tuple[ast.Expr, int]] = []
    for f in factors:
        if out and out[-1][0] == f and out[-1][1] < MAX_POWER and (
                isinstance(f, ast.Name) or (shapes is not None and shapes(f) == SCALAR)):
            out[-1] = (f, out[-1][1] + 1)
        else:
            out.append((f, 1))
    return out


def _text_power(e: ast.Expr, power: int, shapes: Shapes | None) -> str:
    """A factor raised as the parser reads it back: what carries its own power or
    operator (||x||^2, x^T) is bracketed first."""
    if power == 1:
        return _text_factor(e, shapes)
    return "%s^%d" % (_text_bare(e, shapes), power)


def _is_scalar_hadamard(e: ast.Expr, shapes: Shapes | None) -> bool:
    return isinstance(e, ast.Hadamard) and shapes is not None and shapes(e) == SCALAR


def _spread(factors: tuple[ast.Expr, ...], shapes: Shapes | None) -> list[ast.Expr]:
    """An elementwise product of scalars is a plain product: its factors join the
    product around it, so s .* s reads s^2 (and (s .* s) s reads s^3), as in the LaTeX."""
    out: list[ast.Expr] = []
    for f in factors:
        if _is_scalar_hadamard(f, shapes) and divisors(f, shapes) is None:
            assert isinstance(f, ast.Hadamard)
            out += _spread(f.factors, shapes)
        else:
            out.append(f)
    return out


def _text_signed(e: ast.Expr, shapes: Shapes | None) -> str:
    """After a minus sign: only sums need parentheses."""
    return "(%s)" % text(e, shapes) if isinstance(e, ast.Add | ast.Neg) else text(e, shapes)


def _text_factor(e: ast.Expr, shapes: Shapes | None) -> str:
    if isinstance(e, ast.Add | ast.Neg | ast.MatMul | ast.Hadamard) or divisors(e, shapes) \
            or _is_entrywise_reciprocal(e, shapes):
        return "(%s)" % text(e, shapes)
    return text(e, shapes)


class NumpyPrinter:
    """A Python expression over `np` and the symbol names, spelt by ast.python_name."""

    def __init__(self, symbols: Mapping[str, Symbol], shapes: Shapes) -> None:
        self.shapes = shapes
        self.sizes: dict[str | int, str] = {}
        for sym in symbols.values():
            for axis, dim in enumerate(sym.shape):
                if isinstance(dim, str):
                    self.sizes.setdefault(dim, f"{python_name(sym.name)}.shape[{axis}]")

    def __call__(self, e: ast.Expr) -> str:
        if isinstance(e, ast.Name):
            return python_name(e.name)
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


