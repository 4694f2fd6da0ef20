"""Shared fixtures: a small valid data directory that each test copies and breaks."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="session", autouse=True)
def cache_outside_the_repository(tmp_path_factory):
    """Build caches of test runs go to a temporary directory: each test's data directory would
    otherwise leave its records in the repository's .cache/ for good."""
    saved = os.environ.get("BRIEFING_CACHE")
    os.environ["BRIEFING_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if saved is None:
        os.environ.pop("BRIEFING_CACHE", None)
    else:
        os.environ["BRIEFING_CACHE"] = saved


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A copy of tests/fixtures/mini that a test may change."""
    target = tmp_path / "data"
    shutil.copytree(FIXTURES / "mini", target)
    return target


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The real data built into a temporary site with the real MkDocs build."""
    from generator.build import build_site

    work = tmp_path_factory.mktemp("real")
    build_site(ROOT / "data", work / "site")
    return work / "site"


@pytest.fixture(scope="session")
def real_dataset():
    from generator.validate import load_dataset

    dataset, problems = load_dataset(ROOT / "data")
    assert dataset is not None, [p.format() for p in problems]
    return dataset


@pytest.fixture(scope="session")
def generated_pages(tmp_path_factory) -> list[Path]:
    """Every page generated from the real data and from a synthetic year split per month."""
    from generator.build import generate, validated
    from generator.cache import OutputCache
    from generator.pages import MONTHLY_PAGES_OVER
    from generator.write import write_tree
    from tests.test_synth import load_synth

    work = tmp_path_factory.mktemp("generated")
    events = 2 * MONTHLY_PAGES_OVER + 100  # a year large enough to be split per month
    load_synth().synthesize(work / "data", events=events, bases=2, years=1, seed=5)
    pages = []
    for name, data in (("real", ROOT / "data"), ("synth", work / "data")):
        write_tree(work / name, generate(validated(data)[0], OutputCache(work / "cache")).files)
        pages += sorted((work / name).rglob("*.md"))
    assert any("chronology/" in p.as_posix() and "-" in p.stem for p in pages)  # month pages
    return pages
