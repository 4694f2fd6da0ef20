"""What an editor should still improve in valid data (`briefing status`).

Nothing here is an error: the report lists gaps in translation, corroboration, location,
archiving and agreement between sources.
"""

from __future__ import annotations

import dataclasses
import json

from generator.derive import figures_of, independent_origins
from generator.errors import Problem, Severity
from generator.models import Dataset, Text

CATEGORIES = {
    "pending_translations": "Texts waiting for a translation",
    "single_origin_events": "Events resting on a single independent origin",
    "bases_without_coordinates": "Bases located only by area",
    "sources_without_archive": "Sources without an archive copy",
    "sources_without_url": "Sources without an address",
    "conflicting_figures": "Events whose sources give different figures",
}


def _pending_from_problems(problems: list[Problem]) -> list[dict]:
    out = []
    for p in problems:
        if p.severity is Severity.WARNING and p.message.endswith("translation pending"):
            field, _, language = p.field.rpartition(".")
            out.append({"file": p.path, "field": field, "language": language})
    return out


def _walk_texts(value, path: str):
    """(field, Text) for every Text inside a record, e.g. ('figures[0].note', Text)."""
    if isinstance(value, Text):
        yield path, value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            name = f"{path}.{f.name}" if path else f.name
            yield from _walk_texts(getattr(value, f.name), name)
    elif isinstance(value, tuple):
        for i, item in enumerate(value):
            yield from _walk_texts(item, f"{path}[{i}]")


def _pending_from_dataset(dataset: Dataset) -> list[dict]:
    records = [*dataset.bases.values(), *dataset.sources.values(), *dataset.events]
    out = []
    for record in records:
        for field, text in _walk_texts(record, ""):
            for language in text.pending:
                out.append({"file": record.file, "field": field, "language": language})
    return out


def quality_report(
    dataset: Dataset, problems: list[Problem] | None = None
) -> dict[str, list[dict]]:
    """Every category of CATEGORIES with its items (possibly none), in a stable order.

    Pending translations come from `problems` (the warnings of load_dataset) when given, which
    also covers taxonomy.yaml; otherwise from the bases, sources and events of the dataset.
    """
    pending = (
        _pending_from_problems(problems) if problems is not None else _pending_from_dataset(dataset)
    )
    single = []
    conflicting = []
    for event in dataset.events:
        origins = independent_origins(dataset, event.sources)
        if len(origins) == 1:
            single.append(
                {
                    "event": event.id,
                    "file": event.file,
                    "origin": next(iter(origins)),
                    "sources": list(event.sources),
                }
            )
        for summary in figures_of(event):
            if summary.conflicting:
                conflicting.append(
                    {
                        "event": event.id,
                        "file": event.file,
                        "quantity": summary.quantity,
                        "low": summary.low,
                        "high": summary.high,
                        "claims": [
                            {
                                "source": c.source,
                                "value": c.value,
                                "max": c.max,
                                "qualifier": c.qualifier,
                            }
                            for c in summary.claims
                        ],
                    }
                )
    bases = [
        {
            "base": b.id,
            "file": b.file,
            "precision": b.location.precision if b.location else "unknown",
        }
        for b in dataset.bases.values()
        if b.location is None or b.location.precision == "area"
    ]
    sources = list(dataset.sources.values())
    report = {
        "pending_translations": sorted(
            pending, key=lambda i: (i["file"], i["field"], i["language"])
        ),
        "single_origin_events": single,
        "bases_without_coordinates": bases,
        "sources_without_archive": [
            {"source": s.id, "file": s.file} for s in sources if not s.archive_url
        ],
        "sources_without_url": [{"source": s.id, "file": s.file} for s in sources if not s.url],
        "conflicting_figures": conflicting,
    }
    return report


def _describe(category: str, item: dict) -> str:
    if category == "pending_translations":
        return f"{item['file']}: {item['field']} ({item['language']})"
    if category == "single_origin_events":
        return f"{item['event']}: only {item['origin']} ({', '.join(item['sources'])})"
    if category == "bases_without_coordinates":
        return f"{item['base']} ({item['file']})"
    if category == "conflicting_figures":
        claims = ", ".join(
            f"{c['source']} {c['value']}" + (f"-{c['max']}" if c["max"] is not None else "")
            for c in item["claims"]
        )
        return f"{item['event']}: {item['quantity']} {claims}"
    return f"{item.get('source', '')} ({item.get('file', '')})"


def format_report(report: dict[str, list[dict]], fmt: str = "text") -> str:
    """The report as text (a heading per category, its count and items) or as JSON."""
    if fmt == "json":
        return json.dumps(report, sort_keys=True, ensure_ascii=False, indent=2)
    if fmt != "text":
        raise ValueError(f"unknown format '{fmt}': use text or json")
    lines = []
    for category, items in report.items():
        title = CATEGORIES.get(category, category)
        lines.append(f"{title} [{category}]: {len(items)}")
        lines.extend(f"  - {_describe(category, item)}" for item in items)
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
