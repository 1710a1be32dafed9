"""`derivtex check`: exit status 0 correct, 3 not correct, 2 bad input, 1 derivtex's own
failure; the JSON object autograders read (SPEC §4 "check")."""

import json

import pytest

from derivtex.shells import cli
from tests.conftest import run_cli
from tests.shells.test_cli_commands import (
    test_every_option_has_help_and_shows_its_default as documented,
)

CHECK = ["check", "y^T A x", "--wrt", "x"]


def test_a_correct_answer_exits_0_and_says_so():
    proc = run_cli(*CHECK, "--answer", "y^T A")
    assert proc.returncode == 0 and proc.stderr == b""
    assert proc.stdout.decode() == ("Correct: this is the derivative in numerator layout, a "
                                    "row (1×m).\n")


def test_the_json_shape_an_autograder_reads():
    proc = run_cli(*CHECK, "--answer", "A y", "--format", "json")
    assert proc.returncode == 3 and proc.stderr == b""
    data = json.loads(proc.stdout)
    assert list(data) == ["verdict", "message", "expected_shape", "answer_shape",
                          "counterexample", "hint"]
    assert data["verdict"] == "wrong"
    assert data["expected_shape"] == [1, "m"] and data["answer_shape"] == ["n", 1]
    example = data["counterexample"]
    assert set(example) == {"sizes", "entry", "answer", "derivative", "values"}
    assert example["sizes"]["n"] == example["sizes"]["m"] in (2, 3)
    assert len(example["entry"]) == 2 and example["answer"] != example["derivative"]
    assert "with A^T in place of A" in data["hint"]


@pytest.mark.parametrize("answer, layout, verdict", [
    ("A^T y", "numerator", "other_layout"),
    ("A^T y", "denominator", "correct"),
    ("A", "numerator", "wrong_shape"),
    ("y", "denominator", "wrong_shape"),
    ("y^T A^T", "numerator", "wrong"),  # only when A is square, and wrong even then
])
def test_each_verdict_in_json_and_its_exit_status(answer, layout, verdict):
    proc = run_cli(*CHECK, "--answer", answer, "--layout", layout, "--format", "json")
    assert json.loads(proc.stdout)["verdict"] == verdict
    assert proc.returncode == (0 if verdict == "correct" else 3)


def test_text_output_has_the_hint_and_the_inputs_of_the_counterexample():
    proc = run_cli("check", "x^T A x", "--wrt", "x", "--answer", "2 A x", "--layout",
                   "denominator")
    out = proc.stdout.decode().splitlines()
    assert proc.returncode == 3
    assert out[0].startswith("Wrong: for example at n = ")
    assert out[1] == ("Hint: Your answer is right only when A is symmetric; for a general A it "
                      "is not. If it is symmetric, declare it: --symmetric A.")
    assert out[2] == "The inputs there:" and out[3].startswith("  x = (")
    assert out[4].startswith("  A = [[")
    assert run_cli("check", "x^T A x", "--wrt", "x", "--answer", "2 A x", "--layout",
                   "denominator", "--symmetric", "A").returncode == 0


@pytest.mark.parametrize("args, fragment", [
    (["--answer", "y^T A +"], "derivtex: syntax error: in the answer, column 8: "),
    (["--answer", "y^T B"], "'B' is not in the expression (its names: A, x, y)"),
    (["--answer", "y A"], "derivtex: shape error: in the answer, column 3: cannot multiply"),
    (["--answer", "y^T A", "--format", "yaml"], "--format 'yaml': use text or json"),
    (["--answer", "y^T A", "--layout", "sideways"], "--layout 'sideways'"),
    (["--answer", "y^T A", "--order", "3"], "--order '3'"),
    (["--answer", r"\write18{rm -rf /} y^T A"], "unsupported LaTeX macro \\write"),
])
def test_bad_input_exits_2_with_one_line_and_nothing_on_stdout(args, fragment):
    proc = run_cli(*CHECK, *args)
    err = proc.stderr.decode()
    assert proc.returncode == 2 and proc.stdout == b"", err
    assert fragment in err and len(err.splitlines()) == 1 and "Traceback" not in err


def test_a_bad_expression_is_exit_2_too():
    proc = run_cli("check", "y^T A x +", "--wrt", "x", "--answer", "y^T A")
    assert proc.returncode == 2 and b"column 10: the expression ends too early" in proc.stderr


def test_the_answer_can_come_from_stdin_but_not_both():
    proc = run_cli(*CHECK, "--answer", "-", stdin=b"y^T A\n")
    assert proc.returncode == 0
    both = run_cli("check", "-", "--wrt", "x", "--answer", "-", stdin=b"y^T A x\n")
    assert both.returncode == 2 and b"only one of" in both.stderr


def test_a_failure_of_derivtex_itself_exits_1_asking_for_a_report(monkeypatch, capsys):
    from derivtex.verify import answer

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(answer, "judge", broken)
    assert cli.main([*CHECK, "--answer", "y^T A"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "RuntimeError: boom" in captured.err
    assert "Please report" in captured.err


def test_help_lists_check():
    proc = run_cli("--help")
    assert b"check" in proc.stdout
    proc = run_cli("check", "--help")
    assert proc.returncode == 0 and b"--answer ANSWER" in proc.stdout


def test_every_check_option_has_help_and_shows_its_default():
    documented("check")


def test_the_wording_is_a_template_a_course_can_override(tmp_path):
    (tmp_path / "check.j2").write_text(
        "((* macro message(c) -*))Verdict: ((( c.verdict ))).((*- endmacro *))\n"
        "((* macro hint(c) -*))((*- endmacro *))\n")
    proc = run_cli(*CHECK, "--answer", "A^T y", "--templates", str(tmp_path))
    assert proc.returncode == 3 and proc.stdout == b"Verdict: other_layout.\n"
    (tmp_path / "check.j2").write_text("((* macro message(c) -*))((( c.nope.x )))"
                                       "((*- endmacro *))\n")
    proc = run_cli(*CHECK, "--answer", "A^T y", "--templates", str(tmp_path))
    err = proc.stderr.decode()
    assert proc.returncode == 2 and err.startswith(f"derivtex: template error: "
                                                   f"{tmp_path / 'check.j2'}, line 1: "), err
