"""The pipeline's data flows one way: a stage imports only itself and the stages before
it (lazy imports inside functions included), so the layout shows the pipeline."""

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "derivtex"
LEVEL = {
    "errors": 0, "forbidden": 0,
    "syntax": 1, "functions": 1,  # the registry holds the parser's spellings
    "model": 2, "options": 2, "notation_settings": 2,
    "engine": 3,
    "verify": 4,
    "printing": 5,
    "api": 6, "reading": 6,  # reading.py: the expression as api.py reads it
    "shells": 7,
    "sphinx": 8, "__init__": 8, "__main__": 8,  # the documented entry names
}
# The engine picks between two readings of an entry by what a reader reads: the
# length of the plain text.
ALLOWED = {("engine.index_method", "printing.plain")}


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def imported(path: Path) -> list[tuple[str, int]]:
    """The derivtex modules `path` imports, as dotted paths below derivtex."""
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = parts[:-1][:len(parts) - node.level]
            target = base + (node.module.split(".") if node.module else [])
            if node.module:
                found.append((".".join(target), node.lineno))
                continue
            for alias in node.names:  # `from .. import ast`: a module, or a name of the package
                module = PACKAGE.joinpath(*target, alias.name)
                is_module = module.is_dir() or module.with_suffix(".py").is_file()
                found.append((".".join(target + [alias.name] if is_module else target)
                              or "__init__", node.lineno))
        elif isinstance(node, ast.ImportFrom | ast.Import):
            for name in ([node.module] if isinstance(node, ast.ImportFrom) else
                         [a.name for a in node.names]):
                if name and name.startswith("derivtex."):
                    found.append((name.removeprefix("derivtex."), node.lineno))
    return found


def level(dotted: str) -> int:
    return LEVEL[dotted.split(".")[0]]


def test_every_module_has_a_stage():
    assert len(modules()) > 50
    for path in modules():
        first = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        assert first in LEVEL, f"{path}: which stage is it?"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_flow_one_way(path):
    here = ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
    for target, line in imported(path):
        if target.split(".")[0] in ("", "__init__") or (here, target) in ALLOWED:
            continue
        assert level(target) <= level(here), \
            f"{here} (stage {level(here)}) imports {target} (stage {level(target)}), line {line}"


LATEX = re.compile(r"\\(frac|boldsymbol|partial|delta|sum|operatorname|top|mathbb|left|right)\b")
# in strings: `bold(` after a quote or a space, not the primitive (def bold, self.bold)
TYPST = re.compile(r"(\b(sum|prod)_\(|(?<!def)[\"' ]bold\(|\bRR\^|#math\.|#set\b|\bpartial [a-z(]|"
                   r"\bdelta_\()")


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_notation_lives_only_in_its_printer(path):
    """The notation boundary: LaTeX control sequences only in modules whose path names
    LaTeX (its printer, line breaker, input reader), Typst's math only in Typst's."""
    text = path.read_text()
    if "latex" not in path.name:
        found = LATEX.search(text)
        assert found is None, f"LaTeX in {path.name}: {found.group(0)!r}"
    if "typst" not in path.name:
        found = TYPST.search(text)
        assert found is None, f"Typst in {path.name}: {found.group(0)!r}"
