"""How Sphinx refers to a derivation: `:ref:` to its :name: or :label: (titled by the
expression, with its math typeset), `:eq:` and `:numref:` to its numbered result, links
that resolve in HTML and in the PDF alike, and objects.inv entries for intersphinx."""

from __future__ import annotations

from typing import Any, cast

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.domains.math import MathDomain
from sphinx.domains.std import StandardDomain
from sphinx.environment import BuildEnvironment
from sphinx.util.nodes import make_refnode

from ..api import Derivation
from ..printing.latex import LatexPrinter
from ..printing.render import marked, segments
from .publish import wording

REFERENCE = "derivtex_reference"
TITLE_MATH = "derivtex_title_math"
TITLES = "derivtex_titles"  # on the environment: docname -> {title: its segments}
# A labelled result's second id, the one `:ref:` and `:numref:` use: Sphinx's LaTeX writer
# makes no label of an `equation-` target, so a link to it was dead in the PDF.
DERIVATION = "derivation-"


def title_segments(d: Derivation) -> list[tuple[str, str]]:
    """The reference title (shells.j2) with the expression and variable as math, so a
    `:ref:` prints y^T A x typeset, not as typed."""
    printer = d.printer_of(LatexPrinter)
    wrt = printer.symbol(d.wrt, d.symbols[d.wrt].kind != "scalar")
    title = wording(d.templates).reference_title(marked(printer.expr(d.parsed)), marked(wrt))
    return segments(str(title))


def register_references(app: Sphinx, doctree: nodes.document) -> None:
    """`:ref:` to a derivation's :name: needs a title, and intersphinx reads objects.inv
    from the std labels: register each :name: (and each :label: no other target uses)."""
    std = cast(StandardDomain, app.env.get_domain("std"))
    docname = app.env.docname
    for container in doctree.findall(nodes.container):
        title = container.get(REFERENCE)
        if title is None:
            continue
        titles_of(app.env).setdefault(docname, {})[title] = container[TITLE_MATH]
        for name, node_id in zip(container["names"], container["ids"], strict=False):
            std.labels[name] = (docname, node_id, title)
        for block in container.findall(nodes.math_block):
            label = block.get("label")
            if label and label not in std.labels:
                std.labels[label] = (docname, nodes.make_id(DERIVATION + label), title)
                std.anonlabels[label] = (docname, nodes.make_id(DERIVATION + label))


def numbered_reference(app: Sphinx, env: BuildEnvironment, node: addnodes.pending_xref,
                       contnode: nodes.TextElement) -> nodes.Node | None:
    """`:numref:` to a derivation's :label: (the standard domain numbers figures, tables
    and listings, not equations): its result's number, as `:eq:` prints it, or the
    author's `{number}` title; a link in every builder, the PDF included."""
    std = cast(StandardDomain, env.get_domain("std"))
    label = node.get("reftarget", "")
    docname, node_id = std.anonlabels.get(label, ("", ""))
    if node.get("reftype") != "numref" or node_id != nodes.make_id(DERIVATION + label):
        return None
    explicit = contnode.astext().replace("%s", "{number}") if node.get("refexplicit") \
        else None
    if app.builder.format == "latex":  # LaTeX numbers the equations itself
        return latex_number(docname, label, explicit)
    number = equation_number(env, label)
    title = explicit.replace("{number}", number) if explicit else \
        (env.config.math_eqref_format or "({number})").format(number=number)
    return make_refnode(app.builder, node["refdoc"], docname, node_id,
                        nodes.inline(title, title, classes=["std", "std-numref"]))


def latex_number(docname: str, label: str, explicit: str | None) -> nodes.Node:
    """As `:eq:` is in LaTeX: `\\eqref` (Sphinx's math_reference), or `\\ref` in the
    author's title."""
    from sphinx.builders.latex.nodes import math_reference

    if explicit is None:
        return math_reference("", docname=docname, target=label)
    before, _, after = explicit.partition("{number}")
    return nodes.inline("", "", nodes.Text(before),
                        nodes.raw("", r"\ref{equation:%s:%s}" % (docname, label),
                                  format="latex"), nodes.Text(after))


def equation_number(env: BuildEnvironment, label: str) -> str:
    """The number Sphinx shows for a labelled equation (per page, or by section with
    numfig), as its math domain computes it for `:eq:`."""
    docname, number = cast(MathDomain, env.get_domain("math")).equations[label]
    numbers = env.toc_fignumbers.get(docname, {}).get("displaymath", {})
    if env.config.math_numfig and env.config.numfig and docname in env.toc_fignumbers:
        return ".".join(map(str, numbers.get(nodes.make_id("equation-" + label), ())))
    return str(number)


def titles_of(env: BuildEnvironment) -> dict[str, dict[str, list[tuple[str, str]]]]:
    if not hasattr(env, TITLES):
        setattr(env, TITLES, {})
    return cast(dict[str, dict[str, list[tuple[str, str]]]], getattr(env, TITLES))


def math_in_titles(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """A `:ref:` that prints a derivation's title (no title of the author's) shows it with
    its math typeset, in every builder."""
    known = {title: pieces for per_doc in titles_of(app.env).values()
             for title, pieces in per_doc.items()}
    for inline in list(doctree.findall(nodes.inline)):
        pieces = known.get(inline.astext()) if "std-ref" in inline["classes"] else None
        if pieces:
            inline.children = []
            for kind, value in pieces:
                inline += nodes.math(value, value) if kind == "math" else nodes.Text(value)


def forget_titles(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    titles_of(env).pop(docname, None)


def merge_titles(app: Sphinx, env: BuildEnvironment, docnames: Any,
                 other: BuildEnvironment) -> None:
    for docname in docnames:
        if docname in titles_of(other):
            titles_of(env)[docname] = titles_of(other)[docname]
