"""check_answer over random expressions of the fuzz generator (hypothesis): derivtex's own
result is "correct", its transpose (where the shape differs) "other_layout", and a
perturbed result — the sign flipped, a coefficient changed, one matrix transposed — is
never "correct" unless it has the same values."""

import os
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from derivtex import check_answer, derive
from derivtex.errors import DerivtexError
from derivtex.model.answer import toggled_transposes
from derivtex.model.shapes import Shapes
from derivtex.printing.plain import NumpyPrinter, text
from tests.conftest import evaluate_numpy
from tests.strategies import bind, lecturer_scalars, row_vectors, scalars, vectors

SETTINGS = settings(max_examples=max(10, int(os.environ.get("DERIVTEX_EXAMPLES", "80")) // 2),
                    deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])
CLASSES = [(vectors, "x"), (scalars, "x"), (lecturer_scalars, "A"), (row_vectors, "x"),
           (scalars, "A")]


def same_values(d, variant) -> bool:
    """Whether a variant of the result has the result's values (independently of the
    checker: the JSON `numpy` code evaluated at the fuzz generator's own values)."""
    code = NumpyPrinter(d.symbols, Shapes(d.symbols))(variant)
    for seed in (5, 6):
        arrays = bind(d.to_dict()["symbols"], np.random.default_rng(seed))
        with np.errstate(all="ignore"):
            want = evaluate_numpy(d.numpy, arrays)
            got = evaluate_numpy(code, arrays)
        if got.shape != want.shape or not np.allclose(got, want, rtol=1e-9, atol=1e-12):
            return False
    return True


def judged(drawn, wrt: str, layout: str) -> bool | None:
    """Whether the expression was derived and its verdicts held (None: it does not hold
    the variable, so there is nothing to derive)."""
    if wrt not in re.findall(r"[A-Za-z][A-Za-z0-9_]*", drawn.text):
        return None
    try:
        d = derive(drawn.text, wrt, layout=layout, symmetric=drawn.symmetric)
    except DerivtexError:
        return False  # rejections are test_properties.py's to count
    if d.result_text is None:
        return False

    def verdict(answer: str) -> str:
        return check_answer(drawn.text, wrt=wrt, answer=answer, layout=layout,
                            symmetric=drawn.symmetric).verdict

    result = d.result_text
    about = f"{drawn.text} by {wrt} ({layout}): {result}"
    assert verdict(result) == "correct", about
    rows, cols = d.outcome.result_shape
    arrays = bind(d.to_dict()["symbols"], np.random.default_rng(7))
    with np.errstate(all="ignore"):
        zero = bool(np.allclose(evaluate_numpy(d.numpy, arrays), 0))  # (x - x)^T x, say
    if rows != cols and not zero:
        assert verdict(f"({result})^T") == "other_layout", about
    if not zero:
        assert verdict(f"-({result})") != "correct", about
        assert verdict(f"1.5 ({result})") != "correct", about
    for _, _, variant in toggled_transposes(d.result, d.symbols)[:2]:
        if not same_values(d, variant):
            assert verdict(text(variant, Shapes(d.symbols))) != "correct", about
    return True


@pytest.mark.parametrize("strategy, wrt", CLASSES,
                         ids=["vector-by-x", "scalar-by-x", "lecturer-by-A", "row-by-x",
                              "scalar-by-A"])
def test_derivtex_own_result_is_correct_its_transpose_the_other_layout(strategy, wrt):
    checked = []

    @SETTINGS
    @given(data=st.data(), layout=st.sampled_from(["numerator", "denominator"]))
    def one(data, layout):
        checked.append(judged(data.draw(strategy), wrt, layout))

    one()
    holding = [c for c in checked if c is not None]
    assert holding and sum(holding) >= len(holding) // 3, "too few examples were derived to judge"
