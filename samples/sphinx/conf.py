"""A small course site: the lecture notes' Jacobian examples, derived by derivtex."""

import os

project = "Jacobians by the index method"
extensions = ["derivtex.sphinx"]
numfig = True  # equation numbers that run across pages; labels land on the result line
html_theme = "alabaster"
exclude_patterns = ["_build"]
# Tests point this at a vendored MathJax; by default Sphinx's CDN copy is used.
if os.environ.get("DERIVTEX_MATHJAX"):
    mathjax_path = os.environ["DERIVTEX_MATHJAX"]
