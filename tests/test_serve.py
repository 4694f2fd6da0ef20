"""`make serve`: the real `mkdocs serve --dirty` shows each saved change after one rebuild, and
rebuilds do not grow more costly as the editor keeps saving."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
EVENT = "events/2025/2025-11-12-qasrak-convoy.yaml"
SUMMARY = "A convoy of about 25 trucks reached Qasrak."


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return ""


def wait_for(url: str, text: str, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in fetch(url):
            return True
        time.sleep(0.2)
    return False


def builds_so_far(log: Path) -> int:
    return log.read_text(encoding="utf-8").count("Building documentation...")


@pytest.fixture
def server(mini, tmp_path):
    port = free_port()
    log = tmp_path / "serve.log"
    env = {
        **os.environ,
        "BRIEFING_DATA": str(mini),
        "BRIEFING_STAGING": str(tmp_path / "staging"),
        "BRIEFING_CACHE": str(tmp_path / "cache"),
        "NO_MKDOCS_2_WARNING": "1",
    }
    command = [sys.executable, "-m", "mkdocs", "serve", "--dirty", "--no-strict"]
    with log.open("w") as output:
        process = subprocess.Popen(
            [*command, "--dev-addr", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    root = f"http://127.0.0.1:{port}/"
    try:
        assert wait_for(root + "bases/qasrak/", SUMMARY, timeout=120), log.read_text()
        yield root, log
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_each_save_is_shown_after_one_rebuild_and_the_search_index_does_not_grow(server, mini):
    root, log = server
    event = mini / EVENT
    index_sizes = []
    for n in range(1, 4):
        builds = builds_so_far(log)
        edited = f"Edit {n}, a convoy of trucks reached Qasrak."
        event.write_text(
            event.read_text(encoding="utf-8").replace(SUMMARY, edited), encoding="utf-8"
        )
        assert wait_for(root + "bases/qasrak/", edited), log.read_text()
        time.sleep(3)  # a second build, if one were coming, would have started by now
        assert builds_so_far(log) == builds + 1, log.read_text()
        index_sizes.append(len(json.loads(fetch(root + "search/search_index.json"))["docs"]))
        event.write_text(
            event.read_text(encoding="utf-8").replace(edited, SUMMARY), encoding="utf-8"
        )
        assert wait_for(root + "bases/qasrak/", SUMMARY), log.read_text()
        time.sleep(3)
    assert index_sizes[0] == index_sizes[1] == index_sizes[2]


def live_reload_server(tmp_path: Path, *watched: Path):
    from mkdocs.livereload import LiveReloadServer

    server = LiveReloadServer(
        builder=lambda: None, host="127.0.0.1", port=free_port(), root=str(tmp_path)
    )
    for path in watched:
        server.watch(str(path))
    return server


def test_saves_are_heard_from_the_kernel_not_by_polling_every_half_second(tmp_path):
    from watchdog.observers.polling import PollingObserver

    from generator.mkdocs_hooks import watch_natively

    data, templates = tmp_path / "data", tmp_path / "templates"
    data.mkdir(), templates.mkdir()
    server = live_reload_server(tmp_path, data, templates)
    watch_natively(server)
    assert not isinstance(server.observer, PollingObserver)
    assert set(server._watched_paths) == {str(data), str(templates)}
    (data / "event.yaml").write_text("id: x\n", encoding="utf-8")
    server.observer.start()
    try:
        assert (data / "event.yaml").read_text(encoding="utf-8")  # the build reads every file
        time.sleep(0.5)
        assert not server._want_rebuild, "reading a file is not a change"
        (data / "event.yaml").write_text("id: y\n", encoding="utf-8")
        deadline = time.monotonic() + 5
        while not server._want_rebuild and time.monotonic() < deadline:
            time.sleep(0.01)
        assert server._want_rebuild, "the save was not heard"
    finally:
        server.observer.stop()
        server.observer.join()


def test_briefing_watch_poll_keeps_mkdocs_poller(tmp_path, monkeypatch):
    from watchdog.observers.polling import PollingObserver

    from generator.mkdocs_hooks import watch_natively

    monkeypatch.setenv("BRIEFING_WATCH", "poll")
    server = live_reload_server(tmp_path, tmp_path)
    watch_natively(server)
    assert isinstance(server.observer, PollingObserver)
    assert set(server._watched_paths) == {str(tmp_path)}
