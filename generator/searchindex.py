"""Material's search-index parser, giving the same sections in a fraction of the time.

Material for MkDocs splits every page into sections for its search index with a subclass of
`html.parser.HTMLParser`. On a large record that walk was most of a build: ten thousand event
cards in two languages are over half a million tags, each tokenized by html.parser and then
matched against Material's lists of kept and skipped tags through Python-level set operations.

`SearchParser` has Material's interface (`feed`, `close`, `data`) and replays Material's
handlers exactly (the quirks included: elements compare by tag name, so closing any `<div>`
inside an excluded `<div>` ends the exclusion), on tokens cut by one regular expression. HTML
of a shape the regular expression does not cover (a `<script>`, a stray `<`, a declaration)
is handed to Material's own parser whole, so the result never depends on the shortcut.
`tests/test_searchindex.py` holds every generated and hand-written page to that promise.
"""

from __future__ import annotations

import re
from html import escape, unescape

from material.plugins.search import plugin as material_search
from mkdocs.exceptions import PluginError

MATERIAL_PARSER = material_search.Parser  # as imported: use_for_material_search replaces it
HEADINGS = frozenset(f"h{level}" for level in range(1, 7))
# Material's own lists: tags whose text is never indexed, tags kept as markup, void tags
ALWAYS_SKIPPED = ("object", "script", "style")
KEPT = frozenset(("p", "code", "pre", "li", "ol", "ul", "sub", "sup"))
VOID = frozenset(material_search.void)

# Text up to the next tag; a start tag, an end tag or a comment in the strict form html.parser
# reads the same way; or any other "<", which sends the page to Material's parser.
_TOKEN = re.compile(
    r"(?P<text>[^<]+)"
    r"|<(?P<start>[a-zA-Z][-a-zA-Z0-9]*)"
    r"(?P<attrs>(?:\s+[^\s\"'<>/=]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+))?)*)"
    r"\s*(?P<selfclosing>/?)>"
    r"|</(?P<end>[a-zA-Z][-.a-zA-Z0-9:_]*)\s*>"
    r"|<!--.*?--\s*>"
    r"|(?P<other><)",
    re.S,
)
_ATTRIBUTE = re.compile(r"([^\s\"'<>/=]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+))?")
# Attributes Material's handlers read: a tag without these words gets no attributes parsed
_READ_ATTRIBUTES = re.compile(r"&|data-search-exclude|linenodiv|headerlink", re.I)


class _Unsupported(Exception):
    """The page has HTML outside the strict shapes: Material's parser reads it instead."""


class SearchParser:
    """Drop-in for `material.plugins.search.plugin.Parser` (see the module docstring)."""

    def __init__(self) -> None:
        self._chunks: list[str] = []
        self.data: list[material_search.Section] = []

    def feed(self, html: str) -> None:
        self._chunks.append(html)

    def close(self) -> None:
        html = "".join(self._chunks)
        try:
            self.data = _Walk().run(html)
        except _Unsupported:
            parser = MATERIAL_PARSER()
            parser.feed(html)
            parser.close()
            self.data = parser.data


class _Walk:
    """One pass over a page: Material's Parser handlers, with elements as (tag, attrs) pairs.

    `skipping` is Material's `skip.intersection(context)`, kept up to date on every change of
    either instead of computed for every piece of text."""

    def __init__(self) -> None:
        self.context: list[tuple[str, dict]] = []
        self.tags: list[str] = []  # the tags of `context`, for membership tests by name
        self.skip: set[str] = set(ALWAYS_SKIPPED)  # Material's skip set compares by tag name
        self.skipping = False
        self.section: material_search.Section | None = None
        self.data: list[material_search.Section] = []

    def run(self, html: str) -> list[material_search.Section]:
        for token in _TOKEN.finditer(html):
            kind = token.lastgroup
            if kind == "text":
                if not self.skipping:
                    self.text(unescape(token.group()))
            elif kind == "selfclosing":
                tag = token["start"].lower()
                if tag in ALWAYS_SKIPPED:  # raw-text elements: html.parser has a mode for them
                    raise _Unsupported
                attrs = token["attrs"]
                needed = tag in HEADINGS or (attrs and _READ_ATTRIBUTES.search(attrs))
                self.start(tag, _attributes(attrs) if needed else {})
                if token["selfclosing"]:
                    self.end(tag)
            elif kind == "end":
                self.end(token["end"].lower())
            elif kind == "other":
                raise _Unsupported
        return self.data

    def _update_skipping(self) -> None:
        skip = self.skip
        self.skipping = any(tag in skip for tag in self.tags)

    def _new_preface(self, depth: int = 0) -> None:
        self.section = material_search.Section(material_search.Element("hx"), depth)
        self.data.append(self.section)

    def _target(self) -> list[str]:
        section = self.section
        return section.title if section.el.tag in self.tags else section.text

    def start(self, tag: str, attrs: dict) -> None:
        if tag in VOID:
            return
        self.context.append((tag, attrs))
        self.tags.append(tag)
        if tag in self.skip:
            self.skipping = True
        if tag in HEADINGS and "id" in attrs:
            depth = len(self.context)
            if tag != "h1" and not self.data:
                self._new_preface(depth)
            self.section = material_search.Section(material_search.Element(tag, attrs), depth)
            if self.data:
                self.section.id = attrs["id"]
            self.data.append(self.section)
        if self.section is None:
            self._new_preface()
        if attrs and ("data-search-exclude" in attrs or attrs.get("class") == "linenodiv"):
            self.skip.add(tag)
            self.skipping = True  # the element just opened has that tag
            return
        if tag in KEPT and not self.skipping:
            self._target().append(f"<{tag}>")

    def end(self, tag: str) -> None:
        if not self.tags or self.tags[-1] != tag:
            return
        depth = len(self.context)
        if self.section.depth > depth:
            for section in reversed(self.data):
                if section.depth <= depth:
                    self.section.depth = float("inf")
                    self.section = section
                    break
        self.context.pop()
        self.tags.pop()
        if tag in self.skip:
            if tag not in ALWAYS_SKIPPED:
                self.skip.remove(tag)
            self._update_skipping()
            return
        if tag in KEPT and not self.skipping:
            data = self._target()
            index = data.index(f"<{tag}>")
            for i in range(index + 1, len(data)):
                if not data[i].isspace():
                    index = len(data)
                    break
            if len(data) > index:
                del data[index:]
            else:
                data.append(f"</{tag}>")

    def text(self, data: str) -> None:
        """Material's handle_data, called only when not skipping."""
        tags = self.tags
        if "pre" not in tags:
            data = " " if data.isspace() else data.replace("\n", " ")
        if self.section is None:
            self._new_preface()
        section = self.section
        if section.el.tag in tags:
            if not any(t == "a" and a.get("class") == "headerlink" for t, a in self.context):
                section.title.append(escape(data, quote=False))
        elif data.isspace():
            if not section.text or not section.text[-1].isspace() or "pre" in tags:
                section.text.append(data)
        else:
            section.text.append(escape(data, quote=False))


def _attributes(text: str) -> dict:
    """As html.parser gives them to Material: names lowercased, values unquoted and unescaped,
    a name without a value mapped to None, the last of repeated names winning."""
    attrs: dict = {}
    for match in _ATTRIBUTE.finditer(text):
        name, value = match.group(1).lower(), match.group(2)
        if value is not None:
            value = value[1:-1] if value[:1] in "\"'" else value
            value = unescape(value) if value else value
        attrs[name] = value
    return attrs


# Blocks the search plugin skips (base pages' event lists, the sources of every event card, the
# sources page's "cited by" lists) are emptied while it reads the page: walking them cost most
# of a 10,000-event build, only to drop what they hold. The page is untouched.
# Material matches excluded elements by tag name only, so a block holding an element of its own
# tag (an event list holding cards with their own <div>) is excluded correctly only by this
# set-aside: a marked block that cannot be matched to its end stops the build.
SEARCH_EXCLUDED = re.compile(r"<(div|dl)\b[^>]*\sdata-search-exclude[\s>]")
_TAG_EDGES = {tag: re.compile(rf"<(/?){tag}\b") for tag in ("div", "dl")}
SET_ASIDE_MARK = "<!--briefing:set-aside-->"


def set_aside_search_excluded(html: str) -> tuple[str, list[str]]:
    """Replace each data-search-exclude block's content with a marker; return the contents."""
    kept, blocks, position = [], [], 0
    for match in SEARCH_EXCLUDED.finditer(html):
        if match.start() < position:
            continue  # nested inside a block already set aside
        end = _closing(html, match.end(), match.group(1))
        if end is None:
            line = html.count("\n", 0, match.start()) + 1
            raise PluginError(
                f"a block marked data-search-exclude (line {line} of the page's HTML) is "
                f"never closed: its </{match.group(1)}> is missing from the template"
            )
        kept.append(html[position : match.end()])
        blocks.append(html[match.end() : end])
        position = end
    kept.append(html[position:])
    return SET_ASIDE_MARK.join(kept), blocks


def restore_search_excluded(html: str, blocks: list[str]) -> str:
    parts = html.split(SET_ASIDE_MARK)
    if len(parts) != len(blocks) + 1:
        raise PluginError("a block set aside from the search index could not be put back")
    return "".join(part + block for part, block in zip(parts, [*blocks, ""]))


def _closing(html: str, start: int, tag: str) -> int | None:
    """Where the element whose opening tag ends at `start` is closed (index of its end tag)."""
    depth = 1
    for match in _TAG_EDGES[tag].finditer(html, start):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            return match.start()
    return None


def use_for_material_search() -> None:
    """Make Material's search plugin build its sections with SearchParser (this process only)."""
    material_search.Parser = SearchParser
