"""Headless Chromium on a site served from localhost, with MathJax vendored from npm
(MathJax 3 for Sphinx and MkDocs, MathJax 2 for nbconvert), and what a reader sees in the
DOM once it has typeset."""

from __future__ import annotations

import functools
import html.parser
import http.server
import os
import re
import shutil
import subprocess
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--hide-scrollbars"]


def mathjax_dir() -> Path:
    """es5/ of the npm package mathjax@3 (.ci/run installs it into .cache/)."""
    root = Path(__file__).resolve().parents[1]
    for base in (os.environ.get("DERIVTEX_MATHJAX_DIR"), root / ".cache" / "node_modules"):
        if base and (Path(base) / "mathjax" / "es5" / "tex-chtml.js").exists():
            return Path(base) / "mathjax" / "es5"
    return requirement("MathJax 3 (npm install --prefix .cache mathjax@3)")


def mathjax2_dir() -> Path:
    """The npm package mathjax@2 (its MathJax.js), installed by .ci/run beside mathjax@3
    under the alias mathjax2 (npm install mathjax2@npm:mathjax@2)."""
    root = Path(__file__).resolve().parents[1]
    for base in (os.environ.get("DERIVTEX_MATHJAX2_DIR"), root / ".cache" / "node_modules"):
        if base and (Path(base) / "mathjax2" / "MathJax.js").exists():
            return Path(base) / "mathjax2"
    return requirement("MathJax 2 (npm install --prefix .cache mathjax2@npm:mathjax@2)")


def chromium() -> str:
    return shutil.which("chromium") or requirement("chromium (apt-get install chromium)")


def requirement(what: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is missing under CI=true")
    pytest.skip(f"{what} not installed")


def vendor_mathjax(site: Path) -> str:
    """Copies MathJax into the site; returns its path relative to the site root."""
    shutil.copytree(mathjax_dir(), site / "mathjax", dirs_exist_ok=True)
    return "mathjax/tex-chtml.js"


@contextmanager
def served(directory: Path):
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def displayed_equations(dom: str) -> int:
    """Display equations MathJax typeset, with no error node among them."""
    assert "<mjx-merror" not in dom and "data-mjx-error" not in dom
    return len(re.findall(r'<mjx-container[^>]*display="true"', dom))


RAW_TEX = re.compile(r"\\[()\[\]]|\$\$|\\[A-Za-z]+")
ERRORS = re.compile(r"<mjx-merror|data-mjx-error|Math Processing Error|"
                    r'class="[^"]*\b(?:MathJax_Error|mjx-noError|mjx-merror|MJXp-merror)\b')


class TextNodes(html.parser.HTMLParser):
    """The math a reader sees as text: every text node outside scripts, styles, code and
    derivtex's failure notes (whose messages quote the input, backslashes and all)."""

    HIDDEN = {"script", "style", "code", "pre", "textarea", "noscript", "title"}
    VOID = {"br", "img", "meta", "link", "input", "hr", "source", "wbr", "area", "col"}

    def __init__(self) -> None:
        super().__init__()
        self.open: list[tuple[str, bool]] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self.VOID:
            return
        classes = (dict(attrs).get("class") or "").split()
        self.open.append((tag, tag in self.HIDDEN or "derivtex-error" in classes))

    def handle_endtag(self, tag: str) -> None:
        tags = [name for name, _ in self.open]
        if tag in tags:
            del self.open[len(tags) - 1 - tags[::-1].index(tag):]

    def handle_data(self, data: str) -> None:
        if data.strip() and not any(hidden for _, hidden in self.open):
            self.texts.append(data.strip())


def raw_tex(dom: str) -> list[str]:
    """Text nodes still holding TeX (delimiters or a macro) after typesetting: math
    MathJax never saw, or a macro it showed in red as it stood."""
    parser = TextNodes()
    parser.feed(dom)
    return [text for text in parser.texts if RAW_TEX.search(text)]


def math_errors(dom: str) -> list[str]:
    """MathJax's error nodes (3: mjx-merror; 2: MathJax_Error, noErrors' mjx-noError)."""
    return ERRORS.findall(dom)


# A probe added to a page under test (MathJax 3, CHTML output): once MathJax is done,
# including any typesetting chained on its start-up promise, it counts the characters
# MathJax placed and those drawn with no glyph (what clearing its font cache after the
# page was typeset leaves: math that is in the DOM but blank on the screen).
PROBE = """<script>
window.addEventListener("load", () => setTimeout(() => {
  const started = window.MathJax && MathJax.startup && MathJax.startup.promise;
  (started || Promise.resolve()).then(() => {
    const chars = [...document.querySelectorAll("mjx-c")].filter(  // not the invisible
      c => !/mjx-c(206[1-4]|200B)\\b/.test(c.className));      // operators: no glyph
    const blank = chars.filter(c => ["none", "normal", '""'].includes(
      getComputedStyle(c, "::before").content)).length;
    document.body.setAttribute("data-glyphs", chars.length + " " + blank);
  });
}, 3000));
</script>"""


def with_probe(page: Path) -> None:
    page.write_text(page.read_text().replace("</body>", PROBE + "</body>"))


def glyphs(dom: str) -> tuple[int, int]:
    """(characters MathJax placed, characters drawn blank), as the probe saw them."""
    found = re.search(r'data-glyphs="(\d+) (\d+)"', dom)
    assert found, "the probe did not run: MathJax never finished"
    return int(found[1]), int(found[2])


def rendered_dom(url: str, profile: Path, screenshot: Path | None = None) -> str:
    """The DOM after MathJax ran (virtual time lets its promises settle)."""
    exe = chromium()
    base = [exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=20000"]
    dom = subprocess.run([*base, "--dump-dom", url], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    if screenshot is not None:
        subprocess.run([*base, f"--screenshot={screenshot}", "--window-size=1000,2400", url],
                       capture_output=True, timeout=120, check=True)
    return dom
