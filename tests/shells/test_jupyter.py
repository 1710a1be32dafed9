"""Jupyter: derivations display with their sentences, failures as one line; a real
notebook executed with nbconvert and exported to LaTeX (and compiled) keeps them."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from derivtex import derive, load_ipython_extension
from derivtex.errors import Failure
from derivtex.shells.jupyter import failure_bundle, raised_in_derivtex, show_error
from tests.whole.readme_blocks import documented_section

nbformat = pytest.importorskip("nbformat")


def test_text_latex_is_the_whole_derivation_with_its_sentences():
    d = derive("y^T A x", "x")
    latex = d._repr_latex_()
    assert latex == d.latex and "as an explicit sum over indices." in latex
    assert latex.count(r"\begin{align*}") == len(d.steps)
    assert "$$\n\\begin{aligned}" in d._repr_markdown_()


class Shell:
    def set_custom_exc(self, types, handler):
        self.types, self.handler = types, handler

    def showtraceback(self, exc_tuple, tb_offset=None):
        self.traceback = exc_tuple


def test_failures_from_derivtex_are_one_line_and_others_are_left_to_ipython(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: shown.append(a[0]))
    shell = Shell()
    load_ipython_extension(shell)
    assert shell.types == (Exception,)
    try:
        derive("A x -", "x")
    except Exception as exc:  # noqa: BLE001 - what IPython hands the handler
        assert raised_in_derivtex(exc.__traceback__)
        show_error(shell, type(exc), exc, exc.__traceback__)
    assert shown == [failure_bundle_of("syntax error: column 6: the expression ends too early")]
    try:
        1 / 0  # noqa: B018 - the user's own error
    except ZeroDivisionError as exc:
        show_error(shell, type(exc), exc, exc.__traceback__)
    assert shell.traceback[0] is ZeroDivisionError and len(shown) == 1


def failure_bundle_of(message):
    return {"text/plain": f"derivtex: {message}",
            "text/html": '<p style="color:#b00020"><strong>derivtex:</strong> '
                         f"{message}</p>"}


def test_internal_failures_say_please_report():
    bundle = failure_bundle(Failure.from_exception(IndexError("list index out of range")))
    assert bundle["text/plain"].startswith("derivtex: internal error: IndexError")
    assert "Please report" in bundle["text/plain"]


NOTEBOOK = [
    "%load_ext derivtex",
    "from derivtex import derive\nderive('y^T A x', 'x')",
    "derive('A x -', 'x')",
    "print('the notebook goes on')",
]


def test_notebook_executes_and_exports_to_latex_with_its_sentences(tmp_path, pdflatex):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in NOTEBOOK]
    nbformat.write(nb, tmp_path / "lecture.ipynb")
    nbconvert = [sys.executable, "-m", "nbconvert"]
    subprocess.run([*nbconvert, "--to", "notebook", "--execute", "--allow-errors",
                    "lecture.ipynb", "--output", "run.ipynb"], cwd=tmp_path, check=True,
                   capture_output=True, timeout=300)
    cells = json.loads((tmp_path / "run.ipynb").read_text())["cells"]
    latex = "".join(cells[1]["outputs"][0]["data"]["text/latex"])
    assert "as an explicit sum over indices." in latex
    error = cells[2]["outputs"]
    assert ["".join(o["data"]["text/plain"]) for o in error] == [
        "derivtex: syntax error: column 6: the expression ends too early"]
    assert cells[3]["outputs"][0]["text"] == ["the notebook goes on\n"]
    subprocess.run([*nbconvert, "--to", "latex", "run.ipynb"], cwd=tmp_path, check=True,
                   capture_output=True, timeout=300)
    tex = (tmp_path / "run.tex").read_text()
    assert "as an explicit sum over indices." in tex
    assert "the expression ends too early" in tex
    build = subprocess.run([pdflatex, "-halt-on-error", "-no-shell-escape",
                            "-interaction=nonstopmode", "run.tex"], cwd=tmp_path,
                           capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stdout[-3000:]
    text = subprocess.run(["pdftotext", "run.pdf", "-"], cwd=tmp_path, capture_output=True,
                          text=True, check=True).stdout
    assert "Kronecker delta" in text and "explicit sum over indices" in text


def test_terminal_ipython_shows_the_message_not_an_html_object():
    ipython = Path(sys.executable).parent / "ipython"
    proc = subprocess.run([str(ipython), "--no-banner", "--colors=nocolor", "-c",
                           "%load_ext derivtex\nfrom derivtex import derive\n"
                           "derive('A x -', 'x')"], capture_output=True, text=True, timeout=120)
    out = proc.stdout + proc.stderr
    assert "derivtex: syntax error: column 6: the expression ends too early" in out
    assert "IPython.core.display" not in out and "Traceback" not in out


def test_a_failure_while_displaying_is_one_line_not_a_traceback(tmp_path):
    import shutil

    from derivtex import derive
    from derivtex.printing.render import template_dirs

    for f in template_dirs()[0].iterdir():
        if f.is_file():
            shutil.copy(f, tmp_path / f.name)
    (tmp_path / "derivation.tex.j2").write_text("((( undefined_name )))")
    (tmp_path / "derivation.md.j2").write_text("((( undefined_name )))")
    d = derive("y^T A x", "x", templates=str(tmp_path))
    assert d._repr_latex_() is None
    shown = d._repr_markdown_()
    assert shown.startswith(f"**derivtex:** template error: {tmp_path / 'derivation.md.j2'}, "
                            "line 1: UndefinedError") and "\n" not in shown.strip()


def readme_nbconvert_command() -> str:
    section = documented_section("Jupyter")
    (command,) = [c for c in re.findall(r"^```sh\n(.*?)^```$", section,
                                        re.DOTALL | re.MULTILINE) if "nbconvert" in c]
    return command.replace("\\\n", " ").strip()


def test_readme_nbconvert_pdf_with_pdflatex_and_a_failure_on_purpose(tmp_path, pdflatex):
    """The README's command, as printed: the notebook executes through a cell tagged
    `raises-exception` and becomes a PDF through pdflatex; untagged, execution stops."""
    tagged = nbformat.v4.new_notebook()
    tagged.cells = [nbformat.v4.new_code_cell(
        source, metadata={"tags": ["raises-exception"]} if "A x -" in source else {})
        for source in NOTEBOOK]
    nbformat.write(tagged, tmp_path / "lecture.ipynb")
    command = readme_nbconvert_command()
    assert "latex_command" in command and "--allow-errors" not in command
    subprocess.run(["bash", "-c", command.replace("jupyter nbconvert",
                                                  f"{sys.executable} -m nbconvert")],
                   cwd=tmp_path, check=True, capture_output=True, timeout=300)
    text = subprocess.run(["pdftotext", "lecture.pdf", "-"], cwd=tmp_path,
                          capture_output=True, text=True, check=True).stdout
    assert "explicit sum over indices" in text and "the expression ends too early" in text
    assert "the notebook goes on" in text
    untagged = nbformat.v4.new_notebook()
    untagged.cells = [nbformat.v4.new_code_cell(source) for source in NOTEBOOK]
    nbformat.write(untagged, tmp_path / "untagged.ipynb")
    stopped = subprocess.run([sys.executable, "-m", "nbconvert", "--to", "notebook",
                              "--execute", "untagged.ipynb"], cwd=tmp_path,
                             capture_output=True, text=True, timeout=300)
    assert stopped.returncode != 0 and "CellExecutionError" in stopped.stderr
