"""PDF briefings: one per base and one overall, per language, with WeasyPrint.

The briefing is planned first (`plan_briefing`: which events, which sources in which order,
the status of each base at the end of the period), then rendered to HTML by the shared Jinja
environment (`templates/pdf/`) and laid out by WeasyPrint. Only vendored fonts and local files
are read: the URL fetcher refuses everything else, so a build never touches the network.

Output is byte-identical for the same inputs: WeasyPrint writes no creation date and no file
identifier by default, and names font subsets from a hash of the font description.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import Protocol
from urllib.parse import urlparse
from urllib.request import url2pathname

from markupsafe import Markup, escape
from weasyprint import HTML, URLFetcher
from weasyprint.text.fonts import FontConfiguration

from generator import derive
from generator.derive import StatusChange
from generator.i18n import LANGUAGES, Language
from generator.models import Dataset, Event, FuzzyDate, Source
from generator.pages import Page
from generator.render import TEMPLATE_DIR, View, make_environment
from generator.validate import parse_date
from generator.write import write_if_changed

ROOT = Path(__file__).parent.parent
PDF_TEMPLATE_DIR = TEMPLATE_DIR / "pdf"
FONTS_DIR = ROOT / "docs" / "assets" / "fonts"
TEMPLATE = "pdf/briefing.html.j2"
OVERALL = "briefing"  # file stem of the briefing on all bases
WEB_LINK_SCHEMES = ("http", "https")


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
    title: str | None
    alt: str | None

    @property
    def uri(self) -> str:
        return self.path.as_uri()


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
class Endnote:
    number: int
    source: Source
    relays: int | None  # the endnote number of the report this one relays


@dataclass(frozen=True)
class Briefing:
    base_id: str | None
    period: Period
    events: tuple[Event, ...]
    standings: tuple[BaseStanding, ...]
    totals: tuple[derive.Total, ...]
    endnotes: tuple[Endnote, ...]
    cutoff: date | None
    version: str | None
    charts: tuple[ChartFigure, ...]
    origins: int  # independent origins among the endnotes

    def note(self, source_id: str) -> int:
        return next(n.number for n in self.endnotes if n.source.id == source_id)


def plan_briefing(
    dataset: Dataset,
    *,
    base_id: str | None = None,
    period: Period = Period(),
    charts: Mapping[str, ChartRef] | None = None,
    version: str | None = None,
) -> Briefing:
    """What one briefing holds, in any language: a pure function of the dataset."""
    if base_id is not None and base_id not in dataset.bases:
        known = ", ".join(sorted(dataset.bases))
        raise ValueError(f"no base {base_id!r} in the data (bases: {known})")
    scope = [base_id] if base_id else list(dataset.bases)
    candidates = dataset.events_of_base(base_id) if base_id else dataset.events
    events = tuple(sorted((e for e in candidates if period.includes(e)), key=lambda e: e.sort_key))

    cited: list[str] = list(dataset.bases[base_id].sources) if base_id else []
    for event in events:
        cited += event.sources
        cited += [claim.source for claim in event.figures]
    cited += [derive.origin_of(dataset.sources, s) for s in cited]
    order = list(dict.fromkeys(cited))  # first citation first, each source once
    numbers = {source_id: i for i, source_id in enumerate(order, start=1)}
    endnotes = tuple(
        Endnote(numbers[s], dataset.sources[s], numbers.get(dataset.sources[s].via or ""))
        for s in order
    )
    included = replace(dataset, events=events, sources={s: dataset.sources[s] for s in order})
    return Briefing(
        base_id=base_id,
        period=period,
        events=events,
        standings=tuple(_standing(dataset, b, events, period) for b in scope),
        totals=tuple(derive.figure_totals(events)),
        endnotes=endnotes,
        cutoff=derive.information_cutoff(included),
        version=version,
        charts=tuple(_charts_in_scope(charts or {}, base_id)),
        origins=len(derive.independent_origins(dataset, order)),
    )


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


def chart_figures(out_dir: Path, charts: Mapping[str, ChartLike]) -> dict[str, ChartFigure]:
    """Charts from `charts.render_charts(dataset, lang, out_dir)`, whose paths are relative
    to `out_dir`, ready to pass as `charts=` with their titles and text alternatives."""
    return {
        key: ChartFigure(key, (Path(out_dir) / chart.path).resolve(), chart.title, chart.alt)
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
        figures.append(
            ChartFigure(key, path, getattr(chart, "title", None), getattr(chart, "alt", None))
        )
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
    style = "arabic-indic" if lang.arabic_indic_digits else "decimal"
    marker = "\x00"
    text = lang.t("pdf.page", page=f"{marker}page{marker}", pages=f"{marker}pages{marker}")
    parts = []
    for i, piece in enumerate(text.split(marker)):
        if i % 2:
            parts.append(f"counter({piece}, {style})")
        elif piece:
            parts.append(css_string(piece))
    return Markup(" ".join(parts))


@dataclass
class BriefingView(View):
    """The site's View, plus what only a printed briefing needs."""

    briefing: Briefing | None = None

    def tm(self, key: str, **values: Markup | str) -> Markup:
        """The string `key` with values that may hold markup (escaped text from v.text)."""
        return Markup(escape(self.t(key))).format(**values)

    def ref(self, source_id: str) -> Markup:
        n = self.briefing.note(source_id)
        return Markup(f'<a class="bf-ref" href="#src-{escape(source_id)}">[{self.number(n)}]</a>')

    def refs(self, source_ids: Iterable[str]) -> Markup:
        """Endnote references in endnote order: '[1] [3]'."""
        numbers = sorted({self.briefing.note(s): s for s in source_ids}.items())
        return Markup(" ").join(self.ref(source_id) for _, source_id in numbers)

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


def render_html(briefing: Briefing, dataset: Dataset, lang: Language) -> str:
    view = BriefingView(dataset, lang, Page("briefing.md", TEMPLATE), briefing=briefing)
    template = make_environment().get_template(TEMPLATE)
    return template.render(v=view, b=briefing, lang=lang, page_counter=page_counter_content(lang))


# -- PDF -------------------------------------------------------------------------------------
class LocalFiles(URLFetcher):
    """Fetch only local files under the given roots; any other URL stops the render."""

    def __init__(self, roots: Iterable[Path]):
        super().__init__(allowed_protocols={"file"}, fail_on_errors=True)
        self.roots = tuple(Path(r).resolve() for r in roots)

    def fetch(self, url: str, headers=None):
        parsed = urlparse(url)
        path = Path(url2pathname(parsed.path)).resolve() if parsed.scheme == "file" else None
        if path is None or not any(path == r or path.is_relative_to(r) for r in self.roots):
            raise ValueError(f"briefings read only their templates, fonts and charts, not {url}")
        return super().fetch(url, headers)


@cache
def _font_config() -> FontConfiguration:
    """One font configuration per process: @font-face files are loaded once, not per PDF."""
    return FontConfiguration()


def briefing_pdf(briefing: Briefing, dataset: Dataset, lang: Language) -> bytes:
    html = render_html(briefing, dataset, lang)
    roots = [PDF_TEMPLATE_DIR, FONTS_DIR, *(chart.path for chart in briefing.charts)]
    document = HTML(
        string=html, base_url=PDF_TEMPLATE_DIR.as_uri() + "/", url_fetcher=LocalFiles(roots)
    )
    return document.write_pdf(font_config=_font_config())


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
) -> bool:
    """Write the briefing on `base_id` (or on all bases) to `out`. True if the file changed.

    `start` and `end` ('YYYY-MM' or 'YYYY-MM-DD', inclusive) keep the events whose dates
    overlap the period. `charts` maps chart keys ('base:qasrak:activity', 'overview:status')
    to SVG files, or to charts with `path`, `title` and `alt`: those of the briefing's scope
    are drawn as vector graphics.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"no language {lang!r} (languages: {', '.join(LANGUAGES)})")
    period = Period.parse(start, end)
    briefing = plan_briefing(
        dataset, base_id=base_id, period=period, charts=charts, version=version
    )
    return write_if_changed(Path(out), briefing_pdf(briefing, dataset, LANGUAGES[lang]))


def render_all_briefings(
    dataset: Dataset,
    out_dir: Path,
    *,
    charts: Mapping[str, Mapping[str, ChartRef]] | None = None,
    **kw,
) -> list[Path]:
    """Every briefing: out_dir/<lang>/<base>.pdf and out_dir/<lang>/briefing.pdf.

    `charts` is keyed by language, then by chart key (charts carry text in their language).
    Other keywords (start, end, version) apply to every briefing. Returns every path
    produced, changed or not, so that a build can remove the files it no longer makes.
    """
    if OVERALL in dataset.bases:
        raise ValueError(
            f"a base may not be called {OVERALL!r}: its PDF would replace the overall briefing"
        )
    paths = []
    for code in LANGUAGES:
        for base_id in [*sorted(dataset.bases), None]:
            path = Path(out_dir) / code / f"{base_id or OVERALL}.pdf"
            render_briefing(
                dataset, code, path, base_id=base_id, charts=(charts or {}).get(code), **kw
            )
            paths.append(path)
    return paths


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
