"""What a document asks derivtex for, as data: the LaTeX package's request records and
the key=value options that the LaTeX package and the Pandoc filter share.

Nothing here runs or expands what a document says: the expression and the options are
text, checked by `Options` like every other shell's, and what goes back to TeX is
derivtex's own checked output or a message spelled in characters TeX cannot misread.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import OptionError, quote
from ..options import Options

# What a request may set; `templates` is the command line's choice, never a document's.
KEYS = tuple(sorted({*Options.keys(), "shape"} - {"shapes", "templates"}))
REPEATABLE = ("shape", "symmetric")
KEY = re.compile(r"[a-z_]+")
HASH = re.compile(r"[0-9a-f]{32}")
KINDS = ("display", "inline")
# Characters a message may carry into TeX as they are; any other is \DerivtexChar{code}.
PLAIN = re.compile(r"[A-Za-z0-9 .,:;()=+*/?!-]")


class RequestError(Exception):
    """A requests file that derivtex.sty did not write (or that was edited)."""


@dataclass(frozen=True)
class Request:
    """One \\derivtex, derivation environment or \\derivtexresult of the document."""

    key: str  # the MD5 TeX took of the request, under which it looks the result up
    kind: str  # display (a derivation) or inline (\\derivtexresult: the result alone)
    where: str  # file:line
    options: str
    expression: str


def split_items(text: str) -> list[str]:
    """`wrt=x, shape={A=n,m}` -> ["wrt=x", "shape={A=n,m}"]: commas inside braces stay."""
    items: list[str] = []
    depth, current = 0, list[str]()
    for char in text:
        if char == "," and depth == 0:
            items.append("".join(current))
            current = []
            continue
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            raise OptionError("an unmatched } in the options")
        current.append(char)
    if depth:
        raise OptionError("an unmatched { in the options")
    items.append("".join(current))
    return [item.strip() for item in items if item.strip()]


def unbraced(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == "{" and value[-1] == "}":
        return value[1:-1].strip()
    return value


def parse_keys(text: str) -> dict[str, Any]:
    """LaTeX's key=value list as an Options mapping (see `options_of`)."""
    pairs = []
    for item in split_items(text):
        key, sep, value = item.partition("=")
        if not sep or not KEY.fullmatch(key.strip()):
            raise OptionError(f"option {quote(item)}: expected key=value, e.g. wrt=x")
        pairs.append((key.strip(), unbraced(value)))
    return options_of(pairs)


def options_of(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Keys and values as an Options mapping: a later key wins, except `shape` and
    `symmetric`, which add up (`shape={A=n,m}, shape={x=m}`)."""
    mapping: dict[str, Any] = {}
    for key, value in pairs:
        if key not in KEYS:
            raise OptionError(f"unknown option {quote(key)}; known: {', '.join(KEYS)}")
        if key in REPEATABLE:
            mapping.setdefault(key, []).append(value)
        else:
            mapping[key] = value
    if "shape" in mapping:
        mapping["shapes"] = mapping.pop("shape")
    return mapping


def request_options(text: str, defaults: Mapping[str, Any]) -> Options:
    """The options of a request, validated as every shell's are (named as in TOML, the
    closest spelling to key=value)."""
    return Options.from_mapping(parse_keys(text), defaults, "toml")


def field_lines(text: str, fields: tuple[str, ...]) -> list[dict[str, str]]:
    """Records of `@field value` lines, one starting at each @request; a line that is
    not one of `fields` is a RequestError, % lines are comments."""
    records: list[dict[str, str]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line or line.startswith("%"):
            continue
        name, _, value = line.partition(" ")
        name = name.removeprefix("@")
        repeated = name != "request" and (not records or name in records[-1])
        if not line.startswith("@") or name not in fields or repeated:
            raise RequestError(f"line {number} is not a request line derivtex.sty writes")
        if name == "request":
            records.append({})
        records[-1][name] = value
    for record in records:
        missing = [f for f in fields if f not in record]
        if missing:
            raise RequestError(f"a request lacks its @{missing[0]} line")
    return records


def read_requests(text: str) -> list[Request]:
    """The requests of a document's .dtxin file, in document order."""
    requests = []
    for record in field_lines(text, ("request", "where", "options", "expression")):
        key, _, kind = record["request"].partition(" ")
        if not HASH.fullmatch(key) or kind not in KINDS:
            raise RequestError(f"a malformed @request line: {quote(record['request'])}")
        requests.append(Request(key, kind, record["where"], record["options"].strip(),
                                record["expression"].strip()))
    return requests


def read_one(text: str, key: str) -> Request:
    """The single request of a .dtxreq file (the shellescape mode), under `key`."""
    records = field_lines(text, ("request", "options", "expression"))
    if len(records) != 1 or records[0]["request"] not in KINDS:
        raise RequestError("expected one request")
    record = records[0]
    return Request(key, record["request"], "", record["options"].strip(),
                   record["expression"].strip())


def tex_message(text: str) -> str:
    """A message as TeX reads it back character for character: anything but letters,
    digits and plain punctuation is written \\DerivtexChar{code} (derivtex.sty turns
    that into the character itself, never into a command); ASCII only, as pdfTeX's
    fonts have no other characters."""
    ascii_text = text.replace("\u2026", "...").encode("ascii", "backslashreplace").decode()
    return "".join(char if PLAIN.fullmatch(char) else "\\DerivtexChar{%d}" % ord(char)
                   for char in ascii_text)
