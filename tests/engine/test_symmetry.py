"""Symmetry declared and guaranteed (issue 24): a declared symmetric matrix is used
everywhere, and so is what the expression itself guarantees symmetric (an inverse or a
power of a symmetric matrix, X^T X, X X^T, A + A^T)."""

import json

import pytest

from derivtex import derive
from derivtex.options import Options
from tests.conftest import run_cli

KALMAN = "(z - H x)^T R^{-1} (z - H x) + (x - m)^T P^{-1} (x - m)"


@pytest.mark.parametrize("expr, wrt, symmetric, layout, result", [
    ("(z - H x)^T R^{-1} (z - H x)", "x", {"R"}, "numerator", "-2 (z - H x)^T inv(R) H"),
    ("(z - H x)^T R^{-1} (z - H x)", "x", {"R"}, "denominator", "-2 H^T inv(R) (z - H x)"),
    ("1/2 (x-mu)^T Sigma^{-1} (x-mu)", "x", {"Sigma"}, "denominator", "inv(Sigma) (x - mu)"),
    ("1/2 (x-mu)^T Sigma^{-1} (x-mu)", "x", {"Sigma"}, "numerator", "(x - mu)^T inv(Sigma)"),
    ("log(det(X^T X))", "X", set(), "denominator", "2 X inv(X^T X)"),
    ("log(det(X^T X))", "X", set(), "numerator", "2 inv(X^T X) X^T"),
    ("x^T (X^T X)^{-2} x", "x", set(), "numerator", "2 x^T inv((X^T X) (X^T X))"),
    ("x^T inv(S S) x", "x", {"S"}, "numerator", "2 x^T inv(S^2)"),
    ("x^T (A + A^T)^{-1} x", "x", set(), "numerator", "2 x^T inv(A + A^T)"),
])
def test_symmetric_expressions_are_used(expr, wrt, symmetric, layout, result):
    d = derive(expr, wrt, symmetric=symmetric, layout=layout)
    assert d.verified and d.result_text == result


def test_an_inverse_of_what_is_not_symmetric_keeps_its_transpose():
    assert derive("x^T inv(A B) x", "x").result_text == "x^T (inv(A B) + inv(A B)^T)"


def test_the_student_t_has_no_inverse_transposed():
    d = derive("log(1 + (x - m)^T inv(S) (x - m) / nu)", "x", symmetric={"S"})
    assert "inv(S)^T" not in d.result_text
    assert not [s["body"] for s in d.steps if r"^{-\top}" in s["body"]]  # no display keeps it
    assert d.result_text.startswith("2 (x - m)^T inv(S)")


def test_the_kalman_hessian_is_twice_the_information_matrix():
    d = derive(KALMAN, "x", symmetric={"R", "P"}, order=2)
    assert d.result_text == "2 (inv(P) + H^T inv(R) H)"


def test_the_cli_takes_several_symmetric_names_in_one_option():
    out = run_cli("derive", KALMAN, "--wrt", "x", "--symmetric", "R,P", "--order", "2",
                  "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["result"] == "2 (inv(P) + H^T inv(R) H)"
    assert data["symbols"]["R"]["symmetric"] and data["symbols"]["P"]["symmetric"]
    assert Options.from_mapping({"wrt": "x", "symmetric": ["R,P", "S"]}).symmetric == (
        "P", "R", "S")


def sentences(d) -> str:
    return " ".join(s["text"] for s in d.steps if s["rule"] != "goal")


@pytest.mark.parametrize("expr, wrt, options, said", [
    ("(z - H x)^T R^{-1} (z - H x)", "x", {"symmetric": {"R"}},
     r"Since \(\boldsymbol{R}\) is symmetric, \(\boldsymbol{R}^{-\top} = \boldsymbol{R}^{-1}\)"),
    ("x^T A x", "x", {"symmetric": {"A"}},
     r"Since \(\boldsymbol{A}\) is symmetric, \(\boldsymbol{A}^{\top} = \boldsymbol{A}\)"),
    ("log(det(X^T X))", "X", {"layout": "denominator"},
     r"Since \(\boldsymbol{X}^{\top} \boldsymbol{X}\) is symmetric, \(\left(\boldsymbol{X}^"
     r"{\top} \boldsymbol{X}\right)^{-\top} = \left(\boldsymbol{X}^{\top} \boldsymbol{X}"
     r"\right)^{-1}\)"),
    (KALMAN, "x", {"symmetric": {"R", "P"}, "order": 2},
     r"Since \(\boldsymbol{P}\) is symmetric, \(\boldsymbol{P}^{-\top} = \boldsymbol{P}^{-1}\)"),
    ("1/2 x^T A x", "x", {"symmetric": {"A"}, "order": 2},
     r"Since \(\boldsymbol{A}\) is symmetric, \(\boldsymbol{A}^{\top} = \boldsymbol{A}\)"),
])
def test_each_use_of_symmetry_is_said(expr, wrt, options, said):
    """Never silently: the step that merged terms because a matrix is symmetric says so."""
    d = derive(expr, wrt, **options)
    assert said in sentences(d)
    assert "is symmetric," in " ".join(s["text"] for s in d.typst_steps if s["rule"] != "goal")


@pytest.mark.parametrize("expr, wrt, options", [
    ("y^T A x", "x", {}), ("x^T A x", "x", {}), ("x^T inv(A B) x", "x", {}),
    ("(z - H x)^T R^{-1} (z - H x)", "x", {}),
])
def test_no_symmetry_sentence_where_none_was_used(expr, wrt, options):
    assert "is symmetric" not in sentences(derive(expr, wrt, **options))


@pytest.mark.parametrize("expr, symmetric, rule, said", [
    ("x^T A x", {"A"}, "identity",
     r"Since \(\boldsymbol{A}\) is symmetric, \(\boldsymbol{A}^{\top} = \boldsymbol{A}\)"),
    ("(z - H x)^T R^{-1} (z - H x)", {"R"}, "chain_rule",
     r"Since \(\boldsymbol{R}\) is symmetric, \(\boldsymbol{R}^{-\top} = \boldsymbol{R}^{-1}\)"),
])
def test_the_identity_method_says_it_too(expr, symmetric, rule, said):
    steps = derive(expr, "x", symmetric=symmetric, method="identity").steps
    assert said in next(s["text"] for s in steps if s["rule"] == rule)
    plain = derive(expr, "x", method="identity").steps
    assert not any("is symmetric," in s["text"] for s in plain)
