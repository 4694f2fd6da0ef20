"""The committed JSON Schemas, applied to loaded documents with messages an editor can act on.

The schemas in generator/schemas/ are the single description of the file format: editors get
autocompletion from them (the `# yaml-language-server: $schema=` line), the format reference
is generated from them, and this module checks documents against them. It implements the
small subset of JSON Schema 2020-12 the schemas use, because generic validators stop at
messages like "'sumary' was unexpected" and are several times slower on ten thousand files.
"""

from __future__ import annotations

import difflib
import json
from functools import cache
from pathlib import Path
from typing import Any

from generator.errors import Problem
from generator.load import Document, FieldPath

SCHEMA_DIR = Path(__file__).parent / "schemas"
ANNOTATIONS = {"$schema", "$id", "title", "description", "$defs", "examples", "default"}
KEYWORDS = {
    "$ref",
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "minItems",
    "maxItems",
    "uniqueItems",
}
TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "a mapping of fields",
    "array": "a list",
    "null": "nothing",
}


def describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text '{value[:40]}'"
    if isinstance(value, dict):
        return "a mapping of fields"
    return "a list"


def _is_type(value: Any, name: str) -> bool:
    if name == "string":
        return isinstance(value, str)
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if name == "boolean":
        return isinstance(value, bool)
    if name == "object":
        return isinstance(value, dict)
    if name == "array":
        return isinstance(value, list)
    return value is None


class SchemaSet:
    """All schemas of the format, by $id, with a checker that collects every problem."""

    def __init__(self, directory: Path = SCHEMA_DIR):
        self.schemas: dict[str, dict] = {}
        for path in sorted(directory.glob("*.schema.json")):
            schema = json.loads(path.read_text(encoding="utf-8"))
            self.schemas[schema["$id"]] = schema
        self._followed_refs: dict[tuple[int, str], tuple[dict, str, str, str, dict]] = {}
        for schema_id, schema in self.schemas.items():
            self._check_keywords(schema, schema_id)

    def _check_keywords(self, schema: Any, where: str) -> None:
        if isinstance(schema, dict):
            unknown = set(schema) - KEYWORDS - ANNOTATIONS - {"properties"}
            if unknown and not where.endswith(("properties", "$defs")):
                raise ValueError(f"{where}: schema keyword(s) {sorted(unknown)} not supported")
            for key, sub in schema.items():
                self._check_keywords(sub, f"{where}/{key}")
        elif isinstance(schema, list):
            for sub in schema:
                self._check_keywords(sub, where)

    def resolve(self, ref: str, base_id: str) -> tuple[dict, str]:
        file_part, _, pointer = ref.partition("#")
        doc_id = file_part or base_id
        node: Any = self.schemas[doc_id]
        for part in filter(None, pointer.split("/")):
            node = node[part]
        return node, doc_id

    def property_description(self, schema_id: str, name: str) -> str:
        prop = self.schemas[schema_id].get("properties", {}).get(name, {})
        if "description" in prop:
            return prop["description"]
        if "$ref" in prop:
            return self.resolve(prop["$ref"], schema_id)[0].get("description", "")
        return ""

    def _followed(self, schema: dict, base: str) -> tuple[dict, str, str, str]:
        """`schema` with its $refs followed, the schema they lead to, the description of the
        referenced definition (what form a value takes) and the hint for problems.

        Kept per schema node: the same few are followed for every value of every file."""
        key = (id(schema), base)
        found = self._followed_refs.get(key)
        if found is None:
            start = schema
            description = schema.get("description", "")
            form = ""
            while "$ref" in schema:
                target, base = self.resolve(schema["$ref"], base)
                form = target.get("description", "")
                description = description or form
                schema = {
                    **target,
                    **{k: v for k, v in schema.items() if k not in ("$ref", "description")},
                }
            # `start` is kept alive with its entry, so its id is never reused for another node
            found = self._followed_refs[key] = (schema, base, form, description, start)
        return found[:4]

    def check(self, doc: Document, schema_id: str) -> list[Problem]:
        problems: list[Problem] = []
        self._check(doc, doc.data, self.schemas[schema_id], schema_id, (), problems)
        return problems

    def _check(
        self,
        doc: Document,
        value: Any,
        schema: dict,
        base: str,
        path: FieldPath,
        out: list[Problem],
    ) -> None:
        schema, base, form, hint = self._followed(schema, base)

        if "enum" in schema:
            if value not in schema["enum"]:
                choices = ", ".join(str(c) for c in schema["enum"])
                close = difflib.get_close_matches(str(value), [str(c) for c in schema["enum"]], 1)
                out.append(
                    doc.problem(
                        path,
                        f"{describe(value)} is not one of: {choices}",
                        f"did you mean '{close[0]}'?" if close else hint,
                    )
                )
            return

        types = schema.get("type")
        if types is not None:
            names = [types] if isinstance(types, str) else types
            if not any(_is_type(value, n) for n in names):
                expected = " or ".join(TYPE_WORDS[n] for n in names)
                fix = hint
                if "string" in names and isinstance(value, (int, float, bool)):
                    fix = "put the value in quotes"
                elif "integer" in names and isinstance(value, str) and value.strip().isdigit():
                    fix = "write the number without quotes"
                out.append(doc.problem(path, f"expected {expected}, found {describe(value)}", fix))
                return

        if isinstance(value, str):
            self._check_string(doc, value, schema, path, form or hint, out)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            low, high = schema.get("minimum"), schema.get("maximum")
            if (low is not None and value < low) or (high is not None and value > high):
                out.append(doc.problem(path, f"{value} is outside the range {low} to {high}", hint))
        elif isinstance(value, list):
            self._check_array(doc, value, schema, base, path, out)
        elif isinstance(value, dict):
            self._check_object(doc, value, schema, base, path, out)

    def _check_string(
        self,
        doc: Document,
        value: str,
        schema: dict,
        path: FieldPath,
        hint: str,
        out: list[Problem],
    ) -> None:
        import re

        if "minLength" in schema and len(value) < schema["minLength"]:
            out.append(doc.problem(path, "must not be empty", hint or "write the text"))
        elif "maxLength" in schema and len(value) > schema["maxLength"]:
            out.append(
                doc.problem(
                    path,
                    f"is {len(value)} characters long, over the limit of {schema['maxLength']}",
                    "shorten it",
                )
            )
        elif "pattern" in schema and not re.search(schema["pattern"], value):
            out.append(doc.problem(path, f"'{value[:60]}' is not in the expected form", hint))

    def _check_array(
        self,
        doc: Document,
        value: list,
        schema: dict,
        base: str,
        path: FieldPath,
        out: list[Problem],
    ) -> None:
        if "minItems" in schema and len(value) < schema["minItems"]:
            out.append(
                doc.problem(
                    path,
                    f"needs at least {schema['minItems']} item(s)",
                    schema.get("description", ""),
                )
            )
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            out.append(
                doc.problem(path, f"has more than {schema['maxItems']} items", "shorten the list")
            )
        if schema.get("uniqueItems"):
            seen: list[Any] = []
            for i, item in enumerate(value):
                if item in seen:
                    out.append(
                        doc.problem(
                            path + (i,), f"{describe(item)} is listed twice", "remove the repeat"
                        )
                    )
                else:
                    seen.append(item)
        if "items" in schema:
            for i, item in enumerate(value):
                self._check(doc, item, schema["items"], base, path + (i,), out)

    def _check_object(
        self,
        doc: Document,
        value: dict,
        schema: dict,
        base: str,
        path: FieldPath,
        out: list[Problem],
    ) -> None:
        properties: dict = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                about = properties.get(name, {}).get("description", "")
                if not about and "$ref" in properties.get(name, {}):
                    about = self.resolve(properties[name]["$ref"], base)[0].get("description", "")
                out.append(
                    doc.problem(
                        path,
                        f"missing required field '{name}'",
                        about or f"add '{name}:'",
                    )
                )
        for name, item in value.items():
            if name in properties:
                self._check(doc, item, properties[name], base, path + (name,), out)
            elif schema.get("additionalProperties") is False:
                close = difflib.get_close_matches(name, list(properties), 1, 0.6)
                hint = (
                    f"did you mean '{close[0]}'?"
                    if close
                    else "allowed fields: " + ", ".join(properties)
                )
                out.append(doc.problem(path + (name,), f"unknown field '{name}'", hint, key=True))


@cache
def default_schemas() -> SchemaSet:
    return SchemaSet()
