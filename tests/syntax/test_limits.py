"""Size limits are checked before the work and refused with the limit named and a column."""

import pytest

from derivtex import derive
from derivtex.errors import DerivtexError, LimitError
from derivtex.model.shapes import infer_symbols
from derivtex.syntax.limits import MAX_DEPTH, MAX_NESTING, check_text, check_tree, measure
from derivtex.syntax.parser import parse_text
from tests.conftest import run_cli


def refused(expr: str, wrt: str = "x", **options) -> LimitError:
    with pytest.raises(LimitError) as info:
        derive(expr, wrt, verify=False, **options)
    return info.value


def test_powers_count_once_expanded():
    # 17 characters, 2^18 factors: refused at the outermost power, not after minutes
    exc = refused("A" + "^2" * 18 + " x")
    assert "262,145 factors once powers are expanded" in exc.message
    assert exc.column == 20  # the tenth ^2, where the count passes 1,000
    assert "100,000,000 factors" in refused("X^10^10^10^10^10^10^10^10", "X").message


def test_variable_occurrences_count_powers_and_norms():
    assert check_tree(parse_text("X^10 X^10 X^10 X^6"), "X").occurrences == 36
    exc = refused("X^10^10", "X")
    assert exc.message.startswith("X occurs 100 times once powers and norms are expanded")
    # ||u||^2 differentiates u twice: six nested norms are 64 occurrences, seven are 128
    six, seven = "||" * 6 + "x" + "||^2" * 6, "||" * 7 + "x" + "||^2" * 7
    tree = parse_text(six)
    assert measure(tree, "x")[id(tree)].occurrences == 64
    assert "x occurs 128 times" in refused(seven).message


def test_nested_functions_and_norms():
    exc = refused("||" * 12 + "x" + "||^2" * 12)
    assert exc.message == f"functions and norms are nested 12 deep; the limit is {MAX_NESTING}"
    assert exc.column is not None
    exc = refused("exp(" * 11 + "x" + ")" * 11)
    assert "nested 11 deep" in exc.message and exc.column == 1


def test_deep_transposes_are_refused_outside_the_cli_too():
    exc = refused("x" + "^T" * 3000 + " x")
    assert exc.message == f"the expression is nested 3,002 levels deep; the limit is {MAX_DEPTH}"


def test_number_literals_are_bounded_before_parsing():
    for digits in (400, 5000):
        exc = refused("1" * digits + " x")
        assert exc.message.startswith(f"a number of {digits:,} characters")
        assert exc.column == 1
    with pytest.raises(LimitError) as info:
        check_text(r"\frac{1}{2} x^T x + 0." + "5" * 40 + " x^T x")
    assert info.value.column == 21
    check_text("0.12345678901234567890 x")  # 22 characters: fine


def test_long_chain_is_refused_and_its_names_never_run_out():
    chain = " ".join(f"A{i}" for i in range(1100)) + " x"
    assert "1,101 factors" in refused(chain).message
    symbols = infer_symbols(parse_text(chain))  # 1,101 distinct dimensions
    dims = {d for s in symbols.values() for d in s.shape if d != 1}
    assert len(dims) == 1101


def test_output_size_is_bounded():
    # 64 inverses printed a 204,616-character line; 5 nested norms (1,024) still derive
    exc = refused(" ".join(["inv(X)"] * 64), "X")
    assert exc.message == ("the derivation would have about 4,096 factors (X occurs 64 times "
                           "in 64 factors); the limit is 2,000")
    assert check_tree(parse_text("||" * 5 + "x" + "||^2" * 5), "x").occurrences == 32
    derive("||" * 5 + "x" + "||^2" * 5, "x", verify=False)


def test_limit_errors_are_bad_input_in_the_cli():
    done = run_cli("derive", "A" + "^2" * 18 + " x", "--wrt", "x")
    assert done.returncode == 2 and done.stdout == b""
    assert done.stderr.decode().startswith("derivtex: too large: column 20:")
    assert issubclass(LimitError, DerivtexError)
