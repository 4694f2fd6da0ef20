"""Write skeleton data files (`briefing new event`, `briefing new source`).

A skeleton holds clearly marked placeholders in both languages and cites no source, so it
fails validation, and nothing is published from it, until an editor has filled it in.
Nothing here reads the clock: dates are always passed in.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from generator.models import FuzzyDate
from generator.validate import parse_date

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
EVENT_SCHEMA_LINE = "# yaml-language-server: $schema=../../../generator/schemas/event.schema.json"
SOURCE_SCHEMA_LINE = "# yaml-language-server: $schema=../../generator/schemas/source.schema.json"
SUMMARY_PLACEHOLDER = {"en": "TODO: summary in your own words", "ar": "للإنجاز: ملخص بكلماتك"}
PUBLISHER_PLACEHOLDER = {"en": "TODO: publisher", "ar": "للإنجاز: الجهة الناشرة"}
MAX_SOURCE_SLUG = 60


def _read(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return data if isinstance(data, dict) else {}


def _q(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(unicodedata.normalize("NFC", value), ensure_ascii=False)


def slugify(text: str, max_length: int = 80) -> str:
    """Lowercase ASCII letters and digits joined by single hyphens, cut at a hyphen."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rstrip("-")
    return slug


def _next_free(directory: Path, stem: str) -> str:
    candidate, n = stem, 1
    while (directory / f"{candidate}.yaml").exists():
        n += 1
        candidate = f"{stem}-{n}"
    return candidate


def _check_date(value: str, what: str) -> str:
    parsed, why = parse_date(value)
    if parsed is None:
        raise ValueError(f"{what} '{value}' is not a valid date: {why}")
    return "day" if value.count("-") == 2 else "month"


def _sources(data_dir: Path) -> dict[str, dict]:
    out = {}
    for path in sorted((data_dir / "sources").glob("*.yaml")):
        data = _read(path)
        out[str(data.get("id", path.stem))] = data
    return out


def new_event(
    data_dir: Path,
    base: str,
    type_: str,
    date: str,
    slug: str | None = None,
    source: str | None = None,
) -> Path:
    """Write a skeleton event for `base` and return its path. It cites `source` if given,
    else none: the editor adds the sources that report the event."""
    data_dir = Path(data_dir)
    precision = _check_date(date, "date")
    taxonomy = _read(data_dir / "taxonomy.yaml")
    base_file = data_dir / "bases" / f"{base}.yaml"
    if not SLUG.match(base) or not base_file.exists():
        known = sorted(p.stem for p in (data_dir / "bases").glob("*.yaml"))
        raise ValueError(f"unknown base '{base}': use one of {', '.join(known)}")
    types = [t["id"] for t in taxonomy.get("event_types", [])]
    if type_ not in types:
        raise ValueError(f"unknown event type '{type_}': use one of {', '.join(types)}")
    base_data = _read(base_file)
    operators = base_data.get("operators") or []
    if not operators:
        raise ValueError(f"base '{base}' lists no operators to use as the event's actor")
    levels = taxonomy.get("confidence_levels", [])
    if not levels:
        raise ValueError("taxonomy.yaml defines no confidence levels")
    confidence = min(levels, key=lambda level: level.get("rank", 1))["id"]

    if source is not None and source not in _sources(data_dir):
        raise ValueError(f"unknown source '{source}': write data/sources/{source}.yaml first")

    slug = slug if slug is not None else f"{base}-{type_.replace('_', '-')}"
    if not SLUG.match(slug):
        raise ValueError(
            f"slug '{slug}' must be lowercase ASCII letters and digits joined by single hyphens"
        )
    id_day = date if precision == "day" else f"{date}-01"
    directory = data_dir / "events" / date[:4]
    ident = _next_free(directory, f"{id_day}-{slug}")
    if len(ident) > 100:
        raise ValueError(f"id '{ident}' is longer than 100 characters: choose a shorter slug")

    lines = [
        EVENT_SCHEMA_LINE,
        f"id: {ident}",
        f"date: {_q(date)}",
        f"date_precision: {precision}",
        f"bases: [{base}]",
        f"type: {type_}",
        f"actors: [{operators[0]}]",
        "summary:",
        f"  en: {_q(SUMMARY_PLACEHOLDER['en'])}",
        f"  ar: {_q(SUMMARY_PLACEHOLDER['ar'])}",
        f"sources: [{source or ''}]",
        f"confidence: {confidence}",
    ]
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{ident}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def source_slug(url: str) -> str:
    """An id from the URL: host (without www.) and path, as a slug of at most 60 characters."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    path = re.sub(r"\.(html?|php|aspx?)$", "", parts.path)
    slug = slugify(f"{host} {path}", MAX_SOURCE_SLUG)
    return slug or "source"


def new_source(
    data_dir: Path,
    url: str,
    published: str | None = None,
    *,
    today: date | None = None,
    language: str = "ar",
) -> Path:
    """Write a skeleton source for `url` and return its path. `published` is left out unless
    given (a report may give no date); `today` (the CLI passes the current date) is when it
    was accessed. The publisher is a placeholder for the editor to write."""
    data_dir = Path(data_dir)
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or re.search(r"\s", url.strip()):
        raise ValueError(f"'{url}' is not an http(s) address")
    url = url.strip()
    if len(url) > 2000:
        raise ValueError("the address is longer than 2000 characters")
    precision = _check_date(published, "published") if published else None
    if not re.match(r"^[a-z]{2}$", language):
        raise ValueError(f"language '{language}' must be a two-letter ISO 639-1 code")
    directory = data_dir / "sources"
    ident = _next_free(directory, source_slug(url))
    accessed = today.isoformat() if today else None
    lines = [
        SOURCE_SCHEMA_LINE,
        f"id: {ident}",
        "publisher:",
        f"  en: {_q(PUBLISHER_PLACEHOLDER['en'])}",
        f"  ar: {_q(PUBLISHER_PLACEHOLDER['ar'])}",
        f"url: {_q(url)}",
        *(
            [f"published: {_q(published)}", f"published_precision: {precision}"]
            if published
            else []
        ),
        f"language: {language}",
    ]
    if accessed:
        lines.append(f"accessed: {_q(accessed)}")
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{ident}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


BRIEFING_SCHEMA_LINE = (
    "# yaml-language-server: $schema=../../generator/schemas/briefing.schema.json"
)


def new_briefing(data_dir: Path, start: str, end: str, today: date, slug: str = "briefing") -> Path:
    """Write a skeleton briefing on [start, end], published `today`, listing the period's
    status changes and events as comments for the editor to draw on. Its placeholders fail
    validation until it is written."""
    from generator import derive
    from generator.validate import load_dataset

    first, why = parse_date(start)
    last, why_end = parse_date(end)
    if first is None or last is None:
        raise ValueError(f"the period is not two dates: {why or why_end}")
    if end.count("-") == 1:
        last = FuzzyDate(end, "month").latest
    if first > last:
        raise ValueError(f"the period starts ({start}) after it ends ({end})")
    if not SLUG.match(slug):
        raise ValueError(
            f"slug '{slug}' must be lowercase ASCII letters and digits joined by hyphens"
        )
    dataset, problems = load_dataset(Path(data_dir))
    if dataset is None:
        raise ValueError("the data has errors: run briefing validate and fix them first")
    changes = derive.changes_between(dataset, first, last)
    directory = Path(data_dir) / "briefings"
    ident = _next_free(directory, f"{today.isoformat()}-{slug}")
    lines = [
        BRIEFING_SCHEMA_LINE,
        f"id: {_q(ident)}",
        "title:",
        f"  en: {_q('TODO: title')}",
        f"  ar: {_q('للإنجاز: العنوان')}",
        "period:",
        f"  from: {_q(start)}",
        f"  to: {_q(end)}",
        f"published: {_q(today.isoformat())}",
        "bottom_line:",
        f"  en: {_q('TODO: two to four sentences for a reader with one minute')}",
        f"  ar: {_q('للإنجاز: جملتان إلى أربع جمل لقارئ لديه دقيقة واحدة')}",
        "judgements:",
        "  - text:",
        f"      en: {_q('TODO: a key judgement')}",
        f"      ar: {_q('للإنجاز: استنتاج رئيسي')}",
        '    confidence: "low"',
        "    events: []",
        "",
        "# Status changes in the period:",
        *(
            f"#   {change.date.value} {base_id}: {change.status} ({change.event_id})"
            for base_id, change in changes.statuses
        ),
        f"# Events in the period ({len(changes.events)}), newest first:",
        *(f"#   {e.id}: {e.type} at {', '.join(e.bases) or '-'}" for e in changes.events),
    ]
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{ident}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
