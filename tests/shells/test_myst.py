"""The MyST executable plugin `derivtex-myst` (Jupyter Book 2): the protocol by hand, then
a real offline `jupyter-book build --md`."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PLUGIN = Path(sys.executable).parent / "derivtex-myst"
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"


def plugin(*args, data=None):
    return subprocess.run([str(PLUGIN), *args], capture_output=True, text=True, timeout=120,
                          input=None if data is None else json.dumps(data))


def directive(arg, line=7, **options):
    return {"name": "derivation", "arg": arg, "options": options,
            "node": {"type": "mystDirective", "position": {"start": {"line": line}}}}


def test_spec_lists_the_directive_with_every_cli_option():
    proc = plugin()
    spec = json.loads(proc.stdout)
    assert proc.returncode == 0 and spec["name"] == "derivtex"
    (derivation,) = spec["directives"]
    assert derivation["name"] == "derivation" and derivation["arg"]["required"]
    assert set(derivation["options"]) == {"wrt", "layout", "method", "shape", "symmetric",
                                          "steps", "label", "order"}


def test_directive_gives_math_nodes_and_a_labelled_result_line():
    proc = plugin("--directive", "derivation",
                  data=directive("y^T A x", wrt="x", label="bilinear", layout="denominator"))
    nodes = json.loads(proc.stdout)
    maths = [n for n in nodes if n["type"] == "math"]
    assert proc.returncode == 0 and len(maths) == 7
    assert maths[-1]["label"] == "bilinear" and maths[-1]["enumerated"] is True
    assert r"\boldsymbol{A}^{\top} \boldsymbol{y}\end{aligned}" in maths[-1]["value"]
    assert not any(m["enumerated"] for m in maths[:-1])
    inline = [c for n in nodes if n["type"] == "paragraph" for c in n["children"]
              if c["type"] == "inlineMath"]
    assert inline and all("\\(" not in c["value"] for c in inline)


def test_order_and_symmetric_reach_the_derivation():
    proc = plugin("--directive", "derivation",
                  data=directive("x^T S x", wrt="x", order="2", symmetric="S"))
    nodes = json.loads(proc.stdout)
    result = [n for n in nodes if n["type"] == "math"][-1]["value"]
    assert r"\boldsymbol{H} &= 2 \boldsymbol{S}" in result


@pytest.mark.parametrize("data, message", [
    (directive("A x -", wrt="x"), "line 7: derivtex: syntax error: column 6: the expression "
                                  "ends too early"),
    (directive("W x", wrt="x", label="a}\\input{/etc/hostname}\\label{b"),
     "line 7: derivtex: bad option: label"),
    (directive("W x", wrt="x", colour="red"), "line 7: derivtex: bad option: unknown option"),
    (directive("W x"), "line 7: derivtex: bad option: the derivation needs wrt"),
])
def test_failures_are_error_admonitions_with_their_line(data, message):
    proc = plugin("--directive", "derivation", data=data)
    (note,) = json.loads(proc.stdout)
    assert proc.returncode == 0 and note["type"] == "admonition" and note["kind"] == "error"
    assert note["children"][1]["children"][0]["value"].startswith(message)
    assert proc.stderr.startswith(message.replace("line 7: derivtex: ", "derivtex: line 7: "))
    assert "\\input" not in json.dumps([n for n in note["children"] if n["type"] == "math"])


def test_protocol_errors_exit_2():
    assert plugin("--role", "eq").returncode == 2
    assert plugin("--directive", "other", data={}).returncode == 2
    bad = subprocess.run([str(PLUGIN), "--directive", "derivation"], input="not json",
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "not JSON" in bad.stderr


BOOK = """# Derivations

```{derivation} y^T A x
:wrt: x
:label: bilinear
```

See [](#bilinear).

```{derivation} A x -
:wrt: x
```

```{derivation} y^T A x
:wrt: x
:method: both
```
"""


def test_jupyter_book_2_builds_offline_through_the_plugin(tmp_path):
    if not JUPYTER_BOOK.exists() or not shutil.which("node"):
        if os.environ.get("CI") == "true":
            pytest.fail("jupyter-book (pip) and node are needed under CI=true")
        pytest.skip("jupyter-book 2 or node not installed")
    (tmp_path / "myst.yml").write_text(
        "version: 1\nproject:\n  title: Derivations\n  plugins:\n"
        f"    - type: executable\n      path: {PLUGIN}\n")
    (tmp_path / "index.md").write_text(BOOK)
    proc = subprocess.run([str(JUPYTER_BOOK), "build", "--md", "-o", "out.md", "index.md"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "MYST_NO_UPDATE_CHECK": "1"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "derivtex" in proc.stdout + proc.stderr and "unknown directive" not in proc.stderr
    out = (tmp_path / "out.md").read_text()
    assert out.count("```{math}") >= 14 and ":label: bilinear" in out
    assert "See [(1)](#bilinear)." in out
    assert "**By the index method**" in out and "**By identities**" in out
    assert "line 10: derivtex: syntax error: column 6: the expression ends too early" in out
