"""Data exports (CSV, JSON, GeoJSON, schemas) and Atom feeds, on the real data and the mini fixture."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from generator.exports import claim_compact, write_exports
from generator.feeds import write_feeds
from generator.validate import load_dataset

ROOT = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SITE = "https://example.org/briefing/"


def _load(path: Path):
    dataset, problems = load_dataset(path)
    assert dataset is not None, [p.format() for p in problems]
    return dataset


@pytest.fixture(scope="module")
def real():
    return _load(ROOT / "tests" / "fixtures" / "record-2025")  # frozen: its facts are asserted


@pytest.fixture(scope="module")
def mini_dataset():
    return _load(FIXTURES / "mini")


@pytest.fixture(scope="module")
def real_out(real, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("exports")
    write_exports(real, out)
    write_feeds(real, out, SITE)
    return out


def _csv_rows(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def _every_file(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


# -- CSV ----------------------------------------------------------------------------------
def test_events_csv_has_one_row_per_event_sorted_by_id(real, real_out):
    rows = _csv_rows(real_out / "events.csv")
    assert len(rows) == len(real.events)
    ids = [r["id"] for r in rows]
    assert ids == sorted(e.id for e in real.events)
    assert len(set(ids)) == len(ids)


def test_csv_opens_with_bom_and_holds_arabic(real_out):
    for name in ("events.csv", "sources.csv"):
        data = (real_out / name).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf"), name
    rows = _csv_rows(real_out / "events.csv")
    assert all(r["summary_ar"] for r in rows)
    assert any("\u0600" <= ch <= "\u06ff" for ch in rows[0]["summary_ar"])
    assert {"summary_en", "date_precision", "end_date", "independent_origins"} <= set(rows[0])


def test_csv_claims_are_compact(real, real_out):
    rows = {r["id"]: r for r in _csv_rows(real_out / "events.csv")}
    with_claims = [e for e in real.events if e.figures]
    assert with_claims, "the real data should hold at least one figure"
    for event in with_claims:
        parts = rows[event.id]["claims"].split("; ")
        assert len(parts) == len(event.figures)
        for part, claim in zip(parts, event.figures):
            assert part == claim_compact(claim)
            quantity, amount, qualifier, source = part.split(":")
            assert source in real.sources
            assert amount.split("-")[0] == str(claim.value)


def test_sources_csv_has_every_source(real, real_out):
    rows = _csv_rows(real_out / "sources.csv")
    assert [r["id"] for r in rows] == sorted(real.sources)


# -- JSON ---------------------------------------------------------------------------------
def test_events_json_has_claims_with_sources(real, real_out):
    text = (real_out / "events.json").read_text(encoding="utf-8")
    assert "\\u06" not in text  # ensure_ascii=False: Arabic is written as itself
    events = json.loads(text)["events"]
    assert len(events) == len(real.events)
    by_id = {e["id"]: e for e in events}
    for event in real.events:
        record = by_id[event.id]
        assert record["sources"] == list(event.sources)
        assert record["summary_ar"] == event.summary.ar
        assert record["independent_origins"] >= 1
        assert len(record["claims"]) == len(event.figures)
        for claim in record["claims"]:
            assert claim["source"] in real.sources
            assert {"quantity", "value", "max", "qualifier"} <= set(claim)
    assert any(e["claims"] for e in events)


# -- GeoJSON ------------------------------------------------------------------------------
def test_geojson_has_bases_in_lon_lat_order(real, real_out):
    collection = json.loads((real_out / "bases.geojson").read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"
    features = collection["features"]
    assert len(features) == len(real.bases) == 7
    by_id = {f["properties"]["id"]: f for f in features}
    qasrak = real.bases["qasrak"]
    assert by_id["qasrak"]["geometry"] == {
        "type": "Point",
        "coordinates": [qasrak.location.lon, qasrak.location.lat],
    }
    for feature in features:
        lon, lat = feature["geometry"]["coordinates"]
        assert 35 <= lon <= 43 and 32 <= lat <= 38  # Syria: longitude first
        props = feature["properties"]
        assert props["name_en"] and props["name_ar"]
        assert props["status"] in real.taxonomy.statuses
        assert {"kind", "governorate", "precision"} <= set(props)


def test_schemas_are_copied(real_out):
    source = sorted(p.name for p in (ROOT / "generator" / "schemas").glob("*.schema.json"))
    copied = sorted(p.name for p in (real_out / "schemas").glob("*.schema.json"))
    assert copied == source
    for name in copied:
        json.loads((real_out / "schemas" / name).read_text(encoding="utf-8"))


# -- Atom ---------------------------------------------------------------------------------
@pytest.mark.parametrize("lang, path", [("en", "feed.xml"), ("ar", "ar/feed.xml")])
def test_site_feed_is_atom(real, real_out, lang, path):
    root = ET.parse(real_out / path).getroot()
    assert root.tag == f"{ATOM}feed"
    assert root.get(XML_LANG) == lang
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == min(len(real.events), 50)
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == len(ids)
    prefix = SITE if lang == "en" else f"{SITE}ar/"
    assert all(i.startswith(f"{prefix}chronology/") and "/#" in i for i in ids)
    updated = [e.findtext(f"{ATOM}updated") for e in entries]
    assert updated == sorted(updated, reverse=True)  # newest first
    assert root.findtext(f"{ATOM}updated") == updated[0]
    assert all(u.endswith("T00:00:00Z") for u in updated)
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links["self"] == f"{SITE}{path}"
    assert links["alternate"] == prefix
    for entry in entries:
        assert entry.findtext(f"{ATOM}title")
        assert entry.findtext(f"{ATOM}summary")
        assert entry.find(f"{ATOM}link").get("href") == entry.findtext(f"{ATOM}id")


def test_base_feeds(real, real_out):
    for lang in ("en", "ar"):
        prefix = "" if lang == "en" else "ar/"
        for base_id in real.bases:
            root = ET.parse(real_out / prefix / "bases" / base_id / "feed.xml").getroot()
            assert root.tag == f"{ATOM}feed" and root.get(XML_LANG) == lang
            entries = root.findall(f"{ATOM}entry")
            assert len(entries) == len(real.events_of_base(base_id))
            links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
            assert links["alternate"] == f"{SITE}{prefix}bases/{base_id}/"


def test_feed_limit_and_entry_ids(mini_dataset, tmp_path):
    write_feeds(mini_dataset, tmp_path, SITE, limit=2)
    root = ET.parse(tmp_path / "feed.xml").getroot()
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 2
    newest = sorted(mini_dataset.events, key=lambda e: e.sort_key, reverse=True)[0]
    assert entries[0].findtext(f"{ATOM}id") == (
        f"{SITE}chronology/{newest.date.anchor.year}/#{newest.id}"
    )


# -- mini fixture and determinism ---------------------------------------------------------
def test_mini_fixture_exports(mini_dataset, tmp_path):
    write_exports(mini_dataset, tmp_path)
    write_feeds(mini_dataset, tmp_path, SITE)
    rows = _csv_rows(tmp_path / "events.csv")
    assert len(rows) == len(mini_dataset.events)
    features = json.loads((tmp_path / "bases.geojson").read_text(encoding="utf-8"))["features"]
    assert len(features) == len(mini_dataset.bases)
    root = ET.parse(tmp_path / "ar" / "feed.xml").getroot()
    assert len(root.findall(f"{ATOM}entry")) == len(mini_dataset.events)


@pytest.mark.parametrize("data", ["real", "mini_dataset"])
def test_two_writes_give_identical_bytes(data, request, tmp_path):
    dataset = request.getfixturevalue(data)
    first, second = tmp_path / "a", tmp_path / "b"
    for out in (first, second):
        paths = write_exports(dataset, out) + write_feeds(dataset, out, SITE)
        assert all(p.is_file() for p in paths)
    assert _every_file(first) == _every_file(second)
    before = {p: p.stat().st_mtime_ns for p in first.rglob("*") if p.is_file()}
    write_exports(dataset, first)
    write_feeds(dataset, first, SITE)
    assert {p: p.stat().st_mtime_ns for p in first.rglob("*") if p.is_file()} == before


def test_corrections_reach_the_feeds_as_updates(tmp_path):
    import shutil
    import xml.etree.ElementTree as ET

    from generator.feeds import write_feeds
    from generator.validate import load_dataset

    data = tmp_path / "data"
    shutil.copytree(Path(__file__).parent / "fixtures" / "mini", data)
    event = data / "events/2025/2025-11-12-qasrak-convoy.yaml"
    event.write_text(
        event.read_text(encoding="utf-8")
        + "retracted:\n  date: '2026-03-01'\n"
        + "  note: {en: The convoy was misreported., ar: نُقل خبر الرتل خطأً.}\n",
        encoding="utf-8",
    )
    dataset, problems = load_dataset(data)
    assert dataset is not None, [p.format() for p in problems]
    write_feeds(dataset, tmp_path / "site", "https://example.org/")
    atom = "{http://www.w3.org/2005/Atom}"
    root = ET.parse(tmp_path / "site" / "feed.xml").getroot()
    first = root.find(f"{atom}entry")
    assert first.findtext(f"{atom}title").startswith("Retracted: ")
    assert first.findtext(f"{atom}updated") == "2026-03-01T00:00:00Z"
    assert "1 March 2026: The convoy was misreported." in first.findtext(f"{atom}summary")
    assert root.findtext(f"{atom}updated") == "2026-03-01T00:00:00Z"
