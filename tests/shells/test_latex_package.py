"""derivtex.sty for real: a lecture-notes document (the notes' four examples, a Hessian,
a labelled result cited with \\eqref, an inline result and a bad block) built with
latexmk and the rule the guide gives, with each engine TeX Live has, in both modes; what
a reader sees is read back with pdftotext. Injection attempts through an expression, an
option and the file name must run nothing."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent
GUIDE = ROOT / "docs" / "latex-and-pandoc.md"

NOTES = r"""\documentclass{article}
\usepackage%(options)s{derivtex}
\begin{document}
\section{Jacobians}
The linear layer:
\derivtex[wrt=x]{W x}
A sum of products:
\derivtex[wrt=v]{(A B + C) v}
Inline, $\frac{\partial}{\partial x} a^T x = \derivtexresult[wrt=x]{a^T x}$.
\begin{derivation}[wrt=x, label=eq:bil]
  y^T A x
\end{derivation}
The Hessian:
\derivtex[wrt=x, order=2]{x^T A x}
A bad block:
\derivtex[wrt=x]{y^T A x +}
By \eqref{eq:bil} the Jacobian is a row.
\end{document}
"""
BAD_LINE = 16


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} is missing under CI=true")
        pytest.skip(f"{name} is not installed (Debian: texlive-xetex, texlive-luatex, latexmk)")
    return found


def env() -> dict[str, str]:
    """derivtex of this checkout first on PATH, as for a user who installed it."""
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}


def run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, env=env(), capture_output=True, text=True,
                          timeout=300, check=False)


def latexmkrc() -> str:
    """The rule the guide gives, copied out of it so that the two cannot drift."""
    found = re.findall(r"^```perl\n(.*?)^```$", GUIDE.read_text(), re.DOTALL | re.MULTILINE)
    assert len(found) == 1 and "add_cus_dep" in found[0]
    return found[0]


def document(tmp_path: Path, options: str = "") -> Path:
    assert run_cli("latex", "--sty", str(tmp_path)).returncode == 0
    (tmp_path / "notes.tex").write_text(NOTES % {"options": options})
    return tmp_path


def pdf_text(pdf: Path) -> str:
    return subprocess.run([tool("pdftotext"), "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout


def assert_reader_sees_the_notes(directory: Path) -> None:
    text = pdf_text(directory / "notes.pdf")
    assert text.count("Kronecker delta") >= 4  # one per derivation's delta step
    assert "not derived yet" not in text
    assert re.search(r"a x = a[⊤>] \.", text)  # the inline result, in the sentence (a^T)
    assert "(1) the Jacobian is a row" in text and "??" not in text
    assert re.search(r"derivtex error \(notes\.tex:%d\): syntax error:\s+column 10:\s+the"
                     r"\s+expression ends too early" % BAD_LINE, text)
    log = (directory / "notes.log").read_text()
    assert f"Package derivtex Warning: notes.tex:{BAD_LINE}: syntax error: column 10" in log


def test_latexmk_two_passes_derive_once_and_a_rerun_derives_nothing(tmp_path):
    directory = document(tmp_path)
    (directory / "latexmkrc").write_text(latexmkrc())
    latexmk = [tool("latexmk"), "-pdf", "-interaction=nonstopmode", "notes"]
    first = run(latexmk, directory)
    assert first.returncode == 0, first.stdout[-3000:]
    assert "6 derived, 0 unchanged, 1 failed" in first.stderr + first.stdout
    assert_reader_sees_the_notes(directory)

    again = run([str(BIN / "derivtex"), "latex", "notes"], directory)
    assert again.returncode == 0
    assert f"notes.tex:{BAD_LINE}: syntax error" in again.stderr
    assert "0 derived, 6 unchanged, 1 failed" in again.stderr
    unchanged = run(latexmk, directory)
    assert "All targets" in unchanged.stdout + unchanged.stderr and "up-to-date" in \
        unchanged.stdout + unchanged.stderr

    notes = directory / "notes.tex"
    notes.write_text(notes.read_text().replace("{W x}", "{W x + b}"))
    edited = run(latexmk, directory)
    assert edited.returncode == 0, edited.stdout[-3000:]
    assert "1 derived, 5 unchanged, 1 failed" in edited.stderr + edited.stdout


def test_shellescape_with_lualatex_derives_during_the_run_and_a_rerun_runs_nothing(tmp_path):
    directory = document(tmp_path, "[shellescape]")
    latexmk = [tool("latexmk"), "-lualatex", "-shell-escape", "-interaction=nonstopmode",
               "notes"]
    tool("lualatex")
    first = run(latexmk, directory)
    assert first.returncode == 0, first.stdout[-3000:]
    assert_reader_sees_the_notes(directory)
    forced = run([*latexmk[:1], "-g", *latexmk[1:]], directory)
    assert forced.returncode == 0
    log = (directory / "notes.log").read_text()
    assert "derivtex latex --request" not in log  # every result was known: no program run
    assert "not derived yet" not in pdf_text(directory / "notes.pdf")


def test_xelatex_typesets_what_derivtex_latex_derived(tmp_path):
    directory = document(tmp_path)
    xelatex = [tool("xelatex"), "-interaction=nonstopmode", "notes"]
    assert run(xelatex, directory).returncode == 0
    placeholder = pdf_text(directory / "notes.pdf")
    assert placeholder.count("not derived yet; run derivtex latex notes") == 6
    assert "derivtex latex notes" in (directory / "notes.log").read_text()
    assert run([str(BIN / "derivtex"), "latex", "notes"], directory).returncode == 0
    for _ in range(2):
        assert run(xelatex, directory).returncode == 0
    assert_reader_sees_the_notes(directory)


HOSTILE = r"""\documentclass{article}
\usepackage[shellescape]{derivtex}
\begin{document}
\derivtex[wrt=x]{x"; touch PWNED1; echo `touch PWNED2` $(touch PWNED3) \write18{touch PWNED4}}
\derivtex[wrt={x$(touch PWNED5)}, label={a`touch PWNED6`}]{a^T x}
\begin{derivation}[wrt=x, layout=numerator"; touch PWNED7; "]
  a^T x'; touch PWNED8 #
\end{derivation}
\derivtexresult[wrt=x]{\immediate\write18{touch PWNED9}}
\derivtex[wrt=x]{x; touch PWNED11 | touch PWNED12 && touch PWNED13}
Still here.
\end{document}
"""


@pytest.mark.parametrize("jobname", ["hostile", "job$(touch PWNED10)"])
def test_no_expression_option_or_file_name_reaches_a_shell(tmp_path, jobname):
    document(tmp_path)
    (tmp_path / "hostile.tex").write_text(HOSTILE)
    proc = run([tool("pdflatex"), "-shell-escape", "-interaction=nonstopmode",
                f"-jobname={jobname}", "hostile"], tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("PWNED")) == []
    log = next(tmp_path.glob("*.log")).read_text()
    if jobname == "hostile":
        assert log.count("runsystem(derivtex latex --request -- hostile)...executed") == 5
        text = pdf_text(tmp_path / "hostile.pdf")
        assert text.count("derivtex error") == 5 and "Still here." in text
    else:
        assert "runsystem" not in log and "falling back to two runs" in log


def test_install_puts_the_package_where_tex_finds_it(tmp_path):
    kpsewhich = tool("kpsewhich")
    home = tmp_path / "home"
    home.mkdir()
    environment = {**env(), "HOME": str(home), "TEXMFHOME": str(home / "texmf")}
    proc = subprocess.run([str(BIN / "derivtex"), "latex", "--install"], env=environment,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    installed = home / "texmf" / "tex" / "latex" / "derivtex" / "derivtex.sty"
    assert installed.read_text().startswith("%% derivtex.sty")
    found = subprocess.run([kpsewhich, "derivtex.sty"], env=environment, capture_output=True,
                           text=True, timeout=60).stdout.strip()
    assert Path(found) == installed
