"""The command-line reference, read from derivtex's own argument parser
(`derivtex.shells.cli.build_parser`), so it cannot drift from `derivtex --help`: one
section per subcommand with its usage and an option list."""

from __future__ import annotations

import argparse
import re
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from derivtex.shells.cli import build_parser


def help_text(action: argparse.Action, prog: str) -> str:
    """The help as `--help` prints it (argparse's own %(default)s expansion)."""
    if not action.help:
        return ""
    params = {**vars(action), "prog": prog}
    params = {k: getattr(v, "__name__", v) for k, v in params.items()}
    return action.help % params


# Code in a help text: `spans` and LaTeX control sequences such as \\label{NAME}.
CODE = re.compile(r"`([^`]+)`|(\\[A-Za-z]+(?:\{[^}]*\})?)")


def prose(text: str) -> nodes.paragraph:
    """A help text as a paragraph, its code as literals (never raw TeX in the page)."""
    para, at = nodes.paragraph(), 0
    for match in CODE.finditer(text):
        para += nodes.Text(text[at:match.start()])
        code = match.group(1) or match.group(2)
        para += nodes.literal(code, code)
        at = match.end()
    para += nodes.Text(text[at:])
    return para


def option_item(action: argparse.Action, prog: str) -> nodes.option_list_item:
    group = nodes.option_group()
    argument = action.metavar or (action.dest.upper() if action.nargs != 0 else None)
    names = action.option_strings or [str(action.metavar or action.dest)]
    for name in names:
        option = nodes.option()
        option += nodes.option_string(name, name)
        if action.option_strings and argument:
            option += nodes.option_argument(str(argument), str(argument), delimiter=" ")
        group += option
    description = nodes.description()
    description += prose(help_text(action, prog))
    item = nodes.option_list_item()
    item += group
    item += description
    return item


def subcommands(parser: argparse.ArgumentParser) -> list[tuple[str, str, Any]]:
    """(name, one-line help, parser) of every subcommand, in the order --help lists."""
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    helps = {a.dest: a.help or "" for a in sub._choices_actions}
    return [(name, helps.get(name, ""), p) for name, p in sub.choices.items()]


class CliReference(SphinxDirective):
    """`.. derivtex-cli::`: derivtex's commands and options, from its parser."""

    def run(self) -> list[nodes.Node]:
        parser = build_parser()
        out: list[nodes.Node] = [nodes.paragraph(text=parser.description or ""),
                                 self.usage(parser)]
        for name, summary, sub in subcommands(parser):
            section = nodes.section(ids=[nodes.make_id(f"cli-{name}")])
            heading = f"derivtex {name}"
            section += nodes.title(heading, heading)
            section += prose(summary[:1].upper() + summary[1:] + ".")
            section += self.usage(sub)
            options = nodes.option_list()
            for action in sub._actions:
                if not isinstance(action, argparse._HelpAction):
                    options += option_item(action, sub.prog)
            if len(options):
                section += options
            out.append(section)
        return out

    def usage(self, parser: argparse.ArgumentParser) -> nodes.literal_block:
        text = parser.format_usage().strip()
        return nodes.literal_block(text, text, language="text")


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("derivtex-cli", CliReference)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
