"""The MkDocs plugin `derivtex`: ```derivtex fences on every page become derivations.

A bad block stops the build with the page and line (PluginError), so `mkdocs build
--strict` and plain `mkdocs build` both fail loudly. Derivations are cached for the
life of the process, so `mkdocs serve` rebuilds re-derive only what changed.
"""

from __future__ import annotations

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin

from .errors import DerivtexError
from .fences import Defaults, replace_fences


class DerivtexConfig(base.Config):
    layout = c.Choice(("numerator", "denominator"), default="numerator")
    method = c.Choice(("index", "identity", "both"), default="index")
    templates = c.Optional(c.Dir(exists=True))


class DerivtexPlugin(BasePlugin[DerivtexConfig]):
    def on_startup(self, *, command, dirty) -> None:
        """Defined so MkDocs keeps this plugin (and its cache) across `serve` rebuilds."""

    def on_page_markdown(self, markdown, /, *, page, config, files):
        defaults = Defaults(self.config.layout, self.config.method, self.config.templates)
        path = page.file.src_path

        def fail(exc: DerivtexError, line: int) -> str:
            raise PluginError(f"derivtex: {path}:{line}: {exc}")

        return replace_fences(markdown, defaults, fail)
