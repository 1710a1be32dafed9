"""The numeric check: every result is compared with central finite differences of the
input expression, on random values of random sizes, before anything is printed."""

from __future__ import annotations

import itertools
import random
from collections.abc import Mapping

import numpy as np

from . import ast
from . import index as ix
from .errors import VerificationError
from .expand import product_groups
from .functions import NUMERIC
from .model import Shapes, Symbol, kind_of

FD_STEP = 1e-6
RTOL, ATOL = 1e-5, 1e-6
_SIZE_POOL = (2, 3, 4, 5, 6)



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
        if isinstance(e, ast.Ones):
            return np.ones((self.sizes[e.dim], 1))
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
        if isinstance(e, ast.Hadamard):
            value = self(e.factors[0], env)
            for factor in e.factors[1:]:
                value = value * self(factor, env)
            return value
        if isinstance(e, ast.Transpose):
            return self(e.operand, env).T
        if isinstance(e, ast.Norm2):
            return np.array([[np.sum(self(e.operand, env) ** 2)]])
        if isinstance(e, ast.Call):
            return np.atleast_2d(NUMERIC[e.func](self(e.args[0], env)))
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


def draw_values(symbols: Mapping[str, Symbol], sizes: Mapping, rng: np.random.Generator,
                positive: bool) -> dict[str, np.ndarray]:
    """Entries of size 0.5..1.5, signed unless `positive` (for log and friends);
    square matrices near 2I so inverses and determinants are well conditioned."""
    env = {}
    for sym in symbols.values():
        shape = tuple(sizes[d] for d in sym.shape)
        value = rng.uniform(0.5, 1.5, shape)
        if not positive:
            value = value * rng.choice([-1.0, 1.0], shape)
        if sym.kind == "matrix" and shape[0] == shape[1]:
            value = 2.0 * np.eye(shape[0]) + 0.3 * value
        if sym.symmetric:
            value = (value + value.T) / 2
        env[sym.name] = value
    return env


def trials(symbols: Mapping[str, Symbol], expr: ast.Expr, wrt: str, seed: int, draws: int):
    """(evaluator, values, Jacobian by finite differences) on random sizes and values."""
    shapes = Shapes(symbols)
    dims = sorted({d for s in symbols.values() for d in s.shape if isinstance(d, str)})
    chooser = random.Random(seed)
    rng = np.random.default_rng(seed)
    for _ in range(draws):
        pool = list(_SIZE_POOL)
        chooser.shuffle(pool)
        sizes: dict[str | int, int] = {d: pool[n % len(pool)] for n, d in enumerate(dims)}
        sizes.update({k: k for s in symbols.values() for k in s.shape if isinstance(k, int)})
        sizes[1] = 1
        evaluate = Evaluator(shapes, sizes)
        for positive in (False, True):
            env = draw_values(symbols, sizes, rng, positive)
            with np.errstate(all="ignore"):
                jac = finite_differences(lambda x: evaluate(expr, {**env, wrt: x}), env[wrt])
            if np.all(np.isfinite(jac)):
                break
        yield evaluate, env, jac


def check(expr: ast.Expr, result: ast.Expr, symbols: Mapping[str, Symbol], wrt: str,
          layout: str, seed: int = 0, draws: int = 2) -> None:
    """Raises VerificationError unless `result` matches finite differences of `expr`."""
    shapes = Shapes(symbols)
    out_rows, out_cols = shapes(expr)
    out_kind = kind_of((out_rows, out_cols))
    wrt_kind = symbols[wrt].kind
    for evaluate, env, jac in trials(symbols, expr, wrt, seed, draws):
        sizes = evaluate.sizes
        x0 = env[wrt]
        with np.errstate(all="ignore"):
            got = np.asarray(evaluate(result, env), dtype=float)
        want = arrange(jac, x0.shape, out_kind, wrt_kind, (sizes.get(out_rows, 1),
                                                              sizes.get(out_cols, 1)))
        if layout == "denominator":
            want = want.T
        if got.shape == (1, 1) and want.shape != (1, 1):
            got = np.broadcast_to(got, want.shape)
        if got.shape != want.shape:
            raise VerificationError(
                f"result has shape {got.shape}, finite differences {want.shape}")
        if not np.all(np.isfinite(want)):
            raise VerificationError("the expression has no finite value at the test points")
        scale = max(1.0, float(np.max(np.abs(want))))
        if not np.allclose(got, want, rtol=RTOL, atol=ATOL * scale):
            err = float(np.max(np.abs(got - want)))
            raise VerificationError(f"result differs from finite differences by {err:.3g}")


def check_entries(expr: ast.Expr, outcome, symbols: Mapping[str, Symbol], wrt: str,
                  seed: int = 0, draws: int = 2) -> None:
    """For derivatives of order 3 and more: every entry of the index form against
    finite differences."""
    for evaluate, env, jac in trials(symbols, expr, wrt, seed, draws):
        entries = _IndexValues(evaluate, env)
        out_shape = evaluate.shapes(expr)
        out_cols = evaluate.sizes[out_shape[1]]
        wrt_cols = env[wrt].shape[1]
        free = [i for i in outcome.out_idx + outcome.wrt_idx if i is not None]
        for values in itertools.product(*(range(evaluate.sizes[i.dim]) for i in free)):
            at = dict(zip(free, values, strict=True))
            r, c, p, q = (at.get(i, 0) if i is not None else 0
                          for i in outcome.out_idx + outcome.wrt_idx)
            want = jac[r * out_cols + c, p * wrt_cols + q]
            got = entries(outcome.entries, at)
            if not np.isclose(got, want, rtol=RTOL, atol=ATOL * max(1.0, abs(want))):
                raise VerificationError(f"entry {values} is {got:.6g}, finite differences "
                                        f"give {want:.6g}")


class _IndexValues:
    """The value of an index tree at given index values."""

    def __init__(self, evaluate: Evaluator, env: Mapping[str, np.ndarray]) -> None:
        self.evaluate = evaluate
        self.env = env
        self.cache: dict[int, tuple[ast.Expr, np.ndarray]] = {}

    def matrix(self, expr: ast.Expr) -> np.ndarray:
        hit = self.cache.get(id(expr))
        if hit is None or hit[0] is not expr:
            hit = (expr, np.atleast_2d(self.evaluate(expr, self.env)))
            self.cache[id(expr)] = hit
        return hit[1]

    def __call__(self, node: ix.Node, at: dict) -> float:
        if isinstance(node, ix.Const):
            return float(node.value)
        if isinstance(node, ix.Entry):
            r = at[node.row] if node.row is not None else 0
            c = at[node.col] if node.col is not None else 0
            return float(self.matrix(node.expr)[r, c])
        if isinstance(node, ix.Delta):
            return float(at[node.first] == at[node.second])
        if isinstance(node, ix.Add):
            return sum(self(t, at) for t in node.terms)
        if isinstance(node, ix.Prod):
            return float(np.prod([self(f, at) for f in node.factors]))
        if isinstance(node, ix.Apply):
            return float(NUMERIC[node.func](self(node.arg, at)))
        if isinstance(node, ix.Sum):
            ranges = [range(self.evaluate.sizes[i.dim]) for i in node.indices]
            return sum(self(node.body, {**at, **dict(zip(node.indices, v, strict=True))})
                       for v in itertools.product(*ranges))
        raise TypeError(node)


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
