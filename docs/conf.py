"""derivtex's documentation site, built with derivtex's own Sphinx directive (`make docs`).

The gallery derives every sample at build time, the command-line reference is read from
the argument parser and the API reference from the docstrings; `make docs` builds with
-W -n, so a warning or a broken internal reference fails the build.
"""

import sys
from pathlib import Path

import derivtex

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "derivtex"
author = "derivtex contributors"
copyright = "2026, derivtex contributors"
release = version = derivtex.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "derivtex.sphinx",
    "gallery",
    "cli_reference",
    "optional_toctree",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build", "_ext", "Thumbs.db", ".DS_Store"]
myst_heading_anchors = 4
numfig = True
# derivtex's docstrings write `code` in single backquotes.
default_role = "literal"
# Flags stay as typed: --shape, never an en dash.
smartquotes = False

# The API reference: signatures as written, types in the description.
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
autodoc_typehints_description_target = "documented"
# Types from outside derivtex have no page here (no intersphinx: the build is offline).
nitpick_ignore_regex = [
    ("py:class", r"(numpy|np|pathlib|collections\.abc|typing|sympy|jinja2|argparse)\..*"),
    ("py:class", r"(Path|Any|Mapping|Iterable|Sequence|Callable|Iterator|NDArray|Matrix)"),
]

html_theme = "furo"
html_title = f"derivtex {release}"
