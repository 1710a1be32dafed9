"""The Python-Markdown extension `derivtex`: ```derivtex fences become derivations.

A failed block stays visible on the page (an admonition with the message) and is logged
at error level on the `mkdocs.plugins.derivtex` logger with its page and line, so
`mkdocs build --strict` fails while the rest of the site still builds. Every failed block
of a page is reported, not only the first.
"""

from __future__ import annotations

import logging
from typing import Any

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

from ..errors import Failure
from ..printing.render import environment
from .fences import replace_fences
from .publish import failure_line

log = logging.getLogger("mkdocs.plugins.derivtex")


def page_of(md: Markdown) -> tuple[str | None, int]:
    """Under MkDocs: the page's path and how many lines of front matter precede the text
    Markdown sees (MkDocs strips them), so reported lines are the file's."""
    processor = md.treeprocessors["relpath"] if "relpath" in md.treeprocessors else None
    file = getattr(processor, "file", None)
    if file is None:
        return None, 0
    try:
        from mkdocs.utils import meta

        source = file.content_string
        text, _ = meta.get_data(source)
        offset = source[:len(source) - len(text)].count("\n") if source.endswith(text) else 0
    except (OSError, ValueError, ImportError):
        offset = 0
    return file.src_uri, offset


class DerivtexPreprocessor(Preprocessor):
    def __init__(self, md: Markdown, defaults: dict[str, Any]) -> None:
        super().__init__(md)
        self.defaults = defaults

    def run(self, lines: list[str]) -> list[str]:
        page, offset = page_of(self.md)
        templates = self.defaults.get("templates")

        def stash(block: str) -> str:
            return "\n\n" + self.md.htmlStash.store(block) + "\n\n"

        def on_failure(failure: Failure, line: int) -> str:
            where = f"{page}:{line + offset}" if page else f"line {line + offset}"
            log.error(failure_line(failure, where))
            note = environment(templates).get_template("failure.html.j2").render(
                where=where, message=str(failure))
            return stash("\n".join(s for s in note.splitlines() if s.strip()))

        text = replace_fences("\n".join(lines), self.defaults, on_failure, stash)
        return text.split("\n")


class DerivtexExtension(Extension):
    def __init__(self, **kwargs: Any) -> None:
        self.config = {
            "layout": ["numerator", "numerator or denominator"],
            "method": ["index", "index, identity or both"],
            "steps": ["full", "full or compact"],
            "templates": ["", "a directory of templates that override the shipped ones"],
            "notation": ["", "how pages are written: a preset (notes) and KEY=VALUE settings, "
                         "or a table of them"],
        }
        super().__init__(**kwargs)

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Markdown's API
        defaults = {key: value for key, value in self.getConfigs().items() if value}
        md.preprocessors.register(DerivtexPreprocessor(md, defaults), "derivtex", 28)


def makeExtension(**kwargs: Any) -> DerivtexExtension:  # noqa: N802 - Markdown's API
    return DerivtexExtension(**kwargs)
