"""The line before reassembly: what a lecturer recognises in the contracted entry before
reading it as one matrix expression. A sum of symbol entries chained by their summed
indices is the entry of a matrix product (sum_l A_jl x_l = [A x]_j), and f'(z_i), for an
f whose derivative is written through f itself, is the entry of f's values
(sigma'(sum_k W_ik x_k) = y_i (1 - y_i)). Without this line the reader jumps from
sigma'(...) W_ij to [diag(y .* (1 - y)) W]_ij in one go."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from fractions import Fraction

from ..functions import ELEMENTWISE, PRIME
from ..model.shapes import Shapes
from ..syntax import ast
from . import index as ix
from .algebra import Algebra, visible_transposes
from .reassemble import Assembler
from .steps import Recognition

Product = tuple[ix.Node, ix.Entry]
Derivative = tuple[str, ix.Node, ix.Entry, ix.Node]


class Recogniser:
    """Rewrites a contracted entry, recording each sum and each f'(...) it recognised."""

    def __init__(self, assembler: Assembler, algebra: Algebra,
                 prefer_row: bool) -> None:
        self.assembler = assembler
        self.algebra = algebra
        self.prefer_row = prefer_row
        self.products: list[Product] = []
        self.derivatives: list[Derivative] = []
        self.known: set[ast.Expr] = set()

    def learn(self, tree: ix.Node) -> None:
        """The function values whose derivatives the line writes through them."""
        self.known = {through[0] for n in ix.walk(tree) if isinstance(n, ix.Apply)
                      and (through := derivative_through_values(n)) is not None}

    def rewrite(self, node: ix.Node) -> ix.Node:
        if isinstance(node, ix.Apply):
            return self.apply_entry(node)
        if isinstance(node, ix.Sum):
            entry = self.product_entry(node)
            if entry is not None:
                self.products.append((node, entry))
                return entry
            return ix.Sum(node.indices, self.rewrite(node.body))
        if isinstance(node, ix.Add):
            return ix.add([self.rewrite(t) for t in node.terms])
        if isinstance(node, ix.Prod):
            return ix.prod([self.rewrite(f) for f in node.factors])
        return node

    def apply_entry(self, node: ix.Apply) -> ix.Node:
        """f'(z_i) through f's values, and f(z_i) itself as that value's entry when some
        f' on the line is so written (a Hessian holds both: y_k (1 - y_k) and y_k)."""
        through = derivative_through_values(node)
        if through is not None:
            call, values = through
            assert node.origin is not None
            self.derivatives.append((call.func, node.arg, ix.Entry(call, node.origin.row,
                                                                   node.origin.col), values))
            return values
        origin = node.origin
        if origin is not None and origin.expr in self.known and not ix.has_delta(node.arg):
            return origin
        return node

    def product_entry(self, node: ix.Sum) -> ix.Entry | None:
        """sum_l A_jl x_l as [A x]_j: a product of two or more symbol entries, each summed
        index in two of them and one or two other indices, each in one; the reading with
        fewer transposes, the layout's when they tie."""
        body = node.body
        if not isinstance(body, ix.Prod) or len(body.factors) < 2 or not all(
                isinstance(f, ix.Entry) and isinstance(f.expr, ast.Name) for f in body.factors):
            return None
        indices = [i for f in body.factors if isinstance(f, ix.Entry) for i in f.indices()]
        summed, counts = set(node.indices), Counter(indices)  # linear in a chain of 1,000
        uses = [i for i in indices if i not in summed]
        seen = list(dict.fromkeys(uses))
        if len(uses) != len(seen) or any(counts[i] != 2 for i in node.indices):
            return None  # sum_p A_lp B_pl with l summed outside, sum_k x_k x_k: no product
        if len(seen) == 1:
            readings = [(seen[0], None), (None, seen[0])]
        elif len(seen) == 2:
            readings = [(seen[0], seen[1]), (seen[1], seen[0])]
        else:
            return None
        if self.prefer_row:
            readings.reverse()
        best: tuple[tuple[int, int], ix.Entry] | None = None
        for row, col in readings:
            expr = self.assembler.assemble(node, row, col)
            cost = (visible_transposes(expr, self.algebra.shapes), len(list(ast.walk(expr))))
            if best is None or cost < best[0]:
                best = (cost, ix.Entry(expr, row, col))
        assert best is not None
        return best[1]


def derivative_through_values(node: ix.Apply) -> tuple[ast.Call, ix.Node] | None:
    """sigma'(z_i) as (sigma(u), y_i (1 - y_i)): only for a derivative written through
    the function's own values (sigma, tanh), not exp' = exp or (1/u)' = -1/u^2."""
    origin = node.origin
    if origin is None or isinstance(origin.expr, ast.Call) or ix.has_delta(node.arg):
        return None
    calls = {n for n in ast.walk(origin.expr) if isinstance(n, ast.Call)}
    if len(calls) != 1:
        return None
    call = next(iter(calls))
    if call.func not in ELEMENTWISE or call.func == "recip" or \
            node.func != PRIME.get(call.func):
        return None
    values = entrywise(origin.expr, origin.row, origin.col)
    return None if values is None else (call, values)


def entrywise(expr: ast.Expr, row: ix.Idx | None, col: ix.Idx | None) -> ix.Node | None:
    """An elementwise expression's entry in index form: sigma(u) .* (1 - sigma(u)) at i
    is sigma(u)_i (1 - sigma(u)_i); None for anything else."""
    if isinstance(expr, ast.Number):
        return ix.Const(expr.value)
    if isinstance(expr, ast.Call):
        return ix.Entry(expr, row, col)
    parts: list[ix.Node | None]
    if isinstance(expr, ast.Neg):
        inner = entrywise(expr.operand, row, col)
        return None if inner is None else ix.prod([ix.Const(Fraction(-1)), inner])
    if isinstance(expr, ast.Hadamard):
        parts = [entrywise(f, row, col) for f in expr.factors]
        return None if None in parts else ix.prod([p for p in parts if p is not None])
    if isinstance(expr, ast.Add):
        parts = [entrywise(t, row, col) for t in expr.terms]
        return None if None in parts else ix.add([p for p in parts if p is not None])
    return None


def recognition(tree: ix.Node, lhs: ix.Node, algebra: Algebra, names: ix.IndexNames,
                prefer_row: bool, second: bool = False) -> Recognition | None:
    """The step, when the entry holds something to recognise and the line it gives is not
    already one entry (sum_k y_k A_kj is [y^T A]_j: the reassembly says that itself).
    Each sum is read literally, as if no matrix were symmetric: sum_k x_k A_kj is
    [x^T A]_j, never [A x]_j on the quiet strength of A^T = A."""
    literal = Algebra(Shapes({name: replace(symbol, symmetric=False)
                              for name, symbol in algebra.shapes.symbols.items()}),
                      algebra.keep)
    recogniser = Recogniser(Assembler(literal, names), literal, prefer_row)
    recogniser.learn(tree)
    rewritten = recogniser.rewrite(tree)
    if not (recogniser.products or recogniser.derivatives) or isinstance(rewritten, ix.Entry):
        return None
    return Recognition(before=lhs, after=rewritten, products=tuple(recogniser.products),
                       derivatives=tuple(recogniser.derivatives), second=second)
