"""`python -m evaluation` on small corpora in the three formats of ../shared/eval, and the
tune/report split of its questions (`evaluation.splits`)."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evaluation import datasets, run
from evaluation.splits import (
    folds_by_group,
    folds_by_hash,
    hash_share,
    quiz_week,
    split_by_hash,
    split_in_time,
    spread,
)
from index.search.hits import Hit

ARTICLES = [
    {"id": "volcano", "title": "Iceland volcano erupts again", "url": "https://news.example/v",
     "text": "A volcano on the Reykjanes peninsula erupted on Saturday. Lava reached the town of "
             "Grindavik. Scientists said it was the fourth eruption since December."},
    {"id": "poland", "title": "Duda signs the budget", "url": "https://news.example/p",
     "text": "Polish President Andrzej Duda signed the 2024 budget on Wednesday. The budget "
             "raises defence spending to four percent of GDP, the highest share in Nato."},
    {"id": "chess", "title": "A new chess champion", "url": "https://news.example/c",
     "text": "Ding Liren won the world chess championship in Astana after a rapid tie-break. "
             "He is the first Chinese player to hold the classical title."},
]  # fmt: skip


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    return path


@pytest.mark.slow
def test_news_questions_table_dump_and_reuse(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = write_jsonl(tmp_path / "news" / "articles.jsonl", ARTICLES)
    questions = write_jsonl(
        tmp_path / "news" / "questions.jsonl",
        [
            {"id": "q1", "question": "Which town did the lava reach?", "article_ids": ["volcano"],
             "answers": ["Grindavik"], "answer_in_article": True},
            {"id": "q2", "question": "Who signed Poland's budget?", "article_id": "poland",
             "answers": ["Duda"], "answer_in_article": True},
        ],
    )  # fmt: skip
    dump = tmp_path / "run.jsonl"
    output = tmp_path / "results.md"
    args = ["--corpus", str(corpus), "--questions", str(questions), "-k", "2"]
    assert run.main([*args, "--dump", str(dump), "--output", str(output)]) == 0
    captured = capsys.readouterr()
    assert "indexing" in captured.err
    assert "| configuration | article hit@1 |" in captured.out
    assert "| answer visible@1 | answer visible@3 | answer-sentence accuracy |" in captured.out
    assert "| message chars p50 | median query ms |" in captured.out
    for name in ("BM25", "dense", "product"):
        assert f"| {name} | 1.000 | " in captured.out  # both questions answered at rank 1
    lines = [json.loads(line) for line in dump.read_text("utf-8").splitlines()]
    assert [line["id"] for line in lines] == ["q1", "q2"]
    assert lines[0]["question"] == "Which town did the lava reach?"
    assert len(lines[0]["hits"]) == 2 and lines[0]["hits"][0]["article_id"] == "volcano"
    assert set(lines[0]["hits"][0]) == {"article_id", "text", "score"}
    assert "questions over 3 articles" in output.read_text("utf-8")

    assert run.main(args) == 0  # the same corpus: the index is reused
    captured = capsys.readouterr()
    assert "indexing" not in captured.err
    assert "#### Report part (1 questions" in captured.out  # q2: the later "week"
    assert "#### Tune part (1 questions" in captured.out

    assert run.main([*args, "--part", "tune"]) == 0  # q2 is not even searched
    out = capsys.readouterr().out
    assert "1 questions over 3 articles" in out and "#### Tune part only (1 questions" in out
    assert "Report part" not in out


@pytest.mark.slow
def test_beir_and_squad_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = write_jsonl(
        tmp_path / "beir" / "corpus.jsonl",
        [{"_id": a["id"], "title": a["title"], "text": a["text"]} for a in ARTICLES],
    )
    queries = write_jsonl(
        tmp_path / "beir" / "queries.jsonl",
        [{"_id": "1", "text": "chess world champion"}, {"_id": "2", "text": "no qrels"}],
    )
    (tmp_path / "beir" / "qrels").mkdir()
    (tmp_path / "beir" / "qrels" / "test.tsv").write_text(
        "query-id\tcorpus-id\tscore\n1\tchess\t1\n", "utf-8"
    )
    assert run.main(["--corpus", str(corpus), "--questions", str(queries)]) == 0
    out = capsys.readouterr().out
    assert "1 questions over 3 articles" in out and "| nDCG@10 | recall@10 | recall@100 |" in out
    assert "| product | 1.000 | 1.000 | 1.000 |" in out

    passages = write_jsonl(
        tmp_path / "squad" / "passages.jsonl",
        [{"id": a["id"], "article_id": a["id"], "title": a["title"], "text": a["text"]}
         for a in ARTICLES],
    )  # fmt: skip
    questions = write_jsonl(
        tmp_path / "squad" / "questions.jsonl",
        [{"question": "Where did Ding Liren win the championship?", "article_id": "chess",
          "passage_id": "chess", "answers": ["Astana"], "answer_starts": [49]}],
    )  # fmt: skip
    assert run.main(["--corpus", str(passages), "--questions", str(questions)]) == 0
    out = capsys.readouterr().out
    assert (
        "| passage hit@1 | answer hit@1 | answer visible@1 | answer visible@3 | answer in bold@1 "
        "| answer-sentence accuracy | message chars p50 |"
    ) in out
    assert "| product | 1.000 | 1.000 | 1.000 | 1.000 | 1.000 | 1.000 |" in out


@pytest.mark.slow
def test_missing_data_is_reported_and_not_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nothing.jsonl"
    assert run.main(["--corpus", str(missing), "--questions", str(missing)]) == 0
    assert "nothing to measure" in capsys.readouterr().err
    assert run.main([]) == 2


def test_config_overrides_are_validated_like_the_environment() -> None:
    name, overrides = run.parse_config(
        "plain bold: bold_sentence_in_context=false, search_lexical_weight=0.25,search_fusion=rrf"
    )
    assert name == "plain bold"
    assert overrides == {
        "bold_sentence_in_context": False,
        "search_lexical_weight": 0.25,
        "search_fusion": "rrf",
    }
    with pytest.raises(ValueError, match="unknown setting 'no_such_setting'"):
        run.parse_config("x:no_such_setting=1")


# -- the tune/report split ------------------------------------------------------------------------

# The shape of ../shared/eval/realtimeqa-news/questions.jsonl: questions per quiz week.
QUIZ_WEEKS = {
    "20220617": 10, "20220624": 10, "20220701": 10, "20220708": 8, "20220715": 9, "20220722": 9,
    "20220729": 10, "20220805": 10, "20220812": 9, "20220819": 9, "20220826": 9,
}  # fmt: skip
QUIZ_IDS = [f"{week}_{n}" for week, count in QUIZ_WEEKS.items() for n in range(count)]


def test_quiz_week_is_the_date_a_question_id_starts_with() -> None:
    assert quiz_week("20220617_3") == "2022-06-17"
    assert quiz_week("20220826") == "2022-08-26"
    assert quiz_week("q1") is None
    assert quiz_week("2022061_3") is None
    assert quiz_week("56beb4343aeaaa14008c925b") is None


def test_quiz_weeks_split_in_time_earlier_weeks_tune() -> None:
    shuffled = QUIZ_IDS[:]
    random.Random(3).shuffle(shuffled)
    split = split_in_time(shuffled, lambda qid: qid[:8])
    assert sorted(split.tune) == [q for q in QUIZ_IDS if q[:8] <= "20220722"]  # 6 weeks
    assert len(split.tune) == 56 and len(split.report) == 47
    assert sorted(split.tune + split.report) == sorted(QUIZ_IDS)
    assert split.tune == [q for q in shuffled if q in set(split.tune)]  # input order kept
    assert max(q[:8] for q in split.tune) < min(q[:8] for q in split.report)


def test_a_time_split_never_cuts_a_group() -> None:
    # One huge first week holds more than half: it alone tunes, whole.
    items = ["a"] * 7 + ["b"] * 2 + ["c"] * 2
    split = split_in_time(items, lambda item: item)
    assert split.tune == ["a"] * 7 and split.report == ["b", "b", "c", "c"]
    assert split_in_time([], lambda item: item).tune == []


@given(st.lists(st.text(min_size=1, max_size=6), max_size=60))
def test_hash_split_is_disjoint_covering_by_group_and_order_free(groups: list[str]) -> None:
    items = list(enumerate(groups))  # (position, group)
    split = split_by_hash(items, lambda item: item[1])
    assert sorted(split.tune + split.report) == items
    tune_groups = {g for _, g in split.tune}
    assert tune_groups.isdisjoint(g for _, g in split.report)
    assert all(hash_share(g) < 0.5 for g in tune_groups)
    again = split_by_hash(items[::-1], lambda item: item[1])
    assert sorted(again.tune) == sorted(split.tune)


def test_hash_split_is_pinned() -> None:
    # Figures were reported on this split: a change of salt or hash would draw another one.
    split = split_by_hash([f"xq-a{n:03d}" for n in range(8)], lambda g: g)
    assert split.tune == ["xq-a001", "xq-a002", "xq-a007"]
    assert hash_share("xq-a000") == pytest.approx(0.69711, abs=1e-5)
    shares = [hash_share(str(n)) for n in range(2000)]
    assert 0.45 < sum(s < 0.5 for s in shares) / len(shares) < 0.55
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        split_by_hash(["a"], lambda g: g, share=1.0)


def test_folds_hold_whole_groups_and_cover_everything() -> None:
    weeks = folds_by_group(QUIZ_IDS[::-1], lambda qid: qid[:8])
    assert list(weeks) == sorted(QUIZ_WEEKS)
    assert {week: len(ids) for week, ids in weeks.items()} == QUIZ_WEEKS
    items = [(n, f"article {n % 13}") for n in range(100)]
    folds = folds_by_hash(items, lambda item: item[1], 5)
    assert 1 < len(folds) <= 5
    assert sorted(x for fold in folds.values() for x in fold) == items
    owners = {g: name for name, fold in folds.items() for _, g in fold}
    assert all(owners[g] == name for name, fold in folds.items() for _, g in fold)
    with pytest.raises(ValueError, match="at least 2 folds"):
        folds_by_hash(items, lambda item: item[1], 1)


def test_spread_leaves_out_folds_where_a_metric_is_undefined() -> None:
    found = spread([0.5, math.nan, 1.0, 0.0])
    assert (found.mean, found.low, found.high, found.folds) == (0.5, 0.0, 1.0, 3)
    assert found.sd == pytest.approx(0.5)
    assert str(found) == "0.500 ± 0.500 (0.000–1.000)"
    assert str(spread([math.nan])) == "—"
    assert spread([0.25]).sd == 0.0


def _news_file(tmp_path: Path, ids: list[str]) -> Path:
    return write_jsonl(
        tmp_path / "questions.jsonl",
        [{"id": qid, "question": f"question {qid}?", "article_ids": [f"gold-{qid}"],
          "answers": ["yes"], "answer_in_article": True, "date": f"{qid[:4]}/{qid[4:6]}/{qid[6:8]}"}
         for qid in ids],
    )  # fmt: skip


def _hit(article_id: str, text: str = "no") -> Hit:
    return Hit(1, 0.5, text, 0, len(text), article_id, "title", None, None, None)


def test_tables_measure_each_part_on_its_own_questions(tmp_path: Path) -> None:
    questions = datasets.load_questions(_news_file(tmp_path, QUIZ_IDS))
    assert [q.group for q in questions.questions[:2]] == ["2022-06-17", "2022-06-17"]
    split = datasets.question_parts(questions)
    assert len(split.tune) == 56 and len(split.report) == 47
    # Right on every question of the tuning weeks, wrong on every one of the reporting weeks.
    tuned = set(split.tune)
    runs = {
        "fitted": [
            [_hit(f"gold-{q.id}", "yes")] if n in tuned else [_hit("other")]
            for n, q in enumerate(questions.questions)
        ]
    }
    out = run.sections(questions, runs, {"fitted": 1.0})
    report, tune, whole, folds = out.split("#### ")[1:]
    assert report.startswith("Report part (47 questions of 5 weeks, 2022-07-29 to 2022-08-26)")
    assert "| fitted | 0.000 | 0.000 | 0.000 | 0.000 | 0.000 |" in report
    assert tune.startswith("Tune part (56 questions of 6 weeks, 2022-06-17 to 2022-07-22)")
    assert "| fitted | 1.000 | 1.000 | 1.000 | 1.000 | 1.000 |" in tune
    assert whole.startswith("All 103 questions") and "| fitted | 0.544 |" in whole
    # Eleven weeks, each all right or all wrong: mean 6/11, extremes 0 and 1.
    assert folds.startswith("Over 11 folds (one week held out each)")
    assert "| fitted | 0.545 ± 0.522 (0.000–1.000) |" in folds


def test_squad_questions_split_by_article_and_beir_queries_by_query(tmp_path: Path) -> None:
    squad = write_jsonl(
        tmp_path / "squad.jsonl",
        [{"question": f"q{n}", "article_id": f"xq-a{n % 8:03d}", "passage_id": f"p{n}",
          "answers": ["x"]} for n in range(40)],
    )  # fmt: skip
    questions = datasets.load_questions(squad)
    split = datasets.question_parts(questions)
    tune_articles = {questions.questions[p].group for p in split.tune}
    assert tune_articles == {"xq-a001", "xq-a002", "xq-a007"}
    assert tune_articles.isdisjoint(questions.questions[p].group for p in split.report)
    assert datasets.describe_part(questions, split.report) == "25 questions about 5 articles"

    folder = tmp_path / "beir"
    queries = write_jsonl(
        folder / "queries.jsonl", [{"_id": str(n), "text": "t"} for n in range(9)]
    )
    (folder / "qrels").mkdir()
    (folder / "qrels" / "test.tsv").write_text(
        "query-id\tcorpus-id\tscore\n" + "".join(f"{n}\td{n}\t1\n" for n in range(6)), "utf-8"
    )
    beir = datasets.load_questions(queries)
    parts = datasets.question_parts(beir)
    assert sorted(parts.tune + parts.report) == list(range(6))  # only queries with judgements
    assert [beir.questions[p].id for p in parts.tune] == [
        str(n) for n in range(6) if hash_share(str(n)) < 0.5
    ]


def test_the_shared_data_sets_split_as_documented() -> None:
    """The parts benchmarks/results/retrieval.md reports (skipped without ../shared/eval)."""
    expected = {
        "realtimeqa": ("56 questions of 6 weeks, 2022-06-17 to 2022-07-22",
                       "47 questions of 5 weeks, 2022-07-29 to 2022-08-26"),
        "scifact": ("160 queries", "140 queries"),
        "xquad": ("472 questions about 21 articles", "718 questions about 27 articles"),
    }  # fmt: skip
    for name, (tune, report) in expected.items():
        path = datasets.SHARED_EVAL / datasets.DATASETS[name][1]
        if not path.is_file():
            pytest.skip(f"{path} is not there (see ../shared/eval/README.md)")
        questions = datasets.load_questions(path)
        split = datasets.question_parts(questions)
        assert datasets.describe_part(questions, split.tune) == tune
        assert datasets.describe_part(questions, split.report) == report
