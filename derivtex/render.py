"""Render a derivation through the Jinja templates: LaTeX snippet, standalone document,
Markdown. The engine's Steps become facts (LaTeX fragments); all wording is in templates."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from . import ast
from . import index as ix
from .abbreviate import abbreviate, apply_names
from .engine import Outcome
from .functions import PRIME_FACTS
from .latex import LatexPrinter, dim_latex, symbol
from .model import Shape, Shapes
from .steps import Step


def template_dirs(user_dir: str | Path | None = None) -> list[Path]:
    """The user's directory first, then the shipped templates (wheel or source checkout)."""
    here = Path(__file__).resolve().parent
    shipped = [p for p in (here / "templates", here.parent / "templates") if p.is_dir()]
    dirs = [Path(user_dir)] if user_dir else []
    return dirs + shipped[:1]


@lru_cache(maxsize=8)
def environment(user_dir: str | None = None) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs(user_dir)]),
        block_start_string="((*", block_end_string="*))",
        variable_start_string="(((", variable_end_string=")))",
        comment_start_string="((#", comment_end_string="#))",
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined, autoescape=False,
    )


def inline(math: str) -> str:
    return r"\(%s\)" % math


def dollar(math: str) -> str:
    return "$%s$" % math


def shape_latex(shape: Shape) -> str:
    return r"%s \times %s" % tuple(dim_latex(d) for d in shape)


class StepFacts:
    """Turns engine Steps into the strings the templates use."""

    def __init__(self, printer: LatexPrinter, outcome: Outcome) -> None:
        self.p = printer
        goal = outcome.steps[0].facts
        self.out_kind, self.wrt_kind = goal["out_kind"], goal["wrt_kind"]
        self.f_latex = symbol(goal["f"], self.out_kind != "scalar")
        self.wrt_latex = symbol(goal["wrt"], self.wrt_kind != "scalar")
        self.full_latex = r"\frac{\partial %s}{\partial %s}" % (self.f_latex, self.wrt_latex)

    def __call__(self, step: Step) -> dict[str, Any]:
        facts = {"mode": "index", **step.facts}
        facts.update(full_latex=self.full_latex, f_latex=self.f_latex,
                     wrt_latex=self.wrt_latex)
        if isinstance(step.before, ix.Node):
            facts["lhs"] = self.p.index(step.before)
        if isinstance(step.after, ix.Node):
            facts["rhs"] = self.p.index(step.after)
            facts["has_sum"] = ix.contains(step.after, lambda n: isinstance(n, ix.Sum))
        if facts.get("mode") == "identity" and step.rule not in ("goal", "transpose_check"):
            self.identity_step(step, facts)
            return facts
        getattr(self, step.rule, lambda s, f: None)(step, facts)
        return facts

    def identity_step(self, step: Step, facts: dict) -> None:
        assert isinstance(step.before, ast.Expr) and isinstance(step.after, ast.Expr)
        facts["lhs"] = r"\frac{\partial}{\partial %s}\left(%s\right)" % (
            self.wrt_latex, self.p.expr(step.before))
        facts["rhs"] = self.p.expr(step.after)
        facts["cite"] = f" (cf. Matrix Cookbook eq. ({facts['cookbook']}))" \
            if facts.get("cookbook") else ""
        recognised = facts.get("recognised")
        facts["recognised_latex"] = self.p.expr(recognised) if recognised is not None else ""

    def goal(self, step: Step, facts: dict) -> None:
        assert isinstance(step.before, ast.Expr)
        facts["expr_latex"] = self.p.expr(step.before)
        row_of = facts.get("row_of")
        facts["row_latex"] = self.p.expr(row_of) if row_of is not None else ""
        facts["entry_latex"] = self.p.index(ix.Deriv(facts["entry"], facts["wrt_entry"]))
        if facts["shape"] is not None:
            facts["shape_latex"] = shape_latex(facts["shape"])

    def chain_rule(self, step: Step, facts: dict) -> None:
        assert isinstance(step.after, ix.Node)
        used = {n.func for n in ix.walk(step.after) if isinstance(n, ix.Apply)}
        facts["primes"] = [PRIME_FACTS[f] for f in sorted(used) if f in PRIME_FACTS]

    def delta(self, step: Step, facts: dict) -> None:
        wrt: ix.Entry = facts["wrt_entry"]
        sample = ix.Entry(wrt.expr, *[ix.Idx(n, 1) if i else None for n, i in
                                       zip("kl", (wrt.row, wrt.col), strict=True)])
        facts["example_latex"] = self.p.index(ix.Deriv(sample, wrt))
        pairs = [(a, b) for a, b in zip(wrt.indices(), sample.indices(), strict=True)]
        facts["delta_latex"] = " ".join(
            self.p.index(ix.Delta(a, b)) for a, b in pairs)
        facts["wrt_entry_latex"] = self.p.entry(wrt)

    def contraction(self, step: Step, facts: dict) -> None:
        done = facts["contractions"]
        facts["count"] = len(done)
        facts["has_delta"] = ix.has_delta(step.after)
        facts["pairs"] = [(c.summed.name, c.kept.name) for c in done[:3]]
        facts["workhorse_latex"] = r"\sum_{k} \delta_{jk}\, x_{k} = x_{j}"

    def reassembly(self, step: Step, facts: dict) -> None:
        natural = facts["natural"]
        facts["is_identity"] = isinstance(natural, ast.Identity)
        entry = step.after
        assert isinstance(entry, ix.Entry)
        where, symbols = abbreviate(natural, self.p.shapes.symbols)
        named = ix.Entry(apply_names(natural, where), entry.row, entry.col)
        facts["rhs"] = LatexPrinter(Shapes(symbols)).entry(named)

    def transpose_check(self, step: Step, facts: dict) -> None:
        assert isinstance(step.before, ast.Expr) and isinstance(step.after, ast.Expr)
        where, symbols = abbreviate(step.after, self.p.shapes.symbols)
        printer = LatexPrinter(Shapes(symbols))
        facts["natural_latex"] = printer.atom(apply_names(step.before, where))
        facts["rhs"] = printer.expr(apply_names(step.after, where))
        facts["where"] = [r"%s = %s" % (printer.expr(n), self.p.expr(v)) for n, v in where]
        facts["shape_latex"] = shape_latex(facts["shape"])
        natural = facts["natural_shape"]
        kind = "a column vector" if natural[1] == 1 and natural[0] != 1 else (
            "a row vector" if natural[0] == 1 and natural[1] != 1 else "a matrix")
        facts["natural_kind"] = kind
        facts["natural_shape_latex"] = shape_latex(natural)


def rendered_steps(outcome: Outcome, printer: LatexPrinter, user_dir: str | None
                   ) -> list[dict[str, Any]]:
    env = environment(user_dir)
    equations = env.get_template("steps.j2").module
    explain = env.get_template("explain.j2").module
    facts_of = StepFacts(printer, outcome)
    prefix = ""
    if outcome.steps[0].facts.get("hessian"):
        from .hessian_render import HessianFacts

        facts_of, prefix = HessianFacts(printer, outcome), "hessian_"
    body = getattr(equations, prefix + "body")
    out = []
    for step in outcome.steps:
        facts = facts_of(step)
        macro = prefix + step.rule if hasattr(explain, prefix + step.rule) else step.rule
        sentence = getattr(explain, macro)
        out.append({
            "rule": step.rule,
            "macro": macro,
            "facts": facts,
            "body": str(body(step.rule, facts)).strip(),
            "text": " ".join(str(sentence(facts, inline)).split()),
        })
    return out


def render(template: str, user_dir: str | None = None, **context: Any) -> str:
    return environment(user_dir).get_template(template).render(
        inline=inline, dollar=dollar, **context)
