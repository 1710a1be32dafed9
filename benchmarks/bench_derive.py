"""derive() against its peers, each as a ratio, all in one run:

- the full derivation (steps, LaTeX, numeric verification) against sympy's bare
  MatrixSymbol.diff on the same expressions: geometric mean ratio, goal <= 0.25;
- the engine's slope on x^T A1 ... Ak x between k = 80 and k = 160 on a log-log scale
  (1.0 is linear), goal <= 1.15, beside sympy's slope on the same chains;
- an order-4 derivative (a chain of 8 matrices by one of them) against the same chain
  by a vector, goal <= 3;
- the cold start of `derivtex derive` against `python -c "import sympy"`, goal <= 0.8;
- peak memory deriving the benchmark set.

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
from derivtex.api import parse_expression
from derivtex.engine.index_method import derive_steps
from derivtex.model.shapes import infer_symbols

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
    print(f"geometric mean ratio derivtex/sympy: {geometric_mean(ratios):.2f} (goal <= 0.25)")


def quadratic_chain(k: int) -> str:
    return "x^T " + " ".join(f"A{i}" for i in range(1, k + 1)) + " x"


def engine(expr: str, wrt: str):
    """Parse, infer shapes and run the index method: no verification, no LaTeX."""
    def run():
        parsed = parse_expression(expr, frozenset())
        derive_steps(parsed, infer_symbols(parsed), wrt, "numerator")
    return run


def slope(t_small: float, t_large: float, k_small: int, k_large: int) -> float:
    return math.log(t_large / t_small) / math.log(k_large / k_small)


def chain_slope(k_small: int = 80, k_large: int = 160) -> None:
    mats = [sp.MatrixSymbol(f"A{i}", n, n) for i in range(1, k_large + 1)]
    xs = sp.MatrixSymbol("x", n, 1)
    ours = [best_of(engine(quadratic_chain(k), "x"), 5) for k in (k_small, k_large)]
    full = [best_of(full_derivation(quadratic_chain(k), "x"), 3) for k in (k_small, k_large)]
    theirs = [best_of(lambda k=k: sp.MatMul(xs.T, *mats[:k], xs).diff(xs), 2)
              for k in (k_small, k_large)]
    mine, peer = slope(*ours, k_small, k_large), slope(*theirs, k_small, k_large)
    print(f"\nx^T A1 ... Ak x, k = {k_small} -> {k_large} (log-log slope; 1.0 is linear)")
    print(f"  engine   {ours[0] * 1e3:7.1f} -> {ours[1] * 1e3:7.1f} ms, slope {mine:.2f} "
          f"(goal <= 1.15)")
    print(f"  derive   {full[0] * 1e3:7.1f} -> {full[1] * 1e3:7.1f} ms, slope "
          f"{slope(*full, k_small, k_large):.2f} (with verification and LaTeX)")
    print(f"  sympy    {theirs[0] * 1e3:7.1f} -> {theirs[1] * 1e3:7.1f} ms, slope {peer:.2f}")
    print(f"  slope ratio engine/sympy: {mine / peer:.2f}")


def tensor_chain() -> None:
    """Order 4 is checked as arrays (einsum over the index tree), not entry by entry."""
    matrices = [f"A{i}" for i in range(1, 9)]
    by_matrix = " ".join(matrices[:4] + ["X"] + matrices[5:])
    by_vector = " ".join(matrices) + " x"
    tensor = best_of(full_derivation(by_matrix, "X"), 5)
    vector = best_of(full_derivation(by_vector, "x"), 5)
    print(f"\norder 4: {by_matrix} by X {tensor * 1e3:.1f} ms; {by_vector} by x "
          f"{vector * 1e3:.1f} ms; ratio {tensor / vector:.2f} (goal <= 3)")


def cold_start() -> None:
    def cold(argv):
        return best_of(lambda: subprocess.run(argv, check=True, capture_output=True), 5)

    ours = cold([sys.executable, "-m", "derivtex", "derive", "y^T A x", "--wrt", "x"])
    theirs = cold([sys.executable, "-c", "import sympy"])
    print(f"\ncold start: derivtex derive {ours * 1e3:.0f} ms, import sympy {theirs * 1e3:.0f} ms,"
          f" ratio {ours / theirs:.2f} (goal <= 0.8)")


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
    chain_slope()
    tensor_chain()
    cold_start()
    peak_memory()
    return 0


if __name__ == "__main__":
    sys.exit(main())
