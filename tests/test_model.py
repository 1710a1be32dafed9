import pytest

from derivtex.errors import OptionError, ShapeError
from derivtex.model import infer_symbols, parse_shape_option
from derivtex.parser import parse_text


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
    assert info.value.column == 3 and "--shape xy=" in info.value.message


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
