"""README.md and the documentation site's pages (docs/*.md) work as written (issues 25
and 23): every fenced code block is run or built against the installed package, section
by section, each section in a fresh directory, as a reader would follow it.
`readme_kinds.KINDS` says how each kind of block is exercised; a block it does not
recognise fails, so neither the README nor a page can grow an untested block. Only what
needs the network is skipped (a `pip install` line, an `npm install`), each skip a test
of its own that names the line and why."""

from __future__ import annotations

import re
import subprocess
import tomllib

import pytest
from packaging.requirements import Requirement

from derivtex.functions import SPELLINGS, SUGAR
from tests.whole import readme_blocks as rb
from tests.whole import readme_kinds as rk

README = (rb.ROOT / "README.md").read_text()
# What a reader can read: the README and every page of the site.
DOCUMENTATION = "\n".join((rb.ROOT / name).read_text() for name in rb.documents())
BLOCKS = rb.documented_blocks()


@pytest.fixture(scope="session")
def walks(tmp_path_factory):
    """One Walk per section of a document, made when its first block is tested."""
    made: dict[tuple[str, str], rb.Walk] = {}

    def walk(section: str, source: str = rb.README) -> rb.Walk:
        if (source, section) not in made:
            name = re.sub(r"\W+", "-", section).strip("-")[:40] or "top"
            made[source, section] = rb.Walk(
                [b for b in BLOCKS if (b.source, b.section) == (source, section)],
                tmp_path_factory.mktemp(name), BLOCKS)
        return made[source, section]
    return walk


def apply(block: rb.Block, walk: rb.Walk) -> None:
    """Run one block in its section's directory and record how it went."""
    try:
        rk.kind_of(block).run(block, walk)
    except pytest.skip.Exception as exc:
        walk.outcome[block.line] = f"skipped: {exc}"
        raise
    except (Exception, pytest.fail.Exception) as exc:  # an assertion, a timeout, ...
        walk.outcome[block.line] = f"failed: {exc}"
        raise
    walk.outcome[block.line] = "ok"


def params():
    for block in BLOCKS:
        kind = rk.kind_of(block)
        marks = [pytest.mark.slow] if kind.slow(block) else []
        yield pytest.param(block, id=block.id, marks=marks)


@pytest.mark.parametrize("block", list(params()))
def test_readme_block(block, walks):
    kind = rk.kind_of(block)
    assert kind is not rk.UNKNOWN, (
        f"{block.where}: no kind in readme_kinds.KINDS recognises this "
        f"```{block.lang} block ({block.first_line!r}); add one that runs or builds it")
    walk = walks(block.section, block.source)
    for before in walk.before(block):
        if before.line not in walk.outcome:  # selected alone (-k): set the section up
            try:
                apply(before, walk)
            except pytest.skip.Exception:
                pass
        if walk.outcome[before.line].startswith("failed"):
            pytest.fail(f"{before.where} ({before.id}), earlier in this section, "
                        f"failed: this block cannot run after it")
    apply(block, walk)


def skipped_lines():
    for block in BLOCKS:
        if rk.kind_of(block).name != "shell":
            continue
        for line in rb.shell_lines(block):
            reason = rb.why_not_run(line)
            if reason is not None:
                page = "" if block.source == rb.README else f"{block.source}: "
                yield pytest.param(reason, id=f"{page}{block.section} | {line[:48]}")


@pytest.mark.parametrize("reason", list(skipped_lines()))
def test_readme_line_not_run(reason):
    """Each README line the block tests leave out, named with the reason."""
    pytest.skip(reason)


def test_the_readme_has_blocks_of_every_kind_it_promises():
    kinds = {rk.kind_of(b).name for b in BLOCKS}
    assert kinds >= {"shell", "pycon", "python", "conf.py", "rst", "mkdocs.yml",
                     "mathjax.js", "mkdocs-page", "myst.yml", "myst-page", "toml", "latex"}


def test_an_unknown_block_has_no_kind():
    (block,) = rb.blocks("## Somewhere\n\n```basic\nderivtex derive EXPR\n```\n")
    assert rk.kind_of(block) is rk.UNKNOWN and block.id == "Somewhere | derivtex derive EXPR"


def test_a_page_of_the_site_runs_its_code_blocks_not_its_directives():
    """In docs/*.md a `{derivation}` fence is the site's own MyST directive (test_docs.py
    builds it); its ```sh blocks are run like the README's."""
    text = "# P\n\n```{derivation} x\n:wrt: x\n```\n\n```sh\nderivtex example\n```\n"
    (block,) = rb.blocks(text, "docs/page.md")
    assert (block.lang, block.where, block.id) == ("sh", "docs/page.md:7",
                                                   "docs/page.md: P | derivtex example")
    assert [b.lang for b in rb.blocks(text)] == ["{derivation}", "sh"]  # README: a block


SHOWN = """# Output

```sh
derivtex example | head -n 5
```

prints

```text
# An example spec for `derivtex build notes.toml -o out/`: one out/NAME.tex per
# [[derivation]] and out/all.tex, which \\inputs them all. ...
```

```text
$ derivtex derive "bar(x)" --wrt x
derivtex: syntax error: column 1: ...
$ echo one   two
one two
```
"""


@pytest.mark.parametrize("wrong", [False, True])
def test_shown_output_is_the_real_output(tmp_path, wrong):
    text = SHOWN.replace("one two", "one three") if wrong else SHOWN
    found = rb.blocks(text, "docs/output.md")
    assert [rk.kind_of(b).name for b in found] == ["shell", "output", "output"]
    walk = rb.Walk(found, tmp_path, found)
    for block in found:
        if wrong and block is found[-1]:
            with pytest.raises(AssertionError, match="echo one"):
                rk.kind_of(block).run(block, walk)
        else:
            rk.kind_of(block).run(block, walk)


def test_a_page_section_is_followed_with_its_parts():
    text = "# P\n\n## Package\n\n### Write\n\n```sh\nls\n```\n\n### Build\n\n```sh\nls\n```\n"
    assert {b.section for b in rb.blocks(text, "docs/page.md")} == {"Package"}
    assert [b.section for b in rb.blocks(text)] == ["Write", "Build"]  # README: each its own


def test_every_page_of_the_site_is_followed():
    pages = {b.source for b in BLOCKS}
    assert {"README.md", "docs/usage.md", "docs/sphinx.md", "docs/mkdocs.md"} <= pages


def test_a_section_is_found_in_the_readme_or_the_site():
    offline = rb.documented_section("Offline math")
    assert "npm install mathjax@3" in offline and "KaTeX" in offline
    assert "## " not in rb.documented_section("Sphinx, offline")


def test_blocks_reads_longer_fences_whole():
    text = "# A\n\n````markdown\n```{derivation} x\n:wrt: x\n```\n````\n\n## B\n```sh\nls\n```\n"
    first, second = rb.blocks(text)
    assert first.text == "```{derivation} x\n:wrt: x\n```\n" and first.section == "A"
    assert (second.section, second.lang, second.line) == ("B", "sh", 10)


def test_network_lines_are_skipped_and_make_targets_named():
    assert rb.why_not_run('pip install ".[sphinx]"').startswith("installs from the package")
    assert rb.why_not_run("npm install --prefix .cache mathjax@3") is not None
    assert rb.why_not_run("derivtex derive x --wrt x") is None
    assert "make -n" in rb.why_not_run("make test")
    with pytest.raises(AssertionError, match="MAKE_REASONS"):
        rb.why_not_run("make everything")


# -- what the README and the site say about packaging, checked against pyproject.toml ---
PYPROJECT = tomllib.loads((rb.ROOT / "pyproject.toml").read_text())["project"]
EXTRAS = PYPROJECT["optional-dependencies"]
# What each README section uses, so what its extra must install.
SECTION_USES = {
    "sphinx": {"sphinx", "myst-parser"},
    "mkdocs": {"mkdocs", "mkdocs-material", "pymdown-extensions"},
    "jupyter": {"ipython", "ipykernel", "nbconvert"},
    "jupyter-book": {"jupyter-book"},
    "typst": {"typst"},
    "sympy": {"sympy"},
    "docs": {"sphinx", "myst-parser", "furo"},
}


def requirements(extra: str) -> dict[str, Requirement]:
    return {(r := Requirement(spec)).name.lower(): r for spec in EXTRAS[extra]}


def test_every_extra_the_readme_installs_exists_and_installs_what_its_section_uses():
    named = set(re.findall(r'"\.\[([\w,-]+)\]"', DOCUMENTATION))
    assert named, "the documentation installs no extra from the checkout"
    for group in named:
        for extra in group.split(","):
            assert extra in EXTRAS, f'docs install ".[{extra}]", which pyproject lacks'
    for extra, uses in SECTION_USES.items():
        assert uses <= set(requirements(extra)), extra
        assert f'".[{extra}]"' in DOCUMENTATION, f"nothing says how to install {extra}"


def test_the_sphinx_extra_keeps_sphinx_7_4():
    """myst-parser 5 needs Sphinx >= 8: the extra stays below it (4.x: Sphinx 7 and 8)."""
    sphinx = requirements("sphinx")
    assert sphinx["sphinx"].specifier.contains("7.4.7")
    assert sphinx["myst-parser"].specifier.contains("4.0.1")
    assert not sphinx["myst-parser"].specifier.contains("5.0.0")


def test_the_readme_cites_no_contract_users_do_not_have():
    assert not re.search(r"SPEC\s*§|SPEC\.md", DOCUMENTATION)


def test_the_function_list_is_the_registry():
    """The input language's **Functions** item (README or site) names every function
    spelling derivtex reads (and so every function a result can hold), and nothing else."""
    item = DOCUMENTATION.split("- **Functions**", 1)[1].split("\n- ", 1)[0]
    item = item.split("An unknown", 1)[0]
    listed = {m.group(1) for m in re.finditer(r"`([A-Za-z]+)(?:\(x\))?`", item)}
    assert listed == set(SPELLINGS) | (set(SUGAR) - {"norm"})


# The sections that write demo.tex and compile it (the quick start, wherever it is).
DEMO_SECTIONS = sorted({(b.source, b.section) for b in BLOCKS
                        if "-o demo.tex" in b.text and "pdflatex demo.tex" in b.text})


@pytest.mark.parametrize("source, section", DEMO_SECTIONS)
def test_what_the_quick_start_leaves_in_a_checkout_is_ignored_by_git(walks, source, section):
    """Run in a checkout, the quick start's files (demo.tex, demo.pdf, .aux, .log) are
    not left for `git status` to show."""
    if not (rb.ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    walk = walks(section, source)
    for block in walk.blocks:
        if block.line not in walk.outcome:
            apply(block, walk)
    assert all(o == "ok" for o in walk.outcome.values()), walk.outcome
    left = sorted(p.name for p in walk.directory.iterdir() if p.name != "block.sh")
    assert "demo.pdf" in left
    proc = subprocess.run(["git", "check-ignore", "--no-index", "--verbose", "--non-matching",
                           *left], cwd=rb.ROOT, capture_output=True, text=True)
    assert "::" not in proc.stdout, proc.stdout


FRAGMENTS = """## Site

```python
extensions = ["derivtex.sphinx"]
```

```yaml
site_name: Notes
plugins:
  - derivtex
markdown_extensions:
  - pymdownx.arithmatex:
      generic: true
```

## Later

```sh
mkdir -p _static/mathjax docs/javascripts
```

```python
html_static_path = ["_static"]
mathjax_path = "mathjax/tex-chtml.js"
```

```yaml
extra_javascript:
  - javascripts/mathjax.js
```
"""


def test_fragments_are_built_into_the_readme_files_they_extend(tmp_path):
    """A section that only adds lines to conf.py or keys to mkdocs.yml is built with the
    README's complete file plus those lines."""
    found = rb.blocks(FRAGMENTS)
    later = [b for b in found if b.section == "Later"]
    assert [rk.kind_of(b).name for b in later] == ["shell", "conf.py-fragment",
                                                    "mkdocs.yml-fragment"]
    walk = rb.Walk(later, tmp_path, found)
    for block in later:
        rk.kind_of(block).run(block, walk)
    conf = (tmp_path / "conf.py").read_text()
    assert conf.startswith("extensions = [") and 'mathjax_path = "mathjax/' in conf
    html = (tmp_path / f"_html_{later[1].line}" / "index.html").read_text()
    assert "mathjax/tex-chtml.js" in html
    config = (tmp_path / "mkdocs.yml").read_text()
    assert "site_name: Notes" in config and "javascripts/mathjax.js" in config
    assert 'class="derivtex"' in (tmp_path / "_site" / "index.html").read_text()


def github_slug(heading: str) -> str:
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_the_readme_links_resolve():
    """Every link of the README's prose leads somewhere: a heading, or a file of the
    checkout (code blocks are left out: their links are the examples')."""
    lines = README.splitlines()
    inside = {i for b in BLOCKS if b.source == rb.README
              for i in range(b.line - 1, b.line + b.text.count("\n") + 1)}
    prose = "\n".join(line for i, line in enumerate(lines) if i not in inside)
    prose = re.sub(r"`[^`\n]*`", "", prose)  # code spans show links, they are not links
    headings = {github_slug(h) for h in re.findall(r"^#+ (.+)$", prose, re.MULTILINE)}
    targets = re.findall(r"\]\(([^)\s]+)\)", prose)
    assert targets
    for target in targets:
        if target.startswith("#"):
            assert target[1:] in headings, target
        elif "://" not in target:
            assert (rb.ROOT / target).exists(), target
