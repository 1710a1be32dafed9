"""The Jacobian written out as a matrix (the printer's `jacobian_matrix`, the notation's
`jacobian=matrix`), as the reference notes write it before recognising W: after the
contraction, the matrix of the entry found, its free indices set to the first and last
row and column, in the layout's own arrangement (denominator layout's transposed reading
included), then the sentence that recognises it. Pages compile with nothing off the page;
without the setting every page is as before."""

import pytest

from derivtex import derive
from tests.printing.jacobian_pages import matrix_steps, snippet, step, typst_standalone
from tests.printing.test_pages import LONG, README_EXAMPLES, overfull
from tests.printing.test_typst_width import words_outside

B = r"\boldsymbol"
CORNERS = (r"\begin{bmatrix} %s & \cdots & %s \\ \vdots & \ddots & \vdots \\ "
           r"%s & \cdots & %s \end{bmatrix}")
ROW = r"\begin{bmatrix} %s & \cdots & %s \end{bmatrix}"
COLUMN = r"\begin{bmatrix} %s \\ \vdots \\ %s \end{bmatrix}"
DY_DX = r"\frac{\partial %s{y}}{\partial %s{x}} &= " % (B, B)
DF_DX = r"\frac{\partial f}{\partial %s{x}} &= " % B
AB_C = r"[%s{A} %s{B}]_{%%s} + C_{%%s}" % (B, B)
SUM = r"\sum_{k=1}^{n} y_{k} A_{k%s}"

# the notes' four examples and a scalar by a matrix, in both layouts: the display
EXPECTED = {
    ("W x", "x", "numerator"): DY_DX + CORNERS % ("W_{11}", "W_{1m}", "W_{n1}", "W_{nm}"),
    ("W x", "x", "denominator"): DY_DX + CORNERS % ("W_{11}", "W_{n1}", "W_{1m}", "W_{nm}"),
    ("a^T x", "x", "numerator"): DF_DX + ROW % ("a_{1}", "a_{n}"),
    ("a^T x", "x", "denominator"): DF_DX + COLUMN % ("a_{1}", "a_{n}"),
    ("y^T A x", "x", "numerator"): DF_DX + ROW % (SUM % "1", SUM % "m"),
    ("y^T A x", "x", "denominator"): DF_DX + COLUMN % (SUM % "1", SUM % "m"),
    ("(A B + C) v", "v", "numerator"):
        r"\frac{\partial %s{y}}{\partial %s{v}} &= " % (B, B) + CORNERS % tuple(
            AB_C % (ij, ij) for ij in ("11", "1p", "n1", "np")),
    ("(A B + C) v", "v", "denominator"):
        r"\frac{\partial %s{y}}{\partial %s{v}} &= " % (B, B) + CORNERS % tuple(
            AB_C % (ij, ij) for ij in ("11", "n1", "1p", "np")),
    # d tr(A X) / d X_ij = A_ji: in numerator layout row j, column i holds A_ji, so the
    # matrix is A; in denominator layout row i, column j, so A^T
    ("tr(A X)", "X", "numerator"): r"\frac{\partial f}{\partial %s{X}} &= " % B + CORNERS % (
        "A_{11}", "A_{1m}", "A_{n1}", "A_{nm}"),
    ("tr(A X)", "X", "denominator"): r"\frac{\partial f}{\partial %s{X}} &= " % B + CORNERS % (
        "A_{11}", "A_{n1}", "A_{1m}", "A_{nm}"),
    ("alpha A", "alpha", "numerator"): r"\frac{\partial %s{F}}{\partial \alpha} &= " % B +
        CORNERS % ("A_{11}", "A_{1m}", "A_{n1}", "A_{nm}"),
    ("x", "x", "denominator"): DY_DX + CORNERS % ("1", "0", "0", "1"),
}


@pytest.mark.parametrize("case", EXPECTED, ids=lambda c: f"{c[0]} by {c[1]}, {c[2]}")
def test_the_matrix_of_entries_in_the_layouts_arrangement(case):
    assert step(*case)["body"] == EXPECTED[case]


def test_the_steps_around_it_in_the_notes_order():
    """The entry found, the whole Jacobian written out, then recognised as W."""
    steps = matrix_steps(derive("W x", "x"))
    rules = [s["rule"] for s in steps]
    assert rules[-4:] == ["contraction", "written_out", "reassembly", "transpose_check"]
    contraction, written, recognised, last = steps[-4:]
    assert contraction["body"].endswith("&= W_{ij}")
    assert written["text"] == (
        r"We can now write out the entire Jacobian: in numerator layout "
        r"\(\frac{\partial y_{i}}{\partial x_{j}}\) stands in row \(i\), column \(j\).")
    assert recognised["text"] == (
        r"This matrix we recognise: its entries are those of \(\boldsymbol{W}\) itself.")
    assert recognised["body"] == ""
    assert last["body"] == DY_DX + r"\boldsymbol{W}"


@pytest.mark.parametrize("layout, sentence, read", [
    ("numerator", "in numerator layout it is a row, with "
     r"\(\frac{\partial f}{\partial x_{j}}\) in column \(j\).",
     "Its general entry tells us which row this is. In numerator layout the derivative is a row"),
    ("denominator", "in denominator layout it is a column, with "
     r"\(\frac{\partial f}{\partial x_{j}}\) in row \(j\).",
     "Its general entry tells us which column this is. In denominator layout the derivative "
     "is a column")])
def test_a_vector_is_a_row_or_a_column_and_its_reading_follows(layout, sentence, read):
    written = step("y^T A x", "x", layout)
    assert written["text"] == "We can now write out the entire derivative: " + sentence
    assert step("y^T A x", "x", layout, "reassembly")["text"].startswith(read)


def test_denominator_layout_says_where_the_entry_stands():
    assert step("W x", "x", "denominator")["text"].endswith(
        r"\(\frac{\partial y_{i}}{\partial x_{j}}\) stands in row \(j\), column \(i\).")
    assert step("W x", "x", "denominator", "reassembly")["body"] == \
        r"\frac{\partial y_{i}}{\partial x_{j}} &= [\boldsymbol{W}^{\top}]_{ji}"


def test_typst_writes_the_same_matrix():
    assert step("W x", "x", "denominator", fmt="typst")["body"] == (
        '(partial bold(y))/(partial bold(x)) &= mat(delim: "[", W_(1 1), dots.c, W_(n 1); '
        'dots.v, dots.down, dots.v; W_(1 m), dots.c, W_(n m))')
    assert step("a^T x", "x", "numerator", fmt="typst")["body"] == \
        '(partial f)/(partial bold(x)) &= mat(delim: "[", a_(1), dots.c, a_(n))'


def test_declared_sizes_are_written_out_in_full_or_by_their_corners():
    small = step("W x", "x", "numerator", shapes={"W": (2, 3)})["body"]
    assert small == DY_DX + r"\begin{bmatrix} W_{11} & W_{12} & W_{13} \\ " \
                            r"W_{21} & W_{22} & W_{23} \end{bmatrix}"
    large = step("W x", "x", "numerator", shapes={"W": (5, 12)})["body"]
    assert large == DY_DX + CORNERS % ("W_{11}", "W_{1,12}", "W_{51}", "W_{5,12}")
    assert step("W x", "x", "numerator", fmt="typst", shapes={"W": (5, 12)})["body"].endswith(
        "W_(5 1), dots.c, W_(5, 12))")


def test_entries_too_long_for_the_page_are_written_as_the_derivatives_they_are():
    written = step("W3 tanh(W2 tanh(W1 x))", "x", "numerator")
    assert written["body"] == DY_DX + CORNERS % tuple(
        r"\frac{\partial y_{%s}}{\partial x_{%s}}" % ij for ij in
        (("1", "1"), ("1", "q"), ("n", "1"), ("n", "q")))
    assert written["text"].endswith(r"column \(j\); its value is the entry found above.")


def test_a_hessian_is_written_out_before_it_is_recognised():
    d = derive("x^T A x", "x", order=2)
    rules = [s["rule"] for s in matrix_steps(d)]
    assert rules[-4:] == ["contraction", "written_out", "reassembly", "symmetry"]
    written = step("x^T A x", "x", "numerator", order=2)
    assert written["text"] == (r"We can now write out the entire Hessian: \(H_{ij}\) stands "
                               r"in row \(i\), column \(j\).")
    assert written["body"] == r"\boldsymbol{H} &= " + CORNERS % (
        "A_{11} + A_{11}", "A_{1n} + A_{n1}", "A_{n1} + A_{1n}", "A_{nn} + A_{nn}")
    assert step("x^T A x", "x", "numerator", "reassembly", order=2)["text"].startswith(
        "Its general entry tells us which matrix this is: we recognise these as the entries")


def test_without_the_setting_nothing_is_written_out():
    d = derive("W x", "x")
    assert "written_out" not in [s["rule"] for s in d.steps]
    assert "bmatrix" not in d.latex and "mat(" not in d.typst


PAGES = [case[:2] for case in EXPECTED] + README_EXAMPLES + LONG + [
    ("softmax(W x)", "x"), ("W3 tanh(W2 tanh(W1 x))", "x")]


def test_every_page_compiles_with_nothing_off_the_page(tmp_path, pdflatex):
    parts = []
    for expr, wrt in dict.fromkeys(PAGES):
        for layout in ("numerator", "denominator"):
            d = derive(expr, wrt, layout=layout)
            parts.append(r"\section*{$%s$}" % d.title + "\n" + snippet(d) + "\n\\clearpage")
    preamble = derive("x", "x").standalone().split(r"\section*")[0]
    (tmp_path / "all.tex").write_text(preamble + "\n".join(parts) + "\n\\end{document}\n")
    assert [w for w in overfull(tmp_path, "all.tex", pdflatex) if w > 1] == []


HESSIANS = [("x^T A x", "x"), ("||A x - b||^2", "x"),
            ("-(y^T log(sigma(X w)) + (1 - y)^T log(1 - sigma(X w)))", "w")]


def test_hessian_pages_compile_with_nothing_off_the_page(tmp_path, pdflatex):
    parts = [snippet(derive(expr, wrt, order=2)) for expr, wrt in HESSIANS]
    assert all("bmatrix" in part for part in parts)
    preamble = derive("x", "x").standalone().split(r"\section*")[0]
    (tmp_path / "h.tex").write_text(
        preamble + "\n\\clearpage\n".join(parts) + "\n\\end{document}\n")
    assert [w for w in overfull(tmp_path, "h.tex", pdflatex) if w > 1] == []
    page = typst_standalone(derive(*HESSIANS[2], order=2))
    assert "mat(" in page and words_outside(page, tmp_path) == []


@pytest.mark.parametrize("layout", ["numerator", "denominator"])
@pytest.mark.parametrize("expr, wrt", list(dict.fromkeys(case[:2] for case in EXPECTED)) + [
    ("softmax(W x)", "x"), ("||W2 sigma(W1 x) - y||^2", "x"), ("W3 tanh(W2 tanh(W1 x))", "x")])
def test_typst_pages_compile_with_nothing_off_the_page(expr, wrt, layout, tmp_path):
    page = typst_standalone(derive(expr, wrt, layout=layout))
    assert "mat(" in page
    assert words_outside(page, tmp_path) == []
