"""The build cache saves work and never changes the output.

A run that reuses .cache/ (parsed records, rendered cards, charts) after edits must write
exactly the bytes a clean run writes, and must leave the files an edit does not affect alone.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from generator.build import generate
from generator.pages import MONTHLY_PAGES_OVER, monthly_years
from generator.validate import load_dataset
from tests.test_synth import load_synth


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def mtimes(root: Path) -> dict[str, int]:
    return {
        p.relative_to(root).as_posix(): p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()
    }


def replace_in(path: Path, pattern: str, replacement: str) -> None:
    text = path.read_text(encoding="utf-8")
    changed, count = re.subn(pattern, replacement, text, count=1, flags=re.M)
    assert count == 1, f"{pattern!r} not found in {path}"
    path.write_text(changed, encoding="utf-8")


@pytest.fixture
def synthetic(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    load_synth().synthesize(data, events=40, bases=3, years=1, seed=11)
    return data


def clean_generate(data: Path, where: Path) -> dict[str, bytes]:
    generate(data, where / "docs", cache_dir=where / "cache")
    return tree(where / "docs")


def first_event_file(data: Path) -> Path:
    return sorted((data / "events").rglob("*.yaml"))[0]


def test_a_cached_run_after_edits_writes_what_a_clean_run_writes(synthetic, tmp_path):
    staging, cache = tmp_path / "docs", tmp_path / "cache"
    generate(synthetic, staging, cache_dir=cache)
    edits = [
        (first_event_file(synthetic), r"^  en: .*$", "  en: An edited summary of the first event."),
        (sorted((synthetic / "sources").glob("*.yaml"))[0], r"^  en: .*$", "  en: Renamed Monitor"),
        (sorted((synthetic / "bases").glob("*.yaml"))[0], r"^  en: .*$", "  en: Renamed Base"),
    ]
    for path, pattern, replacement in edits:
        replace_in(path, pattern, replacement)
        generate(synthetic, staging, cache_dir=cache)
        assert tree(staging) == clean_generate(synthetic, tmp_path / f"clean-{path.stem}")
    moved = sorted((synthetic / "events").rglob("*.yaml"))[5]  # to another month and base
    replace_in(moved, r"^date: .*$", "date: '2023-01-15'")
    replace_in(moved, r"^- base-\d+$", f"- {sorted((synthetic / 'bases').glob('*.yaml'))[-1].stem}")
    replace_in(synthetic / "taxonomy.yaml", r"^      en: .*$", "      en: Relabelled")
    retracted = sorted((synthetic / "events").rglob("*.yaml"))[7]
    retraction = "retracted:\n  date: '2023-06-01'\n  note:\n    en: Withdrawn.\n    ar: سُحب.\n"
    retracted.write_text(retracted.read_text(encoding="utf-8") + retraction, encoding="utf-8")
    sorted((synthetic / "events").rglob("*.yaml"))[9].unlink()
    generate(synthetic, staging, cache_dir=cache)
    assert tree(staging) == clean_generate(synthetic, tmp_path / "clean-moved")
    original = first_event_file(synthetic)
    added = original.with_name(f"{original.stem}-added.yaml")
    shutil.copy(original, added)
    replace_in(added, r"^id: .*$", f"id: {added.stem}")
    generate(synthetic, staging, cache_dir=cache)
    assert tree(staging) == clean_generate(synthetic, tmp_path / "clean-added")


def test_editing_a_summary_rewrites_only_the_pages_that_show_it(synthetic, tmp_path):
    staging, cache = tmp_path / "docs", tmp_path / "cache"
    generate(synthetic, staging, cache_dir=cache)
    before = mtimes(staging)
    path = first_event_file(synthetic)
    replace_in(path, r"^  en: .*$", "  en: An edited summary, shown on a few pages only.")
    report = generate(synthetic, staging, cache_dir=cache)
    dataset, _ = load_dataset(synthetic)
    event = next(e for e in dataset.events if e.file == str(path))
    year = event.date.anchor.year
    expected = {f"bases/{b}.en.md" for b in event.bases} | {f"chronology/{year}.en.md"}
    assert set(report.written) - {"index.en.md"} == expected
    after = mtimes(staging)
    untouched = {rel for rel in before if rel not in report.written}
    assert {rel for rel in untouched if after[rel] != before[rel]} == set()
    assert "sources/index.en.md" in untouched and not any(".ar." in w for w in report.written)


def test_a_large_year_gets_a_page_per_month_and_events_keep_their_anchor(tmp_path):
    data = tmp_path / "data"
    load_synth().synthesize(data, events=2 * MONTHLY_PAGES_OVER + 100, bases=2, years=1, seed=5)
    docs = clean_generate(data, tmp_path / "out")
    dataset, _ = load_dataset(data)
    large = monthly_years(dataset)
    assert large
    event = next(e for e in dataset.events if e.date.anchor.year in large)
    anchor = event.date.anchor
    month_page = f"chronology/{anchor.year}-{anchor.month:02d}.en.md"
    assert month_page in docs
    assert f'id="{event.id}"'.encode() in docs[month_page]
    year_page = docs[f"chronology/{anchor.year}.en.md"].decode()
    assert (
        f"../{anchor.year}-{anchor.month:02d}/" in year_page and 'class="bf-event"' not in year_page
    )
    largest = max(
        v.count(b'<article class="bf-event') for k, v in docs.items() if "chronology/" in k
    )
    assert largest < MONTHLY_PAGES_OVER


def test_a_cache_file_rewritten_by_another_process_is_read_again(tmp_path):
    """A server keeps the cache in memory, but only while the file on disk is unchanged."""
    import pickle

    from generator.cache import KeyedStore, keep_in_memory

    keep_in_memory()
    try:
        path = tmp_path / "store.pickle"
        first = KeyedStore(path, "v1")
        first.put("a", "from this process")
        first.save()
        assert KeyedStore(path, "v1").get("a") == "from this process"

        other = tmp_path / "other.pickle"  # what another process writes and moves in place
        other.write_bytes(pickle.dumps(("v1", {"a": "from another process"})))
        other.replace(path)
        assert KeyedStore(path, "v1").get("a") == "from another process"
        assert KeyedStore(path, "v2").get("a") is None  # other code version: nothing reused
    finally:
        keep_in_memory(False)


def test_a_sharded_store_rewrites_only_the_files_whose_entries_changed(tmp_path):
    from generator.cache import KeyedStore

    path = tmp_path / "cards.pickle"
    first = KeyedStore(path, "v1", shards=8)
    for n in range(200):
        first.put(f"key-{n}", n)
    first.save()
    files = sorted(tmp_path.glob("cards-*.pickle"))
    assert len(files) == 8 and not path.exists()
    before = {f.name: f.stat().st_ino for f in files}  # a rewrite moves a new file in

    second = KeyedStore(path, "v1", shards=8)
    assert all(second.get(f"key-{n}") == n for n in range(199))  # key-199 goes unused
    second.put("new", "added")
    second.save()
    after = {f.name: f.stat().st_ino for f in files}
    rewritten = {name for name in after if after[name] != before[name]}
    assert rewritten == {
        files[second._shard("new")].name,
        files[second._shard("key-199")].name,
    }
    third = KeyedStore(path, "v1", shards=8)
    assert third.get("new") == "added" and third.get("key-199") is None
    assert third.get("key-0") == 0


def test_a_lazy_store_reads_only_the_shards_asked_for_and_leaves_the_others_alone(tmp_path):
    """Event records are read only where an event is checked again."""
    from generator.cache import KeyedStore

    path = tmp_path / "events.pickle"
    first = KeyedStore(path, "v1", shards=8, lazy=True)
    for n in range(200):
        first.put(f"key-{n}", n)
    first.save()
    files = sorted(tmp_path.glob("events-*.pickle"))
    before = {f.name: f.stat().st_ino for f in files}

    second = KeyedStore(path, "v1", shards=8, lazy=True)
    assert second.entries == {}
    assert second.get("key-3") == 3
    read = {second._shard(key) for key in second.entries}
    assert read == {second._shard("key-3")}  # one shard of eight
    second.put("key-new", "new")
    current = {f"key-{n}" for n in range(1, 200)} | {"key-new"}  # key-0's file is gone
    second.save(keep=current)
    after = {f.name: f.stat().st_ino for f in files}
    rewritten = {name for name in after if after[name] != before[name]}
    shards_read = {second._shard("key-3"), second._shard("key-new")}
    assert files[second._shard("key-new")].name in rewritten
    assert rewritten <= {files[shard].name for shard in shards_read}

    third = KeyedStore(path, "v1", shards=8, lazy=True)
    assert third.get("key-new") == "new" and third.get("key-199") == 199
    # an entry no longer wanted goes when its shard is written, and waits until then
    assert (third.get("key-0") is None) == (third._shard("key-0") in shards_read)


def test_the_card_store_reads_only_the_entries_asked_for_and_keeps_what_was_used(tmp_path):
    from generator.cache import LookupStore

    path = tmp_path / "cards.sqlite"
    first = LookupStore(path, "v1")
    for n in range(50):
        first.put(f"key-{n}", f"card {n}")
    first.save()

    second = LookupStore(path, "v1")
    assert second.get("key-7") == "card 7" and second.get("missing") is None
    second.save(drop_unused=False)  # a run that rendered some pages: the others' cards stay
    assert LookupStore(path, "v1").get("key-8") == "card 8"

    third = LookupStore(path, "v1")
    assert third.get("key-7") == "card 7"
    third.put("key-new", "new card")
    third.save()  # a run that rendered every page: what it did not use goes
    fourth = LookupStore(path, "v1")
    assert fourth.get("key-new") == "new card" and fourth.get("key-7") == "card 7"
    assert fourth.get("key-8") is None
    assert LookupStore(path, "v2").get("key-7") is None  # other code version: emptied


def test_a_card_store_that_is_not_a_database_is_made_again(tmp_path):
    from generator.cache import LookupStore

    path = tmp_path / "cards.sqlite"
    path.write_bytes(b"not a database, perhaps a file cut short" * 100)
    store = LookupStore(path, "v1")
    assert store.get("key") is None
    store.put("key", "card")
    store.save()
    assert LookupStore(path, "v1").get("key") == "card"


def test_a_forked_worker_reads_the_card_store_through_a_connection_of_its_own(
    tmp_path, monkeypatch
):
    """A connection opened before a fork is not used in the child, nor closed there."""
    import generator.workers as workers
    from generator.cache import LookupStore
    from generator.workers import in_child

    monkeypatch.setattr(workers.threading, "active_count", lambda: 1)  # fork, as in a build

    store = LookupStore(tmp_path / "cards.sqlite", "v1")
    store.put("key", "card")
    store.save()
    assert store.get("key") == "card"  # the parent's connection is open now
    parent_connection = store._connection

    def read_in_child() -> tuple[str | None, bool]:
        return store.get("key"), store._connection is not parent_connection

    assert in_child(read_in_child) == ("card", True)
    store.put("other", "card two")  # the parent's connection still works
    store.save()
    store.close()  # as before forking workers: the next read opens another
    assert store.get("key") == "card" and store._connection is not parent_connection
    assert LookupStore(tmp_path / "cards.sqlite", "v1").get("other") == "card two"


def _open_card_store(path: Path, barrier, results) -> None:
    from generator.cache import LookupStore

    barrier.wait()
    store = LookupStore(path, "v1")
    store.get("any card")
    results.put(store._failed)


def test_processes_setting_up_a_new_card_store_at_once_take_turns(tmp_path):
    """Page workers start together on a new cache: none may find the file locked and give up
    on the cache (it did, one open in fifteen, with a deferred transaction)."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    failed = 0
    for trial in range(20):
        barrier, results = context.Barrier(4), context.Queue()
        path = tmp_path / f"cards-{trial}.sqlite"
        openers = [
            context.Process(target=_open_card_store, args=(path, barrier, results))
            for _ in range(4)
        ]
        for opener in openers:
            opener.start()
        failed += sum(results.get(timeout=60) for _ in openers)
        for opener in openers:
            opener.join()
    assert failed == 0


def test_pages_rendered_by_worker_processes_are_the_bytes_one_process_renders(
    synthetic, tmp_path, monkeypatch
):
    import generator.build as build

    one_process = clean_generate(synthetic, tmp_path / "one")
    monkeypatch.setattr(build, "PARALLEL_PAGES_OVER", 1)  # workers even for 40 events
    staging, cache = tmp_path / "workers" / "docs", tmp_path / "workers" / "cache"
    report = generate(synthetic, staging, cache_dir=cache)
    assert tree(staging) == one_process
    pages = {rel for rel in one_process if rel.endswith(".md")}
    assert pages and {rel for rel in report.written if rel.endswith(".md")} == pages
    # the cards the workers rendered reached the store: a second run renders none of them
    monkeypatch.setattr(build, "_render_slice", None)  # a fork would fail on this
    monkeypatch.setattr(build, "PARALLEL_PAGES_OVER", 10**9)
    from generator import render

    rendered = []
    original = render.Fragments._cached

    def counting(self, card, key_parts, draw):
        return original(self, card, key_parts, lambda: rendered.append(card) or draw())

    monkeypatch.setattr(render.Fragments, "_cached", counting)
    generate(synthetic, staging, cache_dir=cache)
    assert rendered == []


def test_a_run_renders_only_the_pages_whose_inputs_changed(synthetic, tmp_path):
    """Base and chronology pages (and the sources page) are keyed by the records they show;
    the overview and the indexes, made from every record, are rendered on every run."""
    staging, cache = tmp_path / "docs", tmp_path / "cache"
    first = generate(synthetic, staging, cache_dir=cache)
    every_run = {
        rel
        for rel in first.rendered
        if not rel.startswith(("bases/base-", "chronology/2", "sources/"))
    }
    assert "index.en.md" in every_run and "bases/index.ar.md" in every_run
    assert set(generate(synthetic, staging, cache_dir=cache).rendered) == every_run

    path = first_event_file(synthetic)
    replace_in(path, r"^  en: .*$", "  en: An edited summary, rendered again where it shows.")
    report = generate(synthetic, staging, cache_dir=cache)
    dataset, _ = load_dataset(synthetic)
    event = next(e for e in dataset.events if e.file == str(path))
    shown = {f"bases/{b}" for b in event.bases} | {f"chronology/{event.date.anchor.year}"}
    assert set(report.rendered) - every_run == {
        f"{p}.{lang}.md" for p in shown for lang in ("en", "ar")
    }
    assert not any(".ar." in rel for rel in report.written)  # rendered, and the same bytes


def test_a_staged_page_changed_by_someone_else_is_made_again(synthetic, tmp_path):
    staging, cache = tmp_path / "docs", tmp_path / "cache"
    generate(synthetic, staging, cache_dir=cache)
    page = sorted(staging.glob("bases/base-*.en.md"))[0]
    made = page.read_bytes()
    page.write_bytes(made + b"\nan edit by hand\n")
    report = generate(synthetic, staging, cache_dir=cache)
    assert page.relative_to(staging).as_posix() in report.written
    assert page.read_bytes() == made
