"""Typst notation: the primitives of the printer protocol (printer.py) in Typst's built-in
math (`(partial f)/(partial x_j)`, `sum_(k=1)^n`, `bold(x)`, `x^top`, `delta_(j k)`), so
the output compiles with no package to download. The structure is `Printer`'s."""

from __future__ import annotations

import re

from ..errors import UnsafeOutputError
from .printer import Printer
from .typst_linebreak import TEXT_WIDTH, fold, width

# f applied to `%s`; a function missing here prints as op("name")(...)
FUNCTIONS = {
    "tr": "tr(%s)", "det": "det(%s)", "inv": "(%s)^(-1)", "sigma": "sigma(%s)",
    "tanh": "tanh(%s)", "exp": "exp(%s)", "log": "log(%s)", "recip": "frac(1, %s)",
    "sqrt": "sqrt(%s)", "sinh": "sinh(%s)", "cosh": "cosh(%s)",
    "dsigma": "sigma'(%s)", "dtanh": "tanh'(%s)",
    "dsqrt": "frac(1, 2 sqrt(%s))", "dsoftplus": "op(\"softplus\")'(%s)",
    "abs": "abs(%s)",
}

# f' as the chain rule cites it, by the name of the derivative function
PRIME_FACTS = {
    "dsigma": "sigma'(z) = sigma(z) thin (1 - sigma(z))",
    "dtanh": "tanh'(z) = 1 - tanh^2(z)",
    "exp": "exp'(z) = exp(z)",
    "recip": "log'(z) = frac(1, z)",
    "step": "op(\"relu\")'(z) = op(\"step\")(z)",
    "sign": "abs(z)' = op(\"sign\")(z)",
    "drecip": "(frac(1, z))' = -frac(1, z^2)",
    "dsqrt": "(sqrt(z))' = frac(1, 2 sqrt(z))",
    "cosh": "sinh'(z) = cosh(z)",
    "sinh": "cosh'(z) = sinh(z)",
    "dsoftplus": "op(\"softplus\")'(z) = sigma(z) = frac(1, 1 + exp(-z))",
}

# LaTeX's \epsilon, \phi, \vartheta are Typst's .alt variants
GREEK = {"epsilon": "epsilon.alt", "varepsilon": "epsilon", "phi": "phi.alt", "varphi": "phi",
         "vartheta": "theta.alt"}
_NUMBERED_INDEX = re.compile(r"([A-Za-z]+)_\{([0-9]+)\}")
# The settings' styles and transposes (notation_settings.py) in Typst; Typst has no user
# macros, so a LaTeX macro's style is bold here.
STYLES = {"plain": "%s", "arrow": "arrow(%s)", "underline": "underline(%s)"}
TRANSPOSES = {"top": ("top", "-top"), "T": ("T", "-T"), "mathsf": ("sans(T)", "-sans(T)"),
              "intercal": ("⊺", "-⊺"), "prime": ("prime", "-1 prime")}


class TypstPrinter(Printer):
    format = "typst"
    transposes = TRANSPOSES
    transpose_mark = "top"
    inverse_mark = "-1"
    inverse_transpose_mark = "-top"
    hadamard_divide_op = "⊘"
    hadamard_op = "dot.o"
    align = "&"
    newline = "\\"
    wide_space = "wide"
    quad = "quad"
    thin_space = "thin"
    member = "in"
    reals = "RR"
    list_separator = ", quad "
    cdots = "dots.c"
    vdots = "dots.v"
    ddots = "dots.down"

    def greek(self, name: str) -> str:
        return GREEK.get(name, name)

    def upright(self, letters: str) -> str:
        return 'upright("%s")' % letters

    def bold(self, base: str) -> str:
        return "bold(%s)" % base

    def styled(self, base: str, style: str) -> str:
        return STYLES[style] % base if style in STYLES else self.bold(base)

    @property
    def dee(self) -> str:
        return "partial" if self.notation.derivative == "partial" else "dif"

    def sub(self, base: str, sub: str) -> str:
        return "%s_(%s)" % (base, sub)

    def sup(self, base: str, sup: str) -> str:
        return "%s^(%s)" % (base, sup)

    def paren(self, text: str) -> str:
        return "(%s)" % text

    def bracket(self, text: str) -> str:
        return "[%s]" % text

    def frac(self, num: str, den: str) -> str:
        return "frac(%s, %s)" % (num, den)

    def index_names(self, names: list[str]) -> str:
        """k_{3} (the engine's fresh index) is k_3; indices are apart: delta_(j k), and
        a written-out matrix's positions apart by commas once one has two digits: W_(10, 1)."""
        sep = ", " if any(n.isdigit() and len(n) > 1 for n in names) else " "
        return sep.join(_NUMBERED_INDEX.sub(r"\1_\2", n) for n in names)

    def norm(self, text: str, subscript: str, power: str) -> str:
        return "norm(%s)" % text + ("_(%s)" % subscript if subscript else "") + (
            "^%s" % power if power else "")

    def function(self, name: str, arg: str) -> str:
        return FUNCTIONS.get(name, 'op("%s")(%%s)' % name) % arg

    def log_det(self, arg: str) -> str:
        return "log det(%s)" % arg

    def sum_limits(self, index: str, dim: str) -> str:
        return "sum_(%s=1)^(%s)" % (self.index_names([index]), dim)

    def sum_over(self, indices: str) -> str:
        return "sum_(%s)" % self.index_names([indices])

    def partial_frac(self, num: str, den: str) -> str:
        return "(%s %s)/(%s %s)" % (self.dee, num, self.dee, den)

    def partial_ratio(self, num: str, den: str) -> str:
        return "%s %s \\/ %s %s" % (self.dee, num, self.dee, den)

    def partial_of(self, wrt: str) -> str:
        return "%s/(%s %s)" % (self.dee, self.dee, wrt)

    def derivative_of(self, wrt: str, body: str) -> str:
        return self.partial_of(wrt) + " " + self.paren(body)

    def second_partial(self, f: str, first: str, second: str | None) -> str:
        d = self.dee
        if second is None:
            return "(%s^2 %s)/(%s %s^2)" % (d, f, d, first)
        return "(%s^2 %s)/(%s %s thin %s %s)" % (d, f, d, first, d, second)

    def second_partial_of(self, first: str, second: str) -> str:
        d = self.dee
        return "%s^2/(%s %s thin %s %s)" % (d, d, first, d, second)

    def gradient(self, f: str) -> str:
        return "nabla " + f

    def times(self, dims: list[str]) -> str:
        return " times ".join(dims)

    def real_space(self, shape_text: str) -> str:
        return "RR^(%s)" % shape_text

    def text(self, words: str) -> str:
        """Upright words in math. Typst spaces a word from the math beside it by itself, as
        much as LaTeX's `\\text{where }`, so a space at the words' edge would double that gap
        ("where   s" on the page)."""
        return '"%s"' % words.strip()

    def prime_fact(self, func: str) -> str | None:
        return PRIME_FACTS.get(func)

    def inline(self, math: str) -> str:
        """Math in a sentence. A sentence may name an index as the engine spells it,
        k_{1}; Typst would print the braces, so it is k_1 here."""
        return "$%s$" % _NUMBERED_INDEX.sub(r"\1_\2", math)

    def matrix(self, rows: list[list[str]]) -> str:
        return 'mat(delim: "[", %s)' % "; ".join(", ".join(r) for r in rows)

    def fits(self, row: str) -> bool:
        return width(row) <= TEXT_WIDTH

    def fold(self, body: str) -> str:
        return fold(body)


# The one piece of Typst code the shipped templates write: a labelled result is numbered.
NUMBERED_EQUATION = '#math.equation(block: true, numbering: "(1)", $'


def check_typst(snippet: str) -> str:
    """`snippet`, unless it holds a `#` (Typst code) other than the numbered result's:
    names and labels are validated, so any other would be a bug, refused, not printed."""
    if "#" in snippet.replace(NUMBERED_EQUATION, ""):
        raise UnsafeOutputError("the Typst output would contain code (#)")
    return snippet
