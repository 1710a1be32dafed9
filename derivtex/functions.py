"""The registry of functions: one frozen spec per function, read by every stage.

The parser and LaTeX input take spellings from it, shape inference its shape rule, the
engine its derivative, and both the printed `numpy` answer and verification its one
numpy code tree, so the answer printed is the code that was checked. Adding a function
is one entry here plus its tests.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import Any, Literal

import numpy as np

from .errors import UnsupportedError
from .syntax import ast

ShapeRule = Literal["elementwise", "square_to_scalar", "square_to_square", "vector_to_vector",
                    "vector_to_square"]


Code = str | int | float | tuple
Z = "z"  # the argument in a Code tree
_BINARY = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "**"}
_BINARY_VALUE: dict[str, Callable[[Any, Any], Any]] = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b, "pow": lambda a, b: a ** b}


def code_text(code: Code, arg: str) -> str:
    """The numpy code as printed in the JSON answer, with `arg` for the argument."""
    if isinstance(code, str):  # the only string in a Code tree is Z
        return arg
    if isinstance(code, int | float):
        return repr(code)
    op, *parts = code
    if op == "neg":
        return "(-%s)" % code_text(parts[0], arg)
    if op in _BINARY:
        return "(%s %s %s)" % (code_text(parts[0], arg), _BINARY[op], code_text(parts[1], arg))
    return "np.%s(%s)" % (op, ", ".join(code_text(p, arg) for p in parts))


def code_value(code: Code, z: Any) -> Any:
    """The same code evaluated on `z`: what verification computes."""
    return code_function(code)(z)


def code_function(code: Code) -> Callable[[Any], Any]:
    """code_value(code, z) as a function of z, the tree read once: verification evaluates
    each function at every test point, once per entry of the variable."""
    if isinstance(code, str):  # the only string in a Code tree is Z
        return lambda z: z
    if isinstance(code, int | float):
        return lambda z: code
    op, *parts = code
    args = [code_function(p) for p in parts]
    if op == "neg":
        return lambda z: -args[0](z)
    if op in _BINARY:
        combine, first, second = _BINARY_VALUE[op], *args
        return lambda z: combine(first(z), second(z))
    target: Any = np
    for attr in op.split("."):
        target = getattr(target, attr)
    return lambda z: target(*[arg(z) for arg in args])


@dataclass(frozen=True)
class Function:
    """One function of the language.

    numpy: its value as a small code tree over `np` and the argument Z; printed into the
    JSON answer (`code_text`) and evaluated by verification (`code_value`) alike.
    derivative: f'(u) as an expression a lecturer writes (elementwise functions only);
    prime: the name its derivative has in index notation, itself a registered function.
    How a function looks is each printer's business (latex.py, typst.py), not the registry's.
    """

    name: str
    numpy: Code
    shape: ShapeRule = "elementwise"
    spellings: tuple[str, ...] = ()          # other names in text input: trace, Tr
    latex_macros: tuple[str, ...] = ()       # LaTeX control words that mean f: \ln, \exp
    derivative: Callable[[ast.Expr], ast.Expr] | None = None
    prime: str | None = None
    prefix: bool = False                     # applies without parentheses: det X, log det X
    typed: bool = True                       # False: only the engine writes it (dsigma)
    arity: int = 1
    about: str = ""                          # what it is, for the documentation
    kink: bool = False                       # bends at 0, where it has no derivative (relu)
    jump_of: str = ""                        # the kinked function this jump is f' of (step)

    @property
    def elementwise(self) -> bool:
        return self.shape == "elementwise"

    def numpy_text(self, arg: str) -> str:
        return code_text(self.numpy, arg)

    @cached_property
    def numeric(self) -> Callable[[Any], Any]:
        """f on numpy values: the code tree read once (code_function), since verification
        evaluates f at every test point, once per entry of the variable."""
        return code_function(self.numpy)


def _call(name: str) -> Callable[[ast.Expr], ast.Expr]:
    return lambda u: ast.Call(name, (u,))


def _one_minus(e: ast.Expr) -> ast.Expr:
    return ast.Add((ast.Number(Fraction(1)), ast.Neg(e)))


def _sigma_prime(u: ast.Expr) -> ast.Expr:
    s = ast.Call("sigma", (u,))
    return ast.Hadamard((s, _one_minus(s)))


def _tanh_prime(u: ast.Expr) -> ast.Expr:
    t = ast.Call("tanh", (u,))
    return _one_minus(ast.Hadamard((t, t)))


def _recip_prime(u: ast.Expr) -> ast.Expr:
    r = ast.Call("recip", (u,))
    return ast.Neg(ast.Hadamard((r, r)))


def _sqrt_prime(u: ast.Expr) -> ast.Expr:
    return ast.MatMul((ast.Number(Fraction(1, 2)), ast.Call("recip", (ast.Call("sqrt", (u,)),))))


_SIGMA: Code = ("div", 1, ("add", 1, ("exp", ("neg", Z))))
_SHIFTED_EXP: Code = ("exp", ("sub", Z, ("max", Z)))

REGISTRY: dict[str, Function] = {f.name: f for f in [
    Function("tr", ("trace", Z), "square_to_scalar", ("trace", "Tr"),
             about="the trace of a square matrix"),
    Function("det", ("linalg.det", Z), "square_to_scalar",
             latex_macros=("det",), prefix=True, about="the determinant (also |X|)"),
    Function("inv", ("linalg.inv", Z), "square_to_square",
             about="the inverse of a square matrix (also X^{-1})"),
    Function("diag", ("diagflat", Z), "vector_to_square",
             about="the diagonal matrix with a vector on its diagonal"),
    Function("softmax", ("div", _SHIFTED_EXP, ("sum", _SHIFTED_EXP)), "vector_to_vector",
             about="exp(z) ./ (1^T exp(z))"),
    Function("sigma", _SIGMA, spellings=("sigmoid",),
             latex_macros=("sigma",), derivative=_sigma_prime, prime="dsigma",
             about="the logistic sigmoid 1 ./ (1 + exp(-z)), entry by entry"),
    Function("tanh", ("tanh", Z), latex_macros=("tanh",),
             derivative=_tanh_prime, prime="dtanh", prefix=True, about="entry by entry"),
    Function("exp", ("exp", Z), latex_macros=("exp",),
             derivative=_call("exp"), prime="exp", prefix=True, about="entry by entry"),
    Function("log", ("log", Z), spellings=("ln",),
             latex_macros=("log", "ln"),
             derivative=_call("recip"), prime="recip", prefix=True,
             about="the natural logarithm, entry by entry"),
    Function("relu", ("maximum", Z, 0), derivative=_call("step"), prime="step", kink=True,
             about="max(z, 0), entry by entry; its derivative is step(z)"),
    Function("step", ("heaviside", Z, 0.0), spellings=("heaviside",), jump_of="relu",
             about="the Heaviside step: 1 where z > 0, else 0, entry by entry (relu's "
                   "derivative; 0 where relu bends, as numpy's heaviside(z, 0))"),
    Function("abs", ("abs", Z), derivative=_call("sign"), prime="sign", kink=True,
             about="|z|, entry by entry; its derivative is sign(z), none where z = 0"),
    Function("sign", ("sign", Z), jump_of="abs",
             about="-1, 0 or 1 as z is negative, 0 or positive, entry by entry (the "
                   "derivative of abs; 0 where abs bends, as numpy's sign)"),
    # 1 ./ u: typed as the elementwise division `./` (\oslash), never by this name
    Function("recip", ("div", 1, Z), derivative=_recip_prime, prime="drecip", typed=False),
    Function("sqrt", ("sqrt", Z), latex_macros=("sqrt",),
             derivative=_sqrt_prime, prime="dsqrt", about="the square root, entry by entry"),
    Function("sinh", ("sinh", Z), latex_macros=("sinh",),
             derivative=_call("cosh"), prime="cosh", prefix=True, about="entry by entry"),
    Function("cosh", ("cosh", Z), latex_macros=("cosh",),
             derivative=_call("sinh"), prime="sinh", prefix=True, about="entry by entry"),
    Function("softplus", ("logaddexp", 0, Z), derivative=_call("sigma"),
             prime="dsoftplus", about="log(1 + exp(z)), entry by entry"),
    # derivatives as index notation shows them: sigma'(z_i)
    Function("dsigma", ("mul", _SIGMA, ("sub", 1, _SIGMA)), typed=False),
    Function("dtanh", ("sub", 1, ("pow", ("tanh", Z), 2)), typed=False),
    Function("drecip", ("div", -1, ("pow", Z, 2)), typed=False),
    Function("dsqrt", ("div", 0.5, ("sqrt", Z)), typed=False),
    Function("dsoftplus", _SIGMA, typed=False),
]}

# Text spellings that are shorthand for an expression of other functions (or the ones).
SUGAR = ("logdet", "sum", "norm")

ELEMENTWISE = tuple(name for name, f in REGISTRY.items() if f.elementwise)
PRIME = {name: f.prime for name, f in REGISTRY.items() if f.prime}
KINKED = frozenset(name for name, f in REGISTRY.items() if f.kink)
NUMERIC = {name: f.numeric for name, f in REGISTRY.items()}


def _spellings() -> dict[str, str]:
    out: dict[str, str] = {}
    for f in REGISTRY.values():
        if f.typed:
            out.update({s: f.name for s in (f.name, *f.spellings)})
    return out


SPELLINGS = _spellings()
LATEX_MACROS = {m: f.name for f in REGISTRY.values() for m in f.latex_macros}
PREFIX = frozenset(s for s, name in SPELLINGS.items() if REGISTRY[name].prefix) | {"logdet"}


def lookup(spelling: str) -> Function | None:
    """The function a typed name means (trace -> tr), or None."""
    name = SPELLINGS.get(spelling)
    return REGISTRY[name] if name is not None else None


def nearest(spelling: str) -> str | None:
    """The known function name closest to a misspelt one (sigmiod -> sigmoid)."""
    close = difflib.get_close_matches(spelling, [*SPELLINGS, *SUGAR], n=1, cutoff=0.6)
    return close[0] if close else None


def derivative_expr(func: str, u: ast.Expr) -> ast.Expr:
    """f'(u) as an expression: sigma' = sigma .* (1 - sigma), log' = recip, ..."""
    derivative = REGISTRY[func].derivative
    if derivative is None:
        raise _not_differentiable(func)
    return derivative(u)


def prime_name(func: str) -> str:
    """The name f' has in index notation (sigma -> dsigma)."""
    prime = REGISTRY[func].prime
    if prime is None:
        raise _not_differentiable(func)
    return prime


def _not_differentiable(func: str) -> UnsupportedError:
    of = REGISTRY[func].jump_of
    hint = f", and {of} has no second derivative at 0 ({func} is its derivative)" if of else ""
    return UnsupportedError(f"{func}(.) jumps at 0, so it has no derivative there (and 0 "
                            f"elsewhere){hint}; derivtex derives functions that are smooth "
                            "where they are differentiated")
