"""The curated record as immutable values. No I/O here: load and validate build these."""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

LANGUAGES = ("en", "ar")
APPROXIMATE_DAYS = 15  # "about" a day or month: half a month either side


@dataclass(frozen=True)
class Text:
    """A text in both languages; a language may be marked as pending translation."""

    en: str | None
    ar: str | None
    pending: tuple[str, ...] = ()

    def get(self, lang: str) -> str:
        """The text in `lang`, or in the other language while its translation is pending."""
        value = getattr(self, lang)
        if value:
            return value
        other = "ar" if lang == "en" else "en"
        return getattr(self, other) or ""

    def is_pending(self, lang: str) -> bool:
        return lang in self.pending or not getattr(self, lang)

    def language_of(self, lang: str) -> str:
        """The language the text shown for `lang` is actually written in."""
        return lang if getattr(self, lang) else ("ar" if lang == "en" else "en")


@dataclass(frozen=True)
class FuzzyDate:
    """A date as precise as the sources allow: day, month, approximate or 'on or before'."""

    value: str
    precision: str

    @cached_property  # asked for constantly when sorting and grouping; the value never changes
    def anchor(self) -> date:
        year, month, *rest = (int(p) for p in self.value.split("-"))
        return date(year, month, rest[0] if rest else 1)

    @property
    def has_day(self) -> bool:
        return self.value.count("-") == 2

    def _month_end(self) -> date:
        a = self.anchor
        return date(a.year, a.month, calendar.monthrange(a.year, a.month)[1])

    @property
    def earliest(self) -> date | None:
        """The earliest day the event may have happened; None when unbounded ('before')."""
        if self.precision == "before":
            return None
        if self.precision == "approximate":
            return self.anchor - timedelta(days=APPROXIMATE_DAYS)
        return self.anchor

    @property
    def latest(self) -> date:
        end = self.anchor if self.has_day else self._month_end()
        if self.precision == "approximate":
            return end + timedelta(days=APPROXIMATE_DAYS)
        return end

    @property
    def sort_key(self) -> date:
        return self.anchor


@dataclass(frozen=True)
class Term:
    id: str
    label: Text
    definition: Text


@dataclass(frozen=True)
class EventType(Term):
    color: str = "#777777"
    sets_status: str | None = None
    # foreign forces seen operating at the base: a base reported left is active again
    shows_presence: bool = False


@dataclass(frozen=True)
class Status(Term):
    color: str = "#777777"


@dataclass(frozen=True)
class ConfidenceLevel(Term):
    rank: int = 1


@dataclass(frozen=True)
class Governorate:
    id: str
    label: Text
    capital: Text
    capital_lat: float
    capital_lon: float


@dataclass(frozen=True)
class Quantity:
    id: str
    label: Text
    forms: dict[str, dict[str, str]]


@dataclass(frozen=True)
class Taxonomy:
    event_types: dict[str, EventType]
    statuses: dict[str, Status]
    actors: dict[str, Term]
    confidence_levels: dict[str, ConfidenceLevel]
    base_kinds: dict[str, Term]
    governorates: dict[str, Governorate]
    quantities: dict[str, Quantity]


@dataclass(frozen=True)
class Location:
    lat: float
    lon: float
    precision: str
    note: Text | None = None


@dataclass(frozen=True)
class Base:
    id: str
    name: Text
    aliases: dict[str, tuple[str, ...]]
    kind: str | None  # None: not known yet
    governorate: str | None  # Syrian sites only
    location: Location | None  # None: no published coordinates, nor a place to put it
    description: Text | None
    operators: tuple[str, ...]  # empty: not known yet
    sources: tuple[str, ...]
    notes: Text | None = None
    initial_status: str = "active"
    country: str = "SY"  # ISO 3166 code: sites abroad that belong to the story
    file: str = ""


@dataclass(frozen=True)
class Place:
    name: Text
    governorate: str | None = None
    location: Location | None = None


@dataclass(frozen=True)
class Claim:
    """A figure as one source reported it: two sources may disagree about the same event."""

    quantity: str
    value: int
    source: str
    max: int | None = None
    qualifier: str = "exact"
    note: Text | None = None

    @property
    def low(self) -> int:
        return self.value

    @property
    def high(self) -> int:
        return self.max if self.max is not None else self.value


@dataclass(frozen=True)
class Correction:
    """A change to an event that alters its meaning, kept visible on the site."""

    date: str
    fields: tuple[str, ...]
    note: Text


@dataclass(frozen=True)
class Version:
    """What one source says differently about an event: its date, place or status."""

    source: str
    date: FuzzyDate | None = None
    end_date: str | None = None
    status: str | None = None
    place: Text | None = None
    note: Text | None = None


UNSET = "(the type's)"  # an event's status when it does not give one: its type's sets_status


@dataclass(frozen=True)
class Event:
    id: str
    date: FuzzyDate
    type: str
    actors: tuple[str, ...]
    summary: Text
    sources: tuple[str, ...]
    confidence: str
    end_date: str | None = None
    occurrence: str = "occurred"
    bases: tuple[str, ...] = ()
    place: Place | None = None
    handover_to: str | None = None
    figures: tuple[Claim, ...] = ()
    tags: tuple[str, ...] = ()
    notes: Text | None = None
    corrections: tuple[Correction, ...] = ()
    retracted: Correction | None = None  # fields is empty for a retraction
    status: str | None = UNSET  # the status this report gives its bases; None: none
    time: str | None = None  # "HH:MM": orders same-day events of a base
    versions: tuple[Version, ...] = ()
    aggregate: bool = False  # a roll-up of other reports: listed, never added into totals
    distinct_from: tuple[str, ...] = ()
    file: str = ""

    @property
    def counts(self) -> bool:
        """Whether the event enters statuses, totals and charts: it occurred and stands."""
        return self.occurrence == "occurred" and self.retracted is None

    @property
    def adds_up(self) -> bool:
        """Whether its figures enter totals and charts: a roll-up restates other reports."""
        return self.counts and not self.aggregate

    def date_given_by(self, source_id: str) -> FuzzyDate:
        """The date `source_id` gives the event: its version's, or the event's."""
        for version in self.versions:
            if version.source == source_id and version.date is not None:
                return version.date
        return self.date

    @property
    def end(self) -> date | None:
        return FuzzyDate(self.end_date, "day").latest if self.end_date else None

    @property
    def latest(self) -> date:
        return max(self.date.latest, self.end) if self.end else self.date.latest

    @property
    def sort_key(self) -> tuple[date, str, str]:
        """Date order; on the same day, by `time` (events without one first), then id."""
        return (self.date.sort_key, self.time or "", self.id)


@dataclass(frozen=True)
class Source:
    id: str
    publisher: Text
    published: FuzzyDate | None  # None: the report gives no date
    language: str
    title: str | None = None
    url: str | None = None
    author: str | None = None
    accessed: str | None = None
    archive_url: str | None = None
    via: tuple[str, ...] = ()  # the reports it relays
    own_reporting: bool = False  # adds reporting of its own to what it relays
    notes: Text | None = None
    file: str = ""

    @property
    def is_origin(self) -> bool:
        """An independent origin of what it reports: it relays nothing, or adds its own."""
        return not self.via or self.own_reporting


@dataclass(frozen=True)
class Publisher:
    """Who publishes the site and its briefings (data/publisher.yaml)."""

    producer: Text
    contact: str | None = None
    repository: str | None = None


@dataclass(frozen=True)
class Judgement:
    text: Text
    confidence: str
    events: tuple[str, ...]  # the events that support it


@dataclass(frozen=True)
class WrittenBriefing:
    """An editor's briefing on a period: its bottom line and key judgements."""

    id: str
    title: Text
    start: date
    end: date
    published: date
    bottom_line: Text
    judgements: tuple[Judgement, ...]
    file: str = ""


@dataclass(frozen=True)
class Dataset:
    taxonomy: Taxonomy
    bases: dict[str, Base]
    sources: dict[str, Source]
    events: tuple[Event, ...] = field(default_factory=tuple)  # in date order (sort_key)
    briefings: tuple[WrittenBriefing, ...] = ()  # newest first
    publisher: Publisher | None = None

    def events_of_base(self, base_id: str) -> list[Event]:
        """The base's events in date order (a shared list: do not change it)."""
        return self._events_by_base.get(base_id, [])

    def event(self, event_id: str) -> Event:
        return self._events_by_id[event_id]

    @cached_property
    def _events_by_id(self) -> dict[str, Event]:
        return {event.id: event for event in self.events}

    def events_citing(self, source_id: str) -> list[Event]:
        return self._events_by_source.get(source_id, [])

    @cached_property
    def _events_by_base(self) -> dict[str, list[Event]]:
        # Indexes built once: scanning every event for every base grows with bases x events.
        index: dict[str, list[Event]] = defaultdict(list)
        for event in self.events:
            for base_id in event.bases:
                index[base_id].append(event)
        return dict(index)

    @cached_property
    def _events_by_source(self) -> dict[str, list[Event]]:
        index: dict[str, list[Event]] = defaultdict(list)
        for event in self.events:
            for source_id in dict.fromkeys(event.sources):
                index[source_id].append(event)
        return dict(index)

    @cached_property
    def memo(self) -> dict:
        """Derived facts computed once per dataset (see `memoized`)."""
        return {}


def memoized(function):
    """Compute a fact derived from a dataset once per dataset and arguments: pages, charts and
    PDFs ask for the same facts many times, and a dataset never changes once loaded."""

    def wrapper(dataset: Dataset, *args):
        key = (function.__name__, *args)
        memo = dataset.memo
        if key not in memo:
            memo[key] = function(dataset, *args)
        return memo[key]

    wrapper.__name__ = function.__name__
    wrapper.__doc__ = function.__doc__
    return wrapper
