"""Each derivative rule on its own, on hand-built index trees."""

from fractions import Fraction

from derivtex.engine import index as ix
from derivtex.engine.differentiate import Differentiator
from derivtex.engine.expand import Expander
from derivtex.model.shapes import Shapes, Symbol
from derivtex.syntax import ast

SYMBOLS = {
    "x": Symbol("x", "vector", ("m", 1)), "a": Symbol("a", "vector", ("m", 1)),
    "W": Symbol("W", "matrix", ("n", "m")), "X": Symbol("X", "matrix", ("m", "m")),
}
i, j, k = ix.Idx("i", "n"), ix.Idx("j", "m"), ix.Idx("k", "m")


def differentiator(wrt: ix.Entry) -> Differentiator:
    shapes = Shapes(SYMBOLS)
    names = ix.IndexNames({"x", "a", "W", "X", "m", "n", "i", "j", "k"})
    return Differentiator(wrt, Expander(shapes, names).entry, names.fresh, shapes)


def entry(name, row=None, col=None):
    return ix.Entry(ast.Name(name), row, col)


def test_linearity_moves_the_derivative_through_sums_not_products():
    d = differentiator(entry("x", j))
    tree = ix.Sum((k,), ix.Prod((entry("W", i, k), entry("x", k))))
    out = d.linearity(tree)
    assert isinstance(out, ix.Sum) and isinstance(out.body, ix.Deriv)
    assert isinstance(out.body.body, ix.Prod)


def test_delta_replaces_the_variables_own_entry_and_zeroes_constants():
    d = differentiator(entry("x", j))
    assert isinstance(d.derivative(entry("x", k)), ix.Delta)
    assert d.derivative(entry("a", k)).value == 0
    matrix = differentiator(entry("X", i, j)).derivative(entry("X", k, k))
    assert isinstance(matrix, ix.Prod) and all(isinstance(f, ix.Delta) for f in matrix.factors)


def test_product_rule_gives_one_term_per_dependent_factor():
    d = differentiator(entry("x", j))
    body = ix.Prod((entry("x", k), entry("a", k), entry("x", k)))
    assert d.rule_for(body) == "product_rule"
    out = d.product_rule(body)
    assert isinstance(out, ix.Add) and len(out.terms) == 2


def test_chain_rule_multiplies_by_the_derivative_at_the_same_entry():
    d = differentiator(entry("x", j))
    sigma = ix.Apply("sigma", entry("x", k),
                     ix.Entry(ast.Call("sigma", (ast.Name("x"),)), k, None))
    assert d.rule_for(sigma) == "chain_rule"
    out = d.atom_rule(sigma)
    outer = out.factors[0]
    assert isinstance(outer, ix.Apply) and outer.func == "dsigma"
    assert isinstance(outer.origin.expr, ast.Hadamard)  # sigma .* (1 - sigma)


def test_determinant_rule_is_jacobis_formula():
    d = differentiator(entry("X", i, j))
    det = ix.Entry(ast.Call("det", (ast.Name("X"),)), None, None)
    assert d.rule_for(det) == "determinant"
    out = d.atom_rule(det)
    assert out.factors[0] is det
    inner = out.factors[1]
    assert isinstance(inner, ix.Sum) and len(inner.indices) == 2
    inverse = inner.body.factors[0]
    assert inverse.expr == ast.Call("inv", (ast.Name("X"),))
    assert (inverse.row, inverse.col) == (inner.indices[1], inner.indices[0])


def test_inverse_rule_has_a_minus_sign_and_two_inverse_entries():
    d = differentiator(entry("X", i, j))
    inv = ix.Entry(ast.Call("inv", (ast.Name("X"),)), k, k)
    out = d.atom_rule(inv)
    assert out.factors[0].value == Fraction(-1)
    body = out.factors[1].body
    assert [f.expr for f in body.factors if isinstance(f, ix.Entry)] == \
        [ast.Call("inv", (ast.Name("X"),))] * 2


def test_softmax_rule_uses_its_jacobian_entry():
    d = differentiator(entry("x", j))
    s = ix.Entry(ast.Call("softmax", (ast.Name("x"),)), k, None)
    out = d.atom_rule(s)
    assert isinstance(out, ix.Sum)
    jacobian = out.body.factors[0]
    assert isinstance(jacobian, ix.Add) and isinstance(jacobian.terms[0].factors[1], ix.Delta)
