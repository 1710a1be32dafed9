"""The Sphinx extension's documented name: `extensions = ["derivtex.sphinx"]`."""

from .shells.sphinx import setup

__all__ = ["setup"]
