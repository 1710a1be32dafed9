"""Cancel and collect entry by entry, before reassembly, as a lecturer does on paper.

After the contraction each term is a product of entries. The entries of vectors that
share one index (y_k, 1/sigma(z_k), sigma'(z_k) = sigma_k (1 - sigma_k), ...) are plain
numbers: their product is factored, a factor and its reciprocal cancel, and terms that
differ only in those numbers are added up. Logistic regression's
-y_k (1/s_k) s_k (1 - s_k) X_kj + (1 - y_k) (1/(1 - s_k)) s_k (1 - s_k) X_kj
becomes (s_k - y_k) X_kj, which reassembles to (sigma(X w) - y)^T X.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

from ..model.shapes import Shapes
from ..syntax import ast
from . import index as ix
from .reassemble import Monomial, collapse, monomials

Poly = dict[frozenset, Fraction]  # monomial (frozenset of (atom, power)) -> coefficient
ONE: frozenset = frozenset()
MAX_FACTORS = 12


class GiveUp(Exception):
    """This product is not a polynomial in its entries; leave the term as it is."""


def poly_atom(expr: ast.Expr) -> Poly:
    return {frozenset({(expr, 1)}): Fraction(1)}


def poly_add(a: Poly, b: Poly, sign: int = 1) -> Poly:
    out = dict(a)
    for mono, c in b.items():
        out[mono] = out.get(mono, Fraction(0)) + sign * c
    return {m: c for m, c in out.items() if c}


def poly_mul(a: Poly, b: Poly) -> Poly:
    out: Poly = {}
    for ma, ca in a.items():
        for mb, cb in b.items():
            powers = Counter(dict(ma))
            powers.update(dict(mb))
            mono = frozenset((k, v) for k, v in powers.items() if v)
            out[mono] = out.get(mono, Fraction(0)) + ca * cb
    return {m: c for m, c in out.items() if c}


def freeze(p: Poly) -> frozenset:
    return frozenset(p.items())


class Factored:
    """A product of factors (each a polynomial of entries) with integer powers."""

    def __init__(self) -> None:
        self.coeff = Fraction(1)
        self.powers: Counter = Counter()
        self.signs: dict[frozenset, set[int]] = {}

    @property
    def cancelled(self) -> bool:
        """Did a factor meet its reciprocal?"""
        return any(len(s) > 1 for s in self.signs.values())

    def factored(self) -> ast.Expr:
        """The product left after cancelling, with its factors kept whole."""
        factors = [from_poly(dict(f)) for f, n in self.powers.items() for _ in range(n)]
        coeff = self.coeff
        for f in [f for f in factors if isinstance(f, ast.Number)]:  # 1_k s_k is s_k
            coeff *= f.value
            factors.remove(f)
        body: ast.Expr = factors[0] if len(factors) == 1 else ast.Hadamard(tuple(factors)) \
            if factors else ast.Number(Fraction(1))
        if coeff == 1:
            return body
        scaled = ast.MatMul((ast.Number(abs(coeff)), body))
        return ast.Neg(scaled) if coeff < 0 else scaled

    def times(self, expr: ast.Expr, power: int = 1) -> None:
        if isinstance(expr, ast.Hadamard):
            for f in expr.factors:
                self.times(f, power)
        elif isinstance(expr, ast.Call) and expr.func == "recip":
            self.times(expr.args[0], -power)
        elif isinstance(expr, ast.Neg):
            self.coeff *= (-1) ** abs(power)
            self.times(expr.operand, power)
        elif isinstance(expr, ast.MatMul) and isinstance(expr.factors[0], ast.Number) \
                and len(expr.factors) == 2:
            self.coeff *= expr.factors[0].value ** power
            self.times(expr.factors[1], power)
        else:
            key = freeze(to_poly(expr))
            self.powers[key] += power
            self.signs.setdefault(key, set()).add(1 if power > 0 else -1)
        if len(self.powers) > MAX_FACTORS:
            raise GiveUp

    def expand(self) -> Poly:
        out: Poly = {ONE: self.coeff}
        for factor, power in self.powers.items():
            if power < 0:
                raise GiveUp
            for _ in range(power):
                out = poly_mul(out, dict(factor))
        return out


def to_poly(expr: ast.Expr) -> Poly:
    """An entry's expression as a polynomial in its atoms (sums and products expanded)."""
    if isinstance(expr, ast.Number):
        return {ONE: expr.value} if expr.value else {}
    if isinstance(expr, ast.Ones):
        return {ONE: Fraction(1)}
    if isinstance(expr, ast.Add):
        out: Poly = {}
        for t in expr.terms:
            out = poly_add(out, to_poly(t))
        return out
    if isinstance(expr, ast.Neg):
        return {m: -c for m, c in to_poly(expr.operand).items()}
    if isinstance(expr, ast.Hadamard):
        out = {ONE: Fraction(1)}
        for f in expr.factors:
            out = poly_mul(out, to_poly(f))
        return out
    if isinstance(expr, ast.Call) and expr.func == "recip":
        raise GiveUp
    return poly_atom(expr)


def from_poly(p: Poly) -> ast.Expr:
    """A polynomial of vector entries back as a vector expression (sigma(X w) - y)."""
    terms: list[tuple[Fraction, ast.Expr]] = []
    for mono, c in sorted(p.items(), key=lambda mc: (-len(mc[0]), repr(sorted(mc[0], key=repr)))):
        atoms = [a for a, n in sorted(mono, key=repr) for _ in range(n)]
        body: ast.Expr = ast.Number(Fraction(1)) if not atoms else (
            atoms[0] if len(atoms) == 1 else ast.Hadamard(tuple(atoms)))
        terms.append((c, body))
    terms.sort(key=lambda t: t[0] < 0)
    out: list[ast.Expr] = []
    for c, body in terms:
        magnitude = body if abs(c) == 1 else ast.MatMul((ast.Number(abs(c)), body))
        if isinstance(body, ast.Number):
            magnitude = ast.Number(abs(c))
        out.append(ast.Neg(magnitude) if c < 0 else magnitude)
    if not out:
        return ast.Number(Fraction(0))
    return out[0] if len(out) == 1 else ast.Add(tuple(out))


def is_vector_entry(node: ix.Node, shapes: Shapes) -> bool:
    if not isinstance(node, ix.Entry) or node.row is None or node.col is not None:
        return False
    shape = shapes(node.expr)
    return shape[1] == 1 and shape[0] != 1


def canonical(mono: Monomial, seen: dict[tuple, tuple[ix.Idx, ...]]) -> Monomial:
    """Dummy indices renamed alike across terms (sum_p X_pj ... is sum_k X_kj ...), so
    terms that differ only in their dummy's name are collected."""
    signature = tuple(i.dim for i in mono.indices)
    target = seen.setdefault(signature, mono.indices)
    if target == mono.indices:
        return mono
    mapping = dict(zip(mono.indices, target, strict=True))
    atoms: list[ix.Node] = []
    for atom in mono.atoms:
        if isinstance(atom, ix.Entry):
            atoms.append(ix.Entry(atom.expr, mapping.get(atom.row, atom.row),  # type: ignore[arg-type]
                                  mapping.get(atom.col, atom.col)))  # type: ignore[arg-type]
        elif isinstance(atom, ix.Delta):
            atoms.append(ix.Delta(mapping.get(atom.first, atom.first),
                                  mapping.get(atom.second, atom.second)))
        else:
            atoms.append(atom)
    return Monomial(mono.coeff, target, atoms)


def cancel(tree: ix.Node, shapes: Shapes) -> tuple[ix.Node, bool] | None:
    """The entries cancelled, and whether like terms were also collected (for the
    sentence); None when that changes nothing."""
    groups: dict[tuple, tuple[Monomial, list[ix.Node], Poly, ix.Idx | None]] = {}
    singles: dict[int, Factored] = {}
    merged: set[tuple] = set()
    owner: dict[tuple, int] = {}
    changed = fractions = False
    seen: dict[tuple, tuple[ix.Idx, ...]] = {}
    for number, raw in enumerate(monomials(collapse(tree))):
        mono = canonical(raw, seen)
        by_index: dict[ix.Idx, list[ast.Expr]] = {}
        rest: list[ix.Node] = []
        for atom in mono.atoms:
            if is_vector_entry(atom, shapes):
                assert isinstance(atom, ix.Entry) and atom.row is not None
                by_index.setdefault(atom.row, []).append(atom.expr)
            else:
                rest.append(atom)
        try:
            products = {}
            for idx, exprs in by_index.items():
                product = Factored()
                for e in exprs:
                    product.times(e)
                fractions = fractions or product.cancelled
                product.expand()
                products[idx] = product
        except GiveUp:
            groups[("whole", number)] = (mono, mono.atoms, {}, None)
            continue
        if len(products) != 1:
            if fractions:
                atoms = rest + [ix.Entry(p.factored(), idx, None)
                                for idx, p in products.items()]
            else:
                atoms = mono.atoms
            groups[("whole", number)] = (mono, atoms, {}, None)
            continue
        (idx, product), = products.items()
        poly = product.expand()
        singles[number] = product
        poly = {m: c * mono.coeff for m, c in poly.items()}
        key = (tuple(i.name for i in mono.indices), idx.name,
               tuple(sorted(repr(a) for a in rest)))
        if key in groups:
            changed = True
            merged.add(key)
            old = groups[key]
            groups[key] = (old[0], old[1], poly_add(old[2], poly), idx)
        else:
            groups[key] = (mono, rest, poly, idx)
            owner[key] = number
    if not fractions:  # collecting alone is the algebra's job, on whole matrices
        return None
    terms: list[ix.Node] = []
    for key, (mono, atoms, poly, vector_idx) in groups.items():  # noqa: B007
        if vector_idx is None:
            terms.append(ix.summation(mono.indices, ix.prod([ix.Const(mono.coeff), *atoms])))
        elif key not in merged:  # alone: its factors stay whole, s (1 - s)
            entry = ix.Entry(singles[owner[key]].factored(), vector_idx, None)
            terms.append(ix.summation(mono.indices, ix.prod([ix.Const(mono.coeff), *atoms,
                                                             entry])))
        elif poly:
            entry = ix.Entry(from_poly(poly), vector_idx, None)
            terms.append(ix.summation(mono.indices, ix.prod([*atoms, entry])))
    return ix.add(terms), changed


def collect(tree: ix.Node) -> tuple[ix.Node, int] | None:
    """Terms equal but for the names of their summation indices and the order of their
    factors, added up: the two product-rule terms of ||A x - b||^2 are one, twice. With
    the most terms merged into one; None when no two terms are alike."""
    seen: dict[tuple, tuple[ix.Idx, ...]] = {}
    groups: dict[tuple, tuple[Monomial, Fraction, int]] = {}
    for raw in monomials(collapse(tree)):
        mono = canonical(raw, seen)
        key = (tuple(i.name for i in mono.indices),
               tuple(sorted(atom_key(a) for a in mono.atoms)))
        if key in groups:
            first, total, count = groups[key]
            groups[key] = (first, total + mono.coeff, count + 1)
        else:
            groups[key] = (mono, mono.coeff, 1)
    merged = [count for _, _, count in groups.values() if count > 1]
    if not merged:
        return None
    terms = [ix.summation(m.indices, ix.prod([ix.Const(total), *m.atoms]))
             for m, total, _ in groups.values() if total]
    return ix.add(terms), max(merged)


def atom_key(atom: ix.Node) -> str:
    if isinstance(atom, ix.Entry):
        return repr((atom.expr, atom.row, atom.col))
    if isinstance(atom, ix.Delta):
        return repr(("delta", atom.first, atom.second))
    return repr(atom)
