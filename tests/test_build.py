"""The whole build: strict MkDocs on small data, invalid data, and failures that publish nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.build import build_site
from generator.errors import DataError
from tests.conftest import ROOT
from tests.sitecheck import parse

HOSTILE = "<script>alert(1)</script> [x](javascript:alert(1)) {{ 7*7 }}"


def tree(path: Path) -> dict[str, bytes]:
    return {
        p.relative_to(path).as_posix(): p.read_bytes()
        for p in sorted(path.rglob("*"))
        if p.is_file()
    }


def test_hostile_text_reaches_the_reader_as_literal_text(mini, tmp_path):
    event = mini / "events/2025/2025-11-12-qasrak-convoy.yaml"
    event.write_text(
        event.read_text(encoding="utf-8").replace(
            "A convoy of about 25 trucks reached Qasrak.", HOSTILE
        ),
        encoding="utf-8",
    )
    build_site(mini, tmp_path / "site")
    html = (tmp_path / "site/bases/qasrak/index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; [x](javascript:alert(1)) {{ 7*7 }}" in html
    assert not [
        a
        for a in parse(tmp_path / "site/bases/qasrak/index.html").find("a")
        if a.attrs.get("href", "").startswith("javascript:")
    ]


def test_invalid_data_publishes_nothing_and_keeps_the_previous_site(mini, tmp_path):
    site = tmp_path / "site"
    assert build_site(mini, site).pdfs > 0  # PDFs are made
    before = tree(site)
    event = mini / "events/2025/2025-11-12-qasrak-convoy.yaml"
    event.write_text(
        event.read_text(encoding="utf-8").replace("bases: [qasrak]", "bases: [nowhere]"),
        encoding="utf-8",
    )
    with pytest.raises(DataError) as failure:
        build_site(mini, site)
    assert "unknown base 'nowhere'" in failure.value.problems[0].format()
    assert tree(site) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "site"]  # no leftovers


def test_a_failing_mkdocs_build_keeps_the_previous_site(mini, tmp_path):
    site = tmp_path / "site"
    build_site(mini, site)
    before = tree(site)
    broken_config = tmp_path / "mkdocs.yml"
    broken_config.write_text(
        (ROOT / "mkdocs.yml")
        .read_text(encoding="utf-8")
        .replace(
            "  - Methodology: methodology.md",
            "  - Methodology: methodology.md\n  - Missing: missing.md",
        ),
        encoding="utf-8",
    )
    (tmp_path / "generator").symlink_to(ROOT / "generator")
    (tmp_path / "docs").symlink_to(ROOT / "docs")
    from mkdocs.exceptions import Abort

    with pytest.raises(Abort):
        build_site(mini, site, config_file=broken_config)
    assert tree(site) == before


def test_cli_build_reports_data_errors_with_exit_code_1(mini, tmp_path):
    event = mini / "events/2025/2025-11-12-qasrak-convoy.yaml"
    event.write_text(
        event.read_text(encoding="utf-8").replace('"2025-11-12"', '"2025-02-30"'), encoding="utf-8"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "generator",
            "build",
            "--data",
            str(mini),
            "--out",
            str(tmp_path / "site"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 1
    assert "'2025-02-30' is not a valid date (hint: February 2025 has 28 days)" in result.stderr
    assert not (tmp_path / "site").exists()


def test_two_builds_of_the_same_data_are_byte_identical(mini, tmp_path):
    build_site(mini, tmp_path / "one")
    build_site(mini, tmp_path / "two")
    one, two = tree(tmp_path / "one"), tree(tmp_path / "two")
    assert one.keys() == two.keys()
    assert [name for name in one if one[name] != two[name]] == []
    assert b"<lastmod>2026-02-21</lastmod>" in one["sitemap.xml"]  # from the data, not the clock


def charts_of(tree_: dict[str, bytes]) -> dict[str, bytes]:
    return {name: data for name, data in tree_.items() if name.startswith("charts/")}


def test_an_edit_redraws_only_the_charts_that_show_it(mini, tmp_path, monkeypatch):
    """The cache serves a chart whose plan did not change; an edited figure is drawn anew,
    as a clean build draws it."""
    monkeypatch.setenv("BRIEFING_CACHE", str(tmp_path / "cache"))
    site = tmp_path / "site"
    times = build_site(mini, site, pdf=False)
    assert times.mkdocs > 0 and times.pdfs is None and "PDFs" not in str(times)
    first = charts_of(tree(site))
    assert len(first) > 4
    cached = sorted((tmp_path / "cache" / "charts").iterdir())
    assert len(cached) == len(first)

    event = mini / "events/2025/2025-11-12-qasrak-convoy.yaml"
    event.write_text(event.read_text(encoding="utf-8").replace("value: 100", "value: 60"))
    build_site(mini, site, pdf=False)
    second = charts_of(tree(site))
    changed = sorted(name for name in first if first[name] != second[name])
    figures = [
        f"charts/{lang}/base-qasrak-figures{v}.svg"
        for lang in ("ar", "en")
        for v in ("", ".narrow")
    ]
    assert changed == sorted(figures)  # the page's drawing and the phone's
    assert len(list((tmp_path / "cache" / "charts").iterdir())) == len(first) + 4
    monkeypatch.setenv("BRIEFING_CACHE", str(tmp_path / "clean"))
    build_site(mini, tmp_path / "clean-site", pdf=False)
    assert tree(tmp_path / "clean-site") == tree(site)


def test_cli_pdf_makes_a_briefing_for_a_base_and_period(tmp_path):
    out = tmp_path / "qasrak-ar.pdf"
    command = [
        sys.executable,
        "-m",
        "generator",
        "pdf",
        "--lang",
        "ar",
        "--base",
        "qasrak",
        "--from",
        "2025-08",
        "--to",
        "2026-02",
        "-o",
        str(out),
    ]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert "قسرك" in text.translate({c: None for c in (0x200E, 0x200F, *range(0x202A, 0x202F))})
    command[command.index("qasrak")] = "nowhere"
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2 and "no base 'nowhere'" in result.stderr


def test_a_build_killed_midway_leaves_the_previous_site_untouched(mini, tmp_path):
    import signal
    import time

    site = tmp_path / "site"
    build_site(mini, site, pdf=False)
    before = tree(site)
    event = mini / "events/2025/2025-11-12-qasrak-convoy.yaml"
    event.write_text(
        event.read_text(encoding="utf-8").replace("reached Qasrak", "reached Qasrak again"),
        encoding="utf-8",
    )
    command = [
        sys.executable,
        "-m",
        "generator",
        "build",
        "--data",
        str(mini),
        "--out",
        str(site),
    ]
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".site-*/site/index.html")) and time.monotonic() < deadline:
        time.sleep(0.05)  # wait until MkDocs is writing the new site
    assert process.poll() is None, "the build ended before it could be interrupted"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert tree(site) == before
    build_site(mini, site, pdf=False)  # the next build cleans up
    assert "reached Qasrak again" in (site / "bases/qasrak/index.html").read_text(encoding="utf-8")
    assert not list(tmp_path.glob(".site-*"))
