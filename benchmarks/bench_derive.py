"""derive() (steps, LaTeX and numeric verification included) against sympy's bare
MatrixSymbol.diff on the same expressions, in one process; chain scaling; CLI cold start
against `python -c "import sympy"`; peak memory. Goals: ratio <= 1.0, cold start <= 1.3.

    python benchmarks/bench_derive.py
"""

from __future__ import annotations

import math
import statistics
import subprocess
import sys
import time

import sympy as sp

from derivtex import derive

n, m = sp.symbols("n m", integer=True, positive=True)


def sympy_cases():
    W, A = sp.MatrixSymbol("W", n, m), sp.MatrixSymbol("A", n, m)
    Q, X = sp.MatrixSymbol("Q", m, m), sp.MatrixSymbol("X", m, m)
    B = sp.MatrixSymbol("B", m, m)
    x, a, d = (sp.MatrixSymbol(s, m, 1) for s in "xad")
    y, b = sp.MatrixSymbol("y", n, 1), sp.MatrixSymbol("b", n, 1)
    return [
        ("W x", "x", lambda: (W * x).diff(x)),
        ("a^T x", "x", lambda: (a.T * x).diff(x)),
        ("y^T A x", "x", lambda: (y.T * A * x).diff(x)),
        ("x^T Q x", "x", lambda: (x.T * Q * x).diff(x)),
        ("(A x - b)^T (A x - b)", "x", lambda: ((A * x - b).T * (A * x - b)).diff(x)),
        ("(x - d)^T Q (x - d)", "x", lambda: ((x - d).T * Q * (x - d)).diff(x)),
        ("sigma(W x)", "x",
         lambda: (W * x).applyfunc(lambda z: 1 / (1 + sp.exp(-z))).diff(x)),
        ("a^T X d", "X", lambda: (a.T * X * d).diff(X)),
        ("tr(B X)", "X", lambda: sp.Trace(B * X).diff(X)),
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


def geometric_mean(values: list[float]) -> float:
    return math.exp(statistics.fmean(math.log(v) for v in values))


def per_expression() -> None:
    print(f"{'expression':26} {'derivtex ms':>12} {'sympy ms':>10} {'ratio':>7}")
    ratios = []
    for expr, wrt, sympy_fn in sympy_cases():
        ours, theirs = best_of(full_derivation(expr, wrt)), best_of(sympy_fn)
        ratios.append(ours / theirs)
        print(f"{expr:26} {ours * 1e3:12.2f} {theirs * 1e3:10.2f} {ours / theirs:7.2f}")
    print(f"geometric mean ratio derivtex/sympy: {geometric_mean(ratios):.2f} (goal <= 1.0)")


def scaling() -> None:
    mats = [sp.MatrixSymbol(f"A{i}", n, n) for i in range(1, 41)]
    xs = sp.MatrixSymbol("x", n, 1)
    print("\nscaling, k = 5 -> 40 (time(40)/time(5); linear growth would be 8x)")
    for label, text, build in [
        ("A1 ... Ak x", lambda k: " ".join(f"A{i}" for i in range(1, k + 1)) + " x",
         lambda k: sp.MatMul(*mats[:k], xs)),
        ("x^T A1 ... Ak x", lambda k: "x^T " + " ".join(f"A{i}" for i in range(1, k + 1))
         + " x", lambda k: sp.MatMul(xs.T, *mats[:k], xs)),
    ]:
        t5, t40 = (best_of(full_derivation(text(k), "x"), 3) for k in (5, 40))
        s5, s40 = (best_of(lambda k=k: build(k).diff(xs), 3) for k in (5, 40))
        print(f"{label:16} derivtex {t5 * 1e3:6.1f} -> {t40 * 1e3:6.1f} ms ({t40 / t5:4.1f}x)"
              f"   sympy {s5 * 1e3:6.1f} -> {s40 * 1e3:6.1f} ms ({s40 / s5:4.1f}x)")


def cold_start() -> None:
    def cold(argv):
        return best_of(lambda: subprocess.run(argv, check=True, capture_output=True), 5)

    ours = cold([sys.executable, "-m", "derivtex", "derive", "y^T A x", "--wrt", "x"])
    theirs = cold([sys.executable, "-c", "import sympy"])
    print(f"\ncold start: derivtex derive {ours * 1e3:.0f} ms, import sympy {theirs * 1e3:.0f} ms,"
          f" ratio {ours / theirs:.2f} (goal <= 1.3)")


def peak_memory() -> None:
    code = ("import resource; from derivtex import derive\n"
            "for e, w in " + repr([(e, w) for e, w, _ in sympy_cases()]) + ":\n"
            "    derive(e, w).to_dict()\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    kib = int(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                             text=True).stdout)
    print(f"peak RSS deriving the benchmark set in a fresh process: {kib / 1024:.0f} MiB")


def main() -> int:
    full_derivation("W x", "x")()  # templates compiled once, as in any real session
    per_expression()
    scaling()
    cold_start()
    peak_memory()
    return 0


if __name__ == "__main__":
    sys.exit(main())
