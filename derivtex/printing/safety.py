"""What derivtex must never emit: TeX primitives that read or write files, run commands
or change how TeX reads its input. One definition, checked on every derivation derivtex
renders (the shipped containers, such as all.tex's \\input lines, are ours) and by every
test that checks output."""

from __future__ import annotations

import re

from ..errors import UnsafeOutputError

FORBIDDEN_MACROS = re.compile(
    r"\\(input|include|write|immediate|openout|openin|def|edef|gdef|xdef|catcode|csname"
    r"|newcommand|renewcommand|special|directlua)(?![A-Za-z])")


def check_emitted(text: str) -> str:
    """`text`, unless it holds a forbidden control sequence (a bug: refused, not printed)."""
    found = FORBIDDEN_MACROS.search(text)
    if found:
        raise UnsafeOutputError(f"the output would contain {found.group()!r}")
    return text
