"""Where a display row too wide for the page breaks, for every notation: at the shallowest
level that fits, as a lecturer breaks it.

A row's right side is cut first between its top-level terms (before + and −); a term too
wide alone, between its factors; a factor too wide alone is the one place a break goes
inside brackets: its widest bracket pair is opened (`Syntax.opened`, which sizes both
halves alike) and its content broken the same way, one level down. So no break is ever
inside a bracket while the bracket would fit on a line of its own. The pieces are then
packed greedily into lines, except that a term or factor that has to be broken starts a
line of its own and the term after it starts the next (a lecturer's "+" never stands
mid-line before or after a term that runs over several lines). `latex_linebreak` and
`typst_linebreak` supply the syntax.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Syntax:
    """How one notation's math is measured and cut (each function takes balanced text),
    and how its display rows are written."""

    width: Callable[[str], float]
    relations: Callable[[str], list[str]]  # cut before each top-level =
    terms: Callable[[str], list[str]]      # cut before each top-level + and −
    factors: Callable[[str], list[str]]    # cut between top-level factors
    # (text before the opening delimiter and the delimiter, the content, the closing
    # delimiter and what follows) of the widest top-level bracket pair, or None
    opened: Callable[[str], tuple[str, str, str] | None]
    row_break: str    # between two rows of a display
    term_row: str     # starts a row that starts a term, one quad in after the alignment
    product_row: str  # starts a row that goes on with a product, two quads in


def split_levels(text: str, is_break: Callable[[str, int], bool],
                 levels: Callable[[str], list[tuple[int, int]]]) -> list[str]:
    """Cut `text` before each position at depth 0 of `levels` (a notation's brackets)
    where is_break holds."""
    pieces, start = [], 0
    for k, depth in levels(text):
        if depth == 0 and k > start and is_break(text, k):
            pieces.append(text[start:k])
            start = k
    pieces.append(text[start:])
    return [p for p in pieces if p.strip()]


def fold_rows(rows: list[str], limit: float, syntax: Syntax) -> str:
    """A display's rows, each too wide cut by `fold_row`: the display's left column is
    as wide as its widest left side, so every right side starts after that one."""
    widest = max((syntax.width(r.partition("&")[0]) for r in rows if "&" in r), default=0.0)
    widest = min(widest, limit / 2)  # a left side wider than that overruns in any case
    return syntax.row_break.join(fold_row(row, limit, syntax, widest) for row in rows)


def fold_row(row: str, limit: float, syntax: Syntax, lhs_width: float = 0.0) -> str:
    """`row` (`lhs & rhs`), if wider than `limit`, cut into rows aligned at its equals
    sign: a further = of the row starts a row of its own (`&= ...`, as a lecturer
    continues a chain of equalities), then the pieces of `break_units`. `lhs_width`: the
    widest left side of the display, which every row's right side starts after."""
    lhs, amp, rhs = row.partition("&")
    if not amp:
        return row
    start = max(syntax.width(lhs), lhs_width)
    if start + syntax.width(rhs) <= limit:
        return row
    room = limit - start - syntax.width(syntax.product_row)
    chain = syntax.relations(rhs) if lhs.strip() else [rhs]
    lines = []
    for n, link in enumerate(chain):
        pieces = pack(break_units(link if n == 0 else link.lstrip(), room, syntax), room,
                      syntax.width)
        lines.append((lhs if n == 0 else "") + "&" + pieces[0])
        lines += [(syntax.term_row if p.lstrip()[:1] in "+-" else syntax.product_row) +
                  p.lstrip() for p in pieces[1:]]
    return syntax.row_break.join(lines)


Unit = tuple[str, bool]  # a piece a line may start with; True: it must start one
SHORT_LEAD = 30.0  # pt: factors no wider than this stay on the line a bracket opens on


def break_units(text: str, limit: float, syntax: Syntax, lead: str = "",
                tail: str = "") -> list[Unit]:
    """`lead + text + tail` as consecutive pieces, each a place a line may start, none
    wider than `limit` unless it cannot be cut at all. `lead` and `tail` are an opened
    bracket's halves (and what stands before and after it): they go with the first and the
    last piece, and count in their widths. The first piece of a term or factor that is cut
    must start a line."""
    out: list[Unit] = []
    terms = syntax.terms(text) or [text]
    cut = False  # the term before was cut: this one starts a line too
    for n, term in enumerate(terms):
        before, after = (lead if n == 0 else ""), (tail if n == len(terms) - 1 else "")
        if syntax.width(before + term + after) <= limit:
            out.append((before + term + after, cut))
            cut = False
            continue
        start = len(out)
        factors = syntax.factors(term) or [term]
        for m, factor in enumerate(factors):
            first = before if m == 0 else ""
            last = after if m == len(factors) - 1 else ""
            whole = first + factor + last
            opened = syntax.opened(factor) if syntax.width(whole) > limit else None
            if opened is None:
                out.append((whole, False))
                continue
            open_half, inside, close_half = opened
            inner = break_units(inside, limit, syntax, first + open_half, close_half + last)
            if len(inner) == 1:  # nothing inside could be cut: the bracket stays closed
                out.append((whole, False))
                continue
            # a short factor before it (1/2) stays on its line: never a row of its own
            alone = syntax.width("".join(u for u, _ in out[start:])) > SHORT_LEAD
            out += [(inner[0][0], alone or m == 0)] + inner[1:]
        cut = len(out) - start > 1
        if cut:
            out[start] = (out[start][0], True)
    return out


def pack(units: list[Unit], limit: float, width: Callable[[str], float]) -> list[str]:
    """Greedy packing of the pieces into lines no wider than `limit`."""
    lines: list[str] = []
    current = ""
    for unit, fresh in units:
        if current.strip() and (fresh or width(current + unit) > limit):
            lines.append(current.rstrip())
            current = unit.lstrip()
        else:
            current += unit
    lines.append(current.rstrip())
    return lines
