"""The numbers the page verifier compares: one test point at sizes 2 and 3, and the value
of any row of a page at it, derivatives not yet taken included (by central differences).

A row is evaluated once, at one point: the page check costs a few einsums per row, not a
search for points as the result's check does; a point where the expression has no finite
value, or an inverse is badly conditioned, is replaced by the next candidate."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping

import numpy as np

from ..engine import index as ix
from ..model.shapes import Shapes, Symbol
from ..syntax import ast
from .check import AtSizes, Evaluator
from .contraction import einsum
from .differences import FD_STEP
from .index_values import IndexValues, Value, align
from .sampling import Env, Sizes, draw_values, inside, named_dims, stand_in_sizes

PAGE_SIZES = (2, 3)
VALUE_MODES = ("signed", "positive", "negative", "near_identity")
DIRECTION = np.array([0.7, -1.3, 1.1, -0.6, 0.9, -1.2, 1.4])  # the derivatives' direction


def page_point(symbols: Mapping[str, Symbol], expr: ast.Expr, seed: int = 7
               ) -> tuple[Sizes, Env] | None:
    """Sizes 2 and 3 for the named dimensions (in turn, then the other way round, then
    all 3) and values where `expr` and every inverse in it are finite and well
    conditioned, and, where one is, every value moderate (differences of exp(4000) are
    rounding); None if no candidate is inside the domain."""
    dims = named_dims(symbols)
    fixed = stand_in_sizes(symbols)
    calls = [n for n in ast.walk(expr) if isinstance(n, ast.Call | ast.Norm2)]
    inverted = [n.args[0] for n in calls if isinstance(n, ast.Call) and n.func in ("inv", "det")]
    rng = np.random.default_rng(seed)
    shapes = Shapes(symbols)
    orders: tuple[Sizes, ...] = ({d: PAGE_SIZES[n % 2] for n, d in enumerate(dims)},
                                 {d: PAGE_SIZES[1 - n % 2] for n, d in enumerate(dims)},
                                 dict.fromkeys(dims, 3))
    fallback = None
    for named, mode in itertools.product(orders, VALUE_MODES):
        sizes: Sizes = {**named, **fixed}
        env = draw_values(symbols, sizes, rng, mode)
        moderate = inside(sizes, env, expr, inverted, calls, AtSizes(shapes))
        if moderate:
            return sizes, env
        if moderate is not None and fallback is None:
            fallback = sizes, env
    return fallback


class PageValues(IndexValues):
    """IndexValues over one environment, with each node's value remembered, and a
    derivative not yet taken, d(body)/d(v_kl), evaluated by central differences: in full,
    one axis per index of the body and then k, l (a difference per entry of v); or, with
    `directions`, along one random direction V of each variable: sum_kl V_kl
    d(body)/d(v_kl), two evaluations of the body (rows are then compared projected on V,
    see `projected`)."""

    def __init__(self, shapes: Shapes, sizes: Sizes, env: Env,
                 directions: dict[str, np.ndarray] | None = None) -> None:
        self.evaluate = Evaluator(shapes, sizes)
        self.env = env
        self.shapes = shapes
        self.directions = directions
        self.known: dict[int, tuple[object, Value]] = {}
        self.shifts: dict[tuple[str, int], PageValues] = {}
        self.sums: dict[tuple[tuple[ix.Idx, ...], int], ix.Sum] = {}
        super().__init__(self.matrix_value, sizes)

    def matrix_value(self, e: ast.Expr) -> np.ndarray:
        hit = self.known.get(id(e))
        if hit is not None and hit[0] is e:
            return hit[1][0]
        value = self.evaluate(e, self.env)
        self.known[id(e)] = (e, (value, ()))
        return value

    def entry(self, node: ix.Entry) -> Value:
        """An entry; a number standing for a whole matrix (the gradient 0) in each."""
        value = np.atleast_2d(self.matrix(node.expr))
        if value.size == 1 and node.indices():
            shape = tuple(1 if i is None else self.size(i) for i in (node.row, node.col))
            self.known[id(node.expr)] = (node.expr, (np.broadcast_to(value, shape), ()))
        return super().entry(node)

    def __call__(self, node: ix.Node) -> Value:
        hit = self.known.get(id(node))
        if hit is not None and hit[0] is node:
            return hit[1]
        value = self.derivative(node) if isinstance(node, ix.Deriv) else super().__call__(node)
        self.known[id(node)] = (node, value)
        return value

    def summed(self, indices: tuple[ix.Idx, ...], node: ix.Node) -> Value:
        """A sum of derivatives is the derivative of the sum: the sum is contracted inside,
        never the derivative spread over every index it is summed over (sum_k ... d(A0_ik
        ... A99_lm x_m)/dx_j would be an array with an axis per index)."""
        if isinstance(node, ix.Deriv) and indices:
            whole = self.sums.get((indices, id(node.body)))  # the row before's own sum
            if whole is None or whole.body is not node.body:
                whole = ix.Sum(indices, node.body)
            return self(ix.Deriv(whole, node.wrt))
        if isinstance(node, ix.Sum):
            self.sums[(node.indices, id(node.body))] = node
        return super().summed(indices, node)

    def cost(self, axes: list[ix.Idx]) -> int:
        """As IndexValues.cost, in plain Python: asked for every pair of factors."""
        return math.prod(self.sizes[i.dim] for i in axes)

    def direction(self, name: str) -> np.ndarray:
        assert self.directions is not None
        if name not in self.directions:  # entries of both signs and several sizes
            shape = self.env[name].shape
            self.directions[name] = DIRECTION[np.arange(np.prod(shape)) % len(DIRECTION)
                                              ].reshape(shape)
        return self.directions[name]

    def moved(self, name: str, step: np.ndarray, sign: int) -> PageValues:
        """The values at v + sign * step (remembered, when `step` is v's direction)."""
        hit = self.shifts.get((name, sign)) if self.directions is not None else None
        if hit is None:
            hit = PageValues(self.shapes, dict(self.sizes),
                             {**self.env, name: self.env[name] + sign * step})
            if self.directions is not None:
                self.shifts[(name, sign)] = hit
        return hit

    def derivative(self, node: ix.Deriv) -> Value:
        variable = node.wrt.expr
        assert isinstance(variable, ast.Name)
        if not any(isinstance(n, ix.Entry) and any(
                isinstance(m, ast.Name) and m.name == variable.name for m in ast.walk(n.expr))
                for n in ix.walk(node.body)):
            return np.array(0.0), ()
        if self.directions is not None and isinstance(node.body, ix.Entry) and \
                node.body.expr == variable:  # d v_ab along V is V_ab, exactly
            v = self.direction(variable.name)
            return self.entry_of(v, node.body)
        _, axes = self(node.body)
        if self.directions is not None:
            step = FD_STEP * self.direction(variable.name)  # under Page.check's errstate
            up = self.moved(variable.name, step, 1).aligned(node.body, list(axes))
            down = self.moved(variable.name, step, -1).aligned(node.body, list(axes))
            return np.broadcast_to((up - down) / (2 * FD_STEP),
                                   tuple(self.size(i) for i in axes)), axes
        rows, cols = self.env[variable.name].shape
        out = np.empty(tuple(self.size(i) for i in axes) + (rows, cols))
        for a, b in itertools.product(range(rows), range(cols)):
            unit = np.zeros((rows, cols))
            unit[a, b] = FD_STEP
            up = self.moved(variable.name, unit, 1).aligned(node.body, list(axes))
            down = self.moved(variable.name, unit, -1).aligned(node.body, list(axes))
            out[..., a, b] = (up - down) / (2 * FD_STEP)
        wrt = [i for i in (node.wrt.row, node.wrt.col) if i is not None]
        out = out.reshape(out.shape[:len(axes)] + tuple(self.size(i) for i in wrt))
        return diagonal(out, list(axes) + wrt)

    def entry_of(self, array: np.ndarray, entry: ix.Entry) -> Value:
        """The entry of a given array, one axis per index, as `entry` reads it."""
        if entry.row is not None and entry.row == entry.col:
            return np.diagonal(array).copy(), (entry.row,)
        axes = entry.indices()
        return array.reshape([self.size(i) for i in axes]), axes

    def projected(self, value: Value, wrt: ix.Entry) -> Value:
        """sum_kl V_kl value_kl: a value with the variable's indices k, l, along the
        direction its derivatives were taken in."""
        assert isinstance(wrt.expr, ast.Name)
        indices = wrt.indices()
        if not indices:
            return value[0] * float(self.direction(wrt.expr.name).reshape(-1)[0]), value[1]
        v = self.direction(wrt.expr.name).reshape([self.size(i) for i in indices])
        keep = [i for i in value[1] if i not in indices]
        return einsum(value, (v, indices), keep), tuple(keep)


def diagonal(array: np.ndarray, axes: list[ix.Idx]) -> Value:
    """An array whose axes repeat an index, read on its diagonal: one axis per index."""
    unique = list(dict.fromkeys(axes))
    if len(unique) == len(axes):
        return array, tuple(unique)
    letters = {i: chr(ord("a") + n) for n, i in enumerate(unique)}
    spec = "".join(letters[i] for i in axes) + "->" + "".join(
        letters[i] for i in unique)
    return np.einsum(spec, array), tuple(unique)


def aligned_pair(first: Value, second: Value) -> tuple[np.ndarray, np.ndarray]:
    """Two values over the union of their indices, broadcast to one shape."""
    order = list(dict.fromkeys(first[1] + second[1]))
    a, b = align(first, order), align(second, order)
    if a.shape == b.shape:
        return a, b
    shape = np.broadcast_shapes(a.shape, b.shape)
    return np.broadcast_to(a, shape), np.broadcast_to(b, shape)
