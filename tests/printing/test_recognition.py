"""The line before reassembly (review A8): sums that are entries of matrix products are
written as those entries, and sigma'(...) as y_i (1 - y_i), before the reassembled entry,
so the reader never jumps from sigma'(sum_k W_ik x_k) W_ij to [diag(y .* (1 - y)) W]_ij."""

import numpy as np
import pytest

from derivtex import derive
from derivtex.engine.steps import Recognition
from derivtex.model.shapes import Shapes
from derivtex.verify.check import Evaluator
from derivtex.verify.index_values import IndexValues


def recognition(d):
    """The recognition step's sentence and equations, and the step it follows."""
    found = [k for k, s in enumerate(d.steps) if s["rule"] == "recognition"]
    assert len(found) == 1
    k = found[0]
    assert d.steps[k + 1]["rule"] == "reassembly"
    return d.steps[k], d.steps[k - 1]


def test_sigmoid_layer_writes_sigma_prime_through_y_before_the_diag():
    d = derive("sigma(W x)", "x")
    step, previous = recognition(d)
    assert previous["body"].endswith(
        r"&= \sigma'\left(\sum_{k=1}^{m} W_{ik} x_{k}\right) W_{ij}")
    assert step["body"] == (
        r"\frac{\partial y_{i}}{\partial x_{j}} &= y_{i} \left(1 - y_{i}\right) W_{ij}")
    assert step["text"] == (
        r"Since \(\sigma'(z) = \sigma(z)\,\bigl(1 - \sigma(z)\bigr)\) and "
        r"\(\sigma\left(\sum_{k=1}^{m} W_{ik} x_{k}\right) = y_{i}\), we have "
        r"\(\sigma'\left(\sum_{k=1}^{m} W_{ik} x_{k}\right) = y_{i} \left(1 - y_{i}\right)\).")


def test_quadratic_form_names_each_sum_as_an_entry_of_a_product():
    d = derive("x^T A x", "x")
    step, previous = recognition(d)
    assert previous["body"].endswith(
        r"&= \sum_{l=1}^{n} A_{jl} x_{l} + \sum_{k=1}^{n} x_{k} A_{kj}")
    assert step["body"] == (
        r"\frac{\partial f}{\partial x_{j}} &= [\boldsymbol{A} \boldsymbol{x}]_{j} + "
        r"[\boldsymbol{x}^{\top} \boldsymbol{A}]_{j}")
    assert step["text"] == (
        r"Each sum is an entry of a matrix product: \(\sum_{l=1}^{n} A_{jl} x_{l} = "
        r"[\boldsymbol{A} \boldsymbol{x}]_{j}\) and \(\sum_{k=1}^{n} x_{k} A_{kj} = "
        r"[\boldsymbol{x}^{\top} \boldsymbol{A}]_{j}\).")


@pytest.mark.parametrize("expr,wrt,options,line", [
    ("W2 sigma(W1 x)", "x", {},
     r"&= \sum_{k=1}^{m} (W_{2})_{ik} s_{k} \left(1 - s_{k}\right) (W_{1})_{kj} \\" "\n"
     r"&\quad \text{where } \boldsymbol{s} = \sigma\left(\boldsymbol{W}_{1} \boldsymbol{x}"
     r"\right)"),
    ("sigma(w^T x)", "w", {}, r"&= f \left(1 - f\right) x_{j}"),
    ("a^T tanh(W x)", "x", {},
     r"&= \sum_{k=1}^{n} a_{k} \left(1 - s_{k}^{2}\right) W_{kj} \\" "\n"
     r"&\quad \text{where } \boldsymbol{s} = \tanh\left(\boldsymbol{W} \boldsymbol{x}\right)"),
    ("-(y^T log(sigma(X w)) + (1 - y)^T log(1 - sigma(X w)))", "w", {"order": 2},
     r"H_{ij} &= \sum_{k=1}^{n} X_{ki} s_{k} \left(1 - s_{k}\right) X_{kj}"),
    ("(A B + C) v", "v", {}, r"&= [\boldsymbol{A} \boldsymbol{B}]_{ij} + C_{ij}"),
])
def test_the_other_pages_show_the_entry_before_reassembling_it(expr, wrt, options, line):
    step, _ = recognition(derive(expr, wrt, **options))
    assert step["body"].endswith(line)


def test_a_hessian_writes_sigma_itself_as_its_value_too_and_says_each_value_once():
    """sigma(w^T x)'s Hessian holds sigma'(sum_k ...) and sigma(sum_l ...): both become f,
    and the sentence states sigma(...) = f once, not once per summation letter."""
    step, _ = recognition(derive("sigma(w^T x)", "w", order=2))
    assert step["body"].endswith(
        r"&= \left(f \left(1 - f\right) x_{j} \left(1 - f\right) - f^{2} \left(1 - f\right) "
        r"x_{j}\right) x_{i}")
    assert step["text"].count("Since") == 1


@pytest.mark.parametrize("expr,wrt", [
    ("y^T A x", "x"), ("W x", "x"), ("A x", "x"), ("x^T x", "x"), ("exp(W x)", "x")])
def test_no_line_when_the_contraction_is_already_one_entry_or_nothing_is_recognised(expr, wrt):
    """sum_k y_k A_kj is read as [y^T A]_j by the reassembly itself; exp' = exp needs no
    rewriting."""
    assert "recognition" not in [s["rule"] for s in derive(expr, wrt).steps]


@pytest.mark.parametrize("expr,wrt,options", [
    ("sigma(W x)", "x", {}), ("x^T A x", "x", {}), ("W2 sigma(W1 x)", "x", {}),
    ("a^T tanh(W x)", "x", {}), ("(A B + C) v", "v", {}),
    ("-(y^T log(sigma(X w)) + (1 - y)^T log(1 - sigma(X w)))", "w", {"order": 2})])
def test_the_recognised_line_has_the_values_of_the_line_before(expr, wrt, options):
    """The rewritten entry is the same number as the contracted one, entry by entry."""
    d = derive(expr, wrt, **options)
    steps = d.outcome.steps
    k = next(n for n, s in enumerate(steps) if isinstance(s, Recognition))
    rng = np.random.default_rng(7)
    sizes = {"n": 3, "m": 4, "p": 2, 1: 1}
    env = {name: rng.standard_normal((sizes[s.shape[0]], sizes[s.shape[1]]))
           for name, s in d.symbols.items()}
    evaluate = Evaluator(Shapes(d.symbols), sizes)
    values = IndexValues(lambda e: evaluate(e, env), sizes)
    before, after = values(steps[k - 1].after), values(steps[k].after)
    order = list(before[1])
    assert sorted(i.name for i in order) == sorted(i.name for i in after[1])
    got = values.aligned(steps[k].after, order)
    assert np.allclose(got, before[0]) and np.ptp(before[0]) > 0
