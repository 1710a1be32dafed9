"""Test points: small stand-in sizes, values inside the expression's domain."""

import random

import numpy as np
import pytest

from derivtex.errors import DomainError
from derivtex.model.shapes import Shapes, infer_symbols
from derivtex.syntax.parser import parse_text
from derivtex.verify.check import Evaluator
from derivtex.verify.sampling import assign_sizes, domain_points, draw_values, stand_in_sizes


def points(text: str, declared=None, draws: int = 2):
    expr = parse_text(text)
    symbols = infer_symbols(expr, declared)
    shapes = Shapes(symbols)

    def value_of(sizes, env, e):
        return Evaluator(shapes, sizes)(e, env)

    def measure(sizes, env):
        return value_of(sizes, env, expr)

    return symbols, list(domain_points(symbols, expr, measure, value_of, draws=draws))


def test_declared_sizes_get_small_stand_ins_that_keep_equalities():
    symbols = infer_symbols(parse_text("y^T A x"), {"A": (100000, 7), "x": (7,)})
    assert stand_in_sizes(symbols) == {1: 1, 7: 7, 100000: 8}
    _, found = points("y^T A x", {"A": (100000, 3)})
    assert found[0].env["A"].shape == (7, 3)


def test_size_modes():
    dims = ["n", "m", "p"]
    assert assign_sizes(dims, "tall", random.Random(0)) == {"n": 6, "m": 5, "p": 4}
    assert assign_sizes(dims, "wide", random.Random(0)) == {"n": 2, "m": 3, "p": 4}
    assert set(assign_sizes(dims, "equal", random.Random(0)).values()) == {3}


def test_value_modes():
    symbols = infer_symbols(parse_text("x^T A x + b^T B c"))
    sizes = {"n": 3, "m": 4, "p": 5, 1: 1}
    rng = np.random.default_rng(0)
    assert np.all(draw_values(symbols, sizes, rng, "positive")["x"] > 0)
    assert np.all(draw_values(symbols, sizes, rng, "negative")["x"] < 0)
    square = draw_values(symbols, sizes, rng, "signed")["A"]
    assert np.linalg.cond(square) < 10  # near 2I
    near = draw_values(symbols, sizes, rng, "near_identity")
    assert np.linalg.norm(near["A"] - np.eye(3)) < 0.5


def test_points_are_inside_the_domain():
    _, found = points("log(x)")
    assert len(found) == 2 and all(np.all(p.env["x"] > 0) for p in found)
    _, found = points("log(-x)")
    assert all(np.all(p.env["x"] < 0) for p in found)
    _, found = points("log(det(X^T X))")
    rows, cols = found[0].env["X"].shape
    assert rows >= cols


def test_no_point_at_all_is_a_domain_error():
    with pytest.raises(DomainError, match="no finite value at any test point"):
        points("log(x - x)")
