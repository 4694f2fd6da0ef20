"""docs/data-format.md is generated from the JSON Schemas and cannot drift from them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from generator.reference import generate_reference
from generator.schema import SCHEMA_DIR

ROOT = Path(__file__).parent.parent
COMMITTED = ROOT / "docs" / "data-format.md"


def rows(text: str) -> dict[str, list[str]]:
    """Table rows by their first cell: {'`place.name`': ['[text](#text)', 'yes', ...]}."""
    out = {}
    for line in text.splitlines():
        if line.startswith("| `"):
            cells = [cell.strip() for cell in line.strip("|").split(" | ")]
            out.setdefault(cells[0].strip("`"), cells[1:])
    return out


def test_the_committed_reference_is_up_to_date():
    assert COMMITTED.read_text(encoding="utf-8") == generate_reference(), (
        "docs/data-format.md is out of date: run "
        ".venv/bin/python -m generator.reference > docs/data-format.md"
    )


def test_the_module_prints_the_reference():
    done = subprocess.run(
        [sys.executable, "-m", "generator.reference"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
    )
    assert done.stdout == generate_reference()


def test_every_top_level_field_of_every_file_kind_is_listed():
    table = rows(generate_reference())
    for path in SCHEMA_DIR.glob("*.schema.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        for name in schema.get("properties", {}):
            assert name in table, f"{path.name}: {name}"


def test_nested_fields_have_dotted_names():
    table = rows(generate_reference())
    assert table["place.name"][:2] == ["[text](#text)", "yes"]
    assert table["figures[].source"][1] == "yes"
    assert table["figures[].qualifier"][2].startswith("`exact`, `about`")
    assert table["governorates[].capital.lat"][:3] == ["number", "yes", "-90 to 90"]
    assert table["quantities[].forms.ar.other"][:2] == ["string", "yes"]
    assert table["location.precision"][2] == "`exact`, `approximate`, `area`"


def test_refs_into_common_are_resolved():
    table = rows(generate_reference())
    # date -> common.schema.json#/$defs/date: its pattern and its description.
    date = table["date"]
    assert date[:2] == ["string", "yes"]
    assert "pattern `^[0-9]{4}-[0-9]{2}(-[0-9]{2})?$`" in date[2]
    assert (
        date[3].startswith("When the event happened") and "YYYY-MM when only the month" in date[3]
    )
    assert table["date_precision"][2] == "`day`, `month`, `approximate`, `before`"
    assert table["sources"][0] == "list of string"
    assert "each: pattern `^[a-z0-9]+(-[a-z0-9]+)*$`" in table["sources"][2]
    # Shared objects are described once and linked.
    text = generate_reference()
    assert "### text" in text and "### location" in text
    assert table["text.pending_translation"][2] == "no duplicates; each: `en`, `ar`"


def test_angle_brackets_in_schema_prose_are_not_html():
    text = generate_reference()
    assert "data/events/&lt;yyyy&gt;/&lt;id&gt;.yaml" in text
    assert "`data/events/<yyyy>/<id>.yaml`" in text  # inside code it stays as typed


def test_a_new_kind_of_file_is_documented_without_code_changes(tmp_path):
    schemas = tmp_path / "schemas"
    shutil.copytree(SCHEMA_DIR, schemas)
    (schemas / "note.schema.json").write_text(
        json.dumps(
            {
                "$id": "note.schema.json",
                "title": "Note",
                "description": "A note.",
                "type": "object",
                "properties": {"body": {"$ref": "common.schema.json#/$defs/text"}},
                "required": ["body"],
            }
        ),
        encoding="utf-8",
    )
    text = generate_reference(schemas)
    assert "## Note" in text
    assert rows(text)["body"][:2] == ["[text](#text)", "yes"]
