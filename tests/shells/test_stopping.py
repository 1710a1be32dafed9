"""Ctrl-C and SIGTERM (issue 21): a stop is one line and 130 / 143 from the first moment of
the process, a stop whose exception Python swallowed (a fork's callback, a finaliser)
still stops a build, later signals are never ignored, and a signal the caller ignored
stays ignored."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from derivtex.shells.workers import available_cpus

ENTRIES = "".join(f'[[derivation]]\nname = "e{i}"\nexpr = "a^T x + {i + 1}"\nwrt = "x"\n\n'
                  for i in range(4))


def harness(tmp_path, before_main):
    """A `derivtex` process that runs `before_main` (Python source) first."""
    script = tmp_path / "harness.py"
    script.write_text(textwrap.dedent(before_main) + textwrap.dedent("""
        from derivtex.shells.cli import main

        sys.exit(main(sys.argv[1:]))
        """))
    return [sys.executable, str(script)]


def kept(out):
    return f"; the entries finished so far are kept in {out}"


AT_FORK = """
    import os
    import signal
    import sys


    def interrupt_once():
        if not getattr(interrupt_once, "done", False):
            interrupt_once.done = True
            signal.raise_signal(signal.{name})  # the handler runs inside the fork's callback


    os.register_at_fork(after_in_parent=interrupt_once)
    """


@pytest.mark.skipif(not hasattr(os, "register_at_fork") or available_cpus() < 2,
                    reason="needs fork and two CPUs")
@pytest.mark.parametrize("name, status, said", [("SIGINT", 130, "Ctrl-C"),
                                                 ("SIGTERM", 143, "SIGTERM")])
def test_a_signal_while_a_worker_is_forked_stops_the_build(tmp_path, name, status, said):
    """It used to be printed as "Exception ignored ... Stopped", and the build went on to
    exit 0, ignoring every later SIGINT and SIGTERM."""
    spec = tmp_path / "spec.toml"
    spec.write_text(ENTRIES)
    out = tmp_path / "out"
    proc = subprocess.run(harness(tmp_path, AT_FORK.replace("{name}", name)) + [
        "build", str(spec), "-o", str(out), "--jobs", "2"], capture_output=True, timeout=120)
    assert proc.returncode == status
    assert proc.stderr.decode() == f"derivtex: stopped by {said}{kept(out)}\n"
    assert not (out / "all.tex").exists()


DURING_IMPORT = """
    import signal
    import sys


    class InterruptNumpy:
        \"\"\"Ctrl-C while the engine is imported, in the first ~0.3 s of the process.\"\"\"

        def find_spec(self, name, path=None, target=None):
            if name == "numpy":
                sys.meta_path.remove(self)
                signal.raise_signal(signal.SIGINT)
            return None


    sys.meta_path.insert(0, InterruptNumpy())
    """


@pytest.mark.parametrize("command, said", [
    (["derive", "a^T x", "--wrt", "x"], "derivtex: stopped by Ctrl-C\n"),
    (["build", "spec.toml", "-o", "out"], f"derivtex: stopped by Ctrl-C{kept('out')}\n")])
def test_ctrl_c_while_the_engine_is_imported_is_one_line(tmp_path, command, said):
    (tmp_path / "spec.toml").write_text(ENTRIES)
    proc = subprocess.run(harness(tmp_path, DURING_IMPORT) + command, capture_output=True,
                          cwd=tmp_path, timeout=120)
    assert proc.returncode == 130 and proc.stderr.decode() == said
    assert proc.stdout == b"" and not (tmp_path / "out").exists()


SLOW_SECTION = """((* for i in range(1500) *))((* for j in range(1500) *))((* endfor *))\
((* endfor *))
\\section{$((( title )))$}\\label{((( label )))}
((( snippet )))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signal dispositions")
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_ignored_by_the_caller_stays_ignored(tmp_path, signum):
    """`derivtex build ... &` in a script starts with SIGINT ignored, and a shell expects
    its Ctrl-C not to reach it: the build goes on and finishes."""
    templates = tmp_path / "slow"
    templates.mkdir()
    (templates / "section.tex.j2").write_text(SLOW_SECTION)
    spec = tmp_path / "spec.toml"
    spec.write_text(ENTRIES + ENTRIES.replace('"e', '"f'))
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "derivtex", "build", str(spec), "-o",
                             str(out), "--templates", str(templates)], stderr=subprocess.PIPE,
                            cwd=tmp_path, preexec_fn=lambda: signal.signal(signum, signal.SIG_IGN))
    try:
        waited = 0.0
        while not (out / "e0.tex").exists():
            assert proc.poll() is None and waited < 120, proc.stderr.read()
            time.sleep(0.05)
            waited += 0.05
        assert proc.poll() is None, "the build ended before the signal was sent"
        proc.send_signal(signum)
        assert proc.wait(timeout=300) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.stderr.read().decode().endswith("8 built, 0 unchanged, 0 failed -> "
                                                f"{out / 'all.tex'}\n")


@pytest.fixture
def stopping():
    from derivtex.shells import stopping

    return stopping


@pytest.fixture
def handlers(stopping):
    """The command line's handlers, installed and armed as `main` does; then restored."""
    previous = stopping.install()
    stopping.arm()
    try:
        yield
    finally:
        stopping.restore(previous)


def test_a_signal_after_a_swallowed_one_is_acted_on(handlers, stopping):
    try:
        signal.raise_signal(signal.SIGINT)
    except stopping.Stopped:
        pass  # as Python does with an exception raised in a fork's callback or __del__
    with pytest.raises(stopping.Stopped) as stopped:
        signal.raise_signal(signal.SIGTERM)
    assert stopped.value.signum == signal.SIGTERM


def test_the_swallowed_signal_is_remembered(handlers, stopping):
    try:
        signal.raise_signal(signal.SIGTERM)
    except stopping.Stopped:
        pass
    with pytest.raises(stopping.Stopped) as stopped:
        stopping.still_running()
    assert stopped.value.signum == signal.SIGTERM


def test_more_signals_while_a_stop_is_cleaned_up_do_not_interrupt_the_cleanup(handlers, stopping):
    cleaned = []
    with pytest.raises(stopping.Stopped) as stopped:
        try:
            signal.raise_signal(signal.SIGINT)
        finally:
            signal.raise_signal(signal.SIGINT)
            signal.raise_signal(signal.SIGTERM)
            cleaned.append(True)
    assert cleaned == [True] and stopped.value.signum == signal.SIGINT
    assert stopping.STOPPED == [signal.SIGINT, signal.SIGINT, signal.SIGTERM]


def test_a_signal_during_a_held_block_stops_after_it(handlers, stopping):
    done = []
    with pytest.raises(stopping.Stopped):
        with stopping.held():
            signal.raise_signal(signal.SIGINT)
            done.append("forked")
    assert done == ["forked"]


def test_before_arming_a_signal_is_only_recorded(stopping):
    previous = stopping.install()
    try:
        signal.raise_signal(signal.SIGINT)
        assert stopping.STOPPED == [signal.SIGINT]
        with pytest.raises(stopping.Stopped):
            stopping.arm()
    finally:
        stopping.restore(previous)
    assert signal.getsignal(signal.SIGINT) is previous[signal.SIGINT]
    assert stopping.STOPPED == []


def test_a_signal_ignored_on_entry_is_left_alone(stopping):
    before = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        previous = stopping.install()
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
        assert signal.getsignal(signal.SIGINT) is stopping.stop
        stopping.restore(previous)
    finally:
        signal.signal(signal.SIGTERM, before)


def test_no_handler_outside_the_main_thread(stopping):
    import threading

    got = []
    thread = threading.Thread(target=lambda: got.append(stopping.install()))
    thread.start()
    thread.join()
    assert got == [{}] and signal.getsignal(signal.SIGINT) is not stopping.stop

