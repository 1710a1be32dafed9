"""Where verification evaluates: small sizes and values inside the expression's domain.

The check is about the formula, not the numbers, so declared sizes are replaced by
small stand-ins (`--shape x=100000` is checked on 7 entries). A valid expression must
verify even where a random point is outside its domain: `log(det(X^T X))` needs a tall
X, `log(-x)` a negative x, `inv(A B)` a well-conditioned product. So each test point is
searched for over a few size assignments (random, tall, wide, equal) and value families
(signed, positive, negative, near the identity for long chains), and a point counts
only where the expression, its finite differences, and every inverse are finite and
well conditioned. An expression with no such point at all has no finite value to check
(`log(x - x)`, `exp(exp(exp(exp(exp(x)))))`): that is bad input, not a bug.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import DomainError
from ..functions import KINKED
from ..model.shapes import Dim, Symbol
from ..syntax import ast
from ..syntax.ast import walk

SIZE_POOL = (2, 3, 4, 5, 6)
STAND_INS = (7, 8, 9, 10)  # for declared sizes over 6, in turn
SIZE_MODES = ("random", "tall", "wide", "equal")
VALUE_MODES = ("signed", "positive", "negative", "near_identity")
MAX_CONDITION = 1e6  # of the argument of an inverse or determinant at a test point
KINK_MARGIN = 1e-3  # least distance of an argument of abs or relu from 0, where it bends
MODERATE = 1e8  # values, differences and function values at a preferred test point
SIGNS = np.array([-1.0, 1.0])

Sizes = dict[Dim, int]
Env = dict[str, np.ndarray]
Measure = Callable[[Sizes, Env], np.ndarray]


@dataclass
class Point:
    """One test point: sizes, values, and what `measure` gave there (all finite)."""

    sizes: Sizes
    env: Env
    measured: np.ndarray


def stand_in_sizes(symbols: Mapping[str, Symbol]) -> Sizes:
    """Declared sizes as verification uses them: small ones as they are, larger ones
    replaced by 7, 8, 9, 10 in turn (equal sizes stay equal, neighbours in size stay
    distinct). A few stand-ins, not one per size: a chain of 400 matrices declared
    100 x 101, 101 x 102, ... is checked on matrices of at most 10 x 10, not 500 x 500."""
    declared = sorted({d for s in symbols.values() for d in s.shape if isinstance(d, int)})
    stand_ins = itertools.cycle(STAND_INS)
    sizes: Sizes = {d: d if d <= max(SIZE_POOL) else next(stand_ins) for d in declared}
    return sizes | {1: 1}


def named_dims(symbols: Mapping[str, Symbol]) -> list[str]:
    """The dimension names in order of first appearance (rows before columns)."""
    return list(dict.fromkeys(d for s in symbols.values() for d in s.shape
                              if isinstance(d, str)))


def assign_sizes(dims: list[str], mode: str, chooser: random.Random,
                 focus: frozenset[str] = frozenset()) -> Sizes:
    """Sizes for the named dimensions: shuffled, decreasing in order of appearance (X^T X
    with X tall), increasing (X X^T with X wide), or all equal (square everything).

    Shuffled, the variable's own dimensions (`focus`) get 2 and 3: finite differences
    cost one evaluation per entry of the variable, and two distinct sizes still tell
    X from X^T."""
    if mode == "equal":
        return {d: 3 for d in dims}
    pool = list(SIZE_POOL)
    if mode == "random":
        chooser.shuffle(pool)
        pool.sort(key=lambda size: size > 3)
        dims = [d for d in dims if d in focus] + [d for d in dims if d not in focus]
    elif mode == "tall":
        pool.reverse()
    return {d: pool[n % len(pool)] for n, d in enumerate(dims)}


def draw_values(symbols: Mapping[str, Symbol], sizes: Mapping[Dim, int],
                rng: np.random.Generator, mode: str = "signed") -> Env:
    """Entries of size 0.5..1.5 (signed, positive or negative); square matrices near 2I
    so inverses and determinants are well conditioned. "near_identity" keeps a product of
    hundreds of matrices finite: square ones near I, the others scaled to norm ~1.
    Matrices declared symmetric get symmetric values."""
    env = {}
    for sym in symbols.values():
        shape = tuple(sizes[d] for d in sym.shape)
        value = rng.uniform(0.5, 1.5, shape)
        if mode in ("signed", "near_identity"):
            value = value * SIGNS[rng.integers(0, 2, size=shape)]  # rng.choice's draw, cheaper
        elif mode == "negative":
            value = -value
        square = sym.kind == "matrix" and shape[0] == shape[1]
        if mode == "near_identity":
            value = np.eye(shape[0]) + 0.2 * value / shape[0] if square \
                else value / np.sqrt(shape[1] if sym.kind == "matrix" else shape[0])
        elif square:
            value = 2.0 * np.eye(shape[0]) + 0.3 * value
        if sym.symmetric:
            value = (value + value.T) / 2
        env[sym.name] = value
    return env


def domain_points(symbols: Mapping[str, Symbol], expr: ast.Expr, measure: Measure,
                  value_of: Callable[[Sizes, Env, ast.Expr], np.ndarray],
                  seed: int = 0, draws: int = 2, variable: str | None = None
                  ) -> Iterator[Point]:
    """Up to `draws` test points where `expr` and `measure` (finite differences, say)
    are finite and every inverse well conditioned; DomainError if there is none.

    A moderate point is preferred: one where the value, the measure and every function
    inside stay below MODERATE, since exp(4000) or sigma(exp(z)) with exp(z) = inf make
    rounding, not the formula, decide. `value_of(sizes, env, e)` evaluates e at a point;
    `variable`, the one differentiated by, gets small sizes."""
    chooser = random.Random(seed)
    rng = np.random.default_rng(seed)
    dims = named_dims(symbols)
    fixed = stand_in_sizes(symbols)
    focus = frozenset(d for d in symbols[variable].shape if isinstance(d, str)) \
        if variable is not None else frozenset()
    calls = [n for n in walk(expr) if isinstance(n, ast.Call | ast.Norm2)]
    inverted = [n.args[0] for n in calls if isinstance(n, ast.Call) and n.func in ("inv", "det")]
    found = 0
    for _ in range(draws):
        point = fallback = None
        for size_mode, value_mode in itertools.product(SIZE_MODES, VALUE_MODES):
            sizes: Sizes = {**assign_sizes(dims, size_mode, chooser, focus), **fixed}
            env = draw_values(symbols, sizes, rng, value_mode)
            moderate = inside(sizes, env, expr, inverted, calls, value_of)
            if moderate is None or (fallback is not None and not moderate):
                continue  # outside the domain, or no better than the point in hand
            with np.errstate(all="ignore"):
                measured = measure(sizes, env)
            if not np.all(np.isfinite(measured)):
                continue
            point = Point(sizes, env, measured)
            if moderate and np.max(np.abs(measured)) <= MODERATE:
                break
            fallback = fallback or point
        else:
            point = fallback
        if point is None:
            break
        found += 1
        yield point
    if not found:
        raise DomainError("the expression has no finite value at any test point (tried "
                          "positive, negative and signed values of several sizes)",
                          expr.col or 1)


def inside(sizes: Sizes, env: Env, expr: ast.Expr, inverted: Sequence[ast.Expr],
            calls: Sequence[ast.Expr], value_of: Callable[[Sizes, Env, ast.Expr], np.ndarray]
            ) -> bool | None:
    """None if the point is outside the domain (a value or a function's argument not
    finite, an inverse badly conditioned, an argument of abs or relu near 0); else
    whether the value and every function inside are moderate. An infinite argument can
    hide in a finite value (exp(-inf) is 0, as for a chain of 700 matrices inside exp) and
    only comes out in the result."""
    with np.errstate(all="ignore"):
        try:
            value = np.abs(value_of(sizes, env, expr))
            arguments = (value_of(sizes, env, arg) for call in calls
                         if isinstance(call, ast.Call) for arg in call.args)
            if not all(np.all(np.isfinite(v)) for v in itertools.chain([value], arguments)):
                return None
            for arg in inverted:
                if np.linalg.cond(value_of(sizes, env, arg)) > MAX_CONDITION:
                    return None
            if any(np.min(np.abs(value_of(sizes, env, call.args[0]))) < KINK_MARGIN
                   for call in calls if isinstance(call, ast.Call) and call.func in KINKED):
                return None  # differences there would straddle where abs or relu bends
            return bool(np.all(value <= MODERATE)) and all(
                np.all(np.abs(value_of(sizes, env, call)) <= MODERATE) for call in calls)
        except np.linalg.LinAlgError:  # a singular matrix to invert
            return None
