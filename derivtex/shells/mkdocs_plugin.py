"""The MkDocs plugin `derivtex`: ```derivtex fences on every page become derivations.

The plugin adds the Markdown extension `derivtex` with its own options, so a fence is
rendered wherever Markdown puts it (admonitions, tabs, list items) and a failed block is
an error with its page and line: `mkdocs build --strict` fails, a plain build finishes
every other page. Derivations are cached for the life of the process, so `mkdocs serve`
rebuilds re-derive only what changed.
"""

from __future__ import annotations

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


class DerivtexPlugin(BasePlugin[DerivtexConfig]):
    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Defined so MkDocs keeps this plugin (and its cache) across `serve` rebuilds."""

    def on_config(self, config: Any) -> Any:
        """The plugin's options become the extension's (options given to the extension
        itself under markdown_extensions win); the extension does the work."""
        if "derivtex" not in config.markdown_extensions:
            config.markdown_extensions.append("derivtex")
        settings = {"layout": self.config.layout, "method": self.config.method,
                    "steps": self.config.steps}
        if self.config.templates:
            settings["templates"] = self.config.templates
        config.mdx_configs["derivtex"] = {**settings, **config.mdx_configs.get("derivtex", {})}
        return config
