"""LaTeX notation: the primitives of the printer protocol (printer.py) in LaTeX, and
each function's LaTeX. The structure (parentheses, sums, products) is `Printer`'s."""

from __future__ import annotations

from .latex_linebreak import TEXT_WIDTH, breakable, fold, width
from .printer import Printer

_OP = r"\operatorname{%s}\left(%%s\right)"

# f applied to `%s`; a function missing here prints as \operatorname{name}(...)
FUNCTIONS = {
    "tr": _OP % "tr", "det": r"\det\left(%s\right)", "inv": r"\left(%s\right)^{-1}",
    "sigma": r"\sigma\left(%s\right)", "tanh": r"\tanh\left(%s\right)",
    "exp": r"\exp\left(%s\right)", "log": r"\log\left(%s\right)",
    "recip": r"\frac{1}{%s}", "sqrt": r"\sqrt{%s}", "sinh": r"\sinh\left(%s\right)",
    "cosh": r"\cosh\left(%s\right)",
    "dsigma": r"\sigma'\left(%s\right)", "dtanh": r"\tanh'\left(%s\right)",
    "dsqrt": r"\frac{1}{2\sqrt{%s}}",
    "dsoftplus": r"\operatorname{softplus}'\left(%s\right)",
    "abs": r"\left|%s\right|",
}

# f' as the chain rule cites it, by the name of the derivative function
PRIME_FACTS = {
    "dsigma": r"\sigma'(z) = \sigma(z)\,\bigl(1 - \sigma(z)\bigr)",
    "dtanh": r"\tanh'(z) = 1 - \tanh^{2}(z)",
    "exp": r"\exp'(z) = \exp(z)",
    "recip": r"\log'(z) = \frac{1}{z}",
    "step": r"\operatorname{relu}'(z) = \operatorname{step}(z)",
    "sign": r"\lvert z\rvert' = \operatorname{sign}(z)",
    "drecip": r"\left(\frac{1}{z}\right)' = -\frac{1}{z^{2}}",
    "dsqrt": r"\left(\sqrt{z}\right)' = \frac{1}{2\sqrt{z}}",
    "cosh": r"\sinh'(z) = \cosh(z)",
    "sinh": r"\cosh'(z) = \sinh(z)",
    "dsoftplus": r"\operatorname{softplus}'(z) = \sigma(z) = \frac{1}{1 + \exp(-z)}",
}


_TALL = (r"\frac", r"\sum", r"\prod", r"\left", r"\begin")
# The settings' styles and transposes (notation_settings.py) in LaTeX; a user's macro
# is applied as it is.
STYLES = {"boldsymbol": r"\boldsymbol{%s}", "mathbf": r"\mathbf{%s}", "bm": r"\bm{%s}",
          "plain": "%s", "arrow": r"\vec{%s}", "underline": r"\underline{%s}"}
TRANSPOSES = {"top": (r"\top", r"-\top"), "T": ("T", "-T"),
              "mathsf": (r"\mathsf{T}", r"-\mathsf{T}"), "intercal": (r"\intercal", r"-\intercal"),
              "prime": (r"\prime", r"-1\prime")}


class LatexPrinter(Printer):
    format = "latex"
    transposes = TRANSPOSES
    transpose_mark = r"\top"
    inverse_mark = "-1"
    inverse_transpose_mark = r"-\top"
    hadamard_divide_op = r"\oslash"
    hadamard_op = r"\odot"
    align = "&"
    newline = r"\\"
    wide_space = r"\qquad"
    quad = r"\quad"
    thin_space = r"\,"
    member = r"\in"
    reals = r"\mathbb{R}"
    list_separator = ",\\quad "
    cdots = r"\cdots"
    vdots = r"\vdots"
    ddots = r"\ddots"

    def greek(self, name: str) -> str:
        return "\\" + name

    def upright(self, letters: str) -> str:
        return r"\mathrm{%s}" % letters

    def bold(self, base: str) -> str:
        return r"\boldsymbol{%s}" % base

    def styled(self, base: str, style: str) -> str:
        """`\\mathbf` leaves a Greek letter as it is: a bold Greek symbol is boldsymbol's."""
        if style == "mathbf" and base.startswith("\\"):
            style = "boldsymbol"
        return (style + "{%s}" if style.startswith("\\") else STYLES[style]) % base

    @property
    def dee(self) -> str:
        """The letter of a derivative: ∂ by default, or d."""
        return r"\partial" if self.notation.derivative == "partial" else "d"

    def sub(self, base: str, sub: str) -> str:
        return "%s_{%s}" % (base, sub)

    def sup(self, base: str, sup: str) -> str:
        return "%s^{%s}" % (base, sup)

    def paren(self, text: str) -> str:
        return r"\left(%s\right)" % text

    def bracket(self, text: str) -> str:
        r"""An entry's bracket, [A x - b]_k: sized only around something tall, so an inline
        [\Sigma^{-1}]_{jl} keeps to its line."""
        if any(tall in text for tall in _TALL):
            return r"\left[%s\right]" % text
        return "[%s]" % text

    def frac(self, num: str, den: str) -> str:
        return r"\frac{%s}{%s}" % (num, den)

    def index_names(self, names: list[str]) -> str:
        return ("" if all(len(n) == 1 for n in names) else ",").join(names)

    def norm(self, text: str, subscript: str, power: str) -> str:
        return r"\lVert %s \rVert" % text + ("_{%s}" % subscript if subscript else "") + (
            "^{%s}" % power if power else "")

    def function(self, name: str, arg: str) -> str:
        return FUNCTIONS.get(name, _OP % name) % arg

    def log_det(self, arg: str) -> str:
        return r"\log\det\left(%s\right)" % arg

    def sum_limits(self, index: str, dim: str) -> str:
        return r"\sum_{%s=1}^{%s}" % (index, dim)

    def sum_over(self, indices: str) -> str:
        return r"\sum_{%s}" % indices

    def partial_frac(self, num: str, den: str) -> str:
        return r"\frac{%s %s}{%s %s}" % (self.dee, num, self.dee, den)

    def partial_ratio(self, num: str, den: str) -> str:
        return r"%s %s / %s %s" % (self.dee, num, self.dee, den)

    def partial_of(self, wrt: str) -> str:
        return r"\frac{%s}{%s %s}" % (self.dee, self.dee, wrt)

    def second_partial(self, f: str, first: str, second: str | None) -> str:
        d = self.dee
        if second is None:
            return r"\frac{%s^{2} %s}{%s %s^{2}}" % (d, f, d, first)
        return r"\frac{%s^{2} %s}{%s %s\,%s %s}" % (d, f, d, first, d, second)

    def second_partial_of(self, first: str, second: str) -> str:
        d = self.dee
        return r"\frac{%s^{2}}{%s %s\,%s %s}" % (d, d, first, d, second)

    def gradient(self, f: str) -> str:
        return r"\nabla " + f

    def times(self, dims: list[str]) -> str:
        return r" \times ".join(dims)

    def real_space(self, shape_text: str) -> str:
        return r"\mathbb{R}^{%s}" % shape_text

    def text(self, words: str) -> str:
        return r"\text{%s}" % words

    def prime_fact(self, func: str) -> str | None:
        return PRIME_FACTS.get(func)

    def inline(self, math: str) -> str:
        """Math in a sentence; a long equation with brackets TeX may break inside."""
        return r"\(%s\)" % breakable(math)

    def matrix(self, rows: list[list[str]]) -> str:
        return r"\begin{bmatrix} %s \end{bmatrix}" % r" \\ ".join(" & ".join(r) for r in rows)

    def fits(self, row: str) -> bool:
        return width(row) <= TEXT_WIDTH

    def fold(self, body: str) -> str:
        return fold(body)
