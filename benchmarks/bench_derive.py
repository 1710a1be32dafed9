"""derive() against its peers, each as a ratio, all in one run:

- the full derivation (steps, LaTeX, numeric verification) against sympy's bare
  MatrixSymbol.diff on the same expressions: geometric mean ratio, goal <= 0.25;
- the engine's slope on x^T A1 ... Ak x between k = 80 and k = 160 on a log-log scale
  (1.0 is linear), goal <= 1.15, beside sympy's slope on the same chains;
- an order-4 derivative (a chain of 8 matrices by one of them) against the same chain
  by a vector, goal <= 3;
- the cold start of `derivtex derive` against `python -c "import sympy"`, goal <= 0.8;
- peak memory: a fresh process deriving the benchmark set against a fresh process running
  sympy's diff on the same expressions (each process imports only what it measures).

    python benchmarks/bench_derive.py
"""

from __future__ import annotations

import math
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

# The benchmark set; sympy_cases() gives sympy's diff of each, in this order.
CASES = [("W x", "x"), ("a^T x", "x"), ("y^T A x", "x"), ("x^T Q x", "x"),
         ("(A x - b)^T (A x - b)", "x"), ("(x - d)^T Q (x - d)", "x"), ("sigma(W x)", "x"),
         ("a^T X d", "X"), ("tr(B X)", "X")]


# sympy and derivtex are imported where they are used, so that each peak-memory process
# holds only the library it measures.
def sympy_cases():
    import sympy as sp

    n, m = sp.symbols("n m", integer=True, positive=True)
    W, A = sp.MatrixSymbol("W", n, m), sp.MatrixSymbol("A", n, m)
    Q, X = sp.MatrixSymbol("Q", m, m), sp.MatrixSymbol("X", m, m)
    B = sp.MatrixSymbol("B", m, m)
    x, a, d = (sp.MatrixSymbol(s, m, 1) for s in "xad")
    y, b = sp.MatrixSymbol("y", n, 1), sp.MatrixSymbol("b", n, 1)
    return [
        lambda: (W * x).diff(x),
        lambda: (a.T * x).diff(x),
        lambda: (y.T * A * x).diff(x),
        lambda: (x.T * Q * x).diff(x),
        lambda: ((A * x - b).T * (A * x - b)).diff(x),
        lambda: ((x - d).T * Q * (x - d)).diff(x),
        lambda: (W * x).applyfunc(lambda z: 1 / (1 + sp.exp(-z))).diff(x),
        lambda: (a.T * X * d).diff(X),
        lambda: sp.Trace(B * X).diff(X),
    ]


def best_of(fn, repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def full_derivation(expr: str, wrt: str):
    from derivtex import derive

    return lambda: derive(expr, wrt).to_dict()


def geometric_mean(values: list[float]) -> float:
    return math.exp(statistics.fmean(math.log(v) for v in values))


def per_expression() -> None:
    print(f"{'expression':26} {'derivtex ms':>12} {'sympy ms':>10} {'ratio':>7}")
    ratios = []
    for (expr, wrt), sympy_fn in zip(CASES, sympy_cases(), strict=True):
        ours, theirs = best_of(full_derivation(expr, wrt)), best_of(sympy_fn)
        ratios.append(ours / theirs)
        print(f"{expr:26} {ours * 1e3:12.2f} {theirs * 1e3:10.2f} {ours / theirs:7.2f}")
    print(f"geometric mean ratio derivtex/sympy: {geometric_mean(ratios):.2f} (goal <= 0.25)")


def quadratic_chain(k: int) -> str:
    return "x^T " + " ".join(f"A{i}" for i in range(1, k + 1)) + " x"


def engine(expr: str, wrt: str):
    """Parse, infer shapes and run the index method: no verification, no LaTeX."""
    from derivtex.api import parse_expression
    from derivtex.engine.index_method import derive_steps
    from derivtex.model.shapes import infer_symbols

    def run():
        parsed = parse_expression(expr, frozenset())
        derive_steps(parsed, infer_symbols(parsed), wrt, "numerator")
    return run


def slope(t_small: float, t_large: float, k_small: int, k_large: int) -> float:
    return math.log(t_large / t_small) / math.log(k_large / k_small)


def chain_slope(k_small: int = 80, k_large: int = 160) -> None:
    import sympy as sp

    n = sp.Symbol("n", integer=True, positive=True)
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


def peak_rss(workload: str) -> int:
    """KiB of peak RSS of a fresh process running one workload of this file (--peak)."""
    out = subprocess.run([sys.executable, __file__, "--peak", workload], check=True,
                         capture_output=True, text=True).stdout
    return int(out)


def run_workload(workload: str) -> None:
    if workload == "derivtex":
        for expr, wrt in CASES:
            full_derivation(expr, wrt)()
    else:
        for sympy_fn in sympy_cases():
            sympy_fn()
    print(peak_kib())


def peak_kib() -> int:
    """This process image's high-water mark (Linux VmHWM). ru_maxrss is not used where
    VmHWM exists: it survives exec, so a child forked from this large process reports
    the parent's size, not its own."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def peak_memory() -> None:
    ours, theirs = peak_rss("derivtex"), peak_rss("sympy")
    print(f"\npeak memory, the benchmark set in a fresh process: derivtex {ours / 1024:.0f} MiB, "
          f"sympy's diff {theirs / 1024:.0f} MiB, ratio {ours / theirs:.2f}")


def main() -> int:
    if sys.argv[1:2] == ["--peak"]:
        run_workload(sys.argv[2])
        return 0
    full_derivation("W x", "x")()  # templates compiled once, as in any real session
    per_expression()
    chain_slope()
    tensor_chain()
    cold_start()
    peak_memory()
    return 0


if __name__ == "__main__":
    sys.exit(main())
