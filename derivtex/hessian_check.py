"""The numeric check of a Hessian: second central differences of the input expression,
on random sizes and values, before anything is printed."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from . import ast
from .errors import VerificationError
from .model import Shapes, Symbol
from .sampling import Env, Sizes, domain_points
from .verify import Evaluator

SECOND_STEP = 1e-4  # rounding error ~ eps |f| / h^2, truncation ~ h^2: both near 1e-8
RTOL, ATOL = 1e-4, 1e-5
# a large |f| rounds to noise ~ 2e-8 |f| in every difference, whatever H is: allowed 50x
ROUNDING = 50 * float(np.finfo(float).eps) / SECOND_STEP ** 2


def second_differences(f: Callable[[np.ndarray], float], x0: np.ndarray,
                       h: float = SECOND_STEP) -> np.ndarray:
    """H[a, b] = (f(x+he_a+he_b) - f(x+he_a-he_b) - f(x-he_a+he_b) + f(x-he_a-he_b)) / 4h^2,
    over the flattened entries of x."""
    flat = x0.astype(float).ravel()
    n = flat.size
    out = np.empty((n, n))

    def at(a: int, sa: float, b: int, sb: float) -> float:
        moved = flat.copy()
        moved[a] += sa * h
        moved[b] += sb * h
        return f(moved.reshape(x0.shape))

    for a in range(n):
        for b in range(a, n):
            value = (at(a, 1, b, 1) - at(a, 1, b, -1) - at(a, -1, b, 1)
                     + at(a, -1, b, -1)) / (4 * h * h)
            out[a, b] = out[b, a] = value
    return out


def check_hessian(expr: ast.Expr, hessian: ast.Expr, symbols: Mapping[str, Symbol], wrt: str,
                  seed: int = 0, draws: int = 2) -> None:
    """Raises VerificationError unless `hessian` matches second differences of `expr`, at
    test points inside the expression's domain (sampling.py)."""
    shapes = Shapes(symbols)

    def evaluate_at(sizes: Sizes, env: Env, e: ast.Expr) -> np.ndarray:
        return Evaluator(shapes, sizes)(e, env)

    def measure(sizes: Sizes, env: Env) -> np.ndarray:
        return second_differences(
            lambda x: float(evaluate_at(sizes, {**env, wrt: x}, expr).reshape(-1)[0]), env[wrt])

    for point in domain_points(symbols, expr, measure, evaluate_at, seed, draws, variable=wrt):
        evaluate, env, want = Evaluator(shapes, point.sizes), point.env, point.measured
        with np.errstate(all="ignore"):
            got = np.asarray(evaluate(hessian, env), dtype=float)
        if got.shape == (1, 1) and want.shape != (1, 1):
            got = np.broadcast_to(got, want.shape)
        if got.shape != want.shape:
            raise VerificationError(f"Hessian has shape {got.shape}, second differences "
                                    f"{want.shape}")
        scale = max(1.0, float(np.max(np.abs(want))))
        with np.errstate(all="ignore"):
            size_of_f = abs(float(np.asarray(evaluate(expr, env)).reshape(-1)[0]))
        if not np.allclose(got, want, rtol=RTOL, atol=ATOL * scale + ROUNDING * size_of_f):
            err = float(np.max(np.abs(got - want)))
            raise VerificationError(f"Hessian differs from second differences by {err:.3g}")
