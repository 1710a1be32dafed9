"""The Sphinx extension: `extensions = ["derivtex.sphinx"]`, then

    .. derivation:: y^T A x
       :wrt: x
       :label: bilinear

Each step is a paragraph (its sentence, with inline math) and Sphinx's own math_block
(so MathJax, KaTeX, imgmath and the LaTeX builder all work). Every option goes through
`Options` (a label that is not a plain name never reaches LaTeX) and every derivation
through the guard: bad input is a located warning (type ``derivtex``), a bug in derivtex a
located error saying "please report", and either leaves a visible admonition where the
derivation was; the build goes on. Works from MyST too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.domains.math import MathDomain
from sphinx.errors import ExtensionError
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from .. import __version__
from ..api import Derivation
from ..errors import DerivtexError, Failure, written_in
from ..notation_settings import layered
from ..options import Options, check_label
from ..printing.render import result_step, template_dirs
from .publish import cached_attempt, failure_line, wording
from .sphinx_references import (
    DERIVATION,
    REFERENCE,
    TITLE_MATH,
    forget_titles,
    math_in_titles,
    merge_titles,
    numbered_reference,
    register_references,
    title_segments,
)

logger = logging.getLogger(__name__)
# The directive's options: every derivation option but the site-wide templates.
DERIVATION_KEYS = tuple(sorted({*Options.keys(), "shape"} - {"shapes", "templates"}))


def math_block(body: str, docname: str) -> nodes.math_block:
    # Sphinx wraps multi-line math in split for MathJax, and single lines not at all:
    # an aligned environment renders either way.
    latex = "\\begin{aligned}%s\\end{aligned}" % body
    node = nodes.math_block(latex, latex, docname=docname, number=None, label=None)
    node["nowrap"] = node["no-wrap"] = False
    return node


def sentence(segments: list[tuple[str, str]]) -> nodes.paragraph:
    """A step's explanation: its text and math pieces as Text and math nodes."""
    para = nodes.paragraph()
    for kind, value in segments:
        para += nodes.math(value, value) if kind == "math" else nodes.Text(value)
    return para


class DerivationDirective(SphinxDirective):
    has_content = False
    required_arguments = 0  # an empty expression is the guard's to report, like any other
    optional_arguments = 1
    final_argument_whitespace = True
    option_spec = {**{key: directives.unchanged for key in DERIVATION_KEYS},
                   "name": directives.unchanged, "class": directives.class_option}

    def options_of(self) -> Options:
        """What the author wrote, after the site's defaults (conf.py), validated once."""
        config = self.config
        mapping = {key: value for key, value in self.options.items()
                   if key not in ("name", "class")}
        if "shape" in mapping:
            mapping["shapes"] = mapping.pop("shape")
        mapping["notation"] = layered(config.derivtex_notation, mapping.get("notation"))
        if "name" in self.options:
            with written_in("directive"):
                check_label(self.options["name"], "name")
        templates = config.derivtex_templates or None
        defaults = {"layout": config.derivtex_layout, "method": config.derivtex_method,
                    "steps": config.derivtex_steps,
                    "templates": str(Path(self.env.srcdir, templates)) if templates else None}
        return Options.from_mapping(mapping, defaults, "directive")

    def run(self) -> list[nodes.Node]:
        templates = self.config.derivtex_templates
        if templates:
            for path in Path(self.env.srcdir, templates).glob("*.j2"):
                self.env.note_dependency(str(path))
        try:
            options = self.options_of()
        except DerivtexError as exc:
            return self.failed(Failure.from_exception(exc), None)
        expression = self.arguments[0] if self.arguments else ""
        result = cached_attempt(expression, options, "derivation")
        if isinstance(result, Failure):
            return self.failed(result, options.templates)
        return self.derivation(result)

    def failed(self, failure: Failure, templates: str | None) -> list[nodes.Node]:
        """A located warning (bad input) or error (a bug: please report), and an admonition
        where the derivation would have been, so the page says what is missing."""
        report = logger.error if failure.internal else logger.warning
        report(failure_line(failure), location=self.get_location(),
               type="derivtex", subtype="internal" if failure.internal else "derivation")
        say = wording(templates)
        note = nodes.admonition(classes=["error", "derivtex-error"])
        note += nodes.title("", str(say.failure_title()))
        note += nodes.paragraph("", str(say.failure_text(str(failure))))
        self.set_source_info(note)
        return [note]

    def derivation(self, d: Derivation) -> list[nodes.Node]:
        docname = self.env.docname
        container = nodes.container(classes=["derivtex", *self.options.get("class", [])])
        container[REFERENCE] = str(wording(d.templates).reference_title(d.expression, d.wrt))
        container[TITLE_MATH] = title_segments(d)
        result, numbered = result_step(d.steps), None
        say = wording(d.templates)
        for steps, method in ((d.steps, "index"), (d.identity_steps, "identity")):
            if d.identity_steps and steps and d.options.steps != "compact":
                heading = str(say.method_heading(method))
                container += nodes.rubric(heading, heading, classes=["derivtex-method"])
            for step in steps:
                # Compact: the equations without their sentences, one block per step (a
                # single aligned block cannot break across pages in the PDF).
                if d.options.steps != "compact":
                    container += sentence(step["segments"])
                if step["body"]:
                    block = math_block(step["body"], docname)
                    container += block
                    numbered = block if step is result else numbered
        if d.options.label and numbered is not None:
            self.number(container, numbered, d.options.label)
        return self.named(container)

    def named(self, container: nodes.container) -> list[nodes.Node]:
        """A :name: is a target before the container (its id moves onto it, as for
        `.. _name:`): the LaTeX writer turns such a target into a label, but ignores ids
        on a container, which left every `:ref:` to a name dead in the PDF."""
        if "name" not in self.options:
            return [container]
        target = nodes.target("", "")
        self.add_name(target)
        return [target, container]

    def number(self, container: nodes.container, final: nodes.math_block, label: str) -> None:
        """Number the result line (`result_step`: the index method's, in every output) and
        make it the label's target, exactly as Sphinx's own `math` directive does
        (MathDirective.add_target): the target right before the math_block, so its id moves
        onto the equation (numfig and ¶ links need that)."""
        domain = cast(MathDomain, self.env.get_domain("math"))
        domain.note_equation(self.env.docname, label, location=final)
        final["label"] = label
        final["number"] = domain.get_equation_number_for(label)
        at = container.index(final)
        for prefix in ("equation-", DERIVATION):  # moved onto the equation in this order
            target = nodes.target("", "", ids=[nodes.make_id(prefix + label)])
            self.state.document.note_explicit_target(target)
            container.insert(at, target)


def setup(app: Sphinx) -> dict[str, Any]:
    if not template_dirs():
        raise ExtensionError("derivtex's templates are missing from its installation; "
                             "reinstall derivtex")
    app.setup_extension("sphinx.ext.mathjax")
    app.add_config_value("derivtex_layout", "numerator", "env", [str])
    app.add_config_value("derivtex_method", "index", "env", [str])
    app.add_config_value("derivtex_steps", "full", "env", [str])
    app.add_config_value("derivtex_templates", "", "env", [str])
    app.add_config_value("derivtex_notation", "", "env", [str, dict])
    app.add_directive("derivation", DerivationDirective)
    app.connect("doctree-read", register_references)
    app.connect("missing-reference", numbered_reference)
    app.connect("doctree-resolved", math_in_titles)
    app.connect("env-purge-doc", forget_titles)
    app.connect("env-merge-info", merge_titles)
    return {"version": __version__, "parallel_read_safe": True,
            "parallel_write_safe": True}
