"""The CLI as a new user meets it: --help, `derivtex preamble`, `derivtex example`, a
choice the CLI checks (--format) and a reader that leaves early (| head)."""

import argparse
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from derivtex.shells.cli import build_parser
from tests.conftest import compile_tex, run_cli

DERIVTEX = Path(sys.executable).parent / "derivtex"


def subcommands():
    (commands,) = [a for a in build_parser()._actions
                   if isinstance(a, argparse._SubParsersAction)]
    return commands.choices


@pytest.mark.parametrize("command", ["derive", "build", "preamble", "example"])
def test_every_option_has_help_and_shows_its_default(command):
    """--layout, --format, --method (and every other option) say what they do and what
    happens when they are left out."""
    parser = subcommands()[command]
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        assert action.help, action.option_strings or action.dest
        if action.option_strings and not isinstance(action, argparse._StoreTrueAction):
            assert "(default: " in action.help or "required)" in action.help or \
                "default: " in action.help, action.option_strings


def test_help_lists_the_choices_and_defaults():
    proc = run_cli("derive", "--help")
    text = " ".join(proc.stdout.decode().split())
    assert proc.returncode == 0
    for option, choices, default in [("--layout", "{numerator,denominator}", "numerator"),
                                     ("--method", "{index,identity,both}", "index"),
                                     ("--format", "{latex,json,markdown,typst}", "latex"),
                                     ("--steps", "{full,compact}", "full"),
                                     ("--order", "{1,2}", "1")]:
        section = text.split(f" {option} {choices} ", 1)[1]
        assert f"(default: {default})" in section.split(" --", 1)[0], option


def test_a_bad_format_is_worded_as_every_other_bad_choice():
    proc = run_cli("derive", "W x", "--wrt", "x", "--format", "x")
    assert proc.returncode == 2 and proc.stdout == b""
    assert proc.stderr.decode() == ("derivtex: bad option: --format 'x': use latex, json, "
                                    "markdown or typst\n")


SNIPPETS = {
    "index": ["y^T A x", "--wrt", "x"],
    "identity": ["y^T A x", "--wrt", "x", "--method", "identity"],
    "both": ["||A x - b||^2", "--wrt", "x", "--method", "both"],
    "hessian": ["x^T A x", "--wrt", "x", "--order", "2"],
    "tensor": ["W x", "--wrt", "W"],
    "labelled": ["a^T X b", "--wrt", "X", "--label", "eq:bilinear"],
    "compact": ["sigma(W x)", "--wrt", "x", "--steps", "compact"],
}


@pytest.mark.parametrize("kind", list(SNIPPETS))
def test_the_printed_preamble_is_all_a_snippet_needs(tmp_path, pdflatex, kind):
    """\\documentclass{article}, what `derivtex preamble` prints, \\input{snippet}:
    compiles with -halt-on-error for every kind of snippet."""
    preamble = run_cli("preamble")
    assert preamble.returncode == 0 and preamble.stderr == b""
    snippet = run_cli("derive", *SNIPPETS[kind], "-o", str(tmp_path / "snippet.tex"))
    assert snippet.returncode == 0, snippet.stderr
    (tmp_path / "notes.tex").write_text("\\documentclass{article}\n" + preamble.stdout.decode()
                                        + "\\begin{document}\n\\input{snippet}\n"
                                        "\\end{document}\n")
    compile_tex(tmp_path / "notes.tex", pdflatex)


def test_amsmath_alone_is_not_enough(tmp_path, pdflatex):
    """Why the preamble is printed: a snippet \\input after amsmath alone stops pdflatex."""
    run_cli("derive", "y^T A x", "--wrt", "x", "-o", str(tmp_path / "snippet.tex"))
    (tmp_path / "notes.tex").write_text("\\documentclass{article}\n\\usepackage{amsmath}\n"
                                        "\\begin{document}\n\\input{snippet}\n"
                                        "\\end{document}\n")
    with pytest.raises(AssertionError, match="Undefined control sequence"):
        compile_tex(tmp_path / "notes.tex", pdflatex)


def test_the_standalone_document_includes_the_printed_preamble():
    """The preamble is one fact in one place: the documents derivtex writes include it."""
    preamble = run_cli("preamble").stdout.decode()
    assert "amssymb" in preamble and preamble.startswith("\\usepackage")
    standalone = run_cli("derive", "W x", "--wrt", "x", "--standalone").stdout.decode()
    head = standalone.split("\\begin{document}")[0]
    assert preamble in head and head.count("\\usepackage{amsmath") == 1


def test_the_example_spec_builds_outside_a_checkout(tmp_path):
    """`derivtex example > notes.toml && derivtex build notes.toml -o out/`, in a directory
    that is not derivtex's checkout."""
    shell = shutil.which("sh")
    proc = subprocess.run([shell, "-c", f"'{DERIVTEX}' example > notes.toml && "
                           f"'{DERIVTEX}' build notes.toml -o out/"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    entries = tomllib.loads((tmp_path / "notes.toml").read_text())["derivation"]
    assert len(entries) >= 10
    built = {p.stem for p in (tmp_path / "out").glob("*.tex")}
    assert built == {e["name"] for e in entries} | {"all"}
    assert f"{len(entries)} built, 0 unchanged, 0 failed" in proc.stderr


@pytest.mark.parametrize("args", [["derive", "y^T A x", "--wrt", "x"],
                                  ["derive", "y^T A x", "--wrt", "x", "--format", "json"],
                                  ["example"], ["preamble"], ["--help"]])
def test_a_closed_stdout_ends_quietly_with_141(args):
    """`derivtex derive ... | head -c 100`: as Unix tools do when their reader left, no
    traceback and the status a shell shows for a process SIGPIPE ended (128 + 13);
    Python's own recipe (stdout onto /dev/null) keeps the exit quiet."""
    read, write = os.pipe()
    os.close(read)  # the reader is gone before derivtex writes
    try:
        proc = subprocess.run([str(DERIVTEX), *args], stdout=write, stderr=subprocess.PIPE,
                              timeout=120)
    finally:
        os.close(write)
    # argparse drops help it cannot write and exits 0, quietly too.
    assert proc.stderr == b"" and proc.returncode == (0 if args == ["--help"] else 141)


def test_head_reads_what_it_wants_and_the_pipeline_is_quiet():
    proc = subprocess.run(f"'{DERIVTEX}' derive 'y^T A x' --wrt x --format json "
                          "| head -c 100; echo \" ${PIPESTATUS[0]}\"", shell=True,
                          executable=shutil.which("bash"), capture_output=True, text=True,
                          timeout=120)
    assert proc.stderr == "" and proc.stdout.startswith("{")
    assert proc.stdout.rsplit(" ", 1)[1].strip() in ("0", "141")
