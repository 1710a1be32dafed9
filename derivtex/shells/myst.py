"""`derivtex-myst`: the `derivation` directive for Jupyter Book 2 / MyST-MD, as a MyST
executable plugin (configured in myst.yml under `project.plugins`).

The protocol: run with no arguments, the plugin prints its PLUGIN_SPEC (JSON); run with
`--directive derivation`, it reads the directive (name, arg, options, node) as JSON on
stdin and prints the nodes that replace it: paragraphs with inline math and `math` nodes,
the result line labelled when `:label:` is given. The options are the CLI's, validated by
`Options`; a failed derivation becomes an error admonition that names its line, with the
same line on stderr (`jupyter-book build --debug` shows it). The plugin always answers,
so one bad derivation never stops the book.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .. import __version__
from ..errors import DerivtexError, Failure
from ..options import Options

DIRECTIVE_KEYS = tuple(sorted({*Options.keys(), "shape"} - {"shapes", "templates"}))

PLUGIN_SPEC: dict[str, Any] = {
    "name": "derivtex",
    "directives": [{
        "name": "derivation",
        "doc": "A step-by-step index-method derivation of a matrix derivative.",
        "arg": {"type": "string", "doc": "the expression, e.g. y^T A x", "required": True},
        "options": {key: {"type": "string", "doc": f"as derivtex's --{key}"}
                    for key in DIRECTIVE_KEYS},
    }],
}


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


def failure_nodes(failure: Failure, line: int | None) -> list[dict[str, Any]]:
    from .publish import failure_line, wording

    say = wording()
    where = f"line {line}" if line else None
    print(failure_line(failure, where), file=sys.stderr)
    message = (f"{where}: " if where else "") + str(say.failure_text(str(failure)))
    return [{"type": "admonition", "kind": "error", "class": "derivtex-error",
             "children": [{"type": "admonitionTitle",
                           "children": [text(str(say.failure_title()))]},
                          {"type": "paragraph", "children": [text(message)]}]}]


def run_directive(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The nodes for one `derivation` directive; failures are nodes too."""
    from .publish import cached_attempt

    position = (data.get("node") or {}).get("position") or {}
    line = (position.get("start") or {}).get("line")
    mapping = dict(data.get("options") or {})
    if "shape" in mapping:
        mapping["shapes"] = mapping.pop("shape")
    try:
        options = Options.from_mapping({k: str(v) for k, v in mapping.items()})
    except DerivtexError as exc:
        return failure_nodes(Failure.from_exception(exc), line)
    expression = data.get("arg")
    result = cached_attempt(expression if isinstance(expression, str) else "", options,
                            "derivation")
    if isinstance(result, Failure):
        return failure_nodes(result, line)
    try:
        return derivation_nodes(result)
    except Exception as exc:  # noqa: BLE001 - a bug while building nodes is still a note
        return failure_nodes(Failure.from_exception(exc), line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="derivtex-myst", description="derivtex's MyST "
                                     "executable plugin: list it in myst.yml under "
                                     "project.plugins with type: executable.")
    parser.add_argument("--version", action="version", version=f"derivtex {__version__}")
    kinds = parser.add_mutually_exclusive_group()
    kinds.add_argument("--directive", metavar="NAME")
    kinds.add_argument("--role", metavar="NAME")
    kinds.add_argument("--transform", metavar="NAME")
    args = parser.parse_args(argv)
    if args.role or args.transform:
        print(f"derivtex-myst: no {'role' if args.role else 'transform'} named "
              f"{args.role or args.transform!r}; derivtex provides the `derivation` directive",
              file=sys.stderr)
        return 2
    if args.directive is None:
        json.dump(PLUGIN_SPEC, sys.stdout)
        return 0
    if args.directive != "derivation":
        print(f"derivtex-myst: no directive named {args.directive!r}", file=sys.stderr)
        return 2
    try:
        data = json.load(sys.stdin)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        print(f"derivtex-myst: the directive data on stdin is not JSON ({exc})",
              file=sys.stderr)
        return 2
    json.dump(run_directive(data if isinstance(data, dict) else {}), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
