"""`derivtex-myst`: the `derivation` directive for Jupyter Book 2 / MyST-MD, as a MyST
executable plugin (configured in myst.yml under `project.plugins`).

The protocol: run with no arguments, the plugin prints its PLUGIN_SPEC (JSON); run with
`--directive derivation`, it reads the directive (name, arg, options, node) as JSON on
stdin and prints the nodes that replace it: paragraphs with inline math and `math` nodes,
the result line labelled when `:label:` is given, after a target when `:name:` is. The
options are the Sphinx directive's, validated by `Options`; `templates` is the site's
choice, never a page's. The plugin always answers, so one bad derivation never stops the
book: a failed derivation becomes an error admonition.

MyST shows a plugin's stderr only with `--debug`, and stops the page when the plugin
exits non-zero; what it does report, with the page and line, is a link without a URL
("index.md:12 Link has no URL: derivtex: ..."). So the admonition's message is such a
link, placed at the directive: the ordinary build output names the file and line.

Exit status: 0 with nodes on stdout, even for a failed derivation; 2 when stdin is not
the directive data MyST sends (not JSON, nested too deeply, too large, or of another
shape), with one line on stderr; 141 when stdout is closed early.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .. import __version__
from ..errors import DerivtexError, Failure, OptionError, quote, written_in
from ..options import Options, check_label
from .cli import until_stdout_closes

DIRECTIVE_KEYS = tuple(sorted({*Options.keys(), "shape"} - {"shapes", "templates"}))
MAX_DATA = 1 << 20  # bytes of directive data: an expression and a few options

PLUGIN_SPEC: dict[str, Any] = {
    "name": "derivtex",
    "directives": [{
        "name": "derivation",
        "doc": "A step-by-step index-method derivation of a matrix derivative.",
        "arg": {"type": "string", "doc": "the expression, e.g. y^T A x", "required": True},
        "options": {**{key: {"type": "string", "doc": f"as derivtex's --{key}"}
                       for key in DIRECTIVE_KEYS},
                    "name": {"type": "string",
                             "doc": "a target for the derivation: [text](#NAME)"}},
    }],
}


class ProtocolError(Exception):
    """Stdin is not the directive data MyST sends: the caller's mistake, exit status 2."""


def text(value: str) -> dict[str, Any]:
    return {"type": "text", "value": value}


def sentence(segments: list[tuple[str, str]]) -> dict[str, Any]:
    """A step's explanation: its text and math pieces as text and inlineMath nodes."""
    return {"type": "paragraph", "children": [
        {"type": "inlineMath", "value": value} if kind == "math" else text(value)
        for kind, value in segments]}


def math(body: str) -> dict[str, Any]:
    return {"type": "math", "value": "\\begin{aligned}%s\\end{aligned}" % body,
            "enumerated": False}


def derivation_nodes(d: Any) -> list[dict[str, Any]]:
    """The derivation as MyST AST nodes; only a labelled result line is numbered."""
    from ..printing.render import result_step
    from .publish import wording

    say = wording(d.templates)
    nodes: list[dict[str, Any]] = []
    compact, result = d.options.steps == "compact", result_step(d.steps)
    for steps, method in ((d.steps, "index"), (d.identity_steps, "identity")):
        if d.identity_steps and steps and not compact:
            heading = str(say.method_heading(method))
            nodes.append({"type": "paragraph",
                          "children": [{"type": "strong", "children": [text(heading)]}]})
        for step in steps:  # compact: one block per step, so pages can break between
            if not compact:
                nodes.append(sentence(step["segments"]))
            if step["body"]:
                nodes.append(math(step["body"]))
                if d.options.label and step is result:  # the rule every output follows
                    nodes[-1].update(label=d.options.label, identifier=d.options.label,
                                     enumerated=True)
    return nodes


def failure_nodes(failure: Failure, position: dict[str, Any] | None) -> list[dict[str, Any]]:
    """An error admonition whose message is a link without a URL at the directive's
    position: MyST reports that, with the page and line, in the ordinary build output."""
    from .publish import failure_line, wording

    say = wording()
    line = position["start"]["line"] if position else None
    where = f"line {line}" if line else None
    print(failure_line(failure, where), file=sys.stderr)
    message: dict[str, Any] = {"type": "link",
                               "children": [text(str(say.failure_text(str(failure))))]}
    if position:
        message["position"] = position
    return [{"type": "admonition", "kind": "error", "class": "derivtex-error",
             "children": [{"type": "admonitionTitle",
                           "children": [text(str(say.failure_title()))]},
                          {"type": "paragraph",
                           "children": ([text(f"{where}: ")] if where else []) + [message]}]}]


def checked(data: Any) -> tuple[str, dict[str, str], dict[str, Any] | None]:
    """The expression, the options (as text) and the directive's position, from data
    shaped as MyST sends it; a ProtocolError says what is not."""
    if not isinstance(data, dict):
        raise ProtocolError(f"expected a JSON object, not {kind(data)}")
    node, options = data.get("node") or {}, data.get("options") or {}
    if not isinstance(node, dict):
        raise ProtocolError(f"'node' must be an object, not {kind(node)}")
    if not isinstance(options, dict):
        raise ProtocolError(f"'options' must be an object, not {kind(options)}")
    if data.get("arg") is not None and not isinstance(data["arg"], str):
        raise ProtocolError(f"'arg' must be text, not {kind(data['arg'])}")
    for key, value in options.items():
        if not isinstance(value, str | int | float | bool):
            raise ProtocolError(f"option {quote(key)} must be text, not {kind(value)}")
    position = node.get("position")
    start = position.get("start") if isinstance(position, dict) else None
    line = start.get("line") if isinstance(start, dict) else None
    known = isinstance(line, int) and not isinstance(line, bool) and line > 0
    return (data.get("arg") or "", {str(k): str(v) for k, v in options.items()},
            position if known else None)


def kind(value: Any) -> str:
    """What a JSON value is, in words."""
    if isinstance(value, dict | list | str):
        return "an object" if isinstance(value, dict) else \
            "a list" if isinstance(value, list) else "text"
    if isinstance(value, bool) or value is None:
        return "true or false" if value is not None else "null"
    return "a number" if isinstance(value, int | float) else "a " + type(value).__name__


def directive_options(mapping: dict[str, str]) -> tuple[Options, str | None]:
    """The page's options as Options (spelled :wrt:) and its :name:, if any."""
    with written_in("directive"):
        unknown = sorted(set(mapping) - {*DIRECTIVE_KEYS, "name"})
        if unknown:
            why = " (templates are the site's choice, never a page's)" \
                if "templates" in unknown else ""
            raise OptionError(f"unknown option(s) {', '.join(map(quote, unknown))}; known: "
                              f"{', '.join(DIRECTIVE_KEYS)}, name{why}")
        name = mapping.pop("name", None)
        if name is not None:
            check_label(name, "name")
    if "shape" in mapping:
        mapping["shapes"] = mapping.pop("shape")
    return Options.from_mapping(mapping, spelling="directive"), name


def run_directive(data: Any) -> list[dict[str, Any]]:
    """The nodes for one `derivation` directive; failures are nodes too."""
    from .publish import cached_attempt

    expression, mapping, position = checked(data)
    try:
        options, name = directive_options(mapping)
    except DerivtexError as exc:
        return failure_nodes(Failure.from_exception(exc), position)
    result = cached_attempt(expression, options, "derivation")
    if isinstance(result, Failure):
        return failure_nodes(result, position)
    try:
        nodes = derivation_nodes(result)
    except Exception as exc:  # noqa: BLE001 - a bug while building nodes is still a note
        return failure_nodes(Failure.from_exception(exc), position)
    return ([{"type": "mystTarget", "label": name}] if name else []) + nodes


def read_data() -> Any:
    """The directive data on stdin; a ProtocolError if it is not JSON we can read."""
    raw = sys.stdin.buffer.read(MAX_DATA + 1)
    if len(raw) > MAX_DATA:
        raise ProtocolError(f"more than {MAX_DATA:,} bytes")
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ProtocolError(f"not JSON ({exc})") from None
    except RecursionError:
        raise ProtocolError("JSON nested too deeply") from None


def main(argv: list[str] | None = None) -> int:
    """The exit status (see the module's docstring)."""
    parser = argparse.ArgumentParser(prog="derivtex-myst", description="derivtex's MyST "
                                     "executable plugin: list it in myst.yml under "
                                     "project.plugins with type: executable.")
    parser.add_argument("--version", action="version", version=f"derivtex {__version__}")
    kinds = parser.add_mutually_exclusive_group()
    kinds.add_argument("--directive", metavar="NAME", help="answer for this directive: "
                       "its data as JSON on stdin, its nodes as JSON on stdout")
    kinds.add_argument("--role", metavar="NAME", help="derivtex has no roles")
    kinds.add_argument("--transform", metavar="NAME", help="derivtex has no transforms")
    args = parser.parse_args(argv)
    return until_stdout_closes(lambda: answer(args))


def answer(args: argparse.Namespace) -> int:
    if args.role or args.transform:
        print(f"derivtex-myst: no {'role' if args.role else 'transform'} named "
              f"{quote(args.role or args.transform)}; derivtex provides the `derivation` "
              "directive", file=sys.stderr)
        return 2
    if args.directive is None:
        json.dump(PLUGIN_SPEC, sys.stdout)
        return 0
    if args.directive != "derivation":
        print(f"derivtex-myst: no directive named {quote(args.directive)}", file=sys.stderr)
        return 2
    try:
        nodes = run_directive(read_data())
    except ProtocolError as exc:
        print(f"derivtex-myst: the directive data on stdin is not what MyST sends: {exc}",
              file=sys.stderr)
        return 2
    json.dump(nodes, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
