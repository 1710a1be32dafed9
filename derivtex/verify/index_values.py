"""The value of an index tree as a numpy array, one axis per free index.

A derivative of order 3 or 4 is checked in index form: the tree is evaluated once with
vectorised numpy (each sum of a product is an einsum, contracted pairwise in a greedy
order, contraction.py) instead of entry by entry in Python, so a chain of 8 matrices by
a matrix takes milliseconds, and one of 1,000 a fraction of a second.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from string import ascii_letters

import numpy as np

from ..engine import index as ix
from ..functions import NUMERIC
from ..syntax import ast
from .contraction import Contraction, Value

MAX_ADD_AXES = 3  # a sum inside a product with more free indices is multiplied out
ONE_EINSUM = 4096  # a product over this many index values or fewer is one einsum call


class IndexValues:
    """Evaluates index trees; `matrix(e)` gives the 2-D value of a matrix expression."""

    def __init__(self, matrix: Callable[[ast.Expr], np.ndarray],
                 sizes: Mapping[str | int, int]) -> None:
        self.matrix = matrix
        self.sizes = sizes

    def size(self, i: ix.Idx) -> int:
        return self.sizes[i.dim]

    def aligned(self, node: ix.Node, order: list[ix.Idx]) -> np.ndarray:
        """The value with one axis per index of `order` (constant along those it lacks)."""
        return align(self(node), order)

    def __call__(self, node: ix.Node) -> Value:
        if isinstance(node, ix.Const):
            return np.array(float(node.value)), ()
        if isinstance(node, ix.Entry):
            return self.entry(node)
        if isinstance(node, ix.Delta):
            if node.first == node.second:
                return np.array(1.0), ()
            return np.eye(self.size(node.first)), (node.first, node.second)
        if isinstance(node, ix.Apply):
            value, axes = self(node.arg)
            return NUMERIC[node.func](value), axes
        if isinstance(node, ix.Prod | ix.Sum | ix.Add):
            return self.summed((), node)
        raise TypeError(f"cannot evaluate {type(node).__name__}")

    def summed(self, indices: tuple[ix.Idx, ...], node: ix.Node) -> Value:
        """The sum over `indices` of `node`, taken into every term of a sum, so no term
        is ever expanded over the other terms' indices."""
        if isinstance(node, ix.Sum):
            return self.summed(indices + node.indices, node.body)
        if isinstance(node, ix.Add):
            return add_aligned([self.summed(indices, t) for t in node.terms])
        if isinstance(node, ix.Prod):
            return self.contract(node.factors, indices)
        return self.contract((node,), indices)

    def entry(self, node: ix.Entry) -> Value:
        value = np.atleast_2d(self.matrix(node.expr))
        if node.row is not None and node.row == node.col:
            return np.diagonal(value).copy(), (node.row,)
        if node.row is None:
            value = value[:1, :]
        if node.col is None:
            value = value[:, :1]
        axes = tuple(i for i in (node.row, node.col) if i is not None)
        return value.reshape([self.size(i) for i in axes]), axes

    def contract(self, factors: tuple[ix.Node, ...], summed: tuple[ix.Idx, ...]) -> Value:
        """sum over `summed` of the product of `factors`, contracted pairwise in a greedy
        order (contraction.py), every summed index dropped as soon as no other factor
        holds it."""
        flat, summed = flatten(factors, summed)
        for wide, factor in enumerate(flat):
            if isinstance(factor, ix.Add) and len(free_in(factor)) > MAX_ADD_AXES:
                # F (T1 + T2) as F T1 + F T2, each one contraction
                rest = (*flat[:wide], *flat[wide + 1:])
                parts = [self.contract((*rest, term), summed) for term in factor.terms]
                return add_aligned(parts)
        pending = [self(f) for f in flat]
        mentioned = dict.fromkeys(i for _, a in pending for i in a)
        if math.prod(self.size(i) for i in mentioned) <= ONE_EINSUM:
            value, axes = one_einsum(pending, mentioned, summed)
        else:
            value, axes = Contraction(pending, frozenset(summed), self.size).run()
        for i in summed:
            if i not in mentioned:  # a sum over an index the body lacks: n copies
                value = value * self.size(i)
        return value, axes


def one_einsum(values: list[Value], mentioned: dict[ix.Idx, None],
               summed: tuple[ix.Idx, ...]) -> Value:
    """A small product in one call: at page sizes, the pairwise order's bookkeeping
    costs more than the arithmetic it saves."""
    letters = dict(zip(mentioned, ascii_letters, strict=False))
    keep = tuple(i for i in mentioned if i not in summed)
    spec = ",".join("".join(letters[i] for i in axes) for _, axes in values)
    out = "".join(letters[i] for i in keep)
    if not values:
        return np.array(1.0), ()
    return np.einsum(f"{spec}->{out}", *(v for v, _ in values)), keep


def add_aligned(values: list[Value]) -> Value:
    """The sum of values whose axes differ: each aligned to the union of all axes, in
    order of first appearance, and broadcast."""
    order = list(dict.fromkeys(i for _, axes in values for i in axes))
    return sum((align(value, order) for value in values), np.zeros(())), tuple(order)


def flatten(factors: tuple[ix.Node, ...], summed: tuple[ix.Idx, ...]
            ) -> tuple[list[ix.Node], tuple[ix.Idx, ...]]:
    """Products inside the product spread out, and sums inside it pulled out (F sum_k G
    is sum_k F G), so one contraction sees the whole chain and never evaluates a factor
    over all the indices it shares with the rest. A sum whose index is used elsewhere
    too stays a factor of its own, as does a sum of a derivative not yet taken: that is
    the derivative of the sum (page_values), never of its body over all the sum's
    indices (a chain of 1,000 matrices held 18 GB that way)."""
    flat: list[ix.Node] = []
    queue = list(factors)
    while queue:
        factor = queue.pop(0)
        if isinstance(factor, ix.Prod):
            queue[:0] = factor.factors
        elif isinstance(factor, ix.Sum) and not isinstance(factor.body, ix.Deriv) and \
                not set(factor.indices) & (
                set(summed) | {i for other in flat + queue for i in indices_in(other)}):
            summed += factor.indices
            queue.insert(0, factor.body)
        else:
            flat.append(factor)
    return flat, summed


def free_in(node: ix.Node) -> set[ix.Idx]:
    """The indices of `node` that no sum inside it binds."""
    bound = {i for n in ix.walk(node) if isinstance(n, ix.Sum) for i in n.indices}
    return indices_in(node) - bound


def indices_in(node: ix.Node) -> set[ix.Idx]:
    found: set[ix.Idx] = set()
    for n in ix.walk(node):
        if isinstance(n, ix.Entry):
            found.update(n.indices())
        elif isinstance(n, ix.Delta):
            found.update((n.first, n.second))
        elif isinstance(n, ix.Sum):
            found.update(n.indices)
    return found


def align(value: Value, order: list[ix.Idx]) -> np.ndarray:
    """`value` transposed to `order`, with length-1 axes for the indices it lacks."""
    array, axes = value
    missing = [i for i in order if i not in axes]
    array = array.reshape(array.shape + (1,) * len(missing))
    full = list(axes) + missing
    return np.transpose(array, [full.index(i) for i in order])
