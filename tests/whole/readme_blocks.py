"""The code blocks of README.md and of the documentation site's pages, docs/*.md
(tests/whole/test_readme.py): finding them, the directory each section is followed in,
running programs there, and shell blocks line by line.

A section is a walkthrough: its blocks are applied in order in one fresh directory (the
section's), as a reader would follow it, so a `derivtex derive ... -o bilinear.tex` line
can feed the LaTeX block after it. A block moved from the README to a page of docs/ is
run the same way there.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # the environment derivtex is installed in
TIMEOUT = 600
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)")
README = "README.md"


def documents() -> list[str]:
    """README.md, then every Markdown page of the documentation site, by path."""
    pages = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").rglob("*.md")
                   if "_build" not in p.parts)
    return [README, *pages]


@dataclass(frozen=True)
class Block:
    """One fenced code block of README.md or a page of docs/: its section (nearest
    heading), language and text, the line of its opening fence, and its file."""

    section: str
    lang: str
    text: str
    line: int
    source: str = README

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}"

    @property
    def first_line(self) -> str:
        """Its first line that says something: a page's front matter is passed over."""
        body = self.text
        if body.startswith("---\n") and "\n---\n" in body[3:]:
            body = body[3:].split("\n---\n", 1)[1]
        return next((s.strip() for s in body.splitlines() if s.strip()), "")

    @property
    def id(self) -> str:
        page = "" if self.source == README else f"{self.source}: "
        return f"{page}{self.section} | {self.first_line[:48]}"


def blocks(markdown: str, source: str = README) -> list[Block]:
    """Every fenced block, outer fences only (a ```` block may hold ``` fences). In a
    page of the site, a fence whose info string is `{name}` is a MyST directive (the
    site's own derivations, toctrees, autodoc), built by tests/whole/test_docs.py, not a
    code block for a reader to run; and a page's walkthrough is its title or a `##`
    section, whose `###` parts follow one another (a document, then its build)."""
    lines, out, section, i = markdown.splitlines(), [], "", 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if opening is None:
            level = len(lines[i]) - len(lines[i].lstrip("#"))
            if level and (source == README or level <= 2):
                section = lines[i].lstrip("#").strip()
            i += 1
            continue
        fence = opening.group(1)
        close = re.compile(r"^ {0,3}%s{%d,}\s*$" % (re.escape(fence[0]), len(fence)))
        end = next((j for j in range(i + 1, len(lines)) if close.match(lines[j])), None)
        assert end is not None, f"{source}:{i + 1}: a code fence that never closes"
        lang = opening.group(2)
        if not (source != README and lang.startswith("{")):
            out.append(Block(section, lang, "\n".join(lines[i + 1:end]) + "\n", i + 1, source))
        i = end + 1
    return out


def documented_blocks() -> list[Block]:
    """The blocks of README.md and of every page of docs/, in that order."""
    return [b for name in documents() for b in blocks((ROOT / name).read_text(), name)]


def documented_section(title: str) -> str:
    """The text under the heading `title` (any level) in README.md or a page of docs/,
    up to the next heading of the same or a higher level: where a reader finds it."""
    for name in documents():
        text = (ROOT / name).read_text()
        found = re.search(r"^(#+) %s\n" % re.escape(title), text, re.MULTILINE)
        if found:
            rest = text[found.end():]
            end = re.search(r"^#{1,%d} " % len(found.group(1)), rest, re.MULTILINE)
            return rest[:end.start()] if end else rest
    raise AssertionError(f"no heading {title!r} in README.md or docs/")


def env(venv: bool = True) -> dict[str, str]:
    """A reader's shell: derivtex's bin/ first on PATH, or (venv False) a shell where that
    environment is not active at all."""
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and Path(p) != BIN]
    out = {k: v for k, v in os.environ.items() if venv or k != "VIRTUAL_ENV"}
    return {**out, "PATH": os.pathsep.join([str(BIN)] * venv + path),
            "MYST_NO_UPDATE_CHECK": "1"}


def run(argv: list[str], cwd: Path, venv: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, env=env(venv), capture_output=True, text=True,
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
    readme: list[Block]  # every block of every document, for a fragment's complete file
    outcome: dict[int, str] = field(default_factory=dict)  # line -> ok/failed/skipped: ...
    outputs: dict[int, str] = field(default_factory=dict)  # a shell block's line -> output

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
# The MathJax packages the README installs, and the name each has in node_modules/.
MATHJAX_PACKAGES = {"mathjax@3": "mathjax", "mathjax2@npm:mathjax@2": "mathjax2"}
NPM_MATHJAX = re.compile(r"^npm (install|i)\b.*?(%s)(\s|$)"
                         % "|".join(map(re.escape, MATHJAX_PACKAGES)))


def mathjax_stand_in(line: str) -> str:
    """`npm install [--prefix DIR] mathjax@3` (or MathJax 2 under the name mathjax2): a
    link to the copy .ci/run put in .cache/ (the browser tests'), where npm would put it."""
    match = NPM_MATHJAX.match(line)
    assert match is not None
    name = MATHJAX_PACKAGES[match.group(2)]
    vendored = ROOT / ".cache" / "node_modules" / name
    if not vendored.is_dir():
        missing(match.group(2), f"npm install --prefix .cache {match.group(2)}, as .ci/run does")
    prefix = re.search(r"--prefix[ =](\S+)", line)
    modules = f"{prefix.group(1) if prefix else '.'}/node_modules"
    return f"mkdir -p {modules} && ln -sfn {vendored} {modules}/{name}"


STAND_INS = [(NPM_MATHJAX, "downloads MathJax from the npm registry: needs the network; the "
              "test links the copy .ci/run vendored into .cache/ in its place",
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
    "docs": "builds this documentation site; tests/whole/test_docs.py runs it and reads "
            "the pages back",
    "dist": "writes dist/ in the checkout; tests/whole/test_distribution.py builds and "
            "checks the same in a temporary directory",
}


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


def lecture_notebook(path: Path) -> None:
    """The notebook a lecturer brings: a derivation, and one failing on purpose (tagged)."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell('from derivtex import derive\n'
                                          'derive("y^T A x", wrt="x")'),
                nbformat.v4.new_code_cell('derive("y^T A", wrt="q")',
                                          metadata={"tags": ["raises-exception"]})]
    nbformat.write(nb, path)


def course_page(path: Path) -> None:
    """The Markdown page a lecturer brings to Pandoc: a derivation and prose around it."""
    path.write_text("# Jacobians\n\n```{.derivtex wrt=x label=eq-bil}\ny^T A x\n```\n\n"
                    "By \\eqref{eq-bil} the Jacobian is a row.\n")


# Files a reader has of their own before following a section (not shown in the README).
READERS_OWN = {"lecture.ipynb": lecture_notebook, "page.md": course_page}


def run_shell(block: Block, walk: Walk) -> None:
    script, dry = ["set -eo pipefail"], []
    for name, make in READERS_OWN.items():
        if name in block.text and not (walk.directory / name).exists():
            make(walk.directory / name)
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
    walk.outputs[block.line] = proc.stdout + proc.stderr
    ok(proc, f"{block.where}: shell block")
