"""The numeric check of a Hessian: second central differences of the input expression,
on random sizes and values, before anything is printed."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..errors import VerificationError
from ..model.shapes import Shapes, Symbol
from ..syntax import ast
from .check import Evaluator
from .differences import SECOND_STEP, second_differences
from .sampling import Env, Sizes, domain_points

RTOL, ATOL = 1e-4, 1e-5
# a large |f| rounds to noise ~ 2e-8 |f| in every difference, whatever H is: allowed 50x
ROUNDING = 50 * float(np.finfo(float).eps) / SECOND_STEP ** 2


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
