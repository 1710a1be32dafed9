"""Recursive-descent parser: tokens (from text or LaTeX) to the matrix-expression tree.

Never evaluates anything; every error names the column. Nesting is bounded so deep
input gives a clean error instead of a RecursionError.
"""

from __future__ import annotations

from fractions import Fraction

from ..errors import ParseError
from ..functions import PREFIX, SPELLINGS, SUGAR, lookup, nearest
from . import ast
from .ast import is_number
from .lexer import Token, tokenize

MAX_DEPTH = 100
MAX_TRIES = 3  # nested tries of where a norm closes: ||b|| (x + a) / ||x + a||
MAX_POWER = 10
NORM_SUBSCRIPTS = ("2", "F")

GREEK = frozenset(
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda "
    "mu nu xi pi rho sigma tau upsilon phi varphi chi psi omega "
    "Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega".split()
)



class _Parser:
    """`bold`: columns of tokens written bold in LaTeX (a bold Greek name is a vector,
    a bold 1 the ones vector)."""

    def __init__(self, tokens: list[Token], declared: frozenset[str],
                 bold: frozenset[int] = frozenset()) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0
        self.declared = declared
        self.bold = bold
        self.norm_depth = 0
        self.bars = 0  # inside |X|
        self.tries = 0  # nested tries of a norm that may open (closes_norm)

    # -- token helpers -------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def at(self, value: str) -> bool:
        return self.tok.kind == "op" and self.tok.value == value

    def advance(self) -> Token:
        tok = self.tok
        self.pos += 1
        return tok

    def expect(self, value: str, what: str) -> Token:
        if not self.at(value):
            raise ParseError(f"expected {what}, found {describe(self.tok)}", self.tok.col)
        return self.advance()

    def enter(self, col: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ParseError(f"expression nested deeper than {MAX_DEPTH} levels", col)

    # -- grammar -------------------------------------------------------
    def parse(self) -> ast.Expr:
        if self.tok.kind == "end":
            raise ParseError("the expression is empty", self.tok.col)
        expr = self.sum()
        if self.tok.kind != "end":
            if self.at(")"):
                raise ParseError("unmatched ')'", self.tok.col)
            raise ParseError(f"unexpected {describe(self.tok)}", self.tok.col)
        return expr

    def sum(self) -> ast.Expr:
        col = self.tok.col
        self.enter(col)
        terms = [self.hadamard()]
        while self.at("+") or self.at("-"):
            op = self.advance()
            term = self.hadamard()
            terms.append(ast.Neg(term, col=op.col) if op.value == "-" else term)
        self.depth -= 1
        return terms[0] if len(terms) == 1 else ast.Add(tuple(terms), col=col)

    def product(self) -> ast.Expr:
        col = self.tok.col
        factors = [self.unary()]
        while True:
            if self.at("*") or self.at("@"):
                self.advance()
                factors.append(self.unary())
            elif self.at("/"):
                factors.append(self.divisor(self.advance()))
            elif self.starts_factor():
                factors.append(self.unary())
            else:
                break
        factors = fold_numbers(factors)
        return factors[0] if len(factors) == 1 else ast.MatMul(tuple(factors), col=col)

    def divisor(self, slash: Token) -> ast.Expr:
        """`/ 2` multiplies by 1/2; `/ (x^T x)` by the reciprocal of a scalar (checked
        by shape inference). The divisor is the next factor, as in `x^T A x / (x^T x)`."""
        tok = self.tok
        if tok.kind == "number" and not self.tokens[self.pos + 1].value == "^":
            if Fraction(tok.value) == 0:
                raise ParseError("division by zero", tok.col)
            self.advance()
            return ast.Number(1 / Fraction(tok.value), col=slash.col)
        if not self.starts_factor():
            raise ParseError(f"expected a divisor after '/', found {describe(tok)}", tok.col)
        divisor = self.unary()
        if isinstance(divisor, ast.Number):  # a LaTeX fraction of x^T x over 2: a number after all
            if divisor.value == 0:
                raise ParseError("division by zero", tok.col)
            return ast.Number(1 / divisor.value, col=slash.col)
        return ast.Call("recip", (divisor,), col=slash.col, quotient=True)

    def hadamard(self) -> ast.Expr:
        """`W x .* b` is (W x) .* b: the elementwise product of products, and `a ./ b`
        the elementwise quotient, a .* (1 ./ b). Numbers scale the rest: `1 ./ x` is the
        reciprocal of x, `2 ./ (1 + x)` twice that of 1 + x, `x ./ 2` is x/2."""
        col = self.tok.col
        factors = [self.product()]
        while self.at(".*") or self.at("./"):
            op = self.advance()
            operand = self.product()
            if op.value == "./":
                operand = self.elementwise_divisor(operand, op)
            factors.append(operand)
        numbers = [f for f in factors if is_number(f)]
        rest = [f for f in factors if not is_number(f)]
        if len(factors) == 1 or not numbers or not rest:
            return factors[0] if len(factors) == 1 else ast.Hadamard(tuple(factors), col=col)
        body = rest[0] if len(rest) == 1 else ast.Hadamard(tuple(rest), col=col)
        scale = fold_numbers([f for f in numbers if f != ast.Number(Fraction(1))])
        return ast.MatMul((*scale, body), col=col) if scale else body

    @staticmethod
    def elementwise_divisor(divisor: ast.Expr, slash: Token) -> ast.Expr:
        """What `./ divisor` multiplies by, entry by entry: 1 ./ u, or 1/2 for `./ 2`."""
        if isinstance(divisor, ast.Number):
            if divisor.value == 0:
                raise ParseError("division by zero", slash.col)
            return ast.Number(1 / divisor.value, col=slash.col)
        return ast.Call("recip", (divisor,), col=slash.col)

    def starts_factor(self) -> bool:
        tok = self.tok
        if tok.kind in ("name", "number"):
            return True
        if tok.kind == "op" and tok.value == "||":
            return not self.closes_norm()
        if tok.kind == "op" and tok.value == "|":  # opens |X| unless it closes one
            return self.bars == 0
        return tok.kind == "op" and tok.value == "("

    def closes_norm(self) -> bool:
        """Inside a norm, '||' closes it unless an operand follows and a norm opened here
        parses (||a + ||x||^2 b||^2); so ||b|| (x + a) / ||x + a|| is a product, and
        before another '||' it closes, so ||x|| ||y|| is one, as |x| |y| is."""
        nxt = self.tokens[self.pos + 1]
        opens = nxt.kind in ("name", "number") or (nxt.kind == "op" and nxt.value == "(")
        return self.norm_depth > 0 and not (opens and self.norm_parses_here())

    def norm_parses_here(self) -> bool:
        """Whether a norm opened at this '||' closes again, tried and then undone; a try
        inside MAX_TRIES others assumes it does (each try is linear in the input)."""
        if self.tries >= MAX_TRIES:
            return True
        saved = (self.pos, self.depth, self.norm_depth, self.bars)
        self.tries += 1
        try:
            self.norm()
            return True
        except ParseError:
            return False
        finally:
            self.tries -= 1
            self.pos, self.depth, self.norm_depth, self.bars = saved

    def unary(self) -> ast.Expr:
        if self.at("-") or self.at("+"):
            op = self.advance()
            self.enter(op.col)
            operand = self.unary()
            self.depth -= 1
            return ast.Neg(operand, col=op.col) if op.value == "-" else operand
        return self.postfix()

    def postfix(self) -> ast.Expr:
        expr = self.primary()
        while True:
            if self.at("'") or self.at(".T"):
                expr = ast.Transpose(ones_for_one(expr), col=self.advance().col)
            elif self.at("^"):
                expr = self.power(expr, self.advance())
            else:
                return expr

    def power(self, base: ast.Expr, caret: Token) -> ast.Expr:
        braced = self.at("{")
        if braced:
            self.advance()
        tok = self.tok
        if tok.kind == "name" and tok.value == "T":
            self.advance()
            result: ast.Expr = ast.Transpose(ones_for_one(base), col=caret.col)
        elif self.at("-"):
            self.advance()
            one = self.tok
            if one.kind == "name" and one.value == "T":  # X^{-T}: the inverse, transposed
                self.advance()
                result = ast.Transpose(ast.Call("inv", (base,), col=caret.col), col=caret.col)
            elif one.kind == "number" and one.value == "1":
                self.advance()
                result = ast.Call("inv", (base,), col=caret.col)
            elif one.kind == "number" and one.value.isdigit() and \
                    2 <= int(one.value) <= MAX_POWER:  # alpha^{-2} = 1/alpha^2, A^{-2} = (A^2)^{-1}
                self.advance()
                result = ast.Call("inv", (square_or_power(base, int(one.value), caret.col),),
                                  col=caret.col)
            else:
                raise ParseError(f"unsupported exponent -{one.value}; use -1 (inverse), -T "
                                 f"(inverse transposed) or -2..-{MAX_POWER}", one.col)
        elif self.at(".*") and self.tokens[self.pos + 1].value == "-" and \
                self.tokens[self.pos + 2].value == "1":  # u^{circ -1} in LaTeX: 1/u elementwise
            self.pos += 3
            result = ast.Call("recip", (base,), col=caret.col)
        elif tok.kind == "number" and tok.value.isdigit() and 2 <= int(tok.value) <= MAX_POWER:
            self.advance()
            result = square_or_power(base, int(tok.value), caret.col)
        else:
            raise ParseError(
                f"unsupported exponent {describe(tok)}; use ^T, ^{{-1}} or an integer "
                f"power 2..{MAX_POWER}",
                tok.col,
            )
        if braced:
            self.expect("}", "'}'")
        return result

    def primary(self) -> ast.Expr:
        tok = self.tok
        if tok.kind == "number":
            self.advance()
            if tok.col in self.bold and tok.value == "1":
                return ast.Ones(None, col=tok.col)
            return ast.Number(Fraction(tok.value), col=tok.col)
        if tok.kind == "name":
            return self.name_or_call()
        if self.at("("):
            self.advance()
            inner = self.sum()
            self.expect(")", "')' to close the '(' at column %d" % tok.col)
            return inner
        if self.at("||"):
            return self.norm()
        if self.at("|"):
            return self.determinant()
        if tok.kind == "end":
            raise ParseError("the expression ends too early", tok.col)
        raise ParseError(f"unexpected {describe(tok)}", tok.col)

    def name_or_call(self) -> ast.Expr:
        tok = self.advance()
        name = tok.value
        own = name in self.declared
        function = name in SPELLINGS or name in SUGAR
        if function and not own and self.at("("):
            return self.call(tok)
        if name in PREFIX and not own and self.starts_factor():
            self.enter(tok.col)
            operand = self.postfix()  # det X, log det X, as LaTeX writes them
            self.depth -= 1
            return self.apply(name, operand, tok.col)
        if function and name not in GREEK and not own:
            raise ParseError(f"{name} needs its argument in parentheses: {name}(...)", tok.col)
        follows_paren = self.at("(") and self.tok.col == tok.col + len(name)
        if follows_paren and len(name) > 1 and name not in GREEK and not own:
            guess = nearest(name)
            hint = f"; did you mean {guess}(...)?" if guess else ""
            raise ParseError(f"unknown function '{name}'{hint}", tok.col)
        if name == "I" and not own:
            return ast.Identity(None, col=tok.col)
        return ast.Name(name, col=tok.col, bold=tok.col in self.bold)

    def call(self, tok: Token) -> ast.Expr:
        self.advance()  # "("
        self.enter(tok.col)
        args = [self.sum()]
        while self.at(","):
            self.advance()
            args.append(self.sum())
        self.expect(")", f"')' to close {tok.value}(")
        self.depth -= 1
        function = lookup(tok.value)
        arity = function.arity if function is not None else 1
        if len(args) != arity:
            raise ParseError(f"{tok.value}() takes {arity} argument(s), got {len(args)}",
                             tok.col)
        if tok.value == "norm":
            return self.norm_power(args[0], tok)
        return self.apply(tok.value, args[0], tok.col)

    def apply(self, spelling: str, arg: ast.Expr, col: int) -> ast.Expr:
        """A function by any of its spellings, shorthand expanded: logdet(X) is
        log(det(X)); sum(x) is 1^T x once its argument's shape is known."""
        if spelling == "logdet":
            return ast.Call("log", (ast.Call("det", (arg,), col=col),), col=col)
        if spelling == "sum":  # 1^T x, or 1^T X 1: shape inference writes the ones
            return ast.Call("sum", (arg,), col=col)
        function = lookup(spelling)
        assert function is not None
        return ast.Call(function.name, (arg,), col=col)

    def determinant(self) -> ast.Expr:
        """|X| is det(X), as matrix-calculus texts write it (log |Sigma|)."""
        opening = self.advance()
        if self.bars:
            raise ParseError("bars inside bars: write det(...) for the inner one", opening.col)
        self.bars += 1
        self.enter(opening.col)
        inner = self.sum()
        self.depth -= 1
        self.bars -= 1
        self.expect("|", f"'|' to close the determinant opened at column {opening.col}")
        return ast.Call("det", (inner,), col=opening.col)

    def norm(self) -> ast.Expr:
        opening = self.advance()
        self.norm_depth += 1
        self.enter(opening.col)
        inner = self.sum()
        self.depth -= 1
        self.norm_depth -= 1
        self.expect("||", f"'||' to close the norm opened at column {opening.col}")
        return self.norm_power(inner, opening)

    def norm_power(self, inner: ast.Expr, opening: Token) -> ast.Expr:
        """||x||, ||x||_2, ||X||_F and their integer powers: ||x||^2 is the squared norm,
        ||x|| = sqrt(||x||^2)."""
        subscript = ""
        if self.at("_"):
            self.advance()
            braced = self.at("{")
            if braced:
                self.advance()
            if self.tok.value not in NORM_SUBSCRIPTS:
                raise ParseError("a norm's subscript is 2 (Euclidean) or F (Frobenius), "
                                 f"not {describe(self.tok)}", self.tok.col)
            subscript = self.advance().value
            if braced:
                self.expect("}", "'}'")
        squared = ast.Norm2(inner, col=opening.col, subscript=subscript)
        if not self.at("^"):
            return ast.Call("sqrt", (squared,), col=opening.col)
        caret = self.advance()
        braced = self.at("{")
        if braced:
            self.advance()
        tok = self.tok
        if not (tok.kind == "number" and tok.value.isdigit() and 1 <= int(tok.value) <= MAX_POWER):
            raise ParseError(f"a norm's power is an integer 1..{MAX_POWER}, not {describe(tok)}",
                             tok.col)
        power = int(self.advance().value)
        if braced:
            self.expect("}", "'}'")
        if power % 2 == 0:
            return square_or_power(squared, power // 2, caret.col)
        return square_or_power(ast.Call("sqrt", (squared,), col=opening.col), power, caret.col)


def square_or_power(base: ast.Expr, power: int, col: int) -> ast.Expr:
    return base if power == 1 else ast.MatMul((base,) * power, col=col)


def fold_numbers(factors: list[ast.Expr]) -> list[ast.Expr]:
    """`1/2 x` and `2 x 3` carry one number: -(1/2) never reads as a mixed number."""
    numbers = [f for f in factors if isinstance(f, ast.Number)]
    if len(numbers) < 2:
        return factors
    value = Fraction(1)
    for n in numbers:
        value *= n.value
    folded = ast.Number(value, col=numbers[0].col)
    return [folded if f is numbers[0] else f for f in factors if
            not isinstance(f, ast.Number) or f is numbers[0]]


def ones_for_one(expr: ast.Expr) -> ast.Expr:
    """`1^T`: a transposed 1 is the ones vector (a scalar needs no transpose)."""
    if isinstance(expr, ast.Number) and expr.value == 1:
        return ast.Ones(None, col=expr.col)
    return expr


def describe(tok: Token) -> str:
    if tok.kind == "end":
        return "the end of the input"
    return f"'{tok.value}'"


def parse_tokens(tokens: list[Token], declared: frozenset[str] = frozenset(),
                 bold: frozenset[int] = frozenset()) -> ast.Expr:
    expr = _Parser(tokens, declared, bold).parse()
    ast.check_python_names(expr)
    return expr


def parse_text(text: str, declared: frozenset[str] = frozenset()) -> ast.Expr:
    return parse_tokens(tokenize(text), declared)
