"""Shape inference by unification: kinds and dimensions of every symbol, sizes of the
typed 1 and I, and the reading of Greek names that makes an expression type-check.

Inference gives the most general shapes the expression allows and names free
dimensions n, m, p, q, ... in order of first appearance.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import replace
from fractions import Fraction

from ..errors import DerivtexError, OptionError, ShapeError, option, suggest
from ..functions import REGISTRY, nearest
from ..syntax import ast
from ..syntax.ast import is_number, names_in, rebuild, walk
from ..syntax.parser import GREEK
from .declarations import Dim, default_kind, glued_hint
from .greek import guessable, square_greek, transposed_greek
from .shapes import Kind, Shape, Shapes, Symbol, kind_of

_DIM_POOL = "n m p q r s t u v w d e g h".split()
MAX_GREEK_GUESSES = 6


class _Var:
    """A dimension not yet known; `name` is set when the user declared it by name."""

    __slots__ = ("parent", "name")

    def __init__(self, name: str | None = None) -> None:
        self.parent: _Var | int | None = None
        self.name = name


def _find(d: _Var | int) -> _Var | int:
    while isinstance(d, _Var) and d.parent is not None:
        d = d.parent
    return d


class _Inference:
    """`guesses`: undeclared Greek names tried as vectors (or matrices, if capital) after
    the scalar reading failed; `square`: those only a square matrix fits."""

    def __init__(self, declared: Mapping[str, tuple[Dim, ...]],
                 guesses: frozenset[str] = frozenset(),
                 square: frozenset[str] = frozenset()) -> None:
        self.named: dict[str, _Var] = {}
        self.declared = declared
        self.guesses = guesses
        self.square = square  # Greek names only a square matrix fits: det(Sigma)
        self.symbols: dict[str, tuple[Kind, tuple[_Var | int, _Var | int]]] = {}
        self.constants: dict[int, _Var | int] = {}  # typed 1 and I: their sizes
        self.sums: dict[int, tuple] = {}  # sum(.): the shape of its argument

    def dim(self, d: Dim) -> _Var | int:
        if isinstance(d, int):
            return d
        return self.named.setdefault(d, _Var(d))

    def declare(self, name: ast.Name) -> None:
        dims = self.declared.get(name.name)
        if dims is not None:
            if dims == (1,):
                self.symbols[name.name] = ("scalar", (1, 1))
            elif len(dims) == 1:
                self.symbols[name.name] = ("vector", (self.dim(dims[0]), 1))
            else:
                self.symbols[name.name] = ("matrix", (self.dim(dims[0]), self.dim(dims[1])))
            return
        kind = default_kind(name.name, name.bold)
        if name.name in self.guesses:
            kind = "matrix" if name.name[0].isupper() else "vector"
        if name.name in self.square:
            kind = "matrix"
        if kind is None:
            hint = glued_hint(name.name)
            guess = nearest(name.name) if len(name.name) > 2 else None
            if hint:
                advice = f"{hint}, or declare it with {suggest('shape', name.name + '=DIMS')}"
            elif guess:
                advice = (f"did you mean the function {guess}(...)? Otherwise declare it "
                          f"with {suggest('shape', name.name + '=DIMS')}")
            else:
                advice = (f"declare it with {suggest('shape', name.name + '=DIMS')}, or put "
                          "a space between names (x y, not xy)")
            raise ShapeError(f"'{name.name}' is not a known name: {advice}", name.col)
        if kind == "scalar":
            self.symbols[name.name] = ("scalar", (1, 1))
        elif kind == "vector":
            self.symbols[name.name] = ("vector", (_Var(), 1))
        else:
            self.symbols[name.name] = ("matrix", (_Var(), _Var()))

    def symmetric(self, name: str) -> None:
        kind, (rows, cols) = self.symbols[name]
        if kind != "matrix":
            raise OptionError(f"{option('symmetric', name)}: {name} is a {kind}, not a matrix")
        self.unify(rows, cols, f"{option('symmetric', name)}: a symmetric matrix is square", 0)

    def same_shape(self, a: tuple, b: tuple, what: str, col: int) -> None:
        """Sums and elementwise products: both dimensions agree."""
        self.unify(a[0], b[0], what, col)
        self.unify(a[1], b[1], what, col)

    def unify(self, a: _Var | int, b: _Var | int, what: str, col: int) -> None:
        a, b = _find(a), _find(b)
        if a is b or a == b:
            return
        if isinstance(a, _Var) and isinstance(b, _Var):
            if a.name is not None and b.name is not None:
                raise ShapeError(f"{what}: dimension {a.name} is not {b.name}", col or None)
            if a.name is None:
                a.parent = b
            else:
                b.parent = a
        elif 1 in (a, b):
            raise ShapeError(f"{what}: a scalar where a vector or matrix is needed", col or None)
        elif isinstance(a, _Var):
            a.parent = b
        elif isinstance(b, _Var):
            b.parent = a
        else:
            raise ShapeError(f"{what}: size {a} does not match size {b}", col or None)

    def is_scalar(self, shape: tuple) -> bool:
        return _find(shape[0]) == 1 and _find(shape[1]) == 1

    def constant(self, node: ast.Expr) -> _Var | int:
        return self.constants.setdefault(id(node), _Var())

    def shape(self, node: ast.Expr) -> tuple:
        if isinstance(node, ast.Name):
            return self.symbols[node.name][1]
        if isinstance(node, ast.Ones):
            return (self.constant(node), 1)
        if isinstance(node, ast.Identity):
            d = self.constant(node)
            return (d, d)
        if isinstance(node, ast.Number):
            return (1, 1)
        if isinstance(node, ast.Norm2):
            rows, cols = self.shape(node.operand)
            if node.subscript == "2" and _find(cols) != 1 and _find(rows) != 1:
                raise ShapeError("||X||_2 of a matrix is its spectral norm, which derivtex "
                                 "does not derive; ||X||_F is the Frobenius norm", node.col)
            return (1, 1)
        if isinstance(node, ast.Neg):
            return self.shape(node.operand)
        if isinstance(node, ast.Transpose):
            r, c = self.shape(node.operand)
            return (c, r)
        if isinstance(node, ast.Hadamard):
            first = self.shape(node.factors[0])
            for factor in node.factors[1:]:
                other = self.shape(factor)
                self.same_shape(first, other, f"cannot multiply {self.show(first)} and "
                                f"{self.show(other)} elementwise", factor.col)
            return first
        if isinstance(node, ast.Add):
            terms = [t for t in node.terms if not is_number(t)] or [node.terms[0]]
            for term in node.terms:
                if is_number(term):
                    self.shape(term)
            first = self.shape(terms[0])
            for term in terms[1:]:
                other = self.shape(term)
                self.same_shape(first, other,
                                f"cannot add {self.show(first)} and {self.show(other)}", term.col)
            return first
        if isinstance(node, ast.MatMul):
            acc = self.shape(node.factors[0])
            for factor in node.factors[1:]:
                right = self.shape(factor)
                if is_one(factor) and not self.is_scalar(acc):  # x^T 1, A 1: the ones
                    right = (self.constant(factor), 1)
                if self.is_scalar(acc):
                    acc = right
                elif not self.is_scalar(right):
                    what = f"cannot multiply {self.show(acc)} by {self.show(right)}"
                    self.unify(acc[1], right[0], what, factor.col)
                    acc = (acc[0], right[1])
            return acc
        if isinstance(node, ast.Call):
            return self.call_shape(node)
        raise ShapeError(f"unsupported construct {type(node).__name__}", node.col)

    def call_shape(self, node: ast.Call) -> tuple:
        arg = self.shape(node.args[0])
        if node.func == "sum":  # the sum of all entries: 1^T x, 1^T X 1
            self.sums[id(node)] = arg
            return (1, 1)
        func, rule = node.func, REGISTRY[node.func].shape
        if node.quotient and not self.is_scalar(arg):
            raise ShapeError(f"division by a {self.show(arg)}: only a scalar divides; "
                             "put the divisor in parentheses, as in x^T A x / (x^T x)", node.col)
        if rule in ("square_to_scalar", "square_to_square"):
            self.unify(arg[0], arg[1], f"{func}() needs a square matrix, got {self.show(arg)}",
                       node.col)
            return (1, 1) if rule == "square_to_scalar" else arg
        if rule in ("vector_to_vector", "vector_to_square"):
            if _find(arg[1]) != 1 or self.is_scalar(arg):
                raise ShapeError(f"{func}() needs a vector, got {self.show(arg)}", node.col)
            return arg if rule == "vector_to_vector" else (arg[0], arg[0])
        return arg

    def show(self, shape: tuple) -> str:
        return "×".join(self.dim_text(d) for d in shape)

    def dim_text(self, d: _Var | int) -> str:
        d = _find(d)
        if isinstance(d, int):
            return str(d)
        return d.name or "?"


def _run(expr: ast.Expr, declared: Mapping[str, tuple[Dim, ...]], symmetric: frozenset[str],
         guesses: frozenset[str]) -> tuple[_Inference, list[ast.Name], tuple]:
    inference = _Inference(declared, guesses | transposed_greek(expr, declared),
                           square_greek(expr, declared, symmetric))
    names = names_in(expr)
    for name in names:
        inference.declare(name)
    for symmetric_name in sorted(symmetric):
        if symmetric_name not in inference.symbols:
            raise OptionError(f"{option('symmetric', symmetric_name)} names a matrix not in "
                              "the expression")
        inference.symmetric(symmetric_name)
    return inference, names, inference.shape(expr)


def _infer_guessing(expr: ast.Expr, declared: Mapping[str, tuple[Dim, ...]],
                    symmetric: frozenset[str], forced: frozenset[str] = frozenset()
                    ) -> tuple[_Inference, list[ast.Name]]:
    """Greek names are scalars; when that reading does not type-check, the fewest Greek
    names read as vectors (capitals: matrices) that make it work — (x - mu)^T ... —
    then any capital that still fits as a matrix (Sigma^{-1}). `forced`: names read so
    from the start (to see whether a matrix reading fits too)."""
    try:
        inference, names, _ = _run(expr, declared, symmetric, forced)
        return inference, names
    except ShapeError as first:
        error = first
    greek = guessable(names_in(expr), declared)[:MAX_GREEK_GUESSES]
    for size in range(1, len(greek) + 1):
        for subset in itertools.combinations(greek, size):
            try:
                inference, names, top = _run(expr, declared, symmetric, frozenset(subset))
            except ShapeError:
                continue
            chosen = set(subset)
            for capital in (g for g in greek if g[0].isupper() and g not in chosen):
                try:
                    more = _run(expr, declared, symmetric, frozenset(chosen | {capital}))
                except ShapeError:
                    continue
                if _kind(more[2]) == _kind(top):
                    chosen.add(capital)
                    inference, names, top = more
            return inference, names
    if greek:
        hint = "; ".join(suggest("shape", f"{g}=n" + (",n" if g[0].isupper() else ""))
                         for g in greek)
        raise ShapeError(f"{error.message}; Greek names are scalars unless declared: if "
                         f"{' or '.join(repr(g) for g in greek)} is a vector or matrix, "
                         f"declare it ({hint})", error.column) from None
    scalar = _scalar_that_fits(expr, declared, symmetric)
    if scalar is not None:
        raise ShapeError(f"{error.message}; if '{scalar}' is a scalar (a bias, say), declare "
                         f"it: {suggest('shape', scalar + '=1')}", error.column) from None
    raise error


def _scalar_that_fits(expr: ast.Expr, declared: Mapping[str, tuple[Dim, ...]],
                      symmetric: frozenset[str]) -> str | None:
    """`w^T x + b` fails with b a vector: the one lowercase name, added as a term of its
    own, that declared a scalar makes the expression type-check — named in the message,
    never assumed."""
    terms = [t.operand if isinstance(t, ast.Neg) else t
             for node in walk(expr) if isinstance(node, ast.Add) for t in node.terms]
    for name in dict.fromkeys(t.name for t in terms if isinstance(t, ast.Name)):
        if name in declared or default_kind(name) != "vector":
            continue
        try:
            _run(expr, {**declared, name: (1,)}, symmetric, frozenset())
        except (ShapeError, OptionError):
            continue
        return name
    return None


def is_one(node: ast.Expr) -> bool:
    return isinstance(node, ast.Number) and node.value == 1


def _kind(shape: tuple) -> str:
    rows, cols = (_find(d) == 1 for d in shape)
    return "scalar" if rows and cols else "vector" if cols else "matrix"


def infer(expr: ast.Expr, declared: Mapping[str, tuple[Dim, ...]] | None = None,
          symmetric: frozenset[str] = frozenset(), forced: frozenset[str] | None = None
          ) -> tuple[ast.Expr, dict[str, Symbol]]:
    """The symbols of `expr` with their most general shapes, and `expr` with each typed
    `1` and `I` sized; raises ShapeError (or OptionError for a bad --symmetric). A Greek
    capital read as a scalar where a matrix fits too carries that matrix's shape
    (Symbol.reading) so the page and the shells can name the declaration."""
    sized, symbols = _infer(expr, declared or {}, symmetric, forced or frozenset())
    if forced is not None:
        return sized, symbols
    for name in guessable([ast.Name(n) for n in symbols], declared or {}):
        if name[0].isupper() and symbols[name].kind == "scalar":
            reading = _matrix_reading(expr, declared or {}, symmetric, symbols, name)
            if reading is not None:
                symbols[name] = replace(symbols[name], reading=reading)
    return sized, symbols


def _matrix_reading(expr: ast.Expr, declared: Mapping[str, tuple[Dim, ...]],
                    symmetric: frozenset[str], symbols: Mapping[str, Symbol], name: str
                    ) -> Shape | None:
    """The shape `name` has read as a matrix, if the expression then type-checks with the
    same kind of value (tr(Sigma A) is a number either way); None otherwise."""
    guessed = frozenset(n for n, s in symbols.items() if n in GREEK and s.kind != "scalar")
    try:
        _, other = infer(expr, declared, symmetric, forced=guessed | {name})
    except DerivtexError:
        return None
    if other[name].kind != "matrix" or \
            kind_of(Shapes(other)(expr)) != kind_of(Shapes(symbols)(expr)):
        return None
    return other[name].shape


def _infer(expr: ast.Expr, declared: Mapping[str, tuple[Dim, ...]],
           symmetric: frozenset[str], forced: frozenset[str]
           ) -> tuple[ast.Expr, dict[str, Symbol]]:
    inference, names = _infer_guessing(expr, declared, symmetric, forced)
    taken = {n.name for n in names} | set(inference.named)
    numbered = (f"n{i}" for i in itertools.count(1))  # never runs out, however long the chain
    pool = (d for d in itertools.chain(_DIM_POOL, numbered) if d not in taken)
    labels: dict[int, Dim] = {}

    def label(d: _Var | int) -> Dim:
        d = _find(d)
        if isinstance(d, int):
            return d
        if id(d) not in labels:
            labels[id(d)] = d.name if d.name is not None else next(pool)
        return labels[id(d)]

    symbols = {}
    for name in names:
        kind, (rows, cols) = inference.symbols[name.name]
        symbols[name.name] = Symbol(name.name, kind, (label(rows), label(cols)),
                                    name.name in symmetric)
    tied = {d for s in symbols.values() for d in s.shape}

    def size(node: ast.Expr) -> ast.Expr | None:
        key = id(node)
        if isinstance(node, ast.Call) and node.func == "sum":
            return summed(node)
        if isinstance(node, ast.Number):
            if key not in inference.constants:
                return None
            node = ast.Ones(None, col=node.col)  # a 1 that multiplies a row or a matrix
        elif not isinstance(node, ast.Ones | ast.Identity) or node.dim is not None:
            return None
        dim = label(inference.constants[key])
        what = "1" if isinstance(node, ast.Ones) else "I"
        if dim == 1:
            return ast.Number(Fraction(1), col=node.col)
        if dim not in tied:
            raise ShapeError(f"the size of {what} is not tied to any symbol; declare one "
                             f"with {option('shape')}", node.col)
        return replace(node, dim=dim)

    def summed(node: ast.Call) -> ast.Expr:
        rows, cols = (label(d) for d in inference.sums[id(node)])
        for dim in (rows, cols):
            if dim != 1 and dim not in tied:
                raise ShapeError("the size of the ones in sum(.) is not tied to any symbol; "
                                 f"declare one with {option('shape')}", node.col)
        factors = [rebuild(node.args[0], size)]
        if rows != 1:
            factors.insert(0, ast.Transpose(ast.Ones(rows, col=node.col), col=node.col))
        if cols != 1:
            factors.append(ast.Ones(cols, col=node.col))
        return factors[0] if len(factors) == 1 else ast.MatMul(tuple(factors), col=node.col)

    return rebuild(expr, size), symbols
