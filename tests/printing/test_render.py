"""Templates: LaTeX that compiles, Markdown that MathJax renders, user overrides."""

import shutil

import pytest

from derivtex import derive
from derivtex.printing.render import template_dirs
from derivtex.printing.safety import FORBIDDEN_MACROS
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
        explain.replace("Write the entry ((( m(s.lhs) ))) as an explicit sum over indices.",
                        "Schreibe den Eintrag als Summe."))
    latex = derive("W x", "x", templates=str(tmp_path)).latex
    assert "Schreibe den Eintrag als Summe." in latex


def test_jupyter_repr_is_the_whole_snippet_with_its_sentences():
    """Issue 12: text/latex carries the sentences, so nbconvert's LaTeX export keeps them
    (tests/test_jupyter.py exports a real notebook)."""
    d = derive("a^T x", "x")
    rep = d._repr_latex_()
    assert rep == d.latex and rep.startswith("Here ") and "it is a scalar" in rep
    assert rep.rstrip().endswith("\\end{align*}")


def test_every_step_record_has_a_renderer_and_one_without_fails_loudly():
    from dataclasses import FrozenInstanceError, dataclass

    from derivtex.engine.steps import RECORDS, GradientEntry, PassStep
    from derivtex.model.shapes import Shapes
    from derivtex.printing.facts import StepFacts
    from derivtex.printing.hessian_facts import HessianFacts
    from derivtex.printing.latex import LatexPrinter

    d = derive("W x", "x")
    h = derive("x^T A x", "x", order=2)
    facts = StepFacts(LatexPrinter(Shapes(d.symbols)), d.outcome)
    hessian = HessianFacts(LatexPrinter(Shapes(h.symbols)), h.outcome)
    assert {type(s) for s in d.outcome.steps + h.outcome.steps} <= set(RECORDS)
    for record in RECORDS:
        assert callable(hessian.renderer(record.__new__(record)))
    gradient = GradientEntry.__new__(GradientEntry)
    with pytest.raises(NotImplementedError, match="no renderer for GradientEntry"):
        facts.renderer(gradient)  # a Hessian's rule: only HessianFacts prints it

    @dataclass(frozen=True, kw_only=True)
    class Shuffle(PassStep):
        rule = "shuffle"

    with pytest.raises(NotImplementedError, match="'shuffle'"):
        facts.renderer(Shuffle(before=None, after=None))
    with pytest.raises(FrozenInstanceError):
        d.outcome.steps[0].layout = "denominator"  # type: ignore[misc]


def test_identity_statements_are_printed_from_their_own_fields():
    from derivtex.engine.identities import LIBRARY
    from derivtex.model.shapes import Shapes
    from derivtex.printing.identity_facts import identity_statement
    from derivtex.printing.latex import LatexPrinter
    from derivtex.printing.typst import TypstPrinter

    trace = LIBRARY["trace_product"]
    assert not hasattr(trace, "latex")
    assert identity_statement(trace, LatexPrinter, "denominator") == (
        r"\frac{\partial \operatorname{tr}\left(\boldsymbol{A} \boldsymbol{X} \boldsymbol{B}"
        r"\right)}{\partial \boldsymbol{X}} = \boldsymbol{A}^{\top} \boldsymbol{B}^{\top}")
    assert identity_statement(trace, TypstPrinter, "denominator") == (
        "(partial tr(bold(A) bold(X) bold(B)))/(partial bold(X)) = bold(A)^(top) bold(B)^(top)")
    # the page cites exactly the derivative the index method derives for the pattern,
    # as the identity method's steps show it (Jacobian for vectors, matrices in the layout)
    for identity in LIBRARY.values():
        kind = derive(identity.expr, identity.wrt).symbols[identity.wrt].kind
        d = derive(identity.expr, identity.wrt,
                   layout="denominator" if kind == "matrix" else "numerator")
        printed = LatexPrinter(Shapes(d.symbols)).expr(d.result)
        statement = identity_statement(identity, LatexPrinter, "denominator")
        assert statement.endswith(" = " + printed), identity.id
        if kind == "matrix":  # in numerator layout, the transpose
            d = derive(identity.expr, identity.wrt)
            printed = LatexPrinter(Shapes(d.symbols)).expr(d.result)
            assert identity_statement(identity, LatexPrinter, "numerator").endswith(" = " + printed)


def test_an_old_steps_override_with_latex_literals_still_renders_latex(tmp_path):
    """Porting note (README): body(rule, s) keeps its signature, `p` is in scope."""
    (tmp_path / "steps.j2").write_text(
        "((* macro body(rule, s) -*))\n\\text{((( rule )))} &\\approx ((( s.f_latex )))\n"
        "((*- endmacro *))\n")
    latex = derive("W x", "x", templates=str(tmp_path)).latex
    assert r"\text{goal} &\approx \boldsymbol{y}" in latex
    assert r"\text{delta} &\approx \boldsymbol{y}" in latex


def test_the_equations_use_the_printer_in_scope():
    d = derive("a^T x", "x")
    goal = d.steps[0]["body"], d.typst_steps[0]["body"]
    assert goal[0] == (r"f &= \boldsymbol{a}^{\top} \boldsymbol{x}, \qquad \frac{\partial f}"
                       r"{\partial \boldsymbol{x}} \in \mathbb{R}^{1 \times n}")
    assert goal[1] == ("f &= bold(a)^(top) bold(x), wide (partial f)/(partial bold(x)) "
                       "in RR^(1 times n)")


@pytest.mark.parametrize("expr, wrt", [("inv(inv(X))", "X"), ("||x||^2 ||x||^2", "x"),
                                       ("inv(inv(X))^T", "X"), ("alpha alpha x", "x")])
def test_a_raised_base_is_bracketed_so_tex_never_sees_a_double_superscript(expr, wrt,
                                                                          tmp_path, pdflatex):
    d = derive(expr, wrt)
    tex = tmp_path / "d.tex"
    tex.write_text(d.standalone())
    compile_tex(tex, pdflatex)


def test_sentences_come_as_text_and_math_segments_for_node_building_shells():
    step = derive("a^T x", "x").steps[0]
    kinds = [kind for kind, _ in step["segments"]]
    assert "math" in kinds and "text" in kinds
    assert "".join(value if kind == "text" else r"\(%s\)" % value
                   for kind, value in step["segments"]) == step["text"]


def test_templates_print_any_record_object_with_the_math_filter(tmp_path):
    """The template contract: `s.step` is the step record, `| math` prints what it holds
    with the printer of the output format (the same data the equation is printed from)."""
    from derivtex.printing.render import SHIPPED

    shipped = (SHIPPED / "explain.j2").read_text()
    marker = "((* macro transpose_check(s, m) -*))\n"
    assert marker in shipped
    (tmp_path / "explain.j2").write_text(shipped.replace(
        marker, marker + "Natural: ((( m(s.step.before | math) ))) of ((( s.shape | math ))).\n"))
    d = derive("y^T A x", "x", templates=str(tmp_path))
    assert r"Natural: \(\boldsymbol{y}^{\top} \boldsymbol{A}\) of 1 \times m." in d.latex
    assert "Natural: $bold(y)^(top) bold(A)$ of 1 times m." in d.typst
    with pytest.raises(TypeError, match="not dict"):
        d.typst_printer.math({})


def test_entry_brackets_are_sized_only_around_something_tall():
    """An inline [Sigma^-1]_{jl} with \\left[ grows past its line of text."""
    from derivtex.model.shapes import Shapes
    from derivtex.printing.latex import LatexPrinter

    d = derive("(x - mu)^T inv(S) (x - mu)", "x")
    assert r"[\boldsymbol{S}^{-1}]_{" in d.latex and r"\left[\boldsymbol{S}^{-1}\right]" \
        not in d.latex
    printer = LatexPrinter(Shapes(d.symbols))
    assert printer.bracket(r"\sigma\left(u\right) - y") == r"\left[\sigma\left(u\right) - y\right]"
    assert printer.bracket(r"\frac{1}{2} u") == r"\left[\frac{1}{2} u\right]"
    from derivtex.printing.latex_linebreak import fold

    inside = "[" + " - ".join(f"a_{{{k}}}" for k in range(60)) + "]_{k}"
    assert inside in fold("f &= x + " + inside)  # a row never breaks inside a plain [ ]


@pytest.mark.parametrize("expr, wrt, latex, text", [
    ("x^T x / (2 alpha)", "alpha",
     r"-\frac{\boldsymbol{x}^{\top} \boldsymbol{x}}{2 \alpha^{2}}", "-(x^T x) / (2 alpha^2)"),
    ("x / (2 alpha)", "alpha", r"-\frac{1}{2 \alpha^{2}} \boldsymbol{x}", "-x / (2 alpha^2)"),
    ("2 x^T x / (4 alpha)", "alpha",
     r"-\frac{\boldsymbol{x}^{\top} \boldsymbol{x}}{2 \alpha^{2}}", "-(x^T x) / (2 alpha^2)"),
    ("log(x^T x)", "x", r"\frac{2}{\boldsymbol{x}^{\top} \boldsymbol{x}} \boldsymbol{x}^{\top}",
     "2 x^T / (x^T x)"),
])
def test_quotients_are_written_as_a_lecturer_writes_them(expr, wrt, latex, text):
    """A scalar product with one reciprocal is one fraction; a number joins a reciprocal
    (2/(x^T x) x^T, never 2 1/(x^T x) x^T); the text divides once, / (2 alpha^2)."""
    d = derive(expr, wrt)
    assert d.latex.rstrip().splitlines()[-2].split("&= ")[-1] == latex
    assert d.result_text == text


def test_the_reciprocals_derivative_prints_without_needless_brackets():
    d = derive("alpha^-1 x", "alpha")
    chain = next(s for s in d.steps if s["rule"] == "chain_rule")
    assert r"\left(-\frac{1}{\alpha^{2}}\right) \frac{\partial \alpha}{\partial \alpha}" \
        in chain["body"]
    assert "(-frac(1, alpha^(2)))" in next(s for s in d.typst_steps
                                         if s["rule"] == "chain_rule")["body"]


def test_a_raised_fraction_is_bracketed():
    """-(1/(x^T x))^2, never -\\frac{1}{x^T x}^2, which reads as a squared denominator."""
    d = derive("x^T A x / (x^T x)", "x", symmetric={"A"})
    assert r"= -\left(\frac{1}{\boldsymbol{x}^{\top} \boldsymbol{x}}\right)^{2}" in d.latex
    assert r"\frac{1}{\boldsymbol{x}^{\top} \boldsymbol{x}}^{2}" not in d.latex


def test_a_scalar_function_value_carries_its_own_brackets():
    """log(det(X)) on the page, never log((det(X))) or 1/(det(X))."""
    latex = derive("log(det(X))", "X").latex
    assert r"f &= \log\left(\det\left(\boldsymbol{X}\right)\right)" in latex
    assert r"\frac{1}{\det\left(\boldsymbol{X}\right)}" in latex
    assert r"\left(\left(\det" not in latex and r"{\left(\det" not in latex


def test_an_edited_override_is_read_again_in_the_same_process(tmp_path):
    """Templates' macros are made once per compiled template (mkdocs serve and Jupyter
    keep one process): an edit makes a new template, and its new wording is used."""
    import os

    from derivtex.printing.render import SHIPPED

    shipped = (SHIPPED / "explain.j2").read_text()
    override = tmp_path / "explain.j2"
    marker = "((* macro transpose_check(s, m) -*))\n"
    override.write_text(shipped.replace(marker, marker + "First wording. "))
    assert "First wording." in derive("W x", "x", templates=str(tmp_path)).latex
    override.write_text(shipped.replace(marker, marker + "Second wording. "))
    stat = override.stat()
    os.utime(override, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))
    latex = derive("W x", "x", templates=str(tmp_path)).latex
    assert "Second wording." in latex and "First wording." not in latex


@pytest.mark.parametrize("expr, wrt", [("tr(A X B)", "X"), ("W x", "W"), ("y^T A x", "x"),
                                       ("a^T X b", "X")])
def test_markdown_sentences_are_the_latex_sentences_in_dollars(expr, wrt):
    """Markdown writes each step's sentence from the same segments as LaTeX (a scalar or
    vector by a matrix once failed with KeyError: 'p')."""
    d = derive(expr, wrt=wrt)
    for step in d.steps:
        sentence = "".join(f"${v}$" if kind == "math" else v for kind, v in step["segments"])
        assert sentence in d.markdown


def test_an_elementwise_reciprocal_prints_as_a_lecturer_divides():
    """1 ⊘ x in LaTeX and Typst, as the text's 1 ./ x: never x^{∘-1} or recip."""
    d = derive("log(x)", "x")
    assert d.latex.rstrip().splitlines()[-2].endswith(
        r"\operatorname{diag}\left(\boldsymbol{1} \oslash \boldsymbol{x}\right)")
    assert 'op("diag")(bold(1) ⊘ bold(x))' in d.typst
    row = derive("1^T log(1 + x)", "x").latex.rstrip().splitlines()[-2]
    assert row.endswith(r"\left(\boldsymbol{1} \oslash \left(\boldsymbol{1} + \boldsymbol{x}"
                        r"\right)\right)^{\top}")
