"""Every notation setting and every preset, on every sample's expression: the LaTeX
compiles with pdflatex and the Typst with Typst's compiler, the page verifier holds (the
derivation is verified) and the verification results are those of the default page."""

import importlib.util
from functools import cache

import pytest

import derivtex
from derivtex.notation_settings import CHOICES, DEFAULT, PRESETS
from tests.conftest import ROOT, compile_tex

spec = importlib.util.spec_from_file_location("generate", ROOT / "samples" / "generate.py")
generate = importlib.util.module_from_spec(spec)
spec.loader.exec_module(generate)
ENTRIES = generate.entries()

# every value of every key that is not the default, a lecturer's macro, and each preset
VARIANTS = [{key: value} for key, values in CHOICES.items() for value in values
            if value != getattr(DEFAULT, key)] + [
    {"vector": "\\vect", "matrix": "\\mat"}, *({"preset": name} for name in PRESETS)]
MACROS = "\\newcommand{\\vect}[1]{\\boldsymbol{#1}}\n\\newcommand{\\mat}[1]{\\mathbf{#1}}\n"


def derivation(entry, notation=None):
    return derivtex.derive(entry["expr"], entry["wrt"], layout=entry.get("layout", "numerator"),
                           shapes=entry.get("shape"), method=entry.get("method", "index"),
                           order=entry.get("order", 1), symmetric=entry.get("symmetric"),
                           notation=notation)


@cache
def default(name):
    return derivation(next(e for e in ENTRIES if e["name"] == name))


def name_of(variant):
    return ",".join(f"{k}={v}" for k, v in variant.items())


@pytest.mark.slow
@pytest.mark.parametrize("variant", VARIANTS, ids=name_of)
def test_every_sample_in_every_notation(variant, tmp_path, pdflatex):
    import typst

    latex, typst_parts = [], []
    for entry in ENTRIES:
        d = derivation(entry, variant)
        plain = default(entry["name"])
        assert d.verified and d.result_text == plain.result_text and d.numpy == plain.numpy
        latex.append(f"\\section*{{{entry['name'].replace('_', ' ')}}}\n{d.latex}")
        typst_parts.append(d.typst)
    tex = tmp_path / "all.tex"
    tex.write_text("\\documentclass[11pt]{article}\n\\usepackage{amsmath,amssymb,bm}\n"
                   "\\usepackage[margin=2.5cm]{geometry}\n" + MACROS +
                   "\\allowdisplaybreaks\n\\begin{document}\n" + "\n".join(latex) +
                   "\\end{document}\n")
    compile_tex(tex, pdflatex)
    typ = tmp_path / "all.typ"
    typ.write_text("\n\n".join(typst_parts))
    assert typst.compile(str(typ))[:4] == b"%PDF"


@pytest.mark.slow
@pytest.mark.parametrize("preset", list(PRESETS))
def test_standalone_documents_compile(preset, tmp_path, pdflatex):
    """The documents derivtex writes itself, in each preset (and \\bm loaded when used)."""
    import typst

    for name, notation in [(preset, preset), ("bm", {"preset": preset, "vector": "bm"})]:
        d = derivation(ENTRIES[0], notation)
        tex = tmp_path / f"{name}.tex"
        tex.write_text(d.standalone())
        compile_tex(tex, pdflatex)
        typ = tmp_path / f"{name}.typ"
        typ.write_text(d.typst_standalone())
        assert typst.compile(str(typ))[:4] == b"%PDF"
