"""What a page must say it relied on, beside the step that relied on it: the points where
a differentiated function has no derivative (relu and abs bend at 0), each use of
symmetry (since R is symmetric, R^{-T} = R^{-1}), and a function the result names that
the rows did not (sigma(u) = exp(u) / (1 + exp(u))). Wording is in the templates."""

from __future__ import annotations

from fractions import Fraction
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
_EXP_Z = ast.Call("exp", (_Z,))
# a function a reading names: (the denominator its value divides exp(z) by, what it is)
NAMED = {"sigma": (ast.Add((ast.Number(Fraction(1)), _EXP_Z)), "the logistic sigmoid"),
         "softmax": (ast.MatMul((ast.Transpose(ast.Ones("n")), _EXP_Z)), "the softmax")}


def caveats(printer: Printer, step: Step, previous: ix.Node | None) -> dict[str, Any]:
    """`kinks`: f(z) for each function of a chain-rule step that bends at 0;
    `symmetry_used`: (what is symmetric, the equation M^T = M) for each use;
    `scalar_by_default`: (name, NAME=DIMS) for each Greek scalar a matrix also fits."""
    kinks: list[str] = []
    if step.rule == "chain_rule" and step.mode == "index" and isinstance(step.after, ix.Node):
        bent = [f for f in differentiated(previous, step.after)[0] if f in KINKED]
        if bent:
            kinks = [of_z(printer).expr(ast.Call(f, (_Z,))) for f in bent]
    used = [(printer.expr(why), "%s = %s" % (printer.expr(ast.Transpose(matrix)),
                                             printer.expr(matrix)))
            for why, matrix in getattr(step, "symmetry_used", ())]
    greek = [(printer.symbol(s.name, False), declaration(s))
             for s in printer.shapes.symbols.values() if s.reading is not None] \
        if step.rule == "goal" else []
    return {"kinks": kinks, "symmetry_used": used, "scalar_by_default": greek,
            "named": named(printer, step, previous)}


def named(printer: Printer, step: Step, previous: ix.Node | None
          ) -> list[tuple[str, str, str]]:
    """(f(z), its definition, its name) for each function the reassembled result names
    that the row before did not write (exp(u) / (1 + exp(u)) read as sigma(u))."""
    result = getattr(step, "natural", None)
    if step.rule != "reassembly" or not isinstance(result, ast.Expr) or previous is None:
        return []
    before = {n.func for n in ix.walk(previous) if isinstance(n, ix.Apply)} | {
        c.func for n in ix.walk(previous) if isinstance(n, ix.Entry)
        for c in ast.walk(n.expr) if isinstance(c, ast.Call)}
    found = dict.fromkeys(c.func for c in ast.walk(result) if isinstance(c, ast.Call)
                          and c.func in NAMED and c.func not in before)
    out = []
    for func in found:
        z = of_z(printer, vector=func == "softmax")
        denominator, name = NAMED[func]
        out.append((z.expr(ast.Call(func, (_Z,))), z.frac(z.expr(_EXP_Z), z.expr(denominator)),
                    name))
    return out


def of_z(printer: Printer, vector: bool = False) -> Printer:
    """A printer of the page's kind for statements about a placeholder z (f(z) = ...)."""
    return type(printer)(Shapes({"z": Symbol("z", "vector", ("n", 1)) if vector
                                 else Symbol("z", "scalar", (1, 1))}))
