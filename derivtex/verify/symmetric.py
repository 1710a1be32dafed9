"""The gradient on symmetric matrices checked where it means something: along symmetric
directions. For a random symmetric E at each test point (symmetric values of the
variable), the central difference of f(K + hE) must equal <sym(G), E> = sum of the
entries of sym(G) .* E."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..engine.index_method import Outcome
from ..engine.steps import SymmetricGradient
from ..errors import VerificationError
from ..model.shapes import Shapes, Symbol
from ..syntax import ast
from .check import AtSizes, Evaluator, jacobian_at, mismatch
from .differences import FD_STEP
from .sampling import Env, domain_points


def check_symmetric_directions(expr: ast.Expr, outcome: Outcome,
                               symbols: Mapping[str, Symbol], wrt: str, seed: int = 0,
                               draws: int = 2) -> None:
    """Raises VerificationError unless the step's sym(G) is symmetric and the directional
    derivative of `expr` along random symmetric directions is its inner product with them
    (which fixes sym(G): G itself passes the second test, not the first)."""
    step = outcome.steps[-1]
    assert isinstance(step, SymmetricGradient) and isinstance(step.after, ast.Expr)
    evaluate_at = AtSizes(Shapes(symbols))
    rng = np.random.default_rng(seed)
    for point in domain_points(symbols, expr, jacobian_at(evaluate_at, expr, wrt),
                               evaluate_at, seed, draws, variable=wrt):
        evaluate = evaluate_at.evaluator(point.sizes)
        direction = rng.uniform(-1.0, 1.0, point.env[wrt].shape)
        direction = (direction + direction.T) / 2
        along = directional(evaluate, point.env, expr, wrt, direction)
        with np.errstate(all="ignore"):
            gradient = np.asarray(evaluate(step.after, point.env), dtype=float)
        gradient = np.broadcast_to(gradient, direction.shape)
        if mismatch(gradient, gradient.T) is not None:
            raise VerificationError("the gradient on symmetric matrices is not symmetric")
        predicted = float(np.sum(gradient * direction))
        error = mismatch(np.array([predicted]), np.array([along]))
        if error is not None:
            raise VerificationError("the gradient on symmetric matrices differs from the "
                                    f"directional derivative along a symmetric E by {error:.3g}")


def directional(evaluate: Evaluator, env: Env, expr: ast.Expr, wrt: str,
                direction: np.ndarray) -> float:
    """d/dt f(K + t E) at t = 0, by central differences."""
    def f(t: float) -> float:
        with np.errstate(all="ignore"):
            return float(np.asarray(evaluate(expr, {**env, wrt: env[wrt] + t * direction}))
                         .item())

    return (f(FD_STEP) - f(-FD_STEP)) / (2 * FD_STEP)
