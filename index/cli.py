"""The command line: a thin layer over the index package, one function per command.

Library errors become one `error:` line on stderr and exit code 1; usage mistakes exit 2.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from index.errors import NewsIndexError
from index.feeds.cli import add_feed_commands
from index.settings import IndexSettings

if TYPE_CHECKING:  # each side is imported by the commands that use it, when they run
    from index.search.news_index import Hit, IndexStats, NewsIndex
    from index.search.question_reading import QuestionReading
    from index.writer import IndexWriter, WriteReport

QUERY_EXAMPLE = "Which countries signed long-term security agreements with Ukraine?"


def _settings(args: argparse.Namespace) -> IndexSettings:
    overrides = {"index_dir": args.index_dir} if args.index_dir else {}
    return IndexSettings(**overrides)


def _reader(args: argparse.Namespace) -> NewsIndex:
    """The read side of the index (search, stats, listings): the write and feed commands
    never import it."""
    from index.search.news_index import NewsIndex

    return NewsIndex(_settings(args))


def _writer(args: argparse.Namespace, settings: IndexSettings) -> IndexWriter:
    from index.embedding.model import load_embedder
    from index.writer import IndexWriter

    return IndexWriter(settings, load_embedder(settings), progress=not args.quiet)


def cmd_rebuild(args: argparse.Namespace) -> int:
    settings = _settings(args)
    paths = args.paths or [settings.seeds_dir]
    report = _writer(args, settings).rebuild(paths, strict=args.strict)
    print(format_report(report))
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    settings = _settings(args)
    report = _writer(args, settings).add(args.paths, strict=args.strict)
    print(format_report(report))
    return 0


def cmd_compact(args: argparse.Namespace) -> int:
    report = _writer(args, _settings(args)).compact()
    print(format_report(report))
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    settings = _settings(args)
    report = _writer(args, settings).remove(args.ids)
    missing = sorted(set(args.ids) - set(report.removed))
    for article_id in missing:
        print(f"warning: no article with id {article_id!r} in the index", file=sys.stderr)
    print(format_report(report))
    return 1 if missing and not report.removed else 0


def cmd_query(args: argparse.Namespace) -> int:
    """A question read as the bot reads it (time words in `--zone`, outlets, operators)."""
    from index.search.question_reading import read_question

    index = _reader(args)
    zone = ZoneInfo(args.zone)
    outlets = [name for name, _ in index.sources()]
    reading = read_question(args.text, datetime.now(UTC), zone, outlets)
    hits = index.search(
        reading.text, args.k, min_score=args.min_score, passage_filter=reading.passage_filter,
        newest_first=reading.newest_first,
    )  # fmt: skip
    if args.json:
        print(json.dumps([hit_json(h) for h in hits], ensure_ascii=False, indent=2))
        return 0
    if scope := format_reading(reading):
        print(scope + "\n")
    if not hits:
        print("No passage matches this question well enough.")
    else:
        print("\n\n".join(format_hit(h) for h in hits))
    return 0


def format_reading(reading: QuestionReading) -> str:
    """What the question asked besides its subject, one line ("" for nothing)."""
    parts = [f"searched: {reading.text}"] if reading.passage_filter or reading.newest_first else []
    parts += [f"window: {reading.window.label}"] if reading.window else []
    parts += [f"outlets: {', '.join(reading.outlets)}"] if reading.outlets else []
    parts += (
        [f"leaving out: {', '.join(reading.excluded_outlets)}"] if reading.excluded_outlets else []
    )
    parts += [f"not held: {', '.join(reading.unknown_outlets)}"] if reading.unknown_outlets else []
    parts += ["newest first"] if reading.newest_first else []
    parts += [f"unread: {' '.join(reading.problems)}"] if reading.problems else []
    return " · ".join(parts)


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(
            f"unknown time zone {name!r} (e.g. Europe/Paris)"
        ) from None
    return name


def cmd_stats(args: argparse.Namespace) -> int:
    stats = _reader(args).stats()
    if args.json:
        print(json.dumps({**asdict(stats), "folder": str(stats.folder)}, indent=2))
    else:
        print(format_stats(stats))
    return 0


def cmd_articles(args: argparse.Namespace) -> int:
    """One article a line, tab-separated: control characters and line separators in ids and
    titles (a JSON record's id may hold a newline) are printed escaped, `\\n` for a newline."""
    articles = _reader(args).list_articles(args.offset, args.limit)
    if args.json:
        print(json.dumps([asdict(a) for a in articles], ensure_ascii=False, indent=2))
    breaking = [*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029]
    escaped = {c: chr(c).encode("unicode_escape").decode("ascii") for c in breaking}
    for a in [] if args.json else articles:
        date = (a.published or "")[:10]
        print(
            f"{a.id.translate(escaped)}\t{date}\t{a.passages} passages\t{a.title.translate(escaped)}"
        )
    return 0


def cmd_export_model(args: argparse.Namespace) -> int:
    """Export ahead of time what EMBEDDING_BACKEND and QUESTION_BACKEND would export on first
    use (a write exports the question model too)."""
    from index.embedding.model import ONNX_BACKENDS, configured_question_backend
    from index.embedding.onnx_model import OnnxEmbedder

    settings = _settings(args)
    configured = (settings.embedding_backend, configured_question_backend(settings))
    backends = args.backend or list(dict.fromkeys(b for b in configured if b in ONNX_BACKENDS))
    if not backends:
        print(
            "error: EMBEDDING_BACKEND=torch with QUESTION_BACKEND=same runs the model as it is, "
            "with nothing to export: pass --backend onnx-int8 (or onnx)",
            file=sys.stderr,
        )
        return 2
    for backend in backends:
        embedder = OnnxEmbedder(
            settings.embedding_model,
            backend=backend,
            batch_size=settings.embedding_batch_size,
            models_dir=settings.resolved_models_dir,
        )
        export = embedder.export()
        state = "exported" if export.created else "already exported"
        print(
            f"{backend}: {state}: {export.model_file} ({export.size_bytes / 1e6:.1f} MB; "
            f"model folder {export.info.get('source_path')})"
        )
    return 0


def hit_json(hit: Hit) -> dict[str, object]:
    return {**asdict(hit), "score": round(hit.score, 4)}


def format_hit(hit: Hit) -> str:
    """A hit as plain text: rank, score and confidence, citation, then the passage wrapped."""
    details = ", ".join(x for x in (hit.source, (hit.published or "")[:10]) if x)
    lines = [f"{hit.rank}. {hit.title}" + (f" ({details})" if details else "")]
    confidence = "" if hit.confidence is None else f" · confidence {hit.confidence:.2f}"
    lines.append(
        f"   score {hit.score:.2f}{confidence} ({hit.relevance or 'unrated'} match) · "
        f"article {hit.article_id} · characters {hit.start}-{hit.end}"
    )
    if hit.story_id:
        outlets = list(dict.fromkeys(r.source for r in hit.also_reported if r.source))
        told = f" · also reported by {', '.join(outlets)}" if outlets else ""
        lines.append(f"   story {hit.story_id}{told}")
    if hit.url:
        lines.append(f"   {hit.url}")
    lines.append(textwrap.fill(hit.text, width=88, initial_indent="   ", subsequent_indent="   "))
    return "\n".join(lines)


def format_stats(stats: IndexStats) -> str:
    rows = [
        ("articles", f"{stats.articles:,}"),
        ("passages", f"{stats.passages:,}"),
        ("stories", format_story_count(stats)),
        ("model", f"{stats.model} ({stats.dimension} dimensions)"),
        ("backend", stats.backend),
        ("index type", format_index_type(stats)),
        ("size on disk", f"{stats.size_bytes / 1e6:.1f} MB" if stats.size_bytes else "n/a"),
        ("built at", stats.built_at),
        ("version", stats.build_id),
        ("store", stats.store),
        ("collection" if stats.store == "milvus" else "folder", str(stats.folder)),
    ]
    return "\n".join(f"{name:<13} {value}" for name, value in rows)


def format_story_count(stats: IndexStats) -> str:
    if stats.stories is None:
        return "not stored (a version before stories: rebuild to place them)"
    return f"{stats.stories:,} ({stats.stories_by_several_outlets or 0:,} told by several outlets)"


def format_index_type(stats: IndexStats) -> str:
    """The FAISS type, and for an approximate one how close it came to exact search."""
    if stats.exact:
        return f"{stats.index_factory} (exact search)"
    if stats.store == "milvus":
        return f"{stats.index_factory} (Milvus, approximate: ef {stats.ef_search})"
    if stats.recall_at_10 is None:
        return f"{stats.index_factory} (approximate; recall not measured: built before it was)"
    depth = f", efSearch {stats.ef_search}" if stats.ef_search is not None else ""
    return (
        f"{stats.index_factory} (approximate: recall@10 {stats.recall_at_10:.3f} against exact "
        f"search{depth})"
    )


def format_report(report: WriteReport) -> str:
    parts = [
        f"{report.action}: {report.articles:,} articles, {report.passages:,} passages",
        f"{len(report.added)} added, {len(report.updated)} updated, {report.unchanged} unchanged, "
        f"{len(report.removed)} removed",
        f"{report.embedded:,} passages embedded (the rest from the cache)",
    ]
    if report.replaced:
        parts.append(
            f"{len(report.replaced)} replaced by a wholly different text (see the warnings above)"
        )
    if report.skipped:
        parts.append(f"{len(report.skipped)} files or records skipped (see the warnings above)")
    if report.kept_unreadable:
        parts.append(
            f"{len(report.kept_unreadable)} unreadable articles kept from the previous index"
        )
    parts.append(f"{report.seconds:.1f} s")
    return "; ".join(parts)


def _common_options(*, after_command: bool) -> argparse.ArgumentParser:
    """The options every command takes, before or after its name. After it they default to
    SUPPRESS, so a command's defaults never overwrite what came before it (`-q rebuild`)."""
    default = argparse.SUPPRESS if after_command else None
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--index-dir",
        type=Path,
        default=default,
        help="index folder (default: $INDEX_DIR or data/index)",
    )
    common.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=argparse.SUPPRESS if after_command else False,
        help="no progress bars or warnings",
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m index",
        description="Build, inspect and query the news passage index.",
        parents=[_common_options(after_command=False)],
    )
    common = _common_options(after_command=True)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(
        name: str, func: Callable[[argparse.Namespace], int], summary: str, example: str
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name, parents=[common], help=summary, description=summary,
            epilog=f"Example:\n  {example}", formatter_class=argparse.RawDescriptionHelpFormatter,
        )  # fmt: skip
        sub.set_defaults(func=func)
        return sub

    rebuild = command("rebuild", cmd_rebuild, "Rebuild the whole index from files and folders (default: seeds/).",
                      "python -m index rebuild seeds/ more-articles/")  # fmt: skip
    rebuild.add_argument("paths", nargs="*", type=Path, help="files or folders of articles")
    rebuild.add_argument("--strict", action="store_true", help="fail on the first unreadable file")
    add = command("add", cmd_add, "Add new articles and update changed ones; embeds only what is new.",
                  "python -m index add inbox/article.md")  # fmt: skip
    add.add_argument("paths", nargs="+", type=Path, help="files or folders of articles")
    add.add_argument("--strict", action="store_true", help="fail on the first unreadable file")
    remove = command("remove", cmd_remove, "Remove articles by id (see `articles`).",
                     "python -m index remove 000_73da1f60caab5eee")  # fmt: skip
    remove.add_argument("ids", nargs="+", help="article ids")
    command("compact", cmd_compact,
            "Write the index whole again, dropping what adds and removals left hidden.",
            "python -m index compact")  # fmt: skip
    query = command("query", cmd_query, "Print the passages that best answer a question.",
                    f'python -m index query "{QUERY_EXAMPLE}" -k 3')  # fmt: skip
    query.add_argument("text", help="the question")
    query.add_argument(
        "-k", type=int, default=None, help="how many passages (default: SEARCH_TOP_K)"
    )
    query.add_argument("--min-score", type=float, default=None, help="override SEARCH_MIN_SCORE")
    query.add_argument("--json", action="store_true", help="print a JSON list of hits")
    query.add_argument(
        "--zone", type=_zone, default="UTC",
        help="the time zone dates in the question are read in (default UTC), e.g. Europe/Paris",
    )  # fmt: skip
    stats = command("stats", cmd_stats, "Show what the index holds and how it was built.",
                    "python -m index stats")  # fmt: skip
    stats.add_argument("--json", action="store_true", help="print JSON")
    articles = command("articles", cmd_articles, "List the indexed articles, newest first.",
                       "python -m index articles --limit 20")  # fmt: skip
    articles.add_argument("--limit", type=int, default=None)
    articles.add_argument("--offset", type=int, default=0)
    articles.add_argument("--json", action="store_true", help="print JSON")
    export = command("export-model", cmd_export_model,
                     "Export the embedding model to ONNX for EMBEDDING_BACKEND=onnx / onnx-int8.",
                     "python -m index export-model --backend onnx-int8")  # fmt: skip
    export.add_argument(
        "--backend",
        action="append",
        choices=["onnx", "onnx-int8"],
        help="which export (repeatable; default: EMBEDDING_BACKEND)",
    )
    feeds = commands.add_parser(
        "feeds", parents=[common], help="Follow RSS, Atom and RDF feeds: add, list, remove, fetch, watch.",
        description="Follow RSS, Atom and RDF feeds: their new entries are indexed.",
        epilog="Example:\n  python -m index feeds add https://example.com/rss.xml && "
        "python -m index feeds fetch", formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    add_feed_commands(feeds, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    level = logging.ERROR if args.quiet else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s: %(message)s", stream=sys.stderr)
    for handler in logging.getLogger().handlers:
        handler.setLevel(level)  # a library that sets its own logger to DEBUG stays quiet
    logging.captureWarnings(True)
    try:
        return int(args.func(args))
    except NewsIndexError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except ValidationError as exc:  # a setting from the environment or .env
        for error in exc.errors(include_input=False):
            where = ".".join(str(part) for part in error["loc"]).upper()
            print(f"error: {where}: {error['msg'].removeprefix('Value error, ')}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; the index is unchanged", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
