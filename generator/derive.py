"""Facts derived from the events: base status over time, figures, independent origins.

Pure functions of a Dataset, shared by pages, charts and PDFs so that they always agree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from generator.models import Claim, Dataset, Event, FuzzyDate, Source, memoized

INITIAL_STATUS = "active"


@dataclass(frozen=True)
class StatusChange:
    status: str
    date: FuzzyDate
    event_id: str | None
    to_actor: str | None = None


@memoized
def status_history(dataset: Dataset, base_id: str) -> list[StatusChange]:
    """Status changes of a base in date order, from its status at its first event.

    Only events that occurred change a status; planned and announced ones do not.
    """
    events = dataset.events_of_base(base_id)
    if not events:
        return []
    base = dataset.bases[base_id]
    history = [StatusChange(base.initial_status, events[0].date, None)]
    for event in events:
        if not event.counts:
            continue
        status = dataset.taxonomy.event_types[event.type].sets_status
        if not status or status == history[-1].status:
            continue
        change = StatusChange(status, event.date, event.id, event.handover_to)
        if len(history) == 1 and history[0].date == event.date:
            history[0] = change  # the record opens with this change
        else:
            history.append(change)
    return history


def current_status(dataset: Dataset, base_id: str) -> str:
    history = status_history(dataset, base_id)
    return history[-1].status if history else dataset.bases[base_id].initial_status


@memoized
def last_event(dataset: Dataset, base_id: str) -> Event | None:
    events = dataset.events_of_base(base_id)  # in date order
    return events[-1] if events else None


def origin_of(sources: dict[str, Source], source_id: str) -> str:
    """Follow `via` to the report that originated a claim: relays count as their origin."""
    seen = set()
    while sources[source_id].via and source_id not in seen:
        seen.add(source_id)
        source_id = sources[source_id].via
    return source_id


def independent_origins(dataset: Dataset, source_ids) -> set[str]:
    return {origin_of(dataset.sources, s) for s in source_ids}


@dataclass(frozen=True)
class FigureSummary:
    """All claims about one quantity at one event: the range they span, and who said what."""

    quantity: str
    claims: tuple[Claim, ...]

    @property
    def low(self) -> int:
        return min(c.low for c in self.claims)

    @property
    def high(self) -> int:
        return max(c.high for c in self.claims)

    @property
    def conflicting(self) -> bool:
        return len({(c.low, c.high) for c in self.claims}) > 1


def figures_of(event: Event) -> list[FigureSummary]:
    by_quantity: dict[str, list[Claim]] = defaultdict(list)
    for claim in event.figures:
        by_quantity[claim.quantity].append(claim)
    return [FigureSummary(q, tuple(c)) for q, c in by_quantity.items()]


@dataclass(frozen=True)
class Total:
    quantity: str
    low: int
    high: int
    events: int
    qualified: bool = False  # some claim was "about", "more than"...: the sum is approximate

    @property
    def qualifier(self) -> str:
        return "about" if self.qualified else "exact"


def figure_totals(events) -> list[Total]:
    """Per quantity, the sum over events that occurred of the lowest and of the highest claim."""
    lows: dict[str, int] = defaultdict(int)
    highs: dict[str, int] = defaultdict(int)
    counts: dict[str, int] = defaultdict(int)
    qualified: set[str] = set()
    for event in events:
        if not event.counts:  # planned, announced and retracted events add nothing
            continue
        for summary in figures_of(event):
            lows[summary.quantity] += summary.low
            highs[summary.quantity] += summary.high
            counts[summary.quantity] += 1
            if any(claim.qualifier != "exact" for claim in summary.claims):
                qualified.add(summary.quantity)
    return [Total(q, lows[q], highs[q], counts[q], q in qualified) for q in sorted(lows)]


@memoized
def record_totals(dataset: Dataset) -> list[Total]:
    return figure_totals(dataset.events)


@memoized
def information_cutoff(dataset: Dataset) -> date | None:
    """The latest date among events and source publications: nothing after it is included."""
    days = [e.end or e.date.anchor for e in dataset.events]
    days += [s.published.anchor for s in dataset.sources.values()]
    return max(days) if days else None


@dataclass(frozen=True)
class Provenance:
    """Where an event's reports come from: relays count once, as their origin."""

    origins: tuple[str, ...]
    relays: tuple[str, ...]
    first_report: FuzzyDate
    latest_report: FuzzyDate

    @property
    def single_origin(self) -> bool:
        return len(self.origins) == 1


def provenance(dataset: Dataset, event) -> Provenance:
    return _provenance_of_sources(dataset, event.sources)


@memoized
def _provenance_of_sources(dataset: Dataset, source_ids: tuple[str, ...]) -> Provenance:
    sources = [dataset.sources[s] for s in source_ids]
    origins = sorted(independent_origins(dataset, source_ids))
    relays = tuple(s.id for s in sources if s.via)
    dates = sorted((s.published for s in sources), key=lambda d: (d.anchor, d.value))
    return Provenance(tuple(origins), relays, dates[0], dates[-1])


@memoized
def single_origin_share(dataset: Dataset) -> tuple[int, int]:
    """How many events rest on one independent origin, out of all events."""
    origins = {source_id: origin_of(dataset.sources, source_id) for source_id in dataset.sources}
    single = sum(len({origins[s] for s in e.sources}) == 1 for e in dataset.events)
    return single, len(dataset.events)
