"""derive() (steps, LaTeX and numeric verification included) against sympy's bare
MatrixSymbol.diff on the same expressions, in one process; and CLI cold start against
`python -c "import sympy"`. Prints ratios; goals: derive/sympy <= 1.0, cold start <= 1.3."""

from __future__ import annotations

import math
import statistics
import subprocess
import sys
import time

import sympy as sp

from derivtex import derive


def sympy_cases():
    n, m = sp.symbols("n m", integer=True, positive=True)
    W, A, Q, M = (sp.MatrixSymbol(s, n, m) for s in "WAQM")
    Qs = sp.MatrixSymbol("Q", m, m)
    x, a, d = (sp.MatrixSymbol(s, m, 1) for s in "xad")
    y, b = sp.MatrixSymbol("y", n, 1), sp.MatrixSymbol("b", n, 1)
    return [
        ("W x", "x", lambda: (W * x).diff(x)),
        ("a^T x", "x", lambda: (a.T * x).diff(x)),
        ("y^T A x", "x", lambda: (y.T * A * x).diff(x)),
        ("x^T Q x", "x", lambda: (x.T * Qs * x).diff(x)),
        ("(A x - b)^T (A x - b)", "x", lambda: ((A * x - b).T * (A * x - b)).diff(x)),
        ("(x - d)^T Q (x - d)", "x", lambda: ((x - d).T * Qs * (x - d)).diff(x)),
    ]


def best_of(fn, repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def full_derivation(expr: str, wrt: str):
    return lambda: derive(expr, wrt).to_dict()


def chain(k: int) -> str:
    return " ".join(f"A{i}" for i in range(1, k + 1)) + " x"


def main() -> int:
    full_derivation("W x", "x")()  # templates compiled once, as in any real session
    print(f"{'expression':28} {'derivtex ms':>12} {'sympy ms':>10} {'ratio':>7}")
    ratios = []
    for expr, wrt, sympy_fn in sympy_cases():
        ours, theirs = best_of(full_derivation(expr, wrt)), best_of(sympy_fn)
        ratios.append(ours / theirs)
        print(f"{expr:28} {ours * 1e3:12.2f} {theirs * 1e3:10.2f} {ours / theirs:7.2f}")
    geo = math.exp(statistics.fmean(math.log(r) for r in ratios))
    print(f"geometric mean ratio derivtex/sympy: {geo:.2f} (goal <= 1.0)")

    print("\nchain A1 ... Ak x, k = 5 and 40")
    t5 = best_of(full_derivation(chain(5), "x"), 3)
    t40 = best_of(full_derivation(chain(40), "x"), 3)
    n = sp.symbols("n", integer=True, positive=True)
    mats = [sp.MatrixSymbol(f"A{i}", n, n) for i in range(1, 41)]
    xs = sp.MatrixSymbol("x", n, 1)
    s5 = best_of(lambda: sp.MatMul(*mats[:5], xs).diff(xs), 3)
    s40 = best_of(lambda: sp.MatMul(*mats, xs).diff(xs), 3)
    print(f"derivtex k=40: {t40 * 1e3:.1f} ms, growth {t40 / t5:.1f}x; "
          f"sympy k=40: {s40 * 1e3:.1f} ms, growth {s40 / s5:.1f}x")

    def cold(argv):
        return best_of(lambda: subprocess.run(argv, check=True, capture_output=True), 5)

    ours = cold([sys.executable, "-m", "derivtex", "derive", "y^T A x", "--wrt", "x"])
    theirs = cold([sys.executable, "-c", "import sympy"])
    print(f"\ncold start: derivtex derive {ours * 1e3:.0f} ms, import sympy {theirs * 1e3:.0f} ms,"
          f" ratio {ours / theirs:.2f} (goal <= 1.3)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
