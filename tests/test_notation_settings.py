"""The notation settings (SPEC §4 "Notation"): presets, overrides, and one message for
each mistake, validated once in `Options`."""

import json

import pytest

import derivtex
from derivtex.errors import DerivtexError, spelled
from derivtex.notation_settings import DEFAULT, PRESETS, NotationSettings, notation_settings
from derivtex.options import Options
from tests.conftest import run_cli


def test_presets_are_the_spec_s():
    notes = PRESETS["notes"]
    assert (notes.derivative, notes.vector, notes.matrix, notes.transpose, notes.entries,
            notes.sums, notes.jacobian) == ("d", "mathbf", "mathbf", "T", "lower", "bounds",
                                            "matrix")
    assert PRESETS["physics"].sums == "einstein" and PRESETS["physics"].derivative == "partial"
    cookbook = PRESETS["cookbook"]
    assert (cookbook.derivative, cookbook.transpose, cookbook.vector) == ("partial", "T",
                                                                          "mathbf")
    assert PRESETS["default"] == DEFAULT == NotationSettings()


@pytest.mark.parametrize("value", [
    "notes derivative=partial", {"preset": "notes", "derivative": "partial"},
    "notes, derivative=partial"])
def test_a_preset_with_an_override(value):
    settings = notation_settings(value)
    assert settings.preset == "notes" and settings.derivative == "partial"
    assert settings.entries == "lower"  # the rest of the preset stays


def test_options_hold_validated_settings():
    assert Options(wrt="x").notation == DEFAULT
    assert Options.from_mapping({"wrt": "x", "notation": "physics"}).notation.sums == "einstein"
    assert Options(wrt="x", notation="notes").notation == PRESETS["notes"]  # type: ignore[arg-type]
    assert Options.from_mapping({"wrt": "x", "notation": {"vector": "\\vect"}}
                                ).notation.vector == "\\vect"


# value, the message after the option as the API spells it
BAD = [
    ({"derivative": "D"}, "notation='derivative=D': use derivative=partial or derivative=d"),
    ({"vector": "\\input"}, "notation='vector=\\\\input': a macro must be one control"),
    ({"matrix": "\\def"}, "notation='matrix=\\\\def': a macro must be one control"),
    ({"vector": "\\mathbf{x}"}, "notation='vector=\\\\mathbf{x}': a macro must be one"),
    ({"matrix": "arrow"}, "notation='matrix=arrow': use matrix=boldsymbol"),
    ({"colour": "red"}, "notation='colour=red': unknown setting 'colour'; known: derivative"),
    ("lecture", "notation='lecture': use default, notes, cookbook or physics"),
    (3, "notation=3: expected a preset's name"),
]


@pytest.mark.parametrize(("value", "message"), BAD)
def test_a_bad_setting_is_one_message(value, message):
    with pytest.raises(DerivtexError) as caught:
        derivtex.derive("W x", wrt="x", notation=value)
    assert str(caught.value).startswith(message), str(caught.value)


def test_a_macro_of_the_user_is_accepted():
    d = derivtex.derive("W x", wrt="x", notation={"vector": "\\vect", "matrix": "\\mat"})
    assert "\\vect{x}" in d.latex and "\\mat{W}" in d.latex


def test_the_cli_names_the_setting_as_typed():
    proc = run_cli("derive", "W x", "--wrt", "x", "--notation-set", "derivative=D")
    assert proc.returncode == 2 and proc.stdout == b""
    assert proc.stderr.decode() == ("derivtex: bad option: --notation-set 'derivative=D': use "
                                    "derivative=partial or derivative=d\n")
    proc = run_cli("derive", "W x", "--wrt", "x", "--notation-set", "vector=\\input")
    assert proc.returncode == 2 and proc.stdout == b"" and proc.stderr.count(b"\n") == 1
    assert b"--notation-set 'vector=\\\\input': a macro must be one control" in proc.stderr
    proc = run_cli("derive", "W x", "--wrt", "x", "--notation", "lecture")
    assert proc.returncode == 2 and b"--notation 'lecture': use default, notes" in proc.stderr


def test_messages_spell_the_setting_in_every_shell():
    with pytest.raises(DerivtexError) as caught:
        notation_settings({"derivative": "D"})
    message = caught.value.message
    assert spelled(message, "toml").startswith("notation = 'derivative=D': use")
    assert spelled(message, "directive").startswith(":notation: 'derivative=D': use")
    assert spelled(message, "fence").startswith("notation: 'derivative=D': use")


def test_the_cli_takes_a_preset_and_overrides_and_json_echoes_them():
    proc = run_cli("derive", "W x", "--wrt", "x", "--format", "json", "--notation", "notes",
                   "--notation-set", "derivative=partial", "--notation-set", "sums=bare")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["notation"] == {**PRESETS["notes"].as_dict(), "derivative": "partial",
                                "sums": "bare"}
    assert "\\frac{\\partial y_{i}}{\\partial x_{j}}" in data["latex"]
    assert "\\sum_{k} \\delta_{jk} w_{ik}" in data["latex"]


def test_json_echoes_the_default():
    assert derivtex.derive("W x", wrt="x").to_dict()["notation"] == DEFAULT.as_dict()


def test_preamble_loads_bm_only_when_used():
    plain = run_cli("preamble")
    assert plain.returncode == 0 and b"bm" not in plain.stdout
    with_bm = run_cli("preamble", "--notation-set", "matrix=bm")
    assert with_bm.stdout == plain.stdout + b"\\usepackage{bm}\n"
    d = derivtex.derive("W x", wrt="x", notation={"matrix": "bm"})
    assert "\\usepackage{bm}" in d.standalone() and "\\bm{W}" in d.latex
    assert "\\usepackage{bm}" not in derivtex.derive("W x", wrt="x").standalone()
