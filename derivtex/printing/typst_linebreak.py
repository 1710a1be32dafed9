"""Nothing off the page in Typst either: display rows wider than the text break where a
lecturer breaks them (`linebreak`), as `latex_linebreak` does for LaTeX: a further = of
a row starts an aligned row of its own, then top-level terms, then factors, and inside a
bracket only when the bracket cannot fit on a line of its own. Typst sizes the two halves
of a bracket that spans rows alike, to the taller. A call's arguments (sigma(...)) and
scripts (x_(i j)) are never cut.

Widths are estimated from the Typst math itself, in points of 11 pt math (measured with
Typst's own `measure`); the tests check the compiled page's text boxes against its margins.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from .linebreak import Syntax, fold_rows, split_levels

TEXT_WIDTH = 430.0  # pt: the 453 pt text block of the standalone page, less 5 % for the estimate
SCRIPT = 0.7        # sub- and superscripts are set smaller

_TOKEN = re.compile(r'"[^"]*"|[A-Za-z]+(?:\.[A-Za-z]+)*|[0-9]+|\s+|.')
# widths in pt at 11 pt, an operator with the space around it
_WORDS = {"partial": 5.7, "sigma": 6.6, "delta": 5.0, "top": 8.5, "RR": 8.0, "times": 13.4,
          "dot.o": 13.4, "in": 13.0, "quad": 11.0, "wide": 22.0, "thin": 1.8, "nabla": 9.2,
          "tanh": 22.0, "sinh": 21.0, "cosh": 21.5, "log": 14.1, "det": 15.3, "exp": 16.8,
          "tr": 10.0, "compose": 8.0, "dots.c": 13.0, "dots.v": 3.0, "dots.down": 12.0}
_CHARS = {"+": 13.4, "-": 13.4, "=": 14.6, ",": 4.9, "'": 2.8, "&": 0.0, "\\": 0.0,
          ".": 3.0, "⊘": 13.4, "|": 3.0}
_PAREN = {"(": 4.3, "[": 3.0}  # one delimiter; around a sum or a fraction, 9.6
_TALL = 9.6
_CALLS = ("bold", "upright", "op", "frac", "norm", "sqrt", "lr", "mat")
MATRIX_GAP = 6.0  # pt between two columns of a mat (0.5 em)
MATRIX_BRACKETS = 11.0  # pt: its two brackets with their space


@lru_cache(maxsize=4096)
def width(math: str) -> float:
    """Estimated width in pt of one row of Typst math (unbalanced brackets allowed)."""
    return _run(_TOKEN.findall(math), 0, False, 0)[0]


def _run(tokens: list[str], k: int, bold: bool, depth: int) -> tuple[float, int, bool]:
    """(width, where it ends, whether it holds something tall) of tokens[k:] up to the
    bracket that closes `depth`; a script is set smaller, a fraction `(a)/(b)` as wide as
    its wider part, a sum as wide as its symbol or its limits."""
    total, last, last_inner, tall = 0.0, 0.0, 0.0, False
    while k < len(tokens):
        tok = tokens[k]
        k += 1
        inner = 0.0
        if tok in ")]":
            if depth:
                return total, k, tall
            piece = _PAREN["(" if tok == ")" else "["]
        elif tok in "([":
            inner, k, high = _run(tokens, k, bold, depth + 1)
            piece, tall = inner + 2 * (_TALL if high else _PAREN[tok]), tall or high
        elif tok in "_^" and k < len(tokens):
            script, k = _operand(tokens, k, bold)
            piece = SCRIPT * script
        elif tok == "/" and k < len(tokens):
            below, k = _operand(tokens, k, bold)
            total += max(below, last_inner or last) + 2.4 - last
            last, last_inner, tall = 0.0, 0.0, True
            continue
        elif tok.isspace():
            continue
        elif tok in ("sum", "prod"):
            limits = 0.0
            while k + 1 < len(tokens) and tokens[k] in "_^":
                script, k = _operand(tokens, k + 1, bold)
                limits = max(limits, SCRIPT * script)
            piece, tall = max(17.6, limits + 2.0), True
        elif tok in _CALLS and k < len(tokens) and tokens[k] == "(":
            piece, k, high = _call(tok, tokens, k + 1, bold)
            tall = tall or high
        else:
            piece = _atom(tok, bold)
        total += piece
        last, last_inner = piece, inner
    return total, k, tall


def _operand(tokens: list[str], k: int, bold: bool) -> tuple[float, int]:
    """A script's or a denominator's width: a bracketed group (brackets not shown) or one
    token."""
    if tokens[k] == "(":
        inner, k, _ = _run(tokens, k + 1, bold, 1)
        return inner, k
    return _atom(tokens[k], bold), k + 1


def _call(name: str, tokens: list[str], k: int, bold: bool) -> tuple[float, int, bool]:
    """bold(...), upright("..."), op("..."), frac(a, b), norm(...), sqrt(...), lr(...)."""
    inner, end, tall = _run(tokens, k, bold or name == "bold", 1)
    if name == "frac":
        parts = [_run(part, 0, bold, 0)[0] for part in _arguments(tokens[k:end - 1])]
        return max(parts) + 2.4, end, True
    if name == "mat":
        return _matrix(tokens[k:end - 1], bold), end, True
    if name in ("upright", "op"):
        return inner * (0.85 if name == "upright" else 0.95) + (3.0 if name == "op" else 0.0), \
            end, tall
    return inner + {"norm": 11.0, "sqrt": 9.0}.get(name, 0.0), end, tall


def _matrix(tokens: list[str], bold: bool) -> float:
    """mat(delim: "[", a, b; c, d): as wide as its widest cell in each column, with the
    gaps and brackets."""
    columns: list[float] = []
    for row in _arguments(tokens, ";"):
        cells = [cell for cell in _arguments(row) if "".join(cell).strip()[:6] != "delim:"]
        for c, cell in enumerate(cells):
            size = _run(cell, 0, bold, 0)[0]
            columns[c:c + 1] = [max(columns[c], size) if c < len(columns) else size]
    return sum(columns) + MATRIX_GAP * (len(columns) - 1) + MATRIX_BRACKETS


def _arguments(tokens: list[str], separator: str = ",") -> list[list[str]]:
    parts: list[list[str]] = [[]]
    depth = 0
    for tok in tokens:
        depth += (tok in "([") - (tok in ")]")
        if tok == separator and depth == 0:
            parts.append([])
        else:
            parts[-1].append(tok)
    return parts


def _atom(tok: str, bold: bool) -> float:
    if tok.startswith('"'):
        return 5.6 * (len(tok) - 2)
    if tok in _WORDS:
        return _WORDS[tok]
    if tok.isdigit():
        return (6.3 if bold else 5.5) * len(tok)
    if len(tok) == 1 and tok.isalpha():
        if tok.isupper():
            return 11.2 if bold else 8.6
        return 7.0 if bold else 6.0
    if tok[0].isalpha():  # a Greek letter or another symbol by name
        return 8.6 if tok[0].isupper() else 6.8
    return _CHARS.get(tok, 6.0)


def fold(body: str, limit: float = TEXT_WIDTH) -> str:
    """A display body with every row that is too wide broken into aligned rows."""
    rows = [row.strip().removesuffix("\\").rstrip() for row in body.split("\n")]
    return fold_rows([row for row in rows if row], limit, TYPST)


def relations(text: str) -> list[str]:
    return split_at(text, _is_relation)


def terms(text: str) -> list[str]:
    return split_at(text, _is_term_break)


def factors(text: str) -> list[str]:
    return split_at(text, _is_factor_break)


def _is_relation(text: str, k: int) -> bool:
    return text.startswith(" = ", k - 1) and k > 1


def _is_term_break(text: str, k: int) -> bool:
    if not (text[k] in "+-" and text.startswith(" ", k - 1) and text[k + 1:k + 2] == " "):
        return False
    before = text[:k].rstrip()
    return not before or before[-1] not in "=&([+-,"


# what a factor break never follows: a sum with its limits, the operator of a derivative
# (partial/(partial x_(j)) (...)), a number
_OPERATOR = re.compile(r"(?:sum|prod)(?:_\((?:[^()]|\([^()]*\))*\)|_\w+)?"
                       r"(?:\^\((?:[^()]|\([^()]*\))*\)|\^\w+)?$"
                       r"|partial(?:\^2)?/\((?:[^()]|\([^()]*\))*\)$|(?:^|[ (])-?\d+$")


def _is_factor_break(text: str, k: int) -> bool:
    return text[k] == " " and k > 0 and text[k - 1] not in "+-=&,(/" and \
        text[k + 1:k + 2] not in ("+", "-", "=", "", " ", "^", "_", ")", "]", "/") and \
        _OPERATOR.search(text, 0, k) is None


def split_at(text: str, is_break: Callable[[str, int], bool]) -> list[str]:
    """Cut `text` before each position outside every bracket and string where is_break
    holds."""
    return split_levels(text, is_break, _levels)


def _levels(text: str) -> list[tuple[int, int]]:
    """(position, bracket depth there) for every position outside a string."""
    out, depth, in_string = [], 0, False
    for k, ch in enumerate(text):
        if ch == '"':
            in_string = not in_string
        elif in_string:
            continue
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        else:
            out.append((k, depth))
    return out


def opened(factor: str) -> tuple[str, str, str] | None:
    """The widest top-level plain bracket of `factor` (a bracketed factor, a derivative's
    operand, an entry's [ ]; never a call's arguments, a script or a fraction's part):
    (what stands before it with its opening half, what it holds, its closing half and what
    follows it)."""
    best: tuple[float, int, int] | None = None
    depth, start, in_string = 0, 0, False
    for k, ch in enumerate(factor):
        if ch == '"':
            in_string = not in_string
        elif in_string:
            continue
        elif ch in "([":
            if depth == 0:
                start = k
            depth += 1
        elif ch in ")]":
            depth -= 1
            if depth == 0 and _plain(factor, start, k):
                size = width(factor[start + 1:k])
                if best is None or size > best[0]:
                    best = (size, start, k)
    if best is None:
        return None
    _, start, end = best
    # a script on the bracket would make the bracket its base, one box that cannot span
    # rows: it goes on an empty base after it instead, [ ... ]""_(j)
    scripted = factor.startswith(("_", "^"), end + 1)
    return factor[:start + 1], factor[start + 1:end], \
        factor[end] + ('""' if scripted else "") + factor[end + 1:]


def _plain(text: str, start: int, end: int) -> bool:
    """Whether the bracket text[start..end] is a group of its own: not a call's
    arguments or a script (a letter, a prime or _ ^ before it), not a numerator."""
    before = text[start - 1] if start else " "
    return (before in " ([-" or text[start] == "[") and not text.startswith("/", end + 1)


# a row that starts a term is one quad in, after `""` (an empty operand, so Typst spaces its
# + or - as binary, the role amsmath's {} plays after &); one that goes on with a product
# is two quads in
TYPST = Syntax(width=width, relations=relations, terms=terms, factors=factors, opened=opened,
               row_break=" \\\n", term_row='& quad "" ', product_row="& quad quad ")
