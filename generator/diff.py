"""What a change does to the events: added, changed and removed since a git revision.

Reviewers of a pull request read this summary (in the job summary of the PR workflow)
instead of raw YAML diffs. Events are matched by their id, which never changes, so a file
that moved to another year folder is a change, not a removal plus an addition. The old side
is read straight from git (`git ls-tree`, `git show`), the new side from the working tree.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
LANGUAGES = ("en", "ar")
FORMATS = ("markdown", "text")


class DiffError(Exception):
    """The comparison cannot be made: not a git repository, or an unknown revision."""


@dataclass(frozen=True)
class EventEntry:
    """One event as a reviewer needs to see it. `fields` lists what changed (changes only)."""

    id: str
    date: str
    bases: tuple[str, ...]
    place: dict[str, str]
    summary: dict[str, str]
    path: str
    fields: tuple[str, ...] = ()
    previous_summary: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class EventDiff:
    """The events of the working tree compared with those at `rev`, each list by date."""

    rev: str
    added: tuple[EventEntry, ...]
    changed: tuple[EventEntry, ...]
    removed: tuple[EventEntry, ...]
    unreadable: tuple[str, ...] = ()  # working-tree files that are not valid YAML
    base_names: dict[str, dict[str, str]] = field(default_factory=dict)  # id -> {en, ar}

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.removed or self.unreadable)


# -- reading both sides ------------------------------------------------------------------


def _git(repo: Path, *args: str) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(repo), *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=False,
        )
    except FileNotFoundError as exc:
        raise DiffError("git is not installed") from exc
    if done.returncode != 0:
        raise DiffError(done.stderr.strip() or f"git {' '.join(args)} failed")
    return done.stdout


def _resolve(repo: Path, rev: str) -> str:
    if not rev or rev.startswith("-"):
        raise DiffError(f"'{rev}' is not a revision")
    try:
        return _git(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").strip()
    except DiffError as exc:
        raise DiffError(f"unknown revision '{rev}' (with a shallow clone, fetch it first)") from exc


def _parse(text: str) -> dict[str, Any] | None:
    try:
        data = yaml.load(text, Loader=_Loader)  # CSafeLoader or SafeLoader: safe
    except yaml.YAMLError:
        return None
    return data if isinstance(data, dict) else None


def _old_files(repo: Path, commit: str, events_dir: str) -> dict[str, str]:
    listing = _git(repo, "ls-tree", "-r", "-z", "--name-only", commit, "--", events_dir)
    names = [name for name in listing.split("\0") if name]
    return {
        name: _git(repo, "show", f"{commit}:./{name}") for name in names if name.endswith(".yaml")
    }


def _new_files(repo: Path, events_dir: str) -> dict[str, str]:
    root = repo / events_dir
    return {
        path.relative_to(repo).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(root.rglob("*.yaml"))
        if path.is_file()
    }


def _base_names(repo: Path, data_dir: str) -> dict[str, dict[str, str]]:
    """Base names from the working tree, so that the summary says "Qasrak base", not "qasrak"."""
    names = {}
    for path in sorted((repo / data_dir / "bases").glob("*.yaml")):
        data = _parse(path.read_text(encoding="utf-8"))
        if data is not None:
            names[path.stem] = _texts(data.get("name"))
    return names


def _by_id(files: dict[str, str], unreadable: set[str]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Events keyed by id (the file name when the id is missing); the first file wins."""
    events: dict[str, tuple[str, dict[str, Any]]] = {}
    for path in sorted(files):
        data = _parse(files[path])
        if data is None:
            unreadable.add(path)
            continue
        ident = str(data.get("id") or PurePosixPath(path).stem)
        events.setdefault(ident, (path, data))
    return events


# -- comparing ---------------------------------------------------------------------------


def _texts(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {lang: " ".join(str(value[lang]).split()) for lang in LANGUAGES if value.get(lang)}


def _entry(ident: str, path: str, data: dict[str, Any], **extra: Any) -> EventEntry:
    bases = data.get("bases")
    place = data.get("place")
    return EventEntry(
        id=ident,
        date=str(data.get("date", "")),
        bases=tuple(str(b) for b in bases) if isinstance(bases, list) else (),
        place=_texts(place.get("name")) if isinstance(place, dict) else {},
        summary=_texts(data.get("summary")),
        path=path,
        **extra,
    )


def _changed_fields(old: dict[str, Any], new: dict[str, Any]) -> tuple[str, ...]:
    keys = list(new) + [key for key in old if key not in new]
    return tuple(str(key) for key in keys if old.get(key) != new.get(key))


def diff_events(repo: Path, rev: str, data_dir: str = "data") -> EventDiff:
    """Compare the events at `rev` with those in the working tree of `repo`."""
    repo = Path(repo)
    commit = _resolve(repo, rev)
    events_dir = PurePosixPath(data_dir, "events").as_posix()
    # An old file that is not YAML (never on a validated branch) counts as absent; a new one
    # is listed, and the event it held is not reported as removed.
    old = _by_id(_old_files(repo, commit, events_dir), set())
    unreadable: set[str] = set()
    new = _by_id(_new_files(repo, events_dir), unreadable)
    unread_ids = {PurePosixPath(path).stem for path in unreadable}

    added = [_entry(i, *new[i]) for i in new if i not in old]
    removed = [_entry(i, *old[i]) for i in old if i not in new and i not in unread_ids]
    changed = []
    for ident in new.keys() & old.keys():
        (old_path, old_data), (new_path, new_data) = old[ident], new[ident]
        fields = _changed_fields(old_data, new_data) + (("file",) if old_path != new_path else ())
        if fields:
            previous = _texts(old_data.get("summary")) if "summary" in fields else {}
            changed.append(
                _entry(ident, new_path, new_data, fields=fields, previous_summary=previous)
            )

    def order(entries: list[EventEntry]) -> tuple[EventEntry, ...]:
        return tuple(sorted(entries, key=lambda e: (e.date, e.id)))

    return EventDiff(
        rev,
        order(added),
        order(changed),
        order(removed),
        tuple(sorted(unreadable)),
        _base_names(repo, data_dir),
    )


# -- printing ----------------------------------------------------------------------------

LABELS = {
    "en": {
        "title": "Event changes since {rev}",
        "counts": "Added: {added}, changed: {changed}, removed: {removed}.",
        "none": "No event was added, changed or removed.",
        "added": "Added",
        "changed": "Changed",
        "removed": "Removed",
        "unreadable": "Files that could not be read as YAML",
        "fields": "changed",
        "before": "before",
        "no_summary": "(no English summary)",
        "comma": ", ",
        "semicolon": "; ",
    },
    "ar": {
        "title": "التغييرات في الأحداث منذ {rev}",
        "counts": "أُضيف: {added}، عُدِّل: {changed}، حُذف: {removed}.",
        "none": "لم يُضَف أي حدث ولم يُعدَّل ولم يُحذف.",
        "added": "أحداث مضافة",
        "changed": "أحداث معدَّلة",
        "removed": "أحداث محذوفة",
        "unreadable": "ملفات تعذّرت قراءتها بصيغة YAML",
        "fields": "الحقول المعدَّلة",
        "before": "قبل التعديل",
        "no_summary": "(لا ملخص بالعربية)",
        "comma": "، ",
        "semicolon": "؛ ",
    },
}
SECTIONS = ("added", "changed", "removed")

# Characters that start markup inside a line (math too). Data never starts a line here, so
# the line-start markers (#, -, +, 1.) need no escape.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~$])")


def _md(text: str) -> str:
    """Data as literal text in GitHub Markdown: no markup, links or HTML from the data."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _code(text: str) -> str:
    return f"`{text.replace('`', '')}`"


def _where(diff: EventDiff, entry: EventEntry, lang: str) -> str:
    """The bases' names (their ids when unknown), or the place's name, in `lang` if it has one."""
    if entry.bases:
        names = [diff.base_names.get(b, {}).get(lang) or b for b in entry.bases]
        return LABELS[lang]["comma"].join(names)
    return entry.place.get(lang) or entry.place.get("en", "")


def _markdown_section(diff: EventDiff, lang: str) -> list[str]:
    words = LABELS[lang]
    lines = [f"## {words['title'].format(rev=_code(diff.rev))}", ""]
    counts = {name: len(getattr(diff, name)) for name in SECTIONS}
    lines += [words["counts"].format(**counts) if not diff.empty else words["none"], ""]
    for name in SECTIONS:
        entries = getattr(diff, name)
        if not entries:
            continue
        lines += [f"### {words[name]} ({len(entries)})", ""]
        for e in entries:
            head = f"{_code(e.id)} ({_md(e.date)}{words['semicolon']}{_md(_where(diff, e, lang))})"
            if e.fields:
                head += f" · {words['fields']}: {words['comma'].join(_code(f) for f in e.fields)}"
            summary = _md(e.summary.get(lang, words["no_summary"]))
            lines.append(f"- {head}<br>{summary}")
            if e.previous_summary:
                before = _md(e.previous_summary.get(lang, words["no_summary"]))
                lines.append(f"  <br>{words['before']}: <del>{before}</del>")
        lines.append("")
    if diff.unreadable:
        lines += [f"### {words['unreadable']}", ""]
        lines += [f"- {_code(path)}" for path in diff.unreadable] + [""]
    return lines


def _text_section(diff: EventDiff, lang: str) -> list[str]:
    words = LABELS[lang]
    counts = {name: len(getattr(diff, name)) for name in SECTIONS}
    lines = [
        words["title"].format(rev=diff.rev),
        words["counts"].format(**counts) if not diff.empty else words["none"],
    ]
    marks = {"added": "+", "changed": "~", "removed": "-"}
    for name in SECTIONS:
        entries = getattr(diff, name)
        if not entries:
            continue
        lines += ["", f"{words[name]} ({len(entries)})"]
        for e in entries:
            head = f"  {marks[name]} {e.id}  {e.date}  {_where(diff, e, lang)}"
            if e.fields:
                head += f"  [{words['fields']}: {words['comma'].join(e.fields)}]"
            lines += [head, f"      {e.summary.get(lang, words['no_summary'])}"]
            if e.previous_summary:
                lines.append(
                    f"      {words['before']}: {e.previous_summary.get(lang, words['no_summary'])}"
                )
    if diff.unreadable:
        lines += ["", words["unreadable"]] + [f"  ! {path}" for path in diff.unreadable]
    return lines


def format_diff(diff: EventDiff, fmt: str = "markdown") -> str:
    """A bilingual summary: the English section, then the Arabic one (right to left)."""
    if fmt == "markdown":
        english = _markdown_section(diff, "en")
        arabic = _markdown_section(diff, "ar")
        # Blank lines around the block keep GitHub parsing the Markdown inside it.
        return "\n".join(english + ['<div dir="rtl" lang="ar">', ""] + arabic + ["</div>", ""])
    if fmt == "text":
        return "\n".join(_text_section(diff, "en") + [""] + _text_section(diff, "ar") + [""])
    raise ValueError(f"unknown format '{fmt}': use one of {', '.join(FORMATS)}")


def main_diff(
    rev: str, fmt: str = "markdown", repo: Path | None = None, data_dir: str = "data"
) -> str:
    """`briefing diff REV`: the summary of event changes since REV, for the working tree here."""
    return format_diff(diff_events(repo or Path.cwd(), rev, data_dir), fmt)
