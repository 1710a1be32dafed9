"""The library of identities the identity method applies. Each is itself an index-method
derivation (`derivtex derive EXPR --wrt VAR` shows it); the tests derive every one and
check that the two agree. The statement a page shows is printed from the same fields by
the printer of the format in use, so the page and the check cannot disagree. Equation
numbers refer to The Matrix Cookbook (2012)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from ..functions import REGISTRY, derivative_expr
from ..model.layout import Layout, needs_transpose
from ..model.shapes import Symbol
from ..syntax import ast


@dataclass(frozen=True)
class Identity:
    id: str
    expr: str           # the pattern, as input text
    wrt: str
    numerator: str      # its derivative in numerator layout, as input text
    cookbook: int | None = None
    tree: ast.Expr | None = None  # the derivative as built (f' of an elementwise f), if any

    def shown(self, layout: Layout) -> Shown:
        """The pattern and its derivative as the identity method's steps show them: a
        vector variable's Jacobian (numerator layout), a matrix variable's derivative in
        `layout` (the Cookbook states the denominator-layout form)."""
        return _shown(self, layout)


@dataclass(frozen=True)
class Shown:
    pattern: ast.Expr
    derivative: ast.Expr
    symbols: Mapping[str, Symbol]


@lru_cache(maxsize=64)
def _shown(identity: Identity, layout: Layout) -> Shown:
    from ..model.inference import infer
    from ..model.shapes import Shapes
    from ..syntax.parser import parse_text
    from .algebra import Algebra

    pattern, symbols = infer(parse_text(identity.expr))
    variable = symbols[identity.wrt]
    if identity.numerator == "I":
        derivative: ast.Expr = ast.Identity(variable.shape[0])
    else:
        derivative, more = infer(identity.tree or parse_text(identity.numerator),
                                 {n: s.shape for n, s in symbols.items()})
        symbols = {**more, **symbols}
    if variable.kind == "matrix" and needs_transpose("numerator", layout):
        derivative = Algebra(Shapes(symbols)).transpose(derivative)
    return Shown(pattern, derivative, symbols)


# f'(x) as input text, for each elementwise function with a derivative that can be typed
PRIMES = {"sigma": "sigma(x) .* (1 - sigma(x))", "tanh": "1 - tanh(x) .* tanh(x)",
          "exp": "exp(x)", "log": "1 ./ x", "relu": "step(x)", "abs": "sign(x)",
          "sqrt": "1 ./ (2 sqrt(x))", "sinh": "cosh(x)", "cosh": "sinh(x)",
          "softplus": "sigma(x)", "recip": "-(1 ./ (x .* x))"}
TYPED = {"recip": "1 ./ x"}  # how a function only the engine names is typed


def _elementwise() -> list[Identity]:
    """f(x) by x is diag(f'(x)), for each typed elementwise function with a derivative:
    its chain rule cites its own f', never sigma's. The page prints f' as the index
    method builds it (the tree); the text is the same derivative typed."""
    x = ast.Name("x")
    return [Identity(f"elementwise_{f.name}", TYPED.get(f.name, f"{f.name}(x)"), "x",
                     f"diag({PRIMES[f.name]})",
                     tree=ast.Call("diag", (derivative_expr(f.name, x),)))
            for f in REGISTRY.values() if f.elementwise and f.derivative is not None
            and (f.typed or f.name in TYPED)]


LIBRARY = {i.id: i for i in [
    Identity("variable", "x", "x", "I"),
    Identity("linear", "A x", "x", "A"),
    Identity("inner_product", "a^T x", "x", "a^T", 69),
    Identity("quadratic_form", "x^T B x", "x", "x^T (B + B^T)", 81),
    Identity("squared_norm", "||x||^2", "x", "2 x^T", 131),
    *_elementwise(),
    Identity("softmax", "softmax(x)", "x", "diag(softmax(x)) - softmax(x) softmax(x)^T"),
    Identity("bilinear_matrix", "a^T X b", "X", "b a^T", 70),
    Identity("bilinear_matrix_transposed", "a^T X^T b", "X", "a b^T", 71),
    Identity("trace_product", "tr(A X B)", "X", "B A", 101),
    Identity("trace_quadratic", "tr(X^T B X)", "X", "X^T (B + B^T)", 108),
    Identity("determinant", "det(X)", "X", "det(X) inv(X)", 49),
    Identity("log_determinant", "log(det(X))", "X", "inv(X)", 57),
    Identity("inverse_bilinear", "a^T inv(X) b", "X", "-inv(X) b a^T inv(X)", 61),
]}
