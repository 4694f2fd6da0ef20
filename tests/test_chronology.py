"""The chronology a reader can navigate: months in the table of contents, filters by base,
event type and confidence (chronology.js) in both languages, and every event without them."""

from __future__ import annotations

import re

import pytest

from tests.sitecheck import parse, serve
from tests.test_browser import RECORD_VIOLATIONS, browser  # noqa: F401  (the shared fixture)

LANGUAGES = {"en": "", "ar": "ar/"}
BASE = "qasrak"


def year_pages(site, prefix: str):
    """The chronology pages that hold a whole year's events (not the indexes, not months)."""
    return sorted(
        p / "index.html"
        for p in (site / prefix / "chronology").iterdir()
        if p.is_dir() and re.fullmatch(r"\d{4}", p.name)
    )


def numbers(text: str) -> list[int]:
    """The numbers in a text, in Western or Arabic-Indic digits."""
    return [int(n) for n in re.findall(r"\d+", text)]


def newest_year(site) -> str:
    return max(p.parent.name for p in year_pages(site, ""))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_filtering_by_a_base_keeps_only_its_events(browser, built_site, lang):  # noqa: F811
    year = newest_year(built_site)
    with serve(built_site) as root:
        page = browser.new_page(viewport={"width": 390, "height": 844})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.add_init_script(RECORD_VIOLATIONS)
        page.goto(f"{root}{LANGUAGES[lang]}chronology/{year}/")
        cards = page.locator("article.bf-event")
        total = cards.count()
        assert page.locator("form.bf-filter").is_visible()
        assert page.locator("label[for=bf-filter-base]").inner_text().strip()

        page.select_option("#bf-filter-base", BASE)

        visible = page.locator("article.bf-event:visible")
        shown = visible.count()
        assert 0 < shown < total
        bases_shown = visible.evaluate_all("cards => cards.map(c => c.dataset.bases.split(' '))")
        assert all(BASE in bases for bases in bases_shown)
        # the hidden ones are exactly the events of other places
        of_base = cards.evaluate_all(
            "(cards, base) => cards.filter(c => c.dataset.bases.split(' ').includes(base)).length",
            BASE,
        )
        assert shown == of_base
        # each visible card names the base among its places
        base_link = f'a[href$="bases/{BASE}/"]'
        assert visible.evaluate_all(f"cards => cards.every(c => c.querySelector('{base_link}'))")
        count = page.locator(".bf-filter__count")
        assert count.get_attribute("aria-live") == "polite"
        assert numbers(count.inner_text()) == [shown, total]
        # a month left without events loses its heading, shown months keep theirs
        for group in page.locator(".bf-events").all():
            month = group.get_attribute("data-month")
            heading = page.locator(f"h2[id='{month}']")
            assert heading.is_visible() == (group.locator("article:visible").count() > 0)

        page.locator(".bf-filter__reset").click()
        page.wait_for_function(  # a function, not a string: the page's CSP forbids eval
            "n => document.querySelectorAll('article.bf-event:not([hidden])').length === n",
            arg=total,
        )
        assert numbers(count.inner_text()) == [total, total]
        assert page.evaluate("window.__violations") == []
        assert errors == []
        page.close()


def test_a_filtered_view_can_be_linked(browser, built_site):  # noqa: F811
    year = newest_year(built_site)
    with serve(built_site) as root:
        page = browser.new_page()
        page.goto(f"{root}ar/chronology/{year}/?base={BASE}")
        assert page.locator("#bf-filter-base").input_value() == BASE
        shown = page.locator("article.bf-event:visible")
        assert shown.count() == page.locator(f"article.bf-event[data-bases~='{BASE}']").count()
        page.close()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_without_javascript_every_event_is_shown_and_no_filter(browser, built_site, lang):  # noqa: F811
    year = newest_year(built_site)
    with serve(built_site) as root:
        context = browser.new_context(java_script_enabled=False)
        page = context.new_page()
        page.goto(f"{root}{LANGUAGES[lang]}chronology/{year}/")
        cards = page.locator("article.bf-event")
        assert cards.count() > 0
        assert page.locator("article.bf-event:visible").count() == cards.count()
        assert not page.locator("form.bf-filter").is_visible()
        context.close()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_table_of_contents_lists_the_months(built_site, lang):
    for path in year_pages(built_site, LANGUAGES[lang]):
        page = parse(path)
        months = [
            h.attrs["id"]
            for h in page.find("h2")
            if re.fullmatch(r"\d{4}-\d{2}", h.attrs.get("id", ""))
        ]
        groups = [d.attrs["data-month"] for d in page.elements if "data-month" in d.attrs]
        assert months and months == groups, path
        toc = [
            a.attrs["href"]
            for a in page.find("a", class_="md-nav__link")
            if a.attrs.get("href", "").startswith("#")
        ]
        assert [f"#{m}" for m in months] == [h for h in dict.fromkeys(toc) if h[1:] in months]


def test_every_event_is_on_a_chronology_page_in_both_languages(built_site, real_dataset):
    for prefix in LANGUAGES.values():
        ids = set()
        for path in (built_site / prefix / "chronology").rglob("index.html"):
            ids |= {a.attrs["id"] for a in parse(path).find("article") if "id" in a.attrs}
        assert ids == {e.id for e in real_dataset.events}
