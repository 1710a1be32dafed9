"""Moving the derivative inside: linearity, then the rules (product, chain, determinant,
inverse, softmax) until only derivatives of the variable's own entries remain, then
the Kronecker delta."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from ..functions import derivative_expr, prime_name
from ..syntax import ast
from ..syntax.ast import names_in
from . import index as ix
from .steps import PassRule

ZERO = ix.Const(Fraction(0))
MINUS_ONE = ix.Const(Fraction(-1))
ATOM_RULES: dict[str, PassRule] = {"det": "determinant", "inv": "inverse", "softmax": "softmax",
                               "diag": "diag"}

Expand = Callable[[ast.Expr, ix.Idx | None, ix.Idx | None], ix.Node]
Fresh = Callable[[str | int], ix.Idx]


class Differentiator:
    """Differentiates index trees by one entry `wrt` of the variable (x_j or X_ab)."""

    def __init__(self, wrt: ix.Entry, expand: Expand, fresh: Fresh,
                 dims: Callable[[ast.Expr], tuple]) -> None:
        self.wrt = wrt
        assert isinstance(wrt.expr, ast.Name)
        self.name = wrt.expr.name
        self.expand = expand
        self.fresh = fresh
        self.dims = dims
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

    # -- linearity: through sums, additions and constant factors of sums --
    def linearity(self, node: ix.Node) -> ix.Node:
        if isinstance(node, ix.Sum):
            return ix.summation(node.indices, self.linearity(node.body))
        if isinstance(node, ix.Add):
            return ix.add([self.linearity(t) for t in node.terms])
        if isinstance(node, ix.Prod):
            dependent = [k for k, f in enumerate(node.factors) if self.depends(f)]
            if len(dependent) == 1 and isinstance(node.factors[dependent[0]],
                                                  ix.Sum | ix.Add | ix.Prod):
                k = dependent[0]
                return ix.prod([*node.factors[:k], self.linearity(node.factors[k]),
                                *node.factors[k + 1:]])
        return ix.Deriv(node, self.wrt)

    def map_derivs(self, node: ix.Node, rule: Callable[[ix.Deriv], ix.Node]) -> ix.Node:
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

    # -- which rule a pending derivative needs ----------------------------
    def rule_for(self, body: ix.Node) -> PassRule | None:
        if isinstance(body, ix.Prod):
            dependent = [f for f in body.factors if self.depends(f)]
            if len(dependent) > 1:
                return "product_rule"
            return self.rule_for(dependent[0]) if dependent else None
        if isinstance(body, ix.Apply) and self.depends(body):
            return "chain_rule"
        if isinstance(body, ix.Entry) and isinstance(body.expr, ast.Call) and \
                self.depends(body):
            return ATOM_RULES[body.expr.func]
        return None

    def pending_rule(self, node: ix.Node) -> PassRule | None:
        found: list[PassRule] = []

        def look(d: ix.Deriv) -> ix.Node:
            rule = self.rule_for(d.body)
            if rule is not None:
                found.append(rule)
            return d

        self.map_derivs(node, look)
        return found[0] if found else None

    def apply_rule(self, rule: PassRule, node: ix.Node) -> ix.Node:
        def apply(d: ix.Deriv) -> ix.Node:
            if self.rule_for(d.body) != rule:
                return d
            if rule == "product_rule":
                return self.product_rule(d.body)
            return self.rule_inside(d.body)

        return self.map_derivs(node, apply)

    def rule_inside(self, body: ix.Node) -> ix.Node:
        """Constant factors stay; the rule applies to the one factor that varies."""
        if isinstance(body, ix.Prod):
            k = next(k for k, f in enumerate(body.factors) if self.depends(f))
            inner = self.rule_inside(body.factors[k])
            return ix.prod([*body.factors[:k], inner, *body.factors[k + 1:]])
        return self.atom_rule(body)

    def product_rule(self, body: ix.Node) -> ix.Node:
        assert isinstance(body, ix.Prod)
        terms = []
        for k, factor in enumerate(body.factors):
            if self.depends(factor):
                factors = list(body.factors)
                factors[k] = self.linearity(factor)
                terms.append(ix.prod(factors))
        return ix.add(terms)

    def atom_rule(self, atom: ix.Node) -> ix.Node:
        if isinstance(atom, ix.Apply):
            outer = ix.Apply(prime_name(atom.func), atom.arg, derivative_origin(atom))
            return ix.prod([outer, self.linearity(ix.fresh_bound(atom.arg, self.fresh))])
        assert isinstance(atom, ix.Entry) and isinstance(atom.expr, ast.Call)
        call, arg = atom.expr, atom.expr.args[0]
        rows, cols = self.dims(arg)
        if call.func == "det":
            k, m = self.fresh(rows), self.fresh(cols)
            inverse = ix.Entry(ast.Call("inv", (arg,)), m, k)
            return ix.prod([atom, ix.summation((k, m), ix.prod([
                inverse, self.linearity(self.expand(arg, k, m))]))])
        if call.func == "inv":
            p, q = self.fresh(rows), self.fresh(cols)
            left, right = ix.Entry(call, atom.row, p), ix.Entry(call, q, atom.col)
            return ix.prod([MINUS_ONE, ix.summation((p, q), ix.prod([
                left, self.linearity(self.expand(arg, p, q)), right]))])
        if call.func == "diag":  # diag(u)_rc = u_r delta_rc
            assert atom.row is not None and atom.col is not None
            delta = ix.Delta(atom.row, atom.col) if atom.row != atom.col else ix.Const(
                Fraction(1))
            return ix.prod([delta, self.linearity(self.expand(arg, atom.row, None))])
        k = self.fresh(rows)  # softmax: ds_i/du_k = s_i delta_ik - s_i s_k
        s_i, s_k = ix.Entry(call, atom.row, None), ix.Entry(call, k, None)
        assert atom.row is not None
        jacobian = ix.Add((ix.Prod((s_i, ix.Delta(atom.row, k))),
                           ix.Prod((MINUS_ONE, s_i, s_k))))
        return ix.summation((k,), ix.prod([
            jacobian, self.linearity(self.expand(arg, k, None))]))

    # -- the delta: evaluate every remaining derivative ------------------
    def evaluate(self, node: ix.Node) -> ix.Node:
        return self.map_derivs(node, lambda d: self.derivative(d.body))

    def derivative(self, node: ix.Node) -> ix.Node:
        if not self.depends(node):
            return ZERO
        if isinstance(node, ix.Entry) and isinstance(node.expr, ast.Name):
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
        raise TypeError(f"no rule was applied to {type(node).__name__}")

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
    return ix.Entry(derivative_expr(call.func, call.args[0]), node.origin.row,
                    node.origin.col)
