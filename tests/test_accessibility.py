"""axe-core in headless Chromium on the overview and a base page in both languages:
no serious or critical accessibility violations."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sitecheck import serve
from tests.test_browser import browser  # noqa: F401  (the shared browser fixture)

AXE = Path(__file__).parent / "a11y" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.mark.parametrize("path", ["", "ar/", "bases/qasrak/", "ar/bases/qasrak/"])
def test_no_serious_accessibility_violations(browser, built_site, path):  # noqa: F811
    assert AXE.exists(), "axe-core missing: run `make test` (it runs npm ci in tests/a11y)"
    with serve(built_site) as root:
        context = browser.new_context(bypass_csp=True)  # axe is injected as an inline script
        page = context.new_page()
        page.goto(root + path)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        serious = [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert serious == []
        context.close()
