"""Summing out Kronecker deltas: sum_k delta_jk x_k = x_j ("the workhorse").

Our own rule, not sympy's Sum.doit(), which leaves deltas uncontracted whenever the
delta's index is not the innermost limit.

The work is linear in the size of the tree for each delta summed out, never for each
summation index: a chain x^T A1 ... Ak x has k + 1 summation indices but two deltas.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import index as ix


@dataclass(frozen=True)
class Contraction:
    """One delta summed out, for the explanation: sum over `summed`, replaced by `kept`."""

    summed: ix.Idx
    kept: ix.Idx


def contract(node: ix.Node, done: list[Contraction]) -> ix.Node:
    """Sums out every delta that shares an index with an enclosing sum."""
    return _contract(node, holders(node, lambda n: isinstance(n, ix.Delta)), done, None)


def contract_stages(node: ix.Node) -> list[tuple[ix.Node, list[Contraction]]]:
    """The contraction as a lecturer writes it, one row per stage: each stage sums out
    the deltas the row before holds in its innermost sums; a delta that summing made
    (the inner sum of sum_k y_k sum_l (s_k delta_kl - s_k s_l) delta_jl leaves delta_kj)
    and the sums around a sum just summed out wait for the next row. At least one
    stage, possibly with nothing summed out."""
    stages: list[tuple[ix.Node, list[Contraction]]] = []
    while True:
        done: list[Contraction] = []
        present = {id(n) for n in ix.walk(node) if isinstance(n, ix.Delta)}
        after = _contract(node, holders(node, lambda n: id(n) in present), done, present)
        if not done:
            return stages or [(node, [])]
        stages.append((after, done))
        if not ix.has_delta(after):
            return stages  # the common end: every delta summed out
        node = after


def _contract(node: ix.Node, with_delta: set[int], done: list[Contraction],
              present: set[int] | None) -> ix.Node:
    if id(node) not in with_delta:
        return node
    if isinstance(node, ix.Add):
        return ix.add([_contract(t, with_delta, done, present) for t in node.terms])
    if isinstance(node, ix.Prod):
        return ix.prod([_contract(f, with_delta, done, present) for f in node.factors])
    if isinstance(node, ix.Sum):
        before = len(done)
        body = _contract(node.body, with_delta, done, present)
        if present is not None and len(done) > before:
            return ix.summation(node.indices, body)  # summed out in the next row
        return contract_sum(node.indices, body, done, present)
    return node


def contract_sum(indices: tuple[ix.Idx, ...], body: ix.Node, done: list[Contraction],
                 present: set[int] | None = None) -> ix.Node:
    """The sum over `indices` of `body`, each index that a delta mentions summed out, in
    the order of `indices`; with `present`, only the deltas of those ids."""
    remaining = indices
    while True:
        on = delta_indices(body, present)
        k = next((i for i in remaining if i in on), None)
        if k is None:
            return ix.summation(remaining, body)
        remaining = tuple(i for i in remaining if i != k)
        body = sum_out(k, body, done, present)


def sum_out(k: ix.Idx, body: ix.Node, done: list[Contraction],
            present: set[int] | None = None) -> ix.Node:
    """sum_k body, term by term: a term with delta_jk becomes the term at k = j; a term
    without one keeps its sum over k. A delta that multiplies every term (the delta of
    (s_i delta_ik - s_i s_k) delta_jk) is the one summed out in each."""

    def on_k(n: ix.Node) -> bool:
        return is_delta_on(n, k) and (present is None or id(n) in present)

    split = split_terms(body, k, holders(body, on_k))
    with_delta = [{id(f) for f in factors if on_k(f)} for _, factors in split]
    common = set.intersection(*[ids for ids in with_delta if ids]) \
        if any(with_delta) else set()
    terms = []
    for summed, factors in split:
        delta = next((f for f in factors if id(f) in common), None) or \
            next((f for f in factors if on_k(f)), None)
        if delta is None:
            terms.append(ix.summation((k, *summed), ix.prod(factors)))
            continue
        assert isinstance(delta, ix.Delta)
        other = delta.second if delta.first == k else delta.first
        done.append(Contraction(k, other))
        factors = [f for f in factors if f is not delta]
        term = ix.rename(ix.prod(factors), k, other) if factors else ix.prod([])
        terms.append(ix.summation(summed, term))
    return ix.add(terms)


def is_delta_on(node: ix.Node, k: ix.Idx) -> bool:
    return isinstance(node, ix.Delta) and k in (node.first, node.second)


def delta_indices(node: ix.Node, present: set[int] | None = None) -> set[ix.Idx]:
    """Every index some delta in `node` (of those ids, with `present`) mentions."""
    found: set[ix.Idx] = set()
    for n in ix.walk(node):
        if isinstance(n, ix.Delta) and (present is None or id(n) in present):
            found.update((n.first, n.second))
    return found


def holders(node: ix.Node, test: Callable[[ix.Node], bool]) -> set[int]:
    """The ids of the nodes that are or contain a node passing `test`, in one pass (so a
    question per subtree does not walk that subtree again)."""
    out: set[int] = set()
    stack: list[tuple[ix.Node, bool]] = [(node, False)]
    while stack:
        current, visited = stack.pop()
        kids = ix.children(current)
        if not visited:
            stack.append((current, True))
            stack.extend((kid, False) for kid in kids)
        elif test(current) or any(id(kid) in out for kid in kids):
            out.add(id(current))
    return out


def split_terms(node: ix.Node, k: ix.Idx, on_k: set[int]
                ) -> list[tuple[tuple[ix.Idx, ...], list[ix.Node]]]:
    """`node` as a sum of terms (inner sums, factors), expanding only around delta_k.

    Parts that do not involve the delta on k (not in `on_k`) stay whole, so (A x - b)_k
    is not multiplied out just because a neighbouring factor holds a delta.
    """
    if id(node) not in on_k or isinstance(node, ix.Delta):
        return [((), [node])]
    if isinstance(node, ix.Add):
        return [t for term in node.terms for t in split_terms(term, k, on_k)]
    if isinstance(node, ix.Sum):
        return [(node.indices + s, f) for s, f in split_terms(node.body, k, on_k)]
    if isinstance(node, ix.Prod):
        combos: list[tuple[tuple[ix.Idx, ...], list[ix.Node]]] = [((), [])]
        for factor in node.factors:
            parts = split_terms(factor, k, on_k)
            combos = [(s1 + s2, f1 + f2) for s1, f1 in combos for s2, f2 in parts]
        return combos
    return [((), [node])]
