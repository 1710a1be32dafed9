"""derivtex.check_answer: every verdict on the notes' examples and on the mistakes
students make, in both layouts, with counterexamples that hold and hints that fit."""

import numpy as np
import pytest

from derivtex import check_answer
from derivtex.errors import ParseError, ShapeError, UnsupportedError

FIELDS = ["verdict", "message", "expected_shape", "answer_shape", "counterexample", "hint"]

# (expression, wrt, numerator-layout answer, denominator-layout answer)
NOTES = [
    ("W x", "x", "W", "W^T"),
    ("a^T x", "x", "a^T", "a"),
    ("y^T A x", "x", "y^T A", "A^T y"),
    ("(A B + C) v", "v", "A B + C", "(A B + C)^T"),
    ("x^T A x", "x", "x^T (A + A^T)", "(A + A^T) x"),
    ("||X w - y||^2", "w", "2 (X w - y)^T X", "2 X^T (X w - y)"),
    ("sigma(W x)", "x", "diag(sigma(W x) .* (1 - sigma(W x))) W",
     "W^T diag(sigma(W x) .* (1 - sigma(W x)))"),
    ("log(det(X))", "X", "inv(X)", "X^{-T}"),
    ("a^T X^{-1} b", "X", "-X^{-1} b a^T X^{-1}", "-X^{-T} a b^T X^{-T}"),
    ("tr(A X B)", "X", "B A", "A^T B^T"),
    ("x", "x", "I", "I"),
    ("1^T x", "x", "1^T", "(1^T)^T"),
    ("x^T x", "x", "2 x^T", "2 x"),
]


@pytest.mark.parametrize("expr, wrt, numerator, denominator", NOTES)
def test_the_notes_results_are_correct_in_their_layout_and_other_layout_in_the_other(
        expr, wrt, numerator, denominator):
    for layout, right, other in (("numerator", numerator, denominator),
                                 ("denominator", denominator, numerator)):
        result = check_answer(expr, wrt=wrt, answer=right, layout=layout)
        assert result.verdict == "correct", (expr, layout, result.message)
        assert result.correct and result.exit_status == 0 and result.hint is None
        assert result.counterexample is None and result.message.startswith("Correct:")
        if right != other:
            swapped = check_answer(expr, wrt=wrt, answer=other, layout=layout)
            assert swapped.verdict == "other_layout", (expr, layout, swapped.message)
            assert swapped.exit_status == 3 and "transpose it" in swapped.message


def test_a_for_a_transpose_x_is_the_other_layout_with_the_reason():
    result = check_answer("a^T x", wrt="x", answer="a")
    assert result.to_dict() == {
        "verdict": "other_layout",
        "message": "Correct in the other layout: you wrote the derivative as a column (n×1), "
                   "its denominator layout; in numerator layout the derivative of a scalar by "
                   "a vector is a row, one entry per entry of x, so it is a row (1×n): "
                   "transpose it.",
        "expected_shape": [1, "n"], "answer_shape": ["n", 1],
        "counterexample": None, "hint": None}
    assert list(result.to_dict()) == FIELDS
    assert check_answer("a^T x", wrt="x", answer="a", layout="denominator").correct


def test_a_y_for_the_bilinear_form_is_wrong_with_a_counterexample_and_the_transpose_hint():
    """A y multiplies out only for a square A; even then it is the other layout's result
    with A untransposed."""
    result = check_answer("y^T A x", wrt="x", answer="A y")
    assert result.verdict == "wrong" and result.exit_status == 3
    assert "only when n = m" in result.message
    assert result.hint is not None and "with A^T in place of A," in result.hint
    assert "in denominator layout" in result.hint
    example = result.counterexample
    assert example is not None and example["sizes"]["n"] == example["sizes"]["m"]
    values = {k: np.array(v, dtype=float) for k, v in example["values"].items()}
    i, _ = example["entry"]
    A, y = values["A"], values["y"]
    assert example["answer"] == pytest.approx((A @ y)[i - 1])
    assert example["derivative"] == pytest.approx((A.T @ y)[i - 1])
    assert example["answer"] != pytest.approx(example["derivative"])


def test_2_A_x_for_the_quadratic_form_is_right_only_for_a_symmetric_A():
    result = check_answer("x^T A x", wrt="x", answer="2 A x", layout="denominator")
    assert result.verdict == "wrong"
    assert result.hint == ("Your answer is right only when A is symmetric; for a general A it "
                           "is not. If it is symmetric, declare it: symmetric='A'.")
    assert result.counterexample is not None
    assert set(result.counterexample["sizes"].values()) <= {2, 3}
    declared = check_answer("x^T A x", wrt="x", answer="2 A x", layout="denominator",
                            symmetric="A")
    assert declared.verdict == "correct"
    assert check_answer("x^T A x", wrt="x", answer="2 A x", symmetric=["A"]).verdict \
        == "other_layout"
    numerator = check_answer("x^T A x", wrt="x", answer="2 A x")
    assert numerator.verdict == "wrong" and "symmetric" in (numerator.hint or "")
    assert "in denominator layout (then transpose it)" in (numerator.hint or "")


def test_the_hessian_2_A_is_right_only_for_a_symmetric_A():
    assert check_answer("x^T A x", wrt="x", answer="A + A^T", order=2).correct
    wrong = check_answer("x^T A x", wrt="x", answer="2 A", order=2)
    assert wrong.verdict == "wrong" and "symmetric" in (wrong.hint or "")
    assert check_answer("x^T A x", wrt="x", answer="2 A", order=2, symmetric="A").correct
    assert check_answer("||A x - b||^2", wrt="x", answer="2 A^T A", order=2).correct


@pytest.mark.parametrize("expr, answer, shape, expected", [
    ("y^T A x", "A", ["n", "m"], [1, "m"]),
    ("W x", "x^T", [1, "m"], ["n", "m"]),
    ("a^T x", "a a^T", ["n", "n"], [1, "n"]),
    ("tr(A X B)", "A", ["n", "m"], ["p", "m"]),
])
def test_a_wrong_shape_names_both_shapes_and_why(expr, answer, shape, expected):
    wrt = "X" if "X" in expr else "x"
    result = check_answer(expr, wrt=wrt, answer=answer)
    assert result.verdict == "wrong_shape", result.message
    assert result.answer_shape == shape and result.expected_shape == expected
    assert result.message.startswith("Wrong shape: your answer is")
    assert result.counterexample is None and result.exit_status == 3


def test_the_why_of_a_wrong_shape_follows_the_layout():
    numerator = check_answer("y^T A x", wrt="x", answer="A").message
    assert "in numerator layout the derivative of a scalar by a vector is a row" in numerator
    by_matrix = check_answer("a^T X b", wrt="X", answer="a", layout="denominator").message
    assert "a scalar by a matrix is shaped like X" in by_matrix
    jacobian = check_answer("W x", wrt="x", answer="x", layout="denominator").message
    assert "one row per entry of x and one column per entry of the vector" in jacobian


@pytest.mark.parametrize("expr, answer, fragment", [
    ("x^T x", "x^T", "A factor 2 is missing"),
    ("x^T x", "4 x^T", "There is a factor 2 too many"),
    ("1/2 x^T x", "2 x^T", "There is a factor 2 too many"),
    ("x^T A x", "-x^T (A + A^T)", "The sign is flipped"),
    ("||A x - b||^2", "2 (A x - b)^T A^T", None),
    ("||A x - b||^2", "(A x - b)^T A", "A factor 2 is missing"),
    ("a^T X b", "b^T a", None),
    ("y^T A^T x", "y^T A", "with A^T in place of A,"),
    ("y^T A B x", "y^T A^T B", "with A in place of A^T,"),
])
def test_hints_name_the_nearest_common_mistake(expr, answer, fragment):
    wrt = "X" if "X" in expr else "x"
    result = check_answer(expr, wrt=wrt, answer=answer)
    assert result.verdict in ("wrong", "wrong_shape"), result.message
    if fragment is None:
        return
    assert result.hint is not None and fragment in result.hint, result.hint
    assert result.counterexample is not None


def test_the_counterexample_is_small_and_its_values_give_its_entries():
    result = check_answer("x^T x", wrt="x", answer="x^T")
    example = result.counterexample
    assert example is not None and example["sizes"] == {"n": 2}
    x = np.array(example["values"]["x"])
    assert set(np.abs(x)) <= {1, 2, 3}  # small integers, to redo by hand
    _, j = example["entry"]
    assert (example["answer"], example["derivative"]) == (x[j - 1], 2 * x[j - 1])
    assert f"entry (1, {j}) of your answer is {x[j - 1]:g}" in result.message


def test_tolerances_never_call_a_nearly_right_answer_right():
    assert check_answer("a^T x", wrt="x", answer="1.0000001 a^T").verdict == "wrong"
    assert check_answer("x^T A x", wrt="x", answer="x^T (A + 1.000001 A^T)").verdict == "wrong"
    assert check_answer("a^T x", wrt="x", answer="0.5 a^T + 0.5 a^T").verdict == "correct"


@pytest.mark.parametrize("expr, wrt, answer, layout", [
    ("y^T A x", "x", r"\mathbf{A}^\top \mathbf{y}", "denominator"),
    ("y^T A x", "x", r"\mathbf{y}^{\top} \mathbf{A}", "numerator"),
    ("||X w - y||^2", "w", r"2\mathbf{X}^{\top}(\mathbf{X}\mathbf{w} - \mathbf{y})",
     "denominator"),
    ("log(det(X))", "X", r"\mathbf{X}^{-\top}", "denominator"),
    ("x^T A x", "x", r"\mathbf{x}^\top (\mathbf{A} + \mathbf{A}^\top)", "numerator"),
    (r"\mathbf{a}^\top \mathbf{x}", "x", "a", "denominator"),
])
def test_latex_answers_are_read_as_text_ones(expr, wrt, answer, layout):
    assert check_answer(expr, wrt=wrt, answer=answer, layout=layout).verdict == "correct"


def test_declared_sizes_come_back_as_integers():
    result = check_answer("A x", wrt="x", answer="A", shapes={"A": "3,4"})
    assert result.verdict == "correct" and result.expected_shape == [3, 4]
    wrong = check_answer("A x", wrt="x", answer="A^T", shapes="A=3,4")
    assert wrong.verdict == "other_layout" and wrong.answer_shape == [4, 3]


def test_an_unreadable_answer_is_a_located_error_that_says_it_is_the_answer():
    with pytest.raises(ParseError, match=r"in the answer, column 6: ") as caught:
        check_answer("a^T x", wrt="x", answer="a^T +")
    assert caught.value.column is None
    with pytest.raises(ParseError, match=r"in the answer, column 5: 'z' is not in the "
                                         r"expression \(its names: a, x\)"):
        check_answer("a^T x", wrt="x", answer="a^T z")
    with pytest.raises(ShapeError, match=r"in the answer, column 3: cannot multiply"):
        check_answer("y^T A x", wrt="x", answer="y A")
    with pytest.raises(ParseError, match=r"\\input"):
        check_answer("a^T x", wrt="x", answer=r"\input{secret} a")


def test_a_bad_expression_is_the_expressions_error_not_the_answers():
    with pytest.raises(ParseError) as caught:
        check_answer("a^T x +", wrt="x", answer="a^T")
    assert "answer" not in str(caught.value) and caught.value.column == 8


def test_a_tensor_derivative_has_no_answer_to_compare():
    with pytest.raises(UnsupportedError, match="tensor"):
        check_answer("W x", wrt="W", answer="x^T")


def test_a_bare_number_takes_the_derivatives_shape():
    assert check_answer("1^T x", wrt="x", answer="1", layout="denominator").correct
    assert check_answer("x - x", wrt="x", answer="0").correct
    assert check_answer("2 x", wrt="x", answer="2").verdict == "wrong"
    # a bare 1 is the ones of the derivative's shape in either layout, as in a result
    assert check_answer("1^T x", wrt="x", answer="1").correct


def test_an_answer_right_only_when_it_ties_two_sizes_is_the_wrong_shape():
    result = check_answer("a^T x + b^T z", wrt="x", answer="a^T + 0 b^T")
    assert result.verdict == "wrong_shape"
    assert "only when n = m" in result.message and "must hold for any sizes" in result.message


def test_large_cancelling_terms_in_an_answer_do_not_widen_the_tolerance():
    big = "100000000000000000000"
    result = check_answer("a^T x", wrt="x", answer=f"a^T + {big} x^T - {big} x^T + x^T")
    assert result.verdict == "wrong"


def test_an_answer_not_finite_where_the_derivative_is_is_wrong_and_json_safe():
    result = check_answer("a^T x", wrt="x", answer="a^T + 0 log(x)^T")
    assert result.verdict == "wrong"
    assert result.counterexample is not None and result.counterexample["answer"] is None
    assert "of your answer is undefined but" in result.message


def test_an_answer_inverting_a_matrix_singular_at_a_small_point_is_judged_not_a_crash():
    """X = [[1, 1], [1, 1]] is among the small integer points: inv(X) is undefined there."""
    result = check_answer("a^T X b", wrt="X", answer="inv(X)")
    assert result.verdict == "wrong" and result.counterexample is not None
    assert check_answer("sigma(W x)", wrt="x", answer="1 + inv(W) .* diag(x)").verdict \
        == "wrong"


def test_derivatives_by_a_scalar_are_worded_for_their_kind():
    assert check_answer("alpha^2", wrt="alpha", answer="2 alpha").message == \
        "Correct: this is the derivative."
    column = check_answer("alpha x", wrt="alpha", answer="x^T").message
    assert "the derivative of a vector by a scalar is a column" in column
    matrix = check_answer("alpha A", wrt="alpha", answer="A^T").message
    assert "the derivative of a matrix by a scalar is shaped like the matrix, so" in matrix


@pytest.mark.parametrize("expr, wrt, hessian, symmetric", [
    ("x^T A x", "x", "A + A^T", None),
    ("||A x - b||^2", "x", "2 A^T A", None),
    ("||X w - y||^2 + lambda ||w||^2", "w", "2 (X^T X + lambda I)", None),
    ("1/2 x^T S x - b^T x", "x", "S", "S"),
    ("-(y^T log(sigma(X w)) + (1 - y)^T log(1 - sigma(X w)))", "w",
     "X^T diag(sigma(X w) .* (1 - sigma(X w))) X", None),
    ("y^T X w - 1^T log(1 + exp(X w))", "w", "-X^T diag(sigma(X w) .* (1 - sigma(X w))) X",
     None),
    ("log(1^T exp(z))", "z", "diag(softmax(z)) - softmax(z) softmax(z)^T", None),
    ("1^T exp(X w) - y^T X w", "w", "X^T diag(exp(X w)) X", None),
])
def test_the_readme_hessians_are_correct_answers(expr, wrt, hessian, symmetric):
    result = check_answer(expr, wrt=wrt, answer=hessian, order=2, symmetric=symmetric)
    assert result.verdict == "correct", result.message
    assert check_answer(expr, wrt=wrt, answer=f"-({hessian})", order=2,
                        symmetric=symmetric).hint == \
        "The sign is flipped: minus your answer is the derivative."
