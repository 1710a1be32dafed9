"""`derivtex build SPEC.toml -o DIR`: many derivations, one .tex each, and DIR/all.tex.

Entries whose content hash is unchanged are not derived again; one bad entry is
reported by name and the rest still build.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import tomllib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .errors import DerivtexError, OptionError
from .render import environment, template_dirs

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
CACHE = ".derivtex-build.json"
KEYS = {"name", "expr", "wrt", "layout", "method", "shape", "order", "symmetric"}


@dataclass
class Report:
    built: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def load(spec: Path) -> list[dict[str, Any]]:
    try:
        with open(spec, "rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise OptionError(f"{spec}: {exc}") from None
    entries = data.get("derivation")
    if not isinstance(entries, list) or not entries:
        raise OptionError(f"{spec}: no [[derivation]] tables")
    return entries


def check_entry(entry: Any, seen: set[str]) -> str:
    """The entry's name, once it is a safe file name and the entry is well formed."""
    if not isinstance(entry, dict):
        raise OptionError("a [[derivation]] must be a table")
    name = entry.get("name")
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise OptionError(f"name {name!r}: letters, digits, _ and - only")
    if name in seen:
        raise OptionError(f"name {name!r} is used twice")
    unknown = set(entry) - KEYS
    if unknown:
        raise OptionError(f"unknown key(s) {', '.join(sorted(unknown))}")
    for key in ("expr", "wrt"):
        if not isinstance(entry.get(key), str):
            raise OptionError(f"{key} is missing")
    return name


def shapes_of(entry: dict) -> dict[str, str]:
    shape = entry.get("shape", {})
    if isinstance(shape, str):
        from .publish import parse_shapes

        return dict(parse_shapes(shape))
    return {str(k): str(v) for k, v in shape.items()}


def derive_entry(entry: dict, templates: str | None) -> tuple[str, str | None, str | None]:
    """(name, LaTeX, error): runs in a worker process with --jobs."""
    from .api import derive

    try:
        d = derive(entry["expr"], entry["wrt"], layout=entry.get("layout", "numerator"),
                   shapes=shapes_of(entry), method=entry.get("method", "index"),
                   order=entry.get("order", 1), symmetric=entry.get("symmetric"),
                   templates=templates)
        tex = environment(templates).get_template("section.tex.j2").render(
            title=d.title, snippet=d.latex)
        return entry["name"], tex, None
    except DerivtexError as exc:
        return entry["name"], None, str(exc)


def fingerprint(entry: dict, templates: str | None) -> str:
    digest = hashlib.sha256(json.dumps(entry, sort_keys=True).encode())
    digest.update(__version__.encode())
    for directory in template_dirs(templates):
        for path in sorted(directory.glob("*.j2")):
            digest.update(path.read_bytes())
    return digest.hexdigest()


def build(spec: Path, outdir: Path, jobs: int = 1, templates: str | None = None,
          progress: bool | None = None) -> Report:
    from tqdm import tqdm

    report = Report()
    entries = load(spec)
    outdir.mkdir(parents=True, exist_ok=True)
    cache_path = outdir / CACHE
    try:
        cache = json.loads(cache_path.read_text())
    except (OSError, ValueError):
        cache = {}
    todo, order, seen = [], [], set()
    for number, entry in enumerate(entries, 1):
        try:
            name = check_entry(entry, seen)
        except OptionError as exc:
            report.failed[f"#{number}"] = exc.message
            continue
        seen.add(name)
        order.append(name)
        print_ = fingerprint(entry, templates)
        if cache.get(name) == print_ and (outdir / f"{name}.tex").exists():
            report.unchanged.append(name)
        else:
            todo.append((entry, print_))
    show = sys.stderr.isatty() if progress is None else progress
    with tqdm(total=len(todo), disable=not show, unit="derivation", desc="derivtex") as bar:
        if jobs > 1 and len(todo) > 1:
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                results = pool.map(derive_entry, [e for e, _ in todo], [templates] * len(todo))
                outcomes = list(_tick(results, bar))
        else:
            outcomes = list(_tick((derive_entry(e, templates) for e, _ in todo), bar))
    prints = {e["name"]: p for e, p in todo}
    for name, tex, error in outcomes:
        if error is not None:
            report.failed[name] = error
            cache.pop(name, None)
            continue
        (outdir / f"{name}.tex").write_text(tex, encoding="utf-8")
        cache[name] = prints[name]
        report.built.append(name)
    ready = [n for n in order if n not in report.failed]
    index = environment(templates).get_template("batch.tex.j2").render(names=ready)
    (outdir / "all.tex").write_text(index, encoding="utf-8")
    cache_path.write_text(json.dumps(cache, indent=1, sort_keys=True))
    return report


def _tick(results, bar):
    for result in results:
        bar.update(1)
        yield result
