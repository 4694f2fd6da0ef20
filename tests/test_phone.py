"""A reader on a phone (390 x 844 CSS pixels) and a slow connection, in both languages: every
kind of page fits the screen (wide tables scroll in their own box), no word is broken
inside, every request succeeds, axe-core finds nothing serious, and a first visit to the
overview or a base page transfers at most 350 KB. Each page is loaded once, with an empty
cache, and the tests below read what that visit found."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field

import pytest

from tests.conftest import ROOT
from tests.sitecheck import serious_accessibility_violations, serve, transferred_bytes
from tests.test_browser import browser  # noqa: F401  (the shared browser fixture)

WEBFONTS = ROOT / "docs" / "assets" / "fonts" / "webfonts.py"
PHONE = {"width": 390, "height": 844}
TRANSFER_BUDGET = 350 * 1024  # compressed, for a first visit
# a page of every kind; {period} is the newest chronology page (a year or a month), {briefing}
# the newest briefing
PAGES = {
    "overview": "",
    "bases": "bases/",
    "base": "bases/qasrak/",
    "chronology": "chronology/",
    "period": "chronology/{period}/",
    "sources": "sources/",
    "methodology": "methodology/",
    "data": "data/",
    "corrections": "corrections/",
    "briefings": "briefings/",
    "briefing": "briefings/{briefing}/",
    "search": "search/",
}
LANGUAGES = {"en": "", "ar": "ar/"}
CASES = [(lang, kind) for lang in LANGUAGES for kind in PAGES]

# Elements of the article that stick out of the screen, unless a box around them scrolls.
OUTSIDE_THE_SCREEN = """() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  if (document.documentElement.scrollWidth > width)
    found.push(`the page is ${document.documentElement.scrollWidth}px wide`);
  const scrolls = el => {
    for (let box = el.parentElement; box; box = box.parentElement)
      if (/auto|scroll/.test(getComputedStyle(box).overflowX)) return true;
    return false;
  };
  for (const el of document.querySelectorAll('.md-content *')) {
    const r = el.getBoundingClientRect();
    if (r.width && (r.left < -1 || r.right > width + 1) && !scrolls(el))
      found.push(`${el.tagName.toLowerCase()}.${el.className} from ${r.left}px to ${r.right}px`);
  }
  return found.slice(0, 5);
}"""

# Words drawn on two lines. A line may break at spaces, hyphens, dashes and slashes, and
# anywhere in a web address; anywhere else in a word it is a broken word (and in Arabic,
# letters that lose their joining).
BROKEN_WORDS = """() => {
  const found = [], range = document.createRange();
  const walker = document.createTreeWalker(document.querySelector('.md-content'),
                                           NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (el.closest('code, pre, a.bf-external, .bf-source dd a') || !el.getClientRects().length)
      continue;
    for (const word of node.data.matchAll(/[^\\s\\-‐‑–—\\/]+/gu)) {
      range.setStart(node, word.index);
      range.setEnd(node, word.index + word[0].length);
      const tops = [...range.getClientRects()].map(r => r.top);
      if (Math.max(...tops) - Math.min(...tops) > 8) found.push(word[0]);
    }
  }
  return found;
}"""


@dataclass
class Visit:
    """What a first visit to a page found."""

    failures: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    outside_the_screen: list[str] = field(default_factory=list)
    broken_words: list[str] = field(default_factory=list)
    accessibility: list[str] = field(default_factory=list)


def record(visit: Visit, response) -> None:
    if response.status >= 400:
        visit.failures.append(f"{response.url}: {response.status}")
    elif response.ok:
        visit.urls.append(response.url)


@pytest.fixture(scope="module")
def visits(browser, built_site) -> dict[tuple[str, str], Visit]:  # noqa: F811
    """Every page of CASES loaded once at a phone's size, each with an empty cache. The pages
    load side by side (their waits for the network to go quiet overlap), then are examined."""
    period = max(p.name for p in (built_site / "chronology").iterdir() if p.is_dir())
    briefing = max(p.name for p in (built_site / "briefings").iterdir() if p.is_dir())
    found: dict[tuple[str, str], Visit] = {}
    with serve(built_site) as root:
        opened = []
        for lang, kind in CASES:
            context = browser.new_context(viewport=PHONE)
            page = context.new_page()
            visit = found[(lang, kind)] = Visit()
            page.on("requestfailed", lambda r, v=visit: v.failures.append(f"{r.url}: {r.failure}"))
            page.on("response", lambda r, v=visit: record(v, r))
            url = root + LANGUAGES[lang] + PAGES[kind].format(period=period, briefing=briefing)
            page.goto(url, wait_until="commit")
            opened.append((visit, context, page))
        for visit, context, page in opened:
            page.wait_for_load_state("networkidle")
            page.evaluate("document.fonts.ready.then(() => true)")
            visit.outside_the_screen = page.evaluate(OUTSIDE_THE_SCREEN)
            visit.broken_words = page.evaluate(BROKEN_WORDS)
            visit.accessibility = serious_accessibility_violations(page)
            context.close()
    return found


@pytest.mark.parametrize("lang, kind", CASES)
def test_nothing_sticks_out_of_a_phone_screen(visits, lang, kind):
    assert visits[lang, kind].outside_the_screen == []


@pytest.mark.parametrize("lang, kind", CASES)
def test_no_word_is_broken_inside(visits, lang, kind):
    assert visits[lang, kind].broken_words == []


@pytest.mark.parametrize("lang, kind", CASES)
def test_every_request_succeeds(visits, lang, kind):
    assert visits[lang, kind].failures == []


@pytest.mark.parametrize("lang, kind", CASES)
def test_no_serious_accessibility_violations_on_a_phone(visits, lang, kind):
    assert visits[lang, kind].accessibility == []


@pytest.mark.parametrize(
    "lang, kind", [(lang, k) for lang in LANGUAGES for k in ("overview", "base")]
)
def test_a_first_visit_transfers_at_most_350_kb(visits, built_site, lang, kind):
    urls = visits[lang, kind].urls
    sizes = {url: transferred_bytes(built_site, url) for url in urls}
    assert sum(sizes.values()) <= TRANSFER_BUDGET, sorted(sizes.items(), key=lambda s: -s[1])
    assert not [url for url in urls if url.endswith(".ttf")]  # the web fonts are WOFF2 subsets


def test_the_web_fonts_are_those_the_script_makes_from_the_ttfs():
    """docs/assets/fonts/webfonts.py makes them: `make webfonts` after changing a TTF."""
    check = subprocess.run(
        [sys.executable, WEBFONTS, "--check"], capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stderr


def test_the_site_ships_no_ttf(built_site):
    """The TTFs are for the PDFs and charts, which read them from the repository."""
    assert sorted(p.name for p in built_site.rglob("*.ttf")) == []
