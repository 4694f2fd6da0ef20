"""The search index is cut into the same sections as Material's own parser cuts it, only faster."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.searchindex import MATERIAL_PARSER as MaterialParser
from generator.searchindex import (
    SearchParser,
    _Walk,
    set_aside_search_excluded,
    use_for_material_search,
)
from tests.test_rawblocks import convert

ROOT = Path(__file__).parent.parent


def sections(parser_class, html: str) -> list[tuple]:
    """What Material's index takes from each section, and the fields that decide it."""
    parser = parser_class()
    parser.feed(html)
    parser.close()
    return [
        (s.is_excluded(), s.id, s.el.tag, s.depth, "".join(s.title), "".join(s.text))
        for s in parser.data
    ]


def test_every_generated_and_written_page_gives_materials_sections_without_falling_back(
    generated_pages,
):
    pages = generated_pages + sorted((ROOT / "docs").rglob("*.md"))
    for page in pages:
        html, _ = convert(page.read_text(encoding="utf-8"), True)
        for shown_to_search in (html, set_aside_search_excluded(html)[0]):
            _Walk().run(shown_to_search)  # raises if the page needed Material's parser
            expected = sections(MaterialParser, shown_to_search)
            assert sections(SearchParser, shown_to_search) == expected, page


@pytest.mark.parametrize(
    "html",
    [
        # text before any tag, then sections at several levels, a heading without an id
        'Preface &amp; more\n<h2 id="a">A <em>b</em></h2>\n<p>one</p>\n<h3>no id</h3><p>two</p>',
        '<h1 id="t">Title</h1><p>x</p><h2 id="s">S</h2><p>y</p>',
        # a heading nested in an element: leaving the element returns to the outer section
        '<h2 id="o">O</h2><p>a</p><div><h3 id="i">I</h3><p>b</p></div><p>after</p>',
        '<div><div><h2 id="deep">D</h2>x</div>y</div>z<h2 id="n">N</h2>w',
        # permalinks are not part of a title; kept tags inside a title are
        '<h2 id="p">Pl <a class="headerlink" href="#p">&para;</a><code>c</code></h2>t',
        # whitespace: collapsed outside <pre>, kept inside; empty kept tags dropped
        "<p>a\nb</p>\n\n\n<p>  </p><pre>x\n  y\n\n</pre><ul>\n<li>i</li>\n</ul><p></p>",
        # exclusion, and Material's quirk: closing any <div> inside an excluded <div> ends it
        "<div data-search-exclude><div>in</div>leaks</div><p>out</p>",
        '<dl data-search-exclude><dt>x</dt></dl><pre class="linenodiv">1\n2</pre><p>y</p>',
        '<DIV DATA-SEARCH-EXCLUDE="">hidden</DIV><P>Upper</P>',
        # void and self-closing tags, attributes in every spelling, repeated names
        '<p>a<br>b<img src=x alt=\'y\'>c<br/></p><div class="a" class="linenodiv"/>d<p>e</p>',
        '<h2 id=\'q\' ID="r">Q</h2><a href=u title="&quot;t&quot;" hidden>x</a>',
        # comments, including one closed by "-- >"
        "<!-- a <p>not a tag</p> --><p>x</p><!-- b -- >y<p>z</p>",
        # entities in text and a kept tag whose opening appears twice in the section
        "<p>&lt;tag&gt; &#x627;</p><p>second</p><sub>s</sub><sup></sup>",
        # shapes the fast path leaves to Material's parser
        '<p>1 < 2</p><script>var s = "<p>";</script><h2 id="x">X</h2>',
        "<!DOCTYPE html><p>a</p><style>p{}</style><?pi?><p>b</p>",
        '<p a"b="c">x</p><p>y',
        "",
    ],
)
def test_edge_shapes_give_materials_sections(html):
    assert sections(SearchParser, html) == sections(MaterialParser, html)


def test_unusual_html_goes_to_materials_parser_whole():
    from generator.searchindex import _Unsupported

    for html in ("<p>1 < 2</p>", "<script>x</script>", "<!DOCTYPE html>"):
        with pytest.raises(_Unsupported):
            _Walk().run(html)


def test_unusual_html_still_reaches_materials_parser_once_ours_replaced_it():
    use_for_material_search()  # as every build does, in this process
    html = "<p>1 < 2</p><h2 id='x'>X</h2>"
    assert sections(SearchParser, html) == sections(MaterialParser, html)
