"""The Sphinx extension: `extensions = ["derivtex.sphinx"]`, then

    .. derivation:: y^T A x
       :wrt: x

Each step is a paragraph (its sentence, with inline math) and Sphinx's own math_block
(so MathJax, KaTeX, imgmath and the LaTeX builder all work). A bad expression is a
warning with file and line (type ``derivtex``), never a crash. Works from MyST too.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from . import __version__
from .errors import DerivtexError, OptionError
from .publish import STEPS, cached_derive, compact_body, parse_shapes
from .render import template_dirs

logger = logging.getLogger(__name__)
INLINE_MATH = re.compile(r"\\\((.*?)\\\)", re.DOTALL)


def math_block(body: str, docname: str) -> nodes.math_block:
    # Sphinx wraps multi-line math in split for MathJax, and single lines not at all:
    # an aligned environment renders either way.
    latex = "\\begin{aligned}%s\\end{aligned}" % body
    node = nodes.math_block(latex, latex, docname=docname, number=None, label=None)
    node["nowrap"] = node["no-wrap"] = False
    return node


def sentence(text: str) -> nodes.paragraph:
    """A step's explanation: text with \\(inline math\\) as math nodes."""
    para = nodes.paragraph()
    pos = 0
    for match in INLINE_MATH.finditer(text):
        if match.start() > pos:
            para += nodes.Text(text[pos:match.start()])
        para += nodes.math(match.group(1), match.group(1))
        pos = match.end()
    if pos < len(text):
        para += nodes.Text(text[pos:])
    return para


class DerivationDirective(SphinxDirective):
    has_content = False
    required_arguments = 1
    final_argument_whitespace = True
    option_spec = {
        "wrt": directives.unchanged_required,
        "layout": lambda v: directives.choice(v, ("numerator", "denominator")),
        "method": lambda v: directives.choice(v, ("index", "identity", "both")),
        "shape": directives.unchanged,
        "steps": lambda v: directives.choice(v, STEPS),
        "label": directives.unchanged,
        "name": directives.unchanged,
        "class": directives.class_option,
    }

    def run(self) -> list[nodes.Node]:
        config = self.config
        templates = config.derivtex_templates or None
        if templates:
            for path in Path(self.env.srcdir, templates).glob("*.j2"):
                self.env.note_dependency(str(path))
        try:
            if "wrt" not in self.options:
                raise OptionError("the derivation needs :wrt: VARIABLE")
            d = cached_derive(
                self.arguments[0], self.options["wrt"],
                self.options.get("layout", config.derivtex_layout),
                parse_shapes(self.options.get("shape", "")),
                self.options.get("method", config.derivtex_method),
                str(Path(self.env.srcdir, templates)) if templates else None)
        except DerivtexError as exc:
            logger.warning("derivtex: %s", exc, location=self.get_location(),
                           type="derivtex", subtype="derivation")
            return []
        container = nodes.container(classes=["derivtex", *self.options.get("class", [])])
        self.add_name(container)
        if self.options.get("steps", "full") == "compact":
            container += math_block(compact_body(d), self.env.docname)
        else:
            for steps, title in ((d.steps, "By the index method."),
                                 (d.identity_steps, "By identities.")):
                if d.identity_steps and steps:
                    container += nodes.paragraph("", "", nodes.strong(title, title))
                for step in steps:
                    container += sentence(step["text"])
                    if step["body"]:
                        container += math_block(step["body"], self.env.docname)
        label = self.options.get("label")
        if label:
            return self.add_label(container, label)
        return [container]

    def add_label(self, container: nodes.container, label: str) -> list[nodes.Node]:
        """Number the final equation and make it a target, as Sphinx's math directive does."""
        final = container.children[-1]
        domain = self.env.domains.math_domain
        domain.note_equation(self.env.docname, label, location=final)
        final["label"] = label
        final["number"] = domain.get_equation_number_for(label)
        target = nodes.target("", "", ids=[nodes.make_id("equation-%s" % label)])
        self.state.document.note_explicit_target(target)
        return [target, container]


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("sphinx.ext.mathjax")
    app.add_config_value("derivtex_layout", "numerator", "env", [str])
    app.add_config_value("derivtex_method", "index", "env", [str])
    app.add_config_value("derivtex_templates", "", "env", [str])
    app.add_directive("derivation", DerivationDirective)
    assert template_dirs()  # the shipped templates are found, wheel or checkout
    return {"version": __version__, "parallel_read_safe": True,
            "parallel_write_safe": True}
