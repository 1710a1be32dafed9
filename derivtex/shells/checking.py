"""`derivtex check EXPR --wrt VAR --answer ANSWER`: is this answer the derivative?

Exit status 0 when it is, 3 for any other verdict (other layout, wrong shape, wrong), 2
for bad input (in the expression, the answer or an option: one located line), 1 for a
failure of derivtex's own ("please report"). `--format json` prints the verdict's object
for autograders (SPEC §4 "check")."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..errors import DerivtexError, Failure, written_in
from ..model.layout import LAYOUTS
from ..options import Options, check_choice
from .cli import add_templates, check_templates, one_of, read_expression
from .stopping import still_running

CHECK_FORMATS = ("text", "json")


def add_check(commands: Any) -> None:
    check = commands.add_parser("check", help="is this answer the derivative? (exit status "
                                "0 correct, 3 not correct, 2 bad input)")
    check.add_argument("expression", help="the expression (text or LaTeX); - reads stdin")
    check.add_argument("--wrt", required=True, metavar="VAR",
                       help="the variable to differentiate by (required)")
    check.add_argument("--answer", required=True, metavar="ANSWER",
                       help="the answer to check, in the same language (text or LaTeX); "
                       "- reads stdin (required)")
    check.add_argument("--layout", default="numerator", metavar=one_of(LAYOUTS),
                       help="the layout the answer should be in (default: %(default)s)")
    check.add_argument("--shape", action="append", default=[], metavar="NAME=DIMS",
                       help="declare a shape, as for derive: A=n,m, x=m, c=1; repeatable "
                       "(default: inferred from the expression)")
    check.add_argument("--symmetric", action="append", default=[], metavar="NAME",
                       help="declare a square matrix symmetric; repeatable (default: none)")
    check.add_argument("--order", default="1", metavar="{1,2}",
                       help="1: the first derivative; 2: the Hessian (default: %(default)s)")
    check.add_argument("--format", default="text", metavar=one_of(CHECK_FORMATS),
                       help="the verdict in words, or the JSON object an autograder reads "
                       "(default: %(default)s)")
    add_templates(check)


def check_options(args: argparse.Namespace) -> Options:
    with written_in("cli"):
        check_choice("format", args.format, CHECK_FORMATS)
    return Options.from_mapping({"wrt": args.wrt, "layout": args.layout,
                                 "shapes": args.shape, "symmetric": args.symmetric,
                                 "order": args.order, "templates": args.templates},
                                spelling="cli")


def verdict_text(args: argparse.Namespace) -> tuple[str, int] | Failure:
    """The output and exit status, or the Failure: every exception is classified as the
    guard (guard.py) classifies a derivation's."""
    from ..api import check_with

    try:
        check_templates(args.templates)
        if args.expression == "-" and args.answer == "-":
            with written_in("cli"):
                raise DerivtexError("only one of the expression and --answer can be - "
                                    "(standard input)")
        expression = read_expression(args.expression)
        answer = read_expression(args.answer)
        result = check_with(expression, answer, check_options(args))
        if args.format == "json":
            return json.dumps(result.to_dict(), indent=2, ensure_ascii=False,
                              allow_nan=False) + "\n", \
                result.exit_status
        return result.text(), result.exit_status
    except Exception as exc:  # noqa: BLE001 - classified as guard.attempt does
        return Failure.from_exception(exc)


def run_check(args: argparse.Namespace) -> int:
    outcome = verdict_text(args)
    still_running()
    if isinstance(outcome, Failure):
        print(f"derivtex: {outcome}", file=sys.stderr)
        return outcome.exit_status
    sys.stdout.write(outcome[0])
    return outcome[1]
