"""The MyST executable plugin `derivtex-myst` (Jupyter Book 2): the protocol by hand, then
a real offline `jupyter-book build --md`."""

import json
import os
import re
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


def plain(node):
    """The text a node shows, as MyST's toText reads it."""
    return node.get("value", "") + "".join(plain(c) for c in node.get("children", []))


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
                                          "steps", "label", "order", "name", "notation"}


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
     "line 7: derivtex: bad option: :label: 'a}\\\\input{/etc/hostname}\\\\label{b': use letters"),
    (directive("W x", wrt="x", colour="red"), "line 7: derivtex: bad option: unknown option"),
    (directive("W x"), "line 7: derivtex: bad option: the derivation needs :wrt:"),
    (directive("W x", wrt="x", name="a b"), "line 7: derivtex: bad option: :name: 'a b': use "
                                           "letters"),
    (directive("y^T A x", wrt="x", symmetric="y"), "line 7: derivtex: bad option: "
                                                   ":symmetric: 'y': y is a vector"),
])
def test_failures_are_error_admonitions_with_their_line(data, message):
    proc = plugin("--directive", "derivation", data=data)
    (note,) = json.loads(proc.stdout)
    assert proc.returncode == 0 and note["type"] == "admonition" and note["kind"] == "error"
    assert plain(note["children"][1]).startswith(message)
    # The message is a link without a URL at the directive: MyST reports it, located.
    (link,) = [n for n in note["children"][1]["children"] if n["type"] == "link"]
    assert "url" not in link and link["position"] == data["node"]["position"]
    assert proc.stderr.startswith(message.replace("line 7: derivtex: ", "derivtex: line 7: "))
    assert "\\input" not in json.dumps([n for n in note["children"] if n["type"] == "math"])


def test_protocol_errors_exit_2():
    assert plugin("--role", "eq").returncode == 2
    assert plugin("--directive", "other", data={}).returncode == 2
    bad = subprocess.run([str(PLUGIN), "--directive", "derivation"], input="not json",
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "not JSON" in bad.stderr


@pytest.mark.parametrize("data, message", [
    ({"name": "derivation", "arg": "W x", "node": "hello"}, "'node' must be an object, not text"),
    ({"name": "derivation", "arg": "W x", "options": [1, 2]},
     "'options' must be an object, not a list"),
    ({"name": "derivation", "arg": "W x", "options": "wrt"}, "'options' must be an object, "
                                                             "not text"),
    ({"name": "derivation", "arg": "W x", "options": {"wrt": ["x"]}},
     "option 'wrt' must be text, not a list"),
    ({"name": "derivation", "arg": ["W x"], "options": {"wrt": "x"}},
     "'arg' must be text, not a list"),
    ([1, 2], "expected a JSON object, not a list"),
])
def test_data_of_the_wrong_shape_is_one_message_and_exit_2(data, message):
    """Valid JSON that MyST would never send: exit status 2 (the caller's mistake), one
    line on stderr, nothing on stdout, no traceback."""
    proc = plugin("--directive", "derivation", data=data)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == "derivtex-myst: the directive data on stdin is not what MyST sends: " \
                          f"{message}\n"


@pytest.mark.parametrize("text, message", [
    ("[" * 100_000 + "]" * 100_000, "JSON nested too deeply"),
    ('{"arg": "' + "x" * 2_000_000 + '"}', "more than 1,048,576 bytes"),
])
def test_deep_or_huge_data_is_one_message_and_exit_2(text, message):
    proc = subprocess.run([str(PLUGIN), "--directive", "derivation"], input=text,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.endswith(f"not what MyST sends: {message}\n") and "Traceback" not in \
        proc.stderr


def test_a_page_cannot_choose_its_templates(tmp_path):
    """Templates are the site's choice, never a page's (Jinja templates can run code)."""
    (tmp_path / "derivation.tex.j2").write_text("PAGE TEMPLATE\n")
    (tmp_path / "explain.j2").write_text("((* macro goal(s, m) *))PAGE TEMPLATE((* endmacro *))")
    proc = plugin("--directive", "derivation",
                  data=directive("W x", wrt="x", templates=str(tmp_path)))
    (note,) = json.loads(proc.stdout)
    assert proc.returncode == 0 and note["type"] == "admonition"
    assert "unknown option(s) 'templates'" in plain(note) and \
        "templates are the site's choice, never a page's" in plain(note)
    assert "PAGE TEMPLATE" not in proc.stdout


def test_name_is_a_target_for_the_derivation():
    proc = plugin("--directive", "derivation", data=directive("W x", wrt="x", name="lin-layer"))
    nodes = json.loads(proc.stdout)
    assert proc.returncode == 0 and nodes[0] == {"type": "mystTarget", "label": "lin-layer"}
    assert nodes[1]["type"] == "paragraph" and any(n["type"] == "math" for n in nodes)


@pytest.mark.parametrize("args, data", [([], None), (["--directive", "derivation"],
                                                     directive("y^T A x", wrt="x"))])
def test_a_closed_stdout_ends_quietly_with_141(args, data):
    """As Unix tools do when their reader left (`derivtex-myst | head`): no traceback, the
    status a shell shows for a process that SIGPIPE ended (128 + 13)."""
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the plugin writes
    try:
        proc = subprocess.run([str(PLUGIN), *args], stdout=write, stderr=subprocess.PIPE,
                              input=None if data is None else json.dumps(data).encode(),
                              timeout=120)
    finally:
        os.close(write)
    assert proc.returncode == 141 and proc.stderr == b""


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
:name: both-ways
```

Both ways: [the two methods](#both-ways).

```{derivation} y^T A x
:wrt: x
:symmetric: y
```
"""


def test_jupyter_book_2_builds_offline_through_the_plugin(tmp_path):
    """A real `jupyter-book build`: bad blocks are located warnings in the ordinary output
    (file and line, no --debug) and error admonitions on the page; :name: is a target."""
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
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log
    assert "derivtex" in log and "unknown directive" not in log
    assert "unexpected option" not in log and "not found" not in log, log
    assert re.search(r"index\.md:10\b.*derivtex: syntax error: column 6: the expression ends "
                     r"too early", log), log
    assert re.search(r"index\.md:22\b.*derivtex: bad option: :symmetric: 'y': y is a vector",
                     log), log
    out = (tmp_path / "out.md").read_text()
    assert out.count("```{math}") >= 14 and ":label: bilinear" in out
    assert "See [(1)](#bilinear)." in out
    assert "**By the index method**" in out and "**By identities**" in out
    assert "(both-ways)=" in out and "[the two methods](#both-ways)" in out
    assert "line 10: [derivtex: syntax error: column 6: the expression ends too early]()" in out
