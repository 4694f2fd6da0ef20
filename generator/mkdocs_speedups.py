"""Opt-in MkDocs hooks that spare large generated pages two readings by html.parser.

A generated page is mostly raw HTML (event cards, tables), which a build reads with
html.parser twice: Python-Markdown to find where each raw block ends, MkDocs to collect the
block's anchors. With this module listed under `hooks:` in mkdocs.yml, after mkdocs_hooks.py,
`GeneratedBlocks`, a Markdown extension, puts each raw block of the shape the templates write
straight into Markdown's HTML stash, where Markdown's own block parser would have put it, and
`on_page_content` gives MkDocs the ids in them for its anchor checks.

Only public APIs: Python-Markdown's extension API and MkDocs' plugin events. The site is the
same with or without it (tests/test_mkdocs_speedups.py), given what the templates guarantee:
well-formed HTML, with markup characters in text and attribute values escaped.
"""

from __future__ import annotations

import re
from functools import cache
from html import unescape

from markdown import Markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

# a raw block opening after a blank line (one that opens the page is left to Markdown)
BLOCK_START = re.compile(r"\n\n<([a-z][a-z0-9]*)[\s>]")
# between blocks: a tag within one line, or the start of anything else html.parser reads
GAP_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^<>\n]*>|<[!?/a-zA-Z]")
# elements whose content html.parser reads as text, not tags (which ones depends on its version)
RAW_TEXT = "script style textarea title xmp iframe noembed noframes noscript plaintext".split()
# what html.parser reads as other than a tag: a comment, a declaration, a raw-text element
NOT_A_TAG = re.compile(rf"<(?:[!?]|{'|'.join(RAW_TEXT)})", re.IGNORECASE)
# what Markdown would not give back as written: a character reference without its semicolon
UNFINISHED_REFERENCE = re.compile(
    r"&(?:[a-z][-.a-z0-9]*(?![-.a-z0-9;])|#(?!(?:[0-9]+|x[0-9a-f]+);))", re.IGNORECASE
)


class GeneratedBlocks(Extension):
    """The Markdown extension that on_config adds."""

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        # after the whitespace clean-up (30) and fenced code (25), so blocks are stashed as
        # Markdown would stash them; before MkDocs' anchor collector (21) and html_block (20)
        md.preprocessors.register(StashGeneratedBlocks(md), "briefing_generated_blocks", 22)


class StashGeneratedBlocks(Preprocessor):
    """Stashes each raw block that opens at a line start after a blank line, outside any other
    raw HTML, and whose closing tag ends a line before a blank one. Text of any other shape,
    and the rest of a page once its HTML is in doubt, is left to Markdown."""

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        out: list[str] = []
        done = 0  # text before `done` is in `out`
        open_tags: dict[str, int] = {}  # block tags opened and not closed between blocks
        for opening in BLOCK_START.finditer(text):
            start = opening.start() + 2
            if start < done:
                continue  # inside a block just stashed
            if not self._track(text[done:start], open_tags):
                break  # HTML whose end cannot be told without parsing it: Markdown's job
            out.append(text[done:start])
            done = start
            if any(open_tags.values()):
                continue
            end = self._block_end(text, start, opening.group(1))
            if end is not None:
                out.append(self.md.htmlStash.store(text[start:end] + "\n"))
                done = end
        out.append(text[done:])
        return "".join(out).split("\n")

    def _track(self, gap: str, open_tags: dict[str, int]) -> bool:
        """Counts the block tags `gap` opens and closes; False if it holds other markup."""
        for tag in GAP_TAG.finditer(gap):
            name = (tag.group(2) or "").lower()
            if not name or name in RAW_TEXT:
                return False
            if name != "hr" and self.md.is_block_level(name):
                change = -1 if tag.group(1) else 1
                open_tags[name] = max(0, open_tags.get(name, 0) + change)
        return True

    def _block_end(self, text: str, start: int, tag: str) -> int | None:
        """Where the raw block of `tag` opening at `start` ends, if it has the generated shape."""
        if tag == "hr" or not self.md.is_block_level(tag):
            return None
        depth = 0
        for edge in _pattern(rf"<(/?){tag}(?=[\s/>])(?:\s*(>))?").finditer(text, start):
            depth += -1 if edge.group(1) else 1
            if depth == 0:
                end = edge.end()
                html = text[start:end]
                if edge.group(2) == ">" and text.startswith("\n\n", end) and _plain(html):
                    return end
                return None
        return None


def _plain(html: str) -> bool:
    """Markup html.parser reads as tags only, with no self-closing tag (which Markdown would
    not count as opening its block) and no md_in_html attribute."""
    if "/>" in html or "markdown=" in html or NOT_A_TAG.search(html):
        return False
    return UNFINISHED_REFERENCE.search(html) is None


def on_config(config):
    if not any(isinstance(e, GeneratedBlocks) for e in config.markdown_extensions):
        config.markdown_extensions.append(GeneratedBlocks())  # once: i18n reruns on_config
    return config


ID = re.compile(r' id="([^"]*)"')  # as the templates write it


def on_page_content(html: str, page, config, files) -> str:
    """MkDocs collects the anchors of raw HTML before Markdown stashes it: the ids inside the
    blocks stashed above are added from the page's HTML, so links to them still validate."""
    page.present_anchor_ids |= {unescape(i) for i in ID.findall(html) if i}
    return html


@cache
def _pattern(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.IGNORECASE)
