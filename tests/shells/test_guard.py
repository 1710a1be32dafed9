"""The one guarded entry point: every failure becomes a Failure (bad input: exit 2; a bug:
exit 1 and "please report"), and nothing unsafe is ever emitted."""

import shutil

import pytest

from derivtex import derive
from derivtex.errors import Failure, OptionError, UnsafeOutputError, VerificationError
from derivtex.options import Options
from derivtex.printing.render import template_dirs
from derivtex.shells.guard import attempt


def latex_of(d):
    return d.latex


def test_a_derivation_comes_back_as_the_shells_output():
    got = attempt("y^T A x", Options("x"), latex_of)
    assert isinstance(got, str) and r"\boldsymbol{y}^{\top} \boldsymbol{A}" in got


@pytest.mark.parametrize("expression, shapes, kind, column", [
    ("bar(x)", (), "syntax error", 1),
    ("a1b x", (), "shape error", 1),
    ("a1b x", (("a1b", "1"),), "syntax error", 1),
    ("A1 x + A_1 x", (), "syntax error", 8),
    ("x_ + x", (("x_", "n"),), "syntax error", 6),
    ("y", (), "bad option", None),
])
def test_bad_input_is_a_failure_with_exit_status_2(expression, shapes, kind, column):
    got = attempt(expression, Options("x", shapes=shapes), latex_of)
    assert isinstance(got, Failure) and not got.internal
    assert (got.kind, got.column, got.exit_status) == (kind, column, 2)


def test_bad_options_from_a_mapping_are_failures_too():
    with pytest.raises(OptionError) as caught:
        Options.from_mapping({"wrt": "x", "label": "a b"})
    got = Failure.from_exception(caught.value)
    assert isinstance(got, Failure) and got.exit_status == 2 and "label" in got.message


@pytest.mark.parametrize("error, internal, fragment", [
    (VerificationError("differs by 3"), True, "numeric check (differs by 3)"),
    (KeyError("boom"), True, "KeyError"),
    (RecursionError(), False, "too deeply nested"),
    (MemoryError(), False, "more memory"),
])
def test_every_other_exception_is_classified(error, internal, fragment):
    def output(d):
        raise error

    got = attempt("x", Options("x"), output)
    assert isinstance(got, Failure) and got.internal is internal and fragment in str(got)
    assert ("please report" in str(got).lower()) is internal
    assert got.exit_status == (1 if internal else 2)


def test_a_template_that_smuggles_a_file_read_is_refused(tmp_path):
    for f in template_dirs()[0].iterdir():
        shutil.copy(f, tmp_path / f.name)
    explain = tmp_path / "explain.j2"
    explain.write_text(explain.read_text().replace(
        "explicit sum over indices", r"\input{/etc/hostname} explicit sum over indices"))
    with pytest.raises(UnsafeOutputError):
        latex_of(derive("y^T A x", "x", templates=str(tmp_path)))
    got = attempt("y^T A x", Options("x", templates=str(tmp_path)), latex_of)
    assert isinstance(got, Failure) and got.internal and r"\input" in got.message


LONG = "a" * 500


@pytest.mark.parametrize("args", [
    [f"{LONG} x", "--wrt", "x"], [f"\\mathbf{{{LONG}}} x", "--wrt", "x"],
    [f"\\{LONG} x", "--wrt", "x"], ["x", "--wrt", LONG], [f"{LONG}(x)", "--wrt", "x"],
    ["x", "--wrt", "x", "--shape", f"x={LONG}"], ["x", "--wrt", "x", "--shape", f"{LONG}=3"],
    ["x", "--wrt", "x", "--layout", LONG], ["x", "--wrt", "x", "--shape", "x=3",
                                             "--shape", "x=4"],
])
def test_messages_never_echo_a_long_input(args, tmp_path):
    from tests.conftest import run_cli

    proc = run_cli("derive", *args, cwd=tmp_path)
    err = proc.stderr.decode()
    assert proc.returncode == 2 and proc.stdout == b"" and len(err) < 300, err
    assert "Traceback" not in err and LONG not in err
