"""The real command line, as users and the acceptance checker run it."""

import json
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from derivtex import __version__
from tests.conftest import compile_tex, run_cli


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
    (["A x", "--wrt", "x", "--layout", "sideways"], "--layout 'sideways': use numerator or"),
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


def test_output_errors_are_one_clear_message_and_leave_nothing(tmp_path):
    (tmp_path / "dir.tex").mkdir()
    for target, reason in ((tmp_path / "dir.tex", "is a directory"),
                           (tmp_path / "missing" / "d.tex", "the directory does not exist")):
        proc = run_cli("derive", "a^T x", "--wrt", "x", "-o", str(target))
        err = proc.stderr.decode()
        assert proc.returncode == 2 and err == f"derivtex: cannot write: {target}: {reason}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir.tex"]
    assert list((tmp_path / "dir.tex").iterdir()) == []


def test_output_through_a_symlink_replaces_the_link_not_its_target(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (tmp_path / "d.tex").symlink_to(victim)
    proc = run_cli("derive", "a^T x", "--wrt", "x", "-o", str(tmp_path / "d.tex"))
    assert proc.returncode == 0, proc.stderr
    assert victim.read_text() == "precious"
    assert r"\begin{align*}" in (tmp_path / "d.tex").read_text()


def test_an_immutable_output_file_is_one_clear_message(tmp_path):
    target = tmp_path / "d.tex"
    target.write_text("old\n")
    if not shutil.which("chattr") or \
            subprocess.run(["chattr", "+i", str(target)], capture_output=True).returncode:
        pytest.skip("chattr +i is not possible here (test_files simulates EPERM)")
    try:
        proc = run_cli("derive", "a^T x", "--wrt", "x", "-o", str(target))
    finally:
        subprocess.run(["chattr", "-i", str(target)], check=True)
    assert proc.returncode == 2
    assert proc.stderr.decode() == f"derivtex: cannot write: {target}: Operation not permitted\n"
    assert target.read_text() == "old\n" and len(list(tmp_path.iterdir())) == 1


def test_conflicting_shapes_and_a_missing_template_directory_are_errors(tmp_path):
    proc = run_cli("derive", "A x", "--wrt", "x", "--shape", "x=3", "--shape", "x=4")
    assert proc.returncode == 2
    assert proc.stderr.decode() == "derivtex: bad option: 'x' is declared twice: --shape 'x=3' " \
                                   "and --shape 'x=4'\n"
    proc = run_cli("derive", "A x", "--wrt", "x", "--templates", str(tmp_path / "nope"))
    assert proc.returncode == 2 and b"is not a directory" in proc.stderr


@pytest.mark.parametrize("edit, message", [
    (lambda t: t.replace("((* macro goal(s, m) -*))", "((* macro goal(s, m) -*))((( s.nope )))"),
     "explain.j2, line 6: UndefinedError: 'dict object' has no attribute 'nope'"),
    (lambda t: t.replace("((* macro goal(s, m) -*))", "((* macro goal(s, m) -*))((( s | math )))"),
     "explain.j2, line 6: TypeError: the math filter prints expressions"),
    (lambda t: "((* macro goal(s, m) *))\n", "explain.j2, line 1: TemplateSyntaxError"),
    (lambda t: "((* macro goal(s, m) *))x((* endmacro *))\n",
     "explain.j2 has no macro sum_expansion(s, m)"),
])
def test_a_broken_template_override_is_the_users_error_with_its_line(tmp_path, edit, message):
    """A lecturer's edited template that does not render: exit 2 and the file and line,
    nothing written, no "internal error, please report"."""
    from derivtex.printing.render import SHIPPED

    overrides = tmp_path / "templates"
    overrides.mkdir()
    (overrides / "explain.j2").write_text(edit((SHIPPED / "explain.j2").read_text()))
    target = tmp_path / "out.tex"
    proc = run_cli("derive", "W x", "--wrt", "x", "--templates", str(overrides),
                   "-o", str(target))
    err = proc.stderr.decode()
    assert proc.returncode == 2, err
    assert err.startswith(f"derivtex: template error: {overrides}") and message in err, err
    assert "report" not in err and "Traceback" not in err and not target.exists()


def test_label_numbers_the_result_line_and_ref_works_in_pdflatex(tmp_path, pdflatex):
    proc = run_cli("derive", "y^T A x", "--wrt", "x", "--label", "eq:bilinear",
                   "--standalone", "-o", str(tmp_path / "d.tex"))
    assert proc.returncode == 0, proc.stderr
    tex = (tmp_path / "d.tex").read_text()
    assert tex.count(r"\label{eq:bilinear}") == 1
    last_align = tex.rsplit(r"\begin{align*}", 1)[1]
    assert r"\label{eq:bilinear}" in last_align and r"\boldsymbol{y}^{\top}" in last_align
    cited = tex.replace(r"\end{document}", r"See equation (\ref{eq:bilinear}).\end{document}")
    (tmp_path / "d.tex").write_text(cited)
    compile_tex(tmp_path / "d.tex", pdflatex)
    compile_tex(tmp_path / "d.tex", pdflatex)
    assert r"\newlabel{eq:bilinear}{{{1}}" in (tmp_path / "d.aux").read_text()
    text = subprocess.run(["pdftotext", "d.pdf", "-"], cwd=tmp_path, capture_output=True,
                          check=True).stdout.decode()
    assert "See equation (1)." in text and text.count("(1)") == 2 and "??" not in text


def test_a_label_that_is_not_a_plain_name_is_refused(tmp_path):
    proc = run_cli("derive", "a^T x", "--wrt", "x", "--label", r"d}\input{/etc/hostname}",
                   "-o", str(tmp_path / "d.tex"))
    assert proc.returncode == 2 and b"label" in proc.stderr and proc.stdout == b""
    assert list(tmp_path.iterdir()) == []


def test_compact_steps_are_one_align_block_with_the_label_on_the_result():
    proc = run_cli("derive", "y^T A x", "--wrt", "x", "--steps", "compact", "--label", "r")
    tex = proc.stdout.decode()
    assert proc.returncode == 0 and tex.count(r"\begin{align*}") == 1
    assert r"Write the entry" not in tex
    result_line = tex.split(r"\label{r}")[1].splitlines()[1]
    assert result_line.endswith(r"= \boldsymbol{y}^{\top} \boldsymbol{A}")


def test_compact_markdown_is_one_aligned_block():
    proc = run_cli("derive", "W x", "--wrt", "x", "--format", "markdown", "--steps", "compact")
    md = proc.stdout.decode()
    assert proc.returncode == 0 and md.count(r"\begin{aligned}") == 1
    assert md.startswith("$$\n") and md.endswith("$$\n") and "sum" in md
    assert md.rstrip().splitlines()[-3].endswith(r"&= \boldsymbol{W}")


def catches(pid, signum):
    """The process has installed its own handler for `signum` (Linux /proc)."""
    status = Path(f"/proc/{pid}/status").read_text()
    mask = int(re.search(r"^SigCgt:\s*([0-9a-f]+)$", status, re.MULTILINE).group(1), 16)
    return bool(mask >> (signum - 1) & 1)


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="needs Linux /proc")
def test_sigterm_during_derive_is_one_line_143_and_the_old_output_stays(tmp_path):
    slow = tmp_path / "slow"
    slow.mkdir()
    # a loop no machine finishes (10**15 turns; the sandbox allows 10**5 a range)
    loop = "((* for i in range(100000) *))"
    (slow / "derivation.tex.j2").write_text(loop * 3 + "((* endfor *))" * 3 + "\n")
    target = tmp_path / "d.tex"
    target.write_text("old\n")
    proc = subprocess.Popen([sys.executable, "-m", "derivtex", "derive", "a^T x", "--wrt", "x",
                             "--templates", str(slow), "-o", str(target)],
                            stderr=subprocess.PIPE)
    try:
        waited = 0.0
        while not catches(proc.pid, signal.SIGTERM):
            assert proc.poll() is None and waited < 120, "the handler was never installed"
            time.sleep(0.05)
            waited += 0.05
        proc.send_signal(signal.SIGTERM)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 143
    assert proc.stderr.read() == b"derivtex: stopped by SIGTERM\n"
    assert target.read_text() == "old\n" and sorted(p.name for p in tmp_path.iterdir()) == [
        "d.tex", "slow"]


def test_a_signal_whose_exception_was_swallowed_still_stops_before_writing(tmp_path,
                                                                          monkeypatch,
                                                                          capsys):
    """A signal handled while a finaliser runs raises where Python ignores it; the
    recorded signal still stops the command before it writes (this was a rare 0 exit
    under load)."""
    from derivtex.shells import cli, stopping

    def swallowed_sigterm(args):
        try:
            stopping.stop(signal.SIGTERM, None)
        except stopping.Stopped:
            pass  # as Python does for an exception raised in __del__
        return "new\n"

    monkeypatch.setattr(cli, "run_derive", swallowed_sigterm)
    target = tmp_path / "d.tex"
    target.write_text("old\n")
    assert cli.main(["derive", "a^T x", "--wrt", "x", "-o", str(target)]) == 143
    assert capsys.readouterr().err == "derivtex: stopped by SIGTERM\n"
    assert target.read_text() == "old\n"
