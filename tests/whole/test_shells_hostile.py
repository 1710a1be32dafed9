"""The hostile-input corpus (tests/test_hostile.py) and the inputs that once aborted site
builds, through real Sphinx (parallel) and MkDocs builds: every input is a located
warning or error (or a derivation), every page is written, nothing runs, no traceback."""

import json
import re
import subprocess
import sys

from derivtex.printing.safety import FORBIDDEN_MACROS
from tests.whole.test_hostile import CANARY, INJECTIONS

# Inputs that aborted whole builds before the guard: an internal failure (x^T by x), a
# name that cannot print, huge numbers, deep nesting, a long chain.
ABORTED_BUILDS = ["x^T", "x^T A", "(A x)^T", "a1b x", "9" * 400 + " x", "9" * 5000 + " x",
                  "x" + "^T" * 3000, " ".join(f"A{i}" for i in range(1100)) + " x"]
CORPUS = INJECTIONS + ABORTED_BUILDS


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=600)


def test_corpus_through_a_parallel_sphinx_build(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text('extensions = ["derivtex.sphinx"]\n')
    pages = [f"p{i}" for i in range(len(CORPUS))]
    (src / "index.rst").write_text("Corpus\n======\n\n.. toctree::\n\n" +
                                   "".join(f"   {p}\n" for p in pages))
    for page, expr in zip(pages, CORPUS, strict=True):
        (src / f"{page}.rst").write_text(f"{page}\n====\n\n.. derivation:: {expr}\n"
                                         f"   :wrt: x\n\nThe page still builds.\n")
    CANARY.unlink(missing_ok=True)
    proc = run("sphinx", "-j", "4", "-q", "-b", "html", str(src), str(tmp_path / "out"))
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
    located = re.findall(r"/(p\d+)\.rst:4: (WARNING|ERROR): derivtex: ", proc.stderr)
    failed = {page for page, _ in located}
    assert len(located) == len(failed) >= len(INJECTIONS)
    for i, page in enumerate(pages):
        html = (tmp_path / "out" / f"{page}.html").read_text()
        body = html.split("<body")[1]
        assert "The page still builds." in html
        assert (page in failed) == ("derivtex-error" in body), CORPUS[i][:40]
        assert page in failed or 'class="derivtex' in body
        assert not FORBIDDEN_MACROS.search(re.sub(r'<div class="error derivtex-error admonition">'
                                                  r".*?</div>", "", body, flags=re.DOTALL))
    assert all(f"p{i}" in failed for i in range(len(INJECTIONS)))
    assert not CANARY.exists()


def test_corpus_through_mkdocs(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (tmp_path / "mkdocs.yml").write_text("site_name: corpus\nplugins:\n  - derivtex\n"
                                         "markdown_extensions:\n  - pymdownx.arithmatex:\n"
                                         "      generic: true\n")
    (docs / "index.md").write_text("# Corpus\n")
    for i, expr in enumerate(CORPUS):
        (docs / f"p{i}.md").write_text(f"# p{i}\n\n```derivtex\n{expr}\nwrt: x\n```\n\n"
                                       "The page still builds.\n")
    CANARY.unlink(missing_ok=True)
    plain = run("mkdocs", "build", "-d", str(tmp_path / "site"), cwd=tmp_path)
    assert plain.returncode == 0 and "Traceback" not in plain.stderr, plain.stderr[-3000:]
    located = re.findall(r"ERROR +- +derivtex: (p\d+)\.md:3: ", plain.stderr)
    assert len(located) == len(set(located)) >= len(INJECTIONS)
    for i in range(len(CORPUS)):
        html = (tmp_path / "site" / f"p{i}" / "index.html").read_text()
        assert "The page still builds." in html
        assert (f"p{i}" in located) == ("derivtex-error" in html), CORPUS[i][:40]
        assert not FORBIDDEN_MACROS.search(re.sub(r'<div class="admonition failure derivtex-error">'
                                           r".*?</div>", "", html, flags=re.DOTALL))
    assert all(f"p{i}" in located for i in range(len(INJECTIONS)))
    strict = run("mkdocs", "build", "--strict", "-d", str(tmp_path / "strict"), cwd=tmp_path)
    assert strict.returncode != 0 and not CANARY.exists()


def test_corpus_through_the_myst_plugin():
    """derivtex-myst answers every input with nodes: an error admonition or math."""
    from derivtex.shells.myst import run_directive

    for i, expr in enumerate(CORPUS):
        nodes = run_directive({"name": "derivation", "arg": expr, "options": {"wrt": "x"},
                               "node": {"position": {"start": {"line": 3}}}})
        kinds = {node["type"] for node in nodes}
        assert kinds == {"admonition"} or "math" in kinds, expr[:40]
        if i < len(INJECTIONS):
            assert kinds == {"admonition"}, expr[:40]
        assert not FORBIDDEN_MACROS.search(json.dumps(
            [n for n in nodes if n["type"] != "admonition"]))
