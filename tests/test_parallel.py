"""The one way the generator uses several cores (generator/parallel.py), through its public
functions: work beside a block (meanwhile) reports its failure, stops when the block fails,
and leaves the block free to fork a pool of its own (parallel_map)."""

from __future__ import annotations

import os
import time
from functools import partial
from pathlib import Path

import pytest

from generator.parallel import meanwhile, parallel_map


def fail(message: str) -> None:
    raise ValueError(message)


def write_later(path: Path, seconds: float) -> None:
    time.sleep(seconds)
    path.write_text("written", encoding="utf-8")


def process_id(_: object) -> int:
    return os.getpid()


def test_work_beside_a_block_is_done_by_another_process(tmp_path):
    with meanwhile(write_later, tmp_path / "done", 0):
        pass
    assert (tmp_path / "done").read_text(encoding="utf-8") == "written"


def test_a_failure_beside_the_block_is_raised_after_it():
    ran = []
    with pytest.raises(ValueError, match="the charts failed"):
        with meanwhile(fail, "the charts failed"):
            ran.append("block")
    assert ran == ["block"]  # the block ran to its end first


def write_all_later(path: Path, seconds: float) -> None:
    """Files beside `path` written by two workers, as charts are drawn beside a build."""
    files = [path.with_name(f"{path.name}-{i}") for i in range(4)]
    parallel_map(partial(write_later, seconds=seconds), files, 2)


def test_a_failing_block_stops_the_work_beside_it_and_its_workers(tmp_path):
    for work in (write_later, write_all_later):
        with pytest.raises(RuntimeError, match="MkDocs failed"):
            with meanwhile(work, tmp_path / work.__name__, 1.5):
                time.sleep(0.5)  # the workers have started
                raise RuntimeError("MkDocs failed")
    time.sleep(2)
    assert list(tmp_path.iterdir()) == []  # a failed build writes nothing more


def test_the_block_can_share_work_among_worker_processes():
    with meanwhile(time.sleep, 0):
        ids = parallel_map(process_id, list(range(8)), jobs=2)
    assert os.getpid() not in ids  # forked workers, not this process one item after another
