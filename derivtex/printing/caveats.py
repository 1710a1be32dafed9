"""What a page must say it relied on, beside the step that relied on it: the points where
a differentiated function has no derivative (relu and abs bend at 0) and each use of
symmetry (since R is symmetric, R^{-T} = R^{-1}). Wording is in the templates."""

from __future__ import annotations

from typing import Any

from ..engine import index as ix
from ..engine.steps import Step
from ..functions import KINKED
from ..model.greek import declaration
from ..model.shapes import Shapes, Symbol
from ..syntax import ast
from .printer import Printer
from .sentence_facts import differentiated

_Z = ast.Name("z")


def caveats(printer: Printer, step: Step, previous: ix.Node | None) -> dict[str, Any]:
    """`kinks`: f(z) for each function of a chain-rule step that bends at 0;
    `symmetry_used`: (what is symmetric, the equation M^T = M) for each use;
    `scalar_by_default`: (name, NAME=DIMS) for each Greek scalar a matrix also fits."""
    kinks: list[str] = []
    if step.rule == "chain_rule" and step.mode == "index" and isinstance(step.after, ix.Node):
        bent = [f for f in differentiated(previous, step.after)[0] if f in KINKED]
        if bent:
            scalar_z = type(printer)(Shapes({"z": Symbol("z", "scalar", (1, 1))}))
            kinks = [scalar_z.expr(ast.Call(f, (_Z,))) for f in bent]
    used = [(printer.expr(why), "%s = %s" % (printer.expr(ast.Transpose(matrix)),
                                             printer.expr(matrix)))
            for why, matrix in getattr(step, "symmetry_used", ())]
    greek = [(printer.symbol(s.name, False), declaration(s))
             for s in printer.shapes.symbols.values() if s.reading is not None] \
        if step.rule == "goal" else []
    return {"kinks": kinks, "symmetry_used": used, "scalar_by_default": greek}
