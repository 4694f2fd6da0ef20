"""Charts on a phone (390 x 844 CSS pixels), in both languages: every chart over time is
shown as its narrow drawing, whose smallest text is at least 11 CSS pixels as displayed; a
desktop screen still gets the wide drawing."""

from __future__ import annotations

import pytest

from tests.sitecheck import serve
from tests.test_browser import browser  # noqa: F401  (the shared browser fixture)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
MIN_TEXT_PX = 11
PAGES = {"overview": "", "base": "bases/qasrak/"}
LANGUAGES = {"en": "", "ar": "ar/"}

# For each chart with a phone drawing: the file shown, and its smallest text in CSS pixels as
# displayed. Charts draw text as paths, in a group per font size in points (text-9.9pt_1,
# drawing.Texts), in an SVG whose width is given in points.
SHOWN_CHARTS = """async () => {
  const found = [];
  for (const img of document.querySelectorAll('figure.bf-chart picture img')) {
    img.scrollIntoView();
    if (!img.complete) await new Promise(done => img.addEventListener('load', done));
    const svg = await (await fetch(img.currentSrc)).text();
    const width = parseFloat(svg.match(/<svg[^>]* width="([\\d.]+)pt"/)[1]);
    const sizes = [...svg.matchAll(/<g id="text-([\\d.]+)pt_\\d+">/g)].map(m => parseFloat(m[1]));
    found.push({src: img.currentSrc, smallest: Math.min(...sizes) * img.clientWidth / width});
  }
  return found;
}"""


def shown_charts(browser, root: str, url: str, viewport: dict) -> list[dict]:  # noqa: F811
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(root + url)
    found = page.evaluate(SHOWN_CHARTS)
    context.close()
    return found


@pytest.fixture(scope="module")
def charts_shown(browser, built_site) -> dict[tuple[str, str, str], list[dict]]:  # noqa: F811
    with serve(built_site) as root:
        return {
            (size, lang, kind): shown_charts(browser, root, LANGUAGES[lang] + path, viewport)
            for size, viewport in (("phone", PHONE), ("desktop", DESKTOP))
            for lang in LANGUAGES
            for kind, path in PAGES.items()
        }


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", PAGES)
def test_a_phone_shows_the_narrow_charts_with_text_of_at_least_11_px(charts_shown, lang, kind):
    charts = charts_shown["phone", lang, kind]
    assert len(charts) >= 2  # the overview's activity and status; a base's activity, figures
    assert [c["src"] for c in charts if not c["src"].endswith(".narrow.svg")] == []
    assert [c for c in charts if c["smallest"] < MIN_TEXT_PX] == []


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", PAGES)
def test_a_desktop_shows_the_wide_charts(charts_shown, lang, kind):
    charts = charts_shown["desktop", lang, kind]
    assert charts
    assert [c["src"] for c in charts if c["src"].endswith(".narrow.svg")] == []
    assert [c for c in charts if c["smallest"] < MIN_TEXT_PX] == []
