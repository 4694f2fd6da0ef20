"""The `briefing` command: each subcommand is a few lines that call the pipeline."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator.errors import Severity, errors_only, problems_to_json
from generator.validate import load_dataset

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def _print_problems(problems, fmt: str) -> None:
    if fmt == "json":
        print(problems_to_json(problems))
        return
    for problem in problems:
        print(problem.format(), file=sys.stderr)
    errors = len(errors_only(problems))
    warnings = sum(p.severity is Severity.WARNING for p in problems)
    if problems:
        print(f"{errors} error(s), {warnings} warning(s)", file=sys.stderr)


def cmd_validate(args: argparse.Namespace) -> int:
    data_dir = Path(args.data_dir)
    if not data_dir.is_dir():
        print(f"briefing validate: {data_dir} is not a directory", file=sys.stderr)
        return EXIT_USAGE
    dataset, problems = load_dataset(data_dir)
    _print_problems(problems, args.format)
    if dataset is None:
        return EXIT_INVALID
    if args.format == "text":
        print(
            f"{data_dir}: valid: {len(dataset.events)} events, {len(dataset.bases)} bases, "
            f"{len(dataset.sources)} sources",
            file=sys.stderr,
        )
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="briefing", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser("validate", help="check the data and report every problem")
    validate.add_argument("data_dir", nargs="?", default="data", help="data directory (default: data)")
    validate.add_argument("--format", choices=("text", "json"), default="text")
    validate.set_defaults(run=cmd_validate)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return EXIT_USAGE if exc.code else EXIT_OK
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
