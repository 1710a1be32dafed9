"""Random well-typed expressions: a verified result or a DerivtexError, never anything else."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from derivtex import derive
from derivtex.errors import DerivtexError
from tests.conftest import evaluate_numpy

# Building blocks of known shape: n-vectors, n×n matrices, scalars; x is the variable.
VECTORS = ["x", "b", "A x", "B x", "A^T x", "A B x", "x - b", "2 x", "alpha x"]
MATRICES = ["A", "B", "A^T", "A + B", "A B", "(A - B^T)"]


@st.composite
def expressions(draw):
    kind = draw(st.sampled_from(["vector", "scalar"]))
    vec = draw(st.sampled_from(VECTORS))
    mat = draw(st.sampled_from(MATRICES))
    other = draw(st.sampled_from(VECTORS))
    if kind == "vector":
        form = draw(st.sampled_from(["{m} ({v})", "{m} ({v}) + {o}", "({v}) - {m} ({o})"]))
    else:
        form = draw(st.sampled_from(["({v})^T {m} ({o})", "||{v}||^2", "({v})^T ({o})",
                                     "||{m} ({v}) - {o}||^2 + alpha ||{v}||^2"]))
    expr = form.format(m=mat, v=vec, o=other)
    return expr if "x" in expr else expr + " + x^T x" if kind == "scalar" else expr + " + x"


def numeric_jacobian(f, x0):
    cols = []
    for k in range(x0.size):
        e = np.zeros_like(x0)
        e.flat[k] = 1e-6
        cols.append((np.asarray(f(x0 + e)) - np.asarray(f(x0 - e))).ravel() / 2e-6)
    return np.array(cols).T


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions(), st.sampled_from(["numerator", "denominator"]))
def test_random_expressions_are_verified_or_rejected(expr, layout):
    try:
        d = derive(expr, "x", layout=layout)
    except DerivtexError:
        return
    data = d.to_dict()
    assert data["verified"] is True
    rng = np.random.default_rng(7)
    arrays = {}
    for name, s in data["symbols"].items():
        shape = tuple(4 if isinstance(v, str) else v for v in s["shape"])
        arrays[name] = float(rng.uniform(0.5, 2)) if s["kind"] == "scalar" else \
            rng.standard_normal(shape)
    # an independent evaluation of the input: numpy on the same arrays
    from derivtex.model import Shapes
    from derivtex.verify import Evaluator

    ev = Evaluator(Shapes(d.symbols), {"n": 4})
    env = {k: np.atleast_2d(v) for k, v in arrays.items()}
    jac = numeric_jacobian(lambda x: ev(d.parsed, {**env, "x": x}), env["x"])
    want = jac if jac.shape[0] > 1 else jac.reshape(1, -1)
    if layout == "denominator":
        want = want.T
    got = evaluate_numpy(data["numpy"], arrays)
    np.testing.assert_allclose(np.broadcast_to(got, want.shape), want, rtol=1e-5, atol=1e-6)
