"""What the publishing shells (Sphinx, MyST, Markdown, MkDocs, Jupyter) share: derivations
through the guard with a cache, HTML rendering, and the shells' wording (shells.j2)."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from ..api import Derivation
from ..errors import Failure
from ..options import Options
from ..printing.render import environment
from .guard import attempt


def compact_body(d: Derivation) -> str:
    """Every step's equations as one aligned body, no blank line (Sphinx splits on those)."""
    steps = d.steps + d.identity_steps
    return " \\\\\n".join(s["body"] for s in steps if s["body"])


def html(d: Derivation) -> str:
    """A block of HTML that MathJax and KaTeX render (arithmatex markup), no blank lines."""
    template = environment(d.templates).get_template("derivation.html.j2")
    text = template.render(steps=d.steps, identity_steps=d.identity_steps,
                           compact=d.options.steps == "compact", body=compact_body(d),
                           headings=wording(d.templates), label=d.options.label)
    return "\n".join(line for line in text.splitlines() if line.strip())


def rendered(d: Derivation) -> Derivation:
    """The derivation with its steps rendered, so that rendering fails inside the guard."""
    _ = d.steps, d.identity_steps
    return d


OUTPUTS: dict[str, Callable[[Derivation], Any]] = {"html": html, "derivation": rendered}


@lru_cache(maxsize=4096)
def cached_attempt(expression: str, options: Options, output: str) -> Any:
    """Documentation builds derive the same blocks again and again: once is enough.
    Returns OUTPUTS[output] of the derivation, or its Failure."""
    return attempt(expression, options, OUTPUTS[output])


def wording(templates: str | None = None) -> Any:
    """The shells' sentences (headings, failure notes, reference titles): shells.j2."""
    return environment(templates).get_template("shells.j2").module


def failure_line(failure: Failure, where: str | None = None) -> str:
    """One line for a build log: where (if the log does not say it), what kind, the
    message (with "please report" for a bug in derivtex)."""
    return f"derivtex: {where}: {failure}" if where else f"derivtex: {failure}"
