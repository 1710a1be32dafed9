"""The notation protocol: the primitives a printer sets for its notation (LaTeX, Typst),
from which `printer.Printer` builds all printed structure."""

from __future__ import annotations

from functools import cached_property
from typing import Any, TypeVar

from ..engine import index as ix
from ..engine.index_method import output_name
from ..model.shapes import Shapes
from ..notation_settings import DEFAULT, NotationSettings
from ..syntax import ast

# Styles a constant (the identity, the ones and zero vectors) keeps; with any other it is
# written as in `mathbf`, since a plain or arrowed 1 reads as the number.
BOLD_STYLES = ("boldsymbol", "mathbf", "bm")
N = TypeVar("N", bound="Notation")
_CLASSES: dict[tuple[type, NotationSettings], type] = {}


def with_notation(cls: type[N], settings: NotationSettings) -> type[N]:
    """`cls` writing in `settings`: a subclass carrying them, so the printers a page makes
    from its own (`type(p)(shapes, names)`) write alike; the default is `cls` itself."""
    if settings == DEFAULT:
        return cls
    key = (cls, settings)
    if key not in _CLASSES:
        _CLASSES[key] = type(cls.__name__, (cls,), {
            "notation": settings, "jacobian_matrix": settings.jacobian == "matrix",
            **cls.notation_attributes(settings)})
    return _CLASSES[key]


class Notation:
    """The primitives of one notation: what a bold symbol, a transpose, a fraction or a
    sum's limits look like. `LatexPrinter` and `TypstPrinter` set every one; `Printer`
    builds all structure from them. `notation` holds the lecturer's settings
    (notation_settings.py), which the primitives below and the formats' own read."""

    notation: NotationSettings = DEFAULT
    shapes: Shapes
    names: dict[ast.Expr, str]

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

    def dim(self, dim: str | int) -> str:
        raise NotImplementedError

    def styled(self, base: str, style: str) -> str:
        """`base` in a vector or matrix style of the settings (or the user's macro)."""
        raise NotImplementedError

    # each `transpose` setting's (transpose mark, inverse-transpose mark) in the format
    transposes: dict[str, tuple[str, str]] = {}

    @classmethod
    def notation_attributes(cls, settings: NotationSettings) -> dict[str, Any]:
        """The class attributes (transpose marks) the format spells differently in
        `settings`."""
        mark, inverse = cls.transposes[settings.transpose]
        return {"transpose_mark": mark, "inverse_transpose_mark": inverse}

    # -- the settings, in any format -----------------------------------------
    def style(self, base: str, name: str) -> str:
        """A vector's or a matrix's symbol, in the style the settings give its kind."""
        return self.styled(base, str(getattr(self.notation, self.kind_of_name(name))))

    def constant(self, base: str) -> str:
        """The identity I and the ones and zero vectors in their kind's style when it is a
        bold one or the user's macro, else in mathbf: a plain or arrowed 1 reads as the
        number."""
        style = str(self.notation.matrix if base == "I" else self.notation.vector)
        return self.styled(base, style if style in BOLD_STYLES or style.startswith("\\")
                           else "mathbf")

    def kind_of_name(self, name: str) -> str:
        """"vector" or "matrix" for a bold name: an input's kind, a page name's shape, and
        for the output (y, f, H) its case."""
        symbol = self.shapes.symbols.get(name)
        if symbol is not None and symbol.kind != "scalar":
            return symbol.kind
        for expr, shown in self.names.items():
            if shown == name:
                return "vector" if self.shapes(expr)[1] == 1 else "matrix"
        return "matrix" if name[:1].isupper() else "vector"

    def kronecker(self, first: ix.Idx, second: ix.Idx) -> str:
        """delta_jk, or in Iverson's bracket [j = k] (the same in every format)."""
        if self.notation.delta == "iverson":
            return "[%s = %s]" % (self.index_names([first.name]),
                                  self.index_names([second.name]))
        return self.sub(self.greek("delta"), self.index_names([first.name, second.name]))

    def sum_signs(self, indices: tuple[ix.Idx, ...], body: ix.Node) -> str:
        """The sums over `indices` in front of `body`: with bounds, bare, or none under
        Einstein's convention, where each index is repeated exactly twice (otherwise the
        sum stays, bare, so the page never says what it does not mean)."""
        if self.notation.sums == "bounds":
            return "".join(self.sum_limits(i.name, self.dim(i.dim)) for i in indices)
        if self.notation.sums == "einstein" and all(repeated(i, body) for i in indices):
            return ""
        return "".join(self.sum_over(i.name) for i in indices)

    def workhorse_sums(self, indices: tuple[ix.Idx, ...], body: ix.Node) -> str:
        """The sums of a workhorse (sum_k delta_jk a_k = a_j): bare, none under Einstein's
        convention where the index is repeated twice."""
        if self.notation.sums == "einstein" and all(repeated(i, body) for i in indices):
            return ""
        return "".join(self.sum_over(i.name) for i in indices)

    def entry_name(self, name: str) -> str:
        """The name a matrix's entries are written with: `W` (W_ik), or with lowercase
        entries `w` (w_ik) unless w already means something on the page (a symbol, a
        page name, an output, a dimension or an index letter)."""
        symbol = self.shapes.symbols.get(name)
        if self.notation.entries != "lower" or symbol is None or symbol.kind != "matrix" \
                or not ("A" <= name[:1] <= "Z"):
            return name
        lower = name[0].lower() + name[1:]
        return name if lower in self.taken_names else lower

    @cached_property
    def taken_names(self) -> set[str]:
        symbols = self.shapes.symbols
        dims = {str(d) for s in symbols.values() for d in s.shape}
        outputs = {output_name(symbols, kind) for kind in ("scalar", "vector", "matrix")}
        return set(symbols) | set(self.names.values()) | dims | outputs | set(
            ix.IndexNames.LETTERS)


def repeated(index: ix.Idx, body: ix.Node) -> bool:
    """Whether `index` appears exactly twice in `body`, as Einstein's convention sums."""
    count = 0
    for node in ix.walk(body):
        if isinstance(node, ix.Entry) and not isinstance(node.expr, ast.Ones):  # printed 1
            count += sum(i.name == index.name for i in node.indices())
        elif isinstance(node, ix.Delta):
            count += (node.first.name == index.name) + (node.second.name == index.name)
    return count == 2
