"""axe-core in headless Chromium on the overview and a base page in both languages, at a
desktop size: no serious or critical accessibility violations. (tests/test_phone.py runs it
on every kind of page at a phone's size.)"""

from __future__ import annotations

import pytest

from tests.sitecheck import serious_accessibility_violations, serve
from tests.test_browser import browser  # noqa: F401  (the shared browser fixture)


@pytest.mark.parametrize("path", ["", "ar/", "bases/qasrak/", "ar/bases/qasrak/"])
def test_no_serious_accessibility_violations(browser, built_site, path):  # noqa: F811
    with serve(built_site) as root:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(root + path)
        assert serious_accessibility_violations(page) == []
        page.close()
