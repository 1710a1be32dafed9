"""The index method end to end: goal, sum expansion, linearity, product/chain rule,
delta, contraction, reassembly, transpose check. Each rule adds one Step."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ..errors import UnsupportedError
from ..model.layout import Layout, layout_shape, natural_layout, needs_transpose
from ..model.shapes import Dim, Shape, Shapes, Symbol, kind_of
from ..printing.plain import text
from ..syntax import ast
from . import index as ix
from .algebra import Algebra, user_sums, visible_transposes
from .contract import contract_stages
from .differentiate import Differentiator
from .elementwise import tidy_result
from .entrywise import cancel, collect
from .expand import Expander, scalar_forms
from .lines import cancel_numbers, through_values, transposed_reads
from .reassemble import Assembler, collapse
from .recognise import recognition
from .scalars import reciprocal_powers
from .steps import (
    PASS_STEPS,
    Cancellation,
    Collect,
    Contract,
    Delta,
    Goal,
    IndexForm,
    Linearity,
    Method,
    Reassembly,
    Step,
    SumExpansion,
    transpose_check,
)
from .symmetry import symmetry_used
from .written_out import written_out

MAX_RULE_ROUNDS = 20


@dataclass(frozen=True)
class TensorEntries:
    """A tensor's entry in index form, the output's indices then the variable's (None
    where a dimension is 1): verification evaluates it as one array."""

    tree: ix.Node
    out_idx: list[ix.Idx | None]
    wrt_idx: list[ix.Idx | None]


@dataclass
class Outcome:
    """The steps, and the result: a matrix expression, or, for tensors of order 3 and
    more, None and the entry in index form."""

    steps: list[Step]
    result: ast.Expr | None
    result_shape: tuple[Dim, ...]
    tensor: TensorEntries | None = None
    said: list[Any] | None = field(default=None, repr=False, compare=False)  # quotes.py


def output_name(symbols: Mapping[str, Symbol], kind: str) -> str:
    preferred = {"scalar": "f g h u".split(), "vector": "y z u v".split(),
                 "matrix": "F G H".split()}[kind]
    return next((n for n in preferred if n not in symbols), "f")


def derive_steps(expr: ast.Expr, symbols: Mapping[str, Symbol], wrt: str,
                 layout: Layout, method: Method = "index", row_of: ast.Expr | None = None
                 ) -> Outcome:
    """The steps and result of `method`; `row_of` is the row vector whose column `expr`
    is, when the user asked for the derivative of a row."""
    shapes = Shapes(symbols)
    dims = {d for s in symbols.values() for d in s.shape if isinstance(d, str)}
    algebra = Algebra(shapes, user_sums(expr))
    out_shape = shapes(expr)
    wrt_shape = symbols[wrt].shape
    out_kind, wrt_kind = kind_of(out_shape), symbols[wrt].kind
    f_name = output_name(symbols, out_kind)
    names = ix.IndexNames(set(symbols) | dims | {f_name})
    out_idx, wrt_idx = free_indices(names, out_shape, wrt_shape)
    if "i" in names.free:  # the notes sum over k, l for a scalar: f = sum_k sum_l y_k A_kl x_l
        names.free.remove("i")
        names.free.append("i")
    free = [i for i in out_idx + wrt_idx if i is not None]
    tensor = len(free) > 2
    goal_entry = ix.Entry(ast.Name(f_name), out_idx[0], out_idx[1])
    wrt_entry = ix.Entry(ast.Name(wrt), wrt_idx[0], wrt_idx[1])
    goal = Goal(
        before=expr, after=None, f=f_name, out_kind=out_kind, wrt_kind=wrt_kind, wrt=wrt,
        entry=goal_entry, wrt_entry=wrt_entry, layout=layout,
        shape=None if tensor else layout_shape(out_shape, wrt_shape, out_kind, wrt_kind,
                                               layout),
        order=len(free), method=method, row_of=row_of)
    steps: list[Step] = [goal]
    if method == "identity":
        if tensor:
            raise UnsupportedError("the identity method gives matrix-shaped derivatives only; "
                                   "use --method index for index form")
        assert goal.shape is not None
        from .identity_method import derive_by_identities  # off the index method's path

        steps, result = derive_by_identities(scalar_forms(expr, shapes), symbols, wrt, layout,
                                             goal)
        return Outcome(steps, result, goal.shape)
    expander = Expander(shapes, names)
    tree = expander.entry(scalar_forms(expr, shapes), out_idx[0], out_idx[1])
    steps.append(SumExpansion(before=goal_entry, after=tree, expr=expr))

    diff = Differentiator(wrt_entry, expander.entry, names.fresh, shapes)
    lhs = ix.Deriv(goal_entry, wrt_entry)
    contracted = differentiate_entry(tree, lhs, diff, steps)

    if tensor:
        steps.append(IndexForm(before=lhs, after=collapse(contracted), order=len(free),
                               out_kind=out_kind, wrt_kind=wrt_kind))
        return Outcome(steps, None, tuple(i.dim for i in free),
                       TensorEntries(contracted, out_idx, wrt_idx))

    simplified = simplify_entry(contracted, lhs, shapes, steps)
    natural_row, natural_col = (free + [None, None])[:2]
    if wrt_kind == "scalar":  # the output's own arrangement: a row stays a row
        natural_row, natural_col = out_idx
    transpose = needs_transpose(natural_layout(out_kind, wrt_kind), layout)
    row, col = (natural_col, natural_row) if transpose else (natural_row, natural_col)
    recognised = recognition(simplified, lhs, algebra, names,
                             prefer_row=row is None and col is not None)
    if recognised is not None:
        steps.append(recognised)
    def read(by: Algebra) -> ast.Expr:
        return reciprocal_powers(tidy_result(read_in_layout(
            Assembler(by, names), by, simplified, (natural_row, natural_col), transpose),
            by), shapes)

    result = read(algebra)
    if result == ast.Number(Fraction(0)):
        result = ast.Zero(row.dim if row else 1, col.dim if col else 1)
    shown = recognised.after if recognised is not None and \
        isinstance(recognised.after, ix.Node) else simplified
    steps.append(Reassembly(before=lhs, after=ix.Entry(result, row, col), natural=result,
                            row=row, col=col,
                            swapped=transpose and row is not None and col is not None,
                            read_transposed=transposed_reads(Assembler(algebra, names), shown,
                                                             row, col),
                            symmetry_used=symmetry_used(algebra, result, read),
                            written_out=written_out(shown, lhs, row, col)))
    steps.append(transpose_check(result, result, transpose, goal,
                                 (row.dim if row else 1, col.dim if col else 1)))
    assert goal.shape is not None
    return Outcome(steps, result, goal.shape)


def simplify_entry(contracted: ix.Node, lhs: ix.Node, shapes: Shapes, steps: list[Step]
                   ) -> ix.Node:
    """The contracted entry with fractions cancelled (s_k / s_k), or else like terms
    collected, as a lecturer tidies an entry before reading it as a matrix; the step
    that did so is added."""
    cancelled = cancel(contracted, shapes)
    if cancelled is not None:
        substituted = through_values(contracted, lhs)
        again = cancel(substituted.after, shapes) if substituted is not None and \
            isinstance(substituted.after, ix.Node) else None
        if substituted is not None and again is not None:
            steps.append(substituted)  # sigma' = s (1 - s) written out, then cancelled
            cancelled = again
        steps.append(Cancellation(before=lhs, after=cancelled[0], collected=cancelled[1]))
        return cancelled[0]
    scalars = cancel_numbers(contracted)
    if scalars is not None:
        steps.append(Cancellation(before=lhs, after=scalars, collected=False))
        contracted = scalars
    collected = collect(contracted)
    if collected is not None:
        steps.append(Collect(before=lhs, after=collected[0], merged=collected[1]))
        return collected[0]
    return contracted


def read_in_layout(assembler: Assembler, algebra: Algebra, tree: ix.Node,
                   natural: tuple[ix.Idx | None, ix.Idx | None], swap: bool) -> ast.Expr:
    """The entries read straight into the layout's arrangement, as the notes do
    (sum_k y_k A_kj is [y^T A]_j, already a row). Both readings are assembled and the
    simpler pair (a reading and its transpose) wins in either layout, so the two layouts
    always give the same result, transposed."""
    row, col = natural
    as_is = assembler.assemble(tree, row, col)
    if row == col:  # one reading: it and its transpose
        return algebra.transpose(as_is) if swap else as_is
    swapped = assembler.assemble(tree, col, row)

    swapped_t, as_is_t = algebra.transpose(swapped), algebra.transpose(as_is)
    if swapped == as_is_t and swapped_t == as_is:  # one pair read twice: equal costs
        return as_is_t if swap else as_is

    def cost(e: ast.Expr) -> tuple[int, int]:
        return visible_transposes(e, algebra.shapes), len(text(e))

    def pair_cost(e: ast.Expr, transposed: ast.Expr) -> tuple[int, int]:
        a, b = cost(e), cost(transposed)
        return a[0] + b[0], a[1] + b[1]

    if pair_cost(swapped, swapped_t) < pair_cost(as_is, as_is_t):
        return swapped if swap else swapped_t
    return as_is_t if swap else as_is


def differentiate_entry(tree: ix.Node, lhs: ix.Node, diff: Differentiator, steps: list[Step],
                        second: bool = False) -> ix.Node:
    """One pass of the method on an entry: linearity, the rules, the delta, the contraction.
    Hessians run it twice, the second time with `second` set."""
    state = diff.linearity(tree)
    steps.append(Linearity(before=lhs, after=state, second=second))
    for _ in range(MAX_RULE_ROUNDS):
        rule = diff.pending_rule(state)
        if rule is None:
            break
        state = diff.apply_rule(rule, state)
        steps.append(PASS_STEPS[rule](before=lhs, after=state, second=second))
    else:
        raise UnsupportedError("the expression needs too many rounds of the derivative rules")
    state = diff.evaluate(state)
    steps.append(Delta(before=lhs, after=state, wrt_entry=diff.wrt, second=second))
    contracted = state
    for contracted, contractions in contract_stages(state):
        steps.append(Contract(before=lhs, after=contracted, contractions=tuple(contractions),
                              second=second))
    return contracted


def free_indices(names: ix.IndexNames, out_shape: Shape, wrt_shape: Shape
                 ) -> tuple[list[ix.Idx | None], list[ix.Idx | None]]:
    """The notes' letters: i for the output, j for the variable (k, l for a matrix
    variable of a tensor derivative)."""
    n_out = sum(d != 1 for d in out_shape)
    n_wrt = sum(d != 1 for d in wrt_shape)
    if n_out + n_wrt > 2:
        out_letters, wrt_letters = ["i", "j"], ["k", "l"]
    elif n_out:
        out_letters, wrt_letters = ["i", "j"], ["j"]
    else:
        out_letters, wrt_letters = [], ["i", "j"] if n_wrt == 2 else ["j"]

    def pick(shape: Shape, letters: list[str]) -> list[ix.Idx | None]:
        it = iter(letters)
        return [names.fresh(d, next(it, None)) if d != 1 else None for d in shape]

    return pick(out_shape, out_letters), pick(wrt_shape, wrt_letters)
