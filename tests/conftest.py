"""Shared fixtures: a small valid data directory that each test copies and breaks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).parent.parent


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A copy of tests/fixtures/mini that a test may change."""
    target = tmp_path / "data"
    shutil.copytree(FIXTURES / "mini", target)
    return target
