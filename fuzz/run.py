"""`make fuzz`: derive many random expressions and count what happened.

verified  derivtex printed a result, and it matches finite differences of an
          independent numpy evaluation (for index-form results of order 3 and 4, the
          index tree evaluated as an array)
rejected  a DerivtexError (an unsupported construct, a size limit), counted by message
internal  derivtex's own check refused a wrong result (exit 1, nothing printed)
wrong     a printed result that does not match: must be 0
crash     any other exception: must be 0
slow      a derivation that took over 10 s: must be 0

Then the long-chain family (fuzz/chains.py): `--chains` products of up to a thousand
matrices, by a matrix and by a vector, with and without a trailing vector, in a trace.

    python -m fuzz.run [-n 10000] [--seed 2026] [--depth 5] [--chains 40]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
import traceback
from collections import Counter

import numpy as np

from derivtex import derive
from derivtex.errors import DerivtexError, VerificationError
from derivtex.model.shapes import Shapes
from derivtex.printing.safety import FORBIDDEN_MACROS
from derivtex.verify.check import Evaluator
from derivtex.verify.index_values import IndexValues
from fuzz import chains, generate

# what is derived by what: gradients, Jacobians, and tensors of order 3 and 4
TOPS = [("vector", "x"), ("scalar", "x"), ("scalar", "A"), ("matrix", "A"), ("vector", "A"),
        ("matrix", "x"), ("lecturer_scalar", "x"), ("lecturer_scalar", "A"), ("row_vector", "x"),
        ("lecturer_scalar", "S")]  # S is declared symmetric: a derivative by a symmetric matrix
SLOW_SECONDS = 10.0
BIND_SCALES = (1.0, 0.3, 0.1)  # wrong means wrong at every reference point that is finite


def one(rng: random.Random, max_depth: int) -> tuple[str, str, str, str, float]:
    """(outcome, expression, wrt, detail, seconds spent in derivtex)."""
    kind, wrt = rng.choice(TOPS)
    drawn = getattr(generate, kind)(rng.choice, rng.randint(max(1, max_depth - 2), max_depth))
    if wrt not in re.findall(r"[A-Za-z_]+", drawn.text):
        return "skipped", drawn.text, wrt, "", 0.0
    layout = rng.choice(["numerator", "denominator"])
    start = time.perf_counter()
    try:
        d = derive(drawn.text, wrt, layout=layout, symmetric=drawn.symmetric)
        data = d.to_dict()
    except DerivtexError as exc:
        reason = re.sub(r"'[^']*'|[\d,]+", "_", exc.message)[:70]
        return "rejected", drawn.text, wrt, reason, time.perf_counter() - start
    except VerificationError as exc:
        return "internal", drawn.text, wrt, str(exc), time.perf_counter() - start
    except Exception:  # noqa: BLE001 - counting crashes is the point
        return "crash", drawn.text, wrt, traceback.format_exc(limit=3), \
            time.perf_counter() - start
    seconds = time.perf_counter() - start
    if FORBIDDEN_MACROS.search(data["latex"]):
        return "wrong", drawn.text, wrt, "forbidden control sequence in LaTeX", seconds
    seed = rng.randrange(2**32)
    outcomes = set()
    for scale in BIND_SCALES:
        outcomes.add(compare(d, data, drawn.fn, (wrt, layout), seed, scale))
        if True in outcomes:
            return "verified", drawn.text, wrt, "", seconds
    if False in outcomes:
        return "wrong", drawn.text, wrt, f"{layout}: {data['result'] or 'index form'}", seconds
    return "skipped", drawn.text, wrt, "no reference point decides", seconds


def compare(d, data: dict, fn: generate.Fn, request: tuple[str, str], seed: int,
            scale: float) -> bool | None:
    """Does the printed answer (`numpy`, or the index form) match central differences of
    the generator's own numpy at one reference point? None if either is not finite
    there (exp(exp(40)) overflows in one form and not the other)."""
    wrt, layout = request
    arrays = generate.bind(data["symbols"], np.random.default_rng(seed), scale=scale)
    with np.errstate(all="ignore"):
        if data["numpy"] is None:
            want = generate.jacobian(fn, arrays, wrt, "numerator")
            got = index_form(d, arrays)
            want = want.reshape(got.shape) if want.size == got.size else want
        else:
            want = generate.jacobian(fn, arrays, wrt, layout)
            scope = {"__builtins__": {}, "np": np, **arrays}
            got = np.asarray(eval(data["numpy"], scope), dtype=float)  # noqa: S307 - ours
            got = np.broadcast_to(got, want.shape) if got.size == 1 else got
    if not (np.all(np.isfinite(want)) and np.all(np.isfinite(got))):
        return None
    if got.shape != want.shape:
        return False
    # finite differences are accurate to ~1e-10 of the largest entry, as in derivtex's check
    scale_of = max(1.0, float(np.max(np.abs(want))))
    if np.allclose(got, want, rtol=1e-4, atol=1e-6 * scale_of):
        return True
    # ... and no better than the rounding of f over the step: then the point decides nothing
    with np.errstate(all="ignore"):
        noise = 1e-14 * float(np.max(np.abs(fn(arrays)))) / 1e-6
        return None if float(np.max(np.abs(got - want))) <= noise else False


def index_form(d, arrays: dict) -> np.ndarray:
    """The index form of a tensor derivative at `arrays`: d f_ij / d X_kl as an array
    with the axes of the output's, then the variable's, non-trivial dimensions."""
    sizes = {1: 1}
    for name, sym in d.symbols.items():
        sizes.update(zip(sym.shape, np.shape(np.atleast_2d(arrays[name])), strict=True))
    evaluate = Evaluator(Shapes(d.symbols), sizes)
    env = {name: np.atleast_2d(value) for name, value in arrays.items()}
    values = IndexValues(lambda e: evaluate(e, env), sizes)
    tensor = d.outcome.tensor
    free = [i for i in tensor.out_idx + tensor.wrt_idx if i is not None]
    full = [sizes[i.dim] for i in free]
    return np.broadcast_to(values.aligned(tensor.tree, free), full)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--depth", type=int, default=5, help="the deepest expressions drawn")
    ap.add_argument("--chains", type=int, default=40, help="long chains drawn after them")
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    counts: Counter = Counter()
    reasons: Counter = Counter()
    bad = []
    slowest = (0.0, "", "")
    start = time.perf_counter()
    while sum(counts[k] for k in counts if k != "skipped") < args.n:
        outcome, expr, wrt, detail, seconds = one(rng, args.depth)
        counts[outcome] += 1
        if seconds > SLOW_SECONDS:
            counts["slow"] += 1
            bad.append(("slow", expr, wrt, f"{seconds:.1f} s"))
        slowest = max(slowest, (seconds, expr, wrt))
        if outcome == "rejected":
            reasons[detail] += 1
        elif outcome in ("wrong", "crash", "internal"):
            bad.append((outcome, expr, wrt, detail))
    elapsed = time.perf_counter() - start
    print(f"{args.n} expressions (seed {args.seed}, depth up to {args.depth}) in {elapsed:.0f} s")
    for key in ("verified", "rejected", "internal", "wrong", "crash", "slow", "skipped"):
        print(f"  {key:9} {counts[key]}")
    print(f"  slowest   {slowest[0]:.2f} s: {slowest[1][:100]} wrt {slowest[2]}")
    allowed = int(generate.REJECTION_BUDGET * args.n)
    print(f"  rejection budget {allowed} ({generate.REJECTION_BUDGET:.0%}): "
          + ("within" if counts["rejected"] <= allowed else "EXCEEDED"))
    for reason, n in reasons.most_common(8):
        print(f"    rejected {n:5}: {reason}")
    for outcome, expr, wrt, detail in bad[:10]:
        print(f"{outcome}: {expr} wrt {wrt}: {detail}")
    failed = counts["wrong"] or counts["crash"] or counts["slow"] or counts["rejected"] > allowed
    return 1 if chains.run(args.chains, args.seed) or failed else 0


if __name__ == "__main__":
    sys.exit(main())
