"""Reading a given answer (`derivtex check --answer`) against the expression it answers.

The answer is in the input language, text or LaTeX, and may use only the expression's
names. Its shapes are those of the expression: each name keeps its kind and dimensions,
and a typed `I` or `1` is sized by what it multiplies, or failing that by the derivative
it stands for (`I` alone for d(x)/dx). A student who writes `A y` for d(yᵀAx)/dx has
assumed A square: when only tying dimensions makes the answer multiply out, it is read
with them tied (n = m), and the tie is reported with the verdict.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..errors import DerivtexError, ParseError, ShapeError, quote
from ..syntax import ast
from ..syntax.ast import names_in, rebuild, walk
from ..syntax.lexer import check_length
from ..syntax.limits import check_text, check_tree
from ..syntax.parser import parse_text
from .declarations import Dim
from .inference import infer
from .shapes import SCALAR, Shape, Shapes, Symbol

# The stand-in for the derivative's shape: a declared name no expression can hold (a name
# with a double underscore is refused, ast.check_python_names).
EXPECTED = "derivative__shape"


@dataclass(frozen=True)
class ReadAnswer:
    """The answer and the expression over one set of symbols, and how those symbols'
    dimensions relate to the expression's own (`dims`: the expression's -> these)."""

    answer: ast.Expr
    expression: ast.Expr
    symbols: dict[str, Symbol]
    dims: dict[Dim, Dim]
    ties: tuple[tuple[Dim, Dim], ...] = ()

    @property
    def shape(self) -> Shape:
        return Shapes(self.symbols)(self.answer)

    def relabel(self, expr: ast.Expr) -> ast.Expr:
        """A tree over the expression's dimensions (the derivative) in these."""
        if all(mine == joint for mine, joint in self.dims.items()):
            return expr
        return rebuild(expr, lambda node: relabelled(node, self.dims))

    def dim(self, d: Dim) -> Dim:
        return self.dims.get(d, d)

    def original(self, d: Dim) -> Dim:
        """A dimension back in the expression's names (the first of a tied pair)."""
        return next((mine for mine, joint in self.dims.items() if joint == d), d)


def relabelled(node: ast.Expr, dims: Mapping[Dim, Dim]) -> ast.Expr | None:
    if isinstance(node, ast.Identity | ast.Ones) and node.dim is not None:
        return type(node)(dims.get(node.dim, node.dim), col=node.col)
    if isinstance(node, ast.Zero):
        return ast.Zero(dims.get(node.rows, node.rows), dims.get(node.cols, node.cols),
                        col=node.col)
    return None


def parse_source(text: str, declared: frozenset[str]) -> ast.Expr:
    """Text, or LaTeX when it has a backslash, into the expression tree: expressions and
    answers are read alike."""
    check_length(text)
    check_text(text)
    if "\\" in text:
        from ..syntax.latex_input import parse_latex

        return parse_latex(text, declared)
    return parse_text(text, declared)


def parse_answer(text: str, declared: frozenset[str], wrt: str) -> ast.Expr:
    """The answer's tree; an error says it is the answer's, with the column in it."""
    if not isinstance(text, str):
        raise ParseError("the answer must be text")
    try:
        parsed = parse_source(text, declared)
        check_tree(parsed, wrt)
    except DerivtexError as exc:
        raise in_answer(exc) from None
    return parsed


def in_answer(exc: DerivtexError) -> DerivtexError:
    """The same error, saying that the answer is at fault and where in it."""
    where = f", column {exc.column}" if exc.column is not None else ""
    error = type(exc)(f"in the answer{where}: {exc.message}")
    error.spelling = exc.spelling
    return error


def check_answer_names(answer: ast.Expr, symbols: Mapping[str, Symbol]) -> None:
    """Every name of the answer is one of the expression's (I and 1 are not names)."""
    for node in names_in(answer):
        if node.name not in symbols:
            known = ", ".join(sorted(symbols))
            raise in_answer(ParseError(f"{quote(node.name)} is not in the expression (its "
                                       f"names: {known})", node.col or None))


def read_answer(answer: ast.Expr, expression: ast.Expr, sized: ast.Expr,
                symbols: Mapping[str, Symbol], declared: Mapping[str, tuple[Dim, ...]],
                expected: Shape) -> ReadAnswer:
    """The answer over the expression's symbols (`sized`: the expression as derived); if
    it only multiplies out with some of their dimensions equal, over `expression`
    (as parsed) read together with the answer. Raises ShapeError, located in the
    answer, if it does not multiply out either way."""
    symmetric = frozenset(n for n, s in symbols.items() if s.symmetric)
    try:
        return ReadAnswer(sized_alone(answer, symbols, symmetric, expected), sized,
                          dict(symbols), {d: d for s in symbols.values() for d in s.shape})
    except ShapeError as exc:
        first = exc
    try:
        return read_tied(answer, expression, symbols, declared, symmetric)
    except ShapeError:
        raise in_answer(first) from None


def sized_alone(answer: ast.Expr, symbols: Mapping[str, Symbol], symmetric: frozenset[str],
                expected: Shape) -> ast.Expr:
    """The answer with each name's declared shape; an unsized `I` or `1` takes the
    derivative's shape (or its transpose: the other layout)."""
    used = {n.name for n in names_in(answer)}
    declared = {name: dims_of(symbols[name]) for name in used}
    mine = symmetric & used
    try:
        return infer(answer, declared, mine)[0]
    except ShapeError as exc:
        if expected == SCALAR:
            raise
        first = exc
    for shape in (expected, expected[::-1]):
        both = ast.Add((answer, ast.Name(EXPECTED)))
        try:
            tree = infer(both, {**declared, EXPECTED: shape if shape[1] != 1 else shape[:1]},
                         mine)[0]
        except ShapeError:
            continue
        assert isinstance(tree, ast.Add)
        return tree.terms[0]
    raise first


def dims_of(symbol: Symbol) -> tuple[Dim, ...]:
    if symbol.kind == "scalar":
        return (1,)
    return symbol.shape[:1] if symbol.kind == "vector" else symbol.shape


def read_tied(answer: ast.Expr, expression: ast.Expr, symbols: Mapping[str, Symbol],
              declared: Mapping[str, tuple[Dim, ...]], symmetric: frozenset[str]) -> ReadAnswer:
    """The expression and the answer inferred together (side by side as ||f||² + ||g||²,
    which ties no shape of one to the other), so the answer may equate dimensions."""
    both = ast.Add((ast.Norm2(expression), ast.Norm2(answer)))
    tree, joint = infer(both, declared, symmetric)
    assert isinstance(tree, ast.Add)
    first, second = (t.operand for t in tree.terms if isinstance(t, ast.Norm2))
    dims: dict[Dim, Dim] = {}
    for name, symbol in symbols.items():
        if joint[name].kind != symbol.kind:
            raise ShapeError(f"the answer uses {name} as a {joint[name].kind}; in the "
                             f"expression it is a {symbol.kind}")
        for mine, theirs in zip(symbol.shape, joint[name].shape, strict=True):
            dims.setdefault(mine, theirs)
    order = list(dims)
    ties = tuple((a, b) for k, a in enumerate(order) for b in order[k + 1:]
                 if dims[a] == dims[b])
    return ReadAnswer(second, first, joint, dims, ties)


def is_bare_number(answer: ast.Expr) -> bool:
    """A number standing alone (0, 1, -1, 2, (0)^T): it takes the derivative's shape, as
    a result's bare `1` or `0` does."""
    while isinstance(answer, ast.Neg | ast.Transpose):
        answer = answer.operand
    return isinstance(answer, ast.Number)


def toggled_transposes(answer: ast.Expr, symbols: Mapping[str, Symbol]
                       ) -> list[tuple[str, bool, ast.Expr]]:
    """The answer with one matrix's transpose added (True) or removed, for each matrix
    written in it, where the result still multiplies out: the variants behind a "missing
    transpose" hint."""
    under = {id(node.operand) for node in walk(answer) if isinstance(node, ast.Transpose)}
    variants = []
    for node in walk(answer):
        inner = node.operand if isinstance(node, ast.Transpose) else node
        if not isinstance(inner, ast.Name) or symbols[inner.name].kind != "matrix" \
                or (node is inner and id(node) in under):
            continue
        variant = rebuild(answer, swap(node, inner if node is not inner else ast.Transpose(inner)))
        if fits(variant, symbols):
            variants.append((inner.name, node is inner, variant))
    return variants


def swap(old: ast.Expr, new: ast.Expr) -> Callable[[ast.Expr], ast.Expr | None]:
    """For `rebuild`: this one node (not an equal one elsewhere) replaced."""
    return lambda node: new if node is old else None


def fits(answer: ast.Expr, symbols: Mapping[str, Symbol]) -> bool:
    """Whether the answer multiplies out with the symbols' shapes."""
    declared = {n.name: dims_of(symbols[n.name]) for n in names_in(answer)}
    try:
        infer(answer, declared)
    except ShapeError:
        return False
    return True
