import pytest

from derivtex import derive
from derivtex.errors import OptionError, ShapeError
from derivtex.model.declarations import split_glued
from derivtex.model.inference import infer
from derivtex.model.shapes import infer_symbols, parse_shape_option
from derivtex.syntax import ast
from derivtex.syntax.ast import walk
from derivtex.syntax.parser import parse_text


def shapes(text, declared=None):
    return {n: (s.kind, s.shape) for n, s in infer_symbols(parse_text(text), declared).items()}


def test_linear_layer_keeps_w_rectangular():
    assert shapes("W x") == {"W": ("matrix", ("n", "m")), "x": ("vector", ("m", 1))}


def test_dimensions_are_tied_by_use():
    got = shapes("y^T A x")
    assert got["y"][1][0] == got["A"][1][0] and got["A"][1][1] == got["x"][1][0]
    assert got["y"][1][0] != got["x"][1][0]


def test_quadratic_form_makes_the_matrix_square():
    got = shapes("z^T Q z")
    assert got["Q"][1] == (got["z"][1][0], got["z"][1][0])


def test_greek_is_scalar_and_declarations_override():
    got = shapes("lambda x + c x", {"c": (1,), "x": (3,)})
    assert got == {"lambda": ("scalar", (1, 1)), "x": ("vector", (3, 1)),
                   "c": ("scalar", (1, 1))}


def test_undeclared_long_name_is_an_error_with_column():
    with pytest.raises(ShapeError) as info:
        shapes("A xy")
    assert info.value.column == 3 and "shapes='xy=DIMS'" in str(info.value)


def test_shape_mismatch_names_both_shapes():
    with pytest.raises(ShapeError) as info:
        shapes("A x", {"A": (2, 3), "x": (4,)})
    assert "2×3" in info.value.message and "4×1" in info.value.message
    assert info.value.column == 3


def test_cannot_add_vector_and_scalar():
    with pytest.raises(ShapeError, match="cannot add"):
        shapes("x + x^T x")


@pytest.mark.parametrize("bad", ["A", "A=", "A=n,m,p", "A=0", "A=n-1", "1=n"])
def test_bad_shape_options(bad):
    with pytest.raises(OptionError):
        parse_shape_option(bad)


def test_ones_and_identity_are_sized_by_use():
    expr, symbols = infer(parse_text("1^T exp(z) + x^T (A + I) x"))
    ones, identity = [n for n in walk(expr) if isinstance(n, ast.Ones | ast.Identity)]
    assert ones.dim == symbols["z"].shape[0]
    assert identity.dim == symbols["x"].shape[0] == symbols["A"].shape[0]


def test_symmetric_matrices_are_square_and_marked():
    _, symbols = infer(parse_text("x^T S y"), symmetric=frozenset({"S"}))
    assert symbols["S"].symmetric and symbols["S"].shape[0] == symbols["S"].shape[1]
    assert symbols["x"].shape == symbols["y"].shape
    with pytest.raises(OptionError, match="not a matrix"):
        infer(parse_text("x^T S y"), symmetric=frozenset({"x"}))


@pytest.mark.parametrize("glued, parts", [
    ("Xw", ["X", "w"]), ("xy", ["x", "y"]), ("Ax1", ["A", "x1"]),
    ("lambdaI", ["lambda", "I"]), ("foo", None), ("x", None),
])
def test_glued_names_split_into_known_ones(glued, parts):
    assert split_glued(glued) == parts


def test_a_glued_name_says_where_the_space_goes():
    with pytest.raises(ShapeError, match="put a space between names: X w"):
        shapes("||Xw - y||^2")


@pytest.mark.parametrize("text, kinds", [
    ("(x - mu)^T Sigma^{-1} (x - mu)", {"mu": "vector", "Sigma": "matrix"}),
    ("x^T x + lambda ||x - mu||^2", {"mu": "vector", "lambda": "scalar"}),
    ("theta^T x", {"theta": "vector"}),
    ("alpha x", {"alpha": "scalar"}),
])
def test_greek_names_are_scalars_unless_only_a_vector_fits(text, kinds):
    got = {n: k for n, (k, _) in shapes(text).items() if n in kinds}
    assert got == kinds


@pytest.mark.parametrize("bad, fragment", [
    ("A=sym", "symmetric='A'"), ("A=n,long", "dimension name"), ("x=n m", "dimension name"),
])
def test_malformed_declarations_are_errors(bad, fragment):
    with pytest.raises(OptionError, match=fragment):
        parse_shape_option(bad)


@pytest.mark.parametrize("text", ["log(det(Sigma))", "tr(Omega^T)", "logdet(Sigma)",
                                  "|Sigma|"])
def test_a_greek_name_under_det_or_tr_is_a_square_matrix(text):
    (name,) = shapes(text)
    kind, (rows, cols) = shapes(text)[name]
    assert kind == "matrix" and rows == cols


def test_a_greek_name_declared_symmetric_is_a_square_matrix():
    d = derive("x^T Sigma x", wrt="x", symmetric={"Sigma"})
    assert d.to_dict()["symbols"]["Sigma"] == {"kind": "matrix", "shape": ["n", "n"],
                                                "symmetric": True}
    assert d.result_text == "2 x^T Sigma"


def test_log_det_of_a_greek_matrix_is_its_inverse():
    assert derive("log(det(Sigma))", wrt="Sigma").result_text == "inv(Sigma)"
    assert derive("log(det(Sigma))", wrt="Sigma", layout="denominator").result_text == \
        "inv(Sigma)^T"


def test_a_greek_reciprocal_stays_a_scalar():
    assert shapes("alpha^{-1} x^T x")["alpha"] == ("scalar", (1, 1))


@pytest.mark.parametrize("text, ambiguous", [
    ("tr(Sigma A)", {"Sigma"}), ("Sigma x", {"Sigma"}), ("x^T Lambda x", {"Lambda"}),
    ("alpha x", set()), ("log(det(Sigma))", set()), ("x^T Sigma^{-1} x", {"Sigma"}),
    ("tr(Sigma A) + Sigma", set()),  # + Sigma: only a scalar fits
])
def test_a_greek_scalar_that_a_matrix_also_fits_is_marked(text, ambiguous):
    """Issue 17 §4: a Greek capital read as a scalar only by default, where a matrix
    reading also fits, is flagged so the page and stderr can name the declaration."""
    from derivtex.model.inference import infer
    from derivtex.syntax.parser import parse_text

    _, symbols = infer(parse_text(text))
    assert {s.name for s in symbols.values() if s.scalar_by_default} == ambiguous


def test_the_page_and_stderr_name_the_declaration():
    from derivtex import derive
    from tests.conftest import run_cli

    d = derive("tr(Sigma A)", "A")
    goal = d.steps[0]["text"]
    assert r"\Sigma" in goal and "Sigma=n,m" in goal and "scalar" in goal, goal
    out = run_cli("derive", "tr(Sigma A)", "--wrt", "A")
    assert out.returncode == 0
    assert "--shape Sigma=n,m" in out.stderr.decode()
    quiet = run_cli("derive", "tr(Sigma A)", "--wrt", "A", "--shape", "Sigma=n,n")
    assert quiet.returncode == 0 and quiet.stderr == b""
