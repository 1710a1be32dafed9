"""Jupyter shows derivations as math, and bad input as one line."""

from derivtex import derive, load_ipython_extension
from derivtex.errors import DerivtexError


def test_repr_latex_and_markdown():
    d = derive("y^T A x", "x")
    assert d._repr_latex_().startswith("$$\\begin{aligned}")
    assert "$$\n\\begin{aligned}" in d._repr_markdown_()


def test_extension_registers_a_one_line_error_display():
    class Shell:
        def set_custom_exc(self, types, handler):
            self.types, self.handler = types, handler

    shell = Shell()
    load_ipython_extension(shell)
    assert shell.types == (DerivtexError,) and callable(shell.handler)
