"""```derivtex fenced blocks (SPEC §6) in Markdown text, replaced by rendered HTML."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .errors import DerivtexError, OptionError
from .publish import OPTION, STEPS, cached_derive, html, parse_shapes

FENCE = re.compile(
    r"^(?P<indent>[ ]{0,3})(?P<fence>`{3,}|~{3,})[ \t]*\{?\.?derivtex\}?(?P<header>[^\n]*)\n"
    r"(?P<body>.*?)\n?^(?P=indent)(?P=fence)[ \t]*$",
    re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class Defaults:
    layout: str = "numerator"
    method: str = "index"
    templates: str | None = None


def block_options(header: str, body: str) -> tuple[str, dict[str, str]]:
    """The expression and the options, from `wrt=x` in the header or `wrt: x` lines."""
    options: dict[str, str] = {}
    for item in header.split():
        key, sep, value = item.partition("=")
        if not sep:
            raise OptionError(f"fence option {item!r}: expected key=value")
        options[key.strip()] = value.strip()
    lines = []
    for line in body.splitlines():
        match = OPTION.match(line)
        if match:
            options[match.group(1)] = match.group(2)
        elif line.strip():
            lines.append(line.strip())
    return " ".join(lines), options


def render_block(header: str, body: str, defaults: Defaults) -> str:
    expression, options = block_options(header, body)
    unknown = set(options) - {"wrt", "layout", "method", "shape", "steps"}
    if unknown:
        raise OptionError(f"unknown option(s) {', '.join(sorted(unknown))}")
    if "wrt" not in options:
        raise OptionError("the block needs `wrt: VARIABLE`")
    steps = options.get("steps", "full")
    if steps not in STEPS:
        raise OptionError(f"steps {steps!r}: use full or compact")
    d = cached_derive(expression, options["wrt"], options.get("layout", defaults.layout),
                      parse_shapes(options.get("shape", "")),
                      options.get("method", defaults.method), defaults.templates)
    return html(d, steps)


def replace_fences(text: str, defaults: Defaults,
                   on_error: Callable[[DerivtexError, int], str],
                   emit: Callable[[str], str] = lambda block: f"\n{block}\n") -> str:
    """Every ```derivtex block rendered (and passed to `emit`); `on_error(error, line)`
    decides what a bad one becomes."""

    def one(match: re.Match) -> str:
        line = text.count("\n", 0, match.start()) + 1
        try:
            return emit(render_block(match.group("header"), match.group("body"), defaults))
        except DerivtexError as exc:
            return on_error(exc, line)

    return FENCE.sub(one, text)
