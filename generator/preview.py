"""The preview (`briefing serve`, `make serve`): the site rebuilt on every save, state in memory.

The serving process keeps each data file's own checks and re-reads only the files whose
bytes changed; it regenerates the docs tree in memory, writes the files whose bytes changed,
and MkDocs rebuilds just those pages. While the data is invalid, every page is the list of
problems (also printed in the terminal) until the next save that fixes them. Requests are
answered from the last build at any time; a small script on each page reloads it when a
rebuild ends. The preview has no search index (its Search page says so): `make site` builds it.
"""

from __future__ import annotations

import html
import logging
import os
import sys
import tempfile
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from generator.build import (
    CONFIG_FILE,
    DOCS_DIR,
    ROOT,
    build_date,
    generate,
    validated,
    write_extras,
)
from generator.cache import OutputCache, cache_root
from generator.errors import DataError, Problem
from generator.write import write_tree

WATCHED = (ROOT / "templates", DOCS_DIR)  # besides the data directory
POLL_SECONDS = 0.3
PREVIEW_PATH = "/__preview__/"
RELOAD_SCRIPT = """\
(function () {
  var seen = null;
  function check() {
    fetch("/__preview__/version", {cache: "no-store"}).then(function (r) { return r.text(); })
      .then(function (v) { if (seen !== null && v !== seen) { location.reload(); } seen = v; })
      .catch(function () {}).finally(function () { setTimeout(check, 700); });
  }
  check();
})();
"""


class Preview:
    """The preview's state: the data's checked files, the last problems, the built site."""

    def __init__(self, data_dir: Path, work: Path, config_file: Path = CONFIG_FILE):
        self.data_dir = data_dir
        self.config_file = config_file
        self.docs, self.site = work / "docs", work / "site"
        self.checked: dict = {}  # see validate.load_dataset
        self.cache = OutputCache(cache_root())
        self.problems: list[Problem] = []  # errors that stop the build: shown instead of pages
        self.version = 0  # counts finished rebuilds: pages reload when it changes
        self.built = False

    def rebuild(self) -> None:
        """Build again; on invalid data or a failed build, keep the problems to show."""
        try:
            self._rebuild()
        except DataError as exc:
            self.problems = list(exc.problems)
        except Exception as exc:  # a template or MkDocs error: shown, and the next save retries
            self.problems = [Problem("(build)", 1, 1, "", f"the build failed: {exc!r}")]
        if self.problems:
            say("the preview shows these problems until a save fixes them:")
            for problem in self.problems:
                say(problem.format())
        self.version += 1

    def _rebuild(self) -> None:
        from generator.mkdocs_hooks import build_html

        started = time.perf_counter()
        dataset, warnings = validated(self.data_dir, self.checked)
        for problem in warnings:
            say(problem.format())
        tree = generate(dataset, self.cache)
        write_tree(self.docs, tree.files)
        site_url = build_html(
            self.config_file, self.docs, self.site, build_date(dataset), dirty=self.built
        )
        write_extras(dataset, self.site, site_url)
        self.built = True
        self.problems = []
        say(f"rebuilt in {time.perf_counter() - started:.1f} s")

    def error_page(self) -> bytes:
        items = "".join(f"<li><code>{html.escape(p.format())}</code></li>" for p in self.problems)
        return (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            "<title>Preview: the data has problems</title>"
            f'<script src="{PREVIEW_PATH}reload.js"></script></head><body>'
            f"<h1>The data has {len(self.problems)} problem(s)</h1>"
            "<p>Fix them and save: this page reloads by itself.</p>"
            f"<ul>{items}</ul></body></html>"
        ).encode()


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def inputs_stamp(roots: list[Path]) -> tuple:
    """Names, sizes and modification times of every file under `roots`: a save changes it."""
    found = []
    for root in roots:
        for directory, _, names in os.walk(root):
            for name in names:
                path = os.path.join(directory, name)
                try:
                    status = os.stat(path)
                except OSError:
                    continue
                found.append((path, status.st_size, status.st_mtime_ns))
    return tuple(sorted(found))


class PreviewHandler(SimpleHTTPRequestHandler):
    preview: Preview

    def do_GET(self) -> None:
        if self.path.startswith(PREVIEW_PATH):
            name = self.path[len(PREVIEW_PATH) :]
            body = str(self.preview.version) if name == "version" else RELOAD_SCRIPT
            kind = "text/plain" if name == "version" else "text/javascript"
            return self.send_bytes(body.encode(), kind)
        page = self.path.split("?")[0].endswith(("/", ".html"))
        if page and self.preview.problems:
            return self.send_bytes(self.preview.error_page(), "text/html; charset=utf-8")
        if page:
            target = Path(self.translate_path(self.path))
            target = target / "index.html" if target.is_dir() else target
            if target.is_file():
                text = target.read_bytes().replace(
                    b"</head>",
                    f'<script src="{PREVIEW_PATH}reload.js"></script></head>'.encode(),
                    1,
                )
                return self.send_bytes(text, "text/html; charset=utf-8")
        return super().do_GET()

    def send_bytes(self, body: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # requests are not worth a line each
        pass


def serve(data_dir: Path, host: str = "127.0.0.1", port: int = 8000) -> int:
    from generator.mkdocs_hooks import QuietDirtyBuilds

    printed = logging.StreamHandler()
    printed.setFormatter(logging.Formatter("%(levelname)s - %(message)s"))
    printed.addFilter(QuietDirtyBuilds())
    mkdocs_log = logging.getLogger("mkdocs")
    mkdocs_log.addHandler(printed)
    mkdocs_log.setLevel(logging.WARNING)
    mkdocs_log.propagate = False
    with tempfile.TemporaryDirectory(prefix="briefing-preview-") as work:
        preview = Preview(data_dir, Path(work))
        roots = [data_dir, *WATCHED]
        stamp = inputs_stamp(roots)
        preview.rebuild()
        handler = partial(PreviewHandler, directory=str(preview.site))
        PreviewHandler.preview = preview
        server = ThreadingHTTPServer((host, port), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        say(f"serving on http://{host}:{port}/ (Ctrl-C to stop)")
        try:
            while True:
                time.sleep(POLL_SECONDS)
                now = inputs_stamp(roots)
                if now != stamp:
                    stamp = now
                    preview.rebuild()
        except KeyboardInterrupt:
            server.shutdown()
    return 0
