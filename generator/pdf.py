"""PDF briefings with WeasyPrint: one per base, one overall and one per written briefing
(`Dataset.briefings`), per language.

The briefing is planned first (`plan_briefing`: which events, newest first, which sources in
which order, the status of each base at the end of the period, what changed in it), then
rendered to HTML by the shared Jinja environment (`templates/pdf/`) and laid out by
WeasyPrint. Page 1 reads as a briefing's front page: the title, period, issue date and
publisher, then the bottom line and key judgements of a written briefing, or the current
status and latest developments of a base or of all of them. Every PDF is tagged (its
structure is readable by assistive technology), carries its language and title, and has an
outline made from its headings. Only vendored fonts and local files are read: the URL
fetcher refuses everything else, so a build never touches the network.

Output is byte-identical for the same inputs: WeasyPrint writes no creation date and no file
identifier by default, and names font subsets from a hash of the font description. The cover
carries a fingerprint of the records a briefing draws on, not the commit of the repository, so
that a briefing's bytes change only when its own content does.

A chart over time is printed as its SVG without its texts, which are set over it as text
where the drawing drew them (`charts.print_texts`): WeasyPrint fills glyph outlines several
times more slowly than it sets text, and the chart's words can then be searched and copied.
The map, and a chart given only as a file, print as drawn.

Laying out is slow (seconds for a base with a hundred events) and rendering HTML is fast, so
`render_all_briefings` renders every briefing's HTML and lays out only those whose HTML and
charts the cache has not seen, in worker processes.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import re
import subprocess
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, is_dataclass, replace
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse
from urllib.request import url2pathname

from jinja2 import Environment
from markupsafe import Markup, escape
from weasyprint import CSS, HTML, URLFetcher
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcherResponse

from generator import derive
from generator.cache import OutputCache
from generator.charts import ChartText
from generator.derive import StatusChange
from generator.i18n import LANGUAGES, Language
from generator.models import Dataset, Event, FuzzyDate, Source, WrittenBriefing
from generator.pages import Page
from generator.parallel import parallel_map
from generator.render import TEMPLATE_DIR, View, make_environment
from generator.validate import parse_date
from generator.write import write_if_changed

ROOT = Path(__file__).parent.parent
PDF_TEMPLATE_DIR = TEMPLATE_DIR / "pdf"
FONTS_DIR = ROOT / "docs" / "assets" / "fonts"
TEMPLATE = "pdf/briefing.html.j2"
OVERALL = "briefing"  # file stem of the briefing on all bases
WRITTEN_DIR = "briefings"  # the written briefings' PDFs: <lang>/briefings/<id>.pdf
WEB_LINK_SCHEMES = ("http", "https")
# Up to this many events, a briefing lists them all; beyond, it lists the events of its last
# months up to the information cutoff, so that a long record still prints as a readable
# briefing: the overall one with the status of every base, a base's with its status history.
# The web pages keep every event, and the cover says which period the briefing covers.
WHOLE_RECORD_LIMIT = 200  # events in the record, for the overall briefing
RECENT_MONTHS = 3
BASE_WHOLE_RECORD_LIMIT = 60  # events of one base, for its briefing
BASE_RECENT_MONTHS = 12
FINGERPRINT_LENGTH = 12  # hex digits on the cover
UNSPLIT_URL_LENGTH = 70  # characters: shorter addresses fit on a line and are kept whole
LATEST_DEVELOPMENTS = 5  # newest events on the front page of a base's or the overall briefing
# Charts are drawn for the site, 6.4 inches wide. Printed a little smaller they keep a legible
# text, and no taller than this, two fit on a page with their captions.
CHART_SCALE = 0.85
CHART_MAX_WIDTH_MM = 170.0
CHART_MAX_HEIGHT_MM = 110.0
SVG_SIZE = re.compile(r'<svg\b[^>]*?\swidth="([\d.]+)(pt|px)?"[^>]*?\sheight="([\d.]+)(pt|px)?"')
MM_PER_UNIT = {"pt": 25.4 / 72, "px": 25.4 / 96}  # a length without a unit is in px


# -- the period ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    """An inclusive period given as 'YYYY-MM' or 'YYYY-MM-DD' at either end, or open."""

    start: FuzzyDate | None = None
    end: FuzzyDate | None = None

    @classmethod
    def parse(cls, start: str | None = None, end: str | None = None) -> Period:
        period = cls(_period_bound(start, "start"), _period_bound(end, "end"))
        if period.first_day and period.last_day and period.first_day > period.last_day:
            raise ValueError(f"the period starts ({start}) after it ends ({end})")
        return period

    @property
    def first_day(self) -> date | None:
        return self.start.anchor if self.start else None

    @property
    def last_day(self) -> date | None:
        return self.end.latest if self.end else None

    def includes(self, event: Event) -> bool:
        """True when the days the event may have happened on overlap the period.

        An approximate date spans half a month either side; a month-only date, the month;
        an event with an end date, up to that day. 'On or before' has no lower bound in the
        record, so it counts from the recorded date: otherwise every later report would also
        fall into every earlier period.
        """
        earliest = event.date.earliest or event.date.anchor
        if self.first_day and event.latest < self.first_day:
            return False
        return not (self.last_day and earliest > self.last_day)


def _period_bound(value: str | None, which: str) -> FuzzyDate | None:
    if value is None:
        return None
    day, why = parse_date(value)
    if day is None:
        raise ValueError(f"the period {which} {value!r} is not a date: {why}")
    return FuzzyDate(value, "day" if value.count("-") == 2 else "month")


def default_period(dataset: Dataset, base_id: str | None = None) -> Period:
    """The period a briefing covers unless told otherwise: the whole record, or its last months
    up to the information cutoff when it holds more events than a briefing lists in full."""
    if base_id is None:
        events, limit, months = dataset.events, WHOLE_RECORD_LIMIT, RECENT_MONTHS
        cutoff = derive.information_cutoff(dataset)
    else:
        events = dataset.events_of_base(base_id)
        limit, months = BASE_WHOLE_RECORD_LIMIT, BASE_RECENT_MONTHS
        # the base's own cutoff: news from other bases neither empties nor shifts its briefing
        cited = {source_id for event in events for source_id in event.sources}
        own = {source_id: dataset.sources[source_id] for source_id in sorted(cited)}
        cutoff = derive.information_cutoff(replace(dataset, events=tuple(events), sources=own))
    if len(events) <= limit or cutoff is None:
        return Period()
    first = _months_before(cutoff, months) + timedelta(days=1)
    return Period.parse(first.isoformat(), cutoff.isoformat())


def _months_before(day: date, months: int) -> date:
    """The same day `months` earlier, or the last day of that month if it is shorter."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


# -- the plan --------------------------------------------------------------------------------
class ChartLike(Protocol):
    path: str | Path
    title: str
    alt: str


ChartRef = Path | ChartLike


@dataclass(frozen=True)
class ChartFigure:
    key: str
    path: Path
    title: str | None  # the short caption
    alt: str | None  # the text alternative: in the PDF's structure, not on the page
    width_mm: float | None = None  # as printed; None: the width of the text
    height_mm: float | None = None
    # Its texts, printed as text over the drawing without its own (the SVG's text groups):
    # WeasyPrint lays text out several times faster than it fills glyph outlines.
    texts: tuple[ChartText, ...] = ()
    scale: float = 1.0  # of the printed drawing to the drawn one

    @property
    def uri(self) -> str:
        return self.path.as_uri()

    def text_style(self, text: ChartText) -> str:
        """Where a line of its texts prints: from where the drawing started it, scaled as the
        drawing is. Its box is an em wider than the line was drawn, so that the line never
        overflows it (a right-to-left line would then start from the right)."""
        mm = 25.4 / 72 * self.scale  # a drawn point, printed
        style = (
            f"left: {text.left * mm:.2f}mm; top: {text.top * mm:.2f}mm; "
            f"width: {(text.width + text.size) * mm:.2f}mm; "
            f"font-size: {text.size * self.scale:.2f}pt; color: {text.color}"
        )
        return style + ("; font-weight: 700" if text.bold else "")


def text_direction(text: str) -> str:
    """'rtl' or 'ltr', from the first letter of a strong direction, as the charts' shaping
    (libraqm) finds a line's direction; 'ltr' when there is none (digits only)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


@dataclass(frozen=True)
class BaseStanding:
    """A base as the briefing reports it: its status at the end of the period."""

    base_id: str
    history: tuple[StatusChange, ...]  # status changes up to the end of the period
    status: StatusChange | None  # None: no event of the base up to the end of the period
    status_id: str
    events: int  # events of the base in the period
    last_event: Event | None  # latest event of the base in the period


@dataclass(frozen=True)
class StatusShift:
    """A status change of a base dated in the period, and the status it changed from."""

    base_id: str
    before: str
    change: StatusChange


@dataclass(frozen=True)
class BaseActivity:
    """The events of the period at one base (None: at no base), counted by type."""

    base_id: str | None
    events: int
    types: tuple[tuple[str, int], ...]  # (event type, events), most first
    latest: Event


@dataclass(frozen=True)
class Endnote:
    number: int
    source: Source
    relays: tuple[int, ...]  # the endnote numbers of the reports this one relays


@dataclass(frozen=True)
class Briefing:
    base_id: str | None
    period: Period
    events: tuple[Event, ...]  # newest first
    standings: tuple[BaseStanding, ...]
    totals: tuple[derive.Total, ...]
    endnotes: tuple[Endnote, ...]
    cutoff: date | None
    version: str | None  # as the caller gives it; None: the cover shows the fingerprint only
    charts: tuple[ChartFigure, ...]
    origins: int  # independent origins among the endnotes
    recent_only: bool = False  # a long record's last months (default_period): the cover says so
    fingerprint: str = ""  # of the records the briefing draws on (see briefing_fingerprint)
    written: WrittenBriefing | None = None  # an editor's briefing on the period
    shifts: tuple[StatusShift, ...] = ()  # status changes dated in the period, base by base
    activity: tuple[BaseActivity, ...] = ()  # the period's events by base, most first

    @property
    def latest(self) -> tuple[Event, ...]:
        return self.events[:LATEST_DEVELOPMENTS]

    def note(self, source_id: str) -> int:
        return next(n.number for n in self.endnotes if n.source.id == source_id)

    def has_note(self, source_id: str) -> bool:
        return any(n.source.id == source_id for n in self.endnotes)

    def holds(self, event_id: str) -> bool:
        return any(e.id == event_id for e in self.events)


def plan_briefing(
    dataset: Dataset,
    *,
    base_id: str | None = None,
    period: Period | None = None,
    charts: Mapping[str, ChartRef] | None = None,
    version: str | None = None,
    written: WrittenBriefing | None = None,
) -> Briefing:
    """What one briefing holds, in any language: a pure function of the dataset.

    Without a `period`, a briefing covers `default_period(dataset, base_id)`: the whole
    record, or its last months if it is long. A `written` briefing covers all bases over its
    own period, and adds its bottom line and key judgements.
    """
    if base_id is not None and base_id not in dataset.bases:
        known = ", ".join(sorted(dataset.bases))
        raise ValueError(f"no base {base_id!r} in the data (bases: {known})")
    if written is not None:
        if base_id is not None or period is not None:
            raise ValueError("a written briefing covers all bases over its own period")
        period = Period(
            FuzzyDate(written.start.isoformat(), "day"), FuzzyDate(written.end.isoformat(), "day")
        )
    recent_only = False
    if period is None:
        period = default_period(dataset, base_id)
        recent_only = period != Period()
    scope = [base_id] if base_id else list(dataset.bases)
    candidates = dataset.events_of_base(base_id) if base_id else dataset.events
    events = tuple(
        sorted((e for e in candidates if period.includes(e)), key=lambda e: e.sort_key)[::-1]
    )

    cited: list[str] = []  # in the order the briefing cites them: its events, newest first
    for event in events:
        cited += event.sources
        cited += [claim.source for claim in event.figures]
    cited += dataset.bases[base_id].sources if base_id else ()
    cited += [o for s in cited for o in sorted(derive.origins_of(dataset.sources, s)) if o != s]
    order = list(dict.fromkeys(cited))  # first citation first, each source once
    numbers = {source_id: i for i, source_id in enumerate(order, start=1)}
    endnotes = tuple(
        Endnote(
            numbers[s],
            dataset.sources[s],
            tuple(numbers[r] for r in dataset.sources[s].via if r in numbers),
        )
        for s in order
    )
    included = replace(dataset, events=events, sources={s: dataset.sources[s] for s in order})
    standings = tuple(_standing(dataset, b, events, period) for b in scope)
    briefing = Briefing(
        base_id=base_id,
        period=period,
        events=events,
        standings=standings,
        totals=tuple(derive.figure_totals(events)),
        endnotes=endnotes,
        cutoff=derive.information_cutoff(included),
        version=version,
        charts=tuple(_charts_in_scope(charts or {}, base_id)),
        origins=len(derive.independent_origins(dataset, order)),
        recent_only=recent_only,
        written=written,
        shifts=tuple(_shifts(dataset, standings, period)),
        activity=tuple(_activity(events)),
    )
    return replace(briefing, fingerprint=briefing_fingerprint(dataset, briefing))


def _shifts(
    dataset: Dataset, standings: Iterable[BaseStanding], period: Period
) -> Iterable[StatusShift]:
    """The status changes reported in the period (dated in it, as on the site), base by base."""
    for standing in standings:
        before = dataset.bases[standing.base_id].initial_status
        for change in standing.history:
            day = change.date.anchor
            dated_in = (not period.first_day or day >= period.first_day) and (
                not period.last_day or day <= period.last_day
            )
            if change.event_id and dated_in:
                yield StatusShift(standing.base_id, before, change)
            before = change.status


def _activity(events: tuple[Event, ...]) -> list[BaseActivity]:
    """The events (newest first) counted by base and, at each base, by type."""
    by_base: dict[str | None, list[Event]] = {}
    for event in events:
        for base_id in event.bases or (None,):
            by_base.setdefault(base_id, []).append(event)
    activity = []
    for base_id, own in by_base.items():
        types: dict[str, int] = {}
        for event in own:
            types[event.type] = types.get(event.type, 0) + 1
        ranked = tuple(sorted(types.items(), key=lambda item: (-item[1], item[0])))
        activity.append(BaseActivity(base_id, len(own), ranked, own[0]))
    return sorted(activity, key=lambda a: (-a.events, a.base_id is None, a.base_id or ""))


def briefing_fingerprint(dataset: Dataset, briefing: Briefing) -> str:
    """A short hash of the records a briefing draws on: the taxonomy, the bases it covers,
    its events and their sources, and what is derived from them for its period.

    The same in both languages, and unchanged by edits elsewhere in the record (another
    base's events, a commit that leaves the data alone): the cover shows it in place of a
    repository version so that a briefing's bytes change only when its content does.
    """
    material = {
        "taxonomy": dataset.taxonomy,
        "bases": [dataset.bases[s.base_id] for s in briefing.standings],
        "briefing": replace(briefing, version=None, charts=(), fingerprint=""),
    }
    text = json.dumps(_content(material), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:FINGERPRINT_LENGTH]


def _content(value: Any) -> Any:
    """Records as plain JSON values, without where they were read from (file, digest)."""
    if isinstance(value, (list, tuple)):
        return [_content(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _content(v) for k, v in value.items()}
    names = _content_fields(type(value))
    if names is None:
        return value
    return {name: _content(getattr(value, name)) for name in names}


@cache
def _content_fields(kind: type) -> tuple[str, ...] | None:
    if not is_dataclass(kind):
        return None
    return tuple(f.name for f in fields(kind) if f.name not in ("file", "digest"))


def _standing(
    dataset: Dataset, base_id: str, events: Iterable[Event], period: Period
) -> BaseStanding:
    history = derive.status_history(dataset, base_id)
    if period.last_day:
        history = [c for c in history if c.date.sort_key <= period.last_day]
    own = [e for e in events if base_id in e.bases]
    status = history[-1] if history else None
    return BaseStanding(
        base_id=base_id,
        history=tuple(history),
        status=status,
        status_id=status.status if status else dataset.bases[base_id].initial_status,
        events=len(own),
        last_event=max(own, key=lambda e: e.sort_key) if own else None,
    )


def chart_size(path: Path) -> tuple[float, float] | None:
    """The printed size of a chart, in millimetres: its drawn size scaled by CHART_SCALE,
    within the width of the text and CHART_MAX_HEIGHT_MM; None when the SVG gives none."""
    drawn = _drawn_size(path)
    return _printed_size(drawn) if drawn else None


def _printed_size(drawn: tuple[float, float]) -> tuple[float, float]:
    width, height = (length * CHART_SCALE for length in drawn)
    shrink = min(1.0, CHART_MAX_WIDTH_MM / width, CHART_MAX_HEIGHT_MM / height)
    return round(width * shrink, 1), round(height * shrink, 1)


def _drawn_size(path: Path) -> tuple[float, float] | None:
    """The size an SVG gives itself, in millimetres; None when it gives none."""
    with path.open(encoding="utf-8") as file:
        match = SVG_SIZE.search(file.read(4096))
    if not match:
        return None
    width = float(match[1]) * MM_PER_UNIT[match[2] or "px"]
    height = float(match[3]) * MM_PER_UNIT[match[4] or "px"]
    return (width, height) if width and height else None


def chart_figures(
    out_dir: Path,
    charts: Mapping[str, ChartLike],
    texts: Mapping[str, tuple[ChartText, ...]] | None = None,
) -> dict[str, ChartFigure]:
    """The charts of one language (`charts.charts_by_language`), whose drawings were written
    under `out_dir` at their paths, ready to pass as `charts=` with their titles and text
    alternatives, and with their texts from `charts.print_texts` (by path) when given: a
    chart without them prints its drawing's own."""
    return {
        key: ChartFigure(
            key,
            (Path(out_dir) / chart.path).resolve(),
            chart.title,
            chart.alt,
            texts=(texts or {}).get(str(chart.path), ()),
        )
        for key, chart in charts.items()
    }


def _charts_in_scope(charts: Mapping[str, ChartRef], base_id: str | None) -> list[ChartFigure]:
    prefix = f"base:{base_id}:" if base_id else "overview:"
    figures = []
    for key, chart in charts.items():
        if not key.startswith(prefix):
            continue
        path = Path(getattr(chart, "path", chart)).resolve()
        if not path.is_file():
            raise FileNotFoundError(f"chart {key}: {path} does not exist")
        title, alt = getattr(chart, "title", None), getattr(chart, "alt", None)
        drawn = _drawn_size(path)
        if drawn is None:  # printed at whatever size it has, as drawn
            figures.append(ChartFigure(key, path, title, alt))
            continue
        size, texts = _printed_size(drawn), getattr(chart, "texts", ())
        figures.append(ChartFigure(key, path, title, alt, *size, texts, size[0] / drawn[0]))
    return figures


# -- HTML ------------------------------------------------------------------------------------
def css_string(text: str) -> str:
    """`text` as a CSS string literal, safe inside a <style> element."""
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ").replace("<", "\\3C ")
    )
    return f'"{escaped}"'


def page_counter_content(lang: Language) -> Markup:
    """The CSS `content` of the footer: 'Page ' counter(page) ' of ' counter(pages)."""
    return _counter_content(lang, "pdf.page", page="counter(page, {})", pages="counter(pages, {})")


def page_ref_content(lang: Language) -> Markup:
    """The CSS `content` after a link to an event: ' (p. ' target-counter(...) ')'."""
    target = "target-counter(attr(href), page, {})"
    return _counter_content(lang, "pdf.page_ref", page=target)


def _counter_content(lang: Language, key: str, **counters: str) -> Markup:
    """The string `key` as CSS `content`, its {placeholders} replaced by the given counters."""
    style = "arabic-indic" if lang.arabic_indic_digits else "decimal"
    marker = "\x00"
    text = lang.t(key, **{name: f"{marker}{name}{marker}" for name in counters})
    parts = []
    for i, piece in enumerate(text.split(marker)):
        if i % 2:
            parts.append(counters[piece].format(style))
        elif piece:
            parts.append(css_string(piece))
    return Markup(" ".join(parts))


@dataclass
class BriefingView(View):
    """The site's View, plus what only a printed briefing needs."""

    briefing: Briefing | None = None

    def endnote_numbers(self, numbers: tuple[int, ...]) -> str:
        return self.t("list.separator").join(f"[{self.number(n)}]" for n in numbers)

    def ref(self, source_id: str) -> Markup:
        n = self.briefing.note(source_id)
        return Markup(f'<a class="bf-ref" href="#src-{escape(source_id)}">[{self.number(n)}]</a>')

    def refs(self, source_ids: Iterable[str]) -> Markup:
        """Endnote references in endnote order: '[1] [3]'. Sources the briefing does not
        cite (a claim dated outside its period) have no endnote and are left out."""
        noted = [s for s in source_ids if self.briefing.has_note(s)]
        numbers = sorted({self.briefing.note(s): s for s in noted}.items())
        return Markup(" ").join(self.ref(source_id) for _, source_id in numbers)

    def title(self) -> str:
        """The briefing's title, as plain text (the PDF's title and running header)."""
        b = self.briefing
        if b.written:
            return self.plain(b.written.title)
        if b.base_id:
            return self.t("pdf.title.base", base=self.plain(self.dataset.bases[b.base_id].name))
        return self.t("pdf.title.overall")

    def place(self, event: Event) -> Markup:
        """Where an event happened: its bases, or its place."""
        sep = self.t("list.separator")
        if event.bases:
            names = (self.text(self.dataset.bases[b].name) for b in event.bases)
            return Markup(sep).join(names)
        if event.place:
            return self.text(event.place.name)
        return Markup("")

    def base_name(self, base_id: str | None) -> Markup:
        return self.text(self.dataset.bases[base_id].name) if base_id else Markup("")

    def claims_by_status(self, change: StatusChange) -> list[tuple[str, list[str]]]:
        """What the reports behind a status change claim: each status once, with its sources."""
        by_status: dict[str, list[str]] = {}
        for claim in change.claims:
            by_status.setdefault(claim.status, []).extend(claim.sources)
        return list(by_status.items())

    def activity_types(self, activity: BaseActivity) -> str:
        """'3 Reinforcement convoy, 1 Evacuation'."""
        return self.t("list.separator").join(
            self.t("pdf.activity.type", n=self.number(n), type=self.label("event_types", t))
            for t, n in activity.types
        )

    def period_text(self) -> str:
        period = self.briefing.period
        if period.start and period.end:
            return self.t("date.range", start=self.bound(period.start), end=self.bound(period.end))
        if period.start:
            return self.t("pdf.period.from", date=self.bound(period.start))
        if period.end:
            return self.t("pdf.period.until", date=self.bound(period.end))
        return self.t("pdf.period.all")

    def bound(self, when: FuzzyDate) -> str:
        return self.lang.day(when.anchor) if when.has_day else self.lang.month(when.anchor)

    def as_of(self) -> str:
        last = self.briefing.period.last_day
        return (
            self.t("pdf.status_on", date=self.lang.day(last))
            if last
            else self.t("base.current_status")
        )

    def web_url(self, url: str | None) -> str | None:
        """Only web addresses become links; anything else is shown as text."""
        return url if url and urlparse(url).scheme in WEB_LINK_SCHEMES else None

    def url_class(self, url: str) -> str:
        """Addresses that fit on a line are never split; longer ones may be, anywhere."""
        return "bf-url" if len(url) <= UNSPLIT_URL_LENGTH else "bf-url-long"


def render_html(briefing: Briefing, dataset: Dataset, lang: Language) -> str:
    view = BriefingView(dataset, lang, Page("briefing.md", TEMPLATE), briefing=briefing)
    template = _environment().get_template(TEMPLATE)  # reloaded when the file changes
    return template.render(
        v=view,
        b=briefing,
        lang=lang,
        page_counter=page_counter_content(lang),
        page_ref=page_ref_content(lang),
        text_direction=text_direction,
    )


@cache
def _environment() -> Environment:
    """One Jinja environment per process: compiling the template took longer than using it."""
    return make_environment()


# -- PDF -------------------------------------------------------------------------------------
class LocalFiles(URLFetcher):
    """Fetch only local files under the given roots; any other URL stops the render. The
    SVGs at `textless` are read without their texts, which the briefing prints as text."""

    def __init__(self, roots: Iterable[Path], textless: Iterable[Path] = ()):
        super().__init__(allowed_protocols={"file"}, fail_on_errors=True)
        self.roots = tuple(Path(r).resolve() for r in roots)
        self.textless = {Path(p).resolve() for p in textless}

    def fetch(self, url: str, headers=None):
        parsed = urlparse(url)
        path = Path(url2pathname(parsed.path)).resolve() if parsed.scheme == "file" else None
        if path is None or not any(path == r or path.is_relative_to(r) for r in self.roots):
            raise ValueError(f"briefings read only their templates, fonts and charts, not {url}")
        if path.suffix == ".svg":
            svg = path.read_text(encoding="utf-8")
            svg = inline_glyphs(without_texts(svg) if path in self.textless else svg)
            return URLFetcherResponse(url, svg, {"Content-Type": "image/svg+xml"})
        return super().fetch(url, headers)


TEXT_GROUP = re.compile(r'<g id="text-[^"]*">')  # a chart's labels (generator.drawing.Texts)
GROUP_TAG = re.compile(r"<g[\s>]|</g>")


def without_texts(svg: str) -> str:
    """A chart's SVG without the groups of its labels' glyphs."""
    kept, at = [], 0
    for start in TEXT_GROUP.finditer(svg):
        if start.start() < at:  # inside a group already left out
            continue
        depth, end = 1, None
        for tag in GROUP_TAG.finditer(svg, start.end()):
            depth += 1 if tag[0].startswith("<g") else -1
            if depth == 0:
                end = tag.end()
                break
        if end is None:
            raise ValueError(f"a chart's group {start[0]} is never closed")
        kept.append(svg[at : start.start()])
        at = end
    return "".join(kept) + svg[at:]


DEFINED = re.compile(
    r'<path id="([^"]+)"(?: d="([^"]*)")?(?: style="([^"]*)")?(?: transform="([^"]*)")?/>'
)
USE = re.compile(
    r'<use xlink:href="#([^"]+)"(?: x="([^"]*)" y="([^"]*)")?'
    r'(?: transform="([^"]*)")?(?: style="([^"]*)")?/>'
)


def inline_glyphs(svg: str) -> str:
    """A chart's SVG with each path it defines once and places with <use> (the glyphs of its
    texts, its markers) drawn where it is placed instead.

    WeasyPrint copies the tree of every <use> and parses the outline again for each: a fifth
    of what a chart cost in a PDF went there. Drawn in place, they are the same paths with
    the same transforms (the use's, its place, then the path's own) and styles (the use's,
    then the path's own, which wins); a glyph without an outline (a space) is dropped."""
    defined = {ident: rest for ident, *rest in DEFINED.findall(svg)}

    def inline(use: re.Match) -> str:
        ident, x, y, placed, style = use.groups()
        if ident not in defined:
            return use.group(0)
        d, own_style, own_transform = defined[ident]
        if not d:
            return ""
        transform = " ".join(filter(None, (placed, x and f"translate({x} {y})", own_transform)))
        styles = "; ".join(filter(None, (style, own_style)))
        return (
            f'<path d="{d}"'
            + (f' transform="{transform}"' if transform else "")
            + (f' style="{styles}"/>' if styles else "/>")
        )

    return USE.sub(inline, svg)


@cache
def _font_config() -> FontConfiguration:
    """One font configuration per process: @font-face files are loaded once, not per PDF."""
    return FontConfiguration()


def layout_pdf(html: str, briefing: Briefing) -> bytes:
    """Lay out a briefing's HTML: the slow step, which nothing else in this module is."""
    roots = [PDF_TEMPLATE_DIR, FONTS_DIR, *(chart.path for chart in briefing.charts)]
    textless = [chart.path for chart in briefing.charts if chart.texts]
    document = HTML(
        string=html,
        base_url=PDF_TEMPLATE_DIR.as_uri() + "/",
        url_fetcher=LocalFiles(roots, textless),
    )
    return document.write_pdf(font_config=_font_config(), pdf_tags=True)


def briefing_pdf(briefing: Briefing, dataset: Dataset, lang: Language) -> bytes:
    return layout_pdf(render_html(briefing, dataset, lang), briefing)


def render_briefing(
    dataset: Dataset,
    lang: str,
    out: Path,
    *,
    base_id: str | None = None,
    start: str | None = None,
    end: str | None = None,
    charts: Mapping[str, ChartRef] | None = None,
    version: str | None = None,
    briefing_id: str | None = None,
) -> bool:
    """Write the briefing on `base_id` (or on all bases) to `out`. True if the file changed.

    `start` and `end` ('YYYY-MM' or 'YYYY-MM-DD', inclusive) keep the events whose dates
    overlap the period; without them the briefing covers `default_period(dataset, base_id)`.
    `charts` maps chart keys ('base:qasrak:activity', 'overview:status') to SVG files, or to
    charts with `path`, `title` and `alt`: those of the briefing's scope are drawn as vector
    graphics. `version`, if given, is shown on the
    cover next to the fingerprint of the data. `briefing_id` names a written briefing
    (data/briefings/<id>.yaml), which covers all bases over its own period, without charts
    (they show the whole record).
    """
    if lang not in LANGUAGES:
        raise ValueError(f"no language {lang!r} (languages: {', '.join(LANGUAGES)})")
    written = written_briefing(dataset, briefing_id) if briefing_id else None
    period = Period.parse(start, end) if start or end else None
    briefing = plan_briefing(
        dataset,
        base_id=base_id,
        period=period,
        charts=None if written else charts,
        version=version,
        written=written,
    )
    return write_if_changed(Path(out), briefing_pdf(briefing, dataset, LANGUAGES[lang]))


def written_briefing(dataset: Dataset, briefing_id: str) -> WrittenBriefing:
    """The written briefing `briefing_id` of the dataset."""
    for written in dataset.briefings:
        if written.id == briefing_id:
            return written
    known = ", ".join(w.id for w in dataset.briefings) or "none"
    raise ValueError(f"no written briefing {briefing_id!r} in the data (briefings: {known})")


# -- every briefing --------------------------------------------------------------------------
def render_all_briefings(
    dataset: Dataset,
    out_dir: Path,
    *,
    charts: Mapping[str, Mapping[str, ChartRef]] | None = None,
    version: str | None = None,
    cache: OutputCache | None = None,
    start: str | None = None,
    end: str | None = None,
) -> list[Path]:
    """Every briefing: out_dir/<lang>/<base>.pdf, out_dir/<lang>/briefing.pdf and, for each
    written briefing, out_dir/<lang>/briefings/<id>.pdf.

    `charts` is keyed by language, then by chart key (charts carry text in their language).
    `start`, `end` and `version` apply to every briefing on the bases; a written briefing
    covers its own period, without charts (they show the whole record). Plans and HTML are
    made a language per core, then the layouts, the slow part, are shared among the cores,
    or taken from `cache` when it holds the PDF of the same HTML and charts. Returns every
    path.
    """
    if OVERALL in dataset.bases:
        raise ValueError(
            f"a base may not be called {OVERALL!r}: its PDF would replace the overall briefing"
        )
    cache = cache or OutputCache(None)
    period = Period.parse(start, end) if start or end else None

    def planned(code: str) -> list[tuple[Path, str, str, Briefing]]:
        """Each briefing in one language: its file, the cache key of its PDF, its HTML and
        its plan."""
        briefings = [
            (
                Path(out_dir) / code / f"{base_id or OVERALL}.pdf",
                plan_briefing(
                    dataset,
                    base_id=base_id,
                    period=period,
                    charts=(charts or {}).get(code),
                    version=version,
                ),
            )
            for base_id in [*sorted(dataset.bases), None]
        ]
        briefings += [
            (
                Path(out_dir) / code / WRITTEN_DIR / f"{written.id}.pdf",
                plan_briefing(dataset, written=written, version=version),
            )
            for written in dataset.briefings
        ]
        found = []
        for path, briefing in briefings:
            html = render_html(briefing, dataset, LANGUAGES[code])
            # the charts by their bytes, not by where they were written this time
            stable = html
            for chart in briefing.charts:
                stable = stable.replace(chart.uri, chart.key)
            charts_bytes = [chart.path.read_bytes() for chart in briefing.charts]
            found.append(
                (path, cache.key("pdf", _pango_version(), stable, *charts_bytes), html, briefing)
            )
        return found

    wanted: dict[str, tuple[str, Briefing]] = {}
    paths: dict[Path, str] = {}
    for language in parallel_map(planned, list(LANGUAGES)):  # a language per core
        for path, key, html, briefing in language:
            wanted[key] = (html, briefing)
            paths[path] = key
    _load_fonts()
    # longest first: a core left alone with the overall briefing at the end would be idle
    wanted = dict(sorted(wanted.items(), key=lambda item: -len(item[1][0])))
    pdfs = cache.get_or_make("pdf", wanted, _layout_item)
    for path, key in paths.items():
        write_if_changed(path, pdfs[key])
    return list(paths)


def _layout_item(item: tuple[str, Briefing]) -> bytes:
    return layout_pdf(*item)


def _pango_version() -> str:
    """The layout depends on Pango, a system library the lock file does not pin."""
    from weasyprint.text.ffi import pango

    return str(pango.pango_version())


def _load_fonts() -> None:
    """Register the briefing fonts in this process, so that worker processes inherit them
    instead of each loading them into a temporary folder of its own."""
    CSS(
        filename=str(PDF_TEMPLATE_DIR / "briefing.css"),
        font_config=_font_config(),
        url_fetcher=LocalFiles([PDF_TEMPLATE_DIR, FONTS_DIR]),
    )


def data_version(repo: Path) -> str | None:
    """The short commit of `repo`, with '+modified' when its data/ differs from it; None
    when there is no git or no repository."""

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(repo), *args],
                capture_output=True,
                text=True,
                timeout=10,
                check=True,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD")
    if not commit:
        return None
    changes = git("status", "--porcelain", "--", "data")
    return f"{commit}+modified" if changes else commit
