"""A derivation's result as a sympy matrix expression, for users who live in sympy
(`lambdify`, `simplify`, substitution). sympy is an optional extra: `derivtex[sympy]`.

Vectors and matrices become `MatrixSymbol`s with symbolic dimensions (or the declared
sizes), scalars become `Symbol`s; a 1×1 matrix expression that multiplies a matrix is
read as its single entry, as the input language reads it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..engine.expand import product_groups
from ..errors import UnsupportedError
from ..functions import REGISTRY, Code
from ..model.shapes import SCALAR, Dim, Shapes, Symbol
from ..syntax import ast


def _sympy() -> Any:
    try:
        import sympy
    except ImportError:  # pragma: no cover - depends on the installation
        raise UnsupportedError('to_sympy() needs sympy: pip install "derivtex[sympy]"') \
            from None
    return sympy


def _numpy_vocabulary(sp: Any) -> dict[str, Callable[..., Any]]:
    """The numpy functions the registry's code trees use, in sympy: the registry stays the
    one place that says what each function of the language computes."""
    return {
        "exp": sp.exp, "log": sp.log, "tanh": sp.tanh, "sinh": sp.sinh, "cosh": sp.cosh,
        "sqrt": sp.sqrt, "maximum": sp.Max, "heaviside": sp.Heaviside,
        "logaddexp": lambda a, b: sp.log(sp.exp(a) + sp.exp(b)),
    }


_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b, "pow": lambda a, b: a ** b}


def code_sympy(code: Code, z: Any, vocabulary: dict[str, Callable[..., Any]]) -> Any:
    """A registry code tree (derivtex.functions) as a sympy expression of the scalar z."""
    if isinstance(code, str):  # the argument, Z
        return z
    if isinstance(code, int | float):
        return code
    op, *parts = code
    values = [code_sympy(part, z, vocabulary) for part in parts]
    if op == "neg":
        return -values[0]
    if op in _BINARY:
        return _BINARY[op](*values)
    if op not in vocabulary:
        raise UnsupportedError(f"no sympy form for numpy's {op}")
    return vocabulary[op](*values)


class SympyBuilder:
    """ast.Expr -> sympy, one method per node kind (as sympy's printers dispatch)."""

    def __init__(self, symbols: Mapping[str, Symbol]) -> None:
        self.sp = _sympy()
        self.symbols = symbols
        self.shapes = Shapes(symbols)
        self.vocabulary = _numpy_vocabulary(self.sp)
        self.dims: dict[Dim, Any] = {}

    def dim(self, d: Dim) -> Any:
        if isinstance(d, int):
            return d
        return self.dims.setdefault(d, self.sp.Symbol(d, integer=True, positive=True))

    def entry(self, value: Any) -> Any:
        """A 1×1 matrix expression as a scalar: its trace, which is its single entry and
        stays a matrix expression sympy can simplify."""
        return self.sp.Trace(value) if isinstance(value, self.sp.MatrixExpr) else value

    def scalar(self, e: ast.Expr) -> Any:
        return self.entry(self(e))

    def chain(self, factors: list[ast.Expr]) -> Any:
        values = [self(f) for f in factors]
        return values[0] if len(values) == 1 else self.sp.MatMul(*values)

    def __call__(self, e: ast.Expr) -> Any:
        sp = self.sp
        shape = self.shapes(e)
        if isinstance(e, ast.Name):
            sym = self.symbols[e.name]
            if sym.shape == SCALAR:
                return sp.Symbol(e.name)
            return sp.MatrixSymbol(e.name, self.dim(sym.shape[0]), self.dim(sym.shape[1]))
        if isinstance(e, ast.Number):
            return sp.Rational(e.value.numerator, e.value.denominator)
        if isinstance(e, ast.Identity):
            return sp.Identity(self.dim(shape[0]))
        if isinstance(e, ast.Ones):
            return sp.OneMatrix(self.dim(shape[0]), 1)
        if isinstance(e, ast.Zero):
            return sp.ZeroMatrix(self.dim(e.rows), self.dim(e.cols))
        if isinstance(e, ast.Neg):
            return -self(e.operand)
        if isinstance(e, ast.Add):
            return sp.Add(*(self.term(t, shape) for t in e.terms)) if shape == SCALAR \
                else sp.MatAdd(*(self.term(t, shape) for t in e.terms)).doit()
        if isinstance(e, ast.MatMul):
            scalars, chain = product_groups(e.factors, self.shapes)
            coefficient = sp.Mul(*(self.entry(self.chain(g)) for g in scalars))
            return coefficient * self.chain(chain) if chain else coefficient
        if isinstance(e, ast.Hadamard):
            if shape == SCALAR:
                return sp.Mul(*(self.scalar(f) for f in e.factors))
            return sp.HadamardProduct(*(self(f) for f in e.factors))
        if isinstance(e, ast.Transpose):
            inner = self(e.operand)
            return inner if shape == SCALAR and not isinstance(inner, sp.MatrixExpr) \
                else inner.T
        if isinstance(e, ast.Norm2):
            inner = self(e.operand)
            if not isinstance(inner, sp.MatrixExpr):
                return inner ** 2
            return sp.Trace(inner.T * inner)
        if isinstance(e, ast.Call):
            return self.call(e, shape)
        raise UnsupportedError(f"no sympy form for {type(e).__name__}")

    def term(self, e: ast.Expr, shape: tuple) -> Any:
        """A number in a sum of matrices is that multiple of the all-ones matrix."""
        value = self(e)
        if shape != SCALAR and self.shapes(e) == SCALAR:
            return value * self.sp.OneMatrix(self.dim(shape[0]), self.dim(shape[1]))
        return value

    def call(self, e: ast.Call, shape: tuple) -> Any:
        sp = self.sp
        arg = self(e.args[0])
        if e.func == "tr":
            return sp.Trace(arg)
        if e.func == "det":
            return sp.Determinant(arg)
        if e.func == "inv":
            return sp.Inverse(arg)
        if e.func == "diag":
            return sp.DiagMatrix(arg)
        if e.func == "softmax":
            exps = self.apply(sp.exp, arg)
            ones = sp.OneMatrix(1, arg.shape[0])
            return exps / (ones * exps)[0, 0]
        code = REGISTRY[e.func].numpy
        return self.apply(lambda z: code_sympy(code, z, self.vocabulary), arg)

    def apply(self, f: Callable[[Any], Any], arg: Any) -> Any:
        sp = self.sp
        if not isinstance(arg, sp.MatrixExpr):
            return f(arg)
        from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

        z = sp.Dummy("z")
        return ElementwiseApplyFunction(sp.Lambda(z, f(z)), arg)


def to_sympy(expr: ast.Expr, symbols: Mapping[str, Symbol]) -> Any:
    """`expr` over `symbols` as a sympy expression (a matrix expression unless 1×1)."""
    return SympyBuilder(symbols)(expr)
