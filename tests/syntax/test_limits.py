"""Size limits are checked before the work and refused with the limit named and a column."""

import pytest

from derivtex import derive
from derivtex.errors import DerivtexError, LimitError
from derivtex.model.shapes import infer_symbols
from derivtex.syntax.limits import (
    MAX_DEPTH,
    MAX_FACTORS,
    MAX_NESTING,
    MAX_SECOND_OUTPUT,
    check_second_order,
    check_text,
    check_tree,
    measure,
)
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


def test_a_hessian_counts_the_product_rule_twice():
    # 149 characters, 32 occurrences of x in 48 factors: under the first-order limit
    # (1,536), but the Hessian made 3.6 MB of LaTeX in 17 s; refused before any work
    sixteen = " ".join(f"x^T A{n} x" for n in range(16))
    derive(sixteen, "x", verify=False)  # the gradient is within the limits
    exc = refused(sixteen, order=2)
    assert exc.message == (
        "the Hessian would have about 49,152 factors (x occurs 32 times in 48 factors, and "
        "the second derivative applies the product rule to each term again); the limit is "
        f"{MAX_SECOND_OUTPUT:,}")
    assert exc.column == 1


def test_the_longest_chains_are_inside_every_limit_verification_included():
    # what tests/whole/test_long_chains.py derives: at the factor limit, one factor more
    # is refused; the longest x^T ... x still has a Hessian (4 x 1,000 factors)
    chain = " ".join(f"A{n}" for n in range(MAX_FACTORS - 2))
    quadratic = parse_text(f"x^T {chain} x")
    assert check_tree(quadratic, "x").factors == MAX_FACTORS
    check_second_order(quadratic, "x")
    assert "1,001 factors" in refused(f"x^T {chain} A x").message
    # the Hessians the tests and samples derive stay well inside
    for small in ("(x^T x)^8", "(x^T A x)^2", "||A x - b||^2 + lambda ||x||^2",
                  "x^T A x / (x^T x)"):
        check_second_order(parse_text(small), "x")
