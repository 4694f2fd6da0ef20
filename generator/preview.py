"""The preview (`briefing serve`, `make serve`): the site rebuilt on every save, state in memory.

The building process keeps each data file's own checks, and the event built from it, and
re-reads only the files a save changed. It first renders the pages showing the events and
bases the save changed and has MkDocs rebuild them (the editor is looking at one of them);
then it regenerates the whole docs tree in memory (on every core for large records), writes
the files whose bytes changed, and MkDocs rebuilds just those pages; a child process then
writes the exports and feeds while this one watches for the next save. While the data is
invalid, every page is the list of problems (also printed in the terminal) until the next
save that fixes them. A separate process answers requests from the last build at any time,
so that the building one has no threads and may fork; a small script on each page reloads
it when a rebuild ends. The preview has no search index (its Search page says so): `make
site` builds it.
"""

from __future__ import annotations

import html
import logging
import multiprocessing
import os
import signal
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
    generate_pages,
    touched_pages,
    validated,
    write_extras,
)
from generator.cache import OutputCache, cache_root
from generator.errors import DataError, Problem
from generator.parallel import can_fork
from generator.validate import Checked
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
        self.docs, self.site, self.state = work / "docs", work / "site", work / "state"
        self.state.mkdir(parents=True, exist_ok=True)
        self.checked = Checked()  # see validate.load_dataset
        self.cache = OutputCache(cache_root())
        self.problems: list[Problem] = []  # errors that stop the build: shown instead of pages
        self.version = 0  # counts finished rebuilds: pages reload when it changes
        self.built = False
        self.dataset = None  # the last valid one
        self.extras_writer: multiprocessing.Process | None = None

    def rebuild(self) -> None:
        """Build again; on invalid data or a failed build, keep the problems to show."""
        extras = None
        try:
            extras = self._rebuild()
        except DataError as exc:
            self.problems = list(exc.problems)
        except Exception as exc:  # a template or MkDocs error: shown, and the next save retries
            self.problems = [Problem("(build)", 1, 1, "", f"the build failed: {exc!r}")]
        if self.problems:
            say("the preview shows these problems until a save fixes them:")
            for problem in self.problems:
                say(problem.format())
        self.version += 1
        self.publish_state()
        if extras:  # the downloads and feeds follow the pages, which the editor is waiting for
            self.write_extras(extras)

    def write_extras(self, extras: tuple) -> None:
        """The exports and feeds, by a child process where one can be forked: meanwhile this
        one goes back to watching for the next save. One writer at a time, joined only before
        the next one starts (parallel.meanwhile would make the next rebuild wait for it)."""
        self.wait_for_extras()
        if not can_fork():
            write_extras(*extras)
            return
        self.extras_writer = multiprocessing.get_context("fork").Process(
            target=write_extras, args=extras
        )
        self.extras_writer.start()

    def wait_for_extras(self) -> None:
        if self.extras_writer is not None:
            self.extras_writer.join()
            self.extras_writer = None

    def show_first(self, dataset, paths: set[str]) -> None:
        """The pages showing what the save changed, before everything is regenerated: the
        editor is looking at one of them. (Which pages come first is only a guess at what the
        editor looks at; the full regeneration that follows decides what every page says.)"""
        from generator.mkdocs_hooks import build_html

        if not paths:
            return
        write_tree(self.docs, generate_pages(dataset, paths), remove_others=False)
        build_html(self.config_file, self.docs, self.site, build_date(dataset), dirty=True)
        self.problems = []
        self.version += 1
        self.publish_state()

    def publish_state(self) -> None:
        """Tell the serving process what to show: the problems page while there are
        problems, and the version that makes open pages reload."""
        problems = self.state / "problems.html"
        if self.problems:
            write_atomically(problems, self.error_page())
        else:
            problems.unlink(missing_ok=True)
        write_atomically(self.state / "version", str(self.version).encode())

    def _rebuild(self) -> tuple:
        """The pages; returns what writing the exports and feeds takes."""
        from generator.mkdocs_hooks import build_html

        started = time.perf_counter()
        dataset, warnings = validated(self.data_dir, self.checked)
        for problem in warnings:
            say(problem.format())
        if self.built and self.dataset is not None:
            self.show_first(dataset, touched_pages(self.dataset, dataset))
        self.dataset = dataset
        tree = generate(dataset, self.cache)
        write_tree(self.docs, tree.files)
        site_url = build_html(
            self.config_file, self.docs, self.site, build_date(dataset), dirty=self.built
        )
        self.built = True
        self.problems = []
        say(f"rebuilt in {time.perf_counter() - started:.1f} s")
        return dataset, self.site, site_url

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


def write_atomically(path: Path, body: bytes) -> None:
    partial_file = path.with_suffix(".partial")
    partial_file.write_bytes(body)
    os.replace(partial_file, path)


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
    state: Path  # Preview.state, written by the building process

    def do_GET(self) -> None:
        if self.path.startswith(PREVIEW_PATH):
            name = self.path[len(PREVIEW_PATH) :]
            if name == "version":
                return self.send_bytes((self.state / "version").read_bytes(), "text/plain")
            return self.send_bytes(RELOAD_SCRIPT.encode(), "text/javascript")
        page = self.path.split("?")[0].endswith(("/", ".html"))
        try:
            problems = (self.state / "problems.html").read_bytes()
        except FileNotFoundError:
            problems = b""
        if page and problems:
            return self.send_bytes(problems, "text/html; charset=utf-8")
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
    # a termination ends the loop below like Ctrl-C, so that the serving process ends too
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with tempfile.TemporaryDirectory(prefix="briefing-preview-") as work:
        preview = Preview(data_dir, Path(work))
        roots = [data_dir, *WATCHED]
        stamp = inputs_stamp(roots)
        preview.rebuild()
        PreviewHandler.state = preview.state
        handler = partial(PreviewHandler, directory=str(preview.site))
        server = ThreadingHTTPServer((host, port), handler)
        server.daemon_threads = True
        answering = multiprocessing.get_context("fork").Process(
            target=answer_requests, args=(server, os.getpid()), daemon=True
        )
        answering.start()
        server.server_close()  # the serving process has its own copy of the socket
        say(f"serving on http://{host}:{port}/ (Ctrl-C to stop)")
        try:
            while True:
                time.sleep(POLL_SECONDS)
                now = inputs_stamp(roots)
                if now != stamp:
                    stamp = now
                    preview.rebuild()
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            answering.terminate()
            answering.join(5)
            preview.wait_for_extras()
    return 0


def answer_requests(server: ThreadingHTTPServer, parent: int) -> None:
    """The serving process: requests on threads, until the building process is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the building process
    threading.Thread(target=server.serve_forever, daemon=True).start()
    while os.getppid() == parent:
        time.sleep(0.5)
