"""Headless Chromium on a site served from localhost, with MathJax 3 vendored from npm."""

from __future__ import annotations

import functools
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
