"""The cache never serves an output made by other code: after a change to any file of the
generator package or the templates, a build with the old cache equals a clean build."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures"


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def build(project: Path, out: Path, cache: Path) -> None:
    env = {**os.environ, "BRIEFING_CACHE": str(cache), "PYTHONPATH": str(project)}
    command = [sys.executable, "-m", "generator", "build", "--data", "data", "--out", str(out)]
    done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_a_code_change_makes_the_cached_build_equal_a_clean_one(tmp_path):
    project = tmp_path / "project"
    for part in ("generator", "templates", "docs", "data/geo"):
        shutil.copytree(ROOT / part, project / part, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("mkdocs.yml", "requirements.lock"):
        shutil.copy(ROOT / name, project / name)
    shutil.copytree(FIXTURES / "mini", project / "data", dirs_exist_ok=True)
    cache = tmp_path / "cache"
    build(project, tmp_path / "before", cache)

    # drawing code (charts) and a print stylesheet (PDFs): neither is in any output's inputs
    with (project / "generator/drawing.py").open("a", encoding="utf-8") as code:
        code.write('\nSTYLE["text.color"] = "#000000"\n')
    with (project / "templates/pdf/briefing.css").open("a", encoding="utf-8") as css:
        css.write("\nh1 { color: #800000; }\n")
    build(project, tmp_path / "cached", cache)
    build(project, tmp_path / "clean", tmp_path / "clean-cache")

    before, cached, clean = (tree(tmp_path / n) for n in ("before", "cached", "clean"))
    assert cached == clean
    changed = {name for name in clean if before.get(name) != clean[name]}
    assert any(n.startswith("charts/") for n in changed), "the charts did not change"
    assert any(n.startswith("pdf/") for n in changed), "the PDFs did not change"
