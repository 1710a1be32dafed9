"""Pages a lecturer would hand out: every sentence true of its equation, every
bold symbol an input, the output or defined at or before first use, numbers as a
lecturer writes them, results in lecturer form, and no line wider than the page."""

import importlib.util
import re
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from derivtex import derive
from derivtex.errors import DerivtexError
from tests.conftest import ROOT
from tests.strategies import scalars, vectors
from tests.whole.readme_blocks import documents

spec = importlib.util.spec_from_file_location("generate", ROOT / "samples" / "generate.py")
generate = importlib.util.module_from_spec(spec)
spec.loader.exec_module(generate)

# The README's examples (its `derivtex derive` lines and its table of classes).
README_EXAMPLES = [
    ("y^T A x", "x"), ("||A x - b||^2", "x"), ("W x", "x"), (r"\mathbf{a}^\top \mathbf{x}", "x"),
    ("x^T A x", "x"), ("(A B + C) v", "v"), ("||A x - b||^2 + lambda ||x||^2", "x"),
    ("sigma(W x)", "x"), ("||sigma(W x) - y||^2", "W"), ("softmax(z)", "z"),
    ("a^T X b", "X"), ("tr(A X B)", "X"), ("log(det(X))", "X"), ("a^T X^{-1} b", "X"),
]
LONG = [  # the widest pages: least squares, networks, a regularised logistic loss
    ("1/2 ||M v - d||^2", "v"), ("W2 relu(W1 x + b1) + b2", "x"),
    ("-(y^T log(sigma(X w)) + (1 - y)^T log(1 - sigma(X w))) + lambda ||w||^2", "w"),
    ("-y^T log(softmax(z))", "z"), ("-1/2 (x - mu)^T inv(S) (x - mu)", "x"),
    ("W3 tanh(W2 tanh(W1 x))", "x"), ("||W2 sigma(W1 x) - y||^2", "x"),
]


def test_networks_define_every_symbol():
    for expr in ("W2 relu(W1 x + b1) + b2", "||W2 sigma(W1 x) - y||^2"):
        assert page_problems(derive(expr, "x")) == []
OVERFULL = re.compile(r"Overfull \\hbox \(([\d.]+)pt too wide\)")


def overfull(tex_dir, name: str, pdflatex: str) -> list[float]:
    result = subprocess.run([pdflatex, "-halt-on-error", "-no-shell-escape",
                             "-interaction=nonstopmode", name], cwd=tex_dir,
                            capture_output=True, timeout=120)
    assert result.returncode == 0, result.stdout.decode(errors="replace")[-1500:]
    log = (tex_dir / name).with_suffix(".log").read_text(errors="replace")
    return [float(x) for x in OVERFULL.findall(log)]


def test_readme_examples_are_in_the_readme():
    """In the README or the documentation site's pages, where its examples moved."""
    readme = "\n".join(ROOT.joinpath(name).read_text() for name in documents())
    for expr, _ in README_EXAMPLES:
        assert expr.replace("\\", "") in readme.replace("\\", "")


@pytest.mark.parametrize("entry", generate.entries(), ids=lambda e: e["name"])
def test_sample_has_no_overfull_line(entry, tmp_path, pdflatex):
    (tmp_path / "s.tex").write_text((ROOT / "samples" / f"{entry['name']}.tex").read_text())
    assert [w for w in overfull(tmp_path, "s.tex", pdflatex) if w > 1] == []


def test_readme_examples_and_long_pages_fit_the_page(tmp_path, pdflatex):
    """One document holding every README example and the issue's widest pages, in both
    layouts; pdflatex's own overfull-box report is the measure."""
    parts = []
    for expr, wrt in README_EXAMPLES + LONG:
        for layout in ("numerator", "denominator"):
            d = derive(expr, wrt, layout=layout)
            parts.append(r"\section*{$%s$}" % d.title + "\n" + d.latex + "\n\\clearpage")
    preamble = derive("x", "x").standalone().split(r"\section*")[0]
    (tmp_path / "all.tex").write_text(preamble + "\n".join(parts) + "\n\\end{document}\n")
    assert [w for w in overfull(tmp_path, "all.tex", pdflatex) if w > 1] == []


# -- page consistency over the fuzz generator's expressions -----------------------------
MIXED = re.compile(r"\d\s*\\frac\{\d+\}\{\d+\}")
DELTA = re.compile(r"\\delta_\{(\w)(\w)\}")
BOLD = re.compile(r"\\boldsymbol\{(\\?\w+)\}")
DEFINED = re.compile(r"\\boldsymbol\{(\\?\w+)\}\s*=\s*")


def page_problems(d) -> list[str]:
    data = d.to_dict()
    bad = []
    for what, rx in (("mixed number", MIXED), ("recip", re.compile("recip")),
                     ("1/cdot", re.compile(r"\\frac\{1\}\{\\cdot\}"))):
        if rx.search(data["latex"]):
            bad.append(what)
    steps = data["steps"]
    closing = steps[-1]["latex"].split(r"\\")[0]
    sides = [p.strip() for p in re.split(r"&?=", closing)]
    if len(sides) >= 3 and sides[-1] == sides[-2]:
        bad.append("closing X = X")
    known = {"1", "0", "I"} | {"\\" + n for n in d.symbols} | set(d.symbols)
    known |= {re.sub(r"_?\d+$", "", n) for n in d.symbols}  # W2 prints as W_{2}
    known |= set(BOLD.findall(steps[0]["latex"].split("&=")[0]))
    defined: dict[str, str] = {}
    for step in steps:
        if step["rule"] == "delta":
            said = {tuple(sorted(m)) for m in DELTA.findall(step["text"])}
            shown = {tuple(sorted(m)) for m in DELTA.findall(step["latex"])}
            if said - shown:
                bad.append(f"delta sentence names {said - shown}")
        head, _, where = step["latex"].partition(r"\text{where")
        for m in DEFINED.finditer(where):
            value = where[m.end():].split(",")[0]
            if m.group(1) in defined and defined[m.group(1)] != value:
                bad.append(f"{m.group(1)} redefined")
            defined[m.group(1)] = value
        undefined = set(BOLD.findall(head)) - known - set(defined)
        if undefined:
            bad.append(f"{sorted(undefined)} used before it is defined ({step['rule']})")
    return bad


@pytest.mark.parametrize("strategy, wrt", [(vectors, "x"), (scalars, "x"), (scalars, "A")],
                         ids=["vector-by-x", "scalar-by-x", "scalar-by-A"])
@settings(max_examples=25, deadline=None, derandomize=True)
@given(data=st.data(), layout=st.sampled_from(["numerator", "denominator"]))
def test_every_page_is_consistent(strategy, wrt, data, layout):
    drawn = data.draw(strategy)
    if wrt not in drawn.text.replace("alpha", ""):
        return
    try:
        d = derive(drawn.text, wrt, layout=layout)
    except DerivtexError:
        return
    if d.result is None:
        return
    assert page_problems(d) == [], drawn.text


# -- lecturer form, in both layouts -----------------------------------------------------
@pytest.mark.parametrize("expr, wrt, numerator, denominator", [
    ("3 x^T A x", "x", "3 x^T (A + A^T)", "3 (A + A^T) x"),
    ("1/2 x^T A x - b^T x + gamma", "x", "1/2 x^T (A + A^T) - b^T", "1/2 (A + A^T) x - b"),
    ("-1/2 (x - mu)^T inv(S) (x - mu)", "x", "-1/2 (x - mu)^T (inv(S) + inv(S)^T)",
     "-1/2 (inv(S) + inv(S)^T) (x - mu)"),
    ("w^T (X^T X + lambda I) w", "w", "2 w^T (X^T X + lambda I)", "2 (X^T X + lambda I) w"),
    ("y^T A x", "x", "y^T A", "A^T y"),
    ("tr(A X B)", "X", "B A", "A^T B^T"),
    ("1/2 ||M v - d||^2", "v", "(M v - d)^T M", "M^T (M v - d)"),
    ("-(y^T log(sigma(X w)) + (1 - y)^T log(1 - sigma(X w)))", "w", "(sigma(X w) - y)^T X",
     "X^T (sigma(X w) - y)"),
    ("-y^T log(softmax(z))", "z", "(y^T 1) softmax(z)^T - y^T", "(y^T 1) softmax(z) - y"),
])
def test_results_in_lecturer_form_in_both_layouts(expr, wrt, numerator, denominator):
    assert derive(expr, wrt).result_text == numerator
    assert derive(expr, wrt, layout="denominator").result_text == denominator


def test_numbers_print_as_a_lecturer_writes_them():
    latex = derive("-1/2 x^T A x - 1/2 log(det(A)) + 1/2 ||x||^2", "x").latex
    assert not MIXED.search(latex) and r"(-1)" not in latex
    assert r"f &= -\frac{1}{2} \boldsymbol{x}^{\top}" in latex
    assert r"\log\det\left(\boldsymbol{A}\right)" in latex


def test_symmetric_sum_is_not_transposed():
    latex = derive("x^T A x", "x", layout="denominator", method="identity").latex
    assert r"\left(\boldsymbol{A} + \boldsymbol{A}^{\top}\right)^{\top}" not in latex


def test_delta_and_workhorse_sentences_use_the_equations_own_indices():
    steps = {s["rule"]: s for s in derive("a^T X b", "X").to_dict()["steps"]}
    assert r"\frac{\partial X_{kl}}{\partial X_{ij}} = \delta_{ik} \delta_{jl}\): it is 1 " \
        "when both pairs of indices agree" in steps["delta"]["text"]
    assert r"\delta_{ik} \delta_{jl} a_{k} b_{l}" in steps["delta"]["latex"]
    assert r"\sum_{k}\sum_{l} \delta_{ik} \delta_{jl}\, a_{k} b_{l} = a_{i} b_{j}" \
        in steps["contraction"]["text"]  # both deltas of the term, summed out together
    one = {s["rule"]: s for s in derive("W x", "x").to_dict()["steps"]}
    assert "moves inside the sum." in one["linearity"]["text"]
    assert one["reassembly"]["latex"] == ""  # W_ij is already the answer: no repeated line
    assert "entries of \\(\\boldsymbol{W}\\) itself" in one["reassembly"]["text"]


def test_chain_rule_cites_only_the_functions_it_differentiates():
    text = next(s["text"] for s in derive("tanh(W x) + sigma(x)", "x").to_dict()["steps"]
                if s["rule"] == "chain_rule")
    assert r"\tanh'" in text and r"\log'" not in text


def test_abbreviation_is_defined_on_its_first_line_and_never_again():
    steps = derive("-y^T log(softmax(z))", "z").to_dict()["steps"]
    wheres = [s["rule"] for s in steps if r"\boldsymbol{s} = " in s["latex"]]
    first_use = next(s["rule"] for s in steps if r"\boldsymbol{s}" in s["latex"]
                     or "s_{" in s["latex"])
    assert wheres == [first_use]


def test_long_rows_break_with_aligned_continuations():
    body = next(s["latex"] for s in derive("1/2 ||M v - d||^2", "v").to_dict()["steps"]
                if s["rule"] == "product_rule")
    rows = body.split("\\\\\n")
    assert len(rows) > 1 and all(r.startswith("&\\quad ") for r in rows[1:])


def test_method_both_without_an_identity_shows_the_index_method_and_says_so():
    d = derive("tr(X X)", "X", method="both")
    assert "No identity in derivtex's library covers this expression" in d.latex
    assert d.identity is None and d.result is not None


def test_scalar_variable_has_no_bold_identity():
    latex = derive("exp(-lambda ||x||^2)", "lambda", method="identity").latex
    assert r"\boldsymbol{I}" not in latex


def test_logistic_regression_cancels_entry_by_entry_before_reassembly():
    d = derive("-(y^T log(sigma(X w)) + (1 - y)^T log(1 - sigma(X w)))", "w").to_dict()
    rules = [s["rule"] for s in d["steps"]]
    assert rules.index("contraction") < rules.index("cancellation") < rules.index("reassembly")
    cancellation = d["steps"][rules.index("cancellation")]
    assert cancellation["latex"].endswith(
        r"X_{kj} \left[\sigma\left(\boldsymbol{X} \boldsymbol{w}\right) - "
        r"\boldsymbol{y}\right]_{k}")
    assert "recip" not in d["latex"] and "diag" not in d["latex"]


@pytest.mark.parametrize("expr, numerator", [("a^T X b", r"\boldsymbol{b} \boldsymbol{a}^{\top}"),
                                             ("log(det(X))", r"\boldsymbol{X}^{-1}")])
def test_identity_method_for_a_matrix_states_the_numerator_layout_form(expr, numerator):
    steps = derive(expr, "X", method="identity").to_dict()["steps"]
    identity = next(s for s in steps if s["rule"] == "identity")
    assert identity["text"].split(r"\(")[1].split(r"\)")[0].endswith("= " + numerator)
    assert "transpose of Matrix Cookbook" in identity["text"]
    assert r"^{\top} =" not in steps[-1]["latex"]  # no (a b^T)^T = b a^T


def test_equal_product_rule_terms_are_collected_into_twice_one_of_them():
    steps = derive("||A x - b||^2", "x").to_dict()["steps"]
    collect = next(s for s in steps if s["rule"] == "collect")
    assert "twice one of them" in collect["text"]
    assert collect["latex"].endswith(r"&= 2 \sum_{k=1}^{n} A_{kj} [\boldsymbol{A} "
                                     r"\boldsymbol{x} - \boldsymbol{b}]_{k}")


def test_scalar_factors_stand_where_a_lecturer_puts_them():
    assert derive("exp(-lambda ||x||^2)", "x").result_text.startswith("-2 lambda exp(")
    assert derive("exp(-lambda ||x||^2)", "lambda").result_text.startswith("-||x||^2 exp(")


def test_scalar_elementwise_products_print_as_powers():
    """The Rayleigh quotient's Hessian divides by (x^T x)^2, never (x^T x) ⊙ (x^T x)."""
    d = derive("x^T A x / (x^T x)", "x", order=2)
    assert r"{\left(\boldsymbol{x}^{\top} \boldsymbol{x}\right)^{2}}" in d.latex
    assert r"\odot" not in d.latex
    assert "(bold(x)^(top) bold(x))^(2)" in d.typst and "dot.o" not in d.typst


def test_a_scalar_every_term_shares_is_pulled_out_with_the_common_factor():
    """The Rayleigh quotient: 1/(x^T x) (x^T (A + A^T) - 2 (x^T A x)/(x^T x) x^T), its
    divisor once in front and never a helper s = 1/(x^T x)."""
    d = derive("x^T A x / (x^T x)", "x")
    x, a = r"\boldsymbol{x}", r"\boldsymbol{A}"
    assert d.steps[-1]["body"].endswith(
        rf"&= \frac{{1}}{{{x}^{{\top}} {x}}} \left({x}^{{\top}} \left({a} + {a}^{{\top}}"
        rf"\right) - \frac{{2 \left({x}^{{\top}} {a} {x}\right)}}{{{x}^{{\top}} {x}}} "
        rf"{x}^{{\top}}\right)")
    assert r"\text{where }" not in d.latex


@pytest.mark.parametrize("vector", ["c", "b"])
def test_summation_indices_are_letters_lecturers_sum_over(vector):
    """Never a, b, c...: a summation index b beside the vector b reads as the vector. Here
    p is a dimension, so the sums run over k, l, q, r, t."""
    expansion = derive(f"||A B x - {vector}||^2", "x").to_dict()["steps"][1]["latex"]
    assert expansion == (
        r"f &= \sum_{k=1}^{n} \left(\sum_{l=1}^{m}\sum_{q=1}^{p} A_{kl} B_{lq} x_{q} - "
        rf"{vector}_{{k}}\right) \left(\sum_{{r=1}}^{{m}}\sum_{{t=1}}^{{p}} A_{{kr}} "
        rf"B_{{rt}} x_{{t}} - {vector}_{{k}}\right)")


def test_summation_indices_are_numbered_when_the_letters_run_out():
    expansion = derive("y^T A B C D E F x", "x").to_dict()["steps"][1]["latex"]
    assert r"E_{i,k_{1}} F_{k_{1},k_{2}} x_{k_{2}}" in expansion


@pytest.mark.parametrize("expr, closing", [
    ("softmax(W x)", r"\frac{\partial \boldsymbol{y}}{\partial \boldsymbol{x}} &= \left("
     r"\operatorname{diag}\left(\boldsymbol{y}\right) - \boldsymbol{y} \boldsymbol{y}^{\top}"
     r"\right) \boldsymbol{W}"),
    ("sigma(w^T x)", r"\frac{\partial f}{\partial \boldsymbol{x}} &= f \left(1 - f\right) "
     r"\boldsymbol{w}^{\top}"),
])
def test_a_function_value_that_is_the_output_keeps_the_outputs_name(expr, closing):
    steps = derive(expr, "x").to_dict()["steps"]
    assert steps[-1]["latex"] == closing
    assert not any("where" in s["latex"] for s in steps)


def test_the_softmax_output_is_written_out_once_not_as_itself():
    steps = {s["rule"]: s for s in derive("softmax(W x)", "x").to_dict()["steps"]}
    assert steps["sum_expansion"]["latex"] == (
        r"y_{i} &= \left[\operatorname{softmax}\left(\boldsymbol{W} \boldsymbol{x}\right)"
        r"\right]_{i}")
    assert r"\frac{\partial y_{i}}{\partial u_{k}} = y_{i} \delta_{ik} - y_{i} y_{k}" in \
        steps["softmax"]["text"]


def test_a_contracted_sum_never_shares_its_index_with_a_sum_that_stays():
    """The Rayleigh quotient: the chain rule's copy of sum_p x_p^2 sums over q, so "each
    sum over q keeps only its term with q = j" is not read of the denominators' sum."""
    steps = {s["rule"]: s for s in derive("x^T A x / (x^T x)", "x",
                                          symmetric={"A"}).to_dict()["steps"]}
    assert steps["chain_rule"]["latex"].endswith(
        r"\left(-\frac{1}{\left(\sum_{p=1}^{n} x_{p}^{2}\right)^{2}}\right) \left("
        r"\sum_{q=1}^{n} \frac{\partial}{\partial x_{j}}\left(x_{q}^{2}\right)\right)")
    assert steps["contraction"]["text"].endswith(
        r"the sum over \(q\) keeps only its term with \(q = j\).")
    assert r"\frac{1}{\sum_{p=1}^{n} x_{p}^{2}}" in steps["contraction"]["latex"]
    sigmoid = {s["rule"]: s for s in derive("sigma(W x)", "x").to_dict()["steps"]}
    assert sigmoid["contraction"]["latex"] == (
        r"\frac{\partial y_{i}}{\partial x_{j}} &= \sigma'\left(\sum_{k=1}^{m} W_{ik} x_{k}"
        r"\right) W_{ij}")
    assert sigmoid["contraction"]["text"].endswith(
        r"the sum over \(l\) keeps only its term with \(l = j\).")


def test_a_page_name_is_never_one_of_the_pages_index_letters():
    """s is the user's vector and u, v sum the chain rule's copy, so sigma(A B C x) is g."""
    steps = derive("s^T sigma(A B C x)", "x").to_dict()["steps"]
    contraction = next(s for s in steps if s["rule"] == "contraction")
    assert r"\sum_{u=1}^{m}\sum_{v=1}^{p}" in contraction["latex"]
    assert steps[-1]["latex"] == (
        r"\frac{\partial f}{\partial \boldsymbol{x}} &= \boldsymbol{s}^{\top} "
        r"\operatorname{diag}\left(\boldsymbol{g} \odot \left(\boldsymbol{1} - "
        r"\boldsymbol{g}\right)\right) \boldsymbol{A} \boldsymbol{B} \boldsymbol{C}")
