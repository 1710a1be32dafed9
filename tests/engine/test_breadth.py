"""Issue 3's ground: activations, losses, derivatives by matrices, det and inverse —
each in both layouts, each checked against a hand-written numpy reference."""

import numpy as np
import pytest

from derivtex import derive
from tests.conftest import numeric_check


def sig(z):
    return 1 / (1 + np.exp(-z))


CASES = [
    ("sigma(W x)", "x", lambda W, x: sig(W @ x),
     "diag(sigma(W x) .* (1 - sigma(W x))) W"),
    ("W2 sigma(W1 x)", "x", lambda W2, W1, x: W2 @ sig(W1 @ x),
     "W2 diag(sigma(W1 x) .* (1 - sigma(W1 x))) W1"),
    ("tanh(W x + b)", "x", lambda W, x, b: np.tanh(W @ x + b),
     "diag(1 - tanh(W x + b) .* tanh(W x + b)) W"),
    ("tanh(W x + b)", "b", lambda W, x, b: np.tanh(W @ x + b),
     "diag(1 - tanh(W x + b) .* tanh(W x + b))"),
    ("||sigma(W x) - y||^2", "x", lambda W, x, y: np.sum((sig(W @ x) - y) ** 2),
     "2 (sigma(W x) - y)^T diag(sigma(W x) .* (1 - sigma(W x))) W"),
    ("||sigma(W x) - y||^2", "W", lambda W, x, y: np.sum((sig(W @ x) - y) ** 2),
     "2 x (sigma(W x) - y)^T diag(sigma(W x) .* (1 - sigma(W x)))"),
    ("exp(x)", "x", lambda x: np.exp(x), "diag(exp(x))"),
    ("log(x)", "x", lambda x: np.log(x), "diag(1 ./ x)"),
    ("relu(W x)", "x", lambda W, x: np.maximum(W @ x, 0), "diag(step(W x)) W"),
    ("softmax(z)", "z", lambda z: np.exp(z) / np.sum(np.exp(z)),
     "diag(softmax(z)) - softmax(z) softmax(z)^T"),
    ("a^T X b", "X", lambda a, X, b: (a.T @ X @ b).item(), "b a^T"),
    ("x^T X y", "X", lambda x, X, y: (x.T @ X @ y).item(), "y x^T"),
    ("tr(A X)", "X", lambda A, X: np.trace(A @ X), "A"),
    ("tr(X^T A X)", "X", lambda X, A: np.trace(X.T @ A @ X), "X^T (A + A^T)"),
    ("tr(A X B)", "X", lambda A, X, B: np.trace(A @ X @ B), "B A"),
    ("||X v||^2", "X", lambda X, v: np.sum((X @ v) ** 2), "2 v v^T X^T"),
    ("||A x - b||^2", "A", lambda A, x, b: np.sum((A @ x - b) ** 2), "2 x (A x - b)^T"),
    ("det(X)", "X", lambda X: np.linalg.det(X), "det(X) inv(X)"),
    ("log(det(X))", "X", lambda X: np.log(np.linalg.det(X)), "inv(X)"),
    ("a^T X^{-1} b", "X", lambda a, X, b: (a.T @ np.linalg.inv(X) @ b).item(),
     "-inv(X) b a^T inv(X)"),
]


@pytest.mark.parametrize("expr, wrt, ref, numerator", CASES, ids=[c[0] + "/" + c[1]
                                                                   for c in CASES])
def test_clean_form_and_numbers_in_both_layouts(expr, wrt, ref, numerator):
    d = derive(expr, wrt)
    assert d.result_text == numerator
    for layout in ("numerator", "denominator"):
        numeric_check(derive(expr, wrt, layout=layout).to_dict(), ref, wrt, layout)


def test_sigmoid_layer_shows_the_chain_rule_and_names_sigma_by_the_output():
    """y = sigma(W x) is already named: diag(y .* (1 - y)) W, no second name s for y."""
    d = derive("sigma(W x)", "x").to_dict()
    rules = [s["rule"] for s in d["steps"]]
    assert rules.index("chain_rule") < rules.index("delta")
    chain = next(s for s in d["steps"] if s["rule"] == "chain_rule")
    assert r"\sigma'(z) = \sigma(z)" in chain["text"]
    reassembly = next(s for s in d["steps"] if s["rule"] == "reassembly")
    assert reassembly["latex"].endswith(
        r"&= \left[\operatorname{diag}\left(\boldsymbol{y} \odot \left(\boldsymbol{1} - "
        r"\boldsymbol{y}\right)\right) \boldsymbol{W}\right]_{ij}")
    assert "where" not in d["latex"]


@pytest.mark.parametrize("expr, wrt, rule", [
    ("det(X)", "X", "determinant"), ("a^T inv(X) b", "X", "inverse"),
    ("softmax(W x)", "x", "softmax"), ("x^T A x", "x", "product_rule"),
])
def test_entry_rules_are_steps_of_their_own(expr, wrt, rule):
    assert rule in [s["rule"] for s in derive(expr, wrt).to_dict()["steps"]]


def test_no_internal_objects_leak_into_output():
    for expr, wrt, *_ in CASES:
        out = derive(expr, wrt).latex + derive(expr, wrt).result_text
        for word in ("Piecewise", "Subs", "Derivative", "Lambda", "dsigma", "None"):
            assert word not in out


@pytest.mark.parametrize("expr", ["1^T (softmax(z) .* log(softmax(z)))",
                                  "sum(softmax(z) .* log(softmax(z)))"])
@pytest.mark.parametrize("layout", ["numerator", "denominator"])
def test_negative_entropy_of_a_softmax(expr, layout):
    """A ones entry beside a cancelled s_k / s_k is 1, not a vector '1' multiplied
    elementwise: this was an internal error (an ill-shaped result) before."""
    def ref(z):
        s = np.exp(z) / np.sum(np.exp(z))
        return np.sum(s * np.log(s))

    d = derive(expr, "z", layout=layout)
    assert d.verified and "1 .*" not in d.result_text
    numeric_check(d.to_dict(), ref, "z", layout)
