"""Pages generated without MkDocs: escaping, languages, conflicting claims, golden output."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import yaml

from generator.build import generate, validated
from generator.cache import OutputCache
from generator.i18n import LANGUAGES, catalog
from generator.write import write_tree
from tests.conftest import ROOT

GOLDEN = Path(__file__).parent / "golden"


def generate_into(data: Path, out: Path) -> None:
    """What `briefing generate --data DATA --out OUT` does."""
    write_tree(out, generate(validated(data)[0], OutputCache(None)).files)


def generated(mini: Path, tmp_path: Path, rel: str) -> str:
    generate_into(mini, tmp_path / "docs")
    return (tmp_path / "docs" / rel).read_text(encoding="utf-8")


def test_both_languages_have_exactly_the_same_strings():
    assert set(catalog("en")) == set(catalog("ar"))
    for key, value in catalog("en").items():
        if isinstance(value, str):
            other = catalog("ar")[key]
            assert set(_placeholders(value)) == set(_placeholders(other)), key


def _placeholders(text: str) -> list[str]:
    import string

    return [name for _, name, _, _ in string.Formatter().parse(text) if name]


def test_navigation_labels_match_the_string_tables():
    from mkdocs.utils.yaml import get_yaml_loader

    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=get_yaml_loader())
    nav = {label: path for entry in config["nav"] for label, path in entry.items()}
    i18n = next(p["i18n"] for p in config["plugins"] if isinstance(p, dict) and "i18n" in p)
    arabic = next(lang for lang in i18n["languages"] if lang["locale"] == "ar")
    keys = {
        "Overview": "nav.overview",
        "Briefings": "nav.briefings",
        "Bases": "nav.bases",
        "Chronology": "nav.chronology",
        "Sources": "nav.sources",
        "Methodology": "nav.methodology",
        "Corrections": "nav.corrections",
        "Data": "nav.data",
        "Search": "nav.search",
    }
    assert set(nav) == set(keys)
    for label, key in keys.items():
        assert LANGUAGES["en"].t(key) == label
        assert arabic["nav_translations"][label] == LANGUAGES["ar"].t(key)
    assert arabic["site_name"] == LANGUAGES["ar"].t("site.name")
    assert config["site_name"] == LANGUAGES["en"].t("site.name")


def test_every_page_is_generated_in_both_languages(mini, tmp_path):
    generate_into(mini, tmp_path / "docs")
    pages = {p.relative_to(tmp_path / "docs").as_posix() for p in (tmp_path / "docs").rglob("*.md")}
    english = {p.replace(".en.md", "") for p in pages if p.endswith(".en.md")}
    arabic = {p.replace(".ar.md", "") for p in pages if p.endswith(".ar.md")}
    assert english == arabic
    assert {
        "index",
        "bases/index",
        "briefings/index",
        "bases/qasrak",
        "bases/al-tanf",
        "chronology/index",
        "chronology/2025",
        "chronology/2026",
        "sources/index",
        "methodology",
        "corrections",
        "data",
        "search",
    } == english


def test_a_second_generation_rewrites_nothing(mini, tmp_path):
    generate_into(mini, tmp_path / "docs")
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / "docs").rglob("*") if p.is_file()}
    generate_into(mini, tmp_path / "docs")
    assert before == {
        p: p.stat().st_mtime_ns for p in (tmp_path / "docs").rglob("*") if p.is_file()
    }


HOSTILE = "<script>alert(1)</script> [x](javascript:alert(1)) ![i](http://evil.example/i.png) {{ 7*7 }} {% raw %} *bold*"


def test_data_text_is_shown_as_literal_text_never_as_markup(mini, tmp_path):
    path = mini / "events/2025/2025-11-12-qasrak-convoy.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "A convoy of about 25 trucks reached Qasrak.", HOSTILE.replace('"', "'")
        ),
        encoding="utf-8",
    )
    base_page = mini / "bases/qasrak.yaml"
    base_page.write_text(
        base_page.read_text(encoding="utf-8").replace("{en: Qasrak,", "{en: '*Qasrak* <b>x</b>',"),
        encoding="utf-8",
    )
    markdown = generated(mini, tmp_path, "bases/qasrak.en.md")
    assert "<script>" not in markdown and "&lt;script&gt;alert(1)&lt;/script&gt;" in markdown
    assert "{{ 7*7 }}" in markdown and "49" not in markdown
    assert "# \\*Qasrak\\* &lt;b&gt;x&lt;/b&gt;" in markdown


def test_conflicting_claims_are_shown_side_by_side_with_their_sources(mini, tmp_path):
    english = generated(mini, tmp_path, "bases/qasrak.en.md")
    assert "about 25 trucks (" in english and "about 100 trucks (" in english
    assert "about 25–100 trucks" in english  # the range keeps its qualifiers
    arabic = (tmp_path / "docs/bases/qasrak.ar.md").read_text(encoding="utf-8")
    assert "نحو 25 شاحنة" in arabic and "نحو 100 شاحنة" in arabic


def test_latin_names_inside_arabic_text_are_isolated(mini, tmp_path):
    arabic = generated(mini, tmp_path, "bases/qasrak.ar.md")
    assert 'جنوب الطريق <bdi dir="ltr">M4</bdi>.' in arabic


def test_status_history_follows_the_events(mini, tmp_path):
    english = generated(mini, tmp_path, "bases/al-tanf.en.md")
    assert (
        "Handed over</span> to Syrian Ministry of Defense · on or before 21 February 2026"
        in english
    )


def test_golden_pages(mini, tmp_path):
    """Every Markdown page of the small fixture, in both languages, as committed under
    tests/golden/mini/; refresh with UPDATE_GOLDEN=1 after a deliberate change and read the
    diff."""
    generate_into(mini, tmp_path / "docs")
    actual = {
        p.relative_to(tmp_path / "docs").as_posix(): p.read_text(encoding="utf-8")
        for p in sorted((tmp_path / "docs").rglob("*.md"))
    }
    golden_dir = GOLDEN / "mini"
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(golden_dir, ignore_errors=True)
        for rel, text in actual.items():
            (golden_dir / rel).parent.mkdir(parents=True, exist_ok=True)
            (golden_dir / rel).write_text(text, encoding="utf-8")
    golden = {
        p.relative_to(golden_dir).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(golden_dir.rglob("*.md"))
    }
    assert sorted(actual) == sorted(golden)
    for rel, text in actual.items():
        assert text == golden[rel], rel


def test_provenance_counts_relays_once_and_flags_single_origin(mini, tmp_path):
    english = generated(mini, tmp_path, "bases/qasrak.en.md")
    assert (
        "1 independent origin, 1 relay, first reported 14 November 2025, last 21 February 2026 "
        '<span class="bf-single-origin">Single origin</span>'
    ) in english
    overview = (tmp_path / "docs/index.en.md").read_text(encoding="utf-8")
    assert "100% of the record (4 events) rests on a single independent origin" in overview


def test_corrections_and_retractions_stay_visible(mini, tmp_path):
    event = mini / "events/2025/2025-11-12-qasrak-convoy.yaml"
    event.write_text(
        event.read_text(encoding="utf-8")
        + "corrections:\n"
        + "  - date: '2025-12-01'\n    fields: [figures]\n"
        + "    note: {en: The second count was added., ar: أُضيفت الرواية الثانية.}\n"
        + "retracted:\n  date: '2026-01-05'\n"
        + "  note: {en: The convoy was a rotation of the same trucks., ar: تبيّن أن الرتل تبديل للشاحنات نفسها.}\n",
        encoding="utf-8",
    )
    english = generated(mini, tmp_path, "bases/qasrak.en.md")
    assert 'class="bf-event bf-event--retracted" id="2025-11-12-qasrak-convoy"' in english
    assert "Retracted on 5 January 2026." in english
    assert "1 December 2025: The second count was added." in english
    log = (tmp_path / "docs/corrections.ar.md").read_text(encoding="utf-8")
    assert "سُحب" in log and "صُحّح" in log and "#2025-11-12-qasrak-convoy" in log
    overview = (tmp_path / "docs/index.en.md").read_text(encoding="utf-8")
    assert "<td>Trucks</td>" not in overview  # a retracted event adds nothing to the totals


def test_an_event_address_follows_its_own_date_even_beside_a_namesake_in_the_dataset(mini):
    """Addresses are worked out once per dataset; an event that is not the dataset's own (a
    changed copy with the same id) still gets the address of its own date."""
    from dataclasses import replace

    from generator.pages import event_url
    from generator.validate import load_dataset

    dataset, _ = load_dataset(mini)
    event = dataset.events[0]
    assert event_url(dataset, event) == f"chronology/{event.date.anchor.year}/#{event.id}"
    moved = replace(event, date=replace(event.date, value="1999-01-02"))
    assert moved.date.anchor.year == 1999
    assert event_url(dataset, moved) == f"chronology/1999/#{event.id}"
    assert event_url(dataset, event) == f"chronology/{event.date.anchor.year}/#{event.id}"
