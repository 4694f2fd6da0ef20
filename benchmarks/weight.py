"""What a reader downloads from a built site, measured in a headless browser (Chromium through
Playwright, as the browser tests do): a first visit to the overview in each language, the
first search on the Search page, and the largest HTML page. Transfers are what a server that
gzips text would send (tests/sitecheck.transferred_bytes) for every response the page got."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.sitecheck: the browser tests' server and measures

from tests.sitecheck import BROWSER_ARGS, find_browser, serve, transferred_bytes  # noqa: E402

LANGUAGES = {"en": "", "ar": "ar/"}
# a word of the synthetic data (benchmarks/synth.py) and of the real record, in each language
QUERIES = {"en": "convoy", "ar": "رتل"}


@dataclass
class Weights:
    first_visit: dict[str, int]  # language -> bytes, overview
    first_search: dict[str, int]  # language -> bytes fetched by a first search
    search_results: dict[str, int]  # language -> results shown
    largest_page: tuple[str, int]  # path, bytes (uncompressed HTML)


def largest_page(site: Path) -> tuple[str, int]:
    size, path = max(
        (p.stat().st_size, p.relative_to(site).as_posix()) for p in site.rglob("*.html")
    )
    return path, size


def measure(site: Path) -> Weights:
    """Raises RuntimeError when no headless browser is installed."""
    from playwright.sync_api import sync_playwright

    executable = find_browser()
    if not executable:
        raise RuntimeError("no headless browser (chromium): run `make test` once")
    weights = Weights({}, {}, {}, largest_page(site))
    with sync_playwright() as playwright, serve(site) as root:
        browser = playwright.chromium.launch(executable_path=executable, args=BROWSER_ARGS)
        for lang, prefix in LANGUAGES.items():
            seen: list[str] = []
            context = browser.new_context()  # an empty cache: a first visit
            page = context.new_page()
            page.on("response", lambda r, seen=seen: seen.append(r.url) if r.ok else None)
            page.goto(root + prefix)
            page.wait_for_load_state("networkidle")
            weights.first_visit[lang] = sum(transferred_bytes(site, url) for url in seen)
            page.goto(root + prefix + "search/")
            page.wait_for_load_state("networkidle")
            seen.clear()
            page.fill("#bf-search-query", QUERIES[lang])
            page.keyboard.press("Enter")
            # the Search page's script marks its results busy until it has shown them
            page.wait_for_selector("#bf-search-results[aria-busy=false]", timeout=60000)
            fetched = [url for url in seen if urlsplit(url).path.startswith("/pagefind/")]
            weights.first_search[lang] = sum(transferred_bytes(site, url) for url in fetched)
            weights.search_results[lang] = page.locator("#bf-search-results > li").count()
            context.close()
        browser.close()
    return weights
