"""Readable results: a function value used more than once gets a name of its own,
shown in a `where` line (diag(s .* (1 - s)) W, where s = sigma(W x))."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import replace

from ..engine import index as ix
from ..engine.index_method import Outcome
from ..engine.steps import Goal
from ..functions import ELEMENTWISE
from ..model.shapes import SCALAR, Shapes, Symbol, kind_of
from ..syntax import ast
from ..syntax.ast import children, walk

NAMES = "s u v g h r".split()
UNNAMED = ("recip", "sqrt")


def substitute(expr: ast.Expr, old: ast.Expr, new: ast.Expr) -> ast.Expr:
    if expr == old:
        return new
    kids = children(expr)
    if not kids:
        return expr
    swapped = tuple(substitute(k, old, new) for k in kids)
    if isinstance(expr, ast.Add):
        return replace(expr, terms=swapped)
    if isinstance(expr, ast.MatMul | ast.Hadamard):
        return replace(expr, factors=swapped)
    if isinstance(expr, ast.Call):
        return replace(expr, args=swapped)
    if isinstance(expr, ast.Neg | ast.Transpose | ast.Norm2):
        return replace(expr, operand=swapped[0])
    raise TypeError(f"no substitution into {type(expr).__name__}")


def abbreviate(expr: ast.Expr, symbols: Mapping[str, Symbol]
               ) -> tuple[list[tuple[ast.Name, ast.Expr]], dict[str, Symbol]]:
    """[(name, value)] for the function values `expr` repeats, and the extended symbols.
    A scalar's reciprocal or square root is never named: it prints as a lecturer writes it,
    a fraction 2/(x^T x) or a norm ||x|| (never s = 1/(x^T x))."""
    shapes = Shapes(symbols)
    counts = Counter(n for n in walk(expr) if isinstance(n, ast.Call)
                     and (n.func in ELEMENTWISE or n.func == "softmax")
                     and not (n.func in UNNAMED and shapes(n) == SCALAR))
    free = (n for n in NAMES if n not in symbols)
    extended = dict(symbols)
    where: list[tuple[ast.Name, ast.Expr]] = []
    for call, count in counts.items():
        name = next(free, None)
        if count < 2 or name is None:
            continue
        shape = shapes(call)
        extended[name] = Symbol(name, kind_of(shape), shape)
        where.append((ast.Name(name), call))
    return where, extended


def page_names(outcome: Outcome, symbols: Mapping[str, Symbol]
               ) -> tuple[dict[ast.Expr, str], dict[str, Symbol]]:
    """One set of names for a whole page, so a name never changes meaning: every softmax
    (s = softmax(z), as lecturers write it), and the function values the result repeats.
    The value that is the whole output is called by the output's name (y = sigma(W x)
    gives diag(y .* (1 - y)) W, as lecturers write it, not a second name s for y); other
    names are never one of the page's index letters or the output's name."""
    exprs = [e for step in outcome.steps for e in (step.before, step.after)
             if isinstance(e, ast.Expr)]
    nodes = page_nodes(outcome)
    exprs += list({id(n.expr): n.expr for n in nodes if isinstance(n, ix.Entry)}.values())
    indices = {i.name for n in nodes for i in node_indices(n)}
    goal = outcome.steps[0]
    assert isinstance(goal, Goal) and isinstance(goal.before, ast.Expr)
    output = {} if goal.row_of is not None else {goal.before: goal.f}
    return names_for(exprs, outcome.result, symbols, indices | {goal.f}, output)


def page_nodes(outcome: Outcome) -> list[ix.Node]:
    """The nodes of the steps' index trees in ix.walk's order, each object once: the steps
    share subtrees, and a repeat names nothing new (names_for keeps first uses)."""
    seen: set[int] = set()
    nodes: list[ix.Node] = []
    for step in outcome.steps:
        for top in (step.before, step.after):
            stack = [top] if isinstance(top, ix.Node) else []
            while stack:
                node = stack.pop()
                if id(node) not in seen:
                    seen.add(id(node))
                    nodes.append(node)
                    stack.extend(ix.children(node))
    return nodes


def node_indices(node: ix.Node) -> tuple[ix.Idx, ...]:
    if isinstance(node, ix.Entry):
        return node.indices()
    if isinstance(node, ix.Sum):
        return node.indices
    if isinstance(node, ix.Delta):
        return (node.first, node.second)
    return ()


def names_for(exprs: list[ast.Expr], result: ast.Expr | None, symbols: Mapping[str, Symbol],
              taken: set[str], output: Mapping[ast.Expr, str]
              ) -> tuple[dict[ast.Expr, str], dict[str, Symbol]]:
    shapes = Shapes(symbols)
    wanted: list[ast.Expr] = []
    for expr in exprs:
        for node in walk(expr):
            if isinstance(node, ast.Call) and node.func == "softmax" and node not in wanted:
                wanted.append(node)
    if result is not None:
        repeated, _ = abbreviate(result, symbols)
        wanted += [value for _, value in repeated if value not in wanted]
    taken = taken | set(symbols)
    extended = dict(symbols)
    names: dict[ast.Expr, str] = {}
    for value in wanted:
        name = output.get(value) or next((n for n in NAMES if n not in taken), None)
        if name is None:
            break
        taken.add(name)
        shape = shapes(value)
        extended[name] = Symbol(name, kind_of(shape), shape)
        names[value] = name
    return names, extended


def apply_names(expr: ast.Expr, where: list[tuple[ast.Name, ast.Expr]]) -> ast.Expr:
    for name, value in where:
        expr = substitute(expr, value, name)
    return expr
