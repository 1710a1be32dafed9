"""The library of identities the identity method applies. Each is itself an index-method
derivation (`derivtex derive EXPR --wrt VAR` shows it); the tests derive every one and
check that the two agree. Equation numbers refer to The Matrix Cookbook (2012)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Identity:
    id: str
    expr: str           # the pattern, as input text
    wrt: str
    numerator: str      # its derivative in numerator layout, as input text
    latex: str          # the statement shown in a derivation
    cookbook: int | None = None


LIBRARY = {i.id: i for i in [
    Identity("variable", "x", "x", "I",
             r"\frac{\partial \boldsymbol{x}}{\partial \boldsymbol{x}} = \boldsymbol{I}"),
    Identity("linear", "A x", "x", "A",
             r"\frac{\partial \boldsymbol{A}\boldsymbol{u}}{\partial \boldsymbol{x}} = "
             r"\boldsymbol{A} \frac{\partial \boldsymbol{u}}{\partial \boldsymbol{x}}"),
    Identity("inner_product", "a^T x", "x", "a^T",
             r"\frac{\partial \boldsymbol{a}^{\top}\boldsymbol{x}}{\partial \boldsymbol{x}} = "
             r"\boldsymbol{a}^{\top}", 69),
    Identity("quadratic_form", "x^T B x", "x", "x^T (B + B^T)",
             r"\frac{\partial \boldsymbol{x}^{\top}\boldsymbol{B}\boldsymbol{x}}"
             r"{\partial \boldsymbol{x}} = \boldsymbol{x}^{\top}(\boldsymbol{B} + "
             r"\boldsymbol{B}^{\top})", 81),
    Identity("squared_norm", "||x||^2", "x", "2 x^T",
             r"\frac{\partial \lVert \boldsymbol{x} \rVert^{2}}{\partial \boldsymbol{x}} = "
             r"2\boldsymbol{x}^{\top}", 131),
    Identity("elementwise", "sigma(x)", "x", "diag(sigma(x) .* (1 - sigma(x)))",
             r"\frac{\partial f(\boldsymbol{x})}{\partial \boldsymbol{x}} = "
             r"\operatorname{diag}\bigl(f'(\boldsymbol{x})\bigr)"),
    Identity("softmax", "softmax(x)", "x", "diag(softmax(x)) - softmax(x) softmax(x)^T",
             r"\frac{\partial \boldsymbol{s}}{\partial \boldsymbol{x}} = "
             r"\operatorname{diag}(\boldsymbol{s}) - \boldsymbol{s}\boldsymbol{s}^{\top}"),
    Identity("bilinear_matrix", "a^T X b", "X", "b a^T",
             r"\frac{\partial \boldsymbol{a}^{\top}\boldsymbol{X}\boldsymbol{b}}"
             r"{\partial \boldsymbol{X}} = \boldsymbol{a}\boldsymbol{b}^{\top}", 70),
    Identity("bilinear_matrix_transposed", "a^T X^T b", "X", "a b^T",
             r"\frac{\partial \boldsymbol{a}^{\top}\boldsymbol{X}^{\top}\boldsymbol{b}}"
             r"{\partial \boldsymbol{X}} = \boldsymbol{b}\boldsymbol{a}^{\top}", 71),
    Identity("trace_product", "tr(A X B)", "X", "B A",
             r"\frac{\partial \operatorname{tr}(\boldsymbol{A}\boldsymbol{X}\boldsymbol{B})}"
             r"{\partial \boldsymbol{X}} = \boldsymbol{A}^{\top}\boldsymbol{B}^{\top}", 101),
    Identity("trace_quadratic", "tr(X^T B X)", "X", "X^T (B + B^T)",
             r"\frac{\partial \operatorname{tr}(\boldsymbol{X}^{\top}\boldsymbol{B}"
             r"\boldsymbol{X})}{\partial \boldsymbol{X}} = \boldsymbol{B}\boldsymbol{X} + "
             r"\boldsymbol{B}^{\top}\boldsymbol{X}", 108),
    Identity("determinant", "det(X)", "X", "det(X) inv(X)",
             r"\frac{\partial \det \boldsymbol{X}}{\partial \boldsymbol{X}} = "
             r"\det(\boldsymbol{X})\, \boldsymbol{X}^{-\top}", 49),
    Identity("log_determinant", "log(det(X))", "X", "inv(X)",
             r"\frac{\partial \log \det \boldsymbol{X}}{\partial \boldsymbol{X}} = "
             r"\boldsymbol{X}^{-\top}", 57),
    Identity("inverse_bilinear", "a^T inv(X) b", "X", "-inv(X) b a^T inv(X)",
             r"\frac{\partial \boldsymbol{a}^{\top}\boldsymbol{X}^{-1}\boldsymbol{b}}"
             r"{\partial \boldsymbol{X}} = -\boldsymbol{X}^{-\top}\boldsymbol{a}"
             r"\boldsymbol{b}^{\top}\boldsymbol{X}^{-\top}", 61),
]}


@lru_cache(maxsize=64)
def statement(identity_id: str, layout: str) -> str:
    """A matrix identity's statement printed from its own pattern and derivative, in the
    layout in use (the Cookbook states the denominator-layout form)."""
    from .algebra import Algebra
    from .latex import LatexPrinter, symbol
    from .model import Shapes, infer_symbols
    from .parser import parse_text

    identity = LIBRARY[identity_id]
    pattern = parse_text(identity.expr)
    symbols = infer_symbols(pattern, {})
    shapes = Shapes(symbols)
    derivative = parse_text(identity.numerator)
    if layout == "denominator":
        derivative = Algebra(shapes).transpose(derivative)
    printer = LatexPrinter(shapes)
    return r"\frac{\partial %s}{\partial %s} = %s" % (
        printer.expr(pattern), symbol(identity.wrt, True), printer.expr(derivative))
