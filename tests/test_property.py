"""Whatever structure a file holds, loading and validating gives a model or a list of
problems: never a traceback."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.validate import load_dataset
from tests.conftest import FIXTURES

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(["qasrak", "2025-11-12", "2025-02-30", "day", "NO", "12:30", "report-a"]),
)
keys = st.one_of(
    st.sampled_from(
        [
            "id",
            "date",
            "date_precision",
            "bases",
            "place",
            "type",
            "actors",
            "summary",
            "en",
            "ar",
            "figures",
            "value",
            "source",
            "sources",
            "confidence",
            "location",
            "lat",
            "lon",
            "precision",
            "via",
            "published",
            "end_date",
        ]
    ),
    st.text(max_size=8),
)
structures = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=6)),
    max_leaves=25,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(event=structures, source=structures)
def test_any_structure_gives_a_dataset_or_problems(event, source):
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(FIXTURES / "mini", data)
        (data / "events/2025/2025-11-12-qasrak-convoy.yaml").write_text(
            yaml.safe_dump(event, allow_unicode=True), encoding="utf-8"
        )
        (data / "sources/report-a.yaml").write_text(
            yaml.safe_dump(source, allow_unicode=True), encoding="utf-8"
        )
        dataset, problems = load_dataset(data)
        assert dataset is not None or problems
        for problem in problems:
            assert problem.line >= 1 and problem.message


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=200))
def test_any_text_file_gives_a_dataset_or_problems(text):
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(FIXTURES / "mini", data)
        (data / "bases/qasrak.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
        dataset, problems = load_dataset(data)
        assert dataset is not None or problems
