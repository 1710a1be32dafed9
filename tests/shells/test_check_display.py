"""A check_answer result in Jupyter: the verdict as HTML and Markdown (escaped), the
words in terminal IPython, and a bad answer as one line under %load_ext derivtex."""

import pytest
from markupsafe import escape

from derivtex import check_answer, load_ipython_extension
from derivtex.shells.jupyter import show_error

IPython = pytest.importorskip("IPython")


def bundle(result):
    from IPython.core.formatters import DisplayFormatter

    data, _ = DisplayFormatter().format(result)
    return data


def test_a_wrong_answer_shows_the_verdict_the_hint_and_the_inputs():
    result = check_answer("x^T A x", wrt="x", answer="2 A x", layout="denominator")
    data = bundle(result)
    page = data["text/html"]
    assert 'class="derivtex-check derivtex-check-wrong"' in page
    assert "<strong" in page and ">Not correct</strong> <code>wrong</code>" in page
    assert str(escape(result.message)) in page and str(escape(result.hint)) in page
    assert "<li><code>A = [[" in page
    markdown = data["text/markdown"]
    assert markdown.startswith("**Not correct** (`wrong`): Wrong: for example at n = ")
    assert "*Hint:* Your answer is right only when A is symmetric" in markdown
    assert data["text/plain"] == result.text().rstrip("\n")
    assert data["text/plain"].splitlines()[1].startswith("Hint: ")


def test_a_correct_answer_is_green_and_short():
    data = bundle(check_answer("y^T A x", wrt="x", answer=r"\mathbf{y}^\top \mathbf{A}"))
    assert "#1b7f3b" in data["text/html"] and ">Correct</strong>" in data["text/html"]
    assert "Hint" not in data["text/html"] and "<ul>" not in data["text/html"]
    assert data["text/markdown"] == ("**Correct** (`correct`): Correct: this is the derivative "
                                     "in numerator layout, a row (1×m).\n")


def test_the_message_is_escaped_in_html():
    result = check_answer("a^T x", wrt="x", answer="a")
    object.__setattr__(result, "message", "<script>alert(1)</script>")
    assert "<script>" not in result._repr_html_()
    assert "&lt;script&gt;" in result._repr_html_()


class Shell:
    def set_custom_exc(self, types, handler):
        self.types, self.handler = types, handler


def test_a_bad_answer_in_a_notebook_is_one_line(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: shown.append(a[0]))
    load_ipython_extension(Shell())
    try:
        check_answer("a^T x", wrt="x", answer="a^T +")
    except Exception as exc:  # noqa: BLE001 - what IPython hands the handler
        show_error(Shell(), type(exc), exc, exc.__traceback__)
    assert shown[0]["text/plain"] == ("derivtex: syntax error: in the answer, column 6: the "
                                      "expression ends too early")


def test_a_students_notebook_shows_each_verdict(tmp_path):
    """Executed by a real kernel (nbconvert): the outputs a student sees."""
    import json
    import subprocess
    import sys

    nbformat = pytest.importorskip("nbformat")
    cells = ["%load_ext derivtex\nfrom derivtex import check_answer",
             "check_answer('y^T A x', wrt='x', answer=r'\\mathbf{y}^\\top \\mathbf{A}')",
             "check_answer('x^T A x', wrt='x', answer='2 A x')",
             "check_answer('y^T A x', wrt='x', answer='y^T A +')",
             "print('the notebook goes on')"]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nbformat.write(nb, tmp_path / "homework.ipynb")
    subprocess.run([sys.executable, "-m", "nbconvert", "--to", "notebook", "--execute",
                    "--allow-errors", "homework.ipynb", "--output", "run.ipynb"],
                   cwd=tmp_path, check=True, capture_output=True, timeout=300)
    run = json.loads((tmp_path / "run.ipynb").read_text())["cells"]
    right, wrong = (cell["outputs"][0]["data"] for cell in run[1:3])
    assert ">Correct</strong>" in "".join(right["text/html"])
    assert "derivtex-check-wrong" in "".join(wrong["text/html"])
    assert "right only when A is symmetric" in "".join(wrong["text/markdown"])
    (bad,) = run[3]["outputs"]
    assert "".join(bad["data"]["text/plain"]) == \
        "derivtex: syntax error: in the answer, column 8: the expression ends too early"
    assert run[4]["outputs"][0]["text"] == ["the notebook goes on\n"]
