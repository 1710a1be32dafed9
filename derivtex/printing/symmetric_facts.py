"""The facts of the step that states the gradient on symmetric matrices (--symmetric on
the variable): sym(G) = (G + G^T)/2 and the Matrix Cookbook's G + G^T - I .* G, printed
with G as the page's name for the derivative just found."""

from __future__ import annotations

from fractions import Fraction

from ..engine import index as ix
from ..engine.steps import Step, SymmetricGradient
from ..engine.symmetric_variable import g_symbol
from ..model.shapes import Shapes, Symbol
from ..syntax import ast
from .printer import Printer

DIRECTIONS = ("E", "V", "U", "D")


class SymmetricGradientFacts:
    """A StepFacts mixin: the renderer of SymmetricGradient (rule symmetric_gradient)."""

    p: Printer
    inputs: dict[str, Symbol]

    def symmetric_gradient(self, step: Step, facts: dict) -> None:
        assert isinstance(step, SymmetricGradient) and isinstance(step.after, ast.Expr)
        g = ast.Name(step.g)
        square = g_symbol(step, self.inputs)
        e = next(n for n in DIRECTIONS if n not in self.inputs and n != step.g)
        printer = type(self.p)(Shapes({**self.inputs, step.g: square,
                                       e: Symbol(e, "matrix", square.shape)}), self.p.names)
        direction = ast.Name(e)
        facts["e_latex"] = printer.expr(direction)
        facts["inner_latex"] = printer.expr(ast.Call("tr", (ast.MatMul((ast.Transpose(
            ast.Call("sym", (g,))), direction)),)))
        i, j = (ix.Idx(n, square.shape[0]) for n in "ij")
        wrt = ast.Name(step.wrt)
        facts["pair_latex"] = "%s = %s" % (printer.entry(ix.Entry(wrt, i, j)),
                                           printer.entry(ix.Entry(wrt, j, i)))
        identity = ast.Identity(self.inputs[step.wrt].shape[0])
        facts["g_latex"] = printer.expr(g)
        facts["wrt_latex"] = printer.symbol(step.wrt, True)
        facts["sym_lhs"] = printer.expr(ast.Call("sym", (g,)))
        facts["half_latex"] = printer.expr(ast.MatMul((ast.Number(Fraction(1, 2)), ast.Add(
            (g, ast.Transpose(g))))))
        facts["sym_rhs"] = printer.expr(g if step.g_symmetric else step.after)
        facts["g_transposed"] = "%s = %s" % (printer.expr(ast.Transpose(g)), facts["g_latex"])
        facts["cookbook_lhs"] = printer.expr(ast.Add((g, ast.Transpose(g), ast.Neg(
            ast.Hadamard((identity, g))))))
        facts["cookbook_rhs"] = printer.expr(step.cookbook)
        facts["identity_latex"] = printer.expr(identity)
        self.p.used |= printer.used
