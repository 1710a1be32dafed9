"""`derivtex pandoc`: the program side of derivtex.lua, the Pandoc (and Quarto) filter.

The filter collects a page's ```{.derivtex wrt=x} blocks and runs `derivtex pandoc
--blocks` once, with the blocks as JSON on standard input (pandoc.pipe: an argument
list, no shell). The answer is Pandoc Markdown, one fenced div per block, which the
filter reads with pandoc.read: a raw LaTeX block for LaTeX and PDF output; for any other
format the sentences as text and the equations as math, so MathJax, KaTeX or Word
render them as Pandoc configures. A bad block is a warning on standard error with its
file and line and a visible box in the output; the other blocks are unaffected.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from ..errors import DerivtexError, Failure
from .files import shown, write_atomic
from .requests import options_of

MAX_INPUT = 16 * 2**20  # a page's blocks: well under 1 MB
PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
LATEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&",
                 "#": r"\#", "^": r"\^{}", "_": r"\_", "%": r"\%", "~": r"\~{}"}
BOX_STYLE = "border: 2px solid #b00; padding: 0.4em 0.8em; margin: 1em 0"


class FilterError(DerivtexError):
    """Standard input is not what derivtex.lua sends, or a file cannot be written."""

    kind = "cannot filter"


@dataclass(frozen=True)
class Block:
    expression: str
    options: list[tuple[str, str]]
    where: str
    number: int | None  # the label's equation number, outside LaTeX


def markdown_text(text: str) -> str:
    """Plain text as Pandoc Markdown reads it back: every punctuation mark escaped."""
    return PUNCTUATION.sub(r"\\\1", text).replace("\n", " ")


def latex_text(text: str) -> str:
    ascii_text = text.replace("\u2026", "...").encode("ascii", "backslashreplace").decode()
    return "".join(LATEX_SPECIAL.get(char, char) for char in ascii_text)


def mapping_of(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """A block's attributes as Options; `data-*` (Pandoc's source positions) are not
    options."""
    return options_of([(k, v) for k, v in pairs if not k.startswith("data-")])


def sentence(segments: list[tuple[str, str]]) -> str:
    return "".join(f"${value.strip()}$" if kind == "math" else markdown_text(value)
                   for kind, value in segments)


def derivation_markdown(d: Any, number: int | None) -> str:
    """The derivation as Markdown: sentences and display math, the labelled result line
    inside a span with the label as its id (numbered, unless Quarto numbers it)."""
    from ..printing.render import result_step
    from .publish import wording

    say, compact, result = wording(d.templates), d.options.steps == "compact", \
        result_step(d.steps)
    parts = []
    for steps, method in ((d.steps, "index"), (d.identity_steps, "identity")):
        if d.identity_steps and steps and not compact:
            parts.append(f"**{markdown_text(str(say.method_heading(method)))}**")
        for step in steps:
            if not compact:
                parts.append(sentence(step["segments"]))
            if step["body"]:
                labelled = d.options.label and step is result
                tag = "\\tag{%d}" % number if labelled and number is not None else ""
                math = "$$\\begin{aligned}%s\\end{aligned}%s$$" % (step["body"], tag)
                parts.append(f"[{math}]{{#{d.options.label}}}" if labelled else math)
    return "\n\n".join(parts)


def block_output(block: Block, latex: bool, templates: str | None) -> str:
    """One block as Markdown: the derivation, or a box saying why there is none (and the
    same on standard error)."""
    from ..options import Options
    from .guard import attempt

    try:
        options = Options.from_mapping(mapping_of(block.options), {"templates": templates},
                                       "toml")
    except DerivtexError as exc:
        outcome: str | Failure = Failure.from_exception(exc)
    else:
        if latex:
            outcome = attempt(block.expression, options,
                              lambda d: "```{=latex}\n%s\n```" % d.latex.strip())
        else:
            outcome = attempt(block.expression, options,
                              lambda d: derivation_markdown(d, block.number))
    if isinstance(outcome, str):
        return outcome
    print(f"derivtex: {block.where}: {outcome}", file=sys.stderr)
    if latex:
        return "```{=latex}\n\\par\\noindent\\fbox{\\parbox{\\dimexpr\\linewidth-2\\fboxsep" \
            "-2\\fboxrule}{\\raggedright\\textbf{derivtex error} (%s): \\texttt{%s}}}\\par\n" \
            "```" % (latex_text(block.where), latex_text(str(outcome)))
    return f"::: {{.derivtex-error style=\"{BOX_STYLE}\"}}\n**derivtex error** " \
        f"({markdown_text(block.where)}): {markdown_text(str(outcome))}\n:::"


def read_blocks(data: bytes) -> tuple[list[Block], bool]:
    """The blocks derivtex.lua sends and whether the output is LaTeX."""
    try:
        request = json.loads(data.decode("utf-8"))
        latex = request["latex"]
        blocks = [Block(b["expression"], [(k, v) for k, v in b["options"]], b["where"],
                        b.get("number")) for b in request["blocks"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise FilterError(f"standard input is not what derivtex.lua sends ({exc})") from None
    if not isinstance(latex, bool) or not all(
            isinstance(b.expression, str) and isinstance(b.where, str)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in b.options)
            and (b.number is None or isinstance(b.number, int)) for b in blocks):
        raise FilterError("standard input is not what derivtex.lua sends")
    return blocks, latex


def filter_blocks(data: bytes, templates: str | None = None) -> str:
    """Every block's Markdown, each in a div derivtex.lua finds by its number."""
    blocks, latex = read_blocks(data)
    return "\n\n".join(f":::::: {{.derivtex-output n={n}}}\n"
                       f"{block_output(block, latex, templates)}\n::::::"
                       for n, block in enumerate(blocks, 1)) + "\n"


def shipped(name: str) -> str:
    return files("derivtex").joinpath("shells", "data", name).read_text("utf-8")


def write_filter(directory: Path, quarto: bool) -> list[Path]:
    """derivtex.lua into `directory`; for Quarto, the extension _extensions/derivtex."""
    if not directory.is_dir():
        raise FilterError(f"{shown(directory)} is not a directory")
    if quarto:
        directory = directory / "_extensions" / "derivtex"
        directory.mkdir(parents=True, exist_ok=True)
    names = ["derivtex.lua"] + (["_extension.yml"] if quarto else [])
    for name in names:
        write_atomic(directory / name, shipped(name))
    return [directory / name for name in names]


def add_command(commands: Any) -> None:
    pandoc = commands.add_parser("pandoc", help="write the Pandoc/Quarto filter "
                                 "derivtex.lua (or run it: --blocks)")
    pandoc.add_argument("--lua", metavar="DIR", type=Path, help="write derivtex.lua into DIR")
    pandoc.add_argument("--quarto", metavar="DIR", type=Path, help="write the Quarto "
                        "extension into DIR/_extensions/derivtex")
    pandoc.add_argument("--blocks", action="store_true", help="derive the blocks "
                        "derivtex.lua sends on standard input (what the filter runs)")
    pandoc.add_argument("--templates", metavar="DIR", help="a directory of templates that "
                        "override the shipped ones")


def run(args: argparse.Namespace) -> int:
    """0: done (a bad block is a box in the output and a line on stderr); 2: bad use."""
    try:
        if args.blocks:
            sys.stdout.write(filter_blocks(sys.stdin.buffer.read(MAX_INPUT + 1)[:MAX_INPUT],
                                           args.templates))
            return 0
        if not (args.lua or args.quarto):
            raise FilterError("use --lua DIR (or --quarto DIR) to write the filter")
        written = (write_filter(args.lua, False) if args.lua else []) + \
            (write_filter(args.quarto, True) if args.quarto else [])
    except DerivtexError as exc:
        print(f"derivtex: {exc.kind}: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"derivtex: wrote {shown(path)}", file=sys.stderr)
    return 0
