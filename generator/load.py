"""Read YAML files into plain values while remembering where each value came from.

PyYAML's constructors follow YAML 1.1 and quietly turn `NO` into False, `12:30` into 750
and `2025-11-12` into a date, and they keep the last of two duplicate keys. We compose the
node tree (with the C parser when present) and build the values ourselves, so that every
value keeps its line and column and every surprise becomes a reported problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.errors import Problem

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """The safe loader, with the tag of a plain scalar looked up once per distinct text.

    Resolving tries each of YAML's implicit patterns on every scalar; data files repeat the
    same few (type names, enum values, dates), and the composer asked again for each one.
    Path resolvers are not used (none is registered), so descending and ascending are no-ops.
    """

    _plain_tags: dict[str, str] = {}  # short plain scalar -> its tag

    def resolve(self, kind, value, implicit):
        # what the base resolver answers when no path resolver is registered
        if kind is yaml.MappingNode:
            return _MAP
        if kind is yaml.SequenceNode:
            return _SEQ
        if not implicit[0]:
            return _STR  # quoted
        if len(value) > 40:
            return super().resolve(kind, value, implicit)  # free text: not repeated
        tag = self._plain_tags.get(value)
        if tag is None:
            tag = self._plain_tags[value] = super().resolve(kind, value, implicit)
        return tag

    def descend_resolver(self, current_node, current_index):
        pass

    def ascend_resolver(self):
        pass


MAX_FILE_BYTES = 256 * 1024
FieldPath = tuple[str | int, ...]

_PLAIN_INT = re.compile(r"^[-+]?(0|[1-9][0-9]*)$")
_PLAIN_FLOAT = re.compile(r"^[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$")
_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


def field_name(path: FieldPath) -> str:
    """('figures', 0, 'source') -> 'figures[0].source'."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


@dataclass
class Document:
    """One parsed data file: its values and the position of each of them."""

    path: Path
    display: str
    data: Any
    value_marks: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)

    def position(self, path: FieldPath, *, key: bool = False) -> tuple[int, int]:
        """The line and column of a field, or of its nearest ancestor that exists."""
        marks = (self.key_marks, self.value_marks) if key else (self.value_marks, self.key_marks)
        probe = tuple(path)
        while True:
            for table in marks:
                if probe in table:
                    return table[probe]
            if not probe:
                return (1, 1)
            probe = probe[:-1]

    def problem(
        self, path: FieldPath, message: str, hint: str = "", *, key: bool = False, **kw: Any
    ) -> Problem:
        line, column = self.position(path, key=key)
        return Problem(self.display, line, column, field_name(path), message, hint, **kw)


class _Builder:
    """Turns a composed node tree into dicts, lists and scalars, recording problems."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.problems: list[Problem] = []
        self.seen: set[int] = set()
        self.alias_reported = False

    def _here(self, node: yaml.Node) -> tuple[int, int]:
        return (node.start_mark.line + 1, node.start_mark.column + 1)

    def _report(self, node: yaml.Node, path: FieldPath, message: str, hint: str) -> None:
        line, column = self._here(node)
        self.problems.append(
            Problem(self.doc.display, line, column, field_name(path), message, hint)
        )

    def build(self, node: yaml.Node, path: FieldPath, at: yaml.Node | None = None) -> Any:
        if id(node) in self.seen:
            if self.alias_reported:
                return None  # one report per file: a "billion laughs" file stays one line
            self.alias_reported = True
            self._report(
                at or node,
                path,
                "YAML anchors and aliases (&name, *name) are not allowed",
                "write the value out in full; data files stay plain so that every "
                "value is visible where it is used",
            )
            return None
        self.seen.add(id(node))
        self.doc.value_marks[path] = self._here(node)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                self._report(
                    node, path, f"explicit YAML tag {node.tag} is not allowed", "remove the tag"
                )
            return [self.build(item, path + (i,), node) for i, item in enumerate(node.value)]
        return self._scalar(node, path)

    def _mapping(self, node: yaml.MappingNode, path: FieldPath) -> dict[str, Any]:
        if node.tag != _MAP:
            self._report(
                node, path, f"explicit YAML tag {node.tag} is not allowed", "remove the tag"
            )
        result: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self._report(key_node, path, "a key must be a plain name", "write `name: value`")
                continue
            key = str(key_node.value)
            if key == "<<":
                self._report(
                    key_node,
                    path,
                    "YAML merge keys (<<) are not allowed",
                    "write the fields out in full",
                )
                continue
            if key in first_seen:
                self._report(
                    key_node,
                    path + (key,),
                    f"duplicate key '{key}' (first at line {first_seen[key]})",
                    "remove one of them: YAML would silently keep only the last",
                )
                continue
            first_seen[key] = key_node.start_mark.line + 1
            self.doc.key_marks[path + (key,)] = self._here(key_node)
            result[key] = self.build(value_node, path + (key,), key_node)
        return result

    def _scalar(self, node: yaml.ScalarNode, path: FieldPath) -> Any:
        raw = node.value
        tag = node.tag
        if node.style or tag == _STR:
            if tag != _STR:
                self._report(
                    node, path, f"explicit YAML tag {tag} is not allowed", "remove the tag"
                )
            return raw
        if tag == _NULL:
            return None
        if tag == _BOOL:
            if raw.lower() in ("true", "false"):
                return raw.lower() == "true"
            return self._ambiguous(node, path, raw, f"a boolean ({raw.lower() in _TRUTHY})")
        if tag == _INT:
            if _PLAIN_INT.match(raw):
                return int(raw)
            value = yaml.SafeLoader.construct_yaml_int(yaml.SafeLoader(""), node)
            return self._ambiguous(node, path, raw, f"the number {value}")
        if tag == _FLOAT:
            if _PLAIN_FLOAT.match(raw):
                return float(raw)
            return self._ambiguous(node, path, raw, "a special or sexagesimal number")
        if tag == _TIMESTAMP:
            return raw  # dates stay text; date fields check their own format
        self._report(node, path, f"explicit YAML tag {tag} is not allowed", "remove the tag")
        return raw

    def _ambiguous(self, node: yaml.Node, path: FieldPath, raw: str, reading: str) -> str:
        self._report(
            node,
            path,
            f"unquoted '{raw}' is read by YAML 1.1 tools as {reading}",
            f'put it in quotes ("{raw}") if you mean text, or write plain digits / true / false',
        )
        return raw


_TRUTHY = ("yes", "y", "on")


def _decode(path: Path, display: str, blob: bytes) -> tuple[str | None, list[Problem]]:
    if len(blob) > MAX_FILE_BYTES:
        return None, [
            Problem(
                display,
                1,
                1,
                "",
                f"file is {len(blob) // 1024} KB, over the limit of {MAX_FILE_BYTES // 1024} KB",
                "a data file holds one record; split it or shorten its texts",
            )
        ]
    if blob.startswith(b"\xef\xbb\xbf"):
        blob = blob[3:]
    try:
        return blob.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = blob[: exc.start].count(b"\n") + 1
        column = exc.start - (blob.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [
            Problem(
                display,
                line,
                column,
                "",
                f"file is not valid UTF-8 (byte 0x{blob[exc.start]:02x})",
                "save the file as UTF-8 in your editor",
            )
        ]


def load_document(path: Path, display: str | None = None) -> tuple[Document | None, list[Problem]]:
    """Parse one YAML file. Returns the document (None if unreadable) and its problems."""
    return parse_bytes(path, display or str(path), path.read_bytes())


def parse_bytes(path: Path, display: str, blob: bytes) -> tuple[Document | None, list[Problem]]:
    text, problems = _decode(path, display, blob)
    if text is None:
        return None, problems
    return parse_text(text, path, display)


def parse_text(text: str, path: Path, display: str) -> tuple[Document | None, list[Problem]]:
    try:
        node = yaml.compose(text, Loader=Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or "invalid YAML"
        if exc.context:
            what = f"{exc.context}, {what}"
        hint = "check indentation (spaces, not tabs), colons and quotes on this line and the one before"
        if "expected a single document" in str(exc):
            what, hint = (
                "file holds more than one YAML document",
                "keep one record per file; remove '---'",
            )
        return None, [Problem(display, line, column, "", f"YAML syntax error: {what}", hint)]
    except yaml.YAMLError as exc:
        return None, [Problem(display, 1, 1, "", f"YAML error: {exc}", "check the file's syntax")]
    if node is None:
        return None, [
            Problem(
                display, 1, 1, "", "file is empty", "write the record's fields, or delete the file"
            )
        ]
    doc = Document(path=path, display=display, data=None)
    builder = _Builder(doc)
    doc.data = builder.build(node, ())
    return doc, builder.problems
