"""What derivtex.sty hands derivtex, read as data: key=value options, request records,
and messages spelled so that TeX reads them back as characters, never as commands."""

import re

import pytest

from derivtex.errors import OptionError
from derivtex.shells.latex_package import derive_request, job_of
from derivtex.shells.requests import (
    RequestError,
    parse_keys,
    read_one,
    read_requests,
    request_options,
    tex_message,
)

KEY = "0123456789abcdef0123456789abcdef"


def test_keys_keep_commas_inside_braces_and_shapes_add_up():
    assert parse_keys("wrt=x, shape={A=n,m}, shape = {x=m} , layout=denominator") == {
        "wrt": "x", "shapes": ["A=n,m", "x=m"], "layout": "denominator"}
    options = request_options("wrt=x, shape={A=n,m}, shape={x=m}, symmetric=S, order=2",
                              {"templates": None})
    assert options.shapes == (("A", "n,m"), ("x", "m")) and options.order == 2


@pytest.mark.parametrize("text, message", [
    ("wrt", "option 'wrt': expected key=value"),
    ("wrt=x, colour=red", "unknown option 'colour'; known:"),
    ("wrt=x, templates=/tmp", "unknown option 'templates'"),
    ("wrt={x", "an unmatched { in the options"),
    ("wrt=x}", "an unmatched } in the options"),
])
def test_a_bad_key_is_named(text, message):
    with pytest.raises(OptionError, match=message.replace("{", r"\{").replace("}", r"\}")):
        parse_keys(text)


def test_a_bad_value_is_spelled_as_written():
    with pytest.raises(OptionError, match="layout = 'sideways'"):
        request_options("wrt=x, layout=sideways", {})


def test_requests_are_read_in_order_and_anything_else_is_refused():
    text = (f"% a comment\n@request {KEY} display\n@where notes.tex:7\n@options wrt=x\n"
            f"@expression  y^T A x \n@request {KEY[::-1]} inline\n@where ch1.tex:2\n"
            "@options \n@expression a^T x\n")
    first, second = read_requests(text)
    assert (first.kind, first.where, first.options, first.expression) == \
        ("display", "notes.tex:7", "wrt=x", "y^T A x")
    assert (second.key, second.kind, second.options) == (KEY[::-1], "inline", "")
    for broken in (text + "stray line\n", text.replace("display", "shell"),
                   text.replace(KEY, "../../etc"), text.replace("@where notes.tex:7\n", ""),
                   "@options wrt=x\n", text.replace("@where ch1.tex:2", "@options x")):
        with pytest.raises(RequestError):
            read_requests(broken)


def test_one_request_of_the_shellescape_mode():
    request = read_one("@request inline\n@options wrt=x\n@expression a^T x\n", KEY)
    assert (request.key, request.kind, request.expression) == (KEY, "inline", "a^T x")
    with pytest.raises(RequestError):
        read_one("@request display\n@options wrt=x\n@expression a\n" * 2, KEY)


def test_messages_reach_tex_as_characters():
    assert tex_message("column 3: unexpected '}' in \\frac{") == (
        "column 3: unexpected \\DerivtexChar{39}\\DerivtexChar{125}\\DerivtexChar{39} in "
        "\\DerivtexChar{92}frac\\DerivtexChar{123}")
    assert tex_message("x\u2026 \u00e9") == "x... \\DerivtexChar{92}xe9"


def test_results_are_tex_the_package_reads():
    from derivtex.shells.requests import Request

    ok, failure = derive_request(Request(KEY, "inline", "n.tex:1", "wrt=x", "a^T x"), None)
    assert failure is None
    assert ok == "\\DerivtexStoreResult{%s}{%%\n\\boldsymbol{a}^{\\top}\n}%%\n" % KEY
    bad, failure = derive_request(Request(KEY, "display", "n.tex:1", "wrt=x", "x +"), None)
    assert failure is not None and not failure.internal
    assert bad.startswith("\\DerivtexStoreFailure{%s}{syntax error: column 4" % KEY)
    assert "\\" not in bad.removeprefix("\\DerivtexStoreFailure").replace("\\DerivtexChar", "")


def test_the_job_is_named_as_latex_and_latexmk_name_it():
    assert [str(job_of(n)) for n in ("notes", "notes.tex", "build/notes.dtxin", "notes.v2")] \
        == ["notes", "notes", "build/notes", "notes.v2"]


def test_the_package_loads_what_derivtex_preamble_prints():
    from derivtex.printing.render import render
    from derivtex.shells.latex_package import shipped_sty

    def names(pattern: str, text: str) -> set[str]:
        return {name.strip() for found in re.findall(pattern, text)
                for name in found.split(",")}

    needed = names(r"\\usepackage\{([^}]*)\}", render("preamble.tex.j2", None))
    assert needed and needed <= names(r"\\RequirePackage \{([^}]*)\}", shipped_sty())


def test_derivtex_latex_says_what_to_do_first(tmp_path):
    from tests.conftest import run_cli

    proc = run_cli("latex", "notes", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == b""
    assert b"notes.dtxin" in proc.stderr and b"run LaTeX on notes.tex" in proc.stderr
    (tmp_path / "notes.dtxin").write_text("@request nonsense\n")
    proc = run_cli("latex", "notes.tex", cwd=tmp_path)
    assert proc.returncode == 2 and b"a request lacks its @where line" in proc.stderr
    assert not (tmp_path / "notes.dtxout").exists()
    for args in (["latex"], ["latex", "--sty", str(tmp_path / "none")],
                 ["latex", "notes", "--sty", str(tmp_path)]):
        assert run_cli(*args, cwd=tmp_path).returncode == 2
    assert not (tmp_path / "derivtex.sty").exists()
