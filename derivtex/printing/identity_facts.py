"""The identity method's facts: the identity a step applies, its Matrix Cookbook
citation in the page's layout, and an inner product in disguise (y^T A x as v^T x with
v^T = y^T A), printed by the printer of the format in use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..engine.steps import ByIdentity
from ..model.layout import Layout, needs_transpose
from ..model.shapes import Shapes, Symbol
from ..syntax import ast
from .printer import Printer

if TYPE_CHECKING:
    from ..engine.identities import Identity


def identity_facts(p: Printer, step: ByIdentity, facts: dict, wrt_latex: str,
                   wrt: Symbol | None) -> None:
    """The facts of one step of the identity method, added to `facts`."""
    from ..engine.identities import LIBRARY  # the identity method's steps only

    assert isinstance(step.before, ast.Expr) and isinstance(step.after, ast.Expr)
    facts["lhs"] = p.derivative_of(wrt_latex, p.expr(step.before))
    facts["rhs"] = p.expr(step.after)
    identity = LIBRARY.get(facts.get("identity") or "")
    facts["statement"] = identity_statement(identity, type(p), facts["layout"]) \
        if identity else None
    facts["cite"] = f" (cf. Matrix Cookbook eq. ({facts['cookbook']}))" \
        if facts.get("cookbook") else ""
    # the Cookbook is in denominator layout; a vector variable's identity is shown as
    # its Jacobian (numerator layout) whatever the layout, a matrix variable's in it
    if identity is not None and facts.get("cookbook") and (
            identity.wrt != "X" or needs_transpose("denominator", facts["layout"])):
        facts["cite"] = f" (the transpose of Matrix Cookbook eq. ({facts['cookbook']}), " \
            "which is in denominator layout)"
    recognised = facts.get("recognised")
    facts["recognised_latex"] = p.expr(recognised) if recognised is not None else ""
    facts["times_identity"] = "%s = %s" % (
        p.partial_frac(wrt_latex, wrt_latex), p.expr(ast.Identity(wrt.shape[0]))) \
        if recognised is not None and step.after == recognised and wrt is not None else ""
    v, x = ast.Name("v"), ast.Name("x")
    vectors = type(p)(Shapes({n: Symbol(n, "vector", ("n", 1)) for n in "vx"}))
    facts["pattern_latex"] = vectors.expr(ast.MatMul((ast.Transpose(v), x)))
    facts["pattern_row_latex"] = vectors.expr(ast.Transpose(v))


def identity_statement(identity: Identity, printer_type: type[Printer], layout: Layout) -> str:
    """d pattern / d variable = derivative, printed from the identity's own fields, as the
    identity method's steps show it (so the page cites exactly what the tests check)."""
    shown = identity.shown(layout)
    printer = printer_type(Shapes(shown.symbols))
    wrt = printer.symbol(identity.wrt, shown.symbols[identity.wrt].kind != "scalar")
    return "%s = %s" % (printer.partial_frac(printer.expr(shown.pattern), wrt),
                        printer.expr(shown.derivative))
