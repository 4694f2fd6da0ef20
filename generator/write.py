"""Write outputs only when their bytes change, so unchanged files keep their mtime."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def write_if_changed(path: Path, content: str | bytes) -> bool:
    """Write `content` to `path` unless it already holds exactly that. True if written."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return True


def write_tree(root: Path, files: dict[str, str | bytes], remove_others: bool = True) -> None:
    """Write each file (by its path under `root`) whose bytes changed; with `remove_others`,
    delete the files under `root` that are not among them."""
    for rel, content in files.items():
        write_if_changed(root / rel, content)
    if remove_others:
        remove_stale(root, {root / rel for rel in files})


def remove_stale(root: Path, keep: set[Path]) -> list[Path]:
    """Delete files under `root` that the current build did not produce."""
    removed = []
    for path in sorted(root.rglob("*"), reverse=True):
        if path.is_file() and path not in keep:
            path.unlink()
            removed.append(path)
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return removed


def replace_directory(new: Path, target: Path) -> None:
    """Put `new` in place of `target` with renames, so readers never see a half-written tree."""
    old = target.with_name(f".{target.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        os.replace(target, old)
    os.replace(new, target)
    if old.exists():
        shutil.rmtree(old)


def move_tree(source: Path, target: Path) -> None:
    """Move every file under `source` to the same place under `target`, with renames."""
    for directory, _, names in os.walk(source):
        into = target / Path(directory).relative_to(source)
        into.mkdir(parents=True, exist_ok=True)
        for name in names:
            os.replace(os.path.join(directory, name), into / name)
