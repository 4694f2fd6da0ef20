"""What a card, a page or a chart is made from, as digests of the records behind it.

A record's digest is the hash of its file (load.Document). These keys let a run reuse work
whose inputs did not change: cards (render.Fragments), pages (render.page_key) and chart
plans (charts.render_charts). An empty digest (a record not read from a file) makes no key.
"""

from __future__ import annotations

from generator.cache import digest
from generator.models import Dataset, Event, memoized
from generator.pages import monthly_years


def source_digests(dataset: Dataset, source_ids) -> list[str]:
    """The digests of the sources and of every report they relay: cards show the origin."""
    chains = dataset.memo.setdefault("source digests", {})  # of each source, once per dataset
    found = []
    for source_id in source_ids:
        chain = chains.get(source_id)
        if chain is None:
            chain = chains[source_id] = _relay_chain_digests(dataset, source_id)
        found += chain
    return found


def _relay_chain_digests(dataset: Dataset, source_id: str) -> list[str]:
    chain, seen = [], set()
    while source_id and source_id not in seen:
        seen.add(source_id)
        chain.append(dataset.sources[source_id].digest)
        source_id = dataset.sources[source_id].via
    return chain


def event_inputs(dataset: Dataset, event: Event) -> str:
    """The records an event's card, rows and chart marks show: the event, its sources (and the
    reports they relay; its figures cite only those) and its bases. Made once per dataset."""
    known = dataset.memo.setdefault("event inputs", {})
    found = known.get(event.id)
    if found is None or found[0] is not event:
        parts = [
            event.digest,
            *source_digests(dataset, event.sources),
            *(dataset.bases[b].digest for b in event.bases),
        ]
        # joined, not hashed: each key that holds it is hashed whole (digests hold no "|")
        found = known[event.id] = (event, "|".join(parts) if all(parts) else "")
    return found[1]


@memoized
def base_events_inputs(dataset: Dataset, base_id: str) -> str:
    """A base's record and event_inputs of each of its events, hashed: what its charts show
    besides the time range. Made once per dataset for both languages; empty if one of the
    records was not read from a file."""
    parts = [dataset.bases[base_id].digest]
    parts += [event_inputs(dataset, e) for e in dataset.events_of_base(base_id)]
    return digest("base events", *parts) if all(parts) else ""


@memoized
def addresses_digest(dataset: Dataset) -> str:
    """What every event's address depends on besides its date: which years have a page per
    month."""
    return digest("addresses", repr(sorted(monthly_years(dataset))))
