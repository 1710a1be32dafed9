"""Exceptions of derivtex's own, so every shell can turn them into one clear message,
and Failure: what a shell shows when a derivation produced nothing."""

from __future__ import annotations

from dataclasses import dataclass

MAX_ECHO = 40  # characters of user text quoted back in a message


def shorten(text: str) -> str:
    """User text quoted in a message: a long name or value is cut, never echoed whole."""
    return text if len(text) <= MAX_ECHO else text[:MAX_ECHO - 1] + "…"


class DerivtexError(Exception):
    """Bad input: what is wrong and, where known, the 1-based column."""

    kind = "error"

    def __init__(self, message: str, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.column = column

    def __str__(self) -> str:
        if self.column is None:
            return self.message
        return f"column {self.column}: {self.message}"


class ParseError(DerivtexError):
    """The text is not in the input language (text or LaTeX)."""

    kind = "syntax error"


class ShapeError(DerivtexError):
    """Sizes or kinds do not fit together."""

    kind = "shape error"


class UnsupportedError(DerivtexError):
    """Well-formed input that derivtex does not derive (yet)."""

    kind = "unsupported"


class LimitError(UnsupportedError):
    """Input over a size limit (see syntax/limits.py), refused before any work is done."""

    kind = "too large"


class DomainError(DerivtexError):
    """The expression has no finite value at any test point, so nothing can be verified."""

    kind = "no finite value"


class OptionError(DerivtexError):
    """A bad option value: layout, method, --shape, wrt."""

    kind = "bad option"


class TemplateError(DerivtexError):
    """A template override (--templates DIR) that does not render: its file and line."""

    kind = "template error"


class VerificationError(Exception):
    """The derived result disagrees with finite differences: a bug in derivtex, never output."""


class UnsafeOutputError(Exception):
    """Rendered output holds a control sequence derivtex never emits: a bug, never output."""


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
        from . import __version__

        return cls("internal error", f"{what}; nothing was written. Please report this "
                   f"expression (derivtex {__version__}).", internal=True)
