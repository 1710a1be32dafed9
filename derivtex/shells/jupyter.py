"""Jupyter: derivations display as math with their sentences, and `%load_ext derivtex`
shows a failure as one readable line instead of a traceback.

`Derivation._repr_latex_` is the whole LaTeX snippet (sentences as paragraphs, equations
in align*), so notebook LaTeX/PDF export (nbconvert) keeps every sentence. A failure raised from
derivtex is classified by the guard: bad input reads as the message, a bug in derivtex
as "internal error ... please report". Exceptions from the user's own code are left to
IPython.

A `check_answer(...)` result displays as its verdict: coloured, with the message, the
hint and the counterexample's inputs (`CheckResult._repr_html_`, `_repr_markdown_`,
from the templates check.html.j2 and check.md.j2); a bad answer raised in a notebook with
`%load_ext derivtex` is one line here, as a bad expression is.
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from types import TracebackType
from typing import Any

from ..errors import Failure

PACKAGE = str(Path(__file__).resolve().parent.parent) + os.sep  # derivtex/, not shells/


def raised_in_derivtex(tb: TracebackType | None) -> bool:
    """Whether the exception passed through derivtex's own code."""
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.startswith(PACKAGE):
            return True
        tb = tb.tb_next
    return False


def failure_bundle(failure: Failure) -> dict[str, str]:
    """One line, as plain text (terminal IPython, nbconvert) and as HTML (notebooks)."""
    line = f"derivtex: {failure}"
    return {"text/plain": line,
            "text/html": '<p style="color:#b00020"><strong>derivtex:</strong> '
                         f"{html.escape(str(failure))}</p>"}


def show_error(shell: Any, etype: type, value: BaseException, tb: TracebackType | None,
               tb_offset: int | None = None) -> None:
    if not raised_in_derivtex(tb):
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
        return
    from IPython.display import display

    display(failure_bundle(Failure.from_exception(value)), raw=True)


def load_ipython_extension(ipython: Any) -> None:
    ipython.set_custom_exc((Exception,), show_error)
