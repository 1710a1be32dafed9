from fractions import Fraction

from derivtex import ast
from derivtex import index as ix
from derivtex.contract import contract

j, k, p = ix.Idx("j", "m"), ix.Idx("k", "m"), ix.Idx("p", "n")
W = ast.Name("W")


def test_workhorse_sum_delta_x_gives_x_j():
    tree = ix.Sum((k,), ix.Prod((ix.Delta(j, k), ix.Entry(ast.Name("x"), k, None))))
    done = []
    out = contract(tree, done)
    assert isinstance(out, ix.Entry) and out.row == j
    assert [(c.summed, c.kept) for c in done] == [(k, j)]


def test_delta_not_innermost_is_still_contracted():
    # sum_l sum_k y_l W_lk delta_jk: sympy's doit() leaves this one alone.
    body = ix.Prod((ix.Entry(ast.Name("y"), p, None), ix.Entry(W, p, k), ix.Delta(j, k)))
    out = contract(ix.Sum((k, p), body), [])
    assert isinstance(out, ix.Sum) and out.indices == (p,)
    assert not ix.has_delta(out)


def test_delta_inside_a_sum_factor_is_expanded_only_around_it():
    a = ix.Add((ix.Delta(j, k), ix.Entry(W, k, j)))
    tree = ix.Sum((k,), ix.Prod((a, ix.Entry(ast.Name("c"), k, None))))
    out = contract(tree, [])
    assert isinstance(out, ix.Add) and len(out.terms) == 2
    assert not ix.has_delta(out)


def test_constant_without_delta_is_untouched():
    tree = ix.Const(Fraction(3))
    assert contract(tree, []) is tree
