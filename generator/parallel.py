"""The one way the generator uses several cores: a pool of forked worker processes."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

# The work being handed out by parallel_map, which forked workers inherit:
# only an index goes to a worker, so that large inputs (a whole dataset) are never pickled.
_work: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def can_fork() -> bool:
    """The platform forks and no other thread runs: a forked child gets only the calling
    thread, and would wait forever for a lock another thread held (the preview serves
    requests from threads)."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def parallel_map(func: Callable[[Any], Any], items: Sequence[Any], jobs: int | None = None) -> list:
    """[func(item) for item in items], shared among one forked worker per core.

    Workers inherit `func` and `items` from this process, with everything it has loaded
    (fonts, templates); only the results are pickled back. With one item or one core, or
    where forking is unsafe, it runs here.
    """
    global _work
    jobs = min(jobs or os.cpu_count() or 1, len(items))
    if jobs <= 1 or not can_fork():
        return [func(item) for item in items]
    context = multiprocessing.get_context("fork")
    _work = (func, items)
    try:
        with ProcessPoolExecutor(jobs, mp_context=context) as pool:
            return list(pool.map(_run, range(len(items))))
    finally:
        _work = None


def _run(index: int) -> Any:
    assert _work is not None, "a worker forked by parallel_map"
    func, items = _work
    return func(items[index])


@contextlib.contextmanager
def meanwhile(func: Callable[..., Any], *args: Any) -> Iterator[None]:
    """func(*args) in a forked child process while the block runs in this process; after the
    block, its exception if it raised one. Where forking is unsafe, it runs here after the
    block.

    The child is a bare process, not a pool: a pool keeps a thread in this process, and the
    block may fork workers of its own (parallel_map), which is safe only without threads.
    If the block fails, the child and any workers it forked are stopped."""
    if not can_fork():
        yield
        func(*args)
        return
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_report, args=(send, func, args))
    child.start()
    send.close()
    try:
        yield
        try:
            failure = receive.recv()
        except EOFError:  # it ended without a word (killed, or its exception would not pickle)
            child.join()
            failure = RuntimeError(f"{func.__name__} ended with exit code {child.exitcode}")
    except BaseException:  # the block failed, or was interrupted: stop the work beside it
        try:  # the child and any workers it forked: left alone, they would go on working
            os.killpg(child.pid, signal.SIGTERM)
        except ProcessLookupError:  # not yet a group of its own: no workers yet either
            child.terminate()
        raise
    finally:
        child.join()
        receive.close()
    if failure is not None:
        raise failure


def _report(send, func: Callable[..., Any], args: tuple) -> None:
    """In the child of meanwhile: run func and send back None or its exception."""
    os.setpgid(0, 0)  # a process group of its own, which the workers it forks join
    try:
        func(*args)
    except BaseException as error:  # noqa: BLE001 (every failure goes back to the parent)
        send.send(error)
    else:
        send.send(None)
