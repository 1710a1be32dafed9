"""The numeric check: every result is compared with central finite differences of the
input expression, on random values of random sizes, before anything is printed."""

from __future__ import annotations

import random
from collections.abc import Mapping

import numpy as np

from . import ast
from .errors import VerificationError
from .expand import product_groups
from .model import SCALAR, Shapes, Symbol

FD_STEP = 1e-6
RTOL, ATOL = 1e-5, 1e-6
_SIZE_POOL = (2, 3, 4, 5, 6)

_ELEMENTWISE = {
    "exp": np.exp, "log": np.log, "tanh": np.tanh,
    "sigma": lambda z: 1 / (1 + np.exp(-z)),
    "dsigma": lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2,
    "dtanh": lambda z: 1 - np.tanh(z) ** 2,
    "recip": lambda z: 1 / z,
    "relu": lambda z: np.maximum(z, 0),
    "step": lambda z: (z > 0).astype(float),
}


class Evaluator:
    """Evaluates a matrix expression on numpy arrays; every value is a 2-D array."""

    def __init__(self, shapes: Shapes, sizes: Mapping[str | int, int]) -> None:
        self.shapes = shapes
        self.sizes = sizes

    def __call__(self, e: ast.Expr, env: Mapping[str, np.ndarray]) -> np.ndarray:
        if isinstance(e, ast.Name):
            return env[e.name]
        if isinstance(e, ast.Number):
            return np.array([[float(e.value)]])
        if isinstance(e, ast.Identity):
            return np.eye(self.sizes[e.dim])
        if isinstance(e, ast.Zero):
            return np.zeros((self.sizes[e.rows], self.sizes[e.cols]))
        if isinstance(e, ast.Neg):
            return -self(e.operand, env)
        if isinstance(e, ast.Add):
            total = self(e.terms[0], env)
            for term in e.terms[1:]:
                total = total + self(term, env)
            return total
        if isinstance(e, ast.MatMul):
            scalars, chain = product_groups(e.factors, self.shapes)
            value = np.ones((1, 1))
            for group in scalars:
                value = value * self.chain(group, env)
            return value * self.chain(chain, env) if chain else value
        if isinstance(e, ast.Transpose):
            return self(e.operand, env).T
        if isinstance(e, ast.Norm2):
            return np.array([[np.sum(self(e.operand, env) ** 2)]])
        if isinstance(e, ast.Call):
            arg = self(e.args[0], env)
            if e.func == "tr":
                return np.array([[np.trace(arg)]])
            if e.func == "det":
                return np.array([[np.linalg.det(arg)]])
            if e.func == "inv":
                return np.linalg.inv(arg)
            if e.func == "diag":
                return np.diagflat(arg)
            return _ELEMENTWISE[e.func](arg)
        raise TypeError(e)

    def chain(self, factors: list[ast.Expr], env: Mapping[str, np.ndarray]) -> np.ndarray:
        value = self(factors[0], env)
        for factor in factors[1:]:
            value = value @ self(factor, env)
        return value


def finite_differences(f, x0: np.ndarray) -> np.ndarray:
    """Rows: flattened output; columns: flattened x (row-major)."""
    flat = x0.astype(float).ravel()
    columns = []
    for k in range(flat.size):
        plus, minus = flat.copy(), flat.copy()
        plus[k] += FD_STEP
        minus[k] -= FD_STEP
        diff = f(plus.reshape(x0.shape)) - f(minus.reshape(x0.shape))
        columns.append(diff.ravel() / (2 * FD_STEP))
    return np.array(columns).T


def draw_values(symbols: Mapping[str, Symbol], sizes: Mapping, rng: np.random.Generator):
    env = {}
    for sym in symbols.values():
        rows, cols = (sizes[d] for d in sym.shape)
        if sym.kind == "matrix" and rows == cols:
            env[sym.name] = 2.0 * np.eye(rows) + 0.3 * rng.standard_normal((rows, cols))
        else:
            env[sym.name] = rng.uniform(0.5, 1.5, (rows, cols)) * rng.choice(
                [-1.0, 1.0], (rows, cols)) if sym.kind != "scalar" else \
                rng.uniform(0.5, 2.0, (1, 1))
    return env


def check(expr: ast.Expr, result: ast.Expr, symbols: Mapping[str, Symbol], wrt: str,
          layout: str, seed: int = 0, draws: int = 2) -> None:
    """Raises VerificationError unless `result` matches finite differences of `expr`."""
    shapes = Shapes(symbols)
    dims = sorted({d for s in symbols.values() for d in s.shape if isinstance(d, str)})
    chooser = random.Random(seed)
    rng = np.random.default_rng(seed)
    out_rows, out_cols = shapes(expr)
    out_kind = "scalar" if (out_rows, out_cols) == SCALAR else (
        "vector" if out_cols == 1 else "matrix")
    wrt_kind = symbols[wrt].kind
    for _ in range(draws):
        pool = list(_SIZE_POOL)
        chooser.shuffle(pool)
        sizes: dict[str | int, int] = {d: pool[n % len(pool)] for n, d in enumerate(dims)}
        sizes.update({k: k for s in symbols.values() for k in s.shape if isinstance(k, int)})
        sizes[1] = 1
        evaluate = Evaluator(shapes, sizes)
        env = draw_values(symbols, sizes, rng)
        with np.errstate(all="ignore"):
            x0 = env[wrt]
            jac = finite_differences(lambda x: evaluate(expr, {**env, wrt: x}), x0)
            got = np.asarray(evaluate(result, env), dtype=float)
        want = arrange(jac, x0.shape, out_kind, wrt_kind, (sizes.get(out_rows, 1),
                                                              sizes.get(out_cols, 1)))
        if layout == "denominator":
            want = want.T
        if got.shape == (1, 1) and want.shape != (1, 1):
            got = np.broadcast_to(got, want.shape)
        if got.shape != want.shape or not np.all(np.isfinite(want)):
            raise VerificationError(
                f"result has shape {got.shape}, finite differences {want.shape}")
        scale = max(1.0, float(np.max(np.abs(want))))
        if not np.allclose(got, want, rtol=RTOL, atol=ATOL * scale):
            err = float(np.max(np.abs(got - want)))
            raise VerificationError(f"result differs from finite differences by {err:.3g}")


def arrange(jac: np.ndarray, wrt_shape: tuple[int, ...], out_kind: str, wrt_kind: str,
            out_shape: tuple[int, int]) -> np.ndarray:
    """The finite-difference Jacobian in numerator layout (SPEC §3)."""
    if out_kind == "scalar":
        grad = jac.reshape(wrt_shape)
        return grad.T if wrt_kind == "matrix" else grad.reshape(1, -1)
    if wrt_kind == "scalar":
        return jac.reshape(out_shape)
    if out_kind == "vector" and wrt_kind == "vector":
        return jac
    raise VerificationError("derivatives of order 3 are checked entry by entry")
