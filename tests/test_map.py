"""The maps you can use, on the built real site in both languages: every located base on the
overview map is a link to its page, named by the base and its status, reachable by keyboard
with a visible focus ring and by touch, placed over its marker; phones get the narrow map,
whose text stays legible; a base page shows where the base is, or says why it cannot."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from generator import charts
from generator.derive import current_status
from tests.sitecheck import serve
from tests.test_browser import browser  # noqa: F401  (the shared browser fixture)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
LANGUAGES = {"en": "", "ar": "ar/"}
SMALLEST_MAP_TEXT = 12  # SVG px (9 pt): capitals, neighbours and legend (generator/drawing.py)

# Each map link: where it goes, where its centre is on the map picture (percent), its size.
PINS = """() => [...document.querySelectorAll('.bf-map__pin')].map(a => {
  const img = a.closest('.bf-map__frame').querySelector('img').getBoundingClientRect();
  const r = a.getBoundingClientRect();
  return {
    cls: a.className, href: a.href,
    x: 100 * (r.left + r.width / 2 - img.left) / img.width,
    y: 100 * (r.top + r.height / 2 - img.top) / img.height,
    size: Math.min(r.width, r.height),
  };
})"""


@pytest.fixture(scope="module")
def site(built_site):
    with serve(built_site) as root:
        yield root


def pins_of(real_dataset, key: str, lang: str) -> dict[str, charts.Pin]:
    plan = next(p for p in charts.plan_charts(real_dataset, lang) if p.chart.key == key)
    return {pin.base_id: pin for pin in plan.chart.pins}


def open_page(browser, url: str, viewport: dict, picture: str | None = None):  # noqa: F811
    """The page at `url`, with `picture` (a selector) scrolled into view and loaded: maps are
    loaded lazily."""
    page = browser.new_page(viewport=viewport)
    page.goto(url)
    if picture:
        page.locator(picture).scroll_into_view_if_needed()
        page.locator(picture).evaluate(
            "img => img.naturalWidth || new Promise(done => img.addEventListener('load', done))"
        )
    page.wait_for_load_state("networkidle")
    return page


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("viewport, key", [(DESKTOP, "overview:map"), (PHONE, charts.NARROW_MAP)])
def test_every_located_base_on_the_overview_map_links_to_its_page(
    browser,  # noqa: F811
    site,
    real_dataset,
    lang,
    viewport,
    key,
):
    pins = pins_of(real_dataset, key, lang)
    assert pins, "the real data has located bases"
    statuses = real_dataset.taxonomy.statuses

    page = open_page(browser, site + LANGUAGES[lang], viewport, ".bf-map img")
    try:
        chosen = page.evaluate("document.querySelector('.bf-map img').currentSrc")
        assert chosen.endswith(charts.chart_path(key, lang))
        links = {link["cls"].split("bf-map__pin--")[1]: link for link in page.evaluate(PINS)}
        assert set(links) == set(pins)
        for base_id, link in links.items():
            base = real_dataset.bases[base_id]
            status = statuses[current_status(real_dataset, base_id)].label.get(lang)
            named = re.compile(f"^{re.escape(base.name.get(lang))}: {re.escape(status)}")
            expect(page.locator(f".bf-map__pin--{base_id}")).to_have_accessible_name(named)
            assert link["href"].endswith(f"{LANGUAGES[lang]}bases/{base_id}/"), link
            # over the drawn marker (the pin is where the drawing puts it: test_charts)
            assert abs(link["x"] - pins[base_id].x) < 0.5 and abs(link["y"] - pins[base_id].y) < 0.5
            assert link["size"] >= 24, "a touch target of at least 24 CSS px"
    finally:
        page.close()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_map_link_is_reached_by_keyboard_shows_its_focus_and_opens_the_base(
    browser,  # noqa: F811
    site,
    real_dataset,
    lang,
):
    first = next(iter(pins_of(real_dataset, "overview:map", lang)))
    page = open_page(browser, site + LANGUAGES[lang], DESKTOP)
    try:
        page.locator(".bf-map").scroll_into_view_if_needed()
        for _ in range(400):  # tab through the page to the first link on the map
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.classList.contains('bf-map__pin')"):
                break
        focused = page.evaluate(
            """() => { const a = document.activeElement, s = getComputedStyle(a);
              return {cls: a.className, outline: s.outlineStyle, width: parseFloat(s.outlineWidth),
                      visible: a.matches(':focus-visible')}; }"""
        )
        assert f"bf-map__pin--{first}" in focused["cls"]
        assert focused["visible"] and focused["outline"] == "solid" and focused["width"] >= 2
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/{LANGUAGES[lang]}bases/{first}/")
        assert real_dataset.bases[first].name.get(lang) in page.locator("h1").inner_text()
    finally:
        page.close()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_on_a_phone_a_tap_opens_the_base_and_the_map_text_is_legible(
    browser,  # noqa: F811
    site,
    real_dataset,
    lang,
):
    last = list(pins_of(real_dataset, charts.NARROW_MAP, lang))[-1]
    page = open_page(browser, site + LANGUAGES[lang], PHONE, ".bf-map img")
    try:
        scale = page.evaluate(
            "(() => { const i = document.querySelector('.bf-map img');"
            " return i.getBoundingClientRect().width / i.naturalWidth; })()"
        )
        assert SMALLEST_MAP_TEXT * scale >= 11, f"map text at {SMALLEST_MAP_TEXT * scale:.1f} px"
        page.locator(f".bf-map__pin--{last}").click()
        page.wait_for_url(f"**/{LANGUAGES[lang]}bases/{last}/")
    finally:
        page.close()


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP])
def test_a_base_page_shows_where_the_base_is_or_says_it_is_not_known(
    browser,  # noqa: F811
    site,
    real_dataset,
    lang,
    viewport,
):
    pins = pins_of(real_dataset, charts.LOCATOR, lang)
    unknown = next(b for b, base in real_dataset.bases.items() if base.location is None)
    for base_id in [*pins, unknown]:
        base = real_dataset.bases[base_id]
        picture = None if base_id == unknown else ".bf-locator img"
        page = open_page(browser, site + f"{LANGUAGES[lang]}bases/{base_id}/", viewport, picture)
        try:
            if base_id == unknown:
                assert page.locator(".bf-locator").count() == 0
                assert page.locator(".bf-locator__none").count() == 1
                continue
            found = page.evaluate(
                """() => { const box = document.querySelector('.bf-locator img').getBoundingClientRect();
                  const m = document.querySelector('.bf-locator__mark').getBoundingClientRect();
                  return {x: 100 * (m.left + m.width / 2 - box.left) / box.width,
                          y: 100 * (m.top + m.height / 2 - box.top) / box.height,
                          mark: document.querySelector('.bf-locator__mark').className,
                          caption: document.querySelector('.bf-locator figcaption').textContent}; }"""
            )
            assert abs(found["x"] - pins[base_id].x) < 0.5, found
            assert abs(found["y"] - pins[base_id].y) < 0.5, found
            assert 0 < found["x"] < 100 and 0 < found["y"] < 100, "the marker is on the map"
            assert f"bf-locator__mark--{base.location.precision}" in found["mark"]
            assert base.name.get(lang) in found["caption"]
        finally:
            page.close()
