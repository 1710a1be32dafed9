from dataclasses import replace
from fractions import Fraction

import pytest

from derivtex import derive
from derivtex.engine import index as ix
from derivtex.errors import DomainError, VerificationError
from derivtex.model.shapes import infer_symbols
from derivtex.syntax import ast
from derivtex.syntax.parser import parse_text
from derivtex.verify.check import check, check_entries
from derivtex.verify.sampling import stand_in_sizes
from tests.conftest import run_cli


def test_correct_result_passes_and_wrong_one_is_caught():
    expr = parse_text("y^T A x")
    symbols = infer_symbols(expr)
    right = parse_text("y^T A")
    check(expr, right, symbols, "x", "numerator")
    with pytest.raises(VerificationError):
        check(expr, parse_text("A^T y"), symbols, "x", "numerator")  # other layout
    with pytest.raises(VerificationError):
        check(expr, ast.MatMul((ast.Number(2), right)), symbols, "x", "numerator")


def test_symmetric_part_is_not_enough():
    expr = parse_text("x^T A x")
    symbols = infer_symbols(expr)
    with pytest.raises(VerificationError):
        check(expr, parse_text("2 x^T A"), symbols, "x", "numerator")


def test_declared_sizes_are_checked_on_small_stand_ins():
    # 100000 entries took 97 s and 11000 x 11000 took 3.7 GiB; the check is about the formula
    d = derive("x^T x", "x", shapes={"x": "100000"})
    assert d.verified and d.result_text == "2 x^T"
    assert d.to_dict()["symbols"]["x"]["shape"] == [100000, 1]
    d = derive("tr(A) + x^T x", "A", shapes={"A": "11000,11000", "x": "3"})
    assert d.result_text == "I"
    assert stand_in_sizes(d.symbols) == {1: 1, 3: 3, 11000: 7}
    with pytest.raises(VerificationError):  # the stand-ins still tell right from wrong
        check(parse_text("W x"), parse_text("W^T"), infer_symbols(
            parse_text("W x"), {"W": (100000, 20000)}), "x", "numerator")


def test_order_four_chain_is_checked_as_arrays():
    # a product of 8 matrices by a matrix took 12-24 s entry by entry
    d = derive("A1 A2 A3 X A5 A6 A7 A8", "X")
    assert d.result is None and d.verified
    assert [s["rule"] for s in d.steps][-1] == "index_form"


def test_a_wrong_index_form_is_caught():
    expr = parse_text("A X B")
    symbols = infer_symbols(expr)
    outcome = derive("A X B", "X").outcome
    check_entries(expr, outcome, symbols, "X")
    tensor = outcome.tensor
    assert tensor is not None
    doubled = replace(outcome, tensor=replace(
        tensor, tree=ix.prod([ix.Const(Fraction(2)), tensor.tree])))
    with pytest.raises(VerificationError, match="differs from finite differences"):
        check_entries(expr, doubled, symbols, "X")
    k, m = tensor.wrt_idx  # d(AXB)_ij/dX_km = A_ik B_mj; with k and m swapped it is wrong
    swapped = replace(outcome, tensor=replace(tensor, wrt_idx=[m, k]))
    with pytest.raises(VerificationError, match="index form has shape"):
        check_entries(expr, swapped, symbols, "X")


def test_inverse_of_a_product_by_a_factor():
    # the index form has a sum over an index that the contraction removes early
    d = derive("inv(A B)", "A")
    assert d.verified and d.result is None


def test_zero_factor_makes_the_term_vanish_instead_of_mismatching_shapes():
    # (P^T - P.T) is zero: x^T 0 s multiplied x^T by s, of other sizes, in verification
    d = derive("softmax((x^T inv(A) a) ((P^T - P.T) x))", "x")
    assert " 0 " not in d.result_text and d.verified
    assert derive("x^T (P^T - P.T) A x", "x").result_text == "0"
    assert derive("(P^T - P.T) x", "x").numpy == "np.zeros((P.shape[1], P.shape[0]))"


@pytest.mark.parametrize("expr", ["log(x - x)", "log(-(x .* x))",
                                  "exp(exp(exp(exp(exp(exp(x))))))"])
def test_no_finite_value_is_bad_input(expr):
    with pytest.raises(DomainError) as info:
        derive(expr, "x")
    assert info.value.message.startswith(
        "the expression has no finite value at any test point")
    assert info.value.column == 1
    done = run_cli("derive", expr, "--wrt", "x")
    assert done.returncode == 2 and done.stdout == b""
    assert done.stderr.decode().startswith("derivtex: no finite value: column 1: the expr")


@pytest.mark.parametrize("expr, wrt", [
    ("log(det(X^T X))", "X"),  # needs a tall X
    ("log(det(X X^T))", "X"),  # needs a wide X
    ("a^T log(-x)", "x"),  # needs a negative x
    ("inv(A B)", "A"),  # needs A B well conditioned
])
def test_points_are_drawn_inside_the_domain(expr, wrt):
    assert derive(expr, wrt).verified


def test_long_chain_stays_finite():
    chain = " ".join(f"A{i}" for i in range(900)) + " x"
    d = derive(chain, "x")
    assert d.verified and d.result_text.startswith("A0 A1 A2")


def test_rounding_in_cancelling_terms_is_not_a_mismatch():
    # terms of 1e25 cancel to 0.4 at one test point; another point decides
    expr = ("(softmax(exp(((log(det(A)) x)^T A^T (log(det(A)) x)) tanh(x))))^T inv(A) "
            "softmax(exp(((log(det(A)) x)^T A^T (log(det(A)) x)) tanh(x)))")
    assert derive(expr, "A").verified
    symbols = infer_symbols(parse_text("x^T x"))
    with pytest.raises(VerificationError):
        check(parse_text("x^T x"), parse_text("3 x^T"), symbols, "x", "numerator")


def test_huge_declared_matrix_through_the_cli_and_the_hessian():
    # --shape A=100000,100000 was a MemoryError
    done = run_cli("derive", "tr(A) + x^T x", "--wrt", "x", "--shape", "A=100000,100000",
                   "--format", "json")
    assert done.returncode == 0, done.stderr
    assert b'"result": "2 x^T"' in done.stdout
    hessian = derive("x^T A x", "x", order=2, shapes={"x": "100000"})
    assert hessian.verified and hessian.result_text == "A + A^T"


def test_difference_noise_of_a_large_value_is_not_a_mismatch():
    # f is 8e5 at the first point, so differences by a step of 1e-6 are good to ~1e-4 only
    text = ("x^T (||sigma(tanh(x) - sigma(a))||^2 A^T (det(A) alpha x) "
            "+ exp((a^T x) exp(x - a)))")
    d = derive(text, "A")
    assert d.verified
    with pytest.raises(VerificationError, match="differs from finite differences"):
        check(d.parsed, ast.MatMul((ast.Number(Fraction(101, 100)), d.result)), d.symbols,
              "A", "numerator")


@pytest.mark.parametrize("expr, wrt", [
    # exp of a chain of nine matrices near 2I is exp(4000): every such point was rounding
    ("(exp(x + a) - relu(x) + exp(B^T B^T A inv(A) A C A B^T sigma(a)))^T A", "x"),
    # sigma(exp(z)) is 1 where exp(z) overflows, and its derivative inf * 0
    ("sigma(exp(B A B B B A^T B^T A B^T relu(b)))^T inv(A) (alpha B inv(A) A alpha b + a)",
     "A"),
])
def test_moderate_points_are_preferred(expr, wrt):
    assert derive(expr, wrt).verified
