"""The numeric check: every result is compared with central finite differences of the
input expression before anything is printed, at test points inside the expression's
domain on small stand-in sizes (sampling.py); results of order 3 and 4 in index form,
evaluated as arrays (index_values.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING

import numpy as np

from ..engine.expand import product_groups
from ..errors import VerificationError
from ..functions import NUMERIC
from ..model.layout import Layout, needs_transpose
from ..model.shapes import Shapes, Symbol, kind_of
from ..syntax import ast
from .differences import FD_STEP, finite_differences
from .sampling import Env, Sizes, domain_points

if TYPE_CHECKING:
    from ..engine.index_method import Outcome

Groups = tuple[list[list[ast.Expr]], list[ast.Expr]]  # scalar factors, the matrix chain

RTOL, ATOL = 1e-5, 1e-6
ROUNDING = 1e-10  # of the terms' size: above double rounding, below any missing term
SPARE_POINTS = 3  # points drawn beyond `draws` when one decides nothing
FD_NOISE = 1e-14  # ~50 ulps: the rounding of f in one central difference, times |f| / step


class Evaluator:
    """Evaluates a matrix expression on numpy arrays; every value is a 2-D array."""

    def __init__(self, shapes: Shapes, sizes: Mapping[str | int, int]) -> None:
        self.shapes = shapes
        self.sizes = sizes
        self.groups: dict[int, tuple[ast.MatMul, Groups]] = {}

    def size(self, dim: str | int | None) -> int:
        """A dimension's stand-in size; shape inference sizes every I and 1 before this."""
        if dim is None:
            raise ValueError("an identity or ones vector reached verification unsized")
        return self.sizes[dim]

    def product_groups(self, e: ast.MatMul) -> Groups:
        """Computed once per product: finite differences evaluate it once per entry."""
        hit = self.groups.get(id(e))
        if hit is None or hit[0] is not e:
            hit = self.groups[id(e)] = (e, product_groups(e.factors, self.shapes))
        return hit[1]

    def __call__(self, e: ast.Expr, env: Mapping[str, np.ndarray]) -> np.ndarray:
        if isinstance(e, ast.Name):
            return env[e.name]
        if isinstance(e, ast.Number):
            return np.array([[float(e.value)]])
        if isinstance(e, ast.Identity):
            return np.eye(self.size(e.dim))
        if isinstance(e, ast.Ones):
            return np.ones((self.size(e.dim), 1))
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
            scalars, chain = self.product_groups(e)
            value = None  # the empty product: 1
            for group in [*scalars, chain] if chain else scalars:
                part = self.chain(group, env)
                value = part if value is None else value * part
            return np.ones((1, 1)) if value is None else value
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


def jacobian_at(evaluate_at: Callable[[Sizes, Env, ast.Expr], np.ndarray], expr: ast.Expr,
                wrt: str) -> Callable[[Sizes, Env], np.ndarray]:
    """The finite-difference Jacobian of `expr` by `wrt`, as a measure for domain_points."""

    def measure(sizes: Sizes, env: Env) -> np.ndarray:
        return finite_differences(lambda x: evaluate_at(sizes, {**env, wrt: x}, expr), env[wrt])

    return measure


def trials(symbols: Mapping[str, Symbol], expr: ast.Expr, wrt: str, seed: int, draws: int
           ) -> Iterator[tuple[Evaluator, Env, np.ndarray]]:
    """(evaluator, values, Jacobian by finite differences) at test points inside the
    expression's domain, on small stand-in sizes (sampling.py); DomainError if none."""
    evaluate_at = AtSizes(Shapes(symbols))
    for point in domain_points(symbols, expr, jacobian_at(evaluate_at, expr, wrt),
                               evaluate_at, seed, draws, variable=wrt):
        yield evaluate_at.evaluator(point.sizes), point.env, point.measured


class AtSizes:
    """Evaluates at given sizes, with one Evaluator (and its memo) per size assignment."""

    def __init__(self, shapes: Shapes) -> None:
        self.shapes = shapes
        self.last: Evaluator | None = None

    def evaluator(self, sizes: Sizes) -> Evaluator:
        if self.last is None or self.last.sizes is not sizes:
            self.last = Evaluator(self.shapes, sizes)
        return self.last

    def __call__(self, sizes: Sizes, env: Env, e: ast.Expr) -> np.ndarray:
        return self.evaluator(sizes)(e, env)


def check(expr: ast.Expr, result: ast.Expr, symbols: Mapping[str, Symbol], wrt: str,
          layout: Layout, seed: int = 0, draws: int = 2) -> None:
    """Raises VerificationError unless `result` matches finite differences of `expr`."""
    shapes = Shapes(symbols)
    out_rows, out_cols = shapes(expr)
    out_kind = kind_of((out_rows, out_cols))
    wrt_kind = symbols[wrt].kind

    def judge(evaluate: Evaluator, env: Env, jac: np.ndarray) -> Judged:
        sizes = evaluate.sizes
        with np.errstate(all="ignore"):
            got = np.asarray(evaluate(result, env), dtype=float)
        want = arrange(jac, env[wrt].shape, out_kind, wrt_kind,
                       (sizes.get(out_rows, 1), sizes.get(out_cols, 1)))
        if needs_transpose("numerator", layout):  # differences give numerator layout
            want = want.T
        if got.shape == (1, 1) and want.shape != (1, 1):
            got = np.broadcast_to(got, want.shape)
        if got.shape != want.shape:
            raise VerificationError(
                f"result has shape {got.shape}, finite differences {want.shape}")
        return got, want, lambda: ROUNDING * term_magnitude(result, evaluate, env)

    decide(trials(symbols, expr, wrt, seed, draws + SPARE_POINTS), draws, judge, expr)


def check_entries(expr: ast.Expr, outcome: Outcome, symbols: Mapping[str, Symbol], wrt: str,
                  seed: int = 0, draws: int = 2) -> None:
    """For derivatives of order 3 and more: the index form, evaluated as one array
    (index_values.py), against finite differences."""
    from .index_values import IndexValues

    shapes = Shapes(symbols)
    out_rows, out_cols = shapes(expr)
    tensor = outcome.tensor
    assert tensor is not None
    indices = tensor.out_idx + tensor.wrt_idx
    free = [i for i in indices if i is not None]

    def judge(evaluate: Evaluator, env: Env, jac: np.ndarray) -> Judged:
        sizes = evaluate.sizes
        full = [sizes[out_rows], sizes[out_cols], *env[wrt].shape]
        want = jac.reshape(full)[tuple(slice(None) if i else 0 for i in indices)]
        values = IndexValues(lambda e: evaluate(e, env), sizes)
        with np.errstate(all="ignore"):
            got = values.aligned(tensor.tree, free)
        try:
            got = np.broadcast_to(got, want.shape)
        except ValueError:
            raise VerificationError(f"the index form has shape {got.shape}, finite "
                                    f"differences {want.shape}") from None
        return got, want, lambda: 0.0

    decide(trials(symbols, expr, wrt, seed, draws + SPARE_POINTS), draws, judge, expr)


Judged = tuple[np.ndarray, np.ndarray, Callable[[], float]]  # got, want, rounding in got


def decide(points: Iterator[tuple[Evaluator, Env, np.ndarray]], draws: int,
           judge: Callable[[Evaluator, Env, np.ndarray], Judged], expr: ast.Expr) -> None:
    """Passes after `draws` matching points; raises at the first point whose difference
    rounding cannot explain. A point where it can decides nothing and another is drawn:
    terms of 1e25 that cancel to 0.4 in the result, or f of 1e6 whose differences by a
    step of 1e-6 are only good to 1e-4."""
    passed = 0
    for evaluate, env, jac in points:
        got, want, rounding = judge(evaluate, env, jac)
        error = mismatch(got, want)
        if error is None:
            passed += 1
            if passed == draws:
                return
        elif not error <= max(rounding(), difference_noise(evaluate, env, expr)):
            raise VerificationError(f"result differs from finite differences by {error:.3g}")
    if not passed:
        raise VerificationError("rounding hides the result at every test point")


def difference_noise(evaluate: Evaluator, env: Env, expr: ast.Expr) -> float:
    """The rounding error of central differences: a few hundred ulps of f over the step."""
    with np.errstate(all="ignore"):
        return FD_NOISE * float(np.max(np.abs(evaluate(expr, env)))) / FD_STEP


def term_magnitude(result: ast.Expr, evaluate: Evaluator, env: Env) -> float:
    """The largest entry of sum |term| over the result's terms: what rounding scales with."""
    def terms(e: ast.Expr) -> list[ast.Expr]:
        if isinstance(e, ast.Add):
            return [t for term in e.terms for t in terms(term)]
        return terms(e.operand) if isinstance(e, ast.Neg) else [e]

    with np.errstate(all="ignore"):
        return float(np.max(sum(np.abs(evaluate(t, env)) for t in terms(result))))


def mismatch(got: np.ndarray, want: np.ndarray) -> float | None:
    """None if `got` matches `want`, else the largest difference."""
    scale = max(1.0, float(np.max(np.abs(want))))
    # np.allclose's test, written out: `want` is finite (domain_points keeps only such
    # points), and a NaN or infinite `got` fails it as it does allclose
    if np.all(np.abs(got - want) <= ATOL * scale + RTOL * np.abs(want)):
        return None
    with np.errstate(all="ignore"):
        return float(np.max(np.abs(got - want)))


def arrange(jac: np.ndarray, wrt_shape: tuple[int, ...], out_kind: str, wrt_kind: str,
            out_shape: tuple[int, int]) -> np.ndarray:
    """The finite-difference Jacobian in numerator layout."""
    if out_kind == "scalar":
        grad = jac.reshape(wrt_shape)
        return grad.T if wrt_kind == "matrix" else grad.reshape(1, -1)
    if wrt_kind == "scalar":
        return jac.reshape(out_shape)
    if out_kind == "vector" and wrt_kind == "vector":
        return jac
    raise VerificationError("derivatives of order 3 are checked entry by entry")
