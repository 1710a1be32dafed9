"""A derivation step as data: which rule, the expression before and after, and the facts
its explanation needs. Wording lives in the templates."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import ast
from . import index as ix

RULES = ("goal", "sum_expansion", "linearity", "product_rule", "chain_rule", "delta",
         "contraction", "reassembly", "transpose_check")


@dataclass
class Step:
    rule: str
    before: ix.Node | ast.Expr | None
    after: ix.Node | ast.Expr | None
    facts: dict[str, Any] = field(default_factory=dict)
