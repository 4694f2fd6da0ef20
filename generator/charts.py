"""Charts for the base and overview pages, in English and Arabic, as byte-stable SVG files.

The only module that imports matplotlib, and only when a chart must be drawn:

- `plan_charts` is pure: for one language it decides which charts exist and computes from
  the dataset everything a chart shows (numbers, localized labels, colors) as a JSON-able
  `spec`, with the chart's title, text alternative and data table.
- `render_charts` hashes each spec with the code, fonts and geometry, draws only what the
  cache lacks, and writes the SVG files with write_if_changed.

How each date precision is drawn, and why Arabic charts look the way they do: docs/charts.md.
"""

from __future__ import annotations

import codecs
import contextlib
import gc
import hashlib
import io
import json
import math
import os
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache, lru_cache
from importlib.metadata import version
from itertools import chain, pairwise
from pathlib import Path
from typing import Any

from generator import derive, geo
from generator.cache import KeyedStore, digest, files_digest
from generator.i18n import LANGUAGES, Language
from generator.inputs import base_events_inputs
from generator.models import Dataset, Event
from generator.workers import can_fork, cycle_collector_running, fork_context
from generator.write import file_stamp, write_if_changed

FONT_DIR = Path(__file__).parent.parent / "docs" / "assets" / "fonts"
FONT_FILES = ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf")
FONT_FILES += ("NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Bold.ttf")
# Each label is in one language; the second family only catches stray glyphs (digits in
# Arabic labels) so that no glyph is ever missing.
FONTS = {"en": ["Noto Sans", "Noto Naskh Arabic"], "ar": ["Noto Naskh Arabic", "Noto Sans"]}
FONT_SCALE = {"en": 1.0, "ar": 1.1}  # Naskh looks smaller than Latin at the same size
WIDTH = 6.4  # inches: a phone screen's width at 100 %, and a column in print
DPI = 100  # of the figures, while they are laid out (an SVG is written at 72)
INK, MUTED, GREY, GRID = "#222222", "#5F5F5F", "#555555", "#DDDDDD"
STYLE: dict[str, Any] = {
    "svg.fonttype": "path",  # glyphs as paths: the same in browsers and in WeasyPrint
    "svg.hashsalt": "briefing-charts",  # stable clip-path ids
    "axes.unicode_minus": False,  # the vendored Noto Sans has no U+2212
    "font.size": 9.5,
    "figure.titlesize": 11.5,
    "figure.titleweight": "bold",
    "axes.titlesize": 9.5,
    "axes.titleweight": "bold",
    "axes.labelsize": 9.5,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "text.color": INK,
    "axes.labelcolor": INK,
    "axes.edgecolor": MUTED,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.spines.left": False,
    "grid.color": GRID,
    "grid.linewidth": 0.7,
    "legend.frameon": False,
    "hatch.linewidth": 1.2,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
}
HATCH = "////"
DASHED = (0, (2, 1.5))
UNCERTAIN_MONTH = ("approximate", "before")  # the month bin itself may be wrong
BEFORE_ARROW_DAYS = 20  # length of the "on or before" arrow on time axes
MIN_VISIBLE_DAYS = 4  # a status span shorter than this is drawn as a dot
MIN_CHARTS_PER_WORKER = 8  # below this, starting processes costs more than it saves
# Time axes cover the record, or its last CHART_MONTHS months when it is longer: more monthly
# bars than this do not fit a page's width, and drawing them is slow. Tables keep every event.
CHART_MONTHS = 24
BAR_WIDTH = 0.72  # of a month's slot
PAD = 0.06  # inches between a chart's parts, and at its edges
MONTH_MARK = 4 / 72  # inches: the marks of month boundaries under a time axis
DIRECTION = {"more_than": "up", "at_least": "up", "up_to": "down", "fewer_than": "down"}


@dataclass(frozen=True)
class Chart:
    key: str  # "base:qasrak:activity", "overview:map", ...
    lang: str
    path: str  # relative output path, ASCII and stable: "charts/en/base-qasrak-activity.svg"
    title: str
    alt: str  # what the chart shows and its main finding, in the chart's language
    table: tuple[tuple[str, ...], ...]  # header row, then the numbers behind the chart


@dataclass(frozen=True)
class PlannedChart:
    chart: Chart
    kind: str  # activity, figures, status or map: which drawing function
    spec: dict[str, Any] = field(hash=False, compare=False)  # all the drawing needs


def chart_path(key: str, lang: str) -> str:
    return f"charts/{lang}/{key.replace(':', '-')}.svg"


# == planning: pure ===========================================================================


@dataclass(frozen=True)
class _Scope:
    """What every planner needs: the data, the language, the shared time range."""

    dataset: Dataset
    L: Language
    months: list[date]
    cutoff: date | None
    first_month: date | None = None  # of the whole record: earlier than months[0] in a window

    def t(self, key: str, **values: object) -> str:
        return self.L.t(key, **values)

    def events(self, n: int) -> str:
        return self.L.count("count.events", n)

    def bases(self, n: int) -> str:
        return self.L.count("chart.count.bases", n)

    def join(self, items, key: str = "chart.separator") -> str:
        return self.t(key).join(items)

    def plan(self, key: str, kind: str, title: str, alt: list[str], table, **spec) -> PlannedChart:
        lang = self.L.code
        if kind != "map" and self.months and self.months[0] > self.first_month:
            alt = [*alt, self.t("chart.alt.window", first=self.L.month(self.months[0]))]
        chart = Chart(key, lang, chart_path(key, lang), title, " ".join(alt), tuple(table))
        return PlannedChart(chart, kind, {"title": title, "lang": lang, **spec})


def plan_charts(dataset: Dataset, lang: str) -> list[PlannedChart]:
    """Every chart of one language in a stable order: base pages first, then the overview."""
    return [plan for _, plan_group in _plan_groups(dataset, lang) for plan in plan_group()]


def _plan_groups(dataset: Dataset, lang: str) -> list[tuple[str, Callable[[], list]]]:
    """The charts of each base, then those of the overview, as (key, planner): the key is a
    hash of everything a base's charts show (empty for the overview's, which show every
    record), so that a run can reuse the plans of a base whose records did not change."""
    L = LANGUAGES[lang]
    if not dataset.events:
        return [("", lambda: [_map_plan(_Scope(dataset, L, [], None))])]
    months = record_months(dataset)
    window = months[-CHART_MONTHS:]
    scope = _Scope(dataset, L, window, derive.information_cutoff(dataset), months[0])
    recent = window[0] if len(window) < len(months) else None
    shared = [lang, dataset.taxonomy.digest, repr((window, scope.cutoff, scope.first_month))]

    def in_window(events) -> list[Event]:
        return [e for e in events if e.date.anchor >= recent] if recent else list(events)

    def base_charts(base_id: str) -> list[PlannedChart]:
        plans: list[PlannedChart] = []
        reported = in_window(dataset.events_of_base(base_id))
        events = occurred(reported)
        name = dataset.bases[base_id].name.get(lang)
        if events:
            title = L.t("chart.title.activity_base", base=name)
            plans.append(
                _activity_plan(scope, f"base:{base_id}:activity", title, events, reported, name)
            )
        if any(e.figures for e in events):
            plans.append(_figures_plan(scope, f"base:{base_id}:figures", events, name))
        return plans

    def overview_charts() -> list[PlannedChart]:
        title = L.t("chart.title.activity_all")
        reported = in_window(dataset.events)
        overview = _activity_plan(scope, "overview:activity", title, occurred(reported), reported)
        return [overview, _status_plan(scope), _map_plan(scope)]

    def base_key(base_id: str) -> str:
        inputs = base_events_inputs(dataset, base_id)
        return digest("charts", *shared, inputs) if inputs and all(shared) else ""

    groups: list[tuple[str, Callable[[], list]]] = [
        (base_key(base_id), lambda base_id=base_id: base_charts(base_id))
        for base_id in dataset.bases
    ]
    return [*groups, ("", overview_charts)]


def occurred(events) -> list[Event]:
    """Charts show what happened: planned and announced events are left out (and said so)."""
    return [e for e in events if e.counts]


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def record_months(dataset: Dataset) -> list[date]:
    """First days of the months from the first event to the information cutoff: one time
    range for every chart of the site, so that they line up with each other."""
    current = min(e.date.anchor for e in dataset.events).replace(day=1)
    last = derive.information_cutoff(dataset) or current
    months = []
    while current <= last:
        months.append(current)
        current = _next_month(current)
    return months


def _tick_label(L: Language, month: date, first: bool) -> str:
    name = L.month_short(month)
    return f"{name}\n{L.digits(str(month.year))}" if first or month.month == 1 else name


def _time_axis(scope: _Scope) -> dict[str, Any]:
    """Month bands for time axes: boundaries on the 1st, names at mid-month."""
    months = scope.months
    bounds = [m.toordinal() for m in months] + [_next_month(months[-1]).toordinal()]
    middles = [(a + b) / 2 for a, b in pairwise(bounds)]
    return {
        "bounds": bounds,
        "ticks": middles,
        "labels": [_tick_label(scope.L, m, i == 0) for i, m in enumerate(months)],
        "xlim": [bounds[0], max(scope.cutoff.toordinal() + 8, bounds[-1])],
    }


# -- activity per month ---------------------------------------------------------------------


def _activity_plan(
    scope: _Scope, key: str, title: str, events: list[Event], reported, base: str | None = None
) -> PlannedChart:
    """Stacked monthly bars by event type; events whose month is uncertain are hatched."""
    dataset, L = scope.dataset, scope.L
    index = {m: i for i, m in enumerate(scope.months)}
    counts = {t: ([0] * len(index), [0] * len(index)) for t in dataset.taxonomy.event_types}
    for event in events:  # (certain, uncertain) counts per month
        part = 1 if event.date.precision in UNCERTAIN_MONTH else 0
        counts[event.type][part][index[event.date.anchor.replace(day=1)]] += 1
    series = [
        {"label": term.label.get(L.code), "color": term.color, "certain": c, "uncertain": u}
        for t, term in dataset.taxonomy.event_types.items()
        for c, u in [counts[t]]
        if any(c) or any(u)
    ]
    totals = [sum(s["certain"][i] + s["uncertain"][i] for s in series) for i in range(len(index))]
    unsure = [sum(s["uncertain"][i] for s in series) for i in range(len(index))]
    header = (
        scope.t("chart.col.month"),
        *(s["label"] for s in series),
        scope.t("chart.col.total"),
        scope.t("chart.col.month_uncertain"),
    )
    rows = [
        (
            L.month(month),
            *(L.number(s["certain"][i] + s["uncertain"][i]) for s in series),
            L.number(totals[i]),
            L.number(unsure[i]),
        )
        for i, month in enumerate(scope.months)
        if totals[i]
    ]
    peak = max(range(len(totals)), key=lambda i: (totals[i], -i))
    by_type = sorted(series, key=lambda s: -sum(s["certain"]) - sum(s["uncertain"]))
    active = [m for m, n in zip(scope.months, totals) if n]
    alt = [
        scope.t(
            "chart.alt.activity_base" if base else "chart.alt.activity_all",
            base=base or "",
            events=scope.events(len(events)),
            first=L.month(active[0]),
            last=L.month(active[-1]),
        ),
        scope.t(
            "chart.alt.peak", month=L.month(scope.months[peak]), events=scope.events(totals[peak])
        ),
        scope.t(
            "chart.alt.by_type",
            types=scope.join(
                scope.t(
                    "chart.alt.type_count",
                    type=s["label"],
                    n=L.number(sum(s["certain"]) + sum(s["uncertain"])),
                )
                for s in by_type
            ),
        ),
    ]
    if sum(unsure):
        alt.append(scope.t("chart.alt.month_uncertain", events=scope.events(sum(unsure))))
    if len(reported) > len(events):
        alt.append(
            scope.t("chart.alt.not_counted", events=scope.events(len(reported) - len(events)))
        )
    legend = scope.t("chart.legend.month_uncertain") if sum(unsure) else None
    return scope.plan(
        key,
        "activity",
        title,
        alt,
        [header, *rows],
        months=[_tick_label(L, m, i == 0) for i, m in enumerate(scope.months)],
        series=series,
        uncertain_label=legend,
    )


# -- reported figures -------------------------------------------------------------------------


def _date_extent(event: Event, cutoff: date) -> dict[str, Any]:
    """Where an event sits on a time axis: a point for a known day; otherwise the span of days
    it may have happened on (never past the information cutoff), with the point at the
    reported day if there is one, or for 'on or before' an arrow pointing back in time."""
    when = event.date
    latest = min(event.latest, cutoff)
    exact = when.precision == "day" and not event.end_date
    if when.precision == "before":
        return {"x": latest.toordinal(), "x0": None, "x1": latest.toordinal(), "exact": False}
    earliest = min(when.earliest or when.anchor, latest)
    middle = earliest.toordinal() + (latest - earliest).days / 2
    at_day = when.has_day and not event.end_date
    x = when.anchor.toordinal() if at_day else middle
    return {"x": x, "x0": earliest.toordinal(), "x1": latest.toordinal(), "exact": exact}


def _figures_plan(scope: _Scope, key: str, events: list[Event], base: str) -> PlannedChart:
    """One panel per quantity; each event's figure is a point, or when reports disagree a
    vertical range from the lowest to the highest claim, each claim marked on it."""
    dataset, L = scope.dataset, scope.L
    lang = L.code
    panels: dict[str, list[dict[str, Any]]] = {}
    types: dict[str, str] = {}
    rows, findings = [], []
    for event in sorted(events, key=lambda e: e.sort_key):
        kind = dataset.taxonomy.event_types[event.type]
        for summary in derive.figures_of(event):
            types[kind.label.get(lang)] = kind.color
            first = summary.claims[0]
            qualifier = "exact" if summary.conflicting else first.qualifier
            value = L.amount(summary.low, summary.high, qualifier)
            panels.setdefault(summary.quantity, []).append(
                {
                    **_date_extent(event, scope.cutoff),
                    "low": summary.low,
                    "high": summary.high,
                    "claims": [
                        [c.low, c.high, DIRECTION.get(c.qualifier, "")] for c in summary.claims
                    ],
                    "color": kind.color,
                    "label": value,
                }
            )
            quantity = dataset.taxonomy.quantities[summary.quantity].label.get(lang)
            when = L.fuzzy_date(event.date, event.end_date)
            claims = scope.join(
                (
                    scope.t(
                        "chart.claim",
                        value=L.amount(c.low, c.high, c.qualifier),
                        source=dataset.sources[c.source].publisher.get(lang),
                    )
                    for c in summary.claims
                ),
                "chart.claim_separator",
            )
            rows.append((when, quantity, L.amount(summary.low, summary.high), claims))
            findings.append(scope.t("chart.alt.figure", quantity=quantity, value=value, date=when))
    points = [p for ps in panels.values() for p in ps]
    directions = {c[2] for p in points for c in p["claims"]}
    marks = {
        "uncertain_date": any(not p["exact"] for p in points),
        "range": any(p["low"] != p["high"] for p in points),
        "up": "up" in directions,
        "down": "down" in directions,
    }
    alt = [
        scope.t("chart.alt.figures", base=base),
        scope.join(findings, "chart.claim_separator") + scope.t("chart.full_stop"),
    ]
    if marks["range"]:
        alt.append(scope.t("chart.alt.range"))
    header = tuple(scope.t(f"chart.col.{c}") for c in ("date", "figure", "reported", "claims"))
    quantities = dataset.taxonomy.quantities
    return scope.plan(
        key,
        "figures",
        scope.t("chart.title.figures", base=base),
        alt,
        [header, *rows],
        axis=_time_axis(scope),
        panels=[{"label": quantities[q].label.get(lang), "points": ps} for q, ps in panels.items()],
        types=[[name, color] for name, color in types.items()],
        legend={name: scope.t(f"chart.legend.{name}") for name, shown in marks.items() if shown},
    )


# -- status timeline --------------------------------------------------------------------------


def _status_row(scope: _Scope, base_id: str) -> dict[str, Any]:
    """Colored spans between status changes, the last one to the cutoff. A start or change
    whose date is not a known day is a hatched zone over the days it may have happened on:
    [earliest, latest], or for 'on or before' from the last report before it. A status that
    starts too close to the cutoff to show as a span (an evacuation begun on the last day)
    is a dot."""
    statuses = scope.dataset.taxonomy.statuses
    events = scope.dataset.events_of_base(base_id)
    limit = scope.cutoff.toordinal()
    segments, zones = [], []
    previous: str | None = None
    position: int | None = None
    for change in derive.status_history(scope.dataset, base_id):
        when = change.date
        end = min(when.latest.toordinal(), limit)
        if when.earliest is not None:
            start = min(when.earliest.toordinal(), end)
        elif position is None:
            start = end
        else:  # 'on or before': the old status holds at least until the last report before
            key = (when.anchor, change.event_id or "")
            seen = [e.latest.toordinal() for e in events if e.sort_key < key]
            start = min(max([position, *seen]), end)
        if previous is not None and start > position:
            segments.append({"x0": position, "x1": start, "color": statuses[previous].color})
        color = statuses[change.status].color
        if when.precision != "day" and end > start:
            fill = statuses[previous].color if previous else "white"
            segments.append({"x0": start, "x1": end, "color": fill, "hatch": color})
        elif when.precision == "day":
            end = when.anchor.toordinal()
        zones.append((start, end, color, when.precision == "day"))
        previous, position = change.status, end
    if previous is not None and limit > position:
        segments.append({"x0": position, "x1": limit, "color": statuses[previous].color})
    dots = [
        {"x": end, "color": color, "exact": exact}
        for i, (_, end, color, exact) in enumerate(zones)
        if (zones[i + 1][0] if i + 1 < len(zones) else limit) - end < MIN_VISIBLE_DAYS
    ]
    return {"segments": segments, "dots": dots}


def _status_plan(scope: _Scope) -> PlannedChart:
    dataset, L = scope.dataset, scope.L
    statuses = dataset.taxonomy.statuses
    histories = {b: derive.status_history(dataset, b) for b in dataset.bases}
    order = sorted(
        (b for b in histories if histories[b]), key=lambda b: (histories[b][0].date.anchor, b)
    )
    rows, table, lines, used = [], [], [], set()
    for base_id in order:
        name = dataset.bases[base_id].name.get(L.code)
        rows.append({"label": name, **_status_row(scope, base_id)})
        history = histories[base_id]
        described = []
        for i, change in enumerate(history):
            used.add(change.status)
            label = statuses[change.status].label.get(L.code)
            until = (
                L.fuzzy_date(history[i + 1].date) if i + 1 < len(history) else L.day(scope.cutoff)
            )
            table.append((name, label, L.fuzzy_date(change.date), until))
            when = change.date
            if when.precision == "before":  # "handed over by 21 February 2026"
                by = L.day(when.anchor) if when.has_day else L.month(when.anchor)
                described.append(scope.t("chart.alt.status_by", status=label, date=by))
            else:
                described.append(
                    scope.t("chart.alt.status_span", status=label, date=L.fuzzy_date(when))
                )
        lines.append(scope.t("chart.alt.status_row", base=name, spans=scope.join(described)))
    alt = [
        scope.t(
            "chart.alt.status",
            places=scope.bases(len(rows)),
            first=L.month(scope.months[0]),
            cutoff=L.day(scope.cutoff),
        ),
        scope.t("chart.sentence_separator").join(lines) + scope.t("chart.full_stop"),
    ]
    hatched = any("hatch" in s for row in rows for s in row["segments"])
    header = tuple(scope.t(f"chart.col.{c}") for c in ("base", "status", "from", "to"))
    return scope.plan(
        "overview:status",
        "status",
        scope.t("chart.title.status"),
        alt,
        [header, *table],
        axis=_time_axis(scope),
        rows=rows,
        cutoff=scope.cutoff.toordinal(),
        cutoff_label=scope.t("chart.cutoff", date=L.day(scope.cutoff)),
        legend=[[s.label.get(L.code), s.color] for k, s in statuses.items() if k in used],
        hatch_label=scope.t("chart.legend.change_uncertain") if hatched else None,
    )


# -- locator map ------------------------------------------------------------------------------


def _map_plan(scope: _Scope) -> PlannedChart:
    dataset, L = scope.dataset, scope.L
    lang = L.code
    statuses = dataset.taxonomy.statuses
    bases, table, groups, precisions = [], [], {}, Counter()
    for base_id, base in dataset.bases.items():
        status = statuses[derive.current_status(dataset, base_id)]
        name, where = base.name.get(lang), base.location
        bases.append(
            {
                "lon": where.lon,
                "lat": where.lat,
                "precision": where.precision,
                "color": status.color,
                "label": name,
            }
        )
        groups.setdefault(status.id, []).append(name)
        precisions[where.precision] += 1
        table.append(
            (
                name,
                dataset.taxonomy.governorates[base.governorate].label.get(lang),
                status.label.get(lang),
                scope.t(f"precision.{where.precision}"),
                L.number(round(where.lat, 2)),
                L.number(round(where.lon, 2)),
            )
        )
    shown = [s for k, s in statuses.items() if k in groups]
    by_status = scope.join(
        (
            scope.t(
                "chart.alt.status_group", status=s.label.get(lang), names=scope.join(groups[s.id])
            )
            for s in shown
        ),
        "chart.claim_separator",
    )
    alt = [scope.t("chart.alt.map", places=scope.bases(len(bases)), groups=by_status)]
    for precision in ("approximate", "area"):
        if precisions[precision]:
            alt.append(
                scope.t(f"chart.alt.map_{precision}", places=scope.bases(precisions[precision]))
            )
    columns = ("base", "governorate", "status", "location", "lat", "lon")
    return scope.plan(
        "overview:map",
        "map",
        scope.t("chart.title.map"),
        alt,
        [tuple(scope.t(f"chart.col.{c}") for c in columns), *table],
        bases=bases,
        capitals=[
            {"lon": g.capital_lon, "lat": g.capital_lat, "label": g.capital.get(lang)}
            for g in dataset.taxonomy.governorates.values()
        ],
        regions={r.id: r.names[lang] for r in geo.load_regions() if r.label_at},
        statuses=[[s.label.get(lang), s.color] for s in shown],
        precision={
            p: scope.t(f"chart.legend.{p}")
            for p in ("exact", "approximate", "area")
            if precisions[p]
        },
        capital_label=scope.t("chart.legend.capital"),
        golan_label=scope.t("chart.legend.golan"),
    )


# == rendering ================================================================================


def render_charts(
    dataset: Dataset,
    lang: str,
    out_dir: Path,
    cache_dir: Path | None = None,
    jobs: int | None = None,
    later: list[ChartToDraw] | None = None,
) -> dict[str, Chart]:
    """Write every chart of `lang` under `out_dir` (at chart.path) and return their metadata.

    A chart is drawn only when `cache_dir` holds no SVG named by the hash of its spec and of
    the code, fonts and geometry; outputs whose bytes did not change keep their mtime. The
    charts of a base whose records did not change are not even planned again: `cache_dir`
    keeps their metadata and hashes by a key of those records. Charts to draw are shared
    among `jobs` worker processes (default: one per core). With `later`, the charts the cache
    lacks are not drawn but added to it, for draw_charts to draw at a better time (while
    MkDocs builds, see build.build_site); the others are written.
    """
    planned = KeyedStore(
        cache_dir / f"plans-{lang}.pickle" if cache_dir else None, _plans_version()
    )
    groups = _plan_groups(dataset, lang)
    made: list[list[tuple[Chart, str]]] = []
    fresh: dict[str, PlannedChart] = {}  # by digest: the charts planned in this run
    for key, plan_group in groups:
        kept = planned.get(key) if key else None
        if kept is None:
            plans = plan_group()
            kept = [(plan.chart, chart_digest(plan)) for plan in plans]
            fresh.update((drawn, plan) for (_, drawn), plan in zip(kept, plans))
            if key:
                planned.put(key, kept)
        made.append(kept)
    staged = KeyedStore(  # the drawing each chart file in out_dir was last written with
        cache_dir / f"staged-{lang}-{digest(str(out_dir.resolve()))[:12]}.pickle"
        if cache_dir
        else None,
        "1",
    )
    in_place: set[str] = set()  # paths of charts whose file is already their drawing
    svgs: dict[str, bytes] = {}
    for (_, plan_group), kept in zip(groups, made):
        for chart, key in kept:
            if _in_place(staged, out_dir, chart.path, key, cache_dir):
                in_place.add(chart.path)
                continue
            cached = _cached_chart(cache_dir, key)
            if cached is not None:
                svgs[key] = cached
            elif key not in fresh:  # its plan was kept, its drawing was not: plan it again
                fresh.update((chart_digest(plan), plan) for plan in plan_group())
    to_write = [(c, key) for c, key in chain.from_iterable(made) if c.path not in in_place]
    missing = {key: fresh[key] for _, key in to_write if key not in svgs}
    if later is None:
        svgs.update(_draw_and_cache(missing, cache_dir, jobs))
    else:
        later.extend(
            ChartToDraw(c.path, key, missing[key]) for c, key in to_write if key in missing
        )
    for chart, key in to_write:
        if key in svgs:
            write_if_changed(out_dir / chart.path, svgs[key])
            staged.put(chart.path, (key, *file_stamp(out_dir / chart.path)))
    planned.save()
    staged.save()
    if cache_dir is not None:
        forget_unused_charts(cache_dir)
    return {chart.key: chart for chart, _ in chain.from_iterable(made)}


@dataclass(frozen=True)
class ChartToDraw:
    """A chart render_charts was asked to leave for later: where it goes, and its drawing."""

    path: str  # relative to the output directory, as Chart.path
    key: str  # chart_digest: its name in the cache
    plan: PlannedChart


def draw_charts(todo: list[ChartToDraw], out_dir: Path, cache_dir: Path | None = None) -> None:
    """Draw the charts render_charts left for later, into `out_dir` and the cache."""
    svgs = _draw_and_cache({c.key: c.plan for c in todo}, cache_dir, None)
    for chart in todo:
        write_if_changed(out_dir / chart.path, svgs[chart.key])


def _draw_and_cache(
    plans: dict[str, PlannedChart], cache_dir: Path | None, jobs: int | None
) -> dict[str, bytes]:
    """Draw each chart of `plans` (by key), keeping the SVGs in `cache_dir`."""
    svgs = dict(zip(plans, _draw_all(list(plans.values()), jobs)))
    if cache_dir is not None:
        for key, svg in svgs.items():
            write_if_changed(cache_dir / f"{key}.svg", svg)
    return svgs


@cache
def _plans_version() -> str:
    """What shapes a chart's plan besides its records: the generator, its strings, Babel, and
    what goes into a chart's hash (code_version)."""
    here = Path(__file__).parent
    code = [*here.glob("*.py"), *(here.parent / "templates" / "i18n").glob("*")]
    return digest(version("babel"), code_version(), files_digest(code))


def _in_place(
    staged: KeyedStore, out_dir: Path, path: str, key: str, cache_dir: Path | None
) -> bool:
    """Whether the chart file at `path` is the drawing `key`, untouched since this code wrote
    it, and the cache still has that drawing (marked used, as reading it would): then neither
    is read. Reading and comparing 400 charts of 100 kB was a tenth of a run after one edit."""
    if cache_dir is None or staged.get(path) != (key, *file_stamp(out_dir / path)):
        return False
    try:
        os.utime(cache_dir / f"{key}.svg")
    except OSError:  # forgotten by another run: read and written the usual way
        return False
    return True


def _cached_chart(cache_dir: Path | None, key: str) -> bytes | None:
    if cache_dir is None:
        return None
    path = cache_dir / f"{key}.svg"
    try:
        svg = path.read_bytes()
    except OSError:  # not drawn yet, or forgotten by another run meanwhile
        return None
    with contextlib.suppress(OSError):  # a read-only cache is still read
        os.utime(path)  # used now: kept by forget_unused_charts
    return svg


CHARTS_KEPT_UNUSED = timedelta(days=14)


def forget_unused_charts(cache_dir: Path, now: float | None = None) -> list[Path]:
    """Delete cached charts no run has used for CHARTS_KEPT_UNUSED: charts of data that has
    since changed would otherwise stay on disk for good. Returns what was deleted."""
    limit = (now if now is not None else time.time()) - CHARTS_KEPT_UNUSED.total_seconds()
    forgotten: list[Path] = []
    if not cache_dir.is_dir():
        return forgotten
    with os.scandir(cache_dir) as entries:
        for entry in entries:
            try:
                if entry.name.endswith(".svg") and entry.stat().st_mtime < limit:
                    os.unlink(entry.path)
                    forgotten.append(Path(entry.path))
            except OSError:  # removed by another run meanwhile, or a read-only cache
                continue
    return forgotten


def _draw_all(plans: list[PlannedChart], jobs: int | None) -> list[bytes]:
    """Draw charts, in worker processes when there are enough to repay starting them.

    Workers are forked, so they share the loaded fonts and modules; each draws a slice.
    """
    jobs = min(jobs or os.cpu_count() or 1, len(plans) // MIN_CHARTS_PER_WORKER)
    with cycle_collector_running():
        if jobs <= 1 or not can_fork():
            return [draw_svg(plan) for plan in plans]
        _matplotlib()  # load fonts once, before forking
        # gc.freeze: a worker's collector leaves the inherited dataset alone instead of
        # walking it again and again, copying every memory page it touches
        with fork_context().Pool(jobs, initializer=gc.freeze) as pool:
            return pool.map(draw_svg, plans, chunksize=max(1, len(plans) // (jobs * 4)))


def chart_digest(plan: PlannedChart) -> str:
    payload = json.dumps([plan.kind, plan.spec], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(f"{code_version()}\n{payload}".encode()).hexdigest()[:32]


@cache
def code_version() -> str:
    """Everything besides the spec that changes a chart's bytes."""
    digest = hashlib.sha256(version("matplotlib").encode())
    for path in (
        Path(__file__),
        Path(geo.__file__),
        geo.GEO_FILE,
        *(FONT_DIR / f for f in FONT_FILES),
    ):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def draw_svg(plan: PlannedChart) -> bytes:
    buffer = io.BytesIO()
    save_chart(plan, buffer, "svg")
    return buffer.getvalue()


def save_chart(plan: PlannedChart, target, fmt: str = "svg", **options) -> None:
    """Draw `plan` into a file or buffer; `fmt="png"` makes previews for a look."""
    with drawn(plan) as fig:
        metadata = {"Date": None} if fmt == "svg" else None  # no date: identical bytes every run
        fig.savefig(target, format=fmt, metadata=metadata, **options)


@contextlib.contextmanager
def drawn(plan: PlannedChart) -> Iterator[Any]:
    """The figure of `plan`, in the chart style of its language, which holds in the block."""
    mpl = _matplotlib()
    scale = FONT_SCALE[plan.chart.lang]
    sizes = {key: value * scale for key, value in STYLE.items() if key.endswith("size")}
    with mpl.rc_context({**STYLE, **sizes, "font.family": FONTS[plan.chart.lang]}):
        fig = DRAWERS[plan.kind](plan.spec)
        yield fig
    _put_back(fig)


@cache
def _matplotlib():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager

    for name in FONT_FILES:
        font_manager.fontManager.addfont(str(FONT_DIR / name))
    return matplotlib


# -- shared drawing helpers -------------------------------------------------------------------


@cache
def _measuring_renderer():
    """The one renderer that measures texts for layout in this process. matplotlib keeps the
    sizes of texts per renderer, and each figure would have its own, yet the same month
    names, numbers and legend entries recur in every chart; a text's size depends on the
    text, the font and the dpi, not on the canvas."""
    from matplotlib.backends.backend_agg import RendererAgg

    return RendererAgg(1, 1, DPI)


@lru_cache(maxsize=4096)
def _text_width(text: str, size: float, family: tuple[str, ...]) -> float:
    """The width of one line of text at DPI, in pixels."""
    from matplotlib.font_manager import FontProperties

    font = FontProperties(family=list(family), size=size)
    return _measuring_renderer().get_text_width_height_descent(text, font, False)[0]


def _pt(size: float) -> float:
    """A font size in points, scaled for the chart's language (see FONT_SCALE)."""
    return size * _matplotlib().rcParams["font.size"] / STYLE["font.size"]


@cache
def _svg_canvas_class():
    """An Agg canvas that writes SVG with the text-to-path converter every chart of the
    process shares (_shared_text_to_path)."""
    from matplotlib import cbook
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.backends.backend_mixed import MixedModeRenderer
    from matplotlib.backends.backend_svg import RendererSVG

    class CanvasSharingGlyphs(FigureCanvasAgg):
        def print_svg(self, filename, *, bbox_inches_restore=None, metadata=None, **_):
            """FigureCanvasSVG.print_svg (matplotlib 3.11), its renderer given the shared
            converter. What else savefig passes (dpi, facecolor...) is for other formats:
            savefig has applied it to the figure already."""
            with cbook.open_file_cm(filename, "w", encoding="utf-8") as fh:
                if not cbook.file_requires_unicode(fh):
                    fh = codecs.getwriter("utf-8")(fh)
                dpi = self.figure.dpi
                self.figure.dpi = 72
                width, height = self.figure.get_size_inches()
                svg = RendererSVG(width * 72, height * 72, fh, image_dpi=dpi, metadata=metadata)
                svg._text2path = _shared_text_to_path()
                renderer = MixedModeRenderer(
                    self.figure, width, height, dpi, svg, bbox_inches_restore=bbox_inches_restore
                )
                self.figure.draw(renderer)
                renderer.finalize()

    return CanvasSharingGlyphs


@cache
def _shared_text_to_path():
    """matplotlib's text-to-path converter, remembering what it worked out for a text.

    Each SVG renderer has a converter of its own, which shapes and measures every text of its
    chart again, though most recur in every chart (numbers on the value axes, month names,
    legend entries): that was most of what drawing a text cost. The results depend only on
    the text and its font, so one converter serves every chart of the process.

    The keys hold the font properties, not the rcParams matplotlib's own caches also read
    (generic family lists, hinting and kerning factors): FONTS names families outright and
    STYLE leaves those settings alone; a change to either that touches them must clear these
    memos. They grow by one entry per distinct label and font, which the data bounds."""
    from matplotlib.textpath import TextToPath

    class SharedTextToPath(TextToPath):
        def __init__(self):
            super().__init__()
            self._fonts: dict = {}
            self._extents: dict = {}
            self._glyphs: dict = {}
            self._outlines: dict = {}  # glyph name -> outline, one copy however many texts

        def _get_font(self, prop):
            key = tuple(prop.__dict__.values())
            font = self._fonts.get(key)
            if font is None:
                font = self._fonts[key] = super()._get_font(prop)
            font.set_size(self.FONT_SCALE, self.DPI)  # the font object is shared with Agg
            return font

        def get_text_width_height_descent(self, s, prop, ismath):
            if ismath:
                return super().get_text_width_height_descent(s, prop, ismath)
            key = (s, *prop.__dict__.values())
            extent = self._extents.get(key)
            if extent is None:
                extent = self._extents[key] = super().get_text_width_height_descent(s, prop, ismath)
            return extent

        def get_glyphs_with_font(
            self,
            font,
            s,
            glyph_map=None,
            return_new_glyphs_only=False,
            *,
            features=None,
            language=None,
        ):
            key = (id(font), s, features, language)
            known = self._glyphs.get(key)
            if known is None or known[0] is not font:
                glyphs, paths, _ = super().get_glyphs_with_font(
                    font, s, features=features, language=language
                )
                paths = {name: self._outlines.setdefault(name, p) for name, p in paths.items()}
                known = self._glyphs[key] = (font, glyphs, paths)
            _, glyphs, paths = known
            if glyph_map is None:
                glyph_map = {}
            new = {} if return_new_glyphs_only else glyph_map
            for name, *_ in glyphs:
                if name not in glyph_map:
                    new[name] = paths[name]
            return list(glyphs), new, []

    return SharedTextToPath()


def _figure(spec: dict[str, Any], height: float, titled: bool = True, panels: int = 0):
    """A figure `height` inches high with `panels` plot panels stacked in it, for _layout to
    place. A figure with panels is taken from those earlier charts of the same language put
    back (_put_back), emptied: making a panel's Axes, with the tick objects these charts never
    draw, cost a quarter of a chart. Returns the figure and its panels."""
    from matplotlib.figure import Figure

    shape = (spec["lang"], panels)
    spare = _SPARE_FIGURES.get(shape)
    if spare:
        fig = spare.pop()
        fig.set_size_inches(WIDTH, height)
    else:
        fig = Figure(figsize=(WIDTH, height), dpi=DPI)
        _svg_canvas_class()(fig)
        if panels:
            fig.subplots(panels, 1, squeeze=False)
            fig.briefing_shape = shape
    if titled:
        rtl = _rtl(spec)  # titles start where reading starts
        fig.suptitle(
            spec["title"],
            x=0.99 if rtl else 0.01,
            y=1 - PAD / height,
            ha="right" if rtl else "left",
            va="top",
        )
    return fig, list(fig.axes)


# figures put back after drawing, by language and number of panels
_SPARE_FIGURES: dict[tuple[str, int], list[Any]] = defaultdict(list)


def _put_back(fig) -> None:
    """Empty a drawn figure of what its chart added and keep it for the next chart of its
    shape. A chart sets everything it draws with (limits, size, panel places), so what it
    leaves in the figure is only the Axes, which are the same for every chart; the figure's
    suptitle is made anew, in the next chart's fonts."""
    shape = getattr(fig, "briefing_shape", None)
    if shape is None:
        return
    for ax in fig.axes:
        for artist in [*ax.lines, *ax.collections, *ax.patches, *ax.texts, *ax.artists]:
            artist.remove()
        ax.containers.clear()
    for artist in [*fig.texts, *fig.artists, *fig.lines, *fig.patches, *fig.legends]:
        artist.remove()
    fig._suptitle = None
    _SPARE_FIGURES[shape].append(fig)


def _layout(fig, panels, legend: float, ticks=None, texts=None, marks=None) -> None:
    """Stack the plot panels between the title and the legend, leaving room for what sticks
    out of each: `texts[i]`, the texts of panel i that may reach past its frame (its title
    and value labels, say), and the month names under the last one.

    It measures those few texts instead of running matplotlib's constrained layout, which
    measured every artist's box, several times over: half of each chart's drawing time. The
    positions depend only on the chart's own texts, so a chart's bytes stay its own.
    `ticks`, (positions, month names), go under the last panel, fitted to its width.
    `legend` is the height of the legend under the chart, in inches (_bottom_legend).
    `marks`, month boundaries, are marked under every panel.
    """
    from matplotlib.ticker import NullLocator

    renderer = _measuring_renderer()
    width, height = (fig.get_size_inches() * fig.dpi).tolist()
    pad = PAD * fig.dpi
    title = fig.get_suptitle() and fig._suptitle.get_window_extent(renderer).height + pad
    top = height - pad - (title or 0)
    bottom = pad + (legend * fig.dpi + pad if legend else 0)

    def reach(i: int) -> tuple[float, float, float, float]:
        """How far panel i's texts reach past its frame: left, bottom, right, top."""
        frame = panels[i].bbox
        boxes = [t.get_window_extent(renderer) for t in texts.get(i, ())]
        boxes = [b for b in boxes if b.width and b.height]
        return (
            max([frame.x0 - b.x0 for b in boxes] + [0]),
            max([frame.y0 - b.y0 for b in boxes] + [0]),
            max([b.x1 - frame.x1 for b in boxes] + [0]),
            max([b.y1 - frame.y1 for b in boxes] + [0]),
        )

    def place(x0: float, x1: float, spans) -> None:
        for ax, (y0, y1) in zip(panels, spans):
            ax.set_position((x0 / width, y0 / height, (x1 - x0) / width, (y1 - y0) / height))

    # what is read along the time axis is drawn as text, not as matplotlib ticks
    for ax in panels:
        ax.xaxis.set_major_locator(NullLocator())
    last = len(panels) - 1
    texts = {i: list(t) for i, t in (texts or {}).items()}
    beside = texts.get(last, [])
    if ticks:  # measured first as they are, on one line each
        months = _month_texts(panels[-1], *ticks)
        texts[last] = beside + months
    # how far texts reach does not depend on where the panel is: measure, then place
    place(0, width, [(bottom, top)] * len(panels))
    sides = [reach(i) for i in range(len(panels))]

    def across() -> tuple[float, float]:
        return pad + max(s[0] for s in sides), width - pad - max(s[2] for s in sides)

    x0, x1 = across()
    if ticks:  # how many month names fit depends on the width just found
        place(x0, x1, [(bottom, top)] * len(panels))
        for text in months:
            text.remove()
        texts[last] = beside + _month_labels(panels[-1], *ticks)
        sides[-1] = reach(last)
        x0, x1 = across()
    gaps = 2 * pad * (len(panels) - 1) + sum(s[1] + s[3] for s in sides)
    each = (top - bottom - gaps) / len(panels)
    spans, y = [], top
    for s in sides:
        y -= s[3]
        spans.append((y - each, y))
        y -= each + s[1] + 2 * pad
    place(x0, x1, spans)
    for ax, (y0, y1) in zip(panels, spans) if marks else ():
        _month_marks(ax, marks, MONTH_MARK * fig.dpi / (y1 - y0))


def _plot(ax, *xy, **style):
    """ax.plot(x, y, **style) without its argument parsing and color cycle, which cost more
    than the line itself: a chart draws dozens of lines, each styled in full. Added as an
    artist, not with add_line, which works out the data limits the line reaches: every
    chart sets its limits itself."""
    from matplotlib.lines import Line2D

    x, y = ([v] if isinstance(v, (int, float)) else v for v in xy)  # a point, as plot takes
    return ax.add_artist(Line2D(x, y, **style))


def _point_label(ax, text: str, xy, offset, **style):
    """`text` just above a data point, `offset` points away from it: ax.annotate without an
    arrow, at a fraction of its cost (an annotation works out where it points at every
    draw). A figure's text, so it is given no clip path it would not use."""
    from matplotlib.transforms import offset_copy

    at = offset_copy(ax.transData, fig=ax.figure, x=offset[0], y=offset[1], units="points")
    return ax.figure.text(*xy, text, transform=at, va="bottom", **style)


def _panel_title(ax, label: str, rtl: bool):
    """A panel's title where ax.set_title puts it: its baseline 4 points over the panel's top
    edge where reading starts, raised when its descenders (Arabic's are deep) would reach
    into the panel. Without the checks a set_title title runs again at every draw."""
    from matplotlib.transforms import offset_copy

    rc = _matplotlib().rcParams
    style = {"fontsize": rc["axes.titlesize"], "fontweight": rc["axes.titleweight"]}
    x, ha = (1, "right") if rtl else (0, "left")
    title = ax.figure.text(x, 0, label, va="baseline", ha=ha, **style)
    descent = -title.get_window_extent(_measuring_renderer()).y0 * 72 / DPI  # points
    title.set(
        position=(x, 1),
        va="bottom",
        transform=offset_copy(ax.transAxes, fig=ax.figure, y=max(4 - descent, 0), units="points"),
    )
    return title


def _rtl(spec: dict[str, Any]) -> bool:
    return LANGUAGES[spec["lang"]].direction == "rtl"


def _legend(fig, entries: list[tuple[Any, str]], rtl: bool, ncols: int, **options):
    """The map's matplotlib legend (its keys need custom handlers; the other charts use
    _bottom_legend), placed by `options`, read in the page's direction: row by row, from
    the left in English and from the right in Arabic, each key on the side where its text
    starts."""
    from matplotlib.patches import Rectangle

    ncols = max(1, min(ncols, len(entries)))
    rows = math.ceil(len(entries) / ncols)
    blank = (Rectangle((0, 0), 0, 0, visible=False), "")
    ordered = []
    for column in range(ncols):  # matplotlib fills a legend column by column
        for row in range(rows):
            i = row * ncols + (ncols - 1 - column if rtl else column)
            ordered.append(entries[i] if i < len(entries) else blank)
    handles, labels = zip(*ordered)
    return fig.legend(
        handles,
        labels,
        ncols=ncols,
        markerfirst=not rtl,
        columnspacing=1.2,
        handlelength=1.6,
        handletextpad=0.5,
        **options,
    )


def _bottom_legend(fig, entries: list[tuple[Any, str]], rtl: bool, ncols: int) -> float:
    """The legend under a chart, read in the page's direction: row by row, from the left in
    English and from the right in Arabic, each key on the side where its text starts.
    Returns its height in inches, for _layout to leave room for.

    Drawn as its keys and texts rather than as a matplotlib Legend, whose nested boxes were
    laid out again at every draw and measure: a quarter of a bar chart's drawing time. It
    keeps Legend's proportions, in font sizes: keys 1.6 wide and 0.7 high on the baseline,
    0.5 between key and text, 1.2 between columns, 0.5 between rows, 0.4 around."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    size = _matplotlib().rcParams["legend.fontsize"]
    em, dpi = size / 72, fig.dpi  # inches
    width, height = fig.get_size_inches().tolist()
    renderer = _measuring_renderer()
    texts = [
        fig.text(0, 0, label, fontsize=size, va="baseline", ha="right" if rtl else "left")
        for _, label in entries
    ]
    boxes = [t.get_window_extent(renderer) for t in texts]  # from a baseline at 0
    ascent = max(b.y1 for b in boxes) / dpi
    descent = max(-b.y0 for b in boxes) / dpi
    pitch = ascent + descent + 0.5 * em
    ncols = max(1, min(ncols, len(entries)))
    rows = math.ceil(len(entries) / ncols)
    key, gap = 1.6 * em, 0.5 * em
    columns = [
        max(key + gap + boxes[i].width / dpi for i in range(c, len(entries), ncols))
        for c in range(ncols)
    ]
    start = (0.99 * width if rtl else 0.01 * width) + (-0.4 * em if rtl else 0.4 * em)
    lowest = PAD + 0.4 * em + descent  # the last row's baseline
    for i, ((handle, _), text) in enumerate(zip(entries, texts)):
        row, column = divmod(i, ncols)
        offset = sum(columns[:column]) + 1.2 * em * column
        edge = start - offset if rtl else start + offset  # where this entry starts
        x0 = edge - key if rtl else edge  # the key's left side
        y = lowest + (rows - 1 - row) * pitch
        text.set_position(((x0 - gap if rtl else x0 + key + gap) / width, y / height))
        if isinstance(handle, Line2D):
            mark = Line2D([x0, x0 + key / 2, x0 + key], [y + 0.35 * em] * 3)
            mark.update_from(handle)
            mark.set_markevery([1])  # one marker, in the middle
        else:
            mark = Rectangle((x0, y), key, 0.7 * em)
            mark.update_from(handle)
        mark.set_transform(fig.dpi_scale_trans)  # inches from the figure's corner
        fig.add_artist(mark)
    return 0.8 * em + rows * (ascent + descent) + (rows - 1) * 0.5 * em


def _value_axis(ax, spec: dict[str, Any]) -> list:
    """Counts with the page's digits, on grid lines at round values; in Arabic on the right,
    time still running rightwards. Returns the labels, for _layout to make room for.

    Drawn as one set of lines and a few texts, not as matplotlib ticks: ticks are several
    objects each, measured and laid out again at every draw, and were a third of a chart's
    drawing time."""
    from matplotlib.collections import LineCollection
    from matplotlib.ticker import MaxNLocator, NullLocator
    from matplotlib.transforms import blended_transform_factory, offset_copy

    rc = _matplotlib().rcParams
    number, rtl = LANGUAGES[spec["lang"]].number, _rtl(spec)
    low, high = ax.get_ylim()
    close = 1e-10 * (high - low)  # as matplotlib keeps a tick at the very end of an axis
    locator = MaxNLocator(nbins=4, integer=True, min_n_ticks=2)
    values = [v for v in locator.tick_values(low, high) if low - close <= v <= high + close]
    ax.yaxis.set_major_locator(NullLocator())
    across = blended_transform_factory(ax.transAxes, ax.transData)
    grid = LineCollection(
        [[(0, v), (1, v)] for v in values],
        transform=across,
        colors=rc["grid.color"],
        linewidths=rc["grid.linewidth"],
        zorder=0.5,  # under the data
    )
    ax.add_collection(grid, autolim=False)
    pad = rc["ytick.major.pad"]
    at = offset_copy(across, fig=ax.figure, x=pad if rtl else -pad, units="points")
    return [
        ax.figure.text(  # a figure's text is not given a clip path it would never use
            1 if rtl else 0,
            v,
            number(int(v)),
            transform=at,
            ha="left" if rtl else "right",
            va="center_baseline",
            fontsize=rc["ytick.labelsize"],
            color=rc["ytick.color"],
        )
        for v in values
    ]


def _month_texts(ax, positions, labels) -> list:
    """Month names under the plot, where matplotlib would put tick labels (figure texts, as
    the value labels)."""
    from matplotlib.transforms import blended_transform_factory, offset_copy

    rc = _matplotlib().rcParams
    under = offset_copy(
        blended_transform_factory(ax.transData, ax.transAxes),
        fig=ax.figure,
        y=-rc["xtick.major.pad"],
        units="points",
    )
    return [
        ax.figure.text(
            x,
            0,
            label,
            transform=under,
            ha="center",
            va="top",
            fontsize=rc["xtick.labelsize"],
            color=rc["xtick.color"],
            linespacing=1.05,
        )
        for x, label in zip(positions, labels)
        if label
    ]


def _month_labels(ax, positions, labels) -> list:
    """Month names that do not touch: as they are, else two-word names (تشرين الثاني) on two
    lines, else only every k-th month named. Measured at the plot's final width, as text
    before any is drawn."""
    rc = _matplotlib().rcParams
    size, family = rc["xtick.labelsize"], tuple(rc["font.family"])
    (x0, _), (x1, _) = ax.transData.transform([(positions[0], 0), (positions[-1], 0)])
    spacing = abs(x1 - x0) / max(1, len(positions) - 1)
    wrapped = [label.replace(" ", "\n", 1) for label in labels]
    for candidate in (labels, wrapped):
        lines = {line for label in candidate for line in label.split("\n")}
        widest = max(_text_width(line, size, family) for line in lines)
        step = math.ceil(widest * 1.12 / spacing)
        if step <= 1:
            return _month_texts(ax, positions, candidate)
    return _month_texts(ax, positions, [w if i % step == 0 else "" for i, w in enumerate(wrapped)])


def _month_axis(ax, axis: dict[str, Any]) -> tuple[list, list[str]]:
    """The time axis of a panel. Returns the month names and their places, for _layout to
    fit under the plot once its width is known."""
    ax.set_xlim(*axis["xlim"])
    return axis["ticks"], axis["labels"]


def _month_marks(ax, bounds: list[float], length: float) -> None:
    """Month boundaries as short marks down from the plot's bottom edge, `length` of the
    panel's height: one path, not a tick or a marker each (matplotlib makes an object per
    tick, and a PDF renderer copies each marker)."""
    from matplotlib.transforms import blended_transform_factory

    xs = [x for bound in bounds for x in (bound, bound, math.nan)]
    ys = [y for _ in bounds for y in (0, -length, math.nan)]
    _plot(
        ax,
        xs,
        ys,
        lw=_matplotlib().rcParams["xtick.minor.width"],
        color=MUTED,
        solid_capstyle="butt",
        transform=blended_transform_factory(ax.transData, ax.transAxes),
        clip_on=False,
    )


def _hatch_color(fill: str) -> str:
    """Hatch lines that show on the fill: dark on light colors, white on dark ones."""
    r, g, b = (int(fill[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return "#333333" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.55 else "white"


def _label_side(preferred: int, fraction: float) -> int:
    """A value label goes on the reading side of its point unless that runs off the plot."""
    if preferred > 0 and fraction > 0.72 or preferred < 0 and fraction < 0.28:
        return -preferred
    return preferred


# -- the four kinds ---------------------------------------------------------------------------


def _draw_activity(spec: dict[str, Any]):
    from matplotlib.collections import PolyCollection
    from matplotlib.patches import Patch

    rtl, series = _rtl(spec), spec["series"]
    entries = [(Patch(facecolor=s["color"], edgecolor="white"), s["label"]) for s in series]
    if spec["uncertain_label"]:
        key = Patch(facecolor="#8C8C8C", edgecolor="white", hatch=HATCH, hatchcolor="white")
        entries.append((key, spec["uncertain_label"]))
    # the plot keeps its height
    fig, (ax,) = _figure(spec, 2.7 + 0.27 * math.ceil(len(entries) / 3), panels=1)
    x = list(range(len(spec["months"])))
    bottom = [0] * len(x)
    half = BAR_WIDTH / 2
    for s in series:
        for part, hatch in ((s["certain"], None), (s["uncertain"], HATCH)):
            # one collection per series and certainty: hundreds of bar patches are slow to add
            boxes = [
                [(xi - half, y0), (xi + half, y0), (xi + half, y0 + h), (xi - half, y0 + h)]
                for xi, y0, h in zip(x, bottom, part)
                if h
            ]
            if boxes:
                ax.add_collection(
                    PolyCollection(
                        boxes,
                        facecolors=s["color"],
                        edgecolors="white",
                        linewidths=0.6,
                        hatch=hatch,
                        hatchcolors=_hatch_color(s["color"]),
                    ),
                    autolim=False,
                )
                bottom = [a + b for a, b in zip(bottom, part)]
    number = LANGUAGES[spec["lang"]].number
    for xi, total in zip(x, bottom):
        if total:
            _point_label(ax, number(total), (xi, total), (0, 2), ha="center", fontsize=_pt(9))
    ax.set_ylim(0, max(max(bottom) * 1.18, 1))
    ax.set_xlim(-0.6, len(x) - 0.4)
    values = _value_axis(ax, spec)
    legend = _bottom_legend(fig, entries, rtl, 3)
    _layout(fig, [ax], legend, ticks=(x, spec["months"]), texts={0: values})
    return fig


def _draw_figures(spec: dict[str, Any]):
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    rtl, panels, axis = _rtl(spec), spec["panels"], spec["axis"]
    fig, axes = _figure(spec, 1.9 + 1.45 * len(panels), panels=len(panels))
    span = axis["xlim"][1] - axis["xlim"][0]
    markers = {"up": "^", "down": "v", "": "o"}
    texts = []
    for ax, panel in zip(axes, panels):
        # a panel holds dozens of points: lines and marks are gathered by style and drawn as
        # a few artists (segments split by NaN), not one artist per mark
        spans: dict[str, list[float]] = defaultdict(list)  # color -> x, x, NaN, ...
        ranges: dict[str, list[tuple[float, float]]] = defaultdict(list)
        marks: dict[tuple[str, str, str], list[tuple[float, float]]] = defaultdict(list)
        for p in panel["points"]:
            color = p["color"]
            y = (p["low"] + p["high"]) / 2
            if p["x0"] is None:  # on or before: an arrow back in time
                style = {"arrowstyle": "-|>", "color": color, "lw": 1.3, "linestyle": DASHED}
                style.update(shrinkA=0, shrinkB=0, mutation_scale=9)
                ax.annotate(
                    "", xy=(p["x1"] - BEFORE_ARROW_DAYS, y), xytext=(p["x1"], y), arrowprops=style
                )
            elif p["x1"] > p["x0"]:  # the days it may have happened on
                spans[color] += [(p["x0"], y), (p["x1"], y), (math.nan, math.nan)]
            if p["low"] != p["high"]:  # reports disagree: lowest to highest, no number chosen
                ranges[color] += [(p["x"], p["low"]), (p["x"], p["high"]), (math.nan, math.nan)]
            fill = color if p["exact"] else "white"
            for low, high, direction in p["claims"]:
                for value in sorted({low, high}):
                    marks[markers[direction], color, fill].append((p["x"], value))
            side = _label_side(-1 if rtl else 1, (p["x"] - axis["xlim"][0]) / span)
            _point_label(
                ax,
                p["label"],
                (p["x"], p["high"]),
                (9 * side, 2),
                ha="left" if side > 0 else "right",
                fontsize=_pt(9),
            )
        for color, points in spans.items():
            _plot(ax, *zip(*points), color=color, lw=1.3, ls=DASHED)
        for color, points in ranges.items():
            _plot(ax, *zip(*points), color=color, lw=3, solid_capstyle="butt")
            _plot(ax, *zip(*points), ls="none", marker="_", ms=11, mew=2, color=color)
        for (mark, color, fill), points in marks.items():
            _plot(
                ax,
                *zip(*points),
                ls="none",
                marker=mark,
                ms=7.5,
                mew=1.6,
                mec=color,
                mfc=fill,
                zorder=3,
            )
        ax.set_ylim(0, max(p["high"] for p in panel["points"]) * 1.35)
        title = _panel_title(ax, panel["label"], rtl)
        texts.append([title, *_value_axis(ax, spec)])
    entries = [(Patch(facecolor=color), name) for name, color in spec["types"]]
    keys = {
        "uncertain_date": Line2D(
            [], [], color=GREY, lw=1.3, ls=DASHED, marker="o", mfc="white", mec=GREY
        ),
        "range": Line2D([], [], color=GREY, lw=3, marker="_", ms=11, mew=2),
        "up": Line2D([], [], ls="none", marker="^", color=GREY, ms=7),
        "down": Line2D([], [], ls="none", marker="v", color=GREY, ms=7),
    }
    entries += [(keys[name], text) for name, text in spec["legend"].items()]
    legend = _bottom_legend(fig, entries, rtl, 2)
    for ax in axes[:-1]:  # upper panels: the same months, named only under the last one
        ax.set_xlim(*axis["xlim"])
    ticks = _month_axis(axes[-1], axis)
    _layout(fig, list(axes), legend, ticks, dict(enumerate(texts)), marks=axis["bounds"])
    return fig


def _draw_status(spec: dict[str, Any]):
    from matplotlib.patches import Patch
    from matplotlib.transforms import blended_transform_factory

    rtl, rows = _rtl(spec), spec["rows"]
    fig, (ax,) = _figure(spec, 1.55 + 0.5 * len(rows), panels=1)
    for i, row in enumerate(rows):
        y = -i
        for seg in row["segments"]:
            hatch = seg.get("hatch")
            ax.barh(
                y,
                seg["x1"] - seg["x0"],
                left=seg["x0"],
                height=0.36,
                color=seg["color"],
                linewidth=0,
                hatch=HATCH if hatch else None,
                hatchcolor=hatch,
            )
        for dot in row["dots"]:
            fill = dot["color"] if dot["exact"] else "white"
            _plot(
                ax,
                [dot["x"]],
                [y],
                ls="none",
                marker="o",
                ms=8,
                mew=1.8,
                mec=dot["color"],
                mfc=fill,
                zorder=3,
            )
        # Names start where reading starts: in Arabic just short of the cutoff line.
        x = spec["cutoff"] - 3 if rtl else spec["axis"]["xlim"][0]
        ax.text(
            x, y + 0.24, row["label"], ha="right" if rtl else "left", va="bottom", fontsize=_pt(9)
        )
    ax.axvline(spec["cutoff"], color=INK, lw=0.9, ls=(0, (3, 2)))
    at_top = blended_transform_factory(ax.transData, ax.transAxes)
    label = spec["cutoff_label"]
    cutoff = ax.text(
        spec["cutoff"],
        1.0,
        label,
        transform=at_top,
        ha="right",
        va="bottom",
        fontsize=_pt(9),
        color=MUTED,
    )
    ax.set_ylim(-len(rows) + 0.5, 1.05)
    ax.set_yticks([])
    entries = [(Patch(facecolor=color), name) for name, color in spec["legend"]]
    if spec["hatch_label"]:
        key = Patch(facecolor="white", edgecolor=GREY, hatch=HATCH, hatchcolor=GREY, lw=0)
        entries.append((key, spec["hatch_label"]))
    legend = _bottom_legend(fig, entries, rtl, 3)
    ticks = _month_axis(ax, spec["axis"])
    _layout(fig, [ax], legend, ticks, {0: [cutoff]}, marks=spec["axis"]["bounds"])
    return fig


MAP_STYLES = {  # face, edge, edge width, hatch
    "syria": ("#FBF8F1", "#3D3D3D", 1.1, None),
    "neighbour": ("#E6E6E3", "#9A9A9A", 0.6, None),
    "occupied": ("#FBF8F1", "#3D3D3D", 0.7, HATCH),
}
SEA, CAPITAL, HATCH_GREY = "#DCE9F2", "#4A4A4A", "#A0A0A0"


def _draw_map(spec: dict[str, Any]):
    from matplotlib.legend_handler import HandlerPatch
    from matplotlib.lines import Line2D
    from matplotlib.patches import Circle, Ellipse, Patch, PathPatch
    from matplotlib.path import Path as MplPath

    rtl, window = _rtl(spec), geo.SYRIA_WINDOW
    margin, title_h, legend_h = 0.1, 0.5, 1.0
    map_w = WIDTH - 2 * margin
    map_h = map_w / window.width_over_height
    height = title_h + map_h + legend_h
    fig, _ = _figure(spec, height, titled=False)  # laid out here: the map keeps its aspect
    fig.text(
        WIDTH - margin if rtl else margin,
        height - 0.12,
        spec["title"],
        transform=fig.dpi_scale_trans,
        ha="right" if rtl else "left",
        va="top",
        fontsize=_pt(STYLE["figure.titlesize"]),
        fontweight="bold",
    )
    ax = fig.add_axes((margin / WIDTH, legend_h / height, map_w / WIDTH, map_h / height))
    ax.set(
        xlim=(window.lon_min, window.lon_max),
        ylim=(window.lat_min, window.lat_max),
        xticks=[],
        yticks=[],
    )
    ax.set_aspect(window.aspect)
    ax.set_facecolor(SEA)
    for spine in ax.spines.values():
        spine.set(visible=True, edgecolor="#9A9A9A")
    for region in geo.load_regions():
        face, edge, width, hatch = MAP_STYLES[region.kind]
        for polygon in region.polygons:
            path = MplPath.make_compound_path(*(MplPath(ring, closed=True) for ring in polygon))
            patch = PathPatch(
                path, facecolor=face, edgecolor=edge, lw=width, hatch=hatch, hatchcolor=HATCH_GREY
            )
            patch.set_zorder(1 if region.kind == "neighbour" else 2)
            ax.add_patch(patch)
    for base in spec["bases"]:
        xy = (base["lon"], base["lat"])
        if base["precision"] == "area":  # only the area is known: a dashed circle around it
            size = (0.32, 0.32 * window.aspect)
            ring = Ellipse(
                xy, *size, facecolor="none", edgecolor=base["color"], lw=2, ls=(0, (2.5, 1.5))
            )
            ring.set_zorder(5)
            ax.add_patch(ring)
            _plot(ax, *xy, ls="none", marker="o", ms=3.5, color=base["color"], zorder=6)
        else:  # exact: filled; approximate: hollow
            fill = base["color"] if base["precision"] == "exact" else "white"
            _plot(
                ax, *xy, ls="none", marker="o", ms=9, mew=2.6, mec=base["color"], mfc=fill, zorder=6
            )
    _map_labels(fig, ax, spec, rtl)
    entries = [
        (Line2D([], [], ls="none", marker="o", ms=9, color=color), name)
        for name, color in spec["statuses"]
    ]
    ring = {"ls": "none", "marker": "o", "ms": 9, "mew": 2.2, "mec": GREY}
    keys = {
        "exact": Line2D([], [], mfc=GREY, **ring),
        "approximate": Line2D([], [], mfc="white", **ring),
        "area": Circle((0, 0), 1, facecolor="none", edgecolor=GREY, lw=1.6, ls=(0, (2.5, 1.5))),
    }
    entries += [(keys[name], text) for name, text in spec["precision"].items()]
    entries.append(
        (Line2D([], [], ls="none", marker="s", ms=3.6, color=CAPITAL), spec["capital_label"])
    )
    golan = Patch(
        facecolor=MAP_STYLES["occupied"][0], edgecolor="#3D3D3D", hatch=HATCH, hatchcolor=HATCH_GREY
    )
    entries.append((golan, spec["golan_label"]))
    _legend(
        fig,
        entries,
        rtl,
        3,
        loc="upper right" if rtl else "upper left",
        bbox_to_anchor=(
            (WIDTH - margin) / WIDTH if rtl else margin / WIDTH,
            (legend_h - 0.05) / height,
        ),
        borderaxespad=0,
        handler_map={Circle: HandlerPatch(patch_func=_circle_key)},
    )
    return fig


def _circle_key(legend, orig_handle, xdescent, ydescent, width, height, fontsize):
    from matplotlib.patches import Circle

    return Circle((width / 2 - xdescent, height / 2 - ydescent), 0.75 * height)


def _map_labels(fig, ax, spec: dict[str, Any], rtl: bool) -> None:
    """Name the neighbours, every base, then each governorate capital that finds room (a
    capital without room is left out, dot and name), with no label over another."""
    renderer = fig.canvas.get_renderer()
    ax.apply_aspect()
    to_screen, to_data = ax.transData.transform, ax.transData.inverted().transform
    px = fig.dpi / 72
    obstacles = []
    for region in geo.load_regions():
        if region.id in spec["regions"]:
            text = ax.text(
                *region.label_at,
                spec["regions"][region.id],
                ha="center",
                va="center",
                fontsize=_pt(9),
            )
            text.set(color="#7A7A7A", zorder=3)
            box = text.get_window_extent(renderer)
            obstacles.append((box.x0, box.y0, box.x1, box.y1))
    items = [(b, True) for b in spec["bases"]] + [(c, False) for c in spec["capitals"]]
    texts, requests = [], []
    for item, is_base in items:
        text = ax.text(
            item["lon"],
            item["lat"],
            item["label"],
            fontsize=_pt(9.5 if is_base else 9),
            fontweight="bold" if is_base else "normal",
            color=INK if is_base else GREY,
            ha="center",
            va="center",
            zorder=7,
            bbox={
                "boxstyle": "square,pad=0.08",
                "facecolor": "white",
                "edgecolor": "none",
                "alpha": 0.75,
            },
        )
        extent = text.get_window_extent(renderer)
        x, y = to_screen((item["lon"], item["lat"]))
        radius = (9 if item.get("precision") == "area" else 7 if is_base else 3) * px
        requests.append(geo.LabelRequest(x, y, extent.width + 2, extent.height, radius))
        texts.append(text)
    obstacles += [
        (r.x - r.radius, r.y - r.radius, r.x + r.radius, r.y + r.radius) for r in requests
    ]
    frame = ax.get_window_extent(renderer)
    bounds = (frame.x0 + 2, frame.y0 + 2, frame.x1 - 2, frame.y1 - 2)
    placements = geo.place_labels(requests, obstacles, bounds, side=-1 if rtl else 1, step=3 * px)
    for text, request, place, (item, is_base) in zip(texts, requests, placements, items):
        if not place.clear and not is_base:
            text.remove()
            continue
        if not is_base:
            _plot(
                ax, item["lon"], item["lat"], ls="none", marker="s", ms=3.6, color=CAPITAL, zorder=4
            )
        text.set_position(
            to_data(((place.box[0] + place.box[2]) / 2, (place.box[1] + place.box[3]) / 2))
        )
        if place.leader:  # moved away from its point: a thin line back to it
            end = (
                min(max(request.x, place.box[0]), place.box[2]),
                min(max(request.y, place.box[1]), place.box[3]),
            )
            (x0, y0), (x1, y1) = to_data((request.x, request.y)), to_data(end)
            _plot(ax, [x0, x1], [y0, y1], color="#777777", lw=0.7, zorder=5)


DRAWERS = {
    "activity": _draw_activity,
    "figures": _draw_figures,
    "status": _draw_status,
    "map": _draw_map,
}
