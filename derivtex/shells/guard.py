"""The one guarded entry point every shell uses (CLI, batch, Sphinx, MyST, Markdown,
MkDocs, Jupyter): a derivation's output or a Failure, never an exception.

Bad input is the user's to fix (exit status 2, a located warning); anything else is a
bug in derivtex (exit status 1, "please report"). Either way one derivation's failure
never aborts the rest of a build, so shells only format the Failure.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from ..errors import Failure
from ..options import Options

if TYPE_CHECKING:
    from ..api import Derivation

T = TypeVar("T")


def attempt(expression: str, options: Options,
            output: Callable[[Derivation], T]) -> T | Failure:
    """`output(derive(expression, options))`, or the Failure that stopped it.

    The shell's rendering runs inside the guard too: a failure while printing is as much
    a failed derivation as one while deriving."""
    from ..api import derive_with

    try:
        return output(derive_with(expression, options))
    except Exception as exc:  # noqa: BLE001 - the one place every failure is classified
        return Failure.from_exception(exc)
