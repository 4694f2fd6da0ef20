"""`make serve` (`briefing serve`): each save is shown, invalid data shows its problems in the
browser and the terminal, and the next valid save recovers."""

from __future__ import annotations

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


@pytest.fixture
def server(mini, tmp_path):
    port = free_port()
    log = tmp_path / "serve.log"
    env = {**os.environ, "BRIEFING_CACHE": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "generator", "serve", "--data", str(mini), "--port", str(port)]
    with log.open("w") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    root = f"http://127.0.0.1:{port}/"
    try:
        assert wait_for(root + "bases/qasrak/", SUMMARY, timeout=120), log.read_text()
        yield root, log
    finally:
        process.terminate()
        process.wait(timeout=30)


def save(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_save_is_shown_in_both_languages(server, mini):
    root, log = server
    save(mini / EVENT, SUMMARY, "A convoy of about 30 trucks reached Qasrak.")
    assert wait_for(root + "bases/qasrak/", "about 30 trucks reached"), log.read_text()
    # the pages showing the event come first; every other page follows (the overview's latest)
    assert wait_for(root + "chronology/2025/", "about 30 trucks reached"), log.read_text()
    assert wait_for(root, "about 30 trucks reached"), log.read_text()
    save(mini / EVENT, "ar: ", "ar: تعديل محفوظ. ")
    assert wait_for(root + "ar/bases/qasrak/", "تعديل محفوظ"), log.read_text()
    assert "dirty" not in log.read_text().lower()
    page = fetch(root + "bases/qasrak/")
    assert 'src="/__preview__/reload.js"' in page  # the page reloads after a rebuild


def test_invalid_data_shows_every_problem_until_a_save_fixes_it(server, mini):
    root, log = server
    save(mini / EVENT, "bases: [qasrak]", "bases: [nowhere]")
    save(mini / "bases/al-tanf.yaml", "kind:", "kindd:")
    assert wait_for(root + "bases/qasrak/", "unknown base", timeout=30), log.read_text()
    page = fetch(root + "chronology/2025/")  # every page is the list of problems
    assert f"{EVENT.split('/')[-1]}:5:" in page and "nowhere" in page
    assert "al-tanf.yaml:" in page and "kindd" in page
    terminal = log.read_text()
    assert "unknown base 'nowhere'" in terminal and "al-tanf.yaml:" in terminal

    save(mini / EVENT, "bases: [nowhere]", "bases: [qasrak]")
    save(mini / "bases/al-tanf.yaml", "kindd:", "kind:")
    assert wait_for(root + "bases/qasrak/", SUMMARY, timeout=30), log.read_text()
    assert "unknown base" not in fetch(root + "chronology/2025/")


def test_a_save_to_a_source_checks_again_the_unchanged_events_citing_it(server, mini):
    """The preview keeps the events built from unchanged files only while the records they
    were checked against are unchanged."""
    root, log = server
    source = mini / "sources/report-a.yaml"
    save(source, 'published: "2025-11-14"', 'published: "2025-11-01"')
    error = "published (2025-11-01) before the date it gives the event (2025-11-12)"
    assert wait_for(root + "bases/qasrak/", error, timeout=30), log.read_text()
    save(source, 'published: "2025-11-01"', 'published: "2025-11-14"')
    assert wait_for(root + "bases/qasrak/", SUMMARY, timeout=30), log.read_text()
