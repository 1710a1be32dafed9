"""Is a given answer the derivative? Judged numerically, at test points inside the
expression's domain drawn by verification's own sampling (sampling.py: small stand-in
sizes, values in several families, inverses well conditioned, symmetric declarations
drawn symmetric), against derivtex's derivative, which was itself checked against finite
differences before it is used here.

Both sides are exact formulas evaluated in floating point, so their rounding is near
1e-15 of the terms' size; an answer is equal only within TOLERANCE (1e-9) of the
derivative's size (its largest entry or term, never the answer's own: large cancelling
terms in an answer cannot widen it) at every one of DRAWS points, and an answer that is
not finite where the derivative is differs; so no answer that differs anywhere by more
than rounding is ever called right. A wrong answer comes with a counterexample at sizes
2 and 3 (small integers where the domain allows) and, where it is cheap to tell, the
nearest common mistake: a flipped sign, a factor 2 or ½, one matrix missing (or with an
extra) transpose, or a formula right only when a matrix is symmetric.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

import numpy as np

from ..model.answer import (
    ReadAnswer,
    check_answer_names,
    is_bare_number,
    parse_answer,
    read_answer,
    toggled_transposes,
)
from ..model.declarations import Dim
from ..model.shapes import Shape, Shapes, Symbol
from ..syntax import ast
from ..syntax.ast import walk
from .check import AtSizes, term_magnitude
from .sampling import (
    VALUE_MODES,
    Env,
    Sizes,
    domain_points,
    draw_values,
    inside,
    named_dims,
    stand_in_sizes,
)

Verdict = Literal["correct", "other_layout", "wrong_shape", "wrong"]
HintKind = Literal["sign", "factor", "transpose", "symmetric"]

DRAWS = 3  # test points every one of which must agree
TOLERANCE = 1e-9  # of the terms' size: far above rounding (1e-15), far below any mistake
SMALL = (2, 3)  # the sizes of a counterexample
TRIES = 24  # small points drawn for a counterexample before the test point is shown
FACTORS = (Fraction(-1), Fraction(2), Fraction(1, 2))


@dataclass(frozen=True)
class Counterexample:
    """Where the answer is wrong: the sizes, the values of the inputs there, the entry
    (1-based, of the answer as written) and its value beside the derivative's."""

    sizes: dict[str, int]
    values: dict[str, Any]  # a scalar a number, a vector a list, a matrix its rows
    entry: tuple[int, int]
    answer: float | None  # None: not finite there
    derivative: float | None


@dataclass(frozen=True)
class Hint:
    """The nearest common mistake: the answer with this change is the derivative
    (`other_layout`: the derivative in the other layout)."""

    kind: HintKind
    names: tuple[str, ...] = ()
    factor: Fraction | None = None
    other_layout: bool = False
    added: bool = False  # "transpose": the matrix needs a transpose (else has one too many)


@dataclass(frozen=True)
class Judgement:
    verdict: Verdict
    flipped: bool = False  # the answer has the other layout's shape
    counterexample: Counterexample | None = None
    hint: Hint | None = None


@dataclass(frozen=True)
class Assessed:
    """The judgement, the answer as read, and its shape in the expression's dimensions."""

    judgement: Judgement
    read: ReadAnswer
    answer_shape: Shape


def assess(answer: str, expression: ast.Expr, sized: ast.Expr, symbols: Mapping[str, Symbol],
           reference: ast.Expr, expected: Shape, declared: Mapping[str, tuple[Dim, ...]],
           wrt: str) -> Assessed:
    """`answer` (text or LaTeX) against `reference`, the derivative of `sized` (the
    expression as derived; `expression` as parsed) of shape `expected`."""
    given = parse_answer(answer, frozenset(declared), wrt)
    check_answer_names(given, symbols)
    read = read_answer(given, expression, sized, symbols, declared, expected)
    bare = is_bare_number(given) and expected != (1, 1)
    judgement = judge(read, read.relabel(reference), wrt,
                      (read.dim(expected[0]), read.dim(expected[1])), bare)
    rows, cols = read.shape
    return Assessed(judgement, read,
                    expected if bare else (read.original(rows), read.original(cols)))


Change = Callable[[Env], Env]


def unchanged(env: Env) -> Env:
    return env


class Comparison:
    """The answer (and variants of it) against the derivative at the test points."""

    def __init__(self, read: ReadAnswer, reference: ast.Expr, wrt: str, expected: Shape,
                 bare: bool, seed: int = 0) -> None:
        self.read, self.reference, self.expected, self.bare = read, reference, expected, bare
        self.wrt = wrt
        self.at = AtSizes(Shapes(read.symbols))
        self.points = list(domain_points(read.symbols, read.expression,
                                         lambda sizes, env: self.at(sizes, env, reference),
                                         self.at, seed, DRAWS, variable=wrt))
        self.seed = seed

    def shape(self, expr: ast.Expr) -> Shape:
        return self.expected if self.bare else Shapes(self.read.symbols)(expr)

    def readings(self, expr: ast.Expr) -> list[bool]:
        """The layouts a tree of this shape can be read in: False the one asked, True the
        other (both for a square derivative)."""
        shape = self.shape(expr)
        return [flip for flip, want in ((False, self.expected), (True, self.expected[::-1]))
                if shape == want]

    def values(self, sizes: Sizes, env: Env, expr: ast.Expr, factor: Fraction,
               flip: bool) -> tuple[np.ndarray, np.ndarray, float] | None:
        """(answer, derivative, the rounding scale) at a point; None where the derivative
        is not finite there (the point then decides nothing). The scale is the
        derivative's own (its largest entry or term), never the answer's: an answer's
        large cancelling terms cannot widen the tolerance."""
        with np.errstate(all="ignore"):
            try:
                want = np.asarray(self.at(sizes, env, self.reference), dtype=float)
                scale = max(1.0, float(np.max(np.abs(want), initial=0.0)),
                            term_magnitude(self.reference, self.at.evaluator(sizes), env))
            except np.linalg.LinAlgError:
                return None
            try:
                got = float(factor) * np.asarray(self.at(sizes, env, expr), dtype=float)
            except np.linalg.LinAlgError:  # the answer inverts a singular matrix there
                got = np.full(want.T.shape if flip else want.shape, np.nan)
        want = want.T if flip else want
        if self.bare:
            got = np.broadcast_to(got, want.shape)
        if not (np.all(np.isfinite(want)) and np.isfinite(scale)) or got.shape != want.shape:
            return None
        return got, want, scale

    def agrees(self, expr: ast.Expr, flip: bool, factor: Fraction = Fraction(1),
               change: Change = unchanged) -> bool:
        """Equal at every test point where the derivative is finite (an answer that is
        not finite there differs), and there is at least one such point."""
        decided = 0
        for point in self.points:
            found = self.values(point.sizes, change(point.env), expr, factor, flip)
            if found is None:
                continue
            if differing(*found) is not None:
                return False
            decided += 1
        return decided > 0

    def reading(self, expr: ast.Expr, factor: Fraction = Fraction(1),
                change: Change = unchanged) -> bool | None:
        """The layout in which `expr` (times `factor`) is the derivative, or None."""
        return next((flip for flip in self.readings(expr)
                     if self.agrees(expr, flip, factor, change)), None)


def differing(got: np.ndarray, want: np.ndarray, scale: float) -> tuple[int, int] | None:
    """The first entry (row-major) differing by more than rounding (or not finite in
    the answer), or None."""
    bad = np.argwhere(~(np.abs(got - want) <= TOLERANCE * scale))
    return None if bad.size == 0 else (int(bad[0][0]), int(bad[0][1]))


def judge(read: ReadAnswer, reference: ast.Expr, wrt: str, expected: Shape, bare: bool,
          seed: int = 0) -> Judgement:
    """The verdict on `read.answer`; `reference` is the derivative (over read.symbols) and
    `expected` its shape in the layout asked."""
    comparison = Comparison(read, reference, wrt, expected, bare, seed)
    readings = comparison.readings(read.answer)
    if not readings:
        return Judgement("wrong_shape")
    flipped = readings == [True]
    matched = comparison.reading(read.answer)
    if matched is not None:
        return Judgement("other_layout" if matched else "correct", flipped)
    return Judgement("wrong", flipped, counterexample(comparison, read.answer, flipped),
                     hint(comparison))


def hint(comparison: Comparison) -> Hint | None:
    """The first of the common mistakes whose correction makes the answer right."""
    read = comparison.read
    for factor in FACTORS:
        flip = comparison.reading(read.answer, factor)
        if flip is not None:
            kind: HintKind = "sign" if factor < 0 else "factor"
            return Hint(kind, factor=factor, other_layout=flip)
    for name, added, variant in toggled_transposes(read.answer, read.symbols):
        flip = comparison.reading(variant)
        if flip is not None:
            return Hint("transpose", (name,), other_layout=flip, added=added)
    return symmetric_hint(comparison)


def symmetric_hint(comparison: Comparison) -> Hint | None:
    """Right only when one (or every) square matrix not declared symmetric is symmetric:
    `2 A x` for xᵀAx. Not the variable: declared symmetric, it has another derivative."""
    read = comparison.read
    used = [n.name for n in walk(read.expression)
            if isinstance(n, ast.Name) and n.name != comparison.wrt]
    square = [name for name in dict.fromkeys(used)
              if read.symbols[name].kind == "matrix" and not read.symbols[name].symmetric
              and read.symbols[name].shape[0] == read.symbols[name].shape[1]]
    groups = [(name,) for name in square] + ([tuple(square)] if len(square) > 1 else [])
    for group in groups:
        flip = comparison.reading(read.answer, change=symmetrized(group))
        if flip is not None:
            return Hint("symmetric", group, other_layout=flip)
    return None


def symmetrized(names: tuple[str, ...]) -> Change:
    def change(env: Env) -> Env:
        return {**env, **{n: (env[n] + env[n].T) / 2 for n in names}}

    return change


def counterexample(comparison: Comparison, answer: ast.Expr, flip: bool) -> Counterexample:
    """A point at sizes 2 and 3 at which an entry of the answer differs from the
    derivative's: small integers where the domain allows them, the smallest sizes of
    those found; else the test point that showed the difference."""
    read = comparison.read
    found: list[tuple[tuple[bool, int, int], Counterexample]] = []
    for order, (sizes, env, integers) in enumerate(small_points(read, comparison.seed)):
        values = comparison.values(sizes, env, answer, Fraction(1), flip)
        if values is not None and (entry := differing(*values)) is not None:
            example = described(read, sizes, env, entry, values[0], values[1])
            found.append(((not integers, sum(example.sizes.values()), order), example))
    if found:
        return min(found, key=lambda pair: pair[0])[1]
    for point in comparison.points:
        values = comparison.values(point.sizes, point.env, answer, Fraction(1), flip)
        if values is not None and (entry := differing(*values)) is not None:
            return described(read, point.sizes, point.env, entry, values[0], values[1])
    raise AssertionError("a wrong answer differs at some test point")


def small_points(read: ReadAnswer, seed: int) -> Iterator[tuple[Sizes, Env, bool]]:
    """Sizes 2 and 3 (declared sizes stay), values small integers (True) in the first
    half, then the verifier's value families; only points inside the expression's
    domain."""
    rng = np.random.default_rng(seed)
    dims = named_dims(read.symbols)
    calls = [n for n in walk(read.expression) if isinstance(n, ast.Call | ast.Norm2)]
    inverted = [n.args[0] for n in calls if isinstance(n, ast.Call) and n.func in ("inv", "det")]
    at = AtSizes(Shapes(read.symbols))
    patterns = [[SMALL[k % 2] for k in range(len(dims))], [SMALL[0]] * len(dims),
                [SMALL[1]] * len(dims)]
    for attempt in range(TRIES):
        pattern = patterns[attempt] if attempt < len(patterns) else \
            [int(s) for s in rng.choice(SMALL, len(dims))]
        sizes: Sizes = {**dict(zip(dims, pattern, strict=True)), **stand_in_sizes(read.symbols)}
        integers = attempt < TRIES // 2
        env = integer_values(read, sizes, rng) if integers else \
            draw_values(read.symbols, sizes, rng, VALUE_MODES[attempt % len(VALUE_MODES)])
        if inside(sizes, env, read.expression, inverted, calls, at) is not None:
            yield sizes, env, integers


def integer_values(read: ReadAnswer, sizes: Sizes, rng: np.random.Generator) -> Env:
    """Entries ±1, ±2, ±3 (symmetric matrices mirrored): a counterexample to redo by hand."""
    env = {}
    for symbol in read.symbols.values():
        shape = tuple(sizes[d] for d in symbol.shape)
        value = rng.integers(1, 4, shape) * rng.choice([-1, 1], shape)
        if symbol.symmetric:
            value = np.triu(value) + np.triu(value, 1).T
        env[symbol.name] = value.astype(float)
    return env


def described(read: ReadAnswer, sizes: Sizes, env: Env, entry: tuple[int, int],
              got: np.ndarray, want: np.ndarray) -> Counterexample:
    named = {str(d): sizes[read.dim(d)] for d in read.dims if isinstance(d, str)}
    return Counterexample(named, {name: listed(value, read.symbols[name].kind)
                                  for name, value in env.items()},
                          (entry[0] + 1, entry[1] + 1), tidy(got[entry]), tidy(want[entry]))


def listed(value: np.ndarray, kind: str) -> Any:
    if kind == "scalar":
        return tidy(value[0][0])
    if kind == "vector":
        return [tidy(v) for v in value[:, 0]]
    return [[tidy(v) for v in row] for row in value]


def tidy(value: float) -> float | None:
    """Six significant digits: what a student compares by eye; None for a value that is
    not finite (an answer's log of a negative entry), which JSON cannot hold."""
    if not np.isfinite(value):
        return None
    return float(f"{float(value):.6g}") + 0.0  # + 0.0: never -0.0

