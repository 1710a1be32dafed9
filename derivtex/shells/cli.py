"""The command line: `derivtex derive EXPR --wrt VAR ...` (SPEC §4)."""

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
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from .. import __version__
from ..errors import MAX_ECHO, DerivtexError, Failure, OptionError, shorten
from ..model.layout import LAYOUTS
from ..options import Options
from .guard import attempt
from .stopping import Stopped, arm, install, restore, still_running

if TYPE_CHECKING:
    from ..api import Derivation

FORMATS = ("latex", "json", "markdown", "typst")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One short line and exit status 2, as for any bad input."""
        quoted = re.sub(r"'([^']{%d})[^']+'" % MAX_ECHO, "'\\1…'", message)
        self.exit(2, f"derivtex: error: {quoted} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="derivtex", description="Index-method derivations of matrix "
                     "derivatives, as LaTeX a lecturer would write.")
    parser.add_argument("--version", action="version", version=f"derivtex {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    derive = commands.add_parser("derive", help="derive one expression")
    derive.add_argument("expression", help="the expression (text or LaTeX); - reads stdin")
    derive.add_argument("--wrt", required=True, help="the variable to differentiate by")
    derive.add_argument("--layout", choices=LAYOUTS, default="numerator")
    derive.add_argument("--shape", action="append", default=[], metavar="NAME=DIMS",
                        help="declare a shape: A=n,m (matrix), x=m (vector), c=1 (scalar)")
    derive.add_argument("--symmetric", action="append", default=[], metavar="NAME",
                        help="declare a square matrix symmetric (S^T = S); repeatable")
    derive.add_argument("--method", choices=("index", "identity", "both"), default="index",
                        help="the index method, known identities, or both side by side")
    derive.add_argument("--order", type=int, choices=(1, 2), default=1,
                        help="1: the first derivative; 2: the Hessian of a scalar")
    derive.add_argument("--steps", choices=("full", "compact"), default="full",
                        help="a sentence and equations per step, or one aligned block")
    derive.add_argument("--label", metavar="NAME", help="number the result line and label "
                        "it \\label{NAME} (letters, digits, _ : . -)")
    derive.add_argument("--format", choices=FORMATS, default="latex")
    derive.add_argument("--standalone", action="store_true",
                        help="a complete LaTeX (or Typst) document instead of a snippet")
    derive.add_argument("--templates", metavar="DIR", help="a directory of templates that "
                        "override the shipped ones")
    derive.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    batch = commands.add_parser("build", help="derive every [[derivation]] of a TOML file")
    batch.add_argument("spec", type=Path, help="the TOML file")
    batch.add_argument("-o", "--output", type=Path, required=True, metavar="DIR")
    batch.add_argument("--jobs", "-j", type=int, default=1,
                       help="derive in N processes (at most one per CPU)")
    batch.add_argument("--templates", metavar="DIR", help="a directory of templates that "
                       "override the shipped ones")
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
        raise OptionError(f"--templates {shorten(directory)!r} is not a directory")


def derive_options(args: argparse.Namespace) -> Options:
    check_templates(args.templates)
    return Options.from_mapping({"wrt": args.wrt, "layout": args.layout,
                                 "method": args.method, "shapes": args.shape,
                                 "symmetric": args.symmetric, "steps": args.steps,
                                 "label": args.label, "templates": args.templates,
                                 "order": args.order})


def render_output(args: argparse.Namespace) -> Callable[[Derivation], str]:
    def output(d: Derivation) -> str:
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
    report = build(args.spec, args.output, jobs=args.jobs, templates=args.templates)
    for note in report.notes:
        print(f"derivtex: note: {note}", file=sys.stderr)
    for name, failure in report.failed.items():
        print(f"derivtex: {args.spec.name}: {name}: {failure}", file=sys.stderr)
    print(f"{len(report.built)} built, {len(report.unchanged)} unchanged, "
          f"{len(report.failed)} failed -> {args.output / 'all.tex'}", file=sys.stderr)
    return 1 if report.failed else 0


def run(args: argparse.Namespace) -> int:
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
        kept = f"; the entries finished so far are kept in {args.output}" \
            if args.command == "build" else ""
        print(f"derivtex: stopped by {what}{kept}", file=sys.stderr)
        return 128 + exc.signum
    finally:
        restore(previous)
