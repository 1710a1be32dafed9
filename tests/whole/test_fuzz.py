"""`make fuzz`: the generator's long products and zero factors, and a short run."""

import numpy as np

from fuzz import generate, run


def scripted(*picks):
    """A `choose` that takes the given options in turn."""
    queue = list(picks)

    def choose(options):
        pick = queue.pop(0)
        assert pick in options
        return pick

    return choose


def test_chain_and_zero_factor_are_drawn_with_their_numpy_values():
    env = {"A": np.diag([2.0, 3.0]), "B": np.eye(2), "P": np.array([[1.0, 2.0], [3.0, 4.0]])}
    chain = generate.matrix(scripted("chain", "3", "A", "B^T", "inv(A)"), 3)
    assert chain.text == "A B^T inv(A)"
    np.testing.assert_allclose(chain.fn(env), np.eye(2))
    zero = generate.matrix(scripted("zero", "P"), 0)
    assert zero.text == "(P^T - P.T)"
    np.testing.assert_allclose(zero.fn(env), np.zeros((2, 2)))


def test_short_run_has_no_wrong_crash_or_slow(capsys):
    assert run.main(["-n", "60", "--seed", "5"]) == 0
    report = capsys.readouterr().out
    assert "  wrong     0" in report and "  crash     0" in report and "  slow      0" in report


def test_a_reference_point_lost_in_rounding_decides_nothing():
    # exp of a chain of nine matrices near 2I is ~1e40: differences of f by 1e-6 are noise
    from derivtex import derive

    text = "(exp(x + a) - relu(x) + exp(B^T B^T A inv(A) A C A B^T sigma(a)))^T A"

    def fn(env):
        chain = env["B"].T @ env["B"].T @ env["A"] @ np.linalg.inv(env["A"]) @ env["A"] \
            @ env["C"] @ env["A"] @ env["B"].T @ (1 / (1 + np.exp(-env["a"])))
        return (np.exp(env["x"] + env["a"]) - np.maximum(env["x"], 0) + np.exp(chain)).T \
            @ env["A"]

    d = derive(text, "x", layout="denominator")
    data = d.to_dict()
    decided = [run.compare(d, data, fn, ("x", "denominator"), 123, s) for s in run.BIND_SCALES]
    assert decided == [None, True, True]
    wrong = {**data, "numpy": "2 * " + data["numpy"]}
    assert run.compare(d, wrong, fn, ("x", "denominator"), 123, 0.1) is False


def test_the_generator_draws_adjacent_norms_abs_and_symmetric_variables():
    """Issue 24: each new input is drawn, with a numpy value that matches its meaning."""
    env = {"x": np.array([[3.0], [-4.0]]), "b": np.array([[0.0], [2.0]]),
           "c": np.zeros((2, 1)), "S": np.array([[2.0, 0.5], [0.5, 1.0]])}
    norms = generate.lecturer_scalar(scripted("norms", "x"), 2)
    assert norms.text == "||x + c|| ||b||"
    np.testing.assert_allclose(norms.fn(env), 10.0)
    cosine = generate.lecturer_scalar(scripted("cosine", "x"), 2)
    assert cosine.text == "(x + c)^T b / (||x + c|| ||b||)"
    np.testing.assert_allclose(cosine.fn(env), -0.8)
    l1 = generate.lecturer_scalar(scripted("l1", "x"), 2)
    assert l1.text == "1^T abs(x - b)"
    np.testing.assert_allclose(l1.fn(env), 9.0)
    gp = generate.lecturer_scalar(scripted("symmetric_variable", "x"), 2)
    assert gp.text == "log(det(S)) + (x)^T inv(S) (x)" and gp.symmetric == ("S",)
    np.testing.assert_allclose(gp.fn(env), np.log(1.75) + (env["x"].T @ np.linalg.inv(
        env["S"]) @ env["x"]).item())
