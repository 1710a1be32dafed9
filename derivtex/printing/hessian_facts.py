"""The facts a Hessian's page needs, printed by the printer of the format in use; the
wording is in the templates' hessian_* macros, which fall back to the first-derivative
macros for the shared rules."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from ..engine import index as ix
from ..engine.index_method import Outcome
from ..engine.steps import HessianGoal, Step
from ..model.shapes import Shapes, Symbol
from ..syntax import ast
from .abbreviate import page_names
from .facts import StepFacts, short
from .printer import Printer
from .written_out import written_out_row


class HessianFacts(StepFacts):
    """StepFacts for a Hessian's page: H and its entries, the gradient between the two
    passes, and which variable entry each pass differentiates by."""

    def __init__(self, printer: Printer, outcome: Outcome) -> None:
        super().__init__(printer, outcome)
        goal = outcome.steps[0]
        assert isinstance(goal, HessianGoal)
        self.vector = goal.wrt_kind == "vector"
        self.h_latex = self.p.symbol(goal.h, True)
        wrt = self.wrt_latex
        self.hessian_latex = self.p.second_partial(
            self.f_latex, wrt, self.p.transposed(wrt) if self.vector else None)
        self.variables = (self.plain.entry(goal.wrt_entry),
                          self.plain.entry(goal.second_wrt_entry))

    def __call__(self, step: Step) -> dict:
        facts = super().__call__(step)
        facts.setdefault("second", False)
        facts.update(h_latex=self.h_latex, hessian_latex=self.hessian_latex,
                     h_transposed=self.p.transposed(self.h_latex),
                     gradient_of_f=self.p.gradient(self.f_latex),
                     vector=self.vector, pass_wrt_latex=self.variables[facts["second"]])
        return facts

    def goal(self, step: Step, facts: dict) -> None:
        assert isinstance(step.before, ast.Expr)
        facts["expr_latex"] = self.plain.expr(step.before)
        facts["short_expr"] = short(step.before, self.plain.shapes)
        facts["shape_latex"] = self.p.shape(facts["shape"])
        facts["space_latex"] = self.p.real_space(facts["shape_latex"])
        first, second = facts["wrt_entry"], facts["second_wrt_entry"]
        facts["entry_latex"] = self.p.sub(self.p.symbol(facts["h"], False), self.p.index_names(
            [i.name for i in (first.row, second.row) if i is not None]))
        facts["second_latex"] = self.p.second_partial(
            self.f_latex, self.p.entry(first), self.p.entry(second))
        facts["first_partial_latex"] = self.p.partial_ratio(self.f_latex, self.p.entry(first))
        facts["first_wrt_latex"] = self.p.entry(first)
        facts["second_wrt_latex"] = self.p.entry(second)

    def gradient_entry(self, step: Step, facts: dict) -> None:
        gradient: ast.Expr = facts["gradient"]
        p = self.names_if_defined(step, facts)
        facts["gradient_latex"] = p.expr(gradient)
        facts["gradient_named"] = p.expr(gradient)
        facts["assembled_latex"] = p.expr(facts["assembled"])
        facts["gradient_lhs"] = p.gradient(self.f_latex) if self.vector else facts["lhs"]
        facts["vector_entry"] = p.entry(ix.Entry(gradient, facts["row"], None))
        facts["entry_is_expansion"] = facts["vector_entry"] == facts["rhs"]
        facts["recognised_latex"] = [self.quotient(f) for f in facts["recognised"]]
        facts["second_wrt_latex"] = self.p.entry(facts["second_wrt_entry"])
        facts["row_name"] = facts["row"].name if facts["row"] is not None else ""

    def names_if_defined(self, step: Step, facts: dict) -> Printer:
        """The printer for the gradient's lines: with the page's names (X^T (s - y)) once
        an earlier line defined them; else the values written out, so that no row of this
        display uses a name its last row would define (the Hessian's line defines it)."""
        shown = [facts["gradient"], facts["assembled"]]
        if isinstance(step.after, ix.Node):
            shown += [n.expr for n in ix.walk(step.after) if isinstance(n, ix.Entry)]
        undefined = {name for name, value in self.values.items() if name not in self.defined
                     and any(node == value for e in shown for node in ast.walk(e))}
        if not undefined:
            return self.p
        if isinstance(step.after, ix.Node):
            facts["rhs"] = self.plain.index(step.after)
        self.p.used -= undefined  # printed by name only in the equation now replaced
        return self.plain

    def quotient(self, func: str) -> str:
        """The quotient the gradient's tidying named: exp(u) / (1^T exp(u)) = softmax(u),
        exp(z) / (1 + exp(z)) = sigma(z), sinh(z) / cosh(z) = tanh(z)."""
        p = type(self.p)(Shapes({"u": Symbol("u", "vector", ("n", 1)),
                                 "z": Symbol("z", "scalar", (1, 1))}))
        if func == "softmax":
            u = ast.Name("u")
            total: ast.Expr = ast.MatMul((ast.Transpose(ast.Ones("n")), ast.Call("exp", (u,))))
        else:
            u = ast.Name("z")
            total = ast.Add((ast.Number(Fraction(1)), ast.Call("exp", (u,))))
        above = ast.Call("exp", (u,))
        if func == "tanh":
            total, above = ast.Call("cosh", (u,)), ast.Call("sinh", (u,))
        ratio = ast.MatMul((ast.Call("recip", (total,)), above))
        return "%s = %s" % (p.expr(ratio), p.expr(ast.Call(func, (u,))))

    def reassembly(self, step: Step, facts: dict) -> None:
        entry = step.after
        assert isinstance(entry, ix.Entry)
        facts["is_identity"] = isinstance(facts["natural"], ast.Identity)
        facts["rhs"] = self.p.entry(entry)
        written = getattr(step, "written_out", None) if self.write_out else None
        facts["jacobian_matrix"], facts["written_entries"] = written_out_row(
            self.p, written, self.h_latex) if written is not None else ("", False)

    def symmetry(self, step: Step, facts: dict) -> None:
        assert isinstance(step.after, ast.Expr)
        facts["rhs"] = self.p.expr(step.after)
        facts["shape_latex"] = self.p.shape(facts["shape"])
        h = self.p.symbol(facts["h"], False)
        facts["swap_latex"] = "%s = %s" % (self.p.sub(h, self.p.index_names(["i", "j"])),
                                           self.p.sub(h, self.p.index_names(["j", "i"])))


def hessian_names(outcome: Outcome, symbols: Mapping[str, Symbol]) -> dict[str, ast.Expr]:
    """The names the page gives function values (s = sigma(X w)), for the result text:
    the same expressions StepFacts collects, so text and page agree."""
    names, _ = page_names(outcome, symbols)
    return {name: value for value, name in names.items()}
