"""The Sphinx directive in real builds (sphinx.testing), and the sample site in Chromium."""

import os
import re
import subprocess
import sys

import pytest

from tests.browser import displayed_equations, rendered_dom, served, vendor_mathjax
from tests.conftest import ROOT


@pytest.mark.sphinx("html", testroot="derivtex")
def test_html_has_the_derivation_and_bad_input_is_a_located_warning(app, warning):
    app.build()
    html = (app.outdir / "index.html").read_text()
    assert html.count('class="math notranslate nohighlight"') >= 16
    assert r"\boldsymbol{y}^{\top} \boldsymbol{A}" in html
    assert 'id="equation-bilinear"' in html and "After the bad one." in html
    warnings = warning.getvalue()
    assert re.search(r"index\.rst:\d+: WARNING: derivtex: column 1: unknown function 'bar'"
                     r" \[derivtex\.derivation\]", warnings), warnings


@pytest.mark.sphinx("latex", testroot="derivtex")
def test_latex_builder_gets_the_align_body(app):
    app.build()
    tex = next(app.outdir.glob("*.tex")).read_text()
    assert r"\frac{\partial f}{\partial x_{j}} &= \sum_{k=1}^{n}\sum_{l=1}^{m}" in tex
    assert r"\begin{split}" in tex


@pytest.mark.sphinx("html", testroot="derivtex",
                    confoverrides={"suppress_warnings": ["derivtex"]})
def test_warnings_can_be_suppressed(app, warning):
    app.build()
    assert "derivtex" not in warning.getvalue()


@pytest.mark.sphinx("html", testroot="myst")
def test_myst_directive(app, warning):
    app.build()
    html = (app.outdir / "index.html").read_text()
    assert r"\boldsymbol{a}^{\top}" in html and "WARNING" not in warning.getvalue()


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
    assert displayed_equations(dom) == blocks
    assert blocks >= 30 and shot.stat().st_size > 10_000
