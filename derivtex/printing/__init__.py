"""Render: printers (LaTeX, Typst, plain text and numpy, sympy) and the Jinja templates."""
