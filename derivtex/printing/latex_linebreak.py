"""Nothing off the page: align rows wider than the text break where a lecturer breaks them
(`linebreak`): at a further =, between top-level terms, then between factors, and inside
a bracket only when the bracket cannot fit on a line of its own. An opened bracket's
\\left( ... \\right) becomes a fixed \\bigl( ... \\bigr) pair of one size, as tall as what
it holds, so its two halves match on their two lines (\\left/\\right never span a break).
Continuation rows are aligned after the equals sign. A long equation in a sentence gets
brackets TeX may break inside (`breakable`).

Widths are estimated from the LaTeX itself, in points of 11 pt math; the tests check the
estimate against TeX's own widths and pdflatex's overfull-box report.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from .linebreak import Syntax, fold_rows, split_levels

TEXT_WIDTH = 450.0  # pt: the 472 pt text block of the standalone page, less 5 % for the estimate
SCRIPT = 0.7        # sub- and superscripts are set smaller

_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|[{}]|\s+|.")
# widths in pt at 11 pt (measured with pdflatex), an operator with the space around it
_WIDTHS = {r"\sum": 17.6, r"\prod": 17.6, r"\quad": 11.0, r"\qquad": 22.0, r"\,": 1.8,
           r"\;": 3.0, r"\!": -1.8, r"\odot": 13.4, r"\oslash": 13.4, r"\times": 13.4,
           r"\cdot": 11.0, r"\in": 14.6, r"\partial": 5.7, r"\top": 8.5, r"\lVert": 5.5,
           r"\rVert": 5.5, r"\log": 16.0, r"\det": 17.0, r"\exp": 18.5, r"\tanh": 23.7,
           r"\sinh": 22.0, r"\cosh": 23.0, r"\sigma": 6.6, r"\delta": 5.0, r"\nabla": 9.1,
           r"\circ": 8.0, r"\sqrt": 9.0, r"\mathbb": 0.0, r"\left": 0.0, r"\right": 0.0,
           r"\bigl": 0.0, r"\bigr": 0.0, r"\biggl": 4.4, r"\biggr": 4.4, r"\Biggl": 4.4,
           r"\Biggr": 4.4}  # with the bracket after it, as wide as \left's
_CHARS = {"+": 13.4, "-": 13.4, "=": 14.6, ",": 4.9, "(": 4.3, ")": 4.3, "[": 3.0,
          "]": 3.0, "'": 2.8, "|": 3.0, "/": 5.5, ".": 3.0, "&": 0.0}
_TALL = (r"\sum", r"\prod", r"\frac")
_SIZES = (r"\bigl", r"\bigr", r"\Bigl", r"\Bigr", r"\biggl", r"\biggr", r"\Biggl", r"\Biggr")


@lru_cache(maxsize=4096)
def width(latex: str) -> float:
    """Estimated width in pt of one row of math (unbalanced delimiters allowed)."""
    return _units(_TOKEN.findall(latex), 0, False)[0]


def _units(tokens: list[str], start: int, bold: bool) -> tuple[float, int]:
    """Width of tokens[start:] up to the matching close brace, and where it ends."""
    total, k = 0.0, start
    while k < len(tokens):
        tok = tokens[k]
        k += 1
        if tok == "}":
            return total, k
        if tok == "{":
            inner, k = _units(tokens, k, bold)
            total += inner
        elif tok in ("_", "^"):
            inner, k = _group(tokens, k, bold)
            total += SCRIPT * inner
        elif tok == r"\frac":
            top, k = _group(tokens, k, bold)
            bottom, k = _group(tokens, k, bold)
            total += max(top, bottom) + 2.4
        elif tok in (r"\sum", r"\prod"):
            limits = 0.0
            while k < len(tokens) and tokens[k] in ("_", "^"):
                script, k = _group(tokens, k + 1, bold)
                limits = max(limits, SCRIPT * script)
            total += max(_WIDTHS[tok], limits + 2.0)
        elif tok in (r"\text", r"\operatorname", r"\mathrm"):
            inner, k = _group(tokens, k, bold)
            total += inner * 0.85 + (3.0 if tok == r"\operatorname" else 0.0)
        elif tok in (r"\boldsymbol", r"\mathbf"):
            inner, k = _group(tokens, k, True)
            total += inner
        elif tok in (r"\left", r"\right"):
            total += _delimiter(tokens, k, tok == r"\left")
        elif tok == r"\begin":
            inner, k = _matrix(tokens, k, bold)
            total += inner
        elif tok in _WIDTHS:
            total += _WIDTHS[tok]
        elif tok.startswith("\\"):
            total += 6.8 if len(tok) > 2 else 3.0
        elif tok.isspace():
            continue
        else:
            total += _letter(tok, bold)
    return total, k


def _letter(ch: str, bold: bool) -> float:
    if ch.isdigit():
        return 6.3 if bold else 5.5
    if ch.isupper():
        return 11.2 if bold else 8.6
    if ch.isalpha():
        return _LETTERS.get(ch, 6.0) * (1.2 if bold else 1.0)
    return _CHARS.get(ch, 6.0)


# math italic letters much wider than the average
_LETTERS = {"m": 9.6, "w": 7.9, "n": 6.6}


def _delimiter(tokens: list[str], k: int, opening: bool) -> float:
    """What a \\left or \\right adds to the delimiter after it, tokens[k] (counted as a
    plain one): nothing, or as much again around a sum or a fraction."""
    depth, step = 0, 1 if opening else -1
    j = k + 1 if opening else k - 2
    while 0 <= j < len(tokens):
        tok = tokens[j]
        if tok == (r"\left" if opening else r"\right"):
            depth += 1
        elif tok == (r"\right" if opening else r"\left"):
            if depth == 0:
                break
            depth -= 1
        elif tok in _TALL:
            return 8.7 - _CHARS.get(tokens[k], 0.0)
        j += step
    return 4.3 - _CHARS.get(tokens[k], 0.0)


MATRIX_GAP = 10.0  # pt between two columns of a matrix (twice \arraycolsep)
MATRIX_BRACKETS = 15.0  # pt: its two brackets, as tall as five rows of fractions
_WIDTHS.update({r"\cdots": 14.6, r"\vdots": 3.0, r"\ddots": 12.8})


def _matrix(tokens: list[str], k: int, bold: bool) -> tuple[float, int]:
    """A matrix environment from the name after \\begin to its \\end{name}: as wide as
    its widest cell in each column, with the gaps and brackets."""
    _, k = _group(tokens, k, bold)
    rows: list[list[str]] = [[""]]
    depth = 0
    while k < len(tokens):
        tok = tokens[k]
        k += 1
        depth += (tok in ("{", r"\begin")) - (tok in ("}", r"\end"))
        if depth < 0:
            _, k = _group(tokens, k, bold)
            break
        if depth == 0 and tok == "&":
            rows[-1].append("")
        elif depth == 0 and tok == "\\\\":
            rows.append([""])
        else:
            rows[-1][-1] += tok
    columns: list[float] = []
    for row in rows:
        for c, cell in enumerate(row):
            size = width(cell) + _inline_sums(_TOKEN.findall(cell))
            if c < len(columns):
                columns[c] = max(columns[c], size)
            else:
                columns.append(size)
    return sum(columns) + MATRIX_GAP * (len(columns) - 1) + MATRIX_BRACKETS, k


def _inline_sums(tokens: list[str]) -> float:
    """What a matrix's text style adds to its sums: the limits beside the symbol."""
    extra = 0.0
    for k, tok in enumerate(tokens):
        if tok in (r"\sum", r"\prod"):
            limits, j = 0.0, k + 1
            while j < len(tokens) and tokens[j] in ("_", "^"):
                script, j = _group(tokens, j + 1, False)
                limits = max(limits, SCRIPT * script)
            extra += limits + 14.5 - max(_WIDTHS[tok], limits + 2.0)
    return extra


def _group(tokens: list[str], k: int, bold: bool) -> tuple[float, int]:
    while k < len(tokens) and tokens[k].isspace():
        k += 1
    if k < len(tokens) and tokens[k] == "{":
        return _units(tokens, k + 1, bold)
    return _units(tokens[k:k + 1], 0, bold)[0], k + 1


def fold(body: str, limit: float = TEXT_WIDTH) -> str:
    """An align body with every row that is too wide broken into aligned rows."""
    rows = split_rows(body)
    return fold_rows([row.strip() for row in rows], limit, LATEX)


def split_rows(body: str) -> list[str]:
    if "\\\\" not in body:  # one row: most steps
        return [body] if body.strip() else []
    rows, depth, start = [], 0, 0
    for k, ch in enumerate(body):
        if body.startswith((r"\begin{", r"\end{"), k):  # a matrix's rows are not the body's
            depth += 1 if body[k + 1] == "b" else -1
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif depth == 0 and body.startswith("\\\\", k) and (k == 0 or body[k - 1] != "\\"):
            rows.append(body[start:k])
            start = k + 2
    rows.append(body[start:])
    return [r for r in rows if r.strip()]


def relations(text: str) -> list[str]:
    return split_at(text, _is_relation)


def _is_relation(text: str, k: int) -> bool:
    return text.startswith(" = ", k - 1) and k > 1


def terms(text: str) -> list[str]:
    return split_at(text, _is_term_break)


def factors(text: str) -> list[str]:
    return split_at(text, _is_factor_break)


def _is_term_break(text: str, k: int) -> bool:
    if not (text[k] in "+-" and k > 0 and text[k - 1] == " " and text[k + 1:k + 2] == " "):
        return False
    before = k - 1  # the last character before the sign that is not a space
    while before >= 0 and text[before].isspace():
        before -= 1
    return before < 0 or text[before] not in "=&([+-"


# what a factor break never follows: a big operator with its limits, a number
_OPERATOR = re.compile(r"\\(?:sum|prod)(?:_\{(?:[^{}]|\{[^{}]*\})*\})?"
                       r"(?:\^\{(?:[^{}]|\{[^{}]*\})*\})?$|(?:^|[ (])-?\d+$")
_REACH = 160  # characters before a break that can hold its operator (a search from 0 is n^2)


def _is_factor_break(text: str, k: int) -> bool:
    return text[k] == " " and k > 0 and text[k - 1] not in "+-=&,(" and \
        text[k + 1:k + 2] not in ("+", "-", "=", "", " ", "^", "_", ")", "]") and \
        _OPERATOR.search(text, max(0, k - _REACH), k) is None


def split_at(text: str, is_break: Callable[[str, int], bool]) -> list[str]:
    """Cut `text` before each position outside every bracket and brace where is_break
    holds: a plain ( ) or [ ] (an entry) is never cut, nor a norm or a group."""
    return split_levels(text, is_break, _levels)


def _levels(text: str) -> list[tuple[int, int]]:
    """(position, bracket depth there) for every position a cut may be tried at."""
    out, depth, k = [], 0, 0
    while k < len(text):
        ch = text[k]
        if ch == "\\":
            name = _TOKEN.match(text, k)
            word = name.group() if name else "\\"
            k += len(word)
            if word in (r"\left", r"\right", *_SIZES):
                depth += 1 if word in (r"\left", *_SIZES[0::2]) else -1
                delimiter = _TOKEN.match(text, k)
                k += len(delimiter.group()) if delimiter else 0
            elif word in (r"\lVert", r"\rVert", r"\begin", r"\end"):  # nothing cut inside
                depth += 1 if word in (r"\lVert", r"\begin") else -1
            continue
        if ch in "{([":
            depth += 1
        elif ch in "})]":
            depth -= 1
        else:
            out.append((k, depth))
        k += 1
    return out


def opened(factor: str) -> tuple[str, str, str] | None:
    """The widest top-level \\left( ... \\right) (or [ ]) of `factor`, its halves sized
    alike to what it holds: (what stands before it and its opening half, what it holds, its
    closing half and what follows it)."""
    best: tuple[float, int, int, int, int] | None = None
    depth, k, start = 0, 0, -1  # start: where the top-level \left( or \left[ stands
    while k < len(factor):
        if factor.startswith(r"\left", k):
            if depth == 0:
                start = k if factor[k + 5:k + 6] in ("(", "[") else -1
            depth += 1
            k += 5
        elif factor.startswith(r"\right", k):
            depth -= 1
            if depth == 0 and start >= 0:
                size = width(factor[start + 6:k])
                if best is None or size > best[0]:
                    best = (size, start, start + 6, k, k + 7)
            k += 6
        else:
            k += 1
    if best is None:
        return None
    _, start, inner, close, end = best
    sized = _size(factor[inner:close])
    return (factor[:start] + sized + "l" + factor[start + 5],
            factor[inner:close],
            sized + "r" + factor[close + 6] + factor[end:])


INLINE_WIDTH = 250.0  # pt: an equation in a sentence this long may need to break


def breakable(math: str) -> str:
    r"""`math` for a sentence: when it is long, its \left ... \right pairs (one box each,
    which TeX never breaks) become plain brackets, or \bigl ... \bigr around something
    tall, so the line may break inside them rather than run past the margin."""
    if width(math) <= INLINE_WIDTH:
        return math
    out: list[str] = []
    opening: list[int] = []
    k = 0
    while k < len(math):
        word = _SIZING.match(math, k)
        if word is None:
            out.append(math[k])
            k += 1
            continue
        k = word.end()
        delimiter = "" if word.group(2) == "." else word.group(2)
        if word.group(1) == "left":
            opening.append(len(out))
            out.append(delimiter)
            continue
        start = opening.pop()
        inner = "".join(out[start + 1:])
        if any(tall in inner for tall in _TALL):
            out[start] = r"\bigl" + (out[start] or ".")
            delimiter = r"\bigr" + (delimiter or ".")
        out.append(delimiter)
    return "".join(out)


_SIZING = re.compile(r"\\(left|right)(?![A-Za-z])(\\[A-Za-z]+|\\.|.)")


def _size(content: str) -> str:
    r"""A fixed delimiter as tall as \left would make it around `content`: a sum with its
    limits in display style needs \Bigg, a fraction \bigg."""
    if r"\sum" in content or r"\prod" in content:
        return r"\Bigg"
    return r"\bigg" if r"\frac" in content else r"\big"


# a row that starts a term is one \quad in, one that goes on with a product two
LATEX = Syntax(width=width, relations=relations, terms=terms, factors=factors, opened=opened,
               row_break=" \\\\\n", term_row="&\\quad ", product_row="&\\quad \\quad ")
