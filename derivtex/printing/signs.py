"""What a printed product of an index tree leaves out: a ones entry among other factors
(1_k exp(z_k) is exp(z_k)) and the two minus signs of -(-a + b)."""

from __future__ import annotations

from ..engine import index as ix
from ..syntax import ast


def without_ones(factors: tuple[ix.Node, ...]) -> list[ix.Node]:
    """The factors a product prints: its ones entries are 1 (1_k exp(z_k) is exp(z_k)),
    unless nothing but numbers would be left."""
    kept = [f for f in factors if not (isinstance(f, ix.Entry) and isinstance(f.expr, ast.Ones))]
    return kept if any(not isinstance(f, ix.Const) for f in kept) else list(factors)


def flipped(terms: list[str]) -> list[str] | None:
    """The printed terms of -(t_1 + t_2 + ...), when t_1 starts with a minus (else None:
    nothing to undo)."""
    if not terms or not terms[0].startswith("-"):
        return None
    return [t[1:] if t.startswith("-") else "-" + t for t in terms]


def signed_terms(node: ix.Node) -> tuple[ix.Node, ...]:
    """The terms whose signs -node flips: a sum's, or a summation as one term."""
    return node.terms if isinstance(node, ix.Add) else (node,) if isinstance(node, ix.Sum) \
        else ()
