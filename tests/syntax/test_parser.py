from fractions import Fraction

import pytest

from derivtex.errors import ParseError
from derivtex.syntax import ast
from derivtex.syntax.parser import parse_text

N = ast.Name


def test_juxtaposition_star_and_at_are_products():
    want = ast.MatMul((N("W"), N("x")))
    assert parse_text("W x") == parse_text("W*x") == parse_text("W @ x") == want


@pytest.mark.parametrize("text", ["a^T x", "a' x", "a.T x", "a^{T} x"])
def test_transpose_spellings(text):
    assert parse_text(text) == ast.MatMul((ast.Transpose(N("a")), N("x")))


def test_sum_difference_and_constants():
    expr = parse_text("2.5 x - b")
    assert expr == ast.Add((ast.MatMul((ast.Number(Fraction(5, 2)), N("x"))), ast.Neg(N("b"))))


def test_norm_and_inverse_and_functions():
    assert parse_text("||x||^2") == ast.Norm2(N("x")) == parse_text("norm(x)^2")
    assert parse_text("X^{-1}") == ast.Call("inv", (N("X"),)) == parse_text("inv(X)")
    assert parse_text("sigma(W x)") == ast.Call("sigma", (ast.MatMul((N("W"), N("x"))),))


@pytest.mark.parametrize("text, column, fragment", [
    ("A x -", 6, "ends too early"),
    ("bar(x)", 1, "unknown function 'bar'"),
    ("(A x", 5, "')'"),
    ("A x)", 4, "unmatched"),
    ("x # y", 3, "unexpected character"),
    ("||x||^1.5", 7, "norm's power"),
    ("x^3.5", 3, "unsupported exponent"),
    ("x^-11", 4, "-2..-10"),
    ("", 1, "empty"),
])
def test_errors_name_the_column(text, column, fragment):
    with pytest.raises(ParseError) as info:
        parse_text(text)
    assert info.value.column == column
    assert fragment in info.value.message


def test_deep_nesting_is_a_clean_error():
    with pytest.raises(ParseError, match="nested deeper"):
        parse_text("(" * 4000 + "x" + ")" * 4000)


def test_length_limit():
    with pytest.raises(ParseError, match="limit is 10,000"):
        parse_text("x + " * 3000 + "x")


def test_division_by_a_number_and_prefix_functions():
    assert parse_text("||x||^2 / 2") == ast.MatMul((ast.Norm2(N("x")), ast.Number(Fraction(1, 2))))
    assert parse_text("log det X") == ast.Call("log", (ast.Call("det", (N("X"),)),))
    with pytest.raises(ParseError, match="parentheses"):
        parse_text("tr X")
    with pytest.raises(ParseError, match="division by zero"):
        parse_text("x / 0")


def test_declared_names_may_precede_parentheses():
    assert parse_text("foo(x)", frozenset({"foo"})) == ast.MatMul((N("foo"), N("x")))


@pytest.mark.parametrize("spelling, plain", [
    ("trace(X)", "tr(X)"), ("Tr(X)", "tr(X)"), ("ln(x)", "log(x)"),
    ("sigmoid(x)", "sigma(x)"), ("logdet(X)", "log(det(X))"), ("X^{-T}", "inv(X)^T"),
    ("||x||_2^2", "||x||^2"), ("||X||_F^2", "||X||^2"), ("norm(x)", "sqrt(||x||^2)"),
    ("||x - c||", "sqrt(||x - c||^2)"), ("||x||_{2}", "sqrt(||x||^2)"),
    ("||x||^4", "||x||^2 ||x||^2"), ("ln det X", "log(det(X))"), ("sinh x", "sinh(x)"),
    ("|X|", "det(X)"), ("log |A + X|", "log(det(A + X))"), ("1/2 x", "0.5 x"),
    ("2 x 3", "6 x"), ("x / (4)", "x / 4"),
])
def test_spellings_are_the_same_function(spelling, plain):
    assert parse_text(spelling) == parse_text(plain)


def test_ones_identity_and_division_have_nodes_of_their_own():
    ones_t = ast.Transpose(ast.Ones(None))
    assert parse_text("1^T x") == ast.MatMul((ones_t, N("x")))
    assert parse_text("sum(x)") == ast.Call("sum", (N("x"),))  # sized by shape inference
    assert parse_text("1' x") == parse_text("1.T x") == parse_text("1^T x")
    assert parse_text("2^T") == ast.Transpose(ast.Number(Fraction(2)))
    assert parse_text("lambda I") == ast.MatMul((N("lambda"), ast.Identity(None)))
    assert parse_text("I", frozenset({"I"})) == N("I")
    quotient = parse_text("a / (x^T x)")
    assert quotient == ast.MatMul((N("a"), ast.Call("recip", (parse_text("x^T x"),))))
    assert quotient.factors[1].quotient is True


def test_unknown_functions_suggest_the_nearest_known_one():
    with pytest.raises(ParseError, match=r"did you mean softmax\(\.\.\.\)"):
        parse_text("sofmax(z)")
    with pytest.raises(ParseError) as info:
        parse_text("qqq(z)")
    assert "did you mean" not in info.value.message


def test_negative_powers_are_inverses_of_powers():
    assert parse_text("alpha^-2") == ast.Call("inv", (ast.MatMul((N("alpha"), N("alpha"))),))
    assert parse_text("A^{-3}") == parse_text("inv(A A A)")


def test_elementwise_division_reads_as_the_reciprocal_times_the_numerator():
    """`./` (\\oslash in LaTeX) divides entry by entry, at the level of `.*`; numbers scale."""
    recip = ast.Call("recip", (N("x"),))
    assert parse_text("1 ./ x") == recip
    assert parse_text("a ./ x") == ast.Hadamard((N("a"), recip))
    assert parse_text("W a ./ x") == ast.Hadamard((ast.MatMul((N("W"), N("a"))), recip))
    assert parse_text("2 ./ x") == ast.MatMul((ast.Number(Fraction(2)), recip))
    assert parse_text("x ./ 2") == ast.MatMul((ast.Number(Fraction(1, 2)), N("x")))
    assert parse_text("1 ./ (1 + x)") == ast.Call("recip", (parse_text("1 + x"),))


def test_elementwise_division_by_zero_and_the_internal_name_are_refused():
    with pytest.raises(ParseError, match="division by zero") as zero:
        parse_text("x ./ 0")
    assert zero.value.column == 3
    with pytest.raises(ParseError, match="unknown function 'recip'"):
        parse_text("recip(x)")  # results write 1 ./ x: recip is no word of the language


@pytest.mark.parametrize("text, column, message", [
    ("np x", 1, "the name np is reserved"),
    ("a^T np", 5, "the name np is reserved"),
    ("lambda x + lambda_ x", 12, "lambda_ and lambda would both be lambda_"),
    ("lambda_ x + lambda x", 1, "lambda_ and lambda would both be lambda_"),
    ("a__b x", 1, "no double underscore"),
])
def test_names_that_would_collide_in_the_numpy_answer_are_refused(text, column, message):
    """Issue 21: the JSON numpy answer binds np to numpy and spells a keyword K as K_, so
    np, K_ beside K, and dunders are refused, with the column."""
    with pytest.raises(ParseError, match=message) as refused:
        parse_text(text)
    assert refused.value.column == column


def test_a_keyword_alone_and_an_underscored_name_alone_are_fine():
    from derivtex import derive

    assert derive("lambda x", "x").to_dict()["numpy"] == "(lambda_ * (np.eye(x.shape[0])))"
    assert derive("lambda_ x", "x", shapes={"lambda_": "1"}).to_dict()["numpy"] == \
        "(lambda_ * (np.eye(x.shape[0])))"


def _sqrt_norm(name: str) -> ast.Expr:
    return ast.Call("sqrt", (ast.Norm2(N(name)),))


@pytest.mark.parametrize("text", [
    "||x|| ||y||", "||x||||y||", "(||x|| ||y||)", "||x|| * ||y||", "norm(x) norm(y)"])
def test_adjacent_norms_are_a_product(text):
    """||x|| ||y|| multiplies, as |x| |y| does on paper (issue 24)."""
    assert parse_text(text) == ast.MatMul((_sqrt_norm("x"), _sqrt_norm("y")))


def test_cosine_similarity_parses():
    expr = parse_text("x^T y / (||x|| ||y||)")
    assert expr == ast.MatMul((ast.Transpose(N("x")), N("y"), ast.Call(
        "recip", (ast.MatMul((_sqrt_norm("x"), _sqrt_norm("y"))),))))


@pytest.mark.parametrize("text, rest", [
    ("||b|| (x + a)", N("a")), ("||b|| x", None), ("||b|| (x + a)^T / ||x + a||", N("a"))])
def test_a_norm_before_an_operand_closes_where_no_norm_could_open(text, rest):
    """derivtex's own result ||b|| (x + a)^T / ||x + a|| (of ||x + a|| ||b||) read back:
    the '||' after b was taken to open a norm and the text was refused."""
    expr = parse_text(text)
    assert isinstance(expr, ast.MatMul) and expr.factors[0] == _sqrt_norm("b")
    assert (rest is None) == (expr.factors[1] == N("x"))


def test_norms_inside_a_norm_still_nest():
    assert parse_text("||a ||b|| ||") == ast.Call("sqrt", (ast.Norm2(ast.MatMul(
        (N("a"), _sqrt_norm("b")))),))
    assert parse_text("||a + ||x||^2 b||^2") == ast.Norm2(ast.Add((N("a"), ast.MatMul(
        (ast.Norm2(N("x")), N("b"))))))


@pytest.mark.parametrize("text, column", [
    ("||x|| ||y", 7), ("(||x|| ||y)", 8), ("||x ||y||", 1)])
def test_an_unclosed_norm_is_a_located_error(text, column):
    with pytest.raises(ParseError) as info:
        parse_text(text)
    assert "'||' to close the norm opened at column %d" % column in info.value.message
