"""`derive()`: the one public function every shell (CLI, Sphinx, MkDocs, Jupyter) calls."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

from .engine.index_method import Outcome, derive_steps
from .errors import (
    DerivtexError,
    Failure,
    OptionError,
    ParseError,
    UnsupportedError,
    option,
    quote,
    written_in,
)
from .model.inference import infer
from .model.shapes import Shapes, Symbol, kind_of, parse_shape_option
from .options import Options
from .printing.latex import LatexPrinter
from .printing.notation import with_notation
from .printing.plain import NumpyPrinter, text
from .printing.printer import Printer
from .printing.render import render, rendered_steps
from .printing.safety import check_emitted
from .reading import check_names, column_of, glued_with, parse_expression
from .syntax import ast
from .syntax.ast import walk
from .syntax.limits import check_second_order, check_tree

if TYPE_CHECKING:
    from .printing.verdict import CheckResult

@dataclass
class Derivation:
    """A verified derivation; every output format is rendered from it on demand."""

    expression: str
    options: Options
    symbols: dict[str, Symbol]
    parsed: ast.Expr
    outcome: Outcome
    verified: bool = True
    identity: Outcome | None = None
    no_identity: bool = False
    _shapes: Shapes = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._shapes = Shapes(self.symbols)

    @property
    def wrt(self) -> str:
        return self.options.wrt

    @property
    def layout(self) -> str:
        return self.options.layout

    @property
    def method(self) -> str:
        return self.options.method

    @property
    def templates(self) -> str | None:
        return self.options.templates

    @property
    def result(self) -> ast.Expr | None:
        return self.outcome.result

    @property
    def order(self) -> int:
        return self.options.order

    @cached_property
    def named_result(self) -> tuple[ast.Expr | None, dict[str, str], Shapes]:
        """For Hessians: the result with the page's names (s = sigma(X w)), their values,
        as lecturers write them, and shapes that know the names; other results as they are."""
        if self.order != 2 or self.result is None:
            return self.result, {}, self._shapes
        from .printing.abbreviate import apply_names
        from .printing.hessian_facts import hessian_names

        named = [(ast.Name(n), v) for n, v in hessian_names(self.outcome, self.symbols).items()]
        shown = apply_names(self.result, named)
        used = {n.name for n in walk(shown) if isinstance(n, ast.Name)}
        shapes = Shapes({**self.symbols, **{n.name: Symbol(n.name, kind_of(self._shapes(v)),
                                                           self._shapes(v)) for n, v in named}})
        return shown, {n.name: text(v, self._shapes) for n, v in named if n.name in used}, shapes

    @property
    def where(self) -> dict[str, str]:
        return self.named_result[1]

    @cached_property
    def result_text(self) -> str | None:
        shown, _, shapes = self.named_result
        return None if shown is None else text(shown, shapes)

    @cached_property
    def numpy(self) -> str | None:
        if self.result is None:
            return None
        return NumpyPrinter(self.symbols, self._shapes)(self.result)

    @cached_property
    def steps(self) -> list[dict[str, Any]]:
        return rendered_steps(self.outcome, self.printer_of(LatexPrinter), self.templates)

    @cached_property
    def identity_steps(self) -> list[dict[str, Any]]:
        """With method="both": the identity method's steps (`steps` holds the index method's)."""
        if self.identity is None:
            return []
        return rendered_steps(self.identity, self.printer_of(LatexPrinter), self.templates,
                              declared_above=True)

    @cached_property
    def latex(self) -> str:
        """The LaTeX snippet: a sentence and an align* block per step."""
        return check_emitted(render("derivation.tex.j2", self.templates, steps=self.steps,
                                    identity_steps=self.identity_steps,
                                    no_identity=self.no_identity, label=self.options.label,
                                    compact=self.options.steps == "compact").strip() + "\n")

    @cached_property
    def typst_printer(self) -> Printer:
        """Typst notation, loaded only when asked for (not on every derivation's start)."""
        from .printing.typst import TypstPrinter

        return self.printer_of(TypstPrinter)

    def printer_of(self, kind: type[Printer]) -> Printer:
        """A printer of `kind` (LaTeX, Typst) writing in the options' notation settings."""
        return with_notation(kind, self.options.notation)(self._shapes)

    @cached_property
    def typst_steps(self) -> list[dict[str, Any]]:
        """The steps in Typst notation (`steps` holds them in LaTeX)."""
        return rendered_steps(self.outcome, self.typst_printer, self.templates)

    @cached_property
    def typst(self) -> str:
        """The Typst snippet: the same sentences as `latex`, each step's equations in one
        display, in Typst's built-in math."""
        from .printing.typst import check_typst

        identity = rendered_steps(self.identity, self.typst_printer, self.templates,
                                  declared_above=True) if self.identity is not None else []
        return check_typst(render("derivation.typ.j2", self.templates, steps=self.typst_steps,
                                  identity_steps=identity, no_identity=self.no_identity,
                                  label=self.options.label,
                                  compact=self.options.steps == "compact").strip() + "\n")

    def typst_standalone(self) -> str:
        """A complete Typst document; compiles with `typst compile`, no packages."""
        return render("standalone.typ.j2", self.templates,
                      title=self.title_in(self.typst_printer), snippet=self.typst)

    @cached_property
    def markdown(self) -> str:
        return check_emitted(render("derivation.md.j2", self.templates, steps=self.steps,
                                    identity_steps=self.identity_steps,
                                    no_identity=self.no_identity,
                                    compact=self.options.steps == "compact").strip() + "\n")

    @property
    def title(self) -> str:
        return check_emitted(self.title_in(self.printer_of(LatexPrinter)))

    def title_in(self, printer: Printer) -> str:
        """d/dx (f) in the printer's notation: the page's heading."""
        bold = self.symbols[self.wrt].kind != "scalar"
        variable = printer.symbol(self.wrt, bold)
        body = printer.expr(self.parsed)
        if self.order == 2:
            second = printer.transposed(variable) if bold else variable
            return printer.second_partial_of(variable, second) + printer.paren(body)
        return printer.derivative_of(variable, body)

    def standalone(self) -> str:
        """A complete document that compiles with pdflatex."""
        return render("standalone.tex.j2", self.templates, title=self.title, snippet=self.latex,
                      bm=self.options.notation.needs_bm)

    def to_dict(self) -> dict[str, Any]:
        extra = {}
        if self.identity is not None:
            extra["identity_steps"] = [{"rule": s["rule"], "latex": s["body"], "text": s["text"]}
                                       for s in self.identity_steps]
        return {
            "expression": self.expression,
            "wrt": self.wrt,
            "layout": self.layout,
            "method": self.method,
            "order": self.order,
            "symbols": {name: {"kind": s.kind, "shape": list(s.shape),
                               **({"symmetric": True} if s.symmetric else {})}
                        for name, s in self.symbols.items()},
            "result": self.result_text,
            "result_shape": list(self.outcome.result_shape),
            "numpy": self.numpy,
            "steps": [{"rule": s["rule"], "latex": s["body"], "text": s["text"]}
                      for s in self.steps],
            "latex": self.latex,
            "verified": self.verified,
            "notation": self.options.notation.as_dict(),
            **({"where": self.where} if self.where else {}),
            **extra,
        }

    def to_sympy(self) -> Any:
        """The result as a sympy matrix expression (`MatrixSymbol`s with symbolic or
        declared dimensions), for `lambdify` or `simplify`; needs `derivtex[sympy]`."""
        if self.result is None:
            raise UnsupportedError("a derivative of order 3 or more has no matrix form for "
                                   "sympy; use the index form")
        from .printing.sympy_export import to_sympy

        return to_sympy(self.result, self.symbols)

    def _repr_latex_(self) -> str | None:
        """Jupyter's text/latex: the whole snippet, sentences included, so a notebook's
        LaTeX/PDF export (nbconvert) keeps them. If rendering fails, None: Jupyter then
        shows `_repr_markdown_`, which says why in one line instead of a traceback."""
        shown = self._displayed("latex")
        return shown if isinstance(shown, str) else None

    def _repr_markdown_(self) -> str:
        shown = self._displayed("markdown")
        return shown if isinstance(shown, str) else f"**derivtex:** {shown}"

    def _displayed(self, form: str) -> Any:
        """The rendering, or the guard's Failure for it (a display never raises)."""
        try:
            return str(getattr(self, form))
        except Exception as exc:  # noqa: BLE001 - classified by the guard, as in shells/guard.py
            return Failure.from_exception(exc)


def derive(expression: str, wrt: str, layout: str = "numerator",
           shapes: Mapping[str, Any] | str | None = None, templates: str | None = None,
           verify: bool = True, method: str = "index", **options: Any) -> Derivation:
    """Derive d(expression)/d(wrt) step by step; raises DerivtexError on bad input.

    method: "index" (the notes' index method), "identity" (known identities and the
    sum, product and chain rules) or "both" (the two, side by side). Every other CLI
    option is a keyword too (the README's Use section).
    """
    chosen = Options.from_mapping({"wrt": wrt, "layout": layout, "shapes": shapes,
                                   "templates": templates, "method": method, **options})
    return derive_with(expression, chosen, verify=verify)


def derive_with(expression: str, options: Options, verify: bool = True) -> Derivation:
    """The pipeline: parse, infer shapes, derive, verify. Shells call it through
    `derivtex.guard.attempt`, which turns every failure into a message; a message names
    options as the shell the options came from spells them."""
    with written_in(options.spelling):
        return derive_checked(expression, options, verify)


def derive_checked(expression: str, options: Options, verify: bool) -> Derivation:
    if not isinstance(expression, str):
        raise ParseError("the expression must be text")
    declared = dict(parse_shape_option(f"{name}={dims}") for name, dims in options.shapes)
    parsed = parse_expression(expression, frozenset(declared))
    wrt = options.wrt
    if not check_tree(parsed, wrt).occurrences:
        raise OptionError(f"the variable {quote(wrt)} does not occur in the expression"
                          + glued_with(parsed, wrt))
    parsed, symbols = infer(parsed, declared, frozenset(options.symmetric))
    unknown = sorted(set(declared) - set(symbols))
    if unknown:
        names = ", ".join(quote(u) for u in unknown)
        raise OptionError(f"{option('shape')} declares {names}, not in the expression")
    check_names(parsed, symbols)
    layout, method = options.layout, options.method
    if options.order == 2:
        return derive_second(expression, options, symbols, parsed, verify)
    target = column_of(parsed, symbols, wrt)
    row_of = parsed if target is not parsed else None
    outcome = derive_steps(target, symbols, wrt, layout,
                           "identity" if method == "identity" else "index", row_of)
    if wrt in options.symmetric:  # G with independent entries, then sym(G)
        from .engine.symmetric_variable import on_symmetric_matrices

        outcome = on_symmetric_matrices(outcome, symbols, wrt)
    identity, uncovered = None, False
    if method == "both":
        try:
            identity = derive_steps(target, symbols, wrt, layout, "identity", row_of)
        except UnsupportedError:  # the index method alone, and a sentence that says why
            uncovered = True
    if verify:
        from .verify.check import check, check_entries
        from .verify.page import verify_page

        for done in (outcome, identity):
            if done is None:
                continue
            if done.result is None:
                check_entries(target, done, symbols, wrt)
            else:
                check(target, done.result, symbols, wrt, layout)
            verify_page(done, target, symbols, wrt)
        if wrt in options.symmetric:
            from .verify.symmetric import check_symmetric_directions

            check_symmetric_directions(target, outcome, symbols, wrt)
    return Derivation(expression, options, symbols, parsed, outcome, verified=verify,
                      identity=identity, no_identity=uncovered)


def derive_second(expression: str, options: Options, symbols: dict[str, Symbol],
                  parsed: ast.Expr, verify: bool) -> Derivation:
    """--order 2: the Hessian, checked against second differences of the input."""
    from .engine.hessian import derive_hessian

    check_second_order(parsed, options.wrt)
    outcome = derive_hessian(parsed, symbols, options.wrt, options.layout)
    if verify:
        from .verify.hessian_check import check_hessian
        from .verify.page import verify_page

        assert outcome.result is not None
        check_hessian(parsed, outcome.result, symbols, options.wrt)
        verify_page(outcome, parsed, symbols, options.wrt)
    return Derivation(expression, options, symbols, parsed, outcome, verified=verify)


def check_answer(expression: str, wrt: str, answer: str, layout: str = "numerator",
                 shapes: Mapping[str, Any] | str | None = None, **options: Any) -> CheckResult:
    """Is `answer` (same input language) d(expression)/d(wrt)? The verdict "correct",
    "other_layout", "wrong_shape" or "wrong", with its message, counterexample and hint;
    raises DerivtexError on bad input (the answer's own errors say so)."""
    chosen = Options.from_mapping({"wrt": wrt, "layout": layout, "shapes": shapes, **options})
    return check_with(expression, answer, chosen)


def check_with(expression: str, answer: str, options: Options) -> CheckResult:
    """Derive, read the answer over the expression's symbols, judge it numerically."""
    from .printing.verdict import verdict_of
    from .verify.answer import assess

    d = derive_with(expression, replace(options, method="index"))
    with written_in(options.spelling):
        if d.result is None:
            raise UnsupportedError("this derivative is a tensor (order 3 or more): it has no "
                                   "matrix form to compare an answer with")
        declared = dict(parse_shape_option(f"{name}={dims}") for name, dims in options.shapes)
        rows, cols = d.outcome.result_shape
        judged = assess(answer, parse_expression(expression, frozenset(declared)), d.parsed,
                        d.symbols, d.result, (rows, cols), declared, options.wrt)
    return verdict_of(judged, options, Shapes(d.symbols)(d.parsed),
                      d.symbols[options.wrt].kind, (rows, cols))


__all__ = ["Derivation", "DerivtexError", "Options", "check_answer", "derive", "derive_with"]
