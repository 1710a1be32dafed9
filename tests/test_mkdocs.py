"""The Markdown extension and the MkDocs plugin, in a real `mkdocs build --strict`."""

import re
import shutil
import subprocess
import sys

import markdown

from tests.browser import displayed_equations, rendered_dom, served, vendor_mathjax
from tests.conftest import ROOT

SAMPLE = ROOT / "samples" / "mkdocs"
MATHJAX_CDN = "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"


def mkdocs(*args, cwd):
    return subprocess.run([sys.executable, "-m", "mkdocs", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_markdown_extension_renders_arithmatex_markup():
    html = markdown.markdown("```derivtex\ny^T A x\nwrt: x\nlayout: denominator\n```\n",
                             extensions=["derivtex"])
    assert html.count('<div class="arithmatex">\\[\\begin{aligned}') == 7
    assert r"\boldsymbol{A}^{\top} \boldsymbol{y}\end{aligned}\]</div>" in html
    assert "\n\n" not in html.strip()


def test_markdown_extension_reports_a_bad_block_in_place():
    html = markdown.markdown("text\n\n```derivtex wrt=x\nbar(x)\n```\n", extensions=["derivtex"])
    assert 'class="derivtex-error"' in html and "line 3" in html and "unknown function" in html


def test_fence_options_in_header_and_body_and_compact_steps():
    html = markdown.markdown("```derivtex wrt=x steps=compact\nW x\n```\n",
                             extensions=["derivtex"])
    assert html.count('class="arithmatex"') == 1 and r"\\" in html


def copy_sample(tmp_path):
    project = tmp_path / "site-src"
    shutil.copytree(SAMPLE, project, ignore=shutil.ignore_patterns("site"))
    return project


def test_sample_builds_strict_and_renders_in_chromium(tmp_path):
    project = copy_sample(tmp_path)
    proc = mkdocs("build", "--strict", "-d", str(tmp_path / "site"), cwd=project)
    assert proc.returncode == 0, proc.stderr
    page = tmp_path / "site" / "index.html"
    text = page.read_text()
    blocks = text.count('<div class="arithmatex">')
    assert blocks >= 30
    page.write_text(text.replace(MATHJAX_CDN, vendor_mathjax(tmp_path / "site")))
    shot = ROOT / "tests" / "artifacts" / "mkdocs-sample.png"
    shot.parent.mkdir(exist_ok=True)
    with served(tmp_path / "site") as url:
        dom = rendered_dom(url + "/index.html", tmp_path / "profile", shot)
    assert displayed_equations(dom) == blocks


def test_bad_fence_fails_the_build_with_the_page_and_line(tmp_path):
    project = copy_sample(tmp_path)
    (project / "docs" / "broken.md").write_text("# Broken\n\n```derivtex\nA x -\nwrt: x\n```\n")
    proc = mkdocs("build", "--strict", "-d", str(tmp_path / "site"), cwd=project)
    assert proc.returncode != 0
    assert re.search(r"derivtex: broken\.md:3: column 6: the expression ends too early",
                     proc.stderr), proc.stderr
