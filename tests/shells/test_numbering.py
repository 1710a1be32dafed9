"""One rule for which line a label numbers, in every output (the CLI's): the index method's
result; with `method: both` the identity method's result, the same matrix, stays unnumbered."""

import re
import subprocess
import sys

import pytest

from derivtex import derive
from derivtex.shells.myst import derivation_nodes
from derivtex.shells.publish import html

RESULT = r"\boldsymbol{y}^{\top} \boldsymbol{A}"


@pytest.fixture(params=["full", "compact"])
def both(request):
    return derive("y^T A x", "x", method="both", label="bilinear", steps=request.param)


def index_part(text: str, heading: str) -> str:
    """The text before the identity method's heading (all of it when compact)."""
    return text.split(heading)[0]


def test_cli_latex_and_typst_number_the_index_result(both):
    latex, typst = both.latex, both.typst
    assert latex.count(r"\label{bilinear}") == 1 and typst.count("<bilinear>") == 1
    if both.options.steps == "full":
        assert r"\label{bilinear}" in index_part(latex, "By identities")
        assert "<bilinear>" in index_part(typst, "By identities")
    numbered = re.search(r"\\label\{bilinear\}(.*?)(\\\\|\\end\{align\*\})", latex, re.DOTALL)
    assert numbered and numbered.group(1).strip().endswith(RESULT)


def test_html_numbers_the_index_result(both):
    page = html(both)
    assert page.count(r"\begin{equation}") == 1
    if both.options.steps == "full":
        assert r"\begin{equation}" in index_part(page, "By identities")


def test_myst_numbers_the_index_result(both):
    nodes = derivation_nodes(both)
    numbered = [k for k, node in enumerate(nodes) if node.get("enumerated")]
    assert len(numbered) == 1 and nodes[numbered[0]]["label"] == "bilinear"
    if both.options.steps == "full":
        heading = next(k for k, node in enumerate(nodes)
                       if "By identities" in str(node.get("children")))
        assert numbered[0] < heading
    else:
        steps = [s for s in both.steps if s["body"]]
        assert numbered[0] == len(steps) - 1


PAGE = """Page
====

.. derivation:: y^T A x
   :wrt: x
   :method: both
   :label: bilinear

.. derivation:: y^T A x
   :wrt: x
   :method: both
   :steps: compact
   :label: compact

See :eq:`bilinear` and :eq:`compact`.
"""


def test_sphinx_numbers_the_index_result(tmp_path):
    (tmp_path / "conf.py").write_text('extensions = ["derivtex.sphinx"]\n')
    (tmp_path / "index.rst").write_text(PAGE)
    subprocess.run([sys.executable, "-m", "sphinx", "-q", "-b", "html", str(tmp_path),
                    str(tmp_path / "out")], check=True, capture_output=True, timeout=300)
    page = (tmp_path / "out" / "index.html").read_text()
    full, compact = page.split('id="equation-compact"')[0], page
    assert index_part(full, "By identities").count('id="equation-bilinear"') == 1
    # Compact: one block per step, the index part's last one numbered; the identity
    # method's result follows it.
    after = compact.split('id="equation-compact"')[1]
    assert "(2)" in after[:200] and RESULT in after.split("</div>")[0]
    assert after.count(r"\begin{aligned}") >= 2
