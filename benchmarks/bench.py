"""Measure the pipeline stage by stage, on synthetic and real data: `make bench`.

    python benchmarks/bench.py [--sizes 10000:100:5,20000:200:10,real] [--skip-pdf]
                               [--skip-serve] [--json-only] [--keep DIR]

Every stage runs as its own subprocess, so each figure (wall, CPU, peak RSS) belongs to one
command, as an editor or CI would run it. Prints a table per dataset, the targets with
PASS/FAIL, and last the same figures as one JSON line for tools. benchmarks/README.md says
what each stage and target means.
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import NamedTuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / ".cache" / "bench"
SYNTH = ROOT / "benchmarks" / "synth.py"
SEED = 1
DEFAULT_SIZES = "10000:100:5,20000:200:10,real"
BRIEFING = (sys.executable, "-m", "generator")
SERVE_START_TIMEOUT = 1800.0  # the first build of a large dataset is slow today
SERVE_RELOAD_TIMEOUT = 120.0
POLL_SECONDS = 0.1
ENV_OWNED = ("BRIEFING_DATA", "BRIEFING_STAGING", "BRIEFING_CACHE")

EDIT_TEXT = "Benchmark edit: a convoy left the base at night, according to local sources."
ADDED_TEXT = "Benchmark addition: a new event copied from an existing one."
SERVE_TEXT = "Benchmark serve edit: drones flew over the base during the day."


# -- datasets -------------------------------------------------------------------------------
@dataclass(frozen=True)
class DatasetSpec:
    """`real` (a copy of data/) or a synthetic size written by benchmarks/synth.py."""

    label: str
    events: int = 0
    bases: int = 0
    years: int = 0

    @property
    def real(self) -> bool:
        return self.label == "real"


def parse_sizes(text: str) -> list[DatasetSpec]:
    """'10000:100:5,real' -> the datasets to measure, in that order."""
    specs = []
    for token in (t.strip() for t in text.split(",") if t.strip()):
        if token == "real":
            specs.append(DatasetSpec("real"))
            continue
        try:
            events, bases, years = (int(n) for n in token.split(":"))
        except ValueError:
            raise ValueError(f"'{token}' is neither 'real' nor EVENTS:BASES:YEARS") from None
        specs.append(DatasetSpec(token, events, bases, years))
    if not specs:
        raise ValueError("no dataset named")
    return specs


def synthetic_data(spec: DatasetSpec) -> Path:
    """The synthetic data directory for `spec`, written once and reused while its stamp matches.

    The stamp holds the parameters and a hash of synth.py, so a changed generator rewrites it."""
    out = BENCH_DIR / "synth" / f"{spec.events}-{spec.bases}-{spec.years}-s{SEED}"
    stamp = out.with_name(out.name + ".stamp")
    options = {"--events": spec.events, "--bases": spec.bases, "--years": spec.years}
    options["--seed"] = SEED
    synth_hash = hashlib.sha256(SYNTH.read_bytes()).hexdigest()
    wanted = json.dumps({**options, "synth": synth_hash}, sort_keys=True)
    if out.is_dir() and stamp.is_file() and stamp.read_text() == wanted:
        return out
    stamp.unlink(missing_ok=True)
    progress(f"writing synthetic data {spec.label} into {out}")
    command = [sys.executable, str(SYNTH), "--out", str(out)]
    command += [str(part) for option in options.items() for part in option]
    subprocess.run(command, check=True, cwd=ROOT)
    stamp.write_text(wanted)
    return out


# -- output snapshots -----------------------------------------------------------------------
class FileState(NamedTuple):
    mtime_ns: int
    digest: str


class OutputChanges(NamedTuple):
    rewritten: int  # new, or written again (mtime changed) even with the same bytes
    changed: int  # new, or different bytes
    removed: int


def snapshot(root: Path) -> dict[str, FileState]:
    """Every file under `root` (none if it does not exist) with its mtime and content hash."""
    if not root.is_dir():
        return {}
    states = {}
    for path in root.rglob("*"):
        if path.is_file():
            digest = hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
            states[path.relative_to(root).as_posix()] = FileState(path.stat().st_mtime_ns, digest)
    return states


def compare(before: dict[str, FileState], after: dict[str, FileState]) -> OutputChanges:
    rewritten = sum(
        rel not in before or before[rel].mtime_ns != s.mtime_ns for rel, s in after.items()
    )
    changed = sum(rel not in before or before[rel].digest != s.digest for rel, s in after.items())
    return OutputChanges(rewritten, changed, sum(rel not in after for rel in before))


# -- measuring one command ------------------------------------------------------------------
# A small process that runs the stage: it writes "pid <stage's pid>" to the file named first,
# then, once the stage has ended, "wall-s cpu-s peak-rss-kB exit-code" over it. Linux carries
# a process's peak RSS across fork and exec, so a stage forked straight from this process
# (100 MB and more after reading the data) would report at least that much; forked from this
# small one, it reports its own. It ignores SIGINT and SIGTERM (its stage does not), so that
# a stage stopped by a signal to its process group is still reported.
LAUNCHER = """
import os, signal, sys, time
measured, command = sys.argv[1], sys.argv[2:]
for stop in (signal.SIGINT, signal.SIGTERM):
    signal.signal(stop, signal.SIG_IGN)
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        for stop in (signal.SIGINT, signal.SIGTERM):
            signal.signal(stop, signal.SIG_DFL)
        os.execvp(command[0], command)
    except OSError as error:
        print(f"cannot run {command[0]}: {error}", file=sys.stderr, flush=True)
    finally:
        os._exit(127)
with open(measured, "w") as out:
    out.write(f"pid {pid}")
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
with open(measured, "w") as out:
    out.write(f"{wall} {usage.ru_utime + usage.ru_stime} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}")
"""


class LauncherReport(NamedTuple):
    wall: float
    cpu: float
    rss_mb: float
    exit: int


def launcher_report(measured: Path) -> LauncherReport | None:
    """What the launcher wrote once its stage ended; None while it runs or if it was killed."""
    try:
        wall, cpu, max_rss_kb, code = measured.read_text().split()
        return LauncherReport(float(wall), float(cpu), int(max_rss_kb) / 1024, int(code))
    except (OSError, ValueError):
        return None


@dataclass
class StageResult:
    stage: str
    wall: float
    cpu: float | None
    rss_mb: float | None
    exit: int
    rewritten: int | None = None
    changed: int | None = None
    removed: int | None = None
    detail: str = ""  # the end of stderr when the stage failed
    mkdocs: float | None = None  # a build's own figure for its MkDocs step, wall seconds


MKDOCS_TIME = re.compile(r"^site built into .*\bMkDocs (\d+(?:\.\d+)?) s", re.MULTILINE)


def mkdocs_seconds(log_text: str) -> float | None:
    """The MkDocs step's seconds from `briefing build`'s last line, if it printed one."""
    found = MKDOCS_TIME.findall(log_text)
    return float(found[-1]) if found else None


def child_env(**values: Path) -> dict[str, str]:
    """The environment of a stage: ours without the BRIEFING_* paths, plus the stage's own."""
    env = {k: v for k, v in os.environ.items() if k not in ENV_OWNED}
    env["NO_MKDOCS_2_WARNING"] = "1"
    env.update({key: str(value) for key, value in values.items()})
    return env


def tail(path: Path, lines: int = 15) -> str:
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def run_stage(
    stage: str,
    args: list[str],
    env: dict[str, str],
    logs: Path,
    outputs: Path | None = None,
    before: dict[str, FileState] | None = None,
) -> StageResult:
    """Run `args` through the launcher, for its own rusage, and count what it wrote to `outputs`.

    The files are compared with `before`, by default what `outputs` holds at the start."""
    shown = ["briefing", *args[len(BRIEFING) :]] if tuple(args[:3]) == BRIEFING else args
    progress(f"  {stage}: {' '.join(shown)}")
    if before is None:
        before = snapshot(outputs) if outputs else {}
    log, measured = logs / f"{stage}.log", logs / f"{stage}.rusage"
    with open(log, "wb") as output:
        start = time.perf_counter()
        launched = [sys.executable, "-c", LAUNCHER, str(measured), *args]
        launcher = subprocess.Popen(launched, cwd=ROOT, env=env, stdout=output, stderr=output)
        try:
            launcher.wait()
        except KeyboardInterrupt:  # the stage got it too: let it stop before the run dir goes
            launcher.wait(timeout=30)
            raise
        wall = time.perf_counter() - start
    report = launcher_report(measured)
    if report is None:  # the launcher itself failed: its error is in the log
        result = StageResult(stage, wall, None, None, launcher.returncode or 1)
    else:
        result = StageResult(stage, report.wall, report.cpu, report.rss_mb, report.exit)
    if result.exit != 0:
        result.detail = tail(log) or f"exit code {result.exit}, nothing printed"
    result.mkdocs = mkdocs_seconds(log.read_text(encoding="utf-8", errors="replace"))
    if outputs:
        result.rewritten, result.changed, result.removed = compare(before, snapshot(outputs))
    return result


# -- editing the data -----------------------------------------------------------------------
@dataclass(frozen=True)
class EditTarget:
    path: Path
    base_id: str


def pick_event(data_dir: Path) -> EditTarget:
    """The first event file (by path) that names a base: its base page shows the summary."""
    for path in sorted((data_dir / "events").rglob("*.yaml")):
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        if record.get("bases") and record.get("summary", {}).get("en"):
            return EditTarget(path, record["bases"][0])
    raise ValueError(f"no event in {data_dir} names a base")


def indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def set_summary_en(path: Path, text: str) -> None:
    """Replace the `en:` line under `summary:` (and its continuation lines) with `text`.

    A line edit, as an editor makes one: comments and the rest of the file stay as they were."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("summary:"))
    for i in range(start + 1, len(lines)):
        if lines[i].strip() and indent(lines[i]) == 0:
            break
        if lines[i].lstrip().startswith("en:"):
            depth, end = indent(lines[i]), i + 1
            while end < len(lines) and (not lines[end].strip() or indent(lines[end]) > depth):
                end += 1
            # a JSON string is a valid YAML double-quoted scalar
            lines[i:end] = [f"{' ' * depth}en: {json.dumps(text, ensure_ascii=False)}\n"]
            path.write_text("".join(lines), encoding="utf-8")
            if yaml.safe_load(path.read_text(encoding="utf-8"))["summary"]["en"] != text:
                raise ValueError(f"{path}: the summary edit did not take")
            return
    raise ValueError(f"{path}: no en: line under summary:")


def add_event(template: Path, summary: str) -> Path:
    """A copy of `template` under a new id (its file name), same date and sources."""
    new_id = f"{template.stem}-bench-added"
    target = template.with_name(f"{new_id}.yaml")
    lines = template.read_text(encoding="utf-8").splitlines(keepends=True)
    lines = [f'id: "{new_id}"\n' if line.startswith("id:") else line for line in lines]
    target.write_text("".join(lines), encoding="utf-8")
    set_summary_en(target, summary)
    return target


# -- the development server -----------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8", errors="replace")
    except (urllib.error.URLError, OSError):
        return None


def process_cpu(pid: int) -> float | None:
    """User + system seconds used so far by a running process (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    """`mkdocs serve` in its own process group, run by the launcher to report its rusage."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.measured = log.with_suffix(".rusage")
        with open(log, "wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", LAUNCHER, str(self.measured), *args],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=out,
                start_new_session=True,
            )
        self.rss_mb: float | None = None

    def alive(self) -> bool:
        if self.proc.poll() is None:
            return True
        if self.rss_mb is None and (report := launcher_report(self.measured)):
            self.rss_mb = report.rss_mb
        return False

    @property
    def pid(self) -> int | None:
        """The server's own process, as the launcher wrote it once it had started it."""
        try:
            said, pid = self.measured.read_text().split()
        except (OSError, ValueError):
            return None
        return int(pid) if said == "pid" else None

    def wait_for(self, url: str, text: str, timeout: float) -> bool:
        """Poll `url` until its body contains `text`; False on timeout or if the server died."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline and self.alive():
            body = fetch(url)
            if body is not None and text in body:
                return True
            time.sleep(POLL_SECONDS)
        return False

    def stop(self) -> None:
        """SIGINT first (MkDocs then removes its temporary site), harder signals if ignored."""
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
            if not self.alive():
                return
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                pass
            deadline = time.perf_counter() + 10
            while time.perf_counter() < deadline and self.alive():
                time.sleep(0.05)


def measure_serve(
    data: Path, staging: Path, cache: Path, target: EditTarget, current: str, work: Path
) -> StageResult:
    """Seconds from saving an event file to the served base page showing the new summary."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/bases/{target.base_id}/"
    progress(f"  serve: mkdocs serve --dirty on port {port}, watching {url}")
    (work / "tmp").mkdir(exist_ok=True)
    env = child_env(BRIEFING_DATA=data, BRIEFING_STAGING=staging, BRIEFING_CACHE=cache)
    env["TMPDIR"] = str(work / "tmp")  # MkDocs' temporary site, removed with the work dir
    log = work / "logs" / "serve.log"
    # --no-strict: mkdocs.yml is strict, and MkDocs warns on every dirty build, which aborts
    args = [sys.executable, "-m", "mkdocs", "serve", "--dirty", "--no-strict"]
    args += ["--dev-addr", f"127.0.0.1:{port}", "-f", str(ROOT / "mkdocs.yml")]
    server = Server(args, env, log)
    result = StageResult("serve", 0.0, None, None, 1)
    try:
        if not server.wait_for(url, current, SERVE_START_TIMEOUT):
            result.detail = f"the server never served {url} with the current summary\n{tail(log)}"
            return result
        server_pid = server.pid
        before = snapshot(staging)
        cpu_before = process_cpu(server_pid) if server_pid else None
        set_summary_en(target.path, SERVE_TEXT)
        saved = time.perf_counter()
        seen = server.wait_for(url, SERVE_TEXT, SERVE_RELOAD_TIMEOUT)
        result.wall = time.perf_counter() - saved
        cpu_after = process_cpu(server_pid) if server_pid else None
        if cpu_before is not None and cpu_after is not None:
            result.cpu = cpu_after - cpu_before
        result.rewritten, result.changed, result.removed = compare(before, snapshot(staging))
        result.exit = 0 if seen else 1
        if not seen:
            result.detail = (
                f"the edit did not show within {SERVE_RELOAD_TIMEOUT:.0f} s\n{tail(log)}"
            )
    finally:
        server.stop()
    result.rss_mb = server.rss_mb
    return result


# -- one dataset, every stage ---------------------------------------------------------------
@dataclass
class DatasetReport:
    spec: DatasetSpec
    stages: list[StageResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def stage(self, name: str) -> StageResult | None:
        return next((s for s in self.stages if s.stage == name), None)


def bench_dataset(spec: DatasetSpec, work: Path, pdf: bool, serve: bool) -> DatasetReport:
    """Validate, generate, build and render PDFs cold; again after one edit and one addition."""
    progress(f"dataset {spec.label} in {work}")
    report = DatasetReport(spec)
    data, logs = work / "data", work / "logs"
    staging, staging_build, site = work / "staging", work / "staging-build", work / "site"
    cache, cache_build = work / "cache-generate", work / "cache-build"
    for directory in (logs, cache, cache_build):
        directory.mkdir(parents=True)
    shutil.copytree(ROOT / "data" if spec.real else synthetic_data(spec), data)
    generate_env, build_env = child_env(BRIEFING_CACHE=cache), child_env(BRIEFING_CACHE=cache_build)
    pdfs_before: dict[str, FileState] = {}

    def run_pipeline(when: str) -> None:
        nonlocal pdfs_before
        generate = [*BRIEFING, "generate", "--data", str(data), "--out", str(staging)]
        build = [*BRIEFING, "build", "--data", str(data), "--out", str(site)]
        build += ["--staging", str(staging_build), "--no-pdf"]
        pdfs = [*BRIEFING, "pdfs", "--data", str(data), "--out", str(site / "pdf")]
        report.stages.append(run_stage(f"generate-{when}", generate, generate_env, logs, staging))
        report.stages.append(run_stage(f"build-{when}", build, build_env, logs, site))
        if pdf:  # against the previous PDFs: the build swapped site/, and site/pdf/, away
            result = run_stage(f"pdfs-{when}", pdfs, build_env, logs, site / "pdf", pdfs_before)
            report.stages.append(result)
            pdfs_before = snapshot(site / "pdf")

    validate = [*BRIEFING, "validate", str(data)]
    validate_env = child_env(BRIEFING_CACHE=work / "cache-validate")  # its own: cold, then warm
    report.stages.append(run_stage("validate", validate, validate_env, logs))
    report.stages.append(run_stage("validate-warm", validate, validate_env, logs))
    run_pipeline("cold")
    if not any(cache.iterdir()):
        report.notes.append(
            "BRIEFING_CACHE stayed empty during the cold generate: the generator does not "
            "read it yet, so 'cold' stages may have used the repository's .cache/"
        )
    target = pick_event(data)
    set_summary_en(target.path, EDIT_TEXT)
    run_pipeline("edit")
    add_event(target.path, ADDED_TEXT)
    run_pipeline("add")
    if serve:
        report.stages.append(measure_serve(data, staging, cache, target, EDIT_TEXT, work))
    return report


# -- targets --------------------------------------------------------------------------------
@dataclass
class TargetCheck:
    dataset: str
    target: str
    value: float | None
    limit: float
    unit: str
    status: str  # PASS, FAIL or SKIP (stage not run)


def figure(report: DatasetReport, stage: str, what: str = "wall") -> float | None:
    """A stage's figure, or None when the stage was skipped; a failed stage counts as inf."""
    result = report.stage(stage)
    if result is None:
        return None
    return float("inf") if result.exit != 0 else getattr(result, what)


def check(dataset: str, target: str, value: float | None, limit: float, unit: str) -> TargetCheck:
    status = "SKIP" if value is None else "PASS" if value <= limit else "FAIL"
    return TargetCheck(dataset, target, value, limit, unit, status)


def generator_share(report: DatasetReport) -> float | None:
    """What the build spends outside MkDocs (starting, generating, waiting for the charts drawn
    beside MkDocs, PDFs aside), in percent of MkDocs' own time, both from the cold build.

    None for the real data: on 25 events, starting Python is most of it (see the README)."""
    build, result = figure(report, "build-cold"), report.stage("build-cold")
    if report.spec.real or build is None or result is None:
        return None
    if build == float("inf"):
        return float("inf")
    if not result.mkdocs:  # a build that did not say how long MkDocs took
        return None
    return 100 * max(build - result.mkdocs, 0.0) / result.mkdocs


def dataset_targets(report: DatasetReport) -> list[TargetCheck]:
    name = report.spec.label
    return [
        check(name, "validate", figure(report, "validate"), 3, "s"),
        check(name, "cold build without PDFs", figure(report, "build-cold"), 40, "s"),
        check(name, "cold build peak RSS", figure(report, "build-cold", "rss_mb"), 500, "MB"),
        check(name, "generator share of cold build", generator_share(report), 35, "%"),
        check(name, "one-edit generate", figure(report, "generate-edit"), 1, "s"),
        check(name, "one-edit build", figure(report, "build-edit"), 20, "s"),
        check(name, "serve: save to page", figure(report, "serve"), 3, "s"),
        check(name, "PDFs cold", figure(report, "pdfs-cold"), 120, "s"),
    ]


def check_targets(reports: list[DatasetReport]) -> list[TargetCheck]:
    """Absolute targets on the reference (first synthetic) dataset and on real data; larger
    synthetic sizes only on how their cold build scales against the reference."""
    synthetic = [r for r in reports if not r.spec.real]
    checks = []
    for report in [r for r in reports if r.spec.real or r is synthetic[0]]:
        checks += dataset_targets(report)
    for report in synthetic[1:]:
        ratio = scaling(figure(synthetic[0], "build-cold"), figure(report, "build-cold"))
        target = f"cold build vs {synthetic[0].spec.label}"
        checks.append(check(report.spec.label, target, ratio, 2.2, "x"))
    return checks


def scaling(reference: float | None, larger: float | None) -> float | None:
    if reference is None or larger is None:
        return None
    if reference == float("inf") or larger == float("inf") or reference <= 0:
        return float("inf")
    return larger / reference


# -- output ---------------------------------------------------------------------------------
def number(value: float | int | None, digits: int = 2) -> str:
    if value is None:
        return "-"
    return str(value) if isinstance(value, int) else f"{value:.{digits}f}"


def format_table(report: DatasetReport) -> str:
    spec = report.spec
    title = (
        "real data (a copy of data/)"
        if spec.real
        else (f"{spec.label}: {spec.events} events, {spec.bases} bases, {spec.years} years")
    )
    header = f"{'stage':<15}{'wall s':>9}{'cpu s':>9}{'rss MB':>9}{'rewritten':>11}{'changed':>9}{'exit':>6}"
    rows = [title, header, "-" * len(header)]
    for s in report.stages:
        rows.append(
            f"{s.stage:<15}{number(s.wall):>9}{number(s.cpu):>9}{number(s.rss_mb, 0):>9}"
            f"{number(s.rewritten):>11}{number(s.changed):>9}{s.exit:>6}"
        )
    first_with: dict[str, str] = {}  # the same error thrice (a missing command) is shown once
    for s in report.stages:
        if s.detail:
            again = first_with.setdefault(s.detail, s.stage)
            shown = f"\n{s.detail}" if again == s.stage else f" the same as {again}"
            rows.append(f"\n{s.stage} failed (exit {s.exit}):{shown}")
    rows += [f"note: {note}" for note in report.notes]
    return "\n".join(rows)


def format_targets(checks: list[TargetCheck]) -> str:
    rows = ["targets"]
    for c in checks:
        value = {None: "-", float("inf"): "stage failed"}.get(c.value) or f"{c.value:.2f} {c.unit}"
        rows.append(
            f"  {c.status:<5}{c.dataset:<16}{c.target:<34}{value:>14}  (<= {c.limit:g} {c.unit})"
        )
    return "\n".join(rows)


def as_json(reports: list[DatasetReport], checks: list[TargetCheck]) -> str:
    def clean(value):  # JSON has no infinity: a failed stage's figure becomes null
        if isinstance(value, float):
            return None if value == float("inf") else round(value, 3)
        return value

    def stage(result: StageResult) -> dict:
        return {k: clean(v) for k, v in asdict(result).items() if k != "stage"}

    datasets = {
        r.spec.label: {
            **(
                {} if r.spec.real else {k: getattr(r.spec, k) for k in ("events", "bases", "years")}
            ),
            "stages": {s.stage: stage(s) for s in r.stages},
            "notes": r.notes,
        }
        for r in reports
    }
    targets = [{k: clean(v) for k, v in asdict(c).items()} for c in checks]
    return json.dumps({"datasets": datasets, "targets": targets}, ensure_ascii=False)


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def compile_generator() -> bool:
    """Write the generator's bytecode before timing it, as installing a package does. With
    PYTHONDONTWRITEBYTECODE set (as on this project's machines) every stage would otherwise
    compile the whole package from source first: 0.06 s of a one-edit generate, which is the
    interpreter's cost, not the generator's."""
    return compileall.compile_dir(ROOT / "generator", quiet=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default=DEFAULT_SIZES,
        help=f"EVENTS:BASES:YEARS or 'real', comma-separated (default: {DEFAULT_SIZES})",
    )
    parser.add_argument("--skip-pdf", action="store_true", help="leave out the pdfs stages")
    parser.add_argument("--skip-serve", action="store_true", help="leave out the serve stage")
    parser.add_argument("--json-only", action="store_true", help="print only the JSON line")
    parser.add_argument(
        "--keep", type=Path, default=None, help="work in DIR and keep it (data, outputs, logs)"
    )
    args = parser.parse_args(argv)
    try:
        specs = parse_sizes(args.sizes)
    except ValueError as exc:
        parser.error(str(exc))

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    compile_generator()
    root = (
        args.keep.resolve() if args.keep else Path(tempfile.mkdtemp(prefix="run-", dir=BENCH_DIR))
    )
    reports = []
    try:
        for spec in specs:
            work = root / spec.label.replace(":", "-")
            if work.exists():
                shutil.rmtree(work)
            reports.append(bench_dataset(spec, work, not args.skip_pdf, not args.skip_serve))
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    checks = check_targets(reports)
    if not args.json_only:
        print("\n\n".join(format_table(r) for r in reports), end="\n\n")
        print(format_targets(checks), end="\n\n")
    print(as_json(reports, checks), flush=True)
    return 0 if all(s.exit == 0 for r in reports for s in r.stages) else 1


if __name__ == "__main__":
    sys.exit(main())
