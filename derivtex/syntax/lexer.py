"""Tokenizer for the plain-text input language."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import ParseError, quote

MAX_INPUT_CHARS = 10_000
MAX_NAME_CHARS = 64  # messages quote names; no name is long enough to flood one


@dataclass(frozen=True)
class Token:
    kind: str  # "name", "number", "op" or "end"
    value: str
    col: int  # 1-based column in the source text


_TOKEN = re.compile(
    r"(?P<space>\s+)"
    r"|(?P<number>\d+(?:\.\d+)?|\.\d+)"
    r"|(?P<name>[A-Za-z][A-Za-z0-9_]*)"
    r"|(?P<op>\|\||\.T\b|\.\*|\./|[-+*/@()^{},'|_])"
)


def check_length(text: str) -> None:
    if len(text) > MAX_INPUT_CHARS:
        raise ParseError(
            f"input is {len(text):,} characters long; the limit is {MAX_INPUT_CHARS:,}", 1
        )


def tokenize(text: str) -> list[Token]:
    check_length(text)
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise ParseError(f"unexpected character {quote(text[pos])}", pos + 1)
        kind = match.lastgroup
        if kind == "name" and match.end() - pos > MAX_NAME_CHARS:
            raise ParseError(f"a name of {match.end() - pos:,} characters; names have at most "
                             f"{MAX_NAME_CHARS}", pos + 1)
        if kind != "space":
            assert kind is not None
            tokens.append(Token(kind, match.group(), pos + 1))
        pos = match.end()
    tokens.append(Token("end", "", len(text) + 1))
    return tokens
