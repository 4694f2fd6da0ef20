"""The pipeline: validate -> plan -> render pages -> write if changed -> MkDocs -> site/.

`generate` needs no MkDocs: it turns a data directory into a complete MkDocs docs tree.
`build_site` runs a strict MkDocs build into a temporary directory and moves it into place
only when everything succeeded, so a failed build leaves the previous site untouched. It
draws the charts the cache lacks while MkDocs builds (MkDocs only copies them), and puts
them in place, in the site and the staging tree, once both are done.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from pathlib import Path
from time import perf_counter

from generator.cache import KeyedStore, LookupStore, cache_root, digest
from generator.charts import Chart, ChartToDraw, draw_charts, render_charts
from generator.derive import information_cutoff
from generator.errors import DataError, Problem
from generator.exports import write_exports
from generator.feeds import write_feeds
from generator.i18n import LANGUAGES
from generator.models import Dataset
from generator.pages import Page, plan_pages
from generator.render import (
    Environment,
    Fragments,
    fragments_version,
    make_environment,
    page_key,
    render_page,
    render_stylesheet,
)
from generator.validate import load_dataset
from generator.workers import (
    can_fork,
    cycle_collector_paused,
    fork_context,
    in_child,
    map_slices,
)
from generator.write import file_stamp, remove_stale, replace_directory, write_if_changed

ROOT = Path(__file__).parent.parent
DOCS_DIR = ROOT / "docs"
DEFAULT_STAGING = ROOT / ".cache" / "docs"
CONFIG_FILE = ROOT / "mkdocs.yml"


@dataclass
class GenerateReport:
    dataset: Dataset
    warnings: list[Problem]
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    rendered: list[str] = field(default_factory=list)  # pages rendered (written or not)
    total: int = 0
    charts: dict[str, dict[str, Chart]] = field(default_factory=dict)


def localized(path: str, lang: str) -> str:
    """'bases/qasrak.md' -> 'bases/qasrak.ar.md' (mkdocs-static-i18n's suffix layout)."""
    return f"{path.removesuffix('.md')}.{lang}.md"


def validated(data_dir: Path, cache_dir: Path | None = None) -> tuple[Dataset, list[Problem]]:
    dataset, problems = load_dataset(data_dir, cache_dir=cache_dir)
    if dataset is None:
        raise DataError(problems)
    return dataset, problems


def generate(
    data_dir: Path,
    staging: Path = DEFAULT_STAGING,
    docs_dir: Path = DOCS_DIR,
    cache_dir: Path | None = None,
    charts_later: list[ChartToDraw] | None = None,
) -> GenerateReport:
    """Write the MkDocs docs tree for `data_dir` into `staging`; only changed files are touched.

    `cache_dir` (default: cache_root()) keeps parsed records, cards and charts between runs.
    With `charts_later`, the charts that must be drawn are added to it instead of drawn, and
    `staging` keeps its previous drawing (if any) at their paths: build_site puts the new
    ones there once draw_charts has drawn them and MkDocs has built. Until then, or after a
    build that failed, the staged pages can show older charts.

    The cycle collector is paused throughout, except while charts are drawn: loading the
    caches and rendering pages make millions of objects and few cycles, and its passes over
    them were a twelfth of a run after one edit.
    """
    with cycle_collector_paused():
        return _generate(data_dir, staging, docs_dir, cache_dir, charts_later)


def _generate(
    data_dir: Path,
    staging: Path,
    docs_dir: Path,
    cache_dir: Path | None,
    charts_later: list[ChartToDraw] | None,
) -> GenerateReport:
    cache_dir = cache_dir or cache_root()
    dataset, problems = validated(data_dir, cache_dir)
    env = make_environment()
    for older in cache_dir.glob("cards*.pickle"):  # cards as an earlier version kept them
        older.unlink(missing_ok=True)
    fragments = Fragments(env, LookupStore(cache_dir / "cards.sqlite", fragments_version()))
    prose = {
        code: (docs_dir / f"methodology.{code}.md").read_text(encoding="utf-8")
        for code in LANGUAGES
    }
    staging.mkdir(parents=True, exist_ok=True)
    charts = {
        code: render_charts(
            dataset, code, staging, cache_dir=cache_dir / "charts", later=charts_later
        )
        for code in LANGUAGES
    }
    report = GenerateReport(dataset, problems, total=0, charts=charts)
    outputs: list[str] = []

    def output(rel: str, content: str | bytes) -> None:
        """Written as soon as it is made: a large record's pages are not all held at once."""
        outputs.append(rel)
        if write_if_changed(staging / rel, content):
            report.written.append(rel)

    pages = [(page, code) for page in plan_pages(dataset) for code in LANGUAGES]
    made = KeyedStore(cache_dir / f"pages-{digest(str(staging.resolve()))[:12]}.pickle", "1")
    job = _PageJob(env, dataset, prose, charts, fragments, staging, pages)
    results = _render_pages(job, made)
    report.rendered = [results[i][0] for i in job.todo]
    for rel, written in results:
        outputs.append(rel)
        if written:
            report.written.append(rel)
    made.save()
    # cards of the pages left alone were not asked for, yet are still current
    fragments.store.save(drop_unused=len(job.todo) == len(pages))
    output("assets/stylesheets/taxonomy.css", render_stylesheet(env, dataset))
    for asset in sorted((docs_dir / "assets").rglob("*")):
        if asset.is_file() and asset.suffix != ".md":
            output(asset.relative_to(docs_dir).as_posix(), asset.read_bytes())
    report.total = len(outputs)
    keep = {staging / rel for rel in outputs}
    keep |= {staging / chart.path for by_key in charts.values() for chart in by_key.values()}
    report.removed = [p.relative_to(staging).as_posix() for p in remove_stale(staging, keep)]
    return report


PARALLEL_PAGES_OVER = 2000  # events: below this, starting worker processes costs more than it saves


@dataclass
class _PageJob:
    """What rendering the pages needs; forked workers inherit it instead of unpickling it."""

    env: Environment
    dataset: Dataset
    prose: dict[str, str]
    charts: dict[str, dict[str, Chart]]
    fragments: Fragments
    staging: Path
    pages: list[tuple[Page, str]]  # (page, language code), in the order of the report
    todo: list[int] = field(default_factory=list)  # the pages to render, by index in `pages`


def _render_pages(job: _PageJob, made: KeyedStore) -> list[tuple[str, bool]]:
    """Render and write the pages that need it; return (path, written?) for every page, in
    `job.pages` order.

    `made` remembers, for each output, the key of the inputs it was made from (render.page_key)
    and the size and modification time it was left with: a page whose key and file are both
    unchanged is not rendered again. Many pages to render are shared among forked workers
    (one per core); each writes its own pages and sends back only the cards it rendered,
    which join the parent's card store.
    """
    results: list = [None] * len(job.pages)
    keys: dict[int, str | None] = {}
    for i, (page, code) in enumerate(job.pages):
        rel = localized(page.path, code)
        keys[i] = page_key(page, job.dataset, code, job.charts[code])
        if keys[i] is not None and made.get(rel) == (keys[i], *file_stamp(job.staging / rel)):
            results[i] = (rel, False)
        else:
            job.todo.append(i)
    share = len(job.todo) / max(1, len(job.pages))  # of a render of every page
    events = share * len(job.dataset.events)
    jobs = min(os.cpu_count() or 1, int(2 * events) // PARALLEL_PAGES_OVER)
    if jobs <= 1 or not can_fork():  # the one slice of map_slices, without the bookkeeping
        for i in job.todo:
            results[i] = _render_one(job, i)
    else:
        store = job.fragments.store
        store.ready_for_fork()
        for indexes, (written, cards, used) in map_slices(_render_slice, job, len(job.todo), jobs):
            for n, result in zip(indexes, written):
                results[job.todo[n]] = result
            for key, text in cards.items():
                store.put(key, text)
            store.used |= used
    for i in job.todo:
        rel = results[i][0]
        if keys[i] is not None:
            made.put(rel, (keys[i], *file_stamp(job.staging / rel)))
    return results


def _render_one(job: _PageJob, index: int) -> tuple[str, bool]:
    page, code = job.pages[index]
    text = render_page(
        job.env, page, job.dataset, LANGUAGES[code], job.prose, job.charts[code], job.fragments
    )
    rel = localized(page.path, code)
    return rel, write_if_changed(job.staging / rel, text)


def _render_slice(
    job: _PageJob, indexes: range
) -> tuple[list[tuple[str, bool]], dict[str, str], set[str]]:
    """In a worker: its share of the pages to render (`indexes` into `job.todo`), and the
    cards it rendered or reused, for the parent's store."""
    store = job.fragments.store
    added_before, used_before = set(store.added), set(store.used)
    written = [_render_one(job, job.todo[n]) for n in indexes]
    fresh = {key: text for key, text in store.added.items() if key not in added_before}
    return written, fresh, store.used - used_before


@contextlib.contextmanager
def _environment(**values: str) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def source_date_epoch(dataset: Dataset) -> str:
    """The build date MkDocs writes (sitemap lastmod): from the data, not the clock.

    An explicit SOURCE_DATE_EPOCH in the environment wins; otherwise the information cutoff.
    """
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return os.environ["SOURCE_DATE_EPOCH"]
    cutoff = information_cutoff(dataset)
    moment = (
        datetime.combine(cutoff, time(), tzinfo=UTC) if cutoff else datetime(2000, 1, 1, tzinfo=UTC)
    )
    return str(int(moment.timestamp()))


def render_pdfs(
    dataset: Dataset, staging: Path, out_dir: Path, jobs: int | None = None
) -> tuple[list[Path], int]:
    """Every PDF briefing, with the charts (from the cache) as vector images; briefings whose
    content did not change are not laid out again. Returns the paths and how many were laid out."""
    from generator.pdf import chart_figures, render_all_briefings_report

    cache_dir = cache_root()
    charts = {
        code: chart_figures(
            staging, render_charts(dataset, code, staging, cache_dir=cache_dir / "charts")
        )
        for code in LANGUAGES
    }
    return render_all_briefings_report(
        dataset, out_dir, charts=charts, jobs=jobs, cache_dir=cache_dir / "pdf"
    )


@dataclass
class BuildTimes:
    """Wall seconds of a build's steps, so a maintainer sees where a slow build went.

    `finishing` is what the build waited after MkDocs: the charts, exports and feeds made
    beside it when they took longer, and moving them into the site."""

    generate: float = 0.0
    mkdocs: float = 0.0
    finishing: float = 0.0
    pdfs: float | None = None  # None: not made

    def __str__(self) -> str:
        said = (
            f"generate {self.generate:.1f} s, MkDocs {self.mkdocs:.1f} s (charts, exports and "
            f"feeds made beside it), finishing {self.finishing:.1f} s"
        )
        return said if self.pdfs is None else f"{said}, PDFs {self.pdfs:.1f} s"


def build_site(
    data_dir: Path,
    out_dir: Path,
    staging: Path = DEFAULT_STAGING,
    config_file: Path = CONFIG_FILE,
    pdf: bool = True,
) -> BuildTimes:
    """Validate, generate and build the whole site (and its PDFs) into `out_dir`, atomically."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    with _environment(NO_MKDOCS_2_WARNING="1"):
        docs_dir = Path(load_config(str(config_file)).docs_dir)
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    for leftover in out_dir.parent.glob(f".{out_dir.name}-*"):  # from a build that was killed
        shutil.rmtree(leftover, ignore_errors=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    times = BuildTimes()
    try:
        start = perf_counter()
        # Generated here, once (it validates before writing anything), and in a process of
        # its own: MkDocs then runs in a process that holds none of the generator's memory.
        # The hooks only point MkDocs at the staging tree instead of loading the records a
        # second time. The charts to draw are drawn while MkDocs builds: MkDocs only copies
        # them, and it keeps one core busy while drawing would use both.
        todo = work / "charts-to-draw.pickle"
        epoch = in_child(_generate_for_site, data_dir, staging, docs_dir, todo, quiet=(DataError,))
        times.generate, start = perf_counter() - start, perf_counter()
        with _environment(
            # spelled as given: the records cache is keyed by the path in messages, and a
            # second spelling would evict the first (MkDocs does not change the directory)
            BRIEFING_DATA=str(data_dir),
            BRIEFING_STAGING=str(staging.resolve()),
            BRIEFING_GENERATED=str(staging.resolve()),
            NO_MKDOCS_2_WARNING="1",
            SOURCE_DATE_EPOCH=epoch,
        ):
            config = load_config(str(config_file), site_dir=str(work / "site"), strict=True)
            # the exports and feeds need only the data: written on the other core meanwhile
            with (
                _alongside(_write_exports_and_feeds, data_dir, work / "extras", config.site_url),
                _alongside(_draw_charts_for_site, todo, work / "charts"),
            ):
                build(config)
                times.mkdocs, start = perf_counter() - start, perf_counter()
        _move_into(work / "extras", work / "site")
        for chart in sorted((work / "charts").rglob("*.svg")):  # over what MkDocs copied
            rel = chart.relative_to(work / "charts")
            write_if_changed(staging / rel, chart.read_bytes())
            (work / "site" / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(chart, work / "site" / rel)
        times.finishing, start = perf_counter() - start, perf_counter()
        if pdf:
            in_child(_render_pdfs_for_site, data_dir, staging, work / "site" / "pdf")
            times.pdfs = perf_counter() - start
        replace_directory(work / "site", out_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return times


def _generate_for_site(data_dir: Path, staging: Path, docs_dir: Path, todo: Path) -> str:
    """Generate, leaving the charts to draw in `todo`, and tell the date MkDocs should write
    (see source_date_epoch)."""
    later: list[ChartToDraw] = []
    report = generate(data_dir, staging, docs_dir, charts_later=later)
    todo.write_bytes(pickle.dumps(later, protocol=pickle.HIGHEST_PROTOCOL))
    return source_date_epoch(report.dataset)


def _draw_charts_for_site(todo: Path, out_dir: Path) -> None:
    draw_charts(pickle.loads(todo.read_bytes()), out_dir, cache_root() / "charts")


def _write_exports_and_feeds(data_dir: Path, site: Path, site_url: str | None) -> None:
    dataset, _ = validated(data_dir, cache_root())  # from the records generate just cached
    write_exports(dataset, site / "data")
    write_feeds(dataset, site, site_url or "/")


def _render_pdfs_for_site(data_dir: Path, staging: Path, out_dir: Path) -> None:
    render_pdfs(validated(data_dir, cache_root())[0], staging, out_dir)


@contextlib.contextmanager
def _alongside(task, *args) -> Iterator[None]:
    """Run task(*args) in a forked process while the body runs; fail if either failed.

    Without fork, or inside a threaded process, the task runs after the body instead."""
    if not can_fork():
        yield
        task(*args)
        return
    worker = fork_context().Process(target=task, args=args)
    worker.start()
    try:
        yield
    finally:
        worker.join()
    if worker.exitcode != 0:
        raise RuntimeError(f"{task.__name__} failed in its worker process (see its error above)")


def _move_into(source: Path, target: Path) -> None:
    """Move every file under `source` to the same place under `target`."""
    for path in sorted(source.rglob("*")):
        if path.is_file():
            destination = target / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, destination)
