"""Parse: text and LaTeX input to an AST whose nodes carry their columns, within limits."""
