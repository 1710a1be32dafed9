"""docs/notation.png: the notes' W x derivation in the default notation beside the
`notes` preset (`make picture`). Needs pdflatex and pdftoppm."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from derivtex import derive

HERE = Path(__file__).resolve().parent
PAGE = r"""\documentclass[10pt]{article}
\usepackage{amsmath,amssymb}
\usepackage[paperwidth=17.5cm,paperheight=19cm,margin=0.4cm]{geometry}
\setlength{\parindent}{0pt}\setlength{\parskip}{0.4em}\pagestyle{empty}
\begin{document}
\begin{minipage}[t]{0.485\textwidth}
\textbf{default}\par %s
\end{minipage}\hfill
\begin{minipage}[t]{0.485\textwidth}
\textbf{\texttt{-{}-notation notes}}\par %s
\end{minipage}
\end{document}
"""


def main() -> int:
    pages = [derive("W x", wrt="x", notation=n).latex for n in ("default", "notes")]
    with tempfile.TemporaryDirectory() as tmp:
        tex = Path(tmp) / "notation.tex"
        tex.write_text(PAGE % tuple(pages))
        subprocess.run(["pdflatex", "-halt-on-error", "-no-shell-escape",
                        "-interaction=nonstopmode", tex.name], cwd=tmp, check=True,
                       capture_output=True, timeout=120)
        subprocess.run(["pdftoppm", "-png", "-r", "110", "-singlefile", str(tex.with_suffix(
            ".pdf")), str(HERE / "notation")], check=True, timeout=120)
    return 0


if __name__ == "__main__":
    sys.exit(main())
