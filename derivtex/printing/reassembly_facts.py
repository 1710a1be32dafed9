"""The facts of the index method's last steps, split out of facts.py to keep it short:
the deltas a derivative leaves, their contraction (with the workhorse identities it
uses), the entry read back as a matrix and the layout's transpose. `StepFacts`
inherits them."""

from __future__ import annotations

from ..engine import index as ix
from ..engine.quotes import StepQuotes, Workhorse
from ..engine.steps import Step
from ..model.layout import other
from ..syntax import ast
from .printer import Printer
from .sentence_facts import collapses, delta_examples, shape_kind
from .written_out import written_out_row


class ReassemblyFacts:
    """A StepFacts mixin: the renderers of the rules delta, contraction, reassembly and
    transpose_check."""

    p: Printer
    said: dict[int, StepQuotes]
    previous: ix.Node | None
    previous_rhs: str
    full_latex: str
    write_out: bool

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
        facts["count"] = len(pairs)  # one delta summed out in several terms is one
        facts["kept"] = collapses(self.previous, pairs)
        said = self.said.get(id(step))
        horses = said.workhorses if said is not None else []
        facts["workhorses"] = list(dict.fromkeys(self.workhorse(h) for h in horses))

    def workhorse(self, horse: Workhorse) -> str:
        """sum_k delta_jk a_k = a_j, with the factor the delta really multiplies (an
        entry, or a bracket as a whole: sum_k delta_jk [A B + C]_ik = [A B + C]_ij)."""
        sums = self.p.workhorse_sums(horse.summed, ix.Prod((*horse.deltas, horse.factor)))
        deltas = " ".join(self.p.index(d) for d in horse.deltas)
        if isinstance(horse.factor, ix.Const):  # sum_k delta_jk = 1
            return "%s %s = %s" % (sums, deltas, self.p.index(horse.value))
        return "%s %s%s %s = %s" % (sums, deltas, self.p.thin_space,
                                    self.p.index_factor(horse.factor),
                                    self.p.index(horse.value))

    def reassembly(self, step: Step, facts: dict) -> None:
        natural = facts["natural"]
        facts["is_identity"] = isinstance(natural, ast.Identity)
        entry = step.after
        assert isinstance(entry, ix.Entry)
        facts["rhs"] = self.p.entry(entry)
        facts["same_as_contraction"] = facts["rhs"] == self.previous_rhs
        readings = facts["read_transposed"]  # an entry in the sentence, a sum on a line
        facts["as_rows"] = ["%s = %s" % (self.p.entry(natural), self.p.entry(read))
                            for node, natural, read in readings if node is natural]
        facts["read_rows"] = list(dict.fromkeys(  # a sum the row holds twice, said once
            (self.p.index(node), self.entry_or_number(natural),
             self.p.entry(read) if read is not natural else "")
            for node, natural, read in readings if node is not natural))
        if [row[1:] for row in facts["read_rows"]] == [(facts["rhs"], "")] and all(
                plain_product(natural.expr) for node, natural, _ in readings
                if node is not natural):
            facts["read_rows"] = []  # sum_k y_k A_kj is [y^T A]_j: the final line says it
        facts["read_transposed_sums"] = sum(1 for _, _, read in facts["read_rows"] if read)
        facts["result_latex"] = self.p.expr(natural)
        facts["order_latex"] = self.p.index_list(entry.indices())
        written = getattr(step, "written_out", None) if self.write_out else None
        facts["jacobian_matrix"], facts["written_entries"] = written_out_row(
            self.p, written, self.full_latex) if written is not None else ("", False)

    def entry_or_number(self, entry: ix.Entry) -> str:
        """[A x]_j, or a scalar as it stands (1^T s, not (1^T s))."""
        return self.p.entry(entry) if entry.indices() else self.p.expr(entry.expr)

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


def plain_product(expr: ast.Expr) -> bool:
    """Names and transposes multiplied (y^T A): a sum read as one needs no line of its own;
    one read as diag(step(W x)) or a function's value does."""
    return all(isinstance(n, ast.Name | ast.Transpose | ast.MatMul) for n in ast.walk(expr))
