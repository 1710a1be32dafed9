"""Results read back as they mean (issue 25): over the fuzz generator's expressions, first
and second derivatives, the JSON `result` parsed again by derivtex's own parser, with the
same declarations, has `result_shape`; every bare `1` in it is a column of ones (a sum
with a number in it is a column or a scalar, so `1 - y^T` is never printed); it
evaluates to the JSON `numpy` and to finite differences; and the page's last line uses
no where-name it has not defined."""

import os
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from derivtex import derive
from derivtex.errors import DerivtexError, ShapeError, VerificationError
from derivtex.model.inference import infer
from derivtex.model.shapes import SCALAR, Shapes, Symbol
from derivtex.printing.abbreviate import NAMES
from derivtex.printing.plain import NumpyPrinter
from derivtex.syntax import ast
from derivtex.syntax.parser import parse_text
from derivtex.verify.differences import second_differences
from fuzz import generate
from tests.conftest import evaluate_numpy
from tests.strategies import (
    bind,
    jacobian,
    lecturer_scalars,
    matrices,
    row_vectors,
    scalars,
    vectors,
)

SETTINGS = settings(max_examples=int(os.environ.get("DERIVTEX_EXAMPLES", "60")), deadline=None,
                    derandomize=True, suppress_health_check=[HealthCheck.too_slow])

# the elementwise functions the generator does not draw, on arguments where they are defined
EXTRA = {
    "log": np.log, "sqrt": np.sqrt, "sinh": np.sinh, "cosh": np.cosh,
    "softplus": lambda z: np.logaddexp(0, z), "relu": lambda z: np.maximum(z, 0),
    "tanh": np.tanh,
}


@st.composite
def functions_of_vectors(draw):
    """1^T f(1 + v .* v), f(...) and (1 + v .* v) ./ ... by x: every function, and the
    elementwise division, in results."""
    v = draw(vectors)
    name = draw(st.sampled_from(sorted(EXTRA)))
    f = EXTRA[name]
    inner = f"(1 + ({v.text}) .* ({v.text}))"

    def positive(env):
        return 1 + v.fn(env) * v.fn(env)

    kind = draw(st.sampled_from(["sum", "vector", "quotient", "scaled"]))
    if kind == "sum":
        return generate.Drawn(f"1^T {name}({inner})", lambda env: float(np.sum(f(positive(env)))))
    if kind == "vector":
        return generate.Drawn(f"{name}({inner})", lambda env: f(positive(env)))
    if kind == "quotient":
        return generate.Drawn(f"1^T (x ./ {inner})",
                              lambda env: float(np.sum(env["x"] / positive(env))))
    return generate.Drawn(f"a^T (2 ./ {inner})", lambda env: (env["a"].T @ (2 / positive(env))
                                                              ).item())


@st.composite
def functions_of_matrices(draw):
    """a^T f(A) b and 1^T f(A) 1 by A: derivatives with a bare 1 in a matrix (tanh'(A)
    is 1 1^T - tanh(A) .* tanh(A)); where f(A) is not finite the example decides nothing."""
    name = draw(st.sampled_from(sorted({**EXTRA, "sigma": generate.UNARY["sigma"]})))
    f = {**EXTRA, "sigma": generate.UNARY["sigma"]}[name]
    if draw(st.booleans()):
        return generate.Drawn(f"a^T {name}(A) b",
                              lambda env: (env["a"].T @ f(env["A"]) @ env["b"]).item())
    return generate.Drawn(f"1^T {name}(A) 1", lambda env: float(np.sum(f(env["A"]))))


def declarations(symbols: dict[str, Symbol]) -> dict[str, tuple]:
    return {n: (1,) if s.kind == "scalar" else s.shape[:1] if s.kind == "vector" else s.shape
            for n, s in symbols.items()}


def read(text: str, symbols: dict[str, Symbol]) -> tuple[ast.Expr, Shapes, dict[str, Symbol]]:
    """`text` parsed and sized with the symbols declared as the JSON reports them."""
    declared = declarations(symbols)
    parsed = parse_text(text, frozenset(declared))
    symmetric = frozenset(n.name for n in ast.names_in(parsed) if symbols[n.name].symmetric)
    back, found = infer(parsed, declared, symmetric)
    return back, Shapes(found), found


def ones_are_columns(expr: ast.Expr, shapes: Shapes) -> list[ast.Expr]:
    """The sums with a bare number in them that are not columns or scalars: there `1`
    would not mean the ones vector it reads as."""
    return [n for n in ast.walk(expr) if isinstance(n, ast.Add)
            and any(ast.is_number(t) for t in n.terms)
            and shapes(n) != SCALAR and shapes(n)[1] != 1]


def read_back(d, data: dict, arrays: dict) -> np.ndarray:
    """The JSON `result`, parsed, checked for its shape and its ones, and evaluated."""
    symbols = dict(d.symbols)
    arrays = dict(arrays)
    for name, value in (data.get("where") or {}).items():  # Hessians name their values
        expr, shapes, found = read(value, symbols)
        arrays[name] = evaluate_numpy(NumpyPrinter(found, shapes)(expr), arrays)
        shape = shapes(expr)
        kind = "scalar" if shape == SCALAR else "vector" if shape[1] == 1 else "matrix"
        symbols[name] = Symbol(name, kind, shape)
    shown = data["result"]
    try:
        back, shapes, found = read(shown, symbols)
        shape = shapes(back)
    except ShapeError as exc:
        assert "is not tied to any symbol" in exc.message, exc.message
        back = None
    number = back.operand if isinstance(back, ast.Neg) else back
    alone = isinstance(number, ast.Number) and data["result_shape"] != [1, 1] and (
        number.value == 0 or (number.value == 1 and data["result_shape"][1] == 1))
    if back is None or alone:
        # I, 0 or ±1 by itself, as lecturers write them: the JSON's result_shape says how large
        rows, cols = data["result_shape"]
        sized = {**symbols, "Zsized": Symbol("Zsized", "matrix", (rows, cols))}
        whole, shapes, found = read(f"({shown}) + 0 Zsized", sized)
        assert isinstance(whole, ast.Add)
        back, shape = whole.terms[0], shapes(whole)
        found.pop("Zsized")
    assert list(shape) == data["result_shape"], f"{shown}: {shape}"
    assert not ones_are_columns(back, shapes), f"{shown}: a bare 1 that is not a column"
    return evaluate_numpy(NumpyPrinter({**symbols, **found}, shapes)(back), arrays)


# a `where` row too wide goes on over rows that start "&\quad \quad "
WHERE = re.compile(r"\\text\{where \}(.*?)(?:\\\\(?!\s*&\\quad \\quad )|\\end\{align\*\}|$)", re.S)


def where_names_used(row: str, symbols: dict) -> set[str]:
    """The short names (abbreviate.NAMES) a LaTeX row shows, bold or with an index."""
    found = set(re.findall(r"\\boldsymbol\{([a-zA-Z])\}", row))
    found |= set(re.findall(r"(?<![\\a-zA-Z{])([a-zA-Z])_\{", row))
    return {n for n in found if n in NAMES and n not in symbols}


def last_line_defines_its_names(latex: str, symbols: dict) -> None:
    displays = re.findall(r"\\begin\{align\*\}(.*?)\\end\{align\*\}", latex, re.S)
    rows = displays[-1].strip().split(r"\\")
    last = rows[-1]
    if r"\text{where }" in last and len(rows) > 1:
        last = rows[-2] + last
    defined: set[str] = set()
    for clause in WHERE.findall(latex):
        defined |= {bold or plain for bold, plain in re.findall(
            r"\\boldsymbol\{([a-zA-Z])\} =|(?<![\\a-zA-Z{])([a-zA-Z]) =", clause)}
    missing = where_names_used(last, symbols) - defined
    assert not missing, f"the last line uses {sorted(missing)}, defined nowhere: {last}"


def check(drawn, wrt: str, layout: str, order: int = 1, **options: str) -> None:
    if wrt not in re.findall(r"[A-Za-z][A-Za-z0-9_]*", drawn.text):
        return
    try:
        d = derive(drawn.text, wrt, layout=layout, symmetric=drawn.symmetric, order=order,
                   **options)
    except (DerivtexError, VerificationError):
        return  # rejections and internal refusals are counted by test_properties
    data = d.to_dict()
    last_line_defines_its_names(data["latex"], data["symbols"])
    if data["result"] is None:
        return
    arrays = bind(data["symbols"], np.random.default_rng(5))
    with np.errstate(all="ignore"):
        want_numpy = evaluate_numpy(data["numpy"], arrays)
        got = read_back(d, data, arrays)
        if order == 1:
            want = jacobian(drawn.fn, arrays, wrt, layout)
        else:
            x0 = np.asarray(arrays[wrt], dtype=float)
            want = second_differences(lambda x: float(drawn.fn({**arrays, wrt: x})), x0)
    if not (np.all(np.isfinite(want)) and np.all(np.isfinite(got))):
        return
    message = f"{drawn.text} by {wrt} ({layout}, order {order}): {data['result']}"
    got = np.broadcast_to(got, want.shape)
    size = max(1.0, float(np.max(np.abs(want))))
    np.testing.assert_allclose(got, np.broadcast_to(want_numpy, want.shape), rtol=1e-8,
                               atol=1e-10 * size, err_msg=message)
    np.testing.assert_allclose(got, want, rtol=1e-3,
                               atol=(1e-6 if order == 1 else 1e-4) * size, err_msg=message)


CLASSES = [(vectors, "x"), (scalars, "x"), (scalars, "A"), (matrices, "A"),
           (lecturer_scalars, "x"), (lecturer_scalars, "A"), (row_vectors, "x"),
           (functions_of_vectors(), "x"), (functions_of_matrices(), "A")]


@pytest.mark.parametrize("strategy, wrt", CLASSES,
                         ids=["vector-by-x", "scalar-by-x", "scalar-by-A", "tensor-by-A",
                              "lecturer-by-x", "lecturer-by-A", "row-by-x", "functions-by-x",
                              "functions-by-A"])
def test_first_derivatives_read_back(strategy, wrt):
    @SETTINGS
    @given(drawn=strategy, layout=st.sampled_from(["numerator", "denominator"]),
           method=st.sampled_from(["index", "both"]), steps=st.sampled_from(["full", "compact"]))
    def one(drawn, layout, method, steps):
        check(drawn, wrt, layout, method=method, steps=steps)

    one()


@pytest.mark.parametrize("strategy", [scalars, lecturer_scalars, functions_of_vectors()],
                         ids=["scalar", "lecturer", "functions"])
def test_second_derivatives_read_back(strategy):
    @SETTINGS
    @given(drawn=strategy)
    def one(drawn):
        if not drawn.text.startswith(("1^T", "a^T")) and strategy is not scalars \
                and strategy is not lecturer_scalars:
            return  # a vector's second derivative is a tensor
        check(drawn, "x", "numerator", order=2)

    one()


def test_a_row_of_ones_is_never_a_bare_one():
    """1^T tanh(x) by x: the transpose stays outside the sum with the ones vector in it
    (a column), not 1 - (tanh(x) .* tanh(x))^T, a column minus a row."""
    d = derive("1^T tanh(x)", "x")
    assert d.result_text == "(1 - tanh(x) .* tanh(x))^T"
    assert d.latex.rstrip().endswith(
        r"\left(\boldsymbol{1} - \boldsymbol{s} \odot \boldsymbol{s}\right)^{\top}"
        "\n\\end{align*}")
    check(generate.Drawn("1^T tanh(x)", lambda env: float(np.sum(np.tanh(env["x"])))), "x",
          "numerator")


@pytest.mark.parametrize("expr", ["(1 - x)^T x", "(1 - x^T) x"])
def test_a_row_with_a_number_is_a_transposed_column(expr):
    """Terms that combine into a row with a number in it: (1 - 2 x)^T, never 1 - 2 x^T."""
    d = derive(expr, "x", layout="numerator")
    assert d.result_text == "(1 - 2 x)^T"
    assert derive(expr, "x", layout="denominator").result_text == "1 - 2 x"


def test_a_vanishing_result_is_zero_not_minus_zero():
    """Found by the round trip: the transpose of -(X (P^T - P^T) Y) was -0."""
    d = derive("tr(B B A^T A^T inv(A) (P^T - P.T))", "A", layout="denominator")
    assert d.result_text == "0"
    assert d.latex.rstrip().splitlines()[-2].endswith(r"&= \boldsymbol{0}")


def _softmax_of_squares(env):
    return (generate.UNARY["softmax"](env["x"] * env["x"]).T @ env["x"]).item()


def _cosh_of_a_cubic(env):
    u = (env["x"].T @ env["x"]).item() * env["x"] + env["x"]
    return float(np.sum(np.cosh(1 + u * u)))


@pytest.mark.parametrize("drawn, shown", [
    (generate.Drawn("softmax(x .* x)^T x", _softmax_of_squares), "(1^T)^T (s^T x) - x"),
    (generate.Drawn("1^T cosh(1 + ((x^T x) x + x) .* ((x^T x) x + x))", _cosh_of_a_cubic),
     "(1 + x^T x)^2 diag(g)"),
])
def test_scalars_among_vectors_read_back(drawn, shown):
    """Found by the round trip (Hessians): a scalar in a sum of vectors is that multiple of
    the ones, a scalar factor of an elementwise product scales it; both are written so, not
    s^T x - x or s .* (1 + x^T x), which the parser refuses."""
    d = derive(drawn.text, "x", order=2)
    assert shown in d.result_text
    check(drawn, "x", "numerator", order=2)


def test_the_last_line_check_can_fail():
    """The page check itself: a name used on the last line and defined nowhere is found;
    defined in a where row before, it is not."""
    last = r"\begin{align*}" + "\n" + r"f &= \boldsymbol{1} - \boldsymbol{s}^{\top}" + \
        "\n" + r"\end{align*}"
    with pytest.raises(AssertionError, match=r"uses \['s'\]"):
        last_line_defines_its_names(last, {"x": {}})
    where = r"\begin{align*}" + "\n" + r"g &= s_{j} \\" + "\n" + \
        r"&\quad \text{where } \boldsymbol{s} = \tanh\left(\boldsymbol{x}\right)" + "\n" + \
        r"\end{align*}" + "\n"
    last_line_defines_its_names(where + last, {"x": {}})


@pytest.mark.parametrize("expr, result", [("1^T x", "1"), ("alpha 1^T x", "alpha (1^T)^T"),
                                          ("2 tr(diag(x))", "2 (1^T)^T")])
def test_the_ones_column_after_a_scalar_reads_back(expr, result):
    """alpha 1 would read back as the scalar alpha: after scalars the ones column is
    written (1^T)^T; alone, 1 takes the result's shape, as I and 0 do."""
    d = derive(expr, "x", layout="denominator")
    assert d.result_text == result
    check(generate.Drawn(expr, lambda env: float(np.sum(env["x"])) * (
        env["alpha"] if "alpha" in expr else 2 if "2" in expr else 1)), "x", "denominator")
