"""```derivtex fenced blocks in Markdown text, found in one pass over the lines.

Authors put derivations where Markdown allows code: at any indentation (inside
admonitions, collapsible blocks, content tabs and list items), with backticks or tildes.
Fences inside HTML comments and inside another, longer code fence (a page documenting
the syntax) are left alone. The scan is linear: each line is looked at once, and an
unclosed ```derivtex fence runs to the end of the page, as CommonMark says.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import Failure, OptionError, quote
from ..notation_settings import layered
from ..options import Options
from .publish import cached_attempt

OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>.*?)[ \t]*$")
DERIVTEX_INFO = re.compile(r"^\{?\.?derivtex\}?(?:[ \t]+(?P<header>.*))?$")
BODY_OPTION = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*[:=]\s*(.*?)\s*$")
# What a block may set; `templates` is the site's choice, never a page's.
BLOCK_KEYS = tuple(sorted({*Options.keys(), "shape"} - {"shapes", "templates"}))


@dataclass(frozen=True)
class Block:
    """One ```derivtex fence: its 1-based line, its indentation and what it says."""

    line: int
    indent: str
    header: str
    body: list[str]
    end: int  # index of the line after the closing fence
    closed: bool = True


def closes(line: str, fence: str) -> bool:
    stripped = line.strip()
    return len(stripped) >= len(fence) and stripped == fence[0] * len(stripped)


def comment_state(line: str, inside: bool) -> bool:
    """Whether an HTML comment is still open after this line."""
    pos = 0
    while True:
        if inside:
            end = line.find("-->", pos)
            if end < 0:
                return True
            inside, pos = False, end + 3
        else:
            start = line.find("<!--", pos)
            if start < 0:
                return False
            inside, pos = True, start + 4


def scan(lines: list[str]) -> Iterator[Block]:
    """Every ```derivtex block, in order; other code fences and comments are skipped."""
    i, in_comment = 0, False
    while i < len(lines):
        line = lines[i]
        if in_comment:
            in_comment = comment_state(line, True)
            i += 1
            continue
        match = OPEN.match(line)
        if not match or (match["fence"][0] == "`" and "`" in match["info"]):
            in_comment = comment_state(line, False)
            i += 1
            continue
        fence, derivtex = match["fence"], DERIVTEX_INFO.match(match["info"])
        j = i + 1
        while j < len(lines) and not closes(lines[j], fence):
            j += 1
        if derivtex:
            indent = match["indent"]
            body = [b[len(indent):] if b.startswith(indent) else b.lstrip()
                    for b in lines[i + 1:j]]
            yield Block(i + 1, indent, derivtex["header"] or "", body, j + 1, j < len(lines))
        i = j + 1


def block_options(header: str, body: list[str]) -> tuple[str, dict[str, str]]:
    """The expression and the options, from `wrt=x` in the header or `wrt: x` lines."""
    options: dict[str, str] = {}
    for item in header.split():
        key, sep, value = item.partition("=")
        if not sep:
            raise OptionError(f"fence option {quote(item)}: expected key=value")
        options[key.strip()] = value.strip()
    lines = []
    for line in body:
        match = BODY_OPTION.match(line)
        if match:
            options[match.group(1)] = match.group(2)
        elif line.strip():
            lines.append(line.strip())
    unknown = sorted(set(options) - set(BLOCK_KEYS))
    if unknown:
        raise OptionError(f"unknown option(s) {', '.join(quote(k) for k in unknown)}; "
                          f"known: {', '.join(BLOCK_KEYS)}")
    if "wrt" not in options:
        raise OptionError("the block needs `wrt: VARIABLE`")
    if "shape" in options:
        options["shapes"] = options.pop("shape")
    return " ".join(lines), options


def render_block(block: Block, defaults: Mapping[str, Any]) -> str | Failure:
    """The block's HTML, or the Failure that stopped it (bad options included)."""
    try:
        expression, mapping = block_options(block.header, block.body)
        site = defaults.get("notation")
        if site is not None:  # the block's settings over the site's
            mapping = {**mapping, "notation": layered(site, mapping.get("notation"))}
        options = Options.from_mapping(mapping, defaults, "fence")
    except OptionError as exc:
        return Failure.from_exception(exc)
    return cached_attempt(expression, options, "html")


def replace_fences(text: str, defaults: Mapping[str, Any],
                   on_failure: Callable[[Failure, int], str],
                   emit: Callable[[str], str]) -> str:
    """Every ```derivtex block rendered and passed to `emit`; `on_failure(failure, line)`
    decides what a failed one becomes. What either returns is indented like the fence."""
    lines = text.split("\n")
    out: list[str] = []
    done = 0
    for block in scan(lines):
        out.extend(lines[done:block.line - 1])
        if block.closed:
            result = render_block(block, defaults)
            replacement = on_failure(result, block.line) if isinstance(result, Failure) \
                else emit(result)
            done = block.end
        else:  # the rest of the page is that fence's: reported, and left as it is
            replacement = on_failure(Failure("syntax error", "this ```derivtex fence is "
                                             "never closed"), block.line)
            done = block.line - 1
        out.extend(block.indent + r if r else r for r in replacement.split("\n"))
    out.extend(lines[done:])
    return "\n".join(out)
