"""The Python-Markdown extension `derivtex`: ```derivtex fences become derivations."""

from __future__ import annotations

import html
import logging

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

from .errors import DerivtexError
from .fences import Defaults, replace_fences

log = logging.getLogger("MARKDOWN")


class DerivtexPreprocessor(Preprocessor):
    def __init__(self, md: Markdown, defaults: Defaults) -> None:
        super().__init__(md)
        self.defaults = defaults

    def run(self, lines: list[str]) -> list[str]:
        def stash(block: str) -> str:
            return "\n\n" + self.md.htmlStash.store(block) + "\n\n"

        def on_error(exc: DerivtexError, line: int) -> str:
            log.warning("derivtex: line %d: %s", line, exc)
            return stash(f'<p class="derivtex-error">derivtex: line {line}: '
                         f"{html.escape(str(exc))}</p>")

        text = replace_fences("\n".join(lines), self.defaults, on_error, stash)
        return text.split("\n")


class DerivtexExtension(Extension):
    def __init__(self, **kwargs) -> None:
        self.config = {
            "layout": ["numerator", "numerator or denominator"],
            "method": ["index", "index, identity or both"],
            "templates": ["", "a directory of templates that override the shipped ones"],
        }
        super().__init__(**kwargs)

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Markdown's API
        defaults = Defaults(self.getConfig("layout"), self.getConfig("method"),
                            self.getConfig("templates") or None)
        md.preprocessors.register(DerivtexPreprocessor(md, defaults), "derivtex", 28)


def makeExtension(**kwargs) -> DerivtexExtension:  # noqa: N802 - Markdown's API
    return DerivtexExtension(**kwargs)
