"""Derivation.to_sympy(): the result as a sympy matrix expression, equal to sympy's own
`diff` where sympy is right and numerically equal to the verified `numpy` answer always."""

import numpy as np
import pytest

from derivtex import derive
from derivtex.errors import UnsupportedError
from derivtex.printing.sympy_export import SympyBuilder
from derivtex.syntax import ast
from derivtex.syntax.ast import python_name as py_name
from fuzz import generate
from tests.conftest import evaluate_numpy

sympy = pytest.importorskip("sympy")

CASES = [
    ("y^T A x", "x"), ("W x", "x"), ("a^T x", "x"), ("x^T A x", "x"),
    ("||A x - b||^2", "x"), ("sigma(W x)", "x"), ("tanh(W x + b)", "x"),
    ("softmax(z)", "z"), ("a^T X b", "X"), ("tr(A X B)", "X"), ("log(det(X))", "X"),
    ("a^T inv(X) b", "X"), ("(x^T x) A x", "x"), ("exp(-lambda ||x||^2)", "lambda"),
    ("||sigma(W x) - y||^2", "W"), ("x .* exp(x)", "x"), ("sqrt(x^T x)", "x"),
    ("softplus(W x)", "x"), ("sinh(x) .* cosh(x)", "x"), ("log(1^T exp(z))", "z"),
    ("x^T A x / (x^T x)", "x"),
]


def numeric(expr, arrays: dict, sizes: dict) -> np.ndarray:
    """Substitute sizes and values and evaluate the sympy expression to numbers."""
    subs = {sympy.Symbol(d, integer=True, positive=True): v for d, v in sizes.items()}
    concrete = expr.subs(subs)
    values = {}
    for atom in concrete.atoms(sympy.MatrixSymbol):
        values[atom] = sympy.ImmutableMatrix(arrays[atom.name])
    for atom in concrete.atoms(sympy.Symbol):
        if atom.name in arrays and not isinstance(atom, sympy.Dummy):
            values[atom] = float(np.asarray(arrays[atom.name]).reshape(-1)[0])
    for ones in concrete.atoms(sympy.OneMatrix):
        values[ones] = sympy.ImmutableMatrix.ones(*ones.shape)
    result = concrete.xreplace(values).doit()
    return np.array(sympy.N(sympy.Matrix(result) if hasattr(result, "shape") else result),
                    dtype=float)


def sizes_of(symbols: dict, arrays: dict) -> dict[str, int]:
    sizes = {}
    for name, sym in symbols.items():
        for axis, dim in enumerate(sym["shape"]):
            if isinstance(dim, str):
                sizes[dim] = np.asarray(arrays[name]).shape[axis]
    return sizes


@pytest.mark.parametrize("expr, wrt", CASES)
@pytest.mark.parametrize("layout", ["numerator", "denominator"])
def test_to_sympy_equals_the_verified_numpy_answer(expr, wrt, layout):
    d = derive(expr, wrt, layout=layout)
    data = d.to_dict()
    arrays = generate.bind(data["symbols"], np.random.default_rng(5))
    want = evaluate_numpy(data["numpy"], {py_name(k): v for k, v in arrays.items()})
    got = numeric(d.to_sympy(), arrays, sizes_of(data["symbols"], arrays))
    np.testing.assert_allclose(np.broadcast_to(got.reshape(want.shape) if got.size == want.size
                                               else got, want.shape), want, rtol=1e-9,
                               atol=1e-9)


@pytest.mark.parametrize("expr, wrt, build", [
    ("y^T A x", "x", lambda s: s["y"].T * s["A"] * s["x"]),
    ("W x", "x", lambda s: s["W"] * s["x"]),
    ("x^T A x", "x", lambda s: s["x"].T * s["A"] * s["x"]),
    ("tr(A X)", "X", lambda s: sympy.Trace(s["A"] * s["X"])),
])
def test_to_sympy_matches_sympys_own_diff(expr, wrt, build):
    """sympy's MatrixSymbol.diff works in denominator layout; where it gives a matrix,
    ours is the same matrix."""
    d = derive(expr, wrt, layout="denominator")
    ours = d.to_sympy()
    builder = SympyBuilder(d.symbols)
    theirs = build({name: builder(ast.Name(name)) for name in d.symbols}).diff(
        builder(ast.Name(wrt)))
    assert ours.shape == theirs.shape
    data = d.to_dict()
    arrays = generate.bind(data["symbols"], np.random.default_rng(8))
    sizes = sizes_of(data["symbols"], arrays)
    np.testing.assert_allclose(numeric(ours, arrays, sizes), numeric(theirs, arrays, sizes),
                               rtol=1e-9)


def test_to_sympy_uses_declared_sizes_and_symbolic_dimensions():
    d = derive("A x", "x", shapes={"A": "3,n"})
    (matrix,) = d.to_sympy().atoms(sympy.MatrixSymbol)
    assert matrix.name == "A" and matrix.shape[0] == 3 and str(matrix.shape[1]) == "n"


def test_tensor_results_have_no_sympy_form():
    with pytest.raises(UnsupportedError, match="index form"):
        derive("W x", "W").to_sympy()
