"""Compiled templates kept between runs, so a cold `derivtex derive` compiles none, and
the environment that compiles them: a user's overrides (--templates DIR) run in Jinja's
sandbox.

Compiling the templates is a third of a cold start (40-80 ms against ~200). Jinja's own
file cache keeps each compiled template under the user's private temporary directory
(`_jinja2-cache-UID`, mode 0700, checked to be the user's), keyed by the template's
source, so edited or user templates are compiled afresh. A cache that cannot be created
or written only costs the time it would have saved: it never fails a derivation.

A template can run code, and a directory of templates may come from anywhere (a course's
repository, a colleague's notes): in the sandbox it can call the printer `p` and read the
records it is given, never reach Python's internals (`''.__class__.__mro__`,
`cycler.__init__.__globals__`, a function's module) nor change what it was given. The
sandbox compiles every call as a checked one, so its templates are cached apart: code
compiled for the unchecked environment is never loaded into the sandbox.
"""

from __future__ import annotations

from typing import Any

import jinja2
from jinja2.bccache import Bucket
from jinja2.sandbox import ImmutableSandboxedEnvironment

SANDBOXED = "__jinja2_%s.sandboxed.cache"


class TemplateCache(jinja2.FileSystemBytecodeCache):
    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:  # a full or read-only temporary directory
            pass


def template_cache(sandboxed: bool = False) -> jinja2.BytecodeCache | None:
    """The cache, or None where no private temporary directory can be had."""
    try:
        return TemplateCache(pattern=SANDBOXED) if sandboxed else TemplateCache()
    except (OSError, RuntimeError):
        return None


def jinja_environment(user_dir: str | None, **settings: Any) -> jinja2.Environment:
    """The shipped templates' environment, or for a user's directory the sandbox (the
    shipped templates it falls back on run there unchanged); each with its cache."""
    if user_dir:
        return ImmutableSandboxedEnvironment(bytecode_cache=template_cache(sandboxed=True),
                                             **settings)
    return jinja2.Environment(bytecode_cache=template_cache(), **settings)
