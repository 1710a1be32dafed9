"""A user's template overrides (--templates DIR) run in Jinja's sandbox (issue 21): one
that reaches for Python's internals is a template error with its file and line (exit
status 2, nothing written), while the shipped templates and the printer `p` they call
work there unchanged."""

import shutil

import pytest

from tests.conftest import run_cli


def one_line(err):
    return len(err.splitlines()) == 1 and "Traceback" not in err and len(err) < 300


def shipped_copy(tmp_path):
    from derivtex.printing.render import SHIPPED

    templates = tmp_path / "templates"
    shutil.copytree(SHIPPED, templates)
    return templates


PRYING = [  # each printed Python's internals (a class, a module, every global) before
    ("((( ''.__class__.__mro__ )))", "SecurityError: access to attribute '__class__' of "
                                      "'str' object is unsafe."),
    ("((( cycler.__init__.__globals__ )))", "SecurityError: access to attribute '__init__'"),
    ("((( joiner.__init__.__globals__['os'] )))",
     "SecurityError: access to attribute '__init__'"),
    ("((( self._TemplateReference__context )))", "SecurityError: access to attribute "
                                                 "'_TemplateReference__context'"),
    ("((( range.__self__ )))", "UndefinedError: 'function object' has no attribute "
                               "'__self__'"),
]


@pytest.mark.parametrize("prying, refusal", PRYING)
def test_an_override_that_pries_into_python_is_a_template_error(tmp_path, prying, refusal):
    templates = shipped_copy(tmp_path)
    derivation = templates / "derivation.tex.j2"
    derivation.write_text(prying + "\n" + derivation.read_text())
    target = tmp_path / "d.tex"
    proc = run_cli("derive", "a^T x", "--wrt", "x", "--templates", str(templates),
                   "-o", str(target))
    err = proc.stderr.decode()
    assert proc.returncode == 2 and one_line(err), err
    assert err.startswith(f"derivtex: template error: {derivation}, line 1: {refusal}"), err
    assert not target.exists()


def test_the_printer_p_is_callable_in_an_override_but_not_a_way_in(tmp_path):
    templates = shipped_copy(tmp_path)
    explain = templates / "explain.j2"
    text = explain.read_text()
    line = text[:text.index("((* macro goal(s, m) -*))")].count("\n") + 1
    explain.write_text(text.replace("((* macro goal(s, m) -*))",
                                    "((* macro goal(s, m) -*))((( p.math.__func__ )))", 1))
    proc = run_cli("derive", "a^T x", "--wrt", "x", "--templates", str(templates))
    assert proc.returncode == 2 and proc.stderr.decode() == (
        f"derivtex: template error: {explain}, line {line}: SecurityError: access to "
        "attribute '__func__' of 'method' object is unsafe.\n")


def test_a_prying_section_template_fails_the_build_before_anything_is_written(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "section.tex.j2").write_text(
        "\\section{((( title )))}\n((( snippet.__class__.__mro__ )))\n")
    spec = tmp_path / "spec.toml"
    spec.write_text('[[derivation]]\nname = "good"\nexpr = "a^T x"\nwrt = "x"\n')
    proc = run_cli("build", str(spec), "-o", str(tmp_path / "out"), "--templates",
                   str(templates))
    status, err = proc.returncode, proc.stderr.decode()
    assert status == 2 and one_line(err), err
    assert "section.tex.j2, line 2: SecurityError: access to attribute '__class__'" in err
    assert not (tmp_path / "out").exists()


def test_the_shipped_templates_render_alike_as_overrides(tmp_path):
    """The sandbox in which a user's templates run is no obstacle to the shipped ones (and
    the printer `p` they call): a copy of them as overrides gives every output unchanged."""
    from derivtex import derive

    templates = str(shipped_copy(tmp_path))
    cases = [("y^T A x", "x", {}), ("||A x - b||^2", "x", {"method": "both", "label": "eq:l"}),
             ("sigma(W x)", "W", {"steps": "compact"}), ("x^T A x", "x", {"order": 2}),
             ("tr(A X B)", "X", {"layout": "denominator"})]
    for expression, wrt, options in cases:
        shipped = derive(expression, wrt, **options)
        copied = derive(expression, wrt, templates=templates, **options)
        assert copied.latex == shipped.latex
        assert copied.standalone() == shipped.standalone()
        assert copied.markdown == shipped.markdown
        assert copied.typst == shipped.typst and \
            copied.typst_standalone() == shipped.typst_standalone()


def test_code_compiled_for_the_unchecked_environment_never_runs_in_the_sandbox(tmp_path,
                                                                               monkeypatch):
    """Both environments cache compiled templates by name and source; the sandbox compiles
    every call as a checked one, so it keeps its own (else a template first compiled by
    derivtex before the sandbox, or for the shipped directory, would run unchecked)."""
    import jinja2
    from jinja2.sandbox import SecurityError

    from derivtex.printing import template_cache as tc

    monkeypatch.setattr(tc.TemplateCache, "_get_default_cache_dir", lambda self: str(tmp_path))
    (tmp_path / "t.j2").write_text("{{ reach() }}")

    def reach():
        return "reached"

    reach.unsafe_callable = True
    loader = jinja2.FileSystemLoader(str(tmp_path))
    unchecked = tc.jinja_environment(None, loader=loader)
    assert unchecked.get_template("t.j2").render(reach=reach) == "reached"
    assert list(tmp_path.glob("__jinja2_*.cache"))
    sandbox = tc.jinja_environment(str(tmp_path), loader=loader)
    with pytest.raises(SecurityError, match="is not safely callable"):
        sandbox.get_template("t.j2").render(reach=reach)
    assert len(list(tmp_path.glob("__jinja2_*.cache"))) == 2
