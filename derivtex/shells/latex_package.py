"""`derivtex latex`: the program side of derivtex.sty, the LaTeX package.

A LaTeX run records the document's requests in JOB.dtxin (see data/derivtex.sty);
`derivtex latex JOB` derives each through the guard every shell uses and writes
JOB.dtxout, a file of results that the next run reads back, each stored under the MD5
TeX took of its request. JOB.dtxcache keeps every result with a fingerprint of what it
depends on (the request, derivtex's version, the templates), so a second run derives
nothing; a bad request is a result too (a message the document shows in a box), and
never stops the others. With the package's `shellescape` option TeX runs
`derivtex latex --request -- JOB` for one request at a time, written to JOB.dtxreq:
the command line holds no part of the document.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import DerivtexError, Failure, OptionError, UnsupportedError
from .files import ReadError, read_no_follow, read_regular, shown, write_atomic
from .requests import Request, RequestError, read_one, read_requests, request_options, tex_message

REQUESTS, RESULTS, ONE_REQUEST, ONE_RESULT, CACHE = \
    ".dtxin", ".dtxout", ".dtxreq", ".dtxres", ".dtxcache"
MAX_REQUESTS = 16 * 2**20  # thousands of requests take well under 1 MB
CACHE_FORMAT = 1


class LatexError(DerivtexError):
    """The document's requests cannot be read, or the package cannot be written."""

    kind = "cannot derive"


@dataclass
class Report:
    derived: int = 0
    unchanged: int = 0
    failed: list[tuple[Request, str]] = field(default_factory=list)  # and why


def job_of(name: str) -> Path:
    """The job's path without extension: `notes`, `notes.tex`, `build/notes.dtxin`."""
    path = Path(name)
    return path.with_suffix("") if path.suffix in (".tex", REQUESTS, "") else path


def sibling(job: Path, suffix: str) -> Path:
    return job.with_name(job.name + suffix)


def inline_result(d: Any) -> str:
    """\\derivtexresult: the result alone, in the derivation's own notation."""
    from ..printing.latex import LatexPrinter
    from ..printing.safety import check_emitted

    if d.result is None:
        raise UnsupportedError("this derivative has no matrix form to show inline; "
                               "\\derivtex shows it in index form")
    return check_emitted(d.printer_of(LatexPrinter).expr(d.result))


def derive_request(request: Request, templates: str | None) -> tuple[str, Failure | None]:
    """The request's record for the results file, and its Failure if it failed."""
    from .guard import attempt

    try:
        options = request_options(request.options, {"templates": templates})
    except OptionError as exc:
        outcome: str | Failure = Failure.from_exception(exc)
    else:
        render = inline_result if request.kind == "inline" else (lambda d: str(d.latex))
        outcome = attempt(request.expression, options, render)
    if isinstance(outcome, Failure):
        return "\\DerivtexStoreFailure{%s}{%s}\n" % (request.key, tex_message(str(outcome))), \
            outcome
    return "\\DerivtexStoreResult{%s}{%%\n%s}%%\n" % (request.key, outcome.strip() + "\n"), None


def fingerprint(request: Request, templates_print: str) -> str:
    described = [request.kind, request.options, request.expression, templates_print]
    return hashlib.sha256(json.dumps(described).encode()).hexdigest()


def read_cache(job: Path) -> dict[str, dict[str, str]]:
    """The cached records {key: {"input": fingerprint, "record": tex}}; a cache of
    another format (or none) is an empty one."""
    data = read_no_follow(sibling(job, CACHE), MAX_REQUESTS * 8)
    try:
        cache = json.loads(data.decode("utf-8")) if data is not None else None
    except ValueError:
        cache = None
    if not isinstance(cache, dict) or cache.get("format") != CACHE_FORMAT or \
            not isinstance(cache.get("entries"), dict):
        return {}
    return {key: entry for key, entry in cache["entries"].items()
            if isinstance(entry, dict) and isinstance(entry.get("record"), str)
            and isinstance(entry.get("input"), str)}


def write_results(job: Path, records: dict[str, dict[str, str]]) -> None:
    """JOB.dtxout (what the next LaTeX run reads) and JOB.dtxcache, from `records`."""
    header = f"% derivtex {__version__}: results for {job.name}.tex (written by " \
        f"`derivtex latex {job.name}`; do not edit)\n"
    write_atomic(sibling(job, RESULTS), header + "".join(r["record"] for r in records.values()))
    cache = {"format": CACHE_FORMAT, "derivtex": __version__, "entries": records}
    write_atomic(sibling(job, CACHE), json.dumps(cache, indent=1, sort_keys=True) + "\n")


def derive_into(requests: list[Request], records: dict[str, dict[str, str]],
                templates: str | None, report: Report) -> dict[str, dict[str, str]]:
    """Each request's record, from `records` where still current, else derived; a
    failure of derivtex's own is not kept (the next run tries again)."""
    from .batch import templates_digest

    templates_print = templates_digest(templates)
    out: dict[str, dict[str, str]] = {}
    for request in requests:
        wanted = fingerprint(request, templates_print)
        cached = records.get(request.key)
        if cached is not None and cached["input"] == wanted:
            out[request.key] = cached
            report.unchanged += 1
            if cached.get("failure"):
                report.failed.append((request, cached["failure"]))
            continue
        record, failure = derive_request(request, templates)
        report.derived += 1
        out[request.key] = {"input": "" if failure and failure.internal else wanted,
                            "record": record,
                            **({"failure": str(failure)} if failure else {})}
        if failure:
            report.failed.append((request, str(failure)))
    return out


def read_text(path: Path, what: str) -> str:
    try:
        return read_regular(path, MAX_REQUESTS, what).decode("utf-8", "replace")
    except ReadError as exc:
        hint = f" (run LaTeX on {path.with_suffix('.tex').name} with \\usepackage{{derivtex}} " \
            "first)" if not path.exists() else ""
        raise LatexError(exc.message + hint) from None


def derive_document(job: Path, templates: str | None = None) -> Report:
    """Every request of JOB.dtxin into JOB.dtxout; see the module's docstring."""
    try:
        requests = read_requests(read_text(sibling(job, REQUESTS), "a requests file"))
    except RequestError as exc:
        raise LatexError(f"{shown(sibling(job, REQUESTS))}: {exc}") from None
    unique = list({r.key: r for r in requests}.values())
    report = Report()
    write_results(job, derive_into(unique, read_cache(job), templates, report))
    return report


def derive_single(job: Path, templates: str | None = None) -> Report:
    """The shellescape mode: the request in JOB.dtxreq into JOB.dtxres, and into the
    cache and JOB.dtxout, so the next run finds it without running derivtex."""
    path = sibling(job, ONE_REQUEST)
    text = read_text(path, "a request")
    key = hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()
    try:
        request = read_one(text, key)
    except RequestError as exc:
        raise LatexError(f"{shown(path)}: {exc}") from None
    report = Report()
    records = read_cache(job)
    records.update(derive_into([request], records, templates, report))
    write_atomic(sibling(job, ONE_RESULT), records[key]["record"])
    write_results(job, records)
    return report


def shipped_sty() -> str:
    return files("derivtex").joinpath("shells", "data", "derivtex.sty").read_text("utf-8")


def write_sty(directory: Path) -> Path:
    """derivtex.sty into `directory` (an Overleaf project, a course repository)."""
    if not directory.is_dir():
        raise LatexError(f"{shown(directory)} is not a directory")
    target = directory / "derivtex.sty"
    write_atomic(target, shipped_sty())
    return target


def texmf_home() -> Path:
    """The user's TEXMFHOME, as TeX itself finds it (kpsewhich)."""
    kpsewhich = shutil.which("kpsewhich")
    if kpsewhich is None:
        raise LatexError("kpsewhich is not on PATH (is TeX installed?); use "
                         "`derivtex latex --sty DIR` to copy derivtex.sty next to a document")
    found = subprocess.run([kpsewhich, "-var-value", "TEXMFHOME"], capture_output=True,
                           text=True, check=False).stdout.strip()
    if not found:
        raise LatexError("kpsewhich names no TEXMFHOME; use `derivtex latex --sty DIR`")
    return Path(found.split(":")[0]).expanduser()


def install() -> Path:
    """derivtex.sty into TEXMFHOME/tex/latex/derivtex, where every LaTeX run finds it."""
    directory = texmf_home() / "tex" / "latex" / "derivtex"
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LatexError(f"{shown(directory)}: {exc.strerror or exc}") from None
    return write_sty(directory)


def add_command(commands: Any) -> None:
    latex = commands.add_parser("latex", help="derive the requests of a LaTeX document "
                                "that uses derivtex.sty, or install the package")
    latex.add_argument("job", nargs="?", help="the document (notes or notes.tex): derives "
                       "what its last LaTeX run asked for into notes.dtxout")
    latex.add_argument("--sty", metavar="DIR", type=Path,
                       help="write derivtex.sty into DIR (next to a document)")
    latex.add_argument("--install", action="store_true",
                       help="install derivtex.sty into your TEXMFHOME")
    latex.add_argument("--request", action="store_true", help="derive the one request "
                       "of JOB.dtxreq (what the package's shellescape option runs)")
    latex.add_argument("--templates", metavar="DIR", help="a directory of templates that "
                       "override the shipped ones")


def run(args: argparse.Namespace) -> int:
    """0: done (a bad request is shown in the document, and listed here); 2: nothing
    could be done (no requests file, a bad argument)."""
    try:
        if args.sty or args.install:
            if args.job:
                raise LatexError("--sty and --install take no document")
            for path in ([write_sty(args.sty)] if args.sty else []) + \
                    ([install()] if args.install else []):
                print(f"derivtex: wrote {shown(path)}", file=sys.stderr)
            return 0
        if not args.job:
            raise LatexError("name the document (derivtex latex notes), or use --sty DIR "
                             "or --install")
        job = job_of(args.job)
        report = derive_single(job, args.templates) if args.request else \
            derive_document(job, args.templates)
    except DerivtexError as exc:
        print(f"derivtex: {exc.kind}: {exc}", file=sys.stderr)
        return 2
    for request, failure in report.failed:
        where = request.where or f"{job.name}.tex"
        print(f"derivtex: {where}: {failure}", file=sys.stderr)
    if not args.request:
        print(f"{report.derived} derived, {report.unchanged} unchanged, "
              f"{len(report.failed)} failed -> {shown(sibling(job, RESULTS))}",
              file=sys.stderr)
    return 0
