"""Results in lecturer form (SPEC §7; issue 17 §5, issue 24's lecturer forms): no helper
names for fractions, norms kept as typed, like terms collected, named quotients (softmax,
tanh) recognised, terms in the input's order. Each result is checked in both layouts
(Hessians have one), as text and as the page's last line, and is verified before it is
printed (derive raises on a wrong result)."""

import pytest

from derivtex import derive


def last_line(d) -> str:
    return d.steps[-1]["body"]


def wheres(d) -> list[str]:
    return [s["body"] for s in d.steps if r"\text{where }" in s["body"]]


def both(expr: str, wrt: str, **options):
    return (derive(expr, wrt, **options),
            derive(expr, wrt, layout="denominator", **options))


def test_rayleigh_quotient_is_one_fraction_times_a_bracket_without_a_helper_name():
    num, den = both("x^T A x / (x^T x)", "x", symmetric={"A"})
    assert num.verified and den.verified
    assert num.result_text == "2 (x^T A - (x^T A x) x^T / (x^T x)) / (x^T x)"
    assert den.result_text == "2 (A x - (x^T A x) x / (x^T x)) / (x^T x)"
    x, a = r"\boldsymbol{x}", r"\boldsymbol{A}"
    xtx = rf"{x}^{{\top}} {x}"
    assert last_line(num).endswith(
        rf"&= \frac{{2}}{{{xtx}}} \left({x}^{{\top}} {a} - \frac{{{x}^{{\top}} {a} {x}}}"
        rf"{{{xtx}}} {x}^{{\top}}\right)")
    assert last_line(den).endswith(
        rf"&= \frac{{2}}{{{xtx}}} \left({a} {x} - \frac{{{x}^{{\top}} {a} {x}}}"
        rf"{{{xtx}}} {x}\right)")
    for d in (num, den):
        assert wheres(d) == [] and "s^{2}" not in d.latex
        assert "where" not in d.typst


@pytest.mark.parametrize("expr, numerator, denominator", [
    ("||x - c||", "(x - c)^T / ||x - c||", "(x - c) / ||x - c||"),
    ("1/||x - y||", "-(x - y)^T / ||x - y||^3", "-(x - y) / ||x - y||^3"),
    ("x / ||x||", "(I - x x^T / ||x||^2) / ||x||", "(I - x x^T / ||x||^2) / ||x||"),
])
def test_a_norm_stays_a_norm_in_the_result_the_title_and_every_step(expr, numerator,
                                                                     denominator):
    num, den = both(expr, "x")
    assert (num.result_text, den.result_text) == (numerator, denominator)
    for d in (num, den):
        assert r"\sqrt{\lVert" not in d.latex and r"\sqrt" not in d.title
        assert "sqrt(norm" not in d.typst and wheres(d) == []
        assert r"\rVert^{2}" not in d.title and r"\rVert" in d.title
    assert r"\frac{1}{\lVert \boldsymbol{x} - \boldsymbol{c} \rVert}" in \
        last_line(derive("||x - c||", "x"))


def test_the_frobenius_subscript_stays_in_the_title_the_goal_and_the_steps():
    num, den = both("||X W - Y||_F^2", "W")
    assert num.result_text == "2 (X W - Y)^T X" and den.result_text == "2 X^T (X W - Y)"
    for d in (num, den):
        norm = r"\lVert \boldsymbol{X} \boldsymbol{W} - \boldsymbol{Y} \rVert_{F}^{2}"
        assert norm in d.title
        assert d.steps[0]["body"].startswith("f &= " + norm)
        assert "Let \\(f = " + norm in d.steps[0]["text"]
        assert "_(F)^2" in d.typst
    assert r"\rVert_{2}" in derive("||x||_2", "x").title  # as typed
    assert r"\rVert_{" not in derive("||x||^2", "x").title


def test_cosine_similarity_has_one_divisor_and_no_helper_names():
    num, den = both("x^T y / (||x|| * ||y||)", "x")
    assert num.result_text == "(y^T - (x^T y) x^T / ||x||^2) / ||x|| / ||y||"
    assert den.result_text == "(y - (x^T y) x / ||x||^2) / ||x|| / ||y||"
    x, y = r"\boldsymbol{x}", r"\boldsymbol{y}"
    assert last_line(num).endswith(
        rf"&= \frac{{1}}{{\lVert {x} \rVert \lVert {y} \rVert}} \left({y}^{{\top}} - "
        rf"\frac{{{x}^{{\top}} {y}}}{{\lVert {x} \rVert^{{2}}}} {x}^{{\top}}\right)")
    for d in (num, den):
        assert wheres(d) == [] and r"\sqrt{\lVert" not in d.latex


@pytest.mark.parametrize("expr, wrt, numerator, denominator", [
    ("||X w - y||^2 + lambda ||w||^2", "w", "2 (X w - y)^T X + 2 lambda w^T",
     "2 X^T (X w - y) + 2 lambda w"),
    ("lambda ||w||^2 + ||X w - y||^2", "w", "2 lambda w^T + 2 (X w - y)^T X",
     "2 lambda w + 2 X^T (X w - y)"),
])
def test_terms_keep_the_order_they_were_typed_in(expr, wrt, numerator, denominator):
    num, den = both(expr, wrt)
    assert (num.result_text, den.result_text) == (numerator, denominator)


def test_the_logistic_hessian_collects_its_scalars():
    d = derive("sigma(w^T x)", "w", order=2)
    assert d.result_text == "f (1 - f) (1 - 2 f) x x^T"
    assert last_line(d).endswith(
        r"&= f \left(1 - f\right) \left(1 - 2 f\right) \boldsymbol{x} \boldsymbol{x}^{\top}")


def test_log_sum_exp_has_the_softmax_as_its_gradient_and_hessian():
    num, den = both("log(sum(exp(z)))", "z")
    assert (num.result_text, den.result_text) == ("softmax(z)^T", "softmax(z)")
    for d in (num, den):
        assert not any(r"\boldsymbol{s} = \exp" in w for w in wheres(d))
        assert r"\operatorname{softmax}" in last_line(d) or \
            r"\boldsymbol{s} = \operatorname{softmax}" in d.latex
    hessian = derive("log(sum(exp(z)))", "z", order=2)
    assert hessian.result_text == "diag(s) - s s^T"
    assert hessian.where == {"s": "softmax(z)"}


def test_log_cosh_is_written_with_tanh():
    num, den = both("1^T log(cosh(X w - y))", "w")
    assert (num.result_text, den.result_text) == ("tanh(X w - y)^T X", "X^T tanh(X w - y)")
    hessian = derive("1^T log(cosh(X w - y))", "w", order=2)
    assert hessian.result_text == "X^T diag(1 - s .* s) X"
    assert hessian.where == {"s": "tanh(X w - y)"}
    assert r"\cosh" not in last_line(hessian) and r"\sinh" not in last_line(hessian)


@pytest.mark.parametrize("expr, wrt, order, numerator, denominator", [
    # a generalised Rayleigh quotient: the divisor comes out of the bracket it stands in
    ("x^T A x / (x^T B x)", "x", 1,
     "x^T (A + A^T - (x^T A x) (B + B^T) / (x^T B x)) / (x^T B x)",
     "(A + A^T - (x^T A x) (B + B^T) / (x^T B x)) x / (x^T B x)"),
    ("||x||", "x", 2, "(I - x x^T / ||x||^2) / ||x||", None),
    ("a^T x / ||x||", "x", 1, "(a^T - (a^T x) x^T / ||x||^2) / ||x||",
     "(a - (a^T x) x / ||x||^2) / ||x||"),
    ("1^T log(1 + exp(X w)) - y^T X w", "w", 1, "(sigma(X w) - y)^T X", "X^T (sigma(X w) - y)"),
    ("log(1^T exp(W x))", "x", 1, "softmax(W x)^T W", "W^T softmax(W x)"),
])
def test_the_rules_hold_beyond_the_issues_examples(expr, wrt, order, numerator, denominator):
    assert derive(expr, wrt, order=order).result_text == numerator
    if denominator is not None:
        assert derive(expr, wrt, order=order, layout="denominator").result_text == denominator


def test_a_number_times_a_sum_stands_in_front_of_the_sum():
    """exp(-x^T x / 2): the rows said exp((-sum_k x_k x_k) 1/2); a lecturer writes
    exp(-1/2 sum_k x_k x_k), the number and the sign in front."""
    d = derive("exp(-x^T x / 2)", "x")
    expanded = next(s for s in d.steps if s["rule"] == "sum_expansion")["body"]
    assert expanded == r"f &= \exp\left(-\frac{1}{2} \sum_{k=1}^{n} x_{k} x_{k}\right)"
    assert r"\frac{1}{2}\right)" not in d.latex


def test_a_number_before_a_reciprocal_is_one_fraction():
    """log(1 + x^T x): the collected row said 2 (1/(1 + x^T x)) x_j."""
    d = derive("log(1 + x^T x)", "x")
    collected = next(s for s in d.steps if s["rule"] == "collect")["body"]
    assert collected.endswith(
        r"&= \frac{2}{1 + \boldsymbol{x}^{\top} \boldsymbol{x}} x_{j}"), collected


def test_a_reciprocal_factor_is_a_fraction_without_brackets():
    """x / (x^T x): the collected row ended (1/(x^T x)) delta_ji; a fraction is whole."""
    d = derive("x / (x^T x)", "x")
    collected = next(s for s in d.steps if s["rule"] == "collect")["body"]
    assert collected.endswith(
        r" + \frac{1}{\boldsymbol{x}^{\top} \boldsymbol{x}} \delta_{ji}"), collected


def test_a_number_before_a_halved_reciprocal_stays_one_fraction():
    """sqrt(x^T x + c): the collected row said 2 (1/(2 sqrt(x^T x + c))) x_j; the numbers are
    left for the reading to cancel, in one fraction."""
    d = derive("sqrt(x^T x + c)", "x", shapes="c=1")
    collected = next(s for s in d.steps if s["rule"] == "collect")["body"]
    assert collected.endswith(r"&= \frac{2}{2 \sqrt{\boldsymbol{x}^{\top} \boldsymbol{x} + c}} "
                              r"x_{j}"), collected
