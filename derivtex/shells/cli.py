"""The command line: `derivtex derive EXPR --wrt VAR ...`."""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import signal
import sys
import threading
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from .. import __version__
from ..errors import (
    MAX_ECHO,
    DerivtexError,
    Failure,
    OptionError,
    option,
    spelled,
    written_in,
)
from ..model.layout import LAYOUTS
from ..notation_settings import PRESETS, notation_settings, with_settings
from ..options import METHODS, STEPS, Options, check_choice
from . import latex_package, pandoc_filter
from .files import shown
from .guard import attempt
from .stopping import Stopped, arm, install, restore, still_running

if TYPE_CHECKING:
    from ..api import Derivation

FORMATS = ("latex", "json", "markdown", "typst")
SIGPIPE_STATUS = 141  # 128 + SIGPIPE: what a shell reports for a tool whose reader left


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One short line and exit status 2, as for any bad input; what the user typed is
        cut and written in ASCII, as `errors.quote` does."""
        quoted = re.sub(r"'([^']{%d})[^']+'" % MAX_ECHO, "'\\1...'", message)
        quoted = quoted.encode("ascii", "backslashreplace").decode("ascii")
        if len(quoted) > 4 * MAX_ECHO:
            quoted = quoted[:4 * MAX_ECHO] + "..."
        self.exit(2, f"derivtex: error: {quoted} (see {self.prog} --help)\n")


def one_of(choices: tuple[str, ...]) -> str:
    """The metavar of a choice: checked by `Options`, so every shell words it alike."""
    return "{%s}" % ",".join(choices)


def add_derive(commands: Any) -> None:
    derive = commands.add_parser("derive", help="derive one expression")
    derive.add_argument("expression", help="the expression (text or LaTeX); - reads stdin")
    derive.add_argument("--wrt", required=True, metavar="VAR",
                        help="the variable to differentiate by (required)")
    derive.add_argument("--layout", default="numerator", metavar=one_of(LAYOUTS),
                        help="numerator: d(W x)/dx = W, d(a^T x)/dx = a^T (the notes' "
                        "convention); denominator, the gradient layout: d(a^T x)/dx = a "
                        "(default: %(default)s)")
    derive.add_argument("--shape", action="append", default=[], metavar="NAME=DIMS",
                        help="declare a shape: A=n,m (matrix), x=m (vector), c=1 (scalar); "
                        "repeatable (default: inferred from the expression)")
    derive.add_argument("--symmetric", action="append", default=[], metavar="NAME",
                        help="declare a square matrix symmetric (S^T = S); repeatable "
                        "(default: none)")
    derive.add_argument("--method", default="index", metavar=one_of(METHODS),
                        help="the index method, known identities, or both side by side "
                        "(default: %(default)s)")
    derive.add_argument("--order", default="1", metavar="{1,2}",
                        help="1: the first derivative; 2: the Hessian of a scalar, by the "
                        "index method (default: %(default)s)")
    derive.add_argument("--steps", default="full", metavar=one_of(STEPS),
                        help="a sentence and equations per step, or the equations as one "
                        "aligned block (default: %(default)s)")
    derive.add_argument("--label", metavar="NAME", help="number the result line and label "
                        "it \\label{NAME} (letters, digits, _ : . -; default: unnumbered)")
    add_notation(derive)
    derive.add_argument("--format", default="latex", metavar=one_of(FORMATS),
                        help="a LaTeX snippet (align* blocks), the JSON contract, Markdown "
                        "with $$ math, or Typst (default: %(default)s)")
    derive.add_argument("--standalone", action="store_true",
                        help="a complete LaTeX (or Typst) document instead of a snippet")
    add_templates(derive)
    derive.add_argument("-o", "--output", metavar="FILE",
                        help="write here, atomically (default: standard output)")


def add_notation(command: argparse.ArgumentParser) -> None:
    command.add_argument("--notation", metavar=one_of(tuple(PRESETS)),
                         help="how the page is written: today's default, the reference notes' "
                         "(d, \\mathbf, ^T, w_ij, the Jacobian written out), the Matrix "
                         "Cookbook's or physics' (Einstein's sums) (default: default)")
    command.add_argument("--notation-set", action="append", default=[], metavar="KEY=VALUE",
                         help="one notation setting over the preset: derivative, vector, "
                         "matrix, transpose, entries, delta, sums, jacobian, rows "
                         "(README, Notation); repeatable (default: the preset's)")


def add_templates(command: argparse.ArgumentParser) -> None:
    command.add_argument("--templates", metavar="DIR", help="a directory of templates that "
                         "override the shipped ones (default: the shipped templates)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="derivtex", description="Index-method derivations of matrix "
                     "derivatives, as LaTeX a lecturer would write.")
    parser.add_argument("--version", action="version", version=f"derivtex {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    add_derive(commands)
    batch = commands.add_parser("build", help="derive every [[derivation]] of a TOML file")
    batch.add_argument("spec", type=Path, help="the TOML file (`derivtex example` prints one)")
    batch.add_argument("-o", "--output", type=Path, required=True, metavar="DIR",
                       help="the directory for NAME.tex and all.tex (required)")
    batch.add_argument("--jobs", "-j", type=int, default=1,
                       help="derive in N processes, at most one per CPU (default: "
                       "%(default)s)")
    add_templates(batch)
    batch.add_argument("--worksheet", action="store_true", help="also write exercises.tex "
                       "and solutions.tex: the entries as numbered problems, and their "
                       "derivations (default: as the spec's `worksheet` key says)")
    preamble = commands.add_parser("preamble", help="print the preamble lines a LaTeX "
                                   "snippet needs in the document that \\inputs it")
    add_templates(preamble)
    add_notation(preamble)
    commands.add_parser("example", help="print an example spec for `derivtex build` "
                        "(derivtex example > notes.toml)")
    latex_package.add_command(commands)
    pandoc_filter.add_command(commands)
    from .checking import add_check

    add_check(commands)
    return parser


def read_expression(arg: str) -> str:
    if arg != "-":
        return arg
    from ..syntax.lexer import MAX_INPUT_CHARS

    data = sys.stdin.buffer.read(MAX_INPUT_CHARS * 4 + 1)
    try:
        return data.decode("utf-8").strip()
    except UnicodeDecodeError as exc:
        raise DerivtexError(f"standard input is not UTF-8 (byte {exc.start + 1})") from None


def check_templates(directory: str | None) -> None:
    if directory and not os.path.isdir(directory):  # False for a name too long to look up
        with written_in("cli"):
            raise OptionError(f"{option('templates', directory)} is not a directory")


def derive_options(args: argparse.Namespace) -> Options:
    """Every value as typed, checked by `Options`: the CLI words a mistake as every other
    shell does, naming the option as --layout."""
    check_templates(args.templates)
    with written_in("cli"):
        check_choice("format", args.format, FORMATS)
        settings = with_settings(args.notation, args.notation_set)
    return Options.from_mapping({"wrt": args.wrt, "layout": args.layout,
                                 "method": args.method, "shapes": args.shape,
                                 "symmetric": args.symmetric, "steps": args.steps,
                                 "label": args.label, "templates": args.templates,
                                 "order": args.order, "notation": settings}, spelling="cli")


def render_output(args: argparse.Namespace) -> Callable[[Derivation], str]:
    def output(d: Derivation) -> str:
        from ..model.greek import scalar_notes

        for note in scalar_notes(d.symbols):  # a silent misreading is worse than a refusal
            print(f"derivtex: note: {spelled(note, 'cli')}", file=sys.stderr)
        if args.format == "json":
            return json.dumps(d.to_dict(), indent=2, ensure_ascii=False) + "\n"
        if args.format == "markdown":
            return d.markdown
        if args.format == "typst":
            return d.typst_standalone() if args.standalone else d.typst
        return d.standalone() if args.standalone else d.latex

    return output


def run_derive(args: argparse.Namespace) -> str | Failure:
    try:
        expression = read_expression(args.expression)
        options = derive_options(args)
    except DerivtexError as exc:
        return Failure.from_exception(exc)
    return attempt(expression, options, render_output(args))


def run_build(args: argparse.Namespace) -> int:
    """0: every entry built; 1: some entries failed (each named); 2: nothing could be
    built; 130 / 143: stopped by Ctrl-C / SIGTERM (what finished is kept)."""
    from .batch import build

    if args.jobs < 1:
        raise OptionError("--jobs must be at least 1")
    check_templates(args.templates)
    from .worksheet import run_worksheet, wanted

    worksheet = wanted(args.spec) or (("latex",) if args.worksheet else ())
    report = build(args.spec, args.output, jobs=args.jobs, templates=args.templates)
    for note in report.notes:
        print(f"derivtex: note: {note}", file=sys.stderr)
    for name, failure in report.failed.items():
        print(f"derivtex: {shown(args.spec.name)}: {name}: {failure}", file=sys.stderr)
    print(f"{len(report.built)} built, {len(report.unchanged)} unchanged, "
          f"{len(report.failed)} failed -> {shown(args.output / 'all.tex')}", file=sys.stderr)
    status = 1 if report.failed else 0
    return max(status, run_worksheet(args.spec, args.output, args.templates, worksheet)) \
        if worksheet else status


def run_preamble(args: argparse.Namespace) -> int:
    """What `\\documentclass{article}` needs before `\\input{snippet}`, from the
    template every document derivtex writes includes, so the two cannot differ."""
    from ..printing.render import render

    check_templates(args.templates)
    with written_in("cli"):
        settings = notation_settings(with_settings(args.notation, args.notation_set))
    sys.stdout.write(render("preamble.tex.j2", args.templates, bm=settings.needs_bm))
    return 0


def run_example() -> int:
    """The example spec shipped in the package: `derivtex build` works outside a checkout."""
    sys.stdout.write(files("derivtex").joinpath("examples", "notes.toml").read_text("utf-8"))
    return 0


def run(args: argparse.Namespace) -> int:
    """The command's exit status; a closed standard output ends it quietly with 141."""
    return until_stdout_closes(lambda: run_command(args))


def until_stdout_closes(command: Callable[[], int]) -> int:
    """`command`'s exit status, its output flushed; if the reader left first
    (`... | head`), the quiet end of closed_stdout instead of a BrokenPipeError."""
    try:
        status = command()
        sys.stdout.flush()
    except BrokenPipeError:
        return closed_stdout()
    return status


def run_command(args: argparse.Namespace) -> int:
    if args.command in ("latex", "pandoc"):
        return (latex_package if args.command == "latex" else pandoc_filter).run(args)
    if args.command in ("preamble", "example"):
        try:
            return run_preamble(args) if args.command == "preamble" else run_example()
        except DerivtexError as exc:
            print(f"derivtex: {exc.kind}: {exc}", file=sys.stderr)
            return 2
    if args.command == "check":
        from .checking import run_check

        return run_check(args)
    if args.command == "build":
        try:
            return run_build(args)
        except DerivtexError as exc:
            print(f"derivtex: {exc.kind}: {exc}", file=sys.stderr)
            return 2
    output = run_derive(args)
    still_running()
    if isinstance(output, Failure):
        print(f"derivtex: {output}", file=sys.stderr)
        return output.exit_status
    if not args.output:
        sys.stdout.write(output)
        return 0
    from .files import WriteError, write_atomic

    try:
        write_atomic(args.output, output)
    except WriteError as exc:
        print(f"derivtex: {exc.kind}: {exc}", file=sys.stderr)
        return 2
    return 0


def load_engine() -> None:
    """Imports the engine (numpy among it) as a short-lived command wants it. In a fresh
    process: one BLAS thread (verification multiplies matrices of a few entries, and
    starting OpenBLAS's pool cost a fifth of a cold `derivtex derive` on a busy machine;
    the user's own OPENBLAS_NUM_THREADS wins), no garbage collection while the imports
    create tens of thousands of objects that live as long as the process, and those frozen
    afterwards, so no later collection (the one at exit included) walks them again.
    Together a tenth of a cold start. A process that already has numpy is left alone."""
    fresh = "numpy" not in sys.modules
    collecting = gc.isenabled()
    if fresh:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
        gc.disable()
    try:
        from .. import api  # noqa: F401
        from ..verify import check  # noqa: F401 - every derivation is verified
    finally:
        if fresh and collecting:
            gc.enable()
    if fresh:
        gc.freeze()


def closed_stdout() -> int:
    """The reader left (`derivtex derive ... | head -c 100`): stop quietly, as Unix tools
    do, with the status a shell shows for one that SIGPIPE ended. Standard output now goes
    to /dev/null, so Python's own flush at exit cannot fail again (the recipe of Python's
    `signal` documentation)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return SIGPIPE_STATUS


def main(argv: list[str] | None = None) -> int:
    """Ctrl-C and SIGTERM end any command with one line and 128 + the signal's number:
    a build's finished entries and any file already written stay whole."""
    if threading.current_thread() is not threading.main_thread():
        return run(build_parser().parse_args(argv))
    previous = install()  # first: from here on a signal is recorded, never a traceback
    try:
        args = build_parser().parse_args(argv)
        load_engine()  # the engine is imported (numpy among it) before a signal may raise
        arm()
        return run(args)
    except Stopped as exc:
        what = "Ctrl-C" if exc.signum == signal.SIGINT else signal.Signals(exc.signum).name
        kept = f"; the entries finished so far are kept in {shown(args.output)}" \
            if args.command == "build" else ""
        print(f"derivtex: stopped by {what}{kept}", file=sys.stderr)
        return 128 + exc.signum
    finally:
        restore(previous)
