import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
pytest_plugins = "sphinx.testing.fixtures"


@pytest.fixture(scope="session")
def rootdir():
    """Sphinx test roots: tests/roots/test-NAME."""
    return ROOT / "tests" / "roots"


def run_cli(*args: str, stdin: bytes | None = None, cwd: Path | None = None):
    return subprocess.run([sys.executable, "-m", "derivtex", *args], input=stdin,
                          capture_output=True, cwd=cwd, timeout=60)


def evaluate_numpy(code: str, arrays: dict) -> np.ndarray:
    """The contract's `numpy` field, evaluated with only np and the symbols in scope."""
    scope = {"__builtins__": {}, "np": np, **arrays}
    return np.asarray(eval(code, scope), dtype=float)  # noqa: S307 - our own generated code


def numeric_check(data: dict, ref, wrt: str, layout: str, sizes=(3, 4, 2, 5)) -> None:
    """The `numpy` field against central differences of a hand-written reference."""
    rng = np.random.default_rng(3)
    dims = {}
    for s in data["symbols"].values():
        for d in s["shape"]:
            if isinstance(d, str) and d not in dims:
                dims[d] = sizes[len(dims) % len(sizes)]
    arrays = {}
    for name, s in data["symbols"].items():
        shape = tuple(dims.get(d, d) for d in s["shape"])
        if s["kind"] == "scalar":
            arrays[name] = float(rng.uniform(0.5, 2))
        elif s["kind"] == "matrix" and shape[0] == shape[1]:
            arrays[name] = 2 * np.eye(shape[0]) + 0.3 * rng.standard_normal(shape)
        else:
            arrays[name] = rng.uniform(0.2, 1.5, shape)
    x0 = arrays[wrt]
    base = np.asarray(ref(**arrays), dtype=float)
    cols = []
    for k in range(x0.size):
        step = np.zeros(x0.shape)
        step.flat[k] = 1e-6
        plus = np.asarray(ref(**{**arrays, wrt: x0 + step}), dtype=float)
        minus = np.asarray(ref(**{**arrays, wrt: x0 - step}), dtype=float)
        cols.append((plus - minus).ravel() / 2e-6)
    jac = np.array(cols).T
    if base.size == 1:
        want = jac.reshape(x0.shape).T if x0.shape[1] > 1 else jac.reshape(1, -1)
    else:
        want = jac
    if layout == "denominator":
        want = want.T
    got = evaluate_numpy(data["numpy"], arrays)
    np.testing.assert_allclose(np.broadcast_to(got, want.shape), want, rtol=1e-5, atol=1e-6)


@pytest.fixture
def pdflatex():
    exe = shutil.which("pdflatex")
    if exe is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pdflatex is missing under CI=true")
        pytest.skip("pdflatex not installed")
    return exe


def compile_tex(tex: Path, pdflatex_exe: str) -> Path:
    result = subprocess.run(
        [pdflatex_exe, "-halt-on-error", "-no-shell-escape", "-interaction=nonstopmode",
         tex.name], cwd=tex.parent, capture_output=True, timeout=120)
    assert result.returncode == 0, result.stdout.decode(errors="replace")[-2000:]
    pdf = tex.with_suffix(".pdf")
    assert pdf.stat().st_size > 1000
    return pdf
