"""Compiled templates are cached between runs, follow edits, and never fail a derivation."""

import tempfile

import jinja2

from derivtex.printing import template_cache as tc


def env_with(cache, source: str) -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.DictLoader({"t.j2": source}), bytecode_cache=cache)


def test_a_second_run_loads_the_compiled_template_and_an_edit_is_recompiled(tmp_path):
    cache = tc.TemplateCache(str(tmp_path))
    assert env_with(cache, "one {{ x }}").get_template("t.j2").render(x=1) == "one 1"
    stored = list(tmp_path.glob("__jinja2_*.cache"))
    assert len(stored) == 1 and stored[0].stat().st_size > 0
    assert env_with(cache, "one {{ x }}").get_template("t.j2").render(x=2) == "one 2"
    assert env_with(cache, "two {{ x }}").get_template("t.j2").render(x=3) == "two 3"


def test_a_cache_that_cannot_be_written_or_created_costs_only_time(tmp_path, monkeypatch):
    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tempfile, "NamedTemporaryFile", full_disk)
    cache = tc.TemplateCache(str(tmp_path))
    assert env_with(cache, "still {{ x }}").get_template("t.j2").render(x=4) == "still 4"
    assert list(tmp_path.iterdir()) == []

    def unsafe(self):
        raise RuntimeError("Cannot determine safe temp directory.")

    monkeypatch.setattr(tc.TemplateCache, "_get_default_cache_dir", unsafe)
    assert tc.template_cache() is None
