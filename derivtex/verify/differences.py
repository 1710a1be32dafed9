"""The numeric oracle: central differences, first and second. Verification, the Hessian
check, `make fuzz` and the tests all difference through these two functions."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

FD_STEP = 1e-6
SECOND_STEP = 1e-4  # rounding error ~ eps |f| / h^2, truncation ~ h^2: both near 1e-8


def finite_differences(f: Callable[[np.ndarray], np.ndarray], x0: np.ndarray,
                       h: float = FD_STEP) -> np.ndarray:
    """Rows: flattened output; columns: flattened x (row-major)."""
    flat = x0.astype(float).ravel()
    columns = []
    for k in range(flat.size):
        plus, minus = flat.copy(), flat.copy()
        plus[k] += h
        minus[k] -= h
        diff = np.asarray(f(plus.reshape(x0.shape)), dtype=float) \
            - np.asarray(f(minus.reshape(x0.shape)), dtype=float)
        columns.append(diff.ravel() / (2 * h))
    return np.array(columns).T


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
