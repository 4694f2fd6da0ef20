"""MkDocs hooks: the whole integration. Generate the docs tree from the data, watch the inputs.

The generator works without MkDocs; this file only connects it to MkDocs events. The data
directory and the staging directory come from BRIEFING_DATA and BRIEFING_STAGING (set by
`briefing build`), defaulting to data/ and .cache/docs/ beside mkdocs.yml. BRIEFING_GENERATED
names a staging directory `briefing build` has generated already.
"""

from __future__ import annotations

import os
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import CombinedEvent, event_priority

from generator.accessibility import name_search_dialog
from generator.build import DOCS_DIR, generate
from generator.cache import keep_in_memory
from generator.csp import add_content_security_policy
from generator.errors import DataError
from generator.pages import relative_url
from generator.rawblocks import GeneratedBlocks
from generator.render import compiled_templates_cache
from generator.searchindex import (
    restore_search_excluded,
    set_aside_search_excluded,
    use_for_material_search,
)


def _paths(config) -> tuple[Path, Path]:
    root = Path(config.config_file_path).parent
    data = Path(os.environ.get("BRIEFING_DATA", root / "data"))
    staging = Path(os.environ.get("BRIEFING_STAGING", root / ".cache" / "docs"))
    return data, staging


@event_priority(100)  # before the i18n plugin reads docs_dir
def on_config(config):
    data, staging = _paths(config)
    if Path(config.docs_dir).resolve() == staging.resolve():
        # mkdocs-static-i18n runs build() again for each other language with this config:
        # the docs are generated already, and docs_dir no longer names the hand-written ones.
        return config
    if os.environ.get("BRIEFING_GENERATED") != str(staging.resolve()):  # see build_site
        try:
            generate(data, staging, Path(config.docs_dir))
        except DataError as exc:
            problems = "\n".join(p.format() for p in exc.problems)
            raise PluginError("invalid data:\n" + problems) from exc
    config.docs_dir = str(staging)
    use_for_material_search()
    _forget_previous_search_index(config)
    if not any(isinstance(e, GeneratedBlocks) for e in config.markdown_extensions):
        config.markdown_extensions.append(GeneratedBlocks())
    return config


def on_env(env, config, files):
    """The theme's templates, compiled once for all builds (see compiled_templates_cache)."""
    env.bytecode_cache = env.bytecode_cache or compiled_templates_cache()
    return env


def on_startup(command, dirty):
    if command == "serve":  # rebuilds on every save: keep the build cache in memory
        keep_in_memory()


def on_serve(server, config, builder):
    """Rebuild when the data, templates, hand-written docs or generator change. Not when the
    staging tree does: the build writes it, and watching it made every save build twice."""
    data, _ = _paths(config)
    root = Path(config.config_file_path).parent
    server.unwatch(config.docs_dir)
    watch_natively(server)
    for path in (data, root / "templates", DOCS_DIR, root / "generator"):
        server.watch(str(path))
    return server


def watch_natively(server) -> None:
    """Hear of saves from the kernel (inotify) instead of MkDocs' polling observer.

    The poller walked all of data/ (12,600 files at 10,000 events) every half second: a save
    waited up to 0.5 s to be seen, and each walk held the interpreter's lock against the
    rebuild. Only changes count: the kernel also reports every file the build opens and
    reads, and each of those would start another build. BRIEFING_WATCH=poll keeps the
    poller, for file systems that send no events (some network and container mounts).
    Paths watched so far move to the new observer.
    """
    from watchdog import events
    from watchdog.observers import Observer
    from watchdog.observers.polling import PollingObserver

    if os.environ.get("BRIEFING_WATCH") == "poll" or Observer is PollingObserver:
        return
    changes = [
        events.FileCreatedEvent,
        events.FileModifiedEvent,
        events.FileMovedEvent,
        events.FileDeletedEvent,
        events.FileAttribEvent,  # `touch`, as the poller sees it
    ]

    class ChangesObserver(Observer):
        def schedule(self, event_handler, path, *, recursive=False, **options):
            options.setdefault("event_filter", changes)
            return super().schedule(event_handler, path, recursive=recursive, **options)

    watched = dict(server._watched_paths)  # MkDocs 1.6 keeps no public list of them
    for path, count in watched.items():
        for _ in range(count):
            server.unwatch(path)
    server.observer = ChangesObserver()
    for path, count in watched.items():
        for _ in range(count):
            server.watch(path)


def _forget_previous_search_index(config) -> None:
    """Under `serve --dirty`, Material merges each rebuild's index into the previous one on the
    assumption that one page was rebuilt; with two languages the merged index kept growing
    and every rebuild was slower than the last (14, 35, then 98 s at 10,000 events). Each
    rebuild now indexes what it rebuilt, and the preview's search finds only those pages."""
    search = config.plugins.get("material/search") or config.plugins.get("search")
    if getattr(search, "search_index_prev", None) is not None:
        search.search_index_prev = None


# Each page's data-search-exclude blocks are set aside while the search plugin reads it
# (searchindex.set_aside_search_excluded) and put back afterwards.
_set_aside: dict[str, list[str]] = {}


@event_priority(50)  # before the search plugin indexes the page
def _set_aside_for_search(context, page, config, nav):
    page.content, _set_aside[page.file.src_uri] = set_aside_search_excluded(page.content or "")
    return context


@event_priority(-50)  # after it
def _restore_after_search(context, page, config, nav):
    blocks = _set_aside.pop(page.file.src_uri, [])
    page.content = restore_search_excluded(page.content, blocks)
    return context


on_page_context = CombinedEvent(_set_aside_for_search, _restore_after_search)


@event_priority(-100)  # after every plugin has changed the page
def on_post_page(output: str, page, config) -> str:
    output = announce_feeds(output, page.url)
    return add_content_security_policy(name_search_dialog(output))


def announce_feeds(html: str, page_url: str) -> str:
    """<link rel="alternate"> to the Atom feed of the page's language (and of its base).

    Relative links: Material's scripts follow absolute alternates to other origins."""
    prefix = "ar/" if page_url.startswith("ar/") else ""
    feeds = [relative_url(f"{prefix}feed.xml", page_url)]
    parts = page_url.removeprefix(prefix).split("/")
    if len(parts) >= 2 and parts[0] == "bases" and parts[1]:
        feeds.append(relative_url(f"{prefix}bases/{parts[1]}/feed.xml", page_url))
    links = "".join(
        f'\n    <link rel="alternate" type="application/atom+xml" href="{feed}">' for feed in feeds
    )
    return html.replace("</head>", links + "\n  </head>", 1)
