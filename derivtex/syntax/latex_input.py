"""LaTeX input: pylatexenc's node tree, translated into the plain-text language.

Only a fixed set of macros is understood; any other (\\input, \\write18, \\def, ...) is
rejected by name with its column, so nothing beyond the supported set goes further.
"""

from __future__ import annotations

import re

from pylatexenc.latexwalker import (
    LatexCharsNode,
    LatexCommentNode,
    LatexGroupNode,
    LatexMacroNode,
    LatexMathNode,
    LatexNode,
    LatexWalker,
    LatexWalkerError,
)

from ..errors import ParseError, quote, shorten
from ..functions import LATEX_MACROS
from . import ast
from .lexer import Token, tokenize
from .parser import GREEK, parse_tokens

NAME_WRAPPERS = {"mathbf", "boldsymbol", "bm", "mathrm", "mathit", "vec", "operatorname",
                 "mathsf", "mathbfit", "symbf", "text"}
OPERATOR_NAMES = {"operatorname", "mathrm", "text"}
BOLD = {"mathbf", "boldsymbol", "bm", "vec", "mathbfit", "symbf"}
FRACTIONS = {"frac", "tfrac", "dfrac"}
SPACES = {",", ";", ":", "!", " ", "quad", "qquad", "left", "right", "big", "Big",
          "bigl", "bigr", "Bigl", "Bigr"}
SYMBOLS = {"|": "||", "lVert": "||", "rVert": "||", "Vert": "||", "cdot": "*",
           "lvert": "|", "rvert": "|", "vert": "|",
           "lbrace": "{", "rbrace": "}", "odot": ".*", "circ": ".*", "oslash": "./"}


class _Translator:
    def __init__(self) -> None:
        self.chars: list[str] = []
        self.cols: list[int] = []
        self.bold: set[int] = set()  # source columns of bold Greek names and bold 1s

    def emit(self, text: str, pos: int) -> None:
        self.chars.extend(text)
        self.cols.extend([pos + 1] * len(text))

    def nodes(self, nodes: list) -> None:
        k = 0
        while k < len(nodes):
            node = nodes[k]
            if isinstance(node, LatexCharsNode):
                if node.chars.startswith("_"):
                    while self.chars and self.chars[-1] == " ":
                        self.chars.pop()
                        self.cols.pop()
                for offset, ch in enumerate(node.chars):
                    self.emit(ch, node.pos + offset)
            elif isinstance(node, LatexGroupNode):
                braces = "{}" if self.chars and self.chars[-1] in "^_" else "()"
                if braces == "{}" and self.chars[-1] == "_":
                    self.subscript(node)
                else:
                    self.emit(braces[0], node.pos)
                    self.nodes(node.nodelist)
                    self.emit(braces[1], node.pos + len(node.latex_verbatim()) - 1)
            elif isinstance(node, LatexMacroNode):
                k = self.macro(nodes, k)
            elif isinstance(node, LatexMathNode):
                self.nodes(node.nodelist)
            elif not isinstance(node, LatexCommentNode):
                raise ParseError(f"unsupported LaTeX {quote(node.latex_verbatim()[:20])}",
                                 node.pos + 1)
            k += 1

    def subscript(self, group: LatexGroupNode) -> None:
        text = group.latex_verbatim()[1:-1]
        if not text.replace("_", "").isalnum():
            raise ParseError(f"unsupported subscript {{{text}}}", group.pos + 1)
        self.emit(text, group.pos + 1)

    def macro(self, nodes: list, k: int) -> int:
        node = nodes[k]
        name = node.macroname
        if name in SPACES:
            self.emit(" ", node.pos)
            return k
        if name in SYMBOLS:
            self.emit(" %s " % SYMBOLS[name], node.pos)
            return k
        if name in ("top", "intercal"):
            self.emit("T ", node.pos)  # a^\top x: TeX swallows the space after \top
            return k
        if name in GREEK or name in LATEX_MACROS:
            if name == "sqrt":
                return self.root(nodes, k)
            self.emit(" %s " % LATEX_MACROS.get(name, name), node.pos)
            return k
        if name in FRACTIONS:
            return self.fraction(nodes, k)
        if name in NAME_WRAPPERS:
            args = [a for a in (node.nodeargd.argnlist if node.nodeargd else []) if a]
            if not args and k + 1 < len(nodes) and isinstance(nodes[k + 1], LatexGroupNode):
                args, k = [nodes[k + 1]], k + 1
            if len(args) != 1:
                raise ParseError(f"\\{name} needs one argument in braces", node.pos + 1)
            self.wrapped(args[0], name, node.pos)
            return k
        raise ParseError(f"unsupported LaTeX macro \\{shorten(name)}", node.pos + 1)

    def arguments(self, nodes: list, k: int, count: int) -> tuple[list, int]:
        """A macro's arguments: braced groups, or single characters as in \\tfrac12."""
        node = nodes[k]
        args = [a for a in (node.nodeargd.argnlist if node.nodeargd else []) if a]
        while len(args) < count and k + 1 < len(nodes):
            following = nodes[k + 1]
            if isinstance(following, LatexGroupNode):
                args, k = args + [following], k + 1
            elif isinstance(following, LatexCharsNode) and following.chars.strip():
                chars = following.chars.lstrip()
                at = following.pos + len(following.chars) - len(chars)
                args.append(LatexCharsNode(chars=chars[0], pos=at, len=1,
                                           parsing_state=following.parsing_state))
                rest = chars[1:]
                if rest:
                    nodes[k + 1] = LatexCharsNode(chars=rest, pos=at + 1, len=len(rest),
                                                  parsing_state=following.parsing_state)
                else:
                    k += 1
            else:
                break
        return args, k

    def group(self, arg: LatexNode) -> None:
        """An argument's content, translated, in parentheses."""
        self.emit("(", arg.pos)
        self.nodes(arg.nodelist if isinstance(arg, LatexGroupNode) else [arg])
        self.emit(")", arg.pos + len(arg.latex_verbatim()) - 1)

    def fraction(self, nodes: list, k: int) -> int:
        """\\frac{a}{b}: numbers stay a number (1/2); otherwise a division (a)/(b)."""
        node = nodes[k]
        args, k = self.arguments(nodes, k, 2)
        if len(args) != 2 or not all(a.latex_verbatim().strip("{} ") for a in args):
            raise ParseError(f"\\{node.macroname} needs a numerator and a denominator",
                             node.pos + 1)
        parts = [a.latex_verbatim().strip("{} ") for a in args]
        if all(re.fullmatch(r"\d+(\.\d+)?", p) for p in parts):
            self.emit(" (%s/%s) " % tuple(parts), node.pos)
            return k
        self.emit(" (", node.pos)
        self.group(args[0])
        self.emit("/", node.pos)
        self.group(args[1])
        self.emit(") ", node.pos)
        return k

    def root(self, nodes: list, k: int) -> int:
        """\\sqrt{u}; a root of another degree (\\sqrt[3]{u}) is not supported."""
        node = nodes[k]
        argd = node.nodeargd.argnlist if node.nodeargd else []
        if argd and argd[0] is not None:
            raise ParseError("only the square root \\sqrt{...} is supported", node.pos + 1)
        args, k = self.arguments(nodes, k, 1)
        if len(args) != 1 or not args[0].latex_verbatim().strip("{} "):
            raise ParseError("\\sqrt needs an argument in braces", node.pos + 1)
        self.emit(" sqrt", node.pos)
        self.group(args[0])
        self.emit(" ", node.pos)
        return k

    def wrapped(self, arg: LatexNode, macro: str, pos: int) -> None:
        inner = arg.nodelist if isinstance(arg, LatexGroupNode) else [arg]
        if len(inner) == 1 and isinstance(inner[0], LatexMacroNode) and \
                inner[0].macroname in GREEK:
            if macro in BOLD:  # a bold Greek letter is a vector
                self.bold.add(inner[0].pos + 1)
            self.emit(" %s " % inner[0].macroname, inner[0].pos)
            return
        text = "".join(n.chars for n in inner if isinstance(n, LatexCharsNode)).strip()
        if text == "1" and macro in BOLD:  # the ones vector
            self.bold.add(inner[0].pos + 1 + inner[0].chars.index("1"))
            self.emit(" 1 ", inner[0].pos + inner[0].chars.index("1"))
            return
        if len(inner) != 1 or not isinstance(inner[0], LatexCharsNode) or \
                not text.replace("_", "").isalnum():
            raise ParseError(f"\\{macro}{{...}} must contain a plain name", pos + 1)
        if text == "T" and self.chars and self.chars[-1] in "^{":
            self.emit("T", pos)
            return
        # \operatorname{name}(...) is a call: no space between the name and its "("
        self.emit(" %s" % text if macro in OPERATOR_NAMES else " %s " % text, inner[0].pos)


def parse_latex(source: str, declared: frozenset[str] = frozenset()) -> ast.Expr:
    try:
        nodes, _, _ = LatexWalker(source, tolerant_parsing=False).get_latex_nodes()
    except LatexWalkerError as exc:
        pos = getattr(exc, "pos", None)
        message = str(getattr(exc, "msg", "") or "malformed LaTeX").splitlines()[0]
        raise ParseError(f"malformed LaTeX: {message}",
                         pos + 1 if isinstance(pos, int) else None) from None
    except RecursionError:
        raise ParseError("LaTeX nested too deeply") from None
    translator = _Translator()
    translator.nodes(nodes)
    text = "".join(translator.chars)
    cols = translator.cols + [len(source) + 1]

    def source_col(col: int) -> int:
        return cols[min(col - 1, len(cols) - 1)]

    try:
        tokens = [Token(t.kind, t.value, source_col(t.col)) for t in tokenize(text)]
    except ParseError as exc:
        raise ParseError(exc.message, source_col(exc.column or 1)) from None
    return parse_tokens(tokens, declared, frozenset(translator.bold))
