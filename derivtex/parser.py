"""Recursive-descent parser: tokens (from text or LaTeX) to the matrix-expression tree.

Never evaluates anything; every error names the column. Nesting is bounded so deep
input gives a clean error instead of a RecursionError.
"""

from __future__ import annotations

from fractions import Fraction

from . import ast
from .errors import ParseError
from .lexer import Token, tokenize

MAX_DEPTH = 100
MAX_POWER = 10

FUNCTIONS = {
    "tr": 1, "det": 1, "inv": 1, "norm": 1,
    "sigma": 1, "tanh": 1, "exp": 1, "log": 1, "relu": 1, "softmax": 1,
    "diag": 1, "step": 1, "recip": 1,
}

GREEK = frozenset(
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda "
    "mu nu xi pi rho sigma tau upsilon phi varphi chi psi omega "
    "Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega".split()
)

# functions that may be applied without parentheses to one operand (det X, log det X)
PREFIX_FUNCTIONS = frozenset({"det", "log", "exp", "tanh"})


class _Parser:
    def __init__(self, tokens: list[Token], declared: frozenset[str]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0
        self.declared = declared
        self.norm_depth = 0

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
        return factors[0] if len(factors) == 1 else ast.MatMul(tuple(factors), col=col)

    def divisor(self, slash: Token) -> ast.Expr:
        """`/ 2`: division by a nonzero number, the only division there is."""
        tok = self.tok
        if tok.kind != "number" or Fraction(tok.value) == 0:
            raise ParseError("division only by a nonzero number, as in ||x||^2 / 2", slash.col)
        self.advance()
        return ast.Number(1 / Fraction(tok.value), col=slash.col)

    def hadamard(self) -> ast.Expr:
        """`W x .* b` is (W x) .* b: the elementwise product of products."""
        col = self.tok.col
        factors = [self.product()]
        while self.at(".*"):
            self.advance()
            factors.append(self.product())
        return factors[0] if len(factors) == 1 else ast.Hadamard(tuple(factors), col=col)

    def starts_factor(self) -> bool:
        tok = self.tok
        if tok.kind in ("name", "number"):
            return True
        if tok.kind == "op" and tok.value == "||":
            return not self.closes_norm()
        return tok.kind == "op" and tok.value == "("

    def closes_norm(self) -> bool:
        """Inside a norm, '||' closes it unless an operand follows (||a + ||x||^2 b||^2)."""
        nxt = self.tokens[self.pos + 1]
        opens = nxt.kind in ("name", "number") or (nxt.kind == "op" and nxt.value in ("(", "||"))
        return self.norm_depth > 0 and not opens

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
            if self.at("'"):
                expr = ast.Transpose(expr, col=self.advance().col)
            elif self.at(".T"):
                expr = ast.Transpose(expr, col=self.advance().col)
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
            result: ast.Expr = ast.Transpose(base, col=caret.col)
        elif self.at("-"):
            self.advance()
            one = self.tok
            if one.kind != "number" or one.value != "1":
                raise ParseError("only the exponent -1 (inverse) is supported", one.col)
            self.advance()
            result = ast.Call("inv", (base,), col=caret.col)
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
            raise ParseError("'|' bars are not supported: write det(X) or ||x||^2", tok.col)
        if tok.kind == "end":
            raise ParseError("the expression ends too early", tok.col)
        raise ParseError(f"unexpected {describe(tok)}", tok.col)

    def name_or_call(self) -> ast.Expr:
        tok = self.advance()
        name = tok.value
        follows_paren = self.at("(") and self.tok.col == tok.col + len(name)
        if name in FUNCTIONS and self.at("("):
            return self.call(tok)
        if name in PREFIX_FUNCTIONS and self.starts_factor():
            self.enter(tok.col)
            operand = self.postfix()  # det X, log det X, as LaTeX writes them
            self.depth -= 1
            return ast.Call(name, (operand,), col=tok.col)
        if name in FUNCTIONS and name not in GREEK and name not in self.declared:
            raise ParseError(f"{name} needs its argument in parentheses: {name}(...)", tok.col)
        if follows_paren and len(name) > 1 and name not in GREEK and name not in self.declared:
            raise ParseError(f"unknown function '{name}'", tok.col)
        return ast.Name(name, col=tok.col)

    def call(self, tok: Token) -> ast.Expr:
        self.advance()  # "("
        self.enter(tok.col)
        args = [self.sum()]
        while self.at(","):
            self.advance()
            args.append(self.sum())
        self.expect(")", f"')' to close {tok.value}(")
        self.depth -= 1
        if len(args) != FUNCTIONS[tok.value]:
            raise ParseError(
                f"{tok.value}() takes {FUNCTIONS[tok.value]} argument(s), got {len(args)}",
                tok.col,
            )
        if tok.value == "norm":
            return self.squared_norm(args[0], tok)
        return ast.Call(tok.value, tuple(args), col=tok.col)

    def norm(self) -> ast.Expr:
        opening = self.advance()
        self.norm_depth += 1
        self.enter(opening.col)
        inner = self.sum()
        self.depth -= 1
        self.norm_depth -= 1
        self.expect("||", f"'||' to close the norm opened at column {opening.col}")
        return self.squared_norm(inner, opening)

    def squared_norm(self, inner: ast.Expr, opening: Token) -> ast.Expr:
        if not self.at("^"):
            raise ParseError(
                "only the squared norm is supported: write ||x||^2 or norm(x)^2", opening.col
            )
        caret = self.advance()
        braced = self.at("{")
        if braced:
            self.advance()
        if not (self.tok.kind == "number" and self.tok.value == "2"):
            raise ParseError("only the squared norm ^2 is supported", self.tok.col)
        self.advance()
        if braced:
            self.expect("}", "'}'")
        return ast.Norm2(inner, col=caret.col if inner is None else opening.col)


def square_or_power(base: ast.Expr, power: int, col: int) -> ast.Expr:
    return ast.MatMul((base,) * power, col=col)


def describe(tok: Token) -> str:
    if tok.kind == "end":
        return "the end of the input"
    return f"'{tok.value}'"


def parse_tokens(tokens: list[Token], declared: frozenset[str] = frozenset()) -> ast.Expr:
    return _Parser(tokens, declared).parse()


def parse_text(text: str, declared: frozenset[str] = frozenset()) -> ast.Expr:
    return parse_tokens(tokenize(text), declared)
