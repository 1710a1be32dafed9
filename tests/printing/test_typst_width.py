"""Typst pages as good as the LaTeX ones: every sample, README example and long page
compiles with nothing outside the page's margins, measured as the LaTeX overfull boxes
are, on the compiled page itself: the PDF's word boxes (pdftotext -bbox) against the
2.5 cm margins. Pages are numbered; a short equation in a sentence is never split over
two lines; a sentence never prints LaTeX (k_{1} is k_1)."""

import re
import shutil
import subprocess

import pytest
import typst

from derivtex import derive
from derivtex.printing.render import render
from tests.printing.test_latex_width import LONG as LONG_PAGES
from tests.printing.test_pages import LONG, README_EXAMPLES, generate

MARGIN = 2.5 * 72 / 2.54  # pt
WORD = re.compile(r'<word xMin="([\d.-]+)" yMin="[\d.-]+" xMax="([\d.-]+)"[^>]*>([^<]*)</word>')
PAGE = re.compile(r'<page width="([\d.]+)"')
# the README's Hessian table (--order 2)
HESSIANS = [("x^T A x", "x"), ("||A x - b||^2", "x"), ("||X w - y||^2 + lambda ||w||^2", "w"),
            ("-(y^T log(sigma(X w)) + (1 - y)^T log(1 - sigma(X w)))", "w"),
            ("y^T X w - 1^T log(1 + exp(X w))", "w"), ("log(1^T exp(z))", "z"),
            ("1^T exp(X w) - y^T X w", "w")]

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                 reason="pdftotext (poppler-utils) not installed")


def words_outside(source: str, tmp_path) -> list[tuple[float, str]]:
    """(how far past the margin, the word) for every word of the compiled page that is
    more than 1 pt outside the text block's left or right margin."""
    (tmp_path / "page.typ").write_text(source, encoding="utf-8")
    typst.compile(str(tmp_path / "page.typ"), output=str(tmp_path / "page.pdf"))
    boxes = subprocess.run(["pdftotext", "-bbox", "page.pdf", "-"], cwd=tmp_path,
                           capture_output=True, text=True, check=True).stdout
    page = float(PAGE.search(boxes).group(1))
    out = []
    for left, right, word in WORD.findall(boxes):
        past = max(MARGIN - float(left), float(right) - (page - MARGIN))
        if past > 1:
            out.append((round(past, 1), word))
    return out


@pytest.mark.parametrize("entry", generate.entries(), ids=lambda e: e["name"])
def test_every_sample_fits_the_typst_page(entry, tmp_path):
    assert words_outside(generate.typ_for(entry), tmp_path) == []


@pytest.mark.parametrize("layout", ["numerator", "denominator"])
@pytest.mark.parametrize("expr, wrt", README_EXAMPLES + LONG)
def test_readme_examples_and_long_pages_fit_the_typst_page(expr, wrt, layout, tmp_path):
    d = derive(expr, wrt, layout=layout)
    assert words_outside(d.typst_standalone(), tmp_path) == []


@pytest.mark.parametrize("expr, wrt", HESSIANS)
def test_readme_hessians_fit_the_typst_page(expr, wrt, tmp_path):
    assert words_outside(derive(expr, wrt, order=2).typst_standalone(), tmp_path) == []


@pytest.mark.parametrize("case", LONG_PAGES, ids=lambda c: f"{c[0]} by {c[1]} {c[2]}")
def test_the_long_latex_pages_fit_the_typst_page_too(case, tmp_path):
    """Seen: the chain rule of ||V tanh(W x) - y||^2 by W 70 pt past both margins, its left
    side cut off; the logistic loss 11 pt past."""
    expr, wrt, options = case
    assert words_outside(derive(expr, wrt, **options).typst_standalone(), tmp_path) == []


def test_typst_rows_break_between_terms_and_keep_brackets_whole():
    """The product rule of the network: each term starts a row, a term too wide goes on
    with its next factor whole, and every row's brackets close on it except the bracket
    the row is inside."""
    d = derive("||V tanh(W x) - y||^2", "W")
    body = next(s["body"] for s in d.typst_steps if s["rule"] == "product_rule")
    rows = body.split(" \\\n")
    assert [row.split(" (")[0] for row in rows[1:]] == ["& quad quad", '& quad "" +',
                                                        "& quad quad"]
    assert rows[1].endswith("- y_(k))") and rows[2].endswith("- y_(k))")


def test_typst_pages_are_numbered(tmp_path):
    d = derive("||V tanh(W x) - y||^2", "W")
    (tmp_path / "n.typ").write_text(d.typst_standalone())
    typst.compile(str(tmp_path / "n.typ"), output=str(tmp_path / "n.pdf"))
    pages = subprocess.run(["pdftotext", "-layout", "n.pdf", "-"], cwd=tmp_path,
                           capture_output=True, text=True, check=True).stdout.split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) >= 2
    assert [p.strip().splitlines()[-1].strip() for p in pages] == \
        [str(n) for n in range(1, len(pages) + 1)]


def line_ends(source: str, tmp_path) -> list[str]:
    (tmp_path / "s.typ").write_text(source)
    typst.compile(str(tmp_path / "s.typ"), output=str(tmp_path / "s.pdf"))
    text = subprocess.run(["pdftotext", "s.pdf", "-"], cwd=tmp_path, capture_output=True,
                          text=True, check=True).stdout
    return [line.rstrip() for line in text.splitlines() if line.strip()]


def test_a_short_equation_in_a_sentence_is_never_split(tmp_path):
    """Seen: "with l =" at the end of one line, "j." at the start of the next. Sentences
    whose equation falls at every point of a line: the page's own rule keeps each whole,
    while Typst by itself splits some."""
    snippet = "\n\n".join("Sum out the delta %s: the sum over $l$ keeps only its term with "
                          "$l = j$." % ("a" * n) for n in range(1, 60))
    page = render("standalone.typ.j2", title="x", snippet=snippet)
    bare = re.sub(r"#show math\.equation\.where\(block: false\).*\n", "", page)
    assert bare != page
    assert any(line.endswith("=") for line in line_ends(bare, tmp_path))
    assert not any(line.endswith("=") for line in line_ends(page, tmp_path))


def test_numbered_indices_print_as_typst_subscripts_in_sentences(tmp_path):
    """Seen: the index k_{1} printed "k{1}" in a Typst sentence."""
    d = derive("y^T A B C D E F x", "x")
    assert "k_{" not in d.typst and "$k_2$" in d.typst
    (tmp_path / "k.typ").write_text(d.typst_standalone())
    typst.compile(str(tmp_path / "k.typ"), output=str(tmp_path / "k.pdf"))
    text = subprocess.run(["pdftotext", "k.pdf", "-"], cwd=tmp_path, capture_output=True,
                          text=True, check=True).stdout
    assert "{" not in text


def test_a_bracket_with_a_script_opens_with_the_script_after_it():
    """[ ... ]_(j) spanning rows: on the bracket the script would make the bracket one box
    that cannot span rows (seen: a reassembly row set to the right of its own left side);
    on an empty base after it, the bracket spans them."""
    from derivtex.printing.typst_linebreak import opened

    assert opened("[a + b]_(j)") == ("[", "a + b", ']""_(j)')
    assert opened("(x - m)^(top)") == ("(", "x - m", ')""^(top)')
    assert opened("sigma(a + b)") is None and opened("(a)/(b + c)") is None


def test_typst_width_estimate_is_within_five_percent_of_typst(tmp_path):
    """The estimate leaves 5 % of the text width spare: every long row of the long pages,
    measured by Typst itself, is within 5 % of it."""
    from derivtex.printing.typst_linebreak import width

    rows = []
    for expr, wrt, options in LONG_PAGES[:5]:
        for step in derive(expr, wrt, **options).typst_steps:
            rows += [r for r in step["body"].split(" \\\n") if width(r) > 250]
    lines = ["#set page(width: 30cm, height: auto)", "#set text(size: 11pt)"]
    lines += ["#context [W%d=#measure($ %s $).width]\n" % (k, r.replace("&", ""))
              for k, r in enumerate(rows)]
    (tmp_path / "w.typ").write_text("\n".join(lines))
    typst.compile(str(tmp_path / "w.typ"), output=str(tmp_path / "w.pdf"))
    text = subprocess.run(["pdftotext", "w.pdf", "-"], cwd=tmp_path, capture_output=True,
                          text=True, check=True).stdout
    real = {int(k): float(v) for k, v in re.findall(r"W(\d+)=([\d.]+)pt", text)}
    assert len(real) == len(rows) > 20
    assert [(rows[k][:50], real[k], width(rows[k])) for k in real
            if real[k] > 1.05 * width(rows[k])] == []
