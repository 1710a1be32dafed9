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


@pytest.mark.parametrize("layout,second", [
    ("numerator", r"[\boldsymbol{x}^{\top} \boldsymbol{A}]_{j}"),
    ("denominator", r"[\boldsymbol{A}^{\top} \boldsymbol{x}]_{j}")])
def test_a_sum_is_read_literally_even_when_the_matrix_is_symmetric(layout, second):
    """sum_k x_k A_kj is [A x]_j only because A^T = A: the line reads it as it stands and
    leaves the symmetry to the reassembly, on a page that states it."""
    step, _ = recognition(derive("x^T A x", "x", symmetric=["A"], layout=layout))
    assert step["body"].endswith(r"&= [\boldsymbol{A} \boldsymbol{x}]_{j} + " + second)


def test_only_a_chain_of_entries_is_read_as_a_product():
    """sum_p A_lp B_pl (l summed further out) is a diagonal entry, sum_k x_k x_k A_kj
    repeats k: neither is the entry of a matrix product, so neither is rewritten."""
    from derivtex.engine import index as ix
    from derivtex.engine.algebra import Algebra
    from derivtex.engine.reassemble import Assembler
    from derivtex.engine.recognise import Recogniser
    from derivtex.model.shapes import Symbol
    from derivtex.syntax.ast import Name

    shapes = Shapes({"A": Symbol("A", "matrix", ("n", "n")),
                     "B": Symbol("B", "matrix", ("n", "n")),
                     "x": Symbol("x", "vector", ("n", 1))})
    algebra = Algebra(shapes)
    recogniser = Recogniser(Assembler(algebra, ix.IndexNames(set("ABxn"))), algebra, False)
    j, k, outer, p = (ix.Idx(name, "n") for name in "jklp")
    A, B, x = Name("A"), Name("B"), Name("x")
    diagonal = ix.Sum((p,), ix.Prod((ix.Entry(A, outer, p), ix.Entry(B, p, outer))))
    repeated = ix.Sum((k,), ix.Prod((ix.Entry(x, k, None), ix.Entry(x, k, None),
                                     ix.Entry(A, k, j))))
    chain = ix.Sum((k,), ix.Prod((ix.Entry(x, k, None), ix.Entry(A, k, j))))
    assert recogniser.product_entry(diagonal) is None
    assert recogniser.product_entry(repeated) is None
    entry = recogniser.product_entry(chain)
    assert entry is not None and (entry.row, entry.col) == (j, None)
    assert entry.expr == algebra.product([algebra.transpose(A), x])


def test_the_row_reading_of_a_column_entry_is_said_before_the_row_is_assembled(tmp_path):
    """[A x]_j + [x^T A]_j becomes [x^T (A + A^T)]_j through [A x]_j = [x^T A^T]_j: the
    reassembly's sentence says so; the page compiles with Typst too."""
    import typst

    d = derive("x^T A x", "x")
    reassembly = next(s for s in d.steps if s["rule"] == "reassembly")
    assert reassembly["text"] == (
        r"In numerator layout the derivative is a row, so we read the entries along a row "
        r"(\([\boldsymbol{A} \boldsymbol{x}]_{j} = [\boldsymbol{x}^{\top} "
        r"\boldsymbol{A}^{\top}]_{j}\)) and recognise them as the entries of one row vector.")
    plain = next(s for s in derive("sigma(w^T x)", "w").steps if s["rule"] == "reassembly")
    assert "along a row and recognise" in plain["text"]
    page = tmp_path / "page.typ"
    page.write_text(d.typst_standalone(), encoding="utf-8")
    assert typst.compile(str(page)).startswith(b"%PDF")
