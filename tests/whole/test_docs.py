"""derivtex's documentation site (docs/, issue 23), built by `make docs` exactly as a
maintainer builds it (-W -n: a warning or a broken reference fails), then read back as a
reader sees it: the gallery holds every sample's derivation as math, derived at build
time; no page shows raw TeX outside math; every internal link lands on a page and an
anchor that exist; the CLI reference lists every option of the parser."""

from __future__ import annotations

import argparse
import html
import re
import shutil
import subprocess
import sys
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from derivtex import derive
from derivtex.shells.cli import build_parser
from tests.conftest import ROOT

pytestmark = pytest.mark.slow
SAMPLES = tomllib.loads((ROOT / "samples" / "notes.toml").read_text())["derivation"]


def make_docs(source: Path, out: Path) -> subprocess.CompletedProcess[str]:
    """The Makefile's `docs` target, with this interpreter and an output of the test's."""
    return subprocess.run(
        ["make", "-s", "-C", str(ROOT), "docs", f"PY={sys.executable}", "DOCS_NEEDS=",
         f"DOCS_OUT={out}", f"DOCS_SRC={source}"],
        capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("docs")
    proc = make_docs(ROOT / "docs", out)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return out / "html"


class Page(HTMLParser):
    """A built page: its ids, its links, and its visible text outside math and code."""

    SKIPPED = {"script", "style", "pre", "code"}

    def __init__(self, text: str) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.prose: list[str] = []
        self.skipping: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))
        classes = (found.get("class") or "").split()
        if self.skipping or tag in self.SKIPPED or "math" in classes:
            if tag not in ("br", "img", "input", "meta", "link", "hr"):
                self.skipping.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.prose.append(data)


def pages(site: Path) -> dict[str, Page]:
    return {str(p.relative_to(site)): Page(p.read_text(encoding="utf-8"))
            for p in sorted(site.rglob("*.html"))}


def section(page_html: str, ident: str) -> str:
    start = page_html.index(f'<section id="{ident}">')
    following = page_html.find('<section id="gallery-', start + 1)
    return page_html[start:following if following != -1 else len(page_html)]


DISPLAY = re.compile(r'<div class="math notranslate nohighlight">\s*\\\[(.*?)\\\]</div>', re.S)


SPLIT = re.compile(r"^\\begin\{split\}(.*)\\end\{split\}$", re.S)


def test_the_gallery_holds_every_sample_derived_at_build_time(site):
    """Each sample of samples/notes.toml has its section, one derivation container with
    every equation derivtex derives for it, as display math, and no error box."""
    gallery = (site / "gallery.html").read_text(encoding="utf-8")
    assert "derivtex-error" not in gallery
    for entry in SAMPLES:
        part = section(gallery, "gallery-" + entry["name"].replace("_", "-"))
        assert part.count('class="derivtex docutils container"') == 1, entry["name"]
        options = {k: v for k, v in entry.items() if k not in ("name", "expr", "wrt")}
        if "shape" in options:
            options["shapes"] = options.pop("shape")
        expected = derive(entry["expr"], entry["wrt"], **options).to_dict()
        bodies = [s["latex"] for s in expected["steps"] + expected.get("identity_steps", [])
                  if s["latex"]]
        assert bodies, entry["name"]
        # Sphinx's MathJax output wraps math of several lines in split.
        shown = [SPLIT.sub(r"\1", html.unescape(m)) for m in DISPLAY.findall(part)]
        for body in bodies:
            assert r"\begin{aligned}" + body + r"\end{aligned}" in shown, (entry["name"], body)


TEX_COMMAND = re.compile(r"\\[A-Za-z]+")


def test_no_page_shows_raw_tex_outside_math_or_code(site):
    for name, page in pages(site).items():
        raw = TEX_COMMAND.findall("".join(page.prose))
        assert raw == [], f"{name}: raw TeX in the page's text: {raw[:5]}"


def test_every_internal_link_lands_on_a_page_and_an_anchor(site):
    found = pages(site)
    checked = 0
    for name, page in found.items():
        for href in page.links:
            if re.match(r"^[a-z]+:", href):  # https:, mailto: (offline: not followed)
                continue
            path, _, anchor = href.partition("#")
            target = (site / name).parent / path if path else site / name
            target_name = str(target.resolve().relative_to(site.resolve()))
            if target.is_dir():
                target_name = str(Path(target_name) / "index.html")
            assert (site / target_name).exists(), f"{name}: link to a missing page {href}"
            if anchor and target_name in found:
                assert anchor in found[target_name].ids, f"{name}: no #{anchor} for {href}"
            checked += 1
    assert checked > 100


def test_the_cli_reference_is_every_option_of_the_parser(site):
    text = "".join(pages(site)["cli.html"].prose) + (site / "cli.html").read_text()
    parser = build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    for command, subparser in sub.choices.items():
        assert f"derivtex {command}" in text
        for action in subparser._actions:
            for option in action.option_strings:
                assert html.escape(option) in text, (command, option)


def test_the_api_reference_is_read_from_the_docstrings(site):
    api = (site / "api.html").read_text(encoding="utf-8")
    for name in ("derivtex.derive", "derivtex.Derivation", "derivtex.DerivtexError"):
        assert f'id="{name}"' in api, name
    assert html.escape(derive.__doc__.splitlines()[0], quote=False) in api


def test_pages_written_beside_this_one_join_the_site_when_they_exist(site):
    """latex-and-pandoc.md and checking-answers.md (other engineers' pages) are in the
    navigation once they exist; until then the build leaves them out without a warning."""
    index = (site / "index.html").read_text(encoding="utf-8")
    for page in ("latex-and-pandoc", "checking-answers", "notation"):
        assert (f'href="{page}.html"' in index) == (ROOT / "docs" / f"{page}.md").exists()


MINIMAL_INDEX = """# Broken

```{derivation} y^T A x
:wrt: x
```
"""


@pytest.mark.parametrize("mistake", [
    "See [the missing page](nowhere.md).",
    "See {ref}`no-such-label`.",
    "```{derivation} bar(x)\n:wrt: x\n```",
])
def test_a_broken_reference_or_a_bad_derivation_fails_make_docs(tmp_path, mistake):
    source = tmp_path / "docs"
    source.mkdir()
    shutil.copy(ROOT / "docs" / "conf.py", source / "conf.py")
    shutil.copytree(ROOT / "docs" / "_ext", source / "_ext")
    (source / "index.md").write_text(MINIMAL_INDEX)
    assert make_docs(source, tmp_path / "fine").returncode == 0
    (source / "index.md").write_text(MINIMAL_INDEX + "\n" + mistake + "\n")
    proc = make_docs(source, tmp_path / "broken")
    assert proc.returncode != 0 and "WARNING" in proc.stdout + proc.stderr
