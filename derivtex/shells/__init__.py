"""Integrations: thin shells over derive() (CLI, batch, Sphinx, Markdown, MkDocs, MyST,
Jupyter), all through one guard."""
