import pytest

from derivtex import ast
from derivtex.errors import VerificationError
from derivtex.model import infer_symbols
from derivtex.parser import parse_text
from derivtex.verify import check


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
