"""`derivtex build SPEC -o DIR --worksheet`: exercises.tex (numbered problems with room to
write) and solutions.tex (the same numbers, each with its derivation), compiled with
pdflatex and read back as a student reads them (pdftotext)."""

import re
import shutil
import subprocess

import pytest

from derivtex.shells.worksheet import write_worksheet
from tests.conftest import ROOT, compile_tex, run_cli

SPEC = '''
[[derivation]]
name = "bilinear"
expr = "y^T A x"
wrt = "x"

[[derivation]]
name = "broken"
expr = "y^T A x +"
wrt = "x"

[[derivation]]
name = "gradient"
expr = "x^T S x"
wrt = "x"
symmetric = "S"
layout = "denominator"

[[derivation]]
name = "hessian"
expr = "||A x - b||^2"
wrt = "x"
order = 2

[[derivation]]
name = "tensor"
expr = "W x"
wrt = "W"
'''


@pytest.fixture
def pdftotext():
    exe = shutil.which("pdftotext")
    if exe is None:
        pytest.skip("pdftotext (poppler-utils) not installed")
    return exe


def read_pdf(tex, pdflatex, pdftotext) -> str:
    pdf = compile_tex(tex, pdflatex)
    out = subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def test_the_worksheet_and_its_solutions_compile_and_read_as_a_student_reads_them(
        tmp_path, pdflatex, pdftotext):
    spec = tmp_path / "course.toml"
    spec.write_text(SPEC)
    proc = run_cli("build", str(spec), "-o", str(tmp_path / "out"), "--worksheet")
    assert proc.returncode == 1  # the broken entry, named; the rest built
    assert b"broken" in proc.stderr and b"worksheet -> " in proc.stderr
    exercises = read_pdf(tmp_path / "out" / "exercises.tex", pdflatex, pdftotext)
    assert exercises.startswith("Exercises Find each derivative by the index method")
    assert re.findall(r"\b(\d)\. Find", exercises) == ["1", "2", "3", "4"]
    assert "in numerator layout" in exercises and "in denominator layout" in exercises
    assert "with S symmetric" in exercises and "Find the Hessian" in exercises
    assert "entry by entry: it is a tensor" in exercises
    assert "explicit sum" not in exercises  # no solution on the sheet
    solutions = read_pdf(tmp_path / "out" / "solutions.tex", pdflatex, pdftotext)
    assert re.findall(r"Problem (\d)", solutions) == ["1", "2", "3", "4"]
    assert "as an explicit sum over indices" in solutions
    assert solutions.count("Find") == 4 and "broken" not in solutions


def test_a_worksheet_key_in_the_spec_asks_for_it_and_a_bad_one_builds_nothing(tmp_path):
    spec = tmp_path / "course.toml"
    spec.write_text("worksheet = true\n" + SPEC.split("[[derivation]]\nname = \"broken\"")[0])
    assert run_cli("build", str(spec), "-o", str(tmp_path / "out")).returncode == 0
    assert (tmp_path / "out" / "exercises.tex").read_text().count(r"\item") == 1
    assert (tmp_path / "out" / "solutions.tex").is_file()
    spec.write_text("worksheet = 'yes'\n" + SPEC)
    proc = run_cli("build", str(spec), "-o", str(tmp_path / "other"))
    assert proc.returncode == 2 and not (tmp_path / "other").exists()
    assert b"worksheet = 'yes': use true, false, \"latex\", \"typst\"" in proc.stderr
    spec.write_text(SPEC)
    run_cli("build", str(spec), "-o", str(tmp_path / "plain"))
    assert not (tmp_path / "plain" / "exercises.tex").exists()


def test_the_worksheet_templates_are_overridable(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "problems.j2").write_text(
        "((* macro statement(p, m, big) -*))Derive ((( p.name ))).((*- endmacro *))\n")
    spec = tmp_path / "course.toml"
    spec.write_text(SPEC)
    write_worksheet(spec, tmp_path, str(templates))
    assert r"\item\label{problem:bilinear} Derive bilinear." in \
        (tmp_path / "exercises.tex").read_text()
    assert "Derive hessian." in (tmp_path / "solutions.tex").read_text()


def test_the_samples_worksheet_is_current_and_compiled(tmp_path):
    write_worksheet(ROOT / "samples" / "notes.toml", tmp_path)
    for name in ("exercises", "solutions"):
        committed = (ROOT / "samples" / f"{name}.tex").read_text()
        assert committed == (tmp_path / f"{name}.tex").read_text(), "run `make samples`"
        assert (ROOT / "samples" / f"{name}.pdf").stat().st_size > 10_000


def test_a_typst_worksheet_when_the_spec_asks_for_it(tmp_path, pdftotext):
    typst = pytest.importorskip("typst")
    spec = tmp_path / "course.toml"
    spec.write_text('worksheet = ["latex", "typst"]\n' + SPEC)
    proc = run_cli("build", str(spec), "-o", str(tmp_path / "out"))
    assert proc.returncode == 1 and b"solutions.typ" in proc.stderr
    for name in ("exercises", "solutions"):
        assert (tmp_path / "out" / f"{name}.tex").is_file()
        pdf = tmp_path / f"{name}.pdf"
        pdf.write_bytes(typst.compile(str(tmp_path / "out" / f"{name}.typ")))
        out = subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, check=True)
        read = " ".join(out.stdout.decode().split())
        if name == "exercises":
            assert re.findall(r"\b(\d)\. Find", read) == ["1", "2", "3", "4"], read
            assert " symmetric, in denominator layout" in read  # S is set in math italic
        else:
            assert re.findall(r"Problem (\d)", read) == ["1", "2", "3", "4"]
            assert "as an explicit sum over indices" in read
    spec.write_text('worksheet = "typst"\n' + SPEC)
    run_cli("build", str(spec), "-o", str(tmp_path / "typst-only"))
    assert sorted(p.name for p in (tmp_path / "typst-only").glob("*s.t*")) == \
        ["exercises.typ", "solutions.typ"]
