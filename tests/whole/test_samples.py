"""samples/ is documentation: it must match what derivtex produces now, and compile."""

import importlib.util
import shutil

import pytest

from tests.conftest import ROOT, compile_tex

spec = importlib.util.spec_from_file_location("generate", ROOT / "samples" / "generate.py")
generate = importlib.util.module_from_spec(spec)
spec.loader.exec_module(generate)
ENTRIES = generate.entries()


def test_there_are_samples():
    assert len(ENTRIES) >= 6


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["name"] for e in ENTRIES])
def test_sample_is_not_stale(entry):
    committed = (ROOT / "samples" / f"{entry['name']}.tex").read_text()
    assert committed == generate.tex_for(entry), "run `make samples`"
    assert (ROOT / "samples" / f"{entry['name']}.pdf").exists()
    typ = (ROOT / "samples" / f"{entry['name']}.typ").read_text()
    assert typ == generate.typ_for(entry), "run `make samples`"


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["name"] for e in ENTRIES])
def test_sample_compiles(entry, tmp_path, pdflatex):
    tex = tmp_path / f"{entry['name']}.tex"
    shutil.copy(ROOT / "samples" / tex.name, tex)
    compile_tex(tex, pdflatex)


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["name"] for e in ENTRIES])
def test_sample_typst_compiles(entry):
    import typst
    pdf = typst.compile(str(ROOT / "samples" / f"{entry['name']}.typ"))
    assert pdf[:4] == b"%PDF" and len(pdf) > 5000
