"""Generated HTML blocks skip Markdown's HTML parser and come out exactly as Markdown's own
raw HTML handling would give them."""

from __future__ import annotations

from pathlib import Path

import markdown
import pytest
from mkdocs.structure.pages import _RawHTMLPreprocessor

from generator.rawblocks import GeneratedBlocks

ROOT = Path(__file__).parent.parent
EXTENSIONS = ["toc", "attr_list", "tables", "fenced_code"]  # mkdocs.yml's and MkDocs' own


def convert(text: str, stash_blocks: bool) -> tuple[str, markdown.Markdown]:
    md = markdown.Markdown(extensions=EXTENSIONS + ([GeneratedBlocks()] if stash_blocks else []))
    _RawHTMLPreprocessor()._register(md)  # MkDocs' anchor collector, as in a build
    return md.convert(text), md


def test_every_generated_and_written_page_converts_to_the_same_html(generated_pages):
    pages = generated_pages + sorted((ROOT / "docs").rglob("*.md"))
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert convert(text, True)[0] == convert(text, False)[0], page


def test_event_cards_reach_the_output_without_the_html_parser(generated_pages):
    page = next(
        p
        for p in generated_pages
        if "chronology" in p.as_posix() and "<article" in p.read_text(encoding="utf-8")
    )
    _, md = convert(page.read_text(encoding="utf-8"), True)
    stashed = md.htmlStash.rawHtmlBlocks
    assert any(block.startswith('<div class="bf-events">') for block in stashed)


def test_ids_inside_stashed_blocks_still_count_as_anchors_for_link_checks():
    text = '# T\n\n<article class="bf-event" id="ev-1">\n<p id="a&amp;b">x</p>\n</article>\n'
    _, md = convert(text, True)
    assert {"ev-1", "a&b"} <= md.preprocessors["mkdocs_raw_html"].present_anchor_ids


@pytest.mark.parametrize(
    "text",
    [
        # a block opened without a blank line before it: the cards inside belong to it
        '## Month\n<div class="bf-events">\n<article id="a">\n<p>a</p>\n</article>\n\n'
        '<article id="b">\n<p>b</p>\n</article>\n</div>\n\nAfter *text*.\n',
        # text right after the closing tag
        '<div class="x">\n<p>a</p>\n</div>\n<p>tail</p>\n\nNext.\n',
        # a block that never closes
        '<article id="a">\n<p>a</p>\n\nStill *markdown*?\n',
        # the same tag nested, and a closing tag in the middle of a line
        '<div class="o">\n<div class="i">x</div>\n</div>\n\n<div>y</div> z\n',
        # a raw block of another tag, or a comment, holding a blank line and then a block
        '<ul>\n<li>a</li>\n\n<div class="x">\n<p>b</p>\n</div>\n\n</ul>\n\nAfter.\n',
        '<!-- note\n\n<div class="x">\n<p>b</p>\n</div>\n\n-->\n\nAfter.\n',
        '<pre>\ncode\n\n<div class="x">\n</div>\n\n</pre>\n',
        # a tag only mentioned in code
        'Use `<div>` here.\n\n<div class="x">\n<p>a</p>\n</div>\n',
        # what Markdown's whitespace clean-up changes: tabs, carriage returns, blank-ish lines
        '<div class="x">\n<p>a\tb</p>\n</div>\n\nAfter.\n',
        '<div class="x">\r\n<p>a</p>\r\n</div>\r\n\r\nAfter.\n',
        '<div class="x">\n<p>a</p>\n   \n<p>b</p>\n</div>\n\nAfter.\n',
        '<div class="x">\n<p>a</p>\n</div>\n   \n```\ncode\n```\n',
        # the mark that holds a set-aside block's place, already in the page
        '<div class="x">\n<p>a</p>\n</div>\n\n\x01briefing-block:0\x01\n',
        '<div class="x">\n<p>\x02wzxhzdk:0\x03</p>\n</div>\n\nAfter.\n',
    ],
)
def test_blocks_of_other_shapes_give_what_markdown_gives(text):
    assert convert(text, True)[0] == convert(text, False)[0]
