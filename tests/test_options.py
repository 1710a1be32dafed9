"""One options object: every shell's options validated once, with one message each."""

import pytest

from derivtex.errors import OptionError
from derivtex.options import Options, check_label


def test_from_mapping_reads_every_spelling_of_shapes():
    want = (("A", "n,m"), ("x", "m"))
    assert Options.from_mapping({"wrt": "x", "shapes": "A=n,m; x=m"}).shapes == want
    assert Options.from_mapping({"wrt": "x", "shapes": ["A=n,m", "x=m"]}).shapes == want
    assert Options.from_mapping({"wrt": "x", "shapes": {"A": "n,m", "x": "m"}}).shapes == want
    assert Options.from_mapping({"wrt": "x", "shapes": {"A": ["n", "m"], "x": "m"}}).shapes \
        == want
    assert Options.from_mapping({"wrt": "x", "shapes": {"A": [3, 4]}}).shapes == (("A", "3,4"),)


def test_defaults_are_overridden_by_what_the_user_wrote():
    options = Options.from_mapping({"wrt": "x", "layout": "denominator"},
                                   {"layout": "numerator", "method": "both"})
    assert (options.layout, options.method) == ("denominator", "both")


@pytest.mark.parametrize("mapping, fragment", [
    ({"wrt": "x", "shapes": ["x=3", "x=4"]}, "'x' is declared twice: shapes='x=3' and "
                                             "shapes='x=4'"),
    ({"wrt": "x", "shapes": "x=3 x=4"}, "declared twice"),
    ({"wrt": "x", "shapes": 3}, "shapes=3: expected"),
    ({"wrt": "x", "shapes": {"A": True}}, "shapes={'A': True}: expected"),
    ({"wrt": "x", "shapes": {"A": [1.5, 2]}}, "sizes and dimension names only"),
    ({"wrt": "x", "shapes": "A"}, "expected NAME=DIMS"),
    ({"wrt": "x", "layout": "sideways"}, "use numerator or denominator"),
    ({"wrt": "x", "method": "magic"}, "use index, identity or both"),
    ({"wrt": "x", "steps": "some"}, "use full or compact"),
    ({"wrt": "x", "lyaout": "numerator"}, "unknown option(s) 'lyaout'"),
    ({"layout": "numerator"}, "needs wrt="),
    ({"wrt": "1x"}, "wrt='1x' is not a name"),
    ({"wrt": 3}, "wrt=3: expected text"),
    ({"wrt": "x", "layout": 3}, "layout=3: expected text"),
    ({"wrt": "x", "label": r"d}\input{/etc/hostname}\label{e"}, "letters, digits"),
])
def test_bad_options_are_one_located_message(mapping, fragment):
    with pytest.raises(OptionError) as caught:
        Options.from_mapping(mapping)
    assert fragment in str(caught.value)


@pytest.mark.parametrize("label", ["eq:bilinear", "ls-1", "a.b_c", "x" * 64])
def test_conservative_labels_pass(label):
    assert check_label(label) == label


@pytest.mark.parametrize("label", [r"d}\input{/etc/hostname}\label{e", "a b", "", "x" * 65,
                                   r"\immediate\write18{id}", "é", "a{b}", "a%b", "a#b"])
def test_labels_that_could_reach_tex_as_markup_are_refused(label):
    with pytest.raises(OptionError):
        check_label(label)


def test_long_values_are_not_echoed_in_full():
    with pytest.raises(OptionError) as caught:
        Options.from_mapping({"wrt": "x", "layout": "n" * 5000})
    assert len(str(caught.value)) < 200
