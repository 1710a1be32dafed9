"""What the publishing shells (Sphinx, MkDocs, Markdown, batch) share: option parsing,
a cache of derivations, and HTML rendering."""

from __future__ import annotations

import re
from functools import lru_cache

from .api import Derivation, derive
from .errors import OptionError
from .render import environment

OPTION = re.compile(r"^\s*(wrt|layout|method|shape|steps)\s*[:=]\s*(.*?)\s*$")
STEPS = ("full", "compact")


def parse_shapes(text: str) -> tuple[tuple[str, str], ...]:
    """`A=n,m; x=m` -> (("A", "n,m"), ("x", "m"))."""
    out = []
    for part in text.replace(";", " ").split():
        name, sep, dims = part.partition("=")
        if not sep:
            raise OptionError(f"shape {part!r}: expected NAME=DIMS, e.g. A=n,m")
        out.append((name, dims))
    return tuple(out)


@lru_cache(maxsize=4096)
def cached_derive(expression: str, wrt: str, layout: str, shapes: tuple[tuple[str, str], ...],
                  method: str, templates: str | None) -> Derivation:
    """Documentation builds derive the same blocks again and again: once is enough."""
    return derive(expression, wrt, layout=layout, shapes=dict(shapes), method=method,
                  templates=templates)


def compact_body(d: Derivation) -> str:
    """Every step's equations as one aligned body, no blank line (Sphinx splits on those)."""
    steps = d.steps + d.identity_steps
    return " \\\\\n".join(s["body"] for s in steps if s["body"])


def html(d: Derivation, steps: str = "full") -> str:
    """A block of HTML that MathJax and KaTeX render (arithmatex markup), no blank lines."""
    template = environment(d.templates).get_template("derivation.html.j2")
    text = template.render(steps=d.steps, identity_steps=d.identity_steps,
                           compact=steps == "compact", body=compact_body(d))
    return "\n".join(line for line in text.splitlines() if line.strip())
