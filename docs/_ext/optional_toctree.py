"""`optional-toctree`: a toctree whose entries that do not exist (yet) are left out
without a warning. Pages other engineers add in parallel (docs/latex-and-pandoc.md,
docs/checking-answers.md, the notation page) join the site the moment they exist, while
`make docs` keeps failing on any other missing page (-W)."""

from __future__ import annotations

from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.directives.other import TocTree


class OptionalTocTree(TocTree):
    def run(self) -> list[nodes.Node]:
        found = self.env.found_docs
        keep = [i for i, line in enumerate(self.content)
                if not line.strip() or line.strip() in found]
        self.content = StringList([self.content[i] for i in keep],
                                  items=[self.content.items[i] for i in keep])
        return super().run()


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("optional-toctree", OptionalTocTree)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
