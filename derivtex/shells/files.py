"""Every file derivtex writes (`derive -o`, a build's NAME.tex, all.tex and cache) goes
through `write_atomic`: readers, a full disk or a kill see the old file or the new one,
never a fragment, and a symbolic link in the way is replaced, never written through.
What a build reads (its spec, templates, cache and its own files) is read only from a
regular file and only up to a limit: /dev/zero never ends and a named pipe may never
open."""

from __future__ import annotations

import errno
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import MAX_ECHO, DerivtexError, shorten

NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)
# a named pipe opens at once, with or without a writer; Windows reads bytes as they are
READING = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
MAX_PATH_ECHO = 4 * MAX_ECHO


class WriteError(DerivtexError):
    """A file could not be written (or read back): the path and the system's reason."""

    kind = "cannot write"


class ReadError(DerivtexError):
    """A file that could not be read, or that is no regular file or too large to read."""

    kind = "cannot read"


def reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def shown(path: Path | str) -> str:
    """A path as a message quotes it: whole up to four echoes (160 characters), past
    that (a path of thousands) its directory and its name each cut as every echo is."""
    text = str(path)
    if len(text) <= MAX_PATH_ECHO:
        return text
    directory, separator, name = text.rpartition(os.sep)
    return f"{shorten(directory)}{separator}{shorten(name)}"


def file_mode(path: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual 0666 less umask."""
    try:
        info = os.lstat(path)
        if not os.path.islink(path):
            return info.st_mode & 0o7777
    except OSError:
        pass
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomic(path: Path | str, text: str, within: Path | None = None) -> None:
    """Write `text` (UTF-8) to `path` by a temporary file in the same directory, fsync and
    rename; with `within`, `path` must be a file directly inside that directory."""
    path = Path(path)
    if within is not None and (path.parent != within or path.name in ("", ".", "..")):
        raise WriteError(f"{shown(path)} is outside the output directory {shown(within)}")
    # os.path, not Path: Path.is_dir raises for a name over 255 bytes (Python 3.11)
    if os.path.isdir(path) and not os.path.islink(path):
        raise WriteError(f"{shown(path)}: is a directory")
    directory = path.parent
    try:
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.",
                                             suffix=".tmp")
    except OSError as exc:
        missing = not os.path.isdir(directory)
        why = "the directory does not exist" if missing and exc.errno != errno.ENAMETOOLONG \
            else reason(exc)
        raise WriteError(f"{shown(path)}: {why}") from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(text.encode("utf-8"))
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, file_mode(path))
        os.replace(temporary, path)
    except BaseException as exc:
        os.unlink(temporary)
        if isinstance(exc, OSError):
            raise WriteError(f"{shown(path)}: {reason(exc)}") from None
        raise
    sync_directory(directory)


def sync_directory(directory: Path) -> None:
    """The rename itself survives a power cut only once the directory is on disk."""
    try:
        handle = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def read_regular(path: Path, limit: int, what: str) -> bytes:
    """The bytes of `path`, which must be a regular file of at most `limit` bytes, else
    a ReadError saying why, before anything is read (a file that grows past the limit
    while it is read is refused too)."""
    too_large = ReadError(f"{shown(path)}: over {limit // 2**20} MB, the limit for {what}")
    try:
        handle = os.open(path, READING)
    except OSError as exc:
        raise ReadError(f"{shown(path)}: {reason(exc)}") from None
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            raise ReadError(f"{shown(path)}: not a regular file")
        if info.st_size > limit:
            raise too_large
        content = read_up_to(handle, limit + 1)
    except OSError as exc:
        raise ReadError(f"{shown(path)}: {reason(exc)}") from None
    finally:
        os.close(handle)
    if len(content) > limit:
        raise too_large
    return content


def read_no_follow(path: Path, limit: int) -> bytes | None:
    """A regular file's bytes, or None when it is missing, a link, no regular file,
    unreadable or over `limit` bytes: a build trusts only files it wrote itself."""
    try:
        handle = os.open(path, READING | NO_FOLLOW)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            return None
        content = read_up_to(handle, limit + 1)
    except OSError:
        return None
    finally:
        os.close(handle)
    return content if len(content) <= limit else None


def read_up_to(handle: int, size: int) -> bytes:
    """At most `size` bytes of an open file, fewer only at its end."""
    with os.fdopen(handle, "rb", closefd=False) as data:
        return data.read(size)


@contextmanager
def locked(path: Path) -> Iterator[bool]:
    """An exclusive lock on `path` (created if missing, never through a symbolic link)
    for the block, which is told False at once if another process holds it. The system
    drops the lock with the process, however it ends: kill -9 leaves no stale lock."""
    handle = os.open(path, os.O_RDWR | os.O_CREAT | NO_FOLLOW | getattr(os, "O_BINARY", 0),
                     0o644)
    try:
        mine = lock(handle)
        try:
            yield mine
        finally:
            if mine:
                unlock(handle)
    finally:
        os.close(handle)


def lock(handle: int) -> bool:
    """flock on POSIX; on Windows a lock on the file's first byte (it may lie past the end)."""
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(handle, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def unlock(handle: int) -> None:
    """Windows may keep a lock a while after its file is closed: it is released first."""
    if sys.platform == "win32":
        import msvcrt

        os.lseek(handle, 0, os.SEEK_SET)
        msvcrt.locking(handle, msvcrt.LK_UNLCK, 1)
