"""Issue 17 §2-§3, the student review's second pass: each sentence true of the equation
beside it and the key algebra written out. Each test reads the text of a real page, in
both layouts where the layout changes the page."""

import re

import pytest

from derivtex import derive

LAYOUTS = ["numerator", "denominator"]


def steps_of(expr: str, wrt: str, **options) -> list[dict]:
    return derive(expr, wrt, **options).to_dict()["steps"]


def rule_steps(steps: list[dict], rule: str) -> list[dict]:
    return [s for s in steps if s["rule"] == rule]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_tensor_goal_defines_its_output_before_naming_its_entry(layout):
    """W x by W: the goal spoke of y_i before any line said y = W x."""
    for expr, value in (("W x", r"\boldsymbol{W} \boldsymbol{x}"),
                        ("sigma(W x)", r"\sigma\left(\boldsymbol{W} \boldsymbol{x}\right)")):
        goal = steps_of(expr, "W", layout=layout)[0]["text"]
        assert r"Let \(\boldsymbol{y} = %s\); the derivative of a vector by a matrix has " \
            r"one entry \(\frac{\partial y_{i}}{\partial W_{kl}}\)" % value in goal, goal
        assert goal.index("Let ") < goal.index("y_{i}")


WHERE = re.compile(r"\\text\{where \}\s*\\boldsymbol\{(\w+)\}")


def used_before_where(steps: list[dict]) -> list[str]:
    """Each where-name a sentence or row uses before a where (or a sentence's "Write s =
    ...") defines it; a row's own where line defines it for that row."""
    names = {m for s in steps for m in WHERE.findall(s["latex"])}
    defined: set[str] = set()
    bad = []
    for step in steps:
        here = set(WHERE.findall(step["latex"]))
        for name in names - defined:
            use = re.search(r"\\boldsymbol\{%s\}|(?<![\\\w])%s_\{" % (name, name), step["text"])
            said = step["text"].find(r"Write \(\boldsymbol{%s} = " % name)
            if use and not 0 <= said < use.start():
                bad.append(f"{name} in the sentence of {step['rule']}")
            if said >= 0:
                defined.add(name)
            elif name not in here and re.search(r"\\boldsymbol\{%s\}|(?<![\\\w])%s_\{"
                                                % (name, name), step["latex"]):
                bad.append(f"{name} in the row of {step['rule']}")
        defined |= here
    return bad


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("expr", ["u^T tanh(W x)", "||V tanh(W x) - y||^2",
                                  "u^T sigma(W x)", "||sigma(W x) - y||^2"])
def test_a_where_name_is_defined_before_a_sentence_uses_it(expr, layout):
    """u^T tanh(W x) by W: "tanh(sum_l W_il x_l) = s_i" came a display before
    "where s = tanh(W x)"."""
    steps = steps_of(expr, "W", layout=layout)
    assert any(WHERE.search(s["latex"]) or "where" in s["text"] for s in steps)
    assert used_before_where(steps) == []


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_gradient_only_written_through_softmax_says_so_not_cancelling(layout):
    """log-sum-exp's Hessian: "Cancelling common factors and collecting like terms" for a
    gradient where nothing cancels: the quotient is only read as softmax."""
    for expr, wrt, quotient in (
            ("log(sum(exp(z)))", "z", r"\(\frac{1}{\boldsymbol{1}^{\top} \exp\left("
             r"\boldsymbol{u}\right)} \exp\left(\boldsymbol{u}\right) = \operatorname{softmax}"
             r"\left(\boldsymbol{u}\right)\)"),
            ("log(1 + exp(w^T x))", "w", r"\(\frac{\exp\left(z\right)}{1 + \exp\left(z\right)}"
             r" = \sigma\left(z\right)\)")):
        gradient, = rule_steps(steps_of(expr, wrt, order=2, layout=layout), "gradient_entry")
        assert "Cancelling" not in gradient["text"] and "collecting" not in gradient["text"]
        assert ("a column, as in gradient layout); with " + quotient) in gradient["text"]


def squash(tex: str) -> str:
    return re.sub(r"\s+|\\left|\\right|\\Bigl|\\Bigr|\\bigl|\\bigr", "", tex)


MATH = re.compile(r"\\\((.*?)\\\)")


def quoted_workhorses(step: dict) -> list[str]:
    return [m for m in MATH.findall(step["text"].split(":")[0]) if r"\delta" in m]


LOGISTIC = "-(y^T log(sigma(X w)) + (1 - y)^T log(1 - sigma(X w)))"


@pytest.mark.parametrize("layout", LAYOUTS)
def test_deltas_in_different_terms_each_have_their_workhorse(layout):
    """The logistic loss sums out delta_ju in one term and delta_jv in the other; the
    sentence quoted only the first and let it stand for both."""
    contraction, = rule_steps(steps_of(LOGISTIC, "w", layout=layout), "contraction")
    assert quoted_workhorses(contraction) == [r"\sum_{u} \delta_{ju}\, X_{ku} = X_{kj}",
                                              r"\sum_{v} \delta_{jv}\, X_{pv} = X_{pj}"]
    assert contraction["text"].startswith("Sum out the deltas with the workhorses ")
    rayleigh, = rule_steps(steps_of("x^T A x / (x^T x)", "x", layout=layout), "contraction")
    assert quoted_workhorses(rayleigh) == [r"\sum_{k} \delta_{jk}\, A_{kl} = A_{jl}",
                                           r"\sum_{l} \delta_{jl}\, A_{kl} = A_{kj}",
                                           r"\sum_{q} \delta_{jq}\, x_{q} = x_{j}"]
    for horse in quoted_workhorses(rayleigh):
        assert horse.rsplit(" = ", 1)[1] in rayleigh["latex"]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("order", [1, 2])
def test_logistic_loss_substitutes_sigma_prime_before_cancelling(layout, order):
    """The page jumped from terms with 1/sigma(.) and sigma'(.) to sigma(X w) - y: now a
    row writes sigma' through s = sigma(X w), and the cancellation names each fraction."""
    steps = steps_of(LOGISTIC, "w", layout=layout, order=order)
    rules = [s["rule"] for s in steps]
    at = rules.index("cancellation")
    substituted = steps[at - 1]
    assert substituted["rule"] == "substitution"
    assert r"\(\sigma'(z) = \sigma(z)\,\bigl(1 - \sigma(z)\bigr)\)" in substituted["text"]
    s_k = r"s_{k}" if order == 2 else \
        r"\left[\sigma\left(\boldsymbol{X} \boldsymbol{w}\right)\right]_{k}"
    s_p = s_k.replace("{k}", "{p}")
    j = "i" if order == 2 else "j"
    assert r"= %s\)" % s_k in substituted["text"]
    assert r"\frac{1}{%s} %s \left(1 - %s\right) X_{k%s}" % (s_k, s_k, s_k, j) \
        in substituted["latex"]
    cancel = steps[at]["text"]
    assert cancel.startswith(r"Entries are numbers, so \(\frac{1}{1 - %s} \left(1 - %s\right)"
                             r" = 1\) and \(\frac{1}{%s} %s = 1\)" % (s_p, s_p, s_k, s_k)), cancel
    assert "Entries that share an index" not in cancel
    # a long equation in a sentence is set with brackets TeX may break inside
    plain = cancel.replace("\\left", "").replace("\\right", "")
    assert plain.endswith((r"\(-y_{k} (1 - %s) + (1 - y_{k}) %s = %s - y_{k}\)." % (s_k, s_k, s_k)
                           ).replace("\\left", "").replace("\\right", "")), cancel


GAUSSIAN = "(x - mu)^T Sigma^{-1} (x - mu)"
S_INV = r"\boldsymbol{\Sigma}^{-1}"
X_MU = r"\left(\boldsymbol{x} - \boldsymbol{\mu}\right)"


def reading(expr: str, wrt: str, layout: str) -> str:
    """The reassembly's sentence, then its display."""
    step, = rule_steps(steps_of(expr, wrt, layout=layout), "reassembly")
    return step["text"] + "\n" + step["latex"]


def test_a_reassembly_that_reads_an_entry_transposed_shows_the_line():
    """[A X]_ij + [X^T A]_ji read as [X^T (A + A^T)]_ji needs [A X]_ij = [X^T A^T]_ji, as
    the page for x^T A x already said [A x]_j = [x^T A^T]_j."""
    assert r"\([\boldsymbol{A} \boldsymbol{X}]_{ij} = [\boldsymbol{X}^{\top} " \
        r"\boldsymbol{A}^{\top}]_{ji}\)" in reading("tr(X^T A X)", "X", "numerator")
    assert r"\([\boldsymbol{X}^{\top} \boldsymbol{A}]_{ji} = [\boldsymbol{A}^{\top} " \
        r"\boldsymbol{X}]_{ij}\)" in reading("tr(X^T A X)", "X", "denominator")
    assert r"\([\boldsymbol{A} \boldsymbol{x}]_{j} = [\boldsymbol{x}^{\top} " \
        r"\boldsymbol{A}^{\top}]_{j}\)" in reading("x^T A x", "x", "numerator")


def test_the_gaussian_pages_show_the_entries_they_read_transposed():
    """By mu, the sum over l is [Sigma^-1 (x - mu)]_j, a column's entry, which the
    numerator layout reads along a row; by Sigma the denominator layout reads entry (i, j)
    of what is naturally entry (j, i). A sum's reading is a line of the display."""
    by_mu = reading(GAUSSIAN, "mu", "numerator")
    assert "The first lines write each sum in matrix form, and then, where this layout reads " \
        "it transposed, as its transposed entry." in by_mu
    assert (r"-\sum_{l=1}^{n} [%s]_{jl} \left(x_{l} - \mu_{l}\right) &= \left[-%s %s"
            r"\right]_{j} \\" "\n" r"&= \left[-%s^{\top} \boldsymbol{\Sigma}^{-\top}\right]_{j} \\"
            % (S_INV, S_INV, X_MU, X_MU)) in by_mu, by_mu
    by_mu = reading(GAUSSIAN, "mu", "denominator")
    assert (r"-\sum_{k=1}^{n} \left(x_{k} - \mu_{k}\right) [%s]_{kj} &= \left[-%s^{\top} "
            r"%s\right]_{j} \\" "\n" r"&= \left[-\boldsymbol{\Sigma}^{-\top} %s\right]_{j} \\"
            % (S_INV, X_MU, S_INV, X_MU)) in by_mu, by_mu
    by_sigma = reading(GAUSSIAN, "Sigma", "denominator")
    assert squash(r"= [-%s %s %s^{\top} %s]_{ji} \\ &= [-\boldsymbol{\Sigma}^{-\top} %s %s^{\top} "
                  r"\boldsymbol{\Sigma}^{-\top}]_{ij} \\"
                  % (S_INV, X_MU, X_MU, S_INV, X_MU, X_MU)) in squash(by_sigma), by_sigma
    assert "with" not in reading(GAUSSIAN, "Sigma", "numerator")  # read as it stands


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_determinant_cancelling_its_reciprocal_is_said(layout):
    """log det X: 1/det(X) det(X) [X^-1]_ji was read as [X^-1]_ji with nothing said."""
    for expr, det in (("log(det(X))", r"\det\left(\boldsymbol{X}\right)"),
                      ("log(det(A X B))", r"\det\left(\boldsymbol{A} \boldsymbol{X} "
                                          r"\boldsymbol{B}\right)")):
        steps = steps_of(expr, "X", layout=layout)
        cancel, = rule_steps(steps, "cancellation")
        assert cancel["text"] == r"Numbers cancel: \(\frac{1}{%s} %s = 1\)." % (det, det)
        assert r"\frac{1}{\det" not in cancel["latex"]
        assert steps[steps.index(cancel) + 1]["rule"] in ("recognition", "reassembly")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_fraction_cancelling_inside_a_bracket_is_named(layout):
    """-y^T log(softmax(X w)): 1/s_k times a bracket holding s_k; the page said "Entries
    that share an index are plain numbers, so each fraction cancels..." instead."""
    cancel, = rule_steps(steps_of("-y^T log(softmax(X w))", "w", layout=layout),
                         "cancellation")
    assert cancel["text"] == r"Entries are numbers, so \(\frac{1}{s_{k}} s_{k} = 1\)."


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_sum_read_as_an_entry_says_which_product(layout):
    """log(1^T exp(X w)): sum_p exp(.) X_pj was read straight into the result; now a line
    says it is [exp(X w)^T X]_j and the denominator's sum is 1^T exp(X w); their
    quotient is then the softmax the result names."""
    reassembly = reading("log(1^T exp(X w))", "w", layout)
    exp_sum = r"\sum_{p=1}^{n} \exp\left(\sum_{q=1}^{m} X_{pq} w_{q}\right) X_{pj} &= " \
        r"\left[\exp\left(\boldsymbol{X} \boldsymbol{w}\right)^{\top} \boldsymbol{X}\right]_{j} \\"
    assert exp_sum in reassembly, reassembly
    assert r"\sum_{k=1}^{n} \exp\left(\sum_{l=1}^{m} X_{kl} w_{l}\right) &= \boldsymbol{1}^{" \
        r"\top} \exp\left(\boldsymbol{X} \boldsymbol{w}\right) \\" in reassembly
    assert r"\text{where } \boldsymbol{s} = \operatorname{softmax}\left(\boldsymbol{X} " \
        r"\boldsymbol{w}\right)" in reassembly
    if layout == "denominator":
        assert r"&= [\boldsymbol{X}^{\top} \boldsymbol{s}]_{j} \\" in reassembly


@pytest.mark.parametrize("layout, first, second", [
    ("numerator", r"[\boldsymbol{x}^{\top} \boldsymbol{B}^{\top} \boldsymbol{A}]_{j}",
     r"[\boldsymbol{x}^{\top} \boldsymbol{A}^{\top} \boldsymbol{B}]_{j}"),
    ("denominator", r"[\boldsymbol{A}^{\top} \boldsymbol{B} \boldsymbol{x}]_{j}",
     r"[\boldsymbol{B}^{\top} \boldsymbol{A} \boldsymbol{x}]_{j}")])
def test_a_sum_over_a_bracket_of_products_reads_each_product(layout, first, second):
    """(A x)^T (B x): sum_k (A_kj [B x]_k + [A x]_k B_kj) went to [x^T (A^T B + B^T A)]_j
    in one jump, two transposes unsaid; a student reviewing the page asked for each line."""
    page = reading("(A x)^T (B x)", "x", layout)
    assert r"\sum_{k=1}^{n} A_{kj} [\boldsymbol{B} \boldsymbol{x}]_{k} &= " + first in page
    assert r"\sum_{k=1}^{n} [\boldsymbol{A} \boldsymbol{x}]_{k} B_{kj} &= " + second in page
    assert "The first lines write each sum in matrix form." in page


@pytest.mark.parametrize("expr, said", [
    ("log(1 + exp(w^T x))", r"Here we write \(\sigma\left(z\right)\) for \(\frac{\exp\left("
     r"z\right)}{1 + \exp\left(z\right)}\), the logistic sigmoid."),
    ("log(1^T exp(X w))", r"Here we write \(\operatorname{softmax}\left(\boldsymbol{z}\right)\)"
     r" for \(\frac{\exp\left(\boldsymbol{z}\right)}{\boldsymbol{1}^{\top} \exp\left("
     r"\boldsymbol{z}\right)}\), the softmax."),
    ("sigma(w^T x)", None)])
def test_a_function_the_result_names_is_defined_where_it_first_appears(expr, said):
    """log(1 + exp(w^T x)): the rows hold exp(.)/(1 + exp(.)) and the result sigma(w^T x),
    a name no line had defined (a student reviewing the page asked what sigma is); a
    page whose rows already write sigma says nothing more."""
    text = reading(expr, "w", "numerator").split("\n")[0]
    if said is None:
        assert "Here we write" not in text
    else:
        assert said in text


def test_a_row_read_whole_as_a_plain_product_is_written_once():
    """y^T A x: sum_k y_k A_kj = [y^T A]_j, then df/dx_j = [y^T A]_j: the same entry twice
    in a row; the notes write df/dx_j = [y^T A]_j once. A reading that needs diag or a
    function's value (||W2 relu(W1 x) - y||^2 by W1) keeps its line: a student asked
    where diag came from when it went."""
    display = reading("y^T A x", "x", "numerator").split("\n", 1)[1]
    assert display.count("&=") == 1, display
    display = reading("||W2 relu(W1 x) - y||^2", "W1", "numerator").split("\n", 1)[1]
    assert display.count("&=") == 2 and r"\operatorname{diag}" in display, display
