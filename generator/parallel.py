"""The one way the generator uses several cores: a pool of forked worker processes."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any


def can_fork() -> bool:
    """The platform forks and no other thread runs: a forked child gets only the calling
    thread, and would wait forever for a lock another thread held (the preview serves
    requests from threads)."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def parallel_map(func: Callable[[Any], Any], items: Sequence[Any], jobs: int | None = None) -> list:
    """[func(item) for item in items], shared among one forked worker per core.

    Workers inherit what this process has loaded (fonts, templates), so `func` and the items
    only need to pickle. With one item or one core, or where forking is unsafe, it runs here.
    """
    jobs = min(jobs or os.cpu_count() or 1, len(items))
    if jobs <= 1 or not can_fork():
        return [func(item) for item in items]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(jobs, mp_context=context) as pool:
        return list(pool.map(func, items))
