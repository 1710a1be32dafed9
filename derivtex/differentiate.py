"""Moving the derivative inside: linearity, the product and chain rules, and deltas."""

from __future__ import annotations

from fractions import Fraction

from . import ast
from . import index as ix
from .model import names_in

DERIVATIVE_OF = {"sigma": "dsigma", "tanh": "dtanh", "exp": "exp", "log": "recip",
                 "relu": "step"}

ZERO = ix.Const(Fraction(0))


class Differentiator:
    """Differentiates index trees by one entry `wrt` of the variable (x_j or X_ab)."""

    def __init__(self, wrt: ix.Entry) -> None:
        self.wrt = wrt
        assert isinstance(wrt.expr, ast.Name)
        self.name = wrt.expr.name
        self.cache: dict[int, tuple[ix.Node, bool]] = {}

    def depends(self, node: ix.Node) -> bool:
        hit = self.cache.get(id(node))
        if hit is not None and hit[0] is node:
            return hit[1]
        if isinstance(node, ix.Entry):
            if isinstance(node.expr, ast.Name):
                result = node.expr.name == self.name
            else:
                result = any(n.name == self.name for n in names_in(node.expr))
        else:
            result = any(self.depends(c) for c in ix.children(node))
        self.cache[id(node)] = (node, result)
        return result

    # -- linearity: through sums and additions only --------------------
    def linearity(self, node: ix.Node) -> ix.Node:
        if isinstance(node, ix.Sum):
            return ix.summation(node.indices, self.linearity(node.body))
        if isinstance(node, ix.Add):
            return ix.add([self.linearity(t) for t in node.terms])
        return ix.Deriv(node, self.wrt)

    def push(self, node: ix.Node) -> ix.Node:
        """Rewrites every pending Deriv over a sum or addition (linearity again)."""
        return self.map_derivs(node, lambda d: self.linearity(d.body))

    def map_derivs(self, node: ix.Node, rule) -> ix.Node:
        """Applies `rule` to every pending Deriv; untouched subtrees keep their origin."""
        if isinstance(node, ix.Deriv):
            return rule(node)
        if isinstance(node, ix.Sum):
            body = self.map_derivs(node.body, rule)
            return node if body is node.body else ix.summation(node.indices, body)
        if isinstance(node, ix.Add | ix.Prod):
            parts = node.terms if isinstance(node, ix.Add) else node.factors
            mapped = [self.map_derivs(p, rule) for p in parts]
            if all(m is p for m, p in zip(mapped, parts, strict=True)):
                return node
            return ix.add(mapped) if isinstance(node, ix.Add) else ix.prod(mapped)
        return node

    # -- product rule ---------------------------------------------------
    def needs_product_rule(self, node: ix.Node) -> bool:
        return any(
            isinstance(n, ix.Deriv) and isinstance(n.body, ix.Prod)
            and sum(self.depends(f) for f in n.body.factors) > 1
            for n in ix.walk(node)
        )

    def product_rule(self, node: ix.Node) -> ix.Node:
        def rule(d: ix.Deriv) -> ix.Node:
            body = d.body
            if not isinstance(body, ix.Prod):
                return d
            dependent = [k for k, f in enumerate(body.factors) if self.depends(f)]
            if len(dependent) < 2:
                return d
            terms = []
            for k in dependent:
                factors = list(body.factors)
                factors[k] = self.linearity(factors[k])
                terms.append(ix.prod(factors))
            return ix.add(terms)

        return self.map_derivs(node, rule)

    # -- chain rule -----------------------------------------------------
    def needs_chain_rule(self, node: ix.Node) -> bool:
        return any(
            isinstance(n, ix.Deriv) and isinstance(n.body, ix.Apply) and self.depends(n.body)
            for n in ix.walk(node)
        )

    def chain_rule(self, node: ix.Node) -> ix.Node:
        def rule(d: ix.Deriv) -> ix.Node:
            body = d.body
            if not isinstance(body, ix.Apply) or not self.depends(body):
                return d
            outer = ix.Apply(DERIVATIVE_OF[body.func], body.arg, derivative_origin(body))
            return ix.prod([outer, self.linearity(body.arg)])

        return self.map_derivs(node, rule)

    # -- the delta: evaluate every remaining derivative ------------------
    def evaluate(self, node: ix.Node) -> ix.Node:
        return self.map_derivs(node, lambda d: self.derivative(d.body))

    def derivative(self, node: ix.Node) -> ix.Node:
        if not self.depends(node):
            return ZERO
        if isinstance(node, ix.Entry):
            return self.delta_for(node)
        if isinstance(node, ix.Sum):
            return ix.summation(node.indices, self.derivative(node.body))
        if isinstance(node, ix.Add):
            return ix.add([self.derivative(t) for t in node.terms])
        if isinstance(node, ix.Prod):
            terms = []
            for k, factor in enumerate(node.factors):
                if not self.depends(factor):
                    continue
                inner = self.derivative(factor)
                others = list(node.factors[:k]) + list(node.factors[k + 1:])
                if is_delta_like(inner):
                    terms.append(ix.prod([inner, *others]))
                else:
                    terms.append(ix.prod([*node.factors[:k], inner, *node.factors[k + 1:]]))
            return ix.add(terms)
        if isinstance(node, ix.Apply):
            outer = ix.Apply(DERIVATIVE_OF[node.func], node.arg, derivative_origin(node))
            return ix.prod([outer, self.derivative(node.arg)])
        raise TypeError(node)

    def delta_for(self, entry: ix.Entry) -> ix.Node:
        wrt = self.wrt
        deltas: list[ix.Node] = []
        for mine, theirs in ((wrt.row, entry.row), (wrt.col, entry.col)):
            if mine is not None and theirs is not None:
                deltas.append(ix.Delta(mine, theirs))
        return ix.prod(deltas) if deltas else ix.Const(Fraction(1))


def is_delta_like(node: ix.Node) -> bool:
    if isinstance(node, ix.Delta | ix.Const):
        return True
    return isinstance(node, ix.Prod) and all(isinstance(f, ix.Delta | ix.Const)
                                             for f in node.factors)


def derivative_origin(node: ix.Apply) -> ix.Entry | None:
    if node.origin is None:
        return None
    call = node.origin.expr
    assert isinstance(call, ast.Call)
    return ix.Entry(ast.Call(DERIVATIVE_OF[node.func], call.args), node.origin.row,
                    node.origin.col)
