"""Matrix-expression algebra for results: transposes pushed down, like terms combined,
common factors pulled out, so reassembled results read as a lecturer writes them."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

from ..model.shapes import SCALAR, Shapes
from ..syntax import ast
from ..syntax.ast import children, is_number, walk
from .polynomial import Poly, add_into, scalar_from_poly, scalar_poly
from .scalars import cancel_reciprocals, scalar_rank, side_by_side

Term = tuple[Fraction, ast.Expr]
ONE, ZERO = Fraction(1), Fraction(0)  # built once: every product and sum starts from one


def user_sums(expr: ast.Expr) -> frozenset[ast.Add]:
    return frozenset(n for n in walk(expr) if isinstance(n, ast.Add))


def count_transposes(expr: ast.Expr) -> int:
    return sum(isinstance(n, ast.Transpose) for n in walk(expr))


def visible_transposes(expr: ast.Expr, shapes: Shapes) -> int:
    """Transposes outside scalar factors: those a reader weighs when choosing a form."""
    if isinstance(expr, ast.Transpose):
        return 1 + visible_transposes(expr.operand, shapes)
    if shapes(expr) == SCALAR and not isinstance(expr, ast.Add | ast.Neg):
        return 0
    return sum(visible_transposes(c, shapes) for c in children(expr))


class Algebra:
    """`keep`: sums the user wrote, such as (A x - b), stay whole when transposed."""

    def __init__(self, shapes: Shapes, keep: frozenset[ast.Expr] = frozenset()) -> None:
        self.shapes = shapes
        self.keep = keep

    def is_scalar(self, expr: ast.Expr) -> bool:
        return self.shapes(expr) == SCALAR

    # -- transposition --------------------------------------------------
    def transpose(self, expr: ast.Expr) -> ast.Expr:
        if isinstance(expr, ast.Number | ast.Identity | ast.Norm2) or self.is_scalar(expr):
            return expr
        if isinstance(expr, ast.Transpose):
            return expr.operand
        if isinstance(expr, ast.Name) and self.shapes.symbols[expr.name].symmetric:
            return expr  # declared symmetric: S^T = S
        if isinstance(expr, ast.Zero):
            return ast.Zero(expr.cols, expr.rows)
        if isinstance(expr, ast.Neg):
            inner = self.transpose(expr.operand)
            return inner if is_zero(inner) else ast.Neg(inner)  # never -0
        if isinstance(expr, ast.MatMul):
            scalars = [f for f in expr.factors if self.is_scalar(f)]
            chain = [self.transpose_factor(f) for f in reversed(expr.factors)
                     if not self.is_scalar(f)]
            return self.product([*scalars, *chain])
        if isinstance(expr, ast.Add):
            if self.symmetric(expr):
                return expr  # (A + A^T)^T is A + A^T, (M + M^T)^T is M + M^T
            if any(is_number(t) for t in expr.terms):
                return ast.Transpose(expr)  # (1 - s)^T: a bare 1 is a column of ones
            pushed = self.sum([(Fraction(1), self.transpose(t)) for t in expr.terms])
            if expr not in self.keep or \
                    visible_transposes(pushed, self.shapes) < visible_transposes(expr, self.shapes):
                return pushed
            return ast.Transpose(expr)
        if isinstance(expr, ast.Call) and expr.func == "diag":
            return expr
        if isinstance(expr, ast.Call) and expr.func == "inv" and self.is_symmetric(expr.args[0]):
            return expr  # the inverse of a symmetric matrix is symmetric
        return ast.Transpose(expr)

    def is_symmetric(self, expr: ast.Expr) -> bool:
        """Its own transpose, products compared flat: X^T X, (X^T X)^2, S^{-1} (S symmetric)."""
        transposed = self.transpose(expr)
        return transposed == expr or self.product([transposed]) == self.product([expr])

    def symmetric(self, expr: ast.Add) -> bool:
        """A sum that is its own transpose, its kept sums' transposes read term by term,
        with no terms that cancel: alpha A + B + (alpha A + B)^T is, so the layouts show
        it alike; A - A^T + (A - A^T)^T is 0, not symmetric."""
        terms: list[ast.Expr] = []
        for t in expr.terms:
            if isinstance(t, ast.Transpose) and isinstance(t.operand, ast.Add):
                terms += [self.transpose(u) for u in t.operand.terms]
            else:
                terms.append(t)
        distinct = len(combine(split_signs([(Fraction(1), t) for t in terms]))) == len(terms)
        return distinct and Counter(terms) == Counter(self.transpose(t) for t in terms)

    def transpose_factor(self, f: ast.Expr) -> ast.Expr:
        """A sum of columns inside a product keeps its bracket: (sigma(X w) - y)^T X."""
        if isinstance(f, ast.Add) and self.shapes(f)[1] == 1:
            pushed = self.transpose(f)
            if visible_transposes(pushed, self.shapes) >= len(f.terms):
                return ast.Transpose(f)
            return pushed
        return self.transpose(f)

    # -- products -------------------------------------------------------
    def product(self, factors: list[ast.Expr]) -> ast.Expr:
        """Flattened product: numbers merged in front, then scalars, identities dropped."""
        coeff = ONE
        scalars: list[ast.Expr] = []
        chain: list[ast.Expr] = []
        pending = self.flat(factors)
        while pending:
            f = pending.pop(0)
            if isinstance(f, ast.Number):
                coeff *= f.value
            elif is_one(f):
                continue
            elif isinstance(f, ast.Neg):
                coeff = -coeff
                pending[:0] = self.flat([f.operand])
            elif self.is_scalar(f):
                scalars.append(f)
            elif isinstance(f, ast.Call) and f.func == "diag" and isinstance(f.args[0], ast.Ones):
                chain.append(ast.Identity(f.args[0].dim))  # diag(1) is I
            else:
                chain.append(f)
        scalars = cancel_reciprocals([self.canonical_scalar(s) for s in scalars])
        scalars = side_by_side(sorted(scalars, key=scalar_rank))  # -2 lambda exp(...) x^T
        if coeff == 0 or any(is_zero(f) for f in scalars + chain):
            return self.zero(chain)
        if len(chain) > 1:
            chain = [f for f in chain if not isinstance(f, ast.Identity)] or chain[:1]
            chain = self.ones_through_diag(chain)
        out: list[ast.Expr] = scalars + chain
        magnitude = abs(coeff)
        if magnitude != 1 or not out:
            out.insert(0, ast.Number(magnitude))
        expr = out[0] if len(out) == 1 else ast.MatMul(tuple(out))
        return ast.Neg(expr) if coeff < 0 else expr

    def ones_through_diag(self, chain: list[ast.Expr]) -> list[ast.Expr]:
        """1^T diag(v) = v^T and diag(v) 1 = v: the ones vector sums a diagonal out."""
        out: list[ast.Expr] = []
        for f in chain:
            previous = out[-1] if out else None
            if isinstance(f, ast.Call) and f.func == "diag" and \
                    isinstance(previous, ast.Transpose) and isinstance(previous.operand, ast.Ones):
                out[-1] = self.transpose(f.args[0])
            elif isinstance(f, ast.Ones) and isinstance(previous, ast.Call) and \
                    previous.func == "diag":
                out[-1] = previous.args[0]
            else:
                out.append(f)
        return out

    def canonical_scalar(self, s: ast.Expr) -> ast.Expr:
        """u^T v and v^T u are one number: keep the spelling with fewer transposes."""
        if not isinstance(s, ast.MatMul) or any(self.is_scalar(f) for f in s.factors):
            return s
        flipped = ast.MatMul(tuple(self.transpose(f) for f in reversed(s.factors)))
        return min(s, flipped, key=lambda e: (count_transposes(e), repr(e)))

    def flat(self, factors: list[ast.Expr]) -> list[ast.Expr]:
        """Nested products spread out, except a scalar product of matrices (y^T A x)."""
        out: list[ast.Expr] = []
        for factor in factors:
            if isinstance(factor, ast.MatMul) and (
                    not self.is_scalar(factor) or all(self.is_scalar(f) for f in factor.factors)):
                out.extend(self.flat(list(factor.factors)))
            else:
                out.append(factor)
        return out

    def zero(self, chain: list[ast.Expr]) -> ast.Expr:
        """The zero a product with a zero factor is, in the product's shape: (P^T - P.T)
        in x^T (P^T - P.T) A is 0, not a scalar that leaves x^T A to multiply."""
        shape = (self.shapes(chain[0])[0], self.shapes(chain[-1])[1]) if chain else SCALAR
        return ast.Number(Fraction(0)) if shape == SCALAR else ast.Zero(*shape)

    # -- sums -----------------------------------------------------------
    def sum(self, terms: list[Term]) -> ast.Expr:
        terms = self.open_if_cancelling(split_signs(terms))
        combined = [t for t in combine(terms) if not isinstance(t[1], ast.Zero)]
        if not combined:
            return self.zero([terms[0][1]] if terms else [])
        combined = self.factor_common(self.like_chains(combined))
        combined.sort(key=lambda t: t[0] < 0)  # as typed, negative terms last
        combined = self.share_scalars(self.with_transposes(combined))
        out: list[ast.Expr] = []
        for coeff, body in combined:
            magnitude = self.product([ast.Number(abs(coeff)), body])
            out.append(ast.Neg(magnitude) if coeff < 0 else magnitude)
        if len(out) == 1:
            return out[0]
        rows, cols = self.shapes(ast.Add(tuple(out)))
        if rows == 1 and cols != 1 and any(is_number(t) for t in out):
            # a row with a number in it is the transpose of a column: (1 - 2 x)^T, for a
            # bare 1 is the ones column (1 - 2 x^T would subtract a row from it)
            return ast.Transpose(self.sum([(c, self.transpose(b)) for c, b in combined]))
        return ast.Add(tuple(out))

    def like_chains(self, terms: list[Term]) -> list[Term]:
        """a M + b M = (a + b) M, the scalars added as polynomials and their shared
        factors kept in front: f (1 - f)^2 x x^T - f^2 (1 - f) x x^T is
        f (1 - f) (1 - 2 f) x x^T. Only where that adds no terms to the sum."""
        groups: dict[tuple[ast.Expr, ...], list[int]] = {}
        split = [self.chain_of(body) for _, body in terms]
        for n, (_, chain) in enumerate(split):
            if chain:
                groups.setdefault(tuple(chain), []).append(n)
        merged: dict[int, Term] = {}
        for members in groups.values():
            if len(members) < 2:
                continue
            shared = shared_scalars([split[n][0] for n in members])
            total: Poly = {}
            for n in members:
                add_into(total, scalar_poly(self.product(
                    [ast.Number(terms[n][0]), *without(split[n][0], shared)]), self.shapes))
            if not total or len(total) > len(members):
                continue
            content, summed = scalar_from_poly(total)
            merged[members[0]] = (content, self.product([*shared, summed, *split[members[0]][1]]))
            merged.update((n, (ZERO, summed)) for n in members[1:])
        if not merged:
            return terms
        return [merged.get(n, term) for n, term in enumerate(terms) if merged.get(n, term)[0]]

    def open_if_cancelling(self, terms: list[Term]) -> list[Term]:
        """A kept sum's transpose read term by term when that lets terms cancel or
        combine: A + B - B^T + (A + B - B^T)^T is A + A^T, and A - A^T + (A - A^T)^T is 0."""
        if not any(isinstance(b, ast.Transpose) and isinstance(b.operand, ast.Add)
                   for _, b in terms):
            return terms
        opened: list[Term] = []
        for coeff, body in terms:
            if isinstance(body, ast.Transpose) and isinstance(body.operand, ast.Add):
                opened += split_signs([(coeff, self.transpose(u)) for u in body.operand.terms])
            else:
                opened.append((coeff, body))
        return opened if len(combine(opened)) < len(opened) else terms

    def with_transposes(self, terms: list[Term]) -> list[Term]:
        """A term's transpose right after it, the one with fewer transposes first:
        A + A^T + 2 alpha I, not A + 2 alpha I + A^T or A^T + A."""
        out: list[Term] = []
        rest = list(terms)
        while rest:
            coeff, body = rest.pop(0)
            partner = (coeff, self.transpose(body))
            if partner[1] != body and partner in rest:
                rest.remove(partner)
                out += sorted([(coeff, body), partner], key=lambda t: count_transposes(t[1]))
            else:
                out.append((coeff, body))
        return out

    def share_scalars(self, terms: list[Term]) -> list[Term]:
        """Matrices that the same scalar multiplies share one bracket, where the first of
        them stands: alpha A + B + alpha A^T + B^T is alpha (A + A^T) + B + B^T."""
        keys: list[tuple[Fraction, tuple[ast.Expr, ...]] | None] = []
        for coeff, body in terms:
            scalars, chain = self.chain_of(body)
            keys.append((coeff, tuple(scalars)) if scalars and len(chain) == 1 else None)
        out: list[Term] = []
        done: set[tuple[Fraction, tuple[ast.Expr, ...]]] = set()
        for term, key in zip(terms, keys, strict=True):
            members = [t for t, k in zip(terms, keys, strict=True) if key and k == key]
            if key is None or len(members) < 2:
                out.append(term)
            elif key not in done:
                done.add(key)
                inner = self.sum([(Fraction(1), self.chain_of(body)[1][0])
                                  for _, body in members])
                out.append((key[0], self.product([*key[1], inner])))
        return out

    def chain_of(self, expr: ast.Expr) -> tuple[list[ast.Expr], list[ast.Expr]]:
        factors = list(expr.factors) if isinstance(expr, ast.MatMul) else [expr]
        scalars = [f for f in factors if self.is_scalar(f)]
        return scalars, [f for f in factors if not self.is_scalar(f)]

    def factor_common(self, terms: list[Term]) -> list[Term]:
        """a L M1 + b L M2 -> L (a M1 + b M2), and likewise on the right; when not every
        term shares the factor, the terms that do are grouped (x^T (A + A^T)/2 - b^T)."""
        if len(terms) < 2:
            return terms
        whole = self.factor_all(terms)
        if whole is not None:
            return whole
        groups: dict[tuple[ast.Expr, Fraction], list[Term]] = {}
        for term in terms:
            chain = self.chain_of(term[1])[1]
            key = (chain[0] if chain else term[1], abs(term[0]))
            groups.setdefault(key, []).append(term)
        if all(len(g) == 1 for g in groups.values()):
            return terms
        out: list[Term] = []
        for group in groups.values():
            out += self.factor_all(group) or group if len(group) > 1 else group
        return out

    def factor_all(self, terms: list[Term]) -> list[Term] | None:
        split = [self.chain_of(body) for _, body in terms]
        chains = [c for _, c in split]
        shortest = min(len(c) for c in chains)
        left = 0
        while left < shortest - 1 and all(c[left] == chains[0][left] for c in chains):
            left += 1
        right = 0
        while (right < shortest - 1 - left
               and all(c[-1 - right] == chains[0][-1 - right] for c in chains)):
            right += 1
        if not left and not right:
            return None
        common = common_coefficient([coeff for coeff, _ in terms])
        shared = shared_scalars([scalars for scalars, _ in split])
        inner = self.sum([
            (coeff / common, self.product([*without(scalars, shared),
                                           *chain[left:len(chain) - right]]))
            for (coeff, _), (scalars, chain) in zip(terms, split, strict=True)
        ])
        prefix, suffix = chains[0][:left], chains[0][len(chains[0]) - right:]
        return [(common, self.product([*shared, *prefix, inner, *suffix]))]


def shared_scalars(groups: list[list[ast.Expr]]) -> list[ast.Expr]:
    """The scalar factors every term has, pulled out with the common chain:
    s x^T A + s x^T A^T = s x^T (A + A^T)."""
    shared = list(groups[0])
    for scalars in groups[1:]:
        rest, kept = list(scalars), []
        for s in shared:
            if s in rest:
                rest.remove(s)
                kept.append(s)
        shared = kept
    return shared


def without(scalars: list[ast.Expr], shared: list[ast.Expr]) -> list[ast.Expr]:
    rest = list(scalars)
    for s in shared:
        rest.remove(s)
    return rest


def common_coefficient(coeffs: list[Fraction]) -> Fraction:
    """The number a lecturer pulls out of a sum: 3 A + 3 A^T = 3 (A + A^T),
    -S - S^T = -(S + S^T), A/2 + A^T/2 = (A + A^T)/2."""
    if len({abs(c) for c in coeffs}) != 1:
        return Fraction(1)
    common = abs(coeffs[0])
    return -common if all(c < 0 for c in coeffs) else common


def is_zero(expr: ast.Expr) -> bool:
    """0, a zero matrix, or a product with one of them as a factor."""
    if isinstance(expr, ast.Neg):
        return is_zero(expr.operand)
    if isinstance(expr, ast.MatMul):
        return any(is_zero(f) for f in expr.factors)
    return isinstance(expr, ast.Zero) or isinstance(expr, ast.Number) and expr.value == 0


def is_one(expr: ast.Expr) -> bool:
    """A 1x1 ones vector or identity (or its transpose) is the number 1."""
    if isinstance(expr, ast.Transpose):
        expr = expr.operand
    return isinstance(expr, ast.Ones | ast.Identity) and expr.dim == 1


def split_signs(terms: list[Term]) -> list[Term]:
    """Move negations and numeric factors of each body into its coefficient."""
    out: list[Term] = []
    for coeff, body in terms:
        while True:
            if isinstance(body, ast.Neg):
                coeff, body = -coeff, body.operand
            elif isinstance(body, ast.MatMul) and isinstance(body.factors[0], ast.Number):
                coeff *= body.factors[0].value
                rest = body.factors[1:]
                body = rest[0] if len(rest) == 1 else ast.MatMul(rest)
            elif isinstance(body, ast.Add):
                out.extend(split_signs([(coeff, t) for t in body.terms]))
                break
            else:
                out.append((coeff, body))
                break
    return out


def combine(terms: list[Term]) -> list[Term]:
    totals: dict[ast.Expr, Fraction] = {}
    for coeff, body in terms:
        totals[body] = totals.get(body, ZERO) + coeff
    return [(c, b) for b, c in totals.items() if c != 0]
