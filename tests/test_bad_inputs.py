"""The corpus of bad input in tests/bad_inputs/: each case breaks a copy of the small fixture
and lists every problem the validator must print, exactly, errors and warnings alike."""

from __future__ import annotations

import base64
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml

from generator.validate import load_dataset
from tests.conftest import FIXTURES

CASES = sorted((Path(__file__).parent / "bad_inputs").glob("*.yaml"))
NO_URL_WARNINGS = ()


def apply_case(case: dict, data: Path) -> None:
    for patch in case.get("patch", ()):
        path = data / patch["file"]
        text = path.read_text(encoding="utf-8")
        assert patch["old"] in text, f"{patch['old']!r} is not in {patch['file']}"
        path.write_text(text.replace(patch["old"], patch["new"], 1), encoding="utf-8")
    for rel, content in case.get("write", {}).items():
        (data / rel).write_text(content, encoding="utf-8")
    for rel, content in case.get("write_base64", {}).items():
        (data / rel).write_bytes(base64.b64decode(content))


def run_case(case: dict) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(FIXTURES / "mini", data)
        apply_case(case, data)
        dataset, problems = load_dataset(data)
        printed = [p.format().replace(f"{data}/", "") for p in problems]
        assert (dataset is None) == any(p.severity.value == "error" for p in problems)
        return printed


def test_the_corpus_has_at_least_thirty_cases():
    assert len(CASES) >= 30


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_bad_input_gives_the_expected_problems(path):
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert run_case(case) == case["expect"]
