"""What names mean before shapes are inferred: default kinds, `--shape` and
`--symmetric` declarations, and the hints for names a user glued together (Xw)."""

from __future__ import annotations

import re

from ..errors import OptionError, option, quote, suggest
from ..syntax.parser import GREEK

Dim = str | int

_VECTOR_NAME = re.compile(r"[a-z](_?[0-9]+)?")
_MATRIX_NAME = re.compile(r"[A-Z](_?[0-9]+)?")
_DIM_NAME = re.compile(r"[A-Za-z](_?[0-9]+|_[A-Za-z0-9]{1,6})?")
_SYMBOL_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_PART = re.compile(r"[A-Za-z][0-9]*")
_SYMMETRIC_WORDS = ("sym", "symmetric", "spd", "psd", "pd")


def parse_shape_option(text: str) -> tuple[str, tuple[Dim, ...]]:
    """`A=n,m` -> ("A", ("n", "m")); sizes become ints. Anything else is an error, never
    a silently odd shape: `A=sym` is not a vector of dimension "sym"."""
    name, sep, dims = text.partition("=")
    name = name.strip()
    if not sep or not _SYMBOL_NAME.fullmatch(name):
        raise OptionError(f"{option('shape', text)}: expected NAME=DIMS, e.g. A=n,m or x=3")
    parts = [p.strip() for p in dims.split(",")]
    if not 1 <= len(parts) <= 2 or not all(parts):
        raise OptionError(f"{option('shape', text)}: give one dimension (vector) or two "
                          "(matrix)")
    out: list[Dim] = []
    for p in parts:
        if p.isdigit() and int(p) >= 1:
            out.append(int(p))
        elif _DIM_NAME.fullmatch(p):
            out.append(p)
        else:
            hint = f"; a symmetric matrix is declared with {suggest('symmetric', name)}" \
                if p.lower() in _SYMMETRIC_WORDS else ""
            raise OptionError(f"{option('shape', text)}: {quote(p)} is not a size or a "
                              "dimension name "
                              f"(a letter, optionally with digits: n, m, d1){hint}")
    return name, tuple(out)


def default_kind(name: str, bold: bool = False) -> str | None:
    """The README's rule: one lowercase letter a vector, one uppercase a matrix, Greek a scalar —
    unless written bold in LaTeX (a bold Greek name is a vector, or a matrix if capital)."""
    if name in GREEK:
        if bold:
            return "matrix" if name[0].isupper() else "vector"
        return "scalar"
    if _VECTOR_NAME.fullmatch(name):
        return "vector"
    if _MATRIX_NAME.fullmatch(name):
        return "matrix"
    return None


def split_glued(name: str) -> list[str] | None:
    """`Xw` -> [X, w]: the names a user most likely meant, when `name` reads as two or
    more known names run together (not for words such as `foo`)."""
    best: dict[int, list[str]] = {0: []}
    for start in range(len(name)):
        if start not in best:
            continue
        candidates = [g for g in GREEK if name.startswith(g, start)]
        match = _PART.match(name, start)
        if match:
            candidates.append(match.group())
        for part in candidates:
            end = start + len(part)
            if end not in best or len(best[end]) > len(best[start]) + 1:
                best[end] = best[start] + [part]
    parts = best.get(len(name))
    if not parts or len(parts) < 2:
        return None
    telling = len(parts) == 2 or any(p[0].isupper() or p in GREEK for p in parts)
    return parts if telling else None


def glued_hint(name: str) -> str:
    parts = split_glued(name)
    return f"put a space between names: {' '.join(parts)}" if parts else ""
