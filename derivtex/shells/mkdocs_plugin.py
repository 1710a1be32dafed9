"""The MkDocs plugin `derivtex`: ```derivtex fences on every page become derivations.

The plugin adds the Markdown extension `derivtex` with its own options, so a fence is
rendered wherever Markdown puts it (admonitions, tabs, list items) and a failed block is
an error with its page and line: `mkdocs build --strict` fails, a plain build finishes
every other page. Derivations are cached for the life of the process, so `mkdocs serve`
rebuilds re-derive only what changed. A labelled derivation's id is added to the page's
anchors, so MkDocs' link validation (`validation: anchors: warn`) knows `#label`.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.plugins import BasePlugin

from ..options import LAYOUTS, METHODS, STEPS


class DerivtexConfig(base.Config):
    layout = c.Choice(LAYOUTS, default="numerator")
    method = c.Choice(METHODS, default="index")
    steps = c.Choice(STEPS, default="full")
    templates = c.Optional(c.Dir(exists=True))
    notation = c.Type((str, dict), default="")  # a preset and settings, or a table of them


class DerivtexPlugin(BasePlugin[DerivtexConfig]):
    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Defined so MkDocs keeps this plugin (and its cache) across `serve` rebuilds."""

    def on_config(self, config: Any) -> Any:
        """The plugin's options become the extension's (options given to the extension
        itself under markdown_extensions win); the extension does the work."""
        if "derivtex" not in config.markdown_extensions:
            config.markdown_extensions.append("derivtex")
        settings: dict[str, Any] = {"layout": self.config.layout, "method": self.config.method,
                    "steps": self.config.steps}
        if self.config.templates:
            settings["templates"] = self.config.templates
        if self.config.notation:
            settings["notation"] = self.config.notation
        config.mdx_configs["derivtex"] = {**settings, **config.mdx_configs.get("derivtex", {})}
        return config

    def on_page_content(self, html: str, *, page: Any, config: Any, files: Any) -> str:
        """MkDocs collects a page's anchors from Markdown's element tree and raw HTML, but
        a derivation reaches the page through Markdown's stash, unseen: add its ids."""
        if page.present_anchor_ids is not None:
            page.present_anchor_ids |= derivation_ids(html)
        return html


class DerivationIds(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if "derivtex" in (found.get("class") or "").split() and found.get("id"):
            self.ids.add(str(found["id"]))


def derivation_ids(html: str) -> set[str]:
    """The ids of the page's derivations (their labels)."""
    parser = DerivationIds()
    parser.feed(html)
    parser.close()
    return parser.ids
