"""Ctrl-C and SIGTERM for the command line: one line and 128 + the signal's number, from
the first moment of the process to the last.

`main` installs the handler first of all (`install`), while the handler only records a
signal: one raised inside an extension module's import comes out as an ImportError, not
as a clean stop. Once the engine is imported, `arm` lets it raise Stopped (at once, for a
signal that came before). Python ignores an exception raised while a fork's callback or a
finaliser runs ("Exception ignored ..."), so every signal is also recorded and the
commands ask `still_running` before they write; around a fork the signal is `held` and
acted upon after it. A signal the caller ignored (`derivtex build ... &` in a script)
stays ignored. Nothing here is POSIX-only: Windows has SIGINT and SIGTERM too.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

SIGNALS = (signal.SIGINT, signal.SIGTERM)
STOPPED: list[int] = []  # every signal received since `install`, first to last


class Stopped(BaseException):
    """SIGINT or SIGTERM: unwinds like Ctrl-C so workers are stopped and finished entries
    kept, then the command exits with 128 + the signal's number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class _Raising:
    """Whether the handler may raise now: not before `arm`, not inside `held`."""

    armed = True
    holds = 0


def stop(signum: int, frame: FrameType | None) -> None:
    """The handler: records the signal and raises Stopped, except while it is only to be
    recorded, and while a Stopped is already being cleaned up after (more signals then
    would leave a mess). A signal after one whose Stopped was swallowed raises again."""
    STOPPED.append(signum)
    if _Raising.armed and not _Raising.holds and not isinstance(sys.exc_info()[1], Stopped):
        raise Stopped(signum)


def still_running() -> None:
    """Raises Stopped if a signal came, even one whose exception was swallowed."""
    if STOPPED:
        raise Stopped(STOPPED[0])


Handlers = dict[int, Callable[[int, FrameType | None], Any] | int | None]


def install() -> Handlers:
    """The first act of `main`: SIGINT and SIGTERM are recorded (see `arm`), except one
    the caller ignored. Returns the handlers replaced, for `restore`; outside the main
    thread, where Python allows no handler, none."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    STOPPED.clear()
    _Raising.armed = False
    return {sig: signal.signal(sig, stop) for sig in SIGNALS
            if signal.getsignal(sig) is not signal.SIG_IGN}


def arm() -> None:
    """From now on a signal raises Stopped; one recorded before raises it at once."""
    _Raising.armed = True
    still_running()


def restore(previous: Handlers) -> None:
    """Puts back what `install` replaced, and forgets the signals recorded."""
    for sig, handler in previous.items():
        signal.signal(sig, handler)
    if previous:
        STOPPED.clear()
        _Raising.armed = True


@contextmanager
def held() -> Iterator[None]:
    """A signal during the block is recorded and raises when the block ends: for forking
    workers, whose callbacks (logging's, for one) would swallow the exception."""
    _Raising.holds += 1
    try:
        yield
    finally:
        _Raising.holds -= 1
    still_running()
