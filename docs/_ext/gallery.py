"""The gallery: every sample of samples/notes.toml, derived at build time by derivtex's
own `derivation` directive (the directive is run, nothing is pasted), one section each
with the command line that derives the same page."""

from __future__ import annotations

import shlex
import tomllib
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from derivtex.shells.sphinx import DerivationDirective

# How a TOML value is written as a directive option (a list, a table, or one value).
SEPARATORS = {"shape": "; ", "symmetric": ", "}


def option_text(key: str, value: Any) -> str:
    if isinstance(value, dict):
        value = [f"{name}={dims}" for name, dims in value.items()]
    if isinstance(value, list):
        return SEPARATORS.get(key, ", ").join(str(v) for v in value)
    return str(value)


def command_line(entry: dict[str, Any]) -> str:
    """`derivtex derive ...` with the entry's options as flags."""
    words = ["derivtex", "derive", entry["expr"]]
    for key, value in entry.items():
        if key in ("name", "expr"):
            continue
        values = value if isinstance(value, list) else [value]
        if isinstance(value, dict):
            values = [f"{name}={dims}" for name, dims in value.items()]
        for one in values:
            words += [f"--{key}", str(one)]
    return shlex.join(words)


# Words a sample's name spells in lower case that a title writes otherwise.
PROPER = {"hessian": "Hessian", "notes": "The notes:"}


def title(name: str) -> str:
    """`notes_linear_layer` -> "The notes: linear layer"."""
    words = [PROPER.get(word, word) for word in name.split("_")]
    return " ".join(words)[:1].upper() + " ".join(words)[1:]


class GalleryDirective(SphinxDirective):
    """`.. derivtex-gallery:: PATH`: one section per [[derivation]] of the TOML file
    (relative to the documentation's source folder)."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        path = Path(self.env.srcdir, self.arguments[0]).resolve()
        self.env.note_dependency(str(path))
        entries = tomllib.loads(path.read_text(encoding="utf-8"))["derivation"]
        return [self.section(entry) for entry in entries]

    def section(self, entry: dict[str, Any]) -> nodes.section:
        section = nodes.section(ids=[nodes.make_id("gallery-" + entry["name"])])
        heading = title(entry["name"])
        section += nodes.title(heading, heading)
        line = command_line(entry)
        section += nodes.literal_block(line, line, language="sh")
        options = {key: option_text(key, value) for key, value in entry.items()
                   if key not in ("name", "expr")}
        options["name"] = entry["name"]
        directive = DerivationDirective(
            "derivation", [entry["expr"]], options, StringList(), self.lineno,
            self.content_offset, self.block_text, self.state, self.state_machine)
        section.extend(directive.run())
        return section


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("derivtex-gallery", GalleryDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
