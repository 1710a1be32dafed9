"""The notation settings in every shell: a preset and settings where each shell takes its
options (a site's default under a page's own), and one bad setting (`derivative=D`, a
macro `\\input`) as one message naming the option as that shell's user wrote it."""

import json
import logging
import re
import subprocess
import sys

import markdown
import pytest

import derivtex
from derivtex.errors import DerivtexError
from derivtex.shells.myst import run_directive
from derivtex.shells.pandoc_filter import Block, block_output
from derivtex.shells.requests import request_options
from tests.conftest import run_cli

D_NOTES = r"\frac{d y_{i}}{d x_{j}}"  # the notes' derivative, as the page writes it
PARTIAL = r"\frac{\partial y_{i}}{\partial x_{j}}"
# a bad setting as each shell's user types it, and how the message names it
BAD = [("derivative=D", "'derivative=D': use derivative=partial or derivative=d"),
       ("vector=\\input", "'vector=\\\\input': a macro must be one control sequence")]


def test_toml_site_wide_and_per_entry(tmp_path):
    spec = tmp_path / "spec.toml"
    spec.write_text('notation = "notes"\n\n'
                    '[[derivation]]\nname = "site"\nexpr = "W x"\nwrt = "x"\n\n'
                    '[[derivation]]\nname = "own"\nexpr = "W x"\nwrt = "x"\n'
                    '[derivation.notation]\nderivative = "partial"\n\n'
                    '[[derivation]]\nname = "preset"\nexpr = "W x"\nwrt = "x"\n'
                    'notation = "default"\n')
    proc = run_cli("build", str(spec), "-o", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    site, own, preset = ((tmp_path / "out" / f"{n}.tex").read_text()
                         for n in ("site", "own", "preset"))
    assert D_NOTES in site and "w_{ik}" in site
    assert PARTIAL in own and "w_{ik}" in own  # the notes, but with the partial sign
    assert PARTIAL in preset and "W_{ik}" in preset


def test_toml_table_site_wide_and_bm_in_all_tex(tmp_path):
    spec = tmp_path / "spec.toml"
    spec.write_text('[notation]\npreset = "cookbook"\nmatrix = "bm"\n\n'
                    '[[derivation]]\nname = "one"\nexpr = "W x"\nwrt = "x"\n')
    proc = run_cli("build", str(spec), "-o", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    assert r"\bm{W}" in (tmp_path / "out" / "one.tex").read_text()
    assert r"\usepackage{bm}" in (tmp_path / "out" / "all.tex").read_text()


@pytest.mark.parametrize(("typed", "rest"), BAD)
def test_toml_bad_setting(tmp_path, typed, rest):
    key, value = typed.split("=")
    spec = tmp_path / "spec.toml"
    spec.write_text('[[derivation]]\nname = "one"\nexpr = "W x"\nwrt = "x"\n'
                    f'notation = {{{key} = {json.dumps(value)}}}\n')
    proc = run_cli("build", str(spec), "-o", str(tmp_path / "out"))
    assert proc.returncode == 1
    assert f"one: bad option: notation = {rest}" in proc.stderr.decode()


@pytest.mark.parametrize(("typed", "rest"), BAD)
def test_cli_and_api_bad_setting(typed, rest):
    proc = run_cli("derive", "W x", "--wrt", "x", "--notation-set", typed)
    assert proc.returncode == 2 and proc.stdout == b""
    assert proc.stderr.decode().startswith(f"derivtex: bad option: --notation-set {rest}")
    key, value = typed.split("=")
    with pytest.raises(DerivtexError) as caught:
        derivtex.derive("W x", wrt="x", notation={key: value})
    assert str(caught.value).startswith(f"notation={rest}")


def sphinx_build(tmp_path, conf, page):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "conf.py").write_text('extensions = ["derivtex.sphinx"]\n' + conf)
    (tmp_path / "src" / "index.rst").write_text("Page\n====\n\n" + page)
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-q", "-b", "html",
                           str(tmp_path / "src"), str(tmp_path / "html")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stderr, (tmp_path / "html" / "index.html").read_text()


@pytest.mark.slow
def test_sphinx_conf_and_directive(tmp_path):
    bad = "".join(f".. derivation:: W x\n   :wrt: x\n   :notation: {typed}\n\n"
                  for typed, _ in BAD)
    stderr, html = sphinx_build(
        tmp_path, 'derivtex_notation = "notes"\n',
        ".. derivation:: W x\n   :wrt: x\n\n"
        ".. derivation:: a^T x\n   :wrt: x\n   :notation: derivative=partial\n\n" + bad)
    assert D_NOTES in html and "w_{ik}" in html
    assert r"\frac{\partial f}{\partial x_{j}}" in html and "a_{k}" in html
    for _, rest in BAD:
        assert f"WARNING: derivtex: bad option: :notation: {rest}" in stderr


@pytest.mark.parametrize(("typed", "rest"), BAD)
def test_myst_directive(typed, rest):
    (note,) = run_directive({"name": "derivation", "arg": "W x",
                             "options": {"wrt": "x", "notation": typed},
                             "node": {"position": {"start": {"line": 3}}}})
    shown = json.dumps(note)
    assert f":notation: {rest}".replace("\\", "\\\\") in shown
    good = run_directive({"name": "derivation", "arg": "W x",
                          "options": {"wrt": "x", "notation": "notes"},
                          "node": {"position": {"start": {"line": 3}}}})
    assert "w_{ik}" in json.dumps(good)


def test_markdown_config_and_fence(caplog):
    html = markdown.markdown("```derivtex\nW x\nwrt: x\n```\n\n"
                             "```derivtex\nW x\nwrt: x\nnotation: derivative=partial\n```\n",
                             extensions=["derivtex"],
                             extension_configs={"derivtex": {"notation": "notes"}})
    assert "w_{ik}" in html and r"\frac{d y_{i}}{d x_{j}}" in html
    assert r"\frac{\partial y_{i}}{\partial x_{j}}" in html
    for typed, rest in BAD:
        with caplog.at_level(logging.ERROR, logger="mkdocs.plugins.derivtex"):
            caplog.clear()
            markdown.markdown(f"```derivtex\nW x\nwrt: x\nnotation: {typed}\n```\n",
                              extensions=["derivtex"])
        (record,) = caplog.records
        assert f"bad option: notation: {rest}" in record.getMessage()


def test_mkdocs_plugin_passes_its_notation():
    from derivtex.shells.mkdocs_plugin import DerivtexPlugin

    plugin = DerivtexPlugin()
    errors, warnings = plugin.load_config({"notation": "physics"})
    assert not errors, errors

    class Config(dict):
        markdown_extensions: list = []
        mdx_configs: dict = {}

    config = Config()
    config.markdown_extensions, config.mdx_configs = [], {}
    plugin.on_config(config)
    assert config.mdx_configs["derivtex"]["notation"] == "physics"


def test_latex_package_and_pandoc_pass_the_key_on():
    options = request_options("wrt=x, notation={notes, derivative=partial}", {})
    assert options.notation.preset == "notes" and options.notation.derivative == "partial"
    with pytest.raises(DerivtexError) as caught:
        request_options("wrt=x, notation={derivative=D}", {})
    assert "'derivative=D': use derivative=partial or derivative=d" in str(caught.value)
    shown = block_output(Block("W x", [("wrt", "x"), ("notation", "notes")], "a.md:1", None),
                         True, None)
    assert "w_{ik}" in shown and D_NOTES in shown
    bad = block_output(Block("W x", [("wrt", "x"), ("notation", "derivative=D")], "a.md:1",
                             None), True, None)
    assert re.search(r"notation = 'derivative=D': use derivative=partial", bad)
