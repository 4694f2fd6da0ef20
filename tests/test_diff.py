"""The review summary: events added, changed and removed since a git revision, in both languages."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.diff import DiffError, diff_events, format_diff, main_diff

FIXTURES = Path(__file__).parent / "fixtures"
NEW_EVENT = """\
# yaml-language-server: $schema=../../../generator/schemas/event.schema.json
id: 2026-03-01-qasrak-drawdown
date: "2026-03-01"
date_precision: day
bases: [qasrak]
type: withdrawal
actors: [us_led_coalition]
summary:
  en: The last vehicles left Qasrak.
  ar: غادرت آخر الآليات قسرك.
sources: [report-b]
confidence: low
"""
CHANGED = "data/events/2025/2025-11-12-qasrak-convoy.yaml"
REMOVED = "data/events/2025/2025-11-05-raqqa-arrests.yaml"


def git(repo: Path, *args: str) -> str:
    # Variables such as GIT_DIR (set inside git hooks) would point git at another repository.
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    done = subprocess.run(
        ["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository whose first commit holds tests/fixtures/mini as data/."""
    shutil.copytree(FIXTURES / "mini", tmp_path / "data")
    git(tmp_path, "init", "--quiet")
    git(tmp_path, "config", "user.name", "Test Editor")
    git(tmp_path, "config", "user.email", "editor@example.org")
    git(tmp_path, "config", "commit.gpgsign", "false")
    git(tmp_path, "add", "data")
    git(tmp_path, "commit", "--quiet", "-m", "mini dataset")
    git(tmp_path, "tag", "before")
    return tmp_path


def edit(repo: Path, rel: str, old: str, new: str) -> None:
    path = repo / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def edited(repo: Path) -> Path:
    """One event added, one summary changed, one event deleted (not committed)."""
    (repo / "data/events/2026/2026-03-01-qasrak-drawdown.yaml").write_text(
        NEW_EVENT, encoding="utf-8"
    )
    edit(repo, CHANGED, "about 25 trucks", "about 30 trucks")
    edit(repo, CHANGED, "نحو 25 شاحنة", "نحو 30 شاحنة")
    (repo / REMOVED).unlink()
    return repo


def test_no_change_gives_an_empty_diff(repo):
    diff = diff_events(repo, "before")
    assert diff.empty
    assert "No event was added, changed or removed." in format_diff(diff)
    assert "لم يُضَف أي حدث" in format_diff(diff, "text")


def test_added_changed_and_removed_events_are_found(edited):
    diff = diff_events(edited, "before")
    assert [e.id for e in diff.added] == ["2026-03-01-qasrak-drawdown"]
    assert [e.id for e in diff.changed] == ["2025-11-12-qasrak-convoy"]
    assert [e.id for e in diff.removed] == ["2025-11-05-raqqa-arrests"]
    assert diff.unreadable == ()


def test_each_entry_has_date_place_and_both_summaries(edited):
    diff = diff_events(edited, "before")
    [added], [changed], [removed] = diff.added, diff.changed, diff.removed
    assert (added.date, added.bases) == ("2026-03-01", ("qasrak",))
    assert added.summary == {
        "en": "The last vehicles left Qasrak.",
        "ar": "غادرت آخر الآليات قسرك.",
    }
    assert changed.fields == ("summary",)
    assert changed.summary["en"] == "A convoy of about 30 trucks reached Qasrak."
    assert changed.previous_summary["en"] == "A convoy of about 25 trucks reached Qasrak."
    assert removed.place == {"en": "Raqqa city", "ar": "مدينة الرقة"}
    assert removed.summary["ar"] == "اعتُقل أربعة يُشتبه بانتمائهم إلى خلية."


def test_markdown_has_an_english_then_an_arabic_right_to_left_section(edited):
    text = format_diff(diff_events(edited, "before"), "markdown")
    english, arabic = text.split('<div dir="rtl" lang="ar">')
    assert english.startswith("## Event changes since `before`")
    assert "Added: 1, changed: 1, removed: 1." in english
    assert arabic.rstrip().endswith("</div>")
    assert "أُضيف: 1، عُدِّل: 1، حُذف: 1." in arabic
    for section, name, summary in [
        (english, "Added", "The last vehicles left Qasrak."),
        (english, "Removed", "Four suspected cell members were arrested."),
        (arabic, "أحداث مضافة", "غادرت آخر الآليات قسرك."),
        (arabic, "أحداث محذوفة", "اعتُقل أربعة يُشتبه بانتمائهم إلى خلية."),
    ]:
        assert f"### {name} (1)" in section
        assert summary in section
    changed_en = english.split("### Changed (1)")[1].split("###")[0]
    assert "`2025-11-12-qasrak-convoy`" in changed_en
    assert "changed: `summary`" in changed_en
    assert "Qasrak" in changed_en  # the base's name from data/bases/qasrak.yaml
    changed_ar = arabic.split("### أحداث معدَّلة (1)")[1].split("###")[0]
    assert "نحو 30 شاحنة" in changed_ar and "<del>" in changed_ar


def test_text_format_marks_each_section(edited):
    text = format_diff(diff_events(edited, "before"), "text")
    assert "  + 2026-03-01-qasrak-drawdown  2026-03-01" in text
    assert "  ~ 2025-11-12-qasrak-convoy  2025-11-12" in text
    assert "  - 2025-11-05-raqqa-arrests  2025-11-05  Raqqa city" in text
    assert "  - 2025-11-05-raqqa-arrests  2025-11-05  مدينة الرقة" in text
    assert "<" not in text


def test_data_is_escaped_in_markdown(repo):
    edit(repo, CHANGED, "A convoy of about 25 trucks", "A <b>convoy</b> of *25* [trucks](http://x)")
    text = format_diff(diff_events(repo, "before"))
    assert "A &lt;b&gt;convoy&lt;/b&gt; of \\*25\\* \\[trucks\\](http://x)" in text
    assert "<b>" not in text


def test_an_event_moved_to_another_folder_is_a_change(repo):
    old = repo / "data/events/2026/2026-02-21-al-tanf-handover.yaml"
    old.rename(repo / "data/events/2025/2026-02-21-al-tanf-handover.yaml")
    diff = diff_events(repo, "before")
    assert (diff.added, diff.removed) == ((), ())
    assert [(e.id, e.fields) for e in diff.changed] == [("2026-02-21-al-tanf-handover", ("file",))]


def test_a_file_that_is_not_yaml_is_listed(repo):
    edit(repo, CHANGED, "type: reinforcement_convoy", "type: [reinforcement_convoy")
    diff = diff_events(repo, "before")
    assert diff.unreadable == (CHANGED,)
    assert (diff.added, diff.changed, diff.removed) == ((), (), ())
    assert f"- `{CHANGED}`" in format_diff(diff)


def test_a_committed_change_is_seen_against_an_older_revision(edited):
    git(edited, "add", "-A")
    git(edited, "commit", "--quiet", "-m", "edits")
    assert diff_events(edited, "HEAD").empty
    assert [e.id for e in diff_events(edited, "HEAD~1").added] == ["2026-03-01-qasrak-drawdown"]


@pytest.mark.parametrize("rev", ["no-such-branch", "--output=/tmp/x", ""])
def test_an_unknown_revision_is_a_diff_error(repo, rev):
    with pytest.raises(DiffError):
        diff_events(repo, rev)


def test_main_diff_is_the_cli_entry_point(edited):
    assert main_diff("before", "text", repo=edited) == format_diff(
        diff_events(edited, "before"), "text"
    )
    with pytest.raises(ValueError):
        main_diff("before", "html", repo=edited)
