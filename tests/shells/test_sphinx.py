"""The Sphinx directive in real builds (sphinx.testing and sphinx-build), and the sample
site in Chromium."""

import os
import re
import subprocess
import sys
import zlib

import pytest

from derivtex.shells import publish
from tests.browser import displayed_equations, raw_tex, rendered_dom, served, vendor_mathjax
from tests.conftest import ROOT

CANARY = "/tmp/derivtex_pwned"


@pytest.mark.sphinx("html", testroot="derivtex", freshenv=True)
def test_html_has_the_derivation_and_bad_input_is_a_located_warning(app, warning):
    app.build()
    html = (app.outdir / "index.html").read_text()
    assert html.count('class="math notranslate nohighlight"') >= 16
    assert r"\boldsymbol{y}^{\top} \boldsymbol{A}" in html
    assert 'id="equation-bilinear"' in html and "The end." in html
    warnings = warning.getvalue()
    assert re.search(r"index\.rst:16: WARNING: derivtex: syntax error: column 1: unknown "
                     r"function 'bar'", warnings), warnings
    assert re.search(r"index\.rst:37: WARNING: derivtex: bad option: :layout: 'sideways'",
                     warnings), warnings
    assert re.search(r'id="equation-hessian">\s*<span id="derivation-hessian"></span>'
                     r'<span class="eqno">\(2\)', html)
    assert r"\boldsymbol{H} &amp;= 2 \boldsymbol{S}" in html
    # Each failed derivation leaves a visible note with its message where it was.
    assert html.count('class="error derivtex-error admonition"') == 4
    assert "unknown function" in html.split("After the bad one.")[0]


@pytest.mark.sphinx("html", testroot="derivtex", freshenv=True)
def test_labels_that_are_not_plain_names_are_refused_with_their_line(app, warning):
    app.build()
    warnings = warning.getvalue()
    for line in (25, 29):
        assert re.search(rf"index\.rst:{line}: WARNING: derivtex: bad option: :label: .*use "
                         r"letters, digits", warnings), warnings
    html = (app.outdir / "index.html").read_text()
    assert "hostname" not in html.split("<body")[1].replace("/etc/hostname", "")


def test_latex_build_keeps_hostile_labels_out_of_the_pdf(tmp_path):
    """The security regression: sphinx-build -b latex, then latexmk (Sphinx's default
    fonts: tex-gyre); the label that would \\input a file or run a command is refused
    before LaTeX sees it."""
    out = tmp_path / "latex"
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-q", "-b", "latex",
                           str(ROOT / "tests" / "roots" / "test-derivtex"), str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    tex = next(out.glob("*.tex")).read_text()
    assert r"\input{/etc/hostname}" not in tex and r"\immediate\write18" not in tex
    assert r"\label{equation:index:bilinear}" in tex
    assert r"\frac{\partial f}{\partial x_{j}} &= \sum_{k=1}^{n}\sum_{l=1}^{m}" in tex
    build = subprocess.run(["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error",
                            "-shell-escape", next(out.glob("*.tex")).name], cwd=out,
                           capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stdout[-3000:]
    # Compact derivations (one equation block per step) never run off the page.
    assert "Overfull" not in next(out.glob("*.log")).read_text(errors="replace")
    pdf = next(out.glob("*.pdf"))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    with open("/etc/hostname") as fh:
        hostname = fh.read().strip()
    assert "By the index method" in text and "This derivation could not be made" in text
    assert not os.path.exists(CANARY)
    if hostname:
        assert hostname not in text.replace("/etc/hostname", "")


@pytest.mark.sphinx("html", testroot="derivtex", confoverrides={"numfig": True}, freshenv=True)
def test_numfig_numbers_the_result_line_and_references_resolve(app, warning):
    """numfig crashed labelled derivations; :eq: lands on the numbered result line, which
    carries the ¶ link; :ref: to a :name: needs no explicit title."""
    app.build()
    html = (app.outdir / "index.html").read_text()
    result = re.search(r'<div class="math notranslate nohighlight" id="equation-bilinear">\s*'
                       r'<span id="derivation-bilinear"></span><span class="eqno">\(1\)'
                       r'<a class="headerlink" href="#equation-bilinear"', html)
    assert result, html
    assert r"\boldsymbol{y}^{\top} \boldsymbol{A}\end{aligned}" in html[result.end():][:600]
    assert '<a class="reference internal" href="#equation-bilinear">(1)</a>' in html
    # The title typesets the expression: no "y^T" as typed.
    math = '<span class="math notranslate nohighlight">'
    assert (f'href="#bilinear-form"><span class="std std-ref">derivative of {math}'
            r"\(\boldsymbol{y}^{\top} \boldsymbol{A} \boldsymbol{x}\)</span> by "
            rf"{math}\(\boldsymbol{{x}}\)</span></span>") in html
    assert (f'href="#linear-layer"><span class="std std-ref">derivative of {math}'
            r"\(\boldsymbol{W} \boldsymbol{x}\)</span>") in html
    assert "undefined label" not in warning.getvalue()


@pytest.mark.sphinx("html", testroot="derivtex", freshenv=True)
def test_names_and_labels_are_in_objects_inv(app):
    app.build()
    data = (app.outdir / "objects.inv").read_bytes()
    body = zlib.decompress(data.split(b"\n", 4)[4]).decode()
    # ($ stands for the name in objects.inv)
    assert "bilinear-form std:label -1 index.html#$ derivative of y^T A x by x" in body
    assert "bilinear std:label -1 index.html#derivation-$ derivative of y^T A x by x" in body
    assert "linear-layer std:label -1 index.html#$ derivative of W x by x" in body


@pytest.mark.sphinx("html", testroot="derivtex", freshenv=True)
def test_both_methods_have_headings(app):
    app.build()
    html = (app.outdir / "index.html").read_text()
    both = html.split("By the index method")
    assert len(both) == 2 and "By identities" in both[1]


@pytest.mark.sphinx("html", testroot="derivtex", freshenv=True)
def test_a_bug_in_derivtex_is_a_located_error_and_the_build_goes_on(app, warning,
                                                                    monkeypatch):
    def broken(d):
        raise IndexError("list index out of range")

    monkeypatch.setitem(publish.OUTPUTS, "derivation", broken)
    publish.cached_attempt.cache_clear()
    try:
        app.build()
    finally:
        publish.cached_attempt.cache_clear()
    errors = warning.getvalue()
    assert re.search(r"index\.rst:4: ERROR: derivtex: internal error: IndexError: list index "
                     r"out of range; nothing was written\. Please report", errors), errors
    assert "Traceback" not in errors
    assert "The end." in (app.outdir / "index.html").read_text()


@pytest.mark.sphinx("html", testroot="derivtex",
                    confoverrides={"suppress_warnings": ["derivtex"]}, freshenv=True)
def test_warnings_can_be_suppressed(app, warning):
    app.build()
    assert "derivtex" not in warning.getvalue()


@pytest.mark.sphinx("html", testroot="myst")
def test_myst_directive(app, warning):
    app.build()
    html = (app.outdir / "index.html").read_text()
    assert r"\boldsymbol{a}^{\top}" in html
    assert re.search(r"index\.md:7: WARNING: derivtex: bad option: :label:", warning.getvalue())


def test_warning_is_fatal_with_W(tmp_path):
    src = ROOT / "tests" / "roots" / "test-derivtex"
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(src),
                           str(tmp_path / "out")], capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0 and "unknown function 'bar'" in proc.stderr


def test_sample_site_renders_in_chromium(tmp_path):
    out = tmp_path / "html"
    subprocess.run([sys.executable, "-m", "sphinx", "-q", "-b", "html",
                    str(ROOT / "samples" / "sphinx"), str(out)], check=True, timeout=300,
                   env={**os.environ, "DERIVTEX_MATHJAX": "mathjax/tex-chtml.js"})
    vendor_mathjax(out / "_static")
    blocks = (out / "index.html").read_text().count('<div class="math notranslate nohighlight"')
    shot = ROOT / "tests" / "artifacts" / "sphinx-sample.png"
    shot.parent.mkdir(exist_ok=True)
    with served(out) as url:
        dom = rendered_dom(url + "/index.html", tmp_path / "profile", shot)
    assert "<mjx-merror" not in dom and "data-mjx-error" not in dom
    assert displayed_equations(dom) == blocks and raw_tex(dom) == []
    assert blocks >= 30 and shot.stat().st_size > 10_000


def latex_build(root, out):
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-b", "latex", str(root), str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    return proc.stderr


def test_every_reference_to_a_derivation_is_a_link_target_in_the_pdf(tmp_path):
    """`:eq:`, `:ref:` (to a :name: and to a :label:) and `:numref:`, on the page and from
    another: each is a hyperlink whose target LaTeX defined (the .aux has its label, the
    .log no "Hyper reference ... undefined"), in a PDF latexmk compiled."""
    out = tmp_path / "latex"
    warnings = latex_build(ROOT / "tests" / "roots" / "test-references", out)
    assert "WARNING" not in warnings, warnings
    tex = (out / "references.tex").read_text()
    links = re.findall(r"\\hyperref\[\\detokenize\{([^}]*)\}\]", tex)
    equations = re.findall(r"\\(?:eq)?ref\{(equation:[^}]*)\}", tex)
    assert len(links) == 6 and len(equations) == 8, (links, equations)
    build = subprocess.run(["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error",
                            "references.tex"], cwd=out, capture_output=True, text=True,
                           timeout=300)
    assert build.returncode == 0, build.stdout[-3000:]
    aux = (out / "references.aux").read_text()
    defined = set(re.findall(r"\\newlabel\{([^}]*)\}", aux))
    assert [target for target in links + equations if target not in defined] == []
    log = (out / "references.log").read_text(errors="replace")
    assert not re.search(r"[Rr]eference `[^']*' on page \d+ undefined", log)
    text = "".join(subprocess.run(["pdftotext", "references.pdf", "-"], cwd=out,
                                  capture_output=True, text=True, check=True).stdout.split())
    # (spaces removed: pdftotext places them by the glyphs' positions.) :numref: prints the
    # number LaTeX gave the result (what :eq: prints), or the author's title around it;
    # :ref: titles typeset the expression.
    here = re.search(r"Here:\((\d\.\d)\),derivativeof𝑎⊤𝑥by𝑥,derivativeof𝑎⊤𝑥by𝑥,\(\1\),"
                     r"Result(\d\.\d),\(\2\)and\((\d\.\d)\)\.", text)
    assert here, text
    assert (f"Fromanotherpage:({here[1]}),derivativeof𝑎⊤𝑥by𝑥,derivativeof𝑦⊤𝐴𝑥by𝑥,"
            f"({here[2]}),derivativeof𝑥⊤𝑆𝑥by𝑥,") in text
    assert f"by𝑥and({here[3]})." in text
    assert "^T" not in text and "??" not in text
