"""One options object for every shell (API, CLI, Sphinx, MyST, fences, TOML).

Each shell hands over what its user wrote as a mapping of strings (or, from the API and
TOML, of Python values); `Options.from_mapping` validates it once, so every shell accepts
the same values and rejects the same mistakes with the same message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal, get_args

from .errors import OptionError, Spelling, option, quote, suggest, written_in
from .model.layout import LAYOUTS, Layout
from .notation_settings import DEFAULT, NotationSettings, notation_settings

MethodChoice = Literal["index", "identity", "both"]
METHODS: tuple[MethodChoice, ...] = get_args(MethodChoice)
STEPS = ("full", "compact")
ORDERS = (1, 2)
# What may reach a \label{} or an HTML id: nothing that TeX or a browser reads as markup.
LABEL = re.compile(r"[A-Za-z0-9_:.-]{1,64}")
NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")

ShapeDecls = tuple[tuple[str, str], ...]


def check_label(label: str, key: str = "label") -> str:
    """A label is copied into LaTeX and HTML: letters, digits and _ : . - only. `key`: the
    option it came from (Sphinx's :name: is a label too)."""
    if not LABEL.fullmatch(label):
        raise OptionError(f"{option(key, label)}: use letters, digits, _ : . - only "
                          "(at most 64 characters)")
    return label


def check_choice(key: str, value: Any, choices: tuple[str, ...]) -> str:
    """One of a few words; the CLI's --format is checked here too, for one wording."""
    if value not in choices:
        raise OptionError(f"{option(key, value)}: use {', '.join(choices[:-1])} "
                          f"or {choices[-1]}")
    return str(value)


def parse_shape_text(text: str) -> list[tuple[str, str]]:
    """`A=n,m; x=m` (Sphinx, fences, TOML strings) -> [("A", "n,m"), ("x", "m")]."""
    out = []
    for part in text.replace(";", " ").split():
        name, sep, dims = part.partition("=")
        if not sep:
            raise OptionError(f"{option('shape', part)}: expected NAME=DIMS, e.g. A=n,m")
        out.append((name, dims))
    return out


def shape_items(value: Any) -> list[tuple[str, str]]:
    """Shapes as a user may write them: "A=n,m; x=m", ["A=n,m"], {"A": "n,m"}, {"A": [3, 4]}."""
    if value is None:
        return []
    if isinstance(value, str):
        return parse_shape_text(value)
    if isinstance(value, Mapping):
        items = []
        for name, dims in value.items():
            if isinstance(dims, bool) or not isinstance(dims, str | int | list | tuple):
                raise OptionError(f"{option('shape', {name: dims})}: expected \"n,m\", a "
                                  "size, or a list of them")
            if isinstance(dims, list | tuple):
                if not all(isinstance(d, str | int) and not isinstance(d, bool) for d in dims):
                    raise OptionError(f"{option('shape', {name: dims})}: sizes and "
                                      "dimension names only")
                dims = ",".join(str(d) for d in dims)
            items.append((str(name), str(dims)))
        return items
    if isinstance(value, list | tuple):
        items = []
        for item in value:
            if not isinstance(item, str):
                raise OptionError(f"{option('shape', item)}: expected NAME=DIMS")
            items.extend(parse_shape_text(item))
        return items
    raise OptionError(f"{option('shape', value)}: expected \"A=n,m; x=m\" or a table of "
                      "NAME = \"DIMS\"")


def parse_order(value: Any) -> Any:
    """Sphinx and fences give the order as text ("2"), the API and TOML as a number."""
    if value is None:
        return 1
    if isinstance(value, str) and value.strip() in ("1", "2"):
        return int(value)
    return value


def merge_shapes(items: Iterable[tuple[str, str]]) -> ShapeDecls:
    """Repeating a declaration is harmless; contradicting one is an error."""
    seen: dict[str, str] = {}
    for name, dims in items:
        name, dims = name.strip(), dims.replace(" ", "")
        if name in seen and seen[name] != dims:
            raise OptionError(f"{quote(name)} is declared twice: "
                              f"{option('shape', f'{name}={seen[name]}')} and "
                              f"{option('shape', f'{name}={dims}')}")
        seen[name] = dims
    return tuple(seen.items())


def symmetric_names(value: Any) -> tuple[str, ...]:
    """Symmetric matrices as a user may write them: "S", "S, P", "S P", ["S", "P"], and
    each repeated --symmetric as one of these (--symmetric R,P)."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple | set | frozenset) or \
            not all(isinstance(v, str) for v in value):
        raise OptionError(f"{option('symmetric', value)}: expected names of matrices, as "
                          "in \"S\" or [\"S\", \"P\"]")
    value = [n for v in value for n in v.replace(",", " ").replace(";", " ").split()]
    for name in value:
        if not NAME.fullmatch(name):
            raise OptionError(f"{option('symmetric', name)}: expected the name of a matrix")
    return tuple(sorted(set(value)))


@dataclass(frozen=True)
class Options:
    """Everything but the expression that decides a derivation and its page."""

    wrt: str
    layout: Layout = "numerator"
    method: MethodChoice = "index"
    shapes: ShapeDecls = ()
    symmetric: tuple[str, ...] = ()
    steps: str = "full"
    label: str | None = None
    templates: str | None = None
    order: int = 1
    notation: NotationSettings = DEFAULT  # how the page is written (printers only)
    # Not an option: the shell the user wrote them in, so errors name them as written.
    spelling: Spelling = field(default="api", metadata={"option": False})

    def __post_init__(self) -> None:
        if not isinstance(self.wrt, str) or not NAME.fullmatch(self.wrt):
            raise OptionError(f"{option('wrt', self.wrt)} is not a name")
        check_choice("layout", self.layout, LAYOUTS)
        check_choice("method", self.method, METHODS)
        check_choice("steps", self.steps, STEPS)
        if self.label is not None:
            check_label(self.label)
        if not isinstance(self.order, int) or isinstance(self.order, bool) or \
                self.order not in ORDERS:
            raise OptionError(f"{option('order', self.order)}: use 1 (the first "
                              "derivative) or 2 (the Hessian)")
        if not isinstance(self.notation, NotationSettings):
            object.__setattr__(self, "notation", notation_settings(self.notation))
        if self.order == 2 and self.method != "index":
            raise OptionError(f"{option('order', 2)} (the Hessian) is derived by the index "
                              f"method only: use {suggest('method', 'index')}")

    @classmethod
    def keys(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls) if f.metadata.get("option", True))

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any],
                     defaults: Mapping[str, Any] | None = None,
                     spelling: Spelling = "api") -> Options:
        """Validate what a user wrote (after a shell's own `defaults`); unknown keys and
        bad values are OptionErrors that name the key as `spelling` writes it."""
        with written_in(spelling):
            return cls._validated({**(defaults or {}), **mapping}, spelling)

    @classmethod
    def _validated(cls, merged: dict[str, Any], spelling: Spelling) -> Options:
        unknown = sorted(set(merged) - set(cls.keys()))
        if unknown:
            raise OptionError(f"unknown option(s) {', '.join(quote(k) for k in unknown)}; "
                              f"known: {', '.join(cls.keys())}")
        if merged.get("wrt") is None:
            raise OptionError(f"the derivation needs {option('wrt')}, the variable to "
                              "differentiate by")
        values = dict(merged)
        for key in ("wrt", "layout", "method", "steps", "label", "templates"):
            if key in values and values[key] is not None and not isinstance(values[key], str):
                raise OptionError(f"{option(key, values[key])}: expected text, got "
                                  f"{type(values[key]).__name__}")
        values["shapes"] = merge_shapes(shape_items(values.get("shapes")))
        values["symmetric"] = symmetric_names(values.get("symmetric"))
        values["order"] = parse_order(values.get("order", 1))
        values["notation"] = notation_settings(values.get("notation"))
        if values.get("label") == "":
            values["label"] = None
        if values.get("templates") == "":
            values["templates"] = None
        return cls(**values, spelling=spelling)
