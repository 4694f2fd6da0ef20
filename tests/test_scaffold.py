"""Scaffolded files validate as written; the quality report finds what it claims to."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from generator.errors import errors_only
from generator.quality import format_report, quality_report
from generator.scaffold import EVENT_SCHEMA_LINE, new_event, new_source
from generator.validate import load_dataset
from tests.conftest import ROOT  # noqa: E402


@pytest.fixture
def real(tmp_path: Path) -> Path:
    target = tmp_path / "real"
    shutil.copytree(ROOT / "data", target)
    return target


def assert_valid(data_dir: Path):
    dataset, problems = load_dataset(data_dir)
    assert dataset is not None, [p.format() for p in errors_only(problems)]
    return dataset, problems


def errors(data_dir: Path) -> list[str]:
    dataset, problems = load_dataset(data_dir)
    assert dataset is None
    return [p.format() for p in errors_only(problems)]


def fill_in_event(path: Path, source: str) -> None:
    text = path.read_text(encoding="utf-8")
    text = text.replace("TODO: summary in your own words", "A convoy reached the base.")
    text = text.replace("للإنجاز: ملخص بكلماتك", "وصل رتل إلى القاعدة.")
    path.write_text(text.replace("sources: []", f"sources: [{source}]"), encoding="utf-8")


def fill_in_source(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    text = text.replace("TODO: publisher", "Example Agency").replace(
        "للإنجاز: الجهة الناشرة", "وكالة مثال"
    )
    path.write_text(text, encoding="utf-8")


def test_a_new_event_fails_validation_until_it_is_filled_in(mini: Path):
    path = new_event(mini, "qasrak", "reinforcement_convoy", "2025-11-12")
    assert path == mini / "events/2025/2025-11-12-qasrak-reinforcement-convoy.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == EVENT_SCHEMA_LINE
    assert "sources: []" in text  # no source is cited for the editor
    rel = "events/2025/2025-11-12-qasrak-reinforcement-convoy.yaml"
    found = errors(mini)
    assert any(rel in e and "summary.en: 'TODO' marks unfinished text" in e for e in found), found
    assert any(rel in e and "summary.ar: 'للإنجاز' marks unfinished text" in e for e in found)
    assert any(rel in e and "sources" in e for e in found), found
    fill_in_event(path, "report-b")
    dataset, _ = assert_valid(mini)
    event = next(e for e in dataset.events if e.id == path.stem)
    assert event.bases == ("qasrak",)
    assert event.actors == ("us_led_coalition",)
    assert event.confidence == "low"  # lowest rank
    assert event.sources == ("report-b",)
    assert event.date.precision == "day"


def test_the_cli_prints_the_next_steps(mini: Path):
    import subprocess
    import sys

    command = [sys.executable, "-m", "generator", "new", "event", "--data", str(mini)]
    done = subprocess.run(
        [*command, "--base", "qasrak", "--type", "expansion", "--date", "2025-11-12"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("2025-11-12-qasrak-expansion.yaml")
    assert "next steps" in done.stderr and "briefing validate" in done.stderr


def test_new_event_next_free_id_and_month_date(mini: Path):
    first = new_event(mini, "qasrak", "expansion", "2025-11", source="report-a")
    assert first.name == "2025-11-01-qasrak-expansion-2.yaml"  # qasrak-expansion exists
    second = new_event(mini, "qasrak", "expansion", "2025-11", source="report-a")
    assert second.name == "2025-11-01-qasrak-expansion-3.yaml"
    custom = new_event(mini, "al-tanf", "handover", "2025-12-01", slug="x", source="report-b")
    assert custom.name == "2025-12-01-x.yaml"
    for path in (first, second, custom):
        fill_in_event(path, "report-a")
    # a handover needs handover_to: that is the editor's job, and the only error left
    assert [e.split(": ", 2)[-1] for e in errors(mini)] == [
        "a handover must say to whom (hint: add handover_to: with the actor id that received "
        "the base)"
    ]
    custom.unlink()
    second.unlink()
    dataset, _ = assert_valid(mini)
    event = next(e for e in dataset.events if e.id == first.stem)
    assert event.date.precision == "month"


def test_new_event_and_source_validate_in_real_data_once_filled_in(real: Path):
    source = new_source(
        real,
        "https://www.Example.org/news/2025/Convoy-Report.html",
        "2025-11-20",
        today=date(2025, 11, 21),
    )
    assert source.name == "example-org-news-2025-convoy-report.yaml"
    event = new_event(real, "qasrak", "reinforcement_convoy", "2025-11-12", source=source.stem)
    assert event.parent == real / "events/2025"
    assert any("publisher.en: 'TODO'" in e for e in errors(real))
    fill_in_source(source)
    fill_in_event(event, source.stem)
    dataset, _ = assert_valid(real)
    made = dataset.sources[source.stem]
    assert made.url.startswith("https://www.Example.org/")
    assert made.accessed == "2025-11-21" and made.language == "ar"
    assert made.published.value == "2025-11-20"
    assert any(e.id == event.stem for e in dataset.events)


def test_a_new_source_without_a_date_leaves_it_out(mini: Path):
    path = new_source(mini, "https://example.org/news/2025/convoy-report", today=date(2025, 11, 21))
    text = path.read_text(encoding="utf-8")
    assert "published" not in text and 'accessed: "2025-11-21"' in text
    fill_in_source(path)
    dataset, _ = assert_valid(mini)
    assert dataset.sources[path.stem].published is None


def test_long_source_slug(mini: Path):
    path = new_source(mini, "https://news.example.com/" + "very-long-segment/" * 10, "2025-11-20")
    assert len(path.stem) <= 60 and not path.stem.endswith("-")
    fill_in_source(path)
    assert_valid(mini)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"base": "nowhere", "type_": "expansion", "date": "2025-11-12"}, "unknown base"),
        ({"base": "qasrak", "type_": "party", "date": "2025-11-12"}, "unknown event type"),
        ({"base": "qasrak", "type_": "expansion", "date": "2025-13-01"}, "not a valid date"),
        ({"base": "qasrak", "type_": "expansion", "date": "12/11/2025"}, "not a valid date"),
        (
            {"base": "qasrak", "type_": "expansion", "date": "2025-11-12", "slug": "Bad Slug"},
            "slug",
        ),
        (
            {"base": "qasrak", "type_": "expansion", "date": "2025-11-12", "source": "nope"},
            "unknown source",
        ),
    ],
)
def test_new_event_errors(mini: Path, kwargs: dict, message: str):
    with pytest.raises(ValueError, match=message):
        new_event(mini, **kwargs)
    assert not list((mini / "events").glob("*/*qasrak-expansion-2*"))


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://example.org/x", "https://", "example.org/x"]
)
def test_new_source_rejects_non_http(mini: Path, url: str):
    with pytest.raises(ValueError, match="http"):
        new_source(mini, url, "2025-11-20")


def test_quality_report_on_mini(mini: Path):
    dataset, problems = assert_valid(mini)
    report = quality_report(dataset, problems)
    assert list(report) == [
        "pending_translations",
        "single_origin_events",
        "bases_without_coordinates",
        "sources_without_archive",
        "sources_without_url",
        "conflicting_figures",
    ]
    assert report["pending_translations"] == []
    # the convoy cites report-a and report-b, but report-b only relays report-a
    single = {item["event"]: item for item in report["single_origin_events"]}
    assert single["2025-11-12-qasrak-convoy"]["origin"] == "report-a"
    assert single["2025-11-12-qasrak-convoy"]["sources"] == ["report-a", "report-b"]
    (conflict,) = report["conflicting_figures"]
    assert conflict["event"] == "2025-11-12-qasrak-convoy"
    assert (conflict["quantity"], conflict["low"], conflict["high"]) == ("trucks", 25, 100)
    assert {s["source"] for s in report["sources_without_archive"]} == {"report-a", "report-b"}
    assert report["sources_without_url"] == []
    assert report["bases_without_coordinates"] == []


def test_quality_report_catches_each_category(mini: Path):
    event = mini / "events/2025/2025-11-01-qasrak-expansion.yaml"
    event.write_text(
        event.read_text(encoding="utf-8").replace(
            "  ar: أفيد بأعمال لتوسيع القاعدة.\n", "  pending_translation: [ar]\n"
        ),
        encoding="utf-8",
    )
    source = mini / "sources/report-a.yaml"
    source.write_text(
        source.read_text(encoding="utf-8").replace("url: https://example.org/report-a\n", ""),
        encoding="utf-8",
    )
    b = mini / "sources/report-b.yaml"
    b.write_text(
        b.read_text(encoding="utf-8").replace("via: report-a\n", "")
        + "archive_url: https://web.archive.org/web/2026/https://example.com/report-b\n",
        encoding="utf-8",
    )
    base = mini / "bases/qasrak.yaml"
    base.write_text(
        base.read_text(encoding="utf-8").replace("precision: approximate", "precision: area"),
        encoding="utf-8",
    )
    dataset, problems = assert_valid(mini)
    report = quality_report(dataset, problems)
    assert report["pending_translations"] == [
        {"file": str(event), "field": "summary", "language": "ar"}
    ]
    # without the problems list, the dataset's own pending marks are used
    fallback = quality_report(dataset)["pending_translations"]
    assert fallback == [{"file": str(event), "field": "summary", "language": "ar"}]
    assert [s["source"] for s in report["sources_without_url"]] == ["report-a"]
    assert [s["source"] for s in report["sources_without_archive"]] == ["report-a"]
    assert [b["base"] for b in report["bases_without_coordinates"]] == ["qasrak"]
    # report-b is now independent: the convoy has two origins
    singles = {item["event"] for item in report["single_origin_events"]}
    assert "2025-11-12-qasrak-convoy" not in singles
    assert "2025-11-01-qasrak-expansion" in singles

    text = format_report(report)
    assert "[pending_translations]: 1" in text
    assert "[conflicting_figures]: 1" in text
    assert "2025-11-12-qasrak-convoy: trucks report-a 25, report-b 100" in text
    assert json.loads(format_report(report, "json")) == report
    with pytest.raises(ValueError):
        format_report(report, "xml")


def test_quality_report_json_keeps_arabic(real: Path):
    dataset, problems = assert_valid(real)
    out = format_report(quality_report(dataset, problems), fmt="json")
    assert "\\u06" not in out
    assert list(json.loads(out)) == sorted(json.loads(out))
