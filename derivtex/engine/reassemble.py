"""Reassembly: recognise the contracted entries as a matrix expression.

Each term is a product of entries linked by summed indices; since every factor has at
most two indices, the links form chains (matrix products), closed chains (traces) and
scalars. Walking the chain from the row index to the column index reads the matrix
product off, transposing each factor that is entered by its column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from ..errors import UnsupportedError
from ..syntax import ast
from . import index as ix
from .algebra import Algebra, Term

MAX_TERMS = 5_000


def collapse(node: ix.Node) -> ix.Node:
    """Whole entries of compound factors that were not differentiated become atoms again."""
    origin = getattr(node, "origin", None)
    if origin is not None and not ix.has_delta(node):
        return origin
    if isinstance(node, ix.Sum):
        return ix.Sum(node.indices, collapse(node.body))
    if isinstance(node, ix.Add):
        return ix.Add(tuple(collapse(t) for t in node.terms))
    if isinstance(node, ix.Prod):
        return ix.Prod(tuple(collapse(f) for f in node.factors))
    return node


@dataclass
class Monomial:
    coeff: Fraction = Fraction(1)
    indices: tuple[ix.Idx, ...] = ()
    atoms: list[ix.Node] = field(default_factory=list)


def monomials(node: ix.Node) -> list[Monomial]:
    if isinstance(node, ix.Const):
        return [Monomial(node.value)] if node.value else []
    if isinstance(node, ix.Entry | ix.Delta):
        return [Monomial(atoms=[node])]
    if isinstance(node, ix.Add):
        return [m for t in node.terms for m in monomials(t)]
    if isinstance(node, ix.Sum):
        return [Monomial(m.coeff, node.indices + m.indices, m.atoms) for m in monomials(node.body)]
    if isinstance(node, ix.Prod):
        out = [Monomial()]
        for factor in node.factors:
            parts = monomials(factor)
            out = [Monomial(a.coeff * b.coeff, a.indices + b.indices, a.atoms + b.atoms)
                   for a in out for b in parts]
            if len(out) > MAX_TERMS:
                raise UnsupportedError(f"the derivative has more than {MAX_TERMS} terms")
        return out
    raise UnsupportedError(f"cannot reassemble a {type(node).__name__} node")


class _Atom:
    """A factor with its two index slots; None marks a slot of size one."""

    __slots__ = ("expr", "slots")

    def __init__(self, expr: ast.Expr, row: ix.Idx | None, col: ix.Idx | None) -> None:
        self.expr = expr
        self.slots = [row, col]


class Assembler:
    def __init__(self, algebra: Algebra, names: ix.IndexNames) -> None:
        self.algebra = algebra
        self.names = names

    def assemble(self, tree: ix.Node, row: ix.Idx | None, col: ix.Idx | None) -> ast.Expr:
        terms: list[Term] = []
        for mono in monomials(collapse(tree)):
            terms.append((mono.coeff, self.term(mono, row, col)))
        return self.algebra.sum(terms)

    def term(self, mono: Monomial, row: ix.Idx | None, col: ix.Idx | None) -> ast.Expr:
        atoms = [to_atom(a) for a in mono.atoms]
        self.split_repeated(atoms, {i for i in (row, col) if i is not None})
        walker = _ChainWalker(atoms, {row, col} - {None}, self.algebra)
        factors: list[ast.Expr] = []
        row_chain = walker.walk_free(row) if row is not None else []
        col_chain = walker.walk_free(col, backwards=True) if col is not None and \
            not walker.reached(col) else []
        factors += walker.scalars()
        return self.algebra.product([*factors, *row_chain, *col_chain])

    def split_repeated(self, atoms: list[_Atom], free: set[ix.Idx]) -> None:
        """An index used by more factors than a matrix product allows: one vector v_k
        becomes diag(v)_kk', and a neighbour (a matrix if there is one) takes k'."""
        known: dict[int, tuple[ast.Expr, tuple[int, str]]] = {}

        def preference(expr: ast.Expr) -> tuple[int, str]:
            """diag_preference, once per vector: a product of 1,000 vectors asks 1,000 times."""
            hit = known.get(id(expr))
            if hit is None or hit[0] is not expr:
                hit = known[id(expr)] = (expr, diag_preference(expr))
            return hit[1]

        while True:
            counts: dict[ix.Idx, list[tuple[int, int]]] = {}
            for n, atom in enumerate(atoms):
                for s, idx in enumerate(atom.slots):
                    if idx is not None:
                        counts.setdefault(idx, []).append((n, s))
            over = next((i for i, occ in counts.items()
                         if len(occ) > (1 if i in free else 2)), None)
            if over is None:
                return
            occ = counts[over]
            vector = min((n for n, s in occ if atoms[n].slots[1 - s] is None
                          and atoms[n].expr is not None),
                         key=lambda n: preference(atoms[n].expr), default=None)
            if vector is None:
                if self.absorb_chain(atoms, occ, counts, free):
                    continue
                raise UnsupportedError(
                    f"the entries share index {over.name} in a pattern with no matrix form")
            fresh = self.names.fresh(over.dim)
            atoms[vector] = _Atom(ast.Call("diag", (self.column(atoms[vector]),)), over, fresh)
            others = [(n, s) for n, s in occ if n != vector]
            other_n, other_s = next(((n, s) for n, s in others if None not in atoms[n].slots),
                                    others[0])
            atoms[other_n].slots[other_s] = fresh

    def absorb_chain(self, atoms: list[_Atom], occ: list[tuple[int, int]],
                     counts: dict[ix.Idx, list[tuple[int, int]]], free: set[ix.Idx]) -> bool:
        """B_kl v_l, summed over l and nothing else on l, is the vector (B v)_k: read so,
        the repeated k can go into a diag (Hessians: diag(u ⊙ (B v))). Chains ending at the
        repeated index first, then any other (A_ik B_kl v_l is (A B v)_i in two steps)."""
        anywhere = [(n, s) for n, atom in enumerate(atoms) for s in (0, 1)
                    if None not in atom.slots]
        for n, s in [*occ, *anywhere]:
            link = atoms[n].slots[1 - s]
            if atoms[n].expr is None or link is None or link in free or len(counts[link]) != 2:
                continue
            m, t = next((m, t) for m, t in counts[link] if m != n)
            if atoms[m].expr is None or atoms[m].slots[1 - t] is not None:
                continue
            matrix = atoms[n].expr if s == 0 else self.algebra.transpose(atoms[n].expr)
            vector = atoms[m].expr if t == 0 else self.algebra.transpose(atoms[m].expr)
            atoms[n] = _Atom(self.algebra.product([matrix, vector]), atoms[n].slots[s], None)
            del atoms[m]
            return True
        return False

    def column(self, atom: _Atom) -> ast.Expr:
        """A vector atom's expression as a column."""
        return atom.expr if atom.slots[1] is None else self.algebra.transpose(atom.expr)


def diag_preference(expr: ast.Expr) -> tuple[int, str]:
    """Which vector of a repeated index goes into diag(.): elementwise derivatives first
    (diag(sigma'(z)) W, as lecturers write), then a fixed order so equal terms agree."""
    elementwise = isinstance(expr, ast.Hadamard | ast.Call) or (
        isinstance(expr, ast.Add) and any(isinstance(t, ast.Number) for t in expr.terms))
    return (0 if elementwise else 1, repr(expr))


def to_atom(node: ix.Node) -> _Atom:
    if isinstance(node, ix.Delta):
        atom = _Atom(None, node.first, node.second)  # type: ignore[arg-type]
        return atom
    assert isinstance(node, ix.Entry)
    return _Atom(node.expr, node.row, node.col)


class _ChainWalker:
    def __init__(self, atoms: list[_Atom], free: set, algebra: Algebra) -> None:
        self.atoms = atoms
        self.free = free
        self.algebra = algebra
        self.visited: set[int] = set()
        self.ends: set[ix.Idx] = set()
        self.where: dict[ix.Idx, list[tuple[int, int]]] = {}
        for n, atom in enumerate(atoms):
            for s, idx in enumerate(atom.slots):
                if idx is not None:
                    self.where.setdefault(idx, []).append((n, s))

    def reached(self, idx: ix.Idx) -> bool:
        return idx in self.ends

    def oriented(self, n: int, enter: int) -> ast.Expr:
        atom = self.atoms[n]
        if atom.expr is None:
            idx = atom.slots[0]
            assert idx is not None
            return ast.Identity(idx.dim)
        return atom.expr if enter == 0 else self.algebra.transpose(atom.expr)

    def walk(self, n: int, enter: int) -> list[ast.Expr]:
        """Factors from atom n (entered by slot `enter`) to the chain's other end."""
        factors = []
        while True:
            self.visited.add(n)
            factors.append(self.oriented(n, enter))
            leave = 1 - enter
            idx = self.atoms[n].slots[leave]
            if idx is None:
                return factors
            if idx in self.free:
                self.ends.add(idx)
                return factors
            nxt = next(((m, s) for m, s in self.where[idx] if (m, s) != (n, leave)), None)
            if nxt is None:  # a sum of single entries: sum_k u_k = 1^T u
                factors.append(ast.Ones(idx.dim))
                return factors
            if nxt[0] in self.visited:
                return factors
            n, enter = nxt

    def walk_free(self, idx: ix.Idx, backwards: bool = False) -> list[ast.Expr]:
        self.ends.add(idx)
        if idx in self.where:
            (n, slot), = self.where[idx]
            factors = self.walk(n, slot)
        else:  # the entries do not depend on idx: the same in every row (or column)
            factors = [ast.Ones(idx.dim)]
        if backwards:
            factors = [self.algebra.transpose(f) for f in reversed(factors)]
        return factors

    def scalars(self) -> list[ast.Expr]:
        out: list[ast.Expr] = []
        for n, atom in enumerate(self.atoms):
            if n in self.visited:
                continue
            if atom.slots == [None, None]:
                self.visited.add(n)
                out.append(atom.expr)
            elif None in atom.slots:
                chain = self.walk(n, atom.slots.index(None))
                out.append(self.algebra.product(chain))
        for n in range(len(self.atoms)):
            if n not in self.visited:
                out.append(ast.Call("tr", (self.algebra.product(self.walk(n, 0)),)))
        return out
