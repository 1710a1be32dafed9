"""`derivtex build` and the files derivtex writes, tried as a hostile user would (issue 21):
spec files that are no files or never end, nesting past Python's stack, paths the system
refuses or that run to thousands of characters, broken template overrides. Each is one
line and the documented exit status, never a traceback, nothing written. (Templates that
pry into Python: test_template_sandbox.py.)"""

import os
import sys

import pytest

from tests.conftest import run_cli

GOOD = '[[derivation]]\nname = "good"\nexpr = "a^T x"\nwrt = "x"\n'
LONG_NAME = "a" * 300  # one path component over the 255 bytes every file system allows


def build(tmp_path, spec, *extra):
    proc = run_cli("build", str(spec), "-o", str(tmp_path / "out"), *extra)
    return proc.returncode, proc.stderr.decode()


def one_line(err):
    return len(err.splitlines()) == 1 and "Traceback" not in err and len(err) < 300


def spec_file(tmp_path, text=GOOD):
    spec = tmp_path / "spec.toml"
    spec.write_text(text)
    return spec


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_device_is_refused_before_a_byte_is_read(tmp_path, device):
    status, err = build(tmp_path, device)
    assert status == 2 and one_line(err), err
    assert err == f"derivtex: cannot build: {device}: not a regular file\n"
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_nobody_writes_is_refused_not_waited_on(tmp_path):
    fifo = tmp_path / "spec.toml"
    os.mkfifo(fifo)
    status, err = build(tmp_path, fifo)
    assert status == 2 and err == f"derivtex: cannot build: {fifo}: not a regular file\n"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_in_place_of_an_entrys_file_is_replaced_not_read(tmp_path):
    """The cache check read the entry's file whole: a pipe with no writer hung the build."""
    spec = spec_file(tmp_path)
    assert build(tmp_path, spec)[0] == 0
    good = tmp_path / "out" / "good.tex"
    good.unlink()
    os.mkfifo(good)
    status, err = build(tmp_path, spec)
    assert status == 0 and "1 built, 0 unchanged" in err
    assert good.is_file() and r"\section" in good.read_text()


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_template_that_is_a_link_to_a_device_is_refused(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "section.tex.j2").symlink_to("/dev/zero")
    status, err = build(tmp_path, spec_file(tmp_path), "--templates", str(templates))
    assert status == 2
    assert err == f"derivtex: cannot build: {templates / 'section.tex.j2'}: not a regular file\n"


def test_a_directory_is_not_a_spec(tmp_path):
    status, err = build(tmp_path, tmp_path)
    assert status == 2 and err == f"derivtex: cannot build: {tmp_path}: not a regular file\n"


def test_a_spec_over_the_size_limit_is_refused_by_its_size(tmp_path):
    from derivtex.shells.batch import MAX_SPEC_BYTES

    spec = spec_file(tmp_path, GOOD + "# " + "x" * MAX_SPEC_BYTES + "\n")
    status, err = build(tmp_path, spec)
    assert status == 2 and one_line(err), err
    assert err == f"derivtex: cannot build: {spec}: over 4 MB, the limit for a spec " \
                  "(hundreds of derivations take well under 1 MB)\n"
    assert MAX_SPEC_BYTES == 4 * 1024 * 1024


def test_a_spec_just_under_the_limit_builds(tmp_path):
    from derivtex.shells.batch import MAX_SPEC_BYTES

    spec = spec_file(tmp_path, GOOD + "#" + "x" * (MAX_SPEC_BYTES - len(GOOD) - 3) + "\n")
    assert spec.stat().st_size < MAX_SPEC_BYTES
    status, err = build(tmp_path, spec)
    assert status == 0, err


@pytest.mark.parametrize("nested", [
    "x = " + "[" * 5000 + "]" * 5000,
    GOOD + "shape = " + "{a = " * 3000 + "1" + "}" * 3000,
])
def test_toml_nested_thousands_deep_is_one_message(tmp_path, nested):
    spec = spec_file(tmp_path, nested + "\n")
    status, err = build(tmp_path, spec)
    assert status == 2 and one_line(err), err
    assert err == f"derivtex: cannot build: {spec}: nested too deeply to read\n"


def test_a_path_component_over_255_bytes_in_derive_output_is_one_message(tmp_path):
    target = tmp_path / f"{LONG_NAME}.tex"
    proc = run_cli("derive", "a^T x", "--wrt", "x", "-o", str(target))
    err = proc.stderr.decode()
    assert proc.returncode == 2 and one_line(err), err
    assert err.startswith("derivtex: cannot write: ") and err.endswith(": File name too long\n")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("where", ["output", "inside the output", "templates"])
def test_a_path_component_over_255_bytes_in_build_is_one_message(tmp_path, where):
    spec = spec_file(tmp_path)
    long = tmp_path / LONG_NAME
    output = {"output": long, "inside the output": tmp_path / "out" / LONG_NAME}
    args = ["-o", str(output.get(where, tmp_path / "out"))]
    if where == "templates":
        args += ["--templates", str(long)]
    proc = run_cli("build", str(spec), *args)
    err = proc.stderr.decode()
    assert proc.returncode == 2 and one_line(err), err
    cut = "..." if where == "templates" else "…"  # a refused option is quoted, a path shown
    assert LONG_NAME not in err and cut in err
    assert [p.name for p in tmp_path.rglob("*") if not p.is_dir()] == ["spec.toml"]


def test_derive_templates_with_a_component_over_255_bytes_is_one_message(tmp_path):
    proc = run_cli("derive", "a^T x", "--wrt", "x", "--templates", str(tmp_path / LONG_NAME))
    err = proc.stderr.decode()
    assert proc.returncode == 2 and one_line(err) and "is not a directory" in err, err


DEEP = "/".join(["d"] * 4500)  # 9,000 characters


@pytest.mark.parametrize("args", [
    [f"{DEEP}/spec.toml", "-o", "out"],
    ["spec.toml", "-o", DEEP],
    ["spec.toml", "-o", "out", "--templates", DEEP],
])
def test_build_never_echoes_a_path_of_thousands_of_characters(tmp_path, args):
    spec_file(tmp_path)
    proc = run_cli("build", *args, cwd=tmp_path)
    err = proc.stderr.decode()
    assert proc.returncode == 2 and one_line(err), err
    assert "d/d/d/d/d" in err and DEEP not in err


@pytest.mark.parametrize("name, text, line, message", [
    ("batch.tex.j2", "\\begin{document}\n((* for name in names *))\n\\end{document}\n", 3,
     "TemplateSyntaxError: Unexpected end of template"),
    ("batch.tex.j2", "\\begin{document}\n((( nmes )))\n\\end{document}\n", 2,
     "UndefinedError: 'nmes' is undefined"),
    ("section.tex.j2", "\\section{((( title )))}\n((* if *))\n", 2,
     "TemplateSyntaxError: Expected an expression"),
    ("section.tex.j2", "\\section{((( titel )))}\n((( snippet )))\n", 1,
     "UndefinedError: 'titel' is undefined"),
])
def test_a_broken_batch_or_section_template_is_the_users_error(tmp_path, name, text, line,
                                                               message):
    """As in `derive`: the file and line, exit status 2 (a bad --templates: nothing is
    built), never a traceback or "please report"."""
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / name).write_text(text)
    status, err = build(tmp_path, spec_file(tmp_path), "--templates", str(templates))
    assert status == 2 and len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert err.startswith(f"derivtex: template error: {templates / name}, line {line}: "
                          f"{message}"), err
    assert "report" not in err
    assert not (tmp_path / "out").exists()


def test_an_error_in_a_page_template_is_reported_at_its_own_line(tmp_path):
    """Jinja rewrites the traceback of a template it renders to the template's lines: they
    are not mapped a second time (this said "line 1" for an error on line 2)."""
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "derivation.tex.j2").write_text("first\n((( nmes )))\nthird\n")
    proc = run_cli("derive", "a^T x", "--wrt", "x", "--templates", str(templates))
    assert proc.returncode == 2
    assert proc.stderr.decode() == f"derivtex: template error: {templates}/derivation.tex.j2, " \
                                   "line 2: UndefinedError: 'nmes' is undefined\n"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_an_unreadable_spec_is_one_message(tmp_path):
    spec = spec_file(tmp_path)
    spec.chmod(0)
    if os.access(spec, os.R_OK):
        pytest.skip("root reads any file")
    status, err = build(tmp_path, spec)
    assert status == 2 and err == f"derivtex: cannot build: {spec}: Permission denied\n"


def test_the_summary_line_of_a_build_into_a_long_path_is_cut(tmp_path):
    """The closing line names all.tex as every echo does: a path of thousands is cut."""
    deep = tmp_path.joinpath(*["d" * 200] * 12)
    proc = run_cli("build", str(spec_file(tmp_path)), "-o", str(deep))
    err = proc.stderr.decode()
    assert proc.returncode == 0, err
    (summary,) = [line for line in err.splitlines() if " built, " in line]
    assert summary.endswith("/all.tex") and "…" in summary and len(summary) < 200, summary
