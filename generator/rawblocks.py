"""Hand generated HTML blocks to Python-Markdown as they are, without parsing them again.

A generated page is mostly raw HTML: event cards, event lists, tables. To find where a raw
block ends, Python-Markdown feeds it through html.parser, and MkDocs feeds the page through
it once more to collect anchors; at ten thousand events that was nearly all the Markdown time
of a build. The generator writes these blocks in one shape: the opening tag at the start of a
line after a blank one, the matching closing tag at the end of a line before a blank one,
outside any other raw block or comment. Their end can then be found by counting tags, and
they go straight into Markdown's HTML stash, exactly where its own block parser would have
put them, before Markdown's passes over the whole page (whitespace, fenced code) see them. A
block of any other shape, or one those passes would change, is left to Markdown, so the
output is the same either way (tests/test_rawblocks.py).
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
# a block's tag opening (not across a line's end: lines are read one by one) or closing
_TAG_EDGES = {tag: re.compile(rf"<(?:{tag}(?:[^\S\n]|>)|/{tag}>)") for tag in TAGS}


class GeneratedBlocks(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        # Blocks are set aside first of all, before Markdown's whitespace clean-up (30) and
        # fenced code (25), which each made a pass over the whole page; they go into the HTML
        # stash right after the clean-up, which would have removed the stash's placeholder
        # marks; all before MkDocs' anchor collector (21) and Markdown's raw HTML parser (20).
        blocks = SetAsideGeneratedBlocks(md)
        md.preprocessors.register(blocks, "briefing_generated_blocks", 35)
        md.preprocessors.register(StashGeneratedBlocks(md, blocks), "briefing_stash_blocks", 29)
        md.preprocessors.register(KnownAnchors(md), "briefing_known_anchors", 20.5)


class SetAsideGeneratedBlocks(Preprocessor):
    """Each generated block becomes one line holding a token, until StashGeneratedBlocks."""

    TOKEN = "\x01briefing-block:{}\x01"  # a page holding \x01 is left to Markdown

    def __init__(self, md: Markdown):
        super().__init__(md)
        self.blocks: dict[str, str] = {}

    def run(self, lines: list[str]) -> list[str]:
        self.blocks = {}
        text = "\n".join(lines)
        if "\x01" in text:
            return lines
        edges = _edges(tuple(self.md.block_level_elements))
        open_tags: dict[str, int] = {}  # raw HTML Markdown would still be inside, by tag
        in_comment = False
        out: list[str] = []
        i = offset = 0  # offset: where line i starts in `text`
        while i < len(lines):
            at_top = not in_comment and not any(open_tags.values())
            at_top = at_top and (i == 0 or not lines[i - 1].strip())
            end = _block_end(text, lines, i, offset) if at_top else None
            html = "\n".join(lines[i : end + 1]) if end is not None else ""
            if end is None or _unclean(html):  # (what the clean-up would change: left to it)
                line = lines[i]
                for closing, tag in edges.findall(line):  # conservative: an unclosed <p> or
                    change = -1 if closing else 1  # <li> only stops stashing for the page
                    open_tags[tag] = max(0, open_tags.get(tag, 0) + change)
                if "-->" in line or "<!--" in line:  # inside a comment until it closes
                    in_comment = line.rfind("<!--") > line.rfind("-->")
                out.append(line)
                offset += len(line) + 1
                i += 1
                continue
            token = self.TOKEN.format(len(self.blocks))
            self.blocks[token] = html
            out.append(token)
            offset += len(html) + 1
            i = end + 1
        return out


class StashGeneratedBlocks(Preprocessor):
    """The blocks set aside go into Markdown's HTML stash, where its own block parser would
    have put them."""

    def __init__(self, md: Markdown, set_aside: SetAsideGeneratedBlocks):
        super().__init__(md)
        self.set_aside = set_aside
        self.anchor_ids: set[str] = set()

    def run(self, lines: list[str]) -> list[str]:
        self.anchor_ids = set()
        blocks = self.set_aside.blocks
        if not blocks:
            return lines
        out = []
        for line in lines:
            html = blocks.get(line)
            if html is None:
                out.append(line)
                continue
            self.anchor_ids.update(_ids(html))
            out.append(self.md.htmlStash.store(html + "\n"))  # as Markdown stores it
        return out


_SPACES_ONLY_LINE = re.compile(r"\n +\n")
_ID = re.compile(r'id="([^"]*)"')  # a literal start: found far faster than r'\sid=...'


def _ids(html: str) -> set[str]:
    """The values of the id attributes in a block (not data-id= and the like)."""
    return {
        unescape(match.group(1))
        for match in _ID.finditer(html)
        if match.group(1) and match.start() and html[match.start() - 1].isspace()
    }


def _unclean(html: str) -> bool:
    """Whether the block holds what Markdown's whitespace clean-up changes: tabs, carriage
    returns, its own placeholder marks, a line of only spaces (a block starts with its tag
    and ends with one, so such a line is inside it)."""
    if "\t" in html or "\r" in html or "\x02" in html or "\x03" in html:
        return True
    return "\n " in html and _SPACES_ONLY_LINE.search(html) is not None


@cache
def _edges(block_tags: tuple[str, ...]) -> re.Pattern:
    """Opening and closing tags of Markdown's block-level elements (not void <hr>)."""
    names = "|".join(sorted((t for t in block_tags if t != "hr"), key=len, reverse=True))
    return re.compile(rf"<(/?)({names})(?=[\s>/])", re.IGNORECASE)


def _block_end(text: str, lines: list[str], start: int, offset: int) -> int | None:
    """The line that closes the raw block opened at line `start` (at `offset` in the joined
    `text`), if it has the generated shape: the first line at whose end the block's tag is
    closed as often as it was opened, ending with the closing tag and followed by a blank line
    (or the end of the page). One regular expression finds the tags, not two per line."""
    match = _OPENING.match(lines[start])
    if match is None:
        return None
    tag = match.group(1)
    depth, line, seen = 0, start, offset
    for edge in _TAG_EDGES[tag].finditer(text, offset):
        here = line + text.count("\n", seen, edge.start())
        seen = edge.start()
        if here != line:
            if depth <= 0:  # balanced at the end of the last line that had the tag
                break
            line = here
        depth += -1 if edge.group()[1] == "/" else 1
    if depth > 0:
        return None
    closed = depth == 0 and lines[line].endswith(f"</{tag}>")
    followed_by_blank = line + 1 == len(lines) or not lines[line + 1].strip()
    return line if closed and followed_by_blank else None


class KnownAnchors(Preprocessor):
    """Tell MkDocs the ids inside the stashed blocks, which its own parser no longer sees, so
    that links to them still validate."""

    def run(self, lines: list[str]) -> list[str]:
        if "mkdocs_raw_html" in self.md.preprocessors:
            stashed = self.md.preprocessors["briefing_stash_blocks"].anchor_ids
            self.md.preprocessors["mkdocs_raw_html"].present_anchor_ids |= stashed
        return lines
