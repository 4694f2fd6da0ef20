"""The pipeline: load and validate -> plan and render pages and charts -> MkDocs -> site/.

`generate` needs no MkDocs: it turns a valid dataset into the complete MkDocs docs tree, in
memory. `build_site` loads the data once, writes that tree, has MkDocs build it, adds the
exports, feeds, search index and PDFs, and moves the result into place only when everything succeeded, so
a failed build leaves the previous site untouched.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time
from functools import partial
from pathlib import Path
from time import perf_counter

from generator.cache import OutputCache, cache_root
from generator.charts import (
    Chart,
    charts_by_language,
    draw_charts,
    plan_all_charts,
    plan_charts,
    print_texts,
    render_charts,
)
from generator.derive import information_cutoff
from generator.errors import DataError, Problem
from generator.exports import render_exports
from generator.feeds import render_feeds
from generator.i18n import LANGUAGES
from generator.models import Dataset
from generator.pages import event_page_path, plan_pages
from generator.parallel import meanwhile, parallel_map
from generator.render import (
    make_environment,
    render_map_stylesheet,
    render_page,
    render_stylesheet,
)
from generator.search_index import index_site
from generator.validate import Checked, load_dataset
from generator.write import move_tree, replace_directory, write_tree

ROOT = Path(__file__).parent.parent
DOCS_DIR = ROOT / "docs"
CONFIG_FILE = ROOT / "mkdocs.yml"
CACHED_KINDS = ("charts", "print", "pdf")
REPOSITORY_ENV = "BRIEFING_REPOSITORY_URL"
PARALLEL_EVENTS_OVER = 2000  # smaller records render faster than worker processes start


def localized(path: str, lang: str) -> str:
    """'bases/qasrak.md' -> 'bases/qasrak.ar.md' (mkdocs-static-i18n's suffix layout)."""
    return f"{path.removesuffix('.md')}.{lang}.md"


def validated(data_dir: Path, checked: Checked | None = None) -> tuple[Dataset, list[Problem]]:
    """The dataset and its warnings; DataError with every problem if there is an error."""
    dataset, problems = load_dataset(data_dir, checked=checked)
    if dataset is None:
        raise DataError(problems)
    return with_published_repository(dataset), problems


def with_published_repository(dataset: Dataset) -> Dataset:
    """The repository the site is published from, named by the deploy workflow in
    BRIEFING_REPOSITORY_URL, unless data/publisher.yaml names one itself: readers get a real
    place to report errors without anyone writing an address into the data by hand."""
    url = os.environ.get(REPOSITORY_ENV, "").strip()
    publisher = dataset.publisher
    if not url or publisher is None or publisher.repository:
        return dataset
    if not url.startswith("https://"):
        raise DataError(
            [Problem(REPOSITORY_ENV, 0, 0, "repository", f"{url!r} is not an https:// address")]
        )
    return replace(dataset, publisher=replace(publisher, repository=url))


@dataclass
class DocsTree:
    """The generated MkDocs docs tree: every file's bytes by its path (pages, charts, styles,
    assets), and the charts by language."""

    files: dict[str, str | bytes]
    charts: dict[str, dict[str, Chart]]


def generate(dataset: Dataset, cache: OutputCache, docs_dir: Path = DOCS_DIR) -> DocsTree:
    """Every page in both languages, the charts, the stylesheet and the hand-written assets."""
    charts, files = render_charts(dataset, cache)
    return DocsTree({**files, **generate_docs(dataset, charts, docs_dir)}, charts)


def generate_docs(
    dataset: Dataset, charts: dict[str, dict[str, Chart]], docs_dir: Path = DOCS_DIR
) -> dict[str, str | bytes]:
    """The docs tree without the charts' drawings: every page in both languages (which need
    only what charts_by_language gives), the stylesheets and the hand-written assets."""
    env = make_environment()
    prose = methodology_prose(docs_dir)
    pages = [(page, code) for page in plan_pages(dataset) for code in LANGUAGES]
    # large records are rendered by one worker per core, each given every other page
    shares = 1 if len(dataset.events) < PARALLEL_EVENTS_OVER else (os.cpu_count() or 1)
    rendered = parallel_map(
        partial(_render_pages, (dataset, prose, charts)), [pages[i::shares] for i in range(shares)]
    )
    files: dict[str, str | bytes] = {}
    for share, texts in zip(range(shares), rendered):
        for (page, code), text in zip(pages[share::shares], texts):
            files[localized(page.path, code)] = text
    files["assets/stylesheets/taxonomy.css"] = render_stylesheet(env, dataset)
    files["assets/stylesheets/map.css"] = render_map_stylesheet(env, charts)
    for asset in sorted((docs_dir / "assets").rglob("*")):
        if asset.is_file() and asset.suffix != ".md":
            files[asset.relative_to(docs_dir).as_posix()] = asset.read_bytes()
    return files


def generate_pages(
    dataset: Dataset, paths: set[str], docs_dir: Path = DOCS_DIR
) -> dict[str, bytes]:
    """Only the pages at `paths`, in both languages, with their charts planned but not drawn:
    the preview shows the pages a save touched before it regenerates everything."""
    pages = [
        (page, code) for page in plan_pages(dataset) if page.path in paths for code in LANGUAGES
    ]
    bases = {page.context["base_id"] for page, _ in pages if "base_id" in page.context}
    charts: dict[str, dict[str, Chart]] = {
        lang: {plan.chart.key: plan.chart for plan in plan_charts(dataset, lang, bases)}
        for lang in LANGUAGES
    }
    texts = _render_pages((dataset, methodology_prose(docs_dir), charts), pages)
    return {localized(page.path, code): text for (page, code), text in zip(pages, texts)}


def touched_pages(before: Dataset, after: Dataset) -> set[str]:
    """The pages showing the events and bases that changed between two datasets (added,
    edited or removed): the bases' pages and the events' chronology pages."""
    old = {event.id: event for event in before.events}
    new = {event.id: event for event in after.events}
    changed = [(after, e) for i, e in new.items() if old.get(i) != e]
    changed += [(before, e) for i, e in old.items() if i not in new]
    paths = {
        f"bases/{base_id}.md"
        for base_id in before.bases.keys() | after.bases.keys()
        if before.bases.get(base_id) != after.bases.get(base_id)
    }
    for dataset, event in changed:
        paths.update(f"bases/{base_id}.md" for base_id in event.bases)
        paths.add(event_page_path(dataset, event))
    return paths


def methodology_prose(docs_dir: Path) -> dict[str, str]:
    return {
        code: (docs_dir / f"methodology.{code}.md").read_text(encoding="utf-8")
        for code in LANGUAGES
    }


def _render_pages(inputs: tuple, pages: list) -> list[bytes]:
    """The pages as the UTF-8 files they become: half the memory of text holding Arabic."""
    dataset, prose, charts = inputs
    env, cards = make_environment(), {}
    return [
        render_page(env, page, dataset, LANGUAGES[code], prose, charts[code], cards).encode()
        for page, code in pages
    ]


def write_extras(dataset: Dataset, site: Path, site_url: str | None) -> None:
    """The data exports and Atom feeds, beside what MkDocs built."""
    write_tree(site / "data", render_exports(dataset), remove_others=False)
    write_tree(site, render_feeds(dataset, site_url or "/"), remove_others=False)


def build_date(dataset: Dataset) -> str:
    """The build date MkDocs writes (sitemap lastmod), as SOURCE_DATE_EPOCH: from the data,
    not the clock, so that the same data gives the same bytes. An explicit one wins."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return os.environ["SOURCE_DATE_EPOCH"]
    cutoff = information_cutoff(dataset)
    moment = (
        datetime.combine(cutoff, time(), tzinfo=UTC) if cutoff else datetime(2000, 1, 1, tzinfo=UTC)
    )
    return str(int(moment.timestamp()))


@dataclass
class BuildTimes:
    """Wall seconds of a build's steps, so a maintainer sees where a slow build went."""

    generate: float = 0.0  # the pages, while the charts are drawn
    mkdocs: float = 0.0  # with the exports and feeds written meanwhile
    search: float = 0.0  # the search index
    charts: float = 0.0  # waiting for the charts' drawings after all that
    pdfs: float | None = None  # None: not made

    def __str__(self) -> str:
        said = (
            f"generate {self.generate:.1f} s, MkDocs {self.mkdocs:.1f} s, "
            f"search index {self.search:.1f} s, charts {self.charts:.1f} s more"
        )
        return said if self.pdfs is None else f"{said}, PDFs {self.pdfs:.1f} s"


def build_site(
    data_dir: Path,
    out_dir: Path,
    config_file: Path = CONFIG_FILE,
    pdf: bool = True,
    cache: OutputCache | None = None,
) -> BuildTimes:
    """Validate, generate and build the whole site (and its PDFs) into `out_dir`, atomically."""
    from generator.mkdocs_hooks import build_html, load_site_config

    cache = cache or OutputCache(cache_root())
    times = BuildTimes()
    start = perf_counter()
    dataset, _ = validated(data_dir)
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    for leftover in out_dir.parent.glob(f".{out_dir.name}-*"):  # from a build that was killed
        shutil.rmtree(leftover, ignore_errors=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        docs, site, drawings = work / "docs", work / "site", work / "charts"
        plans = plan_all_charts(dataset)
        charts = charts_by_language(plans)
        # Pages need only the charts' plans: the drawings are made meanwhile, on whatever
        # core the pages, MkDocs (one core) and the search index leave, beside the site.
        with meanwhile(write_charts, plans, cache, drawings):
            write_tree(docs, generate_docs(dataset, charts))
            times.generate, start = perf_counter() - start, perf_counter()
            site_url = load_site_config(config_file, docs, site).site_url
            with meanwhile(write_extras, dataset, work / "extras", site_url):
                build_html(config_file, docs, site, build_date(dataset))
            move_tree(work / "extras", site)
            times.mkdocs, start = perf_counter() - start, perf_counter()
            index_site(site)
            times.search, start = perf_counter() - start, perf_counter()
        move_tree(drawings, site)
        times.charts, start = perf_counter() - start, perf_counter()
        if pdf:
            from generator.pdf import chart_figures, render_all_briefings  # slow to import

            texts = print_texts(plans, cache)
            figures = {code: chart_figures(site, charts[code], texts) for code in LANGUAGES}
            render_all_briefings(dataset, site / "pdf", charts=figures, cache=cache)
            times.pdfs = perf_counter() - start
        replace_directory(site, out_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    cache.prune(CACHED_KINDS)
    return times


def write_charts(plans: list, cache: OutputCache, out: Path) -> None:
    """The charts' drawings, as files under `out`."""
    import generator.drawing  # noqa: F401  (matplotlib, once, for the drawing workers to inherit)

    write_tree(out, draw_charts(plans, cache))


def render_pdfs(
    dataset: Dataset,
    out: Path,
    cache: OutputCache,
    only: tuple[str, str | None] | None = None,
    start: str | None = None,
    end: str | None = None,
) -> list[Path]:
    """Every PDF briefing into the folder `out`, or with `only` = (language, base id or None
    for all bases) that one briefing into the file `out`. Charts cover the whole record, so
    a briefing of a chosen period (`start`, `end`) has none."""
    from generator.pdf import chart_figures, render_all_briefings, render_briefing

    with tempfile.TemporaryDirectory(prefix="briefing-charts-") as chart_dir:
        charts = None
        if not (start or end):
            plans = plan_all_charts(dataset)
            write_tree(Path(chart_dir), draw_charts(plans, cache))
            by_lang, texts = charts_by_language(plans), print_texts(plans, cache)
            charts = {
                code: chart_figures(Path(chart_dir), by_lang[code], texts) for code in LANGUAGES
            }
        if only is None:
            return render_all_briefings(
                dataset, out, charts=charts, cache=cache, start=start, end=end
            )
        lang, base_id = only
        render_briefing(
            dataset,
            lang,
            out,
            base_id=base_id,
            start=start,
            end=end,
            charts=charts[lang] if charts else None,
        )
        return [out]
