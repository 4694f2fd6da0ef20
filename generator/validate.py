"""Check a data directory against the format and the rules between records.

Every problem is collected (never the first one only) with its file, line and a hint, and a
`Dataset` is returned only when there are no errors: nothing is published from invalid data.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from generator.errors import Problem, Severity, errors_only
from generator.load import Document, FieldPath, parse_bytes
from generator.models import (
    LANGUAGES,
    UNSET,
    Base,
    Claim,
    ConfidenceLevel,
    Correction,
    Dataset,
    Event,
    EventType,
    FuzzyDate,
    Governorate,
    Judgement,
    Location,
    Place,
    Publisher,
    Quantity,
    Source,
    Status,
    Taxonomy,
    Term,
    Text,
    Version,
    WrittenBriefing,
)
from generator.schema import SchemaSet, default_schemas

SYRIA_BOUNDS = (32.3, 37.4, 35.6, 42.5)  # lat min, lat max, lon min, lon max
FORBIDDEN_CHARACTERS = re.compile("[\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")
LANGUAGE_NAMES = {"en": "English", "ar": "Arabic"}
PLURAL_CATEGORIES = {"en": ("one", "other"), "ar": ("zero", "one", "two", "few", "many", "other")}
DATE_PATTERN = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")
# what skeletons and unfinished notes hold: never published
PLACEHOLDER = re.compile(r"\b(TODO|TBD|FIXME)\b|للإنجاز|to be completed", re.IGNORECASE)
EDITOR_ONLY = "editor_notes"  # a field never published: it may say what is left to do
PLACEHOLDER_WORDS = ("todo", "tbd", "fixme", "للإنجاز", "to be completed")  # as PLACEHOLDER
# one search finds the strings worth a closer look: most text has neither
SUSPECT = re.compile(f"{FORBIDDEN_CHARACTERS.pattern}|{PLACEHOLDER.pattern}", re.IGNORECASE)


def discover(data_dir: Path) -> tuple[dict[str, list[Path]], list[Problem]]:
    """Find the data files by kind; anything misplaced is a problem, not silently ignored."""
    kinds: dict[str, list[Path]] = {
        "taxonomy": [],
        "base": [],
        "source": [],
        "event": [],
        "briefing": [],
        "publisher": [],
    }
    problems: list[Problem] = []
    taxonomy = data_dir / "taxonomy.yaml"
    if taxonomy.exists():
        kinds["taxonomy"].append(taxonomy)
    else:
        problems.append(
            Problem(
                str(taxonomy),
                1,
                1,
                "",
                "taxonomy.yaml is missing",
                "every data directory needs data/taxonomy.yaml",
            )
        )
    for rel in _relative_files(data_dir):
        suffix = os.path.splitext(rel[-1])[1]  # as Path.suffix, without making a Path for it
        if rel == ("taxonomy.yaml",) or rel[0].startswith(".") or suffix not in (".yaml", ".yml"):
            continue
        if rel == ("publisher.yaml",):
            kinds["publisher"].append(data_dir / "publisher.yaml")
            continue
        path = data_dir.joinpath(*rel)
        if suffix == ".yml":
            problems.append(
                Problem(
                    str(path), 1, 1, "", "data files end in .yaml", f"rename it to {path.stem}.yaml"
                )
            )
        elif len(rel) == 2 and rel[0] == "bases":
            kinds["base"].append(path)
        elif len(rel) == 2 and rel[0] == "sources":
            kinds["source"].append(path)
        elif len(rel) == 3 and rel[0] == "events":
            kinds["event"].append(path)
        elif len(rel) == 2 and rel[0] == "briefings":
            kinds["briefing"].append(path)
        else:
            problems.append(
                Problem(
                    str(path),
                    1,
                    1,
                    "",
                    "this file is not in a place the generator reads",
                    "bases go in bases/<id>.yaml, sources in sources/<id>.yaml, "
                    "events in events/<yyyy>/<id>.yaml, briefings in briefings/<id>.yaml",
                )
            )
    return kinds, problems


def _relative_files(root: Path) -> list[tuple[str, ...]]:
    """Every file under `root` as path parts, sorted; os.walk is much faster than rglob."""
    found = []
    for directory, _, names in os.walk(root):
        parts = Path(directory).relative_to(root).parts
        found.extend((*parts, name) for name in names)
    return sorted(found)


@cache  # a pure function of the text, asked of every event's dates
def parse_date(value: str) -> tuple[date | None, str]:
    """The date a YYYY-MM(-DD) string names, or None and why it names none."""
    match = DATE_PATTERN.match(value)
    if not match:
        return None, "write YYYY-MM-DD, or YYYY-MM when only the month is known"
    year, month, day = int(match[1]), int(match[2]), int(match[3] or 1)
    if not 1990 <= year <= 2100:
        return None, "the year must be between 1990 and 2100"
    try:
        return date(year, month, day), ""
    except ValueError:
        if not 1 <= month <= 12:
            return None, "months run from 01 to 12"
        import calendar

        last = calendar.monthrange(year, month)[1]
        return None, f"{date(year, month, 1):%B %Y} has {last} days"


class _Checker:
    """Builds models from checked documents, recording every rule broken on the way."""

    def __init__(self, schemas: SchemaSet, today: date | None = None):
        self.schemas = schemas
        self.problems: list[Problem] = []
        self.today = today or date.today()

    # -- shared helpers ---------------------------------------------------------------
    def error(
        self, doc: Document, path: FieldPath, message: str, hint: str = "", **kw: Any
    ) -> None:
        self.problems.append(doc.problem(path, message, hint, **kw))

    def warn(self, doc: Document, path: FieldPath, message: str, hint: str = "", **kw: Any) -> None:
        self.problems.append(doc.problem(path, message, hint, severity=Severity.WARNING, **kw))

    def check_strings(self, doc: Document, value: Any, path: FieldPath = ()) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key != EDITOR_ONLY:
                    self.check_strings(doc, item, path + (key,))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                self.check_strings(doc, item, path + (i,))
        elif isinstance(value, str):
            if value.isascii() or unicodedata.is_normalized("NFC", value):
                if not SUSPECT.search(value):
                    return
            found = FORBIDDEN_CHARACTERS.search(value)
            if found:
                self.error(
                    doc,
                    path,
                    f"contains the invisible control character U+{ord(found.group()):04X}",
                    "delete it: such characters can reorder or hide text; the site isolates "
                    "mixed Arabic and Latin text by itself",
                )
            elif not unicodedata.is_normalized("NFC", value):
                self.error(
                    doc,
                    path,
                    "text is not in Unicode normal form NFC",
                    "retype the accented or Arabic letters, or normalize the file to NFC",
                )
            elif PLACEHOLDER.search(value):
                self.error(
                    doc,
                    path,
                    f"'{PLACEHOLDER.search(value).group()}' marks unfinished text, which would be published",
                    "write the text, or move what is left to do into editor_notes (never published)",
                )

    def text(self, doc: Document, value: dict | None, path: FieldPath) -> Text | None:
        if value is None:
            return None
        pending = tuple(value.get("pending_translation", ()))
        for lang in LANGUAGES:
            if lang in pending:
                self.warn(
                    doc,
                    path + (lang,),
                    f"{LANGUAGE_NAMES[lang]} translation pending",
                    "translate it and remove the language from pending_translation",
                )
            elif not value.get(lang):
                self.error(
                    doc,
                    path,
                    f"missing the {LANGUAGE_NAMES[lang]} text ('{lang}')",
                    f"write it, or list {lang} under pending_translation to publish with a warning",
                )
        return Text(en=value.get("en"), ar=value.get("ar"), pending=pending)

    def location(
        self, doc: Document, value: dict | None, path: FieldPath, abroad: bool = False
    ) -> Location | None:
        if value is None:
            return None
        lat, lon = value["lat"], value["lon"]
        lat_min, lat_max, lon_min, lon_max = SYRIA_BOUNDS
        if not abroad and not (lat_min <= lat <= lat_max and lon_min <= lon <= lon_max):
            self.warn(
                doc,
                path,
                f"({lat}, {lon}) lies outside Syria",
                "check that lat and lon are not swapped",
            )
        return Location(
            lat, lon, value["precision"], self.text(doc, value.get("note"), path + ("note",))
        )

    def fuzzy_date(
        self,
        doc: Document,
        value: str,
        precision: str,
        path: FieldPath,
        future_allowed: bool = False,
    ) -> FuzzyDate | None:
        parsed, why = parse_date(value)
        if parsed is None:
            self.error(doc, path, f"'{value}' is not a valid date", why)
            return None
        if parsed > self.today and not future_allowed:
            self.error(
                doc,
                path,
                f"{value} is in the future",
                "check the year; only planned or announced events may lie ahead",
            )
        has_day = value.count("-") == 2
        if precision == "day" and not has_day:
            self.error(
                doc,
                path,
                "precision is 'day' but the date has no day",
                "write YYYY-MM-DD, or set the precision to month",
            )
        if precision == "month" and has_day:
            self.error(
                doc,
                path,
                "precision is 'month' but the date names a day",
                "write YYYY-MM, or set the precision to day",
            )
        return FuzzyDate(value, precision)

    def same_as_filename(self, doc: Document) -> None:
        ident = doc.data.get("id")
        if isinstance(ident, str) and ident != doc.path.stem:
            self.error(
                doc,
                ("id",),
                f"id '{ident}' does not match the file name '{doc.path.name}'",
                f"rename the file to {ident}.yaml, or set id: {doc.path.stem}",
            )

    def known(
        self, doc: Document, path: FieldPath, value: str, table: dict | set, what: str
    ) -> None:
        if value not in table:
            import difflib

            noun, _, where = what.partition(" (")
            close = difflib.get_close_matches(value, list(table), 1)
            hint = (
                f"did you mean '{close[0]}'?"
                if close
                else f"use one defined in {where.rstrip(')')}, or add it there"
            )
            self.error(doc, path, f"unknown {noun} '{value}'", hint)

    # -- records ------------------------------------------------------------------------
    def taxonomy(self, doc: Document) -> Taxonomy:
        d = doc.data

        def terms(key: str) -> list[tuple[int, dict]]:
            seen: dict[str, int] = {}
            out = []
            for i, item in enumerate(d[key]):
                if item["id"] in seen:
                    self.error(
                        doc,
                        (key, i, "id"),
                        f"'{item['id']}' is defined twice in {key}",
                        f"remove one (first at item {seen[item['id']]})",
                    )
                seen[item["id"]] = i
                out.append((i, item))
            return out

        def base_term(key: str, i: int, item: dict) -> dict:
            return {
                "id": item["id"],
                "label": self.text(doc, item["label"], (key, i, "label")),
                "definition": self.text(doc, item["definition"], (key, i, "definition")),
            }

        statuses = {
            t["id"]: Status(**base_term("statuses", i, t), color=t["color"])
            for i, t in terms("statuses")
        }
        if "contested" not in statuses:
            self.error(
                doc,
                ("statuses",),
                "the status 'contested' is missing",
                "add it: a base whose latest reports disagree is shown as contested",
            )
        event_types = {}
        for i, t in terms("event_types"):
            if t.get("sets_status") and t["sets_status"] not in statuses:
                self.known(
                    doc,
                    ("event_types", i, "sets_status"),
                    t["sets_status"],
                    statuses,
                    "status (statuses in taxonomy.yaml)",
                )
            event_types[t["id"]] = EventType(
                **base_term("event_types", i, t),
                color=t["color"],
                sets_status=t.get("sets_status"),
                shows_presence=t.get("shows_presence", False),
            )
        quantities = {}
        for i, t in terms("quantities"):
            for lang, needed in PLURAL_CATEGORIES.items():
                missing = [c for c in needed if c not in t["forms"][lang] and c != "zero"]
                if missing:
                    self.error(
                        doc,
                        ("quantities", i, "forms", lang),
                        f"plural forms {', '.join(missing)} are missing",
                        f"{LANGUAGE_NAMES[lang]} needs the forms {', '.join(needed)}",
                    )
            quantities[t["id"]] = Quantity(
                t["id"], self.text(doc, t["label"], ("quantities", i, "label")), t["forms"]
            )
        governorates = {}
        for i, g in terms("governorates"):
            governorates[g["id"]] = Governorate(
                g["id"],
                self.text(doc, g["label"], ("governorates", i, "label")),
                self.text(doc, g["capital"]["name"], ("governorates", i, "capital", "name")),
                g["capital"]["lat"],
                g["capital"]["lon"],
            )
        return Taxonomy(
            event_types=event_types,
            statuses=statuses,
            actors={t["id"]: Term(**base_term("actors", i, t)) for i, t in terms("actors")},
            confidence_levels={
                t["id"]: ConfidenceLevel(**base_term("confidence_levels", i, t), rank=t["rank"])
                for i, t in terms("confidence_levels")
            },
            base_kinds={
                t["id"]: Term(**base_term("base_kinds", i, t)) for i, t in terms("base_kinds")
            },
            governorates=governorates,
            quantities=quantities,
        )

    def base(self, doc: Document, tax: Taxonomy, source_ids: set[str]) -> Base:
        d = doc.data
        self.same_as_filename(doc)
        country = d.get("country", "SY")
        if d.get("kind"):
            self.known(
                doc, ("kind",), d["kind"], tax.base_kinds, "base kind (base_kinds in taxonomy.yaml)"
            )
        if country != "SY" and d.get("governorate"):
            self.error(
                doc,
                ("governorate",),
                "governorates are Syrian: a site in another country has none",
                "remove governorate, or country if the site is in Syria",
            )
        elif country == "SY" and not d.get("governorate"):
            self.error(
                doc,
                (),
                "a Syrian site needs its governorate",
                "add governorate: with an id from taxonomy.yaml, or country: for a site abroad",
            )
        elif d.get("governorate"):
            self.known(
                doc,
                ("governorate",),
                d["governorate"],
                tax.governorates,
                "governorate (governorates in taxonomy.yaml)",
            )
        for i, actor in enumerate(d.get("operators", ())):
            self.known(doc, ("operators", i), actor, tax.actors, "actor (actors in taxonomy.yaml)")
        for i, source in enumerate(d["sources"]):
            self.known(doc, ("sources", i), source, source_ids, "source (sources/<id>.yaml)")
        if d.get("initial_status"):
            self.known(
                doc,
                ("initial_status",),
                d["initial_status"],
                tax.statuses,
                "status (statuses in taxonomy.yaml)",
            )
        aliases = d.get("aliases", {})
        return Base(
            id=d["id"],
            name=self.text(doc, d["name"], ("name",)),
            aliases={lang: tuple(aliases.get(lang, ())) for lang in LANGUAGES},
            kind=d.get("kind"),
            governorate=d.get("governorate"),
            location=self.location(doc, d.get("location"), ("location",), abroad=country != "SY"),
            description=self.text(doc, d.get("description"), ("description",)),
            operators=tuple(d.get("operators", ())),
            sources=tuple(d["sources"]),
            notes=self.text(doc, d.get("notes"), ("notes",)),
            initial_status=d.get("initial_status", "active"),
            country=country,
            file=doc.display,
        )

    def source(self, doc: Document, source_ids: set[str]) -> Source:
        d = doc.data
        self.same_as_filename(doc)
        published = None
        if d.get("published"):
            if not d.get("published_precision"):
                self.error(
                    doc,
                    ("published",),
                    "published needs published_precision",
                    "add published_precision: day (or month)",
                )
            else:
                published = self.fuzzy_date(
                    doc, d["published"], d["published_precision"], ("published",)
                )
        elif d.get("published_precision"):
            self.error(
                doc,
                ("published_precision",),
                "published_precision without published",
                "remove it: a report that gives no date has no precision either",
            )
        if d.get("accessed"):
            self.fuzzy_date(doc, d["accessed"], "day", ("accessed",))
        via = d.get("via") or ()
        via = (via,) if isinstance(via, str) else tuple(via)
        for i, relayed in enumerate(via):
            path = ("via",) if isinstance(d.get("via"), str) else ("via", i)
            if relayed == d["id"]:
                self.error(
                    doc, path, "a source cannot relay itself", "remove it, or name another source"
                )
            elif relayed not in source_ids:
                self.known(doc, path, relayed, source_ids - {d["id"]}, "source (sources/<id>.yaml)")
        if d.get("own_reporting") and not via:
            self.error(
                doc,
                ("own_reporting",),
                "own_reporting is for a report that also relays others",
                "remove it: a report that relays nothing is an origin already",
            )
        if not d.get("url"):
            self.warn(
                doc,
                ("id",),
                "no url: readers cannot check this source",
                "add url when it is known, and say in editor_notes why it is missing",
            )
        return Source(
            id=d["id"],
            publisher=self.text(doc, d["publisher"], ("publisher",)),
            published=published,
            language=d["language"],
            title=d.get("title"),
            url=d.get("url"),
            author=d.get("author"),
            accessed=d.get("accessed"),
            archive_url=d.get("archive_url"),
            via=via,
            own_reporting=bool(d.get("own_reporting")),
            notes=self.text(doc, d.get("notes"), ("notes",)),
            file=doc.display,
        )

    def event(
        self,
        doc: Document,
        tax: Taxonomy,
        base_ids: set[str],
        sources: dict[str, Source],
        source_ids: set[str],
    ) -> Event | None:
        d = doc.data
        self.same_as_filename(doc)
        year_folder = doc.path.parent.name
        if d["id"][:4] != year_folder:
            self.error(
                doc,
                ("id",),
                f"the event is in the folder {year_folder}/ but its id starts with {d['id'][:4]}",
                f"move the file to events/{d['id'][:4]}/",
            )
        when = self.fuzzy_date(
            doc,
            d["date"],
            d["date_precision"],
            ("date",),
            future_allowed=d.get("occurrence", "occurred") != "occurred",
        )
        end = None
        if d.get("end_date"):
            end, why = parse_date(d["end_date"])
            if end is None:
                self.error(doc, ("end_date",), f"'{d['end_date']}' is not a valid date", why)
            elif when and end < when.anchor:
                self.error(
                    doc,
                    ("end_date",),
                    f"end_date {d['end_date']} is before date {d['date']}",
                    "swap them, or correct one of them",
                )
        if when:
            id_day, _ = parse_date(d["id"][:10])
            if id_day and not ((when.earliest or date.min) <= id_day <= when.latest):
                self.warn(
                    doc,
                    ("id",),
                    f"the id's date {d['id'][:10]} is outside the event's dates",
                    "fine after a correction (ids never change); otherwise name the file after the date",
                )
        if ("bases" in d) == ("place" in d):
            self.error(
                doc,
                (),
                "give either bases or place (exactly one of them)",
                "bases: [id, ...] for events at bases; place: for anywhere else",
            )
        for i, base in enumerate(d.get("bases", ())):
            self.known(doc, ("bases", i), base, base_ids, "base (bases/<id>.yaml)")
        place = None
        if "place" in d:
            p = d["place"]
            if p.get("governorate"):
                self.known(
                    doc,
                    ("place", "governorate"),
                    p["governorate"],
                    tax.governorates,
                    "governorate (governorates in taxonomy.yaml)",
                )
            place = Place(
                self.text(doc, p["name"], ("place", "name")),
                p.get("governorate"),
                self.location(doc, p.get("location"), ("place", "location")),
            )
        self.known(
            doc, ("type",), d["type"], tax.event_types, "event type (event_types in taxonomy.yaml)"
        )
        for i, actor in enumerate(d["actors"]):
            self.known(doc, ("actors", i), actor, tax.actors, "actor (actors in taxonomy.yaml)")
        self.known(
            doc,
            ("confidence",),
            d["confidence"],
            tax.confidence_levels,
            "confidence level (confidence_levels in taxonomy.yaml)",
        )
        event_type = tax.event_types.get(d["type"])
        if d.get("handover_to"):
            self.known(
                doc,
                ("handover_to",),
                d["handover_to"],
                tax.actors,
                "actor (actors in taxonomy.yaml)",
            )
        elif event_type and event_type.sets_status == "handed_over":
            self.error(
                doc,
                ("type",),
                "a handover must say to whom",
                "add handover_to: with the actor id that received the base",
            )
        for i, source in enumerate(d["sources"]):
            self.known(doc, ("sources", i), source, source_ids, "source (sources/<id>.yaml)")
        claims = []
        for i, f in enumerate(d.get("figures", ())):
            path = ("figures", i)
            self.known(
                doc,
                path + ("quantity",),
                f["quantity"],
                tax.quantities,
                "quantity (quantities in taxonomy.yaml)",
            )
            if f["source"] not in d["sources"]:
                self.error(
                    doc,
                    path + ("source",),
                    f"the figure cites '{f['source']}', which is not among this event's sources",
                    f"add {f['source']} to sources, or cite one of them",
                )
            if f.get("max") is not None and f["max"] < f["value"]:
                self.error(
                    doc,
                    path + ("max",),
                    f"max {f['max']} is smaller than value {f['value']}",
                    "value is the lower end of the range, max the upper end",
                )
            claims.append(
                Claim(
                    f["quantity"],
                    f["value"],
                    f["source"],
                    f.get("max"),
                    f.get("qualifier", "exact"),
                    self.text(doc, f.get("note"), path + ("note",)),
                )
            )
        occurrence = d.get("occurrence", "occurred")
        status = UNSET
        if "status" in d:
            status = d["status"]
            if status is not None:
                self.known(
                    doc, ("status",), status, tax.statuses, "status (statuses in taxonomy.yaml)"
                )
        versions = [
            self.version(doc, v, ("versions", i), d, tax)
            for i, v in enumerate(d.get("versions", ()))
        ]
        if when and occurrence == "occurred":
            given = {v.source: v.date for v in versions if v.date is not None}
            for i, source_id in enumerate(d["sources"]):
                source = sources.get(source_id)
                said = given.get(source_id, when)  # the date this source gives
                if source and source.published and said.earliest:
                    if source.published.latest < said.earliest:
                        self.error(
                            doc,
                            ("sources", i),
                            f"source '{source_id}' was published ({source.published.value}) before the date it gives the event ({said.value})",
                            "a report cannot predate its event: correct a date, give this source's "
                            "own date in versions, or set occurrence: planned (or announced) if "
                            "the source reported it in advance",
                        )
        corrections = []
        for i, c in enumerate(d.get("corrections", ())):
            self.fuzzy_date(doc, c["date"], "day", ("corrections", i, "date"))
            corrections.append(
                Correction(
                    c["date"],
                    tuple(c["fields"]),
                    self.text(doc, c["note"], ("corrections", i, "note")),
                )
            )
        retracted = None
        if d.get("retracted"):
            r = d["retracted"]
            self.fuzzy_date(doc, r["date"], "day", ("retracted", "date"))
            retracted = Correction(r["date"], (), self.text(doc, r["note"], ("retracted", "note")))
        if not when:
            return None
        return Event(
            id=d["id"],
            date=when,
            type=d["type"],
            actors=tuple(d["actors"]),
            summary=self.text(doc, d["summary"], ("summary",)),
            sources=tuple(d["sources"]),
            confidence=d["confidence"],
            end_date=d.get("end_date") if end else None,
            occurrence=occurrence,
            bases=tuple(d.get("bases", ())),
            place=place,
            handover_to=d.get("handover_to"),
            figures=tuple(claims),
            tags=tuple(d.get("tags", ())),
            notes=self.text(doc, d.get("notes"), ("notes",)),
            corrections=tuple(corrections),
            retracted=retracted,
            status=status,
            time=d.get("time"),
            versions=tuple(versions),
            aggregate=bool(d.get("aggregate")),
            distinct_from=tuple(d.get("distinct_from", ())),
            file=doc.display,
        )

    def publisher(self, doc: Document) -> Publisher:
        d = doc.data
        return Publisher(
            self.text(doc, d["producer"], ("producer",)), d.get("contact"), d.get("repository")
        )

    def briefing(self, doc: Document, tax: Taxonomy, events: dict[str, Event]) -> WrittenBriefing:
        d = doc.data
        self.same_as_filename(doc)
        start, end = parse_date(d["period"]["from"])[0], parse_date(d["period"]["to"])[0]
        published, _ = parse_date(d["published"])
        for key, value, day in (
            ("from", d["period"]["from"], start),
            ("to", d["period"]["to"], end),
        ):
            if day is None:
                self.error(
                    doc, ("period", key), f"'{value}' is not a valid date", parse_date(value)[1]
                )
        if d["period"]["to"].count("-") == 1 and end:  # a month: to its last day
            end = FuzzyDate(d["period"]["to"], "month").latest
        if start and end and start > end:
            self.error(doc, ("period",), "the period ends before it starts", "swap from and to")
        if published is None or d["published"].count("-") != 2:
            self.error(doc, ("published",), f"'{d['published']}' is not a day", "write YYYY-MM-DD")
        elif end and published < end:
            self.warn(
                doc,
                ("published",),
                "the briefing is published before its period ends",
                "check the dates: a briefing reports on a period that is over",
            )
        judgements = []
        for i, j in enumerate(d["judgements"]):
            path = ("judgements", i)
            self.known(
                doc,
                path + ("confidence",),
                j["confidence"],
                tax.confidence_levels,
                "confidence level (confidence_levels in taxonomy.yaml)",
            )
            for k, event_id in enumerate(j["events"]):
                event = events.get(event_id)
                if event is None:
                    self.known(doc, path + ("events", k), event_id, events, "event")
                elif (
                    start
                    and end
                    and not (
                        (event.date.earliest or event.date.anchor) <= end and event.latest >= start
                    )
                ):
                    self.error(
                        doc,
                        path + ("events", k),
                        f"event '{event_id}' ({event.date.value}) lies outside the period",
                        "cite events of the period, or widen the period",
                    )
            judgements.append(
                Judgement(
                    self.text(doc, j["text"], path + ("text",)), j["confidence"], tuple(j["events"])
                )
            )
        return WrittenBriefing(
            id=d["id"],
            title=self.text(doc, d["title"], ("title",)),
            start=start or date.min,
            end=end or date.max,
            published=published or date.min,
            bottom_line=self.text(doc, d["bottom_line"], ("bottom_line",)),
            judgements=tuple(judgements),
            file=doc.display,
        )

    def version(
        self, doc: Document, v: dict, path: FieldPath, event: dict, tax: Taxonomy
    ) -> Version:
        if v["source"] not in event["sources"]:
            self.error(
                doc,
                path + ("source",),
                f"'{v['source']}' gives a version of this event but is not among its sources",
                f"add {v['source']} to sources",
            )
        if not any(key in v for key in ("date", "status", "place")):
            self.error(
                doc,
                path,
                "a version says what this source gives differently: a date, a status or a place",
                "add date:, status: or place:, or remove the version",
            )
        when = None
        if "date" in v:
            precision = v.get("date_precision", "day" if v["date"].count("-") == 2 else "month")
            when = self.fuzzy_date(doc, v["date"], precision, path + ("date",), True)
        if v.get("status"):
            self.known(
                doc,
                path + ("status",),
                v["status"],
                tax.statuses,
                "status (statuses in taxonomy.yaml)",
            )
        return Version(
            source=v["source"],
            date=when,
            end_date=v.get("end_date"),
            status=v.get("status"),
            place=self.text(doc, v.get("place"), path + ("place",)),
            note=self.text(doc, v.get("note"), path + ("note",)),
        )


def _check_file(
    checker: _Checker, schemas: SchemaSet, kind: str, path: Path, blob: bytes
) -> FileCheck:
    """Parse one file and apply the checks that need only that file, with a fresh `checker`.

    Returns the document, its problems, and whether it is sound enough to build a record from.
    """
    doc, found = parse_bytes(path, str(path), blob)
    if doc is None:
        return None, found, False
    if not isinstance(doc.data, dict):
        problem = doc.problem(
            (),
            "the file must hold a mapping of fields",
            "start with `id: ...` and one field per line",
        )
        return doc, [*found, problem], False
    if may_hold_bad_text(blob):
        checker.check_strings(doc, doc.data)
    reported = {p.field for p in found}  # the loader already explained these fields
    schema_problems = [
        p for p in schemas.check(doc, f"{kind}.schema.json") if p.field not in reported
    ]
    return doc, [*found, *checker.problems, *schema_problems], not schema_problems and not found


FileCheck = tuple[Document | None, list[Problem], bool]  # see _check_file


@dataclass
class Checked:
    """What a long-lived caller (the preview) keeps between two loads of the same directory:
    each file's own checks, by what its last save left on disk, and each event built from
    an unchanged file, with what building it read from the other records."""

    files: dict[tuple[str, Path], tuple[tuple[int, ...], FileCheck]] = field(default_factory=dict)
    events: dict[Path, tuple[Document, Event | None, list[Problem]]] = field(default_factory=dict)
    records: tuple = ()  # the taxonomy, ids, sources and day the events were built with


def may_hold_bad_text(blob: bytes) -> bool:
    """Whether a string of the file could hold a control character, text not in NFC or a
    placeholder. Asked of the whole file first because almost no file does; a backslash
    counts, since YAML escapes can spell any character."""
    text = blob.decode("utf-8", errors="replace")
    lowered = text.lower()
    return (
        "\\" in text
        or FORBIDDEN_CHARACTERS.search(text) is not None
        or not unicodedata.is_normalized("NFC", text)
        or any(word in lowered for word in PLACEHOLDER_WORDS)
    )


def load_dataset(
    data_dir: Path,
    schemas: SchemaSet | None = None,
    checked: Checked | None = None,
) -> tuple[Dataset | None, list[Problem]]:
    """Load and check a whole data directory. The dataset is None if any error was found.

    With `checked`, a long-lived caller (the preview) keeps work between calls: a file is
    read and parsed again only if a save changed it (its inode, size or modification time),
    and an event is built again only if its file changed or the taxonomy, the ids or the
    sources did. The checks between records always run on the whole dataset.
    """
    schemas = schemas or default_schemas()
    files, problems = discover(data_dir)
    checker = _Checker(schemas)
    checker.problems = problems
    memo = {} if checked is None else checked.files
    entries = [(kind, path) for kind, paths in files.items() for path in paths]
    for kind, path in entries:
        saved = _saved(path) if checked is not None else None
        if saved is None or memo.get((kind, path), (None,))[0] != saved:
            fresh = _Checker(schemas, checker.today)
            blob = path.read_bytes()
            memo[(kind, path)] = (saved, _check_file(fresh, schemas, kind, path, blob))
    for gone in set(memo) - set(entries):
        del memo[gone]
    docs: dict[str, list[Document]] = defaultdict(list)
    for kind, path in entries:
        doc, found, usable = memo[(kind, path)][1]
        checker.problems.extend(found)
        if doc is None:
            continue
        if usable:
            docs[kind].append(doc)
        elif kind != "taxonomy" and _id_inside(doc) is not None:
            docs[f"{kind}-ids-only"].append(doc)

    ids: dict[str, set[str]] = {}
    for kind in ("base", "source", "event"):
        first: dict[str, Document] = {}
        for doc in docs[kind] + docs[f"{kind}-ids-only"]:  # usable ones first
            ident = doc.data["id"]
            if ident in first:
                checker.error(
                    doc,
                    ("id",),
                    f"id '{ident}' is also used by {first[ident].display}",
                    "ids must be unique: choose another one",
                )
            else:
                first[ident] = doc
        # a reference by file name is fine even where the id inside is broken: that is reported once
        ids[kind] = set(first) | {path.stem for path in files[kind]}

    if not docs["taxonomy"]:
        return None, sorted(checker.problems)
    taxonomy = checker.taxonomy(docs["taxonomy"][0])
    sources = {s.id: s for s in (checker.source(doc, ids["source"]) for doc in docs["source"])}
    bases = {b.id: b for b in (checker.base(doc, taxonomy, ids["source"]) for doc in docs["base"])}
    records = (taxonomy, ids["base"], sources, ids["source"], checker.today)
    kept = checked.events if checked is not None and checked.records == records else {}

    def event(doc: Document) -> Event | None:
        if doc.path in kept and kept[doc.path][0] is doc:  # the same parse of the same file
            _, built, found = kept[doc.path]
            checker.problems.extend(found)
            return built
        before = len(checker.problems)
        built = checker.event(doc, taxonomy, ids["base"], sources, ids["source"])
        if checked is not None:
            checked.events[doc.path] = (doc, built, checker.problems[before:])
        return built

    events = [event(doc) for doc in docs["event"]]
    if checked is not None:
        checked.records = records
        for gone in checked.events.keys() - {doc.path for doc in docs["event"]}:
            del checked.events[gone]
    _check_relay_cycles(checker, docs["source"], sources)
    valid_events = {e.id: e for e in events if e is not None}
    _check_between_events(checker, docs["event"], list(valid_events.values()))
    briefings = [checker.briefing(doc, taxonomy, valid_events) for doc in docs["briefing"]]
    publisher = checker.publisher(docs["publisher"][0]) if docs["publisher"] else None
    problems = sorted(set(checker.problems))
    if errors_only(problems):
        return None, problems
    dataset = Dataset(
        taxonomy=taxonomy,
        bases=dict(sorted(bases.items())),
        sources=dict(sorted(sources.items())),
        events=tuple(sorted((e for e in events if e is not None), key=lambda e: e.sort_key)),
        briefings=tuple(sorted(briefings, key=lambda b: (b.published, b.id), reverse=True)),
        publisher=publisher,
    )
    return dataset, problems


def _saved(path: Path) -> tuple[int, ...]:
    """What changes whenever an editor saves a file, in place or by replacing it."""
    status = path.stat()
    return status.st_ino, status.st_size, status.st_mtime_ns


def _id_inside(doc: Document | None) -> str | None:
    """The id a record gives itself, if it gives a string."""
    if doc is None or not isinstance(doc.data, dict):
        return None
    ident = doc.data.get("id")
    return ident if isinstance(ident, str) else None


def _check_relay_cycles(
    checker: _Checker, docs: list[Document], sources: dict[str, Source]
) -> None:
    by_id = {doc.data["id"]: doc for doc in docs}

    def cycle_from(source_id: str, seen: list[str]) -> list[str] | None:
        for relayed in sources[source_id].via:
            if relayed in seen:
                return [*seen, relayed]
            if relayed in sources:
                found = cycle_from(relayed, [*seen, relayed])
                if found:
                    return found
        return None

    for source in sources.values():
        cycle = cycle_from(source.id, [source.id])
        if cycle and cycle[-1] == source.id:
            checker.error(
                by_id[source.id],
                ("via",),
                "sources relay each other in a circle: " + " -> ".join(cycle),
                "one of them must be the original report (no via)",
            )


def _check_between_events(checker: _Checker, docs: list[Document], events: list[Event]) -> None:
    """Unknown distinct_from ids, and likely duplicates: two events at the same base, of the
    same type, whose dates overlap within their precision, not declared distinct."""
    by_id = {doc.data["id"]: doc for doc in docs}
    ids = {e.id for e in events}
    for event in events:
        for i, other in enumerate(event.distinct_from):
            if other not in ids:
                checker.known(by_id[event.id], ("distinct_from", i), other, ids, "event")
    by_base_type: dict[tuple[str, str], list[Event]] = defaultdict(list)
    for event in events:
        for base_id in event.bases:
            by_base_type[(base_id, event.type)].append(event)
    reported: set[tuple[str, str]] = set()
    for group in by_base_type.values():
        group.sort(key=lambda e: e.sort_key)
        for i, one in enumerate(group):
            for other in group[i + 1 :]:
                if (other.date.earliest or other.date.anchor) > one.latest:
                    break  # sorted by date: no later event overlaps this one
                pair = (one.id, other.id)
                if pair in reported or other.id in one.distinct_from:
                    continue
                if one.id in other.distinct_from or one.aggregate != other.aggregate:
                    continue
                reported.add(pair)
                checker.warn(
                    by_id[other.id],
                    ("date",),
                    f"likely duplicate of {by_id[one.id].display}: same base, same type, "
                    "overlapping dates",
                    "if both report the same event, merge them into one event citing both "
                    f"sources; if they are two events, add distinct_from: [{one.id}]",
                )
