"""Atom 1.0 feeds of the events, per language and per base.

Feeds are pure functions of the dataset: every timestamp comes from an event date
(its anchor day at 00:00:00Z), never from the clock, so rebuilding gives identical bytes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

from generator import derive
from generator.i18n import LANGUAGES
from generator.models import Dataset, Event, FuzzyDate
from generator.pages import event_url
from generator.write import write_if_changed

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
EPOCH = date(1970, 1, 1)


def _q(tag: str) -> str:
    # Unqualified names; the root carries xmlns, so they are in the Atom namespace when parsed.
    return tag


def _timestamp(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _prefix(lang: str) -> str:
    return "" if lang == "en" else f"{lang}/"


def event_permalink(site_url: str, dataset: Dataset, event: Event, lang: str) -> str:
    """The event on its chronology page: {site_url}[ar/]chronology/<year>/#<id>, or the
    month's page in a large year."""
    return f"{site_url}{_prefix(lang)}{event_url(dataset, event)}"


def entry_id(site_url: str, event: Event, lang: str) -> str:
    """The entry's permanent id: it stays the same when a large year moves to month pages."""
    return f"{site_url}{_prefix(lang)}chronology/{event.date.anchor.year}/#{event.id}"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, _q(tag), {k: v for k, v in attrs.items()})
    if text is not None:
        element.text = text
    return element


def updated_on(event: Event) -> date:
    """The day an entry last changed: its date, or its latest correction or retraction, so
    that feed readers see corrections as updates."""
    days = [event.date.anchor] + [date.fromisoformat(c.date) for c in event.corrections]
    if event.retracted:
        days.append(date.fromisoformat(event.retracted.date))
    return max(days)


def _entry(feed: ET.Element, dataset: Dataset, event: Event, lang: str, site_url: str) -> None:
    language = LANGUAGES[lang]
    link = event_permalink(site_url, dataset, event, lang)
    label = dataset.taxonomy.event_types[event.type].label.get(lang)
    entry = _sub(feed, "entry")
    _sub(entry, "id", entry_id(site_url, event, lang))
    title = f"{label}: {language.fuzzy_date(event.date, event.end_date)}"
    if event.retracted:
        title = language.t("feed.retracted", title=title)
    elif event.corrections:
        title = language.t("feed.corrected", title=title)
    _sub(entry, "title", title)
    _sub(entry, "updated", _timestamp(updated_on(event)))
    _sub(entry, "link", rel="alternate", type="text/html", href=link)
    _sub(entry, "category", term=event.type, label=label)
    text = event.summary.get(lang)
    for change in ([event.retracted] if event.retracted else []) + list(event.corrections)[::-1]:
        text += f"\n{language.fuzzy_date(FuzzyDate(change.date, 'day'))}: {change.note.get(lang)}"
    summary = _sub(entry, "summary", text, type="text")
    written_in = event.summary.language_of(lang)
    if written_in != lang:  # translation pending: say which language the text is in
        summary.set(XML_LANG, written_in)


def render_feed(
    dataset: Dataset,
    events: list[Event],
    lang: str,
    site_url: str,
    path: str,
    page: str,
    title: str,
    limit: int = 50,
) -> bytes:
    """One Atom feed. `path` is the feed's own site path, `page` the page it mirrors."""
    language = LANGUAGES[lang]
    newest = sorted(events, key=lambda e: (updated_on(e), e.sort_key), reverse=True)[:limit]
    feed_url = f"{site_url}{path}"
    feed = ET.Element(_q("feed"), {"xmlns": ATOM_NS, XML_LANG: lang})
    _sub(feed, "id", feed_url)
    _sub(feed, "title", title)
    _sub(feed, "subtitle", language.t("site.description"))
    updated = updated_on(newest[0]) if newest else derive.information_cutoff(dataset) or EPOCH
    _sub(feed, "updated", _timestamp(updated))
    author = _sub(feed, "author")
    _sub(author, "name", language.t("site.name"))
    _sub(feed, "link", rel="self", type="application/atom+xml", href=feed_url)
    _sub(feed, "link", rel="alternate", type="text/html", href=f"{site_url}{page}")
    for event in newest:
        _entry(feed, dataset, event, lang, site_url)
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def render_feeds(dataset: Dataset, site_url: str, limit: int = 50) -> dict[str, bytes]:
    """Site-relative path -> bytes of every feed."""
    if not site_url.endswith("/"):
        site_url += "/"
    files: dict[str, bytes] = {}
    for lang, language in LANGUAGES.items():
        prefix = _prefix(lang)
        site_name = language.t("site.name")
        path = f"{prefix}feed.xml"
        files[path] = render_feed(
            dataset, list(dataset.events), lang, site_url, path, prefix, site_name, limit
        )
        for base_id in sorted(dataset.bases):
            base = dataset.bases[base_id]
            path = f"{prefix}bases/{base_id}/feed.xml"
            files[path] = render_feed(
                dataset,
                dataset.events_of_base(base_id),
                lang,
                site_url,
                path,
                f"{prefix}bases/{base_id}/",
                f"{site_name} — {base.name.get(lang)}",
                limit,
            )
    return files


def write_feeds(dataset: Dataset, out_dir: Path, site_url: str, limit: int = 50) -> list[Path]:
    """Write the Atom feeds under `out_dir`; returns every path produced."""
    paths = []
    for relative, data in render_feeds(dataset, site_url, limit).items():
        path = out_dir / relative
        write_if_changed(path, data)
        paths.append(path)
    return paths
