"""Typst output (--format typst): it compiles with Typst's bundled compiler, uses only
built-in math, and says the same sentences as the LaTeX page."""

import re
import subprocess

import pytest
import typst

from derivtex import derive
from derivtex.printing.typst import TypstPrinter
from tests.conftest import run_cli

# every expression class of the README's tables, Hessians, both methods, tensors
CASES = [
    ("y^T A x", "x", {}), ("(A B + C) v", "v", {}),
    ("||A x - b||^2 + lambda ||x||^2", "x", {}), ("sigma(W x)", "x", {}),
    ("||sigma(W x) - y||^2", "W", {}), ("softmax(z)", "z", {}), ("a^T X b", "X", {}),
    ("tr(A X B)", "X", {}), ("log(det(X))", "X", {}), ("a^T X^{-1} b", "X", {}),
    ("1/2 x^T S x - b^T x", "x", {"symmetric": ["S"]}), ("1^T exp(X w) - y^T X w", "w", {}),
    ("x^T I x", "x", {}), ("x^T A x / (x^T x)", "x", {}), ("||x - c||", "x", {}),
    ("log(sum(exp(z)))", "z", {}), ("x^T A", "x", {}), ("(A x)^T", "x", {}),
    ("W x", "W", {}), ("diag(x) y", "x", {}), ("inv(X)", "X", {}),
    ("x^T A x", "x", {"order": 2}), ("||X w - y||^2 + lambda ||w||^2", "w", {"order": 2}),
    ("-(y^T log(sigma(X w)) + (1 - y)^T log(1 - sigma(X w)))", "w", {"order": 2}),
    ("y^T A x", "x", {"method": "both"}), ("log(det(X))", "X", {"method": "both"}),
    ("softmax(W x)", "x", {"method": "both"}),
    ("x^T A x", "x", {"method": "both", "layout": "denominator"}),
    ("varepsilon^2 + phi x1^T x1", "x1", {"steps": "compact"}),
]
INLINE_MATH = re.compile(r"\$[^$]*\$|\\\(.*?\\\)")


def compile_typst(source: str, tmp_path) -> bytes:
    path = tmp_path / "page.typ"
    path.write_text(source, encoding="utf-8")
    return typst.compile(str(path))


@pytest.mark.parametrize("expr,wrt,options", CASES, ids=[c[0] + " by " + c[1] for c in CASES])
def test_every_class_compiles_with_typst(expr, wrt, options, tmp_path):
    d = derive(expr, wrt, **options)
    pdf = compile_typst(d.typst_standalone(), tmp_path)
    assert pdf.startswith(b"%PDF")
    # built-in math only: no LaTeX control sequence, no package import, no code
    assert not re.search(r"\\[A-Za-z]", d.typst) and "#import" not in d.typst_standalone()
    assert "#" not in d.typst


@pytest.mark.parametrize("expr,wrt,options", CASES[:8] + CASES[21:28])
def test_typst_says_the_latex_sentences(expr, wrt, options):
    d = derive(expr, wrt, **options)
    words = [INLINE_MATH.sub("M", s["text"]) for s in d.steps]
    assert words == [INLINE_MATH.sub("M", s["text"]) for s in d.typst_steps]
    assert len(d.typst_steps) == len(d.steps)


def test_typst_notation():
    d = derive("a^T x", "x")
    assert "(partial f)/(partial x_(j))" in d.typst
    assert "sum_(k=1)^(n) a_(k) delta_(j k)" in d.typst or "delta_(j k)" in d.typst
    assert "sum_(k=1)^(n)" in d.typst and "bold(a)^(top)" in d.typst
    assert "$ f &= bold(a)^(top) bold(x), wide (partial f)/(partial bold(x)) in RR^(1 times n) $" \
        in d.typst
    softmax = derive("softmax(W x)", "x").typst
    assert 'op("softmax")(bold(W) bold(x))' in softmax


def test_typst_primitives():
    from derivtex.model.shapes import Shapes

    p = TypstPrinter(Shapes({}))
    assert p.index_names(["k_{3}", "j"]) == "k_3 j"
    assert p.symbol("varepsilon", False) == "epsilon" and p.symbol("foo_bar", True) == \
        'bold(upright("foo"))_(bar)'
    assert p.shape(("m", 3)) == "m times 3" and p.real_space("n") == "RR^(n)"


def test_cli_typst_standalone(tmp_path):
    out = run_cli("derive", "x^T A x", "--wrt", "x", "--format", "typst", "--standalone")
    assert out.returncode == 0, out.stderr
    text = out.stdout.decode()
    assert text.startswith("#set page") and "$ f &= bold(x)^(top) bold(A) bold(x)" in text
    assert compile_typst(text, tmp_path).startswith(b"%PDF")


def test_typst_rows_fold_at_terms_never_inside_a_call():
    from derivtex.printing.typst_linebreak import TEXT_WIDTH, fold, width

    d = derive("||sigma(W x) - y||^2", "W")
    product_rule = next(s["body"] for s in d.typst_steps if s["rule"] == "product_rule")
    rows = product_rule.split(" \\\n")
    assert len(rows) >= 2 and rows[1].startswith('& quad "" + ')  # "": + spaced as binary
    lhs = width(rows[0].split("&")[0])
    assert all(lhs + width(row) <= TEXT_WIDTH for row in rows)
    call = "f &= sigma(" + " + ".join(f"a_({k})" for k in range(40)) + ")"
    assert fold(call) == call  # one call's arguments stay on one row
    assert fold("f &= " + " + ".join(["x_(k)"] * 40)).count('& quad "" + ') >= 1


def test_a_label_numbers_the_result_and_a_reference_resolves(tmp_path):
    d = derive("y^T A x", "x", label="eq:bilinear")
    assert d.typst.count("numbering:") == 1 and "<eq:bilinear>" in d.typst
    doc = tmp_path / "l.typ"
    doc.write_text(d.typst_standalone() + "\nSee @eq:bilinear.\n")
    typst.compile(str(doc), output=str(tmp_path / "l.pdf"))
    assert (tmp_path / "l.pdf").stat().st_size > 1000


def test_typst_code_other_than_the_numbered_result_is_refused():
    from derivtex.errors import UnsafeOutputError
    from derivtex.printing.typst import check_typst

    with pytest.raises(UnsafeOutputError):
        check_typst('#read("/etc/hostname")')


WORD_BOX = re.compile(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([^<]*)</word>')


def test_where_row_reads_like_the_latex_one(tmp_path):
    """`"where " bold(s)` put Typst's own space after the word on top of the quoted one:
    "where   s". Unquoted, the gap is LaTeX's interword space (3.6 pt at 11 pt)."""
    d = derive("sigma(X w)^T y", "w")
    assert r"&\quad \text{where } \boldsymbol{s} = \sigma\left(\boldsymbol{X} " \
        r"\boldsymbol{w}\right)" in d.latex
    assert '\\\n&quad "where" bold(s) = sigma(bold(X) bold(w)) $' in d.typst
    (tmp_path / "w.typ").write_text(d.typst_standalone())
    typst.compile(str(tmp_path / "w.typ"), output=str(tmp_path / "w.pdf"))
    boxes = WORD_BOX.findall(subprocess.run(
        ["pdftotext", "-bbox", "w.pdf", "-"], cwd=tmp_path, capture_output=True, text=True,
        check=True).stdout)
    k = next(k for k, box in enumerate(boxes) if box[2] == "where")
    gap = float(boxes[k + 1][0]) - float(boxes[k][1])
    assert 3.0 < gap < 4.5, gap
