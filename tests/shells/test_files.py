"""files.write_atomic: the old file or the new one, never a fragment, never through a link."""

import errno
import os
import stat

import pytest

from derivtex.shells import files
from derivtex.shells.files import (
    ReadError,
    WriteError,
    read_no_follow,
    read_regular,
    shown,
    write_atomic,
)


def leftovers(directory):
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_writes_and_replaces_the_whole_file(tmp_path):
    target = tmp_path / "d.tex"
    write_atomic(target, "first version, rather long\n")
    write_atomic(target, "second\n")
    assert target.read_text() == "second\n" and leftovers(tmp_path) == []
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~current_umask()


def current_umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_keeps_an_existing_files_permissions(tmp_path):
    target = tmp_path / "d.tex"
    target.write_text("old")
    target.chmod(0o640)
    write_atomic(target, "new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_symlink_is_replaced_and_its_target_untouched(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    link = tmp_path / "out" / "all.tex"
    link.parent.mkdir()
    link.symlink_to(victim)
    write_atomic(link, "derivtex output", within=link.parent)
    assert victim.read_text() == "precious"
    assert not link.is_symlink() and link.read_text() == "derivtex output"


def test_never_outside_the_given_directory(tmp_path):
    (tmp_path / "out").mkdir()
    with pytest.raises(WriteError, match="outside the output directory"):
        write_atomic(tmp_path / "out" / ".." / "evil.tex", "x", within=tmp_path / "out")
    assert not (tmp_path / "evil.tex").exists()


@pytest.mark.parametrize("failing, code", [("fsync", errno.ENOSPC), ("replace", errno.EPERM)])
def test_a_full_disk_or_an_immutable_file_leaves_the_old_file(tmp_path, monkeypatch,
                                                               failing, code):
    target = tmp_path / "d.tex"
    target.write_text("old contents\n")

    def fail(*args):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(files.os, failing, fail)
    with pytest.raises(WriteError) as caught:
        write_atomic(target, "new contents that never arrive\n")
    assert str(caught.value) == f"{target}: {os.strerror(code)}"
    assert target.read_text() == "old contents\n" and leftovers(tmp_path) == []


def test_a_kill_mid_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "d.tex"
    target.write_text("old\n")

    def interrupted(handle):
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, "new\n")
    assert target.read_text() == "old\n" and leftovers(tmp_path) == []


def test_a_directory_or_a_missing_parent_is_one_clear_message(tmp_path):
    with pytest.raises(WriteError, match="is a directory"):
        write_atomic(tmp_path, "x")
    with pytest.raises(WriteError, match="the directory does not exist"):
        write_atomic(tmp_path / "no" / "d.tex", "x")


def test_reading_back_trusts_only_regular_files(tmp_path):
    real = tmp_path / "real"
    real.write_bytes(b"abc")
    link = tmp_path / "link"
    link.symlink_to(real)
    assert read_no_follow(real, 3) == b"abc" and read_no_follow(real, 2) is None
    assert read_no_follow(link, 9) is None and read_no_follow(tmp_path / "missing", 9) is None
    assert read_no_follow(tmp_path, 9) is None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_reading_back_a_named_pipe_neither_waits_nor_reads(tmp_path):
    fifo = tmp_path / "good.tex"
    os.mkfifo(fifo)
    assert read_no_follow(fifo, 9) is None
    with pytest.raises(ReadError, match="good.tex: not a regular file$"):
        read_regular(fifo, 9, "a test")


def test_reading_a_spec_refuses_what_is_too_large_or_missing(tmp_path):
    spec = tmp_path / "spec.toml"
    spec.write_bytes(b"x" * (2 * 2**20 + 1))
    with pytest.raises(ReadError, match=r"spec.toml: over 2 MB, the limit for a test$"):
        read_regular(spec, 2 * 2**20, "a test")
    spec.write_bytes(b"x" * 2**20)
    assert read_regular(spec, 2**20, "a test") == b"x" * 2**20
    with pytest.raises(ReadError, match="nope: No such file or directory$"):
        read_regular(tmp_path / "nope", 9, "a test")


def test_a_path_is_quoted_whole_unless_it_runs_to_thousands_of_characters():
    assert shown("/home/me/notes/spec.toml") == "/home/me/notes/spec.toml"
    deep = "/".join(["d"] * 4500) + "/" + "n" * 300
    assert shown(deep) == "d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d…/" + "n" * 39 + "…"
    assert shown("n" * 300) == "n" * 39 + "…"


def test_a_name_over_255_bytes_is_the_systems_reason_not_a_missing_directory(tmp_path):
    with pytest.raises(WriteError, match="File name too long$"):
        write_atomic(tmp_path / ("a" * 300) / "d.tex", "x")
    with pytest.raises(WriteError, match="File name too long$"):
        write_atomic(tmp_path / ("a" * 300), "x")
    assert list(tmp_path.iterdir()) == []
