"""Hand generated HTML blocks to Python-Markdown as they are, without parsing them again.

A generated page is mostly raw HTML: event cards, event lists, tables. To find where a raw
block ends, Python-Markdown feeds it through html.parser, and MkDocs feeds the page through
it once more to collect anchors; at ten thousand events that was nearly all the Markdown time
of a build. The generator writes these blocks in one shape: the opening tag at the start of a
line after a blank one, the matching closing tag at the end of a line before a blank one,
outside any other raw block or comment. Their end can then be found by counting tags, and
they go straight into Markdown's HTML stash, exactly where its own block parser would have
put them. A block of any other shape is left to Markdown, so the output is the same either
way (tests/test_rawblocks.py).
"""

from __future__ import annotations

import re
from functools import cache
from html import unescape

from markdown import Markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

# Block-level tags the templates open raw HTML blocks with.
TAGS = ("article", "div", "table", "figure", "details", "section")
_OPENING = re.compile(rf"<({'|'.join(TAGS)})[\s>]")
_OPENING_TAG = {tag: re.compile(rf"<{tag}[\s>]") for tag in TAGS}


class GeneratedBlocks(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        # before MkDocs' anchor collector (21) and Markdown's own raw HTML parser (20)
        md.preprocessors.register(StashGeneratedBlocks(md), "briefing_generated_blocks", 25)
        md.preprocessors.register(KnownAnchors(md), "briefing_known_anchors", 20.5)


class StashGeneratedBlocks(Preprocessor):
    def __init__(self, md: Markdown):
        super().__init__(md)
        self.anchor_ids: set[str] = set()

    def run(self, lines: list[str]) -> list[str]:
        self.anchor_ids = set()
        edges = _edges(tuple(self.md.block_level_elements))
        open_tags: dict[str, int] = {}  # raw HTML Markdown would still be inside, by tag
        in_comment = False
        out: list[str] = []
        i = 0
        while i < len(lines):
            at_top = not in_comment and not any(open_tags.values())
            at_top = at_top and (i == 0 or not lines[i - 1].strip())
            end = _block_end(lines, i) if at_top else None
            if end is None:
                line = lines[i]
                for closing, tag in edges.findall(line):  # conservative: an unclosed <p> or
                    change = -1 if closing else 1  # <li> only stops stashing for the page
                    open_tags[tag] = max(0, open_tags.get(tag, 0) + change)
                if "-->" in line or "<!--" in line:  # inside a comment until it closes
                    in_comment = line.rfind("<!--") > line.rfind("-->")
                out.append(line)
                i += 1
                continue
            html = "\n".join(lines[i : end + 1])
            self.anchor_ids.update(map(unescape, re.findall(r'\sid="([^"]+)"', html)))
            out.append(self.md.htmlStash.store(html + "\n"))  # as Markdown stores it
            i = end + 1
        return out


@cache
def _edges(block_tags: tuple[str, ...]) -> re.Pattern:
    """Opening and closing tags of Markdown's block-level elements (not void <hr>)."""
    names = "|".join(sorted((t for t in block_tags if t != "hr"), key=len, reverse=True))
    return re.compile(rf"<(/?)({names})(?=[\s>/])", re.IGNORECASE)


def _block_end(lines: list[str], start: int) -> int | None:
    """The line that closes the raw block opened at `start`, if it has the generated shape."""
    match = _OPENING.match(lines[start])
    if match is None:
        return None
    opening, closing = _OPENING_TAG[match.group(1)], f"</{match.group(1)}>"
    depth = 0
    for i in range(start, len(lines)):
        line = lines[i]
        depth += len(opening.findall(line)) - line.count(closing)
        if depth <= 0:
            closed = depth == 0 and line.endswith(closing)
            followed_by_blank = i + 1 == len(lines) or not lines[i + 1].strip()
            return i if closed and followed_by_blank else None
    return None


class KnownAnchors(Preprocessor):
    """Tell MkDocs the ids inside the stashed blocks, which its own parser no longer sees, so
    that links to them still validate."""

    def run(self, lines: list[str]) -> list[str]:
        if "mkdocs_raw_html" in self.md.preprocessors:
            stashed = self.md.preprocessors["briefing_generated_blocks"].anchor_ids
            self.md.preprocessors["mkdocs_raw_html"].present_anchor_ids |= stashed
        return lines
