"""Names as printed: a validated identifier split into its letters and subscript, so no
input can smuggle a control sequence into any notation."""

from __future__ import annotations

import re
from functools import lru_cache

from ..syntax.parser import GREEK

_NAME = re.compile(r"([A-Za-z]+?)_?([0-9]*)(?:_([A-Za-z0-9_]*))?")


@lru_cache(maxsize=4096)
def split_name(name: str) -> tuple[str, bool, str]:
    """(letters, is_greek, subscript): x1 -> (x, False, 1), alpha -> (alpha, True, '')."""
    if name in GREEK:
        return name, True, ""
    match = _NAME.fullmatch(name)
    if match is None or not match.group(1):
        raise ValueError(f"not a valid name: {name!r}")
    base, digits, rest = match.group(1), match.group(2), match.group(3) or ""
    if not re.fullmatch(r"[A-Za-z0-9_]*", rest):
        raise ValueError(f"not a valid name: {name!r}")
    return base, False, ",".join(p for p in (digits, rest.replace("_", ",")) if p)
