"""Random well-typed expressions over the whole language, each with a numpy reference.

Every node is drawn with a function computing its value from the arrays, so a derived
result can be compared with finite differences of an evaluation that shares no code
with derivtex. `choose(options)` picks one option: hypothesis's draw in the property
tests, a seeded random.Random in `make fuzz`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from derivtex.verify.differences import finite_differences

# Every drawn expression is valid, so a rejection is a gap in derivtex: at most this share
# of the expressions may be rejected (the property tests and `make fuzz` enforce it).
REJECTION_BUDGET = 0.01

Choose = Callable[[Sequence[str]], str]
Fn = Callable[[dict], np.ndarray]


@dataclass(frozen=True)
class Drawn:
    """`symmetric`: matrices the expression declares symmetric (derive(..., symmetric=))."""

    text: str
    fn: Fn
    symmetric: tuple[str, ...] = ()


def _sig(z):
    return 1 / (1 + np.exp(-z))


def _softmax(z):
    e = np.exp(z - np.max(z))
    return e / np.sum(e)


MATRIX_LEAVES = {
    "A": lambda env: env["A"], "B": lambda env: env["B"], "C": lambda env: env["C"],
    "A^T": lambda env: env["A"].T, "B^T": lambda env: env["B"].T,
    "inv(A)": lambda env: np.linalg.inv(env["A"]),
}
CHAIN_LENGTHS = ("3", "5", "8", "9")


def matrix_leaf(choose: Choose) -> Drawn:
    kind = choose(list(MATRIX_LEAVES))
    return Drawn(kind, MATRIX_LEAVES[kind])


def matrix(choose: Choose, depth: int = 2) -> Drawn:
    """A square matrix. Deeper options: sums, products, diag, long chains of 3 to 9
    factors, and zero factors such as (P^T - P.T) that make whole terms vanish."""
    if depth > 0:
        options = ["leaf", "leaf", "zero", "sum", "product", "diag", "chain"]
    else:
        options = ["leaf", "leaf", "leaf", "leaf", "zero"]
    kind = choose(options)
    if kind == "leaf":
        return matrix_leaf(choose)
    if kind == "zero":
        name = choose(["P", "B", "A"])
        return Drawn(f"({name}^T - {name}.T)", lambda env: env[name].T - env[name].T)
    if kind == "diag":
        v = vector(choose, depth - 1)
        return Drawn(f"diag({v.text})", lambda env: np.diagflat(v.fn(env)))
    if kind == "chain":
        factors = [matrix_leaf(choose) for _ in range(int(choose(CHAIN_LENGTHS)))]
        return Drawn(" ".join(f.text for f in factors),
                     lambda env: np.linalg.multi_dot([f.fn(env) for f in factors]))
    left, right = matrix(choose, depth - 1), matrix(choose, depth - 1)
    if kind == "sum":
        return Drawn(f"({left.text} + {right.text})", lambda env: left.fn(env) + right.fn(env))
    return Drawn(f"{left.text} {right.text}", lambda env: left.fn(env) @ right.fn(env))


UNARY = {
    "sigma": _sig, "tanh": np.tanh, "exp": np.exp, "relu": lambda z: np.maximum(z, 0),
    "softmax": _softmax,
}
# no second derivative where they bend: their Hessians' refusals are outside the budget
KINKED = ("relu", "abs")


def vector(choose: Choose, depth: int = 2) -> Drawn:
    options = ["x", "a", "b"]
    if depth > 0:
        options += ["matvec", "sum", "diff", "scale", "hadamard", "scalar_times", *UNARY]
    kind = choose(options)
    if kind in ("x", "a", "b"):
        return Drawn(kind, lambda env: env[kind])
    inner = vector(choose, depth - 1)
    if kind == "matvec":
        m = matrix(choose, depth - 1)
        return Drawn(f"{m.text} ({inner.text})", lambda env: m.fn(env) @ inner.fn(env))
    if kind == "scale":
        return Drawn(f"alpha ({inner.text})", lambda env: env["alpha"] * inner.fn(env))
    if kind == "scalar_times":
        s = scalar(choose, depth - 1)
        return Drawn(f"({s.text}) ({inner.text})", lambda env: s.fn(env) * inner.fn(env))
    if kind in UNARY:
        f = UNARY[kind]
        return Drawn(f"{kind}({inner.text})", lambda env: f(inner.fn(env)))
    other = vector(choose, depth - 1)
    if kind == "sum":
        return Drawn(f"({inner.text} + {other.text})", lambda env: inner.fn(env) + other.fn(env))
    if kind == "diff":
        return Drawn(f"({inner.text} - {other.text})", lambda env: inner.fn(env) - other.fn(env))
    return Drawn(f"(({inner.text}) .* ({other.text}))",
                 lambda env: inner.fn(env) * other.fn(env))


def scalar(choose: Choose, depth: int = 2) -> Drawn:
    kind = choose(["dot", "norm", "quad", "trace", "det", "logdet", "bilinear_inv"])
    if kind == "dot":
        u, v = vector(choose, depth), vector(choose, depth)
        return Drawn(f"({u.text})^T ({v.text})", lambda env: (u.fn(env).T @ v.fn(env)).item())
    if kind == "norm":
        u = vector(choose, depth)
        return Drawn(f"||{u.text}||^2", lambda env: float(np.sum(u.fn(env) ** 2)))
    if kind == "quad":
        u, m = vector(choose, depth), matrix(choose, depth - 1)
        return Drawn(f"({u.text})^T {m.text} ({u.text})",
                     lambda env: (u.fn(env).T @ m.fn(env) @ u.fn(env)).item())
    if kind == "trace":
        m = matrix(choose, depth)
        return Drawn(f"tr({m.text})", lambda env: float(np.trace(m.fn(env))))
    if kind == "det":
        return Drawn("det(A)", lambda env: float(np.linalg.det(env["A"])))
    if kind == "logdet":
        return Drawn("log(det(A))", lambda env: float(np.log(np.linalg.det(env["A"]))))
    u, v = vector(choose, depth - 1), vector(choose, depth - 1)
    return Drawn(f"({u.text})^T inv(A) ({v.text})",
                 lambda env: (u.fn(env).T @ np.linalg.inv(env["A"]) @ v.fn(env)).item())


def lecturer_scalar(choose: Choose, depth: int = 2) -> Drawn:
    """Scalars in the notation lecturers type: division by a scalar expression, square
    roots and norms, the ones vector, the identity matrix, symmetric declarations."""
    kind = choose(["quotient", "fraction", "norm", "sqrt", "ones", "logsumexp", "ridge",
                   "symmetric", "frobenius", "cosine", "norms", "symmetric_variable", "l1",
                   "scalar"])
    u = vector(choose, depth - 1)
    if kind == "quotient":  # the Rayleigh quotient, and a quotient of any vector expression
        m = matrix(choose, depth - 1)
        if choose(["rayleigh", "shifted"]) == "rayleigh":
            return Drawn(f"x^T {m.text} x / (x^T x)", lambda env: (
                env["x"].T @ m.fn(env) @ env["x"]).item() / (env["x"].T @ env["x"]).item())
        return Drawn(f"({u.text})^T {m.text} ({u.text}) / (1 + ({u.text})^T ({u.text}))",
                     lambda env: (u.fn(env).T @ m.fn(env) @ u.fn(env)).item()
                     / (1 + (u.fn(env).T @ u.fn(env)).item()))
    if kind == "fraction":
        s = scalar(choose, depth - 1)
        return Drawn(f"({s.text}) / (1 + ||{u.text}||^2)",
                     lambda env: s.fn(env) / (1 + float(np.sum(u.fn(env) ** 2))))
    if kind == "norm":
        sub = choose(["", "_2"])
        return Drawn(f"||{u.text} + b||{sub}",
                     lambda env: float(np.linalg.norm(u.fn(env) + env["b"])))
    if kind == "sqrt":
        return Drawn(f"sqrt(1 + ({u.text})^T ({u.text}))",
                     lambda env: float(np.sqrt(1 + (u.fn(env).T @ u.fn(env)).item())))
    if kind == "ones":
        return Drawn(f"1^T exp({u.text})", lambda env: float(np.sum(np.exp(u.fn(env)))))
    if kind == "logsumexp":
        return Drawn(f"log(sum(exp({u.text})))",
                     lambda env: float(np.log(np.sum(np.exp(u.fn(env))))))
    if kind == "ridge":
        return Drawn(f"({u.text})^T (A + alpha I) ({u.text})",
                     lambda env: (u.fn(env).T @ (env["A"] + env["alpha"] * np.eye(len(env["A"])))
                                  @ u.fn(env)).item())
    if kind == "symmetric":
        return Drawn(f"({u.text})^T S ({u.text}) - b^T ({u.text})",
                     lambda env: (u.fn(env).T @ env["S"] @ u.fn(env)).item()
                     - (env["b"].T @ u.fn(env)).item(), ("S",))
    if kind == "frobenius":
        m = matrix(choose, depth - 1)
        return Drawn(f"||{m.text} - B||_F^2",
                     lambda env: float(np.sum((m.fn(env) - env["B"]) ** 2)))
    if kind in ("cosine", "norms"):  # norms side by side multiply: ||u + c|| ||b||
        def shifted(env):  # + c, a name u never holds: u + a is s a for u = det(A) a, and
            return u.fn(env) + env["c"]  # a cosine of s v does not change with s

        def norms(env):
            return float(np.linalg.norm(shifted(env)) * np.linalg.norm(env["b"]))

        if kind == "norms":
            return Drawn(f"||{u.text} + c|| ||b||", norms)
        return Drawn(f"({u.text} + c)^T b / (||{u.text} + c|| ||b||)",
                     lambda env: (shifted(env).T @ env["b"]).item() / norms(env))
    if kind == "l1":  # the L1 loss: abs, whose derivative is sign
        return Drawn(f"1^T abs({u.text} - b)", lambda env: float(np.sum(np.abs(
            u.fn(env) - env["b"]))))
    if kind == "symmetric_variable":  # a Gaussian-process term: by S, S symmetric
        return Drawn(f"log(det(S)) + ({u.text})^T inv(S) ({u.text})",
                     lambda env: float(np.log(np.linalg.det(env["S"])))
                     + (u.fn(env).T @ np.linalg.inv(env["S"]) @ u.fn(env)).item(), ("S",))
    return scalar(choose, depth)


def row_vector(choose: Choose, depth: int = 2) -> Drawn:
    """Row-vector expressions (x^T A, (A x)^T): derived as the Jacobian of their column."""
    u = vector(choose, depth - 1)
    kind = choose(["transpose", "times_matrix", "product_transposed", "sum"])
    if kind == "transpose":
        return Drawn(f"({u.text})^T", lambda env: u.fn(env).T)
    if kind == "times_matrix":
        return Drawn(f"({u.text})^T A", lambda env: u.fn(env).T @ env["A"])
    if kind == "product_transposed":
        m = matrix(choose, depth - 1)
        return Drawn(f"({m.text} ({u.text}))^T", lambda env: (m.fn(env) @ u.fn(env)).T)
    return Drawn(f"b^T + ({u.text})^T A", lambda env: env["b"].T + u.fn(env).T @ env["A"])


def bind(symbols: dict, rng: np.random.Generator, sizes=(3, 4, 2, 5), scale: float = 1.0
         ) -> dict:
    """Arrays for the reported symbols: vectors positive (times `scale`), square matrices
    near 2I (near I for a scale below 1, so long products stay moderate)."""
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
            diagonal = 2.0 if scale >= 1 else 1.0
            arrays[name] = diagonal * np.eye(shape[0]) + 0.3 * rng.uniform(-1, 1, shape)
            if s.get("symmetric"):
                arrays[name] = (arrays[name] + arrays[name].T) / 2
        else:
            arrays[name] = scale * rng.uniform(0.2, 1.2, tuple(shape))
    return arrays


def jacobian(fn: Fn, arrays: dict, wrt: str, layout: str) -> np.ndarray:
    """Central differences of fn by arrays[wrt], arranged in the layout."""
    x0 = arrays[wrt]
    jac = finite_differences(lambda x: fn({**arrays, wrt: x}), x0)
    if jac.shape[0] == 1:
        jac = jac.reshape(x0.shape).T if x0.shape[1] > 1 else jac.reshape(1, -1)
    return jac.T if layout == "denominator" else jac
