"""What a reader sees: the built site in a real headless Chromium (driven by Playwright)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import sync_playwright

from tests.sitecheck import BROWSER_ARGS, find_browser, serve


@pytest.fixture(scope="module")
def browser():
    executable = find_browser()
    assert executable, (
        "no headless browser: run `make test` (it installs chromium) or set BRIEFING_BROWSER"
    )
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=BROWSER_ARGS)
        yield instance
        instance.close()


def test_arabic_base_page_reads_right_to_left_with_its_arabic_name(browser, built_site):
    with serve(built_site) as root:
        page = browser.new_page()
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.goto(root + "ar/bases/qasrak/")
        assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
        assert (
            page.evaluate("getComputedStyle(document.querySelector('.bf-event')).direction")
            == "rtl"
        )
        assert "قسرك" in page.locator("h1").inner_text()
        assert page.locator("html").get_attribute("lang") == "ar"
        page.wait_for_load_state("networkidle")
        assert {urlsplit(url).hostname for url in requests} == {"127.0.0.1"}
        page.close()


def test_language_switch_in_the_browser_leads_to_the_same_base(browser, built_site):
    with serve(built_site) as root:
        page = browser.new_page()
        page.goto(root + "bases/qasrak/")
        page.locator(".md-header .md-select").first.hover()
        page.locator('.md-header a[hreflang="ar"]').first.click()
        page.wait_for_url(root + "ar/bases/qasrak/")
        assert "قسرك" in page.locator("h1").inner_text()
        page.close()


RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
  e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
"""


# the Search pages run a search (given by ?q=): Pagefind's WebAssembly under their policy
@pytest.mark.parametrize(
    "path",
    ["", "ar/", "ar/bases/qasrak/", "bases/qasrak/", "search/?q=Qasrak", "ar/search/?q=قسرك"],
)
def test_pages_work_under_the_content_security_policy(browser, built_site, path):
    with serve(built_site) as root:
        page = browser.new_page()
        messages: list[str] = []
        page.on("console", lambda message: messages.append(message.text))
        page.add_init_script(RECORD_VIOLATIONS)
        page.goto(root + path)
        assert page.locator('meta[http-equiv="Content-Security-Policy"]').count() == 1
        if "search/" in path:
            page.wait_for_selector("#bf-search-results li", timeout=15000)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__violations") == []
        assert not [m for m in messages if "Content Security Policy" in m], messages
        page.close()


def test_arabic_is_never_slanted_and_its_quotation_marks_face_outwards(browser, built_site):
    """Arabic has no italics (a browser would slant the letters), and quotation marks are
    guillemets, which a right-to-left line draws pointing outwards: «…»."""
    with serve(built_site) as root:
        page = browser.new_page()
        page.goto(root + "ar/sources/")
        slant = page.evaluate(
            "[...document.querySelectorAll('cite:lang(ar)')].map(c => getComputedStyle(c).fontStyle)"
        )
        assert slant and set(slant) == {"normal"}
        page.goto(root + "ar/data/")
        quotes = page.evaluate("getComputedStyle(document.querySelector('q')).quotes")
        assert quotes == '"«" "»" "‹" "›"'
        page.close()
