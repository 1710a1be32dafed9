"""abs(.) as relu is: elementwise |z|, derivative sign(z), a sentence on the point where
it has none, and verification that keeps away from that point (issue 24)."""

import re

import numpy as np
import pytest

from derivtex import derive
from derivtex.errors import DerivtexError
from derivtex.functions import REGISTRY, lookup
from derivtex.shells.publish import html
from tests.conftest import evaluate_numpy

L1 = "1^T abs(X w - y)"


def test_abs_and_sign_are_typed_functions():
    assert lookup("abs") is REGISTRY["abs"] and lookup("sign") is REGISTRY["sign"]
    assert REGISTRY["abs"].prime == "sign"
    np.testing.assert_array_equal(REGISTRY["abs"].numeric(np.array([-2.0, 3.0])), [2.0, 3.0])
    np.testing.assert_array_equal(REGISTRY["sign"].numeric(np.array([-2.0, 0.0, 3.0])),
                                  [-1.0, 0.0, 1.0])


@pytest.mark.parametrize("layout, result", [("numerator", "sign(X w - y)^T X"),
                                            ("denominator", "X^T sign(X w - y)")])
def test_the_l1_loss_end_to_end(layout, result):
    d = derive(L1, "w", layout=layout)
    assert d.verified and d.result_text == result
    rng = np.random.default_rng(3)
    X, w, y = rng.normal(size=(4, 3)), rng.normal(size=(3, 1)), rng.normal(size=(4, 1))
    got = evaluate_numpy(d.to_dict()["numpy"], {"X": X, "w": w, "y": y})
    want = X.T @ np.sign(X @ w - y)
    np.testing.assert_allclose(np.reshape(got, want.shape if layout == "denominator"
                                          else want.T.shape), want if layout == "denominator"
                               else want.T)


def test_the_page_says_where_abs_has_no_derivative():
    d = derive(L1, "w")
    chain = next(s for s in d.steps if s["rule"] == "chain_rule")["text"]
    assert r"\operatorname{sign}" in chain
    assert "no derivative" in chain and "0" in chain, chain
    assert r"\left|" in d.latex  # |.| as a lecturer writes it
    typst_chain = next(s for s in d.typst_steps if s["rule"] == "chain_rule")["text"]
    assert "no derivative" in typst_chain and not re.search(r"\\[A-Za-z]", d.typst)
    assert "no derivative" in html(d)


def test_relu_says_it_too():
    chain = next(s for s in derive("1^T relu(W x)", "x").steps if s["rule"] == "chain_rule")
    assert "no derivative" in chain["text"]


def test_abs_has_no_second_derivative():
    with pytest.raises(DerivtexError, match="abs has no second derivative"):
        derive("1^T abs(x - a)", "x", order=2)


@pytest.mark.parametrize("func", ["abs", "relu"])
def test_verification_keeps_away_from_the_kink(func):
    """A test point where an argument of abs (or relu) is within reach of 0, where finite
    differences would straddle the kink, is outside the domain; elsewhere it is inside."""
    from derivtex.model.shapes import Shapes, Symbol
    from derivtex.syntax import ast
    from derivtex.verify.check import Evaluator
    from derivtex.verify.sampling import inside

    symbols = {n: Symbol(n, "vector", ("n", 1)) for n in "xa"}
    expr = ast.MatMul((ast.Transpose(ast.Ones("n")), ast.Call(func, (ast.Add(
        (ast.Name("x"), ast.Neg(ast.Name("a")))),))))
    calls = [n for n in ast.walk(expr) if isinstance(n, ast.Call)]
    sizes = {"n": 3, 1: 1}

    def value_of(sizes, env, e):
        return Evaluator(Shapes(symbols), sizes)(e, env)

    a = np.array([[0.5], [-1.0], [1.2]])
    at_kink = {"a": a, "x": a + np.array([[0.3], [1e-7], [-0.4]])}
    away = {"a": a, "x": a + np.array([[0.3], [0.2], [-0.4]])}
    assert inside(sizes, at_kink, expr, [], calls, value_of) is None
    assert inside(sizes, away, expr, [], calls, value_of) is not None
