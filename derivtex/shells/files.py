"""Every file derivtex writes (`derive -o`, a build's NAME.tex, all.tex and cache) goes
through `write_atomic`: readers, a full disk or a kill see the old file or the new one,
never a fragment, and a symbolic link in the way is replaced, never written through."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..errors import DerivtexError

NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)


class WriteError(DerivtexError):
    """A file could not be written (or read back): the path and the system's reason."""

    kind = "cannot write"


def reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


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
        raise WriteError(f"{path} is outside the output directory {within}")
    if path.is_dir() and not path.is_symlink():
        raise WriteError(f"{path}: is a directory")
    directory = path.parent
    try:
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.",
                                             suffix=".tmp")
    except OSError as exc:
        missing = not directory.is_dir()
        why = "the directory does not exist" if missing else reason(exc)
        raise WriteError(f"{path}: {why}") from None
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
            raise WriteError(f"{path}: {reason(exc)}") from None
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


def read_no_follow(path: Path) -> bytes | None:
    """A regular file's bytes, or None when it is missing, a link or unreadable: a build
    trusts only files it wrote itself."""
    try:
        handle = os.open(path, os.O_RDONLY | NO_FOLLOW)
    except OSError:
        return None
    try:
        with os.fdopen(handle, "rb") as data:
            return data.read()
    except OSError:
        return None
