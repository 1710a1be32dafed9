"""Jupyter: `%load_ext derivtex` shows bad input as one readable line, not a traceback.

Derivations themselves display as math without it (Derivation._repr_latex_).
"""

from __future__ import annotations

import html
from typing import Any

from .errors import DerivtexError


def show_error(shell: Any, etype: type, value: BaseException, tb: Any,
               tb_offset: int | None = None) -> None:
    from IPython.display import HTML, display

    display(HTML('<p style="color:#b00020"><strong>derivtex:</strong> '
                 f"{html.escape(str(value))}</p>"))


def load_ipython_extension(ipython: Any) -> None:
    ipython.set_custom_exc((DerivtexError,), show_error)
