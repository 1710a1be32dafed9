"""Index trees evaluated as arrays: one axis per free index, sums as einsums."""

from fractions import Fraction

import numpy as np

from derivtex.engine import index as ix
from derivtex.syntax import ast
from derivtex.verify.index_values import IndexValues

i, j, k, m = (ix.Idx(n, "n") for n in "ijkm")
RNG = np.random.default_rng(5)
VALUES = {"A": RNG.normal(size=(3, 3)), "B": RNG.normal(size=(3, 3)),
          "x": RNG.normal(size=(3, 1))}
values = IndexValues(lambda e: VALUES[e.name], {"n": 3, 1: 1})


def entry(name, row, col=None):
    return ix.Entry(ast.Name(name), row, col)


def test_workhorse_sum_of_delta_times_x():
    tree = ix.Sum((k,), ix.Prod((ix.Delta(i, k), entry("x", k))))
    np.testing.assert_allclose(values.aligned(tree, [i]), VALUES["x"][:, 0])


def test_chain_is_the_matrix_product_in_the_order_asked():
    tree = ix.Sum((k,), ix.Prod((entry("A", i, k), entry("B", k, j))))
    product = VALUES["A"] @ VALUES["B"]
    np.testing.assert_allclose(values.aligned(tree, [i, j]), product)
    np.testing.assert_allclose(values.aligned(tree, [j, i]), product.T)


def test_a_sum_over_an_index_the_body_lacks_counts_copies():
    tree = ix.Sum((k,), entry("x", i))  # sum_k x_i = n x_i
    np.testing.assert_allclose(values.aligned(tree, [i]), 3 * VALUES["x"][:, 0])


def test_an_index_summed_early_is_not_counted_again():
    # sum_k A_ik B_km A_mj: k and m both disappear inside the pairwise contraction
    tree = ix.Sum((k, m), ix.Prod((entry("A", i, k), entry("B", k, m), entry("A", m, j))))
    np.testing.assert_allclose(values.aligned(tree, [i, j]),
                               VALUES["A"] @ VALUES["B"] @ VALUES["A"])


def test_repeated_index_is_the_diagonal_and_terms_are_aligned():
    trace = ix.Sum((k,), entry("A", k, k))
    assert np.isclose(values.aligned(trace, []), np.trace(VALUES["A"]))
    # A_ij + x_i (constant along j) + 2
    tree = ix.Add((entry("A", i, j), entry("x", i), ix.Const(Fraction(2))))
    want = VALUES["A"] + VALUES["x"] + 2
    np.testing.assert_allclose(values.aligned(tree, [i, j]), want)


def test_a_sum_inside_a_product_joins_the_contraction():
    # x_i * sum_k A_ik x_k, and an elementwise function of an entry
    inner = ix.Sum((k,), ix.Prod((entry("A", i, k), entry("x", k))))
    tree = ix.Prod((entry("x", i), ix.Apply("exp", inner)))
    want = VALUES["x"][:, 0] * np.exp(VALUES["A"] @ VALUES["x"])[:, 0]
    np.testing.assert_allclose(values.aligned(tree, [i]), want)
    outer = ix.Sum((i,), ix.Prod((entry("x", i), inner)))
    assert np.isclose(values.aligned(outer, []), (VALUES["x"].T @ VALUES["A"] @ VALUES["x"]).item())


def test_a_wide_sum_inside_a_product_is_multiplied_out():
    # sum_{a..d} x_a (A_ab A_bc A_cd + B_ab B_bc B_cd) x_d = x^T (A^3 + B^3) x; the inner sum
    # has four free indices, so it is never evaluated as a 4-axis array of its own
    a, b, c, d = (ix.Idx(n, "n") for n in "abcd")
    cube = [ix.Prod((entry(n, a, b), entry(n, b, c), entry(n, c, d))) for n in "AB"]
    tree = ix.Sum((a, b, c, d), ix.Prod((entry("x", a), ix.Add(tuple(cube)), entry("x", d))))
    A, B, x = VALUES["A"], VALUES["B"], VALUES["x"]
    want = (x.T @ (A @ A @ A + B @ B @ B) @ x).item()
    assert np.isclose(values.aligned(tree, []), want)
