"""derivtex on Windows (issue 19): no module imports what only POSIX has, and what a build
does with files (its lock above all) takes the Windows branch there. The TeX-free tests
run on Linux with Windows' absences imitated: POSIX-only modules that cannot be
imported, and os and signal without their POSIX-only names."""

import subprocess
import sys
import textwrap

import pytest

from derivtex.shells import files

IMITATE_WINDOWS = """
    import os
    import signal
    import sys

    for name in ("fcntl", "pwd", "grp", "resource", "termios", "pty", "tty",
                 "syslog", "crypt"):
        sys.modules[name] = None  # `import name` raises ImportError
    for module, names in ((os, ("O_NOFOLLOW", "O_NONBLOCK", "O_CLOEXEC", "O_DIRECTORY",
                                "fork", "killpg", "getuid", "geteuid", "setsid", "mkfifo",
                                "sched_getaffinity", "register_at_fork")),
                          (signal, ("SIGKILL", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGALRM",
                                    "SIGCHLD", "pthread_sigmask", "setitimer"))):
        for name in names:
            if hasattr(module, name):
                delattr(module, name)
    """


def run_as_on_windows(code, tmp_path):
    script = tmp_path / "windows.py"
    script.write_text(textwrap.dedent(IMITATE_WINDOWS) + textwrap.dedent(code))
    return subprocess.run([sys.executable, str(script)], capture_output=True, cwd=tmp_path,
                          timeout=300)


def test_every_module_imports_without_what_only_posix_has(tmp_path):
    proc = run_as_on_windows("""
        import importlib
        import pkgutil

        import derivtex

        names = [m.name for m in pkgutil.walk_packages(derivtex.__path__, "derivtex.")
                 if not m.name.endswith("__main__")]
        for name in names:
            importlib.import_module(name)
        print(len(names))
        """, tmp_path)
    assert proc.returncode == 0, proc.stderr.decode()
    assert int(proc.stdout) > 50


def test_a_derivation_and_its_file_without_what_only_posix_has(tmp_path):
    proc = run_as_on_windows("""
        from pathlib import Path

        from derivtex.shells.cli import main
        from derivtex.shells.files import read_regular
        from derivtex.shells.workers import available_cpus

        assert main(["derive", "a^T x", "--wrt", "x", "-o", "d.tex"]) == 0
        assert b"align" in read_regular(Path("d.tex"), 2**20, "a test")
        assert available_cpus() >= 1
        """, tmp_path)
    assert proc.returncode == 0, proc.stderr.decode()
    assert "\\begin{align*}" in (tmp_path / "d.tex").read_text()


def test_a_build_without_what_only_posix_has(tmp_path):
    """The lock once imported fcntl and opened with os.O_CLOEXEC: a traceback on Windows.
    Here sys.platform says win32 once derivtex is imported, and msvcrt is imitated."""
    (tmp_path / "spec.toml").write_text('[[derivation]]\nname = "good"\nexpr = "a^T x"\n'
                                        'wrt = "x"\n')
    proc = run_as_on_windows("""
        import types

        from derivtex.shells import batch  # imported as Python imports it on Windows
        from derivtex.shells.cli import main

        held = set()

        def locking(handle, mode, size):
            if mode == 2 and handle in held:
                raise PermissionError(13, "Permission denied")
            (held.add if mode == 2 else held.discard)(handle)

        sys.modules["msvcrt"] = types.SimpleNamespace(LK_NBLCK=2, LK_UNLCK=0, locking=locking)
        sys.platform = "win32"
        assert main(["build", "spec.toml", "-o", "out"]) == 0
        assert held == set()
        """, tmp_path)
    assert proc.returncode == 0, proc.stderr.decode()
    assert r"\input{good}" in (tmp_path / "out" / "all.tex").read_text()


class FakeMsvcrt:
    """msvcrt.locking as Windows behaves: a byte locked by another process refuses
    LK_NBLCK with OSError; LK_UNLCK releases it."""

    LK_NBLCK, LK_UNLCK = 2, 0

    def __init__(self, held_elsewhere):
        self.held_elsewhere = held_elsewhere
        self.calls = []

    def locking(self, handle, mode, size):
        self.calls.append((mode, size))
        if mode == self.LK_NBLCK and self.held_elsewhere:
            raise PermissionError(13, "Permission denied")


@pytest.mark.parametrize("held_elsewhere", [False, True])
def test_the_lock_takes_the_windows_branch_there(tmp_path, monkeypatch, held_elsewhere):
    fake = FakeMsvcrt(held_elsewhere)
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setitem(sys.modules, "msvcrt", fake)
    monkeypatch.setitem(sys.modules, "fcntl", None)
    with files.locked(tmp_path / "lock") as mine:
        assert mine is not held_elsewhere
    expected = [(fake.LK_NBLCK, 1)] + ([] if held_elsewhere else [(fake.LK_UNLCK, 1)])
    assert fake.calls == expected
