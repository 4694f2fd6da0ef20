"""generator/mkdocs_speedups.py changes how fast the site is built, never what is built."""

from __future__ import annotations

import re
from pathlib import Path

import markdown
import pytest

from generator import mkdocs_speedups
from generator.build import build_date, generate, validated
from generator.cache import OutputCache
from generator.mkdocs_hooks import build_html
from generator.mkdocs_speedups import GeneratedBlocks
from generator.write import write_tree
from tests.conftest import FIXTURES, ROOT
from tests.test_drawing import private_attributes

HOOKS = "  - generator/mkdocs_hooks.py\n"
SPEEDUPS = "  - generator/mkdocs_speedups.py\n"
EXTENSIONS = ["toc", "attr_list", "tables", "fenced_code"]  # mkdocs.yml's and MkDocs' own
FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)  # MkDocs reads it as metadata


def site_config(folder: Path, speedups: bool) -> Path:
    """mkdocs.yml, with or without the speedups hooks, in `folder` (beside a link to the
    generator, so that the hooks' relative paths resolve)."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8").replace(SPEEDUPS, "")
    assert HOOKS in text
    folder.mkdir(parents=True)
    (folder / "generator").symlink_to(ROOT / "generator")
    config = folder / "mkdocs.yml"
    config.write_text(text.replace(HOOKS, HOOKS + SPEEDUPS if speedups else HOOKS), "utf-8")
    return config


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, tuple[Path, Path, Path]]:
    """The mini fixture and the real data: each docs tree, and its site built strictly
    without and with the speedups."""
    work = tmp_path_factory.mktemp("speedups")
    trees = {}
    for name, data in (("mini", FIXTURES / "mini"), ("real", ROOT / "data")):
        dataset, _ = validated(data)
        docs = work / name / "docs"
        write_tree(docs, generate(dataset, OutputCache(work / "cache")).files)
        sites = []
        for speedups in (False, True):
            site = work / name / f"site-{speedups}"
            config = site_config(work / name / f"config-{speedups}", speedups)
            build_html(config, docs, site, build_date(dataset))  # strict: fails on a warning
            sites.append(site)
        trees[name] = (docs, *sites)
    return trees


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("name", ["mini", "real"])
def test_every_page_is_the_same_with_the_speedups(built, name):
    _, without, with_speedups = built[name]
    expected, actual = files(without), files(with_speedups)
    assert sorted(actual) == sorted(expected)
    assert "sources/index.html" in actual
    assert [path for path in expected if actual[path] != expected[path]] == []


def pages(docs: Path) -> list[tuple[Path, str]]:
    return [
        (page, FRONT_MATTER.sub("", page.read_text(encoding="utf-8")))
        for page in sorted(docs.rglob("*.md"))
    ]


@pytest.mark.parametrize("name", ["mini", "real"])
def test_event_cards_and_tables_reach_the_html_stash_without_markdowns_html_parser(built, name):
    for page, text in pages(built[name][0]):
        md = markdown.Markdown(extensions=[*EXTENSIONS, GeneratedBlocks()])
        md.preprocessors.deregister("html_block")  # what is stashed now, the extension stashed
        md.convert(text)
        stashed = "".join(md.htmlStash.rawHtmlBlocks)
        for tag in ("<article", "<table", "<section"):
            assert stashed.count(tag) == text.count(tag), (page, tag)


def test_links_to_anchors_inside_stashed_blocks_still_validate(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs/index.md").write_text(
        '# Events\n\n<article class="bf-event" id="ev-1">\n<p>A card.</p>\n</article>\n',
        encoding="utf-8",
    )
    link = tmp_path / "docs/links.md"
    link.write_text("# Links\n\n[The card](index.md#ev-1)\n", encoding="utf-8")
    config = tmp_path / "mkdocs.yml"
    hooks = ROOT / "generator/mkdocs_speedups.py"
    config.write_text(
        f"site_name: t\nvalidation:\n  anchors: warn\nhooks:\n  - {hooks}\n", encoding="utf-8"
    )
    build_html(config, tmp_path / "docs", tmp_path / "site", "0")  # strict

    from mkdocs.exceptions import Abort

    link.write_text("# Links\n\n[No card](index.md#ev-2)\n", encoding="utf-8")
    with pytest.raises(Abort):  # the check itself still works
        build_html(config, tmp_path / "docs", tmp_path / "site", "0")


def convert(text: str, speedups: bool) -> str:
    extensions = [*EXTENSIONS, GeneratedBlocks()] if speedups else EXTENSIONS
    return markdown.markdown(text, extensions=extensions)


@pytest.mark.parametrize(
    "text",
    [
        # the generated shape, with blank lines inside and a nested block of the same tag
        '# T\n\n<div class="bf-events">\n<article id="a">\n<p>a &amp; b</p>\n</article>\n\n'
        '<article id="b">\n<div>b</div>\n</article>\n</div>\n\nAfter *text*.\n',
        # a block opened without a blank line before it: the cards inside belong to it
        '## Month\n<div class="bf-events">\n<article id="a">\n<p>a</p>\n</article>\n\n'
        '<article id="b">\n<p>b</p>\n</article>\n</div>\n\nAfter *text*.\n',
        # text right after the closing tag; a block opening the page
        '# T\n\n<div class="x">\n<p>a</p>\n</div>\n<p>tail</p>\n\nNext.\n',
        '<div class="x">\n<p>a</p>\n</div>\n\n*Next*.\n',
        # a block that never closes
        '# T\n\n<article id="a">\n<p>a</p>\n\nStill *markdown*?\n',
        # the same tag nested, and a closing tag in the middle of a line
        '# T\n\n<div class="o">\n<div class="i">x</div>\n</div>\n\n<div>y</div> z\n',
        # a block inside raw HTML still open, which it even closes
        '# T\n\n<div>\n\n<section class="x">\n</div>\n</section>\n\nAfter *x*.\n',
        # a raw block of another tag, or a comment, holding a blank line and then a block
        '# T\n\n<ul>\n<li>a</li>\n\n<div class="x">\n<p>b</p>\n</div>\n\n</ul>\n\nAfter.\n',
        '# T\n\n<!-- note\n\n<div class="x">\n<p>b</p>\n</div>\n\n-->\n\nAfter.\n',
        '# T\n\n<pre>\ncode\n\n<div class="x">\n</div>\n\n</pre>\n',
        # a tag only mentioned in code, or in an indented code block
        'Use `<div>` here.\n\n<div class="x">\n<p>a</p>\n</div>\n\nAfter.\n',
        "Code:\n\n    <div>\n\n<div>\n<p>a</p>\n</div>\n\nAfter.\n",
        # what html.parser does not give back as written, or Markdown changes first
        '# T\n\n<div class="x">\n<p>AT&T &amp co &#39 x</p>\n</div>\n\nAfter.\n',
        '# T\n\n<div class="x">\n<!-- c --><p>a</p>\n</div>\n\nAfter.\n',
        '# T\n\n<div class="x">\n<script>var s = "</div>";</script>\n</div>\n\nAfter.\n',
        '# T\n\n<div class="x">\n<div/>\n</div>\n\n<p>b</p>\n</div>\n\nAfter.\n',
        '# T\n\n<div class="x">\n<p>a\tb</p>\n</div>\n\nAfter.\n',
        '# T\n\n<div class="x">\r\n<p>a</p>\r\n</div>\r\n\r\nAfter.\n',
        '# T\n\n<div class="x">\n<p>a</p>\n   \n<p>b</p>\n</div>\n   \n```\n<div>\n```\n',
        '# T\n\n<div class="x">\n<p>\x02wzxhzdk:0\x03</p>\n</div>\n\nAfter.\n',
    ],
)
def test_blocks_of_any_shape_give_what_markdown_gives(text):
    assert convert(text, True) == convert(text, False)


def test_the_speedups_use_only_public_apis_and_patch_nothing():
    source = Path(mkdocs_speedups.__file__).read_text(encoding="utf-8")
    assert private_attributes(source) == []
    imports = re.findall(r"^(?:from \S+ )?import (.+)$", source, re.MULTILINE)
    names = [name.strip() for line in imports for name in line.split(",")]
    assert [name for name in names if name.startswith("_")] == []
    assert [name for name in names if re.search(rf"\b{name}\.[\w.]+ *=[^=]", source)] == []
