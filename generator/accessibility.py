"""Small repairs to the theme's markup: an accessible name for the search dialog (axe-core asks
for it), and no requests for sitemaps that do not exist."""

from __future__ import annotations

import re

SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'
SEARCH_LABEL = re.compile(r'class="md-search__input" name="query" aria-label="([^"]*)"')
ALTERNATE = '<link rel="alternate"'


def name_search_dialog(html: str) -> str:
    """Material's search dialog has no accessible name: give it the search field's label."""
    label = SEARCH_LABEL.search(html)
    if not label:
        return html
    named = SEARCH_DIALOG.replace('role="dialog"', f'role="dialog" aria-label="{label.group(1)}"')
    return html.replace(SEARCH_DIALOG, named, 1)


def keep_alternates_from_sitemap_lookups(html: str) -> str:
    """Material's script fetches `sitemap.xml` beside every `<link rel="alternate">` (it expects
    one site per language, each with a sitemap at its root). Here those links are the page's
    translation and its Atom feeds, beside which there is no sitemap: two to four failed
    requests on every page. Written `rel="alternate "` (the same link type to feed readers and
    search engines: HTML allows spaces around the words of `rel`), they no longer match the
    script's exact `[rel=alternate]`. Nothing is lost: the language selector's links lead to
    the translated page by themselves, and the sitemap lists every page's translations."""
    head, end, rest = html.partition("</head>")
    return head.replace(ALTERNATE, '<link rel="alternate "') + end + rest
