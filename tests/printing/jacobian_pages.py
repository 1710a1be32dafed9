"""Pages with the Jacobian written out (the printer's `jacobian_matrix`, which the
notation setting `jacobian=matrix` turns on), rendered as the API renders its own."""

from typing import Any

from derivtex import derive
from derivtex.api import Derivation
from derivtex.model.shapes import Shapes
from derivtex.printing.latex import LatexPrinter
from derivtex.printing.printer import Printer
from derivtex.printing.render import render, rendered_steps
from derivtex.printing.typst import TypstPrinter, check_typst


def printer_for(d: Derivation, fmt: str) -> Printer:
    printer = (LatexPrinter if fmt == "latex" else TypstPrinter)(Shapes(d.symbols))
    printer.jacobian_matrix = True
    return printer


def matrix_steps(d: Derivation, fmt: str = "latex") -> list[dict[str, Any]]:
    return rendered_steps(d.outcome, printer_for(d, fmt), None)


def snippet(d: Derivation, fmt: str = "latex") -> str:
    template = "derivation.tex.j2" if fmt == "latex" else "derivation.typ.j2"
    text = render(template, None, steps=matrix_steps(d, fmt), identity_steps=[],
                  no_identity=False, label=None, compact=False).strip() + "\n"
    return text if fmt == "latex" else check_typst(text)


def typst_standalone(d: Derivation) -> str:
    return render("standalone.typ.j2", None, title=d.title_in(printer_for(d, "typst")),
                  snippet=snippet(d, "typst"))


def step(expr: str, wrt: str, layout: str, rule: str = "written_out", fmt: str = "latex",
         **options: Any) -> dict[str, Any]:
    d = derive(expr, wrt, layout=layout, **options)
    return next(s for s in matrix_steps(d, fmt) if s["rule"] == rule)
