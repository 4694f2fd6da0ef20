"""The benchmark runs every stage on a tiny dataset and reports them against the targets;
no timing is asserted."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

BENCH = [sys.executable, "benchmarks/bench.py"]
TARGETS = [
    "validate (cold)",
    "cold build without PDFs",
    "cold build peak RSS",
    "preview: save to page",
    "one-edit build (warm cache)",
    "all PDFs cold",
    "warm vs clean build: files differing",
    "first visit: overview (en)",
    "first visit: overview (ar)",
    "largest HTML page",
    "first search (en)",
    "first search (ar)",
    "cold build vs 60:3:1",
]


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("bench")


@pytest.fixture(scope="module")
def run(work):
    command = [*BENCH, "--sizes", "60:3:1,90:3:1", "--skip-pdf", "--keep", str(work)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_every_stage_runs_and_the_report_ends_with_its_json(run):
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout.splitlines()[-1])
    stages = {name: data["stages"] for name, data in report["datasets"].items()}
    assert list(stages["60:3:1"]) == [
        "validate",
        "build-cold",
        "build-edit",
        "build-clean",
        "serve",
    ]
    assert list(stages["90:3:1"]) == ["build-cold"]
    for stage in (*stages["60:3:1"].values(), *stages["90:3:1"].values()):
        assert stage["exit"] == 0 and stage["detail"] == ""
        assert stage["wall"] > 0 and stage["cpu"] > 0 and 20 < stage["rss_mb"] < 2000
    assert stages["60:3:1"]["build-cold"]["said"].startswith("site built into ")
    assert report["datasets"]["60:3:1"]["differing"] == []


def test_targets_are_checked_on_the_reference_and_skipped_with_their_stage(run):
    report = json.loads(run.stdout.splitlines()[-1])
    statuses = {t["target"]: t["status"] for t in report["targets"]}
    assert list(statuses) == TARGETS
    assert statuses["all PDFs cold"] == "SKIP"
    assert statuses["warm vs clean build: files differing"] == "PASS"
    assert {s for target, s in statuses.items() if target != "all PDFs cold"} <= {"PASS", "FAIL"}
    table, targets = run.stdout.split("\ntargets\n")
    assert "60:3:1: 60 events, 3 bases, 1 years" in table
    assert all(target in targets for target in TARGETS)


def test_the_clean_build_fills_a_cache_of_its_own(run, work):
    for cache in ("cache", "cache-clean"):
        assert any((work / "60-3-1" / cache / "charts").iterdir())
    assert (work / "60-3-1" / "logs" / "build-clean.log").is_file()


def test_a_malformed_size_is_a_usage_error():
    run = subprocess.run([*BENCH, "--sizes", "10000:100"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 2
    assert "'10000:100' is not EVENTS:BASES:YEARS" in run.stderr


def test_what_a_reader_downloads_is_measured_on_the_reference(run):
    """A first visit to the overview and a first search, in both languages, and the largest
    page: measured in the browser on the cold build, reported in the table and the JSON."""
    report = json.loads(run.stdout.splitlines()[-1])
    weights = report["datasets"]["60:3:1"]["weights"]
    for lang in ("en", "ar"):
        assert 20_000 < weights["first_visit"][lang] < 2_000_000
        assert 0 < weights["first_search"][lang] < 2_000_000
        assert weights["search_results"][lang] > 0  # the word is in every synthetic record
    path, size = weights["largest_page"]
    assert path.endswith(".html") and size > 1000
    checks = {t["target"]: t for t in report["targets"]}
    assert checks["largest HTML page"]["detail"] == path
    assert checks["first search (ar)"]["status"] == "PASS"
    assert report["datasets"]["90:3:1"]["weights"] is None  # only the reference
    assert "largest HTML page" in run.stdout and path in run.stdout
