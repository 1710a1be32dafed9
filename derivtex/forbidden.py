"""The control sequences derivtex must never emit (printing/safety.py checks every output
against them) and never accepts as a lecturer's macro (notation_settings.py): TeX
primitives that read or write files, run commands or change how TeX reads its input."""

from __future__ import annotations

import re

FORBIDDEN_MACROS = re.compile(
    r"\\(input|include|write|immediate|openout|openin|def|edef|gdef|xdef|catcode|csname"
    r"|newcommand|renewcommand|special|directlua)(?![A-Za-z])")
