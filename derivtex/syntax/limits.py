"""Size limits, checked before any work is done, so a short input cannot take minutes or
gigabytes: `A^2^2^2^2^2^2^2^2 x` is 17 characters and a chain of 256 matrices.

Everything is counted as the derivation will see it, that is after powers are expanded
(`X^10` is ten factors) and with the operand of a squared norm twice (||u||^2 is
sum_k u_k u_k, and the product rule differentiates both). The parsed tree shares the
repeated factors of a power, so counting visits each distinct node once.

The counts bound verification too: it evaluates the input once per entry of the variable
(twice per pair of entries for a Hessian) on stand-ins of at most 10 (sampling.py), and
contracts an index form in near-linear time (contraction.py), so its work grows with the
factors, and with the terms the product rule makes, which these limits count. The
printed page grows with them as well (a Hessian of 32 occurrences in 48 factors was
3.6 MB of LaTeX from 149 characters).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import LimitError
from . import ast
from .ast import children

MAX_NUMBER_CHARS = 30  # a float has 17 significant digits; 400 digits overflow it
MAX_DEPTH = 100  # nodes on one path from the root: transposes, signs, brackets, calls
MAX_NESTING = 10  # functions and norms inside one another (exp(exp(...)), ||...||x||^2||^2)
MAX_OCCURRENCES = 64  # of the variable: the product rule makes one term per occurrence
MAX_FACTORS = 1_000  # names and numbers: one index per factor of a product
MAX_OUTPUT = 2_000  # occurrences x factors: the product rule's terms (~100 characters each)
MAX_SECOND_OUTPUT = 5_000  # occurrences^2 x factors: a Hessian applies the product rule twice

_NUMBER = re.compile(r"\d[\d.]*")


@dataclass(frozen=True)
class Size:
    """What the derivation will have to handle, for one subtree."""

    factors: int
    occurrences: int
    depth: int
    nesting: int


def check_text(text: str) -> None:
    """Before parsing: number literals short enough to be read as floats."""
    for match in _NUMBER.finditer(text):
        if len(match.group()) > MAX_NUMBER_CHARS:
            raise LimitError(f"a number of {len(match.group()):,} characters; numbers are "
                             f"limited to {MAX_NUMBER_CHARS} characters", match.start() + 1)


def check_tree(expr: ast.Expr, wrt: str) -> Size:
    """After parsing, before inference and derivation: raises LimitError naming the limit."""
    sizes = measure(expr, wrt)
    whole = sizes[id(expr)]
    checks: list[tuple[Callable[[Size], int], int, str]] = [
        (lambda s: s.depth, MAX_DEPTH,
         "the expression is nested {n:,} levels deep; the limit is {limit}"),
        (lambda s: s.nesting, MAX_NESTING,
         "functions and norms are nested {n} deep; the limit is {limit}"),
        (lambda s: s.factors, MAX_FACTORS,
         "the expression has {n:,} factors once powers are expanded; the limit is {limit:,}"),
        (lambda s: s.occurrences, MAX_OCCURRENCES,
         f"{wrt} occurs {{n:,}} times once powers and norms are expanded; a derivation by the "
         "product rule is limited to {limit} occurrences"),
    ]
    for measure_of, limit, message in checks:
        n = measure_of(whole)
        if n > limit:
            culprit = _culprit(expr, sizes, lambda s: measure_of(s) > limit)
            raise LimitError(message.format(n=n, limit=limit), culprit.col or 1)
    output = whole.occurrences * whole.factors
    if output > MAX_OUTPUT:
        raise LimitError(f"the derivation would have about {output:,} factors ({wrt} occurs "
                         f"{whole.occurrences} times in {whole.factors} factors); the limit is "
                         f"{MAX_OUTPUT:,}", expr.col or 1)
    return whole


def check_second_order(expr: ast.Expr, wrt: str) -> None:
    """For --order 2: the product rule applied twice makes about occurrences^2 terms."""
    whole = measure(expr, wrt)[id(expr)]
    output = whole.occurrences ** 2 * whole.factors
    if output > MAX_SECOND_OUTPUT:
        raise LimitError(f"the Hessian would have about {output:,} factors ({wrt} occurs "
                         f"{whole.occurrences} times in {whole.factors} factors, and the second "
                         f"derivative applies the product rule to each term again); the limit "
                         f"is {MAX_SECOND_OUTPUT:,}", expr.col or 1)


def measure(expr: ast.Expr, wrt: str) -> dict[int, Size]:
    """The Size of every distinct node, by id, without recursion (3,000 transposes nest
    3,000 deep) and without expanding shared subtrees."""
    sizes: dict[int, Size] = {}
    stack: list[tuple[ast.Expr, bool]] = [(expr, False)]
    while stack:
        node, ready = stack.pop()
        if id(node) in sizes:
            continue
        kids = children(node)
        if not ready:
            stack.append((node, True))
            stack.extend((kid, False) for kid in kids if id(kid) not in sizes)
            continue
        sizes[id(node)] = _combine(node, [sizes[id(kid)] for kid in kids], wrt)
    return sizes


def _combine(node: ast.Expr, parts: list[Size], wrt: str) -> Size:
    if not parts:
        is_wrt = isinstance(node, ast.Name) and node.name == wrt
        return Size(1, int(is_wrt), 1, 0)
    copies = 2 if isinstance(node, ast.Norm2) else 1
    nests = isinstance(node, ast.Call | ast.Norm2)
    return Size(
        factors=copies * sum(p.factors for p in parts),
        occurrences=copies * sum(p.occurrences for p in parts),
        depth=1 + max(p.depth for p in parts),
        nesting=int(nests) + max(p.nesting for p in parts),
    )


def _culprit(expr: ast.Expr, sizes: dict[int, Size], too_big: Callable[[Size], bool]
             ) -> ast.Expr:
    """The innermost node still over the limit: the power, norm or call to point at."""
    node = expr
    while True:
        inner = next((kid for kid in children(node) if too_big(sizes[id(kid)])), None)
        if inner is None:
            return node
        node = inner
