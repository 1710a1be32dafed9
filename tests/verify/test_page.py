"""The page verifier: a false row, a workhorse about another delta, a rule in
letters the page already uses, each caught before anything is printed."""

from dataclasses import replace
from fractions import Fraction

import pytest

from derivtex import derive
from derivtex.api import parse_expression
from derivtex.engine import index as ix
from derivtex.engine import quotes
from derivtex.engine.contract import Contraction
from derivtex.engine.index_method import Outcome, derive_steps
from derivtex.engine.quotes import index_letters
from derivtex.engine.steps import Contract, Linearity, Reassembly, Softmax, SumExpansion
from derivtex.engine.written import normal
from derivtex.errors import Failure
from derivtex.model.inference import infer
from derivtex.syntax import ast
from derivtex.verify.page import PageCheckError, verify_page


def derived(text: str, wrt: str) -> tuple[Outcome, ast.Expr, dict]:
    expr, symbols = infer(parse_expression(text, frozenset()), {}, frozenset())
    return derive_steps(expr, symbols, wrt, "numerator"), expr, symbols


def fresh(outcome: Outcome) -> Outcome:
    """The same steps, with the quotes worked out again (an outcome keeps its own)."""
    return Outcome(list(outcome.steps), outcome.result, outcome.result_shape, outcome.tensor)


def with_step(outcome: Outcome, kind: type, change) -> Outcome:
    """The outcome with the first step of `kind` replaced by change(step)."""
    steps = list(outcome.steps)
    n = next(k for k, s in enumerate(steps) if isinstance(s, kind))
    steps[n] = change(steps[n])
    return Outcome(steps, outcome.result, outcome.result_shape, outcome.tensor)


@pytest.mark.parametrize("text, wrt", [("x^T A x", "x"), ("softmax(z)", "z"),
                                       ("log(det(X))", "X"), ("sigma(W x)", "x"),
                                       ("-y^T log(softmax(z))", "z")])
def test_true_pages_pass(text, wrt):
    outcome, expr, symbols = derived(text, wrt)
    verify_page(outcome, expr, symbols, wrt)


@pytest.mark.parametrize("kind", [Contract, SumExpansion])
def test_a_false_row_is_caught(kind):
    """The row doubled, or its sign flipped: it no longer equals the row before."""
    outcome, expr, symbols = derived("x^T A x", "x")
    false = with_step(outcome, kind, lambda s: replace(
        s, after=ix.prod([ix.Const(Fraction(2)), s.after])))
    with pytest.raises(PageCheckError, match="differs"):
        verify_page(false, expr, symbols, "x")


def test_a_false_reassembly_is_caught():
    """[A^T x]_j where the entries are those of x^T (A + A^T)."""
    outcome, expr, symbols = derived("x^T A x", "x")
    wrong = ast.MatMul((ast.Transpose(ast.Name("A")), ast.Name("x")))
    false = with_step(outcome, Reassembly, lambda s: replace(
        s, after=ix.Entry(wrong, s.after.col, s.after.row)))
    with pytest.raises(PageCheckError, match="differs"):
        verify_page(false, expr, symbols, "x")


def test_a_workhorse_naming_a_delta_the_row_does_not_hold_is_caught():
    outcome, expr, symbols = derived("x^T A x", "x")
    contract = next(s for s in outcome.steps if isinstance(s, Contract))
    wrong = Contraction(contract.contractions[0].summed, ix.Idx("q", "n"))
    false = with_step(outcome, Contract, lambda s: replace(s, contractions=(wrong,)))
    with pytest.raises(PageCheckError, match="row before does not hold"):
        verify_page(false, expr, symbols, "x")


def test_a_workhorse_about_another_delta_is_caught(monkeypatch):
    """softmax(z), as the page read before: the row sums out delta_jk, the sentence
    delta_ik (in the row, inside the bracket) times the bracket, = y_i 1 - y_i^2, a
    value that is not in the row it explains."""
    outcome, expr, symbols = derived("softmax(z)", "z")

    def about_delta_ik(previous, contractions, variable, after=None):
        k = contractions[0].summed
        bracket = next(n for n in ix.walk(previous) if isinstance(n, ix.Add))
        i = next(n for n in ix.walk(bracket) if isinstance(n, ix.Delta)).first
        return [quotes.Workhorse((k,), (ix.Delta(i, k),), bracket,
                                 normal(ix.rename(bracket, k, i)))]

    verify_page(outcome, expr, symbols, "z")
    monkeypatch.setattr(quotes, "workhorses", about_delta_ik)
    with pytest.raises(PageCheckError, match="value is not in the row"):
        verify_page(fresh(outcome), expr, symbols, "z")


def test_a_false_rule_statement_is_caught(monkeypatch):
    """The softmax rule with the sign of s_i s_k flipped."""
    outcome, expr, symbols = derived("softmax(W x)", "x")
    real = quotes.softmax_rule

    def flipped(step, taken):
        rule = real(step, taken)
        entry, definition = rule.quotes
        rhs = entry.rhs
        wrong = ix.Add((rhs.terms[0], ix.prod([ix.Const(Fraction(-1)), rhs.terms[1]])))
        return replace(rule, quotes=(replace(entry, rhs=wrong), definition))

    monkeypatch.setattr(quotes, "softmax_rule", flipped)
    with pytest.raises(PageCheckError, match="quoted equation differs"):
        verify_page(outcome, expr, symbols, "x")


def test_a_rule_in_letters_live_on_the_page_is_caught(monkeypatch):
    """The softmax's definition summing over q, a letter an earlier row uses (there as
    delta_qq, which is 1, so that row stays true) and the softmax's row does not."""
    outcome, expr, symbols = derived("softmax(W x)", "x")
    softmax = next(s for s in outcome.steps if isinstance(s, Softmax))
    assert "q" not in index_letters(softmax.after)
    q = ix.Idx("q", softmax.after.indices[0].dim if isinstance(softmax.after, ix.Sum) else 1)
    marked = with_step(outcome, Linearity, lambda s: replace(
        s, after=ix.Prod((s.after, ix.Delta(q, q)))))
    verify_page(marked, expr, symbols, "x")
    monkeypatch.setattr(quotes, "free_letter", lambda taken, dim: ix.Idx("q", dim))
    with pytest.raises(PageCheckError, match="indices the page uses elsewhere"):
        verify_page(fresh(marked), expr, symbols, "x")


def test_a_false_recognised_entry_is_caught(monkeypatch):
    """||A x - b||^2: the collect step's sentence writes sum_l A_kl x_l - b_k as
    [A x - b]_k; said of another bracket ([A x + b]_k), it is false."""
    from derivtex.verify import page

    outcome, expr, symbols = derived("||A x - b||^2", "x")
    verify_page(outcome, expr, symbols, "x")
    real = page.recognised_entries

    def wrong(before, after):
        plus = ast.Add((ast.MatMul((ast.Name("A"), ast.Name("x"))), ast.Name("b")))
        return [(node, ix.Entry(plus, entry.row, entry.col)) for node, entry in
                real(before, after)]

    monkeypatch.setattr(page, "recognised_entries", wrong)
    with pytest.raises(PageCheckError, match="recognised entry differs"):
        verify_page(outcome, expr, symbols, "x")


def test_every_derivation_is_checked_and_a_false_line_is_an_internal_error(monkeypatch):
    """The hook in derive(): a false delta row (the result itself right) is never
    printed; the guard calls it a bug to report (exit status 1), not bad input."""
    from derivtex.engine import index_method

    real = index_method.Delta

    def doubled(**fields):
        fields["after"] = ix.prod([ix.Const(Fraction(2)), fields["after"]])
        return real(**fields)

    monkeypatch.setattr(index_method, "Delta", doubled)
    with pytest.raises(PageCheckError) as caught:
        derive("x^T A x", "x")
    failure = Failure.from_exception(caught.value)
    assert failure.internal and "Please report" in failure.message
    assert derive("x^T A x", "x", verify=False).result_text is not None
