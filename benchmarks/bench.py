"""Measure the pipeline against its targets on synthetic data: `make bench`.

    python benchmarks/bench.py [--sizes 10000:100:5,20000:200:10] [--skip-pdf]
                               [--skip-serve] [--json-only] [--keep DIR]

Every stage runs as its own subprocess, so each figure (wall, CPU, peak RSS) belongs to one
command, as an editor or CI would run it. Prints a table per dataset, the targets with
PASS/FAIL, and last the same figures as one JSON line for tools. benchmarks/README.md says
what each stage and target means.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import hashlib
import json
import os
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

import yaml
from weight import Weights, measure

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / ".cache" / "bench"
SYNTH = ROOT / "benchmarks" / "synth.py"
SEED = 1
DEFAULT_SIZES = "10000:100:5,20000:200:10"
BRIEFING = (sys.executable, "-m", "generator")
SERVE_START_TIMEOUT = 600.0
SERVE_RELOAD_TIMEOUT = 60.0
POLL_SECONDS = 0.05

EDIT_TEXT = "Benchmark edit: a convoy left the base at night, according to local sources."
SERVE_TEXT = "Benchmark serve edit: drones flew over the base during the day."


@dataclass(frozen=True)
class DatasetSpec:
    label: str
    events: int
    bases: int
    years: int


def parse_sizes(text: str) -> list[DatasetSpec]:
    """'10000:100:5,20000:200:10' -> the datasets to measure, the reference first."""
    specs = []
    for token in (t.strip() for t in text.split(",") if t.strip()):
        try:
            events, bases, years = (int(n) for n in token.split(":"))
        except ValueError:
            raise ValueError(f"'{token}' is not EVENTS:BASES:YEARS") from None
        specs.append(DatasetSpec(token, events, bases, years))
    if not specs:
        raise ValueError("no dataset named")
    return specs


def synthetic_data(spec: DatasetSpec) -> Path:
    """The data directory for `spec`, written once and reused while its stamp (the parameters
    and a hash of synth.py and of the taxonomy it copies) matches."""
    out = BENCH_DIR / "synth" / f"{spec.events}-{spec.bases}-{spec.years}-s{SEED}"
    stamp = out.with_name(out.name + ".stamp")
    options = {"--events": spec.events, "--bases": spec.bases, "--years": spec.years}
    options["--seed"] = SEED
    made_from = SYNTH.read_bytes() + (ROOT / "data" / "taxonomy.yaml").read_bytes()
    wanted = json.dumps({**options, "synth": hashlib.sha256(made_from).hexdigest()})
    if out.is_dir() and stamp.is_file() and stamp.read_text() == wanted:
        return out
    stamp.unlink(missing_ok=True)
    progress(f"writing synthetic data {spec.label} into {out}")
    command = [sys.executable, str(SYNTH), "--out", str(out)]
    command += [str(part) for option in options.items() for part in option]
    subprocess.run(command, check=True, cwd=ROOT)
    stamp.write_text(wanted)
    return out


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


@dataclass
class StageResult:
    stage: str
    wall: float | None = None
    cpu: float | None = None
    rss_mb: float | None = None
    exit: int = 1
    said: str = ""  # the stage's last line of output, e.g. a build's own timings
    detail: str = ""  # the end of its output when it failed


def launch(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """Start `args` under the launcher, in its own process group, output into `log`."""
    command = [sys.executable, "-c", LAUNCHER, str(log.with_suffix(".rusage")), *args]
    with open(log, "wb") as out:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=True
        )


def stop(launcher: subprocess.Popen) -> None:
    """SIGINT to a stage's process group (the preview then removes its temporary site),
    harder signals if that is ignored."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        if launcher.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(launcher.pid, sig)
        try:
            launcher.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass


def finish(stage: str, log: Path, result: StageResult | None = None) -> StageResult:
    """The stage's figures from what the launcher wrote once the stage ended, and its output's
    end. A given `result` (the preview's, timed here) only takes the CPU and peak RSS."""
    try:
        wall, cpu, max_rss_kb, code = log.with_suffix(".rusage").read_text().split()
    except (OSError, ValueError):  # the launcher itself failed: its error is in the log
        wall = cpu = max_rss_kb = code = None
    if result is None:
        result = StageResult(stage)
        if code is not None:
            result.wall, result.exit = float(wall), int(code)
    if code is not None:
        result.cpu, result.rss_mb = float(cpu), int(max_rss_kb) / 1024
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    result.said = lines[-1] if lines else ""
    if result.exit != 0:
        result.detail = "\n".join([result.detail, *lines[-15:]]).strip() or "nothing printed"
    return result


def run_stage(stage: str, args: list[str], env: dict[str, str], logs: Path) -> StageResult:
    progress(f"  {stage}: briefing {' '.join(args[len(BRIEFING) :])}")
    log = logs / f"{stage}.log"
    launcher = launch(args, env, log)
    try:
        launcher.wait()
    except KeyboardInterrupt:  # stop it (its own process group) before the run dir goes
        stop(launcher)
        raise
    return finish(stage, log)


def child_env(cache: Path, work: Path) -> dict[str, str]:
    """Our environment with the stage's own cache, and temporary files kept in `work`."""
    env = {**os.environ, "BRIEFING_CACHE": str(cache), "TMPDIR": str(work / "tmp")}
    env["NO_MKDOCS_2_WARNING"] = "1"
    return env


# -- editing the data -----------------------------------------------------------------------
def pick_event(data_dir: Path) -> tuple[Path, str]:
    """The first event file (by path) that names a base, and that base: its page shows it."""
    for path in sorted((data_dir / "events").rglob("*.yaml")):
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        if record.get("bases") and record.get("summary", {}).get("en"):
            return path, record["bases"][0]
    raise ValueError(f"no event in {data_dir} names a base")


def indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def set_summary_en(path: Path, text: str) -> None:
    """Replace the `en:` line under `summary:` (and its continuation lines) with `text`, as
    an editor would: the rest of the file stays as it was."""
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
            return
    raise ValueError(f"{path}: no en: line under summary:")


# -- the preview ----------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def shows(url: str, text: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return text in response.read().decode("utf-8", errors="replace")
    except (urllib.error.URLError, OSError):
        return False


def wait_for(server: subprocess.Popen, url: str, text: str, timeout: float) -> bool:
    """Poll `url` until it shows `text`; False on timeout or if the server ended."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline and server.poll() is None:
        if shows(url, text):
            return True
        time.sleep(POLL_SECONDS)
    return False


def measure_serve(
    data: Path, edited: Path, base: str, env: dict[str, str], logs: Path
) -> StageResult:
    """Seconds from saving an event file to the preview's base page showing the new text."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/bases/{base}/"
    progress(f"  serve: briefing serve --data {data} --port {port}, watching {url}")
    log = logs / "serve.log"
    server = launch([*BRIEFING, "serve", "--data", str(data), "--port", str(port)], env, log)
    result = StageResult("serve")
    try:
        # its first answer comes after its first build: the page, or the data's problems
        if not (wait_for(server, url, "", SERVE_START_TIMEOUT) and shows(url, EDIT_TEXT)):
            result.detail = f"the preview never served {url} with the current summary"
        else:
            set_summary_en(edited, SERVE_TEXT)
            saved = time.perf_counter()
            if wait_for(server, url, SERVE_TEXT, SERVE_RELOAD_TIMEOUT):
                result.wall, result.exit = time.perf_counter() - saved, 0
            else:
                result.detail = f"the edit did not show within {SERVE_RELOAD_TIMEOUT:.0f} s"
    finally:
        stop(server)
    return finish("serve", log, result)  # cpu and peak RSS: the preview's whole life


# -- one dataset ----------------------------------------------------------------------------
@dataclass
class DatasetReport:
    spec: DatasetSpec
    stages: list[StageResult] = field(default_factory=list)
    differing: list[str] | None = None  # files of the warm build unlike the clean build's
    weights: Weights | None = None  # what a reader downloads from the cold build's site
    weights_problem: str = ""  # why they were not measured

    def stage(self, name: str) -> StageResult | None:
        return next((s for s in self.stages if s.stage == name), None)


def differing_files(one: Path, other: Path) -> list[str]:
    def files(root: Path) -> dict[str, Path]:
        return {p.relative_to(root).as_posix(): p for p in root.rglob("*") if p.is_file()}

    a, b = files(one), files(other)
    return sorted(
        rel for rel in a.keys() | b.keys() if rel not in a or rel not in b
        or a[rel].read_bytes() != b[rel].read_bytes()
    )  # fmt: skip


def bench_dataset(
    spec: DatasetSpec, work: Path, full: bool, pdf: bool, serve: bool
) -> DatasetReport:
    """The cold build; on the reference (`full`) also validate, PDFs, one edit, a clean build
    to compare with the warm one, and the preview."""
    progress(f"dataset {spec.label} in {work}")
    report = DatasetReport(spec)
    data, logs, site, clean = work / "data", work / "logs", work / "site", work / "clean"
    (work / "tmp").mkdir(parents=True)
    logs.mkdir()
    shutil.copytree(synthetic_data(spec), data)
    warm_env, clean_env = child_env(work / "cache", work), child_env(work / "cache-clean", work)

    def run(stage: str, *args: str, env: dict[str, str] = warm_env) -> bool:
        report.stages.append(run_stage(stage, [*BRIEFING, *args], env, logs))
        return report.stages[-1].exit == 0

    def build(when: str, out: Path, env: dict[str, str] = warm_env) -> bool:
        built = run(
            f"build-{when}", "build", "--data", str(data), "--out", str(out), "--no-pdf", env=env
        )
        if built and pdf:  # the build replaced out/, PDFs and all
            built = run(f"pdfs-{when}", "pdfs", "--data", str(data), "--out", f"{out}/pdf", env=env)
        return built

    if not full:
        run("build-cold", "build", "--data", str(data), "--out", str(site), "--no-pdf")
        return report
    run("validate", "validate", str(data))
    if build("cold", site):
        progress("  weights: a first visit and a first search in a headless browser")
        try:
            report.weights = measure(site)
        except Exception as exc:  # no browser, or the page did not answer: said, not fatal
            report.weights_problem = f"{type(exc).__name__}: {exc}".splitlines()[0]
    edited, base = pick_event(data)
    set_summary_en(edited, EDIT_TEXT)
    edited_ok = build("edit", site)
    if build("clean", clean, clean_env) and edited_ok:
        report.differing = differing_files(site, clean)
    if serve:
        report.stages.append(measure_serve(data, edited, base, warm_env, logs))
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
    detail: str = ""  # which page, or why it was skipped


def weight_checks(report: DatasetReport) -> list[TargetCheck]:
    """The reader's downloads, in KB: a first visit, the largest page, a first search (which
    fails when it finds nothing: the word is in every synthetic record)."""
    name, w = report.spec.label, report.weights
    checks = []
    for lang in ("en", "ar"):
        kb = None if w is None else w.first_visit[lang] / 1024
        checks.append(check(name, f"first visit: overview ({lang})", kb, 350, "KB"))
    kb = None if w is None else w.largest_page[1] / 1024
    checks.append(check(name, "largest HTML page", kb, 500, "KB"))
    if w is not None:
        checks[-1].detail = w.largest_page[0]
    for lang in ("en", "ar"):
        kb = None if w is None else w.first_search[lang] / 1024
        if w is not None and not w.search_results[lang]:
            kb = float("inf")
        checks.append(check(name, f"first search ({lang})", kb, 1024, "KB"))
        if w is not None:
            checks[-1].detail = f"{w.search_results[lang]} results"
    for c in checks:
        c.detail = c.detail or report.weights_problem
    return checks


def figure(report: DatasetReport, stage: str, what: str = "wall") -> float | None:
    """A stage's figure, None when it was skipped; a failed stage counts as inf."""
    result = report.stage(stage)
    if result is None:
        return None
    return float("inf") if result.exit != 0 else getattr(result, what)


def check(dataset: str, target: str, value: float | None, limit: float, unit: str) -> TargetCheck:
    status = "SKIP" if value is None else "PASS" if value <= limit else "FAIL"
    return TargetCheck(dataset, target, value, limit, unit, status)


def check_targets(reports: list[DatasetReport]) -> list[TargetCheck]:
    """Every target on the reference (first) dataset; larger ones only on how their cold
    build scales against the reference's."""
    ref, name = reports[0], reports[0].spec.label
    differing = None if ref.stage("build-clean") is None else float("inf")  # inf: a build failed
    if ref.differing is not None:
        differing = len(ref.differing)
    checks = [
        check(name, "validate (cold)", figure(ref, "validate"), 3, "s"),
        check(name, "cold build without PDFs", figure(ref, "build-cold"), 30, "s"),
        check(name, "cold build peak RSS", figure(ref, "build-cold", "rss_mb"), 500, "MB"),
        check(name, "preview: save to page", figure(ref, "serve"), 2, "s"),
        check(name, "one-edit build (warm cache)", figure(ref, "build-edit"), 20, "s"),
        check(name, "all PDFs cold", figure(ref, "pdfs-cold"), 120, "s"),
        check(name, "warm vs clean build: files differing", differing, 0, "files"),
        *weight_checks(ref),
    ]
    reference = figure(ref, "build-cold")
    for report in reports[1:]:
        larger = figure(report, "build-cold")
        ratio = None if reference is None or larger is None else larger / reference
        checks.append(check(report.spec.label, f"cold build vs {name}", ratio, 2.2, "x"))
    return checks


# -- output ---------------------------------------------------------------------------------
def number(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def format_table(report: DatasetReport) -> str:
    spec = report.spec
    header = f"{'stage':<12}{'wall s':>8}{'cpu s':>8}{'rss MB':>8}{'exit':>6}  last line"
    rows = [f"{spec.label}: {spec.events} events, {spec.bases} bases, {spec.years} years"]
    rows += [header, "-" * len(header)]
    for s in report.stages:
        rows.append(
            f"{s.stage:<12}{number(s.wall):>8}{number(s.cpu):>8}{number(s.rss_mb, 0):>8}"
            f"{s.exit:>6}  {s.said[:80]}"
        )
    rows += [f"\n{s.stage} failed (exit {s.exit}):\n{s.detail}" for s in report.stages if s.detail]
    if report.differing:
        shown = "\n  ".join(report.differing[:20])
        rows.append(f"\n{len(report.differing)} files differ, warm vs clean build:\n  {shown}")
    return "\n".join(rows)


def format_targets(checks: list[TargetCheck]) -> str:
    rows = ["targets"]
    for c in checks:
        value = {None: "-", float("inf"): "failed"}.get(c.value) or f"{c.value:.2f} {c.unit}"
        detail = f"  {c.detail}" if c.detail else ""
        rows.append(
            f"  {c.status:<5}{c.dataset:<14}{c.target:<38}{value:>12}  (<= {c.limit:g} {c.unit})"
            + detail
        )
    return "\n".join(rows)


def as_json(reports: list[DatasetReport], checks: list[TargetCheck]) -> str:
    def clean(value):  # JSON has no infinity: a failed stage's figure becomes null
        if isinstance(value, float):
            return None if value == float("inf") else round(value, 3)
        return value

    datasets = {
        r.spec.label: {
            **{k: getattr(r.spec, k) for k in ("events", "bases", "years")},
            "stages": {
                s.stage: {k: clean(v) for k, v in asdict(s).items() if k != "stage"}
                for s in r.stages
            },
            "differing": r.differing,
            "weights": asdict(r.weights) if r.weights else None,
        }
        for r in reports
    }
    targets = [{k: clean(v) for k, v in asdict(c).items()} for c in checks]
    return json.dumps({"datasets": datasets, "targets": targets}, ensure_ascii=False)


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default=DEFAULT_SIZES,
        help="EVENTS:BASES:YEARS, comma-separated; the first is the reference, the others "
        f"only time a cold build (default: {DEFAULT_SIZES})",
    )
    parser.add_argument("--skip-pdf", action="store_true", help="leave out the pdfs stages")
    parser.add_argument("--skip-serve", action="store_true", help="leave out the preview")
    parser.add_argument("--json-only", action="store_true", help="print only the JSON line")
    parser.add_argument(
        "--keep", type=Path, metavar="DIR", help="work in DIR and keep it (data, outputs, logs)"
    )
    args = parser.parse_args(argv)
    try:
        specs = parse_sizes(args.sizes)
    except ValueError as exc:
        parser.error(str(exc))

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    # Bytecode first, as installing a package writes it: with PYTHONDONTWRITEBYTECODE set,
    # every stage would otherwise compile the generator from source.
    compileall.compile_dir(ROOT / "generator", quiet=1)
    root = args.keep.resolve() if args.keep else Path(tempfile.mkdtemp(dir=BENCH_DIR))
    reports = []
    try:
        for i, spec in enumerate(specs):
            work = root / spec.label.replace(":", "-")
            shutil.rmtree(work, ignore_errors=True)
            pdf, serve = not args.skip_pdf, not args.skip_serve
            reports.append(bench_dataset(spec, work, i == 0, pdf, serve))
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
