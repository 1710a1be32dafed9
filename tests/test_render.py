"""Templates: LaTeX that compiles, Markdown that MathJax renders, user overrides."""

import shutil

from derivtex import derive
from derivtex.render import template_dirs
from derivtex.safety import FORBIDDEN_MACROS
from tests.conftest import compile_tex


def test_standalone_compiles_and_shows_every_step(tmp_path, pdflatex):
    tex = tmp_path / "d.tex"
    tex.write_text(derive("y^T A x", "x").standalone())
    compile_tex(tex, pdflatex)


def test_snippet_balanced_and_free_of_dangerous_macros():
    for expr in ["y^T A x", "||A x - b||^2 + lambda ||x||^2", "x_1^T A_2 x_1"]:
        latex = derive(expr, expr.split()[-1].split("^")[0].strip("|")).latex
        assert latex.count(r"\begin{align*}") == latex.count(r"\end{align*}")
        assert latex.count("{") == latex.count("}")
        assert not FORBIDDEN_MACROS.search(latex)


def test_templates_can_be_replaced_from_a_user_directory(tmp_path):
    shipped = template_dirs()[0]
    for f in shipped.iterdir():
        shutil.copy(f, tmp_path / f.name)
    explain = (tmp_path / "explain.j2").read_text()
    (tmp_path / "explain.j2").write_text(
        explain.replace("Write the entry as an explicit sum over indices.",
                        "Schreibe den Eintrag als Summe."))
    latex = derive("W x", "x", templates=str(tmp_path)).latex
    assert "Schreibe den Eintrag als Summe." in latex


def test_jupyter_repr_is_the_whole_snippet_with_its_sentences():
    """Issue 12: text/latex carries the sentences, so nbconvert's LaTeX export keeps them
    (tests/test_jupyter.py exports a real notebook)."""
    d = derive("a^T x", "x")
    rep = d._repr_latex_()
    assert rep == d.latex and rep.startswith("\\(f\\) is a scalar")
    assert rep.rstrip().endswith("\\end{align*}")
