"""A derivation step as data: which rule, the expression before and after, and the facts
its explanation needs. Wording lives in the templates."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from . import ast
from . import index as ix

Rule = Literal["goal", "sum_expansion", "linearity", "product_rule", "chain_rule",
               "determinant", "inverse", "softmax", "diag", "delta", "contraction",
               "cancellation", "collect", "reassembly", "transpose_check", "index_form", "identity",
               "gradient_entry", "symmetry"]
RULES: tuple[str, ...] = get_args(Rule)


@dataclass
class Step:
    """rule: one of RULES (gradient_entry and symmetry: Hessians only); every renderer
    (render.StepFacts) has a method per rule, and fails loudly on one it lacks."""

    rule: Rule
    before: ix.Node | ast.Expr | None
    after: ix.Node | ast.Expr | None
    facts: dict[str, Any] = field(default_factory=dict)


def transpose_check(natural: ast.Expr, result: ast.Expr, needs_transpose: bool, goal: Step,
                    natural_shape: tuple) -> Step:
    """The last step of either method: is the natural arrangement the layout's shape?"""
    facts = goal.facts
    return Step("transpose_check", natural, result, {
        "transposed": needs_transpose and result != natural,
        "needs_transpose": needs_transpose, "natural_shape": natural_shape,
        **{key: facts[key] for key in ("layout", "shape", "out_kind", "wrt_kind", "f", "wrt",
                                       "mode")},
    })
