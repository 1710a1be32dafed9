"""What derivtex must never emit: TeX primitives that read or write files, run commands
or change how TeX reads its input. One definition, checked on every derivation derivtex
renders (the shipped containers, such as all.tex's \\input lines, are ours) and by every
test that checks output."""

from __future__ import annotations

from ..errors import UnsafeOutputError
from ..forbidden import FORBIDDEN_MACROS

__all__ = ["FORBIDDEN_MACROS", "check_emitted"]


def check_emitted(text: str) -> str:
    """`text`, unless it holds a forbidden control sequence (a bug: refused, not printed)."""
    found = FORBIDDEN_MACROS.search(text)
    if found:
        raise UnsafeOutputError(f"the output would contain {found.group()!r}")
    return text
