"""`derivtex build`: one .tex per entry, all.tex that compiles, nothing re-derived twice."""

import subprocess
import sys

from tests.conftest import ROOT, compile_tex, run_cli

NOTES = ROOT / "samples" / "notes.toml"


def test_build_compiles_and_second_run_derives_nothing(tmp_path, pdflatex):
    out = tmp_path / "out"
    first = run_cli("build", str(NOTES), "-o", str(out), "--jobs", "2")
    assert first.returncode == 0, first.stderr
    names = [line.split('"')[1] for line in NOTES.read_text().splitlines()
             if line.startswith("name")]
    assert sorted(p.stem for p in out.glob("*.tex")) == sorted(names + ["all"])
    assert f"{len(names)} built, 0 unchanged" in first.stderr.decode()
    compile_tex(out / "all.tex", pdflatex)
    second = run_cli("build", str(NOTES), "-o", str(out))
    assert f"0 built, {len(names)} unchanged, 0 failed" in second.stderr.decode()


def test_bad_entry_is_named_and_the_rest_builds(tmp_path):
    spec = tmp_path / "spec.toml"
    spec.write_text('[[derivation]]\nname = "good"\nexpr = "a^T x"\nwrt = "x"\n\n'
                    '[[derivation]]\nname = "bad"\nexpr = "bar(x)"\nwrt = "x"\n\n'
                    '[[derivation]]\nname = "../../evil"\nexpr = "x"\nwrt = "x"\n')
    proc = run_cli("build", str(spec), "-o", str(tmp_path / "out"))
    err = proc.stderr.decode()
    assert proc.returncode == 1
    assert "bad: column 1: unknown function 'bar'" in err and "#3: name '../../evil'" in err
    all_tex = (tmp_path / "out" / "all.tex").read_text()
    assert r"\input{good}" in all_tex and "bad" not in all_tex and "evil" not in all_tex
    assert not (tmp_path / "evil.tex").exists()


def test_changed_entry_is_derived_again(tmp_path):
    spec = tmp_path / "spec.toml"
    spec.write_text('[[derivation]]\nname = "d"\nexpr = "W x"\nwrt = "x"\n')
    run_cli("build", str(spec), "-o", str(tmp_path / "out"))
    spec.write_text('[[derivation]]\nname = "d"\nexpr = "W x"\nwrt = "x"\n'
                    'layout = "denominator"\n')
    proc = run_cli("build", str(spec), "-o", str(tmp_path / "out"))
    assert "1 built, 0 unchanged" in proc.stderr.decode()
    assert r"\boldsymbol{W}^{\top}" in (tmp_path / "out" / "d.tex").read_text()


def test_progress_bar_only_on_a_terminal(tmp_path):
    proc = run_cli("build", str(NOTES), "-o", str(tmp_path / "out"))
    assert "derivation/s" not in proc.stderr.decode() and "%|" not in proc.stderr.decode()


def test_missing_spec_is_bad_input(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "derivtex", "build", "nope.toml", "-o", "o"],
                          capture_output=True, cwd=tmp_path)
    assert proc.returncode == 2 and b"nope.toml" in proc.stderr


def test_symmetric_is_a_toml_key():
    from derivtex.batch import derive_entry

    name, tex, error = derive_entry({"name": "s", "expr": "x^T S x", "wrt": "x",
                                     "symmetric": ["S"]}, None)
    assert error is None and r"2 \boldsymbol{x}^{\top} \boldsymbol{S}" in tex
    _, _, error = derive_entry({"name": "s", "expr": "x^T S x", "wrt": "x",
                                "symmetric": ["T"]}, None)
    assert "not in the expression" in error
