"""How each kind of code block of README.md and docs/*.md is exercised
(tests/whole/test_readme.py): KINDS maps a block to what is done with it; the first kind
whose `matches` holds wins, and a block that no kind matches fails its test. Shell blocks
are readme_blocks.run_shell."""

from __future__ import annotations

import ast
import json
import re
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.whole.readme_blocks import BIN, Block, Walk, missing, need, ok, run, run_shell

# -- Python ----------------------------------------------------------------------------
CONF_PY = re.compile(r"^extensions\s*=", re.MULTILINE)


def run_python(block: Block, walk: Walk) -> None:
    script = walk.directory / f"block_{block.line}.py"
    script.write_text(block.text)
    ok(run([sys.executable, script.name], walk.directory), f"{block.where}")


def run_doctest(block: Block, walk: Walk) -> None:
    session = walk.directory / f"session_{block.line}.txt"
    session.write_text(block.text)
    ok(run([sys.executable, "-m", "doctest", session.name], walk.directory),
       f"{block.where}: doctest")


# -- Sphinx ----------------------------------------------------------------------------
DEFAULT_RST = ".. derivation:: y^T A x\n   :wrt: x\n"


def write_conf(block: Block, walk: Walk) -> None:
    (walk.directory / "conf.py").write_text(block.text)
    if not any(kind_of(b).name in ("rst", "myst-page") for b in walk.after(block)):
        sphinx_page(walk, block, "index.rst", DEFAULT_RST)


# Settings a conf.py fragment may set (html_static_path, mathjax_path, katex_css_path, ...).
SPHINX_SETTING = re.compile(r"(html|mathjax|katex|latex|numfig|suppress|derivtex)_?\w*$")


def sets_only(block: Block, setting: re.Pattern[str]) -> bool:
    """Python that only assigns names `setting` matches: lines to add to a conf.py."""
    try:
        tree = ast.parse(block.text)
    except SyntaxError:
        return False
    targets = [t for s in tree.body if isinstance(s, ast.Assign) for t in s.targets]
    return bool(tree.body) and len(targets) == len(tree.body) and all(
        isinstance(t, ast.Name) and setting.match(t.id) for t in targets)


def complete(walk: Walk, name: str) -> Block:
    """The complete file a fragment adds to: the first block of that kind in the
    fragment's own file, else in the README or the first page of docs/ that has one."""
    found = [b for b in walk.readme if kind_of(b).name == name]
    assert found, f"a {name} fragment, but no document has a complete {name} to add it to"
    source = walk.blocks[0].source if walk.blocks else found[0].source
    return next((b for b in found if b.source == source), found[0])


def add_to_conf(block: Block, walk: Walk) -> None:
    """A conf.py fragment: the documented conf.py with these lines added, built."""
    conf = walk.directory / "conf.py"
    base = conf.read_text() if conf.exists() else complete(walk, "conf.py").text
    conf.write_text(base + block.text)
    if not any(kind_of(b).name in ("rst", "myst-page") for b in walk.after(block)):
        sphinx_page(walk, block, "index.rst", DEFAULT_RST)


def sphinx_page(walk: Walk, block: Block, name: str, text: str) -> None:
    """The page built in the section's directory (what the README's lines made there is
    the site's) with its conf.py, warnings as errors."""
    assert (walk.directory / "conf.py").exists(), \
        f"{block.where}: a Sphinx page needs a conf.py block first"
    for page in ("index.rst", "index.md"):
        (walk.directory / page).unlink(missing_ok=True)
    (walk.directory / name).write_text(text)
    out = f"_html_{block.line}"
    proc = run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
                ".", out], walk.directory)
    ok(proc, f"{block.where}: sphinx-build -W")
    html = (walk.directory / out / "index.html").read_text()
    derivations = len(re.findall(r"^(\.\. |```)\{?derivation\}?", text, re.MULTILINE))
    assert html.count('class="derivtex') >= derivations > 0
    assert "derivtex-error" not in html


def build_rst(block: Block, walk: Walk) -> None:
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


MKDOCS_KEYS = {"theme", "plugins", "markdown_extensions", "extra_javascript", "extra_css",
               "validation", "nav", "docs_dir", "site_url", "extra"}


def mkdocs_fragment(block: Block) -> bool:
    try:
        keys = yaml.safe_load(block.text)
    except yaml.YAMLError:
        return False
    return isinstance(keys, dict) and bool(keys) and set(keys) <= MKDOCS_KEYS


def add_to_mkdocs_yml(block: Block, walk: Walk) -> None:
    """A mkdocs.yml fragment: the documented mkdocs.yml with these keys replaced, built."""
    config = walk.directory / "mkdocs.yml"
    base = config.read_text() if config.exists() else complete(walk, "mkdocs.yml").text
    config.write_text(yaml.safe_dump({**yaml.safe_load(base), **yaml.safe_load(block.text)}))
    if not any(kind_of(b).name == "mkdocs-page" for b in walk.after(block)):
        build_mkdocs(block, walk, DEFAULT_MKDOCS_PAGE)


def write_mathjax_js(block: Block, walk: Walk) -> None:
    """Where mkdocs.yml loads it from: its one local extra_javascript entry, under docs/."""
    config = walk.directory / "mkdocs.yml"
    assert config.exists(), f"{block.where}: a js block needs a mkdocs.yml block first"
    local = [s for s in re.findall(r"^\s*-\s*(\S+\.js)\s*$", config.read_text(), re.MULTILINE)
             if "://" not in s]
    assert len(local) == 1, f"{block.where}: which of {local} is this js block?"
    path = walk.directory / "docs" / local[0]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(block.text)


def build_mkdocs(block: Block, walk: Walk, page: str) -> None:
    """mkdocs build --strict; an https:// script (MathJax's CDN) is only linked, never
    fetched, so the build needs no network (the browser tests use a local MathJax)."""
    assert (walk.directory / "mkdocs.yml").exists(), \
        f"{block.where}: a MkDocs page needs a mkdocs.yml block first"
    (walk.directory / "docs").mkdir(exist_ok=True)
    (walk.directory / "docs" / "index.md").write_text(page)
    proc = run([str(BIN / "mkdocs"), "build", "--strict", "-d", "_site"], walk.directory)
    ok(proc, f"{block.where}: mkdocs build --strict")
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
    and --jats are the builds that need no downloaded theme), from a shell where derivtex's
    environment is not active: the plugin myst.yml names must work from any shell."""
    need("node", "Jupyter Book 2 runs on Node.js")
    exports = EXPORT.findall(block.text.split("\n---", 1)[0])
    assert exports, f"{block.where}: the page lists no exports: --md writes nothing"
    (walk.directory / "index.md").write_text(block.text)
    flags = sorted({f"--{fmt}" for fmt, _ in exports})
    proc = run([str(BIN / "jupyter-book"), "build", *flags], walk.directory, venv=False)
    ok(proc, f"{block.where}: jupyter-book build {' '.join(flags)}")
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


def build_toml(block: Block, walk: Walk, text: str | None = None) -> None:
    """notes.toml built; all.tex compiled, and the worksheet's documents when the spec
    asks for one (`worksheet = true` or "latex": exercises.tex and solutions.tex)."""
    spec = block.text if text is None else text
    (walk.directory / "notes.toml").write_text(spec)
    out = walk.directory / f"_out_{block.line}"
    ok(run([str(BIN / "derivtex"), "build", "notes.toml", "-o", out.name], walk.directory),
       f"{block.where}: derivtex build")
    pdflatex(out / "all.tex")
    worksheet = tomllib.loads(spec).get("worksheet", False)
    formats = worksheet if isinstance(worksheet, list) else [worksheet]
    if True in formats or "latex" in formats:
        for name in ("exercises.tex", "solutions.tex"):
            pdflatex(out / name)
    if "typst" in formats:
        try:
            import typst
        except ImportError:
            missing("typst", 'pip install ".[typst]"')
        for name in ("exercises", "solutions"):
            typst.compile(str(out / f"{name}.typ"), output=str(out / f"{name}.pdf"))
            assert (out / f"{name}.pdf").stat().st_size > 1000, name


def toml_fragment(block: Block) -> bool:
    """Keys of a whole spec (`worksheet = true`) without its [[derivation]] tables."""
    try:
        keys = tomllib.loads(block.text)
    except tomllib.TOMLDecodeError:
        return False
    return bool(keys) and "derivation" not in keys


def add_to_toml(block: Block, walk: Walk) -> None:
    """A spec fragment: the section's notes.toml (else the documented spec) with these
    keys above its tables (TOML puts a file's own keys before its first table), built."""
    spec = walk.directory / "notes.toml"
    base = spec.read_text() if spec.exists() else complete(walk, "toml").text
    build_toml(block, walk, block.text + "\n" + base)


def write_derivtex_document(block: Block, walk: Walk) -> None:
    """A document using derivtex.sty: notes.tex, which the shell block after it builds
    (derivtex.sty, the LaTeX runs and `derivtex latex` between them)."""
    assert any(kind_of(b).name == "shell" and "derivtex latex notes" in b.text
               for b in walk.after(block)), \
        f"README.md:{block.line}: a derivtex.sty document needs the shell block that builds it"
    (walk.directory / "notes.tex").write_text(block.text)


def compile_latex(block: Block, walk: Walk) -> None:
    tex = walk.directory / "notes.tex"
    tex.write_text(block.text)
    pdflatex(tex)


# A derivtex.sty document grows by fragments: a package line in place of the document's
# own (`\usepackage[shellescape]{derivtex}`), other preamble lines before
# \begin{document}, body lines before \end{document}.
USEPACKAGE = re.compile(r"\\usepackage(\[[^\]]*\])?\{([\w-]+)\}")
PREAMBLE = re.compile(r"\\(usepackage|RequirePackage|derivtexsetup)\b")
SHELL_ESCAPE = re.compile(r"\\usepackage\[[^\]]*\bshellescape\b[^\]]*\]\{derivtex\}")
GENERATED = ("aux", "dtxin", "dtxout", "dtxcache", "dtxreq", "dtxres")


def latex_fragment(block: Block) -> bool:
    return (block.lang in ("latex", "tex") and "\\documentclass" not in block.text
            and "derivtex" in block.text)


def insert_fragment(document: str, fragment: str) -> str:
    for line in fragment.strip().splitlines():
        package = USEPACKAGE.match(line.strip())
        own = package and re.search(r"\\usepackage(\[[^\]]*\])?\{%s\}" %
                                    re.escape(package.group(2)), document)
        if own:
            document = document[:own.start()] + line.strip() + document[own.end():]
        elif PREAMBLE.match(line.strip()):
            document = document.replace("\\begin{document}", line + "\n\\begin{document}", 1)
        else:
            document = document.replace("\\end{document}", line + "\n\\end{document}", 1)
    return document


def build_derivtex_document(walk: Walk, block: Block) -> str:
    """notes.tex built from nothing as its package options say: with `shellescape` one
    `pdflatex -shell-escape` run that derives every request itself; otherwise pdflatex,
    `derivtex latex notes`, pdflatex. Every request has its result (or its error) in the
    end; what the runs printed is returned."""
    exe = need("pdflatex", "TeX Live: apt-get install texlive-latex-base")
    for ext in GENERATED:
        (walk.directory / f"notes.{ext}").unlink(missing_ok=True)
    latex = [exe, "-interaction=nonstopmode", "-halt-on-error"]
    shell_escape = SHELL_ESCAPE.search((walk.directory / "notes.tex").read_text())
    steps = ([[*latex, "-shell-escape", "notes"]] if shell_escape else
             [[*latex, "-no-shell-escape", "notes"], [str(BIN / "derivtex"), "latex", "notes"],
              [*latex, "-no-shell-escape", "notes"]])
    printed = ""
    for argv in steps:
        proc = run(argv, walk.directory)
        printed += proc.stdout + proc.stderr
        ok(proc, f"{block.where}: {' '.join(argv[:1] + argv[-2:])}")
    log = (walk.directory / "notes.log").read_text(errors="replace")
    assert "not derived yet" not in log, f"{block.where}: a request has no result\n{log}"
    assert "Unknown package option" not in " ".join(log.split()), f"{block.where}: {log}"
    if shell_escape:
        assert "runsystem(derivtex latex --request -- notes)...executed" in log, log
    assert (walk.directory / "notes.pdf").stat().st_size > 1000
    return printed


def add_to_derivtex_document(block: Block, walk: Walk) -> None:
    """A fragment of a derivtex.sty document: the section's notes.tex (else the documented
    one) with it inserted, built; its output is what a `text` block after it shows."""
    tex = walk.directory / "notes.tex"
    base = tex.read_text() if tex.exists() else complete(walk, "derivtex.sty document").text
    document = insert_fragment(base, block.text)
    assert document != base, f"{block.where}: the fragment changed nothing"
    tex.write_text(document)
    if not (walk.directory / "derivtex.sty").exists():
        ok(run([str(BIN / "derivtex"), "latex", "--sty", "."], walk.directory), "--sty")
    walk.outputs[block.line] = build_derivtex_document(walk, block)


def latexmkrc(block: Block) -> bool:
    return block.lang == "perl" and "add_cus_dep" in block.text


def run_latexmk(block: Block, walk: Walk) -> None:
    """The rule as `latexmkrc` beside notes.tex: `latexmk -C` deletes what derivtex
    wrote; `latexmk -pdf -outdir=build` and `latexmk -pdf` each run the rule and end with
    every request derived; a second `latexmk -pdf` has nothing to do."""
    exe = need("latexmk", "TeX Live: apt-get install latexmk")
    assert (walk.directory / "notes.tex").exists(), \
        f"{block.where}: a latexmkrc needs the document (notes.tex) before it"
    (walk.directory / "latexmkrc").write_text(block.text)
    ok(run([exe, "-C", "notes"], walk.directory), f"{block.where}: latexmk -C")
    left = sorted(p.name for p in walk.directory.glob("notes.dtx*"))
    assert left == [], f"{block.where}: latexmk -C left {left}"
    printed = ""
    for outdir in ("build", "."):
        proc = run([exe, "-pdf", "-interaction=nonstopmode", f"-outdir={outdir}", "notes"],
                   walk.directory)
        printed += proc.stdout + proc.stderr
        ok(proc, f"{block.where}: latexmk -pdf -outdir={outdir}")
        job = "notes" if outdir == "." else f"{outdir}/notes"
        assert f"rule 'cusdep dtxin dtxout {job}'" in proc.stdout + proc.stderr, \
            f"{block.where}: latexmk never ran derivtex\n{proc.stdout}"
        assert (walk.directory / f"{job}.dtxout").exists()
        log = (walk.directory / f"{job}.log").read_text(errors="replace")
        assert "not derived yet" not in log, f"{block.where}: {job}: a request has no result"
        assert (walk.directory / f"{job}.pdf").stat().st_size > 1000
    again = run([exe, "-pdf", "notes"], walk.directory)
    ok(again, f"{block.where}: latexmk -pdf, a second time")
    assert "up-to-date" in again.stdout + again.stderr, again.stdout + again.stderr
    walk.outputs[block.line] = printed


# -- Pandoc and Quarto -----------------------------------------------------------------
PANDOC_BLOCK = re.compile(r"^\s*```\s*\{\.derivtex\b([^}]*)\}", re.MULTILINE)


def pandoc_html(block: Block, walk: Walk, page: str, lua: Path) -> None:
    """The page through Pandoc with the filter `lua`, to HTML: every derivtex block a
    derivation (no code left, no error box, nothing said on stderr), every label an id
    and every reference to it (`\\eqref{...}`, `@...`) a link."""
    exe = need("pandoc", "apt-get install pandoc")
    source = walk.directory / f"_pandoc_{block.line}.md"
    source.write_text(page)
    proc = run([exe, source.name, "-L", str(lua), "--mathjax", "-t", "html"], walk.directory)
    ok(proc, f"{block.where}: pandoc -L {lua.name}")
    html, said = proc.stdout, proc.stderr
    fences = PANDOC_BLOCK.findall(page)
    assert fences, f"{block.where}: no ```{{.derivtex}} block to convert"
    assert 'class="derivtex' not in html and "derivtex" not in said, f"{said}\n{html[:3000]}"
    assert html.count('class="math display"') >= len(fences)
    labels = re.findall(r"\blabel=([\w:.-]+)", " ".join(fences))
    for label in labels:
        assert f'id="{label}"' in html, f"{block.where}: no element has the id {label}"
    prose = re.sub(r"^\s*```.*?^\s*```\s*$", "", page, flags=re.MULTILINE | re.DOTALL)
    for ref in re.findall(r"\\(?:eq)?ref\{([^}]*)\}|(?<![\w@])@([\w:-]+)", prose):
        label = ref[0] or ref[1]
        assert label in labels, f"{block.where}: a reference to {label}, which no block has"
        assert f'href="#{label}"' in html, f"{block.where}: no link to {label}"


def write_pandoc_page(block: Block, walk: Walk) -> None:
    """page.md, which the shell block after it converts; converted here to HTML first
    with the filter the installed derivtex writes, and read back."""
    assert any(kind_of(b).name == "shell" and "page.md" in b.text for b in walk.after(block)), \
        f"{block.where}: a Pandoc page needs the shell block that converts page.md"
    (walk.directory / "page.md").write_text(block.text)
    filters = walk.directory / f"_lua_{block.line}"
    filters.mkdir()
    ok(run([str(BIN / "derivtex"), "pandoc", "--lua", filters.name], walk.directory),
       "derivtex pandoc --lua")
    pandoc_html(block, walk, block.text, filters / "derivtex.lua")


QUARTO_PAGE = ("# Jacobians\n\n```{.derivtex wrt=x label=eq-bil}\ny^T A x\n```\n\n"
               "By @eq-bil the Jacobian is a row.\n")


def quarto_filters(block: Block) -> bool:
    try:
        keys = yaml.safe_load(block.text)
    except yaml.YAMLError:
        return False
    return isinstance(keys, dict) and isinstance(keys.get("filters"), list)


def check_quarto_filters(block: Block, walk: Walk) -> None:
    """`filters:` of _quarto.yml: each entry is a Lua file in the project, or an
    extension in _extensions/NAME whose _extension.yml contributes filters that are files
    there; each of those filters turns a page's derivtex block into its derivation."""
    lua: list[Path] = []
    for entry in yaml.safe_load(block.text)["filters"]:
        assert isinstance(entry, str), f"{block.where}: {entry!r}"
        if entry.endswith(".lua"):
            lua.append(walk.directory / entry)
            continue
        folder = walk.directory / "_extensions" / entry
        manifest = folder / "_extension.yml"
        assert manifest.is_file(), f"{block.where}: no extension {entry} ({manifest})"
        contributes = yaml.safe_load(manifest.read_text())["contributes"]["filters"]
        assert contributes, f"{block.where}: {manifest} contributes no filter"
        lua += [folder / name for name in contributes]
    assert lua, f"{block.where}: no filter named"
    for path in lua:
        assert path.is_file(), f"{block.where}: the filter {path} does not exist"
        pandoc_html(block, walk, QUARTO_PAGE, path)


# -- shown JSON ------------------------------------------------------------------------
def check_json(block: Block, walk: Walk) -> None:
    """A `json` block shows what the shell block just before it printed: the same value
    (its layout aside: a page may put a list on one line)."""
    shown = json.loads(block.text)
    before = walk.before(block)
    assert before and before[-1].line in walk.outputs, \
        f"{block.where}: shown JSON, but no shell block just before it printed any"
    printed = walk.outputs[before[-1].line]
    start = re.search(r"^[\[{]", printed, re.MULTILINE)
    assert start is not None, f"{block.where}: the block before printed no JSON\n{printed}"
    value, _ = json.JSONDecoder().raw_decode(printed[start.start():])
    assert value == shown, f"{block.where}: the block before printed\n{printed}"


# -- shown output ----------------------------------------------------------------------
ELLIPSIS = re.compile(r"\.\.\.|…")


def shows(shown: str, actual: str) -> bool:
    """The shown text is in the real output, line breaks and spacing aside (a page
    rewraps long lines); `...` or `…` stands for anything."""
    pieces = [re.escape(" ".join(p.split())) for p in ELLIPSIS.split(shown)]
    return re.search(".*?".join(pieces), " ".join(actual.split()), re.S) is not None


def sessions(text: str) -> list[tuple[str, str]]:
    """`$ command` lines and the output shown under each."""
    out: list[tuple[str, str]] = []
    for line in text.splitlines():
        if line.startswith("$ "):
            out.append((line[2:], ""))
        elif out:
            out[-1] = (out[-1][0], out[-1][1] + line + "\n")
    return out


def check_output(block: Block, walk: Walk) -> None:
    """A `text` block shows output: after `$ command` lines, what each command prints
    (run here, its exit status aside: `derivtex check` says 3 for a wrong answer);
    otherwise what the shell block just before it printed."""
    if block.text.startswith("$ "):
        for command, shown in sessions(block.text):
            proc = run(["bash", "-c", command], walk.directory)
            assert shows(shown, proc.stdout + proc.stderr), (
                f"{block.where}: `{command}` prints\n{proc.stdout}{proc.stderr}")
        return
    before = walk.before(block)
    if not before or before[-1].line not in walk.outputs:
        pytest.skip(f"{block.where}: shows what a program the walkthrough does not run "
                    "prints (no `$ command` line, no shell block just before it)")
    printed = walk.outputs[before[-1].line]
    assert shows(block.text, printed), f"{block.where}: the block before printed\n{printed}"


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
    Kind("conf.py-fragment", lambda b: b.lang == "python" and sets_only(b, SPHINX_SETTING),
         add_to_conf, always),
    Kind("python", lambda b: b.lang == "python", run_python),
    Kind("rst", lambda b: b.lang == "rst", build_rst, always),
    Kind("mkdocs.yml", lambda b: b.lang in ("yaml", "yml") and "site_name:" in b.text,
         write_mkdocs_yml),
    Kind("mkdocs.yml-fragment", lambda b: b.lang in ("yaml", "yml") and mkdocs_fragment(b),
         add_to_mkdocs_yml, always),
    Kind("myst.yml", lambda b: b.lang in ("yaml", "yml") and "project:" in b.text
         and re.search(r"^version: 1\b", b.text, re.MULTILINE) is not None, write_myst_yml),
    Kind("mathjax.js", lambda b: b.lang in ("js", "javascript") and "MathJax" in b.text,
         write_mathjax_js),
    Kind("mkdocs-page", lambda b: _markdown(b) and bool(DERIVTEX_FENCE.search(b.text)),
         build_mkdocs_page, always),
    Kind("myst-page", lambda b: _markdown(b) and "```{derivation}" in b.text,
         build_myst_page, always),
    Kind("toml-fragment", lambda b: b.lang == "toml" and toml_fragment(b), add_to_toml,
         always),
    Kind("toml", lambda b: b.lang == "toml", build_toml, always),
    Kind("derivtex.sty document", lambda b: b.lang in ("latex", "tex")
         and "\\usepackage{derivtex}" in b.text, write_derivtex_document),
    Kind("derivtex.sty fragment", latex_fragment, add_to_derivtex_document, always),
    Kind("latex", lambda b: b.lang in ("latex", "tex"), compile_latex),
    Kind("latexmkrc", latexmkrc, run_latexmk, always),
    Kind("pandoc-page", lambda b: _markdown(b) and bool(PANDOC_BLOCK.search(b.text)),
         write_pandoc_page),
    Kind("quarto filters", lambda b: b.lang in ("yaml", "yml") and quarto_filters(b),
         check_quarto_filters),
    Kind("output", lambda b: b.lang in ("text", "console"), check_output),
    Kind("json output", lambda b: b.lang == "json", check_json),
]
UNKNOWN = Kind("unknown", lambda b: True, lambda b, w: None)


def kind_of(block: Block) -> Kind:
    return next((k for k in KINDS if k.matches(block)), UNKNOWN)
