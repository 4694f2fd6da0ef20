"""Render planned pages to Markdown with Jinja2: the only module that imports Jinja.

Templates produce HTML blocks inside Markdown: data text is escaped by Jinja's autoescape
and sits in raw HTML, where Markdown syntax is not interpreted, so a summary holding
`<script>`, `[link](javascript:...)` or `{{ }}` is shown as the literal text it is.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    select_autoescape,
)
from markupsafe import Markup, escape

from generator import derive
from generator.i18n import LANGUAGES, Language
from generator.models import Claim, Dataset, Event, Source, Text
from generator.pages import Page, base_url, event_url, page_url, relative_url, source_url

TEMPLATE_DIR = Path(__file__).parent.parent / "templates"
RECENT_DAYS = 30  # "what changed" without a previous briefing; also when a record is stale
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


def markdown_escape(text: str) -> Markup:
    """Text safe to place in a Markdown heading: nothing in it becomes markup."""
    escaped = MARKDOWN_SPECIAL.sub(r"\\\1", str(text))
    return Markup(escaped.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def make_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = markdown_escape
    env.filters["yaml_string"] = lambda s: Markup(json.dumps(str(s), ensure_ascii=False))
    return env


@dataclass
class View:
    """What a template may ask about the data, in one language, from one page."""

    dataset: Dataset
    lang: Language
    page: Page
    charts: dict = field(default_factory=dict)  # chart key -> charts.Chart in this language
    macros: Any = None  # the module of templates/macros.j2
    # Cards rendered in this run, by kind, record, language and page depth: a card shows the
    # same on every page of a depth (its links are relative), and most events have several.
    cards: dict = field(default_factory=dict)

    # -- blocks shared by several pages -------------------------------------------------
    def _shared(self, macro: str, *args: Any) -> Markup:
        depth = self.page.url.count("/")
        key = (macro, *(getattr(a, "id", a) for a in args), self.code, depth)
        if key not in self.cards:
            stand_in = Page("/".join(["_"] * depth) + ".md" if depth else "index.md", "")
            view = View(self.dataset, self.lang, stand_in, self.charts, self.macros, self.cards)
            self.cards[key] = getattr(self.macros, macro)(view, *args)
        return self.cards[key]

    def card(self, event: Event) -> Markup:
        """An event's card, as on base pages, chronology pages and the overview."""
        return self._shared("event_card", event)

    def citation(self, source_id: str) -> Markup:
        """A source as an event's card cites it: most sources are cited by several events."""
        return self._shared("citation", source_id)

    def source_card(self, source_id: str) -> Markup:
        return self._shared("source_card", source_id)

    def figure_rows(self, event: Event) -> Markup:
        """The rows of an event in a base's table of figures."""
        return self._shared("figure_rows", event)

    def chart_block(self, key: str) -> Markup:
        """A chart with its alt text and its numbers as a table (nothing if there is none)."""
        return self._shared("chart", key) if key in self.charts else Markup("")

    # -- language ---------------------------------------------------------------------
    @property
    def code(self) -> str:
        return self.lang.code

    def t(self, key: str, **values: object) -> str:
        return self.lang.t(key, **values)

    def tm(self, key: str, **values: Markup | str) -> Markup:
        """The string `key` with values that may hold markup (escaped text, links)."""
        return Markup(escape(self.t(key))).format(**values)

    def count(self, key: str, n: int) -> str:
        return self.lang.count(key, n)

    def number(self, n: float) -> str:
        return self.lang.number(n)

    def text(self, text: Text | None) -> Markup:
        """A bilingual data text in this language, marked when shown in the other one."""
        if text is None:
            return Markup("")
        shown_in = text.language_of(self.code)
        body = (
            LANGUAGES[shown_in].isolate(text.get(self.code))
            if shown_in != self.code
            else self.lang.isolate(text.get(self.code))
        )
        if shown_in != self.code:
            direction = LANGUAGES[shown_in].direction
            return Markup(
                f'<span lang="{shown_in}" dir="{direction}">{body}</span>'
                f' <em class="bf-pending">({escape(self.t("event.translation_pending"))})</em>'
            )
        return body

    def plain(self, text: Text | None) -> str:
        return text.get(self.code) if text else ""

    def label(self, vocabulary: str, term_id: str) -> str:
        term = getattr(self.dataset.taxonomy, vocabulary)[term_id]
        return term.label.get(self.code)

    # -- links ------------------------------------------------------------------------
    def url(self, target: str) -> str:
        return relative_url(target, self.page.url)

    def base_link(self, base_id: str) -> Markup:
        base = self.dataset.bases[base_id]
        return Markup(
            f'<a href="{escape(self.base_href(base_id))}">{self.lang.isolate(base.name.get(self.code))}</a>'
        )

    def base_href(self, base_id: str) -> str:
        return self.url(base_url(base_id))

    def event_link(self, event: Event) -> str:
        return self.url(event_url(self.dataset, event))

    def region(self, base) -> str:
        """A Syrian site's governorate, or the country of a site abroad."""
        if base.governorate:
            return self.label("governorates", base.governorate)
        return self.lang.territory(base.country)

    def event_by_id(self, event_id: str) -> Event:
        return self.dataset.event(event_id)

    def source_link(self, source_id: str) -> str:
        return self.url(source_url(self.dataset, source_id))

    def page_link(self, path: str) -> str:
        return self.url(page_url(path))

    def file_link(self, path: str) -> str:
        """A link to a file published once for the whole site (charts, PDFs, data): Arabic
        pages live one level deeper, under /ar/."""
        return relative_url(path, ("ar/" if self.code == "ar" else "") + self.page.url)

    def pdf_link(self, base_id: str | None = None) -> str:
        return self.file_link(f"pdf/{self.code}/{base_id or 'briefing'}.pdf")

    # -- dates and figures ------------------------------------------------------------
    def when(self, event: Event) -> str:
        return self.lang.fuzzy_date(event.date, event.end_date)

    def precision_note(self, event: Event) -> str:
        return self.lang.precision_note(event.date)

    def day(self, value) -> str:
        return self.lang.day(value) if value else ""

    def month(self, year: int, month: int) -> str:
        from datetime import date

        return self.lang.month(date(year, month, 1))

    def quantity_phrase(self, quantity: str, low: int, high: int, qualifier: str = "exact") -> str:
        forms = self.dataset.taxonomy.quantities[quantity].forms[self.code]
        n = self.lang.amount(low, high, qualifier)
        unit = self.lang.plural(forms, high)
        return f"{n} {unit}"

    def claim(self, claim: Claim) -> Markup:
        """'about 25 trucks (SOHR)', the source linked to the sources page, and its note."""
        phrase = self.quantity_phrase(claim.quantity, claim.low, claim.high, claim.qualifier)
        note = f" <small>{self.text(claim.note)}</small>" if claim.note else ""
        return Markup(
            f'<span class="bf-claim">{self.lang.isolate(phrase)} ({self.source_links([claim.source])}){note}</span>'
        )

    def source_links(self, source_ids, names_only: bool = False) -> Markup:
        """Links to sources on the sources page, named by publisher and date (or title)."""
        sources = [self.dataset.sources[s] for s in source_ids]
        links = [
            f'<a href="{escape(self.source_link(s.id))}">'
            f"{self.lang.isolate(self.plain(s.publisher) if names_only else self.source_name(s))}</a>"
            for s in sources
        ]
        return Markup(self.t("list.separator").join(links))

    def version_line(self, event: Event, version) -> Markup:
        """What one source says of an event (`version`), or with None what its other
        sources say: date, status and place, then who says it."""
        from generator.derive import stated_status

        if version is None:
            differing = {v.source for v in event.versions}
            sources = [s for s in event.sources if s not in differing]
            when, status, place, note = event.date, stated_status(self.dataset, event), None, None
        else:
            sources = [version.source]
            when = version.date or event.date
            status = version.status or stated_status(self.dataset, event)
            place, note = version.place, version.note
        parts = [escape(self.lang.fuzzy_date(when))]
        if status:
            parts.append(escape(self.label("statuses", status)))
        if place:
            parts.append(self.text(place))
        line = Markup(" · ").join(parts)
        said = self.source_links(sources) if sources else escape(self.t("event.no_other_source"))
        extra = Markup(f" <small>{self.text(note)}</small>") if note else Markup("")
        return Markup(f"{line} ({said}){extra}")

    def source_name(self, source: Source) -> str:
        """Publisher and date (or title, for an undated report): tells apart several reports
        of one outlet, or of outlets whose name is not known."""
        if source.published is None and source.title:
            title = source.title if len(source.title) <= 60 else source.title[:59] + "…"
            return f"{source.publisher.get(self.code)}{self.t('list.separator')}{self.lang.quote(title)}"
        return (
            f"{source.publisher.get(self.code)}{self.t('list.separator')}{self.published(source)}"
        )

    def figure_range(self, summary) -> str:
        """The span of the claims (or a total), each end with its qualifier: 'more than 20–
        about 100 trucks'."""
        forms = self.dataset.taxonomy.quantities[summary.quantity].forms[self.code]
        n = self.lang.qualified_range(
            summary.low, summary.low_qualifier, summary.high, summary.high_qualifier
        )
        return f"{n} {self.lang.plural(forms, summary.high)}"

    def figures(self, event: Event):
        return derive.figures_of(event)

    def event_filter_options(self, events: list[Event]) -> dict[str, list[tuple[str, str]]]:
        """The choices of the chronology's filters: the bases (by name), event types and
        confidence levels (in the taxonomy's order) of `events`, as (id, label)."""
        taxonomy = self.dataset.taxonomy
        bases = {b for e in events for b in e.bases}
        names = sorted((self.plain(self.dataset.bases[b].name), b) for b in bases)
        types = {e.type for e in events}
        levels = {e.confidence for e in events}
        return {
            "bases": [(b, name) for name, b in names],
            "types": [
                (t, self.label("event_types", t)) for t in taxonomy.event_types if t in types
            ],
            "confidence": [
                (c, self.label("confidence_levels", c))
                for c in taxonomy.confidence_levels
                if c in levels
            ],
        }

    # -- derived facts ----------------------------------------------------------------
    def status_history(self, base_id: str):
        return derive.status_history(self.dataset, base_id)

    def current_status(self, base_id: str) -> str:
        return derive.current_status(self.dataset, base_id)

    def last_event(self, base_id: str) -> Event | None:
        return derive.last_event(self.dataset, base_id)

    def events_of_base(self, base_id: str) -> list[Event]:
        return self.dataset.events_of_base(base_id)

    def day_date(self, value: str):
        from generator.models import FuzzyDate

        return FuzzyDate(value, "day")

    def corrections(self) -> list[tuple[str, Event, object]]:
        """Every correction and retraction, newest first: (date, event, correction)."""
        found = [(c.date, e, c) for e in self.dataset.events for c in e.corrections]
        found += [(e.retracted.date, e, e.retracted) for e in self.dataset.events if e.retracted]
        return sorted(found, key=lambda item: (item[0], item[1].id), reverse=True)

    def provenance(self, event: Event):
        return derive.provenance(self.dataset, event)

    def single_origin_share(self) -> tuple[int, int]:
        return derive.single_origin_share(self.dataset)

    def relayed(self, source: Source) -> Markup:
        """The reports a relay repeats, linked: 'SOHR, AFP'."""
        return self.source_links(source.via, names_only=True)

    def origins_count(self, source_ids=None) -> int:
        ids = self.dataset.sources if source_ids is None else source_ids
        return len(derive.independent_origins(self.dataset, ids))

    def citing_events(self, source_id: str) -> list[Event]:
        return self.dataset.events_citing(source_id)

    def totals(self, events=None):
        if events is None:  # every event's: asked for by the overview in each language
            return derive.record_totals(self.dataset)
        return derive.figure_totals(events)

    def cutoff(self):
        return derive.information_cutoff(self.dataset)

    def changes(self, start, end):
        return derive.changes_between(self.dataset, start, end)

    def recent_changes(self):
        """What changed since the briefing before the latest one; without one, in the last
        RECENT_DAYS before the information cutoff."""
        from datetime import timedelta

        end = self.cutoff()
        briefings = self.dataset.briefings
        if len(briefings) >= 2:
            start = briefings[1].end + timedelta(days=1)
        else:
            start = end - timedelta(days=RECENT_DAYS)
        return derive.changes_between(self.dataset, start, end)

    def briefing_link(self, briefing) -> str:
        return self.url(page_url(f"briefings/{briefing.id}.md"))

    def period(self, start, end) -> str:
        return self.t("briefing.period", start=self.day(start), end=self.day(end))

    def published(self, source: Source) -> str:
        if source.published is None:
            return self.t("sources.date_not_given")
        return self.lang.fuzzy_date(source.published)

    def reported(self, when) -> str:
        """A report's date, or that no report gives one."""
        return self.lang.fuzzy_date(when) if when else self.t("sources.date_not_given")

    def accessed(self, source: Source) -> str:
        from generator.models import FuzzyDate

        return self.lang.fuzzy_date(FuzzyDate(source.accessed, "day")) if source.accessed else ""

    def language_name(self, code: str) -> str:
        from babel import Locale

        try:
            return Locale.parse(code).get_display_name(self.lang.babel_locale) or code
        except Exception:  # an unknown code is shown as it was written
            return code


def render_page(
    env: Environment,
    page: Page,
    dataset: Dataset,
    lang: Language,
    prose: dict[str, str],
    charts: dict | None = None,
    cards: dict | None = None,
) -> str:
    """A page's Markdown; `cards` keeps the cards rendered for the other pages of a run."""
    template = env.get_template(page.template)
    macros = env.get_template("macros.j2").module
    view = View(dataset, lang, page, charts or {}, macros, {} if cards is None else cards)
    return template.render(v=view, page=page, lang=lang, prose=prose, **page.context)


def render_stylesheet(env: Environment, dataset: Dataset) -> str:
    return env.get_template("taxonomy.css.j2").render(dataset=dataset)


def render_map_stylesheet(env: Environment, charts: dict) -> str:
    """The maps' stylesheet: where each base's link or marker goes (map.css.j2), from the
    charts of every language by language and key."""
    return env.get_template("map.css.j2").render(charts=charts)
