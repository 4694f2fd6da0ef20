"""Facts derived from the events: base status over time, figures, independent origins.

Pure functions of a Dataset, shared by pages, charts and PDFs so that they always agree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from generator.models import UNSET, Claim, Dataset, Event, FuzzyDate, Source, memoized

LEFT = ("evacuating", "withdrawn", "handed_over")  # the foreign forces went or are going
PRESENT = ("active", "expanding")  # the foreign forces are there and stay
CONTESTED = "contested"
PRECISE = ("day", "month", "approximate", "before")  # most precise first


@dataclass(frozen=True)
class StatusClaim:
    """A status as some of an event's sources report it for a base."""

    status: str
    event: Event
    sources: tuple[str, ...]
    date: FuzzyDate
    presence: bool = False  # inferred from forces seen at the base, not stated


@dataclass(frozen=True)
class StatusChange:
    status: str
    date: FuzzyDate
    event_id: str | None
    to_actor: str | None = None
    claims: tuple[StatusClaim, ...] = ()  # what the reports said: several when contested


def stated_status(dataset: Dataset, event: Event) -> str | None:
    """The status an event's report gives: its own `status`, else its type's."""
    if event.status != UNSET:
        return event.status
    return dataset.taxonomy.event_types[event.type].sets_status


def status_claims(dataset: Dataset, event: Event) -> list[StatusClaim]:
    """What the event's sources say of its bases' status: the sources with a version giving
    another status or date claim that; the others claim the event's own."""
    if not event.counts:
        return []
    claims = []
    differing = set()
    for version in event.versions:
        if version.status or (version.date and stated_status(dataset, event)):
            differing.add(version.source)
            status = version.status or stated_status(dataset, event)
            claims.append(StatusClaim(status, event, (version.source,), version.date or event.date))
    rest = tuple(s for s in event.sources if s not in differing)
    own = stated_status(dataset, event)
    presence = own is None and event.status == UNSET
    presence = presence and dataset.taxonomy.event_types[event.type].shows_presence
    if rest and (own or presence):
        claims.append(StatusClaim(own or "active", event, rest, event.date, presence))
    return sorted(claims, key=lambda c: (c.date.anchor, c.event.time or ""))


def _overlap(a: StatusClaim, b: StatusClaim) -> bool:
    """Same date within the dates' precision, and no `time` telling the two apart."""
    if a.date.anchor == b.date.anchor and a.event.time and b.event.time:
        return a.event.time == b.event.time
    a0, b0 = a.date.earliest or a.date.anchor, b.date.earliest or b.date.anchor
    return a0 <= b.date.latest and b0 <= a.date.latest


@memoized
def status_history(dataset: Dataset, base_id: str) -> list[StatusChange]:
    """Status changes of a base in date order, from its status at its first event.

    Each event's sources claim a status (see status_claims); events that show forces at the
    base claim it is active, which counts only once it was reported left (LEFT). Claims whose
    dates overlap within their precision are weighed together: when independent origins
    disagree, the base is contested until a later report settles it. Same-day events are
    ordered by their `time`, never by their file names.
    """
    events = dataset.events_of_base(base_id)
    if not events:
        return []
    base = dataset.bases[base_id]
    claims = [c for e in events for c in status_claims(dataset, e)]
    claims.sort(key=lambda c: (c.date.anchor, c.event.time or ""))
    history = [StatusChange(base.initial_status, events[0].date, None)]
    i = 0
    while i < len(claims):
        group = [claims[i]]
        while i + len(group) < len(claims) and _overlap(claims[i], claims[i + len(group)]):
            group.append(claims[i + len(group)])
        i += len(group)
        current = history[-1].status
        group = [c for c in group if not c.presence or current in LEFT or current == CONTESTED]
        if not group:
            continue
        by_status: dict[str, set[str]] = defaultdict(set)
        for claim in group:
            for source_id in claim.sources:
                by_status[claim.status] |= origins_of(dataset.sources, source_id)
        last = group[-1]  # of one origin correcting itself, its latest word stands
        contested = _disagree(by_status)
        agreeing = group if contested else [c for c in group if c.status == last.status]
        best = min(agreeing, key=lambda c: (PRECISE.index(c.date.precision), c.date.anchor))
        change = StatusChange(
            CONTESTED if contested else last.status,
            best.date,
            best.event.id,
            None if contested else best.event.handover_to,
            tuple(group),
        )
        if change.status == current and change.status != CONTESTED:
            continue
        if len(history) == 1 and history[0].date == change.date and history[0].event_id is None:
            history[0] = change  # the record opens with this change
        else:
            history.append(change)
    return history


def _disagree(by_status: dict[str, set[str]]) -> bool:
    """Whether independent origins contradict each other: one says the foreign forces are at
    the base (PRESENT), another that they are leaving, gone or that others hold it. Claims
    along one course (evacuating, withdrawn, handed over) do not contradict each other."""
    present = set().union(*(o for s, o in by_status.items() if s in PRESENT))
    absent = set().union(*(o for s, o in by_status.items() if s not in PRESENT))
    return bool(present and absent) and present | absent != present & absent


def current_status(dataset: Dataset, base_id: str) -> str:
    history = status_history(dataset, base_id)
    return history[-1].status if history else dataset.bases[base_id].initial_status


@memoized
def last_event(dataset: Dataset, base_id: str) -> Event | None:
    events = dataset.events_of_base(base_id)  # in date order
    return events[-1] if events else None


def origins_of(
    sources: dict[str, Source], source_id: str, seen: frozenset = frozenset()
) -> set[str]:
    """The reports a claim originates from, following `via`: a relay counts as what it
    relays, and a report that adds its own reporting counts as itself too."""
    source = sources[source_id]
    found = {source_id} if source.is_origin else set()
    for relayed in source.via:
        if relayed in sources and relayed not in seen:
            found |= origins_of(sources, relayed, seen | {source_id})
    return found or {source_id}


def independent_origins(dataset: Dataset, source_ids) -> set[str]:
    return set().union(*(origins_of(dataset.sources, s) for s in source_ids))


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
    def low_qualifier(self) -> str:
        return min(self.claims, key=lambda c: c.low).qualifier

    @property
    def high_qualifier(self) -> str:
        return max(self.claims, key=lambda c: c.high).qualifier

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
    """A quantity summed over events, each event once (the lowest and the highest of what
    its reports say), each end qualified as its parts were."""

    quantity: str
    low: int
    high: int
    events: int
    low_qualifier: str = "exact"
    high_qualifier: str = "exact"


def _sum_qualifier(qualifiers: set[str]) -> str:
    """'more than 20' + 'more than 5' is 'more than 25'; mixed qualifiers make it 'about'."""
    if qualifiers <= {"exact"}:
        return "exact"
    return qualifiers.pop() if len(qualifiers) == 1 else "about"


def figure_totals(events) -> list[Total]:
    """Per quantity, over the events that occurred and are not roll-ups of other reports,
    the sums of each event's lowest and highest claim: an event counts once however many
    reports it has."""
    summaries: dict[str, list[FigureSummary]] = defaultdict(list)
    for event in events:
        if not event.adds_up:  # planned, announced, retracted events and roll-ups add nothing
            continue
        for summary in figures_of(event):
            summaries[summary.quantity].append(summary)
    return [
        Total(
            quantity,
            sum(s.low for s in found),
            sum(s.high for s in found),
            len(found),
            _sum_qualifier({s.low_qualifier for s in found}),
            _sum_qualifier({s.high_qualifier for s in found}),
        )
        for quantity, found in sorted(summaries.items())
    ]


@memoized
def record_totals(dataset: Dataset) -> list[Total]:
    return figure_totals(dataset.events)


@memoized
def information_cutoff(dataset: Dataset) -> date | None:
    """The latest date among events and source publications: nothing after it is included."""
    days = [e.end or e.date.anchor for e in dataset.events]
    days += [s.published.anchor for s in dataset.sources.values() if s.published]
    return max(days) if days else None


@dataclass(frozen=True)
class Provenance:
    """Where an event's reports come from: relays count once, as their origin."""

    origins: tuple[str, ...]
    relays: tuple[str, ...]
    first_report: FuzzyDate | None  # None: no report gives its date
    latest_report: FuzzyDate | None

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
    dated = [s.published for s in sources if s.published]
    dates = sorted(dated, key=lambda d: (d.anchor, d.value)) or [None]
    return Provenance(tuple(origins), relays, dates[0], dates[-1])


@memoized
def single_origin_share(dataset: Dataset) -> tuple[int, int]:
    """How many events rest on one independent origin, out of all events."""
    single = sum(len(independent_origins(dataset, e.sources)) == 1 for e in dataset.events)
    return single, len(dataset.events)


@dataclass(frozen=True)
class Changes:
    """What changed between two dates: status changes and new events, by base."""

    start: date
    end: date
    statuses: tuple[tuple[str, StatusChange], ...]  # (base id, change), in date order
    events: tuple[Event, ...]  # newest first
    by_base: tuple[tuple[str, int], ...]  # (base id, events), most first


def changes_between(dataset: Dataset, start: date, end: date) -> Changes:
    """Status changes dated in [start, end] and the events reported in it (by their date)."""
    statuses = [
        (base_id, change)
        for base_id in dataset.bases
        for change in status_history(dataset, base_id)
        if change.event_id and start <= change.date.anchor <= end
    ]
    statuses.sort(key=lambda item: (item[1].date.anchor, item[0]))
    events = [e for e in reversed(dataset.events) if start <= e.date.anchor <= end]
    counts: dict[str, int] = defaultdict(int)
    for event in events:
        for base_id in event.bases:
            counts[base_id] += 1
    by_base = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return Changes(start, end, tuple(statuses), tuple(events), tuple(by_base))
