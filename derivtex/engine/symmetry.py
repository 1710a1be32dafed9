"""Which symmetry a reassembled result used, so the page can say so: a declared symmetric
matrix (A^T = A) or the inverse of a symmetric matrix (R^{-T} = R^{-1}). The result is
read once more as if nothing were symmetric; each transposed matrix that reading keeps
and the real one drops is a use."""

from __future__ import annotations

from collections.abc import Callable

from ..syntax import ast
from ..syntax.ast import walk
from .algebra import Algebra

Use = tuple[ast.Expr, ast.Expr]  # (why it is symmetric, the matrix equal to its transpose)


class Literal(Algebra):
    """The algebra of a reader who assumes nothing symmetric: declared names and inverses
    keep their transposes (structure still shows: (X^T X)^T = X^T X, (A + A^T)^T)."""

    def transpose(self, expr: ast.Expr) -> ast.Expr:
        if not self.is_scalar(expr) and (
                isinstance(expr, ast.Name) and self.shapes.symbols[expr.name].symmetric
                or isinstance(expr, ast.Call) and expr.func == "inv"):
            return ast.Transpose(expr)
        return super().transpose(expr)


def may_use(algebra: Algebra, result: ast.Expr) -> bool:
    """Anything to find: a declared symmetric matrix or an inverse in the result."""
    return any(isinstance(n, ast.Call) and n.func == "inv" or isinstance(n, ast.Name)
               and algebra.shapes.symbols[n.name].symmetric for n in walk(result))


def symmetry_used(algebra: Algebra, result: ast.Expr,
                  read: Callable[[Algebra], ast.Expr]) -> tuple[Use, ...]:
    """The uses of symmetry in `result` = `read(algebra)`, found by `read(Literal(...))`:
    each matrix the literal reading keeps transposed that is its own transpose, with its
    reason."""
    if not may_use(algebra, result):
        return ()
    return uses_in(read(Literal(algebra.shapes, algebra.keep)), algebra)


def uses_in(literal: ast.Expr, algebra: Algebra) -> tuple[Use, ...]:
    """Each matrix `literal` keeps transposed that `algebra` knows is its own transpose."""
    found: dict[ast.Expr, ast.Expr] = {}
    for node in walk(literal):
        if isinstance(node, ast.Transpose) and node.operand not in found and \
                algebra.transpose(node.operand) == node.operand:
            found[node.operand] = reason(node.operand, algebra)
    return tuple((why, matrix) for matrix, why in found.items())


def reason(matrix: ast.Expr, algebra: Algebra) -> ast.Expr:
    """What makes it symmetric: the declared name in it (R for R^{-1}), else what is
    inverted (X^T X for (X^T X)^{-1})."""
    declared = [n for n in walk(matrix) if isinstance(n, ast.Name)
                and algebra.shapes.symbols[n.name].symmetric]
    if len(declared) == 1 or (declared and all(d == declared[0] for d in declared)):
        return declared[0]
    if isinstance(matrix, ast.Call) and matrix.func == "inv":
        return matrix.args[0]
    return matrix
