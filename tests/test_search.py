"""Search on the built real site, in a real browser: the Search page (a tab of every page)
finds pages in English and in Arabic and links to them, and a reader who does not search
downloads no part of the search index (generator/search_index.py, Pagefind)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.sitecheck import parse, serve
from tests.test_browser import browser  # noqa: F401  (the shared browser fixture)

SEARCHES = {  # language prefix: (words, the page that must be among the results)
    "": ("Qasrak", "/bases/qasrak/"),
    "ar/": ("قسرك", "/ar/bases/qasrak/"),
}


def results(page) -> list[str]:
    page.wait_for_selector("#bf-search-results li", timeout=15000)
    return [a.get_attribute("href") for a in page.locator("#bf-search-results a").all()]


@pytest.mark.parametrize("lang", SEARCHES)
def test_a_search_finds_the_page_in_the_pages_language(browser, built_site, lang):  # noqa: F811
    words, expected = SEARCHES[lang]
    with serve(built_site) as root:
        page = browser.new_page()
        page.goto(root + lang + "search/")
        page.fill("#bf-search-query", words)
        page.keyboard.press("Enter")
        found = [urlsplit(href) for href in results(page)]
        assert expected in [url.path for url in found]
        if lang:  # Arabic results are Arabic pages
            assert all(url.path.startswith("/ar/") for url in found)
        else:
            assert not [url for url in found if url.path.startswith("/ar/")]
        for url in found:  # every result is a page of the site, and its anchor is on it
            html = built_site / url.path.lstrip("/") / "index.html"
            assert html.is_file(), url
            assert not url.fragment or url.fragment in parse(html).ids, url
        page.click(f'#bf-search-results a[href$="{expected}"]')
        page.wait_for_url(root.rstrip("/") + expected)
        page.close()


@pytest.mark.parametrize("path", ["", "bases/qasrak/", "ar/", "ar/bases/qasrak/"])
def test_a_visit_without_a_search_fetches_no_search_index(browser, built_site, path):  # noqa: F811
    with serve(built_site) as root:
        page = browser.new_page()
        requests: list[str] = []
        page.on("request", lambda request: requests.append(urlsplit(request.url).path))
        page.goto(root + path)
        page.wait_for_load_state("networkidle")
        assert [p for p in requests if "pagefind" in p or "search" in p] == []
        assert len(requests) > 5  # the page, its styles, fonts and scripts were seen
        page.close()


@pytest.mark.parametrize("lang, label", [("", "Search"), ("ar/", "بحث")])
def test_every_page_leads_to_search_in_its_language(built_site, lang, label):
    for path in ("index.html", "bases/qasrak/index.html", "sources/index.html"):
        links = [
            a.attrs["href"]
            for a in parse(built_site / lang / path).find("a")
            if a.attrs.get("href", "").endswith("search/")
        ]
        assert links, path
    assert label in parse(built_site / lang / "search/index.html").text


def test_only_the_search_page_may_run_webassembly(built_site):
    pages = {p.relative_to(built_site).as_posix() for p in built_site.rglob("index.html")}
    wasm = {p for p in pages if "'wasm-unsafe-eval'" in (built_site / p).read_text("utf-8")}
    assert wasm == {"search/index.html", "ar/search/index.html"}


def test_only_what_the_search_page_loads_is_published(built_site):
    """Pagefind also writes ready-made interfaces the site does not use: they are left out."""
    published = {p.name for p in (built_site / "pagefind").iterdir() if p.is_file()}
    assert "pagefind.js" in published and "pagefind-entry.json" in published
    assert not {name for name in published if "-ui." in name or "highlight" in name}, published
