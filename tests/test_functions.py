"""The function registry: one spec per function, and every stage reads it the same way."""

import re

import numpy as np
import pytest

from derivtex import derive
from derivtex.functions import REGISTRY, derivative_expr, lookup, nearest
from derivtex.model.shapes import Shapes, Symbol
from derivtex.printing.plain import NumpyPrinter
from derivtex.syntax import ast
from derivtex.verify.check import Evaluator
from derivtex.verify.differences import finite_differences
from tests.conftest import evaluate_numpy

SYMBOLS = {"z": Symbol("z", "vector", ("n", 1)), "X": Symbol("X", "matrix", ("n", "n"))}
SHAPES = Shapes(SYMBOLS)
Z = np.array([[0.4], [1.3], [0.7]])
X = np.array([[2.0, 0.3, 0.1], [0.2, 1.8, 0.4], [0.1, 0.5, 2.2]])
ELEMENTWISE = [f for f in REGISTRY.values() if f.elementwise]


@pytest.mark.parametrize("function", REGISTRY.values(), ids=list(REGISTRY))
def test_the_printed_numpy_is_what_verification_evaluates(function):
    arg = ast.Name("X" if function.shape.startswith("square") else "z")
    call = ast.Call(function.name, (arg,))
    printed = NumpyPrinter(SYMBOLS, SHAPES)(call)
    arrays = {"z": Z, "X": X}
    evaluated = Evaluator(SHAPES, {"n": 3, 1: 1})(call, arrays)
    np.testing.assert_allclose(np.atleast_2d(evaluate_numpy(printed, arrays)), evaluated,
                               rtol=1e-14)


@pytest.mark.parametrize("function", [f for f in ELEMENTWISE if f.derivative],
                         ids=[f.name for f in ELEMENTWISE if f.derivative])
def test_derivative_and_prime_match_finite_differences(function):
    z = np.array([0.3, 0.9, 1.7])
    want = np.diag(finite_differences(function.numeric, z))
    shapes = Shapes({"z": Symbol("z", "vector", (3, 1))})
    prime = derivative_expr(function.name, ast.Name("z"))
    got = np.broadcast_to(Evaluator(shapes, {3: 3, 1: 1})(prime, {"z": z.reshape(3, 1)}),
                          (3, 1)).ravel()
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8)
    if function.prime:
        np.testing.assert_allclose(REGISTRY[function.prime].numeric(z), want, rtol=1e-6,
                                   atol=1e-8)


@pytest.mark.parametrize("name", [f.name for f in ELEMENTWISE if f.typed and f.derivative])
@pytest.mark.parametrize("layout", ["numerator", "denominator"])
def test_every_typed_elementwise_function_derives_and_verifies(name, layout):
    d = derive(f"{name}(W x)", "x", layout=layout)
    assert d.verified and d.to_dict()["numpy"]


def test_spellings_and_suggestions():
    assert lookup("trace") is REGISTRY["tr"] and lookup("Tr") is REGISTRY["tr"]
    assert lookup("ln") is REGISTRY["log"] and lookup("sigmoid") is REGISTRY["sigma"]
    assert lookup("dsigma") is None  # only the engine writes derivatives' names
    assert nearest("sinhh") == "sinh" and nearest("softplsu") == "softplus"
    assert nearest("zzzz") is None


def test_new_functions_print_in_latex():
    latex = derive("sqrt(x^T x) + softplus(a^T x) + cosh(b^T x)", "x").latex
    assert r"\sqrt{" in latex and r"\operatorname{softplus}" in latex and r"\cosh" in latex


def test_what_is_typed_is_documented_and_recip_is_not_typed():
    """Issue 25: every function the language accepts says what it is in its entry (step,
    relu's derivative, included); the reciprocal is typed as `1 ./ x`, not recip(x)."""
    assert all(f.about for f in REGISTRY.values() if f.typed)
    assert lookup("step") is REGISTRY["step"] and lookup("heaviside") is REGISTRY["step"]
    assert lookup("recip") is None


@pytest.mark.parametrize("name", [f.name for f in ELEMENTWISE if f.typed and f.derivative])
def test_results_name_only_typed_functions(name):
    """The derivative of every elementwise function is written with functions the parser
    accepts (log' as 1 ./ x, relu' as step)."""
    result = derive(f"1^T {name}(W x)", "x").result_text
    called = set(re.findall(r"([A-Za-z]+)\(", result))
    assert "recip" not in result and all(lookup(c) is not None for c in called), result
