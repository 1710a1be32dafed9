"""The equations a page's sentences state, as index trees: the workhorse each contraction
uses and each rule a step applies, in the row's own indices. The printers print these
trees and the page verifier checks them, so what a sentence says is what was checked."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING

from ..model.shapes import Symbol
from ..syntax import ast
from . import index as ix
from .contract import Contraction, holders, is_delta_on, split_terms
from .steps import (
    Cancellation,
    Contract,
    Determinant,
    Diag,
    Goal,
    Inverse,
    Reassembly,
    Softmax,
    Step,
)

if TYPE_CHECKING:
    from .index_method import Outcome
from .lines import collected_quote
from .matrix_rules import determinant_rule, diag_rule, inverse_rule
from .quote_types import MINUS_ONE, VECTOR_STAND_INS, Quote, stand_in
from .written import normal, occurs


@dataclass(frozen=True)
class Workhorse:
    """sum_k delta_jk a_k = a_j for the deltas of one term: the deltas as the row shows
    them, and the factor they multiply there."""

    summed: tuple[ix.Idx, ...]
    deltas: tuple[ix.Delta, ...]
    factor: ix.Node
    value: ix.Node

    @property
    def quote(self) -> Quote:
        return Quote(ix.Sum(self.summed, ix.Prod((*self.deltas, self.factor))), self.value)


@dataclass(frozen=True)
class SoftmaxRule:
    """d s_i / d u_k = s_i delta_ik - s_i s_k and s_i = exp(u_i) / sum_l exp(u_l), in the
    row's indices i, k and a letter l fresh on the page; `call` is the page's softmax and
    `u` its argument, or a stand-in vector when the argument is not a name."""

    call: ast.Call
    u: ast.Expr
    i: ix.Idx
    k: ix.Idx
    fresh: ix.Idx
    symbols: tuple[Symbol, ...] = ()
    quotes: tuple[Quote, ...] = field(default=())


def delta_term(tree: ix.Node | None, pair: set[ix.Idx], k: ix.Idx
               ) -> tuple[list[ix.Node], ix.Delta, tuple[ix.Idx, ...]] | None:
    """The factors of a term of `tree` in which a delta on `pair` sums out `k`, and that
    delta; brackets holding other deltas on k multiplied out, and the term with the
    fewest of them chosen, so the workhorse quotes a factor the delta alone collapses
    (sum_k delta_jk y_k = y_j in sum_k (y_i delta_ik - y_i y_k) delta_jk); last, the
    indices of the sum it is in."""
    def on_pair(n: ix.Node) -> bool:
        return isinstance(n, ix.Delta) and {n.first, n.second} == pair

    found: list[tuple[list[ix.Node], ix.Delta, tuple[ix.Idx, ...]]] = []
    for node in ix.walk(tree) if tree is not None else ():
        if isinstance(node, ix.Sum) and k in node.indices:
            on = holders(node.body, lambda n: is_delta_on(n, k))
            for _, factors in split_terms(node.body, k, on):
                delta = next((f for f in factors if on_pair(f)), None)
                if isinstance(delta, ix.Delta):
                    found.append((factors, delta, node.indices))
    return min(found, key=lambda term: sum(is_delta_on(f, k) for f in term[0])) \
        if found else None


def partner(factors: list[ix.Node], summed: tuple[ix.Idx, ...], deltas: list[ix.Delta]
            ) -> ix.Node | None:
    """What the deltas multiply, as briefly as the row allows: for each summed index an
    entry that carries it (not a ones entry, which is 1), else the bracket that does,
    written as the entry it stands for when it holds sums of its own ([A B + C]_ik), or
    another delta (sum_k delta_ik delta_jk = delta_ji)."""
    def carries(f: ix.Node, k: ix.Idx) -> bool:
        return ix.contains(f, lambda n: (isinstance(n, ix.Entry) and k in n.indices()) or (
            isinstance(n, ix.Delta) and k in (n.first, n.second)))

    flat: list[ix.Node] = []
    for f in factors:  # a term kept whole, -y_i y_k, gives its factors
        flat.extend(f.factors if isinstance(f, ix.Prod) and f.origin is None else (f,))
    flat = [f for f in flat if not isinstance(f, ix.Const) and all(f is not d for d in deltas)]
    chosen: list[ix.Node] = []
    for k in summed:
        if any(carries(f, k) for f in chosen):
            continue
        beside = [f for f in flat if carries(f, k)]
        ones = [f for f in beside if isinstance(f, ix.Entry) and isinstance(f.expr, ast.Ones)]
        others = [f for f in beside if all(f is not o for o in ones)]
        entries = [f for f in others if isinstance(f, ix.Entry)]
        best = (entries or others or ones or [None])[0]
        if best is not None:
            chosen.append(bracket_entry(best, k))
    return chosen[0] if len(chosen) == 1 else ix.Prod(tuple(chosen)) if chosen else None


def bracket_entry(factor: ix.Node, k: ix.Idx) -> ix.Node:
    """A bracket holding sums of its own as the entry it stands for ([A B + C]_ik); a
    function's value stays as the row writes it (sigma'(sum_l W_kl x_l), not an entry of
    a name the page defines only later)."""
    origin = getattr(factor, "origin", None)
    long = not isinstance(factor, ix.Apply) and ix.contains(
        factor, lambda n: isinstance(n, ix.Sum))
    return origin if long and isinstance(origin, ix.Entry) and k in origin.indices() \
        else factor


def workhorses(previous: ix.Node | None, contractions: tuple[Contraction, ...],
               variable: str, after: ix.Node | None = None) -> list[Workhorse]:
    """The workhorses of a contraction step, one for each sum a delta collapses (deltas
    of one term summed out together): sum_u delta_ju X_ku = X_kj and sum_v delta_jv X_pv
    = X_pj for two terms, not one of them standing for both. A delta whose term another
    delta of the same row collapses further is passed over, as its value is not shown."""
    found: list[Workhorse] = []
    covered: set[ix.Idx] = set()
    for n, first in enumerate(contractions):
        if first.summed in covered:
            continue
        for horse in (one_workhorse(previous, (first, *contractions[:n],
                                               *contractions[n + 1:]), variable),
                      one_workhorse(previous, (first,), variable)):  # or its delta alone
            if after is None or occurs(horse.value, after):
                found.append(horse)
                covered |= set(horse.summed)
                break
    return found or [one_workhorse(previous, contractions, variable)]


def one_workhorse(previous: ix.Node | None, contractions: tuple[Contraction, ...],
                  variable: str) -> Workhorse:
    """The workhorse of the first contraction, as the row before shows its delta, and
    what it multiplies (the variable's entry when the row holds no such delta: a false
    record, which the page verifier refuses)."""
    first = contractions[0]
    k, j = first.summed, first.kept
    term = delta_term(previous, {k, j}, k)
    if term is None:
        sample = ix.Entry(ast.Name(variable), k, None)
        return Workhorse((k,), (ix.Delta(j, k),), sample, ix.rename(sample, k, j))
    factors, shown, bound = term
    pairs = [(shown, first)]
    for c in contractions[1:]:
        if c.summed not in bound or any(c.summed == d.summed for _, d in pairs):
            continue  # only the sum the term is in, each index once
        also = next((f for f in factors if isinstance(f, ix.Delta) and f is not shown
                     and {f.first, f.second} == {c.summed, c.kept}
                     and all(f is not d for d, _ in pairs)), None)
        if isinstance(also, ix.Delta):
            pairs.append((also, c))
    summed = tuple(c.summed for _, c in pairs)
    factor = partner(factors, summed, [d for d, _ in pairs]) or ix.Const(Fraction(1))
    value = factor
    for _, c in pairs:
        value = ix.rename(value, c.summed, c.kept)
    return Workhorse(summed, tuple(d for d, _ in pairs), factor, normal(value))


def free_letter(taken: Iterable[str], dim: str | int) -> ix.Idx:
    """An index letter no row of the page uses (l if it can)."""
    used = set(taken)
    names = ix.IndexNames(used)
    if names.free:
        return names.fresh(dim, "l")
    return ix.Idx(next(name for n in itertools.count(1)
                       if (name := f"k_{{{n}}}") not in used), dim)


def softmax_rule(step: Step, taken: set[str]) -> SoftmaxRule | None:
    """The softmax Jacobian the row holds, s_i delta_ik - s_i s_k, read for its indices."""
    after = step.after if isinstance(step.after, ix.Node) else None
    for node in ix.walk(after) if after is not None else ():
        found = softmax_jacobian(node)
        if found is None:
            continue
        call, i, k = found
        arg = call.args[0]
        symbols: tuple[Symbol, ...] = ()
        u: ast.Expr = arg
        if not isinstance(arg, ast.Name):
            name = stand_in(VECTOR_STAND_INS, taken)
            symbols = (Symbol(name, "vector", (k.dim, 1)),)
            u = ast.Name(name)
        values = call if isinstance(arg, ast.Name) else ast.Call("softmax", (u,))
        s_i, s_k = ix.Entry(values, i, None), ix.Entry(values, k, None)
        fresh = free_letter(taken, k.dim)
        entry = Quote(ix.Deriv(s_i, ix.Entry(u, k, None)), ix.Add((
            ix.Prod((s_i, ix.Delta(i, k))), ix.Prod((MINUS_ONE, s_i, s_k)))), symbols, True)
        exp_i, exp_l = (ix.Apply("exp", ix.Entry(u, n, None)) for n in (i, fresh))
        definition = Quote(s_i, ix.Prod((exp_i, ix.Apply("recip", ix.Sum((fresh,), exp_l)))),
                           symbols, True)
        return SoftmaxRule(call, u, i, k, fresh, symbols, (entry, definition))
    return None


def softmax_jacobian(node: ix.Node) -> tuple[ast.Call, ix.Idx, ix.Idx] | None:
    """(softmax call, i, k) when `node` is s_i delta_ik - s_i s_k."""
    if not isinstance(node, ix.Add) or len(node.terms) != 2:
        return None
    first, second = node.terms
    if not (isinstance(first, ix.Prod) and isinstance(second, ix.Prod)
            and len(first.factors) == 2 and isinstance(first.factors[1], ix.Delta)):
        return None
    s_i, delta = first.factors
    if not (isinstance(s_i, ix.Entry) and isinstance(s_i.expr, ast.Call)
            and s_i.expr.func == "softmax" and isinstance(delta, ix.Delta)):
        return None
    return s_i.expr, delta.first, delta.second


@dataclass
class StepQuotes:
    """What one step's sentence states: its workhorses, its rule and the equations it
    works out (the collected numbers of a cancellation), as trees."""

    workhorses: list[Workhorse] = field(default_factory=list)
    rules: list[Quote] = field(default_factory=list)
    softmax: SoftmaxRule | None = None
    equations: list[Quote] = field(default_factory=list)

    @property
    def quotes(self) -> list[Quote]:
        return [w.quote for w in self.workhorses] + self.rules + self.equations


def page_letters(steps: list[Step]) -> set[str]:
    """Every index letter and symbol name a row of the page uses."""
    taken: set[str] = set()
    for step in steps:
        for part in (step.before, step.after):
            if isinstance(part, ix.Node):
                taken |= tree_letters(part)
            elif isinstance(part, ast.Expr):
                taken |= {n.name for n in ast.walk(part) if isinstance(n, ast.Name)}
    return taken


def tree_letters(tree: ix.Node) -> set[str]:
    """The index names and symbol names of an index tree."""
    return index_letters(tree) | {n.name for node in ix.walk(tree) if isinstance(node, ix.Entry)
                                  for n in ast.walk(node.expr) if isinstance(n, ast.Name)}


def page_index_letters(steps: Sequence[Step]) -> set[str]:
    """Every index name the rows of a page use: a letter a rule statement or a new name
    must not take."""
    return {name for step in steps for part in (step.before, step.after)
            if isinstance(part, ix.Node) for name in index_letters(part)}


def index_letters(tree: ix.Node) -> set[str]:
    """The index names of a tree (not its symbols'), derivatives' bodies included."""
    out: set[str] = set()
    for node in ix.walk(tree):
        if isinstance(node, ix.Entry):
            out |= {i.name for i in node.indices()}
        elif isinstance(node, ix.Delta):
            out |= {node.first.name, node.second.name}
        elif isinstance(node, ix.Sum):
            out |= {i.name for i in node.indices}
        elif isinstance(node, ix.Deriv):
            out |= {i.name for i in node.wrt.indices()}
    return out


def outcome_quotes(outcome: Outcome) -> list[StepQuotes]:
    """The quoted equations of a derivation's page, worked out once (the verifier and
    each printer read the same)."""
    if outcome.said is None:
        goal = outcome.steps[0]
        assert isinstance(goal, Goal)
        outcome.said = page_quotes(outcome.steps, goal.wrt, set())
    return outcome.said


def page_quotes(steps: list[Step], variable: str, taken: set[str]) -> list[StepQuotes]:
    """The quoted equations of each step, in order; `taken` are the input's names."""
    ruled = any(isinstance(step, Softmax | Determinant | Inverse | Diag) for step in steps)
    letters = page_letters(steps) | taken if ruled else taken  # for the rules' stand-ins
    out: list[StepQuotes] = []
    previous: ix.Node | None = None
    for step in steps:
        said = StepQuotes()
        if isinstance(step, Contract) and step.contractions:
            said.workhorses.extend(workhorses(previous, step.contractions, variable,
                                              step.after if isinstance(step.after, ix.Node)
                                              else None))
        elif isinstance(step, Softmax):
            said.softmax = softmax_rule(step, letters)
            if said.softmax is not None:
                said.rules.extend(said.softmax.quotes)
        elif isinstance(step, Determinant | Inverse):
            rule = determinant_rule(step, letters) if isinstance(step, Determinant) \
                else inverse_rule(step, letters)
            said.rules.extend([rule] if rule is not None else [])
        elif isinstance(step, Cancellation) and step.collected:
            line = collected_quote(previous, step.after if isinstance(step.after, ix.Node)
                                   else None)
            said.equations.extend([line] if line is not None else [])
        elif isinstance(step, Reassembly):
            for node, natural, read in step.read_transposed:
                said.equations.extend(([Quote(node, natural)] if node is not natural else [])
                                      + [Quote(natural, read)])
        elif isinstance(step, Diag):
            rule = diag_rule(previous, letters)
            said.rules.extend([rule] if rule is not None else [])
        out.append(said)
        if isinstance(step.after, ix.Node):
            previous = step.after
    return out
