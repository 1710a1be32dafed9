"""Inverses, determinants and reciprocals of numbers, as a lecturer writes them.

`alpha^{-1} x` once printed `-1^2 (alpha^{-1})^2 x` (a 1x1 ones vector from the matrix
inverse rule's sums over 1..1) and its `numpy` answer called np.linalg.inv on alpha,
which raises for a float (scalars are bound as numbers). Each case checks the
result text, the page's last line and the `numpy` answer evaluated with float scalars
against a closed form of the derivative.
"""


import re

import numpy as np
import pytest

from derivtex import derive
from fuzz import generate
from tests.conftest import evaluate_numpy

ALPHA_X = ((r"-\frac{1}{\alpha^{2}} \boldsymbol{x}",
            r"-\frac{1}{\alpha^{2}} \boldsymbol{x}^{\top}"), lambda alpha, x: -x / alpha ** 2)

# expression, variable, options, the result text and the page's result (numerator,
# denominator layout), the derivative in numerator layout as a closed form
CASES = [
    ("alpha^-1 x", "alpha", {}, ("-x / alpha^2", "-x^T / alpha^2"), *ALPHA_X),
    ("inv(alpha) x", "alpha", {}, ("-x / alpha^2", "-x^T / alpha^2"), *ALPHA_X),
    # 1/alpha x printed -s^2 x, where s = 1/alpha
    ("1/alpha x", "alpha", {}, ("-x / alpha^2", "-x^T / alpha^2"), *ALPHA_X),
    ("x^-1 y", "x", {"shapes": {"x": "1"}}, ("-y / x^2", "-y^T / x^2"),
     (r"-\frac{1}{x^{2}} \boldsymbol{y}", r"-\frac{1}{x^{2}} \boldsymbol{y}^{\top}"),
     lambda x, y: -y / x ** 2),
    ("(a^T x)^-1", "x", {}, ("-a^T / (a^T x)^2", "-a / (a^T x)^2"),
     (r"-\frac{1}{\left(\boldsymbol{a}^{\top} \boldsymbol{x}\right)^{2}} \boldsymbol{a}^{\top}",
      r"-\frac{1}{\left(\boldsymbol{a}^{\top} \boldsymbol{x}\right)^{2}} \boldsymbol{a}"),
     lambda a, x: -a.T / (a.T @ x) ** 2),
    ("alpha^-1 x^T A x", "x", {}, ("x^T (A + A^T) / alpha", "(A + A^T) x / alpha"),
     (r"\frac{1}{\alpha} \boldsymbol{x}^{\top} \left(\boldsymbol{A} + \boldsymbol{A}^{\top}\right)",
      r"\frac{1}{\alpha} \left(\boldsymbol{A} + \boldsymbol{A}^{\top}\right) \boldsymbol{x}"),
     lambda alpha, x, A: x.T @ (A + A.T) / alpha),
    ("alpha^-1 x^T A x", "alpha", {}, ("-(x^T A x) / alpha^2", "-(x^T A x) / alpha^2"),
     (r"-\frac{\boldsymbol{x}^{\top} \boldsymbol{A} \boldsymbol{x}}{\alpha^{2}}",) * 2,
     lambda alpha, x, A: -(x.T @ A @ x) / alpha ** 2),
    # the determinant of a number is the number
    ("det(alpha) x", "alpha", {}, ("x", "x^T"),
     (r"\boldsymbol{x}", r"\boldsymbol{x}^{\top}"), lambda alpha, x: x),
    ("log(det(alpha)) x", "x", {}, ("log(alpha) I", "log(alpha) I"),
     (r"\log\left(\alpha\right) \boldsymbol{I}",) * 2,
     lambda alpha, x: np.log(alpha) * np.eye(len(x))),
    # u / u^4 is 1 / u^3
    ("1 / (x^T x)^2", "x", {}, ("-4 x^T / (x^T x)^3", "-4 x / (x^T x)^3"),
     (r"-\frac{4}{\left(\boldsymbol{x}^{\top} \boldsymbol{x}\right)^{3}} \boldsymbol{x}^{\top}",
      r"-\frac{4}{\left(\boldsymbol{x}^{\top} \boldsymbol{x}\right)^{3}} \boldsymbol{x}"),
     lambda x: -4 * x.T / (x.T @ x) ** 3),
]


@pytest.mark.parametrize("layout", ["numerator", "denominator"])
@pytest.mark.parametrize("expr, wrt, options, texts, pages, derivative", CASES,
                         ids=[f"{c[0]} by {c[1]}" for c in CASES])
def test_numbers_inverse_is_a_division(expr, wrt, options, texts, pages, derivative, layout):
    d = derive(expr, wrt, layout=layout, **options)
    data = d.to_dict()
    assert data["result"] == texts[layout == "denominator"]
    assert data["steps"][-1]["latex"].split("&= ")[-1] == pages[layout == "denominator"]
    assert r"\boldsymbol{1}" not in d.latex and r"\sum_{j=1}^{1}" not in d.latex
    assert "linalg" not in data["numpy"] and data["verified"] is True
    arrays = generate.bind(data["symbols"], np.random.default_rng(5))
    assert all(isinstance(arrays[n], float) for n, s in data["symbols"].items()
               if s["kind"] == "scalar")  # scalars are bound as numbers
    names = derivative.__code__.co_varnames[:derivative.__code__.co_argcount]
    want = np.atleast_2d(derivative(**{n: arrays[n] for n in names}))
    want = want.T if layout == "denominator" else want
    got = evaluate_numpy(data["numpy"], arrays)
    np.testing.assert_allclose(np.broadcast_to(got, want.shape), want, rtol=1e-12)


def test_a_numbers_inverse_is_differentiated_by_the_chain_rule():
    """(1/z)' = -1/z^2 at the entry, not the matrix rule's sums over 1..1."""
    rules = [s["rule"] for s in derive("alpha^-1 x", "alpha").to_dict()["steps"]]
    assert "chain_rule" in rules and "inverse" not in rules


def test_a_numbers_inverse_in_a_hessian_is_one_power():
    """d^2/dalpha^2 of x^T x / alpha is 2 x^T x / alpha^3: once 2 1^2 x^T x 1^2 (alpha^-1)^3."""
    data = derive("alpha^-1 x^T x", "alpha", order=2).to_dict()
    assert data["result"] == "2 x^T x / alpha^3"
    assert data["steps"][-1]["latex"].split("&= ")[-1] == \
        r"\frac{2 \boldsymbol{x}^{\top} \boldsymbol{x}}{\alpha^{3}}"
    arrays = generate.bind(data["symbols"], np.random.default_rng(5))
    alpha, x = arrays["alpha"], arrays["x"]
    np.testing.assert_allclose(evaluate_numpy(data["numpy"], arrays),
                               2 * (x.T @ x) / alpha ** 3, rtol=1e-12)


def test_a_scalar_reciprocal_in_a_hessian_is_a_divisor_not_a_name():
    """The result says / (x^T x)^2 where it said s^2 with s = 1/(x^T x): the divisor
    every term shares is pulled out once, and the text reads back to the `numpy` answer."""
    from derivtex.model.inference import infer
    from derivtex.model.shapes import Shapes
    from derivtex.printing.plain import NumpyPrinter
    from derivtex.syntax.parser import parse_text

    d = derive("x^T A x / (x^T x)", "x", order=2)
    data = d.to_dict()
    assert data["result"] == (
        "(A + A^T + 8 (x^T A x) x x^T / (x^T x)^2 - 2 A x x^T / (x^T x) - 2 A^T x x^T / "
        "(x^T x) - 2 x x^T (A + A^T) / (x^T x) - 2 (x^T A x) I / (x^T x)) / (x^T x)")
    assert d.where == {}
    # the bracket too wide for the row starts the next one, its \biggl( sized to it
    assert re.match(r"\\boldsymbol\{H\} &= \\frac\{1\}\{\\boldsymbol\{x\}\^\{\\top\} "
                    r"\\boldsymbol\{x\}\} (\\left\(|\\\\\n&\\quad \\quad \\biggl\()",
                    data["steps"][-1]["latex"]), data["steps"][-1]["latex"][:120]
    spelled_out = data["result"]
    back, symbols = infer(parse_text(spelled_out), {"x": ("n",), "A": ("n", "n")})
    arrays = generate.bind(data["symbols"], np.random.default_rng(5))
    np.testing.assert_allclose(
        evaluate_numpy(NumpyPrinter(symbols, Shapes(symbols))(back), arrays),
        evaluate_numpy(data["numpy"], arrays), rtol=1e-12)


@pytest.mark.parametrize("expr, result, derivative", [
    ("alpha^-1 x^T A x", "x^T (A + A^T) / alpha", lambda alpha, x, A: x.T @ (A + A.T) / alpha),
    ("inv(alpha) a^T x", "a^T / alpha", lambda alpha, a: a.T / alpha),
    ("det(alpha) a^T x", "alpha a^T", lambda alpha, a: alpha * a.T),
])
def test_the_identity_method_takes_a_numbers_inverse_as_a_division(expr, result, derivative):
    """Its `numpy` answer called np.linalg.inv(alpha) and np.linalg.det(alpha)."""
    data = derive(expr, "x", method="identity").to_dict()
    assert data["result"] == result and "linalg" not in data["numpy"]
    arrays = generate.bind(data["symbols"], np.random.default_rng(5))
    names = derivative.__code__.co_varnames[:derivative.__code__.co_argcount]
    np.testing.assert_allclose(evaluate_numpy(data["numpy"], arrays),
                               derivative(**{n: arrays[n] for n in names}), rtol=1e-12)
