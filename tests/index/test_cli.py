"""The command line as a user runs it: subprocesses, exit codes and output."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from index import IndexSettings, NewsIndex
from index.cli import build_parser
from index.store.publish import IndexLayout
from tests.conftest import PROJECT_ROOT, SEEDS, fill_disk
from tests.index.conftest import CLI_THEN_MODULES
from tests.seed_data import copy_embedding_cache
from tests.stores import both_stores

pytestmark = pytest.mark.slow

QUESTION = "Which countries signed long-term security agreements with Ukraine?"


def run_cli(*args: str, check_exit: int | None = 0) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "index", *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=os.getcwd(),
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )
    if check_exit is not None:
        assert result.returncode == check_exit, result.stderr
    return result


def test_every_command_has_help_with_an_example() -> None:
    parser = build_parser()
    subcommands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert set(subcommands) == {
        "rebuild",
        "add",
        "remove",
        "compact",
        "query",
        "stats",
        "articles",
        "export-model",
        "feeds",
    }
    feeds = subcommands["feeds"]._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert set(feeds) == {"add", "list", "remove", "fetch", "watch"}
    nested = {f"feeds {name}": sub for name, sub in feeds.items()}
    for name, sub in {**subcommands, **nested}.items():
        text = sub.format_help()
        assert "Example:" in text and f"python -m index {name}" in text, name
        assert "--index-dir" in text


@pytest.mark.parametrize(
    "argv",
    [
        ["-q", "--index-dir", "elsewhere", "stats"],
        ["stats", "-q", "--index-dir", "elsewhere"],
        ["-q", "stats", "--index-dir", "elsewhere"],
    ],
)
def test_common_options_count_before_or_after_the_command(argv: list[str]) -> None:
    args = build_parser().parse_args(argv)
    assert args.quiet is True and args.index_dir == Path("elsewhere")


def test_common_options_default_when_not_given() -> None:
    args = build_parser().parse_args(["stats"])
    assert args.quiet is False and args.index_dir is None


@both_stores
@pytest.mark.usefixtures("seed_vectors_cached")
def test_rebuild_query_stats_round_trip(tmp_path: Path, vector_store: str) -> None:
    rebuilt = run_cli("rebuild", "-q")
    assert re.search(r"rebuild: 1 articles, \d+ passages", rebuilt.stdout)
    assert "DEBUG" not in rebuilt.stderr, "no library debug output (bm25s logs at DEBUG)"

    human = run_cli("query", QUESTION)
    assert human.stdout.startswith(
        "1. Macron says sending Western troops to Ukraine is not ruled out"
    )
    assert (
        "10-year bilateral agreements" in human.stdout
        and "article 000_73da1f60caab5eee" in human.stdout
    )

    hits = json.loads(run_cli("query", QUESTION, "--json", "-k", "2").stdout)
    assert 1 <= len(hits) <= 2

    in_2024 = run_cli("query", f"{QUESTION} in February 2024", "--zone", "Europe/Paris")
    assert in_2024.stdout.startswith(
        f"searched: {QUESTION} in February 2024 · window: February 2024\n\n1. Macron"
    ), "a date the question names stays in the text searched"
    in_2020 = run_cli("query", f"{QUESTION} in 2020")
    assert "window: 2020" in in_2020.stdout and "No passage matches" in in_2020.stdout
    assert {"text", "score", "article_id", "title", "url"} <= hits[0].keys()
    assert "10-year bilateral agreements" in hits[0]["text"] and hits[0]["url"] is None

    assert json.loads(run_cli("query", "banana bread recipe", "--json").stdout) == []

    stats = run_cli("stats").stdout
    assert re.search(r"articles\s+1\n", stats) and "all-MiniLM-L6-v2" in stats and "MB" in stats
    assert re.search(rf"store\s+{vector_store}\n", stats)
    if vector_store == "milvus":
        assert re.search(r"collection\s+\S+milvus\.db \(Milvus Lite\), collection newsbot_", stats)
    listing = run_cli("articles").stdout
    assert listing.startswith("000_73da1f60caab5eee\t2024-02-26\t")


@both_stores
@pytest.mark.usefixtures("seed_vectors_cached")
def test_index_dir_option_and_add_remove(tmp_path: Path, vector_store: str) -> None:
    index_dir = tmp_path / "elsewhere"
    article = tmp_path / "story.md"
    article.write_text("# Iceland volcano\n\nLava flowed towards Grindavik on Saturday night.\n")
    run_cli("rebuild", "--index-dir", str(index_dir), "-q")
    added = run_cli("add", str(article), "--index-dir", str(index_dir), "-q")
    assert "1 added" in added.stdout and "2 articles" in added.stdout
    listing = run_cli("articles", "--index-dir", str(index_dir)).stdout
    (story,) = [line.split("\t")[0] for line in listing.splitlines() if "Iceland" in line]
    assert story.startswith("story-")
    removed = run_cli("remove", story, "--index-dir", str(index_dir), "-q")
    assert "1 removed" in removed.stdout
    missing = run_cli("remove", story, "--index-dir", str(index_dir), check_exit=1)
    assert f"no article with id '{story}'" in missing.stderr


def test_two_files_of_the_same_name_are_two_articles(tmp_path: Path) -> None:
    first = tmp_path / "a" / "story.txt"
    second = tmp_path / "b" / "story.txt"
    for path, text in ((first, "Lava flowed towards Grindavik."), (second, "Paris hosted talks.")):
        path.parent.mkdir()
        path.write_text(text + " It was reported on Saturday.\n")

    assert "1 added, 0 updated" in run_cli("add", str(first), "-q").stdout
    again = run_cli("add", str(second), "-q").stdout
    assert "2 articles" in again and "1 added, 0 updated" in again
    first.write_text("Lava flowed towards Grindavik on Saturday night. It was reported then.\n")
    edited = run_cli("add", str(first), "-q").stdout
    assert "2 articles" in edited and "0 added, 1 updated" in edited
    listing = run_cli("articles").stdout
    assert "Lava flowed towards Grindavik on Saturday night" in listing and "Paris" in listing


def test_two_files_of_one_stem_in_a_folder_are_two_articles(tmp_path: Path) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "story.md").write_text("# Iceland volcano\n\nLava flowed towards Grindavik.\n")
    (folder / "story.txt").write_text("European leaders met in Paris on Monday.\n")

    rebuilt = run_cli("rebuild", str(folder))
    assert "2 articles" in rebuilt.stdout and "2 added" in rebuilt.stdout
    assert "appears in" not in rebuilt.stderr, "neither is dropped as a duplicate"
    ids = {
        line.split("\t")[3]: line.split("\t")[0] for line in run_cli("articles").stdout.splitlines()
    }
    assert set(ids) == {"Iceland volcano", "European leaders met in Paris on Monday"}
    assert ids["European leaders met in Paris on Monday"] == "story", "the id it had before"
    assert ids["Iceland volcano"].startswith("story-")
    again = run_cli("rebuild", str(folder)).stdout
    assert "2 articles" in again and "2 unchanged" in again, "the same ids on every read"


def test_user_mistakes_are_one_line_and_exit_1(tmp_path: Path) -> None:
    no_index = run_cli("query", QUESTION, check_exit=1)
    assert no_index.stderr.strip().splitlines()[-1].startswith("error: no index in ")
    assert "Traceback" not in no_index.stderr
    missing = run_cli("rebuild", str(tmp_path / "nope"), check_exit=1)
    assert (
        "error: " in missing.stderr
        and "nope" in missing.stderr
        and "Traceback" not in missing.stderr
    )
    usage = run_cli("query", check_exit=2)
    assert "usage:" in usage.stderr


@pytest.mark.usefixtures("seed_index_copied")
def test_a_damaged_index_is_one_error_line(isolated_environment: Path) -> None:
    for path in (isolated_environment / "index" / "current" / "word_index").iterdir():
        path.write_bytes(b"")
    damaged = run_cli("query", QUESTION, check_exit=1)
    (line,) = damaged.stderr.strip().splitlines()
    assert (
        line.startswith("error: ") and "bytes where" in line and "python -m index rebuild" in line
    )


@pytest.mark.parametrize("checksums", [True, False], ids=["checksums", "no-checksums"])
@pytest.mark.usefixtures("seed_index_copied")
def test_a_truncated_word_index_is_one_error_line(
    isolated_environment: Path, checksums: bool
) -> None:
    """Each BM25 file cut to half its length: refused by its size when the manifest records
    it, by its reader when it does not (a version written before checksums were); either way the
    only line on stderr is the error, without the warnings of a version that did not load."""
    version = isolated_environment / "index" / "current"
    if not checksums:
        manifest = json.loads((version / "manifest.json").read_text())
        (version / "manifest.json").write_text(json.dumps({**manifest, "files": {}}))
    for path in (version / "word_index").iterdir():
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    damaged = run_cli("query", QUESTION, check_exit=1)
    assert damaged.stderr.count("\n") == 1, damaged.stderr
    (line,) = damaged.stderr.splitlines()
    assert line.startswith("error: ") and line.endswith("rebuild it with `python -m index rebuild`")
    assert ("where" if checksums else "the word index in") in line and not damaged.stdout


def test_a_full_disk_is_one_error_line_and_the_index_survives(
    small_disk: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed_data_dir: Path
) -> None:
    monkeypatch.setenv("DATA_DIR", str(small_disk / "data"))
    copy_embedding_cache(seed_data_dir, small_disk / "data")  # the seeds' vectors, on that disk
    run_cli("rebuild", "-q")
    article = tmp_path / "story.md"
    article.write_text("# Iceland volcano\n\n" + "Lava flowed towards Grindavik again. " * 400)
    filler = fill_disk(small_disk)
    full = run_cli("add", str(article), "-q", check_exit=1)
    (line,) = full.stderr.strip().splitlines()
    assert line.startswith("error: the disk is full: cannot write to ") and str(small_disk) in line
    # Every vector is cached: this one fails writing the new version itself.
    (line,) = run_cli("rebuild", "-q", check_exit=1).stderr.strip().splitlines()
    assert line.startswith("error: the disk is full: cannot write to ")
    assert not list((small_disk / "data" / "index" / "versions").glob(".staging-*"))
    assert "10-year bilateral agreements" in run_cli("query", QUESTION).stdout, "the old index"
    filler.unlink()
    assert "1 added" in run_cli("add", str(article), "-q").stdout


def test_bad_files_warn_and_strict_fails(tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "good.txt").write_text("European leaders met in Paris on Monday to discuss Ukraine.")
    (folder / "bad.txt").write_bytes(b"\x00\x01binary")
    result = run_cli("rebuild", str(folder))
    warnings = [line for line in result.stderr.splitlines() if "bad.txt" in line]
    assert len(warnings) == 1 and "binary" in warnings[0]
    assert "1 articles" in result.stdout and "DEBUG" not in result.stderr
    strict = run_cli("rebuild", str(folder), "--strict", check_exit=1)
    assert "error: " in strict.stderr and "bad.txt" in strict.stderr


@pytest.mark.parametrize("command", ["rebuild", "add"])
def test_a_file_that_breaks_a_library_is_one_warning(tmp_path: Path, command: str) -> None:
    """A date PyYAML cannot build, a name that is not UTF-8: the file's problem, not the batch's."""
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "good.md").write_text("# Paris talks\n\nEuropean leaders met in Paris on Monday.\n")
    (folder / "bad-date.md").write_text("---\npublished: 2024-13-45\n---\nA story.\n")
    with open(os.fsencode(folder) + b"/odd\xffname.txt", "wb") as handle:
        handle.write(b"Lava flowed towards Grindavik on Saturday night.")
    paths = [str(folder)] if command == "rebuild" else sorted(map(str, folder.iterdir()))

    result = run_cli(command, *paths)

    assert "Traceback" not in result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("WARNING")]
    assert len(warnings) == 1 and "bad-date.md" in warnings[0]
    assert "month must be in 1..12" in warnings[0]
    assert "2 articles" in result.stdout and "1 files or records skipped" in result.stdout
    titles = run_cli("articles").stdout
    assert "Paris talks" in titles and "Lava flowed towards Grindavik" in titles


@pytest.mark.usefixtures("seed_index_copied")
def test_a_model_mismatch_is_reported_with_the_fix() -> None:
    os.environ["EMBEDDING_MODEL"] = "sentence-transformers/all-mpnet-base-v2"
    try:
        result = run_cli("query", QUESTION, check_exit=1)
    finally:
        del os.environ["EMBEDDING_MODEL"]
    assert "rebuild" in result.stderr and "all-mpnet-base-v2" in result.stderr
    assert "Traceback" not in result.stderr


def _children(pid: int) -> list[int]:
    """The processes `pid` started (Linux's /proc)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except FileNotFoundError:  # a thread that ended meanwhile
            continue
    return found


def _articles(folder: Path, count: int) -> None:
    folder.mkdir(parents=True)
    for i in range(count):
        sentences = " ".join(
            f"Report {i} sentence {j} mentions harbour number {i * 100 + j}." for j in range(4)
        )
        (folder / f"report-{i}.txt").write_text(f"Harbour report {i}. {sentences}\n")


def _live_version(settings: IndexSettings) -> str | None:
    """The live version's folder, or the collection the Milvus alias names."""
    if settings.vector_store == "milvus":
        from index.store.milvus.collections import MilvusStore

        return MilvusStore(settings).live_collection()
    folder = IndexLayout(settings.resolved_index_dir).current_version()
    return None if folder is None else str(folder)


@pytest.mark.parametrize(
    ("vector_store", "kill_when"),
    [
        ("faiss", "splitting"),
        ("faiss", "embedding"),
        ("milvus", "splitting"),
        ("milvus", "embedding"),
        ("milvus", "writing"),
    ],
    indirect=["vector_store"],
)
@pytest.mark.usefixtures("seed_vectors_cached")
def test_a_rebuild_killed_midway_leaves_the_old_index_serving(
    tmp_path: Path, settings: IndexSettings, milvus_server: str | None, kill_when: str
) -> None:
    """With milvus, on Milvus Lite's server (the command line and this test are two
    processes); `writing` kills the rebuild once its new collections exist, mid-insert. Only
    the seeds' vectors are cached: the 400 reports are embedded (and killed) as ever. They are
    short (one passage each): the embedding shows progress every 256 passages, and short
    passages reach it soonest."""
    if milvus_server is not None:
        settings = settings.model_copy(update={"milvus_uri": milvus_server})
    run_cli("rebuild", "-q")
    old_version = _live_version(settings)
    assert old_version is not None
    corpus = tmp_path / "big"
    _articles(corpus, 400)
    process = subprocess.Popen(
        [sys.executable, "-m", "index", "rebuild", str(corpus)],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )
    seen = bytearray()
    pattern = re.compile(
        rb"Splitting:\s+\d+%.*?\| ([1-9]\d*)/"
        if kill_when == "splitting"
        else rb"Embedding:\s+\d+%.*?\| ([1-9]\d*)/"
    )
    collections_before = _collections(settings)

    def read() -> None:
        assert process.stderr is not None
        while chunk := process.stderr.read1(4096):  # type: ignore[attr-defined]
            seen.extend(chunk)

    def reached() -> bool:
        if kill_when == "writing":
            return len(_collections(settings)) > len(collections_before)
        return pattern.search(seen) is not None

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    deadline = time.monotonic() + 300
    while not reached() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01 if kill_when == "writing" else 0.05)
    assert process.poll() is None, (
        f"the rebuild ended before it could be killed: {bytes(seen[-500:])!r}"
    )
    workers = _children(process.pid)
    assert workers or kill_when != "splitting", "400 articles are split on worker processes"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 30
    while [pid for pid in workers if Path(f"/proc/{pid}").exists()]:
        assert time.monotonic() < deadline, "the killed rebuild's workers are still running"
        time.sleep(0.1)
    reader.join(timeout=5)
    assert process.stderr is not None
    process.stderr.close()

    assert _live_version(settings) == old_version
    if kill_when == "writing":
        (half,) = [n for n in _collections(settings) if n not in collections_before][:1]
        assert not _complete(settings, half), "killed before its manifest was written"
    hits = NewsIndex(settings).search(QUESTION)
    assert hits and "10-year bilateral agreements" in hits[0].text
    stats = run_cli("stats").stdout
    assert re.search(r"articles\s+1\n", stats)

    run_cli("add", str(SEEDS), "-q")  # the next write cleans up what the killed one left
    if settings.vector_store == "milvus":
        assert _collections(settings) == collections_before, "the half-written one is dropped"
    else:
        layout = IndexLayout(settings.resolved_index_dir)
        assert not [p for p in layout.versions.iterdir() if p.name.startswith(".staging-")]


def _collections(settings: IndexSettings) -> list[str]:
    """The Milvus collections of the index (none for faiss)."""
    if settings.vector_store != "milvus":
        return []
    from index.store.milvus.collections import connect

    return sorted(n for n in connect(settings).list_collections() if n.startswith("newsbot_"))


def _complete(settings: IndexSettings, name: str) -> bool:
    from index.store.milvus.collections import MilvusStore

    return MilvusStore(settings)._complete(
        name.removesuffix("_sentences").removesuffix("_articles")
    )


def test_articles_listing_is_one_line_per_article_whatever_the_ids(tmp_path: Path) -> None:
    records = [
        {"id": "wire\n42", "title": "Lava reaches\nGrindavik\u2028again", "text": "Lava flowed "
         "towards Grindavik on Saturday night and the town was evacuated."},
        {"id": "plain-id", "title": "Duda signs the budget", "text": "Polish President Andrzej "
         "Duda signed the 2024 budget on Wednesday, raising defence spending."},
    ]  # fmt: skip
    corpus = tmp_path / "articles.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    run_cli("rebuild", str(corpus), "-q")
    stored = {a["id"]: a["title"] for a in json.loads(run_cli("articles", "--json").stdout)}
    assert len(stored) == 2, "the --json listing keeps ids and titles as they are"
    lines = run_cli("articles").stdout.splitlines()
    assert len(lines) == 2, lines
    for article_id, title in stored.items():
        shown_id = article_id.replace("\n", "\\n")
        shown_title = title.replace("\n", "\\n").replace("\u2028", "\\u2028")
        (line,) = [line for line in lines if line.startswith(shown_id + "\t")]
        assert line.endswith("\t" + shown_title)


def test_compact_drops_what_a_removal_hid(
    settings: IndexSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`compact` without an index is one error line; after a removal appended to the index
    (its rows hidden), it writes the index whole: every stored vector live again."""
    missing = run_cli("compact", check_exit=1)
    assert missing.stderr.startswith("error: there is no index") and missing.stderr.count("\n") == 1
    monkeypatch.setenv("FAISS_COMPACT_SHARE", "1")
    corpus = tmp_path / "articles"
    _articles(corpus, 2)
    run_cli("rebuild", str(corpus), "-q")
    run_cli("remove", "report-0", "-q")
    layout = IndexLayout(settings.resolved_index_dir)
    version = layout.current_version()
    assert version is not None
    appended = json.loads((version / "manifest.json").read_text())
    assert appended["revision"] == 1 and appended["next_row"] > appended["passages"]

    result = run_cli("compact", "-q")

    assert result.stdout.startswith("compact: 1 articles")
    version = layout.current_version()
    assert version is not None
    compacted = json.loads((version / "manifest.json").read_text())
    assert "revision" not in compacted and compacted["passages"] == appended["passages"]


@pytest.mark.usefixtures("seed_vectors_cached")
def test_a_rebuild_with_every_vector_cached_loads_no_model() -> None:
    """What makes a cached rebuild take seconds (and the tests that share the seeds' cache):
    nothing to embed, so torch is never imported."""
    result = subprocess.run(
        [sys.executable, "-c", CLI_THEN_MODULES, "rebuild", "-q"],
        capture_output=True, text=True, timeout=600,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report, loaded = result.stdout.splitlines()[-2:]
    assert "1 articles" in report and " 0 passages embedded" in report, report
    assert loaded == "[]"
