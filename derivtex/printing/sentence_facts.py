"""What a sentence reads off the equation beside it, so that it says only what is true of
that equation: which sums a delta collapses (and which it leaves), which factor the delta
multiplies, which terms turned out equal, which functions the chain rule differentiated
and whether their argument is a scalar or an entry."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from functools import partial
from typing import Any

from ..engine import index as ix
from ..engine.contract import holders, is_delta_on, split_terms
from ..engine.entrywise import atom_key, canonical
from ..engine.quotes import page_index_letters
from ..engine.reassemble import collapse, monomials
from ..engine.steps import Step
from ..errors import DerivtexError
from ..functions import PRIME
from ..model.shapes import Shape
from ..syntax import ast
from .printer import Printer


@dataclass
class Collapse:
    """The sums over one index name in the tree the deltas were summed out of: `values`
    are the indices it was replaced by; `full` sums had a delta in every term, `partial`
    sums in some terms only (`delta_terms` of them; the others keep the sum), `idle` sums
    held no delta on the index at all and stay as they are."""

    index: str
    values: list[str]
    full: int = 0
    partial: int = 0
    idle: int = 0
    delta_terms: int = 0


def collapses(tree: ix.Node | None, pairs: list[tuple[str, str]]) -> list[Collapse]:
    """For each summed index of the contraction (in order), what happened to its sums."""
    out: dict[str, Collapse] = {}
    for summed, kept in pairs:
        out.setdefault(summed, Collapse(summed, [])).values.append(kept)
    for node in ix.walk(tree) if tree is not None else ():
        if not isinstance(node, ix.Sum):
            continue
        for idx in node.indices:
            found = out.get(idx.name)
            if found is None:
                continue
            on = holders(node.body, partial(delta_on, idx))
            if id(node.body) not in on:
                found.idle += 1
                continue
            terms = split_terms(node.body, idx, on)
            without = sum(1 for _, factors in terms
                          if not any(is_delta_on(f, idx) for f in factors))
            if without:
                found.partial += 1
                found.delta_terms += len(terms) - without
            else:
                found.full += 1
    return list(out.values())


def delta_on(k: ix.Idx, node: ix.Node) -> bool:
    return is_delta_on(node, k)


@dataclass
class Merge:
    """Equal terms of one bracket added up: `before` the bracket, `after` its terms
    collected; `whole` when its terms are terms of the entry (the bracket is under sums
    and numbers only), `top` when it is the entry itself, and `renamed` when the terms
    are equal only once their dummy indices and factor order agree."""

    before: ix.Add
    after: ix.Node
    count: int
    whole: bool
    renamed: bool
    top: bool = False


def merges(tree: ix.Node | None) -> list[Merge]:
    """Every bracket of `tree` in which two or more terms are the same term."""
    found: list[Merge] = []
    stack: list[tuple[ix.Node, bool]] = [(tree, True)] if tree is not None else []
    while stack:
        node, whole = stack.pop()
        if isinstance(node, ix.Add):
            merged = merge(node, whole)
            if merged is not None:
                merged.top = node is top_of(tree)
                found.append(merged)
        if isinstance(node, ix.Prod):
            numbers = sum(1 for f in node.factors if isinstance(f, ix.Const))
            whole = whole and numbers >= len(node.factors) - 1
        elif not isinstance(node, ix.Add | ix.Sum):
            whole = False
        stack.extend((child, whole) for child in reversed(ix.children(node)))
    return found


def top_of(tree: ix.Node | None) -> ix.Node | None:
    while isinstance(tree, ix.Sum):
        tree = tree.body
    return tree


def merge(add: ix.Add, whole: bool) -> Merge | None:
    seen: dict = {}
    groups: dict[tuple, list[tuple[ix.Node, Fraction]]] = {}
    for term in add.terms:
        try:
            monos = monomials(collapse(term))
        except DerivtexError:
            return None
        if len(monos) != 1:
            return None
        mono = canonical(monos[0], seen)
        key = (tuple(i.name for i in mono.indices), tuple(sorted(atom_key(a) for a in mono.atoms)))
        groups.setdefault(key, []).append((term, mono.coeff))
    count = max(len(g) for g in groups.values())
    if count < 2:
        return None
    terms = []
    renamed = False
    for group in groups.values():
        first, coeff = group[0]
        total = sum((c for _, c in group), Fraction(0))
        if total:
            terms.append(ix.prod([ix.Const(total / coeff), first]))
        renamed = renamed or len({repr_tree(t) for t, _ in group}) > 1
    return Merge(add, ix.add(terms), count, whole, renamed)


def repr_tree(node: ix.Node) -> str:
    """A tree as text, to tell terms that are written alike from ones equal up to names."""
    if isinstance(node, ix.Entry):
        return repr((node.expr, node.row, node.col))
    parts = ",".join(repr_tree(c) for c in ix.children(node))
    extra = repr((node.first, node.second)) if isinstance(node, ix.Delta) else \
        repr(node.value) if isinstance(node, ix.Const) else \
        repr(node.indices) if isinstance(node, ix.Sum) else \
        node.func if isinstance(node, ix.Apply) else ""
    return f"{type(node).__name__}({extra};{parts})"


def differentiated(before: ix.Node | None, after: ix.Node) -> tuple[list[str], bool, bool]:
    """The functions a chain-rule step differentiated (they were inside a derivative and
    no longer are), and whether any had a scalar argument, any an indexed entry."""
    inside_before = applied_inside_derivatives(before) if before is not None else []
    still = Counter(a.func for a in applied_inside_derivatives(after))
    counts = Counter(a.func for a in inside_before)
    done = [f for f in sorted(counts) if counts[f] > still.get(f, 0)]
    args = [a.arg for a in inside_before if a.func in done]
    scalar = any(not free_indices(arg) for arg in args)
    entry = any(free_indices(arg) for arg in args)
    return done, scalar, entry


def scalar_function(before: ix.Node | None, done: list[str]) -> tuple[ix.Apply, ix.Entry] | None:
    """A differentiated function of a scalar, with the entry it was differentiated by."""
    for node in ix.walk(before) if before is not None else ():
        if isinstance(node, ix.Deriv):
            for inner in ix.walk(node.body):
                if isinstance(inner, ix.Apply) and inner.func in done and \
                        not free_indices(inner.arg):
                    return inner, node.wrt
    return None


def scalar_chain_rule(printer: Printer, before: ix.Node | None, done: list[str],
                      name: Callable[[], str]) -> tuple[str, str]:
    """(u = det X, d log(u)/dX_ij = (1/u) du/dX_ij) for a differentiated function of a
    scalar, or two empty strings."""
    found = scalar_function(before, done)
    if found is None or found[0].func not in PRIME:
        return "", ""
    (func, arg), by = (found[0].func, found[0].arg), found[1]
    u = ix.Entry(ast.Name(name()), None, None)
    value = printer.expr(arg.expr) if isinstance(arg, ix.Entry) else printer.index(arg)
    return "%s = %s" % (printer.entry(u), value), "%s = %s" % (
        printer.index(ix.Deriv(ix.Apply(func, u), by)),
        printer.index(ix.Prod((ix.Apply(PRIME[func], u), ix.Deriv(u, by)))))


def applied_inside_derivatives(tree: ix.Node) -> list[ix.Apply]:
    found: list[ix.Apply] = []
    for node in ix.walk(tree):
        if isinstance(node, ix.Deriv):
            found.extend(n for n in ix.walk(node.body) if isinstance(n, ix.Apply))
    return list({id(a): a for a in found}.values())  # once, however many derivatives enclose it


def free_indices(node: ix.Node) -> set[ix.Idx]:
    """The indices of `node` that no sum inside it binds."""
    if isinstance(node, ix.Entry):
        return set(node.indices())
    if isinstance(node, ix.Delta):
        return {node.first, node.second}
    if isinstance(node, ix.Sum):
        return free_indices(node.body) - set(node.indices)
    if isinstance(node, ix.Deriv):
        return free_indices(node.body) | set(node.wrt.indices())
    out: set[ix.Idx] = set()
    for child in ix.children(node):
        out |= free_indices(child)
    return out


def index_form_facts(printer: Printer, after: object, lhs: object) -> dict[str, Any]:
    """The deltas multiplying the whole answer (it is zero unless each pairs equal indices,
    `nonzero_when`) and the output entries a variable entry affects (`affected`)."""
    factors = after.factors if isinstance(after, ix.Prod) else (after,)
    deltas = [d for d in factors if isinstance(d, ix.Delta)]
    facts: dict[str, Any] = {
        "nonzero_when": ["%s = %s" % (printer.math(d.first), printer.math(d.second))
                         for d in deltas], "affected": None, "affected_free": None}
    found = affected_entry(deltas, lhs)
    if found is not None:
        wrt, affected, facts["affected_free"] = found
        facts["wrt_entry_latex"], facts["affected"] = printer.index(wrt), printer.index(affected)
    return facts


def affected_entry(deltas: list[ix.Delta], lhs: object
                   ) -> tuple[ix.Entry, ix.Entry, bool] | None:
    """For dy_i/dW_kl = δ_ki x_l: (W_kl, y_k, False), W_kl affects only y_k; the flag says
    whether an output index stays free (x_k affects the entries F_kj). None when no delta
    pairs an output index with a variable's index."""
    if not isinstance(lhs, ix.Deriv) or not isinstance(lhs.body, ix.Entry):
        return None
    out, wrt = lhs.body, lhs.wrt
    out_idx, wrt_idx = set(out.indices()), set(wrt.indices())
    renamed = dict[ix.Idx, ix.Idx]()
    for d in deltas:
        pair = {d.first, d.second}
        if len(pair & out_idx) == 1 and len(pair & wrt_idx) == 1:
            (old,), (new,) = pair & out_idx, pair & wrt_idx
            renamed[old] = new
    if not renamed:
        return None
    row, col = (None if i is None else renamed.get(i, i) for i in (out.row, out.col))
    return wrt, ix.Entry(out.expr, row, col), bool(out_idx - set(renamed))


def recognitions(printer: Printer, products: tuple[tuple[ix.Node, ix.Entry], ...],
                 derivatives: tuple[tuple[str, ix.Node, ix.Entry, ix.Node], ...]
                 ) -> tuple[list[str], list[tuple[str, list[str], list[str]]]]:
    """What the line before reassembly recognised, as equations: each sum with its
    product's entry (sum_l A_jl x_l = [A x]_j), and for each f the statement of f', f's
    values at its arguments (sigma(sum_k W_ik x_k) = y_i) and what f' is there
    (sigma'(sum_k W_ik x_k) = y_i (1 - y_i)), once for each value."""
    sums = list(dict.fromkeys("%s = %s" % (printer.index(node), printer.entry(entry))
                              for node, entry in products))
    values: dict[str, tuple[str, list[str], list[str]]] = {}
    seen: set[str] = set()
    for func, arg, entry, through in derivatives:
        if func + printer.entry(entry) in seen:
            continue  # once per value: y_k by k or by l
        seen.add(func + printer.entry(entry))
        fact = values.setdefault(func, (printer.prime_fact(PRIME[func]) or "", [], []))
        fact[1].append("%s = %s" % (printer.index(ix.Apply(func, arg)), printer.entry(entry)))
        fact[2].append("%s = %s" % (printer.index(ix.Apply(PRIME[func], arg)),
                                    printer.index(through)))
    return sums, list(values.values())


def delta_examples(tree: ix.Node, wrt: ix.Entry
                   ) -> list[tuple[tuple[ix.Idx | None, ix.Idx | None], list[ix.Delta]]]:
    """For each derivative the delta step evaluated, the entry it was taken of and its
    deltas: d x_i / d x_j -> delta_ji; d X_ab / d X_kl -> delta_ka delta_lb."""
    found: list = []
    seen: set = set()

    def other(d: ix.Delta, mine: ix.Idx | None) -> ix.Idx | None:
        if mine is None:
            return None
        if d.first == mine:
            return d.second
        return d.first if d.second == mine else None

    for node in ix.walk(tree):
        factors = node.factors if isinstance(node, ix.Prod) else (node,) \
            if isinstance(node, ix.Delta) else ()
        deltas = [f for f in factors if isinstance(f, ix.Delta)]
        if not deltas:
            continue
        if wrt.row is not None and wrt.col is not None:
            rows = [d for d in deltas if other(d, wrt.row) is not None]
            cols = [d for d in deltas if other(d, wrt.col) is not None and d not in rows]
            groups = [([r, c], (other(r, wrt.row), other(c, wrt.col)))
                      for r, c in zip(rows, cols, strict=False)]
        else:
            mine = wrt.row if wrt.row is not None else wrt.col
            groups = [([d], (other(d, mine), None) if wrt.row is not None
                       else (None, other(d, mine))) for d in deltas
                      if other(d, mine) is not None]
        for ds, others in groups:
            key = tuple((d.first.name, d.second.name) for d in ds)
            if key not in seen:
                seen.add(key)
                found.append((others, ds))
    return found


def top_terms(tree: ix.Node | None) -> int:
    """How many terms the entry has, under the sums around it."""
    while isinstance(tree, ix.Sum):
        tree = tree.body
    return len(tree.terms) if isinstance(tree, ix.Add) else 1


def shape_kind(shape: Shape) -> str:
    if shape[1] == 1 and shape[0] != 1:
        return "a column vector"
    if shape[0] == 1 and shape[1] != 1:
        return "a row vector"
    return "a scalar" if shape == (1, 1) else "a matrix"


def cancelled_pairs(printer: Printer, tree: ix.Node | None) -> list[str]:
    """Each fraction of `tree` and the factor it cancels, 1/s_k s_k = 1: beside it, or
    in the terms of a bracket beside it (1/s_k (s_k X_kj - ...))."""
    pairs: dict[str, None] = {}
    for node in ix.walk(tree) if tree is not None else ():
        if not isinstance(node, ix.Prod):
            continue
        for f in node.factors:
            if isinstance(f, ix.Apply) and f.func == "recip" and any(
                    printer.index(h) == printer.index(f.arg)
                    for g in node.factors if g is not f for h in ix.walk(g)):
                pairs.setdefault("%s %s = 1" % (printer.index(f), printer.index_factor(f.arg)))
    return list(pairs)


def fresh_scalar(steps: list[Any], taken: set[str]) -> str:
    """The name a chain-rule sentence gives the scalar it differentiates through: u,
    unless an input or an index of the page holds it (u as a summation index)."""
    used = taken | page_index_letters(steps)
    return next((u for u in ("u", "t", "v", "w", "r") if u not in used), "u")


def chained_from(p: Printer, step: Step, facts: dict[str, Any], previous: ix.Node | None,
                 last: tuple[str, str]) -> str:
    """With `rows=chained`, the line before this step's (`last`: its two sides), which the
    step's display restates (dy_i/dx_j = sum_k delta_jk w_ik = w_ij): the derivative of the
    sum the derivative moves into, or the last right side for the same left side; else ""."""
    if p.notation.rows != "chained" or previous is None or "rhs" not in facts or \
            "lhs" not in facts:
        return ""
    if step.rule == "linearity" and isinstance(step.before, ix.Deriv):
        return p.index(ix.Deriv(previous, step.before.wrt))
    same = facts["lhs"] == last[0] and last[1] != facts["rhs"]
    return last[1] if same else ""
