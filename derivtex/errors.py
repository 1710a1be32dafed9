"""Exceptions of derivtex's own, so every shell can turn them into one clear message,
and Failure: what a shell shows when a derivation produced nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

MAX_ECHO = 40  # characters of user text quoted back in a message

# Where the user wrote an option, so a message names it as they wrote it.
Spelling = Literal["cli", "api", "directive", "fence", "toml"]
API_KEYWORDS = {"shape": "shapes"}  # the API's keyword where it is not the option's name
# One notation setting, KEY=VALUE: the CLI's --notation-set, inside `notation` elsewhere.
OUTSIDE_CLI = {"notation_set": "notation"}
# An option named inside a message: key, value as typed, value as a literal (see option).
_MARK = re.compile("\ue000([a-z_]+)(?:\ue001([^\ue000-\ue002]*)\ue001([^\ue000-\ue002]*))?"
                   "\ue002")


def shorten(text: str) -> str:
    """User text quoted in a message: a long name or value is cut, never echoed whole."""
    return text if len(text) <= MAX_ECHO else text[:MAX_ECHO - 1] + "…"


def _escaped(char: str, quoted: bool) -> str:
    if quoted and char in "'\\":
        return "\\" + char
    if " " <= char <= "~":
        return char
    return char.encode("unicode_escape").decode("ascii")


def quote(value: object) -> str:
    """A refused value quoted back: ASCII only (anything else escaped, as Python writes
    it), so no log, page or PDF chokes on it, and cut after MAX_ECHO characters. Text is
    in single quotes (a Python, TOML and shell literal alike); numbers and lists bare."""
    quoted = isinstance(value, str)
    out, size = [], 0
    for char in value if isinstance(value, str) else str(value):
        piece = _escaped(char, quoted)
        if size + len(piece) > MAX_ECHO:
            out.append("...")
            break
        out.append(piece)
        size += len(piece)
    body = "".join(out)
    return f"'{body}'" if quoted else body


def option(key: str, value: object = None) -> str:
    """An option named in a message, with the value refused (quoted): shown as the shell
    the user wrote it in spells it (`spell`), e.g. --layout 'foo' or layout='foo'."""
    if value is None:
        return f"\ue000{key}\ue002"
    shown = quote(value)
    return f"\ue000{key}\ue001{shown}\ue001{shown}\ue002"


def suggest(key: str, value: object) -> str:
    """An option with a value to type, in a hint: --shape x=DIMS, shapes='x=DIMS'."""
    return f"\ue000{key}\ue001{value}\ue001{quote(value)}\ue002"


def spell(key: str, spelling: Spelling, typed: str | None = None,
          literal: str | None = None) -> str:
    """The one place an option's spelling is decided: --symmetric (CLI), symmetric= (API),
    :symmetric: (Sphinx and MyST directives), symmetric: (Markdown fences), symmetric
    (a TOML key); with a value, as that user would write it."""
    if spelling != "cli":
        key = OUTSIDE_CLI.get(key, key)
    if spelling == "api":
        return f"{API_KEYWORDS.get(key, key)}={literal or ''}"
    if spelling == "toml":
        return key if literal is None else f"{key} = {literal}"
    name = {"cli": "--" + key.replace("_", "-"), "directive": f":{key}:",
            "fence": f"{key}:"}[spelling]
    return name if typed is None else f"{name} {typed}"


def spelled(message: str, spelling: Spelling) -> str:
    """A message with every option in it spelled for `spelling`."""
    return _MARK.sub(lambda m: spell(m[1], spelling, m[2], m[3]), message)


@contextmanager
def written_in(spelling: Spelling) -> Iterator[None]:
    """Errors raised inside name options as the user of that shell writes them."""
    try:
        yield
    except DerivtexError as exc:
        exc.spelling = spelling
        raise


class DerivtexError(Exception):
    """Bad input: what is wrong and, where known, the 1-based column."""

    kind = "error"
    spelling: Spelling = "api"  # set by `written_in` where a shell hands over options

    def __init__(self, message: str, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.column = column

    @property
    def text(self) -> str:
        """The message, its options spelled as the user wrote them."""
        return spelled(self.message, self.spelling)

    def __str__(self) -> str:
        if self.column is None:
            return self.text
        return f"column {self.column}: {self.text}"


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
            return cls(exc.kind, exc.text, exc.column)
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
