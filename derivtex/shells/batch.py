"""`derivtex build NOTES.toml -o DIR`: many derivations, one DIR/NAME.tex each, and
DIR/all.tex that \\inputs every one that built.

Every entry goes through the options and the guard every shell uses, so a bad or
failing entry is reported by its name and the rest still build. Each file is written
atomically as its entry completes (an interrupted build keeps what it finished); the
cache records what each file should hold, so an entry whose file is missing, truncated
or edited is derived again; a lock file keeps two builds out of one directory. A broken
template override is found before anything is derived, and a stop (Ctrl-C, SIGTERM) is
acted upon between entries even if Python swallowed its exception.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import sys
import tomllib
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import DerivtexError, Failure, OptionError, quote
from ..notation_settings import layered
from ..options import Options, check_label
from ..printing.render import SHIPPED, blamed_on_overrides, environment, render, template_dirs
from .files import ReadError, WriteError, locked, read_no_follow, read_regular, shown, write_atomic
from .guard import attempt
from .stopping import still_running
from .workers import run_all

# 55 characters, so that the section's label derivtex:NAME is a valid label too
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,54}")
INDEX = "all"
CACHE = ".derivtex-build.json"
LOCK = ".derivtex-build.lock"
CACHE_FORMAT = 2
# files.write_atomic's temporary name for a file of ours: ".NAME.tex.XXXXXXXX.tmp"
LEFTOVER = re.compile(r"\.(?:[A-Za-z0-9][A-Za-z0-9_-]*\.tex|\.derivtex-build\.json)"
                      r"\.[A-Za-z0-9_]{8}\.tmp")
KEYS = ("name", "expr", "wrt", "layout", "method", "shape", "symmetric", "order", "steps",
        "label", "notation")
MAX_SPEC_BYTES = 4 * 2**20  # hundreds of derivations take well under 1 MB
MAX_TEMPLATE_BYTES = 2**20  # the shipped templates together take under 30 kB
MAX_READ_BACK = 64 * 2**20  # a file of ours (an entry, the cache) larger is derived again


class BuildError(DerivtexError):
    """The build cannot start: the spec, the output directory or the lock."""

    kind = "cannot build"


@dataclass(frozen=True)
class Entry:
    """One [[derivation]] table, validated: a safe file name, an expression, options."""

    name: str
    expression: str
    options: Options
    fingerprint: str = ""


@dataclass
class Report:
    built: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: dict[str, Failure] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    positions: dict[str, int] = field(default_factory=dict)  # name -> number in the spec


def load(spec: Path) -> list[Any]:
    """The [[derivation]] tables of a spec file, or a BuildError saying why there are none."""
    try:
        data = tomllib.loads(read_regular(spec, MAX_SPEC_BYTES, "a spec (hundreds of "
                                          "derivations take well under 1 MB)").decode("utf-8"))
    except ReadError as exc:
        raise BuildError(exc.message) from None
    except UnicodeDecodeError as exc:
        raise BuildError(f"{shown(spec)}: not UTF-8 text (byte {exc.start + 1})") from None
    except tomllib.TOMLDecodeError as exc:
        raise BuildError(f"{shown(spec)}: not valid TOML: {exc}") from None
    except RecursionError:
        raise BuildError(f"{shown(spec)}: nested too deeply to read") from None
    # worksheet: shells/worksheet.py; notation: every entry's, under its own
    others = sorted(set(data) - {"derivation", "worksheet", "notation"})
    if others:
        raise BuildError(f"{shown(spec)}: unknown table or key "
                         f"{', '.join(map(quote, others))}; a spec holds only "
                         "[[derivation]] tables")
    entries = data.get("derivation")
    if not isinstance(entries, list) or not entries:
        raise BuildError(f"{shown(spec)}: no [[derivation]] tables")
    site = data.get("notation")
    return entries if site is None else [
        {**e, "notation": layered(site, e.get("notation"))} if isinstance(e, dict) else e
        for e in entries]


def slug(name: Any) -> str:
    """The entry's file name: spaces become hyphens; anything else unsafe is refused."""
    if not isinstance(name, str):
        raise OptionError(f"name: expected text, got {type(name).__name__}")
    name = re.sub(r"\s+", "-", name.strip())
    if not NAME.fullmatch(name):
        raise OptionError(f"name {quote(name)}: use letters, digits, _ and - (at most 55 "
                          "characters, starting with a letter or digit)")
    if name.lower() == INDEX:
        raise OptionError(f"name {name!r} is reserved for the index, {INDEX}.tex")
    return name


def read_entry(raw: Any, templates: str | None) -> Entry:
    """One table as an Entry; an OptionError names the key at fault."""
    if not isinstance(raw, dict):
        raise OptionError("a [[derivation]] must be a table")
    name = slug(raw.get("name"))
    unknown = sorted(set(raw) - set(KEYS))
    if unknown:
        raise OptionError(f"unknown key(s) {', '.join(map(quote, unknown))}; known: "
                          f"{', '.join(KEYS)}")
    expression = raw.get("expr")
    if not isinstance(expression, str):
        got = "missing" if expression is None else f"{type(expression).__name__}, not text"
        raise OptionError(f"expr is {got}")
    values = {("shapes" if key == "shape" else key): value for key, value in raw.items()
              if key not in ("name", "expr")}
    options = Options.from_mapping(values, {"templates": templates}, "toml")
    return Entry(name, expression, options)


def read_spec(entries: list[Any], templates: str | None, report: Report) -> list[Entry]:
    """The well-formed entries; the others go into `report.failed` by name (or number)."""
    good: list[Entry] = []
    seen: dict[str, str] = {}
    for number, raw in enumerate(entries, 1):
        try:
            name = slug(raw.get("name")) if isinstance(raw, dict) else None
        except OptionError:
            name = None
        key = name or f"#{number}"
        try:
            entry = read_entry(raw, templates)
            first = seen.get(entry.name.lower())
            if first == entry.name:
                raise OptionError(f"name {entry.name!r} is used twice")
            if first is not None:
                raise OptionError(f"name {entry.name!r} differs from {first!r} only in case; "
                                  "their files would collide on macOS and Windows")
        except DerivtexError as exc:
            if key in report.failed or key in seen.values():
                key = f"{key} (#{number})"
            report.failed[key] = Failure.from_exception(exc)
            report.positions[key] = number
            if name is not None:  # a later entry of the same name is still a duplicate
                seen.setdefault(name.lower(), name)
            continue
        seen[entry.name.lower()] = entry.name
        report.positions[entry.name] = number
        good.append(entry)
    return good


def section_label(name: str) -> str:
    return check_label(f"derivtex:{name}")


def derive_entry(entry: Entry) -> tuple[str, str | Failure]:
    """(name, the section's LaTeX or the Failure): runs in a worker process with --jobs."""
    def section(d: Any) -> str:
        return render("section.tex.j2", entry.options.templates, title=d.title,
                      snippet=d.latex, label=section_label(entry.name))

    return entry.name, attempt(entry.expression, entry.options, section)


def templates_digest(templates: str | None) -> str:
    digest = hashlib.sha256(__version__.encode())
    for directory in template_dirs(templates):
        for path in sorted(directory.glob("*.j2")):
            try:
                text = read_regular(path, MAX_TEMPLATE_BYTES, "a template")
            except ReadError as exc:
                raise BuildError(exc.message) from None
            digest.update(path.name.encode() + b"\0" + text)
    return digest.hexdigest()


def check_overrides(templates: str | None, names: list[str]) -> None:
    """A user's template that does not compile, or a section or index that does not
    render, is a bad --templates: one TemplateError with its file and line before
    anything is derived or written, not one per entry."""
    if not templates:
        return
    env = environment(templates)
    with blamed_on_overrides(templates):
        for shipped in sorted(SHIPPED.glob("*.j2")):
            env.get_template(shipped.name)
    render("section.tex.j2", templates, title="x", snippet="", label=section_label("x"))
    render("batch.tex.j2", templates, names=names)


def fingerprint(entry: Entry, templates: str) -> str:
    """What the entry's file depends on: its name, expression, options, the templates."""
    described = {"name": entry.name, "expr": entry.expression,
                 "options": asdict(entry.options), "templates": templates}
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()


def content_hash(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def read_cache(outdir: Path, report: Report) -> dict[str, dict[str, str]]:
    """The last build's records {name: {"input": ..., "output": ...}}; anything else is
    ignored with a note (the build then derives every entry)."""
    data = read_no_follow(outdir / CACHE, MAX_READ_BACK)
    if data is None:
        return {}
    try:
        cache = json.loads(data.decode("utf-8"))
    except ValueError:
        cache = None
    if not isinstance(cache, dict) or cache.get("format") != CACHE_FORMAT or \
            not isinstance(cache.get("entries"), dict):
        report.notes.append(f"{shown(outdir / CACHE)} is not a derivtex {__version__} build "
                            "cache; every entry is derived again")
        return {}
    return {name: record for name, record in cache["entries"].items()
            if isinstance(record, dict)}


def is_current(entry: Entry, record: Any, outdir: Path) -> bool:
    """The entry is unchanged and its file still holds exactly what was written."""
    if not isinstance(record, dict) or record.get("input") != entry.fingerprint:
        return False
    written = read_no_follow(outdir / f"{entry.name}.tex", MAX_READ_BACK)
    return written is not None and record.get("output") == content_hash(written)


@contextmanager
def build_lock(outdir: Path) -> Iterator[None]:
    """One build at a time per directory: a second one fails at once, clearly. The lock
    goes with the process, so a killed build never leaves the directory locked."""
    path = outdir / LOCK
    with ExitStack() as held:
        try:
            mine = held.enter_context(locked(path))
        except OSError as exc:
            why = "a symbolic link (derivtex follows none in the output directory; remove " \
                "it)" if exc.errno == errno.ELOOP else exc.strerror or exc
            raise BuildError(f"{shown(path)}: {why}") from None
        if not mine:
            raise BuildError(f"another derivtex build is writing to {shown(outdir)}; run one "
                             "build per output directory at a time")
        yield


def remove_leftovers(outdir: Path) -> None:
    """Temporary files of a build that was killed mid-write (SIGKILL, power cut): under
    the lock no other build is writing them."""
    for path in outdir.iterdir():
        if LEFTOVER.fullmatch(path.name) and not path.is_symlink() and path.is_file():
            path.unlink()


def build(spec: Path, outdir: Path, jobs: int = 1, templates: str | None = None,
          progress: bool | None = None) -> Report:
    """Derive every entry of `spec` into `outdir`; see the module's docstring."""
    report = Report()
    if templates and not os.path.isdir(templates):  # False for a name too long to look up
        raise BuildError(f"--templates {quote(templates)} is not a directory")
    raw_entries = load(spec)
    templates_print = templates_digest(templates)
    entries = [Entry(e.name, e.expression, e.options, fingerprint(e, templates_print))
               for e in read_spec(raw_entries, templates, report)]
    check_overrides(templates, [e.name for e in entries])
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise BuildError(f"{shown(outdir)}: not a directory") from None
    except OSError as exc:
        raise BuildError(f"{shown(outdir)}: {exc.strerror or exc}") from None
    with build_lock(outdir):
        remove_leftovers(outdir)
        records = read_cache(outdir, report)
        todo = []
        for entry in entries:
            if is_current(entry, records.get(entry.name), outdir):
                report.unchanged.append(entry.name)
            else:
                todo.append(entry)
        kept = {e.name: records[e.name] for e in entries if e.name in report.unchanged}
        try:
            derive_into(outdir, todo, jobs, progress, report, kept)
        finally:
            save_cache(outdir, kept, report)
        report.failed = dict(sorted(report.failed.items(),
                                    key=lambda item: report.positions[item[0]]))
        listed = [e.name for e in entries if e.name not in report.failed]
        index = render("batch.tex.j2", templates, names=listed,
                       bm=any(e.options.notation.needs_bm for e in entries))
        still_running()
        write_atomic(outdir / f"{INDEX}.tex", index, within=outdir)
    return report


def derive_into(outdir: Path, todo: list[Entry], jobs: int, progress: bool | None,
                report: Report, records: dict[str, dict[str, str]]) -> None:
    """Derive `todo`, writing each file the moment its entry completes."""
    from tqdm import tqdm

    prints = {e.name: e.fingerprint for e in todo}
    show = sys.stderr.isatty() if progress is None else progress
    with tqdm(total=len(todo), disable=not show, unit="derivation", desc="derivtex") as bar:
        def done(name: str, outcome: str | Failure) -> None:
            bar.update(1)
            if isinstance(outcome, str):
                try:
                    write_atomic(outdir / f"{name}.tex", outcome, within=outdir)
                except WriteError as exc:
                    outcome = Failure.from_exception(exc)
            if isinstance(outcome, Failure):
                report.failed[name] = outcome
                return
            records[name] = {"input": prints[name], "output": content_hash(outcome)}
            report.built.append(name)

        run_all(derive_entry, todo, [e.name for e in todo], jobs, done)


def save_cache(outdir: Path, records: dict[str, dict[str, str]], report: Report) -> None:
    """Only the current spec's entries that are on disk as recorded."""
    cache = {"format": CACHE_FORMAT, "derivtex": __version__, "entries": records}
    try:
        write_atomic(outdir / CACHE, json.dumps(cache, indent=1, sort_keys=True) + "\n",
                     within=outdir)
    except WriteError as exc:
        report.notes.append(f"the build cache was not saved ({exc.message}); the next build "
                            "derives every entry again")
