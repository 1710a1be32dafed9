"""How each kind of README code block is exercised (tests/whole/test_readme.py).

A README section is a walkthrough: its blocks are applied in order in one fresh directory
(the section's), as a reader would follow it, so a `derivtex derive ... -o bilinear.tex`
line can feed the LaTeX block after it. KINDS maps a block to what is done with it; the
first kind whose `matches` holds wins, and a block that no kind matches fails its test.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # the environment derivtex is installed in
TIMEOUT = 600
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)")


@dataclass(frozen=True)
class Block:
    """One fenced code block of README.md: its section (nearest heading), language and
    text, and the line of its opening fence."""

    section: str
    lang: str
    text: str
    line: int

    @property
    def first_line(self) -> str:
        return next((s.strip() for s in self.text.splitlines() if s.strip()), "")

    @property
    def id(self) -> str:
        return f"{self.section} | {self.first_line[:48]}"


def blocks(markdown: str) -> list[Block]:
    """Every fenced block, outer fences only (a ```` block may hold ``` fences)."""
    lines, out, section, i = markdown.splitlines(), [], "", 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if opening is None:
            if lines[i].startswith("#"):
                section = lines[i].lstrip("#").strip()
            i += 1
            continue
        fence = opening.group(1)
        close = re.compile(r"^ {0,3}%s{%d,}\s*$" % (re.escape(fence[0]), len(fence)))
        end = next((j for j in range(i + 1, len(lines)) if close.match(lines[j])), None)
        assert end is not None, f"README.md:{i + 1}: a code fence that never closes"
        out.append(Block(section, opening.group(2), "\n".join(lines[i + 1:end]) + "\n", i + 1))
        i = end + 1
    return out


def env() -> dict[str, str]:
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "MYST_NO_UPDATE_CHECK": "1"}


def run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, env=env(), capture_output=True, text=True,
                          timeout=TIMEOUT, stdin=subprocess.DEVNULL)


def ok(proc: subprocess.CompletedProcess[str], what: str) -> None:
    assert proc.returncode == 0, (f"{what}: exit status {proc.returncode}\n"
                                  f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")


def missing(what: str, how: str) -> None:
    """Something a block needs is not on this machine: a skip, but a failure under CI."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is missing under CI=true ({how})")
    pytest.skip(f"{what} not installed ({how})")


def need(tool: str, how: str) -> str:
    exe = shutil.which(tool, path=env()["PATH"])
    if exe is None:
        missing(tool, how)
    assert exe is not None
    return exe


@dataclass
class Walk:
    """A section followed in its own fresh directory; `outcome` says how each block went."""

    blocks: list[Block]
    directory: Path
    outcome: dict[int, str] = field(default_factory=dict)  # line -> ok/failed/xfail: ...

    def before(self, block: Block) -> list[Block]:
        return [b for b in self.blocks if b.line < block.line]

    def after(self, block: Block) -> list[Block]:
        return [b for b in self.blocks if b.line > block.line]


# -- shell lines -----------------------------------------------------------------------
# What a shell line needs that a test run may not have: the network (skipped, each line a
# test of its own naming why), or a `make` target that must not run inside the test suite
# (checked with `make -n` instead).
NETWORK = [
    (re.compile(r"^(python3? -m )?pip (install|download)\b"),
     "installs from the package index (PyPI): needs the network"),
    (re.compile(r"^(python3? -m )?pip wheel\b"),
     "pip fetches the build backend (hatchling) from the package index: needs the network"),
    (re.compile(r"^npm (install|ci)\b"), "downloads from the npm registry: needs the network"),
    (re.compile(r"^(sudo )?apt(-get)? "), "installs Debian packages: needs the network"),
    (re.compile(r"^git clone\b"), "clones a repository: needs the network"),
]
# Lines that need the network but whose result the test has locally: run in their place.
NPM_MATHJAX = re.compile(r"^npm (install|i)\b.*\bmathjax@3\b")


def mathjax_stand_in(line: str) -> str:
    """`npm install [--prefix DIR] mathjax@3`: a link to the MathJax 3 that .ci/run put in
    .cache/ (the browser tests' copy), where npm would have put it."""
    vendored = ROOT / ".cache" / "node_modules" / "mathjax"
    if not (vendored / "es5" / "tex-chtml.js").exists():
        missing("MathJax 3", "npm install --prefix .cache mathjax@3, as .ci/run does")
    prefix = re.search(r"--prefix[ =](\S+)", line)
    modules = f"{prefix.group(1) if prefix else '.'}/node_modules"
    return f"mkdir -p {modules} && ln -sfn {vendored} {modules}/mathjax"


STAND_INS = [(NPM_MATHJAX, "downloads MathJax from the npm registry: needs the network; the "
              "test links the MathJax 3 that .ci/run vendored into .cache/ in its place",
              mathjax_stand_in)]
MAKE = re.compile(r"^make ([\w.-]+)")
MAKE_REASONS = {
    "demo": "installs derivtex into .venv from the package index (network)",
    "test": "is this test suite (it would run itself)",
    "clean": "deletes the .venv these tests run in",
    "bench": "takes minutes and measures time, which tests never assert on",
    "fuzz": "takes minutes (10,000 derivations); tests/whole/test_fuzz.py samples it",
    "samples": "rewrites samples/ in the checkout",
    "picture": "rewrites docs/derivation.png in the checkout",
}
# Commands only the `cli` branch adds: until it is merged, the blocks using them are
# expected to fail (xfail), and run for real once `derivtex --help` lists them.
NEW_COMMANDS = ("preamble", "example")


def shell_lines(block: Block) -> list[str]:
    """The block's commands, continuation lines joined."""
    out: list[str] = []
    for raw in block.text.splitlines():
        if out and out[-1].endswith("\\"):
            out[-1] = out[-1][:-1] + raw
        elif raw.strip():
            out.append(raw.strip())
    return out


def why_not_run(line: str) -> str | None:
    for pattern, reason, _ in STAND_INS:
        if pattern.match(line):
            return reason
    for pattern, reason in NETWORK:
        if pattern.match(line):
            return reason
    target = MAKE.match(line)
    if target:
        reason = MAKE_REASONS.get(target.group(1))
        assert reason is not None, f"`{line}`: add the make target to MAKE_REASONS"
        return f"checked with make -n only: `make {target.group(1)}` {reason}"
    return None


def missing_commands(text: str) -> list[str]:
    used = [c for c in NEW_COMMANDS if re.search(rf"\bderivtex {c}\b", text)]
    if not used:
        return []
    listed = run([str(BIN / "derivtex"), "--help"], ROOT).stdout
    return [c for c in used if not re.search(rf"\b{c}\b", listed)]


def run_shell(block: Block, walk: Walk) -> None:
    script, dry = ["set -eo pipefail"], []
    for line in shell_lines(block):
        target = MAKE.match(line)
        stand_in = next((sub for pattern, _, sub in STAND_INS if pattern.match(line)), None)
        if target:
            dry.append(target.group(1))
            ok(run(["make", "-n", target.group(1)], ROOT), f"make -n {target.group(1)}")
        elif stand_in is not None:
            script.append(stand_in(line))
        elif why_not_run(line) is None:
            script.append(line)
    if len(script) == 1:
        if dry:
            return
        pytest.skip("every line needs the network (see test_readme_line_not_run)")
    (walk.directory / "block.sh").write_text("\n".join(script) + "\n")
    proc = run(["bash", "-x", "block.sh"], walk.directory)
    ok(proc, f"README.md:{block.line}: shell block")


# -- Python ----------------------------------------------------------------------------
CONF_PY = re.compile(r"^extensions\s*=", re.MULTILINE)


def run_python(block: Block, walk: Walk) -> None:
    script = walk.directory / f"block_{block.line}.py"
    script.write_text(block.text)
    ok(run([sys.executable, script.name], walk.directory), f"README.md:{block.line}")


def run_doctest(block: Block, walk: Walk) -> None:
    session = walk.directory / f"session_{block.line}.txt"
    session.write_text(block.text)
    ok(run([sys.executable, "-m", "doctest", session.name], walk.directory),
       f"README.md:{block.line}: doctest")


# -- Sphinx ----------------------------------------------------------------------------
DEFAULT_RST = ".. derivation:: y^T A x\n   :wrt: x\n"


def write_conf(block: Block, walk: Walk) -> None:
    (walk.directory / "conf.py").write_text(block.text)
    if not any(kind_of(b).name in ("rst", "myst-page") for b in walk.after(block)):
        sphinx_page(walk, block, "index.rst", DEFAULT_RST)


def sphinx_page(walk: Walk, block: Block, name: str, text: str) -> None:
    """The page built on its own with the section's conf.py, warnings as errors."""
    conf = walk.directory / "conf.py"
    assert conf.exists(), f"README.md:{block.line}: a Sphinx page needs a conf.py block first"
    source = walk.directory / f"_sphinx_{block.line}"
    source.mkdir()
    shutil.copy(conf, source / "conf.py")
    (source / name).write_text(text)
    proc = run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
                ".", "_html"], source)
    ok(proc, f"README.md:{block.line}: sphinx-build -W")
    html = (source / "_html" / "index.html").read_text()
    derivations = len(re.findall(r"^(\.\. |```)\{?derivation\}?", text, re.MULTILINE))
    assert html.count('class="derivtex') >= derivations > 0
    assert "derivtex-error" not in html


def build_rst(block: Block, walk: Walk) -> None:
    (walk.directory / "index.rst").write_text(block.text)  # for the section's own commands
    sphinx_page(walk, block, "index.rst", block.text)


def build_myst_page(block: Block, walk: Walk) -> None:
    """A MyST page is a Jupyter Book 2 page beside a myst.yml, else a Sphinx page."""
    if (walk.directory / "myst.yml").exists():
        build_book(block, walk)
    else:
        sphinx_page(walk, block, "index.md", block.text)


# -- MkDocs ----------------------------------------------------------------------------
DEFAULT_MKDOCS_PAGE = "# Page\n\n```derivtex\ny^T A x\nwrt: x\n```\n"
DERIVTEX_FENCE = re.compile(r"^\s*```derivtex\b", re.MULTILINE)


def write_mkdocs_yml(block: Block, walk: Walk) -> None:
    (walk.directory / "mkdocs.yml").write_text(block.text)
    if not any(kind_of(b).name == "mkdocs-page" for b in walk.after(block)):
        build_mkdocs(block, walk, DEFAULT_MKDOCS_PAGE)


def write_mathjax_js(block: Block, walk: Walk) -> None:
    """Where mkdocs.yml loads it from: its one local extra_javascript entry, under docs/."""
    config = walk.directory / "mkdocs.yml"
    assert config.exists(), f"README.md:{block.line}: a js block needs a mkdocs.yml block first"
    local = [s for s in re.findall(r"^\s*-\s*(\S+\.js)\s*$", config.read_text(), re.MULTILINE)
             if "://" not in s]
    assert len(local) == 1, f"README.md:{block.line}: which of {local} is this js block?"
    path = walk.directory / "docs" / local[0]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(block.text)


def build_mkdocs(block: Block, walk: Walk, page: str) -> None:
    """mkdocs build --strict; an https:// script (MathJax's CDN) is only linked, never
    fetched, so the build needs no network (the browser tests use a local MathJax)."""
    assert (walk.directory / "mkdocs.yml").exists(), \
        f"README.md:{block.line}: a MkDocs page needs a mkdocs.yml block first"
    (walk.directory / "docs").mkdir(exist_ok=True)
    (walk.directory / "docs" / "index.md").write_text(page)
    proc = run([str(BIN / "mkdocs"), "build", "--strict", "-d", "_site"], walk.directory)
    ok(proc, f"README.md:{block.line}: mkdocs build --strict")
    html = (walk.directory / "_site" / "index.html").read_text()
    assert html.count('class="derivtex"') == len(DERIVTEX_FENCE.findall(page)) > 0
    assert "derivtex-error" not in html


def build_mkdocs_page(block: Block, walk: Walk) -> None:
    build_mkdocs(block, walk, block.text)


# -- Jupyter Book 2 --------------------------------------------------------------------
EXPORT = re.compile(r"^\s*-\s*format:\s*(\w+)\s*\n\s*output:\s*(\S+)", re.MULTILINE)


def write_myst_yml(block: Block, walk: Walk) -> None:
    (walk.directory / "myst.yml").write_text(block.text)


def build_book(block: Block, walk: Walk) -> None:
    """jupyter-book build with the exports the page's front matter lists (offline, --md
    and --jats are the builds that need no downloaded theme)."""
    need("node", "Jupyter Book 2 runs on Node.js")
    exports = EXPORT.findall(block.text.split("\n---", 1)[0])
    assert exports, f"README.md:{block.line}: the page lists no exports: --md writes nothing"
    (walk.directory / "index.md").write_text(block.text)
    flags = sorted({f"--{fmt}" for fmt, _ in exports})
    proc = run([str(BIN / "jupyter-book"), "build", *flags], walk.directory)
    ok(proc, f"README.md:{block.line}: jupyter-book build {' '.join(flags)}")
    said = proc.stdout + proc.stderr
    assert "derivtex" in said and "unknown directive" not in said, said[-2000:]
    for fmt, output in exports:
        written = (walk.directory / output).read_text()
        assert ("```{math}" if fmt == "md" else "<disp-formula") in written, output


# -- TOML and LaTeX --------------------------------------------------------------------
def pdflatex(tex: Path) -> None:
    exe = need("pdflatex", "TeX Live: apt-get install texlive-latex-base")
    proc = run([exe, "-halt-on-error", "-no-shell-escape", "-interaction=nonstopmode",
                tex.name], tex.parent)
    ok(proc, f"pdflatex {tex.name}")
    assert tex.with_suffix(".pdf").stat().st_size > 1000


def build_toml(block: Block, walk: Walk) -> None:
    (walk.directory / "notes.toml").write_text(block.text)
    out = walk.directory / f"_out_{block.line}"
    ok(run([str(BIN / "derivtex"), "build", "notes.toml", "-o", out.name], walk.directory),
       f"README.md:{block.line}: derivtex build")
    pdflatex(out / "all.tex")


def compile_latex(block: Block, walk: Walk) -> None:
    tex = walk.directory / "notes.tex"
    tex.write_text(block.text)
    pdflatex(tex)


@dataclass(frozen=True)
class Kind:
    name: str
    matches: Callable[[Block], bool]
    run: Callable[[Block, Walk], None]
    slow: Callable[[Block], bool] = lambda b: False


SLOW_COMMAND = re.compile(r"\b(sphinx-build|mkdocs build|jupyter-book build|derivtex build|"
                          r"python3? -m venv)\b")


def always(b: Block) -> bool:
    return True


def _markdown(b: Block) -> bool:
    return b.lang in ("markdown", "md")


KINDS = [
    Kind("shell", lambda b: b.lang in ("sh", "bash", "shell"), run_shell,
         lambda b: bool(SLOW_COMMAND.search(b.text))),
    Kind("pycon", lambda b: b.lang == "pycon", run_doctest),
    Kind("conf.py", lambda b: b.lang == "python" and bool(CONF_PY.search(b.text)), write_conf),
    Kind("python", lambda b: b.lang == "python", run_python),
    Kind("rst", lambda b: b.lang == "rst", build_rst, always),
    Kind("mkdocs.yml", lambda b: b.lang in ("yaml", "yml") and "site_name:" in b.text,
         write_mkdocs_yml),
    Kind("myst.yml", lambda b: b.lang in ("yaml", "yml") and "project:" in b.text
         and re.search(r"^version: 1\b", b.text, re.MULTILINE) is not None, write_myst_yml),
    Kind("mathjax.js", lambda b: b.lang in ("js", "javascript") and "MathJax" in b.text,
         write_mathjax_js),
    Kind("mkdocs-page", lambda b: _markdown(b) and bool(DERIVTEX_FENCE.search(b.text)),
         build_mkdocs_page, always),
    Kind("myst-page", lambda b: _markdown(b) and "```{derivation}" in b.text,
         build_myst_page, always),
    Kind("toml", lambda b: b.lang == "toml", build_toml, always),
    Kind("latex", lambda b: b.lang in ("latex", "tex"), compile_latex),
]
UNKNOWN = Kind("unknown", lambda b: True, lambda b, w: None)


def kind_of(block: Block) -> Kind:
    return next((k for k in KINDS if k.matches(block)), UNKNOWN)
