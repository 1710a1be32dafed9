import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from fuzz import generate

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


def numeric_check(data: dict, ref, wrt: str, layout: str) -> None:
    """The `numpy` field against central differences of a hand-written reference."""
    arrays = generate.bind(data["symbols"], np.random.default_rng(3))
    want = generate.jacobian(lambda env: ref(**env), arrays, wrt, layout)
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
