"""Nothing off the page: align rows wider than the text break at top-level + and −
(and, when a term alone is too wide, inside its outer brackets or between its factors),
with continuation rows aligned after the equals sign, as a lecturer sets them.

Widths are estimated from the LaTeX itself (in points of 11 pt math); the estimate is
checked against pdflatex's own overfull-box report by the tests.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

TEXT_WIDTH = 430.0  # pt: the 472 pt text block of the standalone page, less a margin
CHAR = 5.6          # pt: an average math italic letter at 11 pt
SCRIPT = 0.72       # sub- and superscripts are set smaller

_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|[{}]|\s+|.")
_WIDE = {r"\sum": 1.9, r"\prod": 1.9, r"\quad": 1.8, r"\qquad": 3.6, r"\,": 0.3, r"\;": 0.5,
         r"\odot": 2.0, r"\in": 2.0, r"\times": 2.0, r"\cdot": 1.4, r"\partial": 1.0,
         r"\mathbb": 0.0, r"\boldsymbol": 0.0, r"\mathrm": 0.0, r"\operatorname": 0.0,
         r"\left": 0.0, r"\right": 0.0, r"\bigl": 0.0, r"\bigr": 0.0, r"\Bigl": 0.0,
         r"\Bigr": 0.0, r"\lVert": 0.8, r"\rVert": 0.8, r"\top": 1.0, r"\circ": 1.0}
_BINARY = {"+": 2.2, "-": 2.2, "=": 2.4, ",": 0.8}
_OPEN = (r"\left(", r"\left[")
_SIZED = {r"\left(": r"\Bigl(", r"\left[": r"\Bigl[", r"\right)": r"\Bigr)",
          r"\right]": r"\Bigr]"}


@lru_cache(maxsize=4096)
def width(latex: str) -> float:
    """Estimated width in pt of one row of math."""
    return _units(_TOKEN.findall(latex), 0)[0] * CHAR


def _units(tokens: list[str], start: int) -> tuple[float, int]:
    """Width in letters of tokens[start:] up to the matching close brace, and where it ends."""
    total, k = 0.0, start
    while k < len(tokens):
        tok = tokens[k]
        k += 1
        if tok == "}":
            return total, k
        if tok == "{":
            inner, k = _units(tokens, k)
            total += inner
        elif tok in ("_", "^"):
            if k < len(tokens) and tokens[k] == "{":
                inner, k = _units(tokens, k + 1)
            else:
                inner, k = (1.0 if k < len(tokens) else 0.0), k + 1
            total += SCRIPT * inner
        elif tok == r"\frac":
            top, k = _group(tokens, k)
            bottom, k = _group(tokens, k)
            total += max(top, bottom) * 0.9 + 0.4
        elif tok in (r"\text", r"\operatorname", r"\mathrm"):
            inner, k = _group(tokens, k)
            total += inner * 0.85
        elif tok in _WIDE:
            total += _WIDE[tok]
        elif tok.startswith("\\"):
            total += 1.0 if len(tok) > 2 else 0.5
        elif tok.isspace():
            continue
        else:
            total += _BINARY.get(tok, 1.0)
    return total, k


def _group(tokens: list[str], k: int) -> tuple[float, int]:
    while k < len(tokens) and tokens[k].isspace():
        k += 1
    if k < len(tokens) and tokens[k] == "{":
        return _units(tokens, k + 1)
    return (1.0, k + 1) if k < len(tokens) else (0.0, k)


def fold(body: str, limit: float = TEXT_WIDTH) -> str:
    """An align body with every row that is too wide broken into aligned rows."""
    rows = split_rows(body)
    return " \\\\\n".join(fold_row(row.strip(), limit) for row in rows)


def split_rows(body: str) -> list[str]:
    if "\\\\" not in body:  # one row: most steps
        return [body] if body.strip() else []
    rows, depth, start = [], 0, 0
    for k, ch in enumerate(body):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif depth == 0 and body.startswith("\\\\", k) and (k == 0 or body[k - 1] != "\\"):
            rows.append(body[start:k])
            start = k + 2
    rows.append(body[start:])
    return [r for r in rows if r.strip()]


def fold_row(row: str, limit: float) -> str:
    if width(row) <= limit:
        return row
    lhs, amp, rhs = row.partition("&")
    if not amp:
        return row
    indent = width(lhs) + 2 * CHAR
    pieces = pieces_of(rhs, limit - indent)
    lines = [lhs + "&" + pieces[0]]
    lines += ["&\\quad " + p.lstrip() for p in pieces[1:]]
    return " \\\\\n".join(lines)


def pieces_of(rhs: str, limit: float) -> list[str]:
    """Greedy packing of the break units into lines no wider than `limit`."""
    units = break_units(rhs, limit)
    lines: list[str] = []
    current = ""
    for unit in units:
        if current and width(current + unit) > limit:
            lines.append(current.rstrip())
            current = unit
        else:
            current += unit
    lines.append(current.rstrip())
    return lines


def break_units(text: str, limit: float) -> list[str]:
    """Pieces that may start a new line: top-level terms (each with its sign); a piece too
    wide on its own is opened (its outer brackets become fixed-size ones that may span
    lines) or, failing that, cut between its factors."""
    units = split_at(text, _is_term_break)
    out: list[str] = []
    for unit in units:
        if width(unit) <= limit:
            out.append(unit)
            continue
        opened = open_brackets(unit)
        if opened != unit:
            out += break_units(opened, limit)
            continue
        factors = split_at(unit, _is_factor_break)
        out += factors if len(factors) > 1 else [unit]
    return out


def _is_term_break(text: str, k: int) -> bool:
    if not (text[k] in "+-" and k > 0 and text[k - 1] == " " and text[k + 1:k + 2] == " "):
        return False
    before = k - 1  # the last character before the sign that is not a space
    while before >= 0 and text[before].isspace():
        before -= 1
    return before < 0 or text[before] not in "=&([+-"


def _is_factor_break(text: str, k: int) -> bool:
    return text[k] == " " and k > 0 and text[k - 1] not in "+-=&,(" and \
        text[k + 1:k + 2] not in ("+", "-", "=", "", " ", "^", "_", ")", "]") and \
        not text.endswith(("\\left(", "\\left[", "\\Bigl(", "\\Bigl[", "\\sum", "}^{n}"), 0, k)


def split_at(text: str, is_break: Callable[[str, int], bool]) -> list[str]:
    """Cut `text` before each top-level position where is_break holds."""
    pieces, depth, start, k = [], 0, 0, 0
    while k < len(text):
        ch = text[k]
        if ch == "\\":
            if text.startswith(r"\left", k):
                depth += 1
                k += 5
            elif text.startswith(r"\right", k):
                depth -= 1
                k += 6
            else:
                k += 2
            continue
        if ch in "{[":  # a plain [ ... ] holds an entry: never cut inside it
            depth += 1
        elif ch in "}]":
            depth -= 1
        elif depth == 0 and k > start and is_break(text, k):
            pieces.append(text[start:k])
            start = k
        k += 1
    pieces.append(text[start:])
    return [p for p in pieces if p.strip()]


def open_brackets(text: str) -> str:
    """The top-level \\left( ... \\right) pairs turned into fixed-size \\Bigl( ... \\Bigr),
    so what is inside them can break across rows."""
    out, depth, k = [], 0, 0
    while k < len(text):
        left = next((o for o in _OPEN if text.startswith(o, k)), None) \
            if depth == 0 and text[k] == "\\" else None
        if left is not None:
            out.append(_SIZED[left])
            k += len(left)
            depth_inner = 1
            start = k
            while k < len(text) and depth_inner:
                if text.startswith(r"\left", k):
                    depth_inner += 1
                    k += 5
                elif text.startswith(r"\right", k):
                    depth_inner -= 1
                    k += 6
                else:  # on to the next control sequence: only \left and \right count here
                    k = _next_backslash(text, k + 1)
            inner = text[start:k - 6]
            closing = text[k - 6:k + 1]
            out.append(inner)
            out.append(_SIZED.get(closing, closing))
            k += 1
            continue
        run = _PLAIN_RUN.match(text, k)
        if run is not None:  # characters that change nothing here, copied as one piece
            out.append(run.group())
            k = run.end()
            continue
        ch = text[k]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        out.append(ch)
        k += 1
    return "".join(out)


_PLAIN_RUN = re.compile(r"[^\\{}]+")


def _next_backslash(text: str, k: int) -> int:
    found = text.find("\\", k)
    return len(text) if found < 0 else found
