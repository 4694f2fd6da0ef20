"""Cases of real reporting, one file each in tests/cases/: a change to the small fixture and
what must follow from it (statuses, totals, wording in both languages, problems, exports).

Each case file holds `description`, `patch` and `write` (as in tests/bad_inputs/), and
`expect` with any of: `status` (base -> current status), `history` (base -> its statuses in
order), `problems` (texts that printed problems contain), `no_problems` (words no problem
contains), `invalid` (true: the data must be rejected), `pages` and `absent` (generated page
-> texts it must or must not contain), `geojson` (base -> expected geometry or properties).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from generator import derive
from generator.build import generate
from generator.cache import OutputCache
from generator.exports import render_exports
from generator.validate import load_dataset
from generator.write import write_tree
from tests.conftest import FIXTURES
from tests.test_bad_inputs import apply_case

CASES = sorted((Path(__file__).parent / "cases").glob("*.yaml"))


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> OutputCache:
    return OutputCache(tmp_path_factory.mktemp("cases-cache"))  # charts shared between cases


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case(path: Path, tmp_path: Path, cache: OutputCache):
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    expect = case["expect"]
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "mini", data)
    (data / "events" / "2020").mkdir(exist_ok=True)
    apply_case(case, data)
    dataset, problems = load_dataset(data)
    printed = [p.format().replace(f"{data}/", "") for p in problems]
    for text in expect.get("problems", ()):
        assert any(text in line for line in printed), (text, printed)
    for word in expect.get("no_problems", ()):
        assert not any(word in line for line in printed), printed
    if expect.get("invalid"):
        assert dataset is None
        return
    assert dataset is not None, printed
    for base_id, status in expect.get("status", {}).items():
        assert derive.current_status(dataset, base_id) == status, base_id
    for base_id, statuses in expect.get("history", {}).items():
        assert [c.status for c in derive.status_history(dataset, base_id)] == statuses
    if "pages" in expect or "absent" in expect:
        docs = tmp_path / "docs"
        write_tree(docs, generate(dataset, cache).files)
        for rel, texts in expect.get("pages", {}).items():
            page = (docs / rel).read_text(encoding="utf-8")
            for text in texts:
                assert text in page, (rel, text)
        for rel, texts in expect.get("absent", {}).items():
            page = (docs / rel).read_text(encoding="utf-8")
            for text in texts:
                assert text not in page, (rel, text)
    if "geojson" in expect:
        features = json.loads(render_exports(dataset)["bases.geojson"])["features"]
        by_id = {f["id"]: f for f in features}
        for base_id, wanted in expect["geojson"].items():
            feature = by_id[base_id]
            for key, value in wanted.items():
                found = feature["geometry"] if key == "geometry" else feature["properties"][key]
                assert found == value, (base_id, key)
