"""The plan of pages to produce: a pure function of the dataset, testable without a build.

Paths are language-neutral Markdown paths (`bases/qasrak.md`); each page is rendered once
per language into `bases/qasrak.en.md` and `bases/qasrak.ar.md`, which the i18n plugin
publishes at `/bases/qasrak/` and `/ar/bases/qasrak/`.
"""

from __future__ import annotations

import posixpath
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from generator.models import Dataset, Event, memoized

LATEST_EVENTS_ON_OVERVIEW = 8
# A year with more events than this gets a page per month (chronology/2025-11/) and its year
# page becomes an index of months. Pages stay under 500 KB: a card of the real record weighs
# up to 6 KB of Arabic HTML (versions, figures, notes), so 75 of them make about 470 KB.
MONTHLY_PAGES_OVER = 75
# A record with more sources than this lists them on pages of at most this many (sources/2/),
# grouped by publisher, and the sources page becomes an index of publishers.
SOURCES_PER_PAGE = 200


@dataclass(frozen=True)
class Page:
    path: str
    template: str
    context: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def url(self) -> str:
        return page_url(self.path)


def page_url(path: str) -> str:
    """'bases/qasrak.md' -> 'bases/qasrak/'; 'index.md' -> ''; 'bases/index.md' -> 'bases/'."""
    stem = path.removesuffix(".md")
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem.removesuffix("index")
    return stem + "/"


def relative_url(target: str, from_url: str) -> str:
    """A link from the page at `from_url` to `target` (a site URL, may hold a #fragment)."""
    target_path, _, fragment = target.partition("#")
    suffix = f"#{fragment}" if fragment else ""
    if target_path == from_url:
        return suffix or "./"
    return _relative_path(target_path, from_url) + suffix


@lru_cache(maxsize=1 << 16)
def _relative_path(target_path: str, from_url: str) -> str:
    """posixpath.relpath is slow, and a page links to the same few pages over and over (a
    chronology month links each event to its base and sources): worked out once per pair."""
    rel = posixpath.relpath("/" + target_path, "/" + from_url)
    if target_path == "" or target_path.endswith("/"):
        rel = "./" if rel == "." else rel + "/"
    return rel


def chronology_years(dataset: Dataset) -> list[int]:
    return sorted({e.date.anchor.year for e in dataset.events}, reverse=True)


def chronology_path(year: int, month: int | None = None) -> str:
    return f"chronology/{year}-{month:02d}.md" if month else f"chronology/{year}.md"


@memoized
def monthly_years(dataset: Dataset) -> frozenset[int]:
    """The years large enough to be split into a page per month."""
    counts = Counter(event.date.anchor.year for event in dataset.events)
    return frozenset(year for year, n in counts.items() if n > MONTHLY_PAGES_OVER)


def event_page_path(dataset: Dataset, event: Event) -> str:
    """The chronology page that holds the event: its year's, or its month's in a large year."""
    anchor = event.date.anchor
    if anchor.year in monthly_years(dataset):
        return chronology_path(anchor.year, anchor.month)
    return chronology_path(anchor.year)


def event_url(dataset: Dataset, event: Event) -> str:
    """The event's permanent address: its page, and its id as the anchor. Worked out once per
    dataset and event, when first asked for: each card asks again, on every page it is on."""
    known = dataset.memo.setdefault("event urls", {})
    found = known.get(event.id)
    if found is None or found[0] is not event:  # (an event from elsewhere than `dataset`)
        found = known[event.id] = (event, _address(dataset, event))
    return found[1]


def _address(dataset: Dataset, event: Event) -> str:
    return f"{page_url(event_page_path(dataset, event))}#{event.id}"


def base_url(base_id: str) -> str:
    return page_url(f"bases/{base_id}.md")


@memoized
def source_pages(dataset: Dataset) -> list[list[str]]:
    """The sources of each sources page: one page with all of them in a small record; in a
    large one, publisher by publisher (each publisher's newest first), a publisher's sources
    kept on one page unless they alone fill more than one."""
    if len(dataset.sources) <= SOURCES_PER_PAGE:
        return [list(dataset.sources)]
    pages: list[list[str]] = [[]]
    for group in publisher_groups(dataset):
        if len(pages[-1]) + len(group) > SOURCES_PER_PAGE and pages[-1]:
            pages.append([])
        for sid in group:
            if len(pages[-1]) == SOURCES_PER_PAGE:
                pages.append([])
            pages[-1].append(sid)
    return pages


@memoized
def publisher_groups(dataset: Dataset) -> list[list[str]]:
    """Source ids by publisher (in the order of their English names), newest first."""
    groups: dict[str, list] = defaultdict(list)
    for source in dataset.sources.values():
        groups[source.publisher.get("en")].append(source)
    return [
        [s.id for s in sorted(groups[name], key=_newest_first)]
        for name in sorted(groups, key=lambda name: (name.casefold(), name))
    ]


def _newest_first(source) -> tuple:
    return (-(source.published.anchor.toordinal() if source.published else 0), source.id)


def sources_path(number: int) -> str:
    """The sources page `number` (from 1); the first of several is sources/1.md."""
    return f"sources/{number}.md"


def source_url(dataset: Dataset, source_id: str) -> str:
    """Where a source is listed: its id as the anchor on the sources page that holds it."""
    return f"{_source_page_urls(dataset)[source_id]}#{source_id}"


@memoized
def _source_page_urls(dataset: Dataset) -> dict[str, str]:
    pages = source_pages(dataset)
    paths = (
        ["sources/index.md"]
        if len(pages) == 1
        else [sources_path(n + 1) for n in range(len(pages))]
    )
    return {sid: page_url(path) for path, ids in zip(paths, pages) for sid in ids}


def events_by_month(newest_first: list[Event]) -> list[tuple[tuple[int, int], list[Event]]]:
    """Events (given newest first) grouped by (year, month), newest month first."""
    groups: dict[tuple[int, int], list[Event]] = defaultdict(list)
    for event in newest_first:
        groups[(event.date.anchor.year, event.date.anchor.month)].append(event)
    return [(month, groups[month]) for month in sorted(groups, reverse=True)]


def plan_pages(dataset: Dataset) -> list[Page]:
    newest_first = list(reversed(dataset.events))  # a dataset keeps its events in date order
    pages = [
        Page("index.md", "overview.md.j2", {"latest": newest_first[:LATEST_EVENTS_ON_OVERVIEW]}),
        Page("bases/index.md", "bases.md.j2"),
        Page(
            "sources/index.md",
            "sources.md.j2",
            {
                "sources": source_pages(dataset),
                "number": 0,
                "publishers": publisher_groups(dataset),
            },
        ),
        Page("methodology.md", "methodology.md.j2"),
        Page("corrections.md", "corrections.md.j2"),
        Page("data.md", "data.md.j2"),
        Page("search.md", "search.md.j2"),
    ]
    listed = source_pages(dataset)
    for number in range(1, len(listed) + 1) if len(listed) > 1 else []:
        pages.append(
            Page(
                sources_path(number),
                "sources.md.j2",
                {"sources": listed, "number": number, "publishers": []},
            )
        )
    pages.append(Page("briefings/index.md", "briefings.md.j2"))
    for briefing in dataset.briefings:
        pages.append(Page(f"briefings/{briefing.id}.md", "briefing.md.j2", {"briefing": briefing}))
    for base_id in dataset.bases:
        events = dataset.events_of_base(base_id)[::-1]
        pages.append(
            Page(f"bases/{base_id}.md", "base.md.j2", {"base_id": base_id, "events": events})
        )
    years = chronology_years(dataset)
    split = monthly_years(dataset)
    of_year: dict[int, list[Event]] = defaultdict(list)
    for event in newest_first:
        of_year[event.date.anchor.year].append(event)
    months = {year: events_by_month(of_year[year]) for year in years}
    counts = {year: [(month, len(events)) for month, events in months[year]] for year in years}
    pages.append(
        Page(
            "chronology/index.md",
            "chronology_index.md.j2",
            {"years": years, "months": counts, "monthly": split},
        )
    )
    for year in years:
        if year in split:
            pages.append(
                Page(
                    chronology_path(year),
                    "chronology_index.md.j2",
                    {"years": [year], "months": counts, "monthly": split, "year": year},
                )
            )
            for (y, m), events in months[year]:
                pages.append(
                    Page(
                        chronology_path(y, m),
                        "chronology_year.md.j2",
                        {"year": y, "month": m, "months": [((y, m), events)]},
                    )
                )
        else:
            pages.append(
                Page(
                    chronology_path(year),
                    "chronology_year.md.j2",
                    {"year": year, "month": None, "months": months[year]},
                )
            )
    return pages
