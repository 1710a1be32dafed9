"""Nothing off the page in Typst either: display rows wider than the text break at
top-level + and − (a term too wide alone, inside its outer plain parentheses), with
continuation rows aligned after the equals sign, as `latex_linebreak` does for LaTeX.

Widths are estimated from the Typst math itself, in letters of 11 pt math.
"""

from __future__ import annotations

import re

TEXT_WIDTH = 76.0  # letters: the 453 pt text block of the standalone page, less a margin
SCRIPT = 0.72      # sub- and superscripts are set smaller
MAX_DEPTH = 3      # parentheses opened at most this deep to find a break

_TOKEN = re.compile(r'"[^"]*"|[A-Za-z]+(?:\.[A-Za-z]+)*|[0-9]+|\s+|.')
_WIDTHS = {"bold": 0.0, "upright": 0.0, "op": 0.0, "lr": 0.0, "frac": 0.0, "sqrt": 1.0,
           "sum": 1.9, "partial": 1.0, "quad": 1.8, "wide": 3.6, "thin": 0.3, "dot.o": 2.0,
           "in": 2.0, "times": 2.0, "top": 1.0, "compose": 1.0, "norm": 0.8, "nabla": 1.0,
           "tr": 1.6, "det": 2.2, "log": 2.2, "exp": 2.4, "tanh": 3.2, "sinh": 3.2,
           "cosh": 3.2, "RR": 1.0}
_BINARY = {"+": 2.2, "-": 2.2, "=": 2.4, ",": 0.8, "&": 0.0, "\\": 0.0}


def width(math: str) -> float:
    """Estimated width, in letters, of one row of Typst math."""
    return _units(_TOKEN.findall(math), 0)[0]


def _units(tokens: list[str], start: int) -> tuple[float, int]:
    """Width of tokens[start:] up to the matching close parenthesis, and where it ends;
    a script is set smaller, a fraction `(a)/(b)` as wide as its wider part."""
    total, last, k = 0.0, 0.0, start
    while k < len(tokens):
        tok = tokens[k]
        k += 1
        if tok in ")]":
            return total, k
        if tok in "([":
            inner, k = _units(tokens, k)
            piece = inner + 0.8
        elif tok in "_^" and k < len(tokens):
            if tokens[k] == "(":
                inner, k = _units(tokens, k + 1)
            else:
                inner, k = _units([tokens[k]], 0)[0], k + 1
            piece = SCRIPT * inner
        elif tok == "/" and k < len(tokens) and tokens[k] == "(":
            inner, k = _units(tokens, k + 1)
            total += max(inner, last) - last
            continue
        elif tok.isspace():
            continue
        elif tok.startswith('"'):
            piece = 0.8 * (len(tok) - 2)
        elif tok[0].isalpha():
            piece = _WIDTHS.get(tok, 1.0)
        else:
            piece = _BINARY.get(tok, 1.0)
        total += piece
        last = piece
    return total, k


def fold(body: str, limit: float = TEXT_WIDTH) -> str:
    """A display body with every row that is too wide broken into aligned rows."""
    rows = [row.strip().removesuffix("\\").rstrip() for row in body.split("\n")]
    return " \\\n".join(fold_row(row, limit) for row in rows if row)


def fold_row(row: str, limit: float) -> str:
    if width(row) <= limit:
        return row
    lhs, amp, rhs = row.partition("&")
    if not amp:
        return row
    pieces = pieces_of(rhs, limit - width(lhs) - 2.0, 0)
    # `""` before the row's sign: an empty operand, so Typst spaces + and - as binary
    # (the role amsmath's {} plays after &), not as a tight unary sign
    return " \\\n".join([lhs + "&" + pieces[0]] + ['& quad "" ' + p.lstrip()
                                                   for p in pieces[1:]])


def pieces_of(text: str, limit: float, depth: int) -> list[str]:
    """Greedy packing of the terms at `depth` into lines no wider than `limit`; a term too
    wide alone is broken at the next depth."""
    lines: list[str] = []
    current = ""
    for unit in split_terms(text, depth):
        if width(unit) > limit and depth < MAX_DEPTH:
            inner = pieces_of(unit, limit, depth + 1)
            if len(inner) > 1:
                if current.strip():
                    lines.append(current.rstrip())
                lines += [p.rstrip() for p in inner[:-1]]
                current = inner[-1]
                continue
        if current.strip() and width(current + unit) > limit:
            lines.append(current.rstrip())
            current = unit
        else:
            current += unit
    lines.append(current.rstrip())
    return lines


def split_terms(text: str, depth: int) -> list[str]:
    """`text` cut before each " + " or " - " at `depth` parentheses, counting only plain
    groups: a call's arguments (sigma(...)) and scripts (x_(i j)) are never opened."""
    cuts, level, plain = [0], 0, [True]
    in_string = False
    for k, ch in enumerate(text):
        if ch == '"':
            in_string = not in_string
        elif in_string:
            continue
        elif ch in "([":
            opens_plain = k == 0 or text[k - 1] in " ([" and all(plain)
            plain.append(opens_plain)
            level += 1
        elif ch in ")]":
            plain.pop()
            level -= 1
        elif level == depth and all(plain) and text.startswith((" + ", " - "), k):
            cuts.append(k)
    cuts.append(len(text))
    return [text[a:b] for a, b in zip(cuts, cuts[1:], strict=False) if text[a:b]]
