"""The lines a lecturer writes between the method's rows, so no step is left to the
reader: each f' written through f's values before fractions cancel (sigma'(z_k) =
s_k (1 - s_k)), numbers that meet their reciprocals cancelled (1/det(X) det(X) = 1), the
collected numbers of a cancellation (-y_k (1 - s_k) + (1 - y_k) s_k = s_k - y_k), and
each sum the reassembly reads said as the entry it is ([s^T X]_j), transposed where the
layout reads it so."""

from __future__ import annotations

from ..errors import DerivtexError
from ..model.shapes import Shapes
from ..syntax import ast
from . import index as ix
from .quote_types import Quote
from .reassemble import Assembler, collapse, monomials
from .recognise import derivative_through_values
from .steps import Reading, Substitution
from .written import key, values_tree


def transposed_reads(assembler: Assembler, tree: ix.Node, row: ix.Idx | None,
                     col: ix.Idx | None) -> tuple[Reading, ...]:
    """Each term of the row before reassembly read as an entry, with its natural entry
    and the entry the layout reads: [A X]_ij read as [X^T A^T]_ji; a sum as the entry of
    the product it is (sum_p exp(sum_q X_pq w_q) X_pj = [exp(X w)^T X]_j, sum_k
    exp(sum_l X_kl w_l) = 1^T exp(X w)), and when it is naturally the other
    arrangement's entry, that first (sum_l [Sigma^-1]_jl (x_l - mu_l) = [Sigma^-1 (x -
    mu)]_j = [(x - mu)^T Sigma^-T]_j). Only sums of products of entries (a function's
    value counts as one): the reassembly says these rather than leave them to the
    reader. An entry read as it stands is not repeated."""
    algebra = assembler.algebra
    wanted = {i for i in (row, col) if i is not None}
    found: list[Reading] = []
    for term in spread(tree.terms if isinstance(tree, ix.Add) else (tree,)):
        for node in outer_parts(term):
            if isinstance(node, ix.Entry):
                if not isinstance(node.expr, ast.Name) and row != col and \
                        (node.row, node.col) == (col, row):
                    found.append((node, node, ix.Entry(algebra.transpose(node.expr), row, col)))
                continue
            indices = open_indices(node)
            if not isinstance(node, ix.Sum) or not indices <= wanted or \
                    not is_product_of_entries(node.body):
                continue
            here = (row if row in indices else None, col if col in indices else None)
            try:
                read = ix.Entry(ones_first(assembler.assemble(node, *here), algebra.shapes), *here)
                other = assembler.assemble(node, here[1], here[0]) if here[0] != here[1] \
                    else read.expr
            except DerivtexError:
                continue
            natural = ix.Entry(other, here[1], here[0]) if matrix_transposes(
                other, algebra.shapes) < matrix_transposes(read.expr, algebra.shapes) else read
            found.append((node, natural, read))
    return tuple(found)


def spread(terms: tuple[ix.Node, ...]) -> list[ix.Node]:
    """A sum of a bracket of terms as one sum per term, when each term holds every index
    summed (sum_k (A_kj [B x]_k + [A x]_k B_kj) is read as two products, each said)."""
    out: list[ix.Node] = []
    for term in terms:
        if isinstance(term, ix.Sum) and isinstance(term.body, ix.Add) and all(
                set(term.indices) <= open_indices(t) for t in term.body.terms):
            out += [ix.Sum(term.indices, t) for t in term.body.terms]
        else:
            out.append(term)
    return out


def ones_first(expr: ast.Expr, shapes: Shapes) -> ast.Expr:
    """A sum of entries as a lecturer writes it, 1^T s rather than s^T 1 (a scalar; W^T 1
    is a column and stays one)."""
    if isinstance(expr, ast.MatMul) and len(expr.factors) == 2 and shapes(expr) == (1, 1) and \
            isinstance(expr.factors[0], ast.Transpose) and isinstance(expr.factors[1], ast.Ones):
        return ast.MatMul((ast.Transpose(expr.factors[1]), expr.factors[0].operand))
    return expr


def outer_parts(term: ix.Node) -> list[ix.Node]:
    """The entries and the outermost sums of a term (1/sum_k exp(z_k) holds one), which
    are the only kinds it returns."""
    if isinstance(term, ix.Entry | ix.Sum):
        return [term]
    if isinstance(term, ix.Delta | ix.Const) or not isinstance(term, ix.Apply) and \
            getattr(term, "origin", None) is not None:
        return []  # a bracket standing for an entry, (x_l - mu_l), is not read again
    return [part for child in ix.children(term) for part in outer_parts(child)]


def is_product_of_entries(node: ix.Node) -> bool:
    """Entries, and whole brackets or function values standing for entries, multiplied."""
    if isinstance(node, ix.Prod) and node.origin is None:
        return all(is_product_of_entries(f) for f in node.factors)
    if isinstance(node, ix.Const | ix.Entry):
        return True
    return getattr(node, "origin", None) is not None and not ix.has_delta(node) and \
        not ix.contains(node, lambda n: isinstance(n, ix.Deriv))


def matrix_transposes(expr: ast.Expr, shapes: Shapes) -> int:
    """The transposes of matrices in `expr` (a vector's, x^T, is how a row is written)."""
    own = isinstance(expr, ast.Transpose) and 1 not in shapes(expr.operand)
    return own + sum(matrix_transposes(c, shapes) for c in ast.children(expr))


def open_indices(node: ix.Node) -> set[ix.Idx]:
    """The indices of `node` that no sum inside it binds."""
    if isinstance(node, ix.Entry):
        return set(node.indices())
    if isinstance(node, ix.Delta):
        return {node.first, node.second}
    if isinstance(node, ix.Sum):
        return open_indices(node.body) - set(node.indices)
    out: set[ix.Idx] = set()
    for child in ix.children(node):
        out |= open_indices(child)
    return out


def cancel_numbers(tree: ix.Node) -> ix.Node | None:
    """The tree with each number that meets its reciprocal in a product cancelled,
    1/det(X) det(X) [X^-1]_ji as [X^-1]_ji; None when none does. Entries of vectors are
    the entrywise cancellation's (entrywise.cancel)."""
    done = False

    def rewrite(node: ix.Node) -> ix.Node:
        nonlocal done
        origin = getattr(node, "origin", None)
        if isinstance(node, ix.Prod):
            factors = [rewrite(f) for f in node.factors]
            for f in list(factors):
                if isinstance(f, ix.Apply) and f.func == "recip" and not open_indices(f) and \
                        f in factors:
                    mate = next((g for g in factors if g is not f and key(g) == key(f.arg)),
                                None)
                    if mate is not None:
                        factors = [g for g in factors if g is not f and g is not mate]
                        done = True
            return ix.Prod(tuple(factors), origin) if origin is not None and \
                len(factors) == len(node.factors) else ix.prod(factors)
        if isinstance(node, ix.Sum):
            return ix.summation(node.indices, rewrite(node.body), node.origin)
        if isinstance(node, ix.Add):
            return ix.add([rewrite(t) for t in node.terms])
        return node

    after = rewrite(tree)
    return after if done else None


def through_values(tree: ix.Node, lhs: ix.Node) -> Substitution | None:
    """The row with each f' written through f's values (sigma'(sum_l X_kl w_l) as
    s_k (1 - s_k)) and f itself as those values' entries, so that the fractions
    1/sigma(.) the chain rule left visibly cancel on the next line; None when the row
    has no such f'."""
    found: list[tuple[str, ix.Node, ix.Entry, ix.Node]] = []
    known = {through[0] for n in ix.walk(tree) if isinstance(n, ix.Apply)
             and (through := derivative_through_values(n)) is not None}

    def rewrite(node: ix.Node) -> ix.Node:
        origin = getattr(node, "origin", None)
        if isinstance(node, ix.Apply):
            through = derivative_through_values(node)
            if through is not None and origin is not None:
                call, _ = through
                found.append((call.func, node.arg, ix.Entry(call, origin.row, origin.col),
                              values_tree(origin.expr, origin.row, origin.col)))
                return found[-1][3]
            if origin is not None and origin.expr in known and not ix.has_delta(node.arg):
                return origin
            return ix.Apply(node.func, rewrite(node.arg), origin)
        if isinstance(node, ix.Sum):
            return ix.summation(node.indices, rewrite(node.body), node.origin)
        if isinstance(node, ix.Add):
            terms = tuple(rewrite(t) for t in node.terms)
            return ix.Add(terms, origin) if origin is not None else ix.add(list(terms))
        if isinstance(node, ix.Prod):
            factors = tuple(rewrite(f) for f in node.factors)
            return ix.Prod(factors, origin) if origin is not None else ix.prod(list(factors))
        return node

    after = rewrite(tree)
    if not found:
        return None
    return Substitution(before=lhs, after=after, products=(), derivatives=tuple(found))


def collected_quote(previous: ix.Node | None, after: ix.Node | None) -> Quote | None:
    """The numbers of each term once the fractions cancelled, added up as the next row
    has them: -y_k (1 - s_k) + (1 - y_k) s_k = s_k - y_k for the logistic loss. Only for
    terms of one sum each whose other factors (X_kj) agree; None otherwise."""
    if previous is None or after is None:
        return None
    terms: list[ix.Node] = []
    common: ix.Idx | None = None
    others: set[str] = set()
    for mono in monomials(collapse(previous)):
        if len(mono.indices) != 1 or any(not isinstance(a, ix.Entry) for a in mono.atoms):
            return None
        k = mono.indices[0]
        common = common or k
        atoms = [ix.rename(a, k, common) for a in mono.atoms]
        numbers = [a for a in atoms if isinstance(a, ix.Entry) and a.row == common
                   and a.col is None]
        others.add(repr(sorted(repr((a.expr, a.row, a.col)) for a in atoms
                               if isinstance(a, ix.Entry) and a not in numbers)))
        recips = [a.expr.args[0] for a in numbers if isinstance(a.expr, ast.Call)
                  and a.expr.func == "recip"]
        kept = [values_tree(a.expr, common, None) for a in numbers
                if not (isinstance(a.expr, ast.Call) and a.expr.func == "recip"
                        and a.expr.args[0] in [b.expr for b in numbers])
                and a.expr not in recips]
        terms.append(ix.prod([ix.Const(mono.coeff), *kept]))
    value = next((n for n in ix.walk(after) if isinstance(n, ix.Entry) and n.row == common
                  and n.col is None and not isinstance(n.expr, ast.Name)), None)
    if len(terms) < 2 or len(others) != 1 or value is None:
        return None
    return Quote(ix.add(terms), values_tree(value.expr, common, None))
