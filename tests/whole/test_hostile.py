"""Hostile and malformed input: always exit 2, one short message with the column,
nothing on stdout, no file written, no code run, no macro smuggled into LaTeX."""

import re
from pathlib import Path

import pytest

from derivtex import derive
from derivtex.errors import DerivtexError, ParseError
from derivtex.printing.safety import FORBIDDEN_MACROS
from tests.conftest import ROOT, run_cli

CANARY = Path("/tmp/derivtex_pwned")
VALID = ["y^T A x", "||A x - b||^2 + lambda ||x||^2", r"\mathbf{y}^\top \mathbf{A}\mathbf{x}",
         "sigma(W2 tanh(W1 x + b))", "tr(X^T A X)"]


@pytest.mark.parametrize("expr", VALID)
def test_every_truncation_derives_or_fails_cleanly(expr):
    for cut in range(len(expr)):
        prefix = expr[:cut]
        wrt = "X" if "X" in expr else "x"
        try:
            d = derive(prefix, wrt)
        except ParseError as exc:
            assert exc.column is not None and 1 <= exc.column <= len(prefix) + 1, prefix
        except DerivtexError as exc:
            assert exc.message
        else:
            assert d.verified and not FORBIDDEN_MACROS.search(d.latex)


INJECTIONS = [
    r"\input{/etc/passwd} x", r"\include{secret} x", r"\write18{touch /tmp/derivtex_pwned} x",
    r"\immediate\write18{touch /tmp/derivtex_pwned} x", r"\catcode`\^^M=13 x",
    r"\def\x{y} x", r"\csname input\endcsname x", r"\mathbf{\input{a}} x",
    r"\mathbf{x}^{\input{a}}", r"\operatorname{\write18{id}}(x)",
    "__import__('os').system('touch /tmp/derivtex_pwned')", "x; touch /tmp/derivtex_pwned",
    "$(touch /tmp/derivtex_pwned) x", "`touch /tmp/derivtex_pwned` x",
    "os.system('touch /tmp/derivtex_pwned') x", "x # comment", "x \\\\ y",
    "bar(x)", "exp(x, y)", "(x", "x)", "||x", "{x}", "x^", "x^3.5", "A x -", "",
    "(" * 4000 + "x" + ")" * 4000, "-" * 500 + "x", "x" * 10_001, "x\u202e",
    " ".join(["(x^T x)"] * 600), "sigma(" * 60 + "x" + ")" * 60,
]


@pytest.mark.parametrize("expr", INJECTIONS, ids=lambda e: repr(e[:30]))
def test_hostile_expressions_exit_2_cleanly(expr, tmp_path):
    CANARY.unlink(missing_ok=True)
    proc = run_cli("derive", "--wrt", "x", "-o", "out.tex", "--", expr, cwd=tmp_path)
    err = proc.stderr.decode()
    assert proc.returncode == 2, err
    assert proc.stdout == b"" and "Traceback" not in err
    assert 0 < len(err.splitlines()) <= 3 and len(err) < 600
    assert not any(tmp_path.iterdir()) and not CANARY.exists()


@pytest.mark.parametrize("args, fragment", [
    (["x + y", "--wrt", "x", "--shape", "x=3", "--shape", "y=4"], "size 3"),
    (["A x", "--wrt", "x", "--shape", "A=n,m", "--shape", "x=p"], "dimension"),
    (["x", "--wrt", "x", "--shape", "q=3"], "not in the expression"),
    (["x", "--wrt", "x+1"], "not a name"),
    (["x", "--wrt", ""], "not a name"),
    (["x", "--wrt", "x", "--shape", "x=0"], "--shape"),
    (["x", "--wrt", "x", "--method", "magic"], "--method 'magic': use index"),
    (["x", "--wrt", "x", "--templates", "/nonexistent"], "not a directory"),
])
def test_bad_options_exit_2(args, fragment, tmp_path):
    proc = run_cli("derive", *args, cwd=tmp_path)
    assert proc.returncode == 2 and fragment in proc.stderr.decode()
    assert proc.stdout == b"" and not any(tmp_path.iterdir())


def test_non_utf8_and_oversized_stdin(tmp_path):
    for data in (b"\xff\xfe x", b"x" * 50_000, b"x\x00"):
        proc = run_cli("derive", "-", "--wrt", "x", stdin=data, cwd=tmp_path)
        assert proc.returncode == 2 and proc.stdout == b""


def test_declared_names_reach_latex_only_as_letters():
    d = derive("foo_bar x", "x", shapes={"foo_bar": "1"})
    assert r"\mathrm{foo}_{bar}" in d.latex and not FORBIDDEN_MACROS.search(d.latex)


def test_the_package_never_evaluates_text():
    source = "".join(p.read_text() for p in (ROOT / "derivtex").rglob("*.py"))
    assert not re.search(r"\b(eval|exec|sympify|parse_expr)\(", source)


@pytest.mark.sphinx("html", testroot="hostile")
def test_sphinx_turns_hostile_input_into_located_warnings(app, warning):
    CANARY.unlink(missing_ok=True)
    app.build()
    warnings = warning.getvalue()
    assert len(re.findall(r"index\.rst:\d+: WARNING: derivtex: .*\[derivtex\.derivation\]",
                          warnings)) == 7, warnings
    html = (app.outdir / "index.html").read_text()
    assert "The page still builds." in html and not CANARY.exists()
    assert html.count("derivtex-error") == 7
    outside_messages = re.sub(r'<div class="error derivtex-error admonition">.*?</div>', "",
                              html.split("<body")[1], flags=re.DOTALL)
    assert not FORBIDDEN_MACROS.search(outside_messages)


@pytest.mark.parametrize("expr", INJECTIONS[:22], ids=lambda e: repr(e[:30]))
def test_markdown_turns_hostile_input_into_an_error_line(expr):
    import markdown

    CANARY.unlink(missing_ok=True)
    html = markdown.markdown(f"```derivtex\n{expr}\nwrt: x\n```\n", extensions=["derivtex"])
    assert 'derivtex-error"' in html and "line 1" in html
    outside_message = re.sub(r'<div class="admonition failure derivtex-error">.*?</div>', "",
                             html, flags=re.DOTALL)
    assert not FORBIDDEN_MACROS.search(outside_message) and not CANARY.exists()
