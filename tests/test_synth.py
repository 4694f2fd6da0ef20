"""The synthetic data generator of the benchmark writes valid data, the same every time."""

from __future__ import annotations

import importlib.util

from generator.validate import load_dataset
from tests.conftest import ROOT


def load_synth():
    spec = importlib.util.spec_from_file_location("synth", ROOT / "benchmarks" / "synth.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def snapshot(path):
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*.yaml"))}


def test_synthetic_data_is_valid_and_deterministic(tmp_path):
    synth = load_synth()
    synth.synthesize(tmp_path / "one", events=120, bases=5, years=2, seed=7)
    synth.synthesize(tmp_path / "two", events=120, bases=5, years=2, seed=7)
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")
    dataset, problems = load_dataset(tmp_path / "one")
    assert dataset is not None, [p.format() for p in problems if p.severity.value == "error"][:5]
    assert len(dataset.events) == 120 and len(dataset.bases) == 5
    precisions = {e.date.precision for e in dataset.events}
    assert precisions == {"day", "month", "approximate", "before"}
    assert any(s.via for s in dataset.sources.values())
    assert any(len(e.figures) > 1 for e in dataset.events)
