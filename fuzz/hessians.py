"""Hessians of random scalar expressions: `--order 2` against an independent reference.

Every scalar expression the generator draws (with x in it) is derived with order=2; the
JSON `numpy` is compared with second central differences of the generator's own numpy
function, which shares no code with derivtex. Counted as in `fuzz.run`: verified,
rejected (by message), internal (derivtex's own check refused), wrong, crash.

    python -m fuzz.hessians [-n 1000] [--seed 99]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import traceback
from collections import Counter

import numpy as np

from derivtex import derive
from derivtex.errors import DerivtexError, VerificationError
from derivtex.verify.differences import second_differences
from fuzz import generate


def one(rng: random.Random) -> tuple[str, str, str]:
    """(outcome, expression, detail)."""
    drawn = generate.scalar(rng.choice, 2)
    outcome, detail = hessian_outcome(drawn, rng.randrange(2**32))
    return outcome, drawn.text, detail


def hessian_outcome(drawn: generate.Drawn, seed: int) -> tuple[str, str]:
    """(outcome, detail) of `drawn` by x with order=2, against the generator's reference;
    the property tests run the same check through hypothesis."""
    if "x" not in re.findall(r"[A-Za-z_]+", drawn.text):
        return "skipped", ""
    try:
        data = derive(drawn.text, "x", order=2).to_dict()
    except DerivtexError as exc:
        return "rejected", re.sub(r"'[^']*'|\d+", "_", exc.message)[:70]
    except VerificationError as exc:
        return "internal", str(exc)
    except Exception:  # noqa: BLE001 - counting crashes is the point
        return "crash", traceback.format_exc(limit=3)
    arrays = generate.bind(data["symbols"], np.random.default_rng(seed))
    with np.errstate(all="ignore"):
        x0 = np.asarray(arrays["x"], dtype=float)
        want = second_differences(lambda x: float(drawn.fn({**arrays, "x": x})), x0)
        scope = {"__builtins__": {}, "np": np, **arrays}
        got = np.asarray(eval(data["numpy"], scope), dtype=float)  # noqa: S307 - our output
        size_of_f = abs(float(drawn.fn(arrays)))
    if not np.all(np.isfinite(want)):
        return "skipped", "reference not finite"
    # second differences of a large f carry rounding noise ~ 1e-8 |f|
    if np.allclose(np.broadcast_to(got, want.shape), want, rtol=1e-3,
                   atol=1e-4 + 1e-6 * size_of_f):
        return "verified", ""
    return "wrong", f"max error {np.max(np.abs(got - want)):.3g}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=99)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    counts: Counter[str] = Counter()
    for _ in range(args.n):
        outcome, text, detail = one(rng)
        counts[outcome if outcome != "rejected" else f"rejected: {detail}"] += 1
        if outcome in ("wrong", "crash", "internal"):
            print(f"{outcome.upper()}: {text}\n  {detail}", file=sys.stderr)
    for key, count in counts.most_common():
        print(f"{count:6d}  {key}")
    return 1 if counts["wrong"] or counts["crash"] else 0


if __name__ == "__main__":
    sys.exit(main())
