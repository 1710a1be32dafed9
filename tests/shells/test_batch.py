"""`derivtex build`: one .tex per entry, all.tex that compiles, nothing re-derived twice."""

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from derivtex.shells.files import locked
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
    assert "spec.toml: bad: syntax error: column 1: unknown function 'bar'\n" in err
    assert "spec.toml: #3: bad option: name '../../evil': use letters" in err
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


def write_spec(path, *tables):
    path.write_text("\n".join("[[derivation]]\n" + table + "\n" for table in tables))
    return path


GOOD = 'name = "good"\nexpr = "a^T x"\nwrt = "x"'


def build(tmp_path, spec, *extra):
    proc = run_cli("build", str(spec), "-o", str(tmp_path / "out"), *extra)
    return proc.returncode, proc.stderr.decode()


def test_symlinks_in_the_output_directory_are_replaced_never_written_through(tmp_path):
    spec = write_spec(tmp_path / "spec.toml", GOOD)
    out = tmp_path / "out"
    out.mkdir()
    victims = {}
    for name in ("all.tex", "good.tex", ".derivtex-build.json"):
        victims[name] = tmp_path / f"victim-{name}"
        victims[name].write_text("precious")
        (out / name).symlink_to(victims[name])
    status, err = build(tmp_path, spec)
    assert status == 0, err
    for name, victim in victims.items():
        assert victim.read_text() == "precious"
        assert not (out / name).is_symlink() and (out / name).stat().st_size > 0
    assert r"\input{good}" in (out / "all.tex").read_text()


def test_the_cache_rebuilds_a_missing_truncated_or_edited_file(tmp_path):
    from derivtex.shells.batch import build as build_in_process

    spec = write_spec(tmp_path / "spec.toml", GOOD, 'name = "other"\nexpr = "W x"\nwrt = "x"')
    out = tmp_path / "out"
    good = out / "good.tex"
    assert build_in_process(spec, out).built == ["good", "other"]
    whole = good.read_text()
    for damage in (lambda: good.write_text(whole[:40]), lambda: good.write_text(whole + "%"),
                   good.unlink):
        damage()
        report = build_in_process(spec, out)
        assert (report.built, report.unchanged, report.failed) == (["good"], ["other"], {})
        assert good.read_text() == whole
    assert build_in_process(spec, out).unchanged == ["good", "other"]


def test_temporary_files_of_a_killed_build_are_removed(tmp_path):
    spec = write_spec(tmp_path / "spec.toml", GOOD)
    out = tmp_path / "out"
    out.mkdir()
    stale = [".good.tex.k3j_9a2b.tmp", ".all.tex.abcdefgh.tmp",
             "..derivtex-build.json.x1y2z3w4.tmp"]
    for name in stale + ["notes.tmp", ".mine.txt.abcdefgh.tmp"]:
        (out / name).write_text("fragment")
    assert build(tmp_path, spec)[0] == 0
    assert sorted(p.name for p in out.iterdir()) == [
        ".derivtex-build.json", ".derivtex-build.lock", ".mine.txt.abcdefgh.tmp", "all.tex",
        "good.tex", "notes.tmp"]


def test_a_cache_that_is_not_an_object_is_a_note_and_everything_builds(tmp_path):
    spec = write_spec(tmp_path / "spec.toml", GOOD)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / ".derivtex-build.json").write_text("[1, 2]")
    status, err = build(tmp_path, spec)
    assert status == 0 and "is not a derivtex" in err and "1 built, 0 unchanged" in err
    assert "0 built, 1 unchanged" in build(tmp_path, spec)[1]


MALFORMED = [
    ('name = "s1"\nexpr = "A x"\nwrt = "x"\nshape = 3', 's1: bad option: shape = 3: expected'),
    ('name = "s2"\nexpr = "A x"\nwrt = "x"\nshape = [1, 2]', "s2: bad option: shape = 1: expected"),
    ('name = "s3"\nexpr = "A x"\nwrt = 1979-05-27',
     "s3: bad option: wrt = 1979-05-27: expected text, got date"),
    ('name = "s4"\nexpr = 1979-05-27\nwrt = "x"', "s4: bad option: expr is date, not text"),
    ('name = "s5"\nexpr = "A x"\nwrt = "x"\nlable = "q"',
     "s5: bad option: unknown key(s) 'lable'; known: name, expr, wrt,"),
    ('name = "all"\nexpr = "x"\nwrt = "x"', "#7: bad option: name 'all' is reserved"),
    ('name = "ALL"\nexpr = "x"\nwrt = "x"', "#8: bad option: name 'ALL' is reserved"),
    ('name = "good"\nexpr = "x"\nwrt = "x"', "good (#10): bad option: name 'good' is used twice"),
    ('name = "Good"\nexpr = "x"\nwrt = "x"', "Good: bad option: name 'Good' differs from 'good'"),
    ('name = "s6"\nexpr = "x"\nwrt = "x"\nlabel = \'d}\\input{/etc/passwd}\'',
     "s6: bad option: label"),
    ('name = "s7"\nexpr = "x"\nwrt = "x"\nsteps = "short"', "s7: bad option: steps = 'short': use"),
    ('name = "s8"\nexpr = "A x"\nwrt = "x"\norder = 3', "s8: bad option: order = 3: use 1"),
    ('name = "s9"\nexpr = "bar(x)"\nwrt = "x"',
     "s9: syntax error: column 1: unknown function 'bar'"),
    ('name = "s10"\nexpr = "A x"\nwrt = "x"\nshape = "x=3; x=4"',
     "s10: bad option: 'x' is declared twice: shape = 'x=3' and shape = 'x=4'"),
]


def test_each_malformed_entry_is_one_message_by_name_and_the_rest_builds(tmp_path):
    spec = write_spec(tmp_path / "spec.toml", 'name = "first"\nexpr = "W x"\nwrt = "x"',
                      *(table for table, _ in MALFORMED[:7]), GOOD,
                      *(table for table, _ in MALFORMED[7:]))
    status, err = build(tmp_path, spec)
    assert status == 1 and "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == len(MALFORMED) + 1
    for line, (_, message) in zip(lines, MALFORMED, strict=False):
        assert line.startswith(f"derivtex: spec.toml: {message}")
    assert lines[-1].startswith(f"2 built, 0 unchanged, {len(MALFORMED)} failed")
    all_tex = (tmp_path / "out" / "all.tex").read_text()
    assert all_tex.count(r"\input") == 2 and r"\input{first}" in all_tex
    assert sorted(p.name for p in (tmp_path / "out").glob("*.tex")) == [
        "all.tex", "first.tex", "good.tex"]


@pytest.mark.parametrize("content, message", [
    (b'[[derivation]]\nname = "caf\xe9"\n', "not UTF-8 text (byte 27)"),
    (b'[[derivation]\n', "not valid TOML"),
    (b'[[derivaton]]\nname = "a"\n', "unknown table or key 'derivaton'"),
    (b'title = "x"\n', "unknown table or key 'title'"),
])
def test_an_unusable_spec_is_one_message_and_exit_2(tmp_path, content, message):
    spec = tmp_path / "spec.toml"
    spec.write_bytes(content)
    status, err = build(tmp_path, spec)
    assert status == 2 and len(err.splitlines()) == 1
    assert err.startswith(f"derivtex: cannot build: {spec}: {message}")
    assert not (tmp_path / "out").exists()


def test_a_name_reused_after_a_failed_entry_is_still_a_duplicate(tmp_path):
    from derivtex.shells.batch import build as build_in_process

    spec = write_spec(tmp_path / "spec.toml", 'name = "d"\nexpr = "bar(x)"\nwrt = "x"',
                      'name = "d"\nexpr = "W x"\nwrt = "x"')
    report = build_in_process(spec, tmp_path / "out")
    assert list(report.failed) == ["d", "d (#2)"] and report.built == []
    assert "used twice" in report.failed["d (#2)"].message
    assert r"\input" not in (tmp_path / "out" / "all.tex").read_text()


def test_an_output_that_is_not_a_directory_is_one_message(tmp_path):
    spec = write_spec(tmp_path / "spec.toml", GOOD)
    (tmp_path / "out").write_text("a file")
    status, err = build(tmp_path, spec)
    assert status == 2 and err == f"derivtex: cannot build: {tmp_path / 'out'}: not a directory\n"
    assert (tmp_path / "out").read_text() == "a file"


def test_an_entry_whose_file_cannot_be_written_is_named_and_the_rest_builds(tmp_path):
    spec = write_spec(tmp_path / "spec.toml", GOOD, 'name = "w"\nexpr = "W x"\nwrt = "x"')
    (tmp_path / "out" / "good.tex").mkdir(parents=True)
    status, err = build(tmp_path, spec)
    target = tmp_path / "out" / "good.tex"
    assert status == 1
    assert err.splitlines()[0] == f"derivtex: spec.toml: good: cannot write: {target}: is a " \
                                  "directory"
    assert re.findall(r"\\input\{(\w+)\}", (tmp_path / "out" / "all.tex").read_text()) == ["w"]


def test_missing_templates_directory_is_an_error(tmp_path):
    spec = write_spec(tmp_path / "spec.toml", GOOD)
    status, err = build(tmp_path, spec, "--templates", str(tmp_path / "nope"))
    assert status == 2 and "is not a directory" in err and not (tmp_path / "out").exists()


def test_names_with_spaces_are_slugified_and_sections_can_be_cited(tmp_path, pdflatex):
    spec = write_spec(tmp_path / "spec.toml",
                      'name = "Least squares"\nexpr = "||A x - b||^2"\nwrt = "x"\n'
                      'label = "eq:ls"',
                      'name = "linear layer"\nexpr = "W x"\nwrt = "x"\nsteps = "compact"')
    status, err = build(tmp_path, spec)
    out = tmp_path / "out"
    assert status == 0, err
    assert sorted(p.name for p in out.glob("*.tex")) == ["Least-squares.tex", "all.tex",
                                                         "linear-layer.tex"]
    layer = (out / "linear-layer.tex").read_text()
    assert r"\label{derivtex:linear-layer}" in layer and layer.count(r"\begin{align*}") == 1
    notes = out / "notes.tex"
    notes.write_text((out / "all.tex").read_text().replace(
        r"\end{document}", r"Section \ref{derivtex:linear-layer}, equation (\ref{eq:ls})."
                           "\n\\end{document}"))
    compile_tex(notes, pdflatex)
    compile_tex(notes, pdflatex)
    text = subprocess.run(["pdftotext", "notes.pdf", "-"], cwd=out, capture_output=True,
                          check=True).stdout.decode()
    assert "Section 2, equation (1)." in text and "??" not in text


def test_an_internal_failure_is_reported_by_name_and_the_rest_builds(tmp_path, monkeypatch):
    from derivtex import api
    from derivtex.shells import batch

    real = api.derive_with

    def broken(expression, options, verify=True):
        if expression == "W x":
            raise ValueError("simulated bug")
        return real(expression, options, verify)

    monkeypatch.setattr(api, "derive_with", broken)
    spec = write_spec(tmp_path / "spec.toml", GOOD, 'name = "w"\nexpr = "W x"\nwrt = "x"')
    report = batch.build(spec, tmp_path / "out")
    failure = report.failed["w"]
    assert failure.internal and failure.exit_status == 1
    assert "ValueError: simulated bug" in failure.message and "Please report" in failure.message
    assert report.built == ["good"]
    assert (tmp_path / "out" / "all.tex").read_text().count(r"\input") == 1


def test_a_second_build_into_a_busy_directory_fails_clearly(tmp_path):
    spec = write_spec(tmp_path / "spec.toml", GOOD)
    out = tmp_path / "out"
    out.mkdir()
    with locked(out / ".derivtex-build.lock") as mine:
        assert mine
        status, err = build(tmp_path, spec)
    assert status == 2 and err == f"derivtex: cannot build: another derivtex build is " \
                                  f"writing to {out}; run one build per output directory at " \
                                  "a time\n"
    assert sorted(p.name for p in out.iterdir()) == [".derivtex-build.lock"]
    assert build(tmp_path, spec)[0] == 0


def test_a_symbolic_link_for_the_lock_is_refused_and_its_target_untouched(tmp_path):
    spec = write_spec(tmp_path / "spec.toml", GOOD)
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim"
    victim.write_text("precious")
    (out / ".derivtex-build.lock").symlink_to(victim)
    status, err = build(tmp_path, spec)
    assert status == 2 and err == f"derivtex: cannot build: {out / '.derivtex-build.lock'}: a " \
                                  "symbolic link (derivtex follows none in the output " \
                                  "directory; remove it)\n"
    assert victim.read_text() == "precious"


def test_only_the_locks_own_failure_is_blamed_on_the_lock(tmp_path, monkeypatch):
    from derivtex.shells import batch

    def refused(outdir):
        raise PermissionError(13, "Permission denied", str(outdir / "x"))

    monkeypatch.setattr(batch, "remove_leftovers", refused)
    with pytest.raises(PermissionError):
        batch.build(write_spec(tmp_path / "spec.toml", GOOD), tmp_path / "out")


def test_jobs_are_capped_at_the_cpu_count(tmp_path):
    from derivtex.shells.workers import available_cpus, worker_count

    assert worker_count(100_000, 50) == min(available_cpus(), 50)
    assert worker_count(8, 1) == 1 and worker_count(1, 50) == 1
    status, err = build(tmp_path, write_spec(tmp_path / "s.toml", GOOD), "--jobs", "100000")
    assert status == 0 and "1 built" in err


SLOW_SECTION = """((* for i in range(2000) *))((* for j in range(2000) *))((* endfor *))\
((* endfor *))
\\section{$((( title )))$}\\label{((( label )))}
((( snippet )))
"""


def start_slow_build(tmp_path):
    """A build of 12 entries, each slowed by its template, in 2 worker processes; returns
    once two entries are on disk (so the first is in the cache), with the workers' ids."""
    templates = tmp_path / "slow"
    templates.mkdir()
    (templates / "section.tex.j2").write_text(SLOW_SECTION)
    spec = write_spec(tmp_path / "spec.toml", *(
        f'name = "e{i}"\nexpr = "a^T x + {i + 1}"\nwrt = "x"' for i in range(12)))
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "derivtex", "build", str(spec), "-o",
                             str(out), "--jobs", "2", "--templates", str(templates)],
                            stderr=subprocess.PIPE, start_new_session=True)
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    for _ in range(1200):
        if len(list(out.glob("e*.tex"))) >= 2 and len(children.read_text().split()) == 2:
            return proc, children.read_text().split()
        time.sleep(0.05)
    proc.kill()
    pytest.fail("the build wrote nothing")


def running(pid):
    """A process that exists and is not a zombie awaiting its reaper."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def wait_gone(pids):
    for _ in range(200):
        if not any(running(pid) for pid in pids):
            return []
        time.sleep(0.05)
    return [pid for pid in pids if running(pid)]


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
@pytest.mark.parametrize("signum, status, said", [
    (signal.SIGTERM, 143, "stopped by SIGTERM"), (signal.SIGINT, 130, "stopped by Ctrl-C")])
def test_a_stopped_build_exits_cleanly_keeps_finished_entries_and_leaves_no_orphans(
        tmp_path, signum, status, said):
    proc, workers = start_slow_build(tmp_path)
    if signum == signal.SIGINT:
        os.killpg(proc.pid, signum)  # Ctrl-C reaches the whole foreground process group
    else:
        os.kill(proc.pid, signum)
    assert proc.wait(timeout=60) == status
    err = proc.stderr.read().decode()
    assert err == f"derivtex: {said}; the entries finished so far are kept in " \
                  f"{tmp_path / 'out'}\n"
    assert wait_gone(workers) == []
    out = tmp_path / "out"
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
    finished = sorted(p.stem for p in out.glob("e*.tex"))
    assert finished and len(finished) < 12
    for name in finished:
        assert (out / f"{name}.tex").read_text().rstrip().endswith(r"\end{align*}")
    cache = json.loads((out / ".derivtex-build.json").read_text())["entries"]
    # each entry is cached once its file is written: a signal may fall in between
    assert cache and set(cache) <= set(finished)
    for name, record in cache.items():
        assert record["output"] == hashlib.sha256((out / f"{name}.tex").read_bytes()).hexdigest()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal")
def test_workers_die_with_a_killed_parent_and_leave_no_lock(tmp_path):
    proc, workers = start_slow_build(tmp_path)
    proc.kill()
    proc.wait(timeout=60)
    assert wait_gone(workers) == []
    status, err = build(tmp_path, write_spec(tmp_path / "next.toml", GOOD))
    assert status == 0 and "1 built" in err


def test_the_hostile_corpus_through_a_parallel_build(tmp_path):
    """Every hostile input and every input that once aborted builds: one named line each
    (or a derivation), the good entry built, nothing run, nothing smuggled into LaTeX."""
    from derivtex.printing.safety import FORBIDDEN_MACROS
    from tests.whole.test_hostile import CANARY, INJECTIONS
    from tests.whole.test_shells_hostile import CORPUS

    tables = [f'name = "h{i}"\nexpr = {json.dumps(expr)}\nwrt = "x"'
              for i, expr in enumerate(CORPUS)]
    spec = write_spec(tmp_path / "spec.toml", *tables, GOOD)
    CANARY.unlink(missing_ok=True)
    status, err = build(tmp_path, spec, "--jobs", "2")
    out = tmp_path / "out"
    named = re.findall(r"^derivtex: spec\.toml: (h\d+): ", err, flags=re.MULTILINE)
    built = {p.stem for p in out.glob("h*.tex")}
    assert status == 1 and "Traceback" not in err
    assert len(err.splitlines()) == len(named) + 1 and len(named) == len(set(named))
    assert set(named) | built == {f"h{i}" for i in range(len(CORPUS))}
    assert not set(named) & built
    assert {f"h{i}" for i in range(len(INJECTIONS))} <= set(named)
    listed = re.findall(r"\\input\{(\w+)\}", (out / "all.tex").read_text())
    assert set(listed) == built | {"good"}
    for name in built | {"good"}:
        assert not FORBIDDEN_MACROS.search((out / f"{name}.tex").read_text())
    assert not CANARY.exists()
