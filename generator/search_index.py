"""The site's search index: Pagefind, run over the built HTML, writes `pagefind/` into it.

Pagefind cuts the index into small chunks per language (from each page's <html lang>, so
Arabic pages get an Arabic index); the Search page (templates/search.md.j2) fetches only the
chunks for the words asked for, and no other page fetches any. Indexed: each page's
article (not the navigation), less what the templates mark `data-search-exclude` (the report
lists of event cards, the event cards repeated on base pages).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from pagefind_bin import get_executable

OPTIONS = [
    "--root-selector", "article.md-content__inner",
    "--exclude-selectors", "[data-search-exclude]",
    "--silent",
]  # fmt: skip


# Pagefind's ready-made interfaces: the Search page has its own (docs/assets/javascripts/search.js)
UNUSED_BUNDLES = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-highlight.js",
)


def index_site(site: Path) -> None:
    """Write the search index of the built `site` into `site/pagefind/`."""
    command = [str(get_executable()), *OPTIONS, "--site", str(site)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"pagefind could not index {site}:\n{done.stdout}{done.stderr}")
    in_order(site / "pagefind" / "pagefind-entry.json")
    for bundle in UNUSED_BUNDLES:
        (site / "pagefind" / bundle).unlink(missing_ok=True)


def in_order(entry: Path) -> None:
    """Pagefind lists the languages of its entry file in any order, run to run: sorted, the
    same site gives the same bytes. (Every other file it writes is named by its content.)"""
    found = json.loads(entry.read_text(encoding="utf-8"))
    found["languages"] = dict(sorted(found["languages"].items()))
    entry.write_text(json.dumps(found, ensure_ascii=False, separators=(",", ":")), "utf-8")
