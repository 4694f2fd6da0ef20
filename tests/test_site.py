"""The built site, read the way a reader's browser reads it: real MkDocs build, parsed HTML."""

from __future__ import annotations

import gzip
import json
import posixpath
import re
from pathlib import Path
from urllib.parse import urlsplit

from tests.sitecheck import parse

LANG_PREFIX = {"en": "", "ar": "ar/"}
SECTION_PAGES = ["", "bases/", "chronology/", "sources/", "methodology/"]


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_every_page_exists_in_both_languages(built_site, real_dataset):
    years = sorted({e.date.anchor.year for e in real_dataset.events})
    pages = (
        SECTION_PAGES
        + [f"bases/{b}/" for b in real_dataset.bases]
        + [f"chronology/{y}/" for y in years]
    )
    for lang, prefix in LANG_PREFIX.items():
        for page in pages:
            assert (built_site / prefix / page / "index.html").is_file(), (
                f"{lang}: /{prefix}{page} missing"
            )


def test_arabic_pages_declare_language_and_direction(built_site):
    arabic = [p for p in html_pages(built_site / "ar")]
    assert len(arabic) > 10
    for path in arabic:
        page = parse(path)
        assert page.find("html")[0].attrs.get("lang") == "ar", path
        assert page.find("body")[0].attrs.get("dir") == "rtl", path
    english = parse(built_site / "index.html")
    assert english.find("html")[0].attrs.get("lang") == "en"
    assert english.find("body")[0].attrs.get("dir") == "ltr"


def resolve(page_path: Path, site: Path, href: str) -> Path:
    """The file a relative link on `page_path` leads to."""
    link = urlsplit(href).path
    base = "" if link.startswith("/") else page_path.parent.relative_to(site).as_posix()
    target = posixpath.normpath(posixpath.join(base, link.lstrip("/")))
    resolved = site / target
    return (
        resolved / "index.html"
        if resolved.is_dir() or href.split("#")[0].endswith("/")
        else resolved
    )


def test_language_switch_leads_to_the_same_page(built_site, real_dataset):
    for base_id in real_dataset.bases:
        for lang, other in (("en", "ar"), ("ar", "en")):
            page_path = built_site / LANG_PREFIX[lang] / "bases" / base_id / "index.html"
            [switch] = [a for a in parse(page_path).find("a") if a.attrs.get("hreflang") == other]
            target = resolve(page_path, built_site, switch.attrs["href"])
            assert target == built_site / LANG_PREFIX[other] / "bases" / base_id / "index.html", (
                switch.attrs["href"]
            )


def test_event_anchors_are_the_same_in_both_languages(built_site, real_dataset):
    def anchors(lang: str) -> set[str]:
        found: set[str] = set()
        for path in (built_site / LANG_PREFIX[lang] / "chronology").glob("*/index.html"):
            found |= {e.attrs["id"] for e in parse(path).find("article", class_="bf-event")}
        return found

    expected = {e.id for e in real_dataset.events}
    assert anchors("en") == expected
    assert anchors("ar") == expected


def test_internal_links_lead_to_existing_pages_and_anchors(built_site):
    for path in html_pages(built_site):
        for a in parse(path).find("a"):
            href = a.attrs.get("href", "")
            if not href or urlsplit(href).scheme or href.startswith(("mailto:", "//")):
                continue
            target = resolve(path, built_site, href) if urlsplit(href).path else path
            assert target.exists(), f"{path.relative_to(built_site)}: broken link {href}"
            fragment = urlsplit(href).fragment
            if fragment and target.suffix == ".html":
                assert fragment in parse(target).ids, (
                    f"{path.relative_to(built_site)}: no anchor {href}"
                )


def test_nothing_is_loaded_from_another_host(built_site):
    for path in html_pages(built_site):
        page = parse(path)
        for element in page.elements:
            for attr in ("src", "srcset", "data"):
                value = element.attrs.get(attr, "")
                assert not re.match(r"^(https?:)?//", value), (
                    f"{path}: {element.tag} {attr}={value}"
                )
            if element.tag == "link" and element.attrs.get("rel") not in ("alternate", "canonical"):
                value = element.attrs.get("href", "")
                assert not re.match(r"^(https?:)?//", value), f"{path}: link {value}"
    for css in built_site.rglob("*.css"):
        for url in re.findall(r"url\(([^)]*)\)", css.read_text(encoding="utf-8")):
            assert not re.match(r"""^['"]?(https?:)?//""", url), f"{css}: {url}"


def test_links_to_original_sources_open_safely(built_site):
    count = 0
    for path in html_pages(built_site):
        for a in parse(path).find("a"):
            if a.attrs.get("href", "").startswith(
                ("http://", "https://")
            ) and "md-" not in a.attrs.get("class", ""):
                count += 1
                assert {"noopener", "noreferrer"} <= set(a.attrs.get("rel", "").split()), a.attrs


def indexed_pages(site: Path) -> dict[str, str]:
    """What the search index holds of each page: Pagefind's fragments (gzip, a signature,
    then JSON with the page's address and indexed text)."""
    found = {}
    for fragment in (site / "pagefind" / "fragment").iterdir():
        record = json.loads(gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd"))
        found[record["url"]] = record["content"]
    return found


def test_search_finds_the_arabic_base_page_from_an_arabic_word(built_site):
    pages = indexed_pages(built_site)
    hits = [url for url, text in pages.items() if "قسرك" in text]
    assert "/ar/bases/qasrak/" in hits, hits[:10]
    entry = json.loads((built_site / "pagefind" / "pagefind-entry.json").read_text("utf-8"))
    assert sorted(entry["languages"]) == ["ar", "en"]  # an index of its own for Arabic


def test_search_finds_each_event_on_its_chronology_page_and_not_on_base_pages(built_site):
    """Base pages' event lists are left out of the index: each event is found once."""
    pages = indexed_pages(built_site)
    card_text = "Actors"  # a heading inside every English event card
    urls = [url for url, text in pages.items() if card_text in text]
    assert any(url.startswith("/chronology/") for url in urls)
    assert not any(url.startswith("/bases/") for url in urls), urls
    # what an event is, not the list of its reports and their provenance (the sources page)
    sourcing = [url for url, text in pages.items() if "independent origin" in text]
    assert not any(url.startswith("/chronology/") for url in sourcing), sourcing
    # nor the line every page carries about the information cutoff and the publisher
    assert not any("Information cutoff" in text for text in pages.values())
    assert not any("Published by" in text for text in pages.values())
    page = (built_site / "bases" / "qasrak" / "index.html").read_text(encoding="utf-8")
    assert page.count('class="bf-event"') >= 3  # the page still shows its events


def test_base_page_shows_names_status_and_events(built_site, real_dataset):
    page = parse(built_site / "ar" / "bases" / "qasrak" / "index.html")
    assert "قسرك" in page.text
    assert "قيد الإخلاء" in page.text  # evacuation began on 21 February 2026
    assert "شباط 2026" in page.text and "تشرين الثاني 2025" in page.text
    events = [e.attrs["id"] for e in page.find("article", class_="bf-event")]
    assert events == [
        e.id
        for e in sorted(
            real_dataset.events_of_base("qasrak"), key=lambda e: e.sort_key, reverse=True
        )
    ]


def test_month_precision_is_said_not_hidden(built_site):
    text = parse(built_site / "chronology" / "2025" / "index.html").text
    assert "exact day not reported" in text
    assert "about June 2025" in text


def test_every_base_page_and_the_overview_show_their_charts(built_site, real_dataset):
    from generator.charts import occurred

    # a base gets an activity chart once something happened there (not only announced)
    with_events = [b for b in real_dataset.bases if occurred(real_dataset.events_of_base(b))]
    assert len(with_events) >= len(real_dataset.bases) - 2
    pages = [""] + [f"bases/{b}/" for b in with_events]
    for prefix in LANG_PREFIX.values():
        for page in pages:
            path = built_site / prefix / page / "index.html"
            images = [e for e in parse(path).find("img") if "charts/" in e.attrs.get("src", "")]
            assert images, f"no chart on /{prefix}{page}"
            for image in images:
                assert resolve(path, built_site, image.attrs["src"]).is_file(), image.attrs["src"]
                assert image.attrs.get("alt"), f"chart without alt text on /{prefix}{page}"
                language = "ar" if prefix else "en"
                assert f"charts/{language}/" in image.attrs["src"]
    for prefix in LANG_PREFIX.values():
        links = [a.attrs["href"] for a in parse(built_site / prefix / "index.html").find("a")]
        assert any(href.endswith("briefing.pdf") for href in links)


def test_exports_and_feeds_are_published_and_announced(built_site, real_dataset):
    import csv
    import xml.etree.ElementTree as ET

    with (built_site / "data" / "events.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == len(real_dataset.events)
    for feed in ("feed.xml", "ar/feed.xml", "bases/qasrak/feed.xml", "ar/bases/qasrak/feed.xml"):
        root = ET.parse(built_site / feed).getroot()
        assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    heads = [
        e.attrs["href"]
        for e in parse(built_site / "ar/bases/qasrak/index.html").find("link")
        if e.attrs.get("type") == "application/atom+xml"
    ]
    assert heads == ["../../feed.xml", "feed.xml"]


def test_methodology_is_generated_once_from_the_hand_written_prose(built_site):
    for prefix, heading in (("", "Event types"), ("ar/", "أنواع الأحداث")):
        page = (built_site / prefix / "methodology" / "index.html").read_text(encoding="utf-8")
        assert page.count(f">{heading}</h2>") == 1, prefix
        assert "title:" not in parse(built_site / prefix / "methodology" / "index.html").text
