"""Render a derivation through the Jinja templates: LaTeX or Typst snippet, standalone
document, Markdown. The engine's Steps become facts (math printed by the printer of the
format in use, never written here); all wording is in templates."""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

import jinja2

from ..engine.index_method import Outcome
from ..engine.steps import HessianGoal, Step
from ..errors import DerivtexError, TemplateError
from .facts import StepFacts
from .printer import Printer
from .template_cache import jinja_environment

SHIPPED = Path(__file__).resolve().parent.parent / "templates"


def template_dirs(user_dir: str | Path | None = None) -> list[Path]:
    """The user's directory first, then the templates shipped inside the package."""
    dirs = [Path(user_dir)] if user_dir else []
    return dirs + ([SHIPPED] if SHIPPED.is_dir() else [])


@lru_cache(maxsize=8)
def environment(user_dir: str | None = None) -> jinja2.Environment:
    """The user's overrides win, template by template, over the package's own."""
    shipped = jinja2.PackageLoader("derivtex", "templates")
    env = jinja_environment(
        user_dir,
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(user_dir), shipped])
        if user_dir else shipped,
        block_start_string="((*", block_end_string="*))",
        variable_start_string="(((", variable_end_string=")))",
        comment_start_string="((#", comment_end_string="#))",
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined, autoescape=False,
    )
    env.filters["math"] = print_math
    env.globals["result_step"] = result_step
    return env


def result_step(steps: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The step a label numbers, in every output: the last step with equations of the
    index method (with `method: both` the identity method's result, the same matrix,
    stays unnumbered)."""
    return next((step for step in reversed(steps) if step["body"]), None)


@jinja2.pass_context
def print_math(context: jinja2.runtime.Context, value: Any) -> str:
    """`((( s.step.after | math )))`: a record's object printed by the printer in scope."""
    return str(context["p"].math(value))


def rendered_steps(outcome: Outcome, printer: Printer, user_dir: str | None,
                   declared_above: bool = False) -> list[dict[str, Any]]:
    """Each step's facts, equations and sentence, in the notation of `printer`. With
    `declared_above` (the identity part of a page whose index part came first) the goal
    does not declare the symbols again."""
    with blamed_on_overrides(user_dir):
        return _rendered_steps(outcome, printer, user_dir, declared_above)


def _rendered_steps(outcome: Outcome, printer: Printer, user_dir: str | None,
                    declared_above: bool) -> list[dict[str, Any]]:
    env = environment(user_dir)
    facts_of = StepFacts(printer, outcome)
    prefix = ""
    if isinstance(outcome.steps[0], HessianGoal):
        from .hessian_facts import HessianFacts

        facts_of, prefix = HessianFacts(printer, outcome), "hessian_"
    sentences = env.get_template("explain.j2")
    explain, equations = shared_module(sentences), shared_module(env.get_template("steps.j2"))
    body = getattr(equations, prefix + "body")
    out = []
    in_scope = PRINTER.set(facts_of.p)
    try:
        for step in outcome.steps:
            done = rendered_step(step, facts_of, explain, body, sentences.filename, prefix,
                                 printer, declared_above)
            if done["facts"].get("jacobian_matrix"):  # written out before it is recognised
                out.append(written_out_part(done["facts"], explain, equations.equation,
                                            sentences.filename, printer, prefix))
            out.append(done)
    finally:
        PRINTER.reset(in_scope)
    return out


def rendered_step(step: Step, facts_of: StepFacts, explain: Any, body: Any,
                  filename: str | None, prefix: str, printer: Printer,
                  declared_above: bool) -> dict[str, Any]:
    facts = facts_of(step)
    if declared_above and "declared" in facts:
        facts.update(declared=[], symmetric=[])
    macro = prefix + step.rule if hasattr(explain, prefix + step.rule) else step.rule
    sentence = macro_of(explain, macro, filename)
    return {
        "rule": step.rule,
        "macro": macro,
        "facts": facts,
        "body": printer.fold(str(body(step.rule, facts)).strip()),
        **sentence_forms(str(sentence(facts, marked)), printer),
    }


def written_out_part(facts: dict[str, Any], explain: Any, equation: Any,
                     filename: str | None, printer: Printer, prefix: str) -> dict[str, Any]:
    """The derivative's matrix of entries (jacobian=matrix), shown between the entry found
    and its reassembly: its own sentence and display, from the reassembly's facts."""
    macro = prefix + "written_out" if hasattr(explain, prefix + "written_out") else \
        "written_out"
    sentence = macro_of(explain, macro, filename)
    return {
        "rule": "written_out",
        "macro": macro,
        "facts": facts,
        "body": printer.fold(str(equation("written_out", facts)).strip()),
        **sentence_forms(str(sentence(facts, marked)), printer),
    }


class CurrentPrinter:
    """`p` in the templates: the printer of the derivation being rendered (in this thread
    or task), so each template's module is made once, not once per derivation."""

    def __getattr__(self, name: str) -> Any:
        return getattr(PRINTER.get(), name)


PRINTER: ContextVar[Printer] = ContextVar("printer")
_MODULES: WeakKeyDictionary[jinja2.Template, Any] = WeakKeyDictionary()


def shared_module(template: jinja2.Template) -> Any:
    """The template's macros, made once per compiled template: an edited override is a
    new Template, so it gets a new module. The macros see the printer as `p` (rows,
    alignment and words in its notation), which the `math` filter prints with."""
    module = _MODULES.get(template)
    if module is None:
        module = _MODULES[template] = template.make_module({"p": CurrentPrinter()})
    return module


_OPEN, _CLOSE = "\ue000", "\ue001"  # private-use characters: never in a name or a template


def marked(math: str) -> str:
    """Math in a sentence, marked so `segments` can split it back out."""
    return _OPEN + math + _CLOSE


def sentence_forms(marked: str, printer: Printer) -> dict[str, Any]:
    """A sentence rendered once: as text with inline math, and as segments."""
    pieces = segments(marked)
    text = "".join(value if kind == "text" else printer.inline(value) for kind, value in pieces)
    return {"text": text, "segments": pieces}


def segments(marked: str) -> list[tuple[str, str]]:
    """A sentence as ("text", words) and ("math", notation) pieces, for shells that build
    their own nodes (Sphinx, MyST) instead of parsing the delimiters back out."""
    pieces = marked.replace(_CLOSE, _OPEN).split(_OPEN)
    out: list[tuple[str, str]] = []
    for k, piece in enumerate(pieces):
        if k % 2:
            out.append(("math", " ".join(piece.split())))
            continue
        words = " ".join(piece.split())
        if words:
            lead = " " if piece[:1].isspace() and k > 0 else ""
            tail = " " if piece[-1:].isspace() and k + 1 < len(pieces) else ""
            out.append(("text", lead + words + tail))
    return out


def render(template: str, user_dir: str | None = None, **context: Any) -> str:
    with blamed_on_overrides(user_dir):
        return environment(user_dir).get_template(template).render(**context)


def macro_of(module: Any, name: str, filename: str | None) -> Any:
    """A rule's sentence macro; an override without it is the user's to fix."""
    if hasattr(module, name):
        return getattr(module, name)
    if filename and not Path(filename).resolve().is_relative_to(SHIPPED):
        raise TemplateError(f"{filename} has no macro {name}(s, m); copy it from the "
                            "shipped explain.j2")
    raise NotImplementedError(f"explain.j2 has no macro {name}")


@contextmanager
def blamed_on_overrides(user_dir: str | None) -> Iterator[None]:
    """An error raised inside the user's own template is theirs to fix: a TemplateError
    with its file and line (exit status 2), not an internal error asking for a report."""
    try:
        yield
    except DerivtexError:
        raise
    except Exception as exc:
        where = override_line(exc, user_dir) if user_dir else None
        if where is None:
            raise
        raise TemplateError(f"{where}: {type(exc).__name__}: {str(exc)[:200]}") from exc


def override_line(exc: Exception, user_dir: str) -> str | None:
    """`FILE, line N` when the innermost template frame of the error is a template under
    `user_dir`, or None."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        filename, line = exc.filename, exc.lineno
    else:  # the innermost template frame: one jinja rewrote holds the template's line, a
        # compiled template's own (a macro called from Python) its generated line, mapped
        frames = [tb for tb in traceback.walk_tb(exc.__traceback__)
                  if tb[0].f_code.co_filename.endswith(".j2")]
        filename, line = (frames[-1][0].f_code.co_filename, frames[-1][1]) if frames \
            else (None, 0)
        compiled = frames[-1][0].f_globals.get("__jinja_template__") if frames else None
        if compiled is not None:
            line = compiled.get_corresponding_lineno(line)
    if filename is None or not Path(filename).resolve().is_relative_to(
            Path(user_dir).resolve()):
        return None
    return f"{filename}, line {line}"
