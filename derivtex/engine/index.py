"""The index-notation tree: one entry of an expression written with sums and deltas.

`Entry` is an atom: entry (row, col) of a matrix expression (a symbol, or a compound
such as (A x - b) that the engine treats as one factor). Compound nodes remember the
entry they stand for in `origin`, so reassembly can recognise them again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction

from ..syntax import ast

_ONE = Fraction(1)  # built once: products are built throughout the method


@dataclass(frozen=True, slots=True)
class Idx:
    name: str
    dim: str | int


@dataclass(slots=True, eq=False)
class Node:
    pass


@dataclass(slots=True, eq=False)
class Const(Node):
    value: Fraction


@dataclass(slots=True, eq=False)
class Entry(Node):
    expr: ast.Expr
    row: Idx | None
    col: Idx | None

    def indices(self) -> tuple[Idx, ...]:
        return tuple(i for i in (self.row, self.col) if i is not None)


@dataclass(slots=True, eq=False)
class Delta(Node):
    first: Idx
    second: Idx


@dataclass(slots=True, eq=False)
class Sum(Node):
    indices: tuple[Idx, ...]
    body: Node
    origin: Entry | None = None


@dataclass(slots=True, eq=False)
class Add(Node):
    terms: tuple[Node, ...]
    origin: Entry | None = None


@dataclass(slots=True, eq=False)
class Prod(Node):
    factors: tuple[Node, ...]
    origin: Entry | None = None


@dataclass(slots=True, eq=False)
class Apply(Node):
    """An elementwise function of one entry: sigma(z_i), or its derivative."""

    func: str
    arg: Node
    origin: Entry | None = None


@dataclass(slots=True, eq=False)
class Deriv(Node):
    """The derivative operator, not yet applied: d(body)/d(wrt)."""

    body: Node
    wrt: Entry = field(repr=False)


def children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Sum):
        return (node.body,)
    if isinstance(node, Add):
        return node.terms
    if isinstance(node, Prod):
        return node.factors
    if isinstance(node, Apply):
        return (node.arg,)
    if isinstance(node, Deriv):
        return (node.body,)
    return ()


def walk(node: Node) -> Iterator[Node]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(children(current))


def contains(node: Node, test: Callable[[Node], bool]) -> bool:
    return any(test(n) for n in walk(node))


def has_delta(node: Node) -> bool:
    return contains(node, lambda n: isinstance(n, Delta))


def add(terms: list[Node]) -> Node:
    """A sum with nested sums flattened and zero terms dropped."""
    flat: list[Node] = []
    for term in terms:
        if isinstance(term, Add) and term.origin is None:
            flat.extend(term.terms)
        elif not is_zero(term):
            flat.append(term)
    if not flat:
        return Const(Fraction(0))
    return flat[0] if len(flat) == 1 else Add(tuple(flat))


def prod(factors: list[Node]) -> Node:
    """A product with constants merged to the front, zero absorbing everything."""
    coeff = _ONE
    rest: list[Node] = []
    for factor in factors:
        if isinstance(factor, Prod) and factor.origin is None:
            for inner in factor.factors:
                if isinstance(inner, Const):
                    coeff *= inner.value
                else:
                    rest.append(inner)
        elif isinstance(factor, Const):
            coeff *= factor.value
        else:
            rest.append(factor)
    if coeff == 0:
        return Const(Fraction(0))
    if coeff != 1:
        rest.insert(0, Const(coeff))
    if not rest:
        return Const(coeff)
    return rest[0] if len(rest) == 1 else Prod(tuple(rest))


def summation(indices: tuple[Idx, ...], body: Node, origin: Entry | None = None) -> Node:
    if is_zero(body):
        return body
    if not indices:
        return body
    if isinstance(body, Sum) and body.origin is None:
        return Sum(indices + body.indices, body.body, origin)
    return Sum(indices, body, origin)


def is_zero(node: Node) -> bool:
    return isinstance(node, Const) and node.value == 0


def fresh_bound(node: Node, fresh: Callable[[str | int], Idx]) -> Node:
    """`node` with each index its sums bind renamed to a fresh one: the chain rule's copy
    of an argument, so that sigma'(sum_k W_ik x_k) sum_l W_il delta_lj contracts only
    the sum over l, and a sentence about it names no other sum."""
    for old in [i for n in walk(node) if isinstance(n, Sum) for i in n.indices]:
        node = rename(node, old, fresh(old.dim), bound=True)
    return node


def rename(node: Node, old: Idx, new: Idx, bound: bool = False) -> Node:
    """Substitute index `new` for `old` everywhere, origins included; a sum over `old`
    loses it (a contraction), or, with `bound`, sums over `new` instead."""

    def swap(i: Idx) -> Idx:
        return new if i == old else i

    def swap_optional(i: Idx | None) -> Idx | None:
        return None if i is None else swap(i)

    def entry(e: Entry | None) -> Entry | None:
        if e is None:
            return None
        return Entry(e.expr, swap_optional(e.row), swap_optional(e.col))

    if isinstance(node, Entry):
        return Entry(node.expr, swap_optional(node.row), swap_optional(node.col))
    if isinstance(node, Delta):
        if old not in (node.first, node.second):
            return node  # the same delta: a later stage of the contraction knows it
        first, second = swap(node.first), swap(node.second)
        return Const(Fraction(1)) if first == second else Delta(first, second)
    if isinstance(node, Sum):
        kept = tuple(swap(i) for i in node.indices) if bound else \
            tuple(i for i in node.indices if i != old)
        return Sum(kept, rename(node.body, old, new, bound), entry(node.origin))
    if isinstance(node, Add):
        return Add(tuple(rename(t, old, new, bound) for t in node.terms), entry(node.origin))
    if isinstance(node, Prod):
        factors = tuple(rename(f, old, new, bound) for f in node.factors)
        if any(isinstance(f, Const) and not isinstance(g, Const)
               for f, g in zip(factors, node.factors, strict=True)):
            merged = prod(list(factors))  # a delta became 1: s_k 1 is s_k
            if isinstance(merged, Prod) and merged.origin is None:
                merged.origin = entry(node.origin)
            return merged
        return Prod(factors, entry(node.origin))
    if isinstance(node, Apply):
        return Apply(node.func, rename(node.arg, old, new, bound), entry(node.origin))
    if isinstance(node, Deriv):
        return Deriv(rename(node.body, old, new, bound), node.wrt)
    return node


class IndexNames:
    """Hands out index letters that clash with no symbol, dimension or output name.

    Only the letters lecturers sum over: a to h read as the vectors and functions of the
    input language (a summation index b beside a vector b is misread), s is the page's
    name for a function value, and o looks like 0; past the last letter, k_1, k_2, ..."""

    LETTERS = "i j k l p q r t u v".split()

    def __init__(self, taken: set[str]) -> None:
        self.free = [n for n in self.LETTERS if n not in taken]
        self.counter = 0

    def fresh(self, dim: str | int, prefer: str | None = None) -> Idx:
        if prefer in self.free:
            self.free.remove(prefer)
            return Idx(prefer, dim)
        if self.free:
            return Idx(self.free.pop(0), dim)
        self.counter += 1
        return Idx(f"k_{{{self.counter}}}", dim)
