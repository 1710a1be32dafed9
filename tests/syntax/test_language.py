"""What lecturers type (issue 11): every spelling is accepted in text and LaTeX, and its
derivative — in both layouts — matches central differences of a hand-written numpy
reference."""

import re

import numpy as np
import pytest

from derivtex import derive
from derivtex.errors import OptionError, ParseError, ShapeError
from derivtex.model.inference import infer
from derivtex.model.shapes import Shapes
from derivtex.printing.latex import LatexPrinter
from derivtex.printing.plain import NumpyPrinter
from derivtex.syntax import ast
from derivtex.syntax.ast import names_in, walk
from derivtex.syntax.latex_input import parse_latex
from derivtex.verify.differences import finite_differences
from fuzz import generate
from tests.conftest import evaluate_numpy, numeric_check, read_back, run_cli

LAYOUTS = ["numerator", "denominator"]


def dot(u, v):
    return (u.T @ v).item()


def softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


# (expression, wrt, reference over the symbols, extra options)
CASES = [
    # transposes as LaTeX writes them
    (r"a^\top x", "x", lambda a, x: dot(a, x), {}),
    ("a^T x", "x", lambda a, x: dot(a, x), {}),
    (r"x^\top A x", "x", lambda x, A: dot(x, A @ x), {}),
    (r"\boldsymbol{\theta}^\top x", "x", lambda theta, x: dot(theta, x), {}),
    ("theta^T x", "theta", lambda theta, x: dot(theta, x), {}),
    (r"\operatorname{tr}(X^\top A X)", "X", lambda X, A: np.trace(X.T @ A @ X), {}),
    (r"a^\intercal x", "x", lambda a, x: dot(a, x), {}),
    ("a^T X^{-T} b", "b", lambda a, X, b: dot(a, np.linalg.inv(X).T @ b), {}),
    (r"a^\top A^{-\top} b", "A", lambda a, A, b: dot(a, np.linalg.inv(A).T @ b), {}),
    # elementwise product
    (r"a \odot x", "x", lambda a, x: a * x, {}),
    (r"\mathbf{a} \circ \mathbf{x}", "x", lambda a, x: a * x, {}),
    # norms, the norm itself, square roots
    ("||X - A B||_F^2", "B", lambda X, A, B: np.sum((X - A @ B) ** 2), {}),
    (r"\|x\|_2^2", "x", lambda x: np.sum(x ** 2), {}),
    ("||x - c||", "x", lambda x, c: np.sqrt(np.sum((x - c) ** 2)), {}),
    (r"\lVert A x - b \rVert_2", "x", lambda A, x, b: np.linalg.norm(A @ x - b), {}),
    ("norm(x)", "x", lambda x: np.linalg.norm(x), {}),
    ("sqrt(x^T x)", "x", lambda x: np.sqrt(dot(x, x)), {}),
    (r"\sqrt{\mathbf{x}^\top \mathbf{x}}", "x", lambda x: np.sqrt(dot(x, x)), {}),
    ("||x||^4", "x", lambda x: np.sum(x ** 2) ** 2, {}),
    # division by a scalar expression: the Rayleigh quotient and friends
    ("x^T A x / (x^T x)", "x", lambda x, A: dot(x, A @ x) / dot(x, x), {}),
    (r"\frac{x^\top A x}{x^\top x}", "x", lambda x, A: dot(x, A @ x) / dot(x, x), {}),
    ("x / (1 + x^T x)", "x", lambda x: x / (1 + dot(x, x)), {}),
    (r"\frac{a^\top x}{\|x\|}", "x", lambda a, x: dot(a, x) / np.linalg.norm(x), {}),
    ("||A x - b||^2 / 2", "x", lambda A, x, b: np.sum((A @ x - b) ** 2) / 2, {}),
    (r"\frac{\mathbf{x}^\top\mathbf{x}}{2}", "x", lambda x: dot(x, x) / 2, {}),
    (r"\exp(-\frac{1}{2} \mathbf{x}^\top \mathbf{x})", "x", lambda x: np.exp(-dot(x, x) / 2),
     {}),
    # determinants written with bars
    (r"\log |\mathbf{X}|", "X", lambda X: np.log(np.linalg.det(X)), {}),
    (r"\log \left| \boldsymbol{\Sigma} \right|", "Sigma",
     lambda Sigma: np.log(np.linalg.det(Sigma)), {}),
    ("log |A + X X^T|", "X", lambda A, X: np.log(np.linalg.det(A + X @ X.T)), {}),
    # spellings
    ("trace(A X)", "X", lambda A, X: np.trace(A @ X), {}),
    ("Tr(A X)", "X", lambda A, X: np.trace(A @ X), {}),
    (r"\operatorname{Tr}(A X)", "X", lambda A, X: np.trace(A @ X), {}),
    ("ln(x^T x)", "x", lambda x: np.log(dot(x, x)), {}),
    (r"\ln(x^\top x)", "x", lambda x: np.log(dot(x, x)), {}),
    ("logdet(X)", "X", lambda X: np.log(np.linalg.det(X)), {}),
    ("sigmoid(W x)", "x", lambda W, x: 1 / (1 + np.exp(-W @ x)), {}),
    (r"\tfrac12 \|A x - b\|^2", "x", lambda A, x, b: np.sum((A @ x - b) ** 2) / 2, {}),
    ("sum(x)", "x", lambda x: np.sum(x), {}),
    ("sum(X)", "X", lambda X: np.sum(X), {}),
    ("sum(W x)", "x", lambda W, x: np.sum(W @ x), {}),
    # the ones vector and the identity matrix
    ("1^T exp(z)", "z", lambda z: np.sum(np.exp(z)), {}),
    ("log(1^T exp(z))", "z", lambda z: np.log(np.sum(np.exp(z))), {}),
    ("log(sum(exp(z)))", "z", lambda z: np.log(np.sum(np.exp(z))), {}),
    (r"\log(\mathbf{1}^\top \exp(\mathbf{z}))", "z", lambda z: np.log(np.sum(np.exp(z))), {}),
    ("1^T exp(X w) - y^T X w", "w",
     lambda X, w, y: np.sum(np.exp(X @ w)) - dot(y, X @ w), {}),
    ("x^T 1", "x", lambda x: np.sum(x), {}),
    ("y^T A 1", "A", lambda y, A: np.sum(y.T @ A), {}),
    ("tr(diag(B x))", "x", lambda B, x: np.sum(B @ x), {}),
    ("x^T (A + alpha I) x", "x", lambda x, A, alpha: dot(x, (A + alpha * np.eye(len(x))) @ x),
     {}),
    ("w^T (X^T X + alpha I) w", "w",
     lambda w, X, alpha: dot(w, (X.T @ X + alpha * np.eye(len(w))) @ w), {}),
    (r"\mathbf{x}^\top \mathbf{I} \mathbf{x}", "x", lambda x: dot(x, x), {}),
    # Greek names as vectors
    (r"(\mathbf{x} - \boldsymbol{\mu})^\top \boldsymbol{\Sigma}^{-1} (\mathbf{x} - "
     r"\boldsymbol{\mu})", "x",
     lambda x, mu, Sigma: dot(x - mu, np.linalg.inv(Sigma) @ (x - mu)), {}),
    ("(x - mu)^T Sigma^{-1} (x - mu)", "mu",
     lambda x, mu, Sigma: dot(x - mu, np.linalg.inv(Sigma) @ (x - mu)), {}),
    # symmetric matrices
    ("1/2 x^T S x - b^T x", "x", lambda x, S, b: dot(x, S @ x) / 2 - dot(b, x),
     {"symmetric": ["S"]}),
    ("(x - m)^T P (x - m)", "x", lambda x, m, P: dot(x - m, P @ (x - m)),
     {"symmetric": "P"}),
    # row vectors: the Jacobian of their column
    ("x^T", "x", lambda x: x.T, {}),
    ("x^T A", "x", lambda x, A: x.T @ A, {}),
    ("(A x)^T", "x", lambda A, x: (A @ x).T, {}),
    ("b^T + x^T A", "x", lambda b, x, A: b.T + x.T @ A, {}),
    (r"\mathbf{x}^\top \mathbf{A}", "x", lambda x, A: x.T @ A, {}),
    # functions added through the registry
    ("sinh(W x)", "x", lambda W, x: np.sinh(W @ x), {}),
    ("cosh(W x)", "x", lambda W, x: np.cosh(W @ x), {}),
    ("softplus(W x)", "x", lambda W, x: np.logaddexp(0, W @ x), {}),
    (r"\sinh(\mathbf{x}^\top \mathbf{x})", "x", lambda x: np.sinh(dot(x, x)), {}),
    ("sqrt(W x)", "x", lambda W, x: np.sqrt(W @ x), {}),
]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("expr, wrt, ref, options", CASES, ids=[c[0] for c in CASES])
def test_accepted_and_verified(expr, wrt, ref, options, layout):
    d = derive(expr, wrt, layout=layout, **options)
    data = d.to_dict()
    assert data["verified"] is True
    numeric_check(data, lambda **env: ref(**{k: env[k] for k in ref.__code__.co_varnames
                                            [:ref.__code__.co_argcount]}), wrt, layout)


@pytest.mark.parametrize("expr, wrt, numerator, denominator, options", [
    ("1/2 x^T S x - b^T x", "x", "x^T S - b^T", "S x - b", {"symmetric": ["S"]}),
    ("(x - m)^T P (x - m)", "x", "2 (x - m)^T P", "2 P (x - m)", {"symmetric": ["P"]}),
    ("x^T S x", "x", "2 x^T S", "2 S x", {"symmetric": ["S"]}),
    ("x^T I x", "x", "2 x^T", "2 x", {}),
    ("1^T exp(X w) - y^T X w", "w", "(exp(X w) - y)^T X", "X^T (exp(X w) - y)", {}),
    ("x^T A", "x", "A^T", "A", {}),
    ("(A x)^T", "x", "A", "A^T", {}),
    ("b^T + x^T A", "x", "A^T", "A", {}),
    ("a^T x", "x", "a^T", "a", {}),
    ("sum(x)", "x", "1^T", "1", {}),
    ("x^T 1", "x", "1^T", "1", {}),
    ("sum(A x)", "x", "1^T A", "A^T 1", {}),
    ("tr(diag(B x))", "x", "1^T B", "B^T 1", {}),
])
def test_lecturer_forms(expr, wrt, numerator, denominator, options):
    assert derive(expr, wrt, **options).result_text == numerator
    assert derive(expr, wrt, layout="denominator", **options).result_text == denominator


def test_a_transposed_one_is_the_ones_vector_not_the_number():
    """log(1^T exp(z)) once derived log(exp(z)) and answered I: its gradient is softmax."""
    d = derive("log(1^T exp(z))", "z", layout="denominator")
    data = d.to_dict()
    assert data["result_shape"] == ["n", 1]
    z = np.array([[0.3], [-1.2], [2.0]])
    got = evaluate_numpy(data["numpy"], {"z": z})  # valid Python over np and z only
    np.testing.assert_allclose(got, softmax(z), rtol=1e-12)
    assert data["result"] == "softmax(z)"  # the lecturer form, not log of a sum of one


def test_bold_and_guessed_greek_names_are_vectors():
    bold = derive(r"\boldsymbol{\mu}^\top \mathbf{x}", "x").symbols
    assert bold["mu"].kind == "vector"
    guessed = derive("(x - mu)^T Sigma^{-1} (x - mu)", "x").symbols
    assert (guessed["mu"].kind, guessed["Sigma"].kind) == ("vector", "matrix")
    assert guessed["mu"].shape == guessed["x"].shape
    assert derive("alpha x^T x", "x").symbols["alpha"].kind == "scalar"


def test_a_greek_name_that_fits_nowhere_is_named_with_its_declaration():
    with pytest.raises(ShapeError) as info:
        derive("(x - mu) + x^T x", "x")
    assert "'mu'" in str(info.value) and "shapes='mu=n'" in str(info.value)


def test_symmetric_shows_in_json_and_needs_a_square_matrix():
    data = derive("x^T S x", "x", symmetric=["S"]).to_dict()
    assert data["symbols"]["S"]["symmetric"] is True and "symmetric" not in data["symbols"]["x"]
    with pytest.raises(OptionError, match="not a matrix"):
        derive("x^T S x + b^T x", "x", symmetric=["b"])
    assert derive("a^T S b", "S", symmetric="S").steps[-1]["rule"] == "symmetric_gradient"
    with pytest.raises(ShapeError, match="square"):
        derive("x^T S y", "x", symmetric="S", shapes={"S": "2,3"})


@pytest.mark.parametrize("args, fragment", [
    (["x^T A x", "--wrt", "x", "--shape", "A=sym"], "--symmetric A"),
    (["x^T A x", "--wrt", "x", "--shape", "A=n,wide"], "not a size or a dimension name"),
    (["x^T A x", "--wrt", "x", "--symmetric", "B"], "not in the expression"),
    (["||Xw - y||^2", "--wrt", "w"], "put a space between names: X w"),
    (["\\|Xw - y\\|^2", "--wrt", "w"], "put a space between names: X w"),
    (["||Xw - y||^2", "--wrt", "y"], "put a space between names: X w"),
    (["sigmiod(W x)", "--wrt", "x"], "did you mean sigmoid"),
    (["x^T A x / x^T x", "--wrt", "x"], "only a scalar divides"),
    (["||X||_2", "--wrt", "X"], "spectral norm"),
])
def test_bad_input_says_what_to_write(args, fragment):
    result = run_cli("derive", *args)
    assert result.returncode == 2 and result.stdout == b""
    assert fragment in result.stderr.decode()


def test_symmetric_from_the_command_line():
    result = run_cli("derive", "1/2 x^T S x - b^T x", "--wrt", "x", "--symmetric", "S",
                     "--format", "json")
    assert result.returncode == 0, result.stderr
    assert b'"result": "x^T S - b^T"' in result.stdout


def test_a_row_vector_says_it_is_derived_by_its_column():
    d = derive("x^T A", "x")
    goal = d.to_dict()["steps"][0]["text"]
    assert "is a row vector" in goal and "the Jacobian of that column" in goal
    assert "row vector" not in derive("A x", "x").to_dict()["steps"][0]["text"]


@pytest.mark.parametrize("bad", ["x /", "x / 0", r"\sqrt[3]{x}", "||x||_3^2", "x^{-11}",
                                 r"\frac{}{x} x", r"\sqrt{} x", "x / / x"])
def test_malformed_new_syntax_is_a_parse_error(bad):
    with pytest.raises(ParseError):
        derive(bad, "x")


@pytest.mark.parametrize("expr, fragment", [
    ("tr(I) + x^T x", "size of I is not tied"),
    ("det(I + I) x^T x", "size of I is not tied"),
])
def test_a_one_or_identity_that_nothing_sizes_is_an_error(expr, fragment):
    with pytest.raises(ShapeError, match=fragment):
        derive(expr, "x")


@pytest.mark.parametrize("expr, wrt, ref, options", CASES, ids=[c[0] for c in CASES])
def test_latex_input_reads_the_results_latex_prints(expr, wrt, ref, options):
    """LaTeX input reads every notation derivtex prints — each result, printed
    and read back with the symbols' shapes declared, has the same value."""
    d = derive(expr, wrt, **options)
    if d.result is None:
        return
    tied = {dim for n in names_in(d.result) for dim in d.symbols[n.name].shape}
    if any(isinstance(n, ast.Ones | ast.Identity) and n.dim not in tied for n in walk(d.result)):
        return  # 1 y^T by itself does not say how long 1 is
    tex = LatexPrinter(Shapes(d.symbols)).expr(d.result)
    declared = {n: (1,) if s.kind == "scalar" else s.shape[:1] if s.kind == "vector" else s.shape
                for n, s in d.symbols.items()}
    back, _ = infer(parse_latex(tex), declared)
    arrays = generate.bind(d.to_dict()["symbols"], np.random.default_rng(0))
    want = evaluate_numpy(d.numpy, arrays)
    got = evaluate_numpy(NumpyPrinter(d.symbols, Shapes(d.symbols))(back), arrays)
    np.testing.assert_allclose(np.broadcast_to(got, want.shape), want, rtol=1e-12, err_msg=tex)


# (expression, wrt, reference, numerator-layout result, denominator-layout result)
QUOTIENTS = [
    ("x^T A x / (x^T x)", "x", lambda x, A: dot(x, A @ x) / dot(x, x),
     "(x^T (A + A^T) - 2 (x^T A x) x^T / (x^T x)) / (x^T x)",
     "((A + A^T) x - 2 (x^T A x) x / (x^T x)) / (x^T x)"),
    ("log(x^T x)", "x", lambda x: np.log(dot(x, x)), "2 x^T / (x^T x)", "2 x / (x^T x)"),
    ("sqrt(x^T x)", "x", lambda x: np.sqrt(dot(x, x)), "x^T / sqrt(x^T x)", "x / sqrt(x^T x)"),
    ("||x||", "x", lambda x: np.linalg.norm(x), "x^T / ||x||", "x / ||x||"),
    ("||x - c||", "x", lambda x, c: np.linalg.norm(x - c),
     "(x - c)^T / ||x - c||", "(x - c) / ||x - c||"),
    ("a^T x / ||x||", "x", lambda a, x: dot(a, x) / np.linalg.norm(x),
     "(a^T - (a^T x) x^T / ||x||^2) / ||x||", "(a - (a^T x) x / ||x||^2) / ||x||"),
    ("1 / (a^T x)", "x", lambda a, x: 1 / dot(a, x), "-a^T / (a^T x)^2", "-a / (a^T x)^2"),
    ("(a^T x)^-1", "x", lambda a, x: 1 / dot(a, x), "-a^T / (a^T x)^2", "-a / (a^T x)^2"),
    ("1 / (x^T x)^2", "x", lambda x: dot(x, x) ** -2,
     "-4 x^T / (x^T x)^3", "-4 x / (x^T x)^3"),
    ("y^T x / (a^T x) / (b^T x)", "x", lambda y, a, b, x: dot(y, x) / dot(a, x) / dot(b, x),
     "(y^T - (x^T y) a^T / (a^T x) - (x^T y) b^T / (b^T x)) / (a^T x) / (b^T x)",
     "(y - (x^T y) a / (a^T x) - (x^T y) b / (b^T x)) / (a^T x) / (b^T x)"),
    ("log(alpha)", "alpha", lambda alpha: np.log(alpha), "1 / alpha", "1 / alpha"),
    ("sqrt(alpha) x", "alpha", lambda alpha, x: np.sqrt(alpha) * x,
     "x / (2 sqrt(alpha))", "x^T / (2 sqrt(alpha))"),
    ("alpha^-1 x", "alpha", lambda alpha, x: x / alpha, "-x / alpha^2", "-x^T / alpha^2"),
    ("||x / ||x|| - c||^2", "x", lambda x, c: np.sum((x / np.linalg.norm(x) - c) ** 2),
     "2 ((x / ||x|| - c)^T - ((x / ||x|| - c)^T x) x^T / ||x||^2) / ||x||", None),
    # a norm ending a norm's operand: its closing bars would close the outer norm
    ("norm(x / norm(x))^2 a^T y", "y",
     lambda x, a, y: dot(a, y) * np.sum((x / np.linalg.norm(x)) ** 2),
     "||(x / ||x||)||^2 a^T", "||(x / ||x||)||^2 a"),
]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("expr, wrt, ref, numerator, denominator", QUOTIENTS,
                         ids=[q[0] for q in QUOTIENTS])
def test_reciprocals_of_scalars_are_written_as_division(expr, wrt, ref, numerator,
                                                       denominator, layout):
    """the result is in the input language, as a lecturer writes it — never the
    internal recip(.) — and reads back to the derivative (central differences of `ref`)."""
    d = derive(expr, wrt, layout=layout)
    assert "recip" not in d.result_text and "inv" not in d.result_text
    if layout == "numerator" or denominator is not None:
        assert d.result_text == (numerator if layout == "numerator" else denominator)
    drawn = generate.bind(d.to_dict()["symbols"], np.random.default_rng(3))
    arrays = {name: np.atleast_2d(value) for name, value in drawn.items()}  # alpha differenced too
    names = ref.__code__.co_varnames[:ref.__code__.co_argcount]
    want = generate.jacobian(lambda env: ref(**{k: env[k] for k in names}), arrays, wrt, layout)
    got = evaluate_numpy(read_back(d), arrays)
    np.testing.assert_allclose(np.broadcast_to(got, want.shape), want, rtol=1e-5, atol=1e-6,
                               err_msg=d.result_text)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("expr, wrt, ref, options", CASES, ids=[c[0] for c in CASES])
def test_the_result_text_reads_back_to_the_same_value(expr, wrt, ref, options, layout):
    """`result` is in the input language — our own parser reads it back, with the
    symbols' shapes declared, to the value the `numpy` answer has."""
    d = derive(expr, wrt, layout=layout, **options)
    code = read_back(d) if d.result is not None else None
    if code is None:
        return
    arrays = generate.bind(d.to_dict()["symbols"], np.random.default_rng(0))
    want = evaluate_numpy(d.numpy, arrays)
    got = evaluate_numpy(code, arrays)
    np.testing.assert_allclose(np.broadcast_to(got, want.shape), want, rtol=1e-12,
                               err_msg=d.result_text)


def test_a_misspelt_operator_name_suggests_the_function():
    with pytest.raises(ShapeError, match=r"did you mean the function sigmoid\(\.\.\.\)"):
        derive(r"\operatorname{sigmiod}(\mathbf{W}\mathbf{x})", "x")


ROWS_BY_A_SCALAR = [
    ("alpha x^T", lambda alpha, x, **_: alpha * x.T),
    ("alpha x^T A", lambda alpha, x, A, **_: alpha * x.T @ A),
    ("exp(alpha) x^T + b^T", lambda alpha, x, b, **_: np.exp(alpha) * x.T + b.T),
]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("expr, ref", ROWS_BY_A_SCALAR, ids=[r[0] for r in ROWS_BY_A_SCALAR])
def test_a_row_vector_by_a_scalar_stays_a_row(expr, ref, layout):
    data = derive(expr, "alpha", layout=layout).to_dict()
    arrays = generate.bind(data["symbols"], np.random.default_rng(5))
    at = lambda a: ref(**{**arrays, "alpha": float(a[0])})  # noqa: E731
    row = ref(**arrays)
    want = finite_differences(at, np.array([arrays["alpha"]])).reshape(row.shape)  # 1 x n
    got = evaluate_numpy(data["numpy"], arrays)
    np.testing.assert_allclose(got, want if layout == "numerator" else want.T, rtol=1e-6)


def test_numbers_in_a_product_are_one_number():
    """-1/2 x^T x is -(1/2) x^T x: the page never shows a mixed number like -1 1/2."""
    d = derive(r"\exp(-\frac{1}{2} \mathbf{x}^\top \mathbf{x})", "x")
    assert d.result_text == "-exp((-1/2) x^T x) x^T"
    assert not re.search(r"\d\s*\\frac\{\d+\}\{\d+\}", d.latex)


def test_a_vector_added_to_a_scalar_names_the_bias_to_declare():
    with pytest.raises(ShapeError, match=r"if 'b' is a scalar .*shapes='b=1'"):
        derive("w^T x + b", "w")
    assert derive("w^T x + b", "w", shapes={"b": "1"}).result_text == "x^T"


def _inv2(A):
    return np.linalg.inv(A @ A)


@pytest.mark.parametrize("layout", ["numerator", "denominator"])
@pytest.mark.parametrize("expr, wrt, latex, derivative", [
    ("alpha^-2 x", "alpha", r"-\frac{2}{\alpha^{3}} \boldsymbol{x}",
     lambda alpha, x: -2 * x / alpha ** 3),
    (r"\alpha^{-3} \mathbf{x}^\top \mathbf{x}", "alpha",
     r"-\frac{3 \left(\boldsymbol{x}^{\top} \boldsymbol{x}\right)}{\alpha^{4}}",
     lambda alpha, x: -3 * (x.T @ x) / alpha ** 4),
    ("x^T A^-2 x", "x", r"\boldsymbol{A}^{-2}",
     lambda x, A: x.T @ (_inv2(A) + _inv2(A).T)),
])
def test_negative_integer_powers(expr, wrt, latex, derivative, layout):
    """alpha^{-2} is 1/alpha^2 and A^{-2} the inverse of A^2, printed as a lecturer
    writes them; the numpy answer against the closed form (numerator layout)."""
    d = derive(expr, wrt, layout=layout)
    assert latex in d.latex and d.verified
    data = d.to_dict()
    arrays = generate.bind(data["symbols"], np.random.default_rng(4))
    want = np.atleast_2d(derivative(**arrays))
    want = want.T if layout == "denominator" else want
    got = evaluate_numpy(data["numpy"], arrays)
    np.testing.assert_allclose(np.broadcast_to(got, want.shape), want, rtol=1e-8)


@pytest.mark.parametrize("expr, result, ref", [
    ("1^T log(-x)", "-(1 ./ (-x))^T", lambda x: np.sum(np.log(-x))),
    ("log(x)", "diag(1 ./ x)", lambda x: np.log(x)),
    ("1^T sqrt(x)", "1/2 (1 ./ sqrt(x))^T", lambda x: np.sum(np.sqrt(x))),
    ("1^T relu(x)", "step(x)^T", lambda x: np.sum(np.maximum(x, 0))),
    ("1^T (1 ./ x)", "-(1 ./ x ./ x)^T", lambda x: np.sum(1 / x)),
])
def test_results_use_only_the_input_language(expr, result, ref):
    """Issue 25: no recip(.) in results, and step is a function of the language; each
    result reads back to the derivative."""
    d = derive(expr, "x")
    assert d.result_text == result
    arrays = generate.bind(d.to_dict()["symbols"], np.random.default_rng(3))
    arrays["x"] = -arrays["x"] if "-x" in expr else arrays["x"]
    want = generate.jacobian(lambda env: ref(env["x"]), arrays, "x", "numerator")
    np.testing.assert_allclose(evaluate_numpy(read_back(d), arrays), want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("spelling", ["step(a)^T x", "heaviside(a)^T x",
                                      r"\operatorname{step}(\mathbf{a})^\top \mathbf{x}"])
def test_step_is_typed_as_the_result_writes_it(spelling):
    d = derive(spelling, "x")
    assert d.result_text == "step(a)^T" and d.verified


def test_differentiating_step_is_refused_with_a_reason():
    result = run_cli("derive", "step(W x)", "--wrt", "x")
    assert result.returncode == 2 and not result.stdout
    assert b"step(.) jumps at 0" in result.stderr and b"Traceback" not in result.stderr


def test_elementwise_division_in_latex_and_text_derives():
    text = derive("1^T (a ./ (1 + x))", "x")
    latex = derive(r"\mathbf{1}^\top (\mathbf{a} \oslash (\mathbf{1} + \mathbf{x}))", "x")
    assert text.result_text == latex.result_text == "a^T diag(-1 ./ (1 + x) ./ (1 + x))"
    numeric_check(text.to_dict(), lambda a, x: np.sum(a / (1 + x)), "x", "numerator")


@pytest.mark.parametrize("expr, result", [("2 (1^T log(x))", "2 ./ x"),
                                          ("1/2 (1^T log(x))", "1 ./ (2 x)"),
                                          ("1^T log(-x)", "-1 ./ (-x)")])
def test_a_number_over_a_vector_is_one_quotient(expr, result):
    """In denominator layout, 2 ./ x and 1 ./ (2 x), as a lecturer divides."""
    d = derive(expr, "x", layout="denominator")
    assert d.result_text == result
    arrays = generate.bind(d.to_dict()["symbols"], np.random.default_rng(3))
    np.testing.assert_allclose(evaluate_numpy(read_back(d), arrays),
                               evaluate_numpy(d.to_dict()["numpy"], arrays), rtol=1e-12)


@pytest.mark.parametrize("expr", ["np^T x", "lambda x + lambda_ x"])
def test_colliding_names_exit_2_with_their_column(expr):
    result = run_cli("derive", expr, "--wrt", "x", "--format", "json")
    assert result.returncode == 2 and not result.stdout
    assert b"column 1: the name np" in result.stderr or b"column 12: lambda_" in result.stderr
