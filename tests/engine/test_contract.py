from fractions import Fraction

from derivtex.engine import index as ix
from derivtex.engine.contract import contract
from derivtex.syntax import ast

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


def chain_derivative(k: int) -> ix.Node:
    """d(x^T A1 ... Ak x)/dx_j after the delta step: two terms under k + 1 sums."""
    idx = [ix.Idx(f"i{n}", "m") for n in range(k + 1)]
    mats = [ix.Entry(ast.Name(f"A{n}"), idx[n - 1], idx[n]) for n in range(1, k + 1)]
    x = ast.Name("x")
    first = ix.Prod((ix.Delta(j, idx[0]), *mats, ix.Entry(x, idx[k], None)))
    last = ix.Prod((ix.Entry(x, idx[0], None), *mats, ix.Delta(idx[k], j)))
    return ix.Sum(tuple(idx), ix.Add((first, last)))


def test_long_chain_contracts_both_ends():
    done = []
    out = contract(chain_derivative(40), done)
    assert [(c.summed.name, c.kept) for c in done] == [("i0", j), ("i40", j)]
    assert not ix.has_delta(out)
    # sum_{i1..i39} (sum_{i40} A1_{j i1} ... x_{i40} + sum_{i0} x_{i0} ... A40_{i39 j})
    assert isinstance(out, ix.Sum) and [i.name for i in out.indices] == [
        f"i{n}" for n in range(1, 40)]
    left, right = out.body.terms
    assert [i.name for i in left.indices] == ["i40"] and [i.name for i in right.indices] == ["i0"]
    assert left.body.factors[0].row == j and right.body.factors[-1].col == j


def test_contraction_work_is_linear_in_the_number_of_summation_indices(monkeypatch):
    visits = 0
    children = ix.children

    def counting(node):
        nonlocal visits
        visits += 1
        return children(node)

    monkeypatch.setattr(ix, "children", counting)
    work = []
    for k in (40, 80, 160):
        visits = 0
        contract(chain_derivative(k), [])
        work.append(visits)
    # quadratic work would grow 4x per doubling; linear grows 2x (plus a constant)
    assert work[1] < 2.1 * work[0] and work[2] < 2.1 * work[1]
