"""The MkDocs adapter: the only module that knows MkDocs.

`build_html` has MkDocs (with Material and mkdocs-static-i18n) turn a generated docs tree
into HTML; the hooks below, named in mkdocs.yml, only finish each page (feed links, the
Content-Security-Policy, no sitemap lookups). The generator builds
and is tested without this module.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from generator.accessibility import keep_alternates_from_sitemap_lookups
from generator.csp import add_content_security_policy
from generator.pages import relative_url


def load_site_config(config_file: Path, docs_dir: Path, site_dir: Path, strict: bool = True):
    from mkdocs.config import load_config

    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # Material's banner about MkDocs 2
    return load_config(
        str(config_file), docs_dir=str(docs_dir), site_dir=str(site_dir), strict=strict
    )


def build_html(
    config_file: Path, docs_dir: Path, site_dir: Path, build_epoch: str, dirty: bool = False
) -> str | None:
    """Build `docs_dir` into `site_dir` strictly; returns the configured site URL.

    `build_epoch` is the date MkDocs writes into the sitemap (SOURCE_DATE_EPOCH, which it
    reads from the environment). `dirty` rebuilds only the pages whose source is newer than
    their HTML: for the preview, whose navigation never changes with the data (and which is
    not strict, as MkDocs warns about every dirty build).
    """
    from mkdocs.commands.build import build

    config = load_site_config(config_file, docs_dir, site_dir, strict=not dirty)
    saved = os.environ.get("SOURCE_DATE_EPOCH"), list(sys.argv)
    os.environ["SOURCE_DATE_EPOCH"] = build_epoch
    if dirty:  # mkdocs-static-i18n builds the other languages dirty only if the command says so
        sys.argv.append("--dirty")
    try:
        build(config, dirty=dirty)
    finally:
        if saved[0] is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved[0]
        sys.argv[:] = saved[1]
    return config.site_url


class QuietDirtyBuilds(logging.Filter):
    """Leaves out MkDocs' warning that a dirty build may have inaccurate navigation: the
    preview's navigation does not depend on the data, and the editor cannot act on it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "'dirty' build" not in record.getMessage()


def on_page_content(html: str, page, config, files) -> str:
    page.markdown = None  # converted: MkDocs would keep every page's source to the end
    return html


def on_post_page(output: str, page, config) -> str:
    """After every plugin has changed the page (hooks run after the plugins of mkdocs.yml)."""
    page.content = None  # in `output` now: MkDocs would keep every page's HTML to the end
    output = announce_feeds(output, page.url)
    output = keep_alternates_from_sitemap_lookups(output)
    return add_content_security_policy(output, wasm=page.file.src_uri.startswith("search."))


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
