"""Random well-typed expressions with an independent numpy reference for each.

Every node is drawn together with a function computing its value from the arrays, so
the property tests compare derivtex's `numpy` field with finite differences of an
evaluation that shares no code with derivtex.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

Fn = Callable[[dict], np.ndarray]


@dataclass(frozen=True)
class Drawn:
    text: str
    fn: Fn


def _sig(z):
    return 1 / (1 + np.exp(-z))


def leaf_vector(name: str) -> Drawn:
    return Drawn(name, lambda env: env[name])


def leaf_matrix(name: str) -> Drawn:
    return Drawn(name, lambda env: env[name])


@st.composite
def matrices(draw, depth: int = 2) -> Drawn:
    options = ["A", "B", "A^T", "inv(A)"]
    if depth > 0:
        options += ["sum", "product"]
    kind = draw(st.sampled_from(options))
    if kind == "A^T":
        return Drawn("A^T", lambda env: env["A"].T)
    if kind == "inv(A)":
        return Drawn("inv(A)", lambda env: np.linalg.inv(env["A"]))
    if kind in ("A", "B"):
        return leaf_matrix(kind)
    left, right = draw(matrices(depth - 1)), draw(matrices(depth - 1))
    if kind == "sum":
        return Drawn(f"({left.text} + {right.text})", lambda env: left.fn(env) + right.fn(env))
    return Drawn(f"{left.text} {right.text}", lambda env: left.fn(env) @ right.fn(env))


@st.composite
def vectors(draw, depth: int = 2) -> Drawn:
    options = ["x", "a", "b"]
    if depth > 0:
        options += ["matvec", "sum", "diff", "scale", "sigma", "tanh", "hadamard"]
    kind = draw(st.sampled_from(options))
    if kind in ("x", "a", "b"):
        return leaf_vector(kind)
    inner = draw(vectors(depth - 1))
    if kind == "matvec":
        m = draw(matrices(depth - 1))
        return Drawn(f"{m.text} ({inner.text})", lambda env: m.fn(env) @ inner.fn(env))
    if kind == "scale":
        return Drawn(f"alpha ({inner.text})", lambda env: env["alpha"] * inner.fn(env))
    if kind == "sigma":
        return Drawn(f"sigma({inner.text})", lambda env: _sig(inner.fn(env)))
    if kind == "tanh":
        return Drawn(f"tanh({inner.text})", lambda env: np.tanh(inner.fn(env)))
    other = draw(vectors(depth - 1))
    if kind == "sum":
        return Drawn(f"({inner.text} + {other.text})", lambda env: inner.fn(env) + other.fn(env))
    if kind == "diff":
        return Drawn(f"({inner.text} - {other.text})", lambda env: inner.fn(env) - other.fn(env))
    return Drawn(f"(({inner.text}) .* ({other.text}))",
                 lambda env: inner.fn(env) * other.fn(env))


@st.composite
def scalars(draw, depth: int = 2) -> Drawn:
    kind = draw(st.sampled_from(["dot", "norm", "quad", "trace", "det", "logdet"]))
    if kind == "dot":
        u, v = draw(vectors(depth)), draw(vectors(depth))
        return Drawn(f"({u.text})^T ({v.text})", lambda env: (u.fn(env).T @ v.fn(env)).item())
    if kind == "norm":
        u = draw(vectors(depth))
        return Drawn(f"||{u.text}||^2", lambda env: float(np.sum(u.fn(env) ** 2)))
    if kind == "quad":
        u, m = draw(vectors(depth)), draw(matrices(depth - 1))
        return Drawn(f"({u.text})^T {m.text} ({u.text})",
                     lambda env: (u.fn(env).T @ m.fn(env) @ u.fn(env)).item())
    if kind == "trace":
        m = draw(matrices(depth))
        return Drawn(f"tr({m.text})", lambda env: float(np.trace(m.fn(env))))
    if kind == "det":
        return Drawn("det(A)", lambda env: float(np.linalg.det(env["A"])))
    return Drawn("log(det(A))", lambda env: float(np.log(np.linalg.det(env["A"]))))


def bind(symbols: dict, rng: np.random.Generator, sizes=(3, 4, 2, 5)) -> dict:
    """Arrays for the reported symbols: vectors positive, square matrices near 2I."""
    dims: dict = {}
    arrays = {}
    for name, s in symbols.items():
        shape = []
        for d in s["shape"]:
            if isinstance(d, str):
                d = dims.setdefault(d, sizes[len(dims) % len(sizes)])
            shape.append(d)
        if s["kind"] == "scalar":
            arrays[name] = float(rng.uniform(0.5, 1.5))
        elif s["kind"] == "matrix" and shape[0] == shape[1]:
            arrays[name] = 2 * np.eye(shape[0]) + 0.3 * rng.uniform(-1, 1, shape)
        else:
            arrays[name] = rng.uniform(0.2, 1.2, tuple(shape))
    return arrays


def jacobian(fn: Fn, arrays: dict, wrt: str, layout: str) -> np.ndarray:
    """Central differences of fn by arrays[wrt], arranged in the layout (SPEC §3)."""
    x0 = arrays[wrt]
    cols = []
    for k in range(x0.size):
        step = np.zeros(x0.shape)
        step.flat[k] = 1e-6
        plus = np.asarray(fn({**arrays, wrt: x0 + step}), dtype=float)
        minus = np.asarray(fn({**arrays, wrt: x0 - step}), dtype=float)
        cols.append((plus - minus).ravel() / 2e-6)
    jac = np.array(cols).T
    if jac.shape[0] == 1:
        jac = jac.reshape(x0.shape).T if x0.shape[1] > 1 else jac.reshape(1, -1)
    return jac.T if layout == "denominator" else jac
