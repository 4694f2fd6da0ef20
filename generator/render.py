"""Render planned pages to Markdown with Jinja2: the only module that imports Jinja.

Templates produce HTML blocks inside Markdown: data text is escaped by Jinja's autoescape
and sits in raw HTML, where Markdown syntax is not interpreted, so a summary holding
`<script>`, `[link](javascript:...)` or `{{ }}` is shown as the literal text it is.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from jinja2 import (
    BytecodeCache,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    select_autoescape,
)
from markupsafe import Markup, escape

from generator import derive
from generator.cache import LookupStore, cache_root, digest, files_digest
from generator.i18n import LANGUAGES, Language
from generator.inputs import addresses_digest, event_inputs, source_digests
from generator.models import Claim, Dataset, Event, Source, Text
from generator.pages import Page, base_url, event_url, page_url, relative_url, source_url

TEMPLATE_DIR = Path(__file__).parent.parent / "templates"
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


def markdown_escape(text: str) -> Markup:
    """Text safe to place in a Markdown heading: nothing in it becomes markup."""
    escaped = MARKDOWN_SPECIAL.sub(r"\\\1", str(text))
    return Markup(escaped.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def compiled_templates_cache() -> BytecodeCache | None:
    """Templates compiled once and kept under the build cache: compiling them again in every
    run (and every rebuild of `make serve`) cost more than rendering a small site."""
    directory = cache_root() / "templates"
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:  # a read-only cache: compile every time
        return None
    return FileSystemBytecodeCache(str(directory))


def make_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        bytecode_cache=compiled_templates_cache(),
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
    fragments: Fragments | None = None  # rendered cards kept between pages and runs

    # -- cards shared by several pages --------------------------------------------------
    @property
    def _fragments(self) -> Fragments:
        """The cards' renderer: a view made without one gets its own, made once."""
        if self.fragments is None:
            self.fragments = Fragments(make_environment())
        return self.fragments

    def card(self, event: Event) -> Markup:
        """An event's card, as on base pages, chronology pages and the overview."""
        return self._fragments.event_card(self, event)

    def source_card(self, source_id: str) -> Markup:
        return self._fragments.source_card(self, source_id)

    def figure_rows(self, event: Event) -> Markup:
        """The rows of an event in a base's table of figures."""
        return self._fragments.figure_rows(self, event)

    def chart_block(self, key: str) -> Markup:
        """A chart with its alt text and its numbers as a table (nothing if there is none)."""
        return self._fragments.chart_block(self, key)

    # -- language ---------------------------------------------------------------------
    @property
    def code(self) -> str:
        return self.lang.code

    def t(self, key: str, **values: object) -> str:
        return self.lang.t(key, **values)

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
            f'<a href="{escape(self.url(base_url(base_id)))}">{self.lang.isolate(base.name.get(self.code))}</a>'
        )

    def event_link(self, event: Event) -> str:
        return self.url(event_url(self.dataset, event))

    def event_by_id(self, event_id: str) -> Event:
        return self.dataset.event(event_id)

    def source_link(self, source_id: str) -> str:
        return self.url(source_url(source_id))

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
        """'about 25 trucks (SOHR)', the source linked to the sources page."""
        phrase = self.quantity_phrase(claim.quantity, claim.low, claim.high, claim.qualifier)
        source = self.dataset.sources[claim.source]
        return Markup(
            f'<span class="bf-claim">{self.lang.isolate(phrase)} '
            f'(<a href="{escape(self.source_link(source.id))}">{self.lang.isolate(self.source_name(source))}</a>)</span>'
        )

    def source_name(self, source: Source) -> str:
        """Publisher and date: tells apart several reports of one (or an unnamed) outlet."""
        return (
            f"{source.publisher.get(self.code)}{self.t('list.separator')}{self.published(source)}"
        )

    def figure_range(self, summary) -> str:
        """The span of all claims; a single claim keeps its own qualifier ('more than 20')."""
        qualifier = "exact" if summary.conflicting else summary.claims[0].qualifier
        return self.quantity_phrase(summary.quantity, summary.low, summary.high, qualifier)

    def figures(self, event: Event):
        return derive.figures_of(event)

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

    def origin(self, source: Source) -> Source:
        return self.dataset.sources[derive.origin_of(self.dataset.sources, source.id)]

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

    def published(self, source: Source) -> str:
        return self.lang.fuzzy_date(source.published)

    def accessed(self, source: Source) -> str:
        from generator.models import FuzzyDate

        return self.lang.fuzzy_date(FuzzyDate(source.accessed, "day")) if source.accessed else ""

    def language_name(self, code: str) -> str:
        from babel import Locale

        try:
            return Locale.parse(code).get_display_name(self.lang.babel_locale) or code
        except Exception:  # an unknown code is shown as it was written
            return code


class Fragments:
    """Event and source cards, rendered once per language and page depth, kept between runs.

    A card is the costly part of a page and shows the same on every page at the same depth
    (links are relative), so it is rendered against a stand-in page of that depth and reused.
    Its key holds everything it shows: the event's record, its sources (and the ones they
    relay), its bases, the taxonomy, its address and the code of the generator and templates.
    """

    def __init__(self, env: Environment, store: LookupStore | None = None):
        self.env = env
        self.store = store or LookupStore(None, "")
        self.macros = env.get_template("macros.j2").module
        # a card's key, by what it shows and where: the same card is on several pages
        self._keys: dict[tuple, str | None] = {}

    def _stand_in(self, v: View) -> View:
        depth = v.page.url.count("/")
        path = "/".join(["_"] * depth) + ".md" if depth else "index.md"
        return View(v.dataset, v.lang, Page(path, v.page.template), v.charts, self)

    def _cached(self, card: tuple, key_parts, render) -> Markup:
        """`card` names the card and the depth of its page, within this run; `key_parts()`
        gives everything it shows, hashed into the key it is kept under between runs."""
        key = self._keys.get(card, "")
        if key == "":
            parts = key_parts()
            # a record without a digest (not read from a file) is never cached
            key = digest(fragments_version(), *parts) if all(parts) else None
            self._keys[card] = key
        if key is None:
            return render()
        text = self.store.get(key)
        if text is None:
            text = str(render())
            self.store.put(key, text)
        return Markup(text)

    def _event_parts(self, v: View, event: Event) -> list[str]:
        dataset = v.dataset
        return [
            v.code,
            str(v.page.url.count("/")),
            event_url(dataset, event),
            dataset.taxonomy.digest,
            event_inputs(dataset, event),  # the event, its sources and bases
        ]

    def event_card(self, v: View, event: Event) -> Markup:
        return self._cached(
            ("event", event.id, v.code, v.page.url.count("/")),
            lambda: ["event", *self._event_parts(v, event)],
            lambda: self.macros.event_card(self._stand_in(v), event),
        )

    def figure_rows(self, v: View, event: Event) -> Markup:
        return self._cached(
            ("figure_rows", event.id, v.code, v.page.url.count("/")),
            lambda: ["figure_rows", *self._event_parts(v, event)],
            lambda: self.macros.figure_rows(self._stand_in(v), event),
        )

    def chart_block(self, v: View, key: str) -> Markup:
        chart = v.charts.get(key)
        if chart is None:
            return Markup("")
        depth = v.page.url.count("/")
        return self._cached(
            ("chart", key, v.code, depth),
            lambda: ["chart", v.code, str(depth), repr(chart)],
            lambda: self.macros.chart(self._stand_in(v), key),
        )

    def source_card(self, v: View, source_id: str) -> Markup:
        dataset = v.dataset
        depth = v.page.url.count("/")

        def key_parts() -> list[str]:
            citing = dataset.events_citing(source_id)
            return [
                "source",
                v.code,
                str(depth),
                dataset.taxonomy.digest,
                *(source_digests(dataset, [source_id])),
                *(f"{event_url(dataset, e)} {e.date} {e.end_date} {e.type}" for e in citing),
            ]

        return self._cached(
            ("source", source_id, v.code, depth),
            key_parts,
            lambda: self.macros.source_card(self._stand_in(v), source_id),
        )


# -- pages that need no rendering ------------------------------------------------------------
def page_key(page: Page, dataset: Dataset, lang: str, charts: dict) -> str | None:
    """A hash of everything the page shows, for the page kinds whose inputs are few and
    known (a base page, a chronology page, the sources page): when it is the one its file was
    made from, the page is not rendered again. None for pages made from the whole dataset
    (the overview, the indexes), which are rendered every time and cost little.

    It holds what the templates read for that kind (the records behind every card, the base,
    its charts, the event addresses) and the code of the generator and templates;
    tests/test_incremental.py checks that an incremental run writes what a clean one writes.
    """
    records = _page_records(dataset, page)
    if not records:
        return None
    parts = [fragments_version(), lang, page.path, page.template, records]
    if page.template == "base.md.j2":  # charts carry text in the page's language
        base_id = page.context["base_id"]
        parts += [repr(charts.get(f"base:{base_id}:{kind}")) for kind in ("activity", "figures")]
    return digest("page", *parts)


KEYED_TEMPLATES = ("base.md.j2", "chronology_year.md.j2", "sources.md.j2")


def _page_records(dataset: Dataset, page: Page) -> str:
    """The digest of the records a page shows, the same in both languages: made once per
    dataset and page. Empty for a page made from every record."""
    known = dataset.memo.setdefault("page records", {})
    if page.path in known:
        return known[page.path]
    parts = [page.template, dataset.taxonomy.digest, addresses_digest(dataset)]
    if page.template == "base.md.j2":
        base = dataset.bases[page.context["base_id"]]
        parts += [base.digest, *source_digests(dataset, base.sources)]
        parts += [event_inputs(dataset, e) for e in page.context["events"]]
    elif page.template == "chronology_year.md.j2":
        parts.append(repr((page.context["year"], page.context["month"])))
        for month, events in page.context["months"]:
            parts += [repr(month), *(event_inputs(dataset, e) for e in events)]
    elif page.template == "sources.md.j2":  # cards list the events citing them: when, what
        parts += [source.digest for source in dataset.sources.values()]
        parts += [
            f"{e.id} {e.date.value} {e.date.precision} {e.end_date} {e.type} {e.sources}"
            for e in dataset.events
        ]
    keyed = page.template in KEYED_TEMPLATES and all(parts)
    known[page.path] = digest("records", *parts) if keyed else ""
    return known[page.path]


@cache
def fragments_version() -> str:
    """The code that shapes a card: the generator, its templates and catalogs, and Babel."""
    from importlib.metadata import version

    code = [*Path(__file__).parent.glob("*.py"), *TEMPLATE_DIR.rglob("*")]
    return digest(version("babel"), version("jinja2"), files_digest(p for p in code if p.is_file()))


def render_page(
    env: Environment,
    page: Page,
    dataset: Dataset,
    lang: Language,
    prose: dict[str, str],
    charts: dict | None = None,
    fragments: Fragments | None = None,
) -> str:
    template = env.get_template(page.template)
    view = View(dataset, lang, page, charts or {}, fragments)
    return template.render(v=view, page=page, lang=lang, prose=prose, **page.context)


def render_stylesheet(env: Environment, dataset: Dataset) -> str:
    return env.get_template("taxonomy.css.j2").render(dataset=dataset)
