"""A worksheet and its solutions from a `derivtex build` spec: `derivtex build SPEC -o DIR
--worksheet` (or `worksheet = true` in the spec) also writes DIR/exercises.tex, each
entry stated as a numbered problem with room to write, and DIR/solutions.tex, the same
numbers with each full derivation. Both are standalone documents that compile with
pdflatex; their wording is in the templates exercises.tex.j2 and solutions.tex.j2,
overridable with --templates as the others.

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
FILES = ("exercises.tex", "solutions.tex")


def wanted(spec: Path) -> bool:
    """Whether the spec asks for a worksheet (`worksheet = true` beside its tables)."""
    try:
        data = tomllib.loads(read_regular(spec, MAX_SPEC_BYTES, "a spec").decode("utf-8"))
    except (ReadError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return False  # the build has said why it cannot read the spec
    value = data.get(KEY, False)
    if not isinstance(value, bool):
        raise BuildError(f"{shown(spec)}: {KEY} = {quote(value)}: use true or false")
    return value


def problem(entry: Entry) -> dict[str, Any] | Failure:
    """One problem's facts, from its derivation: the question's math (printed by the
    derivation's own printer), and the solution's snippet."""
    def facts(d: Any) -> dict[str, Any]:
        goal = d.steps[0]["facts"]
        return {"name": entry.name, "title": d.title, "declared": goal.get("declared", []),
                "symmetric": [pair[0] for pair in goal.get("symmetric", [])],
                "layout": d.layout, "order": d.order, "tensor": d.result is None,
                "scalar_wrt": d.symbols[d.wrt].kind == "scalar",
                "out_scalar": goal.get("out_kind") == "scalar", "snippet": d.latex}

    return attempt(entry.expression, entry.options, facts)


def write_worksheet(spec: Path, outdir: Path, templates: str | None = None
                    ) -> dict[str, Failure]:
    """DIR/exercises.tex and DIR/solutions.tex for the entries that derive; the others
    by name with their failure."""
    report = Report()
    entries = read_spec(load(spec), templates, report)
    problems = []
    for entry in entries:
        outcome = problem(entry)
        if isinstance(outcome, Failure):
            report.failed[entry.name] = outcome
        else:
            problems.append(outcome)
    for name in FILES:
        text = render(name + ".j2", templates, problems=problems)
        write_atomic(outdir / name, text, within=outdir)
    return report.failed


def run_worksheet(spec: Path, outdir: Path, templates: str | None) -> int:
    """For the CLI: 0 written; 2 bad input (a template override, an unwritable file),
    1 a failure of derivtex's own; either is one line on stderr."""
    try:
        write_worksheet(spec, outdir, templates)
    except Exception as exc:  # noqa: BLE001 - classified as guard.attempt does
        failure = Failure.from_exception(exc)
        print(f"derivtex: worksheet: {failure}", file=sys.stderr)
        return failure.exit_status
    print(f"worksheet -> {shown(outdir / FILES[0])}, {shown(outdir / FILES[1])}",
          file=sys.stderr)
    return 0
