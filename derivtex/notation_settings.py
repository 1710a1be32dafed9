"""How a page is written, never what is derived: the notation settings (SPEC §4
"Notation"), one frozen object validated once in `Options` and read only by the printers.

A setting is given as a preset (`notes`) plus KEY=VALUE overrides, from every shell in one
of three forms: text (`"notes derivative=partial"`, as the CLI, a directive option or a
fence writes it), a mapping (`{"preset": "notes", "derivative": "partial"}`, the API and
TOML) or a `NotationSettings`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from .errors import OptionError, option, quote
from .forbidden import FORBIDDEN_MACROS

STYLES = ("boldsymbol", "mathbf", "bm", "plain", "underline")
CHOICES: dict[str, tuple[str, ...]] = {
    "derivative": ("partial", "d"),
    "vector": (*STYLES[:4], "arrow", STYLES[4]),
    "matrix": STYLES,
    "transpose": ("top", "T", "mathsf", "intercal", "prime"),
    "entries": ("upper", "lower"),
    "delta": ("kronecker", "iverson"),
    "sums": ("bounds", "bare", "einstein"),
    "jacobian": ("entries", "matrix"),
    "rows": ("new", "chained"),
}
# A lecturer's own macro for vectors or matrices: one control sequence of letters.
MACRO = re.compile(r"\\[A-Za-z]{1,32}")
# Control sequences that are structure, not a style: a page printed with them breaks.
STRUCTURE = frozenset("begin end left right par item usepackage documentclass relax "
                      "let expandafter read shipout loop".split())


@dataclass(frozen=True)
class NotationSettings:
    """Each key's default is today's page; `preset` is the name the settings started from
    (echoed in JSON), the other fields are what the printers read."""

    preset: str = "default"
    derivative: str = "partial"
    vector: str = "boldsymbol"
    matrix: str = "boldsymbol"
    transpose: str = "top"
    entries: str = "upper"
    delta: str = "kronecker"
    sums: str = "bounds"
    jacobian: str = "entries"
    rows: str = "new"  # chained: each display starts from the line before, as the notes do

    def __post_init__(self) -> None:
        for key, choices in CHOICES.items():
            check_setting(key, getattr(self, key), choices)

    @classmethod
    def keys(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls) if f.name != "preset")

    def as_dict(self) -> dict[str, str]:
        """The settings as JSON echoes them: the preset and every key."""
        return asdict(self)

    @property
    def needs_bm(self) -> bool:
        """Whether a document must load the bm package for these settings."""
        return "bm" in (self.vector, self.matrix)


def check_setting(key: str, value: Any, choices: tuple[str, ...]) -> None:
    """One key's value: a word of `choices`, or for vector and matrix a lecturer's macro."""
    shown = f"{key}={value}" if isinstance(value, str) else {key: value}
    if key in ("vector", "matrix") and isinstance(value, str) and value.startswith("\\"):
        name = value[1:]
        if not MACRO.fullmatch(value) or FORBIDDEN_MACROS.fullmatch(value) or \
                name in STRUCTURE:
            raise OptionError(f"{option('notation_set', shown)}: a macro must be one control "
                              "sequence of letters, such as \\vect, and not one that reads "
                              "files, defines macros or is structure")
        return
    if value not in choices:
        words = [f"{key}={c}" for c in choices]
        if key in ("vector", "matrix"):
            words.append(f"your own macro ({key}=\\vect)")
        raise OptionError(f"{option('notation_set', shown)}: use {', '.join(words[:-1])} "
                          f"or {words[-1]}")


DEFAULT = NotationSettings()
PRESETS: dict[str, NotationSettings] = {
    "default": DEFAULT,
    "notes": NotationSettings("notes", derivative="d", vector="mathbf", matrix="mathbf",
                              transpose="T", entries="lower", sums="bounds",
                              jacobian="matrix", rows="chained"),
    "cookbook": NotationSettings("cookbook", vector="mathbf", matrix="mathbf", transpose="T"),
    "physics": NotationSettings("physics", sums="einstein"),
}


def split_text(text: str) -> dict[str, Any]:
    """`notes derivative=d, sums=bare` -> {"preset": "notes", "derivative": "d", ...}."""
    out: dict[str, Any] = {}
    for word in text.replace(",", " ").replace(";", " ").split():
        key, sep, value = word.partition("=")
        if not sep:
            if "preset" in out:
                raise OptionError(f"{option('notation', text)}: one preset, then "
                                  "KEY=VALUE settings")
            out["preset"] = word
        else:
            out[key.strip()] = value.strip()
    return out


def with_settings(text: str | None, settings: list[str]) -> dict[str, Any] | None:
    """The CLI's `--notation PRESET` and repeated `--notation-set KEY=VALUE` as one
    mapping (None when neither is given); a later setting of a key wins."""
    if text is None and not settings:
        return None
    out = split_text(text or "")
    for item in settings:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise OptionError(f"{option('notation_set', item)}: expected KEY=VALUE, such as "
                              "derivative=d")
        out[key.strip()] = value.strip()
    return out


def layered(site: Any, own: Any) -> Any:
    """A page's or an entry's `notation` over the site's (conf.py, mkdocs.yml, a spec's
    top level): the keys of both, the page's winning; either alone as it is."""
    if own is None or own == "":
        return None if site == "" else site
    if site is None or site == "":
        return own
    return {**as_mapping(site), **as_mapping(own)}


def as_mapping(value: Any) -> Any:
    """Text and settings as the mapping they stand for; anything else for validation to
    refuse."""
    if isinstance(value, str):
        return split_text(value)
    if isinstance(value, NotationSettings):
        return value.as_dict()
    return value


def notation_settings(value: Any) -> NotationSettings:
    """Validate what a user wrote for `notation`: None, a preset's name (with KEY=VALUE
    settings after it), a mapping of a `preset` and keys, or the settings themselves."""
    if value is None or isinstance(value, NotationSettings):
        return value or DEFAULT
    if isinstance(value, str):
        value = split_text(value)
    if not isinstance(value, Mapping):
        raise OptionError(f"{option('notation', value)}: expected a preset's name or a table "
                          "of a preset and settings")
    preset = value.get("preset", "default")
    if preset not in PRESETS:
        names = list(PRESETS)
        raise OptionError(f"{option('notation', preset)}: use {', '.join(names[:-1])} or "
                          f"{names[-1]}")
    overrides = {str(k): v for k, v in value.items() if k != "preset"}
    unknown = sorted(set(overrides) - set(NotationSettings.keys()))
    if unknown:
        shown = f"{unknown[0]}={overrides[unknown[0]]}"
        raise OptionError(f"{option('notation_set', shown)}: unknown setting "
                          f"{quote(unknown[0])}; known: {', '.join(NotationSettings.keys())}")
    return replace(PRESETS[preset], **overrides)
