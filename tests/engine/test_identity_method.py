"""The identity method: the same results as the index method, by known identities."""

import numpy as np
import pytest

from derivtex import derive
from derivtex.engine.identities import LIBRARY
from derivtex.errors import UnsupportedError
from derivtex.model.shapes import infer_symbols
from derivtex.syntax import ast
from derivtex.syntax.ast import python_name as py_name
from derivtex.syntax.parser import parse_text
from derivtex.verify.check import check
from fuzz import generate
from tests.conftest import evaluate_numpy

SAME_RESULTS = ["W x", "a^T x", "y^T A x", "(A B + C) v", "x^T A x", "||A x - b||^2",
                "||A x - b||^2 + lambda ||x||^2", "sigma(W x)", "W2 sigma(W1 x)",
                "(a^T x) (b^T x)", "x x^T b", "softmax(W x)"]
MATRIX = ["a^T X b", "a^T X^T b", "tr(A X)", "tr(A X B)", "tr(X^T A X)", "det(X)",
          "log(det(X))", "a^T inv(X) b", "||X v||^2", "tr(X)"]


@pytest.mark.parametrize("expr, wrt", [(e, "x") for e in SAME_RESULTS if "v" not in e.split()]
                         + [("(A B + C) v", "v")] + [(e, "X") for e in MATRIX])
@pytest.mark.parametrize("layout", ["numerator", "denominator"])
def test_both_methods_reach_the_same_verified_result(expr, wrt, layout):
    d = derive(expr, wrt, layout=layout, method="both")
    assert d.verified
    by_index = derive(expr, wrt, layout=layout, method="index").to_dict()
    by_identity = derive(expr, wrt, layout=layout, method="identity").to_dict()
    arrays = generate.bind(by_index["symbols"], np.random.default_rng(17))
    scope = {py_name(k): v for k, v in arrays.items()}
    index, identity = (evaluate_numpy(r["numpy"], scope) for r in (by_index, by_identity))
    np.testing.assert_allclose(np.broadcast_to(identity, index.shape), index, rtol=1e-9,
                               atol=1e-12)
    steps = d.to_dict()["identity_steps"]
    assert steps[0]["rule"] == "goal" and steps[-1]["rule"] == "transpose_check"
    assert any(s["rule"] == "identity" or s["rule"] == "chain_rule" for s in steps)


def test_notes_identity_friends_recognise_v_transpose():
    steps = derive("y^T A x", "x", method="identity").to_dict()["steps"]
    text = " ".join(s["text"] for s in steps)
    assert r"\boldsymbol{v}^{\top} = \boldsymbol{y}^{\top} \boldsymbol{A}" in text
    assert "transpose of Matrix Cookbook eq. (69)" in text
    assert steps[-1]["latex"].endswith(r"\boldsymbol{y}^{\top} \boldsymbol{A}")


def test_quadratic_form_cites_eq_81():
    text = " ".join(s["text"] for s in derive("x^T A x", "x", method="identity").to_dict()["steps"])
    assert "eq. (81)" in text


@pytest.mark.parametrize("identity", LIBRARY.values(), ids=list(LIBRARY))
def test_every_identity_is_itself_an_index_method_result(identity):
    d = derive(identity.expr, identity.wrt)
    stated = parse_text(identity.numerator)
    if isinstance(stated, ast.Identity):
        stated = ast.Identity(d.symbols[identity.wrt].shape[0])
    else:
        assert set(infer_symbols(stated)) <= set(d.symbols)
    check(d.parsed, stated, d.symbols, identity.wrt, "numerator")


def test_identity_method_refuses_what_its_library_lacks():
    with pytest.raises(UnsupportedError, match="use --method index"):
        derive("tr(X X)", "X", method="identity")


def test_both_compiles(tmp_path, pdflatex):
    from tests.conftest import compile_tex

    tex = tmp_path / "both.tex"
    tex.write_text(derive("y^T A x", "x", method="both").standalone())
    compile_tex(tex, pdflatex)
    assert r"\paragraph{By identities.}" in tex.read_text()


@pytest.mark.parametrize("func, prime", [("tanh", r"\tanh"), ("abs", r"\operatorname{sign}"),
                                         ("relu", r"\operatorname{step}")])
def test_an_elementwise_chain_rule_cites_its_own_function(func, prime):
    """Not the sigmoid's identity for every elementwise function (issue 24)."""
    steps = derive(f"1^T {func}(W x)", "x", method="identity").to_dict()["steps"]
    chain = next(s["text"] for s in steps if s["rule"] == "chain_rule")
    assert prime in chain and r"\sigma" not in chain, chain
