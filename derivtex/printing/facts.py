"""A step record's facts in the notation of the output format: every expression and index
the record holds, printed by the printer in use, plus what its sentence reads off the
equation (the deltas it holds, the sums it moves into). Wording is in the templates."""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ..engine import index as ix
from ..engine.index_method import Outcome
from ..engine.steps import ByIdentity, Goal, Step
from ..functions import PRIME
from ..model.layout import Layout, needs_transpose, other
from ..model.shapes import Shape, Shapes, Symbol
from ..syntax import ast
from .abbreviate import page_names
from .printer import Printer
from .sentence_facts import (
    collapses,
    delta_examples,
    delta_partner,
    differentiated,
    index_form_facts,
    merges,
    read_as_rows,
    recognised_entries,
    recognitions,
    scalar_chain_rule,
)

if TYPE_CHECKING:
    from ..engine.identities import Identity


class StepFacts:
    """Turns engine Steps into the strings the templates use, all printed by the printer
    of the format in use. Each sentence's facts are read off the equation it stands beside
    (the deltas it holds, the sums it moves into), and each abbreviation is defined on the
    first line that uses it. Every rule has a method here: a missing one is an error."""

    def __init__(self, printer: Printer, outcome: Outcome) -> None:
        shapes = printer.shapes
        self.inputs = dict(shapes.symbols)
        goal = outcome.steps[0]
        assert isinstance(goal, Goal)
        self.out_kind, self.wrt_kind = goal.out_kind, goal.wrt_kind
        names, symbols = page_names(outcome, shapes.symbols)
        self.p = type(printer)(Shapes(symbols), names)
        self.plain = type(printer)(Shapes(symbols))
        self.values = {name: value for value, name in names.items()}
        self.defined: set[str] = {goal.f}  # the goal's line defines the output
        self.previous: ix.Node | None = None
        self.previous_rhs = ""
        self.wrt_name = goal.wrt
        self.f_latex = self.p.symbol(goal.f, self.out_kind != "scalar")
        self.wrt_latex = self.p.symbol(goal.wrt, self.wrt_kind != "scalar")
        self.full_latex = self.p.partial_frac(self.f_latex, self.wrt_latex)
        self.common = {"layout": goal.layout, "out_kind": goal.out_kind,
                       "wrt_kind": goal.wrt_kind,
                       "entry_latex": self.p.index(ix.Deriv(goal.entry, goal.wrt_entry))}

    def __call__(self, step: Step) -> dict[str, Any]:
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
        if isinstance(step, Goal):
            self.declarations(facts)
        facts["where"] = [*facts["where"], *self.first_uses()]
        if isinstance(step.after, ix.Node):
            self.previous = step.after
        self.previous_rhs = facts.get("rhs", "")
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
        lines = []
        for name in sorted(self.p.used - self.defined):
            value = self.values[name]
            lines.append("%s = %s" % (self.plain.expr(ast.Name(name)), self.plain.expr(value)))
            self.defined.add(name)
        return lines

    def identity_step(self, step: ByIdentity, facts: dict) -> None:
        from ..engine.identities import LIBRARY  # the identity method's steps only

        assert isinstance(step.before, ast.Expr) and isinstance(step.after, ast.Expr)
        facts["lhs"] = self.p.derivative_of(self.wrt_latex, self.p.expr(step.before))
        facts["rhs"] = self.p.expr(step.after)
        identity = LIBRARY.get(facts.get("identity") or "")
        facts["statement"] = identity_statement(identity, type(self.p), facts["layout"]) \
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
        facts["recognised_latex"] = self.p.expr(recognised) if recognised is not None else ""
        wrt = self.inputs.get(self.wrt_name)
        facts["times_identity"] = "%s = %s" % (
            self.p.partial_frac(self.wrt_latex, self.wrt_latex),
            self.p.expr(ast.Identity(wrt.shape[0]))) \
            if recognised is not None and step.after == recognised and wrt is not None else ""
        v, x = ast.Name("v"), ast.Name("x")
        vectors = type(self.p)(Shapes({n: Symbol(n, "vector", ("n", 1)) for n in "vx"}))
        facts["pattern_latex"] = vectors.expr(ast.MatMul((ast.Transpose(v), x)))
        facts["pattern_row_latex"] = vectors.expr(ast.Transpose(v))

    def goal(self, step: Step, facts: dict) -> None:
        assert isinstance(step.before, ast.Expr)
        facts["expr_latex"] = self.plain.expr(step.before)
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
            self.plain, self.previous, done, "u" if "u" not in self.inputs else "t")

    def sum_expansion(self, step: Step, facts: dict) -> None:
        """Its facts are the equation's (lhs, rhs, has_sum)."""
        self.unnamed_if_circular(step, facts)

    def unnamed_if_circular(self, step: Step, facts: dict) -> None:
        """The output's entry, when the output is its own page name (y = softmax(W x)),
        is written out: y_i = [softmax(W x)]_i, not y_i = y_i."""
        if facts.get("rhs") == facts.get("lhs") and isinstance(step.after, ix.Node):
            facts["rhs"] = self.plain.index(step.after)

    def product_rule(self, step: Step, facts: dict) -> None:
        """Its sentence needs no fact beyond the method."""

    def cancellation(self, step: Step, facts: dict) -> None:
        """Its facts are the equation's and the engine's (collected)."""

    def collect(self, step: Step, facts: dict) -> None:
        """What merged: whole terms of the entry, or the equal terms of a bracket inside it
        (x_j + x_j = 2 x_j), read off the equation the collection started from."""
        found = merges(self.previous)
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
        """The sums read as entries of products and the f' written through f's values."""
        facts["product_sums"], facts["known_values"] = recognitions(self.p, facts["products"],
                                                      facts["derivatives"])

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

    def rule_printer(self) -> Printer:
        """A printer over the square matrix U and the vectors u, s the rules speak of."""
        return type(self.p)(Shapes({"U": Symbol("U", "matrix", ("n", "n")),
                                    "u": Symbol("u", "vector", ("n", 1)),
                                    "s": Symbol("s", "vector", ("n", 1))}))

    def determinant(self, step: Step, facts: dict) -> None:
        """Jacobi's formula as an index statement: d det U / d U_kl = det(U) (U^-1)_lk."""
        p, u, (row, col) = self.rule_printer(), ast.Name("U"), entry_indices("k", "l")
        det, inverse = ast.Call("det", (u,)), ast.Call("inv", (u,))
        facts["statement"] = "%s = %s" % (
            p.index(ix.Deriv(ix.Entry(det, None, None), ix.Entry(u, row, col))),
            p.index(ix.Prod((ix.Entry(det, None, None), ix.Entry(inverse, col, row)))))

    def inverse(self, step: Step, facts: dict) -> None:
        """d (U^-1)_kl / d U_pq = -(U^-1)_kp (U^-1)_ql."""
        p, u = self.rule_printer(), ast.Name("U")
        k, m, q, r = entry_indices("k", "l", "p", "q")
        inverse = ast.Call("inv", (u,))
        facts["statement"] = "%s = %s" % (
            p.index(ix.Deriv(ix.Entry(inverse, k, m), ix.Entry(u, q, r))),
            p.index(ix.Prod((ix.Const(Fraction(-1)), ix.Entry(inverse, k, q),
                             ix.Entry(inverse, r, m)))))

    def diag(self, step: Step, facts: dict) -> None:
        """diag(u)_kl = u_k delta_kl."""
        p, u, (row, col) = self.rule_printer(), ast.Name("u"), entry_indices("k", "l")
        facts["statement"] = "%s = %s" % (
            p.index(ix.Entry(ast.Call("diag", (u,)), row, col)),
            p.index(ix.Prod((ix.Entry(u, row, None), ix.Delta(row, col)))))

    def softmax(self, step: Step, facts: dict) -> None:
        """The softmax's entry derivative, over the call the equation holds."""
        after = step.after
        call = next((n.expr for n in ix.walk(after) if isinstance(n, ix.Entry)
                     and isinstance(n.expr, ast.Call) and n.expr.func == "softmax"),
                    None) if isinstance(after, ix.Node) else None
        i, k = entry_indices("i", "k")
        values: ast.Expr
        if isinstance(call, ast.Call):
            values, arg, printer = call, call.args[0], self.p
            facts["softmax_latex"] = printer.expr(call)
            facts["softmax_arg_latex"] = printer.expr(arg)
        else:
            values, arg, printer = ast.Name("s"), ast.Name("u"), self.rule_printer()
            facts["softmax_latex"] = facts["softmax_arg_latex"] = ""
        named = isinstance(arg, ast.Name)
        s_i, s_k = (ix.Entry(values, n, None) for n in (i, k))
        u_k = ix.Entry(arg if named else ast.Name("u"), k, None)
        facts["softmax_u_latex"] = self.rule_printer().expr(ast.Name("u"))
        facts["softmax_entry"] = "%s = %s" % (printer.index(ix.Deriv(s_i, u_k)), printer.index(
            ix.Add((ix.Prod((s_i, ix.Delta(i, k))), ix.Prod((ix.Const(Fraction(-1)), s_i, s_k))))))
        facts["softmax_arg_named"] = named
        u = arg if named else ast.Name("u")
        exp_i, exp_l = (ix.Apply("exp", ix.Entry(u, n, None)) for n in entry_indices("i", "l"))
        facts["softmax_definition"] = "%s = %s" % (printer.index(s_i), printer.frac(
            printer.index(exp_i), "%s %s" % (printer.sum_over("l"), printer.index(exp_l))))

    def delta(self, step: Step, facts: dict) -> None:
        """The deltas the equation holds, each with the derivative it replaced."""
        assert isinstance(step.after, ix.Node)
        wrt: ix.Entry = facts["wrt_entry"]
        facts["wrt_entry_latex"] = self.p.entry(wrt)
        facts["examples"] = [
            (self.p.index(ix.Deriv(ix.Entry(wrt.expr, *others), wrt)),
             " ".join(self.p.index(d) for d in deltas))
            for others, deltas in delta_examples(step.after, wrt)]
        facts["self_latex"] = self.p.index(ix.Deriv(wrt, wrt))
        facts["example_latex"], facts["delta_latex"] = facts["examples"][0] \
            if facts["examples"] else (facts["self_latex"], "")

    def contraction(self, step: Step, facts: dict) -> None:
        done = facts["contractions"]
        facts["count"] = len(done)
        after = step.after if isinstance(step.after, ix.Node) else None
        facts["deltas_left"] = sum(isinstance(n, ix.Delta) for n in ix.walk(after)) \
            if after is not None else 0
        facts["has_delta"] = facts["deltas_left"] > 0
        facts["unchanged"] = facts["rhs"] == self.previous_rhs  # nothing to sum out
        pairs: list[tuple[str, str]] = []
        for c in done:
            if (c.summed.name, c.kept.name) not in pairs:
                pairs.append((c.summed.name, c.kept.name))
        facts["pairs"] = pairs
        facts["kept"] = collapses(self.previous, pairs)
        facts["workhorse_latex"] = self.workhorse(done[0]) if done else ""

    def workhorse(self, first: Any) -> str:
        """sum_k delta_jk a_k = a_j, with the factor the delta really multiplies (an
        entry, or a bracket as a whole: sum_k delta_jk [A B + C]_ik = [A B + C]_ij)."""
        k, j = first.summed, first.kept
        partner = delta_partner(self.previous, k)
        sample: ix.Node = partner if partner is not None else ix.Entry(
            ast.Name(self.wrt_name), k, None)
        kept = ix.rename(sample, k, j)
        delta = ix.Delta(j, k)
        return "%s %s%s %s = %s" % (self.p.sum_over(k.name), self.p.index(delta),
                                    self.p.thin_space, self.p.index_factor(sample),
                                    self.p.index(kept))

    def reassembly(self, step: Step, facts: dict) -> None:
        natural = facts["natural"]
        facts["is_identity"] = isinstance(natural, ast.Identity)
        entry = step.after
        assert isinstance(entry, ix.Entry)
        facts["rhs"] = self.p.entry(entry)
        facts["same_as_contraction"] = facts["rhs"] == self.previous_rhs
        facts["as_rows"] = read_as_rows(self.p, self.previous, entry)
        facts["result_latex"] = self.p.expr(natural)
        facts["order_latex"] = self.p.index_list(entry.indices())

    def transpose_check(self, step: Step, facts: dict) -> None:
        assert isinstance(step.before, ast.Expr) and isinstance(step.after, ast.Expr)
        facts["natural_latex"] = self.p.atom(step.before)
        facts["natural_transposed"] = self.p.transposed(facts["natural_latex"])
        facts["rhs"] = self.p.expr(step.after)
        facts["shape_latex"] = self.p.shape(facts["shape"])
        natural = facts["natural_shape"]
        facts["natural_kind"] = shape_kind(natural)
        facts["kind"] = shape_kind(facts["shape"])
        facts["natural_shape_latex"] = self.p.shape(natural)
        facts["source_layout"] = other(facts["layout"])


def entry_indices(*names: str) -> tuple[ix.Idx, ...]:
    return tuple(ix.Idx(name, "n") for name in names)


def shape_kind(shape: Shape) -> str:
    if shape[1] == 1 and shape[0] != 1:
        return "a column vector"
    if shape[0] == 1 and shape[1] != 1:
        return "a row vector"
    return "a scalar" if shape == (1, 1) else "a matrix"


def identity_statement(identity: Identity, printer_type: type[Printer], layout: Layout) -> str:
    """d pattern / d variable = derivative, printed from the identity's own fields, as the
    identity method's steps show it (so the page cites exactly what the tests check)."""
    shown = identity.shown(layout)
    printer = printer_type(Shapes(shown.symbols))
    wrt = printer.symbol(identity.wrt, shown.symbols[identity.wrt].kind != "scalar")
    return "%s = %s" % (printer.partial_frac(printer.expr(shown.pattern), wrt),
                        printer.expr(shown.derivative))
