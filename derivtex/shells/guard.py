"""The one guarded entry point every shell uses (CLI, batch, Sphinx, MyST, Markdown,
MkDocs, Jupyter): a derivation's output or a Failure, never an exception.

Bad input is the user's to fix (exit status 2, a located warning); anything else is a
bug in derivtex (exit status 1, "please report"). Either way one derivation's failure
never aborts the rest of a build, so shells only format the Failure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from .. import __version__
from ..errors import DerivtexError, VerificationError
from ..options import Options

if TYPE_CHECKING:
    from ..api import Derivation

T = TypeVar("T")


@dataclass(frozen=True)
class Failure:
    """Why a derivation produced nothing: `internal` means a bug in derivtex."""

    kind: str
    message: str
    column: int | None = None
    internal: bool = False

    @property
    def exit_status(self) -> int:
        return 1 if self.internal else 2

    def __str__(self) -> str:
        where = f"column {self.column}: " if self.column is not None else ""
        return f"{self.kind}: {where}{self.message}"

    @classmethod
    def from_exception(cls, exc: BaseException) -> Failure:
        if isinstance(exc, DerivtexError):
            return cls(exc.kind, exc.message, exc.column)
        if isinstance(exc, RecursionError):
            return cls("unsupported", "the expression is too deeply nested", 1)
        if isinstance(exc, MemoryError):
            return cls("unsupported", "the derivation needs more memory than is available; "
                       "declare smaller sizes or split the expression", 1)
        if isinstance(exc, VerificationError):
            what = f"the result failed its numeric check ({exc})"
        else:
            what = f"{type(exc).__name__}: {exc}"[:300]
        return cls("internal error", f"{what}; nothing was written. Please report this "
                   f"expression (derivtex {__version__}).", internal=True)


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
