"""Machine-readable exports of the dataset: CSV, JSON, GeoJSON and the JSON Schemas.

Every output is a pure function of the dataset, written with write_if_changed so that
two builds of the same data give identical bytes and unchanged files keep their mtime.
CSV files are UTF-8 with a byte-order mark so that spreadsheet programs read Arabic.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from generator import derive
from generator.models import Claim, Dataset, Event, Location, Source, Text
from generator.write import write_if_changed

SCHEMA_DIR = Path(__file__).parent / "schemas"

EVENT_COLUMNS = (
    "id",
    "date",
    "date_precision",
    "end_date",
    "type",
    "occurrence",
    "bases",
    "place_en",
    "place_ar",
    "place_governorate",
    "place_lat",
    "place_lon",
    "actors",
    "handover_to",
    "confidence",
    "summary_en",
    "summary_ar",
    "claims",
    "sources",
    "independent_origins",
    "tags",
    "notes_en",
    "notes_ar",
)

SOURCE_COLUMNS = (
    "id",
    "publisher_en",
    "publisher_ar",
    "published",
    "published_precision",
    "language",
    "title",
    "author",
    "url",
    "archive_url",
    "accessed",
    "via",
    "origin",
    "notes_en",
    "notes_ar",
)


# -- helpers ------------------------------------------------------------------------------
def _text(value: Text | None, lang: str) -> str:
    """Only the text written in `lang`: exports never substitute the other language."""
    return (getattr(value, lang) or "") if value else ""


def _text_obj(value: Text | None) -> dict | None:
    if value is None:
        return None
    return {"en": value.en, "ar": value.ar, "pending": list(value.pending)}


def _location_obj(location: Location | None) -> dict | None:
    if location is None:
        return None
    return {
        "lat": location.lat,
        "lon": location.lon,
        "precision": location.precision,
        "note": _text_obj(location.note),
    }


def claim_compact(claim: Claim) -> str:
    """'killed:3-5:about:sohr-2025' — quantity:value[-max]:qualifier:source."""
    amount = str(claim.value) if claim.max is None else f"{claim.value}-{claim.max}"
    return f"{claim.quantity}:{amount}:{claim.qualifier}:{claim.source}"


def _claim_obj(claim: Claim) -> dict:
    return {
        "quantity": claim.quantity,
        "value": claim.value,
        "max": claim.max,
        "qualifier": claim.qualifier,
        "source": claim.source,
        "note": _text_obj(claim.note),
    }


def _csv(columns: tuple[str, ...], rows: list[dict]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row.get(k) is None else row[k] for k in columns})
    return buffer.getvalue().encode("utf-8-sig")


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, indent=2) + "\n"


def _events(dataset: Dataset) -> list[Event]:
    return sorted(dataset.events, key=lambda e: e.id)


# -- records ------------------------------------------------------------------------------
def event_record(dataset: Dataset, event: Event) -> dict:
    """One event as a JSON object, both languages side by side."""
    place = event.place
    return {
        "id": event.id,
        "date": event.date.value,
        "date_precision": event.date.precision,
        "end_date": event.end_date,
        "type": event.type,
        "occurrence": event.occurrence,
        "bases": list(event.bases),
        "place": None
        if place is None
        else {
            "name_en": _text(place.name, "en"),
            "name_ar": _text(place.name, "ar"),
            "governorate": place.governorate,
            "location": _location_obj(place.location),
        },
        "actors": list(event.actors),
        "handover_to": event.handover_to,
        "confidence": event.confidence,
        "summary_en": _text(event.summary, "en"),
        "summary_ar": _text(event.summary, "ar"),
        "summary_pending": list(event.summary.pending),
        "claims": [_claim_obj(c) for c in event.figures],
        "sources": list(event.sources),
        "independent_origins": len(derive.independent_origins(dataset, event.sources)),
        "tags": list(event.tags),
        "notes_en": _text(event.notes, "en"),
        "notes_ar": _text(event.notes, "ar"),
    }


def event_row(dataset: Dataset, event: Event) -> dict:
    """One event as a flat CSV row: lists joined by '; '."""
    place = event.place
    location = place.location if place else None
    return {
        "id": event.id,
        "date": event.date.value,
        "date_precision": event.date.precision,
        "end_date": event.end_date,
        "type": event.type,
        "occurrence": event.occurrence,
        "bases": "; ".join(event.bases),
        "place_en": _text(place.name, "en") if place else "",
        "place_ar": _text(place.name, "ar") if place else "",
        "place_governorate": place.governorate if place else "",
        "place_lat": location.lat if location else "",
        "place_lon": location.lon if location else "",
        "actors": "; ".join(event.actors),
        "handover_to": event.handover_to,
        "confidence": event.confidence,
        "summary_en": _text(event.summary, "en"),
        "summary_ar": _text(event.summary, "ar"),
        "claims": "; ".join(claim_compact(c) for c in event.figures),
        "sources": "; ".join(event.sources),
        "independent_origins": len(derive.independent_origins(dataset, event.sources)),
        "tags": "; ".join(event.tags),
        "notes_en": _text(event.notes, "en"),
        "notes_ar": _text(event.notes, "ar"),
    }


def source_row(dataset: Dataset, source: Source) -> dict:
    return {
        "id": source.id,
        "publisher_en": _text(source.publisher, "en"),
        "publisher_ar": _text(source.publisher, "ar"),
        "published": source.published.value if source.published else "",
        "published_precision": source.published.precision if source.published else "",
        "language": source.language,
        "title": source.title,
        "author": source.author,
        "url": source.url,
        "archive_url": source.archive_url,
        "accessed": source.accessed,
        "via": list(source.via),
        "own_reporting": source.own_reporting,
        "origins": sorted(derive.origins_of(dataset.sources, source.id)),
        "notes_en": _text(source.notes, "en"),
        "notes_ar": _text(source.notes, "ar"),
    }


def bases_geojson(dataset: Dataset) -> dict:
    """A GeoJSON FeatureCollection (RFC 7946: coordinates are [longitude, latitude])."""
    features = []
    for base_id in sorted(dataset.bases):
        base = dataset.bases[base_id]
        features.append(
            {
                "type": "Feature",
                "id": base.id,
                # no published coordinates: null geometry, as RFC 7946 allows
                "geometry": {"type": "Point", "coordinates": [base.location.lon, base.location.lat]}
                if base.location
                else None,
                "properties": {
                    "id": base.id,
                    "name_en": _text(base.name, "en"),
                    "name_ar": _text(base.name, "ar"),
                    "kind": base.kind,
                    "country": base.country,
                    "governorate": base.governorate,
                    "precision": base.location.precision if base.location else None,
                    "status": derive.current_status(dataset, base.id),
                    "operators": list(base.operators),
                    "events": len(dataset.events_of_base(base.id)),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


# -- writing ------------------------------------------------------------------------------
def render_exports(dataset: Dataset) -> dict[str, bytes]:
    """Relative path -> bytes of every export file."""
    events = _events(dataset)
    files: dict[str, bytes] = {
        "events.csv": _csv(EVENT_COLUMNS, [event_row(dataset, e) for e in events]),
        "events.json": _json({"events": [event_record(dataset, e) for e in events]}).encode(
            "utf-8"
        ),
        "bases.geojson": _json(bases_geojson(dataset)).encode("utf-8"),
        "sources.csv": _csv(
            SOURCE_COLUMNS,
            [source_row(dataset, dataset.sources[s]) for s in sorted(dataset.sources)],
        ),
    }
    for schema in sorted(SCHEMA_DIR.glob("*.schema.json")):
        files[f"schemas/{schema.name}"] = schema.read_bytes()
    return files


def write_exports(dataset: Dataset, out_dir: Path) -> list[Path]:
    """Write the exports into `out_dir`; returns every path produced (written or unchanged)."""
    paths = []
    for relative, data in render_exports(dataset).items():
        path = out_dir / relative
        write_if_changed(path, data)
        paths.append(path)
    return paths
