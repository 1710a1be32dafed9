"""`make fuzz`: derive many random expressions and count what happened.

verified  derivtex printed a result, and it matches finite differences of an
          independent numpy evaluation
rejected  a DerivtexError (an unsupported construct, say), counted by message
internal  derivtex's own check refused a wrong result (exit 1, nothing printed)
wrong     a printed result that does not match: must be 0
crash     any other exception: must be 0

    python -m fuzz.run [-n 10000] [--seed 2026]
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
from derivtex.safety import FORBIDDEN_MACROS
from fuzz import generate

TOPS = [("vector", "x"), ("scalar", "x"), ("scalar", "A"), ("matrix", "A"),
        ("lecturer_scalar", "x"), ("lecturer_scalar", "A"), ("row_vector", "x")]


def one(rng: random.Random) -> tuple[str, str, str, str]:
    """(outcome, expression, wrt, detail)."""
    kind, wrt = rng.choice(TOPS)
    drawn = getattr(generate, kind)(rng.choice, 2)
    if wrt not in re.findall(r"[A-Za-z_]+", drawn.text):
        return "skipped", drawn.text, wrt, ""
    layout = rng.choice(["numerator", "denominator"])
    try:
        d = derive(drawn.text, wrt, layout=layout, symmetric=drawn.symmetric)
        data = d.to_dict()
    except DerivtexError as exc:
        return "rejected", drawn.text, wrt, re.sub(r"'[^']*'|\d+", "_", exc.message)[:70]
    except VerificationError as exc:
        return "internal", drawn.text, wrt, str(exc)
    except Exception:  # noqa: BLE001 - counting crashes is the point
        return "crash", drawn.text, wrt, traceback.format_exc(limit=3)
    if FORBIDDEN_MACROS.search(data["latex"]):
        return "wrong", drawn.text, wrt, "forbidden control sequence in LaTeX"
    if data["numpy"] is None:
        return "verified", drawn.text, wrt, "index form"
    arrays = generate.bind(data["symbols"], np.random.default_rng(rng.randrange(2**32)))
    with np.errstate(all="ignore"):
        want = generate.jacobian(drawn.fn, arrays, wrt, layout)
        scope = {"__builtins__": {}, "np": np, **arrays}
        got = np.asarray(eval(data["numpy"], scope), dtype=float)  # noqa: S307 - our output
    if not np.all(np.isfinite(want)):
        return "skipped", drawn.text, wrt, "reference not finite"
    if not np.allclose(np.broadcast_to(got, want.shape), want, rtol=1e-4, atol=1e-6):
        return "wrong", drawn.text, wrt, f"{layout}: {data['result']}"
    return "verified", drawn.text, wrt, ""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    counts: Counter = Counter()
    reasons: Counter = Counter()
    bad = []
    start = time.perf_counter()
    while sum(counts[k] for k in counts if k != "skipped") < args.n:
        outcome, expr, wrt, detail = one(rng)
        counts[outcome] += 1
        if outcome == "rejected":
            reasons[detail] += 1
        elif outcome in ("wrong", "crash", "internal"):
            bad.append((outcome, expr, wrt, detail))
    elapsed = time.perf_counter() - start
    print(f"{args.n} expressions (seed {args.seed}) in {elapsed:.0f} s")
    for key in ("verified", "rejected", "internal", "wrong", "crash"):
        print(f"  {key:9} {counts[key]}")
    for reason, n in reasons.most_common(8):
        print(f"    rejected {n:5}: {reason}")
    for outcome, expr, wrt, detail in bad[:10]:
        print(f"{outcome}: {expr} wrt {wrt}: {detail}")
    return 1 if counts["wrong"] or counts["crash"] else 0


if __name__ == "__main__":
    sys.exit(main())
