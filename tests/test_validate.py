"""The validator: one test per rule, each with a tiny broken input and the exact message."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.errors import Severity
from generator.validate import Checked, load_dataset

EVENT = "events/2025/2025-11-12-qasrak-convoy.yaml"
BASE = "bases/qasrak.yaml"
SOURCE = "sources/report-a.yaml"


def edit(data: Path, rel: str, old: str, new: str) -> None:
    path = data / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems(data: Path, severity: Severity = Severity.ERROR) -> list[str]:
    """Each problem as printed, with the data directory prefix removed."""
    _, found = load_dataset(data)
    return [p.format().replace(str(data) + "/", "") for p in found if p.severity is severity]


def test_the_fixture_is_valid(mini):
    dataset, found = load_dataset(mini)
    assert dataset is not None, [p.format() for p in found]
    assert len(dataset.events) == 4


def test_yaml_syntax_error_names_line_and_column(mini):
    edit(mini, EVENT, "type: reinforcement_convoy", "type: [reinforcement_convoy")
    [message] = problems(mini)
    assert message.startswith(f"{EVENT}:7:7: YAML syntax error: while parsing a flow sequence")


def test_tab_indentation_is_a_syntax_error(mini):
    edit(mini, SOURCE, "language: ar", "language:\n\tar")
    [message] = problems(mini)
    assert message.startswith(f"{SOURCE}:9:1: YAML syntax error")
    assert "spaces, not tabs" in message


def test_duplicate_key_is_an_error(mini):
    edit(mini, EVENT, "confidence: low", "confidence: low\nconfidence: high")
    assert problems(mini) == [
        f"{EVENT}:16:1: confidence: duplicate key 'confidence' (first at line 15) "
        "(hint: remove one of them: YAML would silently keep only the last)"
    ]


@pytest.mark.parametrize(
    ("raw", "reading"),
    [("NO", "a boolean (False)"), ("12:30", "the number 750"), ("0x1F", "the number 31")],
)
def test_yaml_1_1_surprises_are_errors(mini, raw, reading):
    edit(mini, BASE, "en: [Qasraq, Kasrak]", f"en: [Qasraq, {raw}]")
    assert problems(mini) == [
        f"{BASE}:5:16: aliases.en[1]: unquoted '{raw}' is read by YAML 1.1 tools as {reading} "
        f'(hint: put it in quotes ("{raw}") if you mean text, or write plain digits / true / false)'
    ]


def test_scalars_get_the_tags_pyyaml_gives_them_however_often_they_repeat():
    """The loader keeps the tag of each short plain scalar it has seen (data files repeat the
    same values); quoting must still make text of anything, and repeats must not change tags."""
    import yaml

    from generator.load import Loader

    scalars = ["yes", "NO", "12:30", "0x1F", "2025-11-12", "~", "null", "3.5", "1e3", "7", "ok"]
    plain = "\n".join(f"- {s}" for s in scalars)
    quoted = "\n".join(f'- "{s}"' for s in scalars)
    text = f"{plain}\n{quoted}\n{plain}\n"
    expected = [n.tag for n in yaml.compose(text, Loader=yaml.SafeLoader).value]
    for _ in range(2):  # the second time, every plain tag comes from what was kept
        assert [n.tag for n in yaml.compose(text, Loader=Loader).value] == expected
    assert expected[len(scalars) : 2 * len(scalars)] == ["tag:yaml.org,2002:str"] * len(scalars)


def test_unquoted_date_stays_text_not_a_date_object(mini):
    edit(mini, EVENT, 'date: "2025-11-12"', "date: 2025-11-12")
    dataset, _ = load_dataset(mini)
    event = next(e for e in dataset.events if e.id == "2025-11-12-qasrak-convoy")
    assert event.date.value == "2025-11-12"


def test_unknown_field_suggests_the_right_name(mini):
    edit(mini, EVENT, "summary:", "sumary:")
    assert problems(mini) == [
        f"{EVENT}:2:1: missing required field 'summary' (hint: Your own words, one to three "
        "sentences per language. Do not copy the article.)",
        f"{EVENT}:8:1: sumary: unknown field 'sumary' (hint: did you mean 'summary'?)",
    ]


def test_missing_required_field(mini):
    edit(mini, SOURCE, "language: ar\n", "")
    assert problems(mini) == [
        f"{SOURCE}:2:1: missing required field 'language' (hint: ISO 639-1 code, e.g. ar or en.)"
    ]


def test_wrong_type(mini):
    edit(mini, EVENT, "value: 25", 'value: "25"')
    assert problems(mini) == [
        f"{EVENT}:12:31: figures[0].value: expected a whole number, found the text '25' "
        "(hint: write the number without quotes)"
    ]


def test_invalid_calendar_date(mini):
    edit(mini, EVENT, 'date: "2025-11-12"', 'date: "2025-02-30"')
    assert (
        f"{EVENT}:3:7: date: '2025-02-30' is not a valid date (hint: February 2025 has 28 days)"
        in problems(mini)
    )


def test_precision_must_match_the_date(mini):
    edit(mini, EVENT, 'date: "2025-11-12"', 'date: "2025-11"')
    assert problems(mini) == [
        f"{EVENT}:3:7: date: precision is 'day' but the date has no day "
        "(hint: write YYYY-MM-DD, or set the precision to month)"
    ]


def test_id_must_match_file_name(mini):
    edit(mini, BASE, "id: qasrak", "id: qasrak-base")
    assert (
        f"{BASE}:2:5: id: id 'qasrak-base' does not match the file name 'qasrak.yaml' "
        "(hint: rename the file to qasrak-base.yaml, or set id: qasrak)" in problems(mini)
    )


def test_id_must_be_a_safe_slug(mini):
    edit(mini, BASE, "id: qasrak", "id: ../Qasrak")
    assert problems(mini)[0] == (
        f"{BASE}:2:5: id: '../Qasrak' is not in the expected form (hint: Lowercase ASCII letters "
        "and digits separated by single hyphens, e.g. kharab-al-jir.)"
    )


def test_duplicate_ids_across_files(mini):
    (mini / "sources/report-c.yaml").write_text(
        (mini / SOURCE).read_text(encoding="utf-8"), encoding="utf-8"
    )
    found = problems(mini)
    assert (
        "sources/report-c.yaml:2:5: id: id 'report-a' is also used by "
        f"{mini}/sources/report-a.yaml (hint: ids must be unique: choose another one)".replace(
            f"{mini}/", ""
        )
        in found
    )


def test_unknown_base_reference(mini):
    edit(mini, EVENT, "bases: [qasrak]", "bases: [qasrakk]")
    assert problems(mini) == [
        f"{EVENT}:5:9: bases[0]: unknown base 'qasrakk' (hint: did you mean 'qasrak'?)"
    ]


def test_unknown_source_event_type_and_actor(mini):
    edit(mini, EVENT, "type: reinforcement_convoy", "type: convoy")
    edit(mini, EVENT, "actors: [us_led_coalition]", "actors: [us_coalition]")
    edit(mini, EVENT, "sources: [report-a, report-b]", "sources: [report-a, report-z]")
    assert sorted(problems(mini)) == sorted(
        [
            f"{EVENT}:13:62: figures[1].source: the figure cites 'report-b', which is not among this "
            "event's sources (hint: add report-b to sources, or cite one of them)",
            f"{EVENT}:14:21: sources[1]: unknown source 'report-z' (hint: did you mean 'report-b'?)",
            f"{EVENT}:6:7: type: unknown event type 'convoy' "
            "(hint: use one defined in event_types in taxonomy.yaml, or add it there)",
            f"{EVENT}:7:10: actors[0]: unknown actor 'us_coalition' (hint: did you mean 'us_led_coalition'?)",
        ]
    )


def test_source_published_before_its_event(mini):
    edit(mini, SOURCE, 'published: "2025-11-14"', 'published: "2025-11-10"')
    assert (
        f"{EVENT}:14:11: sources[0]: source 'report-a' was published (2025-11-10) before the date "
        "it gives the event (2025-11-12) (hint: a report cannot predate its event: correct a date, "
        "give this source's own date in versions, or set occurrence: planned (or announced) if the "
        "source reported it in advance)" in problems(mini)
    )


def test_a_planned_event_may_be_reported_in_advance(mini):
    edit(mini, SOURCE, 'published: "2025-11-14"', 'published: "2025-11-10"')
    edit(mini, EVENT, "date_precision: day", "date_precision: day\noccurrence: planned")
    assert problems(mini) == []


def test_month_precision_source_does_not_predate_a_day_in_that_month(mini):
    edit(
        mini,
        SOURCE,
        'published: "2025-11-14"\npublished_precision: day',
        'published: "2025-11"\npublished_precision: month',
    )
    assert problems(mini) == []


def test_coordinates_out_of_range_and_outside_syria(mini):
    edit(mini, BASE, "lat: 36.6", "lat: 96.6")
    assert problems(mini) == [
        f"{BASE}:10:8: location.lat: 96.6 is outside the range -90 to 90 "
        "(hint: Latitude in decimal degrees, north positive (Syria: about 32.3 to 37.3).)"
    ]
    edit(mini, BASE, "lat: 96.6\n  lon: 40.5", "lat: 40.5\n  lon: 36.6")
    assert problems(mini, Severity.WARNING) == [
        f"{BASE}:10:3: location: warning: (40.5, 36.6) lies outside Syria "
        "(hint: check that lat and lon are not swapped)"
    ]


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/x", "example.org/x"])
def test_urls_must_be_http_or_https(mini, url):
    edit(mini, SOURCE, "url: https://example.org/report-a", f'url: "{url}"')
    assert problems(mini) == [
        f"{SOURCE}:5:6: url: '{url}' is not in the expected form (hint: An http or https address.)"
    ]


def test_missing_translation_is_an_error_and_pending_is_a_warning(mini):
    edit(mini, EVENT, "  ar: وصل رتل من نحو 25 شاحنة إلى قسرك.\n", "")
    assert problems(mini) == [
        f"{EVENT}:9:3: summary: missing the Arabic text ('ar') "
        "(hint: write it, or list ar under pending_translation to publish with a warning)"
    ]
    edit(mini, EVENT, "summary:\n", "summary:\n  pending_translation: [ar]\n")
    assert problems(mini) == []
    assert problems(mini, Severity.WARNING) == [
        f"{EVENT}:9:3: summary.ar: warning: Arabic translation pending "
        "(hint: translate it and remove the language from pending_translation)"
    ]


def test_handover_must_name_the_receiver(mini):
    edit(
        mini,
        "events/2026/2026-02-21-al-tanf-handover.yaml",
        "handover_to: syrian_ministry_of_defense\n",
        "",
    )
    assert problems(mini) == [
        "events/2026/2026-02-21-al-tanf-handover.yaml:6:7: type: a handover must say to whom "
        "(hint: add handover_to: with the actor id that received the base)"
    ]


def test_event_needs_exactly_one_of_bases_or_place(mini):
    edit(mini, EVENT, "bases: [qasrak]\n", "")
    assert problems(mini) == [
        f"{EVENT}:2:1: give either bases or place (exactly one of them) "
        "(hint: bases: [id, ...] for events at bases; place: for anywhere else)"
    ]


def test_bidi_controls_are_rejected(mini):
    edit(mini, EVENT, "reached Qasrak", "reached \u202eQasrak")
    assert problems(mini) == [
        f"{EVENT}:9:7: summary.en: contains the invisible control character U+202E (hint: delete it: "
        "such characters can reorder or hide text; the site isolates mixed Arabic and Latin text by itself)"
    ]


def test_relay_must_name_a_known_source(mini):
    edit(mini, "sources/report-b.yaml", "via: report-a", "via: report-q")
    assert problems(mini) == [
        "sources/report-b.yaml:9:6: via: unknown source 'report-q' (hint: did you mean 'report-a'?)"
    ]


def test_no_dataset_is_returned_when_there_are_errors(mini):
    edit(mini, EVENT, "bases: [qasrak]", "bases: [nowhere]")
    dataset, _ = load_dataset(mini)
    assert dataset is None


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)},
    )


def test_cli_reports_every_problem_in_one_run(mini):
    edit(mini, EVENT, "bases: [qasrak]", "bases: [nowhere]")
    edit(mini, SOURCE, "language: ar", "language: ar\nlanguage: en")
    edit(
        mini,
        "events/2025/2025-11-05-raqqa-arrests.yaml",
        'date: "2025-11-05"',
        'date: "2025-02-30"',
    )
    result = run_cli("validate", str(mini))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert (
        f"{mini}/{EVENT}:5:9: bases[0]: unknown base 'nowhere' (hint: use one defined in bases/<id>.yaml, or add it there)"
        in lines
    )
    assert any(line.startswith(f"{mini}/{SOURCE}:9:1: language: duplicate key") for line in lines)
    assert any(
        line.startswith(f"{mini}/events/2025/2025-11-05-raqqa-arrests.yaml:3:7: date: '2025-02-30'")
        for line in lines
    )


def test_cli_json_format_lists_the_same_problems(mini):
    edit(mini, EVENT, "bases: [qasrak]", "bases: [nowhere]")
    result = run_cli("validate", "--format", "json", str(mini))
    assert result.returncode == 1
    [problem] = [p for p in json.loads(result.stdout) if p["severity"] == "error"]
    assert (
        problem["path"] == f"{mini}/{EVENT}"
        and problem["line"] == 5
        and problem["field"] == "bases[0]"
    )


def test_cli_exit_codes(mini, tmp_path):
    assert run_cli("validate", str(mini)).returncode == 0
    assert run_cli("validate", str(tmp_path / "missing")).returncode == 2
    assert run_cli("frobnicate").returncode == 2


def test_the_real_dataset_validates_clean():
    dataset, found = load_dataset(Path(__file__).parent.parent / "data")
    assert [p.format() for p in found if p.severity is Severity.ERROR] == []
    assert len(dataset.events) >= 20
    places = set(dataset.bases) | {e.place.name.en for e in dataset.events if e.place}
    assert len(places) >= 7
    assert {
        "qasrak",
        "shaddadi",
        "kharab-al-jir",
        "al-tanf",
        "al-sin",
        "palmyra",
        "al-talai",
    } <= set(dataset.bases)


def test_a_broken_copy_of_the_real_data_names_each_file_and_line(tmp_path):
    import shutil

    copy = tmp_path / "data"
    shutil.copytree(Path(__file__).parent / "fixtures" / "record-2025", copy)
    events = sorted((copy / "events").rglob("*.yaml"))
    first, second, third = events[0], events[1], events[2]
    text = first.read_text(encoding="utf-8")
    assert 'bases:\n  - "' in text
    first.write_text(text.replace('bases:\n  - "', 'bases:\n  - "nowhere-', 1), encoding="utf-8")
    second.write_text(second.read_text(encoding="utf-8") + 'confidence: "low"\n', encoding="utf-8")
    text = third.read_text(encoding="utf-8")
    third.write_text(
        text.replace(text.split("date: ")[1].split("\n")[0], '"2025-02-30"', 1), encoding="utf-8"
    )
    result = run_cli("validate", str(copy))
    assert result.returncode == 1
    for path in (first, second, third):
        assert any(
            line.startswith(f"{path}:") and ": error" not in line
            for line in result.stderr.splitlines()
        ), path
    assert "duplicate key 'confidence'" in result.stderr
    assert "'2025-02-30' is not a valid date" in result.stderr
    assert "unknown base 'nowhere" in result.stderr


def test_files_kept_between_loads_give_what_a_fresh_load_gives(mini):
    """The preview keeps each file's own checks and the events built from unchanged files
    between loads (`checked`): problems between records still name the line of the field,
    and an edit to a file an unchanged event refers to is seen."""
    convoy = "events/2025/2025-11-12-qasrak-convoy.yaml"
    edit(mini, convoy, "bases: [qasrak]", "bases: [nowhere]")
    edit(mini, convoy, "source: report-b}", "source: report-z}")
    wanted = [p.format() for p in load_dataset(mini)[1]]
    assert any(":5:" in line and "nowhere" in line for line in wanted), wanted
    assert any(":13:" in line and "report-z" in line for line in wanted), wanted
    kept = Checked()
    load_dataset(mini, checked=kept)
    assert [p.format() for p in load_dataset(mini, checked=kept)[1]] == wanted
    edit(mini, "sources/report-b.yaml", 'published: "', 'published: "2025-10-01" #')
    after = [p.format() for p in load_dataset(mini, checked=kept)[1]]
    assert after == [p.format() for p in load_dataset(mini)[1]]
    assert any("source 'report-b' was published (2025-10-01)" in line for line in after), after
    (mini / "sources/report-a.yaml").unlink()  # cited by events whose files did not change
    after = [p.format() for p in load_dataset(mini, checked=kept)[1]]
    assert after == [p.format() for p in load_dataset(mini)[1]]
    assert any("report-a" in line for line in after), after
