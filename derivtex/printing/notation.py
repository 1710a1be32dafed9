"""The notation protocol: the primitives a printer sets for its notation (LaTeX, Typst),
from which `printer.Printer` builds all printed structure."""

from __future__ import annotations


class Notation:
    """The primitives of one notation: what a bold symbol, a transpose, a fraction or a
    sum's limits look like. `LatexPrinter` and `TypstPrinter` set every one; `Printer`
    builds all structure from them."""

    format = ""
    transpose_mark = ""
    inverse_mark = ""
    inverse_transpose_mark = ""
    hadamard_divide_op = ""  # elementwise division, 1 ⊘ x
    hadamard_op = ""
    align = ""           # the alignment point of an equation row
    newline = ""         # between rows of a display
    wide_space = ""      # between an equation and its side remark
    quad = ""            # indents a `where` row
    thin_space = ""
    member = ""          # "is an element of"
    reals = ""           # the real numbers
    list_separator = ""  # between the definitions of a `where` row
    cdots = ""           # the dots along a written-out matrix's row, down a column and
    vdots = ""           # across its middle
    ddots = ""

    def greek(self, name: str) -> str:
        raise NotImplementedError

    def upright(self, letters: str) -> str:
        raise NotImplementedError

    def bold(self, base: str) -> str:
        raise NotImplementedError

    def sub(self, base: str, sub: str) -> str:
        raise NotImplementedError

    def sup(self, base: str, sup: str) -> str:
        raise NotImplementedError

    def paren(self, text: str) -> str:
        raise NotImplementedError

    def bracket(self, text: str) -> str:
        raise NotImplementedError

    def frac(self, num: str, den: str) -> str:
        raise NotImplementedError

    def index_names(self, names: list[str]) -> str:
        raise NotImplementedError

    def norm(self, text: str, subscript: str, power: str) -> str:
        """||text||, with the subscript as typed (2, F or none) and a power ("" for none)."""
        raise NotImplementedError

    def function(self, name: str, arg: str) -> str:
        raise NotImplementedError

    def log_det(self, arg: str) -> str:
        raise NotImplementedError

    def sum_limits(self, index: str, dim: str) -> str:
        raise NotImplementedError

    def sum_over(self, indices: str) -> str:
        raise NotImplementedError

    def partial_frac(self, num: str, den: str) -> str:
        raise NotImplementedError

    def partial_ratio(self, num: str, den: str) -> str:
        raise NotImplementedError

    def partial_of(self, wrt: str) -> str:
        raise NotImplementedError

    def second_partial(self, f: str, first: str, second: str | None) -> str:
        raise NotImplementedError

    def second_partial_of(self, first: str, second: str) -> str:
        raise NotImplementedError

    def gradient(self, f: str) -> str:
        raise NotImplementedError

    def times(self, dims: list[str]) -> str:
        raise NotImplementedError

    def real_space(self, shape_text: str) -> str:
        raise NotImplementedError

    def text(self, words: str) -> str:
        raise NotImplementedError

    def prime_fact(self, func: str) -> str | None:
        """The statement of f' the chain rule cites, or None."""
        raise NotImplementedError

    def inline(self, math: str) -> str:
        raise NotImplementedError

    def matrix(self, rows: list[list[str]]) -> str:
        """A matrix written out entry by entry, in square brackets."""
        raise NotImplementedError

    def fits(self, row: str) -> bool:
        """Does a display row fit the page's width unbroken (a matrix cannot break)?"""
        return True

    def fold(self, body: str) -> str:
        """Line-breaking hook: a display body broken to the page width."""
        return body
