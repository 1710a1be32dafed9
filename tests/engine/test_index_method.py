"""The index method end to end: exact lecturer forms, the step sequence, both layouts."""

import numpy as np
import pytest

from derivtex import derive
from fuzz import generate
from tests.conftest import evaluate_numpy

REQUIRED = ["goal", "sum_expansion", "delta", "contraction", "reassembly", "transpose_check"]

LECTURER_FORMS = [
    ("W x", "x", "W", "W^T"),
    ("a^T x", "x", "a^T", "a"),
    ("y^T A x", "x", "y^T A", "A^T y"),
    ("(A B + C) v", "v", "A B + C", "(A B + C)^T"),
    ("x^T A x", "x", "x^T (A + A^T)", "(A + A^T) x"),
    ("||A x - b||^2", "x", "2 (A x - b)^T A", "2 A^T (A x - b)"),
    ("(A x - b)^T (A x - b)", "x", "2 (A x - b)^T A", "2 A^T (A x - b)"),
    ("x^T A^T A x", "x", "2 x^T A^T A", "2 A^T A x"),
    ("(x - c)^T M (x - c)", "x", "(x - c)^T (M + M^T)", "(M + M^T) (x - c)"),
    ("||A x - b||^2 + lambda ||x||^2", "x", "2 (A x - b)^T A + 2 lambda x^T",
     "2 A^T (A x - b) + 2 lambda x"),
    ("x", "x", "I", "I"),
    ("(y^T A x) x", "x", "x y^T A + (y^T A x) I", "A^T y x^T + (y^T A x) I"),
    ("x^T y z", "y", "z x^T", "x z^T"),
]


@pytest.mark.parametrize("expr, wrt, numerator, denominator", LECTURER_FORMS)
def test_results_read_as_a_lecturer_writes_them(expr, wrt, numerator, denominator):
    assert derive(expr, wrt).result_text == numerator
    assert derive(expr, wrt, layout="denominator").result_text == denominator


@pytest.mark.parametrize("expr, wrt", [(e, w) for e, w, *_ in LECTURER_FORMS if e != "x"])
def test_product_expressions_show_every_index_method_step_in_order(expr, wrt):
    rules = [s["rule"] for s in derive(expr, wrt).to_dict()["steps"]]
    positions = [rules.index(r) for r in REQUIRED]
    assert positions == sorted(positions)


def test_bilinear_steps_follow_the_notes():
    steps = derive("y^T A x", "x").to_dict()["steps"]
    by_rule = {s["rule"]: s["latex"] for s in steps}
    assert r"\sum_{k=1}^{n}\sum_{l=1}^{m} y_{k} A_{kl} x_{l}" in by_rule["sum_expansion"]
    assert r"\delta_{jl} y_{k} A_{kl}" in by_rule["delta"]
    assert by_rule["contraction"].endswith(r"\sum_{k=1}^{n} y_{k} A_{kj}")
    # the notes' reading: sum_k y_k A_kj is [y^T A]_j, already the row numerator layout wants
    assert r"[\boldsymbol{y}^{\top} \boldsymbol{A}]_{j}" in by_rule["reassembly"]
    assert by_rule["transpose_check"].endswith(r"\boldsymbol{y}^{\top} \boldsymbol{A}")


def test_entries_are_read_in_the_layout_order_and_the_sentences_say_so():
    num = derive("y^T A x", "x").to_dict()["steps"]
    den = derive("y^T A x", "x", layout="denominator").to_dict()["steps"]
    assert "read the entries along a row" in num[-2]["text"]
    assert "read the entries down a column" in den[-2]["text"]
    assert "1 \\times m" in num[-1]["text"] and "m \\times 1" in den[-1]["text"]
    closing = derive("a^T x", "x").to_dict()["steps"][-1]["latex"]
    assert closing.endswith(r"&= \boldsymbol{a}^{\top}")  # never a^T = a^T
    square = derive("tr(A X B)", "X").to_dict()["steps"]
    assert "sits in row \\(j\\), column \\(i\\)" in square[-2]["text"]
    assert r"[\boldsymbol{B} \boldsymbol{A}]_{ji}" in square[-2]["latex"]


@pytest.mark.parametrize("expr, wrt", [("tr(B Y)", "Y"), ("a^T X b", "X"), ("sigma(V h)", "h")])
def test_numpy_field_matches_finite_differences(expr, wrt):
    for layout in ("numerator", "denominator"):
        d = derive(expr, wrt, layout=layout).to_dict()
        rng = np.random.default_rng(1)
        sizes = {"n": 3, "m": 4, "p": 2}
        arrays = {name: rng.standard_normal(tuple(sizes.get(x, x) for x in s["shape"]))
                  for name, s in d["symbols"].items()}
        got = evaluate_numpy(d["numpy"], arrays)
        f = {"tr(B Y)": lambda Y: np.trace(arrays["B"] @ Y),
             "a^T X b": lambda X: (arrays["a"].T @ X @ arrays["b"]).item(),
             "sigma(V h)": lambda h: 1 / (1 + np.exp(-arrays["V"] @ h))}[expr]
        want = generate.jacobian(lambda env: f(env[wrt]), arrays, wrt, layout)
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)


def test_tensor_derivatives_end_in_verified_index_form():
    d = derive("W x", "W").to_dict()
    assert d["result"] is None and d["numpy"] is None and d["verified"] is True
    contraction, index_form = d["steps"][-2:]
    assert index_form["rule"] == "index_form" and contraction["rule"] == "contraction"
    # the answer is the contraction's line; the last step says what it is, not repeats it
    assert contraction["latex"].endswith(r"\delta_{ki} x_{l}") and index_form["latex"] == ""
    assert "no matrix form" in index_form["text"]


def test_declared_sizes_come_back_as_integers():
    d = derive("A x", "x", shapes={"A": "2,3"}).to_dict()
    assert d["symbols"]["A"]["shape"] == [2, 3] and d["result_shape"] == [2, 3]
