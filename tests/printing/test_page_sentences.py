"""Every sentence true of the equation beside it (the student review of
2026-11-27): each test reads the sentence of one step of a real derivation."""

import re

import pytest

from derivtex import derive


def steps_of(expr: str, wrt: str, **options) -> list[dict]:
    return derive(expr, wrt, **options).to_dict()["steps"]


def rule_steps(steps: list[dict], rule: str) -> list[dict]:
    return [s for s in steps if s["rule"] == rule]


def test_workhorse_quotes_the_bracket_the_delta_multiplies():
    """Σ_k δ_jk (Σ_l A_il B_lk + C_ik): the workhorse is about that bracket, not v_k."""
    contraction, = rule_steps(steps_of("(A B + C) v", "v"), "contraction")
    assert r"\sum_{k} \delta_{jk}\, [\boldsymbol{A} \boldsymbol{B} + \boldsymbol{C}]_{ik} = " \
        r"[\boldsymbol{A} \boldsymbol{B} + \boldsymbol{C}]_{ij}" in contraction["text"]
    assert "v_{k}" not in contraction["text"]
    second = rule_steps(steps_of("x^T A x", "x", order=2), "contraction")[1]
    assert r"\left(A_{ik} + A_{ki}\right) = A_{ij} + A_{ji}" in second["text"]
    assert "x_{k}" not in second["text"]


def test_contraction_says_which_sums_collapse():
    """Each sum and what it collapses to; nothing about the sums that stay as they are."""
    softmax, after_it = rule_steps(steps_of("softmax(W x)", "x"), "contraction")
    assert r"each sum over \(k\) keeps only its term" not in softmax["text"]
    assert r"the sum over \(l\) keeps only its term with \(l = j\)." in softmax["text"]
    assert r"in the sum over \(k\) the term with a delta collapses to \(k = i\)." \
        in after_it["text"]  # the delta of the sum around it: the next row
    rayleigh, = rule_steps(steps_of("x^T A x / (x^T x)", "x"), "contraction")
    assert r"in the sum over \(k\) the term with a delta collapses to \(k = j\); in the " \
        r"sum over \(l\) the term with a delta collapses to \(l = j\)" in rayleigh["text"]
    squares, = rule_steps(steps_of("||A x - b||^2", "x"), "contraction")
    assert r"each sum over \(l\)" not in squares["text"]
    assert r"the sum over \(l\) with a delta keeps only its term with \(l = j\)" \
        in squares["text"]
    for text in (rayleigh["text"], squares["text"]):
        assert "stays" not in text and "stay." not in text


def test_collect_says_what_merged():
    """Only x_j + x_j merged in the Rayleigh quotient, not two whole terms."""
    for options in ({}, {"symmetric": ["A"]}):
        collect, = rule_steps(steps_of("x^T A x / (x^T x)", "x", **options), "collect")
        assert "twice one of them" not in collect["text"]
        assert r"\(x_{j} + x_{j} = 2 x_{j}\)" in collect["text"]
    whole, = rule_steps(steps_of("||A x - b||^2", "x"), "collect")
    assert whole["text"].startswith("The two terms are equal once their summation indices")


def test_symmetric_matrix_is_declared_at_the_start():
    goal = steps_of("x^T A x / (x^T x)", "x", symmetric=["A"])[0]
    assert r"\(\boldsymbol{A}\) is symmetric, \(\boldsymbol{A}^{\top} = \boldsymbol{A}\)" \
        in goal["text"]
    assert "symmetric" not in steps_of("x^T A x / (x^T x)", "x")[0]["text"]


def test_scalar_chain_rule_is_the_plain_chain_rule_and_cites_f_prime():
    for expr, wrt, prime in (("log(det(X))", "X", r"\log'(z) = \frac{1}{z}"),
                             ("exp(-lambda ||x||^2)", "x", r"\exp'(z) = \exp(z)"),
                             ("x^T A x / (x^T x)", "x", r"-\frac{1}{z^{2}}")):
        chain, = rule_steps(steps_of(expr, wrt), "chain_rule")
        assert "elementwise" not in chain["text"], expr
        assert "function of the scalar" in chain["text"], expr
        assert prime in chain["text"], expr
    log, = rule_steps(steps_of("log(det(X))", "X"), "chain_rule")
    assert r"\(\frac{\partial}{\partial X_{ij}}\left(\log\left(u\right)\right) = \frac{1}{u} " \
        r"\frac{\partial u}{\partial X_{ij}}\)" in log["text"]
    sigmoid, = rule_steps(steps_of("sigma(W x)", "x"), "chain_rule")
    assert "elementwise function is its derivative at the same entry" in sigmoid["text"]


def test_expansion_sentence_names_what_it_writes_out():
    assert rule_steps(steps_of("log(det(X))", "X"), "sum_expansion")[0]["text"] == \
        r"We differentiate \(f\) as it is written."
    scalar, = rule_steps(steps_of("x^T A x", "x"), "sum_expansion")
    assert scalar["text"] == r"Write \(f\) as an explicit sum over indices."
    vector, = rule_steps(steps_of("W x", "x"), "sum_expansion")
    assert vector["text"] == r"Write the entry \(y_{i}\) as an explicit sum over indices."
    linearity, = rule_steps(steps_of("log(det(X))", "X"), "linearity")
    assert linearity["text"] == r"Differentiate \(f\) by \(X_{ij}\)."


def test_goal_introduces_every_symbol_with_its_space():
    d = derive("W x + alpha b", "x")
    assert d.to_dict()["steps"][0]["text"].startswith(
        r"Here \(\boldsymbol{W} \in \mathbb{R}^{n \times m}\), \(\boldsymbol{x} \in "
        r"\mathbb{R}^{m}\), \(\alpha \in \mathbb{R}\) and \(\boldsymbol{b} \in "
        r"\mathbb{R}^{n}\).")
    assert "W in RR^(n times m)" in d.typst.replace("bold(W)", "W")
    hessian = steps_of("x^T A x", "x", order=2)[0]
    assert hessian["text"].startswith(r"Here \(\boldsymbol{x} \in \mathbb{R}^{n}\) and "
                                      r"\(\boldsymbol{A} \in \mathbb{R}^{n \times n}\).")


def test_row_vector_sentence_stands_on_its_own():
    goal = steps_of("x^T A", "x")[0]
    assert "notes" not in goal["text"]
    assert r"has the same entries as the column \(\boldsymbol{A}^{\top} \boldsymbol{x}\)" \
        in goal["text"]


@pytest.mark.parametrize("layout", ["numerator", "denominator"])
def test_inner_product_in_disguise_cites_the_cookbook_with_its_layout(layout):
    """The Cookbook's (69) is d(a^T x)/dx = a; the page states its transpose, a^T, and
    says what the row multiplies: dx/dx = I."""
    identity, = rule_steps(steps_of("y^T A x", "x", method="identity", layout=layout),
                           "identity")
    assert "(the transpose of Matrix Cookbook eq. (69), which is in denominator layout)" \
        in identity["text"]
    assert r"\(\frac{\partial \boldsymbol{x}}{\partial \boldsymbol{x}} = \boldsymbol{I}\), " \
        "so the row itself." in identity["text"]


def test_softmax_derivative_is_derived_from_its_definition():
    softmax, = rule_steps(steps_of("softmax(W x)", "x"), "softmax")
    assert r"\(y_{i} = \frac{\exp\left(u_{i}\right)}{\sum_{p} \exp\left(u_{p}\right)}\), " \
        r"has by the quotient rule \(\frac{\partial y_{i}}{\partial u_{k}} = y_{i} " \
        r"\delta_{ik} - y_{i} y_{k}\)" in softmax["text"]


def test_collect_states_each_bracket_once():
    collect, = rule_steps(steps_of("(x^T x)^2", "x"), "collect")
    assert collect["text"].startswith(
        r"Equal terms add up, \(x_{j} + x_{j} = 2 x_{j}\). We")


def test_collect_says_which_sums_it_writes_as_entries_of_whole_expressions():
    """2 sum_k A_kj [A x - b]_k: the bracket the step recognised is said, not slipped in."""
    collect, = rule_steps(steps_of("||A x - b||^2", "x"), "collect")
    assert collect["text"].endswith(r"We also write \(\sum_{l=1}^{m} A_{kl} x_{l} - b_{k} = "
                                    r"[\boldsymbol{A} \boldsymbol{x} - \boldsymbol{b}]_{k}\).")


def test_index_form_says_what_the_tensor_means_without_repeating_it():
    """W x by W ended "The entries above are exact." and printed δ_ki x_l a second time."""
    *_, contraction, index_form = steps_of("W x", "W")
    assert contraction["latex"] == r"\frac{\partial y_{i}}{\partial W_{kl}} &= \delta_{ki} x_{l}"
    assert index_form["latex"] == ""
    assert index_form["text"] == (
        "A matrix has only two indices, so this tensor of order 3 has no matrix form (short of "
        "flattening it by some convention): its index form is the answer. Only the entries "
        r"with \(k = i\) are nonzero: \(W_{kl}\) affects only \(y_{k}\).")
    assert r"\(x_{k}\) affects only the entries \(F_{kj}\)." in steps_of("x y^T", "x")[-1]["text"]
    assert steps_of("A X B", "X")[-1]["text"].endswith("its index form is the answer.")
    sigmoid = steps_of("sigma(W x)", "W")[-1]  # sigma' written out: a new line, so printed
    assert sigmoid["latex"].endswith(r"\right)\right]_{i} \delta_{ki} x_{l}")
    page = derive("W x", "W").latex
    assert page.count(r"\delta_{ki} x_{l}") == 1
    assert page.rstrip().endswith(r"\(W_{kl}\) affects only \(y_{k}\).")


def test_both_methods_declare_the_symbols_once_in_the_first_part():
    d = derive("y^T A x", "x", method="both", symmetric=["A"])
    here = r"Here \(\boldsymbol{y} \in \mathbb{R}^{n}\), \(\boldsymbol{A} \in \mathbb{R}^{n " \
        r"\times n}\) and \(\boldsymbol{x} \in \mathbb{R}^{n}\). \(\boldsymbol{A}\) is " \
        r"symmetric, \(\boldsymbol{A}^{\top} = \boldsymbol{A}\). Let \(f = \boldsymbol{y}^{\top} " \
        r"\boldsymbol{A} \boldsymbol{x}\); it is a scalar"
    assert d.steps[0]["text"].startswith(here)
    assert d.identity_steps[0]["text"] == (
        r"We build \(\frac{\partial f}{\partial \boldsymbol{x}}\), of shape \(1 \times n\) in "
        "numerator layout, from identities we already know, combined by the sum, product and "
        "chain rules.")
    for page in (d.latex, d.markdown, d.typst):
        assert page.count("Here ") == 1 and page.count("is symmetric") == 1
        assert page.index("Here ") < page.index("By the index method") + 40
    alone = derive("y^T A x", "x", method="identity")
    assert alone.steps[0]["text"].startswith(r"Here \(\boldsymbol{y} \in \mathbb{R}^{n}\)")


def test_hessian_ends_on_its_matrix_and_says_kronecker_delta_once():
    d = derive("x^T A x", "x", order=2)
    symmetry = d.to_dict()["steps"][-1]
    assert symmetry["latex"] == r"\boldsymbol{H} &= \boldsymbol{A} + \boldsymbol{A}^{\top}"
    assert symmetry["text"].startswith(
        r"\(\boldsymbol{H}\) is symmetric, \(\boldsymbol{H}^{\top} = \boldsymbol{H}\), as")
    assert d.typst.rstrip().endswith("$ bold(H) &= bold(A) + bold(A)^(top) $")
    second = rule_steps(d.to_dict()["steps"], "delta")[1]
    assert second["text"] == (
        r"Differentiating by \(x_{j}\) brings a second Kronecker delta, \(\frac{\partial "
        r"x_{k}}{\partial x_{j}} = \delta_{jk}\): it is 1 when its indices agree and 0 "
        r"otherwise. Everything that does not contain \(x_{j}\) has derivative 0.")
    several = rule_steps(steps_of("(x^T x)^2", "x", order=2), "delta")[1]
    assert several["text"].startswith(
        r"Differentiating by \(x_{j}\) brings more Kronecker deltas, \(\frac{\partial x_{i}}"
        r"{\partial x_{j}} = \delta_{ji}\) and \(\frac{\partial x_{k}}{\partial x_{j}} = "
        r"\delta_{jk}\): each is 1 when its indices agree")
    rayleigh = steps_of("x^T A x / (x^T x)", "x", order=2)[-1]
    assert not rayleigh["latex"].endswith(r"= \boldsymbol{H}^{\top}")
    assert "does not show it at a glance: its entries satisfy" in rayleigh["text"]
    logistic = steps_of("sigma(w^T x)", "x", order=2)[-1]  # f (1 - f) (1 - 2 f) w w^T
    assert r"\boldsymbol{H}^{\top} = \boldsymbol{H}\), as" in logistic["text"]


def test_with_no_sum_to_contract_the_deltas_stay_and_the_equation_is_not_repeated():
    """d X / d X: two deltas and no sum; the contraction step says so in one sentence and
    does not print the delta line a second time."""
    steps = {s["rule"]: s for s in derive("X", "X").to_dict()["steps"]}
    assert steps["contraction"]["latex"] == ""
    assert steps["contraction"]["text"] == (
        "There is no sum left to take a delta out of: the deltas stay, each pairing a free "
        "index of the output with one of the variable.")
    one = {s["rule"]: s for s in derive("x", "x").to_dict()["steps"]}
    assert one["contraction"]["latex"] == "" and one["contraction"]["text"].endswith(
        "the delta stays, and pairs the two free indices.")
    assert one["delta"]["latex"].endswith(r"&= \delta_{ji}")


def test_an_index_form_that_writes_a_derivative_out_says_with_what():
    """sigma(W x) by W: the last line writes sigma' through sigma's values; the sentence
    beside it cites sigma'(z) = sigma(z)(1 - sigma(z)), so the change is explained."""
    steps = derive("sigma(W x)", "W").to_dict()["steps"]
    assert steps[-1]["rule"] == "index_form"
    assert (r"its index form is the answer, written out with \(\sigma'(z) = \sigma(z)\,"
            r"\bigl(1 - \sigma(z)\bigr)\).") in steps[-1]["text"]
    assert r"\odot" in steps[-1]["latex"]
    plain = derive("W x", "W").to_dict()["steps"][-1]
    assert "written out" not in plain["text"] and plain["latex"] == ""


# -- issue 17 §2: sentences true of the equation beside them, on the hard cases ---------

LAYOUTS = ["numerator", "denominator"]
WORKHORSE = re.compile(r"workhorse \\\((.*?)\\\)")
LITERAL_ONE = re.compile(r"_\{?[a-z]\}?\s+1(?![\d.])\s*(?:[-+=}&]|\\\\|\\right|$)|"
                         r"(?<![\d.{^_\\])1\s*\\(exp|log|sigma|tanh)\b")


def squash(tex: str) -> str:
    return re.sub(r"\s+|\\,|\\left|\\right|\\bigl|\\bigr", "", tex)


def workhorses(steps: list[dict]) -> list[tuple[str, dict, dict]]:
    """(workhorse, the row before, its own row) for each contraction step."""
    return [(WORKHORSE.search(s["text"]).group(1), steps[n - 1], s)
            for n, s in enumerate(steps) if s["rule"] == "contraction"
            and WORKHORSE.search(s["text"])]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("expr, wrt", [("softmax(z)", "z"), ("-y^T log(softmax(z))", "z"),
                                       ("log(1^T exp(z))", "z"), ("softmax(W x)", "x")])
def test_each_workhorse_sums_out_a_delta_of_the_row_before_into_its_row(expr, wrt, layout):
    steps = steps_of(expr, wrt, layout=layout)
    found = workhorses(steps)
    assert found
    for horse, before, row in found:
        for pair in re.findall(r"\\delta_\{(\w+)\}", horse.split("=")[0]):
            assert re.search(r"\\delta_\{(%s|%s)\}" % (pair, pair[::-1]), before["latex"]), \
                (horse, before["latex"])
        assert squash(horse.rsplit(" = ", 1)[1]) in squash(row["latex"]), (horse, row["latex"])
    assert not LITERAL_ONE.search(derive(expr, wrt, layout=layout).latex)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_softmax_workhorse_contracts_the_delta_of_the_display(layout):
    """softmax(z): the display sums out delta_jk, and so does the sentence (it read
    "sum_k delta_ik (...) = y_i 1 - y_i^2"), quoting a factor only delta_jk collapses."""
    (horse, _, row), = workhorses(steps_of("softmax(z)", "z", layout=layout))
    assert horse == r"\sum_{k} \delta_{jk}\, y_{k} = y_{j}"
    assert row["latex"].endswith(r"&= y_{i} \delta_{ij} - y_{i} y_{j}")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_delta_beside_exp_is_about_exp_not_a_ones_entry(layout):
    """Sum_l exp(z_l) delta_jl: the workhorse read "sum_l delta_jl 1 = 1"."""
    (horse, _, _), = workhorses(steps_of("log(1^T exp(z))", "z", layout=layout))
    assert horse == r"\sum_{l} \delta_{jl}\, \exp\left(z_{l}\right) = \exp\left(z_{j}\right)"


@pytest.mark.parametrize("layout", LAYOUTS)
def test_each_delta_is_summed_out_in_its_own_contraction(layout):
    """-y^T log(softmax(z)): the inner sum's delta, then the delta it leaves, each with
    its own row and sentence; no sentence merges them ("l = k or l = j")."""
    steps = steps_of("-y^T log(softmax(z))", "z", layout=layout)
    found = workhorses(steps)
    assert [re.findall(r"\\delta_\{(\w+)\}", h.split(r"\,")[0]) for h, _, _ in found] == \
        [["jl"], ["kj"]]
    for step in rule_steps(steps, "contraction"):
        assert " or " not in step["text"]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("expr, wrt", [("softmax(W x)", "W"), ("-y^T log(softmax(W x))", "W"),
                                       ("a^T inv(X) b", "X"), ("log(det(X))", "X"),
                                       ("log(det(A X B))", "X"), ("softmax(W x)", "x")])
def test_rules_are_stated_in_the_rows_own_indices(expr, wrt, layout):
    """The softmax rule in i, k where i is W's row index; "the chain rule sums over k"
    where the display sums over l; Jacobi's formula and the inverse rule in letters the
    page uses for something else: each rule now speaks of its row's indices."""
    steps = steps_of(expr, wrt, layout=layout)
    rules = [s for s in steps if s["rule"] in ("softmax", "determinant", "inverse")]
    assert rules
    for step in rules:
        own = set(re.findall(r"_\{([a-z])", step["latex"])) | {
            c for g in re.findall(r"_\{([a-z]+)\}", step["latex"]) for c in g}
        statement = re.findall(r"\\\((.*?)\\\)", step["text"])
        said = {c for m in statement if "partial" in m
                for g in re.findall(r"_\{([a-z]+)\}", m) for c in g}
        assert said <= own, (step["text"], step["latex"])
        summed = re.search(r"the chain rule sums over \\\((\w)\\\)", step["text"])
        if summed:
            assert r"\sum_{%s=1}" % summed.group(1) in step["latex"]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_no_sentence_is_said_twice_in_a_row(layout):
    """x^T A x / (x^T x): the product rule's sentence came three times, word for word."""
    steps = steps_of("x^T A x / (x^T x)", "x", layout=layout)
    texts = [s["text"] for s in steps]
    assert all(a != b for a, b in zip(texts, texts[1:], strict=False))
    products = rule_steps(steps, "product_rule")
    assert len(products) == 3 and len({s["text"] for s in products}) == 3
    assert products[1]["text"] == (r"The product rule again, now on \(x_{k} A_{kl} x_{l}\): one "
                                   "term for each factor that holds the variable.")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_sentences_say_what_the_row_shows_not_what_does_not_happen(layout):
    """No "the other sum over l stays"; "we multiply out" only where the row did; the
    cancelled fractions named instead of "Entries that share an index are plain numbers"."""
    for expr in ("x^T A x / (x^T x)", "||A x - b||^2", "x^T A x", "softmax(W x)"):
        for step in rule_steps(steps_of(expr, "x", layout=layout), "contraction"):
            assert "stay" not in step["text"], (expr, step["text"])
    collect, = rule_steps(steps_of("(x^T x)^2", "x", layout=layout), "collect")
    assert "multiply out" not in collect["text"]
    rayleigh, = rule_steps(steps_of("x^T A x / (x^T x)", "x", layout=layout), "collect")
    assert "and we multiply out" in rayleigh["text"]
    cancel, = rule_steps(steps_of("-y^T log(softmax(z))", "z", layout=layout), "cancellation")
    assert cancel["text"] == (r"Entries are numbers, so \(\frac{1}{s_{k}} s_{k} = 1\) and "
                              r"\(\frac{1}{s_{j}} s_{j} = 1\).")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_goal_defines_f_before_saying_what_it_is(layout):
    """"f is a scalar" came before any display defined f."""
    scalar = steps_of("y^T A x", "x", layout=layout)[0]["text"]
    assert r"Let \(f = \boldsymbol{y}^{\top} \boldsymbol{A} \boldsymbol{x}\); it is a " \
        "scalar, so" in scalar
    vector = steps_of("softmax(z)", "z", layout=layout)[0]["text"]
    assert r"Let \(\boldsymbol{y} = \operatorname{softmax}\left(\boldsymbol{z}\right)\); " \
        "it is a vector, so the Jacobian" in vector
    hessian = steps_of("x^T A x", "x", order=2, layout=layout)[0]["text"]
    assert r"Let \(f = \boldsymbol{x}^{\top} \boldsymbol{A} \boldsymbol{x}\); it is a scalar " \
        r"and \(\boldsymbol{x}\) a vector" in hessian


def test_jacobis_formula_says_it_needs_an_invertible_matrix():
    """det(X) by X is det(X) X^{-1} only where X is invertible; a student reviewing the page
    missed the condition."""
    rule, = rule_steps(steps_of("det(X)", "X"), "determinant")
    assert rule["text"].endswith("(Jacobi's formula, for an invertible matrix).")


def test_an_entry_with_no_sum_is_not_said_to_be_written_in_indices():
    """softmax(W x): 'Write the entry y_i out in indices' stood above y_i = [softmax(W x)]_i,
    where nothing is written in indices (and 'no sum to write out' would be false: W x is
    one, written out when it is reached)."""
    expansion, = rule_steps(steps_of("softmax(W x)", "x"), "sum_expansion")
    assert expansion["text"] == \
        r"We differentiate the entry \(y_{i}\) as it is written."


def test_the_chain_rules_scalar_is_no_index_of_the_page():
    """x^T A x / (x^T x)'s Hessian: the chain rule named the scalar u = sum_t x_t^2 on a page
    that also sums over an index u."""
    steps = steps_of("x^T A x / (x^T x)", "x", symmetric=("A",), order=2)
    used = {m for s in steps for m in re.findall(r"\\sum_\{(\w)=1\}", s["latex"])}
    for rule in rule_steps(steps, "chain_rule"):
        scalar = re.search(r"the scalar \\\((\w) = ", rule["text"])
        assert scalar and scalar.group(1) not in used, (scalar, used)
