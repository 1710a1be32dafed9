"""A step record's facts in the notation of the output format: every expression and index
the record holds, printed by the printer in use, plus what its sentence reads off the
equation (the deltas it holds, the sums it moves into). Wording is in the templates."""

from __future__ import annotations

from typing import Any

from ..engine import index as ix
from ..engine.index_method import Outcome
from ..engine.quotes import Quote, outcome_quotes
from ..engine.steps import ByIdentity, Goal, Step
from ..engine.written import recognised_entries
from ..functions import PRIME
from ..model.shapes import Shapes
from ..syntax import ast
from .abbreviate import page_names
from .caveats import caveats
from .identity_facts import identity_facts
from .plain import text
from .printer import Printer
from .reassembly_facts import ReassemblyFacts
from .sentence_facts import (
    cancelled_pairs,
    chained_from,
    differentiated,
    free_indices,
    fresh_scalar,
    index_form_facts,
    merges,
    recognitions,
    scalar_chain_rule,
    top_terms,
)
from .symmetric_facts import SymmetricGradientFacts

SHORT_EXPRESSION = 40  # characters of plain text


class StepFacts(SymmetricGradientFacts, ReassemblyFacts):
    """Turns engine Steps into the strings the templates use, all printed by the printer
    of the format in use. Each sentence's facts are read off the equation it stands beside
    (the deltas it holds, the sums it moves into), and each abbreviation is defined on the
    first line that uses it. Every rule has a method here: a missing one is an error."""

    def __init__(self, printer: Printer, outcome: Outcome) -> None:
        shapes = printer.shapes
        self.inputs = dict(shapes.symbols)
        self.all_steps = outcome.steps
        goal = outcome.steps[0]
        assert isinstance(goal, Goal)
        self.out_kind, self.wrt_kind = goal.out_kind, goal.wrt_kind
        names, symbols = page_names(outcome, shapes.symbols)
        self.p = type(printer)(Shapes(symbols), names)
        self.plain = type(printer)(Shapes(symbols))
        self.values = {name: value for value, name in names.items()}
        self.said = dict(zip(map(id, outcome.steps), outcome_quotes(outcome), strict=True))
        self.current = 0
        self.product_rules = 0
        self.defined: set[str] = {goal.f}  # the goal's line defines the output
        self.previous: ix.Node | None = None
        self.previous_rhs = self.previous_lhs = ""
        self.wrt_name = goal.wrt
        self.f_latex = self.p.symbol(goal.f, self.out_kind != "scalar")
        self.wrt_latex = self.p.symbol(goal.wrt, self.wrt_kind != "scalar")
        self.full_latex = self.p.partial_frac(self.f_latex, self.wrt_latex)
        self.write_out = printer.jacobian_matrix  # the matrix of entries (written_out.py)
        self.common = {"layout": goal.layout, "out_kind": goal.out_kind,
                       "wrt_kind": goal.wrt_kind,
                       "entry_latex": self.p.index(ix.Deriv(goal.entry, goal.wrt_entry))}

    def __call__(self, step: Step) -> dict[str, Any]:
        self.current = id(step)
        facts = {"mode": step.mode, **self.common, **step.facts(), "step": step}
        facts.update(full_latex=self.full_latex, f_latex=self.f_latex,
                     wrt_latex=self.wrt_latex, where=[])
        for key, default in (("same_as_contraction", False), ("swapped", False), ("row", None),
                             ("col", None)):
            facts.setdefault(key, default)
        if isinstance(step.before, ix.Node):
            facts["lhs"] = self.p.index(step.before)
        if isinstance(step.after, ix.Node):
            facts["rhs"] = self.p.index(step.after)
            facts["has_sum"] = ix.contains(step.after, lambda n: isinstance(n, ix.Sum))
        self.renderer(step)(step, facts)
        facts["chained_from"] = chained_from(self.p, step, facts, self.previous,
                                             (self.previous_lhs, self.previous_rhs))
        facts.update(caveats(self.p, step, self.previous))
        if isinstance(step, Goal):
            self.declarations(facts)
        facts["where"] = [*facts["where"], *self.first_uses()]
        if isinstance(step.after, ix.Node):
            self.previous = step.after
        self.previous_rhs = facts.get("rhs", "")
        self.previous_lhs = facts.get("lhs", "")
        return facts

    def renderer(self, step: Step) -> Any:
        """The method that prints the step's facts; a record without one fails loudly."""
        if isinstance(step, ByIdentity):
            return self.identity_step
        method = getattr(self, step.rule, None)
        if method is None:
            raise NotImplementedError(f"no renderer for {type(step).__name__} (rule "
                                      f"{step.rule!r}) in {type(self).__name__}")
        return method

    def first_uses(self) -> list[str]:
        """`s = sigma(W x)` for each name used for the first time."""
        lines = self.definitions(self.p.used - self.defined)
        self.defined |= self.p.used
        return lines

    def identity_step(self, step: ByIdentity, facts: dict) -> None:
        identity_facts(self.p, step, facts, self.wrt_latex, self.inputs.get(self.wrt_name))

    def goal(self, step: Step, facts: dict) -> None:
        assert isinstance(step.before, ast.Expr)
        facts["expr_latex"] = self.plain.expr(step.before)
        facts["short_expr"] = short(step.before, self.plain.shapes)
        row_of = facts.get("row_of")
        facts["row_latex"] = self.plain.expr(row_of) if row_of is not None else ""
        facts["entry_latex"] = self.p.index(ix.Deriv(facts["entry"], facts["wrt_entry"]))
        if facts["shape"] is not None:
            facts["shape_latex"] = self.p.shape(facts["shape"])
            facts["space_latex"] = self.p.real_space(facts["shape_latex"])

    def declarations(self, facts: dict) -> None:
        """Each input symbol with its space (W in R^{n x m}), and the symmetric ones."""
        p = self.plain
        facts["declared"] = [
            "%s %s %s" % (p.symbol(name, symbol.kind != "scalar"), p.member, p.space(symbol.shape))
            for name, symbol in self.inputs.items()]
        facts["symmetric"] = [
            (p.symbol(name, True), p.transposed(p.symbol(name, True)))
            for name, symbol in self.inputs.items() if symbol.symmetric]

    def linearity(self, step: Step, facts: dict) -> None:
        """How many sums the derivative moved into, whether it split across terms, and
        what it differentiates by what."""
        assert isinstance(step.after, ix.Node)
        self.product_rules = 0  # a pass begins
        self.unnamed_if_circular(step, facts)
        if isinstance(step.before, ix.Deriv):
            facts["of_latex"] = self.p.index(step.before.body)
            facts["by_latex"] = self.p.entry(step.before.wrt)
        derivs = [n for n in ix.walk(step.after) if isinstance(n, ix.Deriv)]
        facts["sums"] = sum(1 for n in ix.walk(step.after) if isinstance(n, ix.Sum)
                            and ix.contains(n, lambda m: isinstance(m, ix.Deriv))
                            for _ in n.indices)
        facts["terms"] = len(derivs)

    def chain_rule(self, step: Step, facts: dict) -> None:
        """Cite f' only for the functions this step differentiated, and say whether each
        was applied to a scalar or entry by entry."""
        assert isinstance(step.after, ix.Node)
        done, facts["of_scalar"], facts["of_entry"] = differentiated(self.previous, step.after)
        facts["primes"] = [fact for f in done if f in PRIME
                           and (fact := self.p.prime_fact(PRIME[f])) is not None]
        facts["scalar_u"], facts["scalar_rule"] = scalar_chain_rule(
            self.plain, self.previous, done,
            lambda: fresh_scalar(self.all_steps, set(self.inputs)))  # the chain rule's u

    def sum_expansion(self, step: Step, facts: dict) -> None:
        """Its facts are the equation's (lhs, rhs, has_sum) and whether the entry stands as
        one entry of an expression (y_i = [softmax(W x)]_i: nothing written in indices)."""
        self.unnamed_if_circular(step, facts)
        facts["one_entry"] = isinstance(step.after, ix.Entry)

    def unnamed_if_circular(self, step: Step, facts: dict) -> None:
        """The output's entry, when the output is its own page name (y = softmax(W x)),
        is written out: y_i = [softmax(W x)]_i, not y_i = y_i."""
        if facts.get("rhs") == facts.get("lhs") and isinstance(step.after, ix.Node):
            facts["rhs"] = self.plain.index(step.after)

    def product_rule(self, step: Step, facts: dict) -> None:
        """The products this step differentiated, and whether the product rule was
        already used in this pass (then the sentence says it is applied again, to them)."""
        shown = {id(n) for n in ix.walk(step.after)} if isinstance(step.after, ix.Node) \
            else set()
        products = [n.body for n in ix.walk(self.previous) if isinstance(n, ix.Deriv)
                    and isinstance(n.body, ix.Prod) and id(n) not in shown] \
            if self.previous is not None else []
        facts["products"] = list(dict.fromkeys(self.p.index(b) for b in products))
        facts["again"] = self.product_rules > 0
        self.product_rules += 1

    def cancellation(self, step: Step, facts: dict) -> None:
        """Each fraction and the factor it cancels against, 1/s_k s_k = 1, as the row
        before shows them."""
        facts["cancelled"] = cancelled_pairs(self.p, self.previous)
        facts["numbers"] = self.previous is not None and not any(  # no entry's fraction
            isinstance(n, ix.Apply) and n.func == "recip" and free_indices(n)
            for n in ix.walk(self.previous))
        said = self.said.get(id(step))
        facts["collected_line"] = self.statement(said.equations[0]) \
            if said is not None and said.equations else ""

    def collect(self, step: Step, facts: dict) -> None:
        """What merged: whole terms of the entry, or the equal terms of a bracket inside it
        (x_j + x_j = 2 x_j), read off the equation the collection started from."""
        found = merges(self.previous)
        facts["multiplied"] = isinstance(step.after, ix.Node) and top_terms(step.after) > \
            top_terms(self.previous)
        whole = [m for m in found if m.whole]
        facts["whole"] = whole[0] if whole else None
        facts["whole_terms"] = len(whole[0].before.terms) if whole and whole[0].top else 0
        facts["brackets"] = list(dict.fromkeys(  # each equation once: (x^T x)^2 has two
            "%s = %s" % (self.p.index(m.before), self.p.index(m.after))
            for m in found if not m.whole))
        facts["recognised"] = [
            "%s = %s" % (self.plain.index(node), self.plain.expr(entry.expr) if not
                         entry.indices() else self.plain.entry(entry))
            for node, entry in recognised_entries(
                self.previous, step.after if isinstance(step.after, ix.Node) else None)]

    def recognition(self, step: Step, facts: dict) -> None:
        """The sums read as entries of products and the f' written through f's values;
        a name the sentence gives a value (s_i for sigma(sum_k W_ik x_k)) is defined in
        it first, as the row's where line defines it for the row."""
        used, self.p.used = self.p.used, set()
        facts["product_sums"], facts["known_values"] = recognitions(self.p, facts["products"],
                                                      facts["derivatives"])
        facts["names_said"] = self.definitions(self.p.used - self.defined)
        self.p.used |= used

    def substitution(self, step: Step, facts: dict) -> None:
        """f' written through f's values: the same facts as a recognition."""
        self.recognition(step, facts)

    def definitions(self, names: set[str]) -> list[str]:
        """`s = sigma(W x)` for each of `names`, in order."""
        return ["%s = %s" % (self.plain.expr(ast.Name(name)), self.plain.expr(self.values[name]))
                for name in sorted(names) if name in self.values]

    def index_form(self, step: Step, facts: dict) -> None:
        """Which entries can be nonzero and which output entries a variable entry affects;
        the entry is not printed again when it is the contraction's line."""
        same = facts["rhs"] == self.previous_rhs
        facts.update(index_form_facts(self.p, step.after, step.before),
                     same_as_contraction=same, written_out=[] if same else self.primes_in(
                         self.previous))

    def primes_in(self, tree: ix.Node | None) -> list[str]:
        """f' = ... for each derivative the line holds, as the last line writes it out."""
        funcs = sorted({n.func for n in ix.walk(tree) if isinstance(n, ix.Apply)}) \
            if tree is not None else []
        return [fact for f in funcs if (fact := self.p.prime_fact(f)) is not None]

    def quote_printer(self, quote: Quote) -> Printer:
        """The page's printer, or one that also knows the stand-ins a rule is stated for
        (U in Jacobi's formula, u for a softmax's argument), the softmax of a stand-in
        shown under the page's name for the softmax it stands for."""
        if not quote.symbols:
            return self.p
        shapes = Shapes({**self.p.shapes.symbols, **{s.name: s for s in quote.symbols}})
        names = dict(self.p.names)
        said = self.said.get(self.current)
        rule = said.softmax if said is not None else None
        if rule is not None and rule.call in names:
            names[ast.Call("softmax", (rule.u,))] = names[rule.call]
        return type(self.p)(shapes, names)

    def statement(self, quote: Quote) -> str:
        printer = self.quote_printer(quote)
        text = "%s = %s" % (printer.index(quote.lhs), printer.index(quote.rhs))
        self.p.used |= printer.used
        return text

    def rule_statement(self, step: Step, facts: dict) -> None:
        """The rule the step applies, in the row's own indices."""
        said = self.said.get(id(step))
        rule = said.rules[0] if said and said.rules else None
        facts["statement"] = self.statement(rule) if rule is not None else ""
        facts["stand_in"] = "%s = %s" % (self.quote_printer(rule).expr(
            ast.Name(rule.symbols[0].name)), self.p.expr(rule.stands_for)) \
            if rule is not None and rule.stands_for is not None else ""

    def determinant(self, step: Step, facts: dict) -> None:
        """Jacobi's formula as an index statement: d det U / d U_kl = det(U) (U^-1)_lk."""
        self.rule_statement(step, facts)

    def inverse(self, step: Step, facts: dict) -> None:
        """d (U^-1)_kl / d U_pq = -(U^-1)_kp (U^-1)_ql."""
        self.rule_statement(step, facts)

    def diag(self, step: Step, facts: dict) -> None:
        """diag(u)_kl = u_k delta_kl."""
        self.rule_statement(step, facts)

    def softmax(self, step: Step, facts: dict) -> None:
        """The softmax's entry derivative and definition, in the row's indices."""
        said = self.said.get(id(step))
        rule = said.softmax if said is not None else None
        facts.update(softmax_latex="", softmax_arg_latex="", softmax_u_latex="",
                     softmax_entry="", softmax_definition="", softmax_arg_named=True,
                     softmax_sum="")
        if rule is None:
            return
        entry, definition = rule.quotes
        printer = self.quote_printer(entry)
        facts["softmax_latex"] = self.p.expr(rule.call)
        facts["softmax_arg_latex"] = self.p.expr(rule.call.args[0])
        facts["softmax_u_latex"] = printer.expr(rule.u)
        facts["softmax_arg_named"] = not rule.symbols
        facts["softmax_entry"] = self.statement(entry)
        facts["softmax_sum"] = printer.index_names([rule.k.name])
        u = rule.u
        exp_i, exp_l = (ix.Apply("exp", ix.Entry(u, n, None)) for n in (rule.i, rule.fresh))
        facts["softmax_definition"] = "%s = %s" % (
            printer.index(definition.lhs), printer.frac(printer.index(exp_i), "%s %s" % (
                printer.sum_over(rule.fresh.name), printer.index(exp_l))))
        self.p.used |= printer.used


def short(expr: ast.Expr, shapes: Shapes) -> bool:
    """Does the expression fit in a sentence (the goal's "Let f = ...")? Measured in
    plain text, so LaTeX and Typst pages say the same."""
    return len(text(expr, shapes)) <= SHORT_EXPRESSION
