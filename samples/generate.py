"""Regenerate samples/*.tex (and, with pdflatex, *.pdf) and samples/*.typ from
samples/notes.toml."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def entries() -> list[dict]:
    """notes.toml's entries, then the notes' four examples again in the notes' own
    notation (`notation = "notes"`: d, bold upright, ^T, w_ik, the Jacobian written out)."""
    with open(HERE / "notes.toml", "rb") as fh:
        listed = tomllib.load(fh)["derivation"]
    return listed + [{**e, "name": e["name"] + "_in_notes_notation", "notation": "notes"}
                     for e in listed if e["name"].startswith("notes_")]


def derivation_for(entry: dict) -> Any:
    from derivtex import derive

    return derive(entry["expr"], entry["wrt"], layout=entry.get("layout", "numerator"),
                  shapes=entry.get("shape"), method=entry.get("method", "index"),
                  order=entry.get("order", 1), symmetric=entry.get("symmetric"),
                  notation=entry.get("notation"))


def tex_for(entry: dict) -> str:
    return derivation_for(entry).standalone()


def typ_for(entry: dict) -> str:
    """The same derivation as a Typst document (`typst compile NAME.typ`)."""
    return derivation_for(entry).typst_standalone()


def compile_pdf(tex: Path, outdir: Path) -> Path:
    """pdflatex, safely: no shell escape, stop at the first error."""
    # a fixed build path and date keep the PDF byte-for-byte reproducible
    with tempfile.TemporaryDirectory() as parent:
        tmp = Path(parent) / "build"
        tmp.mkdir()
        subprocess.run(
            ["pdflatex", "-halt-on-error", "-no-shell-escape", "-interaction=nonstopmode",
             "-output-directory", "build", str(tex)],
            check=True, capture_output=True, timeout=120,
            cwd=parent, env={**os.environ, "SOURCE_DATE_EPOCH": "0", "FORCE_SOURCE_DATE": "1"})
        pdf = outdir / (tex.stem + ".pdf")
        shutil.copy(tmp / (tex.stem + ".pdf"), pdf)
    return pdf


def worksheet() -> list[Path]:
    """samples/exercises.tex and samples/solutions.tex: the worksheet of notes.toml and
    its solutions, as `derivtex build notes.toml -o samples --worksheet` writes them."""
    from derivtex.shells.worksheet import DOCUMENTS, write_worksheet

    write_worksheet(HERE / "notes.toml", HERE)
    return [HERE / f"{name}.tex" for name in DOCUMENTS]


def main() -> int:
    have_pdflatex = shutil.which("pdflatex") is not None
    for entry in entries():
        tex = HERE / f"{entry['name']}.tex"
        tex.write_text(tex_for(entry), encoding="utf-8")
        tex.with_suffix(".typ").write_text(typ_for(entry), encoding="utf-8")
        if have_pdflatex:
            compile_pdf(tex, HERE)
        made = ", .typ and .pdf" if have_pdflatex else " and .typ"
        print(f"wrote {tex.relative_to(HERE.parent)}{made}")
    for tex in worksheet():
        if have_pdflatex:
            compile_pdf(tex, HERE)
        print(f"wrote {tex.relative_to(HERE.parent)}")
    if not have_pdflatex:
        print("pdflatex not found: PDFs not rebuilt", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
