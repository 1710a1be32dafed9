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


def read_back(d) -> str | None:
    """The `numpy` code of the result text parsed again, with the symbols' shapes declared
    (`result` is in the input language); None when the text holds an I or 1 that
    nothing in it sizes (1 y^T, or tr(A) I, by itself does not say how long 1 or I is)."""
    from derivtex.errors import ShapeError
    from derivtex.model.inference import infer
    from derivtex.model.shapes import Shapes
    from derivtex.printing.plain import NumpyPrinter
    from derivtex.syntax.parser import parse_text

    declared = {n: (1,) if s.kind == "scalar" else s.shape[:1] if s.kind == "vector" else s.shape
                for n, s in d.symbols.items()}
    try:
        back, _ = infer(parse_text(d.result_text, frozenset(declared)), declared)
    except ShapeError as exc:
        if "is not tied to any symbol" in exc.message:
            return None
        raise
    return NumpyPrinter(d.symbols, Shapes(d.symbols))(back)
