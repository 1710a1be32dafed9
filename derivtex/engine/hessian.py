"""Second derivatives by the index method, as a lecturer derives a Hessian.

First pass: the gradient's entry, by the same steps as any first derivative
(∂f/∂x_i). Its entries are recognised as a vector (the gradient, in lecturer form),
whose i-th entry is differentiated again, now by x_j: linearity, the product and chain
rules, a second delta and its contraction. The entries H_ij are reassembled into H,
and a last step says why H is symmetric.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from math import gcd, lcm

from ..errors import UnsupportedError, option, suggest
from ..model.layout import Layout
from ..model.shapes import SCALAR, Shapes, Symbol
from ..syntax import ast
from ..syntax.ast import walk
from . import index as ix
from .algebra import Algebra, user_sums
from .differentiate import Differentiator
from .elementwise import tidy_gradient, tidy_hessian
from .expand import Expander, scalar_forms
from .index_method import Outcome, differentiate_entry, output_name, simplify_entry
from .reassemble import Assembler
from .recognise import recognition
from .scalars import reciprocal_powers
from .steps import GradientEntry, HessianGoal, Reassembly, Step, SumExpansion, Symmetry
from .symmetry import symmetry_used
from .written_out import written_out

HESSIAN_NAMES = ("H", "G", "K", "L")


def hessian_name(symbols: Mapping[str, Symbol]) -> str:
    """H, unless the expression has its own H (then G, K, L)."""
    return next((n for n in HESSIAN_NAMES if n not in symbols), "H_f")


def derive_hessian(expr: ast.Expr, symbols: Mapping[str, Symbol], wrt: str,
                   layout: Layout) -> Outcome:
    """The Hessian of a scalar `expr` by the vector (or scalar) `wrt`, step by step."""
    shapes = Shapes(symbols)
    if shapes(expr) != SCALAR:
        raise UnsupportedError(f"{option('order', 2)} needs a scalar expression (a Hessian is "
                               "the second derivative of a scalar); this one is "
                               f"{'×'.join(map(str, shapes(expr)))}")
    wrt_sym = symbols[wrt]
    if wrt_sym.kind == "matrix":
        raise UnsupportedError(f"the second derivative by the matrix {wrt} is a tensor of "
                               "order 4; derivtex derives Hessians by a vector or a scalar "
                               f"(use {suggest('order', 1)} for the gradient)")
    dim = wrt_sym.shape[0]
    f_name = output_name(symbols, "scalar")
    taken = set(symbols) | {d for s in symbols.values() for d in s.shape
                            if isinstance(d, str)} | {f_name}
    names = ix.IndexNames(taken)
    vector = wrt_sym.kind == "vector"
    i = names.fresh(dim, "i") if vector else None
    j = names.fresh(dim, "j") if vector else None
    h_name = hessian_name(symbols)
    f_entry = ix.Entry(ast.Name(f_name), None, None)
    first_wrt, second_wrt = ix.Entry(ast.Name(wrt), i, None), ix.Entry(ast.Name(wrt), j, None)
    goal = HessianGoal(
        before=expr, after=None, f=f_name, h=h_name, out_kind="scalar",
        wrt_kind=wrt_sym.kind, wrt=wrt, layout=layout, entry=f_entry, wrt_entry=first_wrt,
        second_wrt_entry=second_wrt, shape=(dim, dim) if vector else SCALAR, order=2,
        method="index")
    steps: list[Step] = [goal]

    algebra = Algebra(shapes, frozenset(
        t for t in user_sums(expr) if not visibly_symmetric(t, Algebra(shapes))))
    expander = Expander(shapes, names)
    tree = expander.entry(scalar_forms(expr, shapes), None, None)
    steps.append(SumExpansion(before=f_entry, after=tree, expr=expr))
    first = Differentiator(first_wrt, expander.entry, names.fresh, shapes)
    gradient_lhs = ix.Deriv(f_entry, first_wrt)
    contracted = differentiate_entry(tree, gradient_lhs, first, steps)
    contracted = simplify_entry(contracted, gradient_lhs, shapes, steps)

    assembled = Assembler(algebra, names).assemble(contracted, i, None)
    gradient = tidy_gradient(assembled, shapes)
    # the second pass starts afresh: only i and j are taken by the equations that follow
    second_names = ix.IndexNames(taken | {n.name for n in (i, j) if n is not None})
    second_expander = Expander(shapes, second_names)
    entry_tree = second_expander.entry(gradient, i, None)
    steps.append(GradientEntry(
        before=gradient_lhs, after=entry_tree, gradient=gradient, assembled=assembled, row=i,
        second_wrt_entry=second_wrt, simplified=gradient != assembled,
        recognised=tuple(sorted(named_functions(gradient) - named_functions(assembled))),
        symmetry_used=symmetry_used(algebra, assembled, lambda by: Assembler(by, names).assemble(
            contracted, i, None))))

    if any(isinstance(n, ast.Call) and n.func == "step" for n in walk(gradient)):
        raise UnsupportedError("relu has no second derivative at 0 (its derivative, step, "
                               "jumps there); derivtex derives Hessians of smooth functions")
    second = Differentiator(second_wrt, second_expander.entry, second_names.fresh, shapes)
    hessian_lhs = ix.Entry(ast.Name(h_name), i, j) if vector else ix.Deriv(gradient_lhs,
                                                                           second_wrt)
    contracted = differentiate_entry(entry_tree, hessian_lhs, second, steps, second=True)

    recognised = recognition(contracted, hessian_lhs, algebra, second_names, prefer_row=False,
                             second=True)
    if recognised is not None:
        steps.append(recognised)
    natural = Assembler(algebra, second_names).assemble(contracted, i, j)
    if natural == ast.Number(Fraction(0)):
        natural = ast.Zero(dim, dim) if vector else natural
    result = reciprocal_powers(lecturer_form(tidy_hessian(natural, shapes), shapes), shapes)
    used = symmetry_used(algebra, result, lambda by: Assembler(by, second_names).assemble(
        contracted, i, j))
    shown = recognised.after if recognised is not None and \
        isinstance(recognised.after, ix.Node) else contracted
    steps.append(Reassembly(before=hessian_lhs, after=ix.Entry(result, i, j), natural=result,
                            row=i, col=j, second=True, symmetry_used=used,
                            written_out=written_out(shown, hessian_lhs, i, j)))
    steps.append(Symmetry(before=result, after=result,
                          visibly_symmetric=vector and algebra.transpose(result) == result,
                          vector=vector, h=h_name, shape=goal.shape))
    assert goal.shape is not None
    return Outcome(steps, result, goal.shape)


def named_functions(expr: ast.Expr) -> set[str]:
    """The quotients the gradient's tidying may name: softmax, sigma and tanh."""
    return {n.func for n in walk(expr) if isinstance(n, ast.Call)
            and n.func in ("softmax", "sigma", "tanh")}


def visibly_symmetric(total: ast.Add, algebra: Algebra) -> bool:
    """X^T X + lambda I is its own transpose: kept whole, it would print as (...)^T."""
    return algebra.transpose(total) == algebra.sum([(Fraction(1), t) for t in total.terms])


def lecturer_form(expr: ast.Expr, shapes: Shapes) -> ast.Expr:
    """2 X^T X + 2 lambda I -> 2 (X^T X + lambda I): a common number pulled out, and
    multiples of the identity (regularisers) written last; 2 (x^T x) is 2 x^T x."""
    if shapes(expr) == SCALAR:
        return spread_scalar_products(expr)
    if not isinstance(expr, ast.Add):
        return expr
    terms = sorted(expr.terms, key=has_identity)
    coefficients = [coefficient(t) for t in terms]
    common = Fraction(gcd(*(c.numerator for c in coefficients)),
                      lcm(*(c.denominator for c in coefficients)))
    if common.denominator != 1 and len({abs(c) for c in coefficients}) > 1:
        common = Fraction(1)  # 1/2 S + 3 A stays; 1/2 S + 1/2 S^T is 1/2 (S + S^T)
    all_negative = all(c < 0 for c in coefficients)
    if common == 1 and not all_negative:
        return ast.Add(tuple(terms))
    factor = common * (-1 if all_negative else 1)
    inner = ast.Add(tuple(scaled(t, 1 / factor) for t in terms))
    outer = ast.MatMul((ast.Number(abs(factor)), inner)) if abs(factor) != 1 else inner
    return ast.Neg(outer) if factor < 0 else outer


def spread_scalar_products(expr: ast.Expr) -> ast.Expr:
    """A scalar result needs no brackets around its scalar products."""
    if isinstance(expr, ast.Add):
        return ast.Add(tuple(spread_scalar_products(t) for t in expr.terms))
    if isinstance(expr, ast.Neg):
        return ast.Neg(spread_scalar_products(expr.operand))
    if isinstance(expr, ast.MatMul):
        factors: list[ast.Expr] = []
        for factor in expr.factors:
            factors.extend(factor.factors if isinstance(factor, ast.MatMul) else (factor,))
        return ast.MatMul(tuple(factors))
    return expr


def has_identity(term: ast.Expr) -> bool:
    """Is the term a multiple of I (lambda I), the regulariser a lecturer writes last?"""
    while isinstance(term, ast.Neg):
        term = term.operand
    factors = term.factors if isinstance(term, ast.MatMul) else (term,)
    return any(isinstance(f, ast.Identity) for f in factors)


def coefficient(term: ast.Expr) -> Fraction:
    """The number in front of a term as Algebra writes it: -2 A^T A -> -2."""
    if isinstance(term, ast.Neg):
        return -coefficient(term.operand)
    if isinstance(term, ast.MatMul) and isinstance(term.factors[0], ast.Number):
        return term.factors[0].value
    return Fraction(1)


def scaled(term: ast.Expr, by: Fraction) -> ast.Expr:
    """`term` times the number `by`, written as Algebra writes terms (sign outside)."""
    value = coefficient(term) * by
    body = term
    while isinstance(body, ast.Neg):
        body = body.operand
    if isinstance(body, ast.MatMul) and isinstance(body.factors[0], ast.Number):
        rest = body.factors[1:]
        body = rest[0] if len(rest) == 1 else ast.MatMul(rest)
    factors = body.factors if isinstance(body, ast.MatMul) else (body,)
    magnitude = body if abs(value) == 1 else ast.MatMul((ast.Number(abs(value)), *factors))
    return ast.Neg(magnitude) if value < 0 else magnitude
