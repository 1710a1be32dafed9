"""Compiled templates kept between runs, so a cold `derivtex derive` compiles none.

Compiling the templates is a third of a cold start (40-80 ms against ~200). Jinja's own
file cache keeps each compiled template under the user's private temporary directory
(`_jinja2-cache-UID`, mode 0700, checked to be the user's), keyed by the template's
source, so edited or user templates are compiled afresh. A cache that cannot be created
or written only costs the time it would have saved: it never fails a derivation.
"""

from __future__ import annotations

import jinja2
from jinja2.bccache import Bucket


class TemplateCache(jinja2.FileSystemBytecodeCache):
    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:  # a full or read-only temporary directory
            pass


def template_cache() -> jinja2.BytecodeCache | None:
    """The cache, or None where no private temporary directory can be had."""
    try:
        return TemplateCache()
    except (OSError, RuntimeError):
        return None
