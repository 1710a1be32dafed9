"""The functions a chain-rule step differentiated that bend at 0 (relu, abs), each as
f(z) in the page's notation, for the sentence that says where f has no derivative."""

from __future__ import annotations

from ..functions import KINKED
from ..model.shapes import Shapes, Symbol
from ..syntax import ast
from .printer import Printer

_Z = ast.Name("z")


def kinks(printer: type[Printer], done: list[str]) -> list[str]:
    """f(z) for each kinked function in `done`, printed by a printer of that type."""
    bent = [f for f in done if f in KINKED]
    if not bent:
        return []
    scalar_z = printer(Shapes({"z": Symbol("z", "scalar", (1, 1))}))
    return [scalar_z.expr(ast.Call(f, (_Z,))) for f in bent]
