"""Random well-typed expressions: a verified result that matches an independent numpy
reference — never a wrong answer, never another exception. The generator only builds
valid expressions, so a rejection (DerivtexError) is a gap in derivtex: at most
REJECTION_BUDGET of the examples may be rejected, and the failure names each kind."""

import math
import os
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from derivtex import derive
from derivtex.errors import DerivtexError
from derivtex.printing.safety import FORBIDDEN_MACROS
from fuzz import generate
from tests.conftest import evaluate_numpy, read_back
from tests.strategies import (
    bind,
    jacobian,
    lecturer_scalars,
    matrices,
    row_vectors,
    scalars,
    vectors,
)

SETTINGS = settings(max_examples=int(os.environ.get("DERIVTEX_EXAMPLES", "80")), deadline=None,
                    derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


def check(drawn, wrt: str, layout: str) -> str | None:
    """Empty when derived and right, None when `wrt` was not drawn, else the rejection."""
    if wrt not in re.findall(r"[A-Za-z][A-Za-z0-9_]*", drawn.text):
        return None
    try:
        d = derive(drawn.text, wrt, layout=layout, symmetric=drawn.symmetric)
    except DerivtexError as exc:
        assert str(exc)
        return f"{exc.message[:70]} ({drawn.text} by {wrt})"
    data = d.to_dict()
    assert data["verified"] is True
    assert not FORBIDDEN_MACROS.search(data["latex"])
    if data["numpy"] is None:
        return ""
    arrays = bind(data["symbols"], np.random.default_rng(11))
    want = jacobian(drawn.fn, arrays, wrt, layout)
    got = evaluate_numpy(data["numpy"], arrays)
    np.testing.assert_allclose(np.broadcast_to(got, want.shape), want, rtol=1e-4, atol=1e-6,
                               err_msg=f"{drawn.text} wrt {wrt} ({layout}): {data['result']}")
    again = read_back(d)
    if again is not None:  # the result text reads back to the same value
        np.testing.assert_allclose(np.broadcast_to(evaluate_numpy(again, arrays), got.shape), got,
                                   rtol=1e-10, err_msg=f"{drawn.text}: {data['result']}")
    return ""


CLASSES = [(vectors, "x"), (scalars, "x"), (scalars, "A"), (matrices, "A"),
           (lecturer_scalars, "x"), (lecturer_scalars, "A"), (row_vectors, "x"),
           (lecturer_scalars, "S")]


@pytest.mark.parametrize("strategy, wrt", CLASSES,
                         ids=["vector-by-x", "scalar-by-x", "scalar-by-A", "tensor-by-A",
                              "lecturer-by-x", "lecturer-by-A", "row-by-x", "lecturer-by-S"])
def test_random_expressions(strategy, wrt):
    examples: list[str | None] = []  # per example: "" derived, None skipped, or why not

    @SETTINGS
    @given(data=st.data(), layout=st.sampled_from(["numerator", "denominator"]))
    def derive_one(data, layout):
        examples.append(check(data.draw(strategy), wrt, layout))

    derive_one()
    tried = [r for r in examples if r is not None]
    rejected = [r for r in tried if r]
    allowed = math.ceil(generate.REJECTION_BUDGET * len(tried))
    assert tried and len(rejected) <= allowed, (
        f"{len(rejected)} of {len(tried)} valid expressions rejected (budget {allowed}):\n"
        + "\n".join(rejected))


def test_random_hessians():
    """--order 2 on the generator's scalar expressions: never wrong, never a crash. relu and
    abs have no second derivative where they bend, so only their refusals are outside the
    budget."""
    from fuzz.hessians import hessian_outcome

    outcomes: list[tuple[str, str]] = []

    @SETTINGS
    @given(drawn=scalars, seed=st.integers(0, 2**32 - 1))
    def derive_one(drawn, seed):
        outcomes.append(hessian_outcome(drawn, seed))

    derive_one()
    tried = [(o, d) for o, d in outcomes if o != "skipped"]
    assert tried and not [d for o, d in tried if o in ("wrong", "crash", "internal")]
    rejected = [d for o, d in tried if o == "rejected"
                and not any(f in d for f in generate.KINKED)]
    assert len(rejected) <= math.ceil(generate.REJECTION_BUDGET * len(tried)), rejected
