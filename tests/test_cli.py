"""The real command line, as users and the acceptance checker run it."""

import json

import pytest

from derivtex import __version__
from tests.conftest import run_cli


def test_json_output_for_the_notes_bilinear_example(tmp_path):
    proc = run_cli("derive", "y^T A x", "--wrt", "x", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["result"] == "y^T A" and data["verified"] is True
    assert data["result_shape"] == [1, "m"]
    assert data["symbols"]["A"] == {"kind": "matrix", "shape": ["n", "m"]}
    assert data["numpy"] and data["latex"].count(r"\begin{align*}") == len(data["steps"])


def test_output_file_and_stdin(tmp_path):
    out = tmp_path / "d.tex"
    proc = run_cli("derive", "-", "--wrt", "x", "--standalone", "-o", str(out),
                   stdin=b"a^T x\n")
    assert proc.returncode == 0 and proc.stdout == b""
    assert out.read_text().startswith(r"\documentclass")


def test_markdown_uses_aligned_blocks():
    proc = run_cli("derive", "W x", "--wrt", "x", "--format", "markdown")
    assert proc.returncode == 0
    assert "$$\n\\begin{aligned}" in proc.stdout.decode()


def test_version_and_module_entry_point():
    proc = run_cli("--version")
    assert proc.returncode == 0 and proc.stdout.decode().strip() == f"derivtex {__version__}"


BAD = [
    (["A x -", "--wrt", "x"], "column 6"),
    (["bar(x)", "--wrt", "x"], "unknown function 'bar'"),
    (["A x", "--wrt", "x", "--shape", "A=2,3", "--shape", "x=4"], "2×3"),
    (["A x", "--wrt", "q"], "'q' does not occur"),
    (["__import__('os').system('touch /tmp/derivtex_pwned')", "--wrt", "x"], "column"),
    (["\\write18{touch /tmp/derivtex_pwned} x", "--wrt", "x"], "\\write"),
    (["A x", "--wrt", "x", "--layout", "sideways"], "invalid choice"),
    (["A x", "--wrt", "x", "--shape", "A=n,m,p"], "--shape"),
    (["x" * 10_001, "--wrt", "x"], "limit is 10,000"),
    (["(" * 4000 + "x" + ")" * 4000, "--wrt", "x"], "nested deeper"),
    (["xy", "--wrt", "xy"], "--shape xy="),
]


@pytest.mark.parametrize("args, fragment", BAD)
def test_bad_input_exits_2_with_one_short_message_and_writes_nothing(tmp_path, args, fragment):
    out = tmp_path / "out.tex"
    proc = run_cli("derive", *args, "-o", str(out), cwd=tmp_path)
    err = proc.stderr.decode()
    assert proc.returncode == 2
    assert proc.stdout == b"" and "Traceback" not in err
    assert fragment in err and len(err.splitlines()) <= 3 and len(err) < 600
    assert list(tmp_path.iterdir()) == []


def test_non_utf8_stdin_is_bad_input(tmp_path):
    proc = run_cli("derive", "-", "--wrt", "x", stdin=b"\xff\xfe x")
    assert proc.returncode == 2 and b"UTF-8" in proc.stderr and proc.stdout == b""
