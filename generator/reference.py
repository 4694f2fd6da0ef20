"""The data-format reference (docs/data-format.md), generated from the JSON Schemas.

The schemas in generator/schemas/ are the single description of the format; this module turns
them into one table per file kind, with nested fields under dotted names (`place.name`,
`figures[].source`) and every `$ref` resolved. Shared objects of common.schema.json (text in
both languages, a location) are described once, and fields that use them link there.

    python -m generator.reference > docs/data-format.md

tests/test_reference.py fails when the committed page differs from what this prints.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.schema import SCHEMA_DIR

COMMON = "common.schema.json"
# Where each kind of file lives, in the order editors need them.
FILE_KINDS = {
    "event.schema.json": "data/events/<yyyy>/<id>.yaml",
    "source.schema.json": "data/sources/<id>.yaml",
    "base.schema.json": "data/bases/<id>.yaml",
    "taxonomy.schema.json": "data/taxonomy.yaml",
    "briefing.schema.json": "data/briefings/<id>.yaml",
    "publisher.schema.json": "data/publisher.yaml",
}
HEADER = """\
# Data format reference

<!-- Generated from generator/schemas/*.schema.json by `python -m generator.reference`.
     Do not edit by hand: change a schema, then run
     python -m generator.reference > docs/data-format.md -->

Every fact on the site comes from the YAML files under `data/`. This page lists every field
of every kind of file. It is generated from the JSON Schemas in `generator/schemas/`, which
are also what `make validate` checks and what your editor uses to complete fields: each file
starts with a `# yaml-language-server: $schema=...` line that names its schema.

A field that is not listed here is an error. Ids of actors, event types, statuses,
confidence levels, base kinds, governorates and quantities are defined in
`data/taxonomy.yaml`; `make validate` reports an unknown id with the closest known one.
"""


@dataclass(frozen=True)
class Row:
    field: str
    type: str
    required: bool
    allowed: str
    description: str


class Reference:
    """The schemas by $id, and the walk that flattens them into rows."""

    def __init__(self, directory: Path = SCHEMA_DIR):
        self.schemas = {}
        for path in sorted(directory.glob("*.schema.json")):
            schema = json.loads(path.read_text(encoding="utf-8"))
            self.schemas[schema["$id"]] = schema

    def resolve(self, ref: str, within: str) -> tuple[dict[str, Any], str, str]:
        """A `$ref` -> (the schema it names, the $id it lives in, its definition name)."""
        target, _, pointer = ref.partition("#")
        schema_id = target or within
        node: Any = self.schemas[schema_id]
        for part in pointer.strip("/").split("/") if pointer.strip("/") else ():
            node = node[part]
        return node, schema_id, pointer.rsplit("/", 1)[-1]

    def is_shared_object(self, node: dict[str, Any], within: str) -> str | None:
        """The name of the shared object a node refers to (documented once), if it does."""
        if "$ref" not in node:
            return None
        target, schema_id, name = self.resolve(node["$ref"], within)
        return name if schema_id == COMMON and target.get("type") == "object" else None

    def rows(self, node: dict[str, Any], within: str, prefix: str = "") -> list[Row]:
        """One row per field of an object schema, nested fields after their parent."""
        out = []
        required = set(node.get("required", ()))
        for name, prop in node.get("properties", {}).items():
            out += self.field_rows(f"{prefix}{name}", prop, within, name in required)
        return out

    def field_rows(self, name: str, prop: dict[str, Any], within: str, required: bool) -> list[Row]:
        shared = self.is_shared_object(prop, within)
        if shared:
            target, _, _ = self.resolve(prop["$ref"], within)
            summary = target.get("description", "").split(". ")[0].rstrip(".") + "."
            return [
                Row(
                    name, f"[{shared}](#{shared})", required, "", prop.get("description") or summary
                )
            ]
        node, where = self.merged(prop, within)
        kind, allowed = self.describe(node, where)
        out = [Row(name, kind, required, allowed, self.description(prop, within))]
        if node.get("type") == "object":
            out += self.rows(node, where, f"{name}.")
        elif node.get("type") == "array":
            items, items_where = self.merged(node["items"], where)
            if items.get("type") == "object" and not self.is_shared_object(node["items"], where):
                out += self.rows(items, items_where, f"{name}[].")
        return out

    def merged(self, node: dict[str, Any], within: str) -> tuple[dict[str, Any], str]:
        """A node with its `$ref` followed (its own keywords win), and the $id it lives in."""
        if "$ref" not in node:
            return node, within
        target, schema_id, _ = self.resolve(node["$ref"], within)
        target, schema_id = self.merged(target, schema_id)
        return {**target, **{k: v for k, v in node.items() if k != "$ref"}}, schema_id

    def description(self, prop: dict[str, Any], within: str) -> str:
        """The field's own description, then the one of the type it refers to."""
        own = prop.get("description", "")
        if "$ref" not in prop:
            return own
        target, schema_id, _ = self.resolve(prop["$ref"], within)
        shared = self.merged(target, schema_id)[0].get("description", "")
        return " ".join(text for text in (own, shared if shared != own else "") if text)

    def describe(self, node: dict[str, Any], within: str) -> tuple[str, str]:
        """(type, allowed values) of a field."""
        if "enum" in node:
            return "string", ", ".join(f"`{value}`" for value in node["enum"])
        kind = node.get("type", "")
        if isinstance(kind, list):  # one of several types: each described, joined with "or"
            parts = [self.describe({**node, "type": k}, within) for k in kind if k != "null"]
            names = [name for name, _ in parts] + (["null"] if "null" in kind else [])
            return " or ".join(names), "; ".join(rules for _, rules in parts if rules)
        rules = []
        if kind == "string":
            if "pattern" in node:
                rules.append(f"pattern `{node['pattern']}`")
            rules.append(_length(node.get("minLength"), node.get("maxLength"), "characters"))
        elif kind in ("integer", "number"):
            rules.append(_range(node.get("minimum"), node.get("maximum")))
        elif kind == "array":
            items = node["items"]
            shared = self.is_shared_object(items, within)
            item_node, item_where = self.merged(items, within)
            item_kind, item_rules = self.describe(item_node, item_where)
            if shared:
                item_kind = f"[{shared}](#{shared})"
            elif item_node.get("type") == "object":
                item_kind = "mapping"
            rules.append(_length(node.get("minItems"), node.get("maxItems"), "items"))
            if node.get("uniqueItems"):
                rules.append("no duplicates")
            if item_rules and not shared and item_node.get("type") != "object":
                rules.append(f"each: {item_rules}")
            return f"list of {item_kind}", "; ".join(rule for rule in rules if rule)
        elif kind == "object":
            return "mapping", ""
        return kind, "; ".join(rule for rule in rules if rule)


def _length(low: int | None, high: int | None, unit: str) -> str:
    if low and high:
        return f"{low} to {high} {unit}"
    if low:
        return f"at least {low} {unit[:-1] if low == 1 else unit}"
    if high:
        return f"at most {high} {unit}"
    return ""


def _range(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{low} to {high}"
    if low is not None:
        return f"at least {low}"
    if high is not None:
        return f"at most {high}"
    return ""


def _prose(text: str) -> str:
    """Schema prose as Markdown text: `<id>` must not become an HTML tag."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _table(rows: list[Row]) -> list[str]:
    lines = [
        "| Field | Type | Required | Allowed values | Description |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        cells = [
            f"`{row.field}`",
            row.type,
            "yes" if row.required else "no",
            row.allowed,
            _prose(row.description),
        ]
        lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    return lines


def _schema_line(location: str, schema_id: str) -> str:
    depth = location.count("/")
    return f"# yaml-language-server: $schema={'../' * depth}generator/schemas/{schema_id}"


def generate_reference(directory: Path = SCHEMA_DIR) -> str:
    """The whole Markdown page."""
    ref = Reference(directory)
    kinds = [sid for sid in FILE_KINDS if sid in ref.schemas]
    kinds += sorted(
        sid
        for sid, s in ref.schemas.items()
        if sid not in FILE_KINDS and sid != COMMON and "properties" in s
    )
    lines = [HEADER, "## Files", "", "| Kind | File | First line |", "| --- | --- | --- |"]
    for sid in kinds:
        title, location = ref.schemas[sid]["title"], FILE_KINDS.get(sid, "")
        first = f"`{_schema_line(location, sid)}`" if location else ""
        lines.append(f"| [{title}](#{title.lower()}) | `{location}` | {first} |")
    for sid in kinds:
        schema = ref.schemas[sid]
        lines += [
            "",
            f"## {schema['title']}",
            "",
            _prose(schema.get("description", "")),
            "",
            f"Schema: `generator/schemas/{sid}`.",
            "",
        ]
        lines += _table(ref.rows(schema, sid))

    common = ref.schemas[COMMON]
    lines += [
        "",
        "## Shared types",
        "",
        f"Defined once in `generator/schemas/{COMMON}` and used by the fields above.",
        "",
    ]
    scalars = []
    for name, node in common["$defs"].items():
        if node.get("type") == "object":
            lines += [f"### {name}", "", _prose(node.get("description", "")), ""]
            lines += _table(ref.rows(node, COMMON, f"{name}.")) + [""]
        else:
            kind, allowed = ref.describe(node, COMMON)
            scalars.append(Row(name, kind, False, allowed, node.get("description", "")))
    lines += [
        "### Other shared values",
        "",
        "Fields of these types show their rules in place in the tables above.",
        "",
        "| Name | Type | Allowed values | Description |",
        "| --- | --- | --- | --- |",
    ]
    for row in scalars:
        cells = [f"`{row.field}`", row.type, row.allowed, _prose(row.description)]
        lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(generate_reference())
