"""Reassembly: entries back into a matrix expression, including the all-ones vector for
entries that do not depend on an index and for sums of single entries."""

import pytest

from derivtex import derive
from derivtex.engine import index as ix
from derivtex.engine.algebra import Algebra
from derivtex.engine.reassemble import Assembler
from derivtex.model.shapes import Shapes, Symbol
from derivtex.syntax import ast


@pytest.mark.parametrize("expr, numerator, denominator", [
    ("tr(diag(x))", "1^T", "1"),
    ("tr(A B + diag(x))", "1^T", "1"),
    ("x^T x + tr(diag(x))", "2 x^T + 1^T", "2 x + 1"),
])
def test_entries_that_do_not_depend_on_the_index_are_the_ones_vector(expr, numerator,
                                                                     denominator):
    assert derive(expr, "x").result_text == numerator
    assert derive(expr, "x", layout="denominator").result_text == denominator


def test_a_sum_of_single_entries_is_ones_transposed_times_the_vector():
    symbols = {"a": Symbol("a", "vector", ("n", 1))}
    names = ix.IndexNames(set(symbols) | {"n"})
    k = names.fresh("n", "k")
    tree = ix.summation((k,), ix.Entry(ast.Name("a"), k, None))
    got = Assembler(Algebra(Shapes(symbols)), names).assemble(tree, None, None)
    assert got in (ast.MatMul((ast.Transpose(ast.Ones("n")), ast.Name("a"))),
                   ast.MatMul((ast.Transpose(ast.Name("a")), ast.Ones("n"))))


@pytest.mark.parametrize("layout", ["numerator", "denominator"])
def test_a_leading_ones_column_reads_back_as_the_ones_vector(layout):
    """The result text is in the input language: `1 y^T` would read back as the number 1
    times y^T (a row), so a ones column in front is written (y 1^T)^T."""
    d = derive("y sum(x)", "x", layout=layout)
    again = derive(f"w^T ({d.result_text}) v", "v")  # a shape error if it read as a row
    assert again.verified
