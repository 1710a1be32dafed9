"""Derivatives by a symmetric matrix (issue 24): G with the entries independent, then the
gradient on symmetric matrices sym(G) = (G + G^T)/2 and the Matrix Cookbook's
G + G^T - I .* G, each labelled, verified along symmetric directions."""

import json
from dataclasses import replace
from fractions import Fraction

import pytest

from derivtex import derive
from derivtex.errors import DerivtexError, VerificationError
from derivtex.syntax import ast
from derivtex.verify.symmetric import check_symmetric_directions
from tests.conftest import run_cli

GP = "log(det(K)) + y^T inv(K) y"


def last(d) -> dict:
    return d.steps[-1]


@pytest.mark.parametrize("layout", ["numerator", "denominator"])
def test_a_gaussian_process_term_by_a_symmetric_kernel(layout):
    d = derive(GP, "K", symmetric={"K"}, layout=layout)
    assert d.verified and d.result_text == "inv(K) - inv(K) y y^T inv(K)"
    step = last(d)
    assert step["rule"] == "symmetric_gradient"
    assert r"\boldsymbol{G}^{\top} = \boldsymbol{G}" in step["text"]  # sym(G) = G, said
    assert "Matrix Cookbook (section 2.8)" in step["text"]
    assert r"\operatorname{sym}\left(\boldsymbol{G}\right) &= \frac{1}{2} \left(" \
        r"\boldsymbol{G} + \boldsymbol{G}^{\top}\right) = \boldsymbol{G}" in step["body"]
    assert r"&= 2 \boldsymbol{G} - \boldsymbol{I} \odot \boldsymbol{G}" in step["body"]


def test_a_g_that_is_not_symmetric_has_its_symmetric_part_written_out():
    d = derive("a^T K b", "K", symmetric={"K"})
    assert d.result_text == "b a^T"
    body = last(d)["body"]
    assert r"= \frac{1}{2} \boldsymbol{b} \boldsymbol{a}^{\top} + \frac{1}{2} \boldsymbol{a} " \
        r"\boldsymbol{b}^{\top}" in body
    assert "G}^{\\top} = \\boldsymbol{G}" not in last(d)["text"]


def test_checked_along_symmetric_directions():
    d = derive(GP, "K", symmetric={"K"}, verify=False)
    check_symmetric_directions(d.parsed, d.outcome, d.symbols, "K")
    wrong = replace(d.outcome.steps[-1], after=ast.Add((d.outcome.steps[-1].after,
                                                         ast.Identity("n"))))
    outcome = replace(d.outcome, steps=[*d.outcome.steps[:-1], wrong])
    with pytest.raises(VerificationError, match="symmetric"):
        check_symmetric_directions(d.parsed, outcome, d.symbols, "K")
    # G itself is not symmetric here, so it is not the gradient on symmetric matrices,
    # though <G, E> = <sym(G), E> for every symmetric E
    a = derive("a^T K b", "K", symmetric={"K"}, verify=False)
    not_sym = replace(a.outcome.steps[-1], after=a.outcome.steps[-1].before)
    with pytest.raises(VerificationError, match="not symmetric"):
        check_symmetric_directions(a.parsed, replace(a.outcome, steps=[
            *a.outcome.steps[:-1], not_sym]), a.symbols, "K")


def test_every_format_and_json():
    d = derive(GP, "K", symmetric={"K"})
    assert "symmetric_gradient" in [s["rule"] for s in d.to_dict()["steps"]]
    assert "sym" in d.typst and "Cookbook" in d.typst and "Cookbook" in d.markdown
    out = run_cli("derive", GP, "--wrt", "K", "--symmetric", "K", "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["verified"] and data["symbols"]["K"]["symmetric"]
    assert data["result"] == "inv(K) - inv(K) y y^T inv(K)"


def test_only_a_scalar_has_a_gradient_on_symmetric_matrices():
    with pytest.raises(DerivtexError, match="needs a scalar expression"):
        derive("K x", "K", symmetric={"K"})


def test_halves_are_exact():
    step = derive("a^T K b", "K", symmetric={"K"}).outcome.steps[-1]
    assert ast.Number(Fraction(1, 2)) in list(ast.walk(step.after))
