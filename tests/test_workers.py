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


def test_charts_are_drawn_with_the_cycle_collector_running_even_inside_a_pause(monkeypatch):
    """generate pauses the collector; a matplotlib figure is a web of cycles, so drawing the
    charts turns it back on (workers forked for it inherit that), then off again."""
    import generator.charts as charts

    monkeypatch.setattr(charts, "draw_svg", lambda plan: b"on" if gc.isenabled() else b"off")
    with cycle_collector_paused():
        assert charts._draw_all([None], jobs=1) == [b"on"]
        assert not gc.isenabled()
    assert gc.isenabled()


def _shared_squares(numbers: list[int]) -> tuple[list[int], int]:
    """Forks workers of its own, as generate and the PDFs do inside briefing build."""
    shared = map_slices(_squares_and_pid, numbers, len(numbers), 2)
    merged = {i: v for indexes, (values, _) in shared for i, v in zip(indexes, values)}
    return [merged[i] for i in range(len(numbers))], os.getpid()


def _invalid(path: str) -> None:
    from generator.errors import DataError, Problem

    raise DataError([Problem(path, 3, 5, "date", "not a date", "write YYYY-MM-DD")])


def test_a_task_in_a_child_process_sends_back_its_result_or_its_exception(monkeypatch):
    monkeypatch.setattr(workers.threading, "active_count", lambda: 1)
    from generator.errors import DataError

    squares, pid = workers.in_child(_shared_squares, [1, 2, 3, 4])
    assert squares == [1, 4, 9, 16] and pid != os.getpid()
    with pytest.raises(DataError) as failure:
        workers.in_child(_invalid, "events/x.yaml", quiet=(DataError,))
    assert [p.format() for p in failure.value.problems] == [
        "events/x.yaml:3:5: date: not a date (hint: write YYYY-MM-DD)"
    ]
    with pytest.raises(RuntimeError, match="ended without a result"):
        workers.in_child(os._exit, 3)
    monkeypatch.setattr(workers.threading, "active_count", lambda: 2)  # under mkdocs serve
    assert workers.in_child(_shared_squares, [5])[1] == os.getpid()
