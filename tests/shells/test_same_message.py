"""Same mistake, same message: one bad value through every shell (CLI, API, TOML, Sphinx,
MyST, Markdown/MkDocs) is one message, naming the option as that shell's user wrote it,
and quoting the refused value in ASCII (a fullwidth label reaches no log, page or PDF)."""

import json
import logging
import re
import shutil
import subprocess
import sys
from functools import cache

import markdown
import pytest

import derivtex
from derivtex.errors import DerivtexError
from derivtex.shells.myst import run_directive
from tests.conftest import run_cli

EXPRESSION, WRT = "y^T A x", "x"

# key, as typed (CLI, Sphinx, MyST, fence), as a Python/TOML value, those two quoted back,
# and the rest of the message.
CASES = [
    ("layout", "foo", "foo", "'foo'", "'foo'", "use numerator or denominator"),
    ("order", "3", 3, "'3'", "3", "use 1 (the first derivative) or 2 (the Hessian)"),
    ("steps", "short", "short", "'short'", "'short'", "use full or compact"),
    ("method", "x", "x", "'x'", "'x'", "use index, identity or both"),
    ("label", "ａｂｃ", "ａｂｃ", r"'\uff41\uff42\uff43'", r"'\uff41\uff42\uff43'",
     "use letters, digits, _ : . - only (at most 64 characters)"),
    ("symmetric", "y", "y", "'y'", "'y'", "y is a vector, not a matrix"),
    ("shape", "A=n,m,p", "A=n,m,p", "'A=n,m,p'", "'A=n,m,p'",
     "give one dimension (vector) or two (matrix)"),
    ("notation", "lecture", "lecture", "'lecture'", "'lecture'",
     "use default, notes, cookbook or physics"),
]
# How each shell names an option: {key}, {api} (the API's keyword), {typed}, {literal}.
SPELLING = {
    "cli": "--{key} {typed}",
    "api": "{api}={literal}",
    "toml": "{key} = {literal}",
    "sphinx": ":{key}: {typed}",
    "myst": ":{key}: {typed}",
    "mkdocs": "{key}: {typed}",
}


def expected(shell, case):
    key, _, _, typed, literal, rest = case
    api = "shapes" if key == "shape" else key
    return SPELLING[shell].format(key=key, api=api, typed=typed, literal=literal) + ": " + rest


def cli(case):
    key, text = case[:2]
    proc = run_cli("derive", EXPRESSION, "--wrt", WRT, f"--{key}", text)
    assert proc.returncode == 2 and proc.stdout == b""
    err = proc.stderr.decode()
    assert err.startswith("derivtex: bad option: ") and err.count("\n") == 1, err
    return err.removeprefix("derivtex: bad option: ").strip()


def api(case):
    key, _, value = case[:3]
    with pytest.raises(DerivtexError) as caught:
        derivtex.derive(EXPRESSION, wrt=WRT, **{"shapes" if key == "shape" else key: value})
    return str(caught.value)


def toml_value(value):
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)


@cache
def toml_messages(tmp):
    tmp.mkdir()
    spec = tmp / "spec.toml"
    spec.write_text("".join(f'[[derivation]]\nname = "{case[0]}"\nexpr = "{EXPRESSION}"\n'
                            f'wrt = "{WRT}"\n{case[0]} = {toml_value(case[2])}\n\n'
                            for case in CASES), encoding="utf-8")
    proc = run_cli("build", str(spec), "-o", str(tmp / "out"))
    assert proc.returncode == 1, proc.stderr
    found = re.findall(r"^derivtex: spec\.toml: (\w+): bad option: (.*)$",
                       proc.stderr.decode(), re.MULTILINE)
    return dict(found)


def directive(case):
    key, text = case[:2]
    return f".. derivation:: {EXPRESSION}\n   :wrt: {WRT}\n   :{key}: {text}\n\n"


@cache
def sphinx_messages(tmp):
    (tmp / "src").mkdir(parents=True)
    (tmp / "src" / "conf.py").write_text('extensions = ["derivtex.sphinx"]\n')
    (tmp / "src" / "index.rst").write_text("Page\n====\n\n" + "".join(map(directive, CASES)),
                                           encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-q", "-b", "html", str(tmp / "src"),
                           str(tmp / "html")], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    found = re.findall(r"index\.rst:(\d+): WARNING: derivtex: bad option: (.*) "
                       r"\[derivtex\.derivation\]", proc.stderr)
    lines = [4 + 4 * i for i in range(len(CASES))]  # each directive's first line
    return {CASES[lines.index(int(line))][0]: message for line, message in found}


def myst(case):
    key, text = case[:2]
    (note,) = run_directive({"name": "derivation", "arg": EXPRESSION,
                             "options": {"wrt": WRT, key: text},
                             "node": {"position": {"start": {"line": 3}}}})
    shown = "".join(c.get("value", "") + "".join(g["value"] for g in c.get("children", []))
                    for c in note["children"][1]["children"])
    return shown.removeprefix("line 3: derivtex: bad option: ")


def mkdocs(case, caplog):
    key, text = case[:2]
    with caplog.at_level(logging.ERROR, logger="mkdocs.plugins.derivtex"):
        caplog.clear()
        markdown.markdown(f"```derivtex\n{EXPRESSION}\nwrt: {WRT}\n{key}: {text}\n```\n",
                          extensions=["derivtex"])
    (record,) = caplog.records
    return record.getMessage().removeprefix("derivtex: line 1: bad option: ")


@pytest.mark.parametrize("shell", list(SPELLING))
@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_one_bad_value_is_one_message_in_every_shell(shell, case, tmp_path_factory, caplog):
    if shell == "toml":
        got = toml_messages(tmp_path_factory.getbasetemp() / "same-toml-spec")
    elif shell == "sphinx":
        got = sphinx_messages(tmp_path_factory.getbasetemp() / "same-sphinx-site")
    if shell in ("toml", "sphinx"):
        message = got.get(case[0])
    else:
        message = {"cli": cli, "api": api, "myst": myst}[shell](case) if shell != "mkdocs" \
            else mkdocs(case, caplog)
    assert message == expected(shell, case)
    assert message.isascii()


def test_a_refused_fullwidth_label_does_not_stop_the_pdf(tmp_path, pdflatex):
    """The Sphinx error note repeats a refused label (or character) in ASCII: pdflatex,
    which stops on a fullwidth character, builds the whole PDF with the notes in it."""
    if shutil.which("latexmk") is None:
        pytest.skip("latexmk not installed")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "conf.py").write_text('extensions = ["derivtex.sphinx"]\n'
                                              'project = "notes"\n')
    (tmp_path / "src" / "index.rst").write_text(
        "Notes\n=====\n\n.. derivation:: y^T A x\n   :wrt: x\n   :label: ａｂｃ\n\n"
        ".. derivation:: W x\n   :wrt: x\n   :name: ｘｙ\n\n"
        ".. derivation:: x + ａ\n   :wrt: x\n\nThe end.\n", encoding="utf-8")
    out = tmp_path / "latex"
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-q", "-b", "latex",
                           str(tmp_path / "src"), str(out)], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert ":label: '\\uff41\\uff42\\uff43': use letters" in proc.stderr
    assert ":name: '\\uff58\\uff59': use letters" in proc.stderr
    assert "column 5: unexpected character '\\uff41'" in proc.stderr
    build = subprocess.run(["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error",
                            "notes.tex"], cwd=out, capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stdout[-3000:]
    text = subprocess.run(["pdftotext", str(out / "notes.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert text.count("This derivation could not be made") == 3 and "The end." in text
