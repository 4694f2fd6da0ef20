"""The `briefing` command: each subcommand is a few lines that call the pipeline."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator.cache import OutputCache, cache_root
from generator.errors import DataError, Severity, errors_only, problems_to_json
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


def cmd_generate(args: argparse.Namespace) -> int:
    from generator.build import generate, validated
    from generator.write import write_tree

    try:
        dataset, _ = validated(Path(args.data))
    except DataError as exc:
        _print_problems(exc.problems, "text")
        return EXIT_INVALID
    tree = generate(dataset, OutputCache(cache_root()))
    write_tree(Path(args.out), tree.files)
    print(f"generated {len(tree.files)} files into {args.out}", file=sys.stderr)
    return EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    from mkdocs.exceptions import MkDocsException

    from generator.build import build_site

    try:
        times = build_site(Path(args.data), Path(args.out), pdf=not args.no_pdf)
    except DataError as exc:
        _print_problems(exc.problems, "text")
        print("nothing was published: fix the data and build again", file=sys.stderr)
        return EXIT_INVALID
    except (MkDocsException, SystemExit) as exc:
        print(
            f"briefing build: the MkDocs build failed: {exc}; {args.out} was left as it was",
            file=sys.stderr,
        )
        return EXIT_INVALID
    print(f"site built into {args.out}: {times}", file=sys.stderr)
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from generator.preview import serve

    return serve(Path(args.data), args.host, args.port)


def cmd_pdfs(args: argparse.Namespace) -> int:
    from generator.build import render_pdfs, validated

    try:
        dataset, _ = validated(Path(args.data))
    except DataError as exc:
        _print_problems(exc.problems, "text")
        return EXIT_INVALID
    paths = render_pdfs(dataset, Path(args.out), OutputCache(cache_root()))
    print(f"{len(paths)} briefings in {args.out}", file=sys.stderr)
    return EXIT_OK


def cmd_pdf(args: argparse.Namespace) -> int:
    from generator.build import render_pdfs, validated

    try:
        dataset, _ = validated(Path(args.data))
    except DataError as exc:
        _print_problems(exc.problems, "text")
        return EXIT_INVALID
    try:
        render_pdfs(
            dataset,
            Path(args.output),
            OutputCache(cache_root()),
            only=(args.lang, args.base),
            start=args.start,
            end=args.end,
        )
    except ValueError as exc:
        print(f"briefing pdf: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"briefing written to {args.output}", file=sys.stderr)
    return EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    from datetime import date

    from generator import scaffold

    data_dir = Path(args.data)
    try:
        if args.what == "event":
            path = scaffold.new_event(
                data_dir, args.base, args.type, args.date, slug=args.slug, source=args.source
            )
        elif args.what == "briefing":
            path = scaffold.new_briefing(
                data_dir, args.start, args.end, date.today(), slug=args.slug or "briefing"
            )
        else:
            path = scaffold.new_source(
                data_dir, args.url, args.published, today=date.today(), language=args.language
            )
    except ValueError as exc:
        print(f"briefing new {args.what}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(path)
    steps = NEXT_STEPS[args.what].format(path=path, data=data_dir)
    print(f"next steps:\n{steps}", file=sys.stderr)
    return EXIT_OK


NEXT_STEPS = {
    "event": (
        "  1. write the summary in your own words in both languages (replace the placeholders)\n"
        "  2. list the sources that report it under sources (briefing new source URL makes one)\n"
        "  3. check the date and its precision, the actors and the confidence\n"
        "  4. briefing validate {data}: the skeleton fails until all this is done"
    ),
    "briefing": (
        "  1. write the title, the bottom line and the key judgements in both languages\n"
        "  2. give each judgement its confidence and the ids of the events behind it (the\n"
        "     period's events and status changes are listed at the end of the file)\n"
        "  3. briefing validate {data}: the skeleton fails until all this is done"
    ),
    "source": (
        "  1. write the publisher in both languages (replace the placeholders) and the title\n"
        "  2. add published (and published_precision) if the report gives a date\n"
        "  3. if it only repeats another report, add via: with that report's id\n"
        "  4. briefing validate {data}: the skeleton fails until all this is done"
    ),
}


def cmd_status(args: argparse.Namespace) -> int:
    from generator.quality import format_report, quality_report

    dataset, problems = load_dataset(Path(args.data))
    if dataset is None:
        _print_problems(problems, "text")
        return EXIT_INVALID
    print(format_report(quality_report(dataset, problems), args.format), end="")
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    from generator.diff import DiffError, main_diff

    try:
        sys.stdout.write(main_diff(args.rev, args.format))
    except DiffError as exc:
        print(f"briefing diff: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="briefing", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser("validate", help="check the data and report every problem")
    validate.add_argument(
        "data_dir", nargs="?", default="data", help="data directory (default: data)"
    )
    validate.add_argument("--format", choices=("text", "json"), default="text")
    validate.set_defaults(run=cmd_validate)

    generate = commands.add_parser(
        "generate", help="write the pages (MkDocs sources) without building"
    )
    generate.add_argument("--data", default="data", help="data directory (default: data)")
    generate.add_argument(
        "--out", default=".cache/docs", help="where to write (default: .cache/docs)"
    )
    generate.set_defaults(run=cmd_generate)

    build = commands.add_parser("build", help="validate, generate and build the whole site")
    build.add_argument("--data", default="data", help="data directory (default: data)")
    build.add_argument("--out", default="site", help="site directory (default: site)")
    build.add_argument("--no-pdf", action="store_true", help="skip the PDF briefings")
    build.set_defaults(run=cmd_build)

    serve = commands.add_parser(
        "serve", help="preview the site, rebuilt on every save of the data or templates"
    )
    serve.add_argument("--data", default="data", help="data directory (default: data)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(run=cmd_serve)

    pdf = commands.add_parser("pdf", help="make a PDF briefing for one base or all, for any period")
    pdf.add_argument("--data", default="data", help="data directory (default: data)")
    pdf.add_argument("--lang", choices=("en", "ar"), default="en")
    pdf.add_argument("--base", default=None, help="base id (default: all bases)")
    pdf.add_argument(
        "--from", dest="start", default=None, metavar="YYYY-MM[-DD]", help="first day or month"
    )
    pdf.add_argument(
        "--to", dest="end", default=None, metavar="YYYY-MM[-DD]", help="last day or month"
    )
    pdf.add_argument("-o", "--output", required=True, help="the PDF file to write")
    pdf.set_defaults(run=cmd_pdf)

    pdfs = commands.add_parser(
        "pdfs", help="make every PDF briefing (laid out again only where its content changed)"
    )
    pdfs.add_argument("--data", default="data", help="data directory (default: data)")
    pdfs.add_argument("--out", default="site/pdf", help="where to write (default: site/pdf)")
    pdfs.set_defaults(run=cmd_pdfs)

    new = commands.add_parser("new", help="write a skeleton of a new record, to fill in")
    kinds = new.add_subparsers(dest="what", required=True)
    event = kinds.add_parser(
        "event", help="a new event file in the right place, with the next free id"
    )
    event.add_argument("--base", required=True)
    event.add_argument("--type", required=True)
    event.add_argument("--date", required=True, metavar="YYYY-MM[-DD]")
    event.add_argument("--slug", default=None)
    event.add_argument("--source", default=None, help="a source id to cite (default: none yet)")
    source = kinds.add_parser("source", help="a new source file for a URL")
    source.add_argument("url")
    source.add_argument("--published", default=None, metavar="YYYY-MM[-DD]")
    source.add_argument("--language", default="ar")
    briefing = kinds.add_parser(
        "briefing", help="a new briefing on a period, listing its events and status changes"
    )
    briefing.add_argument("--from", dest="start", required=True, metavar="YYYY-MM[-DD]")
    briefing.add_argument("--to", dest="end", required=True, metavar="YYYY-MM[-DD]")
    briefing.add_argument("--slug", default=None)
    for sub in (event, source, briefing):
        sub.add_argument("--data", default="data", help="data directory (default: data)")
    new.set_defaults(run=cmd_new)

    status = commands.add_parser("status", help="data-quality report: what editors should complete")
    status.add_argument("--data", default="data", help="data directory (default: data)")
    status.add_argument("--format", choices=("text", "json"), default="text")
    status.set_defaults(run=cmd_status)

    diff = commands.add_parser(
        "diff", help="events added, changed and removed since a git revision"
    )
    diff.add_argument(
        "rev", help="the git revision to compare the working tree with, e.g. origin/main"
    )
    diff.add_argument("--format", choices=("markdown", "text"), default="markdown")
    diff.set_defaults(run=cmd_diff)
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
