"""What a reader sees: MkDocs, Sphinx and nbconvert pages built as the README says, with
MathJax served locally as its "Offline math" section says, read back from headless
Chromium's DOM after typesetting. Every page holds inline and display math, a Hessian,
`method: both` with a label and a failed block; no text node may keep raw TeX and MathJax
may report no error, and (MathJax 3) every character it placed must be drawn. The
configurations are copied out of README.md by the tests, so the
README cannot drift from what is tested."""

import re
import subprocess
import sys

import pytest

from tests.browser import (
    glyphs,
    math_errors,
    mathjax2_dir,
    mathjax_dir,
    raw_tex,
    rendered_dom,
    served,
    with_probe,
)
from tests.conftest import ROOT
from tests.whole.readme_blocks import documented_section

CDN = "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"
ARTIFACTS = ROOT / "tests" / "artifacts"


def readme_section(title: str) -> str:
    """The text of the section `title` of the README or of the site's page that holds it
    now, up to the next heading of its level."""
    return documented_section(title)


def blocks(section: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", section, re.DOTALL | re.MULTILINE)


def run_printed(commands: str, cwd) -> None:
    """The README's shell lines, as printed, but for `npm install` (tests have no network:
    `node_modules` is already linked to the MathJax .ci/run vendored)."""
    for line in commands.replace("\\\n", " ").splitlines():
        if line.strip() and not line.startswith("npm install"):
            subprocess.run(["bash", "-c", line], cwd=cwd, check=True, timeout=120)


def node_modules(project, **packages) -> None:
    """A `node_modules` in `project` holding each package the README installs."""
    (project / "node_modules").mkdir(parents=True)
    for name, path in packages.items():
        (project / "node_modules" / name).symlink_to(path)


def assert_typeset(dom: str, page: str) -> None:
    assert raw_tex(dom) == [], f"{page}: raw TeX left on the page: {raw_tex(dom)[:5]}"
    assert math_errors(dom) == [], f"{page}: MathJax errors: {math_errors(dom)[:5]}"


def visible(dom: str, url: str, tmp_path, name: str) -> str:
    ARTIFACTS.mkdir(exist_ok=True)
    return rendered_dom(url, tmp_path / f"profile-{name}", ARTIFACTS / f"{name}.png")


PAGE = """# Lecture 3

The linear layer, with inline math in every sentence:

```derivtex
W x
wrt: x
```

!!! note "Both methods, numbered"

    ```derivtex
    y^T A x
    wrt: x
    method: both
    label: bilinear
    ```

```derivtex
x^T S x
wrt: x
order: 2
symmetric: S
label: hessian
```

Results [(1)](#bilinear) and [(2)](#hessian).
"""

BROKEN = """
```derivtex
bar(x)
wrt: x
```

After the failed block.
"""


def test_readme_mkdocs_offline_site_renders_every_piece_of_math(tmp_path):
    """mkdocs.yml and docs/javascripts/mathjax.js exactly as the README prints them, with
    the CDN line swapped for the "Offline math" section's, and its copy command run."""
    mkdocs_section, offline = readme_section("MkDocs and Python-Markdown"), \
        readme_section("Offline math")
    (config,), (script,) = blocks(mkdocs_section, "yaml"), blocks(mkdocs_section, "js")
    (local_scripts,) = blocks(offline, "yaml")
    assert CDN in config.split("extra_javascript:")[1]
    project = tmp_path / "course"
    (project / "docs" / "javascripts").mkdir(parents=True)
    (project / "mkdocs.yml").write_text(config.split("extra_javascript:")[0] + local_scripts)
    (project / "docs" / "javascripts" / "mathjax.js").write_text(script)
    (project / "docs" / "index.md").write_text(PAGE)
    node_modules(project, mathjax=mathjax_dir().parent)
    run_printed(blocks(offline, "sh")[1], project)

    def build(out, *strict):
        return subprocess.run([sys.executable, "-m", "mkdocs", "build", *strict, "-d",
                               str(out)], cwd=project, capture_output=True, text=True,
                              timeout=300)

    strict = build(tmp_path / "strict", "--strict")  # validation: anchors: warn checks links
    assert strict.returncode == 0 and "anchor" not in strict.stderr, strict.stderr
    (project / "docs" / "index.md").write_text(PAGE + BROKEN)
    site = tmp_path / "site"
    plain = build(site)  # the failed block: an error in the log, a note on the page
    assert plain.returncode == 0 and "derivtex: index.md:" in plain.stderr, plain.stderr
    page = (site / "index.html").read_text()
    spans = page.count('<span class="arithmatex">')
    displays = page.count('<div class="arithmatex">')
    assert spans > 40 and displays > 20 and "derivtex-error" in page
    with_probe(site / "index.html")
    with served(site) as url:
        dom = visible(page, url + "/index.html", tmp_path, "mkdocs-readme")
    assert_typeset(dom, "mkdocs")
    placed, blank = glyphs(dom)
    assert placed > 500 and blank == 0  # typeset and visible, not cleared after the fact
    assert len(re.findall(r'<mjx-container[^>]*display="true"', dom)) == displays
    assert len(re.findall(r'<mjx-container(?![^>]*display="true")', dom)) == spans
    # tags: "ams" numbers the two labelled results, in page order, as Sphinx would.
    assert re.findall(r"<mtext>\((\d)\)</mtext>", dom) == ["1", "2"]
    assert "This derivation could not be made" in dom and "After the failed block." in dom


def test_sphinx_offline_site_renders_every_piece_of_math(tmp_path):
    """The test root (inline and display math, a Hessian, `method: both`, failed blocks) in
    furo (alabaster when furo is not installed), MathJax as "Offline math" says."""
    src = tmp_path / "src"
    subprocess.run(["cp", "-r", str(ROOT / "tests" / "roots" / "test-derivtex"), str(src)],
                   check=True)
    offline = readme_section("Offline math")
    settings = blocks(offline, "python")[0]
    try:
        import furo  # noqa: F401

        chosen = "furo"
    except ImportError:
        chosen = "alabaster"
    with (src / "conf.py").open("a") as conf:
        conf.write(f"\nhtml_theme = {chosen!r}\n{settings}")
    node_modules(src, mathjax=mathjax_dir().parent)
    run_printed(blocks(offline, "sh")[0], src)
    out = tmp_path / "html"
    subprocess.run([sys.executable, "-m", "sphinx", "-q", "-b", "html", str(src), str(out)],
                   check=True, capture_output=True, timeout=300)
    page = (out / "index.html").read_text()
    assert "_static/mathjax/tex-chtml.js" in page and "cdn.jsdelivr" not in page
    displays = page.count('<div class="math notranslate nohighlight"')
    inline = page.count('<span class="math notranslate nohighlight">')
    assert displays > 30 and inline > 40 and "derivtex-error" in page
    with_probe(out / "index.html")
    with served(out) as url:
        dom = visible(page, url + "/index.html", tmp_path, f"sphinx-{chosen}")
    assert_typeset(dom, "sphinx")
    placed, blank = glyphs(dom)
    assert placed > 500 and blank == 0
    assert len(re.findall(r'<mjx-container[^>]*display="true"', dom)) == displays
    assert len(re.findall(r'<mjx-container(?![^>]*display="true")', dom)) == inline


NOTEBOOK = [
    ("%load_ext derivtex", []),
    ("from derivtex import derive\nderive('W x', 'x')", []),
    ("derive('x^T S x', 'x', order=2, symmetric='S')", []),
    ("derive('y^T A x', 'x', method='both', label='bilinear')", []),
    ("derive('A x -', 'x')", ["raises-exception"]),
    ("print('the lecture goes on')", []),
]


def test_nbconvert_offline_page_renders_every_piece_of_math(tmp_path):
    """A notebook executed and exported to HTML with the README's command: MathJax 2 from
    the local path it prints; the failing cell carries the `raises-exception` tag."""
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source, metadata={"tags": tags})
                for source, tags in NOTEBOOK]
    nbformat.write(nb, tmp_path / "lecture.ipynb")
    node_modules(tmp_path, mathjax2=mathjax2_dir())
    (command,) = [c for c in blocks(readme_section("Offline math"), "sh") if "nbconvert" in c]
    command = command.replace("jupyter nbconvert", f"{sys.executable} -m nbconvert --execute")
    run_printed(command, tmp_path)
    page = (tmp_path / "lecture.html").read_text()
    assert "node_modules/mathjax2/MathJax.js?config=TeX-AMS_CHTML" in page
    assert "the lecture goes on" in page and "the expression ends too early" in page
    with served(tmp_path) as url:
        dom = visible(page, url + "/lecture.html", tmp_path, "nbconvert")
    assert_typeset(dom, "nbconvert")
    # MathJax 2 keeps each formula's TeX in a script and puts its rendering beside it.
    formulas = len(re.findall(r'<script type="math/tex', dom))
    assert formulas > 60 and len(re.findall(r'id="MathJax-Element-\d+-Frame"', dom)) == formulas
    assert dom.count('class="mjx-chtml MJXc-display"') > 20
