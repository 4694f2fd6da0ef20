"""Editor-written briefings: validated like everything else, shown first on the overview,
each key judgement linked to the events behind it, in both languages."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator.build import generate, validated
from generator.cache import OutputCache
from generator.errors import DataError
from generator.validate import load_dataset
from generator.write import write_tree
from tests.conftest import ROOT

BRIEFING = """\
id: "2026-03-01-test"
title: {en: "November to February", ar: "من تشرين الثاني إلى شباط"}
period: {from: "2025-11-01", to: "2026-02-28"}
published: "2026-03-01"
bottom_line:
  en: "Qasrak kept growing while al-Tanf changed hands. Both rest on few reports."
  ar: "واصلت قسرك التوسع فيما انتقلت التنف إلى طرف آخر. ويستند الأمران إلى تقارير قليلة."
judgements:
  - text: {en: "Al-Tanf was handed over.", ar: "سُلّمت التنف."}
    confidence: "high"
    events: ["2026-02-21-al-tanf-handover"]
  - text: {en: "Convoys kept reaching Qasrak.", ar: "واصلت الأرتال الوصول إلى قسرك."}
    confidence: "low"
    events: ["2025-11-12-qasrak-convoy", "2025-11-01-qasrak-expansion"]
"""
PUBLISHER = """\
producer: {en: "The Test Desk", ar: "مكتب الاختبار"}
contact: "desk@example.org"
"""


def with_briefing(mini: Path, text: str = BRIEFING) -> Path:
    (mini / "briefings").mkdir(exist_ok=True)
    path = mini / "briefings" / "2026-03-01-test.yaml"
    path.write_text(text, encoding="utf-8")
    (mini / "publisher.yaml").write_text(PUBLISHER, encoding="utf-8")
    return path


def problems(mini: Path) -> list[str]:
    return [p.format().replace(f"{mini}/", "") for p in load_dataset(mini)[1]]


def test_a_valid_briefing_is_loaded(mini):
    with_briefing(mini)
    dataset, found = load_dataset(mini)
    assert dataset is not None, found
    [briefing] = dataset.briefings
    assert briefing.title.en == "November to February"
    assert [j.confidence for j in briefing.judgements] == ["high", "low"]
    assert dataset.publisher.contact == "desk@example.org"


def test_unknown_events_events_outside_the_period_missing_translations_and_placeholders(mini):
    text = BRIEFING.replace('"2026-02-21-al-tanf-handover"', '"2026-02-21-al-tanf-handoff"')
    text = text.replace('period: {from: "2025-11-01"', 'period: {from: "2025-12-01"')
    text = text.replace("Both rest on few reports.", "TODO: say how sure we are.")
    with_briefing(mini, text)
    found = problems(mini)
    rel = "briefings/2026-03-01-test.yaml"
    expected = [
        f"{rel}:11:14: judgements[0].events[0]: unknown event '2026-02-21-al-tanf-handoff' "
        "(hint: did you mean '2026-02-21-al-tanf-handover'?)",
        "judgements[1].events[0]: event '2025-11-12-qasrak-convoy' (2025-11-12) lies outside "
        "the period (hint: cite events of the period, or widen the period)",
        f"{rel}:6:7: bottom_line.en: 'TODO' marks unfinished text, which would be published "
        "(hint: write the text, or move what is left to do into editor_notes (never published))",
    ]
    for line in expected:
        assert any(line in f for f in found), (line, found)
    assert load_dataset(mini)[0] is None


def test_a_missing_translation_is_an_error(mini):
    with_briefing(mini, BRIEFING.replace(', ar: "سُلّمت التنف."}', "}"))
    found = problems(mini)
    assert any("judgements[0].text" in f and "Arabic" in f for f in found), found
    assert load_dataset(mini)[0] is None


def test_the_overview_opens_with_the_latest_briefing_then_what_changed(mini, tmp_path):
    with_briefing(mini)
    docs = tmp_path / "docs"
    write_tree(docs, generate(validated(mini)[0], OutputCache(None)).files)
    for lang, headings in (
        (
            "en",
            [
                "Bottom line",
                "Key judgements",
                "What changed",
                "Bases and their current status",
                "Latest events",
                "Charts",
                "Headline figures",
            ],
        ),
        (
            "ar",
            [
                "الخلاصة",
                "الاستنتاجات الرئيسية",
                "ما الذي تغيّر",
                "القواعد ووضعها الحالي",
                "أحدث الأحداث",
                "رسوم بيانية",
                "أرقام رئيسية",
            ],
        ),
    ):
        page = (docs / f"index.{lang}.md").read_text(encoding="utf-8")
        found = [h for h in re.findall(r"^#{2,3} (.+)$", page, re.M)]
        positions = [next(i for i, f in enumerate(found) if f.startswith(h)) for h in headings]
        assert positions == sorted(positions), (lang, found)
        assert "Qasrak kept growing" in page if lang == "en" else "واصلت قسرك التوسع" in page


def test_each_key_judgement_links_to_its_events(mini, tmp_path):
    with_briefing(mini)
    docs = tmp_path / "docs"
    write_tree(docs, generate(validated(mini)[0], OutputCache(None)).files)
    for lang in ("en", "ar"):
        page = (docs / f"briefings/2026-03-01-test.{lang}.md").read_text(encoding="utf-8")
        items = re.findall(r"<li><p>.*?</li>", page, re.S)
        assert len(items) == 2
        assert "#2026-02-21-al-tanf-handover" in items[0]
        assert (
            "#2025-11-12-qasrak-convoy" in items[1] and "#2025-11-01-qasrak-expansion" in items[1]
        )
        assert 'href="mailto:desk@example.org"' in page  # who publishes it, at its foot
        index = (docs / f"briefings/index.{lang}.md").read_text(encoding="utf-8")
        assert "2026-03-01-test/" in index
    corrections = (docs / "corrections.en.md").read_text(encoding="utf-8")
    assert 'href="mailto:desk@example.org"' in corrections and "The Test Desk" in corrections


def test_the_real_record_has_a_briefing_whose_judgements_rest_on_its_events():
    dataset, _ = load_dataset(ROOT / "data")
    assert dataset.briefings, "data/briefings/ holds no briefing"
    for briefing in dataset.briefings:
        for judgement in briefing.judgements:
            assert judgement.events and judgement.text.en and judgement.text.ar


def test_every_page_says_when_its_information_ends(built_site):
    for page in ("index.html", "ar/index.html", "bases/qasrak/index.html", "sources/index.html"):
        html = (built_site / page).read_text(encoding="utf-8")
        assert 'class="bf-updated" data-search-exclude data-cutoff="' in html, page
        assert "bf-stale" in html, page
    assert (built_site / "assets/javascripts/stale.js").is_file()


def test_the_cli_validates_a_briefing_file(mini):
    with_briefing(mini)
    done = subprocess.run(
        [sys.executable, "-m", "generator", "validate", str(mini)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr


def test_a_new_briefing_lists_the_period_and_fails_until_written(mini):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "generator",
            "new",
            "briefing",
            "--data",
            str(mini),
            "--from",
            "2025-11",
            "--to",
            "2026-02",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    path = Path(done.stdout.strip())
    text = path.read_text(encoding="utf-8")
    assert "#   2026-02-21 al-tanf: handed_over (2026-02-21-al-tanf-handover)" in text
    assert "#   2025-11-12-qasrak-convoy: reinforcement_convoy at qasrak" in text
    assert "next steps" in done.stderr
    found = problems(mini)
    assert any("title.en: 'TODO' marks unfinished text" in f for f in found), found
    assert load_dataset(mini)[0] is None


def test_the_published_repository_reaches_every_page_and_the_pdfs(mini, tmp_path, monkeypatch):
    """The deploy workflow names the repository it publishes from; pages and PDFs link to it
    as the place for corrections, unless publisher.yaml names its own."""
    with_briefing(mini)
    repository = "https://github.com/example/bases-briefings"
    monkeypatch.setenv("BRIEFING_REPOSITORY_URL", repository)
    dataset, _ = validated(mini)
    assert dataset.publisher.repository == repository
    files = generate(dataset, OutputCache(None)).files
    for page in ("corrections.en.md", "corrections.ar.md", "methodology.ar.md", "index.en.md"):
        assert (
            f'<a href="{repository}"><bdi dir="ltr">{repository}</bdi></a>' in files[page].decode()
        ), page
    out = tmp_path / "overall.pdf"
    command = [sys.executable, "-m", "generator", "pdf", "--data", str(mini), "-o", str(out)]
    env = {**os.environ, "BRIEFING_REPOSITORY_URL": repository}
    assert subprocess.run(command, cwd=ROOT, env=env, capture_output=True).returncode == 0
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert repository in text

    (mini / "publisher.yaml").write_text(
        PUBLISHER + 'repository: "https://example.org/own"\n', encoding="utf-8"
    )
    assert validated(mini)[0].publisher.repository == "https://example.org/own"
    monkeypatch.setenv("BRIEFING_REPOSITORY_URL", "http://insecure.example")
    (mini / "publisher.yaml").write_text(PUBLISHER, encoding="utf-8")
    with pytest.raises(DataError) as refused:
        validated(mini)
    assert "BRIEFING_REPOSITORY_URL" in refused.value.problems[0].format()
