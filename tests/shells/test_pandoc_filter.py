"""derivtex.lua for real: a course page (the notes' four examples, a Hessian, a labelled
result cited two ways, a bad block) converted by Pandoc to PDF (pdflatex) and to HTML,
the HTML read back from headless Chromium with a local MathJax: no raw TeX, no MathJax
error, the reference a link to the numbered result. Injection through a block runs
nothing."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser import (
    displayed_equations,
    math_errors,
    raw_tex,
    rendered_dom,
    served,
    vendor_mathjax,
)
from tests.conftest import run_cli

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent

PAGE = """---
title: Jacobians
---

The linear layer:

```{.derivtex wrt=x}
W x
```

A sum of products, and a scalar:

```{.derivtex wrt=v}
(A B + C) v
```

```{.derivtex wrt=x}
a^T x
```

```{.derivtex wrt=x label=eq-bil}
y^T A x
```

The Hessian:

```{.derivtex wrt=x order=2}
x^T A x
```

A bad block:

```{.derivtex wrt=x}
y^T A x +
```

By \\eqref{eq-bil}, and by @eq-bil, the Jacobian is a row.
"""
BAD_LINE = 33


def pandoc() -> str:
    found = shutil.which("pandoc")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pandoc is missing under CI=true")
        pytest.skip("pandoc is not installed (Debian: pandoc)")
    return found


def convert(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run([pandoc(), "page.md", "-L", "derivtex.lua", *args], cwd=directory,
                          env=environment, capture_output=True, text=True, timeout=300)


def page(tmp_path: Path, text: str = PAGE) -> Path:
    assert run_cli("pandoc", "--lua", str(tmp_path)).returncode == 0
    (tmp_path / "page.md").write_text(text)
    return tmp_path


def test_a_page_to_pdf_has_every_derivation_the_box_and_the_reference(tmp_path):
    directory = page(tmp_path)
    proc = convert(directory, "-o", "page.pdf")
    assert proc.returncode == 0, proc.stderr
    assert f"derivtex: page.md:{BAD_LINE}: syntax error: column 10: the expression ends " \
        "too early" in proc.stderr
    text = subprocess.run(["pdftotext", "-layout", "page.pdf", "-"], cwd=directory,
                          capture_output=True, text=True, check=True).stdout
    assert text.count("Kronecker delta") >= 4
    assert re.search(r"derivtex error \(page\.md:%d\): syntax error:\s+column 10:\s+the\s+"
                     r"expression ends too early" % BAD_LINE, text)
    assert "By (1), and by (1), the Jacobian is a row." in text and "??" not in text


def test_a_page_to_html_is_math_a_reader_sees_typeset(tmp_path):
    directory = page(tmp_path)
    script = vendor_mathjax(directory)
    proc = convert(directory, "-s", f"--mathjax={script}", "-o", "index.html")
    assert proc.returncode == 0, proc.stderr
    assert f"page.md:{BAD_LINE}: syntax error" in proc.stderr
    html = (directory / "index.html").read_text()
    assert html.count('<a href="#eq-bil">(1)</a>') == 2
    assert re.search(r'<span id="eq-bil"><span\s+class="math\s+display">\\\[.*?\\tag\{1\}\\\]',
                     html, re.DOTALL)
    assert 'class="derivtex-error"' in html and "expression ends too early" in html
    with served(directory) as url:
        dom = rendered_dom(f"{url}/index.html", tmp_path / "profile")
    assert raw_tex(dom) == [] and math_errors(dom) == []
    assert displayed_equations(dom) >= 25


HOSTILE = [
    """```{.derivtex wrt="x$(touch PWNED1)" label="`touch PWNED2`"}\nx\n```\n""",
    """```{.derivtex wrt=x}\nx"; touch PWNED3; `touch PWNED4` $(touch PWNED5) #\n```\n""",
    """```{.derivtex wrt=x}\nx'; touch PWNED6; echo '\n```\n""",
    """```{.derivtex wrt=x shape="x=m; touch PWNED7" layout='"; touch PWNED8'}\na^T x\n```\n""",
]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_an_injection_through_a_block_runs_nothing(tmp_path, hostile):
    directory = page(tmp_path, hostile)
    proc = convert(directory, "-t", "html")
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in directory.iterdir() if p.name.startswith("PWNED")) == []
    assert proc.stdout.count('class="derivtex-error"') == 1
    assert proc.stderr.startswith("derivtex: page.md:1: ")


def test_blocks_reads_only_what_the_filter_sends():
    good = {"latex": False, "blocks": [{"expression": "a^T x", "options": [["wrt", "x"]],
                                        "where": "p.md:3", "number": None}]}
    proc = run_cli("pandoc", "--blocks", stdin=json.dumps(good).encode())
    assert proc.returncode == 0 and b":::::: {.derivtex-output n=1}" in proc.stdout
    for bad in (b"", b"[]", b'{"latex": 1, "blocks": []}',
                json.dumps({**good, "blocks": [{"expression": 3}]}).encode()):
        proc = run_cli("pandoc", "--blocks", stdin=bad)
        assert proc.returncode == 2 and proc.stdout == b""
        assert proc.stderr.startswith(b"derivtex: cannot filter: standard input is not")


def test_the_quarto_extension_names_the_filter(tmp_path):
    assert run_cli("pandoc", "--quarto", str(tmp_path)).returncode == 0
    extension = tmp_path / "_extensions" / "derivtex"
    assert "- derivtex.lua" in (extension / "_extension.yml").read_text()
    assert run_cli("pandoc", "--lua", str(tmp_path)).returncode == 0
    assert (extension / "derivtex.lua").read_text() == (tmp_path / "derivtex.lua").read_text()
    assert run_cli("pandoc", "--lua", str(tmp_path / "missing")).returncode == 2
