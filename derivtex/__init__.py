"""derivtex: index-method derivations of matrix derivatives, rendered as LaTeX."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import DerivtexError, OptionError, ParseError, ShapeError, UnsupportedError

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .api import Derivation, check_answer, derive
    from .printing.verdict import CheckResult

__all__ = ["CheckResult", "Derivation", "DerivtexError", "OptionError", "ParseError", "ShapeError",
           "UnsupportedError", "check_answer", "derive", "__version__"]


def load_ipython_extension(ipython: Any) -> None:
    """`%load_ext derivtex` in Jupyter: bad input shows as one line."""
    from .shells.jupyter import load_ipython_extension as load

    load(ipython)


def __getattr__(name: str) -> Any:
    """derive(), check_answer() and their records load the engine on first use, keeping
    `import derivtex` cheap."""
    if name in ("derive", "Derivation", "check_answer"):
        from . import api

        return getattr(api, name)
    if name == "CheckResult":
        from .printing.verdict import CheckResult

        return CheckResult
    raise AttributeError(name)
