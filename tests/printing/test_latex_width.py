"""Long LaTeX rows set as a lecturer sets them: a row too wide breaks at the shallowest
level that fits (a further = first, then between terms, then between factors), inside a
bracket only when the bracket cannot fit on a line of its own, and a bracket that spans
rows has two halves of one fixed size (\\bigl ... \\bigr, never \\left/\\right across a
break). The measure of "fits" is pdflatex's own overfull-box report, as in test_pages."""

import re

import pytest

from derivtex import derive
from derivtex.printing.latex_linebreak import TEXT_WIDTH, fold, opened, width
from tests.printing.test_pages import overfull

LOGISTIC = "-(y^T log(sigma(X w)) + (1 - y)^T log(1 - sigma(X w)))"
KALMAN = "(z - H x)^T R^{-1} (z - H x) + (x - m)^T P^{-1} (x - m)"
# real long pages: a classifier's loss, a network by either weight, a Kalman-style Hessian,
# and others from ML and statistics courses
LONG = [
    (LOGISTIC, "w", {}), ("||V tanh(W x) - y||^2", "W", {}), ("||V tanh(W x) - y||^2", "V", {}),
    (KALMAN, "x", {"order": 2}), (LOGISTIC, "w", {"order": 2}),
    ("-y^T log(softmax(W x))", "W", {}), ("||W2 tanh(W1 x + b1) - y||^2", "W1", {}),
    ("log(1 + (x - m)^T inv(S) (x - m) / nu)", "x", {}), ("x^T A x / (x^T x)", "x", {}),
    ("(x - mu)^T inv(Sigma) (x - mu)", "Sigma", {}), ("1^T log(cosh(X w - y))", "w", {"order": 2}),
    ("sigma(w^T x)", "w", {"order": 2}),
    # a reading line's long left side widens the display's left column for every row
    ("||W2 relu(W1 x) - y||^2", "W1", {}), ("1/2 ||U V^T - M||_F^2", "U", {}),
]
SIZED = re.compile(r"\\(big|Big|bigg|Bigg)([lr])(\(|\[|\)|\])")
# what a bracket is not cut from after it: its scripts, the closing halves it stands last in
SCRIPTS = re.compile(r"(?:[_^]\{(?:[^{}]|\{[^{}]*\})*\}|\\(?:big|Big|bigg|Bigg)r[)\]])*")
# what a bracket cannot be cut from: a sum's operator, a derivative's, a function's name,
# a sign or =, a number, the opening half of a bracket it stands first in
GLUED = re.compile(r"(?:[-+=] ?|\d+ |\\sum_\{(?:[^{}]|\{[^{}]*\})*\}\^\{[^{}]*\}\s*"
                   r"|\\frac\{\\partial\}\{\\partial \w+_\{[\w,{}]+\}\}|\\[a-z]+'?"
                   r"|\\operatorname\{\w+\}'?|\\(?:big|Big|bigg|Bigg)l[(\[])*$")


def ids(case):
    return f"{case[0]} by {case[1]}" + (" order 2" if case[2].get("order") == 2 else "")


@pytest.mark.parametrize("layout", ["numerator", "denominator"])
def test_long_pages_have_no_overfull_line(layout, tmp_path, pdflatex):
    parts = []
    for expr, wrt, options in LONG:
        if options.get("order") == 2 and layout == "denominator":
            continue  # a Hessian is the same in both layouts
        d = derive(expr, wrt, layout=layout, **options)
        parts.append(r"\section*{$%s$}" % d.title + "\n" + d.latex + "\n\\clearpage")
    preamble = derive("x", "x").standalone().split(r"\section*")[0]
    (tmp_path / "long.tex").write_text(preamble + "\n".join(parts) + "\n\\end{document}\n")
    assert [w for w in overfull(tmp_path, "long.tex", pdflatex) if w > 1] == []


def breaks_in(body: str) -> list[str]:
    """Every problem with where the rows of one display were broken."""
    bad = []
    rows = body.split(" \\\\\n")
    for row in rows:
        if row.count(r"\left") != row.count(r"\right"):
            bad.append(f"\\left/\\right across a break: {row[:80]}")
    text, rooms = "", [(0, TEXT_WIDTH)]  # the rows' right sides; from where each room holds
    widest = min(max(width(row.partition("&")[0]) for row in rows), TEXT_WIDTH / 2)
    for row in rows:
        lhs, _, rhs = row.partition("&")
        if lhs.strip():
            rooms.append((len(text), TEXT_WIDTH - max(width(lhs), widest) - width(r"\qquad")))
        text += re.sub(r"^(\\quad )*", "", rhs) + " "
    stack: list[re.Match] = []
    for match in SIZED.finditer(text):
        if match.group(2) == "l":
            stack.append(match)
            continue
        start = stack.pop()
        if start.group(1) != match.group(1):
            bad.append(f"\\{start.group(1)}l closed by \\{match.group(1)}r")
        glued = GLUED.search(text, 0, start.start()).start()  # what it cannot be cut from
        room = [r for at, r in rooms if at <= start.start()][-1]
        end = SCRIPTS.match(text, match.end()).end()
        if width(text[glued:end]) <= room:
            bad.append(f"opened although it fits a row: {text[glued:][:60]}")
    return bad


@pytest.mark.parametrize("case", LONG, ids=ids)
def test_breaks_are_at_the_shallowest_level_and_sized_alike(case):
    expr, wrt, options = case
    d = derive(expr, wrt, **options)
    for step in d.steps:
        assert breaks_in(step["body"]) == [], step["rule"]


def rows_of(d, rule: str, nth: int = 0) -> list[str]:
    return [s["body"] for s in d.steps if s["rule"] == rule][nth].split(" \\\\\n")


def test_logistic_loss_breaks_between_its_two_sums_never_inside_1_minus_y():
    """Seen: "(1" / "− y_p)" on two rows. The loss's two sums are the terms inside its
    outer bracket: that bracket opens (-\\Biggl( ... \\Biggr)), nothing deeper does."""
    d = derive(LOGISTIC, "w")
    for rule in ("linearity", "chain_rule", "delta", "contraction"):
        rows = rows_of(d, rule)
        assert len(rows) == 2, rule
        assert rows[0].startswith(r"\frac{\partial f}{\partial w_{j}} &= -\Biggl(\sum_{k=1}^{n} ")
        assert rows[1].startswith((r"&\quad + \sum_{p=1}^{n} ", r"&\quad - \sum_{p=1}^{n} "))
        assert rows[1].endswith(r"\Biggr)")
        assert r"\left(1 - y_{p}\right)" in rows[1]


def test_network_product_rule_breaks_between_terms_then_between_factors():
    """Seen: a row holding only "− y_k)". Each of the two product-rule terms starts a row,
    and a term too wide goes on with its second factor, whole, two quads in."""
    rows = rows_of(derive("||V tanh(W x) - y||^2", "W"), "product_rule")
    assert [row.split(r"\left(")[0] for row in rows] == [
        r"\frac{\partial f}{\partial W_{ij}} &= \sum_{k=1}^{n} \Biggl(",
        r"&\quad \quad ", r"&\quad + ", r"&\quad \quad "]
    assert rows[1].endswith(r"- y_{k}\right)") and rows[3].endswith(r"\right)\Biggr)")


def test_a_chain_of_equalities_breaks_at_its_second_equals_sign():
    """The Kalman Hessian's gradient entry, [..]_i = sum_k ...: the sum starts a row `&= `
    of its own rather than the row breaking inside the sum's product."""
    rows = rows_of(derive(KALMAN, "x", order=2), "gradient_entry")
    assert rows[0].endswith(r"\right]_{i}") and rows[1].startswith(r"&= \sum_{k=1}^{p} ")


def test_a_bracket_that_fits_on_a_row_of_its_own_is_never_opened():
    small = r"\left(1 - y_{p}\right)"
    long_sum = " + ".join(f"a_{{{k}}} b_{{{k}}}" for k in range(40))
    row = r"f &= " + long_sum + r" + " + small + r" \left(" + long_sum + r"\right)"
    folded = fold(row)
    assert small in folded and r"\left(1" not in folded.replace(small, "")
    assert breaks_in(folded) == []


@pytest.mark.parametrize("content, size", [
    (r"a + b", r"\big"), (r"\frac{1}{x} + b", r"\bigg"), (r"\sum_{k=1}^{n} a_{k} + b", r"\Bigg")])
def test_an_opened_bracket_is_as_tall_as_what_it_holds(content, size):
    assert opened(r"\sigma\left(" + content + r"\right)^{2}") == (
        r"\sigma" + size + "l(", content, size + "r)^{2}")


def test_width_estimate_is_within_five_percent_of_pdflatex(tmp_path, pdflatex):
    """The estimate leaves 5 % of the text width spare: every long row of the pages above
    measured by TeX itself (\\wd of an \\hbox) is within 5 % of it."""
    rows = []
    for expr, wrt, options in LONG[:5]:
        for step in derive(expr, wrt, **options).steps:
            rows += [r for r in step["body"].split(" \\\\\n") if width(r) > 250]
    boxes = "\n".join(r"\setbox0\hbox{$\displaystyle %s$}\typeout{W%d=\the\wd0}"
                      % (r.replace("&", ""), k) for k, r in enumerate(rows))
    preamble = derive("x", "x").standalone().split(r"\section*")[0]
    (tmp_path / "w.tex").write_text(preamble + boxes + "\nx\n\\end{document}\n")
    overfull(tmp_path, "w.tex", pdflatex)
    log = (tmp_path / "w.log").read_text()
    real = {int(k): float(v) for k, v in re.findall(r"W(\d+)=([\d.]+)pt", log)}
    assert len(real) == len(rows) > 20
    assert [(rows[k][:50], real[k], width(rows[k])) for k in real
            if real[k] > 1.05 * width(rows[k])] == []


def test_a_long_equation_in_a_sentence_may_break_inside_its_brackets(tmp_path, pdflatex):
    """\\left ... \\right is one box TeX never breaks: in a long equation quoted in a
    sentence the brackets are plain (\\bigl around a sum), so the sentence keeps to the
    margins; a short one keeps its \\left ... \\right."""
    from derivtex.model.shapes import Shapes
    from derivtex.printing.latex import LatexPrinter
    from derivtex.printing.render import render

    p = LatexPrinter(Shapes({}))
    short = r"\left(x_{1} - m_{1}\right)"
    assert p.inline(short) == r"\(" + short + r"\)"
    terms = [r"\left(\sum_{k=1}^{n} H_{%dk} x_{k} - m_{%d}\right)" % (n, n) for n in range(9)]
    long = p.inline(r"\nabla f = " + " + ".join(terms))
    assert r"\left" not in long and r"\bigl(\sum_{k=1}^{n} H_{0k} x_{k} - m_{0}\bigr)" in long
    sentence = "These are the entries of the gradient " + long + ". " + "Its entry. " * 5
    (tmp_path / "s.tex").write_text(render("standalone.tex.j2", title="x", snippet=sentence))
    assert [w for w in overfull(tmp_path, "s.tex", pdflatex) if w > 1] == []


def test_every_right_side_starts_after_the_widest_left_side():
    """align sets one left column as wide as its widest left side: a short row's long right
    side is broken to fit after that column, not after its own short left side."""
    long_lhs = " + ".join(f"a_{{{k}}} b_{{{k}}}" for k in range(7))
    rhs = " + ".join(f"c_{{{k}}} d_{{{k}}}" for k in range(12))
    body = f"{long_lhs} &= x \\\\\ny &= {rhs}"
    assert width(f"y {rhs}") < TEXT_WIDTH < width(long_lhs) + width(rhs)
    rows = fold(body).split("\\\\")
    assert len(rows) > 2
    assert all(width(long_lhs) + width(r.partition("&")[2]) <= TEXT_WIDTH for r in rows)


def test_a_short_factor_is_never_a_row_of_its_own():
    """1/2 ||U V^T - M||_F^2 by U: 'df/dU_ij = 1/2' stood alone on a row, the double sum
    on the next; the 1/2 stays on the line the bracket opens on."""
    d = derive("1/2 ||U V^T - M||_F^2", "U")
    rows = [row for s in d.steps for row in s["body"].split(" \\\\\n")]
    assert not [r for r in rows if r.rstrip().endswith(r"&= \frac{1}{2}")], rows
    assert any(r.startswith(r"\frac{\partial f}{\partial U_{ij}} &= \frac{1}{2} \sum") and
               r"\Biggl(" in r for r in rows)


def test_a_sentence_quoting_long_equations_is_never_stretched(tmp_path, pdflatex):
    """tr(A X^T B X), 1/2 w^T w + lambda 1^T relu(1 - X w): a sentence quoting two long sums
    was set with gaps a student noticed (TeX's Underfull \\hbox); a standalone page sets
    its text ragged right instead."""
    for n, (expr, wrt) in enumerate([("tr(A X^T B X)", "X"),
                                     ("1/2 w^T w + lambda 1^T relu(1 - X w)", "w")]):
        name = f"s{n}.tex"
        (tmp_path / name).write_text(derive(expr, wrt).standalone())
        assert [w for w in overfull(tmp_path, name, pdflatex) if w > 1] == []
        log = (tmp_path / name).with_suffix(".log").read_text(errors="replace")
        assert "Underfull \\hbox" not in log
