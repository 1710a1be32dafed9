"""Deriving a build's entries in worker processes that never outlive the build.

Each result is handed back as soon as it is ready, so the caller writes every entry as
it completes; on Ctrl-C, SIGTERM or any failure of the caller the workers are stopped
before the exception goes on, and on Linux the kernel stops them if the parent is killed
outright (SIGKILL), so no derivation is left running as an orphan. A stop is held while
workers are forked (a fork's callbacks would swallow it) and looked for before each
result is handed back.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from multiprocessing.process import BaseProcess
from typing import TypeVar

from ..errors import Failure
from .stopping import held, still_running

T = TypeVar("T")
R = TypeVar("R")
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def available_cpus() -> int:
    """The CPUs this process may run on (a container's or taskset's share, not the host's)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def worker_count(requested: int, tasks: int) -> int:
    """More processes than CPUs or than tasks only costs memory and start-up time."""
    return max(1, min(requested, available_cpus(), tasks))


def die_with_parent(parent: int) -> None:
    """A worker's first act: leave Ctrl-C to the parent (which stops the workers itself),
    take SIGTERM's default action rather than the parent's handler, and die with it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def stop_workers(others: set[BaseProcess]) -> None:
    """Terminate every child process started since `others` were (the pool's), and reap
    them; a program that calls `build` may have processes of its own."""
    children = [child for child in multiprocessing.active_children() if child not in others]
    for child in children:
        child.terminate()
    for child in children:
        child.join(timeout=5)
        if child.is_alive():
            child.kill()
            child.join()


def died(name: str) -> Failure:
    return Failure("internal error", f"the worker process deriving {name!r} died; nothing "
                   "was written for it. Please report this entry.", internal=True)


def run_all(work: Callable[[T], tuple[str, R]], tasks: Sequence[T], names: Sequence[str],
            jobs: int, done: Callable[[str, R | Failure], None]) -> None:
    """Call `done(name, work(task))` for every task as each completes, in `jobs` processes
    (in this process when one is enough)."""
    if worker_count(jobs, len(tasks)) == 1:
        for task in tasks:
            outcome = work(task)
            still_running()
            done(*outcome)
        return
    others = set(multiprocessing.active_children())
    pool = ProcessPoolExecutor(max_workers=worker_count(jobs, len(tasks)),
                               initializer=die_with_parent, initargs=(os.getpid(),))
    try:
        with held():
            futures: dict[Future, str] = {pool.submit(work, task): name
                                          for task, name in zip(tasks, names, strict=True)}
        for future in as_completed(futures):
            still_running()
            try:
                name, outcome = future.result()
            except Exception:  # noqa: BLE001 - a worker killed by the OOM killer or a signal
                done(futures[future], died(futures[future]))
                continue
            done(name, outcome)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        stop_workers(others)
        raise
    finally:
        pool.shutdown(wait=True)
