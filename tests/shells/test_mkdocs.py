"""The Markdown extension and the MkDocs plugin, in a real `mkdocs build --strict`."""

import re
import shutil
import subprocess
import sys
import textwrap

import markdown

from tests.browser import displayed_equations, raw_tex, rendered_dom, served, vendor_mathjax
from tests.conftest import ROOT

SAMPLE = ROOT / "samples" / "mkdocs"
MATHJAX_CDN = "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"
FENCE = "```derivtex\nW x\nwrt: x\n```"


def mkdocs(*args, cwd):
    return subprocess.run([sys.executable, "-m", "mkdocs", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_markdown_extension_renders_arithmatex_markup():
    html = markdown.markdown("```derivtex\ny^T A x\nwrt: x\nlayout: denominator\n```\n",
                             extensions=["derivtex"])
    assert html.count('<div class="arithmatex">\\[\\begin{aligned}') == 7
    assert r"\boldsymbol{A}^{\top} \boldsymbol{y}\end{aligned}\]</div>" in html
    assert "\n\n" not in html.strip()


def test_markdown_extension_reports_every_bad_block_in_place(caplog):
    text = ("text\n\n```derivtex wrt=x\nbar(x)\n```\n\n" + FENCE +
            "\n\n```derivtex\nA x -\nwrt: x\n```\n")
    html = markdown.markdown(text, extensions=["derivtex"])
    assert html.count('class="admonition failure derivtex-error"') == 2
    assert "line 3: derivtex: syntax error: column 1: unknown function" in html
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert errors == ["derivtex: line 3: syntax error: column 1: unknown function 'bar'",
                      "derivtex: line 12: syntax error: column 6: the expression ends too early"]


def test_fence_options_in_header_and_body_and_compact_steps():
    html = markdown.markdown("```derivtex wrt=x steps=compact\nW x\n```\n",
                             extensions=["derivtex"])
    assert html.count('class="arithmatex"') == 1 and r"\\" in html


def test_fences_take_every_cli_option():
    html = markdown.markdown("```derivtex\nx^T S x\nwrt: x\norder: 2\nsymmetric: S\n"
                             "label: hessian\n```\n", extensions=["derivtex"])
    assert '<div class="derivtex" id="hessian">' in html
    assert r"\boldsymbol{H} &amp;= 2 \boldsymbol{S}" in html


def test_a_misspelt_key_is_reported_not_derived(caplog):
    html = markdown.markdown("```derivtex\nW x\nwrt: x\nlayuot: denominator\n```\n",
                             extensions=["derivtex"])
    assert "unknown option(s) &#39;layuot&#39;" in html and "arithmatex" not in html


def test_fences_in_comments_and_longer_fences_are_left_alone():
    text = (f"<!--\n{FENCE}\n-->\n\n````markdown\n{FENCE}\n````\n\n~~~\n{FENCE}\n~~~\n")
    html = markdown.markdown(text, extensions=["derivtex", "fenced_code"])
    assert "arithmatex" not in html and html.count("W x\nwrt: x") == 3


def test_the_fence_scan_is_linear():
    """16,000 unclosed fences: one error for the first, the rest is that fence's text."""
    from derivtex.shells.fences import scan

    blocks = list(scan(["```derivtex"] * 16_000))
    assert len(blocks) == 1 and not blocks[0].closed
    many = list(scan(["```derivtex", "W x", "wrt: x", "```"] * 4000))
    assert len(many) == 4000 and all(b.closed for b in many)


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
    assert displayed_equations(dom) == blocks and raw_tex(dom) == []


BROKEN = """---
title: Lecture 2
tags: [broken]
---

# Broken

```derivtex
A x -
wrt: x
```

Between.

```derivtex
bar(x)
wrt: x
```
"""


def test_bad_fences_fail_strict_with_page_and_file_line_and_the_rest_builds(tmp_path):
    project = copy_sample(tmp_path)
    (project / "docs" / "broken.md").write_text(BROKEN)
    strict = mkdocs("build", "--strict", "-d", str(tmp_path / "strict"), cwd=project)
    assert strict.returncode != 0
    assert re.search(r"ERROR +- +derivtex: broken\.md:8: syntax error: column 6: the "
                     r"expression ends too early", strict.stderr), strict.stderr
    assert re.search(r"derivtex: broken\.md:15: syntax error: column 1: unknown function",
                     strict.stderr), strict.stderr
    plain = mkdocs("build", "-d", str(tmp_path / "plain"), cwd=project)
    assert plain.returncode == 0 and "Traceback" not in plain.stderr
    page = (tmp_path / "plain" / "broken" / "index.html").read_text()
    assert page.count("derivtex-error") == 2 and "Between." in page
    assert (tmp_path / "plain" / "index.html").read_text().count("arithmatex") >= 30


NESTED = """# Nested

!!! note "An admonition"

    ```derivtex
    W x
    wrt: x
    ```

??? tip "A collapsible block"

    ```derivtex
    a^T x
    wrt: x
    ```

=== "Tab one"

    ```derivtex
    A x
    wrt: x
    ```

=== "Tab two"

    Text.

1. A list item

    ```derivtex
    B x
    wrt: x
    ```

<!--
```derivtex
C x
wrt: x
```
-->

````markdown
```derivtex
D x
wrt: x
```
````
"""

NESTED_CONFIG = """site_name: nested
markdown_extensions:
  - admonition
  - pymdownx.details
  - pymdownx.superfences
  - pymdownx.tabbed:
      alternate_style: true
  - pymdownx.arithmatex:
      generic: true
plugins:
  - derivtex
"""


def test_fences_inside_admonitions_details_tabs_and_lists(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text(NESTED)
    (tmp_path / "mkdocs.yml").write_text(NESTED_CONFIG)
    proc = mkdocs("build", "--strict", "-d", str(tmp_path / "site"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    html = (tmp_path / "site" / "index.html").read_text()
    for name in ("W", "a", "A", "B"):
        bold = r"\boldsymbol{%s}" % name
        assert html.count(bold) >= 2, name
    admonition = html.split('<div class="admonition note">')[1].split("</div>\n</div>")[0]
    assert 'class="derivtex"' in admonition
    assert re.search(r'<details class="tip">.*?class="derivtex"', html, re.DOTALL)
    assert re.search(r'class="tabbed-block">\s*<div class="derivtex">', html)
    assert re.search(r"<li>\s*<p>A list item</p>\s*<div class=\"derivtex\">", html)
    assert r"\boldsymbol{C}" not in html and r"\boldsymbol{D}" not in html
    assert '<span class="s">D x</span>' in html and "<!--" in html.split("C x")[0]


def test_bare_extension_fails_strict_with_page_and_line(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Fine\n\n" + FENCE + "\n")
    (tmp_path / "docs" / "lecture.md").write_text(BROKEN)
    (tmp_path / "mkdocs.yml").write_text(textwrap.dedent("""\
        site_name: bare
        markdown_extensions:
          - derivtex
          - pymdownx.arithmatex:
              generic: true
        """))
    proc = mkdocs("build", "--strict", "-d", str(tmp_path / "site"), cwd=tmp_path)
    assert proc.returncode != 0
    assert re.search(r"derivtex: lecture\.md:8: syntax error", proc.stderr), proc.stderr
    assert re.search(r"derivtex: lecture\.md:15: syntax error", proc.stderr), proc.stderr


def test_a_bug_in_derivtex_is_an_error_saying_please_report(caplog, monkeypatch):
    from derivtex.shells import publish

    def broken(d):
        raise KeyError("steps")

    monkeypatch.setitem(publish.OUTPUTS, "html", broken)
    publish.cached_attempt.cache_clear()
    try:
        html = markdown.markdown("# Page\n\n" + FENCE + "\n\nAfter.\n", extensions=["derivtex"])
    finally:
        publish.cached_attempt.cache_clear()
    (error,) = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert error.startswith("derivtex: line 3: internal error: KeyError: 'steps'")
    assert "Please report" in error and "derivtex-error" in html and "After." in html


def test_every_piece_of_sentence_math_is_arithmatex_markup():
    """MkDocs Material's MathJax typesets only class arithmatex: a sentence's inline math
    outside it stays raw TeX on the page."""
    html = markdown.markdown("```derivtex\nW x\nwrt: x\n```\n", extensions=["derivtex"])
    inline = re.findall(r'<span class="arithmatex">\\\( (.*?) \\\)</span>', html)
    assert r"\boldsymbol{W} \in \mathbb{R}^{n \times m}" in inline and len(inline) > 8
    outside = re.sub(r'<(span|div) class="arithmatex">.*?</\1>', "", html, flags=re.DOTALL)
    assert "\\(" not in outside and "\\[" not in outside and "\\boldsymbol" not in outside


def test_a_label_numbers_the_result_display_and_is_a_page_anchor(tmp_path):
    """The labelled result is a numbered environment (MathJax `tags: "ams"` numbers it as
    Sphinx would); MkDocs' anchor validation sees the label as an id of the page."""
    html = markdown.markdown("```derivtex\nW x\nwrt: x\nlabel: layer\n```\n",
                             extensions=["derivtex"])
    assert html.count(r"\begin{equation}") == 1
    assert re.search(r'\\begin\{equation\}\\begin\{aligned\}\\frac\{\\partial '
                     r'\\boldsymbol\{y\}\}\{\\partial \\boldsymbol\{x\}\} &amp;= '
                     r'\\boldsymbol\{W\}\\end\{aligned\}\\end\{equation\}</div>\n</div>$', html)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text(
        "# Page\n\n```derivtex\nW x\nwrt: x\nlabel: layer\n```\n\nSee [(1)](#layer).\n")
    (tmp_path / "docs" / "other.md").write_text("# Other\n\n[The layer](index.md#layer)\n")
    (tmp_path / "mkdocs.yml").write_text(NESTED_CONFIG + "validation:\n  anchors: warn\n")
    proc = mkdocs("build", "--strict", "-d", str(tmp_path / "site"), cwd=tmp_path)
    assert proc.returncode == 0 and "anchor" not in proc.stderr, proc.stderr
    (tmp_path / "docs" / "other.md").write_text("# Other\n\n[Missing](index.md#nothing)\n")
    proc = mkdocs("build", "--strict", "-d", str(tmp_path / "site"), cwd=tmp_path)
    assert proc.returncode != 0 and "does not contain an anchor '#nothing'" in proc.stderr
