"""Small repairs to the theme's markup: no requests for sitemaps that do not exist."""

from __future__ import annotations

ALTERNATE = '<link rel="alternate"'


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
