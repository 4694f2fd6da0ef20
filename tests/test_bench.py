"""The benchmark runner runs every stage and reports what it measured; no timing is asserted."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time

import yaml

from tests.conftest import ROOT


def load_bench():
    spec = importlib.util.spec_from_file_location("bench", ROOT / "benchmarks" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


bench = load_bench()


def has_pdfs_command() -> bool:
    """`briefing pdfs` is being added; until then the runner is tested without PDFs."""
    probe = [sys.executable, "-m", "generator", "pdfs", "--help"]
    return subprocess.run(probe, cwd=ROOT, capture_output=True).returncode == 0


def test_snapshot_tells_rewritten_from_changed(tmp_path):
    for name in ("same.txt", "touched.txt", "edited.txt", "gone.txt"):
        (tmp_path / name).write_text(name)
    before = bench.snapshot(tmp_path)
    os.utime(tmp_path / "touched.txt", ns=(1, before["touched.txt"].mtime_ns + 10**9))
    (tmp_path / "edited.txt").write_text("new bytes")
    os.utime(tmp_path / "edited.txt", ns=(1, before["edited.txt"].mtime_ns + 10**9))
    (tmp_path / "gone.txt").unlink()
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "new.txt").write_text("new")

    changes = bench.compare(before, bench.snapshot(tmp_path))

    assert changes == bench.OutputChanges(rewritten=3, changed=2, removed=1)


def test_snapshot_of_a_missing_directory_is_empty(tmp_path):
    assert bench.snapshot(tmp_path / "nowhere") == {}
    assert bench.compare({}, {}) == bench.OutputChanges(0, 0, 0)


def test_summary_edit_replaces_a_folded_summary_and_keeps_the_rest(tmp_path):
    event = tmp_path / "2025-01-02-convoy.yaml"
    event.write_text(
        "# a comment\n"
        "id: 2025-01-02-convoy\n"
        "summary:\n"
        "  en: A long summary that PyYAML folded\n"
        "    onto a second line.\n"
        "  ar: ملخص\n"
        "sources:\n"
        "- source-1\n",
        encoding="utf-8",
    )
    bench.set_summary_en(event, 'New text: with "quotes".')
    record = yaml.safe_load(event.read_text(encoding="utf-8"))
    assert record["summary"] == {"en": 'New text: with "quotes".', "ar": "ملخص"}
    assert record["sources"] == ["source-1"]
    assert event.read_text(encoding="utf-8").startswith("# a comment\n")


def test_runner_measures_every_stage_on_a_tiny_dataset(tmp_path):
    pdfs = has_pdfs_command()
    command = [sys.executable, "benchmarks/bench.py", "--sizes", "40:2:1", "--skip-serve"]
    command += ["--keep", str(tmp_path / "work")] + ([] if pdfs else ["--skip-pdf"])
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)

    report = json.loads(run.stdout.splitlines()[-1])
    stages = report["datasets"]["40:2:1"]["stages"]
    expected = ["validate", "validate-warm"] + [
        f"{step}-{when}"
        for when in ("cold", "edit", "add")
        for step in ("generate", "build") + (("pdfs",) if pdfs else ())
    ]
    assert sorted(stages) == sorted(expected)
    assert {name: s["exit"] for name, s in stages.items()} == dict.fromkeys(expected, 0), run.stderr
    assert {name: s["detail"] for name, s in stages.items()} == dict.fromkeys(expected, "")
    assert " failed (exit" not in run.stdout
    assert stages["generate-edit"]["rewritten"] < stages["generate-cold"]["rewritten"]
    assert 0 < stages["build-cold"]["mkdocs"] < stages["build-cold"]["wall"]  # the build said
    assert {t["target"] for t in report["targets"]} >= {"validate", "one-edit generate"}
    assert run.returncode == 0


def test_generator_share_is_the_build_outside_mkdocs_against_mkdocs_own_time():
    def report(build: float, log: str, exit_code: int = 0):
        result = bench.DatasetReport(bench.DatasetSpec("40:2:1"))
        stage = bench.StageResult("build-cold", build, None, None, exit_code)
        stage.mkdocs = bench.mkdocs_seconds(log)
        result.stages.append(stage)
        return result

    line = "INFO - Documentation built\nsite built into site: generate 3.0 s, MkDocs 20.0 s (...)"
    assert bench.generator_share(report(25.0, line)) == 25.0
    assert bench.generator_share(report(25.0, "site built into site")) is None  # SKIP: untold
    assert bench.generator_share(report(25.0, line, exit_code=1)) == float("inf")


def test_a_stage_reports_its_own_peak_memory_not_the_runner_s(tmp_path):
    # Linux carries peak RSS across fork and exec: a stage forked straight from a runner
    # holding this much reported at least as much
    ballast = b"\1" * (300 * 2**20)
    script = "import sys; data = b'1' * (60 * 2**20); sys.exit(3)"
    result = bench.run_stage("tiny", [sys.executable, "-c", script], dict(os.environ), tmp_path)
    assert 60 < result.rss_mb < 200 < len(ballast) / 2**20
    assert result.exit == 3 and "Traceback" not in result.detail
    assert 0 < result.cpu and 0 < result.wall


def test_a_stopped_server_still_reports_its_peak_memory(tmp_path):
    ballast = b"\1" * (300 * 2**20)
    script = "import time; data = b'1' * (60 * 2**20); print('up', flush=True); time.sleep(60)"
    server = bench.Server([sys.executable, "-c", script], dict(os.environ), tmp_path / "s.log")
    deadline = time.monotonic() + 60
    while "up" not in (tmp_path / "s.log").read_text():
        assert server.alive() and time.monotonic() < deadline
        time.sleep(0.02)
    assert server.pid is not None and server.pid != server.proc.pid
    server.stop()
    assert not server.alive()
    assert 60 < server.rss_mb < 200 < len(ballast) / 2**20


def test_a_command_that_cannot_start_is_a_failed_stage_that_says_why(tmp_path):
    result = bench.run_stage("missing", ["no-such-command-here"], dict(os.environ), tmp_path)
    assert result.exit == 127
    assert "cannot run no-such-command-here" in result.detail


def test_the_generator_is_timed_from_bytecode_even_where_python_writes_none(monkeypatch):
    """With PYTHONDONTWRITEBYTECODE every stage would compile the package first."""
    from pathlib import Path

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)  # it makes hash-checked bytecode

    build = ROOT / "generator" / "build.py"
    cached = Path(importlib.util.cache_from_source(build))
    cached.unlink(missing_ok=True)
    assert bench.compile_generator()
    header = cached.read_bytes()[:16]  # magic, flags, then the source's mtime and size
    assert header[:4] == importlib.util.MAGIC_NUMBER
    assert int.from_bytes(header[12:16], "little") == build.stat().st_size
