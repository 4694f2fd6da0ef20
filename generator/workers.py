"""Forked worker processes: when they may be used, and work shared among them in slices.

Validation, page rendering, charts, PDFs and the exports all use a second core the same way:
forked children that inherit what the parent has loaded instead of unpickling it.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
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
    slice's (indexes, result). Forked workers inherit `state`; with one job, or where forking
    is unsafe, the one slice runs in this process."""
    global _inherited
    if jobs <= 1 or not can_fork():
        return [(range(count), work(state, range(count)))]
    slices = [range(i, count, jobs) for i in range(jobs)]
    _inherited = (work, state)
    try:
        with fork_context().Pool(jobs) as pool:
            results = pool.map(_run_slice, slices)
    finally:
        _inherited = None
    return list(zip(slices, results))


def _run_slice(indexes: range) -> Any:
    assert _inherited is not None, "a worker without its work"
    work, state = _inherited
    return work(state, indexes)
