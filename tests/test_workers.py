"""Worker processes: work shared in slices gives what one process gives, and the calling
process does its share instead of waiting."""

from __future__ import annotations

import gc
import os

import pytest

import generator.workers as workers
from generator.workers import cycle_collector_paused, map_slices


def _squares_and_pid(state: list[int], indexes: range) -> tuple[list[int], int]:
    return [state[i] ** 2 for i in indexes], os.getpid()


def test_slices_give_what_one_process_gives_and_this_process_does_the_first(monkeypatch):
    monkeypatch.setattr(workers.threading, "active_count", lambda: 1)  # other tests' threads
    numbers = list(range(11))
    [(everything, (alone, pid))] = map_slices(_squares_and_pid, numbers, len(numbers), 1)
    assert everything == range(11) and alone == [n * n for n in numbers] and pid == os.getpid()

    shared = map_slices(_squares_and_pid, numbers, len(numbers), 3)
    assert [list(indexes) for indexes, _ in shared] == [[0, 3, 6, 9], [1, 4, 7, 10], [2, 5, 8]]
    merged = {i: value for indexes, (values, _) in shared for i, value in zip(indexes, values)}
    assert [merged[i] for i in range(11)] == alone
    pids = [pid for _, (_, pid) in shared]
    assert pids[0] == os.getpid()  # the caller's slice: no pickling, no idle core
    assert os.getpid() not in pids[1:]  # (one worker may take both of the other slices)


def test_no_workers_are_forked_while_other_threads_run(monkeypatch):
    monkeypatch.setattr(workers.threading, "active_count", lambda: 2)  # as under mkdocs serve
    [(indexes, (_, pid))] = map_slices(_squares_and_pid, [1, 2, 3], 3, 2)
    assert indexes == range(3) and pid == os.getpid()


def _collector_enabled(state: None, indexes: range) -> bool:
    return gc.isenabled()


def test_the_cycle_collector_is_paused_in_workers_too_and_then_restored(monkeypatch):
    monkeypatch.setattr(workers.threading, "active_count", lambda: 1)
    assert gc.isenabled()
    with cycle_collector_paused():
        assert not gc.isenabled()
        assert [enabled for _, enabled in map_slices(_collector_enabled, None, 4, 2)] == [
            False,
            False,
        ]
    assert gc.isenabled()
    with pytest.raises(RuntimeError), cycle_collector_paused():
        raise RuntimeError("a failed load")
    assert gc.isenabled()
    gc.disable()  # a caller that had paused it already keeps it paused
    try:
        with cycle_collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
