"""Index trees evaluated as arrays: one axis per free index, sums as einsums."""

from fractions import Fraction
from functools import reduce

import numpy as np
import pytest

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


# Random products against numpy.einsum, which shares no code with the contraction: any
# order of pairwise contractions must give the same numbers.
POOL = [ix.Idx(f"r{n}", f"d{n % 4}") for n in range(8)]
SIZES = {"d0": 2, "d1": 3, "d2": 4, "d3": 3, 1: 1}


def random_product(rng: np.random.Generator) -> tuple[list[ix.Node], dict[str, np.ndarray]]:
    """Entries with 0, 1 or 2 indices (a repeated one is a diagonal), deltas and numbers."""
    factors: list[ix.Node] = []
    arrays: dict[str, np.ndarray] = {}
    for n in range(int(rng.integers(1, 9))):
        draw = rng.random()
        if draw < 0.1:
            factors.append(ix.Const(Fraction(int(rng.integers(1, 5)))))
            continue
        row, col = (POOL[int(k)] for k in rng.integers(0, len(POOL), 2))
        if draw < 0.25:
            if row.dim == col.dim:
                factors.append(ix.Delta(row, col))
                continue
            col = None
        elif draw < 0.35:
            col = row  # a diagonal entry
        name = f"M{n}"
        shape = (SIZES[row.dim], SIZES[col.dim] if col is not None else 1)
        arrays[name] = rng.normal(size=shape)
        factors.append(ix.Entry(ast.Name(name), row, col))
    return factors, arrays


def einsum_reference(factors, arrays, summed, free) -> np.ndarray:
    """The same sum with one numpy.einsum call; an index summed that no factor holds
    multiplies by its size, and a free one that no factor holds is constant."""
    letters = {i: chr(ord("a") + n) for n, i in enumerate(POOL)}
    operands, specs = [], []
    for f in factors:
        if isinstance(f, ix.Const):
            operands.append(np.array(float(f.value)))
            specs.append("")
        elif isinstance(f, ix.Delta):
            operands.append(np.eye(SIZES[f.first.dim]))
            specs.append(letters[f.first] + letters[f.second])
        else:
            value = arrays[f.expr.name] if f.col is not None else arrays[f.expr.name][:, 0]
            operands.append(value)
            specs.append("".join(letters[i] for i in f.indices()))
    held = {i for f in factors for i in (f.indices() if isinstance(f, ix.Entry) else
                                         (f.first, f.second) if isinstance(f, ix.Delta) else ())}
    out = "".join(letters[i] for i in free if i in held)
    value = np.einsum(",".join(specs) + "->" + out, *operands)
    for i in summed:
        if i not in held:
            value = value * SIZES[i.dim]
    return value.reshape([SIZES[i.dim] if i in held else 1 for i in free])


@pytest.mark.parametrize("seed", range(60))
def test_random_products_match_a_single_einsum(seed):
    rng = np.random.default_rng(seed)
    factors, arrays = random_product(rng)
    mentioned = list(dict.fromkeys(
        i for f in factors for i in (f.indices() if isinstance(f, ix.Entry) else
                                     (f.first, f.second) if isinstance(f, ix.Delta) else ())))
    summed = tuple(i for i in POOL if rng.random() < 0.5)
    free = [i for i in mentioned if i not in summed]
    tree = ix.Sum(summed, ix.Prod(tuple(factors))) if summed else ix.Prod(tuple(factors))
    evaluated = IndexValues(lambda e: arrays[e.name], SIZES)
    want = einsum_reference(factors, arrays, summed, free)
    got = evaluated.aligned(tree, free)  # length 1 along an index only a delta_ii holds
    np.testing.assert_allclose(np.broadcast_to(got, want.shape), want, rtol=1e-10, atol=1e-12)


def test_a_thousand_matrices_cost_a_few_thousand_pairs():
    # d(A0 ... A998 x)/dA5 as the verification sees it: two chains, one ending in x, with
    # three free indices; every pair was re-costed at every step (k^3 work, 100 s for 400)
    from derivtex.verify import contraction

    dims = [ix.Idx(f"k{n}", f"e{n}") for n in range(1001)]
    sizes = {f"e{n}": 2 + n % 3 for n in range(1001)} | {1: 1}
    rng = np.random.default_rng(0)
    arrays = {f"A{n}": np.eye(sizes[f"e{n}"], sizes[f"e{n + 1}"])
              + 0.1 * rng.normal(size=(sizes[f"e{n}"], sizes[f"e{n + 1}"])) for n in range(999)}
    arrays["x"] = rng.normal(size=(sizes["e999"], 1))
    factors = [entry(f"A{n}", dims[n], dims[n + 1]) for n in range(999) if n != 5]
    factors.append(entry("x", dims[999]))
    summed = tuple(d for n, d in enumerate(dims[:1000]) if n not in (0, 5, 6))
    tree = ix.Sum(summed, ix.Prod(tuple(factors)))
    costed = []
    original = contraction.Contraction.cost
    values_of = IndexValues(lambda e: arrays[e.name], sizes)
    try:
        contraction.Contraction.cost = lambda self, a, b: costed.append(1) or original(self, a, b)
        got = values_of.aligned(tree, [dims[0], dims[5], dims[6]])
    finally:
        contraction.Contraction.cost = original
    left = reduce(np.matmul, [arrays[f"A{n}"] for n in range(5)])
    right = reduce(np.matmul, [arrays[f"A{n}"] for n in range(6, 999)] + [arrays["x"]])
    np.testing.assert_allclose(got, np.einsum("ia,b->iab", left, right[:, 0]), rtol=1e-9)
    assert len(costed) < 4 * len(factors)
