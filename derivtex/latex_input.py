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
    LatexWalker,
    LatexWalkerError,
)

from . import ast
from .errors import ParseError, shorten
from .lexer import Token, tokenize
from .parser import GREEK, parse_tokens

NAME_WRAPPERS = {"mathbf", "boldsymbol", "bm", "mathrm", "mathit", "vec", "operatorname",
                 "mathsf", "mathbfit", "symbf", "text"}
FRACTIONS = {"frac", "tfrac", "dfrac"}
FUNCTION_MACROS = {"sigma": "sigma", "tanh": "tanh", "exp": "exp", "log": "log", "det": "det",
                   "tr": "tr", "ln": "log"}
TRANSPOSE_MACROS = {"top", "intercal", "T", "mathsf", "mathrm"}
SPACES = {",", ";", ":", "!", " ", "quad", "qquad", "left", "right", "big", "Big",
          "bigl", "bigr", "Bigl", "Bigr"}
SYMBOLS = {"|": "||", "lVert": "||", "rVert": "||", "Vert": "||", "cdot": "*",
           "lbrace": "{", "rbrace": "}"}


class _Translator:
    def __init__(self) -> None:
        self.chars: list[str] = []
        self.cols: list[int] = []

    def emit(self, text: str, pos: int) -> None:
        self.chars.extend(text)
        self.cols.extend([pos + 1] * len(text))

    def nodes(self, nodes: list) -> None:
        k = 0
        while k < len(nodes):
            node = nodes[k]
            if isinstance(node, LatexCharsNode):
                chars = node.chars
                if chars.startswith("_2") and "".join(self.chars).rstrip().endswith("||"):
                    chars = chars[2:]  # ||x||_2^2 is the squared Euclidean norm
                    node = LatexCharsNode(chars=chars, pos=node.pos + 2, len=len(chars),
                                          parsing_state=node.parsing_state)
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
                raise ParseError(f"unsupported LaTeX {node.latex_verbatim()[:20]!r}",
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
            self.emit("T", node.pos)
            return k
        if name in GREEK or name in FUNCTION_MACROS:
            self.emit(" %s " % FUNCTION_MACROS.get(name, name), node.pos)
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

    def fraction(self, nodes: list, k: int) -> int:
        """\frac{1}{2}: numbers only, written as (1/2)."""
        node = nodes[k]
        args = [a for a in (node.nodeargd.argnlist if node.nodeargd else []) if a]
        while len(args) < 2 and k + 1 < len(nodes) and isinstance(nodes[k + 1], LatexGroupNode):
            args, k = args + [nodes[k + 1]], k + 1
        parts = [a.latex_verbatim().strip("{} ") for a in args]
        if len(parts) != 2 or not all(re.fullmatch(r"\d+(\.\d+)?", p) for p in parts):
            raise ParseError(f"\\{node.macroname} is supported for numbers only, as in "
                             "\\frac{1}{2}", node.pos + 1)
        self.emit(" (%s/%s) " % tuple(parts), node.pos)
        return k

    def wrapped(self, arg, macro: str, pos: int) -> None:
        inner = arg.nodelist if isinstance(arg, LatexGroupNode) else [arg]
        if len(inner) == 1 and isinstance(inner[0], LatexMacroNode) and \
                inner[0].macroname in GREEK:
            self.emit(" %s " % inner[0].macroname, inner[0].pos)
            return
        text = "".join(n.chars for n in inner if isinstance(n, LatexCharsNode)).strip()
        if len(inner) != 1 or not isinstance(inner[0], LatexCharsNode) or \
                not text.replace("_", "").isalnum():
            raise ParseError(f"\\{macro}{{...}} must contain a plain name", pos + 1)
        if text == "T" and self.chars and self.chars[-1] in "^{":
            self.emit("T", pos)
            return
        self.emit(" %s " % text, inner[0].pos)


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
    return parse_tokens(tokens, declared)
