import pytest

from derivtex.errors import ParseError
from derivtex.syntax import ast
from derivtex.syntax.latex_input import parse_latex
from derivtex.syntax.parser import parse_text


@pytest.mark.parametrize("latex, text", [
    (r"\mathbf{y}^\top \mathbf{A} \mathbf{x}", "y^T A x"),
    (r"\boldsymbol{a}^{\intercal}\boldsymbol{x}", "a^T x"),
    (r"\operatorname{tr}(\mathbf{A}\mathbf{X})", "tr(A X)"),
    (r"\|\mathbf{A}\mathbf{x} - \mathbf{b}\|^2", "||A x - b||^2"),
    (r"\sigma(\mathbf{W}\mathbf{x})", "sigma(W x)"),
    (r"\left(\mathbf{x} - \mathbf{c}\right)^T \mathbf{M} \cdot \mathbf{x}", "(x - c)^T M x"),
    (r"\alpha \mathbf{x}_1^{\mathsf{T}} \mathbf{x}_1", "alpha x_1^T x_1"),
    (r"\mathbf{X}^{-1}", "inv(X)"),
    (r"\|\mathbf{x}\|_2^2", "||x||^2"),
    (r"\left\| \mathbf{A}\mathbf{x} - \mathbf{b} \right\|^2", "||A x - b||^2"),
    (r"\log \det \mathbf{X}", "log(det(X))"),
    (r"\frac{1}{2}\lVert \mathbf{x} \rVert^2", "(1/2) ||x||^2"),
    (r"\text{tr}(\mathbf{X})", "tr(X)"),
    (r"a^\top x", "a^T x"),
    (r"\mathbf{x}^\top\mathbf{A}\mathbf{x}", "x^T A x"),
    (r"a^\intercal x", "a^T x"),
    (r"\mathbf{X}^{-T}", "inv(X)^T"),
    (r"\mathbf{A}^{-\top}", "inv(A)^T"),
    (r"\mathbf{a} \odot \mathbf{x}", "a .* x"),
    (r"\mathbf{a} \circ \mathbf{x}", "a .* x"),
    (r"\|\mathbf{X}\|_F^2", "||X||^2"),
    (r"\|\mathbf{X}\|_{F}^{2}", "||X||^2"),
    (r"\lVert \mathbf{x} - \mathbf{c} \rVert", "||x - c||"),
    (r"\sqrt{\mathbf{x}^\top \mathbf{x}}", "sqrt(x^T x)"),
    (r"\frac{\mathbf{x}^\top \mathbf{A}\mathbf{x}}{\mathbf{x}^\top\mathbf{x}}",
     "(x^T A x) / (x^T x)"),
    (r"\tfrac12 \mathbf{x}", "(1/2) x"),
    (r"\dfrac{1}{2} \mathbf{x}", "(1/2) x"),
    (r"\ln(\mathbf{x})", "log(x)"),
    (r"\operatorname{Tr}(\mathbf{X})", "tr(X)"),
    (r"\mathrm{tr}(\mathbf{X})", "tr(X)"),
    (r"\operatorname{logdet}(\mathbf{X})", "log(det(X))"),
    (r"\mathbf{1}^\top \exp(\mathbf{z})", "1^T exp(z)"),
    (r"\mathbf{x}^\top(\mathbf{A} + \lambda\mathbf{I})\mathbf{x}", "x^T (A + lambda I) x"),
    (r"\sinh(\mathbf{x})", "sinh(x)"),
])
def test_latex_gives_the_same_tree_as_text(latex, text):
    assert parse_latex(latex) == parse_text(text)


@pytest.mark.parametrize("latex, macro", [
    (r"\write18{touch /tmp/x} x", r"\write"),
    (r"\input{/etc/passwd}", r"\input"),
    (r"\def\x{1} x", r"\def"),
    (r"\csname input\endcsname", r"\csname"),
    (r"\sqrt[3]{x} a", r"\sqrt"),
])
def test_unsupported_macros_are_rejected_by_name(latex, macro):
    with pytest.raises(ParseError) as info:
        parse_latex(latex)
    assert macro in info.value.message
    assert info.value.column == 1


def test_unbalanced_braces_are_a_parse_error():
    with pytest.raises(ParseError, match="malformed LaTeX"):
        parse_latex(r"\mathbf{x")


def test_names_come_back_plain():
    assert parse_latex(r"\lambda \mathbf{x}") == ast.MatMul((ast.Name("lambda"), ast.Name("x")))


def test_bold_greek_and_bold_one_are_marked():
    mu = parse_latex(r"\boldsymbol{\mu}")
    assert mu == ast.Name("mu") and mu.bold
    assert not parse_latex(r"\mu").bold
    assert parse_latex(r"\mathbf{1}") == ast.Ones(None)
    assert parse_latex(r"\mathbf{A}\mathbf{1}") == ast.MatMul((ast.Name("A"), ast.Ones(None)))


def test_adjacent_latex_norms_are_a_product():
    """\\|x\\| \\|y\\| and \\lVert x\\rVert \\lVert y\\rVert multiply (issue 24)."""
    from derivtex.syntax.latex_input import parse_latex

    want = parse_latex(r"\frac{x^\top y}{\|x\| \cdot \|y\|}")
    assert parse_latex(r"\frac{x^\top y}{\|x\| \|y\|}") == want
    assert parse_latex(r"\frac{x^\top y}{\lVert x\rVert \lVert y\rVert}") == want
