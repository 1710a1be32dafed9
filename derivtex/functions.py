"""The functions of the language in one table: LaTeX, numpy, numeric value, and the
derivative of each elementwise one as an expression a lecturer would write."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from . import ast

ELEMENTWISE = ("sigma", "tanh", "exp", "log", "relu", "step", "recip")

# f -> the name shown for f' in index notation (sigma'(z_i))
PRIME = {"sigma": "dsigma", "tanh": "dtanh", "exp": "exp", "log": "recip", "relu": "step",
         "recip": "drecip"}

LATEX = {
    "tr": r"\operatorname{tr}", "det": r"\det", "exp": r"\exp", "log": r"\log",
    "tanh": r"\tanh", "sigma": r"\sigma", "relu": r"\operatorname{relu}",
    "softmax": r"\operatorname{softmax}", "diag": r"\operatorname{diag}",
    "step": r"\operatorname{step}", "dsigma": r"\sigma'", "dtanh": r"\tanh'",
    "drecip": r"\left(\frac{1}{\cdot}\right)'", "recip": r"\frac{1}{\cdot}",
}

NUMPY = {
    "tr": "np.trace({})", "det": "np.linalg.det({})", "inv": "np.linalg.inv({})",
    "exp": "np.exp({})", "log": "np.log({})", "tanh": "np.tanh({})",
    "sigma": "(1 / (1 + np.exp(-{})))", "recip": "(1 / {})",
    "relu": "np.maximum({}, 0)", "step": "np.heaviside({}, 0.0)",
    "diag": "np.diagflat({})", "softmax": "(np.exp({0}) / np.sum(np.exp({0})))",
}


# what each f' shown in a chain-rule step is, keyed by the name shown
PRIME_FACTS = {
    "dsigma": r"\sigma'(z) = \sigma(z)\,\bigl(1 - \sigma(z)\bigr)",
    "dtanh": r"\tanh'(z) = 1 - \tanh^{2}(z)",
    "exp": r"\exp'(z) = \exp(z)",
    "recip": r"\log'(z) = \frac{1}{z}",
    "step": r"\operatorname{relu}'(z) = \operatorname{step}(z)",
    "drecip": r"\left(\frac{1}{z}\right)' = -\frac{1}{z^{2}}",
}


def _sigma(z):
    return 1 / (1 + np.exp(-z))


NUMERIC = {
    "exp": np.exp, "log": np.log, "tanh": np.tanh, "sigma": _sigma,
    "dsigma": lambda z: _sigma(z) * (1 - _sigma(z)),
    "dtanh": lambda z: 1 - np.tanh(z) ** 2,
    "recip": lambda z: 1 / z, "drecip": lambda z: -1 / z ** 2,
    "relu": lambda z: np.maximum(z, 0),
    "step": lambda z: np.greater(z, 0).astype(float),
}


def _one_minus(e: ast.Expr) -> ast.Expr:
    return ast.Add((ast.Number(Fraction(1)), ast.Neg(e)))


def derivative_expr(func: str, u: ast.Expr) -> ast.Expr:
    """f'(u) as an expression: sigma' = sigma .* (1 - sigma), log' = recip, ..."""
    f = ast.Call(func, (u,))
    if func == "sigma":
        return ast.Hadamard((f, _one_minus(f)))
    if func == "tanh":
        return _one_minus(ast.Hadamard((f, f)))
    if func == "exp":
        return f
    if func == "log":
        return ast.Call("recip", (u,))
    if func == "relu":
        return ast.Call("step", (u,))
    if func == "recip":
        return ast.Neg(ast.Hadamard((f, f)))
    if func == "step":
        return ast.Number(Fraction(0))
    raise KeyError(func)
