"""Hessians (--order 2): lecturer forms, values against an independent numpy second
difference, the steps in the order a lecturer writes them, and every shell's option."""

import json
import keyword
import re

import numpy as np
import pytest

from derivtex import DerivtexError, derive
from derivtex.engine.hessian import derive_hessian
from derivtex.errors import VerificationError
from derivtex.model.shapes import infer_symbols
from derivtex.options import Options
from derivtex.syntax.parser import parse_text
from derivtex.verify.differences import second_differences
from derivtex.verify.hessian_check import check_hessian
from tests.conftest import evaluate_numpy, run_cli


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def scalar(v) -> float:
    return float(np.asarray(v).reshape(-1)[0])


# expression, variable, options, result text, where-lines, a numpy reference of f
FORMS = [
    ("x^T A x", "x", {}, "A + A^T", {}, lambda A, x: scalar(x.T @ A @ x)),
    ("||A x - b||^2", "x", {}, "2 A^T A", {}, lambda A, x, b: float(np.sum((A @ x - b) ** 2))),
    ("-(y^T log(sigma(X w)) + (1 - y)^T log(1 - sigma(X w)))", "w", {},
     "X^T diag(s .* (1 - s)) X", {"s": "sigma(X w)"},
     lambda X, w, y: -scalar(y.T @ np.log(sigmoid(X @ w))
                             + (1 - y).T @ np.log(1 - sigmoid(X @ w)))),
    ("||X w - y||^2 + lambda ||w||^2", "w", {}, "2 (X^T X + lambda I)", {},
     lambda X, w, y, lambda_: float(np.sum((X @ w - y) ** 2) + lambda_ * np.sum(w ** 2))),
    ("1/2 x^T S x - b^T x", "x", {"symmetric": ["S"]}, "S", {},
     lambda S, x, b: 0.5 * scalar(x.T @ S @ x) - scalar(b.T @ x)),
    ("log(1^T exp(z))", "z", {}, "diag(s) - s s^T", {"s": "softmax(z)"},
     lambda z: float(np.log(np.sum(np.exp(z))))),
    ("log(sum(exp(A x)))", "x", {}, "A^T (diag(s) - s s^T) A", {"s": "softmax(A x)"},
     lambda A, x: float(np.log(np.sum(np.exp(A @ x))))),
    ("w^T (X^T X + lambda I) w", "w", {}, "2 (X^T X + lambda I)", {},
     lambda X, w, lambda_: scalar(w.T @ (X.T @ X + lambda_ * np.eye(len(w))) @ w)),
    ("y^T X w - 1^T log(1 + exp(X w))", "w", {}, "-X^T diag(s .* (1 - s)) X",
     {"s": "sigma(X w)"},
     lambda X, w, y: scalar(y.T @ X @ w) - float(np.sum(np.log(1 + np.exp(X @ w))))),
    ("1^T exp(X w) - y^T X w", "w", {}, "X^T diag(exp(X w)) X", {},
     lambda X, w, y: float(np.sum(np.exp(X @ w))) - scalar(y.T @ X @ w)),
    ("1/2 x^T S x - b^T x", "x", {}, "1/2 (S + S^T)", {},
     lambda S, x, b: 0.5 * scalar(x.T @ S @ x) - scalar(b.T @ x)),
    ("alpha^2 x^T x + exp(alpha)", "alpha", {}, "2 x^T x + exp(alpha)", {},
     lambda alpha, x: alpha ** 2 * scalar(x.T @ x) + np.exp(alpha)),
]


def bind(symbols: dict, rng: np.random.Generator) -> dict:
    """Values for the JSON's symbols, sizes 3, 4, 2 per dimension name; keywords get _."""
    sizes: dict = {}
    values = {}
    for name, sym in symbols.items():
        shape = tuple(sizes.setdefault(d, (3, 4, 2)[len(sizes) % 3]) if isinstance(d, str)
                      else d for d in sym["shape"])
        key = name + "_" if keyword.iskeyword(name) else name
        values[key] = float(rng.uniform(0.5, 1.5)) if sym["kind"] == "scalar" else \
            rng.standard_normal(shape)
    return values


def second_difference(f, values: dict, wrt: str) -> np.ndarray:
    """The reference: the numeric oracle's second differences of a hand-written f."""
    x = np.atleast_1d(np.asarray(values[wrt], dtype=float))
    scalar_variable = not np.ndim(values[wrt])
    return second_differences(
        lambda moved: f(**{**values, wrt: float(moved[0]) if scalar_variable else moved}), x)


@pytest.mark.parametrize("expr, wrt, options, result, where, reference", FORMS,
                         ids=[f[0] for f in FORMS])
def test_hessians_in_lecturer_form_match_second_differences(expr, wrt, options, result, where,
                                                            reference):
    data = derive(expr, wrt, order=2, **options).to_dict()
    assert data["result"] == result
    assert data.get("where", {}) == where
    assert data["verified"] is True and data["order"] == 2
    assert_matches_second_differences(data, reference, wrt, options)


def assert_matches_second_differences(data: dict, reference, wrt: str, options: dict) -> None:
    rng = np.random.default_rng(7)
    for _ in range(2):
        values = bind(data["symbols"], rng)
        if "S" in options.get("symmetric", ()):
            values["S"] = values["S"] + values["S"].T
        used = {k: v for k, v in values.items()
                if k in reference.__code__.co_varnames[:reference.__code__.co_argcount]}
        want = second_difference(reference, used, wrt)
        got = evaluate_numpy(data["numpy"], values)
        np.testing.assert_allclose(np.broadcast_to(got, want.shape), want,
                                   rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("expr, wrt", [(f[0], f[1]) for f in FORMS])
def test_both_layouts_give_the_same_hessian(expr, wrt):
    numerator = derive(expr, wrt, order=2).to_dict()
    denominator = derive(expr, wrt, order=2, layout="denominator").to_dict()
    assert (numerator["result"], numerator["numpy"]) == \
        (denominator["result"], denominator["numpy"])


@pytest.mark.parametrize("expr, wrt, options", [f[:3] for f in FORMS if f[1] != "alpha"])
def test_steps_run_gradient_entry_then_second_delta_contraction_reassembly(expr, wrt, options):
    steps = derive(expr, wrt, order=2, **options).to_dict()["steps"]
    rules = [s["rule"] for s in steps]
    assert rules[:2] == ["goal", "sum_expansion"]
    gradient = rules.index("gradient_entry")
    first_delta = rules.index("delta")
    second_delta = rules.index("delta", gradient)
    contraction = rules.index("contraction", second_delta)
    reassembly = rules.index("reassembly")
    assert first_delta < rules.index("contraction") < gradient < second_delta
    assert second_delta < contraction < reassembly < rules.index("symmetry") == len(rules) - 1
    assert steps[second_delta]["text"].count("Kronecker delta") == 1
    assert "symmetric" in steps[-1]["text"]
    assert steps[second_delta]["latex"].startswith("H_{ij} &=")


def test_quadratic_form_steps_follow_the_index_method():
    steps = derive("x^T A x", "x", order=2).to_dict()["steps"]
    by_rule = {}
    for s in steps:
        by_rule.setdefault(s["rule"], []).append(s["latex"])
    assert r"\sum_{k=1}^{n}\sum_{l=1}^{n} x_{k} A_{kl} x_{l}" in by_rule["sum_expansion"][0]
    assert by_rule["contraction"][0].endswith(r"\sum_{l=1}^{n} A_{il} x_{l} + "
                                              r"\sum_{k=1}^{n} x_{k} A_{ki}")
    assert r"\sum_{k=1}^{n} \left(A_{ik} + A_{ki}\right) x_{k}" in by_rule["gradient_entry"][0]
    assert r"\delta_{jk}" in by_rule["delta"][1]
    assert by_rule["contraction"][1].endswith("H_{ij} &= A_{ij} + A_{ji}"[-17:])
    assert by_rule["symmetry"][0] == r"\boldsymbol{H} &= \boldsymbol{A} + \boldsymbol{A}^{\top}"


def test_logistic_gradient_is_cancelled_entry_by_entry_before_the_second_pass():
    """As on the first derivative's page: sigma' is written through s, then s_k / s_k
    cancels in the entries, s defined on the line that first uses it (the substitution's
    sentence and row); then nabla f = X^T (s - y), never a Hadamard inverse."""
    steps = derive("-(y^T log(sigma(X w)) + (1 - y)^T log(1 - sigma(X w)))", "w",
                   order=2).to_dict()["steps"]
    rules = [s["rule"] for s in steps]
    assert rules.index("contraction") < rules.index("cancellation") < \
        rules.index("gradient_entry")
    cancellation = steps[rules.index("cancellation")]
    defines_s = r"\text{where } \boldsymbol{s} = \sigma\left(\boldsymbol{X} \boldsymbol{w}\right)"
    assert cancellation["latex"] == (
        r"\frac{\partial f}{\partial w_{i}} &= \sum_{k=1}^{n} X_{ki} [\boldsymbol{s} - "
        r"\boldsymbol{y}]_{k}")
    substitution = steps[rules.index("cancellation") - 1]
    assert substitution["rule"] == "substitution" and substitution["latex"].endswith(defines_s)
    assert [s for s in steps if r"\boldsymbol{s}" in s["latex"]][0] is substitution
    assert sum(defines_s in s["latex"] for s in steps) == 1
    entry = steps[rules.index("gradient_entry")]
    assert entry["text"].startswith(r"These are the entries of the gradient \(\nabla f = "
                                    r"\boldsymbol{X}^{\top} \left(\boldsymbol{s} - "
                                    r"\boldsymbol{y}\right)\). The gradient's \(i\)-th entry")
    assert entry["latex"].startswith(r"\frac{\partial f}{\partial w_{i}} &= \left["
                                     r"\boldsymbol{X}^{\top} \left(\boldsymbol{s} - "
                                     r"\boldsymbol{y}\right)\right]_{i} = ")
    assert r"\circ -1" not in "".join(s["latex"] + s["text"] for s in steps)
    assert steps[-1]["latex"].startswith(r"\boldsymbol{H} &= \boldsymbol{X}^{\top} "
                                         r"\operatorname{diag}\left(\boldsymbol{s} \odot")


def test_the_check_rejects_a_wrong_hessian():
    parsed = parse_text("x^T A x", frozenset())
    symbols = infer_symbols(parsed)
    outcome = derive_hessian(parsed, symbols, "x", "numerator")
    check_hessian(parsed, outcome.result, symbols, "x")
    wrong = parse_text("A", frozenset())
    with pytest.raises(VerificationError):
        check_hessian(parsed, wrong, symbols, "x")


@pytest.mark.parametrize("expr, wrt, message", [
    ("tr(A X)", "X", "tensor of order 4"),
    ("A x", "x", "needs a scalar expression"),
    ("a^T relu(x)", "x", "relu has no second derivative at 0"),
])
def test_hessians_that_are_not_matrices_are_refused_clearly(expr, wrt, message):
    with pytest.raises(DerivtexError, match=message):
        derive(expr, wrt, order=2)


@pytest.mark.parametrize("value, ok", [(2, True), ("2", True), (1, True), (3, False),
                                       ("two", False), (True, False), (2.0, False)])
def test_order_option_is_validated_once_for_every_shell(value, ok):
    if ok:
        assert Options.from_mapping({"wrt": "x", "order": value}).order == int(value)
    else:
        with pytest.raises(DerivtexError, match="order"):
            Options.from_mapping({"wrt": "x", "order": value})


def test_order_two_is_the_index_method_only():
    with pytest.raises(DerivtexError, match="index method"):
        derive("x^T A x", "x", order=2, method="identity")


def test_cli_order_two_writes_the_hessian_json():
    done = run_cli("derive", "||A x - b||^2", "--wrt", "x", "--order", "2", "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["result"] == "2 A^T A" and data["result_shape"] == ["m", "m"]
    bad = run_cli("derive", "x^T x", "--wrt", "x", "--order", "3")
    assert bad.returncode == 2 and b"--order" in bad.stderr


def test_standalone_page_titles_the_second_derivative():
    page = derive("x^T A x", "x", order=2).standalone()
    assert r"\frac{\partial^{2}}{\partial \boldsymbol{x}\,\partial \boldsymbol{x}^{\top}}" in page


def test_diagonal_scalings_of_a_gradient_become_elementwise_products():
    """tanh(A x)^T diag(b) tanh(A x): the gradient's diag(.) diag(b) t is read as t'⊙b⊙t,
    so every entry of the second pass shares one index per factor."""
    data = derive("tanh(A x)^T diag(b) tanh(A x)", "x", order=2).to_dict()
    assert data["verified"] is True
    entry = next(s for s in data["steps"] if s["rule"] == "gradient_entry")
    assert r"\operatorname{diag}" not in entry["latex"].split("=")[-1]


@pytest.mark.parametrize("expr, wrt", [("x^T A x", "x"), ("alpha^2 x^T x", "alpha")])
def test_every_format_words_the_hessian_steps(expr, wrt):
    d = derive(expr, wrt, order=2)
    for page in (d.latex, d.markdown):
        assert "We find one entry" not in page and "H_{}" not in page
        assert "differentiate" in page and "the Kronecker delta $$" not in page
    if wrt == "x":
        assert "second Kronecker delta" in d.latex and "Schwarz" in d.markdown


@pytest.mark.parametrize("expr, wrt, reference", [
    ("||sigma(W x) - y||^2", "x", lambda W, x, y: float(np.sum((sigmoid(W @ x) - y) ** 2))),
    ("||tanh(W x)||^2", "x", lambda W, x: float(np.sum(np.tanh(W @ x) ** 2))),
])
def test_diagonal_factors_of_a_hessian_merge_into_one_diag(expr, wrt, reference):
    """W^T (2 diag(a) diag(b) - ...) W is written W^T diag(2 a ⊙ b - ...) W."""
    data = derive(expr, wrt, order=2).to_dict()
    assert re.fullmatch(r"(\d+ )?W\^T diag\(.*\) W", data["result"]), data["result"]
    assert data["result"].count("diag(") == 1
    assert_matches_second_differences(data, reference, wrt, {})


@pytest.mark.parametrize("expr, wrt, result, reference", [
    ("exp(x)^T M exp(x)", "x", "(diag((M + M^T) s) + diag(s) (M + M^T)) diag(s)",
     lambda M, x: scalar(np.exp(x).T @ M @ np.exp(x))),
    ("a^T x + b^T y", "x", "0", lambda a, x, b, y: scalar(a.T @ x + b.T @ y)),
])
def test_hessians_beyond_the_textbook_forms(expr, wrt, result, reference):
    """A chain M_kl s_l next to a repeated k is the vector (M s)_k (diag((M + M^T) s));
    a gradient that does not depend on the variable gives the zero matrix."""
    data = derive(expr, wrt, order=2).to_dict()
    assert data["result"] == result
    assert_matches_second_differences(data, reference, wrt, {})


def test_a_large_f_whose_hessian_is_zero_still_verifies():
    """Second differences of a large f are rounding noise (~1e-8 |f|); the check allows
    for it instead of calling the exact 0 wrong (found by fuzzing)."""
    d = derive("(x - (x + b))^T C C A B C B A B^T A^T (x - (x + b))", "x", order=2)
    assert d.result_text == "0" and d.verified


def test_an_expression_with_its_own_h_calls_the_hessian_g():
    steps = derive("x^T H x", "x", order=2).to_dict()["steps"]
    assert steps[0]["latex"].startswith(r"\boldsymbol{G} &= ")
    assert steps[-1]["latex"] == r"\boldsymbol{G} &= \boldsymbol{H} + \boldsymbol{H}^{\top}"
    assert steps[-1]["text"].startswith(r"\(\boldsymbol{G}\) is symmetric, "
                                        r"\(\boldsymbol{G}^{\top} = \boldsymbol{G}\)")


def test_log_sum_exp_names_the_softmax_it_recognises():
    steps = derive("log(1^T exp(z))", "z", order=2).to_dict()["steps"]
    entry = next(s for s in steps if s["rule"] == "gradient_entry")
    assert (r"\frac{1}{\boldsymbol{1}^{\top} \exp\left(\boldsymbol{u}\right)} "
            r"\exp\left(\boldsymbol{u}\right) = \operatorname{softmax}\left(\boldsymbol{u}\right)"
            ) in entry["text"]
    assert entry["latex"].endswith(r"\frac{\partial f}{\partial z_{i}} &= \left["
                                   r"\operatorname{softmax}\left(\boldsymbol{z}\right)"
                                   r"\right]_{i}")
    second = steps[steps.index(entry) + 1]  # s is named on the first line that uses it
    assert second["latex"] == (r"H_{ij} &= \frac{\partial s_{i}}{\partial z_{j}} \\" + "\n"
                               r"&\quad \text{where } \boldsymbol{s} = "
                               r"\operatorname{softmax}\left(\boldsymbol{z}\right)")


@pytest.mark.parametrize("expr, wrt", [
    ("log(1^T exp(z))", "z"), ("y^T X w - 1^T log(1 + exp(X w))", "w"),
    ("-(y^T log(sigma(X w)) + (1 - y)^T log(1 - sigma(X w)))", "w")])
def test_hessian_pages_compile_in_typst_with_no_latex_left(expr, wrt, tmp_path):
    typst = pytest.importorskip("typst")
    source = derive(expr, wrt, order=2).typst_standalone()
    assert "\\exp" not in source and "\\frac" not in source and "\\boldsymbol" not in source
    path = tmp_path / "hessian.typ"
    path.write_text(source, encoding="utf-8")
    assert typst.compile(str(path))[:4] == b"%PDF"


def test_a_longer_chain_next_to_a_repeated_index_is_read_as_a_vector():
    """sigma(x)^T A A^T sigma(x): A_ik A_lk s_l is (A A^T s)_i, twice absorbed."""
    d = derive("sigma(x)^T A A^T sigma(x)", "x", order=2)
    assert d.verified and "diag(A A^T s .* " in d.result_text


def test_no_row_of_the_gradient_uses_a_name_before_its_where_line():
    """The softplus loss's gradient is recognised (exp/(1 + exp) = sigma) on its own
    display; s is named where it is first used, the Hessian's line, never rows above."""
    steps = derive("y^T X w - 1^T log(1 + exp(X w))", "w", order=2).to_dict()["steps"]
    entry = next(s for s in steps if s["rule"] == "gradient_entry")
    assert entry["latex"].split(" \\\\\n")[1] == (
        r"&= \boldsymbol{X}^{\top} \left(\boldsymbol{y} - \sigma\left(\boldsymbol{X} "
        r"\boldsymbol{w}\right)\right)")
    first = next(s for s in steps if r"\boldsymbol{s}" in s["latex"])
    assert first["rule"] == "recognition"  # s_k (1 - s_k), the line before the reassembly
    assert first["latex"].endswith(
        r"\text{where } \boldsymbol{s} = \sigma\left(\boldsymbol{X} \boldsymbol{w}\right)")
