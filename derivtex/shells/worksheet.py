"""A worksheet and its solutions from a `derivtex build` spec: `derivtex build SPEC -o DIR
--worksheet` (or `worksheet = true` in the spec) also writes DIR/exercises.tex, each
entry stated as a numbered problem with room to write, and DIR/solutions.tex, the same
numbers with each full derivation. Both are standalone documents that compile with
pdflatex; with `worksheet = "typst"` (or ["latex", "typst"]) in the spec, .typ
documents for the Typst compiler. Their wording is in the templates exercises.*.j2,
solutions.*.j2 and problems.j2, overridable with --templates as the others.

An entry that fails is left out of both (and reported by the build), so a problem's
number is the same on the sheet and in its solutions.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path
from typing import Any

from ..errors import Failure, quote
from ..printing.render import render
from .batch import MAX_SPEC_BYTES, BuildError, Entry, Report, load, read_spec
from .files import ReadError, read_regular, shown, write_atomic
from .guard import attempt

KEY = "worksheet"
FORMATS = {"latex": "tex", "typst": "typ"}  # the spec's name of a format -> its suffix
DOCUMENTS = ("exercises", "solutions")


def wanted(spec: Path) -> tuple[str, ...]:
    """The formats the spec asks a worksheet in: `worksheet = true` (LaTeX), "typst",
    or ["latex", "typst"]; () if it does not ask."""
    try:
        data = tomllib.loads(read_regular(spec, MAX_SPEC_BYTES, "a spec").decode("utf-8"))
    except (ReadError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return ()  # the build has said why it cannot read the spec
    value = data.get(KEY, False)
    if isinstance(value, bool):
        return ("latex",) if value else ()
    named = [value] if isinstance(value, str) else value
    if not isinstance(named, list) or not named or \
            not all(isinstance(v, str) and v in FORMATS for v in named):
        raise BuildError(f"{shown(spec)}: {KEY} = {quote(value)}: use true, false, "
                         "\"latex\", \"typst\" or [\"latex\", \"typst\"]")
    return tuple(f for f in FORMATS if f in named)


def problem(entry: Entry, formats: tuple[str, ...]) -> dict[str, dict[str, Any]] | Failure:
    """One problem's facts in each format, from its derivation: the question's math
    (printed by the derivation's own printer of that format), and the solution."""
    def facts(d: Any) -> dict[str, dict[str, Any]]:
        out = {}
        for fmt in formats:
            printer = d.typst_printer if fmt == "typst" else None
            goal = (d.typst_steps if printer else d.steps)[0]["facts"]
            out[fmt] = {
                "name": entry.name, "title": d.title_in(printer) if printer else d.title,
                "declared": goal.get("declared", []),
                "symmetric": [pair[0] for pair in goal.get("symmetric", [])],
                "layout": d.layout, "order": d.order, "tensor": d.result is None,
                "scalar_wrt": d.symbols[d.wrt].kind == "scalar",
                "out_scalar": goal.get("out_kind") == "scalar",
                "snippet": d.typst if printer else d.latex}
        return out

    return attempt(entry.expression, entry.options, facts)


def write_worksheet(spec: Path, outdir: Path, templates: str | None = None,
                    formats: tuple[str, ...] = ("latex",)) -> dict[str, Failure]:
    """DIR/exercises.tex and DIR/solutions.tex (.typ for Typst) for the entries that
    derive; the others by name with their failure."""
    report = Report()
    entries = read_spec(load(spec), templates, report)
    problems: list[dict[str, dict[str, Any]]] = []
    for entry in entries:
        outcome = problem(entry, formats)
        if isinstance(outcome, Failure):
            report.failed[entry.name] = outcome
        else:
            problems.append(outcome)
    for fmt in formats:
        for document in DOCUMENTS:
            name = f"{document}.{FORMATS[fmt]}"
            text = render(name + ".j2", templates, problems=[p[fmt] for p in problems])
            write_atomic(outdir / name, text, within=outdir)
    return report.failed


def run_worksheet(spec: Path, outdir: Path, templates: str | None,
                  formats: tuple[str, ...]) -> int:
    """For the CLI: 0 written; 2 bad input (a template override, an unwritable file),
    1 a failure of derivtex's own; either is one line on stderr."""
    try:
        write_worksheet(spec, outdir, templates, formats)
    except Exception as exc:  # noqa: BLE001 - classified as guard.attempt does
        failure = Failure.from_exception(exc)
        print(f"derivtex: worksheet: {failure}", file=sys.stderr)
        return failure.exit_status
    written = [shown(outdir / f"{d}.{FORMATS[f]}") for f in formats for d in DOCUMENTS]
    print(f"worksheet -> {', '.join(written)}", file=sys.stderr)
    return 0
