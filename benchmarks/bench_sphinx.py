"""A Sphinx page with 200 derivations against the same page with plain math, and a
rebuild with nothing changed (which must derive nothing).

    python benchmarks/bench_sphinx.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

FORMS = ["W{k} x", "a{k}^T x", "y^T A{k} x", "x^T A{k} x", "||A{k} x - b||^2",
         "sigma(W{k} x)", "tr(A{k} X)", "a^T X{k} b"]


def expressions(count: int) -> list[tuple[str, str]]:
    out = []
    for k in range(count):
        form = FORMS[k % len(FORMS)].format(k=k // len(FORMS) + 1)
        out.append((form, "X" if " X" in form or "X{" in form else "x"))
    return out


def project(root: Path, derivations: bool) -> Path:
    root.mkdir(parents=True)
    (root / "conf.py").write_text('extensions = ["derivtex.sphinx"]\n')
    lines = ["Benchmark", "=========", ""]
    for expr, wrt in expressions(200):
        if derivations:
            lines += [f".. derivation:: {expr}", f"   :wrt: {wrt}", ""]
        else:
            lines += [".. math::", "", rf"   \frac{{\partial}}{{\partial {wrt}}} {expr}", ""]
    (root / "index.rst").write_text("\n".join(lines))
    return root


def sphinx(src: Path, out: Path) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", str(src), str(out)],
                          capture_output=True, text=True, check=True)
    return time.perf_counter() - start, proc.stdout


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        plain_t, _ = sphinx(project(base / "plain", False), base / "plain-out")
        ours = project(base / "derivtex", True)
        ours_t, _ = sphinx(ours, base / "derivtex-out")
        again_t, log = sphinx(ours, base / "derivtex-out")
        reread = "reading sources... [100%]" in log
        print(f"Sphinx, one page of 200 derivations: {ours_t:.1f} s; "
              f"the same page with 200 plain math blocks: {plain_t:.1f} s "
              f"(ratio {ours_t / plain_t:.1f})")
        print(f"rebuild with nothing changed: {again_t:.1f} s, "
              f"{'re-read the page (re-derived)' if reread else 'read nothing, derived nothing'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
