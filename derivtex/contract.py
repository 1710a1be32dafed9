"""Summing out Kronecker deltas: sum_k delta_jk x_k = x_j ("the workhorse").

Our own rule, not sympy's Sum.doit(), which leaves deltas uncontracted whenever the
delta's index is not the innermost limit.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import index as ix


@dataclass
class Contraction:
    """One delta summed out, for the explanation: sum over `summed`, replaced by `kept`."""

    summed: ix.Idx
    kept: ix.Idx


def contract(node: ix.Node, done: list[Contraction]) -> ix.Node:
    """Sums out every delta that shares an index with an enclosing sum."""
    if not ix.has_delta(node):
        return node
    if isinstance(node, ix.Add):
        return ix.add([contract(t, done) for t in node.terms])
    if isinstance(node, ix.Prod):
        return ix.prod([contract(f, done) for f in node.factors])
    if isinstance(node, ix.Sum):
        return contract_sum(node.indices, contract(node.body, done), done)
    return node


def contract_sum(indices: tuple[ix.Idx, ...], body: ix.Node, done: list[Contraction]) -> ix.Node:
    for k in indices:
        if mentions_delta_on(body, k):
            rest = tuple(i for i in indices if i != k)
            terms = []
            for summed, factors in split_terms(body, k):
                delta = next((f for f in factors if is_delta_on(f, k)), None)
                if delta is None:
                    terms.append(ix.summation((k, *summed), ix.prod(factors)))
                    continue
                assert isinstance(delta, ix.Delta)
                other = delta.second if delta.first == k else delta.first
                done.append(Contraction(k, other))
                factors = [f for f in factors if f is not delta]
                term = ix.rename(ix.prod(factors), k, other) if factors else ix.prod([])
                terms.append(ix.summation(summed, term))
            return contract_sum(rest, ix.add(terms), done) if rest else ix.add(terms)
    return ix.summation(indices, body)


def is_delta_on(node: ix.Node, k: ix.Idx) -> bool:
    return isinstance(node, ix.Delta) and k in (node.first, node.second)


def mentions_delta_on(node: ix.Node, k: ix.Idx) -> bool:
    return ix.contains(node, lambda n: is_delta_on(n, k))


def split_terms(node: ix.Node, k: ix.Idx) -> list[tuple[tuple[ix.Idx, ...], list[ix.Node]]]:
    """`node` as a sum of terms (inner sums, factors), expanding only around delta_k.

    Parts that do not involve the delta on k stay whole, so (A x - b)_k is not
    multiplied out just because a neighbouring factor holds a delta.
    """
    if not mentions_delta_on(node, k):
        return [((), [node])]
    if isinstance(node, ix.Delta):
        return [((), [node])]
    if isinstance(node, ix.Add):
        return [t for term in node.terms for t in split_terms(term, k)]
    if isinstance(node, ix.Sum):
        return [(node.indices + s, f) for s, f in split_terms(node.body, k)]
    if isinstance(node, ix.Prod):
        combos: list[tuple[tuple[ix.Idx, ...], list[ix.Node]]] = [((), [])]
        for factor in node.factors:
            parts = split_terms(factor, k)
            combos = [(s1 + s2, f1 + f2) for s1, f1 in combos for s2, f2 in parts]
        return combos
    return [((), [node])]
