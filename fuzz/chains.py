"""Long chains (issue 21): products of up to a thousand matrices, derived by one of them
or by a vector, with and without a trailing vector, as x^T ... x and inside a trace.

Each is derived through `derive` (which verifies it) and its printed answer (`numpy`,
or the index form of an order 3 or 4 result) is compared with central differences of a
numpy product written here; a chain over the size limits must be refused with the limit
named. Counted as in `fuzz.run`; slow is over SLOW_SECONDS, and must be 0.

    python -m fuzz.chains [-n 40] [--seed 2026]
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce

import numpy as np

from derivtex import derive
from derivtex.errors import DerivtexError, LimitError, VerificationError
from fuzz import generate

FAMILIES = ("by_matrix", "by_matrix_with_vector", "by_vector", "quadratic", "trace")
LONGEST = 1_010  # a little past the factor limit (1,000), so refusals are drawn too
SLOW_SECONDS = 10.0
Arrays = dict[str, np.ndarray]


@dataclass(frozen=True)
class Chain:
    family: str
    text: str
    wrt: str
    fn: Callable[[Arrays], np.ndarray]  # numpy's value of the text, written here


def draw(rng: random.Random) -> Chain:
    """A chain of 2 to LONGEST matrices (log-uniform), some transposed, in one family."""
    family = rng.choice(FAMILIES)
    k = round(math.exp(rng.uniform(math.log(2), math.log(LONGEST))))
    flipped = {n for n in range(k) if rng.random() < 0.2}
    names = [f"A{n}" for n in range(k)]
    text = " ".join(f"{name}^T" if n in flipped else name for n, name in enumerate(names))

    def product(arrays: Arrays) -> np.ndarray:
        return reduce(np.matmul, (arrays[name].T if n in flipped else arrays[name]
                                  for n, name in enumerate(names)))

    by = names[rng.randrange(k)]
    if family == "by_matrix":
        return Chain(family, text, by, product)
    if family == "by_matrix_with_vector":
        return Chain(family, f"{text} x", by, lambda a: product(a) @ a["x"])
    if family == "by_vector":
        return Chain(family, f"{text} x", "x", lambda a: product(a) @ a["x"])
    if family == "quadratic":
        return Chain(family, f"x^T {text} x", "x", lambda a: a["x"].T @ product(a) @ a["x"])
    return Chain(family, f"tr({text})", by, lambda a: np.trace(product(a)).reshape(1, 1))


def bind(symbols: dict, rng: np.random.Generator) -> Arrays:
    """Sizes 2 to 4 and values near a (rectangular) identity, so that a product of a
    thousand stays moderate."""
    dims: dict = {}
    arrays = {}
    for name, s in symbols.items():
        shape = [dims.setdefault(d, int(rng.integers(2, 5))) if isinstance(d, str) else d
                 for d in s["shape"]]
        rows, cols = (shape + [1])[:2]
        arrays[name] = np.eye(rows, cols) + 0.1 * rng.uniform(-1, 1, (rows, cols)) / max(shape)
    return arrays


def one(rng: random.Random) -> tuple[str, Chain, str, float]:
    """(outcome, chain, detail, seconds spent in derivtex)."""
    chain = draw(rng)
    layout = rng.choice(["numerator", "denominator"])
    start = time.perf_counter()
    try:
        d = derive(chain.text, chain.wrt, layout=layout)
        data = d.to_dict()
    except LimitError as exc:
        outcome = "rejected" if "factors" in exc.message else "crash"
        return outcome, chain, exc.message, time.perf_counter() - start
    except DerivtexError as exc:
        return "crash", chain, f"refused within the limits: {exc.message}", \
            time.perf_counter() - start
    except VerificationError as exc:
        return "internal", chain, str(exc), time.perf_counter() - start
    except Exception:  # noqa: BLE001 - counting crashes is the point
        return "crash", chain, traceback.format_exc(limit=3), time.perf_counter() - start
    seconds = time.perf_counter() - start
    arrays = bind(data["symbols"], np.random.default_rng(rng.randrange(2**32)))
    got = answer(d, data, arrays)
    want = reference(chain, arrays, layout, got, data["numpy"] is None)
    if got.shape != want.shape:
        return "wrong", chain, f"shape {got.shape}, differences {want.shape}", seconds
    scale = max(1.0, float(np.max(np.abs(want))))
    if np.allclose(got, want, rtol=1e-4, atol=1e-6 * scale):
        return "verified", chain, "", seconds
    return "wrong", chain, f"max error {np.max(np.abs(got - want)):.3g}", seconds


def answer(d, data: dict, arrays: Arrays) -> np.ndarray:
    """The printed answer at `arrays`: the JSON numpy, or the index form as an array."""
    from fuzz.run import index_form

    if data["numpy"] is None:
        return index_form(d, arrays)
    scope = {"__builtins__": {}, "np": np, **arrays}
    return np.atleast_2d(np.asarray(eval(data["numpy"], scope), dtype=float))  # noqa: S307


def reference(chain: Chain, arrays: Arrays, layout: str, got: np.ndarray,
              index_form: bool) -> np.ndarray:
    """Central differences of the chain's own numpy, in the answer's layout; for an index
    form, numerator layout with the output's axes, then the variable's, as `got` has."""
    if index_form:
        want = generate.jacobian(chain.fn, arrays, chain.wrt, "numerator")
        return want.reshape(got.shape) if want.size == got.size else want
    return generate.jacobian(chain.fn, arrays, chain.wrt, layout)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=40)
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args(argv)
    return run(args.n, args.seed)


def run(n: int, seed: int) -> int:
    """Derives `n` chains; 1 on any wrong answer, crash, internal error or slow one."""
    rng = random.Random(seed)
    counts: Counter[str] = Counter()
    bad = []
    slowest = (0.0, "", 0)
    for _ in range(n):
        outcome, chain, detail, seconds = one(rng)
        counts[outcome] += 1
        length = chain.text.count("A")
        if seconds > SLOW_SECONDS:
            counts["slow"] += 1
            bad.append(("slow", chain, f"{seconds:.1f} s"))
        slowest = max(slowest, (seconds, chain.family, length))
        if outcome in ("wrong", "crash", "internal"):
            bad.append((outcome, chain, detail))
    print(f"{n} long chains (seed {seed}, up to {LONGEST} matrices)")
    for key in ("verified", "rejected", "internal", "wrong", "crash", "slow"):
        print(f"  {key:9} {counts[key]}")
    print(f"  slowest   {slowest[0]:.2f} s: {slowest[1]}, {slowest[2]} matrices")
    for outcome, chain, detail in bad[:10]:
        print(f"{outcome}: {chain.family} of {chain.text.count('A')} by {chain.wrt}: {detail}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
