"""The order in which a product of arrays is summed pairwise: greedy, as opt_einsum's.

A chain of k matrices is k factors that each share an index with the next. Choosing
each step by trying every remaining factor costs k^2 work per step, k^3 in all (400
matrices took minutes). Here every candidate pair is costed once, when its younger
member is made, and kept in a heap: a chain of 1,000 factors is a few thousand heap
operations. The cost of a pair is the memory it frees (opt_einsum's "memory-removed"),
then the size of what it leaves, so a vector is carried along a chain link by link.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from string import ascii_letters

import numpy as np

from ..engine import index as ix

Value = tuple[np.ndarray, tuple[ix.Idx, ...]]  # an array and the index of each axis
NEIGHBOURS = 4  # pairs costed per index of a new array: all of them for a chain (2)


class Contraction:
    """The sum over `summed` of the product of `values`, pairwise; `run` gives it."""

    def __init__(self, values: list[Value], summed: frozenset[ix.Idx],
                 size: Callable[[ix.Idx], int]) -> None:
        self.summed = summed
        self.size = size
        self.live: dict[int, Value] = {}
        self.holders: dict[ix.Idx, dict[int, None]] = {}  # index -> arrays with that axis
        self.heap: list[tuple[int, int, int, int]] = []
        self.ids = itertools.count()
        for value in values:
            self.add(value)

    def run(self) -> Value:
        """Pairs sharing an index, cheapest first; then what is left (arrays that share
        nothing, or pairs the heap never costed), smallest first."""
        while self.heap:
            _, _, a, b = heapq.heappop(self.heap)
            if a in self.live and b in self.live:
                self.add(self.join(a, b))
        rest = sorted(self.live, key=lambda n: (self.live[n][0].size, n))
        if not rest:
            return np.array(1.0), ()
        first = rest[0]
        for other in rest[1:]:
            first = self.add(self.join(first, other), costed=False)
        return self.sum_alone(first)

    def add(self, value: Value, costed: bool = True) -> int:
        """A new live array; with `costed`, each pair it makes with up to NEIGHBOURS
        arrays per shared index goes on the heap."""
        n = next(self.ids)
        self.live[n] = value
        for i in value[1]:
            self.holders.setdefault(i, {})[n] = None
        if costed:
            for m in dict.fromkeys(m for i in value[1]
                                   for m in itertools.islice(self.others(i, n), NEIGHBOURS)):
                heapq.heappush(self.heap, self.cost(min(m, n), max(m, n)))
        return n

    def others(self, i: ix.Idx, n: int) -> itertools.filterfalse[int]:
        return itertools.filterfalse(n.__eq__, self.holders[i])

    def kept(self, a: int, b: int) -> list[ix.Idx]:
        """The axes of a times b: all but the summed indices no third array holds."""
        axes = dict.fromkeys(self.live[a][1] + self.live[b][1])
        return [i for i in axes if i not in self.summed or len(self.holders[i])
                > (a in self.holders[i]) + (b in self.holders[i])]

    def cost(self, a: int, b: int) -> tuple[int, int, int, int]:
        kept = int(np.prod([self.size(i) for i in self.kept(a, b)]))
        return kept - self.live[a][0].size - self.live[b][0].size, kept, a, b

    def join(self, a: int, b: int) -> Value:
        """a times b, summed over what `kept` drops; both leave the live set."""
        keep = self.kept(a, b)
        value = einsum(self.live[a], self.live[b], keep), tuple(keep)
        for n in (a, b):
            for i in self.live.pop(n)[1]:
                del self.holders[i][n]
                if not self.holders[i]:
                    del self.holders[i]
        return value

    def sum_alone(self, n: int) -> Value:
        """The last array, summed over the indices still on it that are summed."""
        array, axes = self.live.pop(n)
        drop = tuple(k for k, i in enumerate(axes) if i in self.summed)
        if drop:
            array = array.sum(axis=drop)
        return array, tuple(i for i in axes if i not in self.summed)


def einsum(left: Value, right: Value, keep: list[ix.Idx]) -> np.ndarray:
    """The product of two values, summed over the indices not in `keep`."""
    letters = {i: ascii_letters[n] for n, i in enumerate(dict.fromkeys(left[1] + right[1]))}
    spec = "%s,%s->%s" % ("".join(letters[i] for i in left[1]),
                          "".join(letters[i] for i in right[1]),
                          "".join(letters[i] for i in keep))
    return np.einsum(spec, left[0], right[0])
