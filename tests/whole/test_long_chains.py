"""Long chains (issue 21): every family at the longest the limits allow goes through the
real CLI and is verified (exit 0) or refused with the limit named (exit 2); run_cli's
60 s ceiling stands in for "minutes". A chain of 400 matrices by one of them took 101 s,
999 over ten minutes: verification tried every factor at every step of a contraction."""

import json
import random
import re

import pytest

from derivtex.model.shapes import infer_symbols
from derivtex.syntax.limits import MAX_FACTORS
from derivtex.syntax.parser import parse_text
from derivtex.verify.sampling import stand_in_sizes
from fuzz import chains
from tests.conftest import run_cli

TRACEBACK = re.compile(rb"Traceback|Error:|please report", re.IGNORECASE)


def chain(k: int, first: int = 0) -> str:
    return " ".join(f"A{n}" for n in range(first, first + k))


# (family, expression, variable): each as long as MAX_FACTORS allows
LONGEST = [
    ("by a matrix, with a vector", f"{chain(MAX_FACTORS - 1)} x", "A5"),
    ("by a matrix", chain(MAX_FACTORS), "A5"),
    ("by a vector", f"{chain(MAX_FACTORS - 1)} x", "x"),
    ("x^T ... x by x", f"x^T {chain(MAX_FACTORS - 2)} x", "x"),
    ("a trace", f"tr({chain(MAX_FACTORS)})", "A3"),
    ("a row vector times the chain", f"x^T {chain(MAX_FACTORS - 1)}", "x"),
    ("transposed factors", " ".join(f"A{n}^T" for n in range(MAX_FACTORS - 1)) + " x", "A5"),
    ("inside exp", f"exp({chain(MAX_FACTORS - 1)} x)", "A5"),
    ("a sum of two chains", f"{chain(499)} x + {chain(499, 499)} x", "A500"),
]


def verified(*args: str) -> dict:
    done = run_cli("derive", *args, "--format", "json")
    assert done.returncode == 0, done.stderr.decode()[-300:]
    assert not TRACEBACK.search(done.stderr)
    data = json.loads(done.stdout)
    assert data["verified"] is True
    return data


@pytest.mark.parametrize(("family", "expr", "wrt"), LONGEST, ids=[f for f, _, _ in LONGEST])
def test_the_longest_chain_of_each_family_is_derived_and_verified(family, expr, wrt):
    assert len(expr) < 10_000
    data = verified(expr, "--wrt", wrt)
    assert data["result"] or data["steps"]


def test_one_factor_more_is_refused_with_the_limit_named():
    done = run_cli("derive", f"{chain(MAX_FACTORS)} x", "--wrt", "A5")
    assert done.returncode == 2 and done.stdout == b""
    assert b"has 1,001 factors once powers are expanded; the limit is 1,000" in done.stderr
    assert not TRACEBACK.search(done.stderr)


def test_the_chain_by_a_matrix_is_checked_as_an_index_form():
    # d(A0 ... A998 x)/dA5 has three axes: the output's, then A5's two
    data = verified(f"{chain(999)} x", "--wrt", "A5")
    assert data["numpy"] is None and data["result"] is None
    assert data["result_shape"] == [data["symbols"]["A0"]["shape"][0],
                                    *data["symbols"]["A5"]["shape"]]


def test_declared_sizes_share_a_few_small_stand_ins():
    # 200 matrices declared 100 x 101, 101 x 102, ...: each distinct size had its own
    # stand-in (7, 8, ..., 207), so the check multiplied 200 x 200 matrices for minutes
    shapes = [a for n in range(200) for a in ("--shape", f"A{n}={100 + n},{101 + n}")]
    data = verified(f"{chain(200)} x", "--wrt", "A5", *shapes, "--shape", "x=300")
    assert data["symbols"]["A5"]["shape"] == [105, 106]
    symbols = infer_symbols(parse_text(chain(200)),
                            {f"A{n}": (100 + n, 101 + n) for n in range(200)})
    stand_ins = stand_in_sizes(symbols)
    assert set(stand_ins.values()) == {1, 7, 8, 9, 10}
    assert [stand_ins[d] for d in (100, 101, 102, 103, 104)] == [7, 8, 9, 10, 7]


def test_every_format_and_method_of_the_longest_chain():
    expr = f"{chain(MAX_FACTORS - 1)} x"
    for extra in (["--format", "typst"], ["--format", "markdown"], ["--steps", "compact"],
                  ["--method", "both", "--standalone"], ["--layout", "denominator"]):
        done = run_cli("derive", expr, "--wrt", "A5", *extra)
        assert done.returncode == 0, (extra, done.stderr.decode()[-300:])
        assert done.stdout and not TRACEBACK.search(done.stderr)


def test_latex_spelling_of_a_long_chain():
    # \mathbf{A}_{123} is 17 characters with its space: 580 of them fit in 10,000
    expr = " ".join(rf"\mathbf{{A}}_{{{n}}}" for n in range(580)) + r" \mathbf{x}"
    assert len(expr) < 10_000
    verified(expr, "--wrt", "A_5")


def test_the_hessian_of_the_longest_quadratic_form():
    data = verified(f"x^T {chain(MAX_FACTORS - 2)} x", "--wrt", "x", "--order", "2")
    assert data["order"] == 2


def test_a_hessian_whose_product_rule_squares_is_refused():
    # 149 characters: 32 occurrences of x in 48 factors made 3.6 MB of LaTeX in 17 s
    done = run_cli("derive", " ".join(f"x^T A{n} x" for n in range(16)), "--wrt", "x",
                   "--order", "2")
    assert done.returncode == 2 and done.stdout == b""
    assert b"the Hessian would have about 49,152 factors" in done.stderr


def test_the_fuzz_draws_every_family_and_each_is_verified_or_refused():
    assert chains.run(8, seed=21) == 0
    drawn = {chains.draw(random.Random(s)).family for s in range(40)}
    assert drawn == set(chains.FAMILIES)
