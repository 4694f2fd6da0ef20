"""Charts for the base and overview pages, in English and Arabic, as byte-stable SVG files.

- `plan_charts` is pure: for one language it decides which charts exist and computes from
  the dataset everything a chart shows (numbers, localized labels, colors) as a JSON-able
  `spec`, with the chart's title, text alternative and data table.
- `render_charts` draws each plan (generator.drawing, the only matplotlib import) unless the
  cache holds the drawing of that spec already.
- `print_texts` gives the texts of the charts the briefings print, placed, so that a PDF sets
  them as text over the drawing without its texts.

How each date precision is drawn, and why Arabic charts look the way they do: docs/charts.md.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

from generator import derive, geo
from generator.cache import OutputCache
from generator.i18n import LANGUAGES, Language
from generator.models import Dataset, Event

UNCERTAIN_MONTH = ("approximate", "before")  # the month bin itself may be wrong
MIN_VISIBLE_DAYS = 4  # a status span shorter than this is drawn as a dot
# Time axes cover the record, or its last CHART_MONTHS months when it is longer: more monthly
# bars than this do not fit a page's width, and drawing them is slow. Tables keep every event.
CHART_MONTHS = 24
# Phones get a narrow drawing of each time chart (not the map) with larger text, over the
# last NARROW_MONTHS months: 24 monthly bars do not fit 390 pixels at a readable size.
NARROW_MONTHS = 12
DIRECTION = {"more_than": "up", "at_least": "up", "up_to": "down", "fewer_than": "down"}


@dataclass(frozen=True)
class Pin:
    """Where a base's marker is drawn on a map, in percent of the figure from its top left:
    pages place a link or a marker there (generated stylesheet, templates/map.css.j2)."""

    base_id: str
    x: float
    y: float


@dataclass(frozen=True)
class Chart:
    key: str  # "base:qasrak:activity", "overview:map", ...
    lang: str
    path: str  # relative output path, ASCII and stable: "charts/en/base-qasrak-activity.svg"
    title: str
    alt: str  # what the chart shows and its main finding, in the chart's language
    table: tuple[tuple[str, ...], ...]  # header row, then the numbers behind the chart
    pins: tuple[Pin, ...] = ()  # maps: the located bases
    narrow_path: str | None = None  # its drawing for phones, if it has one


@dataclass(frozen=True)
class PlannedChart:
    chart: Chart
    kind: str  # activity, figures, status or map: which drawing function
    spec: dict[str, Any] = field(hash=False, compare=False)  # all the drawing needs
    narrow: bool = False  # the phone drawing of `chart`, written to chart.narrow_path

    @property
    def path(self) -> str:
        """Where this drawing is written."""
        return self.chart.narrow_path if self.narrow else self.chart.path


@dataclass(frozen=True)
class ChartText:
    """A line of a drawing's text as the briefings print it: set as text by WeasyPrint over the
    drawing without its texts, which it fills several times faster than glyph outlines."""

    text: str
    left: float  # points from the drawing's left edge to where the line starts (its pen)
    top: float  # points from the drawing's top edge to the top of the font's ascent
    width: float  # points: the line's ink, as matplotlib measures a text
    size: float  # points
    bold: bool
    color: str  # "#rrggbb"


def chart_path(key: str, lang: str, narrow: bool = False) -> str:
    return f"charts/{lang}/{key.replace(':', '-')}{'.narrow' if narrow else ''}.svg"


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

    def plan(
        self, key: str, kind: str, title: str, alt: list[str], table, pins=(), **spec
    ) -> PlannedChart:
        lang = self.L.code
        if kind not in MAP_KINDS and self.months and self.months[0] > self.first_month:
            alt = [*alt, self.t("chart.alt.window", first=self.L.month(self.months[0]))]
        chart = Chart(
            key, lang, chart_path(key, lang), title, " ".join(alt), tuple(table), tuple(pins)
        )
        return PlannedChart(chart, kind, {"title": title, "lang": lang, **spec})


def plan_charts(
    dataset: Dataset, lang: str, bases: Collection[str] | None = None
) -> list[PlannedChart]:
    """Every chart of one language in a stable order, base pages first, then the overview;
    each time chart followed by its narrow drawing for phones. With `bases`, the time charts
    are only those of these bases' pages (the preview shows them first)."""
    L = LANGUAGES[lang]
    if not dataset.events:
        return _map_plans(_Scope(dataset, L, [], None))
    months = record_months(dataset)
    wide = _time_charts(dataset, L, months, CHART_MONTHS, bases)
    recent = {p.chart.key: p for p in _time_charts(dataset, L, months, NARROW_MONTHS, bases)}
    plans = []
    for plan in wide:
        chart = replace(plan.chart, narrow_path=chart_path(plan.chart.key, lang, narrow=True))
        # a chart with nothing in the last months shows its whole window on phones too
        spec = recent[chart.key].spec if chart.key in recent else plan.spec
        plans.append(replace(plan, chart=chart))
        plans.append(PlannedChart(chart, plan.kind, {**spec, "narrow": True}, narrow=True))
    cutoff = derive.information_cutoff(dataset)
    return [*plans, *_map_plans(_Scope(dataset, L, months[-CHART_MONTHS:], cutoff, months[0]))]


def _time_charts(
    dataset: Dataset,
    L: Language,
    months: list[date],
    length: int,
    bases: Collection[str] | None = None,
) -> list[PlannedChart]:
    """The charts over time (activity, figures, status) over the last `length` months: of
    every base page and the overview, or only of the pages of `bases`."""
    window = months[-length:]
    scope = _Scope(dataset, L, window, derive.information_cutoff(dataset), months[0])
    recent = window[0] if len(window) < len(months) else None

    def in_window(events) -> list[Event]:
        return [e for e in events if e.date.anchor >= recent] if recent else list(events)

    plans: list[PlannedChart] = []
    for base_id, base in dataset.bases.items():
        if bases is not None and base_id not in bases:
            continue
        reported = in_window(dataset.events_of_base(base_id))
        events = occurred(reported)
        name = base.name.get(L.code)
        if events:
            title = L.t("chart.title.activity_base", base=name)
            plans.append(
                _activity_plan(scope, f"base:{base_id}:activity", title, events, reported, name)
            )
        if any(e.figures for e in events):
            plans.append(_figures_plan(scope, f"base:{base_id}:figures", events, name))
    if bases is not None:
        return plans
    reported = in_window(dataset.events)
    title = L.t("chart.title.activity_all")
    plans.append(_activity_plan(scope, "overview:activity", title, occurred(reported), reported))
    return [*plans, _status_plan(scope)]


def occurred(events) -> list[Event]:
    """Charts show what happened, each thing once: planned and announced events, and roll-ups
    of other reports, are left out (and said so)."""
    return [e for e in events if e.adds_up]


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
            value = L.qualified_range(
                summary.low, summary.low_qualifier, summary.high, summary.high_qualifier
            )
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
            rows.append((when, quantity, value, claims))
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
            key = scope.dataset.event(change.event_id).sort_key if change.event_id else ()
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


# -- maps -------------------------------------------------------------------------------------
# The overview map in two layouts (the wide one for pages and PDFs, a narrow one that phones
# get, whose text stays at least 11 CSS px on a 390 px screen), and one background for the
# locator of every base page, on which the page places the base's marker: drawing a map per
# base would cost a drawing per base and language at every change of the data.

MAP_KINDS = ("map", "locator")
NARROW_MAP = "narrow:overview:map"  # not "overview:…": the PDFs take the wide map only
LOCATOR = "locator"
# Status markers differ in shape as well as colour, in taxonomy order: a status reads
# without telling colours apart (drawing.MARKERS draws each)
STATUS_SHAPES = ("circle", "triangle_up", "triangle_down", "cross", "diamond", "square", "star")
STATUS_SHAPES += ("pentagon", "hexagon", "plus")
MAP_LAYOUTS = {  # key: figure width (inches), legend columns
    "overview:map": (6.4, 3),
    NARROW_MAP: (3.6, 1),  # one column: two of the longer English entries are too wide
}
# inches per legend row: Naskh's lines are taller, and Arabic text larger (FONT_SCALE)
LEGEND_ROW = {"en": 0.26, "ar": 0.33}
LOCATOR_FRAME = geo.MapFrame(width=3.2)


def map_frame(key: str, legend_entries: int, lang: str) -> geo.MapFrame:
    """The frame of an overview map, with room for its legend's rows."""
    width, columns = MAP_LAYOUTS[key]
    rows = -(-legend_entries // columns)
    return geo.MapFrame(width, margin=0.1, title=0.5, legend=0.1 + LEGEND_ROW[lang] * rows)


def located(base) -> bool:
    """A base the maps show: its location is known and in Syria (the maps show Syria only)."""
    return base.location is not None and base.country == "SY"


def _pins(frame: geo.MapFrame, dataset: Dataset) -> list[Pin]:
    pins = []
    for base_id, base in dataset.bases.items():
        if located(base):
            x, y = frame.fraction(base.location.lon, base.location.lat)
            pins.append(Pin(base_id, round(100 * x, 2), round(100 * y, 2)))
    return pins


def _map_plans(scope: _Scope) -> list[PlannedChart]:
    dataset, L = scope.dataset, scope.L
    lang = L.code
    statuses = dataset.taxonomy.statuses
    shapes = {s: STATUS_SHAPES[i % len(STATUS_SHAPES)] for i, s in enumerate(statuses)}
    bases, table, groups, precisions, unplaced = [], [], {}, Counter(), []
    for base_id, base in dataset.bases.items():
        status = statuses[derive.current_status(dataset, base_id)]
        name, where = base.name.get(lang), base.location
        region = (
            dataset.taxonomy.governorates[base.governorate].label.get(lang)
            if base.governorate
            else L.territory(base.country)
        )
        if not located(base):  # not drawn: listed under the map
            unplaced.append(name)
            table.append((name, region, status.label.get(lang), scope.t("chart.unplaced"), "", ""))
            continue
        bases.append(
            {
                "lon": where.lon,
                "lat": where.lat,
                "precision": where.precision,
                "color": status.color,
                "shape": shapes[status.id],
                "label": name,
            }
        )
        groups.setdefault(status.id, []).append(name)
        precisions[where.precision] += 1
        table.append(
            (
                name,
                region,
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
    if unplaced:
        alt.append(scope.t("chart.alt.map_unplaced", names=scope.join(unplaced)))
    columns = ("base", "governorate", "status", "location", "lat", "lon")
    precision = {
        p: scope.t(f"chart.legend.{p}") for p in ("exact", "approximate", "area") if precisions[p]
    }
    legend_entries = len(shown) + len(precision) + 2  # and capitals, Golan
    plans = []
    for key, (_width, legend_columns) in MAP_LAYOUTS.items():
        frame = map_frame(key, legend_entries, lang)
        plans.append(
            scope.plan(
                key,
                "map",
                scope.t("chart.title.map"),
                alt,
                [tuple(scope.t(f"chart.col.{c}") for c in columns), *table],
                pins=_pins(frame, dataset),
                frame=[frame.width, frame.margin, frame.title, frame.legend],
                legend_columns=legend_columns,
                bases=bases,
                capitals=[
                    {"lon": g.capital_lon, "lat": g.capital_lat, "label": g.capital.get(lang)}
                    for g in dataset.taxonomy.governorates.values()
                ],
                regions={r.id: r.names[lang] for r in geo.load_regions() if r.label_at},
                statuses=[[s.label.get(lang), s.color, shapes[s.id]] for s in shown],
                precision=precision,
                capital_label=scope.t("chart.legend.capital"),
                golan_label=scope.t("chart.legend.golan"),
            )
        )
    locator = scope.plan(
        LOCATOR,
        "locator",
        scope.t("map.locator.title"),
        [scope.t("map.locator.alt")],
        [],
        pins=_pins(LOCATOR_FRAME, dataset),
        frame=[LOCATOR_FRAME.width, 0, 0, 0],
    )
    return [*plans, locator]


# == rendering ================================================================================


def render_charts(
    dataset: Dataset, cache: OutputCache
) -> tuple[dict[str, dict[str, Chart]], dict[str, bytes]]:
    """Every chart in both languages: their metadata by language and key, and their SVG files
    by path. A chart is drawn only when the cache lacks the drawing of its plan."""
    plans = plan_all_charts(dataset)
    return charts_by_language(plans), draw_charts(plans, cache)


def plan_all_charts(dataset: Dataset) -> list[PlannedChart]:
    """Every drawing of every chart, in both languages."""
    return [plan for lang in LANGUAGES for plan in plan_charts(dataset, lang)]


def charts_by_language(plans: list[PlannedChart]) -> dict[str, dict[str, Chart]]:
    """What pages show of the charts (paths, titles, alt texts, tables), by language and key:
    the drawings are not needed."""
    charts: dict[str, dict[str, Chart]] = {lang: {} for lang in LANGUAGES}
    for plan in plans:
        charts[plan.chart.lang][plan.chart.key] = plan.chart
    return charts


def draw_charts(plans: list[PlannedChart], cache: OutputCache) -> dict[str, bytes]:
    """The SVG file of each drawing, by path: drawn only when the cache lacks its plan's."""
    return {plan.path: svg for plan, (svg, _) in zip(plans, _drawings(plans, cache))}


def print_texts(plans: list[PlannedChart], cache: OutputCache) -> dict[str, tuple[ChartText, ...]]:
    """The texts of each drawing the briefings print (a chart's wide one), by path: from the
    cache, where drawing the chart left them. A drawing whose texts matplotlib draws (the
    map) has none here, and prints as drawn."""
    printed = [plan for plan in plans if not plan.narrow]
    return {
        plan.path: tuple(ChartText(**text) for text in json.loads(texts))
        for plan, (_, texts) in zip(printed, _drawings(printed, cache))
    }


def _drawings(plans: list[PlannedChart], cache: OutputCache) -> list[tuple[bytes, bytes]]:
    """Each plan's SVG and its texts as the briefings print them (JSON), drawn together from
    one figure when the cache lacks either."""
    keys = [cache.key(plan.kind, json.dumps(plan.spec, sort_keys=True)) for plan in plans]
    made = cache.get_or_make_together(("charts", "print"), dict(zip(keys, plans)), _draw)
    return [made[key] for key in keys]  # type: ignore[misc]


def _draw(plan: PlannedChart) -> tuple[bytes, bytes]:
    """A drawing, with matplotlib imported only by the processes that draw."""
    from generator.drawing import draw

    svg, texts = draw(plan)
    return svg, json.dumps([asdict(t) for t in texts], ensure_ascii=False, sort_keys=True).encode()
