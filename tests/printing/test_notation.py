"""Pages in the lecturer's own notation: the notes' four derivations in the `notes` preset
against the notes' own equations, each setting's spelling, Iverson's and Einstein's
sentences, and lowercase entries that never clash with another name."""

import re
from pathlib import Path

import pytest

import derivtex
from derivtex.notation_settings import CHOICES, PRESETS

NOTES = (Path("/work/shared/reference/jacobians-notes.txt"))


def normal(tex: str) -> str:
    r"""TeX with the differences that are only spacing taken out: blanks, alignment
    points, \left/\right, and braces around a one-character sub- or superscript
    (x_{k} is x_k)."""
    tex = re.sub(r"\\(left|right)(?![A-Za-z])", "", tex)
    tex = tex.replace("&", "").replace(r"\,", "")
    tex = re.sub(r"([_^])\{(\w)\}", r"\1\2", tex)
    return re.sub(r"\s+", "", tex)


def displays(d) -> str:
    """Every display row of the page, normalised, one string."""
    return normal(" ".join(s["body"] for s in d.steps))


def notes(expression, wrt):
    return derivtex.derive(expression, wrt=wrt, notation="notes")


# The notes' equations, quoted from jacobians-notes.txt (the notes write \textbf for a
# bold vector and put a product's factors in one \mathbf{a^T x}; derivtex writes
# \mathbf on each symbol: those rows are given here with that grouping).
def test_linear_layer_reproduces_the_notes():
    page = displays(notes("W x", "x"))
    for row in [r"\frac{d y_i}{d x_j} = \frac{d}{dx_j}(\sum_{k=1}^{m} w_{ik} x_k)",
                r"\sum_{k=1}^{m} \delta_{jk} w_{ik} = w_{ij}",
                r"\frac{d\mathbf{y}}{d\mathbf{x}} = \mathbf{W}"]:
        assert normal(row) in page, row


def test_the_rows_are_quoted_from_the_notes():
    """The rows above that the notes write verbatim (spacing aside) are in the notes."""
    text = normal(NOTES.read_text()) if NOTES.exists() else None
    if text is None:
        pytest.skip("the reference notes are not on this machine")
    assert normal(r"\frac{d}{dx_j} (\sum_{k=1}^m w_{ik}x_k)") in text
    assert normal(r"\sum_{k=1}^m\delta_{jk} w_{ik} = w_{ij}") in text


def test_inner_product_reproduces_the_notes():
    """The notes write d/dx_j sum_k a_k x_k; derivtex brackets the sum it differentiates."""
    page = displays(notes("a^T x", "x"))
    for row in [r"\frac{d}{dx_j} (\sum_{k=1}^n a_k x_{k}) = \sum_{k=1}^n \frac{d}{dx_j}(a_k x_k)",
                r"\sum_{k=1}^n \delta_{jk} a_k = a_j",
                r"\frac{d f}{d\mathbf{x}} = \mathbf{a}^T"]:
        assert normal(row) in page, row


def test_bilinear_reproduces_the_notes():
    """The notes differentiate by x_i and sum over j; derivtex keeps j for the variable and
    sums over k and l: the same rows in those letters."""
    page = displays(notes("y^T A x", "x"))
    for row in [r"\sum_{k=1}^n \sum_{l=1}^m \frac{d}{dx_j}(y_{k}a_{kl}x_l)",
                r"\sum_{k=1}^n \sum_{l=1}^m \delta_{jl} y_k a_{kl} = \sum_{k=1}^n y_k a_{kj}",
                r"\frac{d f}{d\mathbf{x}} = \mathbf{y}^T \mathbf{A}"]:
        assert normal(row) in page, row


def test_product_plus_matrix_reproduces_the_notes():
    page = displays(notes("(A B + C) v", "v"))
    assert normal(r"\frac{d\mathbf{y}}{d\mathbf{v}} = \mathbf{A}\mathbf{B} + \mathbf{C}") \
        in page
    assert normal(r"= [\mathbf{A} \mathbf{B} + \mathbf{C}]_{ij}") in page


def test_the_notes_keep_every_check():
    """Notation changes how the page is written, never what is derived."""
    for expression, wrt in [("W x", "x"), ("a^T x", "x"), ("y^T A x", "x"),
                            ("(A B + C) v", "v")]:
        plain, styled = derivtex.derive(expression, wrt=wrt), notes(expression, wrt)
        assert styled.verified and styled.result_text == plain.result_text
        assert styled.numpy == plain.numpy
        # the notes write the Jacobian out as a matrix (jacobian=matrix) before reading it
        assert [s["rule"] for s in styled.steps if s["rule"] != "written_out"] == \
            [s["rule"] for s in plain.steps]
        assert "written_out" in [s["rule"] for s in styled.steps]


@pytest.mark.parametrize(("key", "value", "written"), [
    ("derivative", "d", r"\frac{d y_{i}}{d x_{j}}"),
    ("vector", "mathbf", r"\mathbf{x}"), ("vector", "bm", r"\bm{x}"),
    ("vector", "plain", r"\in \mathbb{R}^{m}"), ("vector", "arrow", r"\vec{x}"),
    ("vector", "underline", r"\underline{x}"), ("matrix", "mathbf", r"\mathbf{W}"),
    ("matrix", "plain", r"Here \(W \in"), ("matrix", "underline", r"\underline{W}"),
    ("transpose", "T", r"^{T}"), ("transpose", "mathsf", r"^{\mathsf{T}}"),
    ("transpose", "intercal", r"^{\intercal}"), ("transpose", "prime", r"^{\prime}"),
    ("entries", "lower", "w_{ik}"), ("delta", "iverson", "[j = k]"),
    ("sums", "bare", r"\sum_{k} \delta_{jk}"), ("sums", "einstein", r"&= \delta_{jk} W_{ik}"),
])
def test_each_setting_is_written(key, value, written):
    expression = "W x + a^T x b" if key == "transpose" else "W x"
    d = derivtex.derive(expression, wrt="x", notation={key: value})
    assert written in d.latex
    assert d.latex != derivtex.derive(expression, wrt="x").latex


@pytest.mark.parametrize(("key", "value", "written"), [
    ("derivative", "d", "(dif y_(i))/(dif x_(j))"), ("vector", "arrow", "arrow(x)"),
    ("vector", "underline", "underline(x)"), ("matrix", "plain", "W_(i k)"),
    ("transpose", "T", "bold(a)^(T)"), ("transpose", "mathsf", "bold(a)^(sans(T))"),
    ("entries", "lower", "w_(i k)"), ("delta", "iverson", "[j = k]"),
    ("sums", "bare", "sum_(k) "),
])
def test_typst_has_each_setting_in_its_own_spelling(key, value, written):
    d = derivtex.derive("W x + a^T x b", wrt="x", notation={key: value})
    assert written in d.typst


def test_iverson_sentences_name_the_bracket():
    d = derivtex.derive("W x", wrt="x", notation={"delta": "iverson"})
    delta, contraction = (s["text"] for s in d.steps if s["rule"] in ("delta", "contraction"))
    assert r"\(\frac{\partial x_{k}}{\partial x_{j}} = [j = k]\): it is 1 when the indices " \
        r"agree and 0 otherwise, an Iverson bracket." in delta
    assert contraction.startswith(r"Sum out the bracket with the workhorse \(\sum_{k} "
                                  r"[j = k]\, W_{ik} = W_{ij}\): the sum over \(k\) keeps "
                                  r"only its term with \(k = j\).")
    assert "delta" not in delta + contraction


def test_einstein_is_said_once_and_each_contraction_names_its_index():
    d = derivtex.derive("y^T A x", wrt="x", notation="physics")
    texts = [s["text"] for s in d.steps]
    assert sum("Einstein's convention" in t for t in texts) == 1
    expansion = next(s for s in d.steps if s["rule"] == "sum_expansion")
    assert "Einstein's convention" in expansion["text"]
    assert expansion["body"] == "f &= y_{k} A_{kl} x_{l}"
    contraction = next(s for s in d.steps if s["rule"] == "contraction")
    assert r"\delta_{jl}\, A_{kl} = A_{kj}" in contraction["text"]
    assert r"the sum over \(l\) keeps only its term with \(l = j\)" in contraction["text"]
    assert r"\sum" not in "".join(s["body"] for s in d.steps)


def test_einstein_keeps_a_sum_whose_index_is_not_repeated_twice():
    """sum(x) is sum_k x_k: k appears once, so Einstein's convention cannot drop the sum;
    nor where k appears three times."""
    d = derivtex.derive("sum(x)", wrt="x", notation="physics")
    expansion = next(s for s in d.steps if s["rule"] == "sum_expansion")
    assert expansion["body"] == r"f &= \sum_{k} x_{k}"
    assert r"\(\sum_{k} \delta_{jk}\, 1 = 1\)" in d.latex
    cubic = derivtex.derive("(x .* y)^T z", wrt="z", notation="physics")
    expansion = next(s for s in cubic.steps if s["rule"] == "sum_expansion")
    assert expansion["body"] == r"f &= \sum_{k} x_{k} y_{k} z_{k}"


def test_lowercase_entries_never_clash():
    """A and a both in the expression: A's entries stay A_ik; W has no w beside it."""
    d = derivtex.derive("A a + W a", wrt="a", notation={"entries": "lower"})
    assert "A_{ik}" in d.latex and "a_{ik}" not in d.latex and "w_{il}" in d.latex
    assert "W_{il}" not in d.latex
    for clash in ("Y x", "K x", "M x"):  # the output y, an index letter k, a dimension m
        letter = clash[0]
        page = derivtex.derive(clash, wrt="x", notation={"entries": "lower"}).latex
        assert re.search(letter.lower() + r"_\{i[a-z]\}", page) is None, clash


def test_every_value_of_every_key_is_known():
    assert set(CHOICES) == set(PRESETS["default"].keys())
