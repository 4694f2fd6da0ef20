"""How the generator uses its processes: forked workers (when they may be used, and work
shared among them in slices), and the cycle collector paused during bulk work.

Validation, page rendering, charts, PDFs and the exports all use a second core the same way:
forked children that inherit what the parent has loaded instead of unpickling it.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import threading
import traceback
from collections.abc import Callable, Iterator
from multiprocessing.context import ForkContext
from typing import Any


def can_fork() -> bool:
    """The platform forks, and no other thread runs here. A forked child gets only the calling
    thread and would wait forever for a lock another thread held (mkdocs serve runs threads)."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def fork_context() -> ForkContext:
    return multiprocessing.get_context("fork")


_inherited: tuple[Callable[[Any, range], Any], Any] | None = None


def map_slices(work: Callable[[Any, range], Any], state: Any, count: int, jobs: int) -> list:
    """work(state, indexes) over `jobs` interleaved slices of range(count); returns each
    slice's (indexes, result). This process works on the first slice while forked workers,
    which inherit `state` as it was before, do the others: it would otherwise sit idle, and
    its slice's result needs no pickling. With one job, or where forking is unsafe, the one
    slice runs here."""
    global _inherited
    if jobs <= 1 or not can_fork():
        return [(range(count), work(state, range(count)))]
    slices = [range(i, count, jobs) for i in range(jobs)]
    _inherited = (work, state)
    try:
        # forks now, before the work below; gc.freeze: a worker's collector leaves the
        # inherited objects alone instead of walking them (and copying the pages it touches)
        with fork_context().Pool(jobs - 1, initializer=gc.freeze) as pool:
            others = pool.map_async(_run_slice, slices[1:])
            first = work(state, slices[0])
            results = [first, *others.get()]
    finally:
        _inherited = None
    return list(zip(slices, results))


def _run_slice(indexes: range) -> Any:
    assert _inherited is not None, "a worker without its work"
    work, state = _inherited
    return work(state, indexes)


def in_child(task: Callable[..., Any], *args: Any, quiet: tuple[type, ...] = ()) -> Any:
    """task(*args) in a forked process, and its result or exception sent back: the memory the
    task used goes back to the system when it ends. The child may fork workers of its own (a
    pool's worker may not). Tracebacks of exceptions other than `quiet` ones are printed
    where they happened. Where forking is unsafe, the task runs here."""
    if not can_fork():
        return task(*args)
    context = fork_context()
    receive, send = context.Pipe(duplex=False)

    def run() -> None:
        try:
            outcome = (True, task(*args))
        except BaseException as exc:  # sent to the parent, which raises it
            if not isinstance(exc, quiet):
                traceback.print_exc()
            outcome = (False, exc)
        try:
            send.send(outcome)
        except Exception:  # an exception that does not pickle: its text, then
            send.send((False, RuntimeError(f"{task.__name__} failed: {outcome[1]!r}")))

    child = context.Process(target=run)
    child.start()
    send.close()
    try:
        ok, value = receive.recv()
    except EOFError:
        child.join()
        message = f"{task.__name__} ended without a result (exit code {child.exitcode})"
        raise RuntimeError(message) from None
    child.join()
    if not ok:
        raise value
    return value


@contextlib.contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Reading a record makes millions of small objects and next to no reference cycles, and
    Python's cycle collector scanned the growing heap again and again meanwhile: a quarter of
    validating 10,000 files. Reference counting still frees everything that is not a cycle,
    and forked workers started inside inherit the pause."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextlib.contextmanager
def cycle_collector_running() -> Iterator[None]:
    """The collector on for work that does make cycles (a matplotlib figure and its artists
    point at each other), inside a stretch where it is paused; workers forked inside inherit
    it running."""
    enabled = gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        if not enabled:
            gc.disable()
