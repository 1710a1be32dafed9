"""The Jacobian written out (engine/written_out.py) is checked cell by cell against the
reassembled matrix: a matrix laid out the other way round, or a wrong entry, is caught."""

from dataclasses import replace
from fractions import Fraction

import pytest

from derivtex.engine import index as ix
from derivtex.engine.hessian import derive_hessian
from derivtex.engine.steps import Reassembly
from derivtex.engine.written_out import WrittenOut, written_out
from derivtex.verify.page import PageCheckError, verify_page
from tests.verify.test_page import derived, with_step

CASES = [("W x", "x"), ("a^T x", "x"), ("y^T A x", "x"), ("(A B + C) v", "v"),
         ("tr(A X)", "X"), ("x", "x"), ("sigma(W x)", "x")]


def reassembly(outcome) -> Reassembly:
    return next(s for s in outcome.steps if isinstance(s, Reassembly))


@pytest.mark.parametrize("text, wrt", CASES)
def test_every_vector_or_matrix_derivative_records_its_matrix_and_passes(text, wrt):
    outcome, expr, symbols = derived(text, wrt)
    written = reassembly(outcome).written_out
    assert isinstance(written, WrittenOut)
    assert None in written.rows + written.cols  # symbolic sizes: the corners and dots
    verify_page(outcome, expr, symbols, wrt)


def test_a_scalar_by_a_scalar_writes_nothing_out():
    outcome, _, _ = derived("x^T x", "x")
    assert reassembly(outcome).written_out is not None
    outcome, _, _ = derived("alpha^2", "alpha")
    assert reassembly(outcome).written_out is None


@pytest.mark.parametrize("text, wrt", [("W x", "x"), ("tr(A X)", "X"), ("(A B + C) v", "v")])
def test_a_matrix_written_out_the_other_way_round_is_caught(text, wrt):
    """Rows indexed by the column index: W_{1m} where W_{m1} belongs."""
    outcome, expr, symbols = derived(text, wrt)
    step = reassembly(outcome)
    before = [s.after for s in outcome.steps if isinstance(s.after, ix.Node)
              and s is not step][-1]
    lhs = step.before
    assert isinstance(lhs, ix.Deriv)
    flipped = written_out(before, lhs, step.col, step.row)
    false = with_step(outcome, Reassembly, lambda s: replace(s, written_out=flipped))
    with pytest.raises(PageCheckError, match="written-out entry"):
        verify_page(false, expr, symbols, wrt)


def test_a_hessian_written_out_is_checked_too():
    _, expr, symbols = derived("x^T A x", "x")
    outcome = derive_hessian(expr, symbols, "x", "numerator")
    written = reassembly(outcome).written_out
    assert written is not None and written.rows == (1, None, "n")
    verify_page(outcome, expr, symbols, "x")
    cells = [list(row) for row in written.cells]
    cells[0][-1] = cells[-1][-1]  # A_nn + A_nn where A_1n + A_n1 belongs
    false = with_step(outcome, Reassembly, lambda s: replace(
        s, written_out=replace(written, cells=tuple(map(tuple, cells)))))
    with pytest.raises(PageCheckError, match=r"written-out entry \(1, n\)"):
        verify_page(false, expr, symbols, "x")


def test_a_wrong_corner_is_caught():
    outcome, expr, symbols = derived("W x", "x")
    written = reassembly(outcome).written_out
    assert written is not None
    cells = [list(row) for row in written.cells]
    cells[-1][-1] = ix.prod([ix.Const(Fraction(2)), cells[-1][-1]])  # 2 W_nm
    false = with_step(outcome, Reassembly, lambda s: replace(
        s, written_out=replace(written, cells=tuple(map(tuple, cells)))))
    with pytest.raises(PageCheckError, match=r"written-out entry \(n, m\)"):
        verify_page(false, expr, symbols, "x")
