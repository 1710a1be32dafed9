"""Every page the fuzz generator's expressions give is one a student can trust:
it passes the page verifier (derive() runs it: a false line raises), prints no literal
factor 1 and no double negative, and states no rule in letters the page already uses."""

import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from derivtex import derive
from derivtex.errors import DerivtexError
from tests.strategies import lecturer_scalars, matrices, row_vectors, scalars, vectors

SETTINGS = settings(max_examples=int(os.environ.get("DERIVTEX_EXAMPLES", "80")) // 2,
                    deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])

LITERAL_ONE = [re.compile(r"(?<![\d.{^_\\])1\s*\\(exp|log|sigma|tanh)\b"),
               re.compile(r"_\{?[a-z]\}?\s+1(?![\d.])\s*(?:[-+=}&]|\\\\|\\right|$)")]
DOUBLE_NEGATIVE = re.compile(r"-\s*(?:\\left|\\bigl|\\Bigl|\\biggl)?\(\s*-")
RULES = ("softmax", "determinant", "inverse", "diag")
SUBSCRIPT = re.compile(r"_\{([a-z]+)\}")


def letters(tex: str) -> set[str]:
    """The index letters of the subscripts in `tex` (z_{kl} gives k and l)."""
    return {c for group in SUBSCRIPT.findall(tex) for c in group}


def page_problems(data: dict) -> list[str]:
    bad = []
    tex = data["latex"]
    if any(rx.search(tex) for rx in LITERAL_ONE):
        bad.append("a literal factor 1")
    if DOUBLE_NEGATIVE.search(tex):
        bad.append("a double negative")
    steps = data["steps"]
    for n, step in enumerate(steps):
        if step["rule"] not in RULES:
            continue
        said = letters(" ".join(re.findall(r"\\\((.*?)\\\)", step["text"])))
        own = letters(step["latex"])
        live = set().union(*(letters(s["latex"]) for m, s in enumerate(steps) if m != n))
        clash = (said - own) & live
        if clash:
            bad.append(f"the {step['rule']} rule is stated in {sorted(clash)}, live on the page")
    return bad


def page_of(text: str, wrt: str, **options) -> dict | None:
    """The page as JSON, or None when `wrt` was not drawn or the input is refused (the
    property tests of test_properties.py count refusals)."""
    if wrt not in re.findall(r"[A-Za-z][A-Za-z0-9_]*", text):
        return None
    try:
        return derive(text, wrt, **options).to_dict()
    except DerivtexError:
        return None


CLASSES = [(vectors, "x"), (scalars, "x"), (scalars, "A"), (matrices, "A"),
           (lecturer_scalars, "x"), (lecturer_scalars, "A"), (row_vectors, "x")]


@pytest.mark.parametrize("strategy, wrt", CLASSES,
                         ids=["vector-by-x", "scalar-by-x", "scalar-by-A", "tensor-by-A",
                              "lecturer-by-x", "lecturer-by-A", "row-by-x"])
def test_first_derivative_pages(strategy, wrt):
    @SETTINGS
    @given(data=st.data(), layout=st.sampled_from(["numerator", "denominator"]))
    def page_is_true(data, layout):
        drawn = data.draw(strategy)
        page = page_of(drawn.text, wrt, layout=layout, symmetric=drawn.symmetric)
        if page is not None:
            assert not page_problems(page), (drawn.text, wrt, layout, page_problems(page))

    page_is_true()


@pytest.mark.parametrize("strategy", [scalars, lecturer_scalars], ids=["scalar", "lecturer"])
def test_hessian_pages(strategy):
    @SETTINGS
    @given(drawn=strategy)
    def page_is_true(drawn):
        page = page_of(drawn.text, "x", order=2)
        if page is not None:
            assert not page_problems(page), (drawn.text, page_problems(page))

    page_is_true()


def test_the_checks_can_fail():
    """The page checks themselves: each catches the defect it names."""
    page = {"latex": r"f = 1 \exp(z_k) - (-y_k)", "steps": [
        {"rule": "sum_expansion", "latex": r"f = \sum_{k} \sum_{l} y_{k} z_{l}", "text": ""},
        {"rule": "softmax", "latex": r"\sum_{p} s_{i} z_{p}",
         "text": r"By \(\frac{\partial s_{i}}{\partial z_{k}} = s_{i} \delta_{ik}\)."}]}
    assert page_problems(page) == ["a literal factor 1", "a double negative",
                                   "the softmax rule is stated in ['k'], live on the page"]
