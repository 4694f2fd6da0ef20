"""Helpers for checking a built site: parsing its HTML (stdlib only), serving it, and
measuring it in the browser (accessibility, bytes transferred)."""

from __future__ import annotations

import contextlib
import functools
import gzip
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

AXE = Path(__file__).parent / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
# What a web server compresses; fonts (WOFF2) and images are compressed already.
COMPRESSED_TYPES = {".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".map"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]


@dataclass
class ParsedPage:
    elements: list[Element] = field(default_factory=list)
    text: str = ""

    def find(self, tag: str, **attrs: str) -> list[Element]:
        return [
            e
            for e in self.elements
            if e.tag == tag and all(e.attrs.get(k.rstrip("_")) == v for k, v in attrs.items())
        ]

    @property
    def ids(self) -> set[str]:
        return {e.attrs["id"] for e in self.elements if "id" in e.attrs}


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = ParsedPage()
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.page.elements.append(Element(tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data):
        self._text.append(data)

    def close(self):
        super().close()
        self.page.text = "".join(self._text)


@functools.lru_cache(maxsize=512)
def parse(path: Path) -> ParsedPage:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8"))
    collector.close()
    return collector.page


def find_browser() -> str | None:
    """The headless browser for tests: $BRIEFING_BROWSER, Debian's chromium or Google Chrome."""
    for name in (
        os.environ.get("BRIEFING_BROWSER"),
        "chromium",
        "google-chrome",
        "google-chrome-stable",
        "chromium-browser",
    ):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve `directory` on a free loopback port; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def serious_accessibility_violations(page) -> list[str]:
    """axe-core's serious and critical violations on a loaded Playwright page. axe is run
    through the browser's devtools protocol, not a script tag, so the page's
    Content-Security-Policy stays on."""
    assert AXE.exists(), "axe-core missing: run `make test` (it runs npm ci in tests/a11y)"
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def transferred_bytes(site: Path, url: str) -> int:
    """The bytes a file of the site takes on the wire from a server that compresses text with
    gzip (at level 6, the usual default); the test server sends files as they are."""
    path = site / unquote(urlsplit(url).path).lstrip("/")
    if path.is_dir():
        path = path / "index.html"
    data = path.read_bytes()
    return len(gzip.compress(data, 6)) if path.suffix in COMPRESSED_TYPES else len(data)
